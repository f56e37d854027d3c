"""The weekly review of a whole clinic as one printable HTML page (what ``backplan review``
writes): the call list first (the adherence report's ``flags`` hold the same list), then one
line per patient, most urgent first.

The table comes from :func:`backplan.triage.cohort.review_meeting`; this module only
lays it out, escaping every string.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

from ..triage.rules import ReviewRule, load_review_rules
from .calls import CALLS_CSS, calls_html

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


def _notes_section(notes: pd.DataFrame) -> str:
    """The notes with a warning sign or that a person must read, patient by patient."""
    if notes is None or not len(notes):
        return ""
    shown = notes.loc[notes["status"] != "clear"]
    if not len(shown):
        return ""
    rows = []
    for r in shown.itertuples(index=False):
        what = (f"<strong>{_cell(r.category)}</strong>: {_cell(r.concept)} "
                f"({_cell(r.stands_for)})" if r.status == "red flag"
                else f"Read it yourself: {_cell(r.read_reason)}")  # fmt: skip
        when = _cell(r.date) if r.date is not None else f"{_cell(r.date_text)} (date unreadable)"
        rows.append(f"<tr><td>{_cell(r.patient)}</td><td>{when}</td><td>{_cell(r.note)}</td>"
                    f"<td>{what}</td><td>{_cell(r.file)} row {_cell(r.row, 'int')}</td></tr>")  # fmt: skip
    return (
        "<h2>Notes that need you</h2>\n<p>Warning signs found in what patients wrote, and "
        "notes no machine could check. A false alarm is possible; a miss is worse.</p>\n"
        "<table class='notes'><thead><tr><th>Patient</th><th>Date</th><th>Note</th>"
        "<th>Why</th><th>Where</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _calls_section(table: pd.DataFrame) -> str:
    calls = table.attrs.get("calls")
    if calls is None:
        return ""
    total = int(table["decision"].ne("cannot read").sum())
    if calls.empty:
        return "<h2>Call this week</h2>\n<p>No patient needs a call this week.</p>"
    rows = table.set_index(table["patient"].astype(str))
    silent = {p: _cell(v, "int") for p, v in rows["days_silent"].items() if pd.notna(v)}
    worst = {p: _cell(v, "pain") for p, v in rows["pain_worst"].items() if pd.notna(v)}
    extra = [("Worst pain (0-10)", worst, "n"), ("Days with no log", silent, "n")]
    return (
        f"<h2>Call this week: {len(calls)} of {total} patients, most urgent first</h2>\n"
        "<p>A warning sign in a note first (call today), then pain, then silence, then low "
        "adherence; within each the most severe first. The adherence report's meeting page "
        "gives the same list.</p>\n" + calls_html(calls, extra)
    )


def review_page(table: pd.DataFrame, rules: Sequence[ReviewRule] | None = None) -> str:
    """The weekly-review table of a clinic meeting as one self-contained, printable HTML
    page (every string escaped): the call list, then one line per patient (patients to refer
    first, their row marked), the notes that need the physio, and the rules used."""
    rules = load_review_rules() if rules is None else tuple(rules)
    as_of = table.attrs.get("as_of")
    scores = "outcome" in table.columns and bool(table["outcome"].fillna("").astype(bool).any())
    body = []
    for r in table.itertuples(index=False):
        call = "Call today" if r.decision == "refer" else "Call" if r.call else ""
        if r.call and getattr(r, "flag", ""):
            call = f"{call}: {_cell(r.flag)}"
        pain = _cell(getattr(r, "pain_worst", None), "pain")
        outcome = f"<td>{_cell(r.outcome or None)}</td>" if scores else ""
        body.append(
            f"<tr class='u{r.urgency}'><td>{_cell(r.patient)}</td><td>{_cell(r.week, 'int')}</td>"
            f"<td><strong>{_cell(r.decision)}</strong></td><td>{call}</td>"
            f"<td>{_cell(r.reason)}</td><td>{_cell(r.adherence, 'share')}</td>"
            f"<td>{_cell(r.pain, 'pain')} / {pain}</td><td>{_cell(r.days_silent, 'int')}</td>"
            f"{outcome}</tr>"
        )
    rule_items = "".join(
        f"<li><strong>{html.escape(x.rule)}</strong> ({html.escape(x.decision)}"
        f"{', a call' if x.flag else ''}): "
        f"{html.escape(x.measure)} {html.escape(x.op)} {'' if x.value is None else f'{x.value:g}'}"
        f". Source: {html.escape(x.source)}</li>"
        for x in rules
    )
    head_outcome = "<th>Outcome scores</th>" if scores else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Weekly review</title>
<style>
body {{ font-family: Arial, Helvetica, sans-serif; font-size: 14pt; margin: 1.5em; color: #000; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 1em; }}
th, td {{ border: 1px solid #444; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }}
th {{ background: #ddd; }}
td.n, th.n {{ text-align: right; }}
td:first-child {{ white-space: nowrap; }}
tr.u0 td {{ background: #e6e6e6; font-weight: bold; }}
tr.u0 td:first-child {{ border-left: 10px solid #000; }}
tr.u1 td, tr.u2 td {{ background: #f2f2f2; }}
tr.u1 td:first-child, tr.u2 td:first-child {{ border-left: 6px solid #000; }}
table.notes td {{ font-weight: normal; }}
table.calls {{ font-size: 12pt; }}
{CALLS_CSS}
@media print {{ body {{ margin: 0; font-size: 12pt; }} }}
</style></head><body>
<h1>Weekly review</h1>
<p>Each patient's latest finished week, reviewed against their logs up to {_cell(as_of)}.
"Refer" means a patient wrote something that may be a warning sign: call them today. "Call"
means a rule asks you to contact the patient. Nothing in a plan changes until a physio
applies a decision.</p>
{_calls_section(table)}
<h2>Every patient, most urgent first</h2>
<table><thead><tr><th>Patient</th><th>Week</th><th>Decision</th><th>Call</th><th>Why</th>
<th>Reps done</th><th>Pain (0-10): mean / worst day</th><th>Days with no log</th>{head_outcome}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table>
{_notes_section(table.attrs.get("notes"))}
<h2>Rules used (the first most cautious rule that fires decides)</h2>
<p>A STarT Back high-risk plan is reviewed with the time-based rules
(<code>data/review-rules-time-based.csv</code>) instead.</p>
<ol>{rule_items}</ol>
</body></html>
"""
