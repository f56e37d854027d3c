"""The one place that makes spreadsheet cells safe (OWASP CSV injection, CWE-1236).

Every CSV and Excel export (handout tables, adherence reports) passes its text through
:func:`neutralise`, which does three things:

1. **Every line start is guarded.** A line that a spreadsheet would run as a formula (it
   starts, perhaps after spaces, with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
   return) gets a leading ``'`` so it stays text. This is done for each line inside the
   cell, not just the first: some importers split a cell at a line break, and then
   ``"Ann\\n=cmd|' /C calc'!A0"`` would start a new row with a formula. A cell that
   starts with a line break is guarded too.
2. **Line breaks are kept.** A carriage return and a line feed both start a line (so both
   are guarded after), and both are kept as they are.
3. **Other control characters are shown, not dropped or crashed on.** Characters that
   spreadsheets cannot hold (U+0000-U+001F except tab, CR and LF, and U+007F) become
   their visible Unicode "control picture" (``\\x07`` -> ``␇``), and a lone surrogate
   (which UTF-8 cannot encode) becomes ``\\ufffd``. openpyxl would otherwise stop the
   whole export with ``IllegalCharacterError``.

Examples
--------
>>> neutralise("=HYPERLINK(1)"), neutralise("fine"), neutralise(3)
("'=HYPERLINK(1)", 'fine', 3)
>>> neutralise("Ann\\r=cmd|' /C calc'!A0")
"Ann\\r'=cmd|' /C calc'!A0"
>>> neutralise("bell\\x07 and  -2 kg")
'bell␇ and  -2 kg'
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["FORMULA_STARTS", "neutralise", "neutralise_frame", "visible_controls"]

#: First characters that make a spreadsheet treat a cell as a formula (OWASP, CWE-1236).
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

# The start of the cell, or of any line inside it (after a CR or LF), then optional spaces
# and a formula start. A cell that starts with a line break is guarded too.
_RISKY_LINE = re.compile(r"\A(?= *[=+\-@\t\r\n])|(?<=[\r\n])(?= *[=+\-@\t])")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    return "\u2421" if code == 0x7F else chr(0x2400 + code)


def visible_controls(text: str) -> str:
    """``text`` with control characters (other than tab, CR, LF) made visible.

    Examples
    --------
    >>> visible_controls("a\\r\\nb\\tc\\x00d\\x1b\\ud800")
    'a\\r\\nb\\tc␀d␛\\ufffd'
    """
    text = _CONTROLS.sub(_picture, text)
    return _SURROGATES.sub("\ufffd", text)


def neutralise(value: Any) -> Any:
    """Text made safe for a spreadsheet cell (see the module notes); other values as given.

    Examples
    --------
    >>> print(neutralise("line one\\n+44 20 7946 0000\\n  @SUM(A1)"))
    line one
    '+44 20 7946 0000
    '  @SUM(A1)
    """
    if not isinstance(value, str):
        return value
    return _RISKY_LINE.sub("'", visible_controls(value))


def neutralise_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with every text cell and every column name neutralised.

    Numeric and datetime columns are left as they are, so spreadsheets keep numbers.

    Examples
    --------
    >>> frame = pd.DataFrame({"=name": ["-x", "ok"], "n": [1, 2]})
    >>> neutralise_frame(frame).to_dict("list")
    {"'=name": ["'-x", 'ok'], 'n': [1, 2]}
    """
    out = table.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        kind = column.dtype
        if not (pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_datetime64_any_dtype(kind)):
            out.isetitem(i, column.astype(object).map(neutralise))
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out
