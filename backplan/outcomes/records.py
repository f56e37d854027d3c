"""Outcome records: scores a clinic enters per patient, day and measure, every row checked.

Columns (:data:`OUTCOME_COLUMNS`)
----------------------------------
patient     the patient label used on the plan
date        the day the score was taken, written YYYY-MM-DD
measure     a measure id, name or alias from the measure table (``nprs``, ``PSFS``, ``ODI``...)
score       the score (the total; or one activity's score on an ``item`` row)
item        optional: the activity a PSFS score is for ("walking to the shops"). Only
            measures whose items may be shipped take item rows; for the others (RMDQ,
            ODI, MSK-HQ) the clinic enters the total
goal        optional, on item rows: the score the patient aims for on that activity
timepoint   optional: ``baseline``, ``follow-up`` or ``discharge``. Without a baseline row
            the first score counts as the baseline
better      optional: ``lower`` or ``higher`` as the clinic's system exports it; checked
            against the measure table, so a file with a measure's direction reversed is
            caught, never read the wrong way round
note        optional free text

Files are read with the log readers (CSV, Excel, Parquet, a folder of them), numbers
with :mod:`backplan._io.numbers` and dates with :mod:`backplan._io.dates`, so a cell means the
same as in a log. Nothing is dropped: every row is accepted or rejected with its file,
spreadsheet row, column and reason (``rows_read == len(accepted) + len(rejected)``).

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({"patient": ["P1", "P1", "P1"],
...                     "date": ["2026-01-05", "2026-02-02", "2026-02-02"],
...                     "measure": ["NPRS", "nprs", "Oswestry"], "score": ["6", "3", "140"]})
>>> table = read_outcomes(raw)
>>> table.accepted[["patient", "measure", "score"]].to_dict("records")
[{'patient': 'P1', 'measure': 'nprs', 'score': 6.0}, {'patient': 'P1', 'measure': 'nprs', 'score': 3.0}]
>>> table.rejected[["row", "column", "reason"]].to_dict("records")
[{'row': 4, 'column': 'score', 'reason': 'score outside 0-100 for Oswestry Disability Index (ODI)'}]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._io.dates import DATE_TEXT, FIRST_DAY, LAST_DAY, NO_DAY, date_days
from .._io.numbers import decimal_numbers
from .._io.spreadsheets import spreadsheet_row
from ..errors import LogError, Problem, argument_value
from ..logs.formats import read_log_file, unique_header
from ..logs.read import _files as log_files
from ..plan.model import plans_argument
from .measures import OutcomeError, folded, load_outcome_measures, measure_lookup

__all__ = [
    "OUTCOME_COLUMNS",
    "REQUIRED_COLUMNS",
    "TIMEPOINTS",
    "OutcomeTable",
    "read_outcomes",
]

OUTCOME_COLUMNS: tuple[str, ...] = (
    "patient", "date", "measure", "item", "score", "goal", "timepoint", "better", "note",
)  # fmt: skip
REQUIRED_COLUMNS: tuple[str, ...] = ("patient", "date", "measure", "score")
TIMEPOINTS: tuple[str, ...] = ("baseline", "follow-up", "discharge")
PROBLEM_COLUMNS: tuple[str, ...] = ("file", "row", "column", "reason", "expected", "got")
ACCEPTED_COLUMNS: tuple[str, ...] = (
    "file", "row", "patient", "date", "measure", "item", "score", "goal", "timepoint",
)  # fmt: skip


@dataclass
class OutcomeTable:
    """Checked outcome rows: typed accepted rows, rejected rows with their reasons.

    Attributes
    ----------
    accepted : pandas.DataFrame
        :data:`ACCEPTED_COLUMNS`: ``measure`` is the measure id, ``date`` datetime64,
        ``score`` and ``goal`` floats, ``item`` and ``timepoint`` text (``<NA>`` when blank).
    rejected : pandas.DataFrame
        One row per rejected input row: ``file, row, column, reason`` (several joined with
        ``"; "``) and the row's values as read.
    problems : pandas.DataFrame
        One row per problem: ``file, row, column, reason, expected, got``.
    rows_read : int
        Data rows read (fully empty spreadsheet rows are not counted).
    sources : tuple of str
        The files read (``"<DataFrame>"`` for a frame).
    measures : pandas.DataFrame
        The measure table the rows were checked against.
    """

    accepted: pd.DataFrame
    rejected: pd.DataFrame
    problems: pd.DataFrame
    rows_read: int
    sources: tuple[str, ...] = ()
    measures: pd.DataFrame = field(default_factory=load_outcome_measures, repr=False)

    def problem_list(self) -> list[Problem]:
        """Every problem as a :class:`~backplan.errors.Problem` (file, row, column)."""
        return [
            Problem(str(p.file), int(p.row), str(p.column), str(p.expected), p.got, str(p.reason))
            for p in self.problems.itertuples(index=False)
        ]

    def raise_if_rejected(self) -> OutcomeTable:
        """This table, or an :class:`OutcomeError` listing every rejected row's problems."""
        if len(self.rejected):
            raise OutcomeError(self.problem_list(), ", ".join(self.sources) or None)
        return self

    def __repr__(self) -> str:
        return (f"OutcomeTable(rows_read={self.rows_read}, accepted={len(self.accepted)}, "
                f"rejected={len(self.rejected)})")  # fmt: skip


# --- reading --------------------------------------------------------------------------------


def _files(path: Path) -> list[Path]:
    """The files at ``path`` (a folder's CSV, Excel and Parquet files), as the logs find them."""
    try:
        return log_files(path)
    except LogError as exc:
        said = [replace(p, expected=p.expected.replace("log files", "outcome files"))
                for p in exc.problems]  # fmt: skip
        raise OutcomeError(said) from None


def _as_text_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Categorical (text) columns as plain objects; typed columns keep their values."""
    out = {}
    for name, s in table.items():
        out[str(name)] = s.astype(object) if isinstance(s.dtype, pd.CategoricalDtype) else s
    return pd.DataFrame(out, index=table.index)


def _gather(source: object) -> list[tuple[str, pd.DataFrame]]:
    """(file label, table) pairs; each table's index is its 0-based data row in the file."""
    if isinstance(source, pd.DataFrame):
        frames = [("<DataFrame>", source.set_axis(pd.RangeIndex(len(source))))]
    else:
        expected = "outcome scores: a file or folder, a list of them, or a DataFrame"
        if isinstance(source, str | os.PathLike):
            paths = _files(Path(source))
        elif isinstance(source, Iterable) and not isinstance(source, bytes | Mapping):
            items = list(source)
            wrong = [s for s in items if not isinstance(s, str | os.PathLike)]
            if wrong or not items:
                got = type(wrong[0]).__name__ if wrong else "an empty list"
                raise OutcomeError([Problem("<outcomes>", None, "outcomes", expected, got)])
            paths = [p for s in items for p in _files(Path(s))]
        else:
            got = argument_value(source)
            raise OutcomeError([Problem("<outcomes>", None, "outcomes", expected, got)])
        frames = []
        for p in paths:
            try:
                frames.append((str(p), read_log_file(p)))
            except LogError as exc:  # the same file problems, as an outcome error
                raise OutcomeError(exc.problems, str(p)) from None
    for label, table in frames:
        try:
            unique_header([str(c) for c in table.columns], label)
        except LogError as exc:
            raise OutcomeError(exc.problems, label) from None
        missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
        if missing:
            raise OutcomeError([Problem(label, 1, c, "this column in the header") for c in missing])
    return [(label, _as_text_frame(t)) for label, t in frames]


def _blank(values: pd.Series) -> np.ndarray:
    return np.array([v is None or v is pd.NA or (isinstance(v, float) and v != v)
                     or (isinstance(v, str) and v.strip() == "") for v in values], dtype=bool)  # fmt: skip


def _text(value: object) -> str:
    return "" if value is None or value is pd.NA or value != value else str(value).strip()


@dataclass
class _Rows:
    """The rows being checked: values as read, parsed values and the problems found."""

    raw: pd.DataFrame
    file: np.ndarray
    row: np.ndarray
    measures: pd.DataFrame
    found: dict[int, list[tuple[str, str, str, object]]] = field(default_factory=dict)

    def bad(self, i: int, column: str, reason: str, expected: str, got: object = None) -> None:
        self.found.setdefault(int(i), []).append((column, reason, expected, got))


def _check_cells(rows: _Rows) -> dict[str, Any]:
    """Each cell on its own; returns the parsed columns."""
    raw, m = rows.raw, rows.measures
    n = len(raw)
    col = {c: raw[c] if c in raw.columns else pd.Series([None] * n, dtype=object)
           for c in OUTCOME_COLUMNS}  # fmt: skip
    blank = {c: _blank(col[c]) for c in OUTCOME_COLUMNS}
    for c in ("patient", "date", "measure", "score"):
        for i in np.flatnonzero(blank[c]):
            rows.bad(i, c, "missing value", "a value in this column")
    days = date_days(col["date"])
    for i in np.flatnonzero((days == NO_DAY) & ~blank["date"]):
        rows.bad(i, "date", "unparseable date", DATE_TEXT, col["date"].iat[i])
    outside = (days != NO_DAY) & ((days < FIRST_DAY) | (days > LAST_DAY))
    for i in np.flatnonzero(outside):
        rows.bad(i, "date", "date outside 1900-2100", DATE_TEXT, col["date"].iat[i])
    lookup = measure_lookup(m)
    names = {v: lookup.get(folded(v)) for v in pd.unique(col["measure"][~blank["measure"]])}
    ids = np.array([None if b else names[v] for v, b in zip(col["measure"], blank["measure"],
                                                             strict=True)], dtype=object)  # fmt: skip
    known = ", ".join(m.index)
    for i in np.flatnonzero((ids == None) & ~blank["measure"]):  # noqa: E711 (object array)
        rows.bad(i, "measure", "unknown measure", f"a measure from the measure table ({known})",
                 col["measure"].iat[i])  # fmt: skip
    score = decimal_numbers(col["score"])
    goal = decimal_numbers(col["goal"])
    item = [_text(v) for v in col["item"]]
    timepoint = [_text(v).lower() for v in col["timepoint"]]
    specs = m.to_dict("index")
    for i in range(n):
        mid = ids[i]
        if mid is None:
            continue
        spec = specs[mid]
        what = f"a score from {spec['low']:g} to {spec['high']:g}"
        if not blank["score"][i]:
            s = score[i]
            if s != s:
                rows.bad(i, "score", "not a number", what, col["score"].iat[i])
            elif not spec["low"] <= s <= spec["high"]:
                rows.bad(i, "score", f"score outside {spec['low']:g}-{spec['high']:g} for "
                         f"{spec['name']}", what, col["score"].iat[i])  # fmt: skip
            elif (spec["whole"] or item[i]) and s != int(s):
                rows.bad(i, "score", "not a whole number", f"{what}, a whole number",
                         col["score"].iat[i])  # fmt: skip
        if item[i] and not spec["items"]:
            holder = spec["licence_holder"] or "its owner"
            rows.bad(i, "item", f"item scores are not recorded for {spec['name']}",
                     f"the total score only (the items belong to {holder})", item[i])  # fmt: skip
        if not blank["goal"][i]:
            g = goal[i]
            if not item[i]:
                rows.bad(i, "goal", "goal without an activity",
                         "a goal on an activity's row (item)", col["goal"].iat[i])  # fmt: skip
            elif g != g or not spec["low"] <= g <= spec["high"]:
                rows.bad(i, "goal", "goal out of range", what, col["goal"].iat[i])
        better = _text(col["better"].iat[i]).lower()
        if better and better != spec["better"]:
            rows.bad(i, "better", "direction reversed", f"{spec['better']!r}: for {spec['name']} "
                     f"{spec['better']} scores are better", col["better"].iat[i])  # fmt: skip
    for i, t in enumerate(timepoint):
        if t and t not in TIMEPOINTS:
            rows.bad(i, "timepoint", "unknown timepoint", " or ".join(TIMEPOINTS),
                     col["timepoint"].iat[i])  # fmt: skip
    return {"days": days, "ids": ids, "score": score, "goal": goal, "item": item,
            "timepoint": timepoint, "patient": [_text(v) for v in col["patient"]]}  # fmt: skip


def _starts(plans: Sequence[Any] | None) -> dict[str, int] | None:
    """Each patient's first plan day, as days since 1970-01-01."""
    if plans is None:
        return None
    out: dict[str, int] = {}
    for plan in plans_argument(plans):
        day = int(np.datetime64(plan.start_date, "D").astype(np.int64))
        out[plan.patient] = min(day, out.get(plan.patient, day))
    return out


def _check_rows(rows: _Rows, v: dict[str, Any], starts: dict[str, int] | None) -> None:
    """Checks across rows, over the rows whose cells are fine, in file order."""
    ok = [i for i in range(len(rows.raw)) if i not in rows.found]
    for i in ok if starts is not None else ():
        start = starts.get(v["patient"][i])
        if start is None:
            rows.bad(i, "patient", "unknown patient", "a patient label that has a plan",
                     v["patient"][i])  # fmt: skip
        elif v["days"][i] < start:
            first = np.datetime64(int(start), "D")
            rows.bad(i, "date", "date before plan start", f"a date on or after the plan's first "
                     f"day, {first}", str(np.datetime64(int(v["days"][i]), "D")))  # fmt: skip
    ok = [i for i in ok if i not in rows.found]

    def where(i: int) -> str:
        return f"row {rows.row[i]}"

    seen: dict[tuple, int] = {}
    for i in ok:
        key = (v["patient"][i], v["ids"][i], v["item"][i], v["days"][i])
        if key in seen:
            rows.bad(i, "date", "second score on the same day", "one score per patient, "
                     "measure (and activity) and day", f"also on {where(seen[key])}")  # fmt: skip
        else:
            seen[key] = i
    ok = [i for i in ok if i not in rows.found]
    groups: dict[tuple, list[int]] = {}
    for i in ok:
        groups.setdefault((v["patient"][i], v["ids"][i], v["item"][i]), []).append(i)
    for members in groups.values():
        base = [i for i in members if v["timepoint"][i] == "baseline"]
        for i in base[1:]:
            rows.bad(i, "timepoint", "second baseline", "one baseline per patient and measure "
                     "(and activity)", f"baseline already on {where(base[0])}")  # fmt: skip
        if base:
            earliest = min(members, key=lambda i: v["days"][i])
            if v["days"][earliest] < v["days"][base[0]]:
                rows.bad(base[0], "timepoint", "baseline after an earlier score",
                         "the baseline as the first score of this measure",
                         f"an earlier score on {where(earliest)}")  # fmt: skip
    items = {(v["patient"][i], v["ids"][i], v["days"][i]) for i in ok if v["item"][i]}
    for i in ok:
        if not v["item"][i] and (v["patient"][i], v["ids"][i], v["days"][i]) in items:
            rows.bad(i, "item", "total and activity scores on one day", "either the total or "
                     "the activity scores for a day (the total is their mean)", None)  # fmt: skip


def _tables(rows: _Rows, v: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Accepted, rejected and problem tables."""
    bad = sorted(rows.found)
    records = [(rows.file[i], int(rows.row[i]), c, why, expected, got)
               for i in bad for c, why, expected, got in rows.found[i]]  # fmt: skip
    problems = pd.DataFrame(records, columns=list(PROBLEM_COLUMNS))
    problems["row"] = problems["row"].astype("int64")
    head = pd.DataFrame({
        "file": [rows.file[i] for i in bad], "row": np.asarray([rows.row[i] for i in bad], np.int64),
        "column": ["; ".join(dict.fromkeys(p[0] for p in rows.found[i])) for i in bad],
        "reason": ["; ".join(dict.fromkeys(p[1] for p in rows.found[i])) for i in bad],
    })  # fmt: skip
    original = rows.raw.reindex(columns=list(OUTCOME_COLUMNS)).iloc[bad].reset_index(drop=True)
    rejected = pd.concat([head, original.astype(object)], axis=1)
    ok = np.array([i for i in range(len(rows.raw)) if i not in rows.found], dtype=np.int64)

    def text(values: list[str]) -> pd.arrays.StringArray:
        return pd.array([values[i] or pd.NA for i in ok], dtype="string")

    accepted = pd.DataFrame({
        "file": [rows.file[i] for i in ok], "row": rows.row[ok].astype(np.int64),
        "patient": text(v["patient"]),
        "date": v["days"][ok].astype("datetime64[D]").astype("datetime64[s]"),
        "measure": text(list(v["ids"])), "item": text(v["item"]),
        "score": v["score"][ok], "goal": v["goal"][ok], "timepoint": text(v["timepoint"]),
    })  # fmt: skip
    return accepted, rejected, problems


def read_outcomes(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | pd.DataFrame,
    plans: Sequence[Any] | None = None,
    *,
    measures: pd.DataFrame | None = None,
    strict: bool = False,
) -> OutcomeTable:
    """Read outcome scores and check every row.

    Parameters
    ----------
    source : path, list of paths, or pandas.DataFrame
        A CSV, Excel (.xlsx) or Parquet file, a folder of them, a list, or a DataFrame with
        the :data:`OUTCOME_COLUMNS` (``patient, date, measure, score`` required).
    plans : list of Plan, optional
        When given, a row is also rejected for a patient with no plan, or a date before
        the patient's (first) plan starts.
    measures : pandas.DataFrame, optional
        From :func:`~backplan.outcomes.load_outcome_measures`; the shipped table by default.
    strict : bool
        With ``True`` any rejected row raises :class:`OutcomeError` listing them all.

    Returns
    -------
    OutcomeTable

    Raises
    ------
    OutcomeError
        A file that cannot be read or lacks a required column (or, with ``strict``, any
        rejected row), naming the file, row and column.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"patient": ["P1", "P1"], "date": ["2026-01-05", "2026-01-12"],
    ...                     "measure": ["odi", "odi"], "score": [40, 30],
    ...                     "timepoint": ["baseline", "baseline"]})
    >>> read_outcomes(raw, strict=True)
    Traceback (most recent call last):
    ...
    backplan.outcomes.measures.OutcomeError: The table: 1 problem
      - row 3 (second baseline), column 'timepoint': expected one baseline per patient and measure (and activity), got 'baseline already on row 2'
    """
    m = load_outcome_measures() if measures is None else measures
    frames = _gather(source)
    raw = pd.concat([t for _, t in frames], ignore_index=True) if frames else pd.DataFrame()
    file = np.concatenate([np.full(len(t), label, dtype=object) for label, t in frames])
    row = np.concatenate(
        [np.asarray(t.index, dtype=np.int64) for _, t in frames]
    ) + spreadsheet_row(0)
    rows = _Rows(raw, file, row, m)
    values = _check_cells(rows)
    _check_rows(rows, values, _starts(plans))
    accepted, rejected, problems = _tables(rows, values)
    table = OutcomeTable(accepted, rejected, problems, len(raw), tuple(f for f, _ in frames), m)
    return table.raise_if_rejected() if strict else table
