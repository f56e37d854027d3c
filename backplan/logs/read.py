"""Step 1, read: log files (CSV, Excel, Parquet, a folder of them) or a DataFrame into one
raw frame, each row with its file and spreadsheet row number.

Columns (:data:`LOG_COLUMNS`)
------------------------------
patient            the patient label used on the plan (matched as
                   :func:`backplan.identity.patient_key` compares labels: "ZOË" is Zoë)
date               the day, written YYYY-MM-DD
exercise           catalogue id, e.g. ``heel-slides``
sets_done          sets done in that session
reps_done          reps per set (per side for per-side exercises). Leave ``sets_done`` and
                   ``reps_done`` both blank for "did the prescribed dose" (a diary tick).
hold_s             optional: seconds held
pain_during        optional: pain during the exercise, 0-10 (numeric rating scale); a
                   column named ``pain``, as older logs have, is read as this one
pain_next_morning  optional: pain the next morning, 0-10
note               optional: free text, kept exactly as written

Any other column is kept as written, after these (a comment column, say). Rows are
numbered as in a spreadsheet: the header is row 1, the first data row is row 2 (Parquet
files and DataFrames are numbered the same way). A file that cannot be read, or lacks a
required column, raises :class:`~backplan.errors.LogError`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from .._io.spreadsheets import spreadsheet_row
from ..catalogue import load_catalogue
from ..errors import LogError, Problem
from .formats import PARQUET, TEXT, read_log_file, unique_header
from .rules import MAX_COUNT, REASONS

__all__ = [
    "LOG_COLUMNS",
    "MAX_COUNT",
    "REASONS",
    "REJECTED_COLUMNS",
    "REQUIRED_COLUMNS",
    "Gathered",
    "gather",
]


LOG_COLUMNS: tuple[str, ...] = (
    "patient",
    "date",
    "exercise",
    "sets_done",
    "reps_done",
    "hold_s",
    "pain_during",
    "pain_next_morning",
    "note",
)
REQUIRED_COLUMNS: tuple[str, ...] = LOG_COLUMNS[:5]
REJECTED_COLUMNS: tuple[str, ...] = ("file", "row", "column", "reason", *LOG_COLUMNS)
#: Older names of log columns, read as the column they map to.
OLD_NAMES: dict[str, str] = {"pain": "pain_during"}


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


def _check_columns(table: pd.DataFrame, file: str) -> pd.DataFrame:
    """``table`` with its columns checked and old names (``pain``) read as the new ones."""
    unique_header([str(c) for c in table.columns], file)
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise LogError([Problem(file, 1, c, "this column in the header") for c in missing], file)
    both = [old for old, new in OLD_NAMES.items() if old in table.columns and new in table.columns]
    if both:
        raise LogError([Problem(file, 1, old, f"one of '{old}' and '{OLD_NAMES[old]}' (the "
                                f"old name of the same column), not both") for old in both], file)  # fmt: skip
    renamed = {old: new for old, new in OLD_NAMES.items() if old in table.columns}
    return table.rename(columns=renamed) if renamed else table


def _frames(source: object) -> list[tuple[str, pd.DataFrame, dict[str, str]]]:
    """``(file name, table, old names used)`` of every file in ``source``."""
    if isinstance(source, pd.DataFrame):
        table = _check_columns(source, "<DataFrame>")
        used = _old_names(source)
        return [("<DataFrame>", table.set_axis(pd.RangeIndex(len(table))), used)]
    if isinstance(source, str | os.PathLike):
        paths = _files(Path(source))
    elif isinstance(source, Iterable) and not isinstance(source, bytes):
        paths = [p for s in source for p in _files(Path(s))]
        if not paths:
            raise LogError([Problem("<logs>", None, None, "at least one log file (the list is "
                                    "empty)")])  # fmt: skip
    else:
        raise LogError([Problem("<logs>", None, None, "a log file, a folder, a list of files or a "
                                f"DataFrame (got {type(source).__name__})")])  # fmt: skip
    out = []
    for p in paths:
        table = read_log_file(p)
        used = _old_names(table)
        out.append((str(p), _check_columns(table, str(p)), used))
    return out


def _old_names(table: pd.DataFrame) -> dict[str, str]:
    """New name -> old name, for each old column name ``table`` uses."""
    return {new: old for old, new in OLD_NAMES.items() if old in table.columns}


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


@dataclass(frozen=True)
class Gathered:
    """Log rows as read: ``raw`` (every input column as written, old names read as new),
    each row's ``file`` (categorical) and spreadsheet ``row``, the ``sources`` read, and
    ``shown``: the column name to show in reasons for a column every source called by
    its old name (``{"pain_during": "pain"}``)."""

    raw: pd.DataFrame
    file: pd.Categorical
    row: np.ndarray
    sources: list[str]
    shown: dict[str, str]


def gather(source: object) -> Gathered:
    """Read ``source`` into one frame with each row's file and spreadsheet row number."""
    frames = _frames(source)
    raw = _concat([t for _, t, _ in frames]) if len(frames) > 1 else frames[0][1]
    names = [f for f, _, _ in frames]
    sizes = [len(t) for _, t, _ in frames]
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
        row = np.concatenate([np.asarray(t.index, dtype=np.int64) for _, t, _ in frames])
        row += spreadsheet_row(0)
    # a column is shown by its old name when every source that has it used the old name
    shown = {}
    for new, old in frames[0][2].items():
        if all(used.get(new) == old for _, t, used in frames if new in t.columns):
            shown[new] = old
    return Gathered(raw.reset_index(drop=True), file, row, names, shown)
