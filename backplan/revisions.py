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

from .catalogue import load_catalogue
from .errors import PlanError, Problem
from .plan import Plan, _validate, dose_in_week, level_in_week
from .progression import DOSE_BOUNDS, Prescription

__all__ = ["revise", "revision_history", "what_changed"]

_WORDS = {1: "once", 2: "twice"}
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


def _baseline(plan: Plan, week: int) -> list[Prescription]:
    """What the patient did just before ``week``: last week's doses, within the same level."""
    if week > 1 and level_in_week(plan, week - 1) == level_in_week(plan, week):
        return dose_in_week(plan, week - 1)
    return dose_in_week(plan, week)


def _name(catalogue: pd.DataFrame, exercise: str) -> str:
    match = catalogue.loc[catalogue["id"] == exercise, "name"]
    return str(match.iloc[0]) if len(match) else exercise


def _summary(before: list[Prescription], after: list[Prescription], cat: pd.DataFrame) -> str:
    old = {p.exercise: p for p in before}
    new = {p.exercise: p for p in after}
    parts = []
    for ex, p in new.items():
        if ex not in old:
            parts.append(f"{_name(cat, ex)}: added")
            continue
        diffs = [
            f"{_LABELS[f]} {getattr(old[ex], f)} -> {getattr(p, f)}"
            for f in DOSE_BOUNDS
            if getattr(old[ex], f) != getattr(p, f)
        ]
        if diffs:
            parts.append(f"{_name(cat, ex)}: {', '.join(diffs)}")
    parts += [f"{_name(cat, ex)}: stopped" for ex in old if ex not in new]
    return "; ".join(parts) or "doses kept as they are (no automatic increase)"


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
        yet waits until a later revision without ``hold_level``.
    when : datetime, optional
        When the change was made; now (UTC) by default.
    catalogue : pandas.DataFrame, optional
        For new exercises and for checking restrictions; the shipped one by default.

    Raises
    ------
    PlanError
        For a week outside the plan, an out-of-range dose or a broken restriction, naming
        the revision and the prescription.
    """
    cat = load_catalogue() if catalogue is None else catalogue
    if not 1 <= from_week <= plan.weeks:
        raise PlanError([Problem("<plan>", None, "from_week", f"a week from 1 to {plan.weeks}",
                                 from_week)])  # fmt: skip
    stop = tuple(stop)
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
        "made_at": when or datetime.now(UTC).replace(microsecond=0), "hold_level": hold_level,
    }  # fmt: skip
    data = plan.model_dump()
    data["revisions"] = [*data["revisions"], revision]
    candidate = _validate(Plan, data, f"<plan, revision {number}>", cat)
    what = _summary(_baseline(plan, from_week), dose_in_week(candidate, from_week), cat)
    was, now = level_in_week(plan, from_week), level_in_week(candidate, from_week)
    if was != now:
        what += f"; stays at {now} (the move to {was} waits)" if hold_level else f"; moves to {now}"
    data["revisions"][-1]["what"] = what
    return _validate(Plan, data, f"<plan, revision {number}>", cat)


def revision_history(plan: Plan) -> pd.DataFrame:
    """The plan's revisions as a table, the first plan included.

    Returns
    -------
    pandas.DataFrame
        ``revision, from_week, decision, what, why, by, made_at``: what changed, from which
        week, why, by whom and when.
    """
    rows: list[tuple[Any, ...]] = [(1, 1, "start", "first plan", "", plan.clinician, pd.NaT)]
    rows += [
        (r.number, r.from_week, r.decision, r.what, r.why, r.by, pd.Timestamp(r.made_at))
        for r in plan.revisions
    ]
    cols = ["revision", "from_week", "decision", "what", "why", "by", "made_at"]
    return pd.DataFrame.from_records(rows, columns=cols)


def _times(n: int) -> str:
    return f"{_WORDS.get(n, f'{n} times')} a day"


def dose_words(p: Prescription, catalogue: pd.DataFrame | None = None) -> str:
    """One exercise's dose in plain words, e.g. ``"8 times on each leg, once a day, every day"``."""
    cat = load_catalogue() if catalogue is None else catalogue
    side = cat.loc[cat["id"] == p.exercise, "side"]
    side_word = str(side.iloc[0]) if len(side) and str(side.iloc[0]) not in {"", "nan"} else "side"
    text = f"{p.reps} times" + (f" on each {side_word}" if p.per_side else "")
    if p.sets > 1:
        text = f"{p.sets} sets of {text}"
    if p.hold_s:
        text += f", holding for {p.hold_s} second{'s' if p.hold_s != 1 else ''}"
    days = "every day" if p.days_per_week == 7 else f"on {p.days_per_week} days a week"
    return f"{text}, {_times(p.sessions_per_day)}, {days}"


def _before_words(old: Prescription, new: Prescription) -> str:
    diffs = []
    if (old.sets, old.reps) != (new.sets, new.reps):
        diffs.append(
            f"{old.sets} sets of {old.reps} times" if old.sets > 1 else f"{old.reps} times"
        )
    if old.hold_s != new.hold_s:
        diffs.append(f"a {old.hold_s} second hold" if old.hold_s else "no hold")
    if old.sessions_per_day != new.sessions_per_day:
        diffs.append(_times(old.sessions_per_day))
    if old.days_per_week != new.days_per_week:
        diffs.append("every day" if old.days_per_week == 7 else f"{old.days_per_week} days a week")
    return " and ".join(diffs)


def what_changed(
    plan: Plan, revision: int | None = None, catalogue: pd.DataFrame | None = None
) -> list[str]:
    """Sentences for the patient saying what a revision changed (for a reprinted handout).

    Each new dose is compared with what the patient did the week before the change (or,
    at a change of level, with what the plan had for that week).

    Parameters
    ----------
    plan : Plan
        A plan with at least one revision (an empty list otherwise).
    revision : int, optional
        The revision number (2 for the first change); the latest by default.
    catalogue : pandas.DataFrame, optional
        Exercise names; the shipped catalogue by default.

    Returns
    -------
    list of str
        One short sentence per exercise changed, added or stopped; a single sentence
        saying the exercises stay the same when the doses did not move.
    """
    if not plan.revisions:
        return []
    cat = load_catalogue() if catalogue is None else catalogue
    number = plan.revisions[-1].number if revision is None else revision
    if not 2 <= number <= len(plan.revisions) + 1:
        raise ValueError(f"revision must be from 2 to {len(plan.revisions) + 1}, got {number}")
    rev = plan.revisions[number - 2]
    before = plan.model_copy(update={"revisions": plan.revisions[: number - 2]})
    after = plan.model_copy(update={"revisions": plan.revisions[: number - 1]})
    old = {p.exercise: p for p in _baseline(before, rev.from_week)}
    new = {p.exercise: p for p in dose_in_week(after, rev.from_week)}
    day = plan.start_date + timedelta(days=7 * (rev.from_week - 1))
    when = f"From week {rev.from_week} ({day:%A} {day.day} {day:%B})"
    out = []
    for ex, p in new.items():
        name = _name(cat, ex)
        if ex not in old:
            out.append(f"{when}, start doing {name}: {dose_words(p, cat)}.")
        elif old[ex] != p:
            out.append(f"{when}, do {name} {dose_words(p, cat)}. Before, it was "
                       f"{_before_words(old[ex], p)}.")  # fmt: skip
    out += [f"{when}, stop doing {_name(cat, ex)}." for ex in old if ex not in new]
    return out or [f"{when}, keep doing your exercises as you do now."]
