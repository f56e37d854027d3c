"""The one builder of row tables: accepted rows (typed) and rejected rows (as written).

Built column by column (no Python loop over rows), so 100,000 rejected rows cost about as
much as a few column copies. Every engine (a frame, a :class:`~backplan.LogTable`, Dask
partitions) makes its rejected rows here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .check import FOUND, Checked, as_objects, names_at, text_column
from .read import LOG_COLUMNS, REJECTED_COLUMNS

__all__ = ["accepted_rows", "rejected_rows"]


def _in_words(codes: np.ndarray, shown: Mapping[str, str]) -> tuple[pd.Series, pd.Series]:
    """Each row's columns and reasons in words, from its problem code (see
    :func:`~backplan.logs.check.row_codes`): the distinct names in the order of
    :data:`~backplan.logs.check.FOUND`, joined by ``"; "``; columns named as ``shown``.

    Rows share a few distinct codes: each code is put in words once.
    """
    labels, distinct = pd.factorize(codes)
    columns, reasons = [], []
    for code in distinct.tolist():
        found = [pair for i, pair in enumerate(FOUND) if code >> i & 1]
        columns.append("; ".join(dict.fromkeys(shown.get(c, c) for c, _ in found if c)))
        reasons.append("; ".join(dict.fromkeys(why for _, why in found)))
    return (text_column(np.asarray(columns, dtype=object)[labels]),
            text_column(np.asarray(reasons, dtype=object)[labels]))  # fmt: skip


def _as_read(s: pd.Series, pos: np.ndarray) -> pd.Series:
    """The values of ``s`` at ``pos`` as read; text categories as text objects."""
    if isinstance(s.dtype, pd.CategoricalDtype) and s.cat.categories.dtype.kind in "OT":
        text = np.append(np.asarray(s.cat.categories, dtype=object), None)  # code -1: None
        return text_column(text[s.cat.codes.to_numpy()[pos]])
    values = pd.Series(s.array.take(pos), dtype=s.dtype)  # quicker than iloc
    if isinstance(values.dtype, pd.CategoricalDtype):
        return text_column(as_objects(values))
    return values


def extra_columns(raw: pd.DataFrame) -> list[str]:
    """Input columns beyond the :data:`LOG_COLUMNS` (kept as written, after them)."""
    return [c for c in raw.columns if c not in LOG_COLUMNS and c not in ("file", "row")]


def rejected_rows(
    raw: pd.DataFrame,
    file: Any,
    row: np.ndarray,
    found: tuple[np.ndarray, np.ndarray],
    shown: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per rejected input row: file, row, column(s), reason(s) and every input
    column as written (``found``: the rejected rows' positions in row order and their
    problem codes, see :func:`~backplan.logs.check.row_codes`)."""
    pos, codes = found
    extra = extra_columns(raw)
    if not len(pos):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else object)
                             for c in (*REJECTED_COLUMNS, *extra)})  # fmt: skip
    column, reason = _in_words(codes, shown or {})
    columns: dict[str, object] = {
        "file": text_column(names_at(file, pos)),
        "row": row[pos],
        "column": column,
        "reason": reason,
    }
    for c in (*LOG_COLUMNS, *extra):  # each column's values as read
        columns[c] = _as_read(raw[c], pos) if c in raw.columns else np.full(len(pos), np.nan)
    return pd.DataFrame(columns, copy=False)  # new columns: not copied into blocks by type


def rejected_of(checked: Checked) -> pd.DataFrame:
    """:func:`rejected_rows` of checked rows."""
    return rejected_rows(checked.raw, checked.file, checked.row, checked.found, checked.shown)


def _texts(values: object, pos: np.ndarray | None, blank: object = None) -> object:
    """Text values (at ``pos``; all when ``None``) as a column of text; each distinct text
    of a categorical is converted once and spread by code (a million rows in
    milliseconds), ``blank`` where a value is missing."""
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, pd.Categorical) and values.categories.dtype.kind in "OT":
        codes = values.codes if pos is None else values.codes[pos]
        if not len(codes):
            return None  # made as any other column: an empty table's columns stay objects
        names = np.append(np.asarray(values.categories, dtype=object), blank)
        return pd.array(names, dtype="str").take(np.where(codes < 0, len(names) - 1, codes))
    return None


def accepted_rows(checked: Checked) -> pd.DataFrame:
    """Accepted rows, typed (see :attr:`LogTable.accepted`)."""
    ok = checked.ok
    every = bool(ok.all())
    pos = None if every else np.flatnonzero(ok)
    raw = checked.raw
    assert checked.day is not None and checked.pain is not None and checked.morning is not None

    def at(values: np.ndarray) -> np.ndarray:
        return values if pos is None else values[pos]

    def counts(v: np.ndarray) -> pd.arrays.IntegerArray:
        v = np.broadcast_to(at(v), (len(ok) if pos is None else len(pos),))
        blank = v < 0
        return pd.arrays.IntegerArray(np.where(blank, 0, v).astype(np.int64), blank)

    def text(name: str) -> object:
        if name not in raw.columns:
            return pd.Series([pd.NA] * n, dtype="string").to_numpy()
        fast = _texts(raw[name], pos)
        if fast is not None:
            return fast
        s = raw[name] if pos is None else raw[name].iloc[pos]
        return s.astype("string").to_numpy()

    def written(name: str) -> object:
        """Text kept exactly as written, '' when blank."""
        if name not in raw.columns:
            return np.full(n, "", dtype=object)
        fast = _texts(raw[name], pos, "")
        if fast is not None:
            return fast
        values = as_objects(raw[name] if pos is None else raw[name].iloc[pos])
        values[pd.isna(values)] = ""
        return values.astype(str).astype(object) if values.dtype != object else values

    n = len(ok) if pos is None else len(pos)
    file = _texts(checked.file, pos)
    out = {
        "file": np.asarray(at(np.asarray(checked.file)), dtype=object) if file is None else file,
        "row": at(checked.row),
        "patient": text("patient"),
        "date": at(checked.day).astype("datetime64[D]").astype("datetime64[s]"),
        "exercise": text("exercise"),
        "sets_done": counts(checked.sets),
        "reps_done": counts(checked.reps),
        "hold_s": counts(checked.hold),
        "pain_during": at(checked.pain),
        "pain_next_morning": at(checked.morning),
        "note": written("note"),
    }
    for c in extra_columns(raw):
        out[c] = _as_read(raw[c], np.arange(len(raw)) if pos is None else pos)
    return pd.DataFrame(out)
