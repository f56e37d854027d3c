"""Dates typed by people: ``YYYY-MM-DD`` in ASCII digits, a real day, 1900-2100.

The catalogue (``source_reviewed``), plans (``start_date``), the command line (``--as-of``)
and the logs (``date``) all read dates here, so a date cell means the same everywhere.

A date is text ``YYYY-MM-DD`` in ASCII digits naming a real day (not ``2008-02-30``),
optionally followed by a midnight time (``T00:00``, `` 00:00:00``, as exports write a date
cell; another time of day is refused, as text cannot say which day the clinic meant), or
a ``date``/``datetime`` value from a typed column or Excel cell, which counts on its day.
Only days from :data:`FIRST_DATE` to
:data:`LAST_DATE` (1900-2100) are accepted, so date arithmetic later can never overflow:
:func:`parse_iso_date` for one value, :func:`date_days` for a column (days since
1970-01-01, the range checked by the caller against :data:`FIRST_DAY`/:data:`LAST_DAY` so
it can say which rule failed).

Examples
--------
>>> parse_iso_date("2026-01-05"), parse_iso_date("2026-01-05T00:00"), parse_iso_date("2026-01")
(datetime.date(2026, 1, 5), datetime.date(2026, 1, 5), None)
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from .numbers import distinct_map

__all__ = [
    "DATE_TEXT",
    "FIRST_DATE",
    "FIRST_DAY",
    "LAST_DATE",
    "LAST_DAY",
    "NO_DAY",
    "check_date",
    "date_days",
    "parse_iso_date",
]

#: The dates backplan accepts anywhere (plans, catalogues, logs): far enough from
#: ``date.min``/``date.max`` that adding a year of weeks can never overflow.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)
_EPOCH = dt.date(1970, 1, 1)
#: :data:`FIRST_DATE` and :data:`LAST_DATE` as days since 1970-01-01 (-25567, 47846).
FIRST_DAY, LAST_DAY = (FIRST_DATE - _EPOCH).days, (LAST_DATE - _EPOCH).days
#: Where :func:`date_days` finds no date: the smallest int64 (numpy's NaT).
NO_DAY = np.iinfo(np.int64).min
#: What a valid date looks like, for error messages.
DATE_TEXT = f"a real date written YYYY-MM-DD, from {FIRST_DATE} to {LAST_DATE}"
_DATE = re.compile(r"[ \t]*([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?[ \t]*")


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


def _text_date(text: str) -> dt.date | None:
    """A real day written ``YYYY-MM-DD`` (a midnight time allowed), any year 1-9999."""
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_iso_date(value: object) -> dt.date | None:
    """Text ``YYYY-MM-DD`` (ASCII digits) as a date inside the accepted range, else ``None``.

    Examples
    --------
    >>> parse_iso_date("2008-09-06"), parse_iso_date("2008-02-30"), parse_iso_date("٢٠٠٨-09-06")
    (datetime.date(2008, 9, 6), None, None)
    >>> parse_iso_date("9999-12-31"), parse_iso_date("06/09/2008"), parse_iso_date("2008-09")
    (None, None, None)
    >>> parse_iso_date("2008-09-06 00:00:00"), parse_iso_date("2008-09-06T10:30")
    (datetime.date(2008, 9, 6), None)
    """
    day = _text_date(value) if isinstance(value, str) else None
    return day if day is not None and FIRST_DATE <= day <= LAST_DATE else None


def _one_day(value: object) -> tuple[int]:
    """Days since 1970-01-01 of one text or date value, :data:`NO_DAY` if it is not one."""
    if isinstance(value, str):
        day = _text_date(value)
    elif isinstance(value, dt.datetime):  # a date cell: its day
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        day = None
    return (NO_DAY if day is None else (day - _EPOCH).days,)


_PER_DAY = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000,
            "us": 86_400_000_000, "ns": 86_400_000_000_000}  # fmt: skip


def _day_numbers(values: np.ndarray) -> np.ndarray:
    """datetime64 values as int64 days (floor): integer division of the raw ticks, the
    same days as ``astype("datetime64[D]")`` and several times faster."""
    unit, count = np.datetime_data(values.dtype)
    per_day = _PER_DAY.get(unit)
    if per_day is None or count != 1:
        return values.astype("datetime64[D]").astype(np.int64)
    ticks = values.view(np.int64)
    days = ticks // per_day
    nat = ticks == NO_DAY
    if nat.any():
        days[nat] = NO_DAY
    return days


def date_days(values: pd.Series | pd.Index) -> np.ndarray:
    """Every value as int64 days since 1970-01-01, :data:`NO_DAY` where it is not a date.

    Text follows :func:`parse_iso_date` (parsed once per distinct value) but any year
    1-9999 is given, so callers can tell "outside 1900-2100" from "not a date"; date and
    datetime values (typed columns, Excel cells) count on their day.

    >>> date_days(pd.Series(["1970-01-02", "2026-02-30", "2026-01", "", "3000-01-01"])).tolist()
    [1, -9223372036854775808, -9223372036854775808, -9223372036854775808, 376200]
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(s.dtype, pd.CategoricalDtype):
        return np.append(date_days(s.cat.categories), NO_DAY)[s.cat.codes.to_numpy()]
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_localize(None)  # the day where the clinic is
        return _day_numbers(s.to_numpy())
    if pd.api.types.is_numeric_dtype(s.dtype):
        return np.full(len(s), NO_DAY, dtype=np.int64)
    return distinct_map(s, _one_day, (NO_DAY,), (np.int64,))[0]
