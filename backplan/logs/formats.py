"""Reading one log file (CSV, Excel, Parquet) with pyarrow, every cell kept as written.

Text columns come back as pandas Categoricals (pyarrow dictionary arrays): a log repeats
the same few patients, exercises, dates and counts, so each distinct value is parsed and
checked once and rows only carry integer codes. The index of the returned frame is each
row's 0-based position in the file, so blank rows left out keep the rows after them
numbered as the spreadsheet shows them.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "log.csv"
>>> _ = path.write_text("patient,reps_done\\nP1,10\\n,\\nP1,x\\n")
>>> table = read_log_file(path)
>>> table.index.tolist(), table["reps_done"].tolist()
([0, 2], ['10', 'x'])
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from .._io.spreadsheets import read_text_table
from ..errors import LogError, Problem

__all__ = ["PARQUET", "TEXT", "read_log_file", "unique_header"]

PARQUET = frozenset({".parquet", ".pq"})
TEXT = frozenset({".csv", ".txt", ".xlsx", ".xlsm"})


def unique_header(names: list[str], file: str) -> None:
    seen: set[str] = set()
    repeated = [n for n in names if n in seen or seen.add(n)]  # type: ignore[func-returns-value]
    if repeated:
        raise LogError(
            [Problem(file, 1, n, "each column name once in the header (it is repeated)")
             for n in dict.fromkeys(repeated)], file,
        )  # fmt: skip


def _drop_blank_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Leave out rows whose every cell is empty text (the index keeps the file position)."""
    blank = np.ones(len(table), dtype=bool)
    for _, s in table.items():
        if isinstance(s.dtype, pd.CategoricalDtype):
            empty = np.append(np.asarray(s.cat.categories == ""), True)
            blank &= empty[s.cat.codes.to_numpy()]
        else:
            blank &= (s.isna() | (s.astype("string") == "")).to_numpy(bool)
        if not blank.any():
            return table
    return table.loc[~blank]


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV as text categoricals, read by pyarrow's threaded reader.

    A file with an empty line (which pyarrow would skip, renumbering the rows after it)
    or that pyarrow cannot read is read by pandas instead, which numbers rows the same way
    and gives the same error messages.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    data = path.read_bytes()
    end = data.find(b"\n")
    line = data[: len(data) if end < 0 else end]  # not split(): that copies the rest
    first = line.lstrip(b"\xef\xbb\xbf").decode("utf-8", "replace")
    try:
        header = next(csv.reader([first.rstrip("\r")]), [])
    except csv.Error:  # a stray CR or NUL in the header row: let pandas report it
        header = []
    unique_header(header, str(path))
    if not header or b"\n\n" in data or b"\n\r\n" in data:
        return read_text_table(path, LogError)
    text = pa.dictionary(pa.int32(), pa.string())
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, text), strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )  # fmt: skip
        frame = table.to_pandas()  # decodes the column names: may meet bytes that are not UTF-8
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return read_text_table(path, LogError)
    return _drop_blank_rows(frame)


def _read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet file; text columns as categoricals, nested values (lists) as their text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        unique_header(schema.names, str(path))
        # text columns are read as dictionaries straight from the file's own dictionary pages
        text = [
            f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
        ]
        table = pq.read_table(path, read_dictionary=text)
    except LogError:
        raise
    except Exception as exc:  # pyarrow raises several unrelated types
        raise LogError(
            [Problem(str(path), None, None, f"a readable Parquet file ({str(exc)[:200]})")]
        ) from None
    nested = {}
    for i, (name, column) in enumerate(zip(table.column_names, table.columns, strict=True)):
        kind = column.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            table = table.set_column(i, name, column.dictionary_encode())
        elif pa.types.is_nested(kind):  # a list or struct in a cell is not one value
            nested[name] = pd.Series([None if v is None else str(v) for v in column.to_pylist()],
                                     dtype=object)  # fmt: skip
            table = table.set_column(i, name, pa.nulls(table.num_rows))
    out = table.to_pandas(split_blocks=True).reset_index(drop=True)
    for name, values in nested.items():
        out[name] = values
    return out


def _read_xlsx(path: Path) -> pd.DataFrame:
    """An Excel sheet as text; a formula cell with no saved value keeps its formula text.

    Excel saves each formula's last result; a file written by another program may hold
    the formula only. Such a cell is not blank (blank sets and reps mean a diary tick):
    its formula is kept as the value, so the row is rejected and the formula shown.
    """
    import openpyxl

    try:
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # zipfile, XML and openpyxl errors
        raise LogError(
            [Problem(str(path), None, None, f"a readable Excel file ({str(exc)[:200]})")]
        ) from None
    try:
        rows = []
        for got, written in zip(values.active.iter_rows(values_only=True),
                                formulas.active.iter_rows(values_only=True), strict=False):  # fmt: skip
            rows.append([
                f if v is None and isinstance(f, str) and f.startswith("=") else v
                for v, f in zip(got, written, strict=False)
            ])  # fmt: skip
    finally:
        values.close()
        formulas.close()
    if not rows:
        return pd.DataFrame()
    header = ["" if h is None else str(h) for h in rows[0]]
    while header and header[-1] == "":
        header.pop()
    unique_header(header, str(path))
    width = len(header)
    body = [[("" if v is None else _cell_text(v)) for v in (r + [None] * width)[:width]]
            for r in rows[1:]]  # fmt: skip
    table = pd.DataFrame(body, columns=header, dtype=object)
    return _drop_blank_rows(table)


def _cell_text(value: object) -> str:
    """A cell as the text a person sees: whole numbers without ``.0``, dates as YYYY-MM-DD."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)


def read_log_file(path: Path) -> pd.DataFrame:
    """One file's rows; the index is the 0-based data row position in the file."""
    suffix = path.suffix.lower()
    if suffix in PARQUET:
        return _read_parquet(path)
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    return _read_csv(path)
