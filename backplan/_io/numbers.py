"""The one parser for numbers typed by people: ASCII digits, stated ranges.

Catalogue doses and log counts, pain scores and dates come from CSV, Excel and Parquet
files. Python's own ``int()``, ``float()`` and ``str.isdigit()`` accept far more than a
clinic means: ``"²"`` passes ``isdigit()`` and then crashes ``int()``, Arabic-Indic ``"١٠"``
reads as 10, ``float("inf")``, ``"1e3"`` and ``True`` count as numbers, and a 5,000-digit
string takes quadratic time to convert. The catalogue (:mod:`backplan.catalogue`) and the
logs (:mod:`backplan.logs.values`) both read numbers here (and dates in
:mod:`backplan._io.dates`), so a cell means the same in both.

Whole numbers (doses, counts)
-----------------------------
A cell is a whole number when it is

* text of ASCII digits ``0-9``, optionally followed by a decimal point and zeros only
  (``"12"``, ``"012"``, ``"12.0"``, ``"12.00"``), with spaces or tabs around it allowed.
  ``"12.0"`` is accepted because spreadsheet and pandas exports write it for a whole
  number in a column that also holds blanks or decimals; an Excel cell holding 12 arrives
  as the float ``12.0`` anyway, and the text must mean the same as the cell;
* an ``int`` (not a ``bool``), or a finite ``float`` with no fractional part;

and its value lies between the caller's ``low`` and ``high`` inclusive (every caller
states its bounds). Everything else is refused with one reason (:class:`Why`): not a
number (other scripts' digits, ``inf``, ``nan``, ``1e3``, ``+5``, ``0x10``, ``1,000``,
``True``/``False``), negative (any minus sign, ``-0`` too), above ``high``, not a whole
number (``1.5``, ``.0``, ``12.``), or below ``low``. A blank cell (empty text, ``None``,
``NaN``) is :attr:`Why.MISSING`: callers decide whether blanks are allowed.

* :func:`parse_whole`: one value, the ``int`` or ``None``;
* :func:`whole_numbers`: a whole column at once, as ``int64`` values (``-1`` where refused)
  and a :class:`Why` code per value, text parsed once per distinct value;
* :func:`parse_whole_series`: the same as a nullable ``Int64`` Series;
* :func:`why_text`: the reason in words (``"count above 10000"``).

Decimal numbers (pain scores) use the same grammar with any fraction allowed
(:func:`decimal_numbers`).

Dates follow the same rules (ASCII digits, a stated range): see :mod:`backplan._io.dates`.

Examples
--------
>>> parse_whole("12", 0, 50), parse_whole(" 7 ", 0, 50), parse_whole(10.0, 0, 50)
(12, 7, 10)
>>> parse_whole("12.0", 0, 50), parse_whole("12.00", 0, 50)
(12, 12)
>>> [parse_whole(v, 0, 50) for v in ["²", "١٠", "-1", "1e3", "inf", True, 51, 2.5, "1.5"]]
[None, None, None, None, None, None, None, None, None]
>>> import pandas as pd
>>> parse_whole_series(pd.Series(["3", "x", " 40", "", "٣"]), 0, 50).tolist()
[3, <NA>, 40, <NA>, <NA>]
>>> numbers, why = whole_numbers(pd.Series(["10", "inf", "-2", "1.5", "", "20000"]), 0, 10000)
>>> numbers.tolist(), [why_text(w, 0, 10000) for w in why]
([10, -1, -1, -1, -1, -1], ['', 'not a number', 'negative count', 'not a whole number', 'missing value', 'count above 10000'])
>>> expected_text(1, 50)
'a whole number from 1 to 50'
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from enum import IntEnum
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MAX_BOUND",
    "Why",
    "decimal_numbers",
    "distinct_map",
    "expected_text",
    "parse_whole",
    "parse_whole_series",
    "whole_numbers",
    "why_text",
]


# Clinic files repeat the same few counts, dates and names thousands of times, so each
# distinct value is parsed once in Python and the answers are spread back to the rows.
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


#: The largest upper bound a caller may state: it fits int64 with room to add counts up.
MAX_BOUND = 10**15
#: A number as text: ASCII digits with an optional minus sign and decimal point; no
#: exponent, no ``inf`` or ``nan``, no other scripts' digits, spaces and tabs around.
_NUMBER = re.compile(r"[ \t]*(-?)([0-9]*)(?:\.([0-9]*))?[ \t]*")
_BLANK = " \t"


class Why(IntEnum):
    """Why a value is not a whole number inside its bounds (``OK`` when it is one)."""

    OK = 0
    MISSING = 1
    NOT_A_NUMBER = 2
    NEGATIVE = 3
    ABOVE = 4
    FRACTION = 5
    BELOW = 6


def why_text(why: int, low: int, high: int, noun: str = "count") -> str:
    """The reason ``why`` in words (empty for ``OK``); ``noun`` names what was expected.

    >>> [why_text(w, 1, 50, "dose") for w in Why]
    ['', 'missing value', 'not a number', 'negative dose', 'dose above 50', 'not a whole number', 'dose below 1']
    """
    return {
        Why.OK: "",
        Why.MISSING: "missing value",
        Why.NOT_A_NUMBER: "not a number",
        Why.NEGATIVE: f"negative {noun}",
        Why.ABOVE: f"{noun} above {high}",
        Why.FRACTION: "not a whole number",
        Why.BELOW: f"{noun} below {low}",
    }[Why(why)]


def _check_bounds(low: int, high: int) -> None:
    if not (0 <= low <= high <= MAX_BOUND):
        raise ValueError(f"bounds must satisfy 0 <= low <= high <= {MAX_BOUND}, got {low}, {high}")


def expected_text(low: int, high: int) -> str:
    """What a valid value looks like, for error messages."""
    return f"a whole number from {low} to {high}"


def _bounded(number: int, low: int, high: int) -> tuple[int, Why]:
    if number < 0:
        return -1, Why.NEGATIVE
    if number > high:
        return -1, Why.ABOVE
    if number < low:
        return -1, Why.BELOW
    return number, Why.OK


def _text_whole(text: str, low: int, high: int) -> tuple[int, Why]:
    match = _NUMBER.fullmatch(text)
    if match is None:
        return -1, Why.MISSING if not text.strip(_BLANK) else Why.NOT_A_NUMBER
    sign, whole, fraction = match.groups()
    if not whole and not fraction:  # "", "-", "." or only spaces
        return -1, Why.NOT_A_NUMBER if sign or fraction is not None else Why.MISSING
    if sign:
        return -1, Why.NEGATIVE
    digits = whole.lstrip("0") or "0"
    if len(digits) > 16:  # above any bound: never converted, so never slow
        return -1, Why.ABOVE
    if not whole or (fraction is not None and (not fraction or fraction.strip("0"))):
        return -1, Why.ABOVE if int(digits) > high else Why.FRACTION
    return _bounded(int(digits), low, high)


def _one_whole(value: object, low: int, high: int) -> tuple[int, Why]:
    """One value's whole number and reason (see the module docstring)."""
    if isinstance(value, bool | np.bool_):
        return -1, Why.NOT_A_NUMBER
    if isinstance(value, str):
        return _text_whole(value, low, high)
    if isinstance(value, Integral):
        return _bounded(int(value), low, high)
    if isinstance(value, Real):
        f = float(value)
        if math.isnan(f):
            return -1, Why.MISSING
        if math.isinf(f):
            return -1, Why.NOT_A_NUMBER
        if f < 0 or f > high:
            return -1, Why.NEGATIVE if f < 0 else Why.ABOVE
        return _bounded(int(f), low, high) if f.is_integer() else (-1, Why.FRACTION)
    if value is None or value is pd.NA or value is pd.NaT:
        return -1, Why.MISSING
    return -1, Why.NOT_A_NUMBER


def parse_whole(value: object, low: int, high: int) -> int | None:
    """One value as an ``int`` from ``low`` to ``high``, or ``None`` if it is not one.

    Parameters
    ----------
    value : object
        Text, an ``int``, or a ``float``; anything else (``bool``, ``None``, dates, lists)
        gives ``None``.
    low, high : int
        Inclusive bounds, ``0 <= low <= high <=`` :data:`MAX_BOUND`.

    Examples
    --------
    >>> parse_whole("007", 1, 10), parse_whole("0" * 40 + "5", 1, 10)
    (7, 5)
    >>> parse_whole("9" * 5000, 0, 100) is None
    True
    """
    _check_bounds(low, high)
    number, why = _one_whole(value, low, high)
    return number if why == Why.OK else None


def _masked_parts(s: pd.Series) -> tuple[np.ndarray, np.ndarray | None]:
    """Values and NA mask of an integer column (mask ``None`` for plain numpy)."""
    arr = s.array
    data, mask = getattr(arr, "_data", None), getattr(arr, "_mask", None)
    if isinstance(data, np.ndarray) and isinstance(mask, np.ndarray) and mask.dtype == bool:
        return data, mask
    return s.to_numpy(), None


def whole_numbers(
    values: pd.Series | pd.Index, low: int, high: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every value of a column as a whole number from ``low`` to ``high``, and why not.

    Text is parsed once per distinct value (categoricals once per category); integer and
    float columns are checked with numpy; a boolean column is not a number.

    Returns
    -------
    numbers : numpy.ndarray
        int64, ``-1`` wherever the value is refused or missing.
    why : numpy.ndarray
        uint8 :class:`Why` codes, ``Why.OK`` (0) where ``numbers`` holds the value.

    Examples
    --------
    >>> import numpy as np
    >>> numbers, why = whole_numbers(pd.Series([1.0, np.inf, 2.5, 2.0**63, np.nan]), 0, 100)
    >>> numbers.tolist(), [Why(w).name for w in why]
    ([1, -1, -1, -1, -1], ['OK', 'NOT_A_NUMBER', 'FRACTION', 'ABOVE', 'MISSING'])
    """
    _check_bounds(low, high)
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    kind, n = s.dtype, len(s)
    if isinstance(kind, pd.CategoricalDtype):
        per_value = whole_numbers(s.cat.categories, low, high)
        codes = s.cat.codes.to_numpy()
        fill = (-1, Why.MISSING)
        numbers, why = (np.append(a, f)[codes] for a, f in zip(per_value, fill, strict=True))
        return numbers, why
    if pd.api.types.is_bool_dtype(kind):
        numbers = np.full(n, -1, dtype=np.int64)
        why = np.where(s.isna().to_numpy(bool), Why.MISSING, Why.NOT_A_NUMBER)
        return numbers, why.astype(np.uint8)
    if pd.api.types.is_integer_dtype(kind):
        data, mask = _masked_parts(s)
        inside = n and mask is None and data.dtype == np.int64
        if inside and data.min() >= low and data.max() <= high:
            kept = data.view()  # plain int64 within bounds: the column's own values, read-only
            kept.flags.writeable = False
            return kept, np.zeros(n, dtype=np.uint8)
        if data.dtype == np.uint64:  # above every bound stays above; then it fits int64
            data = np.minimum(data, np.uint64(high + 1))
        data = data.astype(np.int64, copy=False)
        # one unsigned comparison finds values below ``low`` (negative once shifted) and
        # above ``high`` alike
        refused = (data - low if low else data).view(np.uint64) > high - low
        if not refused.any():  # every value fits (masked ones too): the usual case
            if mask is None:
                return data, np.zeros(n, dtype=np.uint8)
            return np.where(mask, -1, data), mask.astype(np.uint8)
    elif pd.api.types.is_float_dtype(kind):
        data = s.to_numpy(np.float64, na_value=np.nan)
        mask = np.isnan(data)
        with np.errstate(invalid="ignore"):  # NaN fails every comparison
            refused = ~((data >= low) & (data <= high) & (data == np.floor(data)) | mask)
    else:
        return distinct_map(s, lambda v: _one_whole(v, low, high), (-1, Why.MISSING),
                            (np.int64, np.uint8))  # type: ignore[return-value]  # fmt: skip
    # Why.MISSING is 1: a missing value's code is its mask as bytes
    why = np.zeros(n, dtype=np.uint8) if mask is None else mask.astype(np.uint8)
    if mask is not None:
        refused &= ~mask  # the values under the mask mean nothing
    fail = refused if mask is None else refused | mask
    # one pass: refused values become -1 before the cast (NaN and inf never reach it)
    numbers = np.where(fail, -1, data).astype(np.int64, copy=False)
    if refused.any():  # the reasons, worked out for the refused values only
        at = np.flatnonzero(refused)
        bad = data[at]
        conditions = [np.abs(bad) == np.inf, bad < 0, bad > high, bad != np.floor(bad)]
        why[at] = np.select(conditions, [Why.NOT_A_NUMBER, Why.NEGATIVE, Why.ABOVE,
                                         Why.FRACTION], Why.BELOW)  # fmt: skip
    return numbers, why


def parse_whole_series(values: pd.Series, low: int, high: int) -> pd.Series:
    """Every value of ``values`` parsed as by :func:`parse_whole`, as a nullable ``Int64``.

    Parameters
    ----------
    values : pandas.Series
        The column to parse (see :func:`whole_numbers`). Its index is kept.
    low, high : int
        Inclusive bounds, as for :func:`parse_whole`.

    Returns
    -------
    pandas.Series
        dtype ``Int64``; ``<NA>`` marks every value that is missing or not acceptable.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> parse_whole_series(pd.Series([1.0, np.inf, 2.5, 2.0**63, -1.0]), 0, 100).tolist()
    [1, <NA>, <NA>, <NA>, <NA>]
    >>> parse_whole_series(pd.Series([True, False]), 0, 1).tolist()
    [<NA>, <NA>]
    """
    numbers, why = whole_numbers(values, low, high)
    return pd.Series(pd.arrays.IntegerArray(numbers, why != int(Why.OK)), index=values.index)


def _one_decimal(value: object) -> float:
    if isinstance(value, str):
        match = _NUMBER.fullmatch(value)
        if match is None or not (match.group(2) or match.group(3)):
            return math.nan
        return float(value.strip(_BLANK))
    if isinstance(value, Real) and not isinstance(value, bool | np.bool_):
        f = float(value)
        return f if math.isfinite(f) else math.nan
    return math.nan


def decimal_numbers(values: pd.Series | pd.Index) -> np.ndarray:
    """Every value as float64, NaN where blank or not a number (same text rules, any
    fraction allowed; ``inf`` and True/False are not numbers).

    >>> decimal_numbers(pd.Series(["2.5", " 3", "-1", "inf", "1e3", "", "٣", ".5"])).tolist()
    [2.5, 3.0, -1.0, nan, nan, nan, nan, 0.5]
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(s.dtype, pd.CategoricalDtype):
        return np.append(decimal_numbers(s.cat.categories), np.nan)[s.cat.codes.to_numpy()]
    if pd.api.types.is_bool_dtype(s.dtype):
        return np.full(len(s), np.nan)
    if pd.api.types.is_numeric_dtype(s.dtype):
        data = s.to_numpy(np.float64, na_value=np.nan)
        infinite = np.isinf(data)
        return np.where(infinite, np.nan, data) if infinite.any() else data
    return distinct_map(s, lambda v: (_one_decimal(v),), (math.nan,), (np.float64,))[0]
