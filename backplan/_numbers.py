"""The one parser for numbers and dates typed by people: ASCII digits, stated ranges.

Catalogue doses and log counts come from CSV, Excel and Parquet files. Python's own
``int()`` and ``str.isdigit()`` accept far more than a clinic means: ``"²"`` passes
``isdigit()`` and then crashes ``int()``, Arabic-Indic ``"١٠"`` reads as 10, ``float("inf")``
and ``True`` count as numbers, and a 5,000-digit string takes quadratic time to convert.
This module accepts only:

* text of ASCII digits ``0-9`` (surrounding spaces allowed; no sign, no decimal point,
  no thousands separator, no exponent), or
* an ``int`` (not a ``bool``), or a finite ``float`` with no fractional part (Excel
  stores every number as a float, so a typed ``10`` arrives as ``10.0``),

and only when the value lies between the caller's ``low`` and ``high`` inclusive. Every
caller states its bounds, so the message can say what was expected
(:func:`expected_text`).

Two forms give the same answers:

* :func:`parse_whole` for one value: the ``int``, or ``None`` when it is not acceptable;
* :func:`parse_whole_series` for a pandas Series: a nullable ``Int64`` Series with
  ``<NA>`` where a value is not acceptable, vectorised for text, integer and float
  columns (a boolean column is refused whole). Use the ``<NA>`` positions to report rows;
  a missing value (empty text, ``None``, ``NaN``) is also ``<NA>``, so callers that allow
  blanks must test for them first.

Dates follow the same rule: :func:`parse_iso_date` reads ``YYYY-MM-DD`` in ASCII digits,
refuses impossible days (``2008-02-30``) and anything outside :data:`FIRST_DATE` to
:data:`LAST_DATE` (1900-2100), so date arithmetic later can never overflow.

Examples
--------
>>> parse_whole("12", 0, 50), parse_whole(" 7 ", 0, 50), parse_whole(10.0, 0, 50)
(12, 7, 10)
>>> [parse_whole(v, 0, 50) for v in ["²", "١٠", "-1", "1e3", "inf", True, 51, 2.5]]
[None, None, None, None, None, None, None, None]
>>> import pandas as pd
>>> parse_whole_series(pd.Series(["3", "x", " 40", "", "٣"]), 0, 50).tolist()
[3, <NA>, 40, <NA>, <NA>]
>>> expected_text(1, 50)
'a whole number from 1 to 50'
"""

from __future__ import annotations

import datetime as dt
import math
import re
from numbers import Integral, Real

import numpy as np
import pandas as pd

__all__ = [
    "DATE_TEXT",
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_BOUND",
    "check_date",
    "expected_text",
    "parse_iso_date",
    "parse_whole",
    "parse_whole_series",
]

#: The dates backplan accepts anywhere (plans, catalogues, logs): far enough from
#: ``date.min``/``date.max`` that adding a year of weeks can never overflow.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)
#: What a valid date looks like, for error messages.
DATE_TEXT = f"a real date written YYYY-MM-DD, from {FIRST_DATE} to {LAST_DATE}"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

#: The largest upper bound a caller may state: it fits int64 with room to add counts up.
MAX_BOUND = 10**15

# ASCII digits only ([0-9], not \d, which matches every Unicode decimal digit). Leading
# zeros are allowed but the length is capped so conversion is always cheap.
_DIGITS = re.compile(r"[ \t]*0*([0-9]{1,16})[ \t]*")
_DIGITS_ONLY = r"[ \t]*0*[0-9]{1,16}[ \t]*"


def _check_bounds(low: int, high: int) -> None:
    if not (0 <= low <= high <= MAX_BOUND):
        raise ValueError(f"bounds must satisfy 0 <= low <= high <= {MAX_BOUND}, got {low}, {high}")


def expected_text(low: int, high: int) -> str:
    """What a valid value looks like, for error messages."""
    return f"a whole number from {low} to {high}"


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
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, str):
        match = _DIGITS.fullmatch(value)
        number = int(match.group(1)) if match else None
    elif isinstance(value, Integral):
        number = int(value)
    elif isinstance(value, Real):
        f = float(value)
        number = int(f) if math.isfinite(f) and f.is_integer() and abs(f) < 2**53 else None
    else:
        return None
    return number if number is not None and low <= number <= high else None


def parse_whole_series(values: pd.Series, low: int, high: int) -> pd.Series:
    """Every value of ``values`` parsed as by :func:`parse_whole`, as a nullable ``Int64``.

    Text, integer and float columns are handled with vectorised pandas operations (no
    Python loop per row); a column of mixed Python objects (as openpyxl gives for Excel)
    falls back to :func:`parse_whole` per value. A boolean column is all ``<NA>``: a
    tick box is not a count.

    Parameters
    ----------
    values : pandas.Series
        The column to parse. Its index is kept.
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
    _check_bounds(low, high)
    kind = values.dtype
    if pd.api.types.is_bool_dtype(kind):
        return pd.Series(pd.NA, index=values.index, dtype="Int64")
    if pd.api.types.is_integer_dtype(kind):
        numbers = pd.Series(pd.NA, index=values.index, dtype="Int64")
        ok = values.between(0, MAX_BOUND).fillna(False).astype(bool)
        numbers[ok] = values[ok].astype("int64")
    elif pd.api.types.is_float_dtype(kind):
        floats = values.astype("float64")
        ok = np.isfinite(floats) & (floats == np.floor(floats)) & (floats.abs() <= MAX_BOUND)
        numbers = floats.where(ok).astype("Int64")
    elif pd.api.types.is_string_dtype(kind) and _all_text(values):
        text = values.astype("string")
        ok = text.str.fullmatch(_DIGITS_ONLY).fillna(False).astype(bool)
        numbers = pd.Series(pd.NA, index=values.index, dtype="Int64")
        if ok.any():
            numbers[ok] = pd.to_numeric(text[ok].str.strip(" \t")).astype("Int64")
    else:
        parsed = [parse_whole(v, 0, MAX_BOUND) for v in values.tolist()]
        numbers = pd.Series(parsed, index=values.index, dtype="Int64")
    return numbers.where(numbers.between(low, high).fillna(False).astype(bool)).astype("Int64")


def _all_text(values: pd.Series) -> bool:
    """True when every non-missing value is a ``str`` (so string methods apply to all)."""
    if isinstance(values.dtype, pd.StringDtype):
        return True
    present = values.dropna()
    return bool(present.map(type).eq(str).all())


def check_date(day: dt.date) -> dt.date:
    """``day`` itself when it lies from :data:`FIRST_DATE` to :data:`LAST_DATE`.

    Raises
    ------
    ValueError
        Otherwise (pydantic turns it into a validation error naming the field).

    Examples
    --------
    >>> check_date(dt.date(9999, 12, 31))
    Traceback (most recent call last):
    ...
    ValueError: a date from 1900-01-01 to 2100-12-31
    """
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(f"a date from {FIRST_DATE} to {LAST_DATE}")
    return day


def parse_iso_date(value: object) -> dt.date | None:
    """Text ``YYYY-MM-DD`` (ASCII digits) as a date inside the accepted range, else ``None``.

    Examples
    --------
    >>> parse_iso_date("2008-09-06"), parse_iso_date("2008-02-30"), parse_iso_date("٢٠٠٨-09-06")
    (datetime.date(2008, 9, 6), None, None)
    >>> parse_iso_date("9999-12-31"), parse_iso_date("06/09/2008")
    (None, None)
    """
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_DATE <= day <= LAST_DATE else None
