"""The adherence report as a page for a clinic meeting: HTML that prints well on A4.

Page 1 sums the cohort up in words with one chart; then the patients to call this week
(the call list of :mod:`backplan.triage.calls`, the weekly review's own), most urgent first,
each with the evidence and what to do; then every patient on one
line, adherence week by week, the cohort by week, and the rows that could not be used
(summarised by reason, at most :data:`EXAMPLES` examples). Headers are words, shares are
percentages, dates are written out. Every user string is escaped; the page makes no
network request (the chart is inline SVG).

Examples
--------
>>> import backplan as bp
>>> plans, logs = bp.synthetic_cohort(n_patients=3, weeks=2, seed=1)
>>> page = meeting_html(bp.adherence(logs, plans), bp.logs.REASONS)
>>> "No rows were rejected." in page, "<svg" in page, "<script" in page
(True, True, False)
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from .calls import CALLS_CSS, calls_html
from .tables import COLUMNS
from .tables import day as _day
from .tables import percent as _pct

__all__ = ["EXAMPLES", "meeting_html", "table_html"]

#: Rejected rows shown as examples in the page (the spreadsheet and CSV have them all).
EXAMPLES = 20

_CSS = """
@page { size: PAGE_SIZE; margin: 14mm 14mm 16mm 14mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; color: #111;
       max-width: 182mm; margin: 0 auto; line-height: 1.35; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 6mm 0 2mm; break-after: avoid; page-break-after: avoid; }
p, li { margin: 1.5mm 0; }
.lead { font-size: 11.5pt; }
.note { color: #333; font-size: 9.5pt; }
.page { break-before: page; page-break-before: always; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; margin: 1mm 0 3mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.4pt solid #777; padding: 1mm 1.4mm; text-align: left; vertical-align: top; }
th { background: #e4e4e4; font-weight: bold; }
td.n, th.n { text-align: right; }
td.n, td.d, .nb { white-space: nowrap; }
th { font-size: 8.5pt; }
table.calls td { font-size: 9pt; }
figure { margin: 3mm 0; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: 9pt; color: #333; }
h3 { font-size: 11pt; margin: 4mm 0 1.5mm; break-after: avoid; page-break-after: avoid; }
figure.outcome svg { max-width: 150mm; }
.measure { break-inside: avoid; page-break-inside: avoid; }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _as_found(v: object) -> str:
    """One value as found in a rejected row: ``(blank)`` for an empty cell, a date at
    midnight as its day."""
    if v is None or (not isinstance(v, str) and bool(pd.isna(v))) or str(v).strip() == "":
        return "(blank)"
    if isinstance(v, datetime) and v == datetime.combine(v.date(), datetime.min.time()):
        return v.date().isoformat()
    return str(v)


def _found(v: object) -> str:
    """Values found, ``"; "``-separated: each short one kept on one line, so a date such as
    2031-01-01 is never split at its hyphens (long text still wraps)."""
    pieces = str(v).split("; ")
    return "; ".join(f"<span class=nb>{_e(p)}</span>" if len(p) <= 20 else _e(p) for p in pieces)


def _escaped(fmt: Callable[[Any], str]) -> Callable[[Any], str]:
    return lambda v: _e(fmt(v))


#: Human headers and formats for the columns the page shows (right-aligned when numeric):
#: the notebooks' formatter's (:data:`backplan.pages.tables.COLUMNS`), escaped, and a file's
#: name without its folders.
_COLUMNS: dict[str, tuple[str, Callable[[Any], str], str]] = {
    **{c: (h, _escaped(f), k) for c, (h, f, k) in COLUMNS.items()},
    "patient": ("Patient", _e, "d"),
    "value": ("Value found", _found, ""),
}


def table_html(table: pd.DataFrame, columns: dict[str, str] | None = None) -> str:
    """An escaped HTML table with human headers, percentages and written-out dates.

    ``columns`` maps column -> header for the columns to show (default: every column,
    with the headers in ``_COLUMNS`` where known).
    """
    names = list(table.columns) if columns is None else list(columns)
    head, cells, right = [], [], []
    for c in names:
        default = (c.replace("_", " ").capitalize(), _plain, "")
        title, fmt, is_num = _COLUMNS.get(c, default)
        if columns is not None:
            title = columns[c]
        head.append(title)
        cells.append((c, fmt))
        right.append(is_num)
    out = ["<table><thead><tr>"]
    out += [f"<th{' class=n' if r == 'n' else ''}>{_e(h)}</th>"
            for h, r in zip(head, right, strict=True)]  # fmt: skip
    out.append("</tr></thead><tbody>")
    for row in table[names].itertuples(index=False):
        out.append("<tr>")
        for value, (_, fmt), r in zip(row, cells, right, strict=True):
            out.append(f"<td{f' class={r}' if r else ''}>{fmt(value)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _plain(v: object) -> str:
    if v is None or (np.ndim(v) == 0 and pd.isna(v)):  # type: ignore[arg-type]
        return ""
    if isinstance(v, float):
        return f"{v:.2f}"
    if isinstance(v, pd.Timestamp):
        return _day(v)
    return _e(v)


def _chart_svg(report: Any) -> str:
    """The cohort trend as inline SVG drawn here (no user text in it, and no matplotlib,
    so the page is made in milliseconds): the median with its quartile band, the mean
    dashed, the target dotted; greyscale, and readable without colour."""
    c = report.cohort
    t = report.settings.get("threshold", 0.8)
    w, h, left, right, top, bottom = 700, 280, 56, 12, 14, 60
    if c.empty:
        return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 700 60" role="img">'
                '<text x="10" y="35" font-size="13">No week has ended yet.</text></svg>')  # fmt: skip
    weeks = c["week"].to_numpy(float)
    lo_w, hi_w = weeks.min(), max(weeks.max(), weeks.min() + 1)

    def x(v: float) -> float:
        return left + (v - lo_w) / (hi_w - lo_w) * (w - left - right)

    def y(v: float) -> float:
        return top + (1.05 - min(max(float(v), 0.0), 1.05)) / 1.05 * (h - top - bottom)

    def points(xs: Any, ys: Any) -> str:
        return " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(xs, ys, strict=True))

    band = points(weeks, c["q3"]) + " " + points(weeks[::-1], c["q1"].to_numpy()[::-1])
    grid = "".join(
        f'<line x1="{left}" x2="{w - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ccc"/>'
        f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.0%}</text>'
        for v in (0, 0.25, 0.5, 0.75, 1.0)
    )
    step = max(1, int(np.ceil(len(weeks) / 16)))
    ticks = "".join(f'<text x="{x(v):.1f}" y="{h - bottom + 16}" text-anchor="middle">{int(v)}'
                    "</text>" for v in weeks[::step])  # fmt: skip
    dots = "".join(f'<circle cx="{x(a):.1f}" cy="{y(b):.1f}" r="3" fill="#000"/>'
                   for a, b in zip(weeks, c["median"], strict=True))  # fmt: skip
    legend = (f'<g transform="translate({left + 8},{h - 10})">'
              '<rect width="14" height="8" fill="#ddd" stroke="#888"/>'
              '<text x="18" y="8">middle half of patients</text>'
              '<line x1="170" x2="190" y1="4" y2="4" stroke="#000" stroke-width="2"/>'
              '<text x="194" y="8">median</text>'
              '<line x1="250" x2="270" y1="4" y2="4" stroke="#555" stroke-dasharray="5,3"/>'
              '<text x="274" y="8">mean</text>'
              '<line x1="320" x2="340" y1="4" y2="4" stroke="#000" stroke-dasharray="1,3"/>'
              f'<text x="344" y="8">target ({t:.0%})</text></g>')  # fmt: skip
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="Dose done each week: median and middle half of patients" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="11">'
        f'{grid}<polygon points="{band}" fill="#ddd" stroke="#888" stroke-width="0.8"/>'
        f'<polyline points="{points(weeks, c["mean"])}" fill="none" stroke="#555" '
        'stroke-dasharray="5,3" stroke-width="1.5"/>'
        f'<polyline points="{points(weeks, c["median"])}" fill="none" stroke="#000" '
        f'stroke-width="2"/>{dots}'
        f'<line x1="{left}" x2="{w - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#000" '
        'stroke-dasharray="1,3"/>'
        f'{ticks}<text x="{(left + w - right) / 2:.0f}" y="{h - bottom + 30}" '
        f'text-anchor="middle">Week of the plan</text>{legend}</svg>'
    )


def _summary(report: Any) -> list[str]:
    """The cohort in a few plain sentences."""
    t = report.settings.get("threshold", 0.8)
    p = report.by_patient
    rated = p[p["weeks_ended"] > 0]
    out = [f"{len(p)} patients have a home exercise plan in this report."]
    if len(rated):
        reached = int(rated["adherent"].fillna(False).astype(bool).sum())
        out.append(
            f"Over the weeks that have ended, patients did on average "
            f"<b>{rated['adherence'].mean():.0%}</b> of their prescribed dose (median "
            f"{rated['adherence'].median():.0%}). <b>{reached} of {len(rated)}</b> "
            f"({reached / len(rated):.0%}) reached the target of {t:.0%}."
        )
    else:
        out.append("No plan has a finished week yet, so there is no adherence figure.")
    c = report.cohort
    if len(c) >= 2:
        first, last = c.iloc[0], c.iloc[-1]
        trend = (
            "fell"
            if last["median"] < first["median"] - 0.02
            else ("rose" if last["median"] > first["median"] + 0.02 else "stayed about the same")
        )
        out.append(
            f"The median {trend} from {first['median']:.0%} in week {int(first['week'])} to "
            f"{last['median']:.0%} in week {int(last['week'])}."
        )
    pain_up = p["pain_score_latest"] - p["pain_score_week1"]
    eased = int((pain_up <= -report.settings.get("pain_rise", 2)).sum())
    scored = int(pain_up.notna().sum())
    if scored:
        out.append(f"Of {scored} patients with scores of pain during exercise in week 1 and "
                   f"later, {eased} report it down by at least "
                   f"{report.settings.get('pain_rise', 2):g} points.")  # fmt: skip
    out.append(_call_summary(report))
    return out


def _data_line(report: Any) -> str:
    rej, dup = len(report.rejected), len(report.duplicates)
    text = (f"{report.rows_read:,} log rows were read: {report.rows_accepted:,} used"
            f"{'' if not rej else f', {rej:,} rejected (see the last section)'}.")  # fmt: skip
    text += " No rows were rejected." if not rej else ""
    if dup:
        text += (f" {dup:,} rows repeat an earlier row exactly (same patient, day, exercise "
                 "and numbers): check they are not typed in twice.")  # fmt: skip
    return _e(text)


def _call_summary(report: Any) -> str:
    """How many patients to call, out of how many, and in which groups."""
    calls, total = report.flags, len(report.by_patient)
    if calls.empty:
        return "No patient needs a call this week."
    kinds = calls.groupby("flag", sort=False)["patient"].size()
    listed = ", ".join(f"{n} {k}" for k, n in kinds.items())
    share = f" ({len(calls) / total:.0%})" if total else ""
    return (f"<b>{len(calls)} of {total} patients{share} need a call this week</b>: "
            f"{_e(listed)}. They are listed next, most urgent first.")  # fmt: skip


def _call_rows(report: Any) -> str:
    """The call list: one row per patient, most urgent first, why and what to do."""
    calls = report.flags
    if calls.empty:
        return ("<p>No patient needs a call: no warning sign in a note, no pain over the "
                "limits, nobody silent and nobody far behind.</p>")  # fmt: skip
    patients = report.by_patient
    who = patients["patient"].astype(str)
    return calls_html(calls, [
        ("Dose done", dict(zip(who, patients["adherence"].map(_pct), strict=True)), "n"),
        ("Last log", dict(zip(who, patients["last_log"].map(_day), strict=True)), "d"),
    ])  # fmt: skip


def _weekly_grid(report: Any) -> str:
    """Patients x weeks: dose done each week (blank: week not over yet)."""
    week = report.by_week
    if week.empty:
        return ""
    shown = week.assign(value=week["adherence"].where(week["ended"]))
    grid = shown.pivot(index="patient", columns="week", values="value")
    grid = grid.reindex(report.by_patient["patient"])
    head = "".join(f'<th class="n">Week {int(w)}</th>' for w in grid.columns)
    rows = "".join(
        f"<tr><td>{_e(p)}</td>" + "".join(f'<td class="n">{_pct(v)}</td>' for v in values)
        + "</tr>"
        for p, values in zip(grid.index, grid.to_numpy(), strict=True)
    )  # fmt: skip
    return f"<table><thead><tr><th>Patient</th>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n:,} rows"


def _rejected(report: Any, reasons: dict[str, str]) -> str:
    rej = report.rejected
    if rej.empty:
        return "<p>No rows were rejected: every log row could be used.</p>"
    first = rej["reason"].str.split("; ").str[0]
    counts = first.value_counts()
    parts = [
        f"<p>{_rows(len(rej))} could not be used. Each is listed with its file, row and "
        "reason in the spreadsheet export (<code>to_xlsx</code>, <code>to_csv</code>). "
        "By main reason:</p>",
        "<table><thead><tr><th>Reason</th><th class=n>Rows</th><th>What was expected"
        "</th></tr></thead><tbody>",
    ]
    parts += [f"<tr><td>{_e(r)}</td><td class=n>{n:,}</td><td>{_e(reasons.get(r, ''))}</td></tr>"
              for r, n in counts.items()]  # fmt: skip
    parts.append("</tbody></table>")
    shown = rej.head(EXAMPLES)
    values = [
        "; ".join(_as_found(getattr(row, c)) for c in str(row.column).split("; ")
                  if c in shown.columns)
        for row in shown.itertuples(index=False)
    ]  # fmt: skip
    parts.append(f"<p>Examples: the first {_rows(len(shown))} of {len(rej):,}.</p>")
    parts.append(table_html(shown.assign(value=values),
                            {"file": "File", "row": "Row", "column": "Column",
                             "reason": "Reason", "value": "Value found"}))  # fmt: skip
    return "".join(parts)


def _unreadable_line(report: Any) -> str:
    """One line naming the plan files that could not be read (never a path)."""
    bad = report.unreadable_plans
    if bad.empty:
        return ""
    names = ", ".join(_e(n) for n in bad["file"].head(5))
    more = f" and {len(bad) - 5:,} more" if len(bad) > 5 else ""
    which = "1 plan file" if len(bad) == 1 else f"{len(bad):,} plan files"
    return (f"<p><b>{which} could not be read</b> ({names}{more}): their patients are not "
            "in this report and their logs are rejected as unknown patients. The files "
            "and reasons are listed at the end.</p>")  # fmt: skip


def _unreadable(report: Any) -> str:
    bad = report.unreadable_plans
    if bad.empty:
        return ""
    return ("<h2>Plan files that could not be read</h2>"
            + table_html(bad, {"file": "File", "reason": "Why"}))  # fmt: skip


def meeting_html(
    report: Any, reasons: dict[str, str], page_size: str = "A4", sections: tuple[str, ...] = ()
) -> str:
    """The whole page (see the module docstring); ``reasons`` explains each rejection
    reason (:data:`backplan.logs.REASONS`); ``page_size`` is a CSS page size; ``sections``
    are finished HTML sections put after the cohort by week (the outcomes section of
    :func:`backplan.pages.outcomes.meeting_page`)."""
    t = report.settings.get("threshold", 0.8)
    as_of = _day(report.as_of) if report.as_of else "no date"
    summary = "".join(f"<p class=lead>{s}</p>" for s in _summary(report))
    definitions = "".join(
        f"<li><b>{_e(term)}</b>: {_e(text)}</li>"
        for term, text in report.definitions().itertuples(index=False)
    )
    patients = table_html(
        report.by_patient,
        {"patient": "Patient", "start_date": "Plan start", "weeks_ended": "Weeks ended",
         "adherence": "Dose done", "session_adherence": "Sessions done",
         "pain_score_week1": "Pain during, week 1 (0-10)",
         "pain_score_latest": "Latest pain during (0-10)",
         "week_of_latest_pain": "Latest pain in week", "last_log": "Last log",
         "start_back": "STarT Back risk", "flags": "To call"},
    )  # fmt: skip
    cohort = table_html(
        report.cohort.assign(middle=[f"{a:.0%} to {b:.0%}" for a, b in
                                     zip(report.cohort["q1"], report.cohort["q3"], strict=True)]),
        {"week": "Week", "patients": "Patients with the week ended", "mean": "Mean",
         "median": "Median", "middle": "Middle half of patients",
         "share_adherent": f"Reached {t:.0%}"},
    )  # fmt: skip
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Exercise adherence: clinic meeting</title>",
        f"<style>{_CSS.replace('PAGE_SIZE', page_size)}{CALLS_CSS}</style></head><body>",
        "<h1>Home exercise adherence</h1>",
        f"<p class=note>Report date {_e(as_of)} (weeks that ended by this day count). "
        f"Target: {t:.0%} of the prescribed dose. {_data_line(report)}</p>",
        _unreadable_line(report),
        summary,
        f"<figure>{_chart_svg(report)}<figcaption>Dose done each week, over patients whose "
        "week has ended: median (line), middle half of patients (band), mean (dashed), "
        f"target (dotted, {t:.0%}).</figcaption></figure>",
        '<h2 class="page">Call this week, most urgent first</h2>',
        "<p class=note>A warning sign in a note first (call today), then pain, then silence, "
        "then low adherence; within each the most severe first. The weekly review "
        "(<code>backplan review</code>) gives the same list: both follow the review rules "
        "(<code>data/review-rules.csv</code>).</p>",
        _call_rows(report),
        "<h2>All patients</h2>",
        patients,
        "<h2>Dose done week by week</h2>",
        "<p class=note>Blank: the week has not ended yet.</p>",
        _weekly_grid(report),
        "<h2>The cohort by week</h2>",
        cohort,
        *sections,
        "<h2>Rows that could not be used</h2>",
        _rejected(report, reasons),
        _unreadable(report),
        "<h2>How the numbers are worked out</h2>",
        f"<ul class=note>{definitions}</ul>",
        "</body></html>",
    ]
    return "\n".join(parts)
