"""The meeting page with outcome scores: adherence against outcome, said as an association.

:func:`meeting_page` is :meth:`~backplan.AdherenceReport.to_html` plus, when outcome scores
are given, a section "Adherence and outcome": for each measure with a follow-up score, the
finding in words (:func:`~backplan.outcome_finding`), the chart of improvement by adherence
band (:func:`backplan.charts.plot_outcome_by_adherence`, inline SVG: the page loads nothing
from the network), the table with counts and 95% confidence intervals (patients without a
follow-up score counted, not dropped), and the patients whose scores got worse by a change
that matters. It lives here, not on the report, because the outcome code reads files with
the logs' readers: the report (in :mod:`backplan.logs`) cannot import it.

Examples
--------
>>> import backplan as bp
>>> plans, logs = bp.demo.load_demo()
>>> report = bp.adherence(bp.read_logs(logs, plans), plans)
>>> scores = bp.read_outcomes(bp.demo.load_demo_outcomes().outcomes, plans)
>>> page = meeting_page(report, outcomes=scores)
>>> "Adherence and outcome" in page, "an association" in page, "http://" in page.split("<svg")[0]
(True, True, False)
"""

from __future__ import annotations

import html
import io
import os
import re

import pandas as pd

from ..errors import LogError, Problem
from ..logs import REASONS, AdherenceReport
from ..logs.report import page_name, write_page
from ..outcomes.cohort import NOT_KNOWN, outcome_by_adherence, outcome_finding
from ..triage.scores import changes_as_of
from .meeting import meeting_html

__all__ = ["meeting_page", "outcomes_section"]

_ASSOCIATION = (
    "These figures show an <b>association</b>, not an effect: patients who do more of their "
    "exercises may differ in other ways (less pain to start with, more time, or they felt "
    "better and so did more), and a small clinic has wide intervals. Do not read them as "
    "proof that the exercises caused the change."
)


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _svg(cohort: pd.DataFrame, measure: str) -> str:
    """The chart of one measure as inline SVG (no XML header, nothing fetched)."""
    from matplotlib.figure import Figure

    from ..charts import plot_outcome_by_adherence

    figure = Figure(figsize=(7.0, 4.2))
    plot_outcome_by_adherence(cohort, measure, ax=figure.add_subplot())
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    return re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)


def _number(value: object, digits: int = 1) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):.{digits}f}"  # type: ignore[arg-type]


def _band_table(rows: pd.DataFrame) -> str:
    head = ("<table><thead><tr><th>Adherence</th><th class=n>Patients</th>"
            "<th class=n>Followed up</th><th class=n>Baseline only</th><th class=n>No score</th>"
            "<th class=n>Mean improvement (points)</th><th>95% confidence interval</th>"
            "<th class=n>Better / no change / worse</th></tr></thead><tbody>")  # fmt: skip
    body = []
    for r in rows.itertuples(index=False):
        ci = (f"{_number(r.ci_low)} to {_number(r.ci_high)}" if pd.notna(r.ci_low)
              else "one patient or none: no interval")  # fmt: skip
        body.append(
            f"<tr><td>{_e(r.band)}</td><td class=n>{r.patients}</td><td class=n>{r.followed_up}"
            f"</td><td class=n>{r.no_follow_up}</td><td class=n>{r.no_scores}</td>"
            f"<td class=n>{_number(r.mean_improvement)}</td><td>{_e(ci)}</td>"
            f"<td class=n>{r.improved} / {r.no_change} / {r.worse}</td></tr>"
        )
    return head + "".join(body) + "</tbody></table>"


def _worse(changes: pd.DataFrame) -> str:
    worse = changes.loc[changes["direction"].fillna("") == "worse"]
    if worse.empty:
        return "<p>No patient's score got worse by a change that matters.</p>"
    rows = "".join(
        f"<tr><td class=d>{_e(r.patient)}</td><td>{_e(r.name)}</td>"
        f"<td class=n>{_number(r.baseline)} to {_number(r.latest)}</td>"
        f"<td class=n>{_number(abs(r.change))}</td><td class=n>{_number(r.mic)}</td></tr>"
        for r in worse.sort_values(["patient", "measure"]).itertuples(index=False)
    )
    return ("<p>Call these patients (the weekly review with these scores lists them too):</p>"
            "<table><thead><tr><th>Patient</th><th>Measure</th><th class=n>Baseline to latest"
            "</th><th class=n>Worse by</th><th class=n>A change that matters</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")  # fmt: skip


def outcomes_section(report: AdherenceReport, outcomes: object) -> str:
    """The "Adherence and outcome" section for ``report`` (HTML, every string escaped).

    ``outcomes``: an :class:`~backplan.OutcomeTable`, raw rows or a file (read strictly),
    or a table from :func:`~backplan.outcome_changes`; scores dated after the report's
    ``as_of`` are left out.
    """
    changes = changes_as_of(outcomes, report.as_of)
    cohort = outcome_by_adherence(changes, report)
    parts = ['<h2 class="page">Adherence and outcome</h2>', f"<p class=note>{_ASSOCIATION}</p>"]
    followed = changes["followed_up"].fillna(False).astype(bool)
    parts.append(
        f"<p>{changes['patient'].nunique()} patients have outcome scores; "
        f"{changes.loc[followed, 'patient'].nunique()} have a follow-up score on at least one "
        "measure. Improvement is in each measure's points, above 0 = better whichever way the "
        "scale runs; adherence is the mean dose done over the plan's ended weeks.</p>"
    )
    for measure in cohort["measure"].drop_duplicates():
        rows = cohort.loc[cohort["measure"] == measure]
        shown = rows.loc[(rows["band"] != NOT_KNOWN) | (rows["patients"] > 0)]
        name = str(rows["name"].iloc[0])
        finding = outcome_finding(cohort, str(measure)).removeprefix(f"{name}: ")
        parts.append(f'<div class="measure"><h3>{_e(name)}</h3><p>{_e(finding)}</p>')
        if int(rows["followed_up"].sum()):
            parts.append(f'<figure class="outcome">{_svg(cohort, str(measure))}</figure>')
        parts.append(_band_table(shown) + "</div>")
    parts.append("<h3>Scores worse by a change that matters</h3>")
    parts.append(_worse(changes))
    return "\n".join(parts)


def meeting_page(
    report: AdherenceReport,
    path: str | os.PathLike[str] | None = None,
    *,
    outcomes: object = None,
    page_size: str = "A4",
) -> str:
    """The clinic-meeting page of ``report`` (as :meth:`~backplan.AdherenceReport.to_html`),
    with an "Adherence and outcome" section when ``outcomes`` are given (see
    :func:`outcomes_section`). Writes the page to ``path`` too when given.

    Raises
    ------
    BackplanError
        For a page size other than ``"A4"`` or ``"letter"``.
    OutcomeError
        For outcome rows given raw with a bad row.
    """
    if not isinstance(report, AdherenceReport):
        expected = "an AdherenceReport (from bp.adherence)"
        raise LogError([Problem("<report>", None, "report", expected, type(report).__name__)])
    size = page_name(page_size)
    sections = () if outcomes is None else (outcomes_section(report, outcomes),)
    return write_page(meeting_html(report, REASONS, page_size=size, sections=sections), path)
