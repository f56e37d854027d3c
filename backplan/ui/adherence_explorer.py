"""AdherenceExplorer: pick a patient and a threshold; see their weeks, flags and charts.

The explorer only shows. Every number comes from :func:`backplan.adherence` (run again
when the threshold changes) and every chart from :mod:`backplan.charts` -- the same calls
a notebook user makes. Controls are attributes (``explorer.patient``,
``explorer.threshold``, ``explorer.chart_kind``), so a test can set ``.value`` without a
browser.

Examples
--------
>>> import backplan as bp
>>> from backplan.ui import AdherenceExplorer
>>> plans, logs = bp.synthetic_cohort(n_patients=3, weeks=3, seed=1)
>>> explorer = AdherenceExplorer(logs, plans)
>>> explorer.patient.value = "SYN-0002"
>>> explorer.week_table["week"].tolist()
[1, 2, 3]
"""

from __future__ import annotations

import html
import io
from datetime import date
from typing import Any

import ipywidgets as w
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..charts.adherence import plot_adherence_heatmap, plot_cohort_trend
from ..logs import AdherenceReport, adherence

__all__ = ["WEEK_COLUMNS", "AdherenceExplorer"]

#: by_week columns the explorer shows, with their headings.
WEEK_COLUMNS: dict[str, str] = {
    "week": "Week",
    "week_start": "Starts",
    "sessions_done": "Sessions done",
    "sessions_prescribed": "Sessions set",
    "reps_done": "Reps done",
    "reps_prescribed": "Reps set",
    "adherence": "Dose adherence",
    "session_adherence": "Session adherence",
    "pain_mean": "Mean pain",
    "ended": "Week over",
}
CHARTS = {"This patient, week by week": "patient", "Whole cohort trend": "cohort"}


class AdherenceExplorer(w.VBox):
    """A patient picker, a threshold slider, the patient's weekly table, flags and a chart.

    Parameters
    ----------
    logs : path, DataFrame or LogTable
        As for :func:`backplan.adherence`.
    prescriptions : list of Plan or prescription table
        As for :func:`backplan.adherence`.
    as_of : date or str, optional
        As for :func:`backplan.adherence`.

    Attributes
    ----------
    patient : ipywidgets.Dropdown
    threshold : ipywidgets.FloatSlider
        The "adherent" threshold; changing it runs :func:`backplan.adherence` again.
    chart_kind : ipywidgets.ToggleButtons
    report : AdherenceReport
        The report currently shown.
    week_table : pandas.DataFrame
        The chosen patient's rows of ``report.by_week`` (the :data:`WEEK_COLUMNS`).
    """

    def __init__(self, logs: Any, prescriptions: Any, as_of: date | str | None = None) -> None:
        self._inputs = (logs, prescriptions, as_of)
        self.report: AdherenceReport = adherence(logs, prescriptions, as_of)
        patients = list(self.report.by_patient["patient"])
        self.patient = w.Dropdown(options=patients, value=patients[0], description="Patient")
        self.threshold = w.FloatSlider(
            value=0.8, min=0.5, max=1.0, step=0.05, description="Adherent at",
            readout_format=".0%", continuous_update=False,
        )  # fmt: skip
        self.chart_kind = w.ToggleButtons(options=list(CHARTS.items()), value="patient")
        self.summary = w.HTML()
        self.table = w.HTML()
        self.flags = w.HTML()
        self.image = w.Image(format="png")
        self.week_table = pd.DataFrame(columns=list(WEEK_COLUMNS))
        self._figure = Figure(figsize=(7.0, 3.0), dpi=90, layout="constrained")
        FigureCanvasAgg(self._figure)
        super().__init__(
            [
                w.HBox([self.patient, self.threshold]),
                self.summary,
                self.table,
                self.flags,
                self.chart_kind,
                self.image,
            ]
        )
        self.patient.observe(self._show, names="value")
        self.chart_kind.observe(self._show, names="value")
        self.threshold.observe(self._recompute, names="value")
        self._show()

    def _recompute(self, _change: object = None) -> None:
        logs, prescriptions, as_of = self._inputs
        self.report = adherence(logs, prescriptions, as_of, threshold=self.threshold.value)
        self._show()

    def _show(self, _change: object = None) -> None:
        report, who = self.report, self.patient.value
        self.summary.value = f"<p>{html.escape(report.summary())}</p>"
        week = report.by_week[report.by_week["patient"] == who]
        self.week_table = week[list(WEEK_COLUMNS)].reset_index(drop=True)
        shown = self.week_table.rename(columns=WEEK_COLUMNS).copy()
        for col in ("Dose adherence", "Session adherence"):
            shown[col] = shown[col].map(lambda v: f"{v:.0%}")
        shown["Mean pain"] = shown["Mean pain"].map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
        shown["Starts"] = shown["Starts"].dt.strftime("%Y-%m-%d")
        self.table.value = shown.to_html(index=False, escape=True, border=0)
        flags = report.flags[report.flags["patient"] == who]
        items = "".join(
            f"<li><b>{html.escape(f)}</b>: {html.escape(d)}</li>"
            for f, d in zip(flags["flag"], flags["detail"], strict=True)
        )
        self.flags.value = f"<ul>{items}</ul>" if items else "<p>No flags for this patient.</p>"
        self._draw()

    def _draw(self) -> None:
        self._figure.clear()
        # one patient is one row of cells: a low figure, so the row is not stretched tall
        one = self.chart_kind.value == "patient"
        self._figure.set_size_inches(7.0, 2.4 if one else 3.6)
        self.axes = ax = self._figure.add_subplot()
        if one:
            plot_adherence_heatmap(self.report, ax=ax, patients=[self.patient.value])
        else:
            plot_cohort_trend(self.report, ax=ax)
        buf = io.BytesIO()
        self._figure.savefig(buf, format="png")
        self.image.value = buf.getvalue()
        # shown at its own size in pixels, never stretched to the width of the page
        width, height = self._figure.canvas.get_width_height()
        self.image.layout.width, self.image.layout.height = f"{width}px", f"{height}px"
