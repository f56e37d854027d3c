"""Logs as a Dask DataFrame: each partition checked and summed where it lives.

Partitions are checked with the same code as pandas frames (:func:`~.check.check_rows`)
and summed with the same :class:`~.sums.Sums`; only small arrays travel back: the sums,
the rejected rows and, for accepted rows, the parsed values that exact duplicates are
matched on (eight integers a row), so duplicates are found across partitions too.

Rejected rows name their real file when the frame has a ``file`` column, as
:func:`read_logs_dask` makes (with a ``row`` column holding each row's spreadsheet row);
with ``file`` but no ``row``, rows are numbered within each file in partition order.
Without ``file`` the file is ``"<dask>"`` and rows are numbered across the whole frame.

Exact duplicates are found across partitions: each partition sends back, for its accepted
rows, the parsed values they are compared on (the note as a 64-bit hash of its text), so
the client holds about 72 bytes per accepted row while it compares them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._io.spreadsheets import spreadsheet_row
from .check import check_rows
from .duplicates import duplicate_pairs
from .formats import read_log_file
from .prescriptions import Grid
from .read import REJECTED_COLUMNS, _check_columns, _files
from .rows import rejected_rows
from .sums import Partials, Rows, Sums

__all__ = ["dask_partials", "read_logs_dask"]

_NO_FILE = "<dask>"
_ROWS = "\0rows"  # rows of partitions whose rows were numbered by the reader


def _read_partition(path: str) -> pd.DataFrame:
    """One log file as one partition, with each row's ``file`` and spreadsheet ``row``."""
    table = read_log_file(Path(path))
    _check_columns(table, path)
    rows = np.asarray(table.index, dtype=np.int64) + spreadsheet_row(0)
    return table.reset_index(drop=True).assign(file=path, row=rows)


def read_logs_dask(path: str | os.PathLike[str]) -> Any:
    """A Dask DataFrame of a log file or folder: one partition per file, read by workers
    with the same readers as :func:`~backplan.read_logs`, each row with its ``file`` and
    spreadsheet ``row``.

    Examples
    --------
    >>> import backplan as bp, tempfile, pathlib
    >>> _, logs = bp.synthetic_cohort(n_patients=2, weeks=1, seed=1)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> logs.to_parquet(folder / "a.parquet", index=False)
    >>> ddf = read_logs_dask(folder)
    >>> part = ddf.partitions[0].compute()
    >>> part["file"].str.endswith("a.parquet").all(), part["row"].iloc[0]
    (np.True_, np.int64(2))
    """
    import dask.dataframe as dd

    files = [str(p) for p in _files(Path(path))]
    return dd.from_map(_read_partition, files)


def _one(
    pdf: pd.DataFrame, grid: Grid, exercises: pd.Index
) -> tuple[Partials, pd.DataFrame, dict[str, int], pd.DataFrame]:
    """Check and sum one partition; rows numbered within each file of this partition."""
    pdf = pdf.reset_index(drop=True)
    n = len(pdf)
    if "file" in pdf.columns:
        file = pdf["file"].astype(str).to_numpy(object)
        raw = pdf.drop(columns=["file", "row"], errors="ignore")
    else:
        file, raw = np.full(n, _NO_FILE, dtype=object), pdf
    counts = pd.Series(file).value_counts(sort=False).to_dict() if n else {}
    if "row" in pdf.columns:  # numbered by the reader: no renumbering across partitions
        local = pdf["row"].to_numpy(np.int64)
        counts = {f: 0 for f in counts} | {_ROWS: n}
    else:
        local = pd.Series(file).groupby(file, sort=False).cumcount().to_numpy(np.int64) + 2
    checked = check_rows(raw, file, local, exercises, grid, defer_duplicates=True)
    assert checked.patient is not None and checked.offset is not None
    sums = Sums(grid)
    sums.add(Rows(checked.ok, checked.prow, checked.sets, checked.reps, checked.pain,
                  checked.patient, checked.offset))  # fmt: skip
    ok = checked.ok & (checked.prow >= 0)
    note = (
        pd.util.hash_pandas_object(raw["note"].astype("string"), index=False).to_numpy()
        if "note" in raw.columns
        else np.zeros(n, np.uint64)
    )
    keys = pd.DataFrame(
        {
            "file": file[ok],
            "row": local[ok],
            "prow": checked.prow[ok],
            "offset": checked.offset[ok],
            "sets": checked.sets[ok],
            "reps": checked.reps[ok],
            "hold": checked.hold[ok] if checked.hold.strides != (0,) else -1,
            "pain": np.nan_to_num(checked.pain[ok], nan=-1.0),
            "note": note[ok].view(np.int64),
        }
    )
    return sums.total(), rejected_rows(checked), counts, keys


def dask_partials(
    ddf: Any, grid: Grid, exercises: pd.Index, drop_duplicates: bool
) -> tuple[Partials, pd.DataFrame, pd.DataFrame, int]:
    """Check and add up each Dask partition, then combine the small per-partition results."""
    import dask

    results = dask.compute(*[dask.delayed(_one)(p, grid, exercises) for p in ddf.to_delayed()])
    if not results:
        raise ValueError("the Dask frame has no partitions")
    total = Partials.zeros(grid)
    offset: dict[str, int] = {}
    rejected, keys = [], []
    for part, rej, counts, key in results:
        total = total + part
        shift = {f: offset.get(f, 0) for f in counts}

        def renumber(t: pd.DataFrame, shift: dict[str, int] = shift) -> pd.DataFrame:
            return t.assign(row=t["row"] + t["file"].map(shift).fillna(0).astype(np.int64))

        rejected.append(renumber(rej))
        keys.append(renumber(key))
        for f, k in counts.items():
            offset[f] = offset.get(f, 0) + int(k)
    rows_read = sum(offset.values())  # files numbered by the reader count under _ROWS
    key = pd.concat(keys, ignore_index=True)
    columns = ["prow", "offset", "sets", "reps", "hold", "pain", "note"]
    arrays = [key[c].to_numpy() for c in columns]
    arrays[5] = arrays[5].astype(np.float64).view(np.int64)
    dup, same = duplicate_pairs(arrays)
    duplicates = pd.DataFrame(
        {"file": key["file"].to_numpy(object)[dup], "row": key["row"].to_numpy()[dup],
         "same_as_file": key["file"].to_numpy(object)[same],
         "same_as_row": key["row"].to_numpy()[same]}
    )  # fmt: skip
    rejected_all = pd.concat(rejected, ignore_index=True)
    if drop_duplicates and len(dup):
        total = total - _dropped_sums(key.iloc[dup], grid)
        rejected_all = pd.concat([rejected_all, _dropped_rows(key.iloc[dup], grid)],
                                 ignore_index=True)  # fmt: skip
        rejected_all = rejected_all.sort_values(["file", "row"], kind="stable", ignore_index=True)
    return total, rejected_all, duplicates, rows_read


def _dropped_sums(key: pd.DataFrame, grid: Grid) -> Partials:
    sums = Sums(grid)
    prow = key["prow"].to_numpy()
    pain = key["pain"].to_numpy(np.float64)
    sums.add(Rows(np.ones(len(key), bool), prow, key["sets"].to_numpy(), key["reps"].to_numpy(),
                  np.where(pain < 0, np.nan, pain), grid.row_patient[prow],
                  key["offset"].to_numpy()))  # fmt: skip
    return sums.total()


def _dropped_rows(key: pd.DataFrame, grid: Grid) -> pd.DataFrame:
    """Rejected rows for dropped duplicates, from their parsed values."""
    prow = key["prow"].to_numpy()
    t = grid.table
    day = grid.start_day[grid.row_patient[prow]] + key["offset"].to_numpy()

    def count(c: str) -> pd.array:
        v = key[c].to_numpy()
        return pd.array(np.where(v < 0, None, v), dtype="Int64")

    out = pd.DataFrame(
        {"file": key["file"].to_numpy(object), "row": key["row"].to_numpy(), "column": "",
         "reason": "exact duplicate", "patient": t["patient"].to_numpy()[prow],
         "date": day.astype("datetime64[D]").astype(str), "exercise": t["exercise"].to_numpy()[prow],
         "sets_done": count("sets"), "reps_done": count("reps"), "hold_s": count("hold"),
         "pain": key["pain"].where(key["pain"] >= 0), "note": pd.NA}
    )  # fmt: skip
    return out[list(REJECTED_COLUMNS)]
