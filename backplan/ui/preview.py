"""The plan preview: week 1 and the last week as a table, and the weekly-volume chart.

Both come from public functions: :func:`backplan.schedule`, :func:`backplan.weekly_volume`
and :class:`backplan.charts.VolumeChart`.
"""

from __future__ import annotations

import base64
import html

import ipywidgets as w
import pandas as pd

from ..charts.volume import VolumeChart
from ..plan import Plan
from ..volume import METRICS, schedule, weekly_volume
from ._common import heading, plain

__all__ = ["PREVIEW_COLUMNS", "Preview"]

#: Preview columns (from :func:`backplan.schedule`) and their headings.
PREVIEW_COLUMNS: dict[str, str] = {
    "week": "Week",
    "name": "Exercise",
    "sets": "Sets",
    "reps": "Reps",
    "side": "Counted on",
    "hold_s": "Hold (s)",
    "sessions_per_day": "Times a day",
    "days_per_week": "Days a week",
    "weekly_reps": "Reps a week",
    "weekly_hold_seconds": "Seconds held a week",
}


class Preview:
    """Table and chart of one plan, redrawn by :meth:`show`.

    Attributes
    ----------
    table : ipywidgets.HTML
        The table as shown; ``frame`` holds the same rows as data.
    chart : ipywidgets.HTML
        The chart as an image with a text description (``alt``) for screen readers;
        ``png`` holds its bytes and ``volume`` the table it draws.
    metric, by : ipywidgets.Dropdown
        What the chart shows.
    """

    def __init__(self, catalogue: pd.DataFrame) -> None:
        self.catalogue = catalogue
        self.side = {
            r.id: (str(r.side) if r.per_side else "") for r in catalogue.itertuples(index=False)
        }
        self.table = plain(w.HTML)
        self.table.add_class("bp-preview")
        self.frame = pd.DataFrame(columns=list(PREVIEW_COLUMNS))
        self.metric = w.Dropdown(
            options=[(unit, key) for key, unit in METRICS.items()],
            value="reps",
            description="Chart shows",
            style={"description_width": "initial"},
        )
        self.by = w.Dropdown(
            options=[("by exercise", "exercise"), ("by body area", "target")],
            value="exercise",
            description="Split",
        )
        self.chart = plain(w.HTML)
        self.chart.add_class("bp-chart")
        self.drawing = VolumeChart()
        self.png = b""
        self.volume = pd.DataFrame()

    def show(self, plan: Plan) -> None:
        """Draw ``plan``'s table and chart."""
        table = schedule(plan, self.catalogue)
        ends = table[table["week"].isin([1, plan.weeks])]
        frame = ends.assign(side=ends["exercise"].map(self.side).fillna(""))
        self.frame = frame[list(PREVIEW_COLUMNS)].reset_index(drop=True)
        self.table.value = self.frame.rename(columns=PREVIEW_COLUMNS).to_html(
            index=False, escape=True, border=0, classes="bp-table"
        )
        by = self.by.value
        self.volume = weekly_volume(table, by=by)
        self.png = self.drawing.update(self.volume, self.metric.value, by)
        totals = self.volume.groupby("week")[self.metric.value].sum()
        alt = f"Chart of {METRICS[self.metric.value]} for weeks 1 to {plan.weeks}: " + ", ".join(
            str(int(v)) for v in totals
        )
        data = base64.b64encode(self.png).decode("ascii")
        self.chart.value = f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'

    def layout(self) -> w.VBox:
        return plain(
            w.VBox,
            [
                heading("Preview: week 1 and the last week"),
                self.table,
                heading("Weekly volume"),
                plain(w.HBox, [self.metric, self.by]),
                self.chart,
            ],
        )
