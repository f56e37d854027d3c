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
from ..triage.notes import rows_to_act_on
from .check import FOUND, check_rows
from .duplicates import duplicate_pairs
from .engines import Tally
from .flags import note_rows
from .formats import read_log_file
from .prescriptions import Grid
from .read import _check_columns, _files
from .rows import rejected_of
from .sums import Partials, Scores, Sums

__all__ = ["dask_tally", "read_logs_dask"]

_NO_FILE = "<dask>"
_ROWS = "\0rows"  # rows of partitions whose rows were numbered by the reader


def _read_partition(path: str) -> pd.DataFrame:
    """One log file as one partition, with each row's ``file`` and spreadsheet ``row``."""
    table = _check_columns(read_log_file(Path(path)), path)
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


def _rows_of(pdf: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, dict[str, int]]:
    """A partition's log columns, each row's file and row number (within each file of this
    partition unless the reader numbered them), and how many rows each file has here."""
    pdf = pdf.reset_index(drop=True)
    n = len(pdf)
    if "file" in pdf.columns:
        file = pdf["file"].astype(str).to_numpy(object)
        raw = pdf.drop(columns=["file", "row"], errors="ignore")
    else:
        file, raw = np.full(n, _NO_FILE, dtype=object), pdf
    raw = _check_columns(raw, _NO_FILE)
    counts = pd.Series(file).value_counts(sort=False).to_dict() if n else {}
    if "row" in pdf.columns:  # numbered by the reader: no renumbering across partitions
        local = pdf["row"].to_numpy(np.int64)
        counts = {f: 0 for f in counts} | {_ROWS: n}
    else:
        local = pd.Series(file).groupby(file, sort=False).cumcount().to_numpy(np.int64) + 2
    return raw, file, local, counts


def _one(
    pdf: pd.DataFrame, grid: Grid, exercises: pd.Index
) -> tuple[Partials, pd.DataFrame, dict[str, int], pd.DataFrame, pd.DataFrame]:
    """Check and sum one partition: its sums, rejected rows, rows per file, the parsed
    values of its accepted rows that exact duplicates are matched on (their pain scores
    too), and its accepted rows with a note to act on."""
    raw, file, local, counts = _rows_of(pdf)
    checked = check_rows(raw, file, local, exercises, grid, defer_duplicates=True)
    noted = note_rows(raw, file, local, np.flatnonzero(checked.ok & rows_to_act_on(raw)))
    sums = Sums(grid)
    sums.add(checked.rows())
    assert checked.prow is not None and checked.offset is not None
    ok = checked.ok & (checked.prow >= 0)
    note = (
        pd.util.hash_pandas_object(raw["note"].astype("string"), index=False).to_numpy()
        if "note" in raw.columns
        else np.zeros(len(raw), np.uint64)
    )

    def score(v: np.ndarray | None) -> np.ndarray:
        assert v is not None
        return np.nan_to_num(np.broadcast_to(v, (len(raw),))[ok], nan=-1.0)

    keys = pd.DataFrame(
        {
            "file": file[ok],
            "row": local[ok],
            "pos": np.flatnonzero(ok),
            "prow": checked.prow[ok],
            "offset": checked.offset[ok],
            "sets": checked.sets[ok],
            "reps": checked.reps[ok],
            "hold": np.broadcast_to(checked.hold, (len(raw),))[ok],
            "pain": score(checked.pain),
            "morning": score(checked.morning),
            "note": note[ok].view(np.int64),
        }
    )
    return sums.total(), rejected_of(checked), counts, keys, noted


def _dropped(
    pdf: pd.DataFrame, pos: np.ndarray, grid: Grid, exercises: pd.Index
) -> tuple[Partials, pd.DataFrame]:
    """The sums and rejected rows of the copies at ``pos`` in one partition, which another
    row repeats exactly: checked again as they are (so their values are as written), and
    rejected as exact duplicates by the one row builder."""
    raw, file, local, _ = _rows_of(pdf)
    raw, file, local = raw.iloc[pos].reset_index(drop=True), file[pos], local[pos]
    checked = check_rows(raw, file, local, exercises, grid, defer_duplicates=True)
    sums = Sums(grid)
    sums.add(checked.rows())
    checked.found = (np.arange(len(pos)), np.full(len(pos), _DUPLICATE_BIT, np.uint32))
    return sums.total(), rejected_of(checked)


def dask_tally(ddf: Any, grid: Grid, exercises: pd.Index, drop_duplicates: bool) -> Tally:
    """Check and add up each Dask partition, then combine the small per-partition results.

    With ``drop_duplicates``, the copies found across partitions are read again where
    they live (a second, small pass), so their rejected rows keep every value as written.
    """
    import dask

    parts = ddf.to_delayed()
    results = dask.compute(*[dask.delayed(_one)(p, grid, exercises) for p in parts])
    if not results:
        raise ValueError("the Dask frame has no partitions")
    total = Partials.zeros(grid)
    offset: dict[str, int] = {}
    rejected, keys, noted = [], [], []
    for i, (part, rej, counts, key, notes) in enumerate(results):
        total = total + part
        shift = {f: offset.get(f, 0) for f in counts}

        def renumber(t: pd.DataFrame, shift: dict[str, int] = shift) -> pd.DataFrame:
            return t.assign(row=t["row"] + t["file"].map(shift).fillna(0).astype(np.int64))

        rejected.append(renumber(rej))
        keys.append(renumber(key).assign(part=i))
        noted.append(renumber(notes))
        for f, k in counts.items():
            offset[f] = offset.get(f, 0) + int(k)
    rows_read = sum(offset.values())  # files numbered by the reader count under _ROWS
    key = pd.concat(keys, ignore_index=True)
    columns = ["prow", "offset", "sets", "reps", "hold", "pain", "morning", "note"]
    arrays = [key[c].to_numpy() for c in columns]
    for c in ("pain", "morning"):
        at = columns.index(c)
        arrays[at] = arrays[at].astype(np.float64).view(np.int64)
    dup, same = duplicate_pairs(arrays)
    duplicates = pd.DataFrame(
        {"file": key["file"].to_numpy(object)[dup], "row": key["row"].to_numpy()[dup],
         "same_as_file": key["file"].to_numpy(object)[same],
         "same_as_row": key["row"].to_numpy()[same]}
    )  # fmt: skip
    rejected_all = pd.concat(rejected, ignore_index=True)
    notes_from = pd.concat(noted, ignore_index=True)
    if drop_duplicates and len(dup):
        copies = key.iloc[dup]
        work = [dask.delayed(_dropped)(parts[i], group["pos"].to_numpy(), grid, exercises)
                for i, group in copies.groupby("part", sort=True)]  # fmt: skip
        for (part, rej), (_, group) in zip(dask.compute(*work), copies.groupby("part", sort=True),
                                           strict=True):  # fmt: skip
            total = _less(total, part)
            rej = rej.assign(row=group["row"].to_numpy())  # numbered as the first pass did
            rejected_all = pd.concat([rejected_all, rej], ignore_index=True)
        rejected_all = rejected_all.sort_values(["file", "row"], kind="stable", ignore_index=True)
        # the copies are rejected rows now: their notes are read as such, their pain not
        gone = pd.MultiIndex.from_arrays([copies["file"].to_numpy(object), copies["row"]])
        where = pd.MultiIndex.from_arrays([notes_from["file"].to_numpy(object),
                                           notes_from["row"]])  # fmt: skip
        notes_from = notes_from.loc[~where.isin(gone)].reset_index(drop=True)
        key = key.drop(index=key.index[dup])
    rej_final = rejected_all
    return Tally(total, rows_read, lambda: rej_final, lambda: duplicates,
                 _scores(key, grid), notes_from)  # fmt: skip


def _scores(key: pd.DataFrame, grid: Grid) -> Scores:
    """The pain scores of the accepted rows the partitions sent back (-1: blank), as the
    pandas engine keeps them."""
    during, morning = (key[c].to_numpy(np.float64) for c in ("pain", "morning"))
    during, morning = np.where(during < 0, np.nan, during), np.where(morning < 0, np.nan, morning)
    at = np.flatnonzero(~(np.isnan(during) & np.isnan(morning)))
    patient = grid.row_patient.take(key["prow"].to_numpy(np.int64).take(at)).astype(np.int64)
    day = grid.start_day.take(patient) + key["offset"].to_numpy(np.int64).take(at)
    return Scores(patient, day, during.take(at), morning.take(at))


def _less(total: Partials, part: Partials) -> Partials:
    """``total`` without the rows summed in ``part`` (copies dropped after the sums)."""
    return Partials(*(a - b for a, b in zip(total.arrays(), part.arrays(), strict=True)))


_DUPLICATE_BIT = np.uint32(1 << FOUND.index(("", "exact duplicate")))
