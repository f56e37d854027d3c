"""Step 1, read: log files (CSV, Excel, Parquet, a folder of them) or a DataFrame into one
raw frame, each row with its file and spreadsheet row number.

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
lacks a required column, raises :class:`~backplan.errors.LogError`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from .._io.spreadsheets import spreadsheet_row
from ..catalogue import load_catalogue
from ..errors import LogError, Problem
from .formats import PARQUET, TEXT, read_log_file, unique_header

__all__ = ["LOG_COLUMNS", "MAX_COUNT", "REASONS", "REJECTED_COLUMNS", "REQUIRED_COLUMNS", "gather"]


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
#: The largest count (sets, reps, seconds held) a session can log.
MAX_COUNT = 10_000
REJECTED_COLUMNS: tuple[str, ...] = ("file", "row", "column", "reason", *LOG_COLUMNS)
#: Every reason a row can be rejected for, with what a valid value looks like.
REASONS: dict[str, str] = {
    "missing value": "a value in this column",
    "unparseable date": "a date written YYYY-MM-DD",
    "date outside 1900-2100": "a date from 1900 to 2100",
    "unknown exercise": "an exercise id from the catalogue",
    "unknown patient": "a patient label that has a plan",
    "not a number": "a number",
    "not a whole number": "a whole number",
    "negative count": "a count of 0 or more",
    f"count above {MAX_COUNT}": f"a count from 0 to {MAX_COUNT}",
    "pain outside 0-10": "pain from 0 to 10",
    "only one of sets_done and reps_done": "both sets_done and reps_done, or both blank",
    "date before plan start": "a date on or after the plan's first day",
    "date after plan end": "a date on or before the plan's last day",
    "exercise not prescribed that week": "an exercise the plan sets in that week",
    "exact duplicate": "a row that differs from every earlier row",
}


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.suffix.lower() in PARQUET | TEXT)
        if not found:
            raise LogError([Problem(str(path), None, None, "a folder holding log files")])
        return found
    if not path.exists():
        raise LogError([Problem(str(path), None, None, "an existing file or folder")])
    if path.suffix.lower() not in PARQUET | TEXT:
        raise LogError([Problem(str(path), None, None, "a .csv, .xlsx or .parquet file")])
    return [path]


def _check_columns(table: pd.DataFrame, file: str) -> None:
    unique_header([str(c) for c in table.columns], file)
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
        table = read_log_file(p)
        _check_columns(table, str(p))
        out.append((str(p), table))
    return out


def exercise_ids(catalogue: pd.DataFrame | None = None) -> pd.Index:
    """Exercise ids of ``catalogue``, or of the shipped catalogue (read once per session)."""
    return pd.Index((load_catalogue() if catalogue is None else catalogue)["id"])


def _concat(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Tables one under the other; text categoricals stay categoricals (categories joined)."""
    columns = list(dict.fromkeys(c for t in tables for c in t.columns))
    out = {}
    for c in columns:
        parts = [t[c] if c in t.columns else pd.Series([""] * len(t), dtype="category")
                 for t in tables]  # fmt: skip
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            same = [pd.Categorical.from_codes(p.cat.codes, p.cat.categories.astype(str))
                    for p in parts]  # fmt: skip
            out[c] = union_categoricals(same, ignore_order=True)
        else:
            out[c] = pd.concat([p.astype(object) if isinstance(p.dtype, pd.CategoricalDtype)
                                else p for p in parts], ignore_index=True)  # fmt: skip
    return pd.DataFrame(out)


def gather(source: object) -> tuple[pd.DataFrame, pd.Categorical, np.ndarray, list[str]]:
    """Read ``source`` into one frame with each row's file and spreadsheet row number."""
    frames = _frames(source)
    raw = _concat([t for _, t in frames]) if len(frames) > 1 else frames[0][1]
    names = [f for f, _ in frames]
    sizes = [len(t) for _, t in frames]
    file = pd.Categorical.from_codes(
        np.repeat(np.arange(len(frames), dtype=np.int32), sizes) if len(frames) > 1
        else np.zeros(sizes[0], dtype=np.int8), pd.Index(names).unique()
        if len(set(names)) == len(names) else [f"{n} ({i})" for i, n in enumerate(names)]
    )  # fmt: skip
    if len(frames) == 1 and isinstance(frames[0][1].index, pd.RangeIndex):
        index = frames[0][1].index  # one pass, not two
        start = spreadsheet_row(0)
        row = np.arange(index.start + start, index.stop + start, index.step, dtype=np.int64)
    else:
        row = np.concatenate([np.asarray(t.index, dtype=np.int64) for _, t in frames])
        row += spreadsheet_row(0)
    return raw.reset_index(drop=True), file, row, names
