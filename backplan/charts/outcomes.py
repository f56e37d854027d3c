"""Adherence against outcome: mean improvement on one measure per adherence band.

One bar per band with its 95% confidence interval, the minimal important change as a
dashed line, and under each bar how many patients were followed up, how many have a
baseline only and how many have no score on this measure (counted, not dropped). Bars differ in grey and hatch, so the chart reads the same
printed in grey; the title states the finding as an association.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> t = pd.DataFrame({"measure": "nprs", "name": "Pain now (NPRS 0-10)",
...     "band": ["under 50%", "80% or more"], "patients": [4, 6], "no_scores": [0, 0],
...     "no_follow_up": [1, 1], "followed_up": [3, 5], "mean_improvement": [0.5, 2.6],
...     "ci_low": [-0.4, 2.0], "ci_high": [1.4, 3.2], "mic": 2.0})
>>> ax = plot_outcome_by_adherence(t, "nprs")
>>> [label.get_text().split("\\n")[0] for label in ax.get_xticklabels()]
['under 50%', '80% or more']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..outcomes.cohort import NOT_KNOWN, outcome_finding
from ._style import axes, fill_style

__all__ = ["plot_outcome_by_adherence"]

_NEEDS = ("measure", "name", "band", "patients", "no_scores", "no_follow_up", "followed_up",
          "mean_improvement", "ci_low", "ci_high", "mic")  # fmt: skip


def plot_outcome_by_adherence(
    table: pd.DataFrame, measure: str | None = None, ax: Axes | None = None
) -> Axes:
    """Mean improvement (points, above 0 = better) by adherence band, for one measure.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`backplan.outcome_by_adherence`.
    measure : str, optional
        The measure id; the table's first measure by default.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    missing = [c for c in _NEEDS if c not in table.columns]
    if missing:
        raise ValueError(f"the table has no {', '.join(missing)} column; pass the table from "
                         "backplan.outcome_by_adherence()")  # fmt: skip
    measure = str(table["measure"].iloc[0]) if measure is None else measure
    rows = table.loc[table["measure"] == measure]
    if rows.empty:
        raise ValueError(f"no rows for measure {measure!r}; the table has "
                         f"{', '.join(map(str, table['measure'].unique()))}")  # fmt: skip
    rows = rows.loc[(rows["band"] != NOT_KNOWN) | (rows["patients"] > 0)].reset_index(drop=True)
    ax = axes(ax, figsize=(7.5, 5.0))
    x = np.arange(len(rows))
    mean = rows["mean_improvement"].to_numpy(float)
    shown = np.nan_to_num(mean)
    for i, value in enumerate(shown):
        ax.bar(x[i], value, width=0.6, **fill_style(i))
    low = rows["ci_low"].to_numpy(float)
    high = rows["ci_high"].to_numpy(float)
    has = ~np.isnan(low)
    ax.errorbar(x[has], mean[has], yerr=[mean[has] - low[has], high[has] - mean[has]],
                fmt="none", ecolor="black", elinewidth=1.2, capsize=6,
                label="95% confidence interval")  # fmt: skip
    waiting = rows["no_follow_up"].to_numpy(int)
    for i, value in enumerate(mean):
        empty = "no follow-up yet" if waiting[i] else "no scores"
        text = empty if np.isnan(value) else f"{value:+.1f}"
        top = high[i] if has[i] else (value if not np.isnan(value) else 0.0)
        ax.annotate(text, (x[i], max(top, 0.0)), xytext=(0, 4), textcoords="offset points",
                    ha="center", va="bottom", fontsize=9)  # fmt: skip
    mic = float(rows["mic"].iloc[0])
    ax.axhline(mic, color="black", linestyle="--", linewidth=1,
               label=f"change that matters ({mic:g} points)")  # fmt: skip
    ax.axhline(0, color="#444444", linewidth=0.8)
    labels = []
    for r in rows.itertuples(index=False):
        text = f"{r.band}\n{int(r.followed_up)} followed up\n{int(r.no_follow_up)} baseline only"
        if int(r.no_scores):
            text += f"\n{int(r.no_scores)} not scored"
        labels.append(text)
    ax.set_xticks(x, labels, fontsize=9)
    ax.set_xlabel("Adherence over the weeks that have ended (dose done / prescribed)")
    ax.set_ylabel("Improvement, points\n(above 0 = better)")
    lowest = np.nanmin(np.r_[low[has], shown, 0.0])
    highest = np.nanmax(np.r_[high[has], shown, mic, 0.0])
    pad = 0.12 * (highest - lowest or 1.0)
    ax.set_ylim(lowest - pad, highest + 2 * pad)
    ax.set_title(_wrap(outcome_finding(table, measure, short=True)), fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=2, fontsize=8,
              frameon=False)  # fmt: skip
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def _wrap(text: str, width: int = 80) -> str:
    """The title on lines of at most ``width`` characters."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])
