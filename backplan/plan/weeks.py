"""THE plan -> week x exercise expansion: the dose in force each week, counted two ways.

Every module that lays a plan out week by week (the schedule and weekly volume, the
prescription table adherence is measured against, handouts) starts from :func:`plan_weeks`,
which asks :func:`~backplan.dose_in_week` for each week, so progression rules and plan
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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import pandas as pd

from .rules import AddDose, NextLevel, Prescription, added, level_start, revised_doses

if TYPE_CHECKING:
    from .model import Plan

__all__ = [
    "WEEK_COLUMNS",
    "DoseRun",
    "WeekDoses",
    "dose_in_week",
    "dose_runs",
    "level_in_week",
    "level_phases",
    "plan_weeks",
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
        The plan; each week's dose comes from :func:`~backplan.dose_in_week`.

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
        level = level_in_week(plan, week)
        for order, p in enumerate(dose_in_week(plan, week), start=1):
            rows.append((week, start, level, order, p.exercise, p.sets, p.reps, p.per_side,
                         2 if p.per_side else 1, p.hold_s, p.sessions_per_day,
                         p.days_per_week))  # fmt: skip
    return rows


def weeks_frame(records: list[tuple], **extra: list[object]) -> pd.DataFrame:
    """The :func:`plan_weeks` table from :func:`week_records` (``extra``: more columns)."""
    out = pd.DataFrame.from_records(records, columns=list(WEEK_COLUMNS[:12]))
    out["sessions_per_week"] = out["sessions_per_day"] * out["days_per_week"]
    out["reps_per_week_per_side"] = out["sets"] * out["reps_per_side"] * out["sessions_per_week"]
    out["reps_per_week_all_sides"] = out["reps_per_week_per_side"] * out["sides"]
    out["hold_seconds_per_week_all_sides"] = out["reps_per_week_all_sides"] * out["hold_s"]
    out[list(_COUNTS)] = out[list(_COUNTS)].astype("int64")
    out["per_side"] = out["per_side"].astype(bool)
    out = out[list(WEEK_COLUMNS)]
    for name, values in extra.items():
        out[name] = values
    return out


# --- the dose in force in one week -----------------------------------------------------


def _phase(plan: Plan, week: int) -> tuple[str, Sequence[Prescription], int]:
    for rule in plan.progression:
        if isinstance(rule, NextLevel):
            start = level_start(rule, [r for r in plan.revisions if r.from_week <= week])
            if start is not None and week >= start:
                return rule.level, rule.prescriptions, start
    return plan.level, plan.prescriptions, 1


def level_in_week(plan: Plan, week: int) -> str:
    """The level a plan is at in ``week`` (1-based)."""
    return _phase(plan, week)[0]


def dose_in_week(plan: Plan, week: int) -> list[Prescription]:
    """The prescriptions in force in ``week`` (1-based), with progression and revisions.

    A revision in force (its ``from_week`` reached) fixes the dose of each exercise it
    names, adds exercises the plan did not have and drops those it stops.

    Examples
    --------
    >>> from datetime import date
    >>> from backplan import AddDose, Plan, Prescription
    >>> p = Plan(start_date=date(2026, 1, 5), weeks=3,
    ...          prescriptions=[Prescription(exercise="heel-raises", reps=10)],
    ...          progression=[AddDose(what="reps", amount=2, cap=12)])
    >>> [dose_in_week(p, w)[0].reps for w in (1, 2, 3)]
    [10, 12, 12]
    """
    if not 1 <= week <= plan.weeks:
        raise ValueError(f"week must be from 1 to {plan.weeks}, got {week}")
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


def level_phases(weeks: list[WeekDoses]) -> list[list[WeekDoses]]:
    """The weeks in runs at the same level (a change of level starts a new run)."""
    out: list[list[WeekDoses]] = []
    for w in weeks:
        if not out or out[-1][-1][1] != w[1]:
            out.append([])
        out[-1].append(w)
    return out


def dose_runs(plan: Plan, weeks: list[WeekDoses] | None = None) -> Iterator[DoseRun]:
    """Each exercise's dose, run by run, in plan order (phase, exercise, week).

    Within a level, exercises come in the order they first appear; an exercise that a
    revision adds, stops or changes starts or ends a run in the week it does so.
    ``weeks`` is :func:`week_doses` of the plan, when the caller has it already.

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
    for phase in level_phases(week_doses(plan) if weeks is None else weeks):
        start, end, level = phase[0][0], phase[-1][0], phase[0][1]
        by_exercise: dict[str, list[tuple[int, Prescription]]] = {}
        for week, _, doses in phase:
            for p in doses:
                by_exercise.setdefault(p.exercise, []).append((week, p))
        for order, seen in enumerate(by_exercise.values(), start=1):
            first, dose = seen[0]
            last = first
            for week, p in seen[1:]:
                if week != last + 1 or p != dose:
                    yield DoseRun(start, end, level, order, first, last, dose)
                    first, dose = week, p
                last = week
            yield DoseRun(start, end, level, order, first, last, dose)
