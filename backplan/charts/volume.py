"""Weekly-volume charts: one plan as stacked bars, or several plans side by side.

Both functions take ``ax=None`` (a new figure is made when it is missing) and return the
Axes they drew on. Bars use :func:`backplan.charts._style.fill_style`, so every series
differs in fill *and* hatch and stays readable when printed in grey.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import backplan as bp
>>> cat = bp.load_catalogue()
>>> plan = bp.build_plan(cat, "beginners", ["heel-slides", "wall-squats"],
...                      start_date="2026-01-05", weeks=3)
>>> ax = plot_weekly_volume(bp.weekly_volume(plan, cat))
>>> [round(p.get_height()) for p in ax.patches][:3]
[140, 140, 140]
"""

from __future__ import annotations

import io
import textwrap
import weakref
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FixedLocator, MaxNLocator

from ..plan import Plan
from ..volume import METRICS, weekly_volume
from ._style import axes, fill_style

__all__ = ["VolumeChart", "compare_plans", "plot_weekly_volume", "redraw_weekly_volume"]

Metric = Literal["reps", "hold_seconds", "sessions"]
_SERIES = {"exercise": "name", "target": "target"}
# What each Axes last drew with redraw_weekly_volume (metric, split, weeks, parts).
_DRAWN: weakref.WeakKeyDictionary[Axes, tuple[Any, ...]] = weakref.WeakKeyDictionary()


def _check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}; got {metric!r}")
    return METRICS[metric][0].upper() + METRICS[metric][1:]


def _week_axis(ax: Axes, weeks: Sequence[int], ylabel: str) -> None:
    ax.set_xlabel("Week of the plan")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(FixedLocator(list(weeks)))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_axisbelow(True)
    ax.grid(axis="y", color="#cccccc", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _stack_table(
    volume: pd.DataFrame, metric: str, by: str | None, largest_first: bool = True
) -> pd.DataFrame:
    """Week x series table of ``metric``: series with the largest total first, or in order
    of first appearance."""
    if by not in ("exercise", "target", None):
        raise ValueError(f"by must be 'exercise', 'target' or None; got {by!r}")
    missing = [c for c in ("week", metric) if c not in volume.columns]
    if missing:
        raise ValueError(
            f"volume has no {', '.join(missing)} column; make it with backplan.weekly_volume()"
        )
    if by is None:
        return volume.groupby("week")[metric].sum().to_frame("whole plan")
    column = _SERIES[by]
    if column not in volume.columns:
        raise ValueError(
            f"volume has no {column!r} column; make it with backplan.weekly_volume(plan, by={by!r})"
        )
    table = volume.groupby(["week", column])[metric].sum().unstack(fill_value=0)
    table = table.reindex(columns=list(dict.fromkeys(volume[column]))).sort_index()
    # A part with nothing to show in any week gets no bar, so no legend entry either.
    table = table.loc[:, (table != 0).any(axis=0).to_numpy()]
    if not largest_first:
        return table
    # The largest part at the bottom of each bar, the smallest on top (ties keep plan order).
    return table[table.sum().sort_values(ascending=False, kind="stable").index]


def _volume_title(table: pd.DataFrame, metric: str, by: str | None) -> str:
    """What the chart shows, as a finding: the weekly total from the first to the last week."""
    label = _check_metric(metric)
    totals = table.sum(axis=1)
    part = {"exercise": " (by exercise)", "target": " (by body area)"}.get(str(by), "")
    if totals.empty:
        return f"{label}: nothing to show{part}"
    first, last = round(float(totals.iloc[0])), round(float(totals.iloc[-1]))
    w1, wn = int(totals.index[0]), int(totals.index[-1])
    if len(totals) == 1 or (totals == totals.iloc[0]).all():
        return f"{label}: {first:,} every week{part}"
    verb = "rise" if last > first else ("fall" if last < first else "change, then return")
    return f"{label} {verb} from {first:,} in week {w1} to {last:,} in week {wn}{part}"


def redraw_weekly_volume(
    volume: pd.DataFrame,
    metric: Metric,
    by: Literal["exercise", "target"] | None,
    ax: Axes,
) -> Axes:
    """Like :func:`plot_weekly_volume` on an Axes it drew before, replacing that chart.

    When the weeks, the parts and the metric are the same as last time, the bars are
    resized in place (much faster than drawing a new chart); otherwise the old bars and
    legend are removed and :func:`plot_weekly_volume` draws afresh.
    """
    _check_metric(metric)
    table = _stack_table(volume, metric, by, largest_first=False)
    shape = (metric, by, tuple(table.index), tuple(table.columns))
    bars = list(ax.containers)
    if _DRAWN.get(ax) == shape and len(bars) == len(table.columns):
        bottom = np.zeros(len(table.index))
        for container, label in zip(bars, table.columns, strict=True):
            heights = table[label].to_numpy(dtype=float)
            for rect, h, b in zip(container.patches, heights, bottom, strict=True):
                rect.set_height(h)
                rect.set_y(b)
            bottom += heights
        if ax.get_autoscaley_on():
            ax.relim()
            ax.autoscale_view()
        return ax
    for container in bars:
        container.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.relim()
    plot_weekly_volume(volume, metric=metric, by=by, ax=ax, title=False, sort=False)
    _DRAWN[ax] = shape
    return ax


def _series_outlines(ax: Axes) -> Iterator[PathPatch]:
    """Each bar series of ``ax`` as one patch of the same look (drawn far faster)."""
    for container in ax.containers:
        bars = list(container)
        if not bars:
            continue
        first = bars[0]
        outline = PathPatch(
            MplPath.make_compound_path(
                *(bar.get_path().transformed(bar.get_patch_transform()) for bar in bars)
            ),
            facecolor=first.get_facecolor(),
            edgecolor=first.get_edgecolor(),
            linewidth=first.get_linewidth(),
            hatch=first.get_hatch(),
            transform=ax.transData,
        )
        if hasattr(first, "get_hatchcolor"):
            outline.set_hatchcolor(first.get_hatchcolor())
        outline.set_figure(ax.get_figure(root=True))
        outline.set_clip_path(ax.patch)
        yield outline


class VolumeChart:
    """One weekly-volume chart kept alive and redrawn as a PNG after every change.

    For live previews (the plan builder): :meth:`update` draws the same chart as
    :func:`plot_weekly_volume` and returns it as PNG bytes, shown at its natural size.
    At ``dpi=72`` one point is one screen pixel, so ``text_px`` is the on-screen size of
    the legend and axis text. When only bar heights change, the axes, ticks and legend
    are reused and only the bars are drawn again.

    Examples
    --------
    >>> import backplan as bp
    >>> cat = bp.load_catalogue()
    >>> plan = bp.build_plan(cat, "beginners", ["heel-raises"], start_date="2026-01-05",
    ...                      weeks=2)
    >>> chart = VolumeChart()
    >>> chart.update(bp.weekly_volume(plan, cat)).startswith(b"\\x89PNG")
    True
    >>> [float(p.get_height()) for p in chart.axes.patches]
    [70.0, 70.0]
    """

    def __init__(
        self,
        width_px: int = 760,
        height_px: int = 300,
        *,
        text_px: float = 12,
        dpi: int = 72,
        legend_below: bool = False,
    ) -> None:
        self.text_px = text_px
        self.legend_below = legend_below
        self.width_px, self.plot_px, self.dpi = width_px, height_px, dpi
        self.figure = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
        FigureCanvasAgg(self.figure)
        # A fixed layout (room on the right, or below, for the legend) costs one draw, not
        # two. Below suits a narrow chart: long exercise names get the full width, and
        # the figure grows to fit the legend (``height_px`` is then the axes' part).
        if not legend_below:
            self.figure.subplots_adjust(left=0.09, right=0.6, bottom=0.16, top=0.95)
        else:
            self._fit_below(0)
        self.axes = self.figure.add_subplot()
        self._background: Any = None
        self._background_key: tuple[Any, ...] | None = None

    def _fit_below(self, legend_px: float) -> None:
        """Size the figure: ``plot_px`` for the axes and their labels, then the legend."""
        axis_px = 3.8 * self.text_px  # tick labels and the x-axis label
        height = 8 + self.plot_px + axis_px + legend_px + 6
        size = (self.width_px / self.dpi, height / self.dpi)
        if tuple(self.figure.get_size_inches()) != size:
            self.figure.set_size_inches(*size)
        self.figure.subplots_adjust(left=60 / self.width_px, right=0.97,
                                    bottom=(axis_px + legend_px + 6) / height,
                                    top=1 - 8 / height)  # fmt: skip

    def _legend_below(self) -> None:
        """The legend under the axes in two columns, long names wrapped, all in view."""
        ax = self.axes
        handles, labels = ax.get_legend_handles_labels()
        wrapped = [textwrap.fill(str(label), 30) for label in labels]
        half = -(-len(wrapped) // 2)
        lines = [max(w.count("\n") + 1 for w in wrapped[row::half][:2]) for row in range(half)]
        line_px = self.text_px * 1.25
        self._fit_below(sum(lines) * line_px + half * 0.5 * self.text_px)
        # No title below the axes: it would read as a second x-axis label.
        legend = ax.legend(handles, wrapped, loc="upper left", ncol=2, frameon=False,
                           bbox_to_anchor=(-50 / (self.width_px * 0.9), -3.6 * self.text_px
                                           / (ax.get_position().height * self.figure.bbox.height)),
                           borderaxespad=0, columnspacing=1.0, labelspacing=0.5)  # fmt: skip
        legend._bp_below = True  # type: ignore[attr-defined]

    def _text_sizes(self) -> None:
        size = self.text_px * 72 / self.figure.dpi
        ax = self.axes
        for label in (ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(), *ax.get_yticklabels()):
            label.set_fontsize(size)
        ax.tick_params(labelsize=size)
        legend = ax.get_legend()
        if legend is not None:
            for text in (*legend.get_texts(), legend.get_title()):
                text.set_fontsize(size)

    def update(
        self,
        volume: pd.DataFrame,
        metric: Metric = "reps",
        by: Literal["exercise", "target"] | None = "exercise",
    ) -> bytes:
        """Draw ``volume`` (from :func:`backplan.weekly_volume`) and return it as PNG bytes."""
        import PIL.Image

        ax, canvas = self.axes, self.figure.canvas
        redraw_weekly_volume(volume, metric, by, ax)
        legend = ax.get_legend()
        if self.legend_below and legend is not None and not getattr(legend, "_bp_below", False):
            self._legend_below()
        elif self.legend_below and legend is None:
            self._fit_below(0)
        self._text_sizes()
        # The y axis ends on a round tick at least 10% above the tallest bar, so most dose
        # changes leave axes, ticks and legend as they were.
        tops = [p.get_y() + p.get_height() for p in ax.patches]
        locator = MaxNLocator(nbins=6, integer=True)
        ax.set_ylim(0, float(locator.tick_values(0, 1.1 * max([1.0, *tops]))[-1]))
        key = (_DRAWN.get(ax), ax.get_xlim(), ax.get_ylim())
        if key != self._background_key:
            for patch in ax.patches:
                patch.set_visible(False)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self._background_key = key
            for patch in ax.patches:
                patch.set_visible(True)
        else:
            canvas.restore_region(self._background)
        for series in _series_outlines(ax):
            ax.draw_artist(series)
        width, height = canvas.get_width_height()
        image = PIL.Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw")
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=1)
        return buf.getvalue()


def plot_weekly_volume(
    volume: pd.DataFrame,
    metric: Metric = "reps",
    by: Literal["exercise", "target"] | None = "exercise",
    ax: Axes | None = None,
    *,
    title: bool | str = True,
    sort: bool = True,
) -> Axes:
    """Stacked bars of one plan's weekly volume, one bar per week, the largest part at the
    bottom; the title says how the weekly total moves.

    Parameters
    ----------
    volume : pandas.DataFrame
        The output of :func:`backplan.weekly_volume`.
    metric : {"reps", "hold_seconds", "sessions"}
        Which measure to draw (units in :data:`backplan.METRICS`).
    by : {"exercise", "target", None}
        What the stacked parts are: exercises (needs ``weekly_volume(..., by="exercise")``),
        body areas (``by="target"``) or one bar for the whole plan (``None``). A part
        with nothing of ``metric`` in any week is left out of the bars and the legend.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : bool or str
        ``True`` (default): the finding, such as "Repetitions per week rise from 560 in
        week 1 to 784 in week 6 (by exercise)"; a text of your own; ``False`` for none.

    Returns
    -------
    matplotlib.axes.Axes
        Bar heights are the numbers in ``volume``; each part carries its label.

    Examples
    --------
    >>> import backplan as bp
    >>> cat = bp.load_catalogue()
    >>> plan = bp.build_plan(cat, "beginners", ["heel-raises"], start_date="2026-01-05",
    ...                      weeks=2)
    >>> ax = plot_weekly_volume(bp.weekly_volume(plan, cat), metric="sessions")
    >>> [float(p.get_height()) for p in ax.patches]
    [7.0, 7.0]
    """
    ylabel = _check_metric(metric)
    table = _stack_table(volume, metric, by, largest_first=sort)
    ax = axes(ax)
    weeks = [int(w) for w in table.index]
    bottom = np.zeros(len(weeks))
    for i, label in enumerate(table.columns):
        heights = table[label].to_numpy(dtype=float)
        ax.bar(weeks, heights, bottom=bottom, width=0.7, label=str(label), **fill_style(i))
        bottom += heights
    _week_axis(ax, weeks, ylabel)
    if title:
        text = title if isinstance(title, str) else _volume_title(table, metric, by)
        # wrapped, so a long finding is never cut at the figure's edge
        ax.set_title(textwrap.fill(text, 56), fontsize=10)
    if by is not None and len(table.columns):
        handles, labels = ax.get_legend_handles_labels()
        step = -1 if sort else 1
        ax.legend(
            handles[::step],
            labels[::step],
            title="Exercise" if by == "exercise" else "Body area",
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            frameon=False,
            fontsize="small",
        )
    return ax


def compare_plans(
    plans: Sequence[Plan] | Mapping[str, Plan],
    labels: Sequence[str] | None = None,
    metric: Metric = "reps",
    catalogue: pd.DataFrame | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Two or more plans side by side: one group of bars per week, one bar per plan.

    Parameters
    ----------
    plans : sequence of Plan, or mapping of label to Plan
        The plans to compare (at least two).
    labels : sequence of str, optional
        A name for each plan; by default the mapping's keys or "Plan 1", "Plan 2", ...
    metric : {"reps", "hold_seconds", "sessions"}
        Which weekly total to compare (units in :data:`backplan.METRICS`).
    catalogue : pandas.DataFrame, optional
        Passed to :func:`backplan.weekly_volume`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Each plan's bars are one container in ``ax.containers``, in plan order; their
        heights are ``weekly_volume(plan, by=None)[metric]``.

    Examples
    --------
    >>> import backplan as bp
    >>> cat = bp.load_catalogue()
    >>> easy = bp.build_plan(cat, "beginners", ["heel-raises"], start_date="2026-01-05", weeks=2)
    >>> more = bp.build_plan(cat, "beginners", ["heel-raises"], start_date="2026-01-05", weeks=2,
    ...                      reps=15)
    >>> ax = compare_plans([easy, more], labels=["10 reps", "15 reps"])
    >>> [[float(b.get_height()) for b in c] for c in ax.containers]
    [[70.0, 70.0], [105.0, 105.0]]
    """
    ylabel = _check_metric(metric)
    if isinstance(plans, Mapping):
        names = list(plans) if labels is None else list(labels)
        plans = list(plans.values())
    else:
        plans = list(plans)
        names = [f"Plan {i}" for i in range(1, len(plans) + 1)] if labels is None else labels
    if len(plans) < 2:
        raise ValueError(f"compare_plans needs two or more plans; got {len(plans)}")
    if len(names) != len(plans):
        raise ValueError(f"labels has {len(names)} names for {len(plans)} plans")
    ax = axes(ax)
    width = 0.8 / len(plans)
    all_weeks: set[int] = set()
    last: list[int] = []
    for i, (plan, name) in enumerate(zip(plans, names, strict=True)):
        totals = weekly_volume(plan, catalogue, by=None)
        last.append(round(float(totals[metric].iloc[-1])) if len(totals) else 0)
        weeks = totals["week"].to_numpy()
        all_weeks.update(int(w) for w in weeks)
        offset = (i - (len(plans) - 1) / 2) * width
        ax.bar(
            weeks + offset,
            totals[metric].to_numpy(dtype=float),
            width=width,
            label=str(name),
            **fill_style(i),
        )
    _week_axis(ax, sorted(all_weeks), ylabel)
    ends = "; ".join(f"{name}: {value:,}" for name, value in zip(names, last, strict=True))
    ax.set_title(f"{ylabel}, week {max(all_weeks)}:\n{ends}", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
    return ax
