"""The call list as an HTML table, the same on the meeting page and the weekly review page.

One row per patient, most urgent first (see :mod:`backplan.triage.calls`): rank, patient,
group, why (the evidence, a warning sign's note quoted), what to do and the review's
decision, then any extra columns a page adds. Every string is escaped.

Examples
--------
>>> import pandas as pd
>>> calls = pd.DataFrame([{"rank": 1, "patient": "<P1>", "priority": 2, "flag": "pain",
...     "detail": "Week 3: pain 7/10.", "action": "Call this week.", "decision": "step back",
...     "note": ""}])
>>> "&lt;P1&gt;" in calls_html(calls), "<P1>" in calls_html(calls)
(True, False)
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd

__all__ = ["CALLS_CSS", "calls_html"]

#: Style for the table (rows of the most urgent group shaded and marked on the left).
CALLS_CSS = """
table.calls tr.urgent1 td { background: #e6e6e6; }
table.calls tr.urgent1 td:first-child { border-left: 3pt solid #000; }
table.calls tr.urgent2 td:first-child { border-left: 1.5pt solid #000; }
table.calls td.d { white-space: nowrap; }
table.calls th:nth-child(4) { width: 36%; }
table.calls th:nth-child(5) { width: 24%; }
"""


def _e(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else (
        html.escape(str(value))
    )  # fmt: skip


def calls_html(
    calls: pd.DataFrame,
    extra: Sequence[tuple[str, Mapping[str, str], str]] = (),
) -> str:
    """The call list as an escaped table.

    ``extra`` adds columns after the review's decision: ``(header, patient -> cell text,
    CSS class)``, the class ``"n"`` for a number (right-aligned), ``"d"`` for a date (kept
    on one line) or ``""``; the cell texts are escaped here.
    """
    head = ["<table class=calls><thead><tr><th class=n>#</th><th>Patient</th><th>For</th>"
            "<th>Why (evidence)</th><th>What to do</th><th>Review</th>"]  # fmt: skip
    head += [f"<th{' class=n' if kind == 'n' else ''}>{_e(h)}</th>" for h, _, kind in extra]
    rows = ["".join(head) + "</tr></thead><tbody>"]
    for r in calls.itertuples(index=False):
        who = str(r.patient)
        why = _e(r.detail)
        if r.note:  # the patient's own words are quoted in the evidence: say what they are
            what = "Warning sign" if r.decision == "refer" else "Note to read"
            why = f"<b>{what}:</b> {why}"
        cells = "".join(
            f"<td{f' class={kind}' if kind else ''}>{_e(values.get(who, ''))}</td>"
            for _, values, kind in extra
        )
        rows.append(
            f'<tr class="urgent{int(r.priority)}"><td class=n>{int(r.rank)}</td>'
            f"<td class=d>{_e(who)}</td><td><b>{_e(r.flag)}</b></td><td>{why}</td>"
            f"<td>{_e(r.action)}</td><td>{_e(r.decision)}</td>{cells}</tr>"
        )
    return "".join(rows) + "</tbody></table>"
