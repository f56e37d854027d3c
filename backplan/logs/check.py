"""Step 2, check: every row of a raw log frame checked at once (vectorised), no per-row Python.

The rules are data (:data:`~backplan.logs.rules.ROW_RULES`); this module runs them. Each
check marks rows and records ``(position, column, reason)``. Accepted rows keep their
parsed values as arrays (:class:`Checked`), which the sums (:mod:`backplan.logs.sums`)
use directly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

import numpy as np
import pandas as pd

from ..identity import patient_key
from . import values as cells
from .duplicates import codes_of, duplicate_pairs
from .prescriptions import Grid, Known, known_values
from .read import LOG_COLUMNS
from .rules import COUNT_COLUMNS, PAIN_COLUMNS, ROW_RULES
from .sums import Rows

__all__ = [
    "FOUND",
    "Checked",
    "Part",
    "as_objects",
    "check_rows",
    "names_at",
    "patient_codes",
    "plan_checks",
    "problem_frame",
    "row_codes",
    "text_column",
]


#: Rows that failed one check: positions, column and reason.
Part = tuple[np.ndarray, str, str]

_COUNTS = COUNT_COLUMNS
_ONE_BLANK = "only one of sets_done and reps_done"
#: Every problem a check can find, as ``(column, reason)``, in the order of the rules. A
#: rejected row names its columns and reasons in this order, and each problem is one bit of
#: the row's problem code (see :func:`row_codes`).
FOUND: tuple[tuple[str, str], ...] = tuple((r.column, r.reason) for r in ROW_RULES)
_BIT = {found: np.uint32(1 << i) for i, found in enumerate(FOUND)}
assert len(_BIT) == len(FOUND) <= 32  # one bit each in a uint32


def row_codes(
    parts: Sequence[Part], bad: np.ndarray, start: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the ``bad`` rows (in order) and each one's problem code: a bit per
    problem in ``parts``, in the order of :data:`FOUND`.

    ``start``: rows and codes found before, that ``parts`` add to (``bad`` includes them).

    >>> rows, codes = row_codes([(np.array([1, 3]), "pain_during", "not a number"),
    ...                          (np.array([3]), "date", "date after plan end")],
    ...                         np.array([False, True, False, True, False]))
    >>> rows.tolist(), [[FOUND[i] for i in range(32) if c >> i & 1] for c in codes.tolist()]
    ([1, 3], [[('pain_during', 'not a number')], [('pain_during', 'not a number'), ('date', 'date after plan end')]])
    """
    if not parts and start is None:  # nothing found (the usual case): no codes to make
        rows = np.flatnonzero(bad)
        return rows, np.zeros(len(rows), np.uint32)
    code = np.zeros(len(bad), np.uint32)
    if start is not None:
        code[start[0]] = start[1]
    for where, column, why in parts:
        code[where] |= _BIT[column, why]
    rows = np.flatnonzero(bad)
    return rows, code[rows]


@dataclass(kw_only=True)
class Checked:
    """Checked rows of one input, as arrays the adherence core can use directly.

    ``ok`` marks accepted rows; ``found`` holds the rows with a problem and their problem
    codes (see :func:`row_codes`). ``day``, ``sets``/``reps``/``hold`` (-1 when blank),
    ``pain``/``morning`` (pain during and next morning, NaN when blank), ``prow``
    (prescription row, -1 without prescriptions), ``patient`` (patient code in the
    prescriptions) and ``offset`` (days since the plan started) are given for every row and
    meaningful where ``ok``; when the sums were made as the rows were checked (``add=`` of
    :func:`check_rows`), the arrays the sums alone need are ``None``. ``duplicates`` is
    ``None`` until :meth:`find_duplicates` runs when the search was deferred; the table of
    :attr:`problems` is made when first asked for. ``shown`` names columns in reasons as
    the input named them (``pain`` for ``pain_during``).
    """

    raw: pd.DataFrame
    file: Any
    row: np.ndarray
    ok: np.ndarray
    found: tuple[np.ndarray, np.ndarray]
    shown: Mapping[str, str]
    day: np.ndarray | None
    sets: np.ndarray
    reps: np.ndarray
    hold: np.ndarray
    pain: np.ndarray | None
    morning: np.ndarray | None
    prow: np.ndarray | None
    patient: np.ndarray | None
    offset: np.ndarray | None
    listed: pd.DataFrame | Callable[[], pd.DataFrame]
    duplicates: pd.DataFrame | None
    search: Callable[[], tuple[np.ndarray, np.ndarray, pd.DataFrame]]

    @property
    def problems(self) -> pd.DataFrame:
        """One row per problem found (see :func:`problem_frame`)."""
        if callable(self.listed):  # deferred by ``check_rows``: made once, when first needed
            self.listed = self.listed()
        return self.listed

    def find_duplicates(self) -> pd.DataFrame:
        """The exact duplicates (when ``check_rows`` was asked to defer the search)."""
        if self.duplicates is None:
            self.duplicates = self.search()[2]
        return self.duplicates

    def rows(self) -> Rows:
        """The accepted rows' values, for :class:`~backplan.logs.sums.Sums`."""
        assert self.prow is not None and self.patient is not None and self.offset is not None
        assert self.pain is not None and self.morning is not None
        return Rows(self.ok, self.prow, self.sets, self.reps, self.pain, self.morning,
                    self.patient, self.offset)  # fmt: skip


def patient_codes(s: pd.Series) -> np.ndarray:
    """Integer codes of patient labels as :func:`~backplan.identity.patient_key` compares
    them (labels naming the same patient share a code; blank = -1)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, uniques = s.cat.codes.to_numpy(), s.cat.categories
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    same = pd.factorize(pd.Index([patient_key(str(u)) for u in uniques], dtype=object))[0]
    return np.append(same, -1)[codes].astype(np.int64)


def _row_checks(
    raw: pd.DataFrame, known: Known, grid: Grid | None, memo: dict | None = None
) -> tuple[Any, ...]:
    """Every check that looks at one row at a time, for one chunk of rows.

    ``memo`` (a dict shared by the chunks of one frame) keeps per-category answers.
    """
    n = len(raw)
    bad = np.zeros(n, dtype=bool)
    parts: list[Part] = []

    def flag(mask: np.ndarray, column: str, why: str) -> None:
        if mask.any():
            np.logical_or(bad, mask, out=bad)
            parts.append((np.flatnonzero(mask), column, why))

    def blank(name: str) -> np.ndarray:
        if name not in raw.columns:  # an optional column left out: blank everywhere, no memory
            return np.broadcast_to(True, (n,))
        return cells.blank(raw[name], memo)

    blanks = {c: blank(c) for c in LOG_COLUMNS if c != "note"}
    for c in ("patient", "date", "exercise"):
        flag(blanks[c], c, "missing value")
    day = cells.days(raw["date"], memo)
    bad_day = (day == cells.NAT) & ~blanks["date"]
    flag(bad_day, "date", "unparseable date")
    far = (day != cells.NAT) & ((day < cells.FIRST_DAY) | (day > cells.LAST_DAY))
    if far.any():
        flag(far, "date", "date outside 1900-2100")
        day = np.where(far, cells.NAT, day)
        bad_day |= far
    if grid is not None:  # one look-up: the code in the plans, -2 for an unknown id
        ecode = grid.exercise_codes(raw["exercise"], memo, known)
        unknown_ex = ecode == -2
    else:
        ecode = None
        unknown_ex = ~cells.isin(raw["exercise"], known_values(known), memo)
    unknown_ex &= ~blanks["exercise"]
    flag(unknown_ex, "exercise", "unknown exercise")
    counts = {}
    for c in _COUNTS:
        if c not in raw.columns:
            counts[c] = np.broadcast_to(np.int64(-1), (n,))
            continue
        counts[c], fails = cells.counts(raw[c], blanks[c], memo)
        for mask, why in fails:
            flag(mask, c, why)
    pains = {}
    for c in PAIN_COLUMNS:
        if c not in raw.columns:
            pains[c] = np.broadcast_to(np.nan, (n,))
            continue
        pains[c] = cells.floats(raw[c], blanks[c], memo)
        flag(np.isnan(pains[c]) & ~blanks[c], c, "not a number")
        flag((pains[c] < 0) | (pains[c] > 10), c, "pain outside 0-10")
    one_blank = blanks["sets_done"] != blanks["reps_done"]
    if one_blank.any():
        flag(one_blank & blanks["sets_done"], "sets_done", _ONE_BLANK)
        flag(one_blank & blanks["reps_done"], "reps_done", _ONE_BLANK)
    del one_blank
    prow = offset = pcode = slot = np.broadcast_to(np.int64(-1), (n,))
    if grid is not None:
        base_ok = ~(blanks["patient"] | blanks["date"] | bad_day | blanks["exercise"] | unknown_ex)
        known = ~blanks["patient"]
        prow, pcode, offset, slot = plan_checks(raw, day, base_ok, known, grid, memo, flag,
                                                ecode)  # fmt: skip
    del bad_day, unknown_ex
    return bad, parts, day, counts, pains, prow, pcode, offset, slot


def plan_checks(
    raw: pd.DataFrame,
    day: np.ndarray,
    base_ok: np.ndarray,
    named: np.ndarray,
    grid: Grid,
    memo: dict | None,
    flag: Callable[[np.ndarray, str, str], None],
    ecode: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The checks against the plans: known patient, date inside the plan, exercise set that
    week. ``base_ok`` (changed in place) marks rows whose patient, date and exercise passed
    the other checks; ``named`` rows with a patient label; ``ecode`` the exercise codes, if
    looked up already. Returns the prescription row, patient code (-1: no plan), days
    since the plan started and the duplicate-search slot of each row.
    """
    pcode = grid.patient_codes(raw["patient"], memo)
    unknown = pcode < 0
    if unknown.any():
        flag(unknown & named, "patient", "unknown patient")
        base_ok &= ~unknown
    del unknown
    # days since the plan started (code -1 picks the last plan: the row is rejected anyway)
    offset = day - grid.start_day[pcode]
    # one unsigned comparison finds both: before the start (negative) and after the end
    outside = base_ok & (offset.view(np.uint64) > grid.span[pcode].view(np.uint64))
    if outside.any():
        early = outside & (offset < 0)
        flag(early, "date", "date before plan start")
        flag(outside & ~early, "date", "date after plan end")
        base_ok &= ~outside
        del early
    del outside
    week0 = offset // 7
    if ecode is None:
        ecode = grid.exercise_codes(raw["exercise"], memo)
    prow = grid.rows_in_week(pcode, week0, ecode, base_ok)
    flag(base_ok & (prow < 0), "exercise", "exercise not prescribed that week")
    # prescription row and day of its week: where exact repeats must fall (see check_rows)
    slot = offset - 7 * week0
    slot += 7 * prow
    return prow, pcode, offset, slot


#: Rows checked at a time: bounds the memory the checks need (about 100 bytes a row).
CHUNK_ROWS = 1 << 18
#: Rows in the first chunk, checked before the others start.
FIRST_ROWS = 1 << 16
#: From this many rows on, chunks are checked in parallel threads (one per core, up to 4).
PARALLEL_ROWS = 1 << 20
_ARRAYS = ("day", *COUNT_COLUMNS, *PAIN_COLUMNS, "prow", "patient", "offset", "slot")
#: What only the sums need: not kept whole when the sums are made chunk by chunk.
_SUMS_ONLY = frozenset(_ARRAYS) - {"slot", *COUNT_COLUMNS}


def check_rows(
    raw: pd.DataFrame,
    file: Any,
    row: np.ndarray,
    exercises: Known,
    grid: Grid | None = None,
    drop_duplicates: bool = False,
    *,
    add: Callable[[Rows], None] | None = None,
    defer_duplicates: bool = False,
    got: bool = True,
    shown: Mapping[str, str] | None = None,
) -> Checked:
    """Check every row of ``raw`` at once (vectorised); see :data:`REASONS`.

    Parameters
    ----------
    raw : pandas.DataFrame
        Rows as read (text or typed columns), holding at least :data:`REQUIRED_COLUMNS`.
    file, row : numpy.ndarray
        Each row's file name and spreadsheet row number.
    exercises : pandas.Index, or a function giving it
        Known exercise ids (with ``grid``, a function is called only when a row names an
        exercise no plan prescribes).
    grid : Grid, optional
        Prescriptions; when given, patients, plan dates and weekly exercises are checked.
    drop_duplicates : bool
        Reject exact duplicates of an earlier row instead of only reporting them.
    add : callable, optional
        Called with the :class:`~backplan.logs.sums.Rows` of each chunk as soon as it
        is checked, so sums can be made while the chunk is in the CPU cache (only without
        ``drop_duplicates``: a duplicate is known only once every row is checked). The
        arrays only the sums need are then ``None`` in the result.
    defer_duplicates : bool
        Leave the search for exact duplicates to the caller: ``duplicates`` is then
        ``None`` and ``find_duplicates()`` returns them (it can run in another thread).
    got : bool
        Fill the problems' ``got`` column (the values found); without it, ``got`` is
        ``None`` (for callers that only need each problem's row, column and reason).
    shown : mapping, optional
        Column names to show in reasons (see :class:`~backplan.logs.read.Gathered`).
    """
    assert add is None or not drop_duplicates, "sums made as rows are checked keep duplicates"
    n = len(raw)
    # with ``add``, only what duplicates need is kept whole, the counts as int16 (-1 to 10,000)
    skip = _SUMS_ONLY if add is not None else frozenset()
    memo: dict = {}  # per-category answers, shared by the chunks
    if grid is None:
        known: Known = known_values(exercises)
    elif callable(exercises):  # the catalogue is read only if a log names another exercise
        known = cache(lambda: pd.Index(exercises()).union(grid.exercises))
    else:
        known = pd.Index(exercises).union(grid.exercises)
    workers = min(os.cpu_count() or 1, 4) if n >= PARALLEL_ROWS else 1
    size = min(CHUNK_ROWS, -(-n // workers)) if n else 1
    bad = np.zeros(n, dtype=bool)
    parts: list[Part] = []
    arrays: dict[str, np.ndarray] = {}

    def run(lo: int, rows: int = size) -> tuple[list[Part], tuple[np.ndarray, np.ndarray]]:
        """Check one chunk and write its results in place (chunks never overlap)."""
        hi = min(n, lo + rows)
        whole = lo == 0 and hi == n
        b, p, day, counts, pains, *plan = _row_checks(raw if whole else raw.iloc[lo:hi], known,
                                                      grid, memo)  # fmt: skip
        where, code = row_codes(p, b)  # while the chunk's problems are at hand
        flat = [day, *counts.values(), *pains.values(), *plan]
        if add is not None:
            add(Rows(~b, plan[0], counts["sets_done"], counts["reps_done"],
                     *pains.values(), plan[1], plan[2]))  # fmt: skip
        for name, v in zip(_ARRAYS, flat, strict=True):
            if name in skip:
                continue
            if whole:
                arrays[name] = v
                continue
            if name not in arrays:  # the first chunk sets the types
                kind = np.int16 if add is not None and name in _COUNTS else v.dtype
                arrays[name] = (np.broadcast_to(v[:1], (n,)) if v.strides == (0,)
                                else np.empty(n, dtype=kind))  # fmt: skip
            if v.strides != (0,):
                arrays[name][lo:hi] = v
        bad[lo:hi] = b
        return [(at + lo, column, why) for at, column, why in p], (where + lo, code)

    if n <= size:
        parts, found = run(0, max(n, 1))
    else:
        codes = []
        # a small first chunk, alone, sets the array types and fills ``memo``; numpy and
        # pandas let go of the GIL in their loops, so the other chunks run side by side
        first = min(size, FIRST_ROWS)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for p, c in [pool.submit(run, 0, first).result(),
                         *pool.map(run, range(first, n, size))]:  # fmt: skip
                parts += p
                codes.append(c)
        found = (np.concatenate([w for w, _ in codes]), np.concatenate([c for _, c in codes]))
    a = arrays.get
    counts = {k: arrays[k] for k in COUNT_COLUMNS}
    pains = {k: a(k) for k in PAIN_COLUMNS}
    shown = dict(shown or {})

    def find_duplicates() -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
        return _duplicates(raw, file, row, bad, grid, a("slot"), a("day"), counts, pains)

    duplicates = None
    if drop_duplicates or not defer_duplicates:
        dup, _, duplicates = find_duplicates()
        if drop_duplicates and len(dup):
            bad[dup] = True
            parts.append((dup, "", "exact duplicate"))
            found = row_codes(parts[-1:], bad, found)
    listed = partial(problem_frame, raw, file, row, parts, got, shown)
    return Checked(
        raw=raw, file=file, row=row, ok=~bad, found=found, shown=shown, day=a("day"),
        sets=counts["sets_done"], reps=counts["reps_done"], hold=counts["hold_s"],
        pain=pains["pain_during"], morning=pains["pain_next_morning"], prow=a("prow"),
        patient=a("patient"), offset=a("offset"), listed=listed, duplicates=duplicates,
        search=find_duplicates,
    )  # fmt: skip


def _duplicates(
    raw: pd.DataFrame,
    file: Any,
    row: np.ndarray,
    bad: np.ndarray,
    grid: Grid | None,
    slot: np.ndarray | None,
    day: np.ndarray | None,
    counts: dict[str, np.ndarray],
    pains: dict[str, np.ndarray | None],
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """The one rule for exact duplicates: rows that passed every other check and repeat an
    earlier row's patient (as :func:`~backplan.identity.patient_key` compares labels), day,
    exercise, counts, pain scores and note (as written). Values are compared parsed, so
    ``10`` and ``10.0`` are the same count.

    ``slot`` (prescription row x 7 + day of the week, our own array) is overwritten.
    """
    maybe = ~bad
    if grid is not None:  # repeats share patient, day and exercise: a cheap first filter
        assert slot is not None
        key = slot  # prescription row and day: patient, exercise and date (our own array)
        key[bad] = 0
        maybe &= (np.bincount(key, minlength=len(grid.table) * 7) > 1)[key]
        cand = np.flatnonzero(maybe)
        keys = [key[cand]]
        del key
    else:
        assert day is not None
        cand = np.flatnonzero(maybe)
        keys = [day[cand], patient_codes(raw["patient"])[cand], codes_of(raw["exercise"])[cand]]
    del maybe
    keys += [v[cand] for v in counts.values() if v.strides != (0,)]
    for c, pain in pains.items():
        if pain is None:  # not kept whole: parse the candidates' pain again (same answers)
            keys += _pain_at(raw, cand, c)
        elif pain.strides != (0,):
            keys.append(np.nan_to_num(pain[cand], nan=-1.0).view(np.int64))
    if "note" in raw.columns:
        keys.append(codes_of(raw["note"])[cand])
    dup, same = cand[duplicate_pairs(keys)]  # in row order
    del keys, cand
    duplicates = pd.DataFrame(
        {"file": names_at(file, dup), "row": row[dup],
         "same_as_file": names_at(file, same), "same_as_row": row[same]}, copy=False
    )  # fmt: skip
    return dup, same, duplicates


def _pain_at(raw: pd.DataFrame, pos: np.ndarray, column: str) -> list[np.ndarray]:
    """Parsed pain scores of the rows at ``pos``, as integers for the duplicate search."""
    if column not in raw.columns:
        return []
    s = pd.Series(raw[column].array.take(pos))  # no index to build: quicker than iloc
    return [np.nan_to_num(cells.floats(s, cells.blank(s)), nan=-1.0).view(np.int64)]


def names_at(file: Any, pos: np.ndarray) -> np.ndarray:
    """File names at ``pos`` as objects (a Categorical's are looked up by code)."""
    if isinstance(file, pd.Categorical):
        if len(file.categories) == 1:  # one file (the usual case): filled, not taken
            out = np.empty(len(pos), dtype=object)
            out.fill(file.categories[0])
            return out
        return np.asarray(list(file.categories), dtype=object)[file.codes[pos]]
    return np.asarray(file[pos], dtype=object)


def text_column(values: np.ndarray) -> pd.Series:
    """An object array as a column of objects, not copied (pandas would copy it, or make it
    a string column when given the bare array)."""
    return pd.Series(values, dtype=object, copy=False)


def problem_frame(
    raw: pd.DataFrame,
    file: np.ndarray,
    row: np.ndarray,
    parts: Sequence[Part],
    values: bool = True,
    shown: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per problem, in row order: ``file, row, column, reason, got``.

    ``column`` and ``reason`` are categoricals (a few distinct texts); ``got`` is the
    value found, taken one column at a time (``None`` throughout without ``values``);
    ``shown`` renames columns as the input named them.
    """
    columns = ["file", "row", "column", "reason", "got"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else object)
                             for c in columns})  # fmt: skip
    col_names = list(dict.fromkeys(c for _, c, _ in parts))
    why_names = list(dict.fromkeys(w for _, _, w in parts))
    sizes = [len(p) for p, _, _ in parts]
    pos = np.concatenate([p for p, _, _ in parts])
    order = np.argsort(pos, kind="stable")  # row order; a row's problems in the order found
    pos = pos[order]
    # which part each problem came from, as small codes (few parts: two bytes each)
    part = np.repeat(np.arange(len(parts), dtype=np.int16), sizes).take(order)
    column = pd.Categorical.from_codes(
        np.array([col_names.index(c) for _, c, _ in parts], dtype=np.int16).take(part), col_names
    )
    reason = pd.Categorical.from_codes(
        np.array([why_names.index(w) for _, _, w in parts], dtype=np.int16).take(part), why_names
    )
    got = np.full(len(pos), None, dtype=object)
    for k, c in enumerate(
        column.categories if values else ()
    ):  # one take per column, not one look-up per problem
        if c in raw.columns:
            at = np.flatnonzero(column.codes == k)
            got[at] = as_objects(raw[c].iloc[pos[at]])
    if shown:
        column = column.rename_categories([shown.get(c, c) for c in column.categories])
    return pd.DataFrame(
        {"file": text_column(names_at(file, pos)),
         "row": row[pos], "column": column, "reason": reason,
         "got": text_column(got)},
        copy=False,  # new arrays: used as they are, not copied into one block per type
    )  # fmt: skip


def as_objects(s: pd.Series) -> np.ndarray:
    """Values as Python objects, missing ones as ``None`` (dates as ``datetime``)."""
    if isinstance(s.dtype, pd.CategoricalDtype) and s.cat.categories.dtype.kind in "OT":
        # text categories: take each row's category by code, no per-row conversion
        codes = s.cat.codes.to_numpy()
        cats = np.asarray(s.cat.categories, dtype=object)
        values = np.append(cats, None)[codes] if len(cats) else np.full(len(s), None, object)
        return values
    if s.dtype.kind == "M":  # numpy makes datetime objects in C; pandas Timestamps are slow
        values = s.to_numpy().astype("datetime64[us]").astype(object)
    else:
        values = np.array(s.astype(object).to_numpy(), dtype=object)
    missing = pd.isna(s).to_numpy(bool)
    if missing.any():
        values[missing] = None
    return values
