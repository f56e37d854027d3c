"""Step 3, sum: accepted log rows added up per prescription row, patient-week and plan day.

One implementation, :class:`Sums`, serves every input: chunks of a pandas frame as they
are checked, the rows a :class:`~backplan.LogTable` carries, and each Dask partition (whose
:class:`Partials` are then added together).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from backplan.logs.prescriptions import prescription_grid
>>> grid = prescription_grid(pd.DataFrame({"patient": ["P1"], "week": [1], "exercise": ["x"],
...     "start_date": ["2026-01-05"], "sets": [2], "reps": [5], "sessions_per_day": [1],
...     "days_per_week": [7]}))
>>> sums = Sums(grid)
>>> sums.add(Rows(ok=np.array([True, True]), prow=np.array([0, 0]), sets=np.array([1, -1]),
...               reps=np.array([4, -1]), pain=np.array([2.0, np.nan]),
...               morning=np.array([np.nan, 1.0]), patient=np.array([0, 0]),
...               offset=np.array([0, 1])))
>>> total = sums.total()
>>> total.sessions.tolist(), total.reps.tolist()  # a tick counts the prescribed 2 x 5
([2], [14.0])
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from .prescriptions import Grid

__all__ = ["NONE", "Partials", "Rows", "Scores", "Sums"]

#: "No day": the smallest int64, used where a patient has no log.
NONE = np.iinfo(np.int64).min


@dataclass
class Rows:
    """Checked log rows to add up, one array entry per row.

    ``ok`` marks accepted rows; ``prow`` is the prescription row (-1: none), ``sets`` and
    ``reps`` the counts (-1 when blank: a diary tick), ``pain`` (during the exercise) and
    ``morning`` (pain the next morning) NaN when blank, ``patient`` the patient code and
    ``offset`` days since that patient's plan started.
    """

    ok: np.ndarray
    prow: np.ndarray
    sets: np.ndarray
    reps: np.ndarray
    pain: np.ndarray
    morning: np.ndarray
    patient: np.ndarray
    offset: np.ndarray


@dataclass
class Partials:
    """Sums over some log rows that add up across chunks (pandas, or Dask partitions)."""

    sessions: np.ndarray  # per prescription row
    reps: np.ndarray  # per prescription row (float64 sums of whole numbers: exact below 2**53)
    pain_sum: np.ndarray  # pain during, per patient-week cell
    pain_n: np.ndarray
    morning_sum: np.ndarray  # pain next morning, per patient-week cell
    morning_n: np.ndarray
    day_logs: np.ndarray  # logs per patient x day of the plan (patients x 7 * max_week)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The arrays, in field order."""
        return (self.sessions, self.reps, self.pain_sum, self.pain_n, self.morning_sum,
                self.morning_n, self.day_logs)  # fmt: skip

    def __add__(self, other: Partials) -> Partials:
        return Partials(*(a + b for a, b in zip(self.arrays(), other.arrays(), strict=True)))

    @classmethod
    def zeros(cls, grid: Grid) -> Partials:
        """Empty sums for ``grid``."""
        n, cells = len(grid.table), len(grid.patients) * grid.max_week
        return cls(
            np.zeros(n, np.int64),
            np.zeros(n),
            np.zeros(cells),
            np.zeros(cells, np.int64),
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
        return np.where(logged.any(axis=1), grid.start_day + last, NONE)


@dataclass(frozen=True)
class Scores:
    """The pain scores of the accepted rows that fall on a prescription row: one entry per
    row with a score during the exercise or the next morning (NaN where that one is blank).

    ``patient`` is the grid's patient code and ``day`` days since 1970-01-01. The call list
    (:mod:`backplan.logs.flags`) reads the worst day and the mornings from these, so the
    log rows are not read a second time.
    """

    patient: np.ndarray
    day: np.ndarray
    during: np.ndarray
    morning: np.ndarray


def _add_counts(target: np.ndarray, index: np.ndarray, weights: Any = None) -> None:
    """``target[i] +=`` the count (or the sum of ``weights``) of each ``i`` in ``index``.

    Only the span of ``index`` is counted, so a chunk of rows from a few patients is cheap.
    """
    if not len(index):
        return
    lo, hi = int(index.min()), int(index.max()) + 1
    target[lo:hi] += np.bincount(index - lo if lo else index, weights, minlength=hi - lo)


class Sums:
    """:class:`Partials` added up batch by batch (:meth:`add`), from any thread.

    Each thread adds into its own accumulator, so no lock is held while summing; the
    accumulators are added together by :meth:`total`.
    """

    def __init__(self, grid: Grid, keep_scores: bool = False) -> None:
        self.grid = grid
        self.keep_scores = keep_scores
        t = grid.table
        self.extra = t["sets"].to_numpy(np.int64) * t["reps"].to_numpy(np.int64) - 1
        self.row_cell = grid.row_patient * grid.max_week + grid.row_week - 1
        self.width = 7 * grid.max_week
        self._local = threading.local()
        self._all: list[Partials] = []
        self._scores: list[list[tuple[np.ndarray, ...]]] = []
        self._lock = threading.Lock()

    def add(self, rows: Rows) -> None:
        """Add the accepted rows of ``rows`` that fall on a prescription row."""
        acc = getattr(self._local, "acc", None)
        if acc is None:
            acc = self._local.acc = Partials.zeros(self.grid)
            self._local.scores = []
            with self._lock:
                self._all.append(acc)
                self._scores.append(self._local.scores)
        prow, sets, reps, pain = rows.prow, rows.sets, rows.reps, rows.pain
        if not len(prow):
            return
        # the span of prescription rows, found once: as unsigned, -1 (none) is the largest
        lo, hi = int(prow.view(np.uint64).min()), int(prow.max()) + 1
        if hi <= 0:
            return  # no row falls on a prescription row
        use = rows.ok & (prow >= 0)
        every = bool(use.all())
        # bin 0 takes every row left out (rejected, or on no prescription row) and is dropped:
        # one multiply, where taking the used rows out would copy six arrays
        at = prow - (lo - 1)
        if not every:
            at *= use  # quicker than a masked write
        width = hi - lo + 1
        # done reps: sets x reps per row; a tick (both blank, stored as -1 x -1 = 1) counts as
        # the prescribed sets x reps, the difference added per prescription row
        done = np.multiply(sets, reps, dtype=np.float64)
        acc.reps[lo:hi] += np.bincount(at, done, minlength=width)[1:]
        # a session is a row with exercise done: a day typed in for its pain or note alone
        # (sets_done 0, reps_done 0) is not one, though its pain counts below
        sessions = np.bincount(at, minlength=width)
        idle = np.flatnonzero(done == 0)
        if len(idle):
            sessions -= np.bincount(at.take(idle), minlength=width)
        acc.sessions[lo:hi] += sessions[1:]
        ticks = np.flatnonzero(sets < 0)
        if len(ticks):
            acc.reps[lo:hi] += np.bincount(at.take(ticks), minlength=width)[1:] * self.extra[lo:hi]
        any_score = None  # rows with either score
        for score, total, n in ((pain, acc.pain_sum, acc.pain_n),
                                (rows.morning, acc.morning_sum, acc.morning_n)):  # fmt: skip
            if score.strides == (0,):  # a column the logs lack: no scores
                continue
            has = score == score  # (NaN != NaN: blank scores are left out)
            if not every:
                has &= use
            scored = np.flatnonzero(has)
            if len(scored):
                pw = self.row_cell.take(prow.take(scored))
                _add_counts(total, pw, score.take(scored))
                _add_counts(n, pw)
            any_score = has if any_score is None else np.logical_or(any_score, has, out=has)
        if self.keep_scores and any_score is not None and any_score.any():
            at = np.flatnonzero(any_score)
            self._local.scores.append(tuple(
                np.broadcast_to(a, prow.shape).take(at)
                for a in (rows.patient, rows.offset, pain, rows.morning)
            ))  # fmt: skip
        day = rows.patient * self.width  # patient x plan day
        day += rows.offset
        day_logs = acc.day_logs.reshape(-1)
        if every:
            _add_counts(day_logs, day)
        elif use.any():  # rows left out are counted on a used row's day, then taken off
            ref = day[int(np.argmax(use))]
            day -= ref  # then ``ref`` where left out: quicker than a masked write
            day *= use
            day += ref
            _add_counts(day_logs, day)
            day_logs[ref] -= len(use) - np.count_nonzero(use)

    def total(self) -> Partials:
        """The sums over every batch added (call it once every batch is in)."""
        if not self._all:
            return Partials.zeros(self.grid)
        out, *others = self._all
        for acc in others:  # into the first accumulator, in place: no new arrays
            for mine, theirs in zip(out.arrays(), acc.arrays(), strict=True):
                mine += theirs
        self._all = [out]  # added up once: a second call gives the same sums
        return out

    def scores(self) -> Scores:
        """The scores kept (with ``keep_scores``) from every batch, in no set order."""
        parts = [part for local in self._scores for part in local]
        if not parts:
            empty = np.zeros(0, np.int64)
            return Scores(empty, empty, np.zeros(0), np.zeros(0))
        patient, offset, during, morning = (np.concatenate(a) for a in zip(*parts, strict=True))
        patient = patient.astype(np.int64, copy=False)
        day = self.grid.start_day.take(patient) + offset
        return Scores(patient, day, during.astype(np.float64), morning.astype(np.float64))
