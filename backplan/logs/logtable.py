"""The result of reading logs (:class:`LogTable`) and :func:`read_logs`, which makes one.

Rows with problems do not raise: they come back in :attr:`LogTable.rejected` with the
reason, so that ``len(accepted) + len(rejected) == rows_read`` always holds. The table
keeps its checked rows, so :func:`~backplan.adherence` does not check them again.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..errors import Problem
from .check import Checked, check_rows
from .prescriptions import Grid, prescription_grid
from .read import REASONS, exercise_ids, gather
from .rows import accepted_rows, rejected_rows

__all__ = ["LogTable", "read_logs"]


@dataclass
class LogTable:
    """The result of reading logs: typed accepted rows and rejected rows with reasons.

    Attributes
    ----------
    accepted : pandas.DataFrame
        ``file``, ``row`` and the :data:`LOG_COLUMNS`, typed: ``date`` as datetime64,
        counts as nullable ``Int64`` (blank sets and reps mean the prescribed dose),
        ``pain`` as float.
    rejected : pandas.DataFrame
        One row per rejected input row: :data:`REJECTED_COLUMNS` (the reasons and columns
        of a row with several problems are joined with ``"; "``), original values kept.
    problems : pandas.DataFrame
        One row per problem: ``file, row, column, reason, got``.
    duplicates : pandas.DataFrame
        Exact duplicate rows: ``file, row, same_as_file, same_as_row``.
    rows_read : int
        Data rows read (fully empty spreadsheet rows are not counted).
    sources : tuple of str
        The files read.
    checked : Checked
        The checked rows behind the tables, kept so that :func:`~backplan.adherence`
        does not check them again (``None`` for a table built by hand).
    checked_against : pandas.DataFrame or None
        The prescription table the rows were checked against, if any.
    drop_duplicates : bool
        Whether exact duplicates were rejected.
    """

    accepted: pd.DataFrame
    rejected: pd.DataFrame
    problems: pd.DataFrame
    duplicates: pd.DataFrame
    rows_read: int
    sources: tuple[str, ...] = field(default=())
    checked: Checked | None = field(default=None, repr=False, compare=False)
    checked_against: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    drop_duplicates: bool = False

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


def log_table(
    checked: Checked,
    sources: Sequence[str] = (),
    grid: Grid | None = None,
    drop_duplicates: bool = False,
) -> LogTable:
    """Package checked rows as a :class:`LogTable` (which keeps ``checked``)."""
    return LogTable(
        accepted=accepted_rows(checked),
        rejected=rejected_rows(checked),
        problems=checked.problems.drop(columns="pos"),
        duplicates=checked.duplicates,
        rows_read=len(checked.raw),
        sources=tuple(sources),
        checked=checked,
        checked_against=None if grid is None else grid.table,
        drop_duplicates=drop_duplicates,
    )


def read_logs(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | pd.DataFrame,
    prescriptions: pd.DataFrame | Iterable[object] | None = None,
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
    prescriptions : list of Plan or prescription table, optional
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
        When a file cannot be read or lacks a required column (naming file and column).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"patient": ["P1"], "date": ["2026-01-05"],
    ...                     "exercise": ["heel-slides"], "sets_done": [""], "reps_done": [""],
    ...                     "pain": ["11"]})
    >>> read_logs(raw).rejected[["row", "reason", "pain"]].to_dict("records")
    [{'row': 2, 'reason': 'pain outside 0-10', 'pain': '11'}]
    """
    raw, file, row, sources = gather(source)
    grid = None
    if prescriptions is not None:
        grid = prescription_grid(prescriptions)  # type: ignore[arg-type]
    checked = check_rows(raw, file, row, exercise_ids(catalogue), grid, drop_duplicates)
    return log_table(checked, sources, grid, drop_duplicates)
