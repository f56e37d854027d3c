"""The result of reading logs (:class:`LogTable`) and :func:`read_logs`, which makes one.

Rows with problems do not raise: they come back in :attr:`LogTable.rejected` with the
reason, so that ``len(accepted) + len(rejected) == rows_read`` always holds.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({"patient": ["P1", "P1"], "date": ["2026-01-05", "2026-01-32"],
...                     "exercise": ["heel-slides", "heel-slides"],
...                     "sets_done": [1, 1], "reps_done": [10, 10]})
>>> logs = read_logs(raw)
>>> len(logs.accepted), logs.rejected[["row", "column", "reason"]].to_dict("records")
(1, [{'row': 3, 'column': 'date', 'reason': 'unparseable date'}])
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from ..errors import BackplanError, Problem
from .check import check_rows
from .prescriptions import PlanSource, Prescriptions, plan_grid
from .read import REASONS, Gathered, exercise_ids, gather
from .rows import accepted_rows, rejected_of

__all__ = ["LogTable", "gather_with_plans", "read_logs"]


@dataclass
class LogTable:
    """The result of reading logs: typed accepted rows and rejected rows with reasons.

    A plain record: everything it holds is below, and :func:`~backplan.adherence` works
    from these tables (an accepted row is never parsed again).

    Attributes
    ----------
    accepted : pandas.DataFrame
        ``file``, ``row`` and the :data:`LOG_COLUMNS`, typed: ``date`` as datetime64,
        counts as nullable ``Int64`` (blank sets and reps mean the prescribed dose),
        ``pain_during`` and ``pain_next_morning`` as float (NaN when blank), ``note`` as
        written ('' when blank); then any other input column, as written.
    rejected : pandas.DataFrame
        One row per rejected input row: :data:`REJECTED_COLUMNS` (the reasons and columns
        of a row with several problems are joined with ``"; "``), then any other input
        column; every value as written.
    problems : pandas.DataFrame
        One row per problem: ``file, row, column, reason, got``.
    duplicates : pandas.DataFrame
        Exact duplicate rows: ``file, row, same_as_file, same_as_row``. With
        ``drop_duplicates=True`` the copies are among the rejected rows too.
    rows_read : int
        Data rows read (fully empty spreadsheet rows are not counted).
    sources : tuple of str
        The files read.
    """

    accepted: pd.DataFrame
    rejected: pd.DataFrame
    problems: pd.DataFrame
    duplicates: pd.DataFrame
    rows_read: int
    sources: tuple[str, ...] = field(default=())

    def problem_list(self) -> list[Problem]:
        """Every problem as a :class:`~backplan.errors.Problem` (file, row, column)."""
        return [
            Problem(str(p.file), int(p.row), str(p.column), REASONS[p.reason], p.got, p.reason)
            for p in self.problems.itertuples(index=False)
        ]

    def __repr__(self) -> str:
        return (
            f"LogTable(rows_read={self.rows_read}, accepted={len(self.accepted)}, "
            f"rejected={len(self.rejected)}, duplicates={len(self.duplicates)})"
        )


def gather_with_plans(
    source: object, prescriptions: Prescriptions | None, *, plans_first: bool
) -> tuple[Gathered, PlanSource | None]:
    """The log rows of ``source`` (see :func:`~backplan.logs.read.gather`) and the plans
    (see :func:`~backplan.logs.prescriptions.plan_grid`), files read while plans load.

    Reading a log file happens mostly outside Python's interpreter lock (pyarrow), and
    loading plans mostly inside it, so the two share a machine's cores. When both fail,
    the plans' error is raised first with ``plans_first``, else the logs'.
    """
    if prescriptions is None:
        return gather(source), None
    if isinstance(source, pd.DataFrame):  # nothing to read
        return gather(source), plan_grid(prescriptions)
    with ThreadPoolExecutor(max_workers=1) as pool:
        reading = pool.submit(gather, source)
        try:
            plans = plan_grid(prescriptions)
        except BackplanError:
            if not plans_first:
                reading.result()  # the logs' error, if any, comes first
            raise
        return reading.result(), plans


def read_logs(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | pd.DataFrame,
    prescriptions: Prescriptions | None = None,
    *,
    catalogue: pd.DataFrame | None = None,
    drop_duplicates: bool = False,
) -> LogTable:
    """Read exercise logs and check every row.

    Parameters
    ----------
    source : path, list of paths, or pandas.DataFrame
        A CSV, Excel (.xlsx) or Parquet file, a folder of such files, a list of them, or a
        DataFrame with the :data:`LOG_COLUMNS`.
    prescriptions : list of Plan, prescription table, or folder of saved plans, optional
        When given, rows are also checked against the plans: unknown patient, date before
        the plan starts or after it ends, exercise not prescribed that week.
    catalogue : pandas.DataFrame, optional
        Known exercise ids; the shipped catalogue by default (ids in ``prescriptions`` are
        known too).
    drop_duplicates : bool
        Exact duplicate rows are always listed in ``duplicates``; with ``True`` they are
        also rejected (the first copy is kept).

    Returns
    -------
    LogTable

    Raises
    ------
    LogError
        When a file cannot be read or lacks a required column (naming file and column),
        or ``source`` is an empty list.
    PlanError
        When ``prescriptions`` holds no plan, or a plan is not valid.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"patient": ["P1"], "date": ["2026-01-05"],
    ...                     "exercise": ["heel-slides"], "sets_done": [""], "reps_done": [""],
    ...                     "pain": ["11"]})
    >>> read_logs(raw).rejected[["row", "column", "reason", "pain_during"]].to_dict("records")
    [{'row': 2, 'column': 'pain', 'reason': 'pain outside 0-10', 'pain_during': '11'}]
    """
    rows, plans = gather_with_plans(source, prescriptions, plans_first=False)
    grid = None if plans is None else plans.grid
    checked = check_rows(rows.raw, rows.file, rows.row, partial(exercise_ids, catalogue), grid,
                         drop_duplicates, shown=rows.shown)  # fmt: skip
    return LogTable(
        accepted=accepted_rows(checked),
        rejected=rejected_of(checked),
        problems=checked.problems,
        duplicates=checked.find_duplicates(),
        rows_read=len(rows.raw),
        sources=tuple(rows.sources),
    )
