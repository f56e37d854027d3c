"""Cell values of a log parsed without per-row Python: blanks, counts, numbers, dates.

Which cell is a count, a number or a date is decided by :mod:`backplan._io.numbers`, the
parser the catalogue uses too: ASCII digits only, ``12.0`` is the whole number 12 (as
spreadsheet exports write it), no ``inf``, ``nan``, exponent or True/False. Text columns
are parsed once per distinct value (a log repeats the same few patients, exercises, dates
and counts) and spread back to the rows by integer codes; categorical columns once per
frame (``memo``), however many chunks are checked.

Examples
--------
>>> import pandas as pd
>>> s = pd.Series(["10", "inf", "-2", "1.5", "", "7.0"])
>>> values, fails = counts(s, blank(s))
>>> values.tolist(), [(why, mask.tolist()[:4]) for mask, why in fails if mask.any()]
([10, -1, -1, -1, -1, 7], [('not a number', [False, True, False, False]), ('negative count', [False, False, True, False]), ('not a whole number', [False, False, False, True])])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .._io.dates import FIRST_DAY, LAST_DAY, date_days
from .._io.dates import NO_DAY as NAT
from .._io.numbers import Why, decimal_numbers, whole_numbers, why_text
from .read import MAX_COUNT

__all__ = ["FAILS", "FIRST_DAY", "LAST_DAY", "NAT", "blank", "counts", "days", "floats", "isin"]


def per_category(s: pd.Series, fn: Callable[[pd.Index], Any], memo: dict | None, key: Any) -> Any:
    """``fn(categories)`` of a categorical column, worked out once per ``memo`` and ``key``.

    Chunks of one frame share their categories: ``memo`` (one dict per frame) keeps the
    answer so that each chunk only looks up its integer codes.
    """
    if memo is None:
        return fn(s.cat.categories)
    if key not in memo:
        memo[key] = fn(s.cat.categories)
    return memo[key]


def blank(s: pd.Series, memo: dict | None = None) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.isna().to_numpy()
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = per_category(s, lambda c: np.asarray(c.astype(str).str.strip() == ""), memo,
                            ("blank", s.name))  # fmt: skip
        codes = s.cat.codes.to_numpy()
        if not cats.any():
            return codes < 0
        return (codes < 0) | cats[np.maximum(codes, 0)]
    return (s.isna() | (s.astype("string").str.strip() == "")).to_numpy(bool)


def _on_categories(
    s: pd.Series, fn: Callable[[pd.Index], Any], memo: dict | None, key: Any
) -> tuple[Any, np.ndarray]:
    """``fn`` of a categorical column's categories (once per ``memo``) and the row codes."""
    return per_category(s, fn, memo, key), s.cat.codes.to_numpy()


def counts(
    s: pd.Series, blank: np.ndarray, memo: dict | None = None
) -> tuple[np.ndarray, list[tuple[np.ndarray, str]]]:
    """Whole-number counts 0 to MAX_COUNT as int64 (-1 where blank or unreadable) and the
    failed checks, by the rules of :func:`backplan._io.numbers.whole_numbers` (``12.0`` is
    12; True/False, inf, ``1e3`` and numbers of 2**63 and more are not counts).
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        (numbers, why), codes = _on_categories(
            s, lambda c: whole_numbers(c, 0, MAX_COUNT), memo, ("counts", s.name)
        )
        values = np.append(numbers, -1)[codes]
        if why.max(initial=0) <= Why.MISSING:  # no category fails: the usual case
            return values, []
        fails = []
        for code in FAILS:  # each reason found among the categories, spread to the rows
            failing = why == code
            if failing.any():
                fails.append(
                    (np.append(failing, False)[codes] & ~blank, why_text(code, 0, MAX_COUNT))
                )
        return values, fails
    values, why = whole_numbers(s, 0, MAX_COUNT)
    if why.max(initial=0) <= Why.MISSING:  # every value a count or blank: the usual case
        return values, []
    # a typed column's blanks are its missing values; text may hold other blanks (a no-break
    # space) that are no number but not a reason to reject either
    typed = pd.api.types.is_numeric_dtype(s.dtype)
    # which reasons occur: counted over the few failing values only
    found = np.bincount(why[why > int(Why.MISSING)], minlength=max(FAILS) + 1)
    fails = []
    for code in FAILS:
        if found[code]:
            mask = why == code
            fails.append((mask if typed else mask & ~blank, why_text(code, 0, MAX_COUNT)))
    return values, fails


#: The reasons a count can fail (in the order rejected rows list them), as plain ints:
#: numpy compares an array with an ``IntEnum`` many times slower than with an int.
FAILS = tuple(int(w) for w in (Why.NOT_A_NUMBER, Why.NEGATIVE, Why.ABOVE, Why.FRACTION, Why.BELOW))


def floats(s: pd.Series, blank: np.ndarray, memo: dict | None = None) -> np.ndarray:
    """Values as float64; NaN where blank or not a number (True/False and inf are not
    numbers), by the rules of :func:`backplan._io.numbers.decimal_numbers`."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        numbers, codes = _on_categories(s, decimal_numbers, memo, ("floats", s.name))
        return np.append(numbers, np.nan)[codes]
    return decimal_numbers(s)


def days(s: pd.Series, memo: dict | None = None) -> np.ndarray:
    """Days since 1970-01-01 as int64; :data:`NAT` where the date cannot be read (see
    :func:`backplan._io.dates.date_days`; the 1900-2100 range is checked by the caller)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        numbers, codes = _on_categories(s, date_days, memo, ("days", s.name))
        return np.append(numbers, NAT)[codes]
    return date_days(s)


def isin(s: pd.Series, values: pd.Index, memo: dict | None = None) -> np.ndarray:
    if isinstance(s.dtype, pd.CategoricalDtype):
        ok = per_category(s, lambda c: np.asarray(c.astype(str).isin(values)), memo,
                          ("isin", s.name))  # fmt: skip
        codes = s.cat.codes.to_numpy()
        if ok.all():
            return codes >= 0
        return np.append(ok, False)[codes]  # code -1 (missing) picks the appended False
    return s.astype(str).isin(values).to_numpy(bool)
