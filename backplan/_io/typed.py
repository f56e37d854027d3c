"""Values that arrive typed (saved JSON, Python arguments): one strict rule for each kind.

Text cells of a spreadsheet are read by :mod:`backplan._io.numbers` and
:mod:`backplan._io.dates`, where ``"12"`` is the number 12. A value that arrives typed
(a saved plan's JSON, an argument of :func:`~backplan.build_plan` or
:func:`~backplan.revise`) must already be the right kind: pydantic's lax mode would read
``true`` as 1 rep, ``2026`` as the moment 1970-01-01T00:33:46Z and ``b"Ann"`` as text,
and those slips must be refused, not guessed at. Each rule is a function that returns the
value or raises ``ValueError`` saying what was expected (pydantic puts it beside the field
name), and a pydantic type built from it:

==============  =============================================================================
``Whole``       an ``int`` or a float with no fraction (``10.0``); never text, true/false,
                ``inf`` or ``nan``
``Flag``        ``True`` or ``False`` (numpy's too); never 1, 0 or ``"true"``
``Day``         a ``date``, the day of a ``datetime``, or text ``YYYY-MM-DD``
                (:func:`~backplan._io.dates.parse_iso_date`), 1900-2100; never a number
``Moment``      a ``datetime``, or ISO 8601 text with a time (``2026-01-18T09:00:00Z``),
                1900-2100; never a number or a bare date
``Text``        ``str`` only; never bytes or numbers
==============  =============================================================================

:func:`argument` applies a rule to one function argument and turns a refusal into a
:class:`~backplan.errors.BackplanError` naming the argument.

Examples
--------
>>> whole_value(10), whole_value(10.0)
(10, 10)
>>> whole_value(True)
Traceback (most recent call last):
...
ValueError: a whole number (true and false are not numbers)
>>> moment_value("2026-01-18T09:00:00Z")
datetime.datetime(2026, 1, 18, 9, 0, tzinfo=datetime.timezone.utc)
>>> moment_value(2026)
Traceback (most recent call last):
...
ValueError: a date and time written YYYY-MM-DDTHH:MM:SS (a number is not a moment)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from numbers import Integral, Real
from typing import Annotated, Any, TypeVar

import numpy as np
import pandas as pd
from pydantic import BeforeValidator, Strict

from ..errors import BackplanError, PlanError, Problem, argument_value
from .dates import DATE_TEXT, FIRST_DATE, LAST_DATE, check_date, parse_iso_date

__all__ = [
    "Day",
    "Flag",
    "Moment",
    "Text",
    "Whole",
    "argument",
    "day_value",
    "flag_value",
    "frame_argument",
    "ids_value",
    "items_value",
    "moment_value",
    "text_value",
    "whole_value",
]

T = TypeVar("T")

_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)


def _why_not_a_number(value: object) -> str:
    """`` (why)`` for a typed value that is not a number, where it is not plain."""
    if isinstance(value, bool | np.bool_):
        return " (true and false are not numbers)"
    if isinstance(value, str | bytes | bytearray):
        return " (text is not a number here)"
    return ""


def whole_value(value: object) -> int:
    """``value`` as an ``int`` when it is a whole number given as a number.

    The typed twin of :func:`~backplan._io.numbers.parse_whole`: the same values count,
    except text (a typed value that is text was typed wrongly). Bounds are the caller's
    (pydantic's ``ge``/``le``), so a negative number passes here.

    Raises
    ------
    ValueError
        For ``bool``, text, ``inf``, ``nan``, a fraction and anything not a number.

    Examples
    --------
    >>> [whole_value(v) for v in (3, -2, 4.0)]
    [3, -2, 4]
    >>> whole_value("3")
    Traceback (most recent call last):
    ...
    ValueError: a whole number (text is not a number here)
    """
    if isinstance(value, Integral) and not isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, Real) and not isinstance(value, bool | np.bool_):
        f = float(value)
        if math.isfinite(f) and f.is_integer():
            return int(f)
        raise ValueError("a whole number" if math.isfinite(f) else "a finite whole number")
    raise ValueError(f"a whole number{_why_not_a_number(value)}")


def flag_value(value: object) -> bool:
    """``value`` when it is ``True`` or ``False`` (a numpy bool too).

    >>> flag_value(1)
    Traceback (most recent call last):
    ...
    ValueError: true or false
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ValueError("true or false")


def day_value(value: object) -> dt.date:
    """``value`` as a date from 1900 to 2100: a ``date``, a ``datetime``'s day, or text
    ``YYYY-MM-DD`` read by the one date rule.

    >>> day_value("2026-01-05"), day_value(dt.datetime(2026, 1, 5, 9, 30))
    (datetime.date(2026, 1, 5), datetime.date(2026, 1, 5))
    >>> day_value(2026)
    Traceback (most recent call last):
    ...
    ValueError: a real date written YYYY-MM-DD, from 1900-01-01 to 2100-12-31
    """
    if isinstance(value, dt.datetime):
        return check_date(value.date())
    if isinstance(value, dt.date):
        return check_date(value)
    if isinstance(value, str):
        day = parse_iso_date(value)
        if day is not None:
            return day
    raise ValueError(DATE_TEXT)


def moment_value(value: object) -> dt.datetime:
    """``value`` as a ``datetime`` from 1900 to 2100: a ``datetime``, or ISO 8601 text
    with a time and, optionally, seconds, fraction and offset (``Z`` or ``+01:00``).

    >>> moment_value("2026-01-18T09:00:00+01:00").utcoffset()
    datetime.timedelta(seconds=3600)
    >>> moment_value("2026-01-18")
    Traceback (most recent call last):
    ...
    ValueError: a date and time written YYYY-MM-DDTHH:MM:SS
    """
    expected = "a date and time written YYYY-MM-DDTHH:MM:SS"
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and _MOMENT.fullmatch(value.strip()):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:  # e.g. 2026-02-30T09:00
            raise ValueError(expected) from None
    elif isinstance(value, Real):
        raise ValueError(f"{expected} (a number is not a moment)")
    else:
        raise ValueError(expected)
    if not FIRST_DATE <= moment.date() <= LAST_DATE:
        raise ValueError(f"a moment from {FIRST_DATE} to {LAST_DATE}")
    return moment


def items_value(value: object) -> tuple[Any, ...]:
    """A list, tuple or other iterable as a tuple; text, bytes and mappings are not lists.

    >>> items_value([1, 2]), items_value(x for x in "ab")
    ((1, 2), ('a', 'b'))
    """
    if isinstance(value, str | bytes | bytearray | Mapping) or not isinstance(value, Iterable):
        raise ValueError("a list")
    return tuple(value)


def ids_value(value: object) -> tuple[str, ...]:
    """Exercise ids (or other names) as a tuple: one text, or a list of texts.

    >>> ids_value("heel-slides"), ids_value(["a", "b"])
    (('heel-slides',), ('a', 'b'))
    >>> ids_value(5)
    Traceback (most recent call last):
    ...
    ValueError: text or a list of texts
    """
    if isinstance(value, str):
        return (value,)
    try:
        out = items_value(value)
    except ValueError:
        out = (None,)
    if not all(isinstance(v, str) for v in out):
        raise ValueError("text or a list of texts")
    return out


def text_value(value: object) -> str:
    """``value`` when it is text (``str``).

    >>> text_value(b"Ann")
    Traceback (most recent call last):
    ...
    ValueError: text
    """
    if isinstance(value, str):
        return value
    raise ValueError("text")


#: A whole number given as a number (bounds go in ``Field(ge=..., le=...)``).
Whole = Annotated[int, BeforeValidator(whole_value)]
#: ``True`` or ``False``.
Flag = Annotated[bool, BeforeValidator(flag_value)]
#: A day from 1900 to 2100.
Day = Annotated[dt.date, BeforeValidator(day_value)]
#: A moment from 1900 to 2100.
Moment = Annotated[dt.datetime, BeforeValidator(moment_value)]
#: Text, never bytes or a number.
Text = Annotated[str, Strict()]


def argument(
    name: str,
    value: Any,
    rule: Callable[[Any], T],
    *,
    source: str = "<plan>",
    error: Callable[..., BackplanError] | None = None,
) -> T:
    """``rule(value)``, or an error naming the argument ``name`` (a :class:`PlanError`
    unless ``error`` says otherwise; ``error`` takes the problem list and the source).

    >>> argument("from_week", "2", whole_value)
    Traceback (most recent call last):
    ...
    backplan.errors.PlanError: The plan: 1 problem
      - column 'from_week': expected a whole number (text is not a number here), got '2'
    """
    try:
        return rule(value)
    except ValueError as exc:
        make = error or PlanError
        raise make([Problem(source, None, name, str(exc), value)], source) from None


def frame_argument(
    name: str,
    value: Any,
    columns: Iterable[str],
    what: str,
    *,
    source: str,
    error: Callable[..., BackplanError],
) -> pd.DataFrame:
    """``value`` when it is a DataFrame holding ``columns``, else ``error`` (built from a
    problem list and ``source``) naming the argument ``name`` and ``what`` it should be.

    The problem shows the value's type or the missing columns, never a whole table.

    >>> frame_argument("changes", pd.DataFrame({"a": [1]}), ["patient", "measure"],
    ...                "a table from outcome_changes()", source="<outcomes>", error=PlanError)
    Traceback (most recent call last):
    ...
    backplan.errors.PlanError: The outcomes: 1 problem
      - column 'changes': expected a table from outcome_changes() (columns patient, measure), got 'missing patient, measure'
    """
    wanted = list(columns)
    if isinstance(value, pd.DataFrame):
        missing = [c for c in wanted if c not in value.columns]
        if not missing:
            return value
        got: object = "missing " + ", ".join(missing)
    else:
        got = argument_value(value)
    expected = f"{what} (columns {', '.join(wanted)})"
    raise error([Problem(source, None, name, expected, got)], source)
