"""A plan's weeks as the handout reads them: each week's doses, and each exercise's runs of
weeks with the same dose.

Both come from the one plan -> weeks expansion, :func:`backplan.weeks.week_records`, so
progression rules and revisions are applied in one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..plan import Plan
from ..progression import Prescription
from ..weeks import week_records

__all__ = ["DoseRun", "WeekDoses", "dose_runs", "level_phases", "week_doses"]


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
    expansion (:func:`backplan.weeks.week_records`), so progression rules and revisions are
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
    >>> from backplan import AddDose
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
