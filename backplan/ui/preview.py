"""The plan preview: week 1 and every week in which anything changes, and the volume chart.

Both come from public functions: :func:`backplan.schedule`, :func:`backplan.weekly_volume`
and :class:`backplan.charts.VolumeChart`.
"""

from __future__ import annotations

import base64
import html

import ipywidgets as w
import numpy as np
import pandas as pd

from ..charts.volume import VolumeChart
from ..plan import Plan
from ..volume import METRICS, schedule, weekly_volume
from ._common import heading, plain, subheading

__all__ = ["PREVIEW_COLUMNS", "Preview"]

#: Preview columns (from :func:`backplan.schedule`) and their headings.
PREVIEW_COLUMNS: dict[str, str] = {
    "week": "Week",
    "name": "Exercise",
    "sets": "Sets",
    "reps": "Reps",
    "side": "Each",
    "hold_s": "Hold (s)",
    "sessions_per_day": "Times a day",
    "days_per_week": "Days a week",
    "weekly_reps": "Reps a week",
    "weekly_hold_seconds": "Seconds held a week",
}


_DOSE = ["sets", "reps", "hold_s", "sessions_per_day", "days_per_week"]


def changing_weeks(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`backplan.schedule` a physio needs to see the whole plan.

    Week 1 in full, then for every later week in which anything changes (an increase, a
    revision, a level change) the exercises that start or change that week, and a row
    for each exercise that stops (``change`` says which: ``"start"``, ``"new"``,
    ``"changed"``, ``"stops"``). Weeks not listed repeat the week before.

    Examples
    --------
    >>> import backplan as bp
    >>> cat = bp.load_catalogue()
    >>> plan = bp.build_plan(cat, "beginners", ["heel-raises"], start_date="2026-01-05",
    ...     weeks=6, progression=[bp.AddDose(what="reps", amount=2, every_weeks=3, cap=20)])
    >>> changing_weeks(bp.schedule(plan, cat))[["week", "reps", "change"]]
       week  reps   change
    0     1    10    start
    1     4    12  changed
    """
    here = pd.MultiIndex.from_frame(table[["week", "exercise"]])
    # each row's dose the week before (NaN: the exercise was not done that week)
    before = table.assign(week=table["week"] + 1).set_index(["week", "exercise"])[_DOSE]
    before = before.reindex(here).to_numpy(dtype=float)
    new = np.isnan(before).all(axis=1)
    changed = (table[_DOSE].to_numpy(dtype=float) != before).any(axis=1) & ~new
    first = (table["week"] == table["week"].min()).to_numpy()
    change = np.where(first, "start", np.where(new, "new", np.where(changed, "changed", "")))
    shown = table.assign(change=change)[change != ""]
    # an exercise done one week and not the next stops that next week
    after = pd.MultiIndex.from_frame(table[["week", "exercise"]].assign(week=table["week"] - 1))
    ends = ~here.isin(after) & (table["week"] < table["week"].max()).to_numpy()
    stopped = table[ends].assign(week=table.loc[ends, "week"] + 1, change="stops")
    out = pd.concat([shown, stopped], ignore_index=True)
    return out.sort_values(["week", "order"], kind="stable").reset_index(drop=True)


#: The chart's width in screen pixels (shown at natural size, so its text stays 12 px).
CHART_WIDTH = 500


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
    notice : ipywidgets.HTML
        Above the table while the form does not make a plan (:meth:`stale`): the table then
        shows the last plan that worked without the exercises unticked since.
    """

    def __init__(self, catalogue: pd.DataFrame) -> None:
        self.catalogue = catalogue
        self.side = {
            r.id: (str(r.side) if r.per_side else "") for r in catalogue.itertuples(index=False)
        }
        self.table = plain(w.HTML)
        self.table.add_class("bp-preview")
        self.frame = pd.DataFrame(columns=list(PREVIEW_COLUMNS))
        self.notice = plain(w.HTML)
        self.notice.add_class("bp-preview-stale")
        self._note = ""
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
        self.drawing = VolumeChart(width_px=CHART_WIDTH, height_px=190, legend_below=True)
        self.png = b""
        self.volume = pd.DataFrame()

    def show(self, plan: Plan) -> None:
        """Draw ``plan``'s table and chart."""
        table = schedule(plan, self.catalogue)
        rows = changing_weeks(table)
        frame = rows.assign(side=rows["exercise"].map(self.side).fillna(""))
        self.frame = frame[[*PREVIEW_COLUMNS, "exercise", "change"]].reset_index(drop=True)
        last = plan.weeks
        self._note = (
            f"<p class='bp-preview-note'>Week 1 in full, then each week in which something "
            f"changes. Weeks not listed repeat the week before; the plan ends after week "
            f"{last}.</p>"
        )
        self.notice.value = ""
        self.table.value = self._note + self._body(self.frame)
        by = self.by.value
        self.volume = weekly_volume(table, by=by)
        self.png = self.drawing.update(self.volume, self.metric.value, by)
        totals = self.volume.groupby("week")[self.metric.value].sum()
        alt = f"Chart of {METRICS[self.metric.value]} for weeks 1 to {plan.weeks}: " + ", ".join(
            str(int(v)) for v in totals
        )
        data = base64.b64encode(self.png).decode("ascii")
        self.chart.value = f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'

    def stale(self, problem: str, unticked: list[str]) -> None:
        """The form does not make a plan: say so above the table, and leave out of the
        last plan's rows the exercises in ``unticked`` (the physio took them out)."""
        rows = self.frame[~self.frame["exercise"].isin(unticked)]
        first = problem.splitlines()[0] if problem else "the form has a problem"
        self.notice.value = (
            "<div class='bp-field-error' role='note'>Not up to date: "
            f"{html.escape(first)} The table shows the last plan that worked"
            + (", without the exercises you unticked." if len(rows) < len(self.frame) else ".")
            + "</div>"
        )
        self.table.value = self._note + self._body(rows)

    @staticmethod
    def _body(frame: pd.DataFrame) -> str:
        """The preview rows as an HTML table ("stops" rows dashed)."""
        shown = frame.copy()
        stops = shown["change"] == "stops"
        shown.loc[stops, "name"] = shown.loc[stops, "name"] + " (stops)"
        shown = shown.astype(object)
        shown.loc[stops, list(PREVIEW_COLUMNS)[2:]] = "–"
        return (
            shown[list(PREVIEW_COLUMNS)]
            .rename(columns=PREVIEW_COLUMNS)
            .to_html(index=False, escape=True, border=0, classes="bp-table")
        )

    def layout(self) -> w.VBox:
        return plain(
            w.VBox,
            [
                heading("Preview"),
                self.notice,
                self.table,
                subheading("Weekly volume"),
                plain(w.HBox, [self.metric, self.by]),
                self.chart,
            ],
        )
