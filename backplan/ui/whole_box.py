"""A box for a whole number that keeps exactly what the physio typed.

The stock ``IntText`` box guesses: in the browser "2.5" becomes 25, "3.5" shows 3.5 while
the plan uses 3, "1e1" becomes 11 and an emptied box quietly returns to the old value.
:class:`WholeBox` is a text box: its text stays as typed, :attr:`WholeBox.number` reads it
with the project's one parser for numbers typed by people
(:func:`backplan._io.numbers.whole_numbers`) and :func:`whole_problem` says in plain words
why a text is not a whole number in range, so the form can outline the box and say so.

Examples
--------
>>> box = WholeBox(value=5, description="Hold (s)")
>>> box.value, box.number
('5', 5)
>>> box.value = "2.5"
>>> box.number is None, whole_problem("hold (s)", box.value, 0, 120)
(True, 'hold (s): 2.5 is not a whole number; type one from 0 to 120')
>>> whole_problem("reps", "99", 1, 50), whole_problem("reps", "12", 1, 50)
('reps: 1 to 50', None)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import ipywidgets as w
import pandas as pd
from traitlets import Unicode

from .._io.numbers import MAX_BOUND, Why, whole_numbers

__all__ = ["WholeBox", "whole_problem"]

_SHOWN = 24  # characters of a refused text quoted back


def _quote(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


@lru_cache(maxsize=4096)
def _read(text: str, low: int, high: int) -> tuple[int | None, Why]:
    """The parser's number and verdict for one text (the same text always reads the same:
    kept, so a dose change does not parse the form's 75 boxes again)."""
    numbers, why = whole_numbers(pd.Series([text], dtype=object), low, high)
    code = Why(int(why[0]))
    return (int(numbers[0]) if code == Why.OK else None), code


def whole_problem(name: str, text: object, low: int, high: int) -> str | None:
    """Why ``text`` is not a whole number from ``low`` to ``high``, in plain words, or None.

    Examples
    --------
    >>> [whole_problem("sets", t, 1, 10) for t in ["", "ten", "1e1", "-2", "0"]]
    ['sets: the box is empty; type a whole number from 1 to 10', "sets: 'ten' is not a number; type a whole number from 1 to 10", "sets: '1e1' is not a number; type a whole number from 1 to 10", 'sets: 1 to 10', 'sets: 1 to 10']
    """
    if isinstance(text, str):
        code = _read(text, low, high)[1]
    else:
        _, why = whole_numbers(pd.Series([text], dtype=object), low, high)
        code = Why(int(why[0]))
    if code == Why.OK:
        return None
    if code == Why.MISSING:
        return f"{name}: the box is empty; type a whole number from {low} to {high}"
    if code == Why.FRACTION:
        return f"{name}: {_quote(str(text))} is not a whole number; type one from {low} to {high}"
    if code == Why.NOT_A_NUMBER:
        return f"{name}: {_quote(str(text))!r} is not a number; type a whole number from {low} to {high}"
    return f"{name}: {low} to {high}"  # negative, below or above: the range says it all


class _TextOrWhole(Unicode):  # type: ignore[type-arg]
    """Text; an ``int`` given in code is shown as its digits."""

    def validate(self, obj: Any, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        return super().validate(obj, value)


class WholeBox(w.Text):
    """A text box for a whole number: ``value`` is the text as typed, ``number`` the number.

    Setting ``value`` to an ``int`` shows it as text (``box.value = 12``).
    """

    value = _TextOrWhole(help="The text in the box, as typed").tag(sync=True)

    @property
    def number(self) -> int | None:
        """The whole number typed (``None`` when the text is not one)."""
        return _read(self.value, 0, MAX_BOUND)[0]
