"""Plans as one tidy prescription table: patient x week x exercise, progression applied.

Adherence compares what a patient logged with this table. A service with thousands of
patients can build the same table from its own database and pass it in directly.

Columns
-------
patient            the plan's patient label (unique across plans)
week               plan week, 1-based
week_start         first day of that week (``start_date + 7 * (week - 1)`` days)
week_end           last day of that week (``week_start + 6`` days)
start_date         day 1 of week 1
plan_weeks         how many weeks the plan lasts
exercise           catalogue id
sets, reps         dose in force that week (``reps`` per side for per-side exercises,
                   ``reps_per_side`` in :func:`backplan.plan.weeks.plan_weeks`)
per_side           whether reps are counted per side
sessions_per_day   times a day
days_per_week      days a week
prescribed_sessions = sessions_per_day x days_per_week
prescribed_reps     = sets x reps x prescribed_sessions (per side, like the logs)

Examples
--------
>>> from backplan import build_plan, load_catalogue
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-slides"], patient="P1",
...                   start_date="2026-01-05", weeks=2)
>>> prescription_table([plan])[["patient", "week", "exercise", "prescribed_reps"]]
  patient  week     exercise  prescribed_reps
0      P1     1  heel-slides               70
1      P1     2  heel-slides               70
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._io.dates import DATE_TEXT, FIRST_DAY, LAST_DAY, date_days
from .._io.numbers import MAX_BOUND, Why, expected_text, whole_numbers
from ..errors import PlanError, Problem
from ..identity import patient_key
from ..plan import Plan
from ..plan.model import plans_argument
from ..plan.store import read_plan_folder
from ..plan.weeks import plans_weeks

__all__ = [
    "PRESCRIPTION_COLUMNS",
    "Known",
    "PlanSource",
    "Prescriptions",
    "known_values",
    "plan_grid",
    "prescription_grid",
    "prescription_table",
]

#: What ``read_logs`` and ``adherence`` take as the plans: Plan objects, a prescription
#: table, or a folder of saved plans.
Prescriptions = Iterable[Plan] | pd.DataFrame | str | os.PathLike[str]

PRESCRIPTION_COLUMNS: tuple[str, ...] = (
    "patient",
    "week",
    "week_start",
    "week_end",
    "start_date",
    "plan_weeks",
    "exercise",
    "sets",
    "reps",
    "per_side",
    "sessions_per_day",
    "days_per_week",
    "prescribed_sessions",
    "prescribed_reps",
)
#: Columns a table supplied by a service must have (plus ``start_date`` or ``week_start``).
REQUIRED: tuple[str, ...] = (
    "patient",
    "week",
    "exercise",
    "sets",
    "reps",
    "sessions_per_day",
    "days_per_week",
)
_INTS = ("week", "plan_weeks", "sets", "reps", "sessions_per_day", "days_per_week")


def prescription_table(plans: Iterable[Plan] | pd.DataFrame) -> pd.DataFrame:
    """Expand plans into one row per patient x week x exercise.

    Parameters
    ----------
    plans : iterable of Plan, or pandas.DataFrame
        The plans (each ``plan.patient`` must be a unique, non-empty label), or a table
        with at least ``patient, week, exercise, sets, reps, sessions_per_day,
        days_per_week`` and ``start_date`` or ``week_start``; missing derived columns are
        filled in and the table is checked.

    Returns
    -------
    pandas.DataFrame
        The columns in :data:`PRESCRIPTION_COLUMNS`; counts are ``int64``, dates are
        ``datetime64``.

    Raises
    ------
    PlanError
        For an empty or repeated patient label, a missing column, or a patient whose
        rows disagree about the start date.
    """
    if isinstance(plans, pd.DataFrame):
        return _complete(plans)
    return _complete(_plans_frame(plans))


def _plans_frame(plans: Iterable[Plan]) -> pd.DataFrame:
    """The week-by-week rows of ``plans``, before :func:`_complete` checks them."""
    plans = list(plans_argument(plans))
    labels: dict[str, int] = {}
    problems = []
    for i, plan in enumerate(plans, start=1):
        key = patient_key(plan.patient)
        if not key:
            problems.append(Problem("<plans>", i, "patient", "a patient label (it is empty)"))
        elif key in labels:
            problems.append(Problem("<plans>", i, "patient",
                                    f"a label not used by plan {labels[key]}", plan.patient))  # fmt: skip
        labels.setdefault(key, i)
    if problems:
        raise PlanError(problems, "<plans>")
    weeks = plans_weeks(plans)  # the one expansion, all plans at once
    at = weeks.pop("plan").to_numpy()
    start = np.array([p.start_date.toordinal() for p in plans], np.int64) - _EPOCH_ORDINAL
    weeks["patient"] = pd.Index([p.patient for p in plans], dtype="str").take(at)
    weeks["start_date"] = start.astype("datetime64[D]").astype("datetime64[s]")[at]
    weeks["plan_weeks"] = np.array([p.weeks for p in plans], np.int64)[at]
    return weeks.rename(columns={"reps_per_side": "reps"})


_EPOCH_ORDINAL = pd.Timestamp("1970-01-01").toordinal()


@dataclass(frozen=True)
class PlanSource:
    """The plans as a :class:`Grid`, and the plan files that could not be read (``(file
    name, why)``, from a folder of saved plans)."""

    grid: Grid
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    #: Patient -> STarT Back group, from the plans that store one (a prescription table
    #: holds none: every patient gets the usual review rules).
    start_back: dict[str, str] = field(default_factory=dict)


def _groups(plans: Iterable[Plan]) -> dict[str, str]:
    return {p.patient: p.start_back for p in plans if p.start_back}


def plan_grid(prescriptions: Prescriptions) -> PlanSource:
    """Plan objects, a prescription table or a folder of saved plans, expanded once.

    A folder is read by :func:`backplan.plan.store.read_plan_folder` (the one rule: an
    unreadable plan file is listed by name with the reason, and the rest goes on).

    Raises
    ------
    PlanError
        When there is no plan at all, or a plan or table is not valid.
    """
    if isinstance(prescriptions, str | os.PathLike):
        folder = read_plan_folder(Path(prescriptions))
        return PlanSource(prescription_grid(folder.plans), list(folder.unreadable),
                          _groups(folder.plans))  # fmt: skip
    if isinstance(prescriptions, pd.DataFrame):
        if prescriptions.empty:
            raise PlanError([Problem("<prescriptions>", None, None, "at least one prescription "
                                     "row (the table is empty)")])  # fmt: skip
        return PlanSource(prescription_grid(prescriptions))
    if not isinstance(prescriptions, Iterable) or isinstance(prescriptions, bytes | Mapping):
        got = type(prescriptions).__name__
        raise PlanError([Problem("<plans>", None, "prescriptions", "a list of plans, a "
                                 "prescription table or a folder of saved plans", got)])  # fmt: skip
    plans = plans_argument(prescriptions, "prescriptions")
    return PlanSource(prescription_grid(plans), start_back=_groups(plans))


def _complete(table: pd.DataFrame) -> pd.DataFrame:
    """Check a prescription table and add any derived column it lacks."""
    return _checked(table, index=False)[0]


def prescription_grid(prescriptions: Iterable[Plan] | pd.DataFrame) -> Grid:
    """:func:`prescription_table` of ``prescriptions`` with its :class:`Grid`, indexed with
    the codes the table's checks already worked out."""
    if isinstance(prescriptions, pd.DataFrame):
        grid = _checked(prescriptions, index=True)[1]
        assert grid is not None
        return grid
    plans = tuple(prescriptions)
    with _LOCK:
        for held, grid in _RECENT:  # the same Plan objects as a recent call: expanded once
            if len(held) == len(plans) and all(a is b for a, b in zip(held, plans, strict=True)):
                return grid
    grid = _checked(_plans_frame(plans), index=True)[1]
    assert grid is not None
    with _LOCK:
        _RECENT.insert(0, (plans, grid))
        del _RECENT[2:]
    return grid


# Plans are frozen documents, so the grid of the same Plan objects (held here, so their ids
# cannot be reused) never changes: ``adherence(read_logs(path, plans), plans)`` expands the
# plans once. The two most recent sets are kept.
_RECENT: list[tuple[tuple[Plan, ...], Grid]] = []
_LOCK = threading.Lock()


def _checked(table: pd.DataFrame, index: bool) -> tuple[pd.DataFrame, Grid | None]:
    """:func:`_complete`, and with ``index`` the table's :class:`Grid` too."""
    missing = [c for c in REQUIRED if c not in table.columns]
    if "start_date" not in table.columns and "week_start" not in table.columns:
        missing.append("start_date")
    if missing:
        raise PlanError(
            [Problem("<prescriptions>", 1, c, "this column in the table") for c in missing]
        )
    out = table.copy(deep=False)
    for col in _INTS:  # whole numbers and dates read as everywhere (backplan._io.numbers)
        if col in out.columns:
            numbers = _whole(out[col], col)
            if numbers.dtype != out[col].dtype:  # int64 columns are kept as they are
                out[col] = numbers
    for col in ("week_start", "start_date"):
        if col in out.columns:
            out[col] = _dates(out[col], col)
    if "start_date" not in out.columns:
        out["start_date"] = out["week_start"] - pd.to_timedelta(7 * (out["week"] - 1), unit="D")
    if "week_start" not in out.columns:  # in numpy: the same microsecond dates, faster
        weeks = (7 * (out["week"].to_numpy() - 1)).astype("timedelta64[D]")
        out["week_start"] = pd.Series(
            (out["start_date"].to_numpy() + weeks).astype("datetime64[us]"), index=out.index
        )
    out["week_end"] = out["week_start"] + pd.Timedelta(days=6)
    pcode, patients, first = _distinct(out["patient"])  # once: used below and for the checks
    keys = pd.Index([patient_key(str(label)) for label in patients], dtype=object)
    if keys.has_duplicates:  # "Ann Smith" and "ANN SMITH": one patient, two labels
        same = keys[keys.duplicated(keep=False)]
        raise PlanError([Problem("<prescriptions>", None, "patient", "one label per patient "
                                 "(labels that differ only in case, accents' encoding or "
                                 "spaces name the same patient)",
                                 [str(x) for x, k in zip(patients, keys, strict=True) if k in set(same)])],
                        "<prescriptions>")  # fmt: skip
    if "plan_weeks" not in out.columns:
        week = out["week"].to_numpy(np.int64)
        if len(week) and (np.diff(pcode) >= 0).all():  # rows sorted by patient: runs
            longest = np.maximum.reduceat(week, first)
        else:
            longest = np.zeros(len(patients), dtype=np.int64)
            np.maximum.at(longest, pcode, week)
        out["plan_weeks"] = longest[pcode]
    if "per_side" not in out.columns:
        out["per_side"] = False
    out["plan_weeks"] = out["plan_weeks"].astype("int64")
    out["per_side"] = out["per_side"].astype(bool)
    out["prescribed_sessions"] = out["sessions_per_day"] * out["days_per_week"]
    out["prescribed_reps"] = out["sets"] * out["reps"] * out["prescribed_sessions"]
    problems = []
    ecode, exercises, _ = _distinct(out["exercise"], any_order=True)
    start = out["start_date"].to_numpy()
    for i in np.unique(pcode[start != start[first[pcode]]]):
        problems.append(
            Problem("<prescriptions>", None, "start_date", "one start date", patients[i])
        )
    week = out["week"].to_numpy()
    bad = (week < 1) | (week > out["plan_weeks"].to_numpy())
    for i in np.flatnonzero(bad)[:20]:
        problems.append(Problem("<prescriptions>", int(i) + 2, "week", "from 1 to plan_weeks",
                                int(week[i])))  # fmt: skip
    max_week = int(week.max()) if len(week) else 1
    cell = np.zeros(0, np.int64)
    if not problems:  # each patient, week and exercise once: a row's cell holds that row
        key = (pcode * max_week + week - 1) * len(exercises) + ecode
        cell = np.full(len(patients) * max_week * len(exercises), -1, dtype=np.int64)
        rows = np.arange(len(key))
        cell[key] = rows
        if (cell[key] != rows).any():  # a later row took the cell: list every copy
            seen = np.bincount(key)
            for i in np.flatnonzero(seen[key] > 1)[:20]:
                problems.append(
                    Problem("<prescriptions>", int(i) + 2, "exercise", "one row per patient, "
                            "week and exercise", out["exercise"].iat[i])
                )  # fmt: skip
    if problems:
        raise PlanError(problems, "<prescriptions>")
    out = out[list(PRESCRIPTION_COLUMNS)].reset_index(drop=True)
    if not index:
        return out, None
    start_day = _days(start[first])
    end_day = start_day + 7 * out["plan_weeks"].to_numpy(np.int64)[first] - 1
    names = pd.Index(patients.astype(str)), pd.Index(exercises.astype(str))
    grid = Grid(out, *names, start_day, end_day, max_week, cell, pcode, week.astype(np.int64), keys)
    return out, grid


def _bad_cells(bad: np.ndarray, values: pd.Series, column: str, expected: str) -> None:
    """A PlanError naming the first 20 rows where ``bad`` is set, if any."""
    if bad.any():
        raise PlanError(
            [Problem("<prescriptions>", int(i) + 2, column, expected, values.iat[i])
             for i in np.flatnonzero(bad)[:20]], "<prescriptions>"
        )  # fmt: skip


def _whole(values: pd.Series, column: str) -> pd.Series:
    """A column of whole numbers 0 to :data:`~backplan._io.numbers.MAX_BOUND` as int64."""
    numbers, why = whole_numbers(values, 0, MAX_BOUND)
    _bad_cells(why != int(Why.OK), values, column, expected_text(0, MAX_BOUND))
    return pd.Series(numbers, index=values.index)


def _dates(values: pd.Series, column: str) -> pd.Series:
    """A column of dates (text ``YYYY-MM-DD`` or dates) as midnight ``datetime64[s]``."""
    days = date_days(values)
    _bad_cells((days < FIRST_DAY) | (days > LAST_DAY), values, column, DATE_TEXT)
    return pd.Series(days.astype("datetime64[D]").astype("datetime64[s]"), index=values.index)


def _days(values: object) -> np.ndarray:
    """Dates (datetime64 of any unit, or date objects) as int64 days since 1970-01-01."""
    return np.asarray(pd.to_datetime(pd.Series(values)).to_numpy(), dtype="datetime64[D]").astype(
        np.int64
    )


def _distinct(
    values: pd.Series, any_order: bool = False
) -> tuple[np.ndarray, pd.Index, np.ndarray | None]:
    """Codes (int64), distinct values and each value's first row, like ``pd.factorize``.

    A categorical column already in order (codes 0, 0, 1, 2, 2, ... with every category
    used, as a table sorted by patient has) uses its own codes without hashing. With
    ``any_order`` (when the order of the distinct values does not matter), so does any
    categorical column that uses every category; the first rows are then not worked out
    (``None``).
    """
    if isinstance(values.dtype, pd.CategoricalDtype) and len(values):
        codes = values.cat.codes.to_numpy()
        n = len(values.cat.categories)
        step = np.diff(codes)
        if codes[0] == 0 and codes[-1] == n - 1 and ((step == 0) | (step == 1)).all():
            return codes.astype(np.int64), values.cat.categories, np.r_[0, np.flatnonzero(step) + 1]
        if any_order and codes.min() >= 0 and np.bincount(codes, minlength=n).all():
            return codes.astype(np.int64), values.cat.categories, None
    codes, uniques = pd.factorize(values, sort=False)
    first = np.full(len(uniques), len(values), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(values)))
    return codes.astype(np.int64), pd.Index(uniques), first


#: Known values, or a function giving them when first needed (the shipped catalogue is
#: only read when a log names an exercise no plan prescribes).
Known = pd.Index | Callable[[], pd.Index]


def known_values(known: Known) -> pd.Index:
    """``known`` itself, or what its function gives."""
    return known() if callable(known) else known


def _codes_in(
    values: pd.Series,
    index: pd.Index,
    memo: dict | None = None,
    key: object = None,
    known: Known | None = None,
    normal: Callable[[str], str] | None = None,
) -> np.ndarray:
    """Position of each value in ``index``: ``-1`` when absent (or missing), ``-2`` when
    ``known`` is given and holds the value neither. Categoricals are looked up by code;
    ``normal`` (e.g. :func:`~backplan.identity.patient_key`) is applied to each distinct
    value first.

    ``memo`` keeps the per-category look-up under ``key`` for the next chunk of the frame.
    """
    if not isinstance(values.dtype, pd.CategoricalDtype):
        if normal is not None:  # each distinct value normalised once
            codes, uniques = pd.factorize(values)
            found = index.get_indexer([normal(str(u)) for u in uniques])
            return np.append(found, -1)[codes]
        text = values.astype(str)
        out = index.get_indexer(text)
        absent = out < 0
        if known is not None and absent.any():
            out[absent & ~text.isin(known_values(known)).to_numpy(bool)] = -2
        return out
    if memo is not None and key in memo:
        lookup, same = memo[key]
    else:
        names = values.cat.categories.astype(str)
        if normal is not None:
            names = pd.Index([normal(n) for n in names], dtype=object)
        lookup = index.get_indexer(names)
        absent = lookup < 0
        if known is not None and absent.any():
            lookup[absent & ~names.isin(known_values(known))] = -2
        same = np.array_equal(lookup, np.arange(len(lookup)))  # the same names, same order
        lookup = np.append(lookup, -1)  # code -1 (missing) picks the appended -1
        if memo is not None:
            memo[key] = lookup, same
    codes = values.cat.codes.to_numpy()
    if same and codes.min(initial=0) >= 0:
        return codes.astype(np.int64)
    return lookup[codes]


@dataclass(frozen=True)
class Grid:
    """Integer look-ups over a prescription table, for vectorised matching of logs.

    A log row of patient code ``p``, week ``w`` and exercise code ``e`` falls in table row
    ``cell[(p * max_week + w - 1) * n_exercises + e]`` (``-1`` when nothing is prescribed).
    Made by :func:`prescription_grid`, from the codes the table's checks work out.
    """

    table: pd.DataFrame
    patients: pd.Index
    exercises: pd.Index
    start_day: np.ndarray
    end_day: np.ndarray
    max_week: int
    cell: np.ndarray
    row_patient: np.ndarray
    row_week: np.ndarray
    keys: pd.Index  # each patient's label as compared (backplan.identity.patient_key)

    @property
    def span(self) -> np.ndarray:
        """Days from each patient's plan start to its last day (``end_day - start_day``)."""
        return self.end_day - self.start_day

    def patient_codes(self, patient: pd.Series, memo: dict | None = None) -> np.ndarray:
        """Codes of ``patient`` labels; ``-1`` for a label with no plan. Labels are
        matched by :func:`~backplan.identity.patient_key` ("ZOË" is Zoë's plan).

        ``memo``: a dict shared by chunks of one frame, to look categories up once.
        """
        return _codes_in(patient, self.keys, memo, ("patient codes", patient.name),
                         normal=patient_key)  # fmt: skip

    def exercise_codes(
        self, exercise: pd.Series, memo: dict | None = None, known: Known | None = None
    ) -> np.ndarray:
        """Codes of ``exercise`` ids; ``-1`` for an id no plan prescribes, ``-2`` for one
        that is not in ``known`` either (when given; a function is called only for an id
        no plan prescribes)."""
        key = ("exercise codes", exercise.name, known is not None)
        return _codes_in(exercise, self.exercises, memo, key, known)

    def rows_in_week(
        self, pcode: np.ndarray, week0: np.ndarray, ecode: np.ndarray, inside: np.ndarray
    ) -> np.ndarray:
        """Table row of each log (``-1`` where not ``inside`` or nothing is prescribed).

        ``week0`` is the 0-based plan week (days since the plan started // 7); ``inside``
        marks logs of a known patient dated within the plan.
        """
        ok = inside & (ecode >= 0)
        idx = (pcode * self.max_week + week0) * len(self.exercises) + ecode
        if ok.all():
            return self.cell[idx]
        rows = self.cell.take(idx, mode="clip")  # where not ok, idx may point anywhere
        rows += 1  # then -1 where not ok: three quick passes beat one masked write
        rows *= ok
        rows -= 1
        return rows
