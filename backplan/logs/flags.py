"""Step 4b, flags: who to call this week, from the weekly review's own rules.

``report.flags`` is the call list of :mod:`backplan.triage.calls`: the review rules
(``data/review-rules.csv``; the time-based rules for a STarT Back high-risk plan) applied
to each patient's latest ended week, so the report and the weekly review
(:func:`backplan.review`, ``backplan review``) name the same patients in the same order.
One row per patient, most urgent first: a warning sign in a note, then pain, then
silence, then low adherence (:data:`FLAGS`), the most severe first within each.

What the report reads for it: the log rows themselves (pain day by day, and every note, in
accepted and rejected rows), whether they came as a :class:`~backplan.LogTable`, files,
a frame or a Dask frame (whose partitions send back each scored row's pain and the rows
with a note to act on, so a red flag or a 9/10 day is found there too).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from ..triage.calls import CALL_COLUMNS, CALL_GROUPS, assess
from ..triage.notes import STRUCTURED_COLUMNS, log_notes
from .logtable import LogTable
from .prescriptions import Grid
from .read import Gathered
from .sums import Scores

__all__ = ["CALL_COLUMNS", "FLAGS", "FLAG_ACTIONS", "call_flags"]

#: The call groups, most urgent first, and what puts a patient in each (shipped rules).
FLAGS: dict[str, str] = {
    CALL_GROUPS["refer"]: "a note may describe a sign on the nhs.uk 999 or GP/111 lists, or no "
    "machine could check a note (any day from the reviewed week on)",
    CALL_GROUPS["pain"]: "pain during exercise over 5/10 on any day or on average, 2 points "
    "or more above week 1 or last week, or next-morning pain rising on 2 days",
    CALL_GROUPS["silent"]: "nothing logged for 7 days or more, counted to the review day or "
    "to the plan's last day if it has ended; or no pain score in a week after week 1",
    CALL_GROUPS["adherence"]: "under 50% of the prescribed reps over the plan's ended weeks",
}
#: What a physio might do for each group, in plain words.
FLAG_ACTIONS: dict[str, str] = {
    CALL_GROUPS["refer"]: "Call today (nhs.uk: 999 or A&E now, or 111 or a GP today).",
    CALL_GROUPS["pain"]: "Call this week: ask about the pain; the review eases or keeps the dose.",
    CALL_GROUPS["silent"]: "Phone to check in: are they still doing the exercises, and what "
    "stops them?",
    CALL_GROUPS["adherence"]: "Ask what gets in the way; think about fewer exercises or sessions.",
}


def note_rows(
    raw: pd.DataFrame, file: Any, row: np.ndarray, at: np.ndarray | None = None
) -> pd.DataFrame:
    """Rows ``at`` of ``raw`` (all when ``None``) as :func:`log_notes` reads them, as
    written: the patient, date and free-text columns, with each row's file and row (no
    rows when the logs have no free-text column)."""
    keep = [c for c in raw.columns
            if c in ("patient", "date") or str(c) not in STRUCTURED_COLUMNS]  # fmt: skip
    if all(c in ("patient", "date") for c in keep):
        at = np.zeros(0, np.int64)
    if at is None:
        return raw[keep].assign(file=file, row=row)
    return raw[keep].take(at).assign(file=file.take(at), row=row[at])


def _accepted(rows: Gathered, rejected: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``rows`` that were not rejected, as :func:`note_rows`."""
    if not len(rejected):
        return note_rows(rows.raw, rows.file, rows.row)
    names = pd.Index(rows.file.categories)
    shift = np.int64(1) << np.int64(40)
    mine = names.get_indexer(rejected["file"].astype(str)).astype(np.int64) * shift
    mine += rejected["row"].to_numpy(np.int64)
    every = rows.file.codes.astype(np.int64) * shift + rows.row
    return note_rows(rows.raw, rows.file, rows.row, np.flatnonzero(~np.isin(every, mine)))


def score_rows(scores: Scores, grid: Grid) -> pd.DataFrame:
    """The pain scores the engine kept, as the log rows :func:`~backplan.triage.calls.assess`
    reads pain from (``patient`` labelled as in the plans, ``date``, ``pain_during``,
    ``pain_next_morning``)."""
    return pd.DataFrame({
        "patient": pd.Categorical.from_codes(scores.patient, categories=grid.patients),
        "date": scores.day.astype("datetime64[D]").astype("datetime64[s]"),
        "pain_during": scores.during,
        "pain_next_morning": scores.morning,
    })  # fmt: skip


def call_flags(
    tables: dict[str, pd.DataFrame],
    as_of: date,
    source: LogTable | Gathered | None,
    rejected: pd.DataFrame,
    groups: Mapping[str, str],
    pain: pd.DataFrame,
    notes_from: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The call list for the report's ``tables``; ``tables["by_patient"]`` gains
    ``start_back`` (the plan's STarT Back group, missing when none or when the plans came
    as a prescription table) and ``flags`` (1 when the patient is on the call list).

    ``source`` is what the rows were read from: a :class:`~backplan.LogTable`, the
    gathered rows of files or a frame, or ``None`` (Dask); ``groups`` maps patients to
    their plans' STarT Back groups; ``pain`` holds the accepted rows' pain scores, as every
    engine keeps them (:func:`score_rows`); ``notes_from`` the accepted rows whose notes
    are read with the rejected rows' (:func:`note_rows`; the rows of ``source`` by
    default: Dask partitions send back the rows with a note to act on).
    """
    notes = None
    if isinstance(source, LogTable):
        notes = log_notes(source, to_act_on=True)
    elif isinstance(source, Gathered):
        notes_from = _accepted(source, rejected)
    if notes_from is not None:
        notes = log_notes(SimpleNamespace(accepted=notes_from, rejected=rejected),
                          to_act_on=True)  # fmt: skip
    found = assess(tables["by_week"], tables["by_patient"], tables["by_exercise"], as_of,
                   rows=pain, notes=notes, start_back=groups)  # fmt: skip
    patients = tables["by_patient"]["patient"].astype(str).tolist()
    called = set(found.calls["patient"].tolist())
    tables["by_patient"]["start_back"] = np.array([groups.get(p, np.nan) for p in patients],
                                                  dtype=object)  # NaN: no group  # fmt: skip
    tables["by_patient"]["flags"] = np.array([p in called for p in patients], dtype=np.int64)
    found.calls.attrs["source"] = "log rows"  # every engine keeps each row's pain and notes
    return found.calls
