"""The weekly review for a clinic meeting: one line per patient, most urgent first.

This is what ``backplan review LOGS -p PLANS_DIR -o review.html`` writes. Each patient's
latest ended week is reviewed with :func:`~backplan.review` against one adherence report
of all the logs, so "days silent" counts up to the same day for everyone.

Order: step back with a call first, then step back, hold with a call, hold, progress, and
last the plans that could not be reviewed yet (no week ended). A plan file that cannot be
read is listed at the very top with the reason, and the other patients are still reviewed.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from ._files import write_atomic
from .catalogue import load_catalogue
from .errors import BackplanError, PlanError, Problem
from .plan import Plan, load_plan
from .review import ReviewRule, _review, _Slice, _slices, load_review_rules

__all__ = ["MEETING_COLUMNS", "meeting_html", "review_meeting", "write_review_meeting"]

#: The columns of :func:`review_meeting`'s table.
MEETING_COLUMNS = ["patient", "week", "decision", "call", "reason", "adherence", "pain",
                   "days_silent", "urgency"]  # fmt: skip
_URGENCY = {("cannot read", True): 0, ("step back", True): 1, ("step back", False): 2,
            ("hold", True): 3, ("hold", False): 4, ("progress", False): 5,
            ("progress", True): 5, ("not yet", False): 6}  # fmt: skip


def review_meeting(
    logs: object,
    plans: Sequence[Plan],
    as_of: date | str | None = None,
    *,
    rules: Sequence[ReviewRule] | None = None,
    catalogue: pd.DataFrame | None = None,
    unreadable: Sequence[tuple[str, str]] = (),
) -> pd.DataFrame:
    """Review every plan's latest ended week; one row per patient, most urgent first.

    Parameters
    ----------
    logs : path, DataFrame or LogTable
        Everyone's logs.
    plans : sequence of Plan
        One plan per patient.
    as_of : date or ISO string, optional
        The review day; the latest log date by default.
    rules, catalogue
        As for :func:`~backplan.review`.
    unreadable : sequence of (file, message)
        Plan files that could not be read; listed first.

    Returns
    -------
    pandas.DataFrame
        :data:`MEETING_COLUMNS`; ``urgency`` 0 is the most urgent.
    """
    import backplan as bp

    rules = load_review_rules() if rules is None else tuple(rules)
    report = bp.adherence(logs, list(plans), as_of=as_of, catalogue=catalogue)
    names = (load_catalogue() if catalogue is None else catalogue).set_index("id")["name"]
    slices = _slices(report)
    rows = [
        (name, None, "cannot read", True, message, None, None, None) for name, message in unreadable
    ]
    for plan in plans:
        try:
            r = _review(plan, slices.get(plan.patient) or _Slice(report.as_of), None, rules, names)
        except BackplanError as exc:
            problems = getattr(exc, "problems", None)
            why = f"Not reviewed: expected {problems[0].expected}." if problems else str(exc)
            rows.append((plan.patient, None, "not yet", False, why, None, None, None))
            continue
        e = r.evidence
        reason = r.reason
        if r.week == plan.weeks:
            reason += " This was the plan's last week: a new plan is needed to go on."
        rows.append((plan.patient, r.week, r.decision, r.flag, reason, e["dose_adherence"],
                     e["pain_now"], e["days_silent"]))  # fmt: skip
    table = pd.DataFrame.from_records(rows, columns=MEETING_COLUMNS[:-1])
    table["urgency"] = [
        _URGENCY[(d, bool(c))] for d, c in zip(table["decision"], table["call"], strict=True)
    ]
    table.attrs["as_of"] = report.as_of
    return table.sort_values(["urgency", "patient"], kind="stable").reset_index(drop=True)


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


def meeting_html(table: pd.DataFrame, rules: Sequence[ReviewRule] | None = None) -> str:
    """The meeting table as one self-contained, printable HTML page (every string escaped)."""
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


def write_review_meeting(
    logs: str | os.PathLike[str],
    plans_dir: str | os.PathLike[str],
    output: str | os.PathLike[str],
    as_of: date | str | None = None,
    rules_path: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Read logs and a folder of saved plans; write the meeting page to ``output`` (.html).

    Raises
    ------
    PlanError
        When the folder holds no ``*.json`` plan.
    """
    target = Path(output)
    if target.suffix.lower() not in {".html", ".htm"}:
        raise BackplanError(f"{target.name!r}: the review must end in .html")
    files = sorted(Path(plans_dir).glob("*.json"))
    if not files:
        raise PlanError([Problem(str(plans_dir), None, None, "a folder of saved plans (*.json)")])
    plans, unreadable = [], []
    for f in files:
        try:
            plans.append(load_plan(f))
        except BackplanError as exc:
            unreadable.append((f.name, str(exc)))
    if not plans:
        raise PlanError([Problem(str(plans_dir), None, None, "at least one readable plan")])
    rules = load_review_rules(rules_path)
    table = review_meeting(logs, plans, as_of, rules=rules, unreadable=unreadable)
    write_atomic(target, meeting_html(table, rules))
    return table
