"""The checked rows as tables: one row per problem, per rejected row, per accepted row.

Built column by column (no Python loop over rows), so 100,000 rejected rows cost about as
much as a few column copies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .check import FOUND, Checked, as_objects, names_at, text_column
from .read import LOG_COLUMNS, REJECTED_COLUMNS

__all__ = ["accepted_rows", "rejected_rows"]


def _in_words(codes: np.ndarray) -> tuple[pd.Series, pd.Series]:
    """Each row's columns and reasons in words, from its problem code (see
    :func:`~backplan.logs.check.row_codes`): the distinct names in the order of
    :data:`~backplan.logs.check.FOUND`, joined by ``"; "``.

    Rows share a few distinct codes: each code is put in words once.
    """
    labels, distinct = pd.factorize(codes)
    columns, reasons = [], []
    for code in distinct.tolist():
        found = [pair for i, pair in enumerate(FOUND) if code >> i & 1]
        columns.append("; ".join(dict.fromkeys(c for c, _ in found if c)))
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


def rejected_rows(checked: Checked) -> pd.DataFrame:
    """One row per rejected input row: file, row, column(s), reason(s), original values."""
    pos, codes = checked.found  # ``pos`` in row order
    if not len(pos):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else object)
                             for c in REJECTED_COLUMNS})  # fmt: skip
    column, reason = _in_words(codes)
    columns: dict[str, object] = {
        "file": text_column(names_at(checked.file, pos)),
        "row": checked.row[pos],
        "column": column,
        "reason": reason,
    }
    raw = checked.raw
    for c in LOG_COLUMNS:  # each column's values as read
        columns[c] = _as_read(raw[c], pos) if c in raw.columns else np.full(len(pos), np.nan)
    return pd.DataFrame(columns, copy=False)  # new columns: not copied into blocks by type


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
