"""Exact duplicate log rows: found by hashing parsed values, then confirmed column by column.

Examples
--------
>>> import numpy as np
>>> duplicate_pairs([np.array([1, 2, 1, 1]), np.array([5, 5, 5, 6])]).tolist()
[[2], [0]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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


def duplicate_pairs(
    columns: Sequence[np.ndarray],
    hash_rows: Callable[[Sequence[np.ndarray]], np.ndarray] = _hash,
) -> np.ndarray:
    """Rows equal to an earlier row in every column, and that earlier row.

    Rows are first narrowed by hash buckets (two rounds of ``bincount``, no sorting of
    the full table), then the few that may repeat are grouped by their 64-bit hash and
    compared column by column, so the answer is exact, also when different rows share a
    hash (``hash_rows``, the 64-bit hash by default, can be a weaker one to show it).

    Returns
    -------
    numpy.ndarray
        Shape ``(2, k)``: positions of duplicate rows (in row order) and of the first rows
        they repeat.
    """
    n = len(columns[0]) if columns else 0
    pos = np.arange(n)
    h = hash_rows(columns) if n else np.zeros(0, np.uint64)
    for shift in (0, 32):
        if len(pos) < 2:
            return np.zeros((2, 0), dtype=np.int64)
        # about 2-4 buckets a row, at most 2**21 (16 MB of counts, reused, not mapped anew)
        bits = min(21, max(10, len(pos).bit_length() + 1))
        bucket = ((h >> np.uint64(shift)) & np.uint64((1 << bits) - 1)).astype(np.int64)
        keep = (np.bincount(bucket, minlength=1 << bits) > 1)[bucket]
        pos, h = pos[keep], h[keep]
    # equal hashes get equal codes, numbered in order of first appearance
    codes = pd.factorize(h)[0]
    if not len(codes):  # every row was alone in a bucket: no duplicates
        return np.zeros((2, 0), dtype=np.int64)
    first = np.r_[True, codes[1:] > np.maximum.accumulate(codes)[:-1]]
    dup = pos[~first]
    same = pos[first][codes[~first]]
    if all(np.array_equal(c[dup], c[same]) for c in columns):
        return np.vstack([dup, same])
    return _pairs_by_sorting(columns, pos, h)  # two different rows share a hash: rare


def _pairs_by_sorting(columns: Sequence[np.ndarray], pos: np.ndarray, h: np.ndarray) -> np.ndarray:
    """:func:`duplicate_pairs` for rows ``pos`` with hashes ``h``, exact when hashes collide:
    rows sorted by hash and then by every column, then each compared with the one before."""
    values = [c[pos] for c in columns]
    order = np.lexsort([*values[::-1], h])  # stable: pos is increasing, ties keep row order
    pos, h = pos[order], h[order]
    same = h[1:] == h[:-1]
    for c in columns:
        v = c[pos]
        same &= v[1:] == v[:-1]
    start = np.r_[True, ~same]
    first = pos[start][np.cumsum(start) - 1]
    dup = ~start
    pairs = np.vstack([pos[dup], first[dup]])
    return pairs[:, np.argsort(pairs[0], kind="stable")]
