"""Adherence charts: who did their exercises, week by week, and how pain moved with it.

Every function takes an :class:`~backplan.AdherenceReport` (or the one table it needs),
``ax=None`` (a new figure is made when it is missing), and returns the Axes it drew on.
Shades run from white (0%) to near black (100%) and every cell or bar carries its number,
so the charts read the same printed in grey.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import backplan as bp
>>> plans, logs = bp.synthetic_cohort(n_patients=4, weeks=3, seed=2)
>>> report = bp.adherence(logs, plans)
>>> ax = plot_adherence_heatmap(report)
>>> ax.get_ylabel(), len(ax.get_yticklabels())
('Patient', 4)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, PercentFormatter

from ._style import GREYS, axes, fill_style

__all__ = [
    "plot_adherence_heatmap",
    "plot_cohort_trend",
    "plot_exercise_adherence",
    "plot_pain_vs_adherence",
]


def _table(data: object, name: str, needs: tuple[str, ...]) -> pd.DataFrame:
    table = getattr(data, name) if hasattr(data, name) else data
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"expected an AdherenceReport or its {name} table, got {type(data)}")
    missing = [c for c in needs if c not in table.columns]
    if missing:
        raise ValueError(
            f"the table has no {', '.join(missing)} column; pass report.{name} from "
            "backplan.adherence()"
        )
    return table


def _tidy(ax: Axes) -> None:
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def plot_adherence_heatmap(
    report: object,
    ax: Axes | None = None,
    *,
    patients: list[str] | None = None,
    value: str = "adherence",
    annotate: bool = True,
) -> Axes:
    """Patient x week grid of weekly adherence; weeks not yet ended are hatched and empty.

    Parameters
    ----------
    report : AdherenceReport or pandas.DataFrame
        A report, or its ``by_week`` table.
    ax : matplotlib Axes, optional
    patients : list of str, optional
        Which patients (rows), in order; all by default.
    value : {"adherence", "session_adherence"}
        Dose adherence (default) or session adherence.
    annotate : bool
        Write the percentage in each cell (on by default; skipped above 400 cells).
    """
    week = _table(report, "by_week", ("patient", "week", value, "ended"))
    if patients is not None:
        week = week[week["patient"].isin(patients)]
    order = patients if patients is not None else list(dict.fromkeys(week["patient"]))
    grid = week.pivot(index="patient", columns="week", values=value).reindex(order)
    ended = week.pivot(index="patient", columns="week", values="ended").reindex(order)
    shown = grid.where(ended.fillna(False).astype(bool))
    height = max(2.5, 0.35 * len(order) + 1.2)
    ax = axes(ax, figsize=(max(5.0, 0.6 * grid.shape[1] + 3), height))
    image = ax.imshow(shown.to_numpy(float), cmap="Greys", vmin=0, vmax=1, aspect="auto",
                      interpolation="nearest")  # fmt: skip
    not_ended = (~ended.fillna(False).astype(bool)) & grid.notna()
    for i, j in zip(*np.nonzero(not_ended.to_numpy()), strict=True):
        ax.add_patch(_hatched(j, i))
    if annotate and shown.size <= 400:
        for i, j in zip(*np.nonzero(shown.notna().to_numpy()), strict=True):
            v = shown.iat[i, j]
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=8,
                    color="white" if v > 0.55 else "black")  # fmt: skip
    ax.set_xticks(range(grid.shape[1]), [str(w) for w in grid.columns])
    ax.set_yticks(range(len(order)), order)
    ax.set_xlabel("Week of the plan")
    ax.set_ylabel("Patient")
    label = "Dose adherence" if value == "adherence" else "Session adherence"
    ax.set_title(f"{label} by week (hatched: week not over yet)", fontsize=10)
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    return ax


def _hatched(x: int, y: int) -> object:
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.5, y - 0.5), 1, 1, fill=False, hatch="//", edgecolor="#777777",
                     linewidth=0)  # fmt: skip


def plot_cohort_trend(report: object, ax: Axes | None = None, *, threshold: float = 0.8) -> Axes:
    """Median weekly adherence with its quartile band, the mean, and the adherent line.

    Parameters
    ----------
    report : AdherenceReport or pandas.DataFrame
        A report, or its ``cohort`` table.
    ax : matplotlib Axes, optional
    threshold : float
        Where to draw the "adherent" line (80% by default); use the report's setting.
    """
    cohort = _table(report, "cohort", ("week", "median", "q1", "q3", "mean"))
    if hasattr(report, "settings"):
        threshold = report.settings.get("threshold", threshold)  # type: ignore[attr-defined]
    ax = axes(ax)
    weeks = cohort["week"].to_numpy()
    ax.fill_between(weeks, cohort["q1"], cohort["q3"], color=GREYS[3], edgecolor=GREYS[1],
                    hatch="..", label="middle half of patients (quartiles)")  # fmt: skip
    ax.plot(weeks, cohort["median"], color=GREYS[0], marker="o", linewidth=2, label="median")
    ax.plot(weeks, cohort["mean"], color=GREYS[4], marker="s", linestyle="--", label="mean")
    ax.axhline(threshold, color="black", linestyle=":", linewidth=1,
               label=f"adherent ({threshold:.0%})")  # fmt: skip
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.xaxis.set_major_locator(FixedLocator(list(weeks)))
    ax.set_xlabel("Week of the plan")
    ax.set_ylabel("Dose adherence (weeks that have ended)")
    ax.grid(axis="y", color="#cccccc", linewidth=0.6)
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    _tidy(ax)
    return ax


def plot_exercise_adherence(
    report: object, ax: Axes | None = None, *, patient: str | None = None
) -> Axes:
    """Mean dose and session adherence per exercise, over weeks that have ended.

    Parameters
    ----------
    report : AdherenceReport or pandas.DataFrame
        A report, or its ``by_exercise`` table.
    ax : matplotlib Axes, optional
    patient : str, optional
        One patient; the whole cohort by default.
    """
    ex = _table(report, "by_exercise", ("exercise", "dose_adherence", "session_adherence"))
    ex = ex[ex["ended"]] if "ended" in ex.columns else ex
    if patient is not None:
        ex = ex[ex["patient"] == patient]
    means = ex.groupby("exercise", sort=False)[["dose_adherence", "session_adherence"]].mean()
    ax = axes(ax)
    y = np.arange(len(means))
    for i, (col, label) in enumerate((("dose_adherence", "reps (dose)"),
                                      ("session_adherence", "sessions"))):  # fmt: skip
        bars = ax.barh(y + (i - 0.5) * 0.4, means[col], height=0.4, label=label,
                       **fill_style(i))  # fmt: skip
        ax.bar_label(bars, labels=[f"{v:.0%}" for v in means[col]], padding=2, fontsize=8)
    ax.set_yticks(y, list(means.index))
    ax.invert_yaxis()
    ax.set_xlim(0, 1.15)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("Mean adherence over weeks that have ended")
    who = f"patient {patient}" if patient is not None else "all patients"
    ax.set_title(f"Adherence by exercise, {who}", fontsize=10)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.grid(axis="x", color="#cccccc", linewidth=0.6)
    _tidy(ax)
    return ax


def plot_pain_vs_adherence(report: object, ax: Axes | None = None) -> Axes:
    """Weekly mean pain (0-10) against weekly dose adherence, one point per patient-week.

    Parameters
    ----------
    report : AdherenceReport or pandas.DataFrame
        A report, or its ``by_week`` table.
    ax : matplotlib Axes, optional
    """
    week = _table(report, "by_week", ("adherence", "pain_mean", "week"))
    week = week[week["pain_mean"].notna()]
    ax = axes(ax, figsize=(6.0, 4.5))
    early = week["week"] <= 2
    ax.scatter(week.loc[early, "adherence"], week.loc[early, "pain_mean"], marker="o",
               facecolor="white", edgecolor="black", label="weeks 1-2")  # fmt: skip
    ax.scatter(week.loc[~early, "adherence"], week.loc[~early, "pain_mean"], marker="^",
               color=GREYS[0], label="week 3 on")  # fmt: skip
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(0, 10)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("Dose adherence that week")
    ax.set_ylabel("Mean pain that week (0-10)")
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.grid(color="#dddddd", linewidth=0.6)
    _tidy(ax)
    return ax
