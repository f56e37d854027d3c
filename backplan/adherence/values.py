"""Cell values of a log parsed without per-row Python: blanks, counts, numbers, dates.

Text columns are parsed once per distinct value (a log repeats the same few patients,
exercises, dates and counts) and spread back to the rows by integer codes.

Examples
--------
>>> import pandas as pd
>>> values, fails = counts(pd.Series(["10", "inf", "-2", "1.5", ""]), blank(pd.Series([""] * 5)))
>>> values.tolist(), [(why, mask.tolist()) for mask, why in fails if mask.any()]
([10, -1, -1, -1, -1], [('not a number', [False, True, False, False, False]), ('negative count', [False, False, True, False, False]), ('not a whole number', [False, False, False, True, False])])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .read import MAX_COUNT

__all__ = ["FIRST_DAY", "LAST_DAY", "NAT", "blank", "counts", "days", "floats", "isin"]


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


#: A number as text: ASCII digits, an optional sign and decimal point; no exponent, no
#: ``inf`` or ``nan``, no other scripts' digits.
_DECIMAL = r"\s*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*"


def _text_floats(values: pd.Index) -> np.ndarray:
    """Distinct text values as float64 (NaN where not a plain decimal number)."""
    text = pd.Series(np.asarray(values.astype(str), dtype=object), dtype="string")
    plain = text.str.fullmatch(_DECIMAL).fillna(False).to_numpy(bool)
    out = np.full(len(text), np.nan)
    if plain.any():
        out[plain] = pd.to_numeric(text[plain].str.strip()).to_numpy(np.float64)
    return out


def _spread(
    s: pd.Series,
    fn: Callable[[pd.Index], tuple[np.ndarray, ...]],
    fill: tuple[Any, ...],
    memo: dict | None,
    key: Any,
) -> list[np.ndarray]:
    """``fn`` over each distinct value of a text column, spread to the rows by code.

    Categoricals use their categories (worked out once per ``memo``); other columns are
    factorized first. A missing value (code -1) takes ``fill``.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy()
        answers = per_category(s, fn, memo, key)
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        answers = fn(pd.Index(uniques))
    return [np.append(a, f)[codes] for a, f in zip(answers, fill, strict=True)]


def _count_checks(v: np.ndarray, blank: np.ndarray) -> tuple[np.ndarray, ...]:
    """Counts as int64 (-1 where blank or failing) and the masks of each failed check."""
    nan = np.isnan(v)
    with np.errstate(invalid="ignore"):
        negative, big = v < 0, v > MAX_COUNT
        fraction = ~(nan | negative | big) & (v != np.floor(v))
    fail = nan | negative | big | fraction
    values = np.where(fail, -1.0, v).astype(np.int64)
    return values, nan & ~blank, negative, big, fraction


_COUNT_REASONS = ("not a number", "negative count", f"count above {MAX_COUNT}",
                  "not a whole number")  # fmt: skip


def counts(
    s: pd.Series, blank: np.ndarray, memo: dict | None = None
) -> tuple[np.ndarray, list[tuple[np.ndarray, str]]]:
    """Whole-number counts 0 to MAX_COUNT as int64 (-1 where blank or unreadable) and the
    failed checks. True/False, inf and numbers of 2**63 and more are not counts.
    """
    dtype = s.dtype
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        data, mask = _masked_parts(s)
        missing = blank if mask is None else (mask | blank)
        negative = (data < 0) & ~missing  # compared in the column's own type: no overflow
        big = (data > MAX_COUNT) & ~missing
        values = np.where(missing | negative | big, -1, data).astype(np.int64)
        return values, [(negative, "negative count"), (big, f"count above {MAX_COUNT}")]
    if isinstance(dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(dtype):

        def on_values(c: pd.Index) -> tuple[np.ndarray, ...]:
            empty = np.asarray(c.astype(str).str.strip() == "")
            return _count_checks(_text_floats(c), empty)

        values, *fails = _spread(s, on_values, (-1, False, False, False, False), memo,
                                 ("counts", s.name))  # fmt: skip
    else:
        values, *fails = _count_checks(floats(s, blank), blank)
    return values, list(zip(fails, _COUNT_REASONS, strict=True))


def floats(s: pd.Series, blank: np.ndarray, memo: dict | None = None) -> np.ndarray:
    """Values as float64; NaN where blank or not a number (True/False is not a number)."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return np.full(len(s), np.nan)
    if isinstance(s.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        return _spread(s, lambda c: (_text_floats(c),), (np.nan,), memo, ("floats", s.name))[0]
    return s.to_numpy(np.float64, na_value=np.nan)


def _masked_parts(s: pd.Series) -> tuple[np.ndarray, np.ndarray | None]:
    """Values and NA mask of a nullable integer column (mask ``None`` for plain numpy)."""
    arr = s.array
    data, mask = getattr(arr, "_data", None), getattr(arr, "_mask", None)
    if isinstance(data, np.ndarray) and isinstance(mask, np.ndarray) and mask.dtype == bool:
        return data, mask
    return s.to_numpy(), None


_PER_DAY = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000,
            "us": 86_400_000_000, "ns": 86_400_000_000_000}  # fmt: skip
NAT = np.iinfo(np.int64).min
#: Dates a log may hold: 1900-01-01 to 2100-12-31, as days since 1970-01-01.
FIRST_DAY, LAST_DAY = -25_567, 47_846


def _day_numbers(values: np.ndarray) -> np.ndarray:
    """datetime64 values as int64 days since 1970-01-01 (floor), ``INT64_MIN`` at NaT.

    Integer division of the raw ticks: the same days as ``astype("datetime64[D]")``,
    several times faster.
    """
    unit, count = np.datetime_data(values.dtype)
    per_day = _PER_DAY.get(unit)
    if per_day is None or count != 1:
        return values.astype("datetime64[D]").astype(np.int64)
    ticks = values.view(np.int64)
    days = ticks // per_day
    nat = ticks == NAT
    if nat.any():
        days[nat] = NAT
    return days


def days(s: pd.Series, memo: dict | None = None) -> np.ndarray:
    """Days since 1970-01-01 as int64; ``INT64_MIN`` where the date cannot be read."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        values = s.to_numpy()
        if values.dtype.kind == "M":
            return _day_numbers(values)
        s = pd.Series(values)  # tz-aware
    elif isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object:
        return _spread(s, lambda c: (_parse_days(pd.Series(c)),), (NAT,), memo,
                       ("days", s.name))[0]  # fmt: skip
    return _parse_days(s)


def _parse_days(s: pd.Series) -> np.ndarray:
    parsed = pd.to_datetime(s.astype("string"), format="ISO8601", errors="coerce")
    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_localize(None)
    values = parsed.to_numpy()
    ok = ~np.isnat(values)
    ok &= values == values.astype("datetime64[D]")  # a time of day is not a diary date
    return np.where(ok, values.astype("datetime64[D]").astype(np.int64), np.iinfo(np.int64).min)


def isin(s: pd.Series, values: pd.Index, memo: dict | None = None) -> np.ndarray:
    if isinstance(s.dtype, pd.CategoricalDtype):
        ok = per_category(s, lambda c: np.asarray(c.astype(str).isin(values)), memo,
                          ("isin", s.name))  # fmt: skip
        codes = s.cat.codes.to_numpy()
        if ok.all():
            return codes >= 0
        return (codes >= 0) & ok[np.maximum(codes, 0)]
    return s.astype(str).isin(values).to_numpy(bool)
