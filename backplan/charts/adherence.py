"""Adherence charts: who did their exercises, week by week, and how pain moved with it.

Every function takes an :class:`~backplan.AdherenceReport` (or the one table it needs),
``ax=None`` (a new figure is made when it is missing), and returns the Axes it drew on.
Each title states what the chart finds, the 80% target (the report's threshold) is marked on
every chart, exercises show their names, and bars are sorted lowest first. In the heatmap
the weeks with the least done are the darkest (0% is near black, 100% pale; the colours run
one way in lightness, so they read the same printed in grey), and every cell carries its
number.

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
>>> ax.get_title().startswith("Dose done each week")
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
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


#: The heatmap's colours, from the strongest (0% done: near black, deep red) to pale
#: (100% done); lightness rises all the way, so the order survives greyscale printing.
LITTLE_DONE = LinearSegmentedColormap.from_list(
    "backplan_little_done", ["#1a0a0a", "#7a1f1f", "#c8613d", "#ecb27f", "#fbf0df"]
)


def _threshold(report: object, default: float = 0.8) -> float:
    settings = getattr(report, "settings", None)
    return float(settings.get("threshold", default)) if isinstance(settings, dict) else default


def _names(codes: list[str], catalogue: pd.DataFrame | None) -> list[str]:
    """Exercise names for codes (a code not in the catalogue stays as it is)."""
    if catalogue is None:
        from ..catalogue import load_catalogue

        catalogue = load_catalogue()
    names = dict(zip(catalogue["id"].astype(str), catalogue["name"].astype(str), strict=True))
    return [names.get(str(c), str(c)) for c in codes]


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
    threshold = _threshold(report)
    ended_rows = week[week["ended"].fillna(False).astype(bool)]
    if patients is not None:
        order = list(patients)
    else:  # the patients who did least over the weeks that have ended first
        mean = ended_rows.groupby("patient", sort=False)[value].mean()
        order = list(dict.fromkeys(week["patient"]))
        order.sort(key=lambda p: (mean.get(p, np.inf), str(p)))
    grid = week.pivot(index="patient", columns="week", values=value).reindex(order)
    ended = week.pivot(index="patient", columns="week", values="ended").reindex(order)
    shown = grid.where(ended.fillna(False).astype(bool))
    height = max(2.2, 0.35 * len(order) + 1.5)
    ax = axes(ax, figsize=(max(5.0, 0.6 * grid.shape[1] + 3), height))
    image = ax.imshow(shown.to_numpy(float), cmap=LITTLE_DONE, vmin=0, vmax=1,
                      aspect="auto", interpolation="nearest")  # fmt: skip
    not_ended = (~ended.fillna(False).astype(bool)) & grid.notna()
    for i, j in zip(*np.nonzero(not_ended.to_numpy()), strict=True):
        ax.add_patch(_hatched(j, i))
    if annotate and shown.size <= 400:
        for i, j in zip(*np.nonzero(shown.notna().to_numpy()), strict=True):
            v = shown.iat[i, j]
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=8,
                    color="white" if v < 0.5 else "black",
                    fontweight="bold" if v < threshold else "normal")  # fmt: skip
    ax.set_xticks(range(grid.shape[1]), [str(w) for w in grid.columns])
    ax.set_yticks(range(len(order)), order)
    ax.set_xlabel("Week of the plan (hatched: week not over yet)")
    ax.set_ylabel("Patient")
    what = "Dose done" if value == "adherence" else "Sessions done"
    cells = ended_rows[value].dropna()
    below = int((cells < threshold).sum())
    if patients is None and len(cells):
        finding = (f"{what} each week: {below} of {len(cells)} patient-weeks under the "
                   f"{threshold:.0%} target\n(darkest = least done; least done overall at "
                   "the top)")  # fmt: skip
    elif len(cells):
        finding = (f"{what} each week: {below} of {len(cells)} weeks under the "
                   f"{threshold:.0%} target (darkest = least done)")  # fmt: skip
    else:
        finding = f"{what} each week: no week has ended yet"
    ax.set_title(finding, fontsize=10)
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    bar.ax.axhline(threshold, color="black", linewidth=3)
    bar.ax.axhline(threshold, color="white", linewidth=1, linestyle=(0, (2, 2)))
    bar.ax.set_yticks(sorted({0, 0.2, 0.4, 0.6, 1.0, threshold}))
    bar.ax.set_yticklabels([f"{t:.0%}" + (" target" if t == threshold else "")
                            for t in bar.ax.get_yticks()], fontsize=8)  # fmt: skip
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
    threshold = _threshold(report, threshold)
    ax = axes(ax)
    weeks = cohort["week"].to_numpy()
    ax.fill_between(weeks, cohort["q1"], cohort["q3"], color=GREYS[3], edgecolor=GREYS[1],
                    hatch="..", label="middle half of patients (quartiles)")  # fmt: skip
    ax.plot(weeks, cohort["median"], color=GREYS[0], marker="o", linewidth=2, label="median")
    ax.plot(weeks, cohort["mean"], color=GREYS[4], marker="s", linestyle="--", label="mean")
    ax.axhline(threshold, color="black", linestyle=":", linewidth=1.2,
               label=f"target ({threshold:.0%})")  # fmt: skip
    ax.set_title(_trend(cohort), fontsize=10)
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.xaxis.set_major_locator(FixedLocator(list(weeks)))
    ax.set_xlabel("Week of the plan")
    ax.set_ylabel("Dose adherence (weeks that have ended)")
    ax.grid(axis="y", color="#cccccc", linewidth=0.6)
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    _tidy(ax)
    return ax


def _trend(cohort: pd.DataFrame) -> str:
    """The cohort's median from its first week to its last, in words."""
    if cohort.empty:
        return "Dose done each week: no week has ended yet"
    first, last = cohort.iloc[0], cohort.iloc[-1]
    a, b = float(first["median"]), float(last["median"])
    moved = "fell" if b < a - 0.02 else ("rose" if b > a + 0.02 else "stayed about level")
    if len(cohort) < 2:
        return f"Median dose done in week {int(first['week'])}: {a:.0%}"
    return (f"Median dose done {moved}: {a:.0%} in week {int(first['week'])}, "
            f"{b:.0%} in week {int(last['week'])}")  # fmt: skip


def plot_exercise_adherence(
    report: object,
    ax: Axes | None = None,
    *,
    patient: str | None = None,
    catalogue: pd.DataFrame | None = None,
) -> Axes:
    """Mean dose and session adherence per exercise, over weeks that have ended, the
    exercise with the least done at the top and the target marked.

    Parameters
    ----------
    report : AdherenceReport or pandas.DataFrame
        A report, or its ``by_exercise`` table.
    ax : matplotlib Axes, optional
    patient : str, optional
        One patient; the whole cohort by default.
    catalogue : pandas.DataFrame, optional
        Where the exercises' names come from (the shipped catalogue by default).
    """
    ex = _table(report, "by_exercise", ("exercise", "dose_adherence", "session_adherence"))
    ex = ex[ex["ended"]] if "ended" in ex.columns else ex
    if patient is not None:
        ex = ex[ex["patient"] == patient]
    means = ex.groupby("exercise", sort=False)[["dose_adherence", "session_adherence"]].mean()
    means = means.sort_values(["dose_adherence", "session_adherence"], kind="stable")
    threshold = _threshold(report)
    ax = axes(ax, figsize=(8.5, 0.42 * len(means) + 2.2))
    y = np.arange(len(means))
    for i, (col, label) in enumerate((("dose_adherence", "reps (dose)"),
                                      ("session_adherence", "sessions"))):  # fmt: skip
        bars = ax.barh(y + (i - 0.5) * 0.4, means[col], height=0.4, label=label,
                       **fill_style(i))  # fmt: skip
        ax.bar_label(bars, labels=[f"{v:.0%}" for v in means[col]], padding=2, fontsize=8)
    ax.axvline(threshold, color="black", linestyle=":", linewidth=1.2,
               label=f"target ({threshold:.0%})")  # fmt: skip
    names = _names(list(means.index), catalogue)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.2)
    ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("Mean share done over the weeks that have ended")
    who = f"patient {patient}" if patient is not None else "all patients"
    if len(means):
        low = means["dose_adherence"].iloc[0]
        below = int((means["dose_adherence"] < threshold).sum())
        ax.set_title(f"Dose done by exercise, {who}:\n{below} of {len(means)} under the "
                     f"{threshold:.0%} target; least done: {names[0]}, {low:.0%}",
                     fontsize=10)  # fmt: skip
    else:
        ax.set_title(f"Dose done by exercise, {who}: no week has ended yet", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
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
    threshold = _threshold(report)
    ax.axvline(threshold, color="black", linestyle=":", linewidth=1.2,
               label=f"target ({threshold:.0%})")  # fmt: skip
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(0, 10)
    ax.set_title(_pain_finding(week, threshold), fontsize=10)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("Dose done that week")
    ax.set_ylabel("Mean pain that week (0-10)")
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.grid(color="#dddddd", linewidth=0.6)
    _tidy(ax)
    return ax


def _pain_finding(week: pd.DataFrame, threshold: float) -> str:
    """Mean pain in weeks at or above the target against weeks below it, in words."""
    at = week.loc[week["adherence"] >= threshold, "pain_mean"]
    under = week.loc[week["adherence"] < threshold, "pain_mean"]
    if not len(at) or not len(under):
        return "Pain during exercise against dose done, one point per patient-week"
    return (
        f"Mean pain {at.mean():.1f}/10 in weeks at or above the {threshold:.0%} target,\n"
        f"{under.mean():.1f}/10 in weeks below it (one point per patient-week)"
    )
