"""A plan laid out week by week, and the weekly volume it asks for.

Volume counts holds as time under tension, which most workout planners score as zero:

* ``sessions`` = sessions a day x days a week (per exercise);
* ``reps`` = sets x reps x sides x sessions (every side counted);
* ``hold_seconds`` = reps x hold seconds.

Examples
--------
>>> from backplan import build_plan, load_catalogue
>>> cat = load_catalogue()
>>> plan = build_plan(cat, "beginners", ["heel-slides", "wall-squats"], start_date="2026-01-05",
...                   weeks=2)
>>> schedule(plan, cat)[["week", "exercise", "reps", "sides", "weekly_reps",
...                       "weekly_hold_seconds"]].head(2)
   week     exercise  reps  sides  weekly_reps  weekly_hold_seconds
0     1  heel-slides    10      2          140                    0
1     1  wall-squats    10      1           70                  350
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from .catalogue import catalogue_argument
from .errors import PlanError, Problem
from .plan import Plan
from .plan.model import plan_argument
from .plan.weeks import plan_weeks

__all__ = ["METRICS", "schedule", "weekly_volume"]

#: The volume measures :func:`weekly_volume` returns, with their units.
METRICS: dict[str, str] = {
    "reps": "repetitions per week",
    "hold_seconds": "seconds held per week",
    "sessions": "exercise sessions per week",
}

_COLUMNS = [
    "week",
    "week_start",
    "level",
    "order",
    "exercise",
    "name",
    "targets",
    "sets",
    "reps",
    "per_side",
    "sides",
    "hold_s",
    "sessions_per_day",
    "days_per_week",
    "weekly_sessions",
    "weekly_reps",
    "weekly_hold_seconds",
]


#: plan_weeks column -> schedule column (``reps`` is per side; ``weekly_reps`` every side)
_FROM_WEEKS = {
    "reps_per_side": "reps",
    "sessions_per_week": "weekly_sessions",
    "reps_per_week_all_sides": "weekly_reps",
    "hold_seconds_per_week_all_sides": "weekly_hold_seconds",
}
#: What ``by`` of :func:`weekly_volume` may be (or ``None``).
_BY = ("exercise", "target")
#: schedule column -> weekly_volume column
_VOLUME_NAMES = {
    "weekly_reps": "reps",
    "weekly_hold_seconds": "hold_seconds",
    "weekly_sessions": "sessions",
}


def schedule(plan: Plan, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per week x exercise with the dose in force that week and its volume.

    Parameters
    ----------
    plan : Plan
        The plan.
    catalogue : pandas.DataFrame, optional
        Where names and targets come from; the shipped catalogue by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``week`` (1-based), ``week_start``, ``level``, ``order`` (position in the
        week's list), ``exercise``, ``name``, ``targets``, the dose (``sets``, ``reps``,
        ``per_side``, ``sides``, ``hold_s``, ``sessions_per_day``, ``days_per_week``) and
        the volume (``weekly_sessions``, ``weekly_reps``, ``weekly_hold_seconds``), all
        counts as ``int64``.

    Raises
    ------
    PlanError
        When the plan names an exercise the catalogue does not have.
    """
    plan, cat = plan_argument(plan), catalogue_argument(catalogue)
    info = cat.set_index("id")[["name", "targets"]]
    missing = sorted({p.exercise for p in plan.all_prescriptions()} - set(info.index))
    if missing:
        raise PlanError(
            [Problem("<plan>", None, "exercise", "an id in the catalogue", ex) for ex in missing]
        )
    weeks = plan_weeks(plan)
    out = weeks.rename(columns=_FROM_WEEKS)[[c for c in _COLUMNS if c not in {"name", "targets"}]]
    out = out.join(info, on="exercise")
    return out[_COLUMNS]


def weekly_volume(
    plan: Plan | pd.DataFrame,
    catalogue: pd.DataFrame | None = None,
    by: Literal["exercise", "target"] | None = "exercise",
) -> pd.DataFrame:
    """Weekly reps, seconds held and sessions, per exercise, per body target or in total.

    Parameters
    ----------
    plan : Plan or pandas.DataFrame
        A plan, or a table already made by :func:`schedule`.
    catalogue : pandas.DataFrame, optional
        Passed to :func:`schedule`.
    by : {"exercise", "target", None}
        ``"target"`` counts each exercise once, under its main body area (the first the
        catalogue lists), so the areas add up to the plan's total and a stacked chart
        shows every rep and second once; ``None`` gives one row per week.

    Returns
    -------
    pandas.DataFrame
        ``week``, the grouping column(s) (``exercise`` and ``name``, or ``target``), and
        ``reps``, ``hold_seconds``, ``sessions`` (see :data:`METRICS`).

    Examples
    --------
    >>> from backplan import build_plan, load_catalogue, AddDose
    >>> cat = load_catalogue()
    >>> plan = build_plan(cat, "beginners", ["heel-raises"], start_date="2026-01-05", weeks=3,
    ...                   progression=[AddDose(what="reps", amount=2, cap=12)])
    >>> weekly_volume(plan, cat, by=None)
       week  reps  hold_seconds  sessions
    0     1    70             0         7
    1     2    84             0         7
    2     3    84             0         7

    By body area, every rep is counted once (heel slides work hip and legs; hip first):

    >>> two = build_plan(cat, "beginners", ["heel-slides", "heel-raises"],
    ...                  start_date="2026-01-05", weeks=1)
    >>> weekly_volume(two, cat, by="target")[["target", "reps"]]
      target  reps
    0    hip   140
    1   legs    70
    """
    if not (by is None or (isinstance(by, str) and by in _BY)):
        expected = "'exercise', 'target' or None"
        raise PlanError([Problem("<plan>", None, "by", expected, by)], "<plan>")
    if isinstance(plan, pd.DataFrame):
        missing = [c for c in _COLUMNS if c not in plan.columns]
        if missing:
            expected = "a plan, or a table made by schedule() (its columns)"
            raise PlanError([Problem("<plan>", None, "plan", expected, ", ".join(missing))])
        sched = plan
    else:
        sched = schedule(plan, catalogue)
    sched = sched.drop(columns="reps").rename(columns=_VOLUME_NAMES)
    metrics = list(METRICS)
    if by == "exercise":
        return sched[["week", "exercise", "name", *metrics]].reset_index(drop=True)
    if by is None:
        return sched.groupby("week", as_index=False)[metrics].sum()
    main = sched["targets"].astype(str).str.split(";").str[0].str.strip()
    return (
        sched.assign(target=main)
        .groupby(["week", "target"], as_index=False, sort=True)[metrics]
        .sum()
    )
