"""Adherence against outcome for a service: change in each measure by adherence band.

:func:`outcome_by_adherence` puts every patient in a band by their adherence (the
adherence report's ``by_patient.adherence``: mean dose adherence over the weeks that have
ended) and, per measure and band, counts the patients and summarises the improvement of
those followed up: mean, a 95% confidence interval (Student's t), and how many improved,
did not change or got worse by a change that matters. Patients without a follow-up score
(or with no score on that measure) are counted in their band, never dropped; patients in
the outcomes but not in the report are in the band ``"not known"``.

This is an **association**, not an effect: patients who do their exercises may differ in
many ways from those who do not (they may have had less pain to start with, or felt better
and so did more), and a small service has wide intervals. :func:`outcome_finding` says so
in every sentence it writes.

Examples
--------
>>> import pandas as pd
>>> changes = pd.DataFrame({"patient": ["A", "B", "C"], "measure": "nprs",
...     "name": "Pain now (NPRS 0-10)", "improvement": [3.0, 1.0, float("nan")],
...     "direction": ["improving", "no change", pd.NA], "followed_up": [True, True, False],
...     "baseline": [6.0, 5.0, 7.0], "mic": 2.0})
>>> by_patient = pd.DataFrame({"patient": ["A", "B", "C"], "adherence": [0.9, 0.4, 0.85]})
>>> t = outcome_by_adherence(changes, by_patient)
>>> t[["band", "patients", "followed_up", "no_follow_up", "mean_improvement"]].to_dict("records")[:2]
[{'band': 'under 50%', 'patients': 1, 'followed_up': 1, 'no_follow_up': 0, 'mean_improvement': 1.0}, {'band': '50% to 79%', 'patients': 0, 'followed_up': 0, 'no_follow_up': 0, 'mean_improvement': nan}]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real

import numpy as np
import pandas as pd

from .._io.typed import frame_argument
from ..errors import Problem
from .change import changes_argument
from .measures import OutcomeError

__all__ = [
    "COHORT_COLUMNS",
    "NOT_KNOWN",
    "adherence_bands",
    "outcome_by_adherence",
    "outcome_finding",
    "t_quantile",
]

NOT_KNOWN = "not known"
COHORT_COLUMNS: tuple[str, ...] = (
    "measure", "name", "band", "patients", "no_scores", "no_follow_up", "followed_up",
    "mean_improvement", "sd", "ci_low", "ci_high", "improved", "no_change", "worse", "mic",
)  # fmt: skip


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz's method)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((a + m2 - 1) * (a + m2)),
                    -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))):  # fmt: skip
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def _beta_inc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log1p(-x))  # fmt: skip
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def _t_cdf(t: float, df: float) -> float:
    tail = 0.5 * _beta_inc(df / 2, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (bisection).

    Examples
    --------
    >>> [round(t_quantile(0.975, df), 3) for df in (1, 2, 5, 30)]
    [12.706, 4.303, 2.571, 2.042]
    """
    if not 0 < p < 1 or df <= 0:  # internal: callers pass a checked level and count
        raise ValueError(f"need 0 < p < 1 and df > 0, got p={p}, df={df}")
    if p < 0.5:
        return -t_quantile(1 - p, df)
    low, high = 0.0, 1.0
    while _t_cdf(high, df) < p:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if _t_cdf(mid, df) < p else (low, mid)
        if high - low < 1e-12 * max(1.0, high):
            break
    return (low + high) / 2


def _labels(cuts: Sequence[float]) -> list[str]:
    edges = [f"{c:.0%}" for c in cuts]
    labels = [f"under {edges[0]}"]
    labels += [f"{a} to {round(b * 100) - 1}%" for a, b in zip(edges, cuts[1:], strict=False)]
    return [*labels, f"{edges[-1]} or more"]


def adherence_bands(adherence: pd.Series, cuts: Sequence[float] = (0.5, 0.8)) -> pd.Series:
    """Each adherence (0-1) as a band label; missing adherence is ``"not known"``.

    The bands include their lower edge: with the default cuts, 0.8 is "80% or more" (the
    project's adherent threshold) and 0.5 is "50% to 79%".

    Examples
    --------
    >>> adherence_bands(pd.Series([0.1, 0.5, 0.79, 0.8, None])).tolist()
    ['under 50%', '50% to 79%', '50% to 79%', '80% or more', 'not known']
    """
    if not isinstance(cuts, Sequence) or not all(_fraction(c) for c in cuts):
        raise _refuse("cuts", "band edges rising strictly inside (0, 1]", cuts)
    if not cuts or list(cuts) != sorted(set(cuts)) or not cuts[0] > 0 or cuts[-1] > 1:
        raise _refuse("cuts", "band edges rising strictly inside (0, 1]", cuts)
    labels = _labels(cuts)
    values = pd.to_numeric(adherence, errors="coerce").to_numpy(float)
    index = np.searchsorted(np.asarray(cuts, float), values, side="right")
    out = np.where(
        np.isnan(values),
        NOT_KNOWN,
        np.asarray(labels, dtype=object)[np.minimum(index, len(labels) - 1)],
    )
    return pd.Series(pd.Categorical(out, categories=[*labels, NOT_KNOWN], ordered=True),
                     index=adherence.index)  # fmt: skip


#: The columns of :func:`~backplan.outcome_changes` this module reads.
_READS = ("patient", "measure", "name", "followed_up", "mic", "direction", "improvement")

#: The columns of :func:`outcome_by_adherence` that :func:`outcome_finding` reads.
_FINDING_READS = ("measure", "name", "band", "followed_up", "mean_improvement", "ci_low",
                  "ci_high")  # fmt: skip


def _refuse(name: str, expected: str, got: object) -> OutcomeError:
    return OutcomeError([Problem("<outcomes>", None, name, expected, got)], "<outcomes>")


def _fraction(value: object) -> bool:
    """True for a real number above 0 and at most 1 (never true/false)."""
    return isinstance(value, Real) and not isinstance(value, bool) and 0 < value <= 1


def _by_patient(adherence: object) -> pd.DataFrame:
    table = getattr(adherence, "by_patient", adherence)
    if not isinstance(table, pd.DataFrame) or not {"patient", "adherence"} <= set(table.columns):
        raise _refuse("adherence", "an AdherenceReport or its by_patient table (columns "
                      "patient and adherence)", type(adherence).__name__)  # fmt: skip
    return table[["patient", "adherence"]].astype({"patient": str})


def outcome_by_adherence(
    changes: pd.DataFrame,
    adherence: object,
    *,
    cuts: Sequence[float] = (0.5, 0.8),
    level: float = 0.95,
) -> pd.DataFrame:
    """Improvement on each measure by adherence band, with counts and confidence intervals.

    Parameters
    ----------
    changes : pandas.DataFrame
        From :func:`~backplan.outcome_changes`.
    adherence : AdherenceReport or its ``by_patient`` table
        Each patient's adherence (0-1; missing when no week has ended).
    cuts : sequence of float
        Band edges (default: under 50%, 50-79%, 80% or more).
    level : float
        Confidence level of the interval (0.95).

    Returns
    -------
    pandas.DataFrame
        One row per measure and band (:data:`COHORT_COLUMNS`), every band listed even when
        empty. ``patients`` = ``no_scores`` (no score on this measure) + ``no_follow_up``
        (a baseline only) + ``followed_up``. ``mean_improvement`` is in the measure's points,
        above 0 = better whichever way the scale runs; ``ci_low``/``ci_high`` need two or
        more patients followed up. ``improved``/``no_change``/``worse`` count the
        directions of :func:`~backplan.outcome_changes`.
    """
    if not _fraction(level) or level == 1:
        raise _refuse("level", "a confidence level between 0 and 1, e.g. 0.95", level)
    changes = changes_argument(changes, _READS)
    adh = _by_patient(adherence)
    patients = pd.Index(sorted(set(adh["patient"]) | set(changes["patient"].astype(str))))
    band = adherence_bands(adh.set_index("patient")["adherence"].reindex(patients), cuts)
    rows = []
    for measure, mine in changes.groupby("measure", sort=False, observed=True):
        mine = mine.assign(patient=mine["patient"].astype(str)).set_index("patient")
        followed = mine["followed_up"].fillna(False).astype(bool)
        for label in band.cat.categories:
            who = band.index[band == label]
            here = mine.loc[mine.index.intersection(who)]
            up = here.loc[followed.reindex(here.index).to_numpy()]
            values = up["improvement"].to_numpy(float)
            n = len(values)
            mean = float(values.mean()) if n else math.nan
            sd = float(values.std(ddof=1)) if n > 1 else math.nan
            half = t_quantile((1 + level) / 2, n - 1) * sd / math.sqrt(n) if n > 1 else math.nan
            rows.append({
                "measure": measure, "name": str(mine["name"].iloc[0]), "band": label,
                "patients": len(who), "no_scores": len(who) - len(here),
                "no_follow_up": len(here) - n, "followed_up": n, "mean_improvement": mean,
                "sd": sd, "ci_low": mean - half, "ci_high": mean + half,
                "improved": int((up["direction"] == "improving").sum()),
                "no_change": int((up["direction"] == "no change").sum()),
                "worse": int((up["direction"] == "worse").sum()),
                "mic": float(mine["mic"].iloc[0]),
            })  # fmt: skip
    out = pd.DataFrame(rows, columns=list(COHORT_COLUMNS))
    out["band"] = pd.Categorical(out["band"], categories=band.cat.categories, ordered=True)
    return out


def _one(row: pd.Series) -> str:
    mean = f"{row['mean_improvement']:.1f}"
    if row["followed_up"] > 1:
        mean += f" points (95% CI {row['ci_low']:.1f} to {row['ci_high']:.1f}"
    else:
        mean += " points (one patient, no interval"
    return f"{mean}; {row['followed_up']} of {row['patients']} followed up)"


def outcome_finding(table: pd.DataFrame, measure: str, *, short: bool = False) -> str:
    """The finding for one measure in words, as an association; ``short`` for a chart title.

    Compares the highest and lowest adherence bands that have patients followed up; a
    difference counts as clear only when the two confidence intervals do not overlap.

    Examples
    --------
    >>> t = pd.DataFrame({"measure": "nprs", "name": "Pain now (NPRS 0-10)",
    ...     "band": ["under 50%", "80% or more"], "patients": [4, 6], "followed_up": [3, 5],
    ...     "mean_improvement": [0.5, 2.6], "ci_low": [-0.4, 2.0], "ci_high": [1.4, 3.2]})
    >>> outcome_finding(t, "nprs", short=True)
    'Pain now (NPRS 0-10): more improvement at 80% or more adherence (2.6 vs 0.5 points); an association, not proof of effect'
    """
    table = frame_argument("table", table, _FINDING_READS, "a table from outcome_by_adherence()",
                           source="<outcomes>", error=OutcomeError)  # fmt: skip
    if not isinstance(measure, str):
        raise _refuse("measure", "a measure's code, as text", measure)
    rows = table.loc[(table["measure"] == measure) & (table["band"] != NOT_KNOWN)]
    rows = rows.loc[rows["followed_up"] > 0]
    if rows.empty:
        return f"{measure}: no patient has a follow-up score yet, so there is nothing to compare"
    name = str(rows["name"].iloc[0])
    top, low = rows.iloc[-1], rows.iloc[0]
    if len(rows) == 1:
        return (f"{name}: only the {top['band']} band has follow-up scores "
                f"(mean improvement {_one(top)}); nothing to compare yet")  # fmt: skip
    clear = top["ci_low"] > low["ci_high"] or top["ci_high"] < low["ci_low"]
    more = top["mean_improvement"] > low["mean_improvement"]
    if short:
        how = (f"{'more' if more else 'less'} improvement at {top['band']} adherence" if clear
               else f"no clear difference between {low['band']} and {top['band']} adherence")  # fmt: skip
        return (f"{name}: {how} ({top['mean_improvement']:.1f} vs "
                f"{low['mean_improvement']:.1f} points); an association, not proof of effect")  # fmt: skip
    verdict = ("The confidence intervals do not overlap" if clear else "The confidence "
               "intervals overlap, so this cohort shows no clear difference")  # fmt: skip
    return (f"{name}: patients at {top['band']} adherence improved by {_one(top)}; those at "
            f"{low['band']} by {_one(low)}. {verdict}. This is an association, not proof that "
            "doing the exercises caused the change: patients who do more may differ in other "
            "ways, for example by having less pain to start with.")  # fmt: skip
