"""Step 4, measures: adherence by exercise, week, patient and cohort, from the sums.

Definitions
-----------
Week ``k`` of a plan runs from ``start + 7(k-1)`` days to ``start + 7k - 1`` days. For
patient ``p``, week ``k`` and exercise ``e``:

* prescribed sessions = sessions a day x days a week;
* prescribed reps = sets x reps x prescribed sessions (per side, as the logs count them);
* done sessions = number of log rows;
* done reps = sum of sets_done x reps_done (a row with both blank counts as that week's
  prescribed sets x reps: a diary tick means "did my dose");
* session adherence = min(1, done sessions / prescribed sessions);
* dose adherence = min(1, done reps / prescribed reps); the uncapped ratio is kept too
  (``dose_ratio``), so extra work never hides a missed session in the headline figure.

Patient-week adherence is the mean dose adherence over the exercises prescribed that week
(an exercise with no logs counts 0). Patient adherence is the mean over the plan's weeks
that have fully ended by ``as_of`` (the last day the logs cover; by default the latest log
date). A week has ended when its last day is on or before ``as_of``.

Flags (thresholds can be changed) are made in :mod:`backplan.adherence.flags`.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .flags import flag_table
from .prescriptions import Grid
from .sums import NONE, Partials

__all__ = ["DEFINITIONS", "day_number", "measure_tables", "to_date"]

#: The definitions in plain words, shown in reports and notebooks.
DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("week k", "from start + 7(k-1) days to start + 7k - 1 days"),
    ("prescribed sessions", "sessions a day x days a week"),
    ("prescribed reps", "sets x reps x prescribed sessions (per side)"),
    ("done sessions", "number of log rows"),
    ("done reps", "sum of sets_done x reps_done (both blank = that week's sets x reps)"),
    ("session adherence", "min(1, done sessions / prescribed sessions)"),
    ("dose adherence", "min(1, done reps / prescribed reps); dose_ratio is not capped"),
    ("patient-week adherence", "mean dose adherence over the week's exercises (none = 0)"),
    ("patient adherence", "mean over weeks that have ended by as_of"),
)


def day_number(value: object) -> int:
    """A date (or ISO text) as days since 1970-01-01."""
    return int(np.datetime64(pd.Timestamp(value).date(), "D").astype(np.int64))


def to_date(day: int) -> date | None:
    """Days since 1970-01-01 as a date (``None`` for :data:`~backplan.adherence.sums.NONE`)."""
    return None if day == NONE else pd.Timestamp(np.datetime64(int(day), "D")).date()


def measure_tables(
    grid: Grid, part: Partials, as_of_day: int, threshold: float, pain_rise: float, quiet: int
) -> dict[str, pd.DataFrame]:
    """The report's tables (by exercise, week, patient, cohort, flags) from ``part``."""
    t = grid.table
    ex = t.copy(deep=False)
    ex["sessions_done"] = part.sessions
    ex["reps_done"] = np.rint(part.reps).astype(np.int64)
    ex["session_adherence"] = np.minimum(1.0, np.divide(part.sessions, ex["prescribed_sessions"]))
    ex["dose_ratio"] = np.divide(ex["reps_done"].to_numpy(), ex["prescribed_reps"].to_numpy())
    ex["dose_adherence"] = np.minimum(1.0, ex["dose_ratio"])
    week_end_day = grid.start_day[grid.row_patient] + 7 * grid.row_week - 1
    ex["ended"] = week_end_day <= as_of_day

    # patient-week: cells of a dense patient x week array, filled with bincount
    cells = len(grid.patients) * grid.max_week
    pw = grid.row_patient * grid.max_week + grid.row_week - 1

    def per_week(values: np.ndarray) -> np.ndarray:
        return np.bincount(pw, weights=values, minlength=cells)

    n_ex = np.bincount(pw, minlength=cells)
    present = np.flatnonzero(n_ex)
    p_code, w_idx = np.divmod(present, grid.max_week)
    week = pd.DataFrame(
        {
            "patient": grid.patients.take(p_code).array,  # no Python strings
            "week": (w_idx + 1).astype(np.int64),
            "week_start": (grid.start_day[p_code] + 7 * w_idx).astype("datetime64[D]"),
            "exercises": n_ex[present].astype(np.int64),
        }
    )
    week["week_start"] = week["week_start"].astype("datetime64[s]")
    week.insert(3, "week_end", week["week_start"] + pd.Timedelta(days=6))
    for name, column in (
        ("sessions_prescribed", "prescribed_sessions"),
        ("sessions_done", "sessions_done"),
        ("reps_prescribed", "prescribed_reps"),
        ("reps_done", "reps_done"),
    ):
        week[name] = np.rint(per_week(ex[column].to_numpy(np.float64))[present]).astype(np.int64)
    week["session_adherence"] = (
        per_week(ex["session_adherence"].to_numpy())[present] / n_ex[present]
    )
    week["adherence"] = per_week(ex["dose_adherence"].to_numpy())[present] / n_ex[present]
    pain_n = part.pain_n[present]
    with np.errstate(invalid="ignore", divide="ignore"):
        week["pain_mean"] = np.where(pain_n > 0, part.pain_sum[present] / pain_n, np.nan)
    week["pain_n"] = pain_n
    end_day = grid.start_day[p_code] + 7 * (w_idx + 1) - 1
    week["ended"] = end_day <= as_of_day
    week["adherent"] = (week["adherence"] >= threshold).astype("boolean")
    week.loc[~week["ended"], "adherent"] = pd.NA

    # patient
    n_p = len(grid.patients)
    ended = week["ended"].to_numpy()
    wp = p_code[ended]
    weeks_ended = np.bincount(wp, minlength=n_p)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_adh = np.bincount(wp, weights=week["adherence"].to_numpy()[ended], minlength=n_p)
        mean_adh = np.where(weeks_ended > 0, mean_adh / weeks_ended, np.nan)
        mean_ses = np.bincount(
            wp, weights=week["session_adherence"].to_numpy()[ended], minlength=n_p
        )
        mean_ses = np.where(weeks_ended > 0, mean_ses / weeks_ended, np.nan)
    patient = pd.DataFrame(
        {
            "patient": grid.patients.array,
            "start_date": grid.start_day.astype("datetime64[D]").astype("datetime64[s]"),
            "end_date": grid.end_day.astype("datetime64[D]").astype("datetime64[s]"),
            "weeks_ended": weeks_ended.astype(np.int64),
            "adherence": mean_adh,
            "session_adherence": mean_ses,
        }
    )
    patient["adherent"] = (patient["adherence"] >= threshold).astype("boolean")
    patient.loc[weeks_ended == 0, "adherent"] = pd.NA
    last = part.last_day(grid, as_of_day)
    patient["last_log"] = pd.Series(
        np.where(last == NONE, np.datetime64("NaT"), last.astype("datetime64[D]"))
    ).astype("datetime64[s]")
    # pain in week 1 and in the latest started week with pain scores
    has_pain = week["pain_n"].to_numpy() > 0
    started = week["week_start"].to_numpy().astype("datetime64[D]").astype(np.int64) <= as_of_day
    sel = np.flatnonzero(has_pain & started)
    pain_mean = week["pain_mean"].to_numpy()
    week_no = week["week"].to_numpy()
    pain1 = np.full(n_p, np.nan)
    one = sel[week_no[sel] == 1]
    pain1[p_code[one]] = pain_mean[one]
    _, back = np.unique(p_code[sel][::-1], return_index=True)  # rows are sorted by week
    last_rows = sel[len(sel) - 1 - back]
    latest_week = np.zeros(n_p, dtype=np.int64)
    latest_pain = np.full(n_p, np.nan)
    latest_week[p_code[last_rows]] = week_no[last_rows]
    latest_pain[p_code[last_rows]] = pain_mean[last_rows]
    patient["pain_score_week1"] = pain1
    patient["pain_score_latest"] = latest_pain
    patient["week_of_latest_pain"] = pd.array(np.where(latest_week > 0, latest_week, None),
                                              dtype="Int64")  # fmt: skip

    flags, codes = flag_table(grid, week, p_code, patient, as_of_day, threshold, pain_rise, quiet)
    patient["flags"] = np.bincount(codes, minlength=n_p).astype(np.int64)
    return {
        "by_exercise": ex,
        "by_week": week,
        "by_patient": patient,
        "cohort": _cohort(week, threshold),
        "flags": flags,
    }


def _cohort(week: pd.DataFrame, threshold: float) -> pd.DataFrame:
    ended = week[week["ended"]]
    grouped = ended.groupby("week")["adherence"]
    out = pd.DataFrame(
        {
            "patients": grouped.size(),
            "mean": grouped.mean(),
            "median": grouped.median(),
            "q1": grouped.quantile(0.25),
            "q3": grouped.quantile(0.75),
            "share_adherent": (ended["adherence"] >= threshold).groupby(ended["week"]).mean(),
        }
    )
    out.index.name = "week"
    out["patients"] = out["patients"].astype(np.int64)
    return out.reset_index()
