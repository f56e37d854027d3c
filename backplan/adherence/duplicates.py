"""Exact duplicate log rows: found by hashing parsed values, then confirmed column by column.

Examples
--------
>>> import numpy as np
>>> duplicate_pairs([np.array([1, 2, 1, 1]), np.array([5, 5, 5, 6])]).tolist()
[[2], [0]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["duplicate_pairs"]


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


def codes_of(s: pd.Series) -> np.ndarray:
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
    order = np.argsort(h, kind="stable")  # pos is increasing: ties keep row order
    pos, h = pos[order], h[order]
    same = h[1:] == h[:-1]
    for c in columns:
        v = c[pos]
        same &= v[1:] == v[:-1]
    start = np.r_[True, ~same]
    first = pos[start][np.cumsum(start) - 1]
    dup = ~start
    return np.vstack([pos[dup], first[dup]])
