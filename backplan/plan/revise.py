"""Changing a plan after it started: revisions with their history, and what changed in words.

A plan is never edited in place. :func:`revise` returns a new plan with one more
:class:`~backplan.Revision`: the doses of the exercises it names from a given week, who made
the change, when and why. :func:`~backplan.dose_in_week` follows the revision in force each
week, so weeks before the change keep the doses the patient was given. The new plan is
checked like any other: a revision that breaks the plan's restrictions or a dose bound is a
:class:`~backplan.PlanError` and the plan stays as it was.

Examples
--------
>>> from datetime import datetime
>>> from backplan import build_plan, load_catalogue, dose_in_week
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-slides"], start_date="2026-01-05")
>>> new = revise(plan, 3, {"heel-slides": {"reps": 8}}, why="Pain went up in week 2.",
...              by="A. Physio", when=datetime(2026, 1, 18, 9, 0))
>>> [dose_in_week(new, w)[0].reps for w in (2, 3)]
[10, 8]
>>> what_changed(new)
['From week 3 (Monday 19 January), do Heel slides 8 times on each leg, once a day, every day. Before, it was 10 times.']
>>> revision_history(new)[["revision", "from_week", "decision", "what"]].to_dict("records")[1]
{'revision': 2, 'from_week': 3, 'decision': 'edit', 'what': 'Heel slides: reps 10 -> 8'}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from .._io.typed import argument, flag_value, ids_value, moment_value, whole_value
from ..errors import PlanError, Problem
from ..words import Words, words_for
from .build import catalogue_argument, dose_overrides
from .model import Plan, _validate, plan_argument
from .rules import DOSE_BOUNDS, WHAT_CHARS, NextLevel, Prescription, Revision, level_start
from .weeks import doses_in_force as dose_in_week
from .weeks import level_in_force as level_in_week

__all__ = ["STEP_BACK_SHARE", "revise", "revision_history", "step_back_reps", "what_changed"]

#: A step back takes about this share of the reps off (never a fixed number of reps).
STEP_BACK_SHARE = 0.2

_LABELS = {
    "sets": "sets",
    "reps": "reps",
    "hold_s": "hold (s)",
    "sessions_per_day": "times a day",
    "days_per_week": "days a week",
}


def _starting_point(
    plan: Plan, week: int, exercise: str, catalogue: pd.DataFrame
) -> dict[str, Any]:
    for p in dose_in_week(plan, week):
        if p.exercise == exercise:
            return p.model_dump()
    for p in reversed(plan.all_prescriptions()):  # e.g. a next-level exercise, later revisions
        if p.exercise == exercise:
            return p.model_dump()
    rows = catalogue.loc[catalogue["id"] == exercise]
    if rows.empty:
        raise PlanError([Problem("<plan>", None, "exercise", "an id in the catalogue", exercise)])
    row = rows.iloc[0]
    return {
        "exercise": exercise, "sets": int(row["sets"]), "reps": int(row["reps"]),
        "per_side": bool(row["per_side"]), "hold_s": int(row["hold_min_s"]),
        "sessions_per_day": int(row["sessions_per_day"]), "days_per_week": 7,
    }  # fmt: skip


def _baseline(before: Plan, after: Plan, week: int) -> list[Prescription]:
    """What a revision's doses in ``week`` are compared with.

    Last week's doses when ``after`` keeps the patient at last week's level (a hold that
    postpones a level-up changes nothing the patient does); otherwise what ``before`` had
    for ``week`` (at a change of level).
    """
    if week > 1 and level_in_week(before, week - 1) == level_in_week(after, week):
        return dose_in_week(before, week - 1)
    return dose_in_week(before, week)


def _names(catalogue: pd.DataFrame) -> dict[str, str]:
    """Exercise id -> name, looked up once per call (a pandas look-up per name is slow)."""
    return {str(i): str(n) for i, n in zip(catalogue["id"], catalogue["name"], strict=True)}


def _name(names: Mapping[str, str], exercise: str) -> str:
    return names.get(exercise, exercise)


def _level_words(before: Plan, after: Plan, week: int) -> list[str]:
    """What a revision did to the plan's move to its next level, if anything."""
    for rule in before.progression:
        if not isinstance(rule, NextLevel):
            continue
        was, now = level_start(rule, before.revisions), level_start(rule, after.revisions)
        base, up = before.level, rule.level
        if was == now:
            return [f"moves to {up} as planned"] if now == week > 1 else []
        if now is None:
            planned = f" planned for week {was}" if was is not None and was > week else ""
            return [f"stays at {base} (the move to {up}{planned} waits)"]
        if now == week:
            return [f"moves to {up}"]
        return [f"the move to {up} goes ahead in week {now}"]
    return []


def _summary(before: Plan, after: Plan, week: int, cat: Mapping[str, str]) -> str:
    """What a revision changed, in words, for the plan's history."""
    old = {p.exercise: p for p in _baseline(before, after, week)}
    new = {p.exercise: p for p in dose_in_week(after, week)}
    parts = []
    for ex, p in new.items():
        if ex not in old:
            parts.append(f"{_name(cat, ex)}: added")
        elif diffs := _diffs(old[ex], p):
            parts.append(f"{_name(cat, ex)}: {diffs}")
    parts += [f"{_name(cat, ex)}: stopped" for ex in old if ex not in new]
    rev = after.revisions[-1]
    parts += [
        w
        for p in rev.prescriptions
        if p.exercise not in new
        for w in _ahead(before, after, week, p, cat)
    ]
    if not parts:
        parts = ["doses kept as they are (no automatic increase)" if rev.prescriptions
                 else "doses not changed"]  # fmt: skip
    return _bounded([*_level_words(before, after, week), *parts, *_replaced(before, rev, cat)])


def _bounded(parts: list[str], limit: int = WHAT_CHARS) -> str:
    """``parts`` joined with ``"; "`` in at most ``limit`` characters: the parts that fit,
    then how many more there are (a part longer than half the limit is cut with "…").

    >>> _bounded(["Heel slides: reps 10 -> 8", "Wall squats: added", "Bridges: stopped"], 60)
    'Heel slides: reps 10 -> 8; and 2 more changes'
    """
    half = limit // 2
    cut = [p if len(p) <= half else p[: half - 1] + "…" for p in parts]
    text = "; ".join(cut)
    if len(text) <= limit:
        return text
    room = limit - len("; and 99999 more changes")
    kept: list[str] = []
    size = 0
    for part in cut:
        if size + len(part) + 2 > room:
            break
        kept.append(part)
        size += len(part) + 2
    return "; ".join([*kept, f"and {len(cut) - len(kept)} more changes"])


def _diffs(old: Prescription, new: Prescription) -> str:
    """``"reps 10 -> 8, times a day 1 -> 2"``: the dose fields that differ."""
    return ", ".join(f"{_LABELS[f]} {getattr(old, f)} -> {getattr(new, f)}" for f in DOSE_BOUNDS
                     if getattr(old, f) != getattr(new, f))  # fmt: skip


def _ahead(
    before: Plan, after: Plan, week: int, p: Prescription, cat: Mapping[str, str]
) -> list[str]:
    """Words for a dose set ahead, for the next level the plan is not at yet in ``week``."""
    rule = next((r for r in after.progression if isinstance(r, NextLevel)), None)
    if rule is None or p.exercise not in {q.exercise for q in rule.prescriptions}:
        return []
    first = next((w for w in range(week, after.weeks + 1)
                  if p.exercise in {q.exercise for q in dose_in_week(after, w)}), None)  # fmt: skip
    was = {q.exercise: q for q in dose_in_week(before, first)} if first else {}
    if p.exercise not in was:  # the move waits: the dose it would start with
        was = {q.exercise: q for q in before.all_prescriptions()}  # the latest wins
    when = f"from week {first}" if first else "when the move happens"
    diffs = _diffs(was[p.exercise], p)
    return [f"{_name(cat, p.exercise)}: {diffs} (at {rule.level}, {when})"] if diffs else []


#: At most this many earlier revisions are named one by one in a summary.
_MOST_NAMED = 3


def _replaced(before: Plan, rev: Revision, cat: Mapping[str, str]) -> list[str]:
    """Earlier revisions from a later week whose changes ``rev`` overrides, in words.

    A few are named with their week; beyond :data:`_MOST_NAMED` the rest are counted, so
    the summary stays short however many revisions a plan has."""
    named = {p.exercise for p in rev.prescriptions} | set(rev.stop)
    hits = []
    for old in before.revisions:
        hit = [p.exercise for p in old.prescriptions] + list(old.stop)
        hit = [ex for ex in dict.fromkeys(hit) if ex in named]
        if old.from_week > rev.from_week and hit:
            hits.append((old, hit))
    out = [f"replaces revision {old.number} (from week {old.from_week}) for "
           f"{', '.join(_name(cat, ex) for ex in hit)}" for old, hit in hits[:_MOST_NAMED]]  # fmt: skip
    if len(hits) > _MOST_NAMED:
        rest = hits[_MOST_NAMED:]
        exercises = dict.fromkeys(ex for _, hit in rest for ex in hit)
        out.append(f"and {len(rest)} more revisions from later weeks for "
                   f"{', '.join(_name(cat, ex) for ex in exercises)}")  # fmt: skip
    return out


def _why_never(before: Plan, after: Plan, week: int, exercise: str) -> str:
    """Why a revised ``exercise`` would never be done from ``week`` on, with what to do."""
    was, now = level_in_week(before, week), level_in_week(after, week)
    last = level_in_week(before, week - 1) if week > 1 else was
    if last != now:  # the move happens in this very week
        waited = f"the move to {now} that was waiting would start"
        start = waited if was != now else f"the plan moves to {now}"
        return (f"{start} in week {week}; pass hold_level=True to keep the "
                f"patient at {last}, or revise the {now} exercises")  # fmt: skip
    if exercise in {p.exercise for p in before.prescriptions} and now != before.level:
        first = min(w for w in range(1, week + 1) if level_in_week(after, w) == now)
        return (f"it is a {before.level} exercise, and the plan is at {now} from week {first}; "
                f"revise the {now} exercises instead")  # fmt: skip
    return f"it is not in the plan in any week from week {week} on"


def _never_done(before: Plan, after: Plan, week: int, cat: Mapping[str, str]) -> list[Problem]:
    """A problem for each revised exercise the patient would never do with its new dose."""
    rev = after.revisions[-1]
    waiting = {p.exercise for rule in after.progression if isinstance(rule, NextLevel)
               and level_start(rule, after.revisions) is None for p in rule.prescriptions}  # fmt: skip
    done = {p.exercise for w in range(week, after.weeks + 1) for p in dose_in_week(after, w)}
    problems = []
    for p in rev.prescriptions:
        if p.exercise in done or p.exercise in waiting:
            continue
        name, why = _name(cat, p.exercise), _why_never(before, after, week, p.exercise)
        problems.append(Problem(f"<plan, revision {rev.number}>", None, "doses",
                                f"a dose the patient will do; {name} would be dropped, as {why}",
                                p.exercise))  # fmt: skip
    return problems


def revise(
    plan: Plan,
    from_week: int,
    doses: Mapping[str, Mapping[str, int]],
    *,
    why: str,
    by: str,
    stop: Iterable[str] = (),
    decision: str = "edit",
    hold_level: bool = False,
    when: datetime | None = None,
    catalogue: pd.DataFrame | None = None,
) -> Plan:
    """A new plan with one more revision: ``doses`` from week ``from_week`` on.

    Parameters
    ----------
    plan : Plan
        The plan as it stands; it is not changed.
    from_week : int
        The first week the new doses apply (1 to the plan's length).
    doses : mapping
        ``{exercise_id: {field: value}}``. Fields not given keep the dose in force in
        ``from_week``. Every exercise named keeps this dose until a later revision (no
        :class:`~backplan.AddDose` rule moves it). An exercise the plan does not have is
        added, at catalogue doses plus the fields given.
    why, by : str
        The reason, and who made the change; both are kept in the plan's history.
    stop : iterable of str
        Exercises the patient stops from ``from_week``.
    decision : {"edit", "progress", "hold", "step back"}
        What kind of change this is.
    hold_level : bool
        Keep the patient at their level: a move to the next level that has not happened
        yet waits until a later revision without ``hold_level``. Without it, a waiting
        move goes ahead from ``from_week`` (and a planned one happens as planned).
    when : datetime, optional
        When the change was made; now (UTC) by default.
    catalogue : pandas.DataFrame, optional
        For new exercises and for checking restrictions; the shipped one by default.

    Raises
    ------
    PlanError
        For a week outside the plan, an out-of-range dose or a broken restriction, naming
        the revision and the prescription; for an exercise both given a dose and stopped;
        for a week left with no exercise; and for a dose the patient would never do (an
        exercise of one level named from a week the plan is at another, e.g. when the
        revision lets a waiting move to the next level go ahead): nothing is dropped
        silently.

    Notes
    -----
    The revision's ``what`` (see :func:`revision_history`) names only real changes: doses
    compared with last week's (with the week's own at a change of level), exercises
    added or stopped, and what happened to the move to the next level ("stays at
    beginners (the move to more advanced waits)", "moves to more advanced").
    """
    plan = plan_argument(plan)
    cat = catalogue_argument(catalogue)
    from_week = argument("from_week", from_week, whole_value)
    if not 1 <= from_week <= plan.weeks:
        raise PlanError([Problem("<plan>", None, "from_week", f"a week from 1 to {plan.weeks}",
                                 from_week)])  # fmt: skip
    doses = dose_overrides(doses, "doses")
    stop = argument("stop", stop, ids_value)
    hold_level = argument("hold_level", hold_level, flag_value)
    made_at = (datetime.now(UTC).replace(microsecond=0) if when is None
               else argument("when", when, moment_value))  # fmt: skip
    both = sorted(set(stop) & set(doses))
    if both:
        raise PlanError([Problem("<plan>", None, "stop", "an exercise that is not also given a "
                                 "new dose (it cannot be both revised and stopped)", ex)
                         for ex in both])  # fmt: skip
    in_force = {p.exercise for p in dose_in_week(plan, from_week)}
    known = in_force | {p.exercise for p in plan.all_prescriptions()}
    bad = [ex for ex in stop if ex not in known]
    if bad:
        raise PlanError(
            [Problem("<plan>", None, "stop", "an exercise of the plan", ex) for ex in bad]
        )
    new = []
    for exercise, fields in doses.items():
        unknown = [f for f in fields if f not in DOSE_BOUNDS]
        if unknown:
            raise PlanError([Problem("<plan>", None, f, f"one of {', '.join(DOSE_BOUNDS)}", f)
                             for f in unknown])  # fmt: skip
        new.append({**_starting_point(plan, from_week, exercise, cat), **fields})
    number = len(plan.revisions) + 2
    revision = {
        "number": number, "from_week": from_week, "decision": decision,
        "prescriptions": new, "stop": stop, "why": why, "by": by,
        "made_at": made_at, "hold_level": hold_level,
    }  # fmt: skip
    # The plan's own parts are valid already: passed as they are, only the new revision is
    # checked field by field (then the whole plan, by Plan's own checks).
    data = {name: getattr(plan, name) for name in type(plan).model_fields}
    data["revisions"] = (*plan.revisions, revision)
    source = f"<plan, revision {number}>"
    candidate = _validate(Plan, data, source, cat)
    names = _names(cat)
    dropped = _never_done(plan, candidate, from_week, names)
    if dropped:
        raise PlanError(dropped, source)
    *kept, added = candidate.revisions
    what = _summary(plan, candidate, from_week, names)
    return candidate.model_copy(
        update={"revisions": (*kept, added.model_copy(update={"what": what}))}
    )


def step_back_reps(plan: Plan, week: int, exercise: str, least: int = 1) -> int:
    """The reps of ``exercise`` after a step back from ``week``: proportional, never a fixed -2.

    The last dose the patient managed comfortably comes first: the reps before the latest
    revision that progressed this exercise (a review said "progress" from them), when
    that is below the reps now and no more than :data:`STEP_BACK_SHARE` under them.
    Otherwise about 20% fewer reps, and at least ``least`` fewer; never below 1.

    Examples
    --------
    >>> from backplan import build_plan, load_catalogue
    >>> plan = build_plan(load_catalogue(), "beginners", ["heel-slides"], reps=40,
    ...                   start_date="2026-01-05")
    >>> step_back_reps(plan, 2, "heel-slides"), step_back_reps(plan, 2, "heel-slides", least=10)
    (32, 30)
    >>> up = revise(plan, 3, {"heel-slides": {"reps": 44}}, why="comfortable", by="me",
    ...             decision="progress")
    >>> step_back_reps(up, 3, "heel-slides")  # back to the 40 they managed
    40
    """
    now = next((p.reps for p in dose_in_week(plan, week) if p.exercise == exercise), None)
    if now is None:
        raise PlanError([Problem("<plan>", None, "exercise", f"an exercise of week {week}",
                                 exercise)])  # fmt: skip
    share = max(1, min(now - max(least, 1), round(now * (1 - STEP_BACK_SHARE))))
    for rev in reversed(plan.revisions):
        if rev.decision != "progress" or rev.from_week > week or rev.from_week < 2:
            continue
        if exercise not in {p.exercise for p in rev.prescriptions}:
            continue
        before = plan.model_copy(update={"revisions": plan.revisions[: rev.number - 2]})
        was = [p.reps for p in dose_in_week(before, rev.from_week - 1) if p.exercise == exercise]
        if was and share <= was[0] < now and now - was[0] >= min(least, now - 1):
            return was[0]
        break
    return share if now > 1 else 1


def revision_history(plan: Plan) -> pd.DataFrame:
    """The plan's revisions as a table, the first plan included.

    Returns
    -------
    pandas.DataFrame
        ``revision, from_week, decision, what, why, by, made_at``: what changed, from which
        week, why, by whom and when.
    """
    plan = plan_argument(plan)
    rows: list[tuple[Any, ...]] = [(1, 1, "start", "first plan", "", plan.clinician, pd.NaT)]
    rows += [
        (r.number, r.from_week, r.decision, r.what, r.why, r.by, pd.Timestamp(r.made_at))
        for r in plan.revisions
    ]
    cols = ["revision", "from_week", "decision", "what", "why", "by", "made_at"]
    return pd.DataFrame.from_records(rows, columns=cols)


def _side(catalogue: pd.DataFrame, exercise: str) -> str:
    """What one side of ``exercise`` is called (the catalogue's ``side``), ``side`` if none."""
    side = catalogue.loc[catalogue["id"] == exercise, "side"]
    word = str(side.iloc[0]) if len(side) else ""
    return word if word not in {"", "nan", "<NA>"} else "side"


def _before_words(old: Prescription, new: Prescription, w: Words) -> str:
    """The parts of the old dose that changed, in the same words as the new dose."""
    diffs = []
    if (old.sets, old.reps) != (new.sets, new.reps):
        diffs.append(w.dose_short(old.model_copy(update={"per_side": False, "hold_s": 0})))
    if old.hold_s != new.hold_s:
        diffs.append(w.hold_words(old.hold_s))
    if old.sessions_per_day != new.sessions_per_day:
        diffs.append(w.times_a_day(old.sessions_per_day))
    if old.days_per_week != new.days_per_week:
        diffs.append(w.days_a_week(old.days_per_week))
    return w.join(diffs, "and_two")


def what_changed(
    plan: Plan,
    revision: int | None = None,
    catalogue: pd.DataFrame | None = None,
    language: str | Words = "en",
) -> list[str]:
    """Sentences for the patient saying what a revision changed (for a reprinted handout).

    Each new dose is compared with what the patient did the week before the change (a
    change of level says which exercises start and stop; a hold that postpones one says to
    keep going as now).

    Parameters
    ----------
    plan : Plan
        A plan with at least one revision (an empty list otherwise).
    revision : int, optional
        The revision number (2 for the first change); the latest by default.
    catalogue : pandas.DataFrame, optional
        Exercise names; the shipped catalogue by default.
    language : str
        The language of the sentences (see :func:`backplan.words.words_for`).

    Returns
    -------
    list of str
        One short sentence per exercise changed, added or stopped; a single sentence
        saying the exercises stay the same when the doses did not move.
    """
    plan = plan_argument(plan)
    number = None if revision is None else argument("revision", revision, whole_value)
    if not plan.revisions:
        return []
    cat = catalogue_argument(catalogue)
    names = _names(cat)
    number = plan.revisions[-1].number if number is None else number
    if not 2 <= number <= len(plan.revisions) + 1:
        raise PlanError([Problem("<plan>", None, "revision",
                                 f"a revision number from 2 to {len(plan.revisions) + 1}",
                                 number)])  # fmt: skip
    rev = plan.revisions[number - 2]
    before = plan.model_copy(update={"revisions": plan.revisions[: number - 2]})
    after = plan.model_copy(update={"revisions": plan.revisions[: number - 1]})
    last = max(rev.from_week - 1, 1)  # what the patient did the week before
    old = {p.exercise: p for p in dose_in_week(before, last)}
    new = {p.exercise: p for p in dose_in_week(after, rev.from_week)}
    day = plan.start_date + timedelta(days=7 * (rev.from_week - 1))
    w = words_for(language)
    when = w.text("changed_when", week=rev.from_week, date=w.weekday_date(day))

    def name(ex: str) -> str:
        english = _name(names, ex)
        return w.data(f"exercise:{ex}", english) or english

    def dose(p: Prescription) -> str:
        return w.dose_words(p, _side(cat, p.exercise))

    out = []
    for ex, p in new.items():
        if ex not in old:
            out.append(w.text("changed_start", when=when, name=name(ex), dose=dose(p)))
        elif old[ex] != p:
            before = _before_words(old[ex], p, w)
            out.append(w.text("changed_dose", when=when, name=name(ex), dose=dose(p),
                              before=before))  # fmt: skip
    out += [w.text("changed_stop", when=when, name=name(ex)) for ex in old if ex not in new]
    return out or [w.text("changed_keep", when=when)]
