"""Step 4, measures: adherence by exercise, week, patient and cohort, from the sums.

Definitions
-----------
Week ``k`` of a plan runs from ``start + 7(k-1)`` days to ``start + 7k - 1`` days. For
patient ``p``, week ``k`` and exercise ``e``:

* prescribed sessions = sessions a day x days a week;
* prescribed reps = sets x reps x prescribed sessions (per side, as the logs count them);
* done sessions = number of log rows with exercise done: a tick, or sets_done x reps_done
  above 0 (a day typed in for its pain or note alone, with 0 and 0, is not a session;
  its pain counts);
* done reps = sum of sets_done x reps_done (a row with both blank counts as that week's
  prescribed sets x reps: a diary tick means "did my dose");
* session adherence = min(1, done sessions / prescribed sessions);
* dose adherence = min(1, done reps / prescribed reps); the uncapped ratio is kept too
  (``dose_ratio``), so extra work never hides a missed session in the headline figure.

Patient-week adherence is the mean dose adherence over the exercises prescribed that week
(an exercise with no logs counts 0). Patient adherence is the mean over the plan's weeks
that have fully ended by ``as_of`` (the last day the logs cover; by default the latest log
date). A week has ended when its last day is on or before ``as_of``.

Who to call (the report's ``flags``) is worked out from these tables by the weekly review's
rules, in :mod:`backplan.logs.flags`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from .prescriptions import Grid
from .sums import NONE, Partials

__all__ = ["DEFINITIONS", "measure_tables", "to_date"]

#: The definitions in plain words, shown in reports and notebooks.
DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("week k", "from start + 7(k-1) days to start + 7k - 1 days"),
    ("prescribed sessions", "sessions a day x days a week"),
    ("prescribed reps", "sets x reps x prescribed sessions (per side)"),
    ("done sessions", "log rows with exercise done (a tick, or sets_done x reps_done above 0)"),
    ("done reps", "sum of sets_done x reps_done (both blank = that week's sets x reps)"),
    ("session adherence", "min(1, done sessions / prescribed sessions)"),
    ("dose adherence", "min(1, done reps / prescribed reps); dose_ratio is not capped"),
    ("patient-week adherence", "mean dose adherence over the week's exercises (none = 0)"),
    ("patient adherence", "mean over weeks that have ended by as_of"),
)


def to_date(day: int) -> date | None:
    """Days since 1970-01-01 as a date (``None`` for :data:`~backplan.logs.sums.NONE`)."""
    return None if day == NONE else pd.Timestamp(np.datetime64(int(day), "D")).date()


def measure_tables(
    grid: Grid, part: Partials, as_of_day: int, threshold: float, pain_rise: float, quiet: int
) -> dict[str, pd.DataFrame]:
    """The report's tables (by exercise, week, patient, cohort) from ``part``; ``pain_rise``
    and ``quiet`` are kept for callers (the call list follows the review rules)."""
    t = grid.table
    # each table is made from its columns at once: inserting them one by one costs more
    sessions = part.sessions
    reps_done = np.rint(part.reps).astype(np.int64)
    session_adherence = np.minimum(1.0, sessions / t["prescribed_sessions"].to_numpy())
    dose_ratio = reps_done / t["prescribed_reps"].to_numpy()
    dose_adherence = np.minimum(1.0, dose_ratio)
    week_end_day = grid.start_day[grid.row_patient] + 7 * grid.row_week - 1
    done = pd.DataFrame(
        {
            "sessions_done": sessions,
            "reps_done": reps_done,
            "session_adherence": session_adherence,
            "dose_ratio": dose_ratio,
            "dose_adherence": dose_adherence,
            "ended": week_end_day <= as_of_day,
        },
        index=t.index,
        copy=False,
    )
    ex = pd.concat([t, done], axis=1)  # the table's columns are shared, not copied

    # patient-week cells of a dense patient x week array
    present, n_ex, per_week = _week_cells(grid)
    p_code, w_idx = np.divmod(present, grid.max_week)
    week_start = (grid.start_day[p_code] + 7 * w_idx).astype("datetime64[D]")
    pain_n = part.pain_n[present]
    morning_n = part.morning_n[present]
    with np.errstate(invalid="ignore", divide="ignore"):
        pain_mean = np.where(pain_n > 0, part.pain_sum[present] / pain_n, np.nan)
        morning_mean = np.where(morning_n > 0, part.morning_sum[present] / morning_n, np.nan)
    adherence = per_week(dose_adherence) / n_ex
    week_session_adherence = per_week(session_adherence) / n_ex
    week_end = week_start + np.timedelta64(6, "D")
    week_ended = week_end <= np.datetime64(as_of_day, "D")
    week = pd.DataFrame(
        {
            "patient": grid.patients.take(p_code).array,  # no Python strings
            "week": (w_idx + 1).astype(np.int64),
            "week_start": week_start.astype("datetime64[s]"),
            "week_end": week_end.astype("datetime64[us]"),
            "exercises": n_ex,
            "sessions_prescribed": per_week(t["prescribed_sessions"].to_numpy(np.int64)),
            "sessions_done": per_week(sessions),
            "reps_prescribed": per_week(t["prescribed_reps"].to_numpy(np.int64)),
            "reps_done": per_week(reps_done),
            "session_adherence": week_session_adherence,
            "adherence": adherence,
            "pain_mean": pain_mean,
            "pain_n": pain_n,
            "pain_next_morning_mean": morning_mean,
            "pain_next_morning_n": morning_n,
            "ended": week_ended,
            "adherent": pd.arrays.BooleanArray(adherence >= threshold, ~week_ended),
        },
        copy=False,
    )

    # patient
    n_p = len(grid.patients)
    wp = p_code[week_ended]
    weeks_ended = np.bincount(wp, minlength=n_p).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_adh = np.bincount(wp, weights=adherence[week_ended], minlength=n_p)
        mean_adh = np.where(weeks_ended > 0, mean_adh / weeks_ended, np.nan)
        mean_ses = np.bincount(wp, weights=week_session_adherence[week_ended], minlength=n_p)
        mean_ses = np.where(weeks_ended > 0, mean_ses / weeks_ended, np.nan)
    last = part.last_day(grid, as_of_day)
    # pain in week 1 and in the latest started week with pain scores
    started = week_start <= np.datetime64(as_of_day, "D")
    sel = np.flatnonzero((pain_n > 0) & started)
    week_no = w_idx + 1
    pain1 = np.full(n_p, np.nan)
    one = sel[week_no[sel] == 1]
    pain1[p_code[one]] = pain_mean[one]
    who = p_code[sel]  # rows are sorted by patient, then week: the last of each patient's run
    last_rows = sel[np.r_[who[1:] != who[:-1], True]] if len(sel) else sel
    latest_week = np.zeros(n_p, dtype=np.int64)
    latest_pain = np.full(n_p, np.nan)
    latest_week[p_code[last_rows]] = week_no[last_rows]
    latest_pain[p_code[last_rows]] = pain_mean[last_rows]
    patient = pd.DataFrame(
        {
            "patient": grid.patients.array,
            "start_date": grid.start_day.astype("datetime64[D]").astype("datetime64[s]"),
            "end_date": grid.end_day.astype("datetime64[D]").astype("datetime64[s]"),
            "weeks_ended": weeks_ended,
            "adherence": mean_adh,
            "session_adherence": mean_ses,
            "adherent": pd.arrays.BooleanArray(mean_adh >= threshold, weeks_ended == 0),
            "last_log": np.where(
                last == NONE, np.datetime64("NaT"), last.astype("datetime64[D]")
            ).astype("datetime64[s]"),
            "pain_score_week1": pain1,
            "pain_score_latest": latest_pain,
            "week_of_latest_pain": pd.arrays.IntegerArray(latest_week, latest_week == 0),
        },
        copy=False,
    )

    return {
        "by_exercise": ex,
        "by_week": week,
        "by_patient": patient,
        "cohort": _cohort(week, threshold),
    }


def _week_cells(grid: Grid) -> tuple[np.ndarray, np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """The patient-week cells with prescriptions (``patient code * max_week + week - 1``),
    how many exercise rows each has, and a function adding a per-row column up per cell.

    Whole numbers in a table in patient-then-week order (as :func:`prescription_table`
    makes from plans) are added up in one pass over each run of rows. Fractions are always
    added in row order, one after the other, so a mean of exactly 0.8 is the same 0.8 in
    every table order and on Dask.
    """
    pw = grid.row_patient * grid.max_week + grid.row_week - 1
    counts = np.bincount(pw, minlength=len(grid.patients) * grid.max_week)
    present = np.flatnonzero(counts)
    grouped = len(pw) > 0 and bool((pw[1:] >= pw[:-1]).all())
    starts = np.cumsum(counts[present]) - counts[present] if grouped else None

    def per_week(values: np.ndarray) -> np.ndarray:
        if values.dtype.kind in "iu" and starts is not None:
            return np.add.reduceat(values, starts)
        sums = np.bincount(pw, weights=values, minlength=len(counts))[present]
        return np.rint(sums).astype(np.int64) if values.dtype.kind in "iu" else sums

    return present, counts[present].astype(np.int64), per_week


def _cohort(week: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per plan week, over the patient-weeks that have ended: how many, mean, median and
    quartiles (linear interpolation, as pandas and numpy) and the share adherent."""
    ended = week["ended"].to_numpy()
    adh = week["adherence"].to_numpy()[ended]
    wk = week["week"].to_numpy()[ended]
    order = np.argsort(wk, kind="stable")  # small whole numbers: a quick radix sort
    adh, wk = adh[order], wk[order]
    first = np.flatnonzero(np.r_[True, wk[1:] != wk[:-1]]) if len(wk) else np.zeros(0, int)
    size = np.diff(np.r_[first, len(wk)])
    for lo, n in zip(first, size, strict=True):  # then each week's values in order
        adh[lo : lo + n].sort()

    def quantile(q: float) -> np.ndarray:
        at = (size - 1) * q
        lo = np.floor(at).astype(np.int64)
        hi = np.minimum(lo + 1, size - 1)
        low, high = adh[first + lo], adh[first + hi]
        return low + (high - low) * (at - lo)

    sums = np.add.reduceat(adh, first) if len(first) else np.zeros(0)
    adherent = (adh >= threshold).astype(np.int64)
    return pd.DataFrame(
        {
            "week": wk[first].astype(np.int64),
            "patients": size.astype(np.int64),
            "mean": sums / size,
            "median": quantile(0.5),
            "q1": quantile(0.25),
            "q3": quantile(0.75),
            "share_adherent": (np.add.reduceat(adherent, first) if len(first) else sums) / size,
        }
    )
