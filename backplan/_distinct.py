"""Parse each distinct value of a column once and spread the answers back to the rows.

Clinic files repeat the same few counts, dates and names thousands of times, so parsing
one value at a time in Python costs little when each distinct value is parsed once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["distinct_map"]


def distinct_map(
    s: pd.Series, parse: Callable[[Any], tuple[Any, ...]], fill: tuple[Any, ...], dtypes: tuple
) -> list[np.ndarray]:
    """``parse`` of each distinct value of a text column, spread back to the rows.

    A column of mixed Python objects (``True`` and ``1`` hash alike, so they cannot share
    a look-up table) is parsed value by value instead.
    """
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    except TypeError:  # a list in a cell cannot be hashed
        codes, uniques = None, [None]
    if all(isinstance(u, str) for u in uniques):
        answers = [parse(u) for u in uniques] + [fill]
        take = codes
    else:
        answers = [fill if v is None or v is pd.NA else parse(v) for v in s.tolist()]
        take = None
    columns = [np.array(col, dtype=t) for col, t in zip(zip(*answers, strict=True), dtypes,
                                                              strict=True)]  # fmt: skip
    return columns if take is None else [c[take] for c in columns]
