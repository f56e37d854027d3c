"""The handout as one table: one row per exercise and run of weeks with the same dose.

Examples
--------
>>> from backplan import AddDose, build_plan, load_catalogue
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-raises"], start_date="2026-01-05",
...                   weeks=3, progression=[AddDose(what="reps", amount=2, every_weeks=2, cap=14)])
>>> table = handout_table(plan)
>>> table[["weeks", "exercise", "reps", "dose"]].values.tolist()
[['1-2', 'heel-raises', 10, '10 times, once a day, every day'], ['3', 'heel-raises', 12, '12 times, once a day, every day']]
>>> list(table.columns) == list(TABLE_COLUMNS)
True
"""

from __future__ import annotations

import pandas as pd

from ..plan import Plan
from .content import dose_runs, exercise_rows
from .text import dose_words, fill_placeholders

__all__ = ["TABLE_COLUMNS", "handout_table"]

#: The columns of :func:`handout_table`, in order.
TABLE_COLUMNS: tuple[str, ...] = (
    "weeks",
    "week_from",
    "week_to",
    "level",
    "order",
    "exercise",
    "name",
    "position",
    "sets",
    "reps",
    "per_side",
    "hold_s",
    "sessions_per_day",
    "days_per_week",
    "dose",
    "easier_option",
)


def handout_table(plan: Plan, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """The handout's exercises and doses as a DataFrame.

    Parameters
    ----------
    plan : Plan
        The plan.
    catalogue : pandas.DataFrame, optional
        Where names, positions and easier options come from; the shipped catalogue by default.

    Returns
    -------
    pandas.DataFrame
        One row per exercise and run of weeks with the same dose, in plan order, with the
        columns in :data:`TABLE_COLUMNS`. ``weeks`` is the run as text (``"1-2"``), ``dose``
        the same words the printed handout uses.

    Raises
    ------
    PlanError
        When the plan names an exercise the catalogue does not hold.
    """
    rows = exercise_rows(plan, catalogue)
    records = []
    for run in dose_runs(plan):
        p = run.dose
        row = rows[p.exercise]
        side = str(row.get("side") or "side")
        records.append(
            {
                "weeks": str(run.first) if run.first == run.last else f"{run.first}-{run.last}",
                "week_from": run.first,
                "week_to": run.last,
                "level": run.level,
                "order": run.order,
                "exercise": p.exercise,
                "name": str(row["name"]),
                "position": fill_placeholders(str(row["position_detail"]), [p], side),
                "sets": p.sets,
                "reps": p.reps,
                "per_side": p.per_side,
                "hold_s": p.hold_s,
                "sessions_per_day": p.sessions_per_day,
                "days_per_week": p.days_per_week,
                "dose": dose_words(p, side),
                "easier_option": fill_placeholders(str(row.get("easier_option") or ""), [p], side),
            }
        )
    return pd.DataFrame.from_records(records, columns=list(TABLE_COLUMNS))
