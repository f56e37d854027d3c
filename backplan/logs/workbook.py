"""The report's tables as an Excel workbook, written column by column (no per-cell Python).

An ``.xlsx`` file is a zip of XML parts. Each sheet's XML is made a column at a time with
pyarrow string kernels: numbers are formatted in C, every distinct text is made safe once
(:func:`backplan._io.cells.neutralise`: no cell can run as a formula) and XML-escaped, then
the cells of each row are joined and streamed into the zip in blocks of rows, so memory
stays small however long a table is. A table longer than a sheet (1,048,575 data rows)
continues on sheets named ``"by_exercise (2)"`` and so on. Dates are real Excel dates,
numbers are numbers, a blank is an empty cell; the header row is bold and frozen.

Examples
--------
>>> import pandas as pd, tempfile, pathlib, openpyxl
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
>>> write_workbook(path, {"t": pd.DataFrame({"who": ["=1+1", None], "n": [1.5, float("nan")],
...                                           "day": pd.to_datetime(["2026-01-05", None])})})
>>> [[c.value for c in row] for row in openpyxl.load_workbook(path)["t"].iter_rows()]
[['who', 'n', 'day'], ["'=1+1", 1.5, datetime.datetime(2026, 1, 5, 0, 0)], [None, None, None]]
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._io.cells import neutralise

__all__ = ["SHEET_ROWS", "write_workbook"]

#: Data rows a sheet holds under its header row.
SHEET_ROWS = 1_048_575
_BLOCK = 65_536  # rows made and compressed at a time
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_EXCEL_EPOCH = np.datetime64("1899-12-30", "s")
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# style 0: plain; 1: a date (yyyy-mm-dd); 2: a date and time; 3: bold (the header row)
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}"><numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _text_cells(values: pd.Series) -> pa.Array:
    """Text cells: each distinct value neutralised and escaped once, then spread."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    cells = [
        f'<c t="inlineStr"><is><t xml:space="preserve">{escape(str(neutralise(str(u))))}'
        "</t></is></c>"
        for u in uniques
    ]
    cells.append("<c/>")  # code -1: a blank cell
    return pa.array(cells, pa.string()).take(pa.array(np.where(codes < 0, len(uniques), codes)))


def _number_cells(values: np.ndarray, style: str = "") -> pa.Array:
    """Numeric cells (float or int); NaN and infinities are blank cells."""
    numbers = pa.array(values)
    text = pc.cast(numbers, pa.string())
    if pa.types.is_floating(numbers.type):
        finite = pc.is_finite(numbers)
        text = pc.if_else(finite, text, pa.scalar(None, pa.string()))
    full = pc.binary_join_element_wise(f"<c{style}><v>", text, "</v></c>", "")
    return pc.fill_null(full, "<c/>")


def _cells(column: pd.Series) -> pa.Array:
    """One column as the XML of its cells."""
    kind = column.dtype
    if pd.api.types.is_bool_dtype(kind):
        flags = column.astype("boolean")
        values = np.where(flags.isna(), np.nan, flags.fillna(False).astype(float))
        out = _number_cells(values)
        return pc.replace_substring(out, "<c><v>", '<c t="b"><v>')
    if pd.api.types.is_datetime64_any_dtype(kind):
        stamps = column.dt.tz_localize(None) if isinstance(kind, pd.DatetimeTZDtype) else column
        ticks = stamps.to_numpy().astype("datetime64[s]")
        serial = (ticks - _EXCEL_EPOCH).astype(np.float64) / 86_400
        serial[np.isnat(ticks)] = np.nan
        whole = np.isnan(serial) | (serial == np.floor(serial))
        return _number_cells(serial, ' s="1"' if whole.all() else ' s="2"')
    if pd.api.types.is_numeric_dtype(kind):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        if pd.api.types.is_integer_dtype(kind) and not column.isna().any():
            values = column.to_numpy(np.int64)
        return _number_cells(values)
    return _text_cells(column)


def _sheet_xml(table: pd.DataFrame) -> Iterator[bytes]:
    """The XML of one sheet, in blocks of rows."""
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{min(60, max(10, len(str(c)) + 2))}" customWidth="1"/>'
        for i, c in enumerate(table.columns, 1)
    )
    head = "".join(
        f'<c t="inlineStr" s="3"><is><t xml:space="preserve">{escape(str(neutralise(str(c))))}'
        "</t></is></c>"
        for c in table.columns
    )
    yield (
        f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        f"</sheetView></sheetViews><cols>{widths}</cols><sheetData><row>{head}</row>"
    ).encode()
    for lo in range(0, len(table), _BLOCK):
        block = table.iloc[lo : lo + _BLOCK]
        cells = [_cells(block.iloc[:, i]) for i in range(block.shape[1])]
        rows = pc.binary_join_element_wise("<row>", *cells, "</row>", "")
        # the rows' texts lie one after another in the array's data buffer: no join needed
        _, offsets, data = rows.buffers()
        at = np.frombuffer(offsets, np.int32)[rows.offset : rows.offset + len(rows) + 1]
        yield bytes(memoryview(data)[at[0] : at[-1]])
    yield b"</sheetData></worksheet>"


def _parts(names: list[str]) -> dict[str, str]:
    """The workbook's fixed parts for sheets named ``names``."""
    sheets = "".join(
        f'<sheet name="{escape(n, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
        for i, n in enumerate(names, 1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(names) + 1)
    )
    styles = len(names) + 1
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    office = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return {
        "[Content_Types].xml": (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{office}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{office}.styles+xml"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": (
            f'{_HEAD}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_HEAD}<Relationships xmlns="{_PKG}">{rels}<Relationship Id="rId{styles}" '
            f'Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": _STYLES,
    }


def write_workbook(
    path: str | Path, tables: Mapping[str, pd.DataFrame], sheet_rows: int = SHEET_ROWS
) -> None:
    """Write each table to its own sheet of a new ``.xlsx`` file at ``path``.

    Sheet names are used as given (at most 31 characters, as Excel allows); a table
    longer than ``sheet_rows`` (Excel's limit, :data:`SHEET_ROWS`) continues on
    ``"name (2)"``, ``"name (3)"``...
    """
    sheets: list[tuple[str, pd.DataFrame]] = []
    for name, table in tables.items():
        for part, start in enumerate(range(0, max(len(table), 1), sheet_rows), 1):
            title = name if part == 1 else f"{name} ({part})"
            sheets.append((title[:31], table.iloc[start : start + sheet_rows]))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for part, text in _parts([n for n, _ in sheets]).items():
            book.writestr(part, text)
        for i, (_, table) in enumerate(sheets, 1):
            with book.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as out:
                for chunk in _sheet_xml(table):
                    out.write(chunk)
