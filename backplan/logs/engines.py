"""The engines: each turns one kind of log input into the same :class:`Tally`.

* :func:`frame_tally`: log files or a pandas frame, checked by the row rules and added up
  chunk by chunk as the rows are checked;
* :func:`table_tally`: a :class:`~backplan.LogTable` from :func:`~backplan.read_logs`,
  whose accepted rows are already parsed: only the plan rules run on them;
* :func:`~backplan.logs.dask_logs.dask_tally`: a Dask frame, partition by partition.

:func:`~backplan.adherence` picks the engine by the type of its input, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from .._io.dates import date_days
from .check import Part, check_rows, plan_checks, row_codes
from .logtable import LogTable
from .prescriptions import Grid, Known
from .read import Gathered
from .rows import rejected_of, rejected_rows
from .sums import Partials, Rows, Scores, Sums

__all__ = ["Tally", "frame_tally", "table_tally"]


@dataclass(frozen=True)
class Tally:
    """What every engine gives back: the sums of the accepted rows, how many rows were
    read, and the rejected rows and exact duplicates (each made when called, so
    :func:`~backplan.adherence` can make them while it works out the measures), the pain
    scores of the accepted rows one by one, and the accepted rows whose notes the call
    list reads (``None``: the rows read, as
    :func:`~backplan.logs.flags.call_flags` finds them; Dask sends back only the rows with
    a note to act on)."""

    sums: Partials
    rows_read: int
    rejected: Callable[[], pd.DataFrame]
    duplicates: Callable[[], pd.DataFrame]
    scores: Scores
    notes_from: pd.DataFrame | None = None


def _ready(table: pd.DataFrame) -> Callable[[], pd.DataFrame]:
    return lambda: table


def frame_tally(rows: Gathered, grid: Grid, exercises: Known, drop_duplicates: bool) -> Tally:
    """Check and add up log rows read from files or a frame (``exercises``: the known ids,
    or a function giving them, called only if a row names an exercise no plan prescribes)."""
    if drop_duplicates:  # a copy is known only once every row is checked: sum after
        checked = check_rows(rows.raw, rows.file, rows.row, exercises, grid, True,
                             got=False, shown=rows.shown)  # fmt: skip
        sums = Sums(grid, keep_scores=True)
        sums.add(checked.rows())
        duplicates = checked.find_duplicates()
        return Tally(sums.total(), len(rows.raw), partial(rejected_of, checked),
                     _ready(duplicates), sums.scores())  # fmt: skip
    # each chunk added up as soon as it is checked, while in the CPU cache
    sums = Sums(grid, keep_scores=True)
    checked = check_rows(rows.raw, rows.file, rows.row, exercises, grid, add=sums.add,
                         defer_duplicates=True, got=False, shown=rows.shown)  # fmt: skip
    return Tally(sums.total(), len(rows.raw), partial(rejected_of, checked),
                 checked.find_duplicates, sums.scores())  # fmt: skip


def _counts(values: pd.Series) -> np.ndarray:
    """A nullable count column as int64, -1 where blank (as the sums expect)."""
    return values.to_numpy(dtype=np.int64, na_value=-1)


def table_tally(table: LogTable, grid: Grid, drop_duplicates: bool) -> Tally:
    """Add up a :class:`~backplan.LogTable`'s accepted rows against ``grid``.

    Its rows were parsed and checked when read; here only the plan rules run (a table
    read without plans, or against other plans, may have rows these plans reject). Rows
    it rejected stay rejected, so copies it dropped are never counted. With
    ``drop_duplicates``, accepted copies it lists in ``duplicates`` are rejected now.
    """
    acc = table.accepted.reset_index(drop=True)
    n = len(acc)
    raw = acc.drop(columns=["file", "row"])
    file = pd.Categorical(acc["file"].astype(object))
    row = acc["row"].to_numpy(np.int64)
    bad = np.zeros(n, dtype=bool)
    parts: list[Part] = []

    def flag(mask: np.ndarray, column: str, why: str) -> None:
        if mask.any():
            np.logical_or(bad, mask, out=bad)
            parts.append((np.flatnonzero(mask), column, why))

    day = date_days(acc["date"])
    every = np.ones(n, dtype=bool)
    prow, pcode, offset, _ = plan_checks(raw, day, every.copy(), every, grid, None, flag)
    duplicates = table.duplicates
    if drop_duplicates and len(duplicates):
        where = pd.MultiIndex.from_arrays([acc["file"].astype(object), acc["row"]])
        copies = pd.MultiIndex.from_arrays([duplicates["file"].astype(object),
                                            duplicates["row"]])  # fmt: skip
        dup = np.flatnonzero(where.isin(copies) & ~bad)
        bad[dup] = True
        parts.append((dup, "", "exact duplicate"))
    found = row_codes(parts, bad)
    sums = Sums(grid, keep_scores=True)
    sums.add(Rows(~bad, prow, _counts(acc["sets_done"]), _counts(acc["reps_done"]),
                  acc["pain_during"].to_numpy(np.float64),
                  acc["pain_next_morning"].to_numpy(np.float64), pcode, offset))  # fmt: skip
    rejected = table.rejected
    if len(found[0]):
        now = rejected_rows(raw, file, row, found)
        rejected = pd.concat([rejected, now], ignore_index=True)
        rejected = rejected.sort_values(["file", "row"], kind="stable", ignore_index=True)
        # a copy whose row the plans reject is a rejected row now, not a duplicate
        gone = pd.MultiIndex.from_arrays([now["file"].astype(object), now["row"]])
        unplanned = now["reason"] != "exact duplicate"
        keys = pd.MultiIndex.from_arrays([duplicates["file"].astype(object), duplicates["row"]])
        duplicates = duplicates.loc[~keys.isin(gone[unplanned.to_numpy()])]
        duplicates = duplicates.reset_index(drop=True)
    return Tally(sums.total(), table.rows_read, _ready(rejected), _ready(duplicates),
                 sums.scores())  # fmt: skip
