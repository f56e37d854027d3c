"""Reading spreadsheet-like files as text and turning pandera failures into Problems.

Tables are read with every cell as text so that a bad value can be reported exactly as it
was typed, then checked with a pandera schema, then converted to typed columns.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import Problem, short
from .numbers import expected_text, parse_whole

if TYPE_CHECKING:  # pandera loads when a table is first checked, not with backplan
    import pandera.pandas as pa

__all__ = [
    "excel_cell_text",
    "read_text_table",
    "schema_problems",
    "spreadsheet_row",
    "whole_number",
]

#: The header is spreadsheet row 1, so data row ``i`` (0-based) is row ``i + 2``.
HEADER_ROWS = 1


def spreadsheet_row(index: int) -> int:
    """Return the spreadsheet row number of 0-based data row ``index``."""
    return int(index) + HEADER_ROWS + 1


def read_text_table(
    path: str | os.PathLike[str], error: type[Exception], max_bytes: int | None = None
) -> pd.DataFrame:
    """Read a CSV or Excel file with every cell as text; fully empty rows are left out.

    The index keeps each row's position in the file, so :func:`spreadsheet_row` still
    names the right row after empty rows are removed. Only a regular file is read (a
    device such as ``/dev/zero`` or a pipe is "not an existing file"); with ``max_bytes``,
    a larger file is refused before reading (small tables such as review rules: a few KB).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from backplan.errors import CatalogueError
    >>> big = pathlib.Path(tempfile.mkdtemp()) / "rules.csv"
    >>> _ = big.write_text("x" * 70_000)
    >>> read_text_table(big, CatalogueError, max_bytes=64 * 1024)
    Traceback (most recent call last):
    ...
    backplan.errors.CatalogueError: .../rules.csv: 1 problem
      - whole file: expected a file of at most 64 KB, got '70000 bytes'
    """
    p = Path(path)
    if not p.is_file():
        raise error([Problem(str(p), None, None, "an existing file")])
    if max_bytes is not None and (size := p.stat().st_size) > max_bytes:
        limit = f"{max_bytes // 1024} KB" if max_bytes >= 1024 else f"{max_bytes} bytes"
        raise error([Problem(str(p), None, None, f"a file of at most {limit}", f"{size} bytes")])
    excel = p.suffix.lower() in {".xlsx", ".xlsm"}
    try:  # header=None: the header row is read as typed, so a repeated name is seen
        if excel:
            raw = pd.read_excel(p, header=None, dtype=object, na_filter=False)
            raw = raw.map(excel_cell_text)
        else:
            raw = pd.read_csv(
                p, header=None, dtype=str, keep_default_na=False, skip_blank_lines=False
            )
    except Exception as exc:  # any failure to read the file is the file's problem
        kind = "Excel workbook (.xlsx)" if excel else "CSV file in UTF-8"
        reason = short(f"{type(exc).__name__}: {exc}", 200)
        raise error([Problem(str(p), None, None, f"a readable {kind} ({reason})")]) from None
    raw = raw.fillna("").astype(str)
    names = [name or f"Unnamed: {i}" for i, name in enumerate(raw.iloc[0])] if len(raw) else []
    twice = sorted({n for n, count in Counter(names).items() if count > 1})
    if twice:
        raise error([Problem(str(p), 1, n, "each column name once in the header") for n in twice])
    table = raw.iloc[1:]  # no copy: big log files stay one table in memory
    table.index = table.index - 1  # data row i (0-based) is spreadsheet row i + 2
    table.columns = pd.Index(names, dtype=object)
    blank = (table == "").all(axis=1)
    return table.loc[~blank]


def excel_cell_text(value: object) -> str:
    """An Excel cell's value as the text a person sees in it, for text-first validation.

    Date cells become ``YYYY-MM-DD`` (with the time when there is one), TRUE/FALSE cells
    ``true``/``false``, whole-number cells ``10`` (not ``10.0``), empty cells ``""``.

    Examples
    --------
    >>> import datetime as dt
    >>> [excel_cell_text(v) for v in (dt.datetime(2025, 5, 1), True, 10.0, 2.5, None, "x")]
    ['2025-05-01', 'true', '10', '2.5', '', 'x']
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        midnight = value.time() == dt.time(0)
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def whole_number(low: int, high: int) -> pa.Check:
    """A text cell holding a whole number between ``low`` and ``high`` inclusive.

    Parsed by :func:`backplan._io.numbers.parse_whole`: ASCII digits only.
    """
    import pandera.pandas as pa

    return pa.Check(
        lambda value: parse_whole(value, low, high) is not None,
        element_wise=True,
        error=expected_text(low, high),
    )


def schema_problems(table: pd.DataFrame, schema: pa.DataFrameSchema, file: str) -> list[Problem]:
    """Validate ``table`` lazily and return one Problem per failing cell or column."""
    import pandera.pandas as pa

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
