"""Exercise logs: reading them from files and checking every row, without per-row Python.

A log has one row per exercise session a patient did, as a patient app exports it or as a
paper diary (the handout's tick-box grid) is typed back in.

Columns (:data:`LOG_COLUMNS`)
------------------------------
patient     the patient label used on the plan
date        the day, written YYYY-MM-DD
exercise    catalogue id, e.g. ``heel-slides``
sets_done   sets done in that session
reps_done   reps per set (per side for per-side exercises). Leave ``sets_done`` and
            ``reps_done`` both blank for "did the prescribed dose" (a diary tick).
hold_s      optional: seconds held
pain        optional: pain 0-10 (numeric rating scale)
note        optional: free text

Rows are numbered as in a spreadsheet: the header is row 1, the first data row is row 2
(Parquet files and DataFrames are numbered the same way). A file that cannot be read, or
lacks a required column, raises :class:`~backplan.errors.LogError`. Rows with problems do
not raise: they come back in :attr:`LogTable.rejected` with the reason, so that
``len(accepted) + len(rejected) == rows_read`` always holds.

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

import functools
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._tables import read_text_table, spreadsheet_row
from .catalogue import load_catalogue
from .errors import LogError, Problem
from .prescriptions import Grid

__all__ = [
    "LOG_COLUMNS",
    "REASONS",
    "REJECTED_COLUMNS",
    "REQUIRED_COLUMNS",
    "LogTable",
    "read_logs",
]

LOG_COLUMNS: tuple[str, ...] = (
    "patient",
    "date",
    "exercise",
    "sets_done",
    "reps_done",
    "hold_s",
    "pain",
    "note",
)
REQUIRED_COLUMNS: tuple[str, ...] = LOG_COLUMNS[:5]
REJECTED_COLUMNS: tuple[str, ...] = ("file", "row", "column", "reason", *LOG_COLUMNS)
#: Every reason a row can be rejected for, with what a valid value looks like.
REASONS: dict[str, str] = {
    "missing value": "a value in this column",
    "unparseable date": "a date written YYYY-MM-DD",
    "unknown exercise": "an exercise id from the catalogue",
    "unknown patient": "a patient label that has a plan",
    "not a number": "a number",
    "not a whole number": "a whole number",
    "negative count": "a count of 0 or more",
    "pain outside 0-10": "pain from 0 to 10",
    "only one of sets_done and reps_done": "both sets_done and reps_done, or both blank",
    "date before plan start": "a date on or after the plan's first day",
    "date after plan end": "a date on or before the plan's last day",
    "exercise not prescribed that week": "an exercise the plan sets in that week",
    "exact duplicate": "a row that differs from every earlier row",
}
_PARQUET = {".parquet", ".pq"}
_TEXT = {".csv", ".txt", ".xlsx", ".xlsm"}


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


# --- reading ---------------------------------------------------------------------------------


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.suffix.lower() in _PARQUET | _TEXT)
        if not found:
            raise LogError([Problem(str(path), None, None, "a folder holding Parquet files")])
        return found
    if not path.exists():
        raise LogError([Problem(str(path), None, None, "an existing file or folder")])
    if path.suffix.lower() not in _PARQUET | _TEXT:
        raise LogError([Problem(str(path), None, None, "a .csv, .xlsx or .parquet file")])
    return [path]


def _read_file(path: Path) -> pd.DataFrame:
    """One file's rows; the index is the 0-based data row position in the file."""
    if path.suffix.lower() in _PARQUET:
        try:
            table = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several unrelated types
            raise LogError(
                [Problem(str(path), None, None, f"a readable Parquet file ({exc})")]
            ) from None
        return table.reset_index(drop=True)
    return read_text_table(path, LogError)


def _check_columns(table: pd.DataFrame, file: str) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise LogError([Problem(file, 1, c, "this column in the header") for c in missing], file)


def _frames(source: object) -> list[tuple[str, pd.DataFrame]]:
    if isinstance(source, pd.DataFrame):
        _check_columns(source, "<DataFrame>")
        return [("<DataFrame>", source.set_axis(pd.RangeIndex(len(source))))]
    if isinstance(source, str | os.PathLike):
        paths = _files(Path(source))
    elif isinstance(source, Iterable):
        paths = [p for s in source for p in _files(Path(s))]
    else:
        raise TypeError(f"logs must be a path, a list of paths or a DataFrame, got {source!r}")
    out = []
    for p in paths:
        table = _read_file(p)
        _check_columns(table, str(p))
        out.append((str(p), table))
    return out


def exercise_ids(catalogue: pd.DataFrame | None = None) -> pd.Index:
    """Exercise ids of ``catalogue``, or of the shipped catalogue (read once per session)."""
    if catalogue is not None:
        return pd.Index(catalogue["id"])
    return _shipped_ids()


@functools.cache
def _shipped_ids() -> pd.Index:
    return pd.Index(load_catalogue()["id"])


# --- vectorised checks -----------------------------------------------------------------------


def _blank(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.isna().to_numpy()
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = np.asarray(s.cat.categories.astype(str).str.strip() == "")
        codes = s.cat.codes.to_numpy()
        if not cats.any():
            return codes < 0
        return (codes < 0) | cats[np.maximum(codes, 0)]
    return (s.isna() | (s.astype("string").str.strip() == "")).to_numpy(bool)


def _counts(s: pd.Series, blank: np.ndarray) -> tuple[np.ndarray, list[tuple[np.ndarray, str]]]:
    """Whole-number counts as int64 (-1 where blank or unreadable) and the failed checks."""
    dtype = s.dtype
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        values = s.to_numpy(np.int64, na_value=0)
        negative = values < 0
        if blank.any():
            values[blank] = -1
        return values, [(negative, "negative count")]
    v = _floats(s, blank)
    nan = np.isnan(v)
    fails = [(nan & ~blank, "not a number"), (v < 0, "negative count")]
    fails.append(((v >= 0) & (v != np.floor(v)), "not a whole number"))
    return np.where(nan | (v < 0), -1, v).astype(np.int64), fails


def _floats(s: pd.Series, blank: np.ndarray) -> np.ndarray:
    """Values as float64; NaN where blank or not a number."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return np.where(blank, np.nan, np.inf)  # True/False is not a count or a score
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.to_numpy(np.float64, na_value=np.nan)
    text = s.astype("string").where(~blank)
    return pd.to_numeric(text, errors="coerce").to_numpy(np.float64, na_value=np.nan)


def _days(s: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 as int64; ``INT64_MIN`` where the date cannot be read."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        values = s.to_numpy()
        if values.dtype.kind == "M":
            return values.astype("datetime64[D]").astype(np.int64)
        s = pd.Series(values)  # tz-aware
    parsed = pd.to_datetime(s.astype("string"), format="ISO8601", errors="coerce")
    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_localize(None)
    values = parsed.to_numpy()
    ok = ~np.isnat(values)
    ok &= values == values.astype("datetime64[D]")  # a time of day is not a diary date
    return np.where(ok, values.astype("datetime64[D]").astype(np.int64), np.iinfo(np.int64).min)


def _isin(s: pd.Series, values: pd.Index) -> np.ndarray:
    if isinstance(s.dtype, pd.CategoricalDtype):
        ok = np.asarray(s.cat.categories.astype(str).isin(values))
        codes = s.cat.codes.to_numpy()
        if ok.all():
            return codes >= 0
        return (codes >= 0) & ok[np.maximum(codes, 0)]
    return s.astype(str).isin(values).to_numpy(bool)


@dataclass
class Checked:
    """Checked rows of one input, as arrays the adherence core can use directly.

    ``ok`` marks accepted rows; ``day``, ``sets``/``reps`` (-1 when blank), ``pain``
    (NaN when blank), ``prow`` (prescription row, -1 without prescriptions), ``patient``
    (patient code in the prescriptions) and ``offset`` (days since the plan started) are
    given for every row and meaningful where ``ok``.
    """

    raw: pd.DataFrame
    file: np.ndarray
    row: np.ndarray
    ok: np.ndarray
    day: np.ndarray
    sets: np.ndarray
    reps: np.ndarray
    hold: np.ndarray
    pain: np.ndarray
    prow: np.ndarray
    problems: pd.DataFrame
    duplicates: pd.DataFrame
    patient: np.ndarray | None = None
    offset: np.ndarray | None = None


def _hash(columns: Sequence[np.ndarray]) -> np.ndarray:
    """A 64-bit hash per row of integer columns (multiply-xor, then the splitmix64 finisher)."""
    h = np.zeros(len(columns[0]), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in columns:
            h *= np.uint64(0x100000001B3)
            h ^= c.astype(np.int64, copy=False).view(np.uint64)
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return h


def _codes(s: pd.Series) -> np.ndarray:
    """Integer codes of a column's values (equal values, equal codes; blank = -1)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy().astype(np.int64)
    return pd.factorize(s, use_na_sentinel=True)[0].astype(np.int64)


def duplicate_pairs(columns: Sequence[np.ndarray]) -> np.ndarray:
    """Rows equal to an earlier row in every column, and that earlier row.

    Rows are first narrowed by hash buckets (two rounds of ``bincount``, no sorting of
    the full table), then the few that may repeat are sorted and compared column by column,
    so the answer is exact.

    Returns
    -------
    numpy.ndarray
        Shape ``(2, k)``: positions of duplicate rows and of the rows they repeat.
    """
    n = len(columns[0]) if columns else 0
    pos = np.arange(n)
    h = _hash(columns) if n else np.zeros(0, np.uint64)
    for shift in (0, 22):
        if len(pos) < 2:
            return np.zeros((2, 0), dtype=np.int64)
        bucket = ((h >> np.uint64(shift)) & np.uint64((1 << 22) - 1)).astype(np.int64)
        keep = (np.bincount(bucket, minlength=1 << 22) > 1)[bucket]
        pos, h = pos[keep], h[keep]
    order = np.lexsort((pos, h))
    pos, h = pos[order], h[order]
    same = h[1:] == h[:-1]
    for c in columns:
        v = c[pos]
        same &= v[1:] == v[:-1]
    start = np.r_[True, ~same]
    first = pos[start][np.cumsum(start) - 1]
    dup = ~start
    return np.vstack([pos[dup], first[dup]])


def _row_checks(raw: pd.DataFrame, known: pd.Index, grid: Grid | None) -> tuple[Any, ...]:
    """Every check that looks at one row at a time, for one chunk of rows."""
    n = len(raw)
    bad = np.zeros(n, dtype=bool)
    parts: list[pd.DataFrame] = []

    def flag(mask: np.ndarray, column: str, why: str) -> None:
        if mask.any():
            np.logical_or(bad, mask, out=bad)
            parts.append(pd.DataFrame({"pos": np.flatnonzero(mask), "column": column,
                                       "reason": why}))  # fmt: skip

    def blank(name: str) -> np.ndarray:
        if name not in raw.columns:  # an optional column left out: blank everywhere, no memory
            return np.broadcast_to(True, (n,))
        return _blank(raw[name])

    blanks = {c: blank(c) for c in LOG_COLUMNS if c != "note"}
    for c in ("patient", "date", "exercise"):
        flag(blanks[c], c, "missing value")
    day = _days(raw["date"])
    bad_day = (day == np.iinfo(np.int64).min) & ~blanks["date"]
    flag(bad_day, "date", "unparseable date")
    unknown_ex = ~_isin(raw["exercise"], known) & ~blanks["exercise"]
    flag(unknown_ex, "exercise", "unknown exercise")
    counts = {}
    for c in ("sets_done", "reps_done", "hold_s"):
        if c not in raw.columns:
            counts[c] = np.broadcast_to(np.int64(-1), (n,))
            continue
        counts[c], fails = _counts(raw[c], blanks[c])
        for mask, why in fails:
            flag(mask, c, why)
    if "pain" in raw.columns:
        pain = _floats(raw["pain"], blanks["pain"])
        flag(np.isnan(pain) & ~blanks["pain"], "pain", "not a number")
        flag((pain < 0) | (pain > 10), "pain", "pain outside 0-10")
    else:
        pain = np.broadcast_to(np.nan, (n,))
    one_blank = blanks["sets_done"] != blanks["reps_done"]
    if one_blank.any():
        why = "only one of sets_done and reps_done"
        flag(one_blank & blanks["sets_done"], "sets_done", why)
        flag(one_blank & blanks["reps_done"], "reps_done", why)
    del one_blank
    prow = offset = pcode = np.broadcast_to(np.int64(-1), (n,))
    if grid is not None:
        base_ok = ~(blanks["patient"] | blanks["date"] | bad_day | blanks["exercise"] | unknown_ex)
        pcode = grid.patient_codes(raw["patient"])
        flag((pcode < 0) & ~blanks["patient"], "patient", "unknown patient")
        base_ok &= pcode >= 0
        np.maximum(pcode, 0, out=pcode)
        offset = day - grid.start_day[pcode]  # days since the plan started
        early = base_ok & (offset < 0)
        flag(early, "date", "date before plan start")
        late = base_ok & (offset > (grid.end_day - grid.start_day)[pcode])
        flag(late, "date", "date after plan end")
        base_ok &= ~(early | late)
        del early, late
        prow = grid.rows_inside(pcode, offset, grid.exercise_codes(raw["exercise"]), base_ok)
        flag(base_ok & (prow < 0), "exercise", "exercise not prescribed that week")
        del base_ok
    del bad_day, unknown_ex
    return bad, parts, day, counts, pain, prow, pcode, offset


#: Rows checked at a time: bounds the memory the checks need (about 100 bytes a row).
CHUNK_ROWS = 1 << 19
#: From this many rows on, chunks are checked in parallel threads (one per core, up to 4).
PARALLEL_ROWS = 1 << 20
_ARRAYS = ("day", "sets_done", "reps_done", "hold_s", "pain", "prow", "patient", "offset")


def check_rows(
    raw: pd.DataFrame,
    file: np.ndarray,
    row: np.ndarray,
    exercises: pd.Index,
    grid: Grid | None = None,
    drop_duplicates: bool = False,
) -> Checked:
    """Check every row of ``raw`` at once (vectorised); see :data:`REASONS`.

    Parameters
    ----------
    raw : pandas.DataFrame
        Rows as read (text or typed columns), holding at least :data:`REQUIRED_COLUMNS`.
    file, row : numpy.ndarray
        Each row's file name and spreadsheet row number.
    exercises : pandas.Index
        Known exercise ids.
    grid : Grid, optional
        Prescriptions; when given, patients, plan dates and weekly exercises are checked.
    drop_duplicates : bool
        Reject exact duplicates of an earlier row instead of only reporting them.
    """
    n = len(raw)
    known = pd.Index(exercises).union(grid.exercises) if grid is not None else exercises
    workers = min(os.cpu_count() or 1, 4) if n >= PARALLEL_ROWS else 1
    size = min(CHUNK_ROWS, -(-n // workers)) if n else 1
    if n <= size:
        bad, parts, day, counts, pain, prow, pcode, offset = _row_checks(raw, known, grid)
    else:
        bad = np.zeros(n, dtype=bool)
        parts = []
        arrays: dict[str, np.ndarray] = {}

        def run(lo: int) -> list[pd.DataFrame]:
            """Check one chunk and write its results in place (chunks never overlap)."""
            hi = min(n, lo + size)
            b, p, *values = _row_checks(raw.iloc[lo:hi], known, grid)
            flat = [values[0], *values[1].values(), *values[2:]]
            for name, v in zip(_ARRAYS, flat, strict=True):
                if name not in arrays:  # the first chunk sets the types
                    arrays[name] = (np.broadcast_to(v[:1], (n,)) if v.strides == (0,)
                                    else np.empty(n, dtype=v.dtype))  # fmt: skip
                if v.strides != (0,):
                    arrays[name][lo:hi] = v
            bad[lo:hi] = b
            return [part.assign(pos=part["pos"] + lo) for part in p]

        parts += run(0)
        # numpy and pandas let go of the GIL in their loops, so chunks run side by side
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for found in pool.map(run, range(size, n, size)):
                parts += found
        day, pain, prow, pcode, offset = (arrays[k] for k in ("day", "pain", "prow", "patient",
                                                               "offset"))  # fmt: skip
        counts = {k: arrays[k] for k in ("sets_done", "reps_done", "hold_s")}
    # exact duplicates, among rows that passed every other check, on their parsed values
    maybe = ~bad
    if grid is not None:  # repeats share patient, day and exercise: a cheap first filter
        key = prow * 7 + offset % 7  # prescription row and day: patient, exercise and date
        key[bad] = 0
        maybe &= (np.bincount(key, minlength=len(grid.table) * 7) > 1)[key]
        cand = np.flatnonzero(maybe)
        keys = [key[cand]]
        del key
    else:
        cand = np.flatnonzero(maybe)
        keys = [day[cand], *(_codes(raw[c])[cand] for c in ("patient", "exercise"))]
    del maybe
    keys += [v[cand] for v in counts.values() if v.strides != (0,)]
    if pain.strides != (0,):
        keys.append(np.nan_to_num(pain[cand], nan=-1.0).view(np.int64))
    if "note" in raw.columns:
        keys.append(_codes(raw["note"])[cand])
    dup, same = cand[duplicate_pairs(keys)]
    del keys, cand
    duplicates = pd.DataFrame(
        {"file": np.asarray(file[dup], dtype=object), "row": row[dup],
         "same_as_file": np.asarray(file[same], dtype=object), "same_as_row": row[same]}
    )  # fmt: skip
    if drop_duplicates and len(dup):
        bad[dup] = True
        parts.append(pd.DataFrame({"pos": dup, "column": "", "reason": "exact duplicate"}))
    problems = _problem_frame(raw, file, row, parts)
    return Checked(
        raw, file, row, ~bad, day, counts["sets_done"], counts["reps_done"], counts["hold_s"],
        pain, prow, problems, duplicates, pcode, offset,
    )  # fmt: skip


def _problem_frame(
    raw: pd.DataFrame, file: np.ndarray, row: np.ndarray, parts: Sequence[pd.DataFrame]
) -> pd.DataFrame:
    columns = ["pos", "file", "row", "column", "reason", "got"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in {"pos", "row"} else object)
                             for c in columns})  # fmt: skip
    out = pd.concat(parts, ignore_index=True).sort_values(["pos"], kind="stable")
    pos = out["pos"].to_numpy()
    out["file"] = np.asarray(file[pos], dtype=object)
    out["row"] = row[pos]
    got = []
    for p, c in zip(pos, out["column"], strict=True):
        value = raw[c].iat[p] if c in raw.columns else None
        got.append(None if value is None or (np.ndim(value) == 0 and pd.isna(value)) else value)
    out["got"] = got
    return out[columns].reset_index(drop=True)


def rejected_rows(checked: Checked) -> pd.DataFrame:
    """One row per rejected input row: file, row, column(s), reason(s), original values."""
    probs = checked.problems
    if probs.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else object)
                             for c in REJECTED_COLUMNS})  # fmt: skip
    joined = probs.groupby("pos", sort=True).agg(
        column=("column", lambda s: "; ".join(dict.fromkeys(x for x in s if x))),
        reason=("reason", lambda s: "; ".join(dict.fromkeys(s))),
    )
    pos = joined.index.to_numpy()
    original = checked.raw.iloc[pos].reindex(columns=list(LOG_COLUMNS)).reset_index(drop=True)
    head = pd.DataFrame(
        {"file": np.asarray(checked.file[pos], dtype=object), "row": checked.row[pos], "column": joined["column"].to_numpy(),
         "reason": joined["reason"].to_numpy()}
    )  # fmt: skip
    return pd.concat([head, original], axis=1)


def accepted_rows(checked: Checked) -> pd.DataFrame:
    """Accepted rows, typed (see :attr:`LogTable.accepted`)."""
    ok = checked.ok
    raw = checked.raw.loc[ok] if not ok.all() else checked.raw

    def counts(v: np.ndarray) -> pd.arrays.IntegerArray:
        return pd.array(np.where(v[ok] < 0, None, v[ok]), dtype="Int64")

    def text(name: str) -> pd.Series:
        if name not in raw.columns:
            return pd.Series([pd.NA] * len(raw), dtype="string")
        s = raw[name]
        return s if isinstance(s.dtype, pd.CategoricalDtype) else s.astype("string")

    return pd.DataFrame(
        {
            "file": np.asarray(checked.file[ok], dtype=object),
            "row": checked.row[ok],
            "patient": text("patient").to_numpy(),
            "date": checked.day[ok].astype("datetime64[D]").astype("datetime64[s]"),
            "exercise": text("exercise").to_numpy(),
            "sets_done": counts(checked.sets),
            "reps_done": counts(checked.reps),
            "hold_s": counts(checked.hold),
            "pain": checked.pain[ok],
            "note": text("note").to_numpy(),
        }
    )


def log_table(checked: Checked, sources: Sequence[str] = ()) -> LogTable:
    """Package checked rows as a :class:`LogTable`."""
    return LogTable(
        accepted=accepted_rows(checked),
        rejected=rejected_rows(checked),
        problems=checked.problems.drop(columns="pos"),
        duplicates=checked.duplicates,
        rows_read=len(checked.raw),
        sources=tuple(sources),
    )


def gather(source: object) -> tuple[pd.DataFrame, pd.Categorical, np.ndarray, list[str]]:
    """Read ``source`` into one frame with each row's file and spreadsheet row number."""
    frames = _frames(source)
    raw = pd.concat([t for _, t in frames], ignore_index=True) if len(frames) > 1 else frames[0][1]
    names = [f for f, _ in frames]
    sizes = [len(t) for _, t in frames]
    file = pd.Categorical.from_codes(
        np.repeat(np.arange(len(frames), dtype=np.int32), sizes), pd.Index(names).unique()
        if len(set(names)) == len(names) else [f"{n} ({i})" for i, n in enumerate(names)]
    )  # fmt: skip
    row = np.concatenate([np.asarray(t.index, dtype=np.int64) for _, t in frames])
    return raw.reset_index(drop=True), file, row + spreadsheet_row(0), names


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
    from .prescriptions import prescription_table

    raw, file, row, sources = gather(source)
    grid = None
    if prescriptions is not None:
        grid = Grid.build(prescription_table(prescriptions))  # type: ignore[arg-type]
    checked = check_rows(raw, file, row, exercise_ids(catalogue), grid, drop_duplicates)
    return log_table(checked, sources)
