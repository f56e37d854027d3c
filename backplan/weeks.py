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

from datetime import timedelta

import pandas as pd

from .plan import Plan, dose_in_week, level_in_week

__all__ = ["WEEK_COLUMNS", "plan_weeks", "week_records", "weeks_frame"]

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
