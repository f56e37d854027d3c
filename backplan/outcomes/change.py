"""Change that matters: baseline against latest score, per patient and measure.

The rule (:func:`classify`), for a measure with range ``low``-``high``, a better direction
and a minimal important change ``mic``:

* ``change`` = latest - baseline, in the measure's points (an Oswestry drop is negative);
* ``improvement`` = the change counted so that above 0 is better (the change itself when
  higher is better, minus it when lower is better);
* ``share`` = improvement / the baseline's distance from the best score (the baseline
  itself on a 0-is-best scale such as NPRS, RMDQ, ODI; ``high - baseline`` for PSFS and
  MSK-HQ). On a 0-is-best scale this is the percent change from baseline of Ostelo et al.,
  Spine 2008;33:90;
* ``important`` when the improvement reaches ``mic`` or 30% of the way to the best score
  (Ostelo 2008), or the worsening reaches ``mic``. A rise of 30% on a small baseline
  (pain 2 to 3) is one point, inside measurement error, so worsening counts in points only;
* ``direction`` is where a change that matters went: ``"improving"`` or ``"worse"``; a
  change smaller than that is ``"no change"``.

Comparisons allow 1e-9 for rounding (an ODI of 35.56 to 25.56 is a 10-point change).

Examples
--------
>>> classify(6, 4, low=0, high=10, better="lower", mic=2)
Change(change=-2.0, improvement=2.0, share=0.333..., direction='improving', important=True)
>>> classify(30, 34, low=0, high=56, better="higher", mic=6)
Change(change=4.0, improvement=4.0, share=0.1538..., direction='no change', important=False)
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from typing import Any, NamedTuple

import pandas as pd

from .._io.typed import frame_argument
from .measures import OutcomeError, load_outcome_measures
from .records import OutcomeTable, read_outcomes

__all__ = [
    "CHANGE_COLUMNS",
    "DIRECTIONS",
    "SHARE",
    "Change",
    "changes_argument",
    "classify",
    "daily_scores",
    "outcome_changes",
]

#: Ostelo 2008: 30% improvement from baseline is an important change on any of these scales.
SHARE = 0.30
_EPS = 1e-9
DIRECTIONS: tuple[str, ...] = ("improving", "no change", "worse")
CHANGE_COLUMNS: tuple[str, ...] = (
    "patient", "measure", "name", "better", "baseline_date", "baseline", "latest_date",
    "latest", "change", "improvement", "share", "mic", "important", "direction",
    "followed_up", "scores", "goals", "goals_met",
)  # fmt: skip


class Change(NamedTuple):
    """One patient's change on one measure (see the module docstring)."""

    change: float
    improvement: float
    share: float
    direction: str
    important: bool


def classify(
    baseline: float, latest: float, *, low: float, high: float, better: str, mic: float
) -> Change:
    """The change from ``baseline`` to ``latest`` and whether it matters.

    Examples
    --------
    >>> classify(40, 30, low=0, high=100, better="lower", mic=10)[3:]
    ('improving', True)
    >>> classify(10, 7, low=0, high=24, better="lower", mic=5)[3:]  # 30% of the way to 0
    ('improving', True)
    >>> classify(3, 5, low=0, high=10, better="lower", mic=2)[3:]
    ('worse', True)
    """
    change = float(latest) - float(baseline)
    improvement = change if better == "higher" else float(baseline) - float(latest)
    room = (high - baseline) if better == "higher" else (baseline - low)
    share = improvement / room if room > 0 else math.nan
    better_enough = improvement >= mic - _EPS or (improvement > 0 and share >= SHARE - _EPS)
    worse_enough = -improvement >= mic - _EPS
    direction = "improving" if better_enough else "worse" if worse_enough else "no change"
    return Change(change, improvement, share, direction, better_enough or worse_enough)


def changes_argument(
    value: object, columns: Iterable[str] = CHANGE_COLUMNS, name: str = "changes"
) -> pd.DataFrame:
    """``value`` when it is a table from :func:`outcome_changes` (at least ``columns``, the
    ones the caller reads), else an :class:`~backplan.OutcomeError` naming the argument and
    the missing columns."""
    return frame_argument(name, value, columns, "a table from outcome_changes()",
                          source="<outcomes>", error=OutcomeError)  # fmt: skip


def _table(outcomes: object, measures: pd.DataFrame | None) -> OutcomeTable:
    if isinstance(outcomes, OutcomeTable):
        return outcomes
    # raw input: a rejected row must not vanish from the changes, so it raises (and input
    # that is no outcome scores at all is refused by read_outcomes, naming the argument)
    return read_outcomes(outcomes, measures=measures, strict=True)  # type: ignore[arg-type]


def daily_scores(outcomes: OutcomeTable | pd.DataFrame) -> pd.DataFrame:
    """One score per patient, measure and day: totals as entered, activity scores averaged.

    Returns ``patient, measure, date, score, activities, baseline`` (``activities`` is how
    many activity rows made the score, 0 for a total; ``baseline`` marks a day a row
    called baseline).

    Examples
    --------
    >>> raw = pd.DataFrame({"patient": "P1", "date": "2026-01-05", "measure": "psfs",
    ...                     "item": ["walking", "bending"], "score": [4, 6]})
    >>> daily_scores(read_outcomes(raw))[["measure", "score", "activities"]].to_dict("records")
    [{'measure': 'psfs', 'score': 5.0, 'activities': 2}]
    """
    rows = outcomes.accepted if isinstance(outcomes, OutcomeTable) else outcomes
    rows = rows.assign(
        activities=rows["item"].notna().astype("int64"),
        baseline=(rows["timepoint"] == "baseline").fillna(False).astype(bool),
    )
    return (
        rows.groupby(["patient", "measure", "date"], sort=True, observed=True)
        .agg(
            score=("score", "mean"), activities=("activities", "sum"), baseline=("baseline", "any")
        )
        .reset_index()
    )


def _records(accepted: pd.DataFrame) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Accepted rows as plain records grouped by (patient, measure), in date order."""
    cols = ["patient", "measure", "date", "item", "score", "goal", "timepoint"]
    frame = accepted[cols].sort_values("date", kind="stable")
    values = {c: frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in cols}
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for i in range(len(frame)):
        r = {c: values[c][i] for c in cols}
        out.setdefault((r["patient"], r["measure"]), []).append(r)
    return out


def _days(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per day (rows in date order): the total, or the mean of the activities."""
    out: list[dict[str, Any]] = []
    for r in rows:
        if out and out[-1]["date"] == r["date"]:
            day = out[-1]
            day["scores"].append(r["score"])
            day["baseline"] |= r["timepoint"] == "baseline"
        else:
            out.append({"date": r["date"], "scores": [r["score"]],
                        "baseline": r["timepoint"] == "baseline"})  # fmt: skip
    for day in out:
        day["score"] = sum(day["scores"]) / len(day["scores"])
    return out


def _matched(items: list[dict[str, Any]], first: Any, last: Any) -> tuple[float, float]:
    """Mean activity scores on two days over the activities scored on both (all when none
    are shared): a patient who swaps an activity is compared like with like."""
    a = {r["item"]: r["score"] for r in items if r["date"] == first}
    b = {r["item"]: r["score"] for r in items if r["date"] == last}
    both = [k for k in a if k in b] or None
    pick_a, pick_b = (
        ([a[k] for k in both], [b[k] for k in both])
        if both
        else (list(a.values()), list(b.values()))
    )
    return sum(pick_a) / len(pick_a), sum(pick_b) / len(pick_b)


def _goals(items: list[dict[str, Any]], better: str) -> tuple[int, Any]:
    """How many activities have a goal (the latest one set), and whether each activity's
    latest score reaches it."""
    goal: dict[str, float] = {}
    latest: dict[str, float] = {}
    for r in items:  # in date order: later rows win
        latest[r["item"]] = r["score"]
        if r["goal"] is not None and r["goal"] == r["goal"]:
            goal[r["item"]] = r["goal"]
    if not goal:
        return 0, pd.NA
    if better == "higher":
        return len(goal), all(latest[k] >= g - _EPS for k, g in goal.items())
    return len(goal), all(latest[k] <= g + _EPS for k, g in goal.items())


def outcome_changes(
    outcomes: OutcomeTable | pd.DataFrame | str | os.PathLike[str],
    *,
    measures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Baseline, latest score and the change that matters, per patient and measure.

    Parameters
    ----------
    outcomes : OutcomeTable, DataFrame or path
        From :func:`read_outcomes`; raw rows or a file are read first, and then any
        rejected row raises :class:`OutcomeError` (nothing silently left out).
    measures : pandas.DataFrame, optional
        The measure table; the table's own (or the shipped one) by default.

    Returns
    -------
    pandas.DataFrame
        One row per patient and measure (:data:`CHANGE_COLUMNS`). The baseline is the day
        marked ``baseline`` or else the first score; ``latest`` the last score after it.
        A patient with a baseline only has ``followed_up`` False and missing ``latest``,
        ``change``, ``important`` and ``direction``: counted, never dropped. PSFS days
        with activity rows compare the activities scored on both days. ``goals`` counts
        the PSFS activities with a goal; ``goals_met`` is True when each one's latest score
        reaches it (missing without goals).

    Examples
    --------
    >>> raw = pd.DataFrame({"patient": ["P1", "P1", "P2"],
    ...                     "date": ["2026-01-05", "2026-02-16", "2026-01-05"],
    ...                     "measure": "odi", "score": [38, 24, 30]})
    >>> outcome_changes(raw)[["patient", "baseline", "latest", "change", "direction"]]
      patient  baseline  latest  change  direction
    0      P1      38.0    24.0   -14.0  improving
    1      P2      30.0     NaN     NaN       <NA>
    """
    table = _table(outcomes, measures)
    m = table.measures if measures is None else measures
    specs = (load_outcome_measures() if m is None else m).to_dict("index")
    order = {name: i for i, name in enumerate(specs)}
    rows_of = _records(table.accepted)
    keys = sorted(rows_of, key=lambda k: (k[0], order.get(k[1], len(order)), k[1]))
    out = []
    for patient, measure in keys:
        spec, rows = specs[measure], rows_of[(patient, measure)]
        days = _days(rows)
        marked = [d["date"] for d in days if d["baseline"]]
        first = min(marked) if marked else days[0]["date"]
        base = next(d["score"] for d in days if d["date"] == first)
        later = [d for d in days if d["date"] > first]
        record: dict[str, Any] = {
            "patient": patient, "measure": measure, "name": spec["name"],
            "better": spec["better"], "baseline_date": first, "baseline": float(base),
            "latest_date": pd.NaT, "latest": math.nan, "change": math.nan,
            "improvement": math.nan, "share": math.nan, "mic": float(spec["mic"]),
            "important": pd.NA, "direction": pd.NA, "followed_up": bool(later),
            "scores": 1 + len(later), "goals": 0, "goals_met": pd.NA,
        }  # fmt: skip
        items = [r for r in rows if r["item"] is not None]
        if items:
            record["goals"], record["goals_met"] = _goals(items, spec["better"])
        if later:
            last, latest = later[-1]["date"], later[-1]["score"]
            if items:
                base, latest = _matched(items, first, last)
                record["baseline"] = base
            found = classify(base, latest, low=spec["low"], high=spec["high"],
                             better=spec["better"], mic=spec["mic"])  # fmt: skip
            record.update(latest_date=last, latest=float(latest), **found._asdict())
        out.append(record)
    frame = pd.DataFrame(out, columns=list(CHANGE_COLUMNS))
    for column in ("important", "goals_met", "followed_up"):
        frame[column] = frame[column].astype("boolean")
    frame["direction"] = frame["direction"].astype("string")
    for column in ("baseline_date", "latest_date"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    frame["scores"] = frame["scores"].astype("int64")
    frame["goals"] = frame["goals"].astype("int64")
    return frame.reset_index(drop=True) if len(frame) else frame.astype({"patient": "string"})
