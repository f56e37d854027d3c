"""THE plan -> week x exercise expansion: the dose in force each week, counted two ways.

Every module that lays a plan out week by week (the schedule and weekly volume, the
prescription table adherence is measured against, handouts) starts from :func:`plan_weeks`,
which asks :func:`doses_in_force` for each week, so progression rules and plan
revisions are applied in one place.

A per-side exercise (``heel slides, 10 each leg``) has two counts of "reps", and the
column names say which:

* ``reps_per_side``: the prescribed reps for one side, as a patient logs them;
* ``sides``: 2 for a per-side exercise, else 1;
* ``reps_per_week_per_side`` = sets x reps_per_side x sessions_per_week (what the logs are
  compared with);
* ``reps_per_week_all_sides`` = reps_per_week_per_side x sides (the work done, for volume);
* ``hold_seconds_per_week_all_sides`` = reps_per_week_all_sides x hold_s.

Examples
--------
>>> from backplan import build_plan, load_catalogue
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-slides"], start_date="2026-01-05",
...                   weeks=1)
>>> plan_weeks(plan).loc[0, ["reps_per_side", "sides", "reps_per_week_per_side",
...                          "reps_per_week_all_sides"]].tolist()
[10, 2, 70, 140]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .rules import AddDose, NextLevel, Prescription, added, level_start, revised_doses

if TYPE_CHECKING:
    from .model import Plan

__all__ = [
    "WEEK_COLUMNS",
    "DoseRun",
    "WeekDoses",
    "dose_runs",
    "doses_in_force",
    "level_in_force",
    "level_phases",
    "phase_starts",
    "plan_weeks",
    "plans_weeks",
    "week_doses",
    "week_records",
    "weeks_frame",
]

#: The columns of :func:`plan_weeks`, in order.
WEEK_COLUMNS: tuple[str, ...] = (
    "week",
    "week_start",
    "level",
    "order",
    "exercise",
    "sets",
    "reps_per_side",
    "per_side",
    "sides",
    "hold_s",
    "sessions_per_day",
    "days_per_week",
    "sessions_per_week",
    "reps_per_week_per_side",
    "reps_per_week_all_sides",
    "hold_seconds_per_week_all_sides",
)
_COUNTS = ("week", "order", "sets", "reps_per_side", "sides", "hold_s", "sessions_per_day",
           "days_per_week", "sessions_per_week", "reps_per_week_per_side",
           "reps_per_week_all_sides", "hold_seconds_per_week_all_sides")  # fmt: skip


def plan_weeks(plan: Plan) -> pd.DataFrame:
    """One row per week x exercise of ``plan``, with the dose in force that week.

    Parameters
    ----------
    plan : Plan
        The plan; each week's dose comes from :func:`doses_in_force`.

    Returns
    -------
    pandas.DataFrame
        The :data:`WEEK_COLUMNS`: ``week`` (1-based), ``week_start`` (datetime64),
        ``level``, ``order`` (position in the week's list), ``exercise``, the dose and the
        weekly counts (see the module docstring); counts are ``int64``.
    """
    return weeks_frame(week_records(plan))


def week_records(plan: Plan) -> list[tuple]:
    """The dose rows of ``plan`` (the first 12 :data:`WEEK_COLUMNS`), one per week x exercise.

    For callers that expand many plans: gather the records, then call :func:`weeks_frame`
    once.
    """
    rows = []
    for week in range(1, plan.weeks + 1):
        start = pd.Timestamp(plan.start_date + timedelta(days=7 * (week - 1)))
        level = level_in_force(plan, week)
        for order, p in enumerate(doses_in_force(plan, week), start=1):
            rows.append((week, start, level, order, p.exercise, p.sets, p.reps, p.per_side,
                         2 if p.per_side else 1, p.hold_s, p.sessions_per_day,
                         p.days_per_week))  # fmt: skip
    return rows


def weeks_frame(records: list[tuple], **extra: list[object]) -> pd.DataFrame:
    """The :func:`plan_weeks` table from :func:`week_records` (``extra``: more columns)."""
    if not records:
        out = pd.DataFrame.from_records(records, columns=list(WEEK_COLUMNS[:12]))
        out[list(_COUNTS[:-4])] = out[list(_COUNTS[:-4])].astype("int64")
        for name in _COUNTS[-4:]:
            out[name] = np.zeros(0, np.int64)
        out["per_side"] = out["per_side"].astype(bool)
        out = out[list(WEEK_COLUMNS)]
    else:  # column by column from the records: a DataFrame made once, in numpy types
        columns = list(zip(*records, strict=True))
        data: dict[str, object] = {}
        for name, values in zip(WEEK_COLUMNS[:12], columns, strict=True):
            if name == "week_start":
                data[name] = np.array(values, dtype="datetime64[s]")
            elif name in ("level", "exercise"):
                data[name] = np.array(values, dtype=object)
            else:
                data[name] = np.array(values, dtype=bool if name == "per_side" else np.int64)
        per_week = data["sessions_per_day"] * data["days_per_week"]  # type: ignore[operator]
        reps = data["sets"] * data["reps_per_side"] * per_week  # type: ignore[operator]
        data["sessions_per_week"] = per_week
        data["reps_per_week_per_side"] = reps
        data["reps_per_week_all_sides"] = reps * data["sides"]  # type: ignore[operator]
        data["hold_seconds_per_week_all_sides"] = (
            data["reps_per_week_all_sides"] * data["hold_s"]  # type: ignore[operator]
        )
        out = pd.DataFrame({name: data[name] for name in WEEK_COLUMNS})
    for name, values in extra.items():
        out[name] = values
    return out


# --- many plans at once ------------------------------------------------------------------


def _segments(plan: Plan) -> Iterator[tuple[int, int, str, int, list[Prescription], set[str]]]:
    """Stretches of weeks in which a plan's exercises, level and revisions stay the same.

    The phase (:func:`_phase`) and the revisions in force change only in a week a
    :class:`NextLevel` or a :class:`Revision` names, so each stretch is worked out once:
    ``(first week, last week, level, phase start, doses at the first week before any
    AddDose, exercises a revision fixes)``. Within a stretch only :class:`AddDose` moves a
    dose, and it is a formula of the week.
    """
    changes = {1, *(r.from_week for r in plan.revisions)}
    changes |= {r.from_week for r in plan.progression if isinstance(r, NextLevel)}
    starts = sorted(w for w in changes if w <= plan.weeks)
    phased = {p.exercise for p in plan.prescriptions}
    for rule in plan.progression:
        if isinstance(rule, NextLevel):
            phased |= {p.exercise for p in rule.prescriptions}
    levels = any(isinstance(r, NextLevel) for r in plan.progression)
    for first, after in zip(starts, [*starts[1:], plan.weeks + 1], strict=True):
        level, prescriptions, phase_start = (
            _phase(plan, first) if levels else (plan.level, plan.prescriptions, 1)
        )
        # a revision in force fixes the dose of every exercise it names: no AddDose moves it
        fixed = {q.exercise for r in plan.revisions if r.from_week <= first
                 for q in r.prescriptions}  # fmt: skip
        doses = revised_doses(plan.revisions, phased, first, list(prescriptions))
        yield first, after - 1, level, phase_start, doses, fixed


def plans_weeks(plans: Iterable[Plan]) -> pd.DataFrame:
    """:func:`plan_weeks` of many plans in one table, worked out with array arithmetic.

    Row for row the same as ``plan_weeks(plan)`` of each plan in turn (a property test
    checks it), with a first column ``plan``: the plan's position in ``plans``. Each plan's
    stretches of unchanged exercises (see :func:`_segments`) are found once in Python; the
    weeks inside them, and every :class:`AddDose` step, are numpy arithmetic, so 5,000
    plans of 12 weeks take a small fraction of a second.

    Examples
    --------
    >>> from datetime import date
    >>> from backplan import AddDose, Plan, Prescription
    >>> plan = Plan(start_date=date(2026, 1, 5), weeks=3,
    ...             prescriptions=[Prescription(exercise="heel-raises", reps=10)],
    ...             progression=[AddDose(what="reps", amount=2, cap=12)])
    >>> plans_weeks([plan, plan])[["plan", "week", "reps_per_side"]].values.tolist()
    [[0, 1, 10], [0, 2, 12], [0, 3, 12], [1, 1, 10], [1, 2, 12], [1, 3, 12]]
    """
    seg_plan, seg_first, seg_weeks, seg_size, seg_level = [], [], [], [], []
    rows: list[tuple] = []  # per segment entry: plan, order, dose, phase start, rules
    start_day = []
    for i, plan in enumerate(plans):
        start_day.append(plan.start_date.toordinal())
        rules = [r for r in plan.progression if isinstance(r, AddDose)]
        if len(rules) == len(plan.progression) and not plan.revisions:  # one stretch
            segments: Iterable[tuple] = [(1, plan.weeks, plan.level, 1, plan.prescriptions, ())]
        else:
            segments = _segments(plan)
        for first, last, level, phase_start, doses, fixed in segments:
            seg_plan.append(i)
            seg_first.append(first)
            seg_weeks.append(last - first + 1)
            seg_size.append(len(doses))
            seg_level.append(level)
            for order, p in enumerate(doses, start=1):
                moving = [r for r in rules if r.applies_to(p)] if rules else ()
                rows.append((order, p, phase_start, () if p.exercise in fixed else moving))
    return _expand(rows, np.array(seg_plan, np.int64), np.array(seg_first, np.int64),
                   np.array(seg_weeks, np.int64), np.array(seg_size, np.int64),
                   seg_level, np.array(start_day, np.int64))  # fmt: skip


def _steps(rules: list[list[AddDose]], what: str) -> tuple[np.ndarray, ...]:
    """Each entry's ``what`` rules as arrays ``(entries, k)``: amount, every, cap; a rule
    slot an entry lacks adds 0 (the dose stays as it is)."""
    picked = [[r for r in rs if r.what == what] for rs in rules]
    k = max((len(r) for r in picked), default=0)
    amount = np.zeros((len(picked), k), np.int64)
    every = np.ones((len(picked), k), np.int64)
    cap = np.zeros((len(picked), k), np.int64)
    for i, rs in enumerate(picked):
        for j, r in enumerate(rs):
            amount[i, j], every[i, j], cap[i, j] = r.amount, r.every_weeks, r.cap
    return amount, every, cap


def _grown(
    base: np.ndarray, weeks_in: np.ndarray, steps: tuple[np.ndarray, ...], entry: np.ndarray
) -> np.ndarray:
    """:func:`~backplan.plan.rules.added` of each rule slot in turn, for every row
    (``entry``: each row's segment entry, whose rules ``steps`` holds)."""
    value = base
    for amount, every, cap in zip(*(s.T for s in steps), strict=True):
        a, e, c = amount[entry], every[entry], cap[entry]
        value = np.minimum(value + weeks_in // e * a, np.maximum(c, value))
    return value


def _expand(
    rows: list[tuple],
    seg_plan: np.ndarray,
    seg_first: np.ndarray,
    seg_weeks: np.ndarray,
    seg_size: np.ndarray,
    seg_level: list[str],
    start_day: np.ndarray,
) -> pd.DataFrame:
    """Segment entries spread over their weeks: the :func:`plans_weeks` table."""
    sizes = seg_size * seg_weeks
    total = int(sizes.sum())
    seg = np.repeat(np.arange(len(sizes)), sizes)
    k = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    size = seg_size[seg]
    week = seg_first[seg] + k // size
    entry = np.repeat(np.cumsum(seg_size) - seg_size, sizes) + k % size
    order = np.array([r[0] for r in rows], np.int64)
    doses = [r[1] for r in rows]

    def field(name: str, kind: type = np.int64) -> np.ndarray:
        return np.array([getattr(p, name) for p in doses], kind)

    weeks_in = week - np.array([r[2] for r in rows], np.int64)[entry]
    rules = [list(r[3]) for r in rows]
    reps = _grown(field("reps")[entry], weeks_in, _steps(rules, "reps"), entry)
    hold = _grown(field("hold_s")[entry], weeks_in, _steps(rules, "hold_s"), entry)
    per_side = field("per_side", bool)[entry]
    sides = np.where(per_side, 2, 1).astype(np.int64)
    sets = field("sets")[entry]
    per_day, days = field("sessions_per_day")[entry], field("days_per_week")[entry]
    per_week = per_day * days
    reps_week = sets * reps * per_week
    plan = seg_plan[seg]
    day = start_day[plan] + 7 * (week - 1) - _EPOCH_ORDINAL
    out = pd.DataFrame(
        {
            "plan": plan,
            "week": week,
            "week_start": day.astype("datetime64[D]").astype("datetime64[s]"),
            "level": _texts(seg_level, seg),
            "order": order[entry],
            "exercise": _texts([p.exercise for p in doses], entry),
            "sets": sets,
            "reps_per_side": reps,
            "per_side": per_side,
            "sides": sides,
            "hold_s": hold,
            "sessions_per_day": per_day,
            "days_per_week": days,
            "sessions_per_week": per_week,
            "reps_per_week_per_side": reps_week,
            "reps_per_week_all_sides": reps_week * sides,
            "hold_seconds_per_week_all_sides": reps_week * sides * hold,
        },
        copy=False,  # new arrays: used as they are, not copied into one block per type
    )
    return out


_EPOCH_ORDINAL = pd.Timestamp("1970-01-01").toordinal()


def _texts(values: list[str], at: np.ndarray) -> pd.Series:
    """``values[at]`` as a text column, each distinct text made once."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    return pd.Series(pd.Index(uniques, dtype="str").take(codes[at]))


# --- the dose in force in one week -----------------------------------------------------


def _phase(plan: Plan, week: int) -> tuple[str, Sequence[Prescription], int]:
    for rule in plan.progression:
        if isinstance(rule, NextLevel):
            start = level_start(rule, plan.revisions, until_week=week)
            if start is not None and week >= start:
                return rule.level, rule.prescriptions, start
    return plan.level, plan.prescriptions, 1


def level_in_force(plan: Plan, week: int) -> str:
    """The level ``plan`` is at in ``week`` (1-based); the arguments are not checked (the
    public, checked form is :func:`~backplan.level_in_week`)."""
    return _phase(plan, week)[0]


def doses_in_force(plan: Plan, week: int) -> list[Prescription]:
    """:func:`~backplan.dose_in_week` without its argument checks, for callers holding a
    valid plan and week (plan validation, the expansion of every week).

    >>> from backplan import build_plan, load_catalogue
    >>> plan = build_plan(load_catalogue(), "beginners", ["heel-raises"], start_date="2026-01-05")
    >>> [p.reps for p in doses_in_force(plan, 1)]
    [10]
    """
    _, prescriptions, phase_start = _phase(plan, week)
    out = []
    for p in prescriptions:
        update = {}
        for rule in plan.progression:
            if isinstance(rule, AddDose) and rule.applies_to(p):
                current = update.get(rule.what, getattr(p, rule.what))
                update[rule.what] = added(current, rule, week - phase_start)
        out.append(p.model_copy(update=update) if update else p)
    phased = {p.exercise for p in plan.prescriptions}
    for rule in plan.progression:
        if isinstance(rule, NextLevel):
            phased |= {p.exercise for p in rule.prescriptions}
    return revised_doses(plan.revisions, phased, week, out)


# --- weeks as the handout reads them: each week's doses and each exercise's runs -------


@dataclass(frozen=True)
class DoseRun:
    """Weeks ``first``..``last`` in which one exercise keeps the same dose."""

    phase_start: int
    phase_end: int
    level: str
    order: int
    first: int
    last: int
    dose: Prescription


WeekDoses = tuple[int, str, tuple[Prescription, ...]]


def week_doses(plan: Plan) -> list[WeekDoses]:
    """``(week, level, doses)`` for every week of ``plan``, from the one plan -> weeks
    expansion (:func:`backplan.plan.weeks.week_records`), so progression rules and revisions are
    applied in one place."""
    by_week: dict[int, tuple[str, list[Prescription]]] = {}
    for week, _, level, _, ex, sets, reps, per_side, _, hold_s, per_day, days in week_records(plan):
        by_week.setdefault(week, (level, []))[1].append(
            Prescription.model_construct(  # already validated in the plan
                exercise=ex,
                sets=sets,
                reps=reps,
                per_side=per_side,
                hold_s=hold_s,
                sessions_per_day=per_day,
                days_per_week=days,
            )
        )
    out, level = [], plan.level
    for week in range(1, plan.weeks + 1):
        level, doses = by_week.get(week, (level, []))
        out.append((week, level, tuple(doses)))
    return out


def phase_starts(plan: Plan) -> list[int]:
    """The first week of each phase of ``plan``: week 1, and the week its next level starts
    (later when a revision holds the patient at their level), even when the next level
    has the same name.

    >>> from backplan import build_plan, load_catalogue, next_level
    >>> cat = load_catalogue()
    >>> plan = build_plan(cat, "beginners", start_date="2026-01-05", weeks=4,
    ...                   progression=[next_level(cat, 3, "beginners", ["wall-squats"])])
    >>> phase_starts(plan)
    [1, 3]
    """
    return sorted({_phase(plan, week)[2] for week in range(1, plan.weeks + 1)})


def level_phases(weeks: list[WeekDoses], starts: Iterable[int] = ()) -> list[list[WeekDoses]]:
    """The weeks in runs at the same level (a change of level starts a new run, and so
    does each week in ``starts``, e.g. :func:`phase_starts`)."""
    starts = frozenset(starts)
    out: list[list[WeekDoses]] = []
    for w in weeks:
        if not out or out[-1][-1][1] != w[1] or w[0] in starts:
            out.append([])
        out[-1].append(w)
    return out


def dose_runs(
    plan: Plan,
    weeks: list[WeekDoses] | None = None,
    cuts: Iterable[int] = (),
    starts: Iterable[int] = (),
) -> Iterator[DoseRun]:
    """Each exercise's dose, run by run, in plan order (phase, exercise, week).

    Within a level, exercises come in the order they first appear; an exercise that a
    revision adds, stops or changes starts or ends a run in the week it does so, and every
    run also starts afresh in each week of ``cuts`` (FHIR splits at each revision's first
    week, so a plan's first and revised schedules line up). ``weeks`` is
    :func:`week_doses` of the plan, when the caller has it already; ``starts`` are more
    weeks that start a phase (:func:`level_phases`).

    Examples
    --------
    >>> from datetime import date
    >>> from backplan import AddDose, Plan, Prescription
    >>> plan = Plan(start_date=date(2026, 1, 5), weeks=3,
    ...             prescriptions=[Prescription(exercise="heel-raises", reps=10)],
    ...             progression=[AddDose(what="reps", amount=2, cap=12)])
    >>> [(r.first, r.last, r.dose.reps) for r in dose_runs(plan)]
    [(1, 1, 10), (2, 3, 12)]
    """
    cuts = frozenset(cuts)
    for phase in level_phases(week_doses(plan) if weeks is None else weeks, starts):
        start, end, level = phase[0][0], phase[-1][0], phase[0][1]
        by_exercise: dict[str, list[tuple[int, Prescription]]] = {}
        for week, _, doses in phase:
            for p in doses:
                by_exercise.setdefault(p.exercise, []).append((week, p))
        for order, seen in enumerate(by_exercise.values(), start=1):
            first, dose = seen[0]
            last = first
            for week, p in seen[1:]:
                if week != last + 1 or p != dose or week in cuts:
                    yield DoseRun(start, end, level, order, first, last, dose)
                    first, dose = week, p
                last = week
            yield DoseRun(start, end, level, order, first, last, dose)
