"""The checked rows as tables: one row per problem, per rejected row, per accepted row.

Built column by column (no Python loop over rows), so 100,000 rejected rows cost about as
much as a few column copies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .check import Checked, as_objects, names_at
from .read import LOG_COLUMNS, REJECTED_COLUMNS

__all__ = ["accepted_rows", "rejected_rows"]


def _join(values: pd.Categorical, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Per row (its problems ``sizes[i]`` entries from ``starts[i]``, in a table sorted by
    row), its distinct non-empty ``values`` joined by ``"; "``.

    A row with one problem (most rows) takes its own text; for rows with several, each row's
    set of codes becomes one bit mask, and only the distinct masks (a handful) are joined.
    """
    names = list(values.categories)
    codes = values.codes
    out = np.asarray(names, dtype=object)[codes[starts]]
    several = np.flatnonzero(sizes > 1)
    if not len(several):
        return out
    # the problems of those rows only, and where each of their rows begins
    counts = sizes[several]
    first = np.cumsum(counts) - counts
    at = np.repeat(starts[several] - first, counts) + np.arange(int(counts.sum()))
    mine = codes.take(at).astype(np.int64)
    empty = np.asarray([n == "" for n in names], dtype=bool)
    bits = np.where(empty[mine], 0, np.left_shift(1, mine % 63))
    mask = np.bitwise_or.reduceat(bits, first)
    uniq, back = np.unique(mask, return_inverse=True)
    texts = ["; ".join(n for i, n in enumerate(names) if m >> (i % 63) & 1) for m in uniq.tolist()]
    out[several] = np.asarray(texts, dtype=object)[back]
    return out


def _as_read(s: pd.Series, pos: np.ndarray) -> pd.Series:
    """The values of ``s`` at ``pos`` as read; text categories as text objects."""
    if isinstance(s.dtype, pd.CategoricalDtype) and s.cat.categories.dtype.kind in "OT":
        text = np.append(np.asarray(s.cat.categories, dtype=object), None)  # code -1: None
        return pd.Series(text[s.cat.codes.to_numpy()[pos]], dtype=object)
    values = pd.Series(s.array.take(pos), dtype=s.dtype)  # quicker than iloc
    if isinstance(values.dtype, pd.CategoricalDtype):
        return pd.Series(as_objects(values), dtype=object)
    return values


def rejected_rows(checked: Checked) -> pd.DataFrame:
    """One row per rejected input row: file, row, column(s), reason(s), original values."""
    where, column, reason = checked.problem_codes()  # ``where`` sorted
    if not len(where):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else object)
                             for c in REJECTED_COLUMNS})  # fmt: skip
    starts = np.flatnonzero(np.r_[True, where[1:] != where[:-1]])
    sizes = np.diff(starts, append=len(where))  # problems per row
    pos = where[starts]
    columns: dict[str, object] = {
        "file": pd.Series(names_at(checked.file, pos), dtype=object),
        "row": checked.row[pos],
        "column": pd.Series(_join(column, starts, sizes), dtype=object),
        "reason": pd.Series(_join(reason, starts, sizes), dtype=object),
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
