"""Patient handouts: PDF, HTML and record tables (CSV, Excel, Markdown) from a plan.

Every format carries the same content (see :mod:`backplan.handout.content`): header, one
block per exercise with its dose in words, programme advice, a safety box and a tick-box
diary. ReportLab, Jinja2 and openpyxl load only when a format that needs them is used.

Examples
--------
>>> import backplan as bp
>>> plan = bp.build_plan(bp.load_catalogue(), "beginners", ["heel-raises"],
...                      start_date="2026-01-05", weeks=2)
>>> bp.handout.handout_table(plan)[["weeks", "dose"]].iloc[0].tolist()
['1-2', '10 times, once a day, every day']
"""

from __future__ import annotations

from .._lazy import lazy_getattr

#: public name -> submodule that defines it
_WHERE = {
    "handout_table": "records",
    "handout_content": "content",
    "dose_words": "..words",
    "to_pdf": "pdf",
    "handout_pictures": "pdf",
    "to_html": "html",
    "to_csv": "records",
    "to_xlsx": "records",
    "to_markdown": "records",
    "export_handouts": "batch",
    "FORMATS": "batch",
}

__all__ = sorted(_WHERE)


__getattr__ = lazy_getattr(__name__, _WHERE)
