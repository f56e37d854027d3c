"""The one place that makes spreadsheet cells safe (OWASP CSV injection, CWE-1236).

A text cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) gets a leading ``'`` so it stays text. Every CSV and
Excel export (handout tables, adherence reports) uses these functions.

Examples
--------
>>> neutralise("=HYPERLINK(1)"), neutralise("fine"), neutralise(3)
("'=HYPERLINK(1)", 'fine', 3)
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["FORMULA_STARTS", "neutralise", "neutralise_frame"]

#: First characters that make a spreadsheet treat a cell as a formula (OWASP, CWE-1236).
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix ``'`` to text that a spreadsheet would otherwise run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with every text cell and every column name neutralised.

    Numeric and datetime columns are left as they are, so spreadsheets keep numbers.
    """
    out = table.copy()
    for col in out.columns:
        kind = out[col].dtype
        if not (pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_datetime64_any_dtype(kind)):
            out[col] = out[col].astype(object).map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out
