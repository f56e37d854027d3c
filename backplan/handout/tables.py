"""The handout table as records for the clinic: CSV, Excel (.xlsx) and Markdown.

Each row is :func:`~backplan.handout.handout_table` with the plan's patient, clinician and
start date in front. Text cells that a spreadsheet could run as a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) get a leading ``'`` so they stay
text; Markdown escapes pipes and HTML characters.

Examples
--------
>>> neutralise('=HYPERLINK("http://x","y")')
'\\'=HYPERLINK("http://x","y")'
>>> md_cell("a|b <i>")
'a\\\\|b &lt;i&gt;'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from .._cells import FORMULA_STARTS, neutralise, neutralise_frame
from .._files import atomic_path, write_atomic
from ..plan import Plan
from .table import handout_table

__all__ = [
    "FORMULA_STARTS",
    "md_cell",
    "neutralise",
    "record_table",
    "to_csv",
    "to_markdown",
    "to_xlsx",
]


def md_cell(value: Any) -> str:
    """One Markdown table cell: pipes, HTML characters and line breaks made harmless."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def record_table(plan: Plan, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`handout_table` with ``patient``, ``clinician`` and ``start_date`` columns first."""
    table = handout_table(plan, catalogue)
    table.insert(0, "start_date", plan.start_date.isoformat())
    table.insert(0, "clinician", plan.clinician)
    table.insert(0, "patient", plan.patient)
    return table


def to_csv(
    plan: Plan, path: str | os.PathLike[str], *, catalogue: pd.DataFrame | None = None
) -> Path:
    """Write the handout table as UTF-8 CSV (with a byte-order mark, so Excel reads accents).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    target = Path(path)
    table = neutralise_frame(record_table(plan, catalogue))
    with atomic_path(target) as tmp:
        # CRLF line ends (RFC 4180) make the writer quote a cell holding a lone CR too.
        table.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return target


def to_xlsx(
    plan: Plan, path: str | os.PathLike[str], *, catalogue: pd.DataFrame | None = None
) -> Path:
    """Write the handout table as an Excel workbook (one sheet, ``handout``).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    table = neutralise_frame(record_table(plan, catalogue))
    wb = Workbook()
    ws = wb.active
    ws.title = "handout"
    ws.append(list(table.columns))
    for row in table.itertuples(index=False):
        ws.append([v.item() if hasattr(v, "item") else v for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for column in ws.columns:
        letter = column[0].column_letter
        widest = max(len(str(c.value or "")) for c in column)
        ws.column_dimensions[letter].width = min(max(10, widest + 2), 60)
        for c in column[1:]:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str):
                c.data_type = "s"  # never a formula, whatever the text
    ws.freeze_panes = "A2"
    target = Path(path)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


def to_markdown(
    plan: Plan, path: str | os.PathLike[str], *, catalogue: pd.DataFrame | None = None
) -> Path:
    """Write the handout table as a Markdown table (GitHub style).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    table = record_table(plan, catalogue)
    lines = [
        "| " + " | ".join(md_cell(c) for c in table.columns) + " |",
        "|" + "---|" * len(table.columns),
    ]
    lines += [
        "| " + " | ".join(md_cell(v) for v in row) + " |" for row in table.itertuples(index=False)
    ]
    return write_atomic(Path(path), "\n".join(lines) + "\n")
