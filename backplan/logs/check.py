"""Step 2, check: every row of a raw log frame checked at once (vectorised), no per-row Python.

Each check marks rows and records ``(position, column, reason)``; see
:data:`~backplan.logs.read.REASONS`. Accepted rows keep their parsed values as arrays
(:class:`Checked`), which the sums (:mod:`backplan.logs.sums`) use directly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from .._io.numbers import why_text
from . import values as cells
from .duplicates import codes_of, duplicate_pairs
from .prescriptions import Grid
from .read import LOG_COLUMNS, MAX_COUNT
from .sums import Rows

__all__ = [
    "FOUND",
    "Checked",
    "Part",
    "as_objects",
    "check_rows",
    "check_with_plans",
    "names_at",
    "problem_frame",
    "row_codes",
    "text_column",
]


#: Rows that failed one check: positions, column and reason.
Part = tuple[np.ndarray, str, str]

_COUNTS = ("sets_done", "reps_done", "hold_s")
_ONE_BLANK = "only one of sets_done and reps_done"
#: Every problem a check can find, as ``(column, reason)``, in the order the checks run. A
#: rejected row names its columns and reasons in this order, and each problem is one bit of
#: the row's problem code (see :func:`row_codes`).
FOUND: tuple[tuple[str, str], ...] = (
    ("patient", "missing value"),
    ("date", "missing value"),
    ("exercise", "missing value"),
    ("date", "unparseable date"),
    ("date", "date outside 1900-2100"),
    ("exercise", "unknown exercise"),
    *((c, why_text(why, 0, MAX_COUNT)) for c in _COUNTS for why in cells.FAILS),
    ("pain", "not a number"),
    ("pain", "pain outside 0-10"),
    ("sets_done", _ONE_BLANK),
    ("reps_done", _ONE_BLANK),
    ("patient", "unknown patient"),
    ("date", "date before plan start"),
    ("date", "date after plan end"),
    ("exercise", "exercise not prescribed that week"),
    ("", "exact duplicate"),
)
_BIT = {found: np.uint32(1 << i) for i, found in enumerate(FOUND)}
assert len(_BIT) == len(FOUND) <= 32  # one bit each in a uint32


def row_codes(
    parts: Sequence[Part], bad: np.ndarray, start: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the ``bad`` rows (in order) and each one's problem code: a bit per
    problem in ``parts``, in the order of :data:`FOUND`.

    ``start``: rows and codes found before, that ``parts`` add to (``bad`` includes them).

    >>> rows, codes = row_codes([(np.array([1, 3]), "pain", "not a number"),
    ...                          (np.array([3]), "date", "date after plan end")],
    ...                         np.array([False, True, False, True, False]))
    >>> rows.tolist(), [[FOUND[i] for i in range(32) if c >> i & 1] for c in codes.tolist()]
    ([1, 3], [[('pain', 'not a number')], [('pain', 'not a number'), ('date', 'date after plan end')]])
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


@dataclass
class Checked:
    """Checked rows of one input, as arrays the adherence core can use directly.

    ``ok`` marks accepted rows; ``day``, ``sets``/``reps`` (-1 when blank), ``pain``
    (NaN when blank), ``prow`` (prescription row, -1 without prescriptions), ``patient``
    (patient code in the prescriptions) and ``offset`` (days since the plan started) are
    given for every row and meaningful where ``ok``. When ``check_rows`` made sums as it
    went (``add=``), these per-row arrays are ``None``; when it deferred the duplicate
    search, ``duplicates`` is ``None`` until :meth:`find_duplicates` is called, and the
    table of :attr:`problems` is made when first asked for (possibly in another thread).
    ``found`` holds the rows with a problem and their problem codes (see :func:`row_codes`).
    """

    raw: pd.DataFrame
    file: np.ndarray
    row: np.ndarray
    ok: np.ndarray
    day: np.ndarray
    sets: np.ndarray
    reps: np.ndarray
    hold: np.ndarray
    pain: np.ndarray
    prow: np.ndarray
    listed: pd.DataFrame | Callable[[], pd.DataFrame]  # see :attr:`problems`
    found: tuple[np.ndarray, np.ndarray]
    duplicates: pd.DataFrame
    patient: np.ndarray | None = None
    offset: np.ndarray | None = None
    search: Callable[[], tuple[np.ndarray, np.ndarray, pd.DataFrame]] | None = None

    @property
    def problems(self) -> pd.DataFrame:
        """One row per problem found (see :func:`problem_frame`)."""
        if callable(self.listed):  # deferred by ``check_rows``: made once, when first needed
            self.listed = self.listed()
        return self.listed

    def find_duplicates(self) -> pd.DataFrame:
        """The exact duplicates (when ``check_rows`` was asked to defer the search)."""
        if self.duplicates is None:
            assert self.search is not None
            self.duplicates = self.search()[2]
        return self.duplicates


def _row_checks(
    raw: pd.DataFrame, known: pd.Index, grid: Grid | None, memo: dict | None = None
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
        unknown_ex = ~cells.isin(raw["exercise"], known, memo)
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
    if "pain" in raw.columns:
        pain = cells.floats(raw["pain"], blanks["pain"], memo)
        flag(np.isnan(pain) & ~blanks["pain"], "pain", "not a number")
        flag((pain < 0) | (pain > 10), "pain", "pain outside 0-10")
    else:
        pain = np.broadcast_to(np.nan, (n,))
    one_blank = blanks["sets_done"] != blanks["reps_done"]
    if one_blank.any():
        flag(one_blank & blanks["sets_done"], "sets_done", _ONE_BLANK)
        flag(one_blank & blanks["reps_done"], "reps_done", _ONE_BLANK)
    del one_blank
    prow = offset = pcode = slot = np.broadcast_to(np.int64(-1), (n,))
    if grid is not None:
        base_ok = ~(blanks["patient"] | blanks["date"] | bad_day | blanks["exercise"] | unknown_ex)
        known = ~blanks["patient"]
        prow, pcode, offset, slot = _plan_checks(raw, day, base_ok, known, grid, memo, flag,
                                                 ecode)  # fmt: skip
    del bad_day, unknown_ex
    return bad, parts, day, counts, pain, prow, pcode, offset, slot


def _plan_checks(
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
_ARRAYS = ("day", "sets_done", "reps_done", "hold_s", "pain", "prow", "patient", "offset", "slot")


def check_rows(
    raw: pd.DataFrame,
    file: np.ndarray,
    row: np.ndarray,
    exercises: pd.Index,
    grid: Grid | None = None,
    drop_duplicates: bool = False,
    add: Callable[[Rows], None] | None = None,
    defer_duplicates: bool = False,
    got: bool = True,
) -> Checked:
    """Check every row of ``raw`` at once (vectorised); see :data:`REASONS`.

    Parameters
    ----------
    raw : pandas.DataFrame
        Rows as read (text or typed columns), holding at least :data:`REQUIRED_COLUMNS`.
    file, row : numpy.ndarray
        Each row's file name and spreadsheet row number.
    exercises : pandas.Index
        Known exercise ids.
    grid : Grid, optional
        Prescriptions; when given, patients, plan dates and weekly exercises are checked.
    drop_duplicates : bool
        Reject exact duplicates of an earlier row instead of only reporting them.
    add : callable, optional
        Called with the :class:`~backplan.logs.sums.Rows` of each chunk as soon as it
        is checked (``ok`` before duplicates are looked for), so sums
        can be made while the chunk is in the CPU cache. The returned :class:`Checked` may
        then leave out ``day``, ``prow``, ``patient`` and ``offset`` (``None``).
    defer_duplicates : bool
        Without ``drop_duplicates``, leave the search for exact duplicates to the caller:
        ``duplicates`` is then ``None`` and ``find_duplicates()`` returns them (it can run
        in another thread while the caller goes on).
    got : bool
        Fill the problems' ``got`` column (the values found); without it, ``got`` is
        ``None`` (for callers that only need each problem's row, column and reason).
    """
    n = len(raw)
    # with ``add``, the sums are made per chunk: only what duplicates need is kept whole,
    # the counts as int16 (they are -1 to MAX_COUNT)
    skip = set(_ARRAYS) - {"slot", *_COUNTS} if add is not None else set()
    memo: dict = {}  # per-category answers, shared by the chunks
    known = pd.Index(exercises).union(grid.exercises) if grid is not None else exercises
    workers = min(os.cpu_count() or 1, 4) if n >= PARALLEL_ROWS else 1
    size = min(CHUNK_ROWS, -(-n // workers)) if n else 1
    if n <= size:
        bad, parts, day, counts, pain, prow, pcode, offset, slot = _row_checks(
            raw, known, grid, memo
        )
        found = row_codes(parts, bad)
        if add is not None:
            add(Rows(~bad, prow, counts["sets_done"], counts["reps_done"], pain, pcode, offset))
    else:
        bad = np.zeros(n, dtype=bool)
        parts = []
        codes = []
        arrays: dict[str, np.ndarray] = {}

        def run(lo: int, rows: int = size) -> tuple[list[Part], tuple[np.ndarray, np.ndarray]]:
            """Check one chunk and write its results in place (chunks never overlap)."""
            hi = min(n, lo + rows)
            b, p, *values = _row_checks(raw.iloc[lo:hi], known, grid, memo)
            where, code = row_codes(p, b)  # while the chunk's problems are at hand
            flat = [values[0], *values[1].values(), *values[2:]]
            if add is not None:
                add(Rows(~b, flat[5], flat[1], flat[2], flat[4], flat[6], flat[7]))
            for name, v in zip(_ARRAYS, flat, strict=True):
                if name in skip:
                    continue
                if name not in arrays:  # the first chunk sets the types
                    kind = np.int16 if add is not None and name in _COUNTS else v.dtype
                    arrays[name] = (np.broadcast_to(v[:1], (n,)) if v.strides == (0,)
                                    else np.empty(n, dtype=kind))  # fmt: skip
                if v.strides != (0,):
                    arrays[name][lo:hi] = v
            bad[lo:hi] = b
            return [(at + lo, column, why) for at, column, why in p], (where + lo, code)

        # a small first chunk, alone, sets the array types and fills ``memo``
        first = min(size, FIRST_ROWS)
        # numpy and pandas let go of the GIL in their loops, so chunks run side by side;
        # the first runs alone in a pool thread (not this one: one sum accumulator fewer)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for p, c in [pool.submit(run, 0, first).result(),
                         *pool.map(run, range(first, n, size))]:  # fmt: skip
                parts += p
                codes.append(c)
        found = (np.concatenate([w for w, _ in codes]), np.concatenate([c for _, c in codes]))
        day, pain, prow, pcode, offset, slot = (
            arrays.get(k) for k in ("day", "pain", "prow", "patient", "offset", "slot")
        )
        counts = {k: arrays.get(k) for k in ("sets_done", "reps_done", "hold_s")}

    def find_duplicates() -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
        return _duplicates(raw, file, row, bad, grid, slot, day, counts, pain)

    if defer_duplicates and not drop_duplicates:
        return Checked(
            raw, file, row, ~bad, day, counts["sets_done"], counts["reps_done"], counts["hold_s"],
            pain, prow, partial(problem_frame, raw, file, row, parts, got), found, None, pcode,
            offset,
            find_duplicates,  # type: ignore[arg-type]
        )  # fmt: skip
    dup, _, duplicates = find_duplicates()
    if drop_duplicates and len(dup):
        bad[dup] = True
        parts.append((dup, "", "exact duplicate"))
        found = row_codes(parts[-1:], bad, found)
    problems = problem_frame(raw, file, row, parts, got)
    return Checked(
        raw, file, row, ~bad, day, counts["sets_done"], counts["reps_done"], counts["hold_s"],
        pain, prow, problems, found, duplicates, pcode, offset,
    )  # fmt: skip


def _duplicates(
    raw: pd.DataFrame,
    file: Any,
    row: np.ndarray,
    bad: np.ndarray,
    grid: Grid | None,
    slot: np.ndarray,
    day: np.ndarray,
    counts: dict[str, np.ndarray],
    pain: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Exact duplicates among rows that passed every other check, on their parsed values.

    ``slot`` (prescription row x 7 + day of the week, our own array) is overwritten.
    """
    maybe = ~bad
    if grid is not None:  # repeats share patient, day and exercise: a cheap first filter
        key = slot  # prescription row and day: patient, exercise and date (our own array)
        key[bad] = 0
        maybe &= (np.bincount(key, minlength=len(grid.table) * 7) > 1)[key]
        cand = np.flatnonzero(maybe)
        keys = [key[cand]]
        del key
    else:
        cand = np.flatnonzero(maybe)
        keys = [day[cand], *(codes_of(raw[c])[cand] for c in ("patient", "exercise"))]
    del maybe
    keys += [v[cand] for v in counts.values() if v.strides != (0,)]
    if pain is None:  # not kept whole: parse the candidates' pain again (same answers)
        keys += _values_at(raw, cand, ("pain",))
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


def _values_at(
    raw: pd.DataFrame, pos: np.ndarray, columns: Sequence[str] = (*_COUNTS, "pain")
) -> list[np.ndarray]:
    """Parsed counts and pain of the rows at ``pos``, as integer columns for duplicate search."""
    out = []
    for c in columns:
        if c not in raw.columns:
            continue
        s = pd.Series(raw[c].array.take(pos))  # no index to build: quicker than iloc
        blank = cells.blank(s)
        if c == "pain":
            out.append(np.nan_to_num(cells.floats(s, blank), nan=-1.0).view(np.int64))
        else:
            out.append(cells.counts(s, blank)[0])
    return out


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


def check_with_plans(checked: Checked, grid: Grid, drop_duplicates: bool = False) -> Checked:
    """Rows checked without plans, now checked against ``grid`` too: only the plan checks
    run, on the rows accepted so far (a rejected row keeps its first reasons).
    """
    bad = ~checked.ok
    accepted = checked.ok.copy()
    parts: list[Part] = []

    def flag(mask: np.ndarray, column: str, why: str) -> None:
        mask = mask & accepted
        if mask.any():
            np.logical_or(bad, mask, out=bad)
            parts.append((np.flatnonzero(mask), column, why))

    raw, day = checked.raw, checked.day
    prow, pcode, offset, slot = _plan_checks(raw, day, accepted.copy(), accepted, grid, {}, flag)
    counts = {"sets_done": checked.sets, "reps_done": checked.reps, "hold_s": checked.hold}
    dup, _, duplicates = _duplicates(raw, checked.file, checked.row, bad, grid, slot, day,
                                     counts, checked.pain)  # fmt: skip
    if drop_duplicates and len(dup):
        bad[dup] = True
        parts.append((dup, "", "exact duplicate"))
    new = problem_frame(raw, checked.file, checked.row, parts)
    problems = (
        pd.concat([checked.problems, new], ignore_index=True) if len(new) else checked.problems
    )
    problems = problems.sort_values("pos", kind="stable", ignore_index=True)
    found = row_codes(parts, bad, checked.found) if parts else checked.found
    return Checked(
        raw, checked.file, checked.row, ~bad, day, checked.sets, checked.reps, checked.hold,
        checked.pain, prow, problems, found, duplicates, pcode, offset,
    )  # fmt: skip


def problem_frame(
    raw: pd.DataFrame,
    file: np.ndarray,
    row: np.ndarray,
    parts: Sequence[Part],
    values: bool = True,
) -> pd.DataFrame:
    """One row per problem, in row order: ``pos, file, row, column, reason, got``.

    ``column`` and ``reason`` are categoricals (a few distinct texts); ``got`` is the
    value found, taken one column at a time (``None`` throughout without ``values``).
    """
    columns = ["pos", "file", "row", "column", "reason", "got"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in {"pos", "row"} else object)
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
    return pd.DataFrame(
        {"pos": pos, "file": text_column(names_at(file, pos)),
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
