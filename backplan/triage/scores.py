"""Outcome scores in the weekly review: each patient's change per measure, and its lines.

The review shows, for the reviewed patient, the baseline, latest score and change of every
outcome measure (:func:`backplan.outcome_changes`, scores dated up to the review day), and
adds :func:`backplan.outcome_lines`: "call the patient" when a measure is worse by its
minimal important change (the patient joins the call list with the pain group: symptoms
getting worse), "ready for discharge" when the PSFS goals are met or every measure followed
up improved by a change that matters and adherence is good, "take a follow-up score" for a
baseline with nothing since. See ``docs/outcomes.md`` for the rules and sources.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({"patient": "P1", "date": ["2026-01-05", "2026-02-16"],
...                     "measure": "odi", "score": [30, 44]})
>>> shown, lines = patient_outcomes(changes_as_of(raw, None), "P1", 0.9)
>>> shown[["name", "baseline", "latest", "change", "direction"]].to_dict("records")
[{'name': 'Oswestry Disability Index (ODI)', 'baseline': 30.0, 'latest': 44.0, 'change': 14.0, 'direction': 'worse'}]
>>> [line.action for line in lines], call_sentences(lines)
(['call the patient'], ['Oswestry Disability Index (ODI) went from 30 to 44 (5 Jan 2026 to 16 Feb 2026): worse by 14 points; a change of 10 points matters.'])
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date

import pandas as pd

from ..identity import patient_key
from ..outcomes.decisions import CALL, DISCHARGE, OutcomeLine, outcome_lines
from ..outcomes.records import OutcomeTable, read_outcomes

__all__ = ["OUTCOME_SHOWN", "call_sentences", "changes_as_of", "patient_outcomes"]

#: The columns of :attr:`backplan.triage.decide.Review.outcomes`.
OUTCOME_SHOWN: tuple[str, ...] = (
    "measure", "name", "baseline_date", "baseline", "latest_date", "latest", "change", "mic",
    "important", "direction", "goals", "goals_met",
)  # fmt: skip


def changes_as_of(outcomes: object, as_of: date | None) -> pd.DataFrame:
    """:func:`~backplan.outcome_changes` of the scores dated on or before ``as_of``.

    ``outcomes`` is an :class:`~backplan.OutcomeTable`, raw rows or a file (read strictly:
    a bad row is an :class:`~backplan.OutcomeError`), or a table that
    :func:`~backplan.outcome_changes` already made (used as it is).
    """
    from ..outcomes.change import outcome_changes

    if isinstance(outcomes, pd.DataFrame) and {"baseline", "latest", "direction"} <= set(
        outcomes.columns
    ):
        return outcomes
    table = outcomes if isinstance(outcomes, OutcomeTable) else read_outcomes(outcomes, strict=True)  # type: ignore[arg-type]
    if as_of is not None:
        keep = table.accepted["date"] <= pd.Timestamp(as_of)
        table = dataclasses.replace(table, accepted=table.accepted.loc[keep])
    return outcome_changes(table)


def patient_outcomes(
    changes: pd.DataFrame, patient: str, adherence: object
) -> tuple[pd.DataFrame, list[OutcomeLine]]:
    """``patient``'s rows of ``changes`` (:data:`OUTCOME_SHOWN`; labels compared as
    :func:`~backplan.identity.patient_key`) and their outcome lines, most urgent first.

    ``adherence`` is the patient's adherence (0-1), an adherence report, or ``None``.
    """
    key = patient_key(patient)
    labels = changes["patient"].astype(str)
    mine = changes.loc[[patient_key(label) == key for label in labels]].assign(patient=patient)
    lines = outcome_lines(mine, patient, adherence=adherence) if len(mine) else []
    shown = mine[[c for c in OUTCOME_SHOWN if c in mine.columns]].reset_index(drop=True)
    return shown, lines


def call_sentences(lines: Sequence[OutcomeLine]) -> list[str]:
    """The "call the patient" lines, without the closing "Call the patient." (the call
    list's action says it)."""
    return [line.says.removesuffix(" Call the patient.") for line in lines if line.action == CALL]


def summary_lines(lines: Sequence[OutcomeLine]) -> list[str]:
    """The lines a one-line summary carries: calls and discharges."""
    return [f"{line.action.upper()}: {line.says}" for line in lines
            if line.action in (CALL, DISCHARGE)]  # fmt: skip
