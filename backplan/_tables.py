"""Reading spreadsheet-like files as text and turning pandera failures into Problems.

Tables are read with every cell as text so that a bad value can be reported exactly as it
was typed, then checked with a pandera schema, then converted to typed columns.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from .errors import Problem

__all__ = ["read_text_table", "schema_problems", "spreadsheet_row", "whole_number"]

#: The header is spreadsheet row 1, so data row ``i`` (0-based) is row ``i + 2``.
HEADER_ROWS = 1


def spreadsheet_row(index: int) -> int:
    """Return the spreadsheet row number of 0-based data row ``index``."""
    return int(index) + HEADER_ROWS + 1


def read_text_table(path: str | os.PathLike[str], error: type[Exception]) -> pd.DataFrame:
    """Read a CSV or Excel file with every cell as text; fully empty rows are left out.

    The index keeps each row's position in the file, so :func:`spreadsheet_row` still
    names the right row after empty rows are removed.
    """
    p = Path(path)
    if not p.is_file():
        raise error([Problem(str(p), None, None, "an existing file")])
    try:
        if p.suffix.lower() in {".xlsx", ".xlsm"}:
            table = pd.read_excel(p, dtype=str, keep_default_na=False)
        else:
            table = pd.read_csv(p, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise error([Problem(str(p), None, None, f"a readable CSV or Excel file ({exc})")]) from exc
    table = table.fillna("").astype(str)
    blank = (table == "").all(axis=1)
    return table.loc[~blank]


def whole_number(low: int, high: int) -> pa.Check:
    """A text cell holding a whole number between ``low`` and ``high`` inclusive."""

    def ok(value: str) -> bool:
        return value.isdigit() and low <= int(value) <= high

    return pa.Check(ok, element_wise=True, error=f"a whole number from {low} to {high}")


def schema_problems(table: pd.DataFrame, schema: pa.DataFrameSchema, file: str) -> list[Problem]:
    """Validate ``table`` lazily and return one Problem per failing cell or column."""
    try:
        schema.validate(table, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems = []
        for case in exc.failure_cases.itertuples(index=False):
            if case.check == "column_in_dataframe":
                problems.append(
                    Problem(file, 1, str(case.failure_case), "this column in the header")
                )
                continue
            expected = str(case.check)
            if expected == "field_uniqueness":
                expected = "a value no other row uses"
            row = None if pd.isna(case.index) else spreadsheet_row(case.index)
            problems.append(Problem(file, row, case.column, expected, case.failure_case))
        return sorted(problems, key=lambda p: (p.row or 0, p.column or ""))
    return []
