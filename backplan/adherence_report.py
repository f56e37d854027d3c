"""Adherence: what patients did against what their plans asked, with the formula in view.

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

Flags (thresholds can be changed):

* ``low adherence``: patient adherence below ``threshold`` (80%);
* ``two low weeks``: two consecutive ended weeks below ``threshold``;
* ``pain up``: mean pain in the latest week with pain scores is at least ``pain_rise``
  (2 points, the minimal clinically important change) above week 1;
* ``no recent logs``: the plan is running on ``as_of`` but nothing was logged in the
  ``quiet_days`` (7) days up to and including ``as_of``.

Examples
--------
>>> import pandas as pd
>>> from backplan import build_plan, load_catalogue
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-raises"], patient="P1",
...                   start_date="2026-01-05", weeks=1, days_per_week=2)
>>> logs = pd.DataFrame({"patient": ["P1"], "date": ["2026-01-06"],
...                      "exercise": ["heel-raises"], "sets_done": [1], "reps_done": [5]})
>>> report = adherence(logs, [plan], as_of="2026-01-11")
>>> report.by_exercise[["week", "prescribed_reps", "reps_done", "dose_adherence"]]
   week  prescribed_reps  reps_done  dose_adherence
0     1               20          5            0.25
"""

from __future__ import annotations

import html
import os
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._cells import neutralise, neutralise_frame
from .logs import (
    Checked,
    LogTable,
    check_rows,
    exercise_ids,
    gather,
    rejected_rows,
)
from .plan import Plan
from .prescriptions import Grid, prescription_table

__all__ = [
    "DEFINITIONS",
    "FLAGS",
    "AdherenceReport",
    "adherence",
    "neutralise",
    "report_from_files",
]

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
#: Flag names and what raises them (``{t}`` threshold, ``{r}`` pain rise, ``{d}`` days).
FLAGS: dict[str, str] = {
    "low adherence": "adherence over ended weeks below {t:.0%}",
    "two low weeks": "two weeks in a row below {t:.0%}",
    "pain up": "mean pain in the latest week at least {r:g} points above week 1",
    "no recent logs": "plan running but nothing logged in the last {d} days",
}
_SHEET_ROWS = 1_048_575  # data rows under the header row


#: Columns holding a share (0-1) shown as a percentage in HTML; spreadsheets keep the number.
_SHARE_COLUMNS = frozenset(
    {
        "adherence",
        "session_adherence",
        "dose_adherence",
        "dose_ratio",
        "mean",
        "median",
        "q1",
        "q3",
        "share_adherent",
    }
)


def _html_table(table: pd.DataFrame) -> str:
    """An escaped HTML table with shares as percentages and other decimals to one place."""

    def share(v: object) -> str:
        return "" if pd.isna(v) else f"{v:.0%}"

    def decimal(v: object) -> str:
        return "" if pd.isna(v) else f"{v:.1f}"

    formatters = {
        col: share if col in _SHARE_COLUMNS else decimal
        for col in table.columns
        if pd.api.types.is_float_dtype(table[col])
    }
    return table.to_html(index=False, escape=True, na_rep="", border=0, formatters=formatters)


@dataclass
class AdherenceReport:
    """Adherence tables for a set of plans and logs.

    Attributes
    ----------
    by_exercise : pandas.DataFrame
        One row per patient x week x exercise: the prescription, ``sessions_done``,
        ``reps_done``, ``session_adherence``, ``dose_adherence``, ``dose_ratio`` (uncapped)
        and ``ended``.
    by_week : pandas.DataFrame
        One row per patient x week: totals, ``adherence`` (mean dose adherence),
        ``session_adherence``, ``pain_mean``, ``pain_n`` and ``ended``.
    by_patient : pandas.DataFrame
        One row per patient: ``adherence`` over ended weeks, ``adherent``, pain in week 1
        and in the latest week, the last log date and the number of flags.
    cohort : pandas.DataFrame
        Per plan week, over patients whose week has ended: ``patients``, ``mean``,
        ``median``, ``q1``, ``q3`` and ``share_adherent``.
    flags : pandas.DataFrame
        ``patient, flag, detail``: who needs a call and why.
    rejected : pandas.DataFrame
        Rejected log rows with file, row, column and reason (see :mod:`backplan.logs`).
    """

    by_exercise: pd.DataFrame
    by_week: pd.DataFrame
    by_patient: pd.DataFrame
    cohort: pd.DataFrame
    flags: pd.DataFrame
    rejected: pd.DataFrame
    as_of: date | None
    rows_read: int
    rows_accepted: int
    settings: dict[str, float] = field(default_factory=dict)
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)

    def summary(self) -> str:
        """Counts and settings in one line."""
        t = self.settings.get("threshold", 0.8)
        return (
            f"as of {self.as_of}: {len(self.by_patient)} patients, {self.rows_read} log rows read "
            f"({self.rows_accepted} accepted, {len(self.rejected)} rejected, "
            f"{len(self.duplicates)} exact duplicates); adherent means at least {t:.0%}; "
            f"{self.flags['patient'].nunique()} patients flagged"
        )

    def __repr__(self) -> str:
        return f"AdherenceReport({self.summary()})"

    def tables(self) -> dict[str, pd.DataFrame]:
        """The report's tables by name, definitions first."""
        t, r, d = (self.settings.get(k) for k in ("threshold", "pain_rise", "quiet_days"))
        flags = [(f"flag: {k}", v.format(t=t, r=r, d=int(d or 7))) for k, v in FLAGS.items()]
        defs = pd.DataFrame(list(DEFINITIONS) + flags, columns=["term", "definition"])
        return {
            "definitions": defs,
            "by_patient": self.by_patient,
            "flags": self.flags,
            "cohort": self.cohort,
            "by_week": self.by_week,
            "by_exercise": self.by_exercise,
            "rejected": self.rejected,
        }

    def to_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """A self-contained HTML page for a service meeting; every user string is escaped.

        Writes the page to ``path`` too when given. Returns the HTML text.
        """
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8"><title>Exercise adherence</title>',
            "<style>body{font-family:sans-serif;font-size:14pt;max-width:70em;margin:1em auto}"
            "table{border-collapse:collapse;font-size:11pt}td,th{border:1px solid #555;"
            "padding:2px 6px}th{background:#ddd}</style></head><body>",
            "<h1>Exercise adherence</h1>",
            f"<p>{html.escape(self.summary())}</p>",
        ]
        for name, table in self.tables().items():
            parts.append(f"<h2>{html.escape(name.replace('_', ' '))}</h2>")
            if name == "by_exercise" and len(table) > 2000:
                parts.append("<p>First 2000 rows; the spreadsheet export has them all.</p>")
                table = table.head(2000)
            parts.append(_html_table(table))
        parts.append("</body></html>")
        text = "\n".join(parts)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.summary())}</p>" + _html_table(self.by_patient.head(20))

    def to_xlsx(self, path: str | os.PathLike[str]) -> Path:
        """Write every table to its own sheet; formula-like text cells are neutralised.

        A table longer than a sheet allows (1,048,575 data rows) continues on sheets named
        ``"by_exercise (2)"`` and so on.
        """
        target = Path(path)
        with pd.ExcelWriter(target, engine="openpyxl") as writer:
            for name, table in self.tables().items():
                safe = neutralise_frame(table)
                # a sheet holds 1,048,576 rows: longer tables go on to "name (2)", ...
                for part, start in enumerate(range(0, max(len(safe), 1), _SHEET_ROWS), 1):
                    sheet = name if part == 1 else f"{name} ({part})"
                    chunk = safe.iloc[start : start + _SHEET_ROWS]
                    chunk.to_excel(writer, sheet_name=sheet, index=False)
        return target


# --- the core: one pass of integer codes and bincounts ---------------------------------------


@dataclass
class Partials:
    """Sums over some log rows that add up across chunks (pandas, or Dask partitions)."""

    sessions: np.ndarray  # per prescription row
    reps: np.ndarray  # per prescription row (float64 sums of whole numbers: exact below 2**53)
    pain_sum: np.ndarray  # per patient-week cell
    pain_n: np.ndarray
    day_logs: np.ndarray  # logs per patient x day of the plan (patients x 7 * max_week)

    def __add__(self, other: Partials) -> Partials:
        return Partials(
            self.sessions + other.sessions,
            self.reps + other.reps,
            self.pain_sum + other.pain_sum,
            self.pain_n + other.pain_n,
            self.day_logs + other.day_logs,
        )

    def __sub__(self, other: Partials) -> Partials:
        return Partials(
            self.sessions - other.sessions,
            self.reps - other.reps,
            self.pain_sum - other.pain_sum,
            self.pain_n - other.pain_n,
            self.day_logs - other.day_logs,
        )

    @classmethod
    def zeros(cls, grid: Grid) -> Partials:
        """Empty sums for ``grid``."""
        n, cells = len(grid.table), len(grid.patients) * grid.max_week
        return cls(
            np.zeros(n, np.int64),
            np.zeros(n),
            np.zeros(cells),
            np.zeros(cells, np.int64),
            np.zeros((len(grid.patients), 7 * grid.max_week), np.int64),
        )

    def last_day(self, grid: Grid, as_of_day: int | None) -> np.ndarray:
        """Each patient's last log day on or before ``as_of_day`` (``INT64_MIN``: none)."""
        logged = self.day_logs > 0
        if as_of_day is not None:
            limit = as_of_day - grid.start_day  # last plan day to look at, per patient
            logged = logged & (np.arange(logged.shape[1]) <= limit[:, None])
        width = logged.shape[1]
        last = width - 1 - np.argmax(logged[:, ::-1], axis=1)
        return np.where(logged.any(axis=1), grid.start_day + last, _NONE)


_NONE = np.iinfo(np.int64).min


def partials(checked: Checked, grid: Grid) -> Partials:
    """Add up accepted rows per prescription row (sessions, reps), week (pain), patient-day."""
    n = len(grid.table)
    use = checked.ok & (checked.prow >= 0)
    every = bool(use.all())

    def take(values: np.ndarray) -> np.ndarray:
        return values if every else values[use]

    r, sets, reps = take(checked.prow), take(checked.sets), take(checked.reps)
    sessions = np.bincount(r, minlength=n)
    # done reps: sets x reps per row; a tick (both blank, stored as -1 x -1 = 1) counts as
    # the prescribed sets x reps, added back per prescription row below
    done = np.bincount(r, weights=sets * reps, minlength=n)
    ticks = np.bincount(r[sets < 0], minlength=n)
    prescribed = grid.table["sets"].to_numpy(np.int64) * grid.table["reps"].to_numpy(np.int64)
    done += ticks * (prescribed - 1)
    pain = take(checked.pain)
    has = ~np.isnan(pain)
    cells = len(grid.patients) * grid.max_week
    pw = (grid.row_patient * grid.max_week + grid.row_week - 1)[r[has]]
    width = 7 * grid.max_week
    assert checked.patient is not None and checked.offset is not None
    pday = take(checked.patient) * width + take(checked.offset)
    return Partials(
        sessions.astype(np.int64),
        done,
        np.bincount(pw, weights=pain[has], minlength=cells),
        np.bincount(pw, minlength=cells).astype(np.int64),
        np.bincount(pday, minlength=len(grid.patients) * width).reshape(-1, width),
    )


def _add_counts(target: np.ndarray, index: np.ndarray, weights: Any = None) -> None:
    """``target[i] +=`` the count (or the sum of ``weights``) of each ``i`` in ``index``.

    Only the span of ``index`` is counted, so a chunk of rows from a few patients is cheap.
    """
    if not len(index):
        return
    lo, hi = int(index.min()), int(index.max()) + 1
    target[lo:hi] += np.bincount(index - lo if lo else index, weights, minlength=hi - lo)


class _Sums:
    """:class:`Partials` added up chunk by chunk as rows are checked (``check_rows(add=)``).

    Each thread adds into its own accumulator, so no locks are held while summing; the
    accumulators are added together at the end.
    """

    def __init__(self, grid: Grid) -> None:
        self.grid = grid
        t = grid.table
        self.extra = t["sets"].to_numpy(np.int64) * t["reps"].to_numpy(np.int64) - 1
        self.row_cell = grid.row_patient * grid.max_week + grid.row_week - 1
        self.width = 7 * grid.max_week
        self._local = threading.local()
        self._all: list[Partials] = []
        self._lock = threading.Lock()

    def __call__(
        self,
        ok: np.ndarray,
        prow: np.ndarray,
        sets: np.ndarray,
        reps: np.ndarray,
        pain: np.ndarray,
        patient: np.ndarray,
        offset: np.ndarray,
    ) -> None:
        acc = getattr(self._local, "acc", None)
        if acc is None:
            acc = self._local.acc = Partials.zeros(self.grid)
            with self._lock:
                self._all.append(acc)
        use = ok & (prow >= 0)
        if not use.all():
            prow, sets, reps, pain, patient, offset = (
                v[use] for v in (prow, sets, reps, pain, patient, offset)
            )
        _add_counts(acc.sessions, prow)
        # done reps: sets x reps per row; a tick (both blank, stored as -1 x -1 = 1) counts as
        # the prescribed sets x reps, the difference added per prescription row
        _add_counts(acc.reps, prow, (sets * reps).astype(np.float64))
        ticks = prow[sets < 0]
        if len(ticks):
            lo, hi = int(ticks.min()), int(ticks.max()) + 1
            acc.reps[lo:hi] += np.bincount(ticks - lo, minlength=hi - lo) * self.extra[lo:hi]
        has = ~np.isnan(pain)
        if has.any():
            pw = self.row_cell[prow[has]]
            _add_counts(acc.pain_sum, pw, pain[has])
            _add_counts(acc.pain_n, pw)
        _add_counts(acc.day_logs.reshape(-1), patient * self.width + offset)

    def total(self) -> Partials:
        """The sums over every chunk seen."""
        out = Partials.zeros(self.grid) if not self._all else self._all[0]
        for acc in self._all[1:]:
            out = out + acc
        return out


def _day(value: object) -> int:
    return int(np.datetime64(pd.Timestamp(value).date(), "D").astype(np.int64))


def _date(day: int) -> date | None:
    return None if day == _NONE else pd.Timestamp(np.datetime64(int(day), "D")).date()


def _ratio(done: np.ndarray, prescribed: np.ndarray) -> np.ndarray:
    return done / prescribed


def _tables(
    grid: Grid, part: Partials, as_of_day: int, threshold: float, pain_rise: float, quiet: int
) -> dict[str, pd.DataFrame]:
    t = grid.table
    ex = t.copy(deep=False)
    ex["sessions_done"] = part.sessions
    ex["reps_done"] = np.rint(part.reps).astype(np.int64)
    ex["session_adherence"] = np.minimum(1.0, _ratio(part.sessions, ex["prescribed_sessions"]))
    ex["dose_ratio"] = _ratio(ex["reps_done"].to_numpy(), ex["prescribed_reps"].to_numpy())
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
        np.where(last == _NONE, np.datetime64("NaT"), last.astype("datetime64[D]"))
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
    patient["pain_week1"] = pain1
    patient["pain_latest_week"] = pd.array(np.where(latest_week > 0, latest_week, None),
                                           dtype="Int64")  # fmt: skip
    patient["pain_latest"] = latest_pain

    flags, codes = _flags(grid, week, p_code, patient, as_of_day, threshold, pain_rise, quiet)
    patient["flags"] = np.bincount(codes, minlength=n_p).astype(np.int64)
    return {
        "by_exercise": ex,
        "by_week": week,
        "by_patient": patient,
        "cohort": _cohort(week, threshold),
        "flags": flags,
    }


def _flags(
    grid: Grid,
    week: pd.DataFrame,
    week_patient: np.ndarray,
    patient: pd.DataFrame,
    as_of_day: int,
    threshold: float,
    pain_rise: float,
    quiet: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The flags table (ordered by patient) and each flag's patient code."""
    found: list[tuple[np.ndarray, str, list[str]]] = []
    adh, n_ended = patient["adherence"].to_numpy(), patient["weeks_ended"].to_numpy()
    low = np.flatnonzero(adh < threshold)
    found.append(
        (
            low,
            "low adherence",
            _low_texts(adh[low], n_ended[low]),
        )
    )
    ended = week["ended"].to_numpy()
    who, wk = week_patient[ended], week["week"].to_numpy()[ended]
    below = week["adherence"].to_numpy()[ended] < threshold
    pair = below[1:] & below[:-1] & (who[1:] == who[:-1]) & (wk[1:] == wk[:-1] + 1)
    first_pair = np.flatnonzero(pair) + 1
    _, keep = np.unique(who[first_pair], return_index=True)
    first_pair = first_pair[keep]
    texts = {w: f"weeks {w - 1} and {w} below {threshold:.0%}" for w in set(wk.tolist())}
    found.append(
        (
            who[first_pair],
            "two low weeks",
            [texts[w] for w in wk[first_pair].tolist()],
        )
    )
    p1, pl = patient["pain_week1"].to_numpy(), patient["pain_latest"].to_numpy()
    lw = patient["pain_latest_week"].to_numpy(np.int64, na_value=0)
    with np.errstate(invalid="ignore"):
        up = np.flatnonzero((pl - p1 >= pain_rise - 1e-9) & (lw > 1))
    found.append(
        (up, "pain up", [f"pain {p1[i]:.1f} in week 1, {pl[i]:.1f} in week {lw[i]}" for i in up])
    )
    running = (grid.start_day <= as_of_day) & (as_of_day <= grid.end_day)
    last = part_last(patient)
    quiet_now = np.flatnonzero(running & (last < as_of_day - quiet + 1))
    found.append((quiet_now, "no recent logs",
                  ["never logged" if last[i] == _NONE else f"last log {_date(last[i])}"
                   for i in quiet_now]))  # fmt: skip
    codes = np.concatenate([c for c, _, _ in found]).astype(np.int64)
    order = np.argsort(codes, kind="stable")
    out = pd.DataFrame(
        {
            "patient": grid.patients.take(codes[order]).array,
            "flag": np.concatenate([[f] * len(c) for c, f, _ in found])[order]
            if len(codes)
            else np.array([], dtype=object),
            "detail": np.array([d for _, _, ds in found for d in ds], dtype=object)[order],
        }
    )
    return out, codes


def _low_texts(adh: np.ndarray, weeks: np.ndarray) -> list[str]:
    """``f"adherence {a:.0%} over {k} ended weeks"`` for each pair, each text made once.

    Python's ``:.0%`` rounds ``a * 100`` half to even, as ``np.rint`` does.
    """
    pct = np.rint(adh * 100).astype(np.int64).tolist()
    texts: dict[tuple[int, int], str] = {}
    out = []
    for key in zip(pct, weeks.tolist(), strict=True):
        text = texts.get(key)
        if text is None:
            text = texts[key] = f"adherence {key[0]}% over {key[1]} ended weeks"
        out.append(text)
    return out


def part_last(patient: pd.DataFrame) -> np.ndarray:
    """Last log day per patient as int64 days (``INT64_MIN`` when none)."""
    values = patient["last_log"].to_numpy().astype("datetime64[D]")
    return np.where(np.isnat(values), _NONE, values.astype(np.int64))


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


# --- inputs ------------------------------------------------------------------------------------


def _is_dask(obj: object) -> bool:
    return type(obj).__module__.startswith("dask")


def _as_table(prescriptions: Iterable[Plan] | pd.DataFrame) -> pd.DataFrame:
    if isinstance(prescriptions, pd.DataFrame):
        return prescription_table(prescriptions)
    return prescription_table(list(prescriptions))


def _checked_logtable(
    logs: LogTable, grid: Grid, exercises: pd.Index, drop_duplicates: bool
) -> tuple[Checked, pd.DataFrame, int]:
    """Re-check a LogTable's accepted rows against the plans, keeping earlier rejections."""
    acc = logs.accepted
    raw = acc[list(_LOG_ORDER)].copy()
    checked = check_rows(
        raw, acc["file"].to_numpy(object), acc["row"].to_numpy(np.int64), exercises, grid,
        drop_duplicates,
    )  # fmt: skip
    again = rejected_rows(checked)
    rejected = pd.concat([logs.rejected, again], ignore_index=True) if len(again) else logs.rejected
    return (
        checked,
        rejected.sort_values(["file", "row"], kind="stable").reset_index(drop=True),
        (logs.rows_read),
    )


def _dask_partials(
    ddf: Any, grid: Grid, exercises: pd.Index, drop_duplicates: bool
) -> tuple[Partials, pd.DataFrame, pd.DataFrame, int]:
    """Check and add up each Dask partition, then combine the small per-partition sums.

    Rows are numbered across the whole Dask frame (file ``"<dask>"``, first row 2), in
    partition order. Exact duplicates are found within each partition.
    """
    import dask

    def one(pdf: pd.DataFrame) -> tuple[Partials, pd.DataFrame, pd.DataFrame, int]:
        pdf = pdf.reset_index(drop=True)
        n = len(pdf)
        file = np.full(n, "<dask>", dtype=object)
        checked = check_rows(pdf, file, np.arange(n, dtype=np.int64) + 2, exercises, grid,
                             drop_duplicates)  # fmt: skip
        return partials(checked, grid), rejected_rows(checked), checked.duplicates, n

    results = dask.compute(*[dask.delayed(one)(p) for p in ddf.to_delayed()])
    total, rejected, duplicates, offset = None, [], [], 0
    for part, rej, dup, n in results:
        total = part if total is None else total + part
        rejected.append(rej.assign(row=rej["row"] + offset))
        duplicates.append(
            dup.assign(row=dup["row"] + offset, same_as_row=dup["same_as_row"] + offset)
        )
        offset += n
    if total is None:
        raise ValueError("the Dask frame has no partitions")
    return (
        total,
        pd.concat(rejected, ignore_index=True),
        pd.concat(duplicates, ignore_index=True),
        offset,
    )


_LOG_ORDER = ("patient", "date", "exercise", "sets_done", "reps_done", "hold_s", "pain", "note")


def adherence(
    logs: object,
    prescriptions: Iterable[Plan] | pd.DataFrame,
    as_of: date | str | None = None,
    *,
    threshold: float = 0.8,
    pain_rise: float = 2.0,
    quiet_days: int = 7,
    catalogue: pd.DataFrame | None = None,
    drop_duplicates: bool = False,
) -> AdherenceReport:
    """Compare logs with prescriptions: tables by exercise, week, patient and cohort, flags.

    Parameters
    ----------
    logs : path, pandas.DataFrame, LogTable or dask DataFrame
        Log rows (see :mod:`backplan.logs`): a file or folder to read, a DataFrame, the
        result of :func:`~backplan.read_logs`, or a Dask DataFrame (computed partition by
        partition; Dask is imported only then).
    prescriptions : list of Plan, or prescription table
        See :func:`~backplan.prescription_table`.
    as_of : date or ISO string, optional
        The last day the logs cover; the latest accepted log date by default.
    threshold : float
        Adherent means at least this share (0.8).
    pain_rise : float
        Points of pain rise from week 1 that raise a flag (2, the minimal important change).
    quiet_days : int
        Days without a log, up to and including ``as_of``, that raise a flag while a plan
        runs (7).
    catalogue : pandas.DataFrame, optional
        Known exercise ids; the shipped catalogue by default.
    drop_duplicates : bool
        Reject exact duplicate rows instead of only reporting them.

    Returns
    -------
    AdherenceReport
        See the module docstring for every definition.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be above 0 and at most 1, got {threshold}")
    grid = Grid.build(_as_table(prescriptions))
    exercises = exercise_ids(catalogue)
    limit = None if as_of is None else _day(as_of)
    sums = None
    if _is_dask(logs):
        part, rejected, duplicates, rows_read = _dask_partials(
            logs, grid, exercises, drop_duplicates
        )
    else:
        if isinstance(logs, LogTable):
            checked, rejected, rows_read = _checked_logtable(logs, grid, exercises, drop_duplicates)
            duplicates = logs.duplicates
        else:
            raw, file, row, _ = gather(logs)
            sums = _Sums(grid)
            checked = check_rows(raw, file, row, exercises, grid, drop_duplicates, add=sums,
                                 defer_duplicates=True)  # fmt: skip
            rejected, rows_read = rejected_rows(checked), len(raw)
            if checked.duplicates is None:  # look for them while the tables are made
                pool = ThreadPoolExecutor(max_workers=1)
                duplicates = pool.submit(checked.find_duplicates)
                pool.shutdown(wait=False)
            else:
                duplicates = checked.duplicates
        part = sums.total() if sums is not None else partials(checked, grid)
        if sums is not None and drop_duplicates and len(duplicates):
            # the sums were made before duplicates were known: take the dropped copies out
            probs = checked.problems
            pos = probs.loc[probs["reason"] == "exact duplicate", "pos"].to_numpy()
            dropped = check_rows(raw.iloc[pos], file[pos], row[pos], exercises, grid)
            part = part - partials(dropped, grid)
    as_of_day = limit
    if as_of_day is None:
        last = part.last_day(grid, None)
        as_of_day = int(last.max()) if len(last) else _NONE
    if as_of_day == _NONE:
        raise ValueError("no accepted log rows: give as_of to report on plans without logs")
    tables = _tables(grid, part, as_of_day, threshold, pain_rise, quiet_days)
    if isinstance(duplicates, Future):
        duplicates = duplicates.result()
    return AdherenceReport(
        **tables,
        rejected=rejected,
        as_of=_date(as_of_day),
        rows_read=rows_read,
        rows_accepted=rows_read - len(rejected),
        settings={"threshold": threshold, "pain_rise": pain_rise, "quiet_days": quiet_days},
        duplicates=duplicates,
    )


def report_from_files(
    logs: str | os.PathLike[str],
    plans_dir: str | os.PathLike[str],
    output: str | os.PathLike[str],
    as_of: date | str | None = None,
    threshold: float = 0.8,
) -> AdherenceReport:
    """Read logs and a folder of saved plans, and write the report as HTML or XLSX.

    This is what a ``backplan adherence LOGS -p PLANS_DIR -o REPORT.html`` command needs:
    the output format follows the file suffix (``.html`` or ``.xlsx``).

    Raises
    ------
    PlanError
        When the folder holds no ``*.json`` plan, or a plan cannot be read.
    LogError
        When the logs cannot be read.
    """
    from .errors import PlanError, Problem
    from .plan import load_plan

    files = sorted(Path(plans_dir).glob("*.json"))
    if not files:
        raise PlanError([Problem(str(plans_dir), None, None, "a folder of saved plans (*.json)")])
    report = adherence(logs, [load_plan(f) for f in files], as_of, threshold=threshold)
    target = Path(output)
    if target.suffix.lower() == ".xlsx":
        report.to_xlsx(target)
    elif target.suffix.lower() in {".html", ".htm"}:
        report.to_html(target)
    else:
        raise ValueError(f"output must end in .html or .xlsx, got {target.name!r}")
    return report
