"""The adherence report as a page for a clinic meeting: HTML that prints well on A4.

Page 1 sums the cohort up in words with one chart; then the patients to contact, most
urgent first, each with the evidence and a suggested action; then every patient on one
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
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["EXAMPLES", "meeting_html", "table_html"]

#: Rejected rows shown as examples in the page (the spreadsheet and CSV have them all).
EXAMPLES = 20

_CSS = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
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
.urgent1 td:first-child { border-left: 2.5pt solid #000; }
figure { margin: 3mm 0; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: 9pt; color: #333; }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _pct(v: object) -> str:
    return "" if v is None or pd.isna(v) else f"{float(v):.0%}"  # type: ignore[arg-type]


def _num(v: object, digits: int = 1) -> str:
    return "" if v is None or pd.isna(v) else f"{float(v):.{digits}f}"  # type: ignore[arg-type]


def _day(v: object) -> str:
    if v is None or pd.isna(v):
        return ""
    return f"{pd.Timestamp(v):%d %b %Y}".lstrip("0")  # type: ignore[arg-type]


def _count(v: object) -> str:
    return "" if v is None or pd.isna(v) else f"{int(v):,}"  # type: ignore[call-overload]


def _yes(v: object) -> str:
    return "" if v is None or pd.isna(v) else ("yes" if v else "no")


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


#: Human headers and formats for the columns the page shows (right-aligned when numeric).
_COLUMNS: dict[str, tuple[str, Callable[[Any], str], str]] = {
    "patient": ("Patient", _e, "d"),
    "file": ("File", _e, ""),
    "row": ("Row", _count, "n"),
    "start_date": ("Plan start", _day, "d"),
    "end_date": ("Plan end", _day, "d"),
    "weeks_ended": ("Weeks ended", _count, "n"),
    "adherence": ("Dose done (mean of ended weeks)", _pct, "n"),
    "session_adherence": ("Sessions done", _pct, "n"),
    "adherent": ("Reached target", _yes, ""),
    "last_log": ("Last log", _day, "d"),
    "pain_score_week1": ("Pain score week 1 (0-10)", _num, "n"),
    "pain_score_latest": ("Latest pain score (0-10)", _num, "n"),
    "week_of_latest_pain": ("Week of latest pain score", _count, "n"),
    "flags": ("Flags", _count, "n"),
    "week": ("Week", _count, "n"),
    "patients": ("Patients with the week ended", _count, "n"),
    "mean": ("Mean", _pct, "n"),
    "median": ("Median", _pct, "n"),
    "share_adherent": ("Reached target", _pct, "n"),
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
    """The cohort trend chart as inline SVG (no user text in it)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from ..charts.adherence import plot_cohort_trend

    with plt.rc_context({"svg.fonttype": "none", "font.size": 9}):
        fig, ax = plt.subplots(figsize=(7.0, 2.9), layout="constrained")
        try:
            plot_cohort_trend(report, ax=ax)
            ax.set_title("")
            buf = io.StringIO()
            fig.savefig(buf, format="svg")
        finally:
            plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


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
        out.append(f"Of {scored} patients with pain scores in week 1 and later, {eased} "
                   f"report pain down by at least {report.settings.get('pain_rise', 2):g} "
                   "points.")  # fmt: skip
    flagged = report.flags["patient"].nunique()
    if flagged:
        kinds = (
            report.flags.sort_values("priority").groupby("flag", sort=False)["patient"].nunique()
        )
        listed = ", ".join(f"{n} with {k}" for k, n in kinds.items())
        out.append(f"<b>{flagged} patients need a call</b> ({listed}); they are listed "
                   "next, most urgent first.")  # fmt: skip
    else:
        out.append("No patient is flagged.")
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


def _flag_rows(report: Any) -> str:
    flags = report.flags
    if flags.empty:
        return "<p>No patient is flagged: nobody needs a call because of these logs.</p>"
    by_patient = report.by_patient.set_index("patient")
    rows = []
    for patient, group in flags.groupby("patient", sort=False):
        info = by_patient.loc[patient]
        why = "<br>".join(f"<b>{_e(f)}</b>: {_e(d)}"
                          for f, d in zip(group["flag"], group["detail"], strict=True))  # fmt: skip
        top = int(group["priority"].min())
        rows.append(
            f'<tr class="urgent{top}"><td class=d>{_e(patient)}</td><td>{why}</td>'
            f"<td>{_e(group['action'].iloc[0])}</td>"
            f'<td class="n">{_pct(info["adherence"])}</td>'
            f"<td class=d>{_day(info['last_log'])}</td></tr>"
        )
    head = ("<table><thead><tr><th>Patient</th><th>Why (evidence)</th><th>Suggested action</th>"
            '<th class="n">Dose done</th><th>Last log</th></tr></thead><tbody>')  # fmt: skip
    return head + "".join(rows) + "</tbody></table>"


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


def meeting_html(report: Any, reasons: dict[str, str]) -> str:
    """The whole page (see the module docstring); ``reasons`` explains each rejection
    reason (:data:`backplan.logs.REASONS`)."""
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
         "pain_score_week1": "Pain week 1 (score 0-10)",
         "pain_score_latest": "Latest pain (score 0-10)",
         "week_of_latest_pain": "Latest pain in week", "last_log": "Last log",
         "flags": "Flags"},
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
        f"<style>{_CSS}</style></head><body>",
        "<h1>Home exercise adherence</h1>",
        f"<p class=note>Report date {_e(as_of)} (weeks that ended by this day count). "
        f"Target: {t:.0%} of the prescribed dose. {_data_line(report)}</p>",
        summary,
        f"<figure>{_chart_svg(report)}<figcaption>Dose done each week, over patients whose "
        "week has ended: median (line), middle half of patients (band), mean (dashed), "
        f"target (dotted, {t:.0%}).</figcaption></figure>",
        '<h2 class="page">Patients to contact, most urgent first</h2>',
        "<p class=note>Pain up first, then no recent logs, then low weeks in a row, then low "
        "adherence overall.</p>",
        _flag_rows(report),
        "<h2>All patients</h2>",
        patients,
        "<h2>Dose done week by week</h2>",
        "<p class=note>Blank: the week has not ended yet.</p>",
        _weekly_grid(report),
        "<h2>The cohort by week</h2>",
        cohort,
        "<h2>Rows that could not be used</h2>",
        _rejected(report, reasons),
        "<h2>How the numbers are worked out</h2>",
        f"<ul class=note>{definitions}</ul>",
        "</body></html>",
    ]
    return "\n".join(parts)
