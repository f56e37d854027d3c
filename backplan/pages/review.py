"""The weekly review of a whole clinic as one printable HTML page: one line per patient,
most urgent first (what ``backplan review`` writes).

The table comes from :func:`backplan.triage.cohort.review_meeting`; this module only
lays it out, escaping every string.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

from ..triage.rules import ReviewRule, load_review_rules

__all__ = ["review_page"]


def _cell(value: object, kind: str = "") -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "&ndash;"
    if kind == "share":
        return f"{float(value):.0%}"  # type: ignore[arg-type]
    if kind == "pain":
        return f"{float(value):.1f}"  # type: ignore[arg-type]
    if kind == "int":
        return str(int(value))  # type: ignore[call-overload]
    return html.escape(str(value))


def review_page(table: pd.DataFrame, rules: Sequence[ReviewRule] | None = None) -> str:
    """The weekly-review table of a clinic meeting as one self-contained, printable HTML
    page (every string escaped)."""
    rules = load_review_rules() if rules is None else tuple(rules)
    as_of = table.attrs.get("as_of")
    body = []
    for r in table.itertuples(index=False):
        call = "Call" if r.call else ""
        body.append(
            f"<tr class='u{r.urgency}'><td>{_cell(r.patient)}</td><td>{_cell(r.week, 'int')}</td>"
            f"<td><strong>{_cell(r.decision)}</strong></td><td>{call}</td>"
            f"<td>{_cell(r.reason)}</td><td>{_cell(r.adherence, 'share')}</td>"
            f"<td>{_cell(r.pain, 'pain')}</td><td>{_cell(r.days_silent, 'int')}</td></tr>"
        )
    rule_items = "".join(
        f"<li><strong>{html.escape(x.rule)}</strong> ({html.escape(x.decision)}): "
        f"{html.escape(x.measure)} {html.escape(x.op)} {'' if x.value is None else f'{x.value:g}'}"
        f". Source: {html.escape(x.source)}</li>"
        for x in rules
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Weekly review</title>
<style>
body {{ font-family: Arial, Helvetica, sans-serif; font-size: 14pt; margin: 1.5em; color: #000; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #444; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }}
th {{ background: #ddd; }}
td:first-child {{ white-space: nowrap; }}
tr.u0 td, tr.u1 td {{ background: #f2f2f2; }}
tr.u0 td:first-child, tr.u1 td:first-child {{ border-left: 6px solid #000; }}
@media print {{ body {{ margin: 0; font-size: 12pt; }} }}
</style></head><body>
<h1>Weekly review</h1>
<p>Each patient's latest finished week, reviewed against their logs up to {_cell(as_of)}.
Most urgent first. "Call" means a rule asks you to contact the patient. Nothing in a plan
changes until a physio applies a decision.</p>
<table><thead><tr><th>Patient</th><th>Week</th><th>Decision</th><th>Call</th><th>Why</th>
<th>Reps done</th><th>Pain (0-10)</th><th>Days with no log</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table>
<h2>Rules used (the first most cautious rule that fires decides)</h2>
<ol>{rule_items}</ol>
</body></html>
"""
