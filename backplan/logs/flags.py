"""Step 4b, flags: who needs a call, how soon, why, and what to do.

Flags, most urgent first (thresholds can be changed):

1. ``pain up``: mean pain in the latest week with pain scores is at least ``pain_rise``
   (2 points, the minimal clinically important change) above week 1;
2. ``no recent logs``: the plan is running on ``as_of`` but nothing was logged in the
   ``quiet_days`` (7) days up to and including ``as_of``;
3. ``low weeks in a row``: two or more ended weeks in a row below ``threshold``; the
   detail names the latest such run (weeks 7-8, not an earlier dip in weeks 2-3);
4. ``low adherence``: adherence over the ended weeks below ``threshold`` (80%).

The flags table is ordered by each patient's most urgent flag, so the patients to call
first come first; a patient's flags stay together.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .prescriptions import Grid
from .sums import NONE

__all__ = ["FLAGS", "FLAG_ACTIONS", "flag_table"]

#: Flag names, most urgent first, and what raises them (``{t}`` threshold, ``{r}`` pain
#: rise, ``{d}`` days).
FLAGS: dict[str, str] = {
    "pain up": "mean pain in the latest week at least {r:g} points above week 1",
    "no recent logs": "plan running but nothing logged in the last {d} days",
    "low weeks in a row": "two or more weeks in a row below {t:.0%} (the latest run is named)",
    "low adherence": "adherence over ended weeks below {t:.0%}",
}
#: What a physio might do about each flag, in plain words.
FLAG_ACTIONS: dict[str, str] = {
    "pain up": "Call this week. Ask about the pain; ease the dose or book a review.",
    "no recent logs": "Phone to check in. Ask if they still do the exercises and what stops them.",
    "low weeks in a row": "Ask what gets in the way. Think about fewer exercises or sessions.",
    "low adherence": "Go over the plan together at the next visit.",
}
_COLUMNS = ("patient", "priority", "flag", "detail", "action")


def _texts(form: str | Callable[..., str], *values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """``form`` filled in with each row of ``values``: each row's code and the distinct
    texts (each distinct row is written once)."""
    fill = form.format if isinstance(form, str) else form
    if not len(values[0]):
        return np.zeros(0, dtype=np.int64), []
    codes = np.zeros(len(values[0]), dtype=np.int64)
    for v in values:  # one code per distinct row, column by column (kept below len(rows))
        column, distinct = pd.factorize(v, use_na_sentinel=False)
        codes, _ = pd.factorize(codes * len(distinct) + column)
    first = np.full(int(codes.max()) + 1, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    rows = zip(*(v[first].tolist() for v in values), strict=True)
    return codes, [fill(*row) for row in rows]


def _picked(texts: list[str], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``texts[codes]`` as a pandas string column, picked by pyarrow: only the distinct
    texts become pyarrow strings, not one Python object per row."""
    import pyarrow as pa

    return pd.array(pa.array(texts, pa.large_string()).take(pa.array(codes)), dtype="str")


def _written(day: int) -> str:
    """Days since 1970-01-01 as a date written out: ``8 Feb 2026``."""
    d = np.datetime64(day, "D").item()
    return f"{d.day} {d:%b %Y}"


def _latest_low_runs(
    who: np.ndarray, week: np.ndarray, below: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per patient, the latest run of 2+ consecutive low weeks: patient, first and last week.

    ``who``, ``week`` and ``below`` describe ended weeks sorted by patient, then week.
    """
    cont = np.r_[False, (who[1:] == who[:-1]) & (week[1:] == week[:-1] + 1) & below[:-1]]
    start = below & ~cont
    run = np.cumsum(start) - 1  # run number of each low week
    low = np.flatnonzero(below)
    if not len(low):
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    length = np.bincount(run[low], minlength=int(run[low].max()) + 1)
    first = np.flatnonzero(start)
    last_pos = first + length - 1
    long = length >= 2
    run_who, run_first, run_last = who[first][long], week[first][long], week[last_pos][long]
    if not len(run_who):
        return run_who, run_first, run_last
    keep = np.r_[run_who[1:] != run_who[:-1], True]  # runs are in week order: keep the last
    return run_who[keep], run_first[keep], run_last[keep]


def flag_table(
    grid: Grid,
    week: pd.DataFrame,
    week_patient: np.ndarray,
    patient: pd.DataFrame,
    as_of_day: int,
    threshold: float,
    pain_rise: float,
    quiet: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The flags table (most urgent patients first) and each flag's patient code."""
    found: dict[str, tuple[np.ndarray, tuple[np.ndarray, list[str]]]] = {}
    p1 = patient["pain_score_week1"].to_numpy()
    pl = patient["pain_score_latest"].to_numpy()
    lw = patient["week_of_latest_pain"].to_numpy(np.int64, na_value=0)
    with np.errstate(invalid="ignore"):
        up = np.flatnonzero((pl - p1 >= pain_rise - 1e-9) & (lw > 1))
    found["pain up"] = (up, _texts("pain {:.1f}/10 in week 1, {:.1f}/10 in week {}",
                                   p1[up], pl[up], lw[up]))  # fmt: skip
    running = (grid.start_day <= as_of_day) & (as_of_day <= grid.end_day)
    values = patient["last_log"].to_numpy().astype("datetime64[D]")
    last = np.where(np.isnat(values), NONE, values.astype(np.int64))
    quiet_now = np.flatnonzero(running & (last < as_of_day - quiet + 1))
    found["no recent logs"] = (quiet_now, _texts(
        lambda d: "nothing logged yet" if d == NONE else
        f"last log {_written(d)}, {as_of_day - d} days before the report date",
        last[quiet_now]))  # fmt: skip
    ended = week["ended"].to_numpy()
    who, wk = week_patient[ended], week["week"].to_numpy()[ended]
    adh_w = week["adherence"].to_numpy()[ended]
    run_who, run_first, run_last = _latest_low_runs(who, wk, adh_w < threshold)
    found["low weeks in a row"] = (
        run_who,
        _texts("weeks {}-{} below " + f"{threshold:.0%}", run_first, run_last),
    )
    adh, n_ended = patient["adherence"].to_numpy(), patient["weeks_ended"].to_numpy()
    low = np.flatnonzero(adh < threshold)
    pct = np.rint(adh[low] * 100).astype(np.int64)
    found["low adherence"] = (
        low,
        _texts("{}% of the prescribed dose over {} ended weeks", pct, n_ended[low]),
    )
    codes = np.concatenate([c for c, _ in found.values()]).astype(np.int64)
    priority = np.concatenate(
        [np.full(len(c), i, np.int64) for i, (c, _) in enumerate(found.values(), 1)]
    )
    # each flag's detail codes, moved past the texts of the flags before it
    texts: list[str] = []
    details = []
    for _, (text_codes, written) in found.values():
        details.append(text_codes + len(texts))
        texts += written
    top = np.full(len(grid.patients), len(found) + 1, np.int64)
    np.minimum.at(top, codes, priority)
    order = np.lexsort((priority, codes, top[codes]))
    out = pd.DataFrame(
        {
            "patient": grid.patients.take(codes[order]).array,
            "priority": priority[order],
            "flag": _picked(list(found), priority[order] - 1),
            "detail": _picked(texts, np.concatenate(details)[order]),
            "action": _picked([FLAG_ACTIONS[f] for f in found], priority[order] - 1),
        },
        columns=list(_COLUMNS),
    )
    return out, codes
