"""What patients wrote in their logs, every free-text cell, checked for warning signs.

:func:`log_notes` takes every free-text cell of every row read, accepted or rejected (a row
rejected for a bad date can still say "can't pee properly"): the ``note`` column and any
other column that is not one of the log's numbers, dates or ids (``comment``, ``how I
felt``...). Each distinct text is checked once with :func:`~backplan.triage.redflags.check_note`.
:func:`notes_between` keeps one patient's notes of some days (and every note whose date
cannot be read, which is never dropped).

Examples
--------
>>> import pandas as pd
>>> from backplan import read_logs
>>> raw = pd.DataFrame({"patient": ["P1", "P1"], "date": ["2026-03-12", "2026-03-1x"],
...                     "exercise": ["heel-slides"] * 2, "sets_done": [1, 1],
...                     "reps_done": [10, 10], "note": ["fine", "numb bum"]})
>>> notes = log_notes(read_logs(raw))
>>> notes[["date_text", "note", "status", "category", "accepted"]].to_dict("records")[1]
{'date_text': '2026-03-1x', 'note': 'numb bum', 'status': 'red flag', 'category': '999 now', 'accepted': False}
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .._io.dates import parse_iso_date
from ..identity import patient_key
from .redflags import Lexicon, check_notes

__all__ = [
    "NOTE_COLUMNS",
    "STRUCTURED_COLUMNS",
    "Referral",
    "log_notes",
    "more_notes",
    "notes_between",
    "referral",
    "referral_parts",
    "rows_to_act_on",
    "to_read",
]  # fmt: skip

#: Log columns that hold numbers, dates or ids, not free text.
STRUCTURED_COLUMNS = frozenset({
    "patient", "date", "exercise", "sets_done", "reps_done", "hold_s", "pain", "pain_during",
    "pain_next_morning", "file", "row", "column", "reason",
})  # fmt: skip
#: The columns of :func:`log_notes`.
NOTE_COLUMNS = ["patient", "date", "date_text", "column", "note", "status", "category",
                "concept", "stands_for", "source", "matched", "read_reason", "file", "row",
                "accepted", "rows"]  # fmt: skip


def _text(values: Any) -> pd.Series:
    s = pd.Series(values)
    return s.astype("string").fillna("").astype(object)


def _at(values: Any, at: np.ndarray, n: int) -> np.ndarray:
    """``values`` (a column, an array or one value for every row) at positions ``at``."""
    if np.ndim(values) == 0 or len(values) != n:
        return np.full(len(at), values, dtype=object)
    taken = values.take(at) if hasattr(values, "take") else np.asarray(values)[at]
    return np.asarray(taken, dtype=object)


def _free_text(frame: pd.DataFrame) -> list[Any]:
    """The free-text columns of a log frame."""
    return [c for c in frame.columns if str(c) not in STRUCTURED_COLUMNS]


def _written(
    values: pd.Series, wanted: Callable[[pd.Series], np.ndarray] | None = None
) -> np.ndarray:
    """Positions of the cells holding a value (and, with ``wanted``, a text it marks: each
    distinct text judged once)."""
    at = np.flatnonzero(values.notna().to_numpy())  # notes are usually few
    if wanted is not None and len(at):
        codes, distinct = pd.factorize(values.take(at))
        at = at[wanted(_text(np.asarray(distinct, dtype=object)))[codes]]
    return at


def _to_act_on(lexicon: Lexicon | None) -> Callable[[pd.Series], np.ndarray]:
    """Marks the texts that are not "clear" (a red flag, or one to read)."""

    def wanted(texts: pd.Series) -> np.ndarray:
        return np.array([c.status != "clear" for c in check_notes(texts.tolist(), lexicon)],
                        dtype=bool)  # fmt: skip

    return wanted


def rows_to_act_on(frame: pd.DataFrame, lexicon: Lexicon | None = None) -> np.ndarray:
    """Which rows of a log frame hold a free-text cell that is not "clear": the rows
    :func:`log_notes` with ``to_act_on`` reads (a Dask partition sends back only these).

    Examples
    --------
    >>> rows = pd.DataFrame({"patient": ["P1", "P1"], "note": ["fine", "can't pee"]})
    >>> rows_to_act_on(rows).tolist()
    [False, True]
    """
    keep = np.zeros(len(frame), dtype=bool)
    wanted = _to_act_on(lexicon)
    for column in _free_text(frame):
        keep[_written(frame[column], wanted)] = True
    return keep


def _cells(table: Any, wanted: Callable[[pd.Series], np.ndarray] | None = None) -> pd.DataFrame:
    """Every non-blank free-text cell: patient, date as written, column, text, file, row.

    ``wanted`` (given the distinct texts of a column, as text) marks the texts to keep.
    """
    checked = getattr(table, "checked", None)
    raw = getattr(checked, "raw", None)
    if raw is not None:
        frames = [(raw, checked.file, checked.row, checked.ok)]
    else:  # a table built by hand: the rows it holds
        acc, rej = table.accepted, table.rejected
        frames = [
            (acc, acc.get("file", ""), acc.get("row", 0), True),
            (rej, rej.get("file", ""), rej.get("row", 0), False),
        ]
    out = []
    for frame, file, row, ok in frames:
        if not len(frame):
            continue
        for column in _free_text(frame):
            at = _written(frame[column], wanted)
            at, repeats = _first_of_each(frame, column, at)
            text = _text(frame[column].take(at).to_numpy())
            written = (text.str.strip() != "").to_numpy()
            if not written.any():
                continue
            at, repeats = at[written], repeats[written]
            text = text[written].reset_index(drop=True)
            out.append(pd.DataFrame({
                "patient": _text(frame["patient"].take(at).to_numpy()) if "patient" in frame else "",
                "date_text": _text(frame["date"].take(at).to_numpy()) if "date" in frame else "",
                "file": _text(_at(file, at, len(frame))),
                "row": _at(row, at, len(frame)),
                "accepted": _at(ok, at, len(frame)).astype(bool),
                "column": str(column),
                "note": text.to_numpy(),
                "repeats": repeats,
            }))  # fmt: skip
    if not out:
        return pd.DataFrame(columns=["patient", "date_text", "file", "row", "accepted",
                                     "column", "note", "repeats"])  # fmt: skip
    return pd.concat(out, ignore_index=True)


def _first_of_each(
    frame: pd.DataFrame, column: str, at: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The positions in ``at`` that first hold their patient, date and ``column`` value as
    written, in order, and how many positions repeat each (a note copied onto every row
    of a day is read once, not once a row)."""
    key = np.zeros(len(at), dtype=np.int64)
    for name in ("patient", "date", column):
        if name in frame:
            codes = pd.factorize(frame[name].take(at))[0].astype(np.int64) + 1
            key = pd.factorize(key * (int(codes.max(initial=0)) + 1) + codes)[0]
    firsts, counts = np.unique(key, return_index=True, return_counts=True)[1:]
    order = np.argsort(firsts, kind="stable")
    return at[firsts[order]], counts[order]


def _each_distinct(values: pd.Series, fn: Any) -> np.ndarray:
    """``fn`` of each value, worked out once per distinct value (an object array)."""
    codes, distinct = pd.factorize(values)
    out = np.empty(len(distinct) + 1, dtype=object)
    out[:-1] = [fn(v) for v in distinct]
    return out[codes]  # code -1 (missing) takes the last cell, None


def log_notes(
    table: Any, lexicon: Lexicon | None = None, *, to_act_on: bool = False
) -> pd.DataFrame:
    """Every free-text cell of the logs, one row per patient, day, column and text.

    Parameters
    ----------
    table : LogTable
        From :func:`~backplan.read_logs` (accepted and rejected rows are both read).
    lexicon : Lexicon, optional
        See :func:`~backplan.triage.redflags.load_red_flags`.
    to_act_on : bool
        Only the notes that are not "clear" (a red flag, or one to read): what the call
        list reads. A text written on every row ("did them all") is then checked once
        and left out, not gathered row by row.

    Returns
    -------
    pandas.DataFrame
        :data:`NOTE_COLUMNS`: ``date`` (a date, or ``None`` when the row's date cannot be
        read; ``date_text`` is as written), the ``column`` and ``note`` as written, what
        the check found (``status`` "red flag", "read it" or "clear", the most urgent
        ``category``, its ``concept``, ``stands_for`` and ``source``, the ``matched``
        words, the ``read_reason``), the first ``file`` and ``row`` with that text, whether
        that row was ``accepted``, and how many ``rows`` repeat it that day.
    """
    cells = _cells(table, _to_act_on(lexicon) if to_act_on else None)
    if cells.empty:
        return pd.DataFrame(columns=NOTE_COLUMNS)
    cells["key"] = _each_distinct(cells["patient"], patient_key)
    groups = cells.groupby(["key", "date_text", "column", "note"], sort=False, dropna=False)
    first = groups.head(1).copy()
    first["rows"] = groups["repeats"].transform("sum").loc[first.index].to_numpy()
    codes, texts = pd.factorize(first["note"])  # each distinct text checked once
    found = check_notes(list(texts), lexicon)
    top = [c.matches[0] if c.matches else None for c in found]

    def per_note(values: list[Any]) -> np.ndarray:
        return np.asarray(values, dtype=object)[codes]

    first["date"] = _each_distinct(first["date_text"], lambda d: parse_iso_date(d.strip()))
    first["status"] = per_note([c.status for c in found])
    first["category"] = per_note([c.category for c in found])
    for name in ("concept", "stands_for", "source"):
        first[name] = per_note([getattr(m, name) if m else "" for m in top])
    first["matched"] = per_note(["; ".join(m.words for m in c.matches) for c in found])
    first["read_reason"] = per_note([c.read_reason for c in found])
    return first[NOTE_COLUMNS].reset_index(drop=True)


def notes_between(
    notes: pd.DataFrame, patient: str, first: date | None, last: date | None
) -> pd.DataFrame:
    """One patient's notes dated ``first`` to ``last`` (either end open when ``None``), and
    every note of theirs whose date cannot be read; dated notes first, in date order."""
    if notes.empty:
        return notes.copy()
    key = patient_key(patient)
    codes, labels = pd.factorize(notes["patient"].astype(str))  # each label compared once
    same = np.array([patient_key(label) == key for label in labels] + [False])
    mine = notes.loc[same[codes]]
    when = mine["date"].tolist()
    keep = [d is None or ((first is None or d >= first) and (last is None or d <= last))
            for d in when]  # fmt: skip
    order = sorted((i for i, k in enumerate(keep) if k),
                   key=lambda i: (when[i] is None, when[i] or date.min))  # fmt: skip
    return mine.iloc[order].reset_index(drop=True)


_ACTIONS = {"999 now": "nhs.uk: call 999 or go to A&E now",
            "GP/111 today": "nhs.uk: call 111 or see a GP today"}  # fmt: skip


def note_day(row: Any) -> str:
    """When a note was written, for a sentence: "on 12 March", or where it is when its date
    cannot be read."""
    return _when(row)


def _when(row: Any) -> str:
    d = row["date"]
    if d is None:
        return f"in a note whose date cannot be read ({row['date_text']!r}, {row['file']} row {row['row']})"
    return f"on {d.day} {d:%B}"


class Referral(NamedTuple):
    """A patient's most urgent red-flag note in words (see :func:`referral_parts`)."""

    why: str  # "on 12 March they wrote 'numb bum': possible cauda equina sign"
    action: str  # what nhs.uk says to do
    category: str  # "999 now" or "GP/111 today"
    more: int  # how many other notes of theirs show a warning sign


def referral_parts(notes: pd.DataFrame) -> Referral | None:
    """A patient's most urgent red-flag note (999 signs before GP/111 ones, then the
    earliest), or ``None`` when no note has a red flag."""
    from .redflags import CATEGORIES, quote

    flagged = notes.loc[notes["status"] == "red flag"] if len(notes) else notes
    if not len(flagged):
        return None
    rank = {c: i for i, c in enumerate(CATEGORIES)}
    order = sorted(range(len(flagged)), key=lambda i: rank.get(flagged["category"].iloc[i], 9))
    top = flagged.iloc[order[0]]
    why = f"{_when(top)} they wrote '{quote(top['note'])}': {top['concept']}"
    action = _ACTIONS.get(top["category"], top["category"])
    return Referral(why, action, str(top["category"]), len(flagged) - 1)


def more_notes(n: int) -> str:
    """Words counting the other notes with warning signs ('' for none)."""
    return f"{n} more note{'s' if n > 1 else ''} with warning signs: see the notes." if n else ""


def referral(notes: pd.DataFrame) -> str:
    """The words of a referral for a patient's notes with red flags ('' when there are none).

    Examples
    --------
    >>> from datetime import date
    >>> notes = pd.DataFrame([{"date": date(2026, 3, 12), "date_text": "2026-03-12",
    ...     "note": "numb bum", "status": "red flag", "category": "999 now",
    ...     "concept": "possible cauda equina sign", "file": "logs.csv", "row": 5}])
    >>> referral(notes)
    "Call the patient today: on 12 March they wrote 'numb bum': possible cauda equina sign; nhs.uk: call 999 or go to A&E now."
    """
    found = referral_parts(notes)
    if found is None:
        return ""
    text = f"Call the patient today: {found.why}; {found.action}."
    return f"{text} {more_notes(found.more)}" if found.more else text


def to_read(notes: pd.DataFrame) -> str:
    """Words asking the physio to read notes no machine could check ('' when none)."""
    if not len(notes):
        return ""
    unread = notes.loc[(notes["status"] != "red flag") & (notes["read_reason"] != "")]
    if not len(unread):
        return ""
    n, first = len(unread), unread.iloc[0]
    return (f"Read {n} note{'s' if n > 1 else ''} yourself ({first['read_reason']}; first "
            f"{_when(first).removeprefix('on ')}).")  # fmt: skip
