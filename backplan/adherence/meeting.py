"""The clinic-meeting page (placeholder while the report is rebuilt)."""

from __future__ import annotations

import html

import pandas as pd

__all__ = ["meeting_html", "table_html"]


def table_html(table: pd.DataFrame) -> str:
    return table.to_html(index=False, escape=True, na_rep="", border=0)


def meeting_html(report: object) -> str:
    parts = ["<!DOCTYPE html><html><body>", f"<p>{html.escape(report.summary())}</p>"]
    for name, table in report.tables().items():
        parts.append(f"<h2>{name}</h2>" + table_html(table.head(2000)))
    return "\n".join(parts + ["</body></html>"])
