"""What the weekly review says about outcomes, for one patient, in plain words.

:func:`outcome_lines` turns a patient's rows of :func:`~backplan.outcome_changes` into
lines for the review and the meeting report:

* **call the patient** for every measure worse by at least its minimal important change;
* **ready for discharge** when nothing is worse and either the PSFS goals are met (every
  activity with a goal has reached it) or the change that matters is reached on every
  measure followed up *and* adherence is good;
* **take a follow-up score** for a measure with a baseline only;
* otherwise a **note** saying where each measure stands.

Good adherence means the report's "adherent": mean dose adherence over the plan's weeks
that have ended of at least 80% (:data:`GOOD_ADHERENCE`, the threshold the adherence
report and the review rules use; a report made with another threshold passes its own).
Unknown adherence (no report, or no week ended yet) is not good adherence.

Examples
--------
>>> import pandas as pd
>>> from backplan.outcomes import outcome_changes
>>> raw = pd.DataFrame({"patient": "P1", "date": ["2026-01-05", "2026-02-16"],
...                     "measure": "nprs", "score": [3, 6]})
>>> [line.says for line in outcome_lines(outcome_changes(raw), "P1")]
['Pain now (NPRS 0-10) went from 3 to 6 (5 Jan 2026 to 16 Feb 2026): worse by 3 points; a change of 2 points matters. Call the patient.']
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real
from typing import Any

import pandas as pd

from ..errors import Problem
from .change import changes_argument
from .measures import OutcomeError

__all__ = ["ACTIONS", "GOOD_ADHERENCE", "OutcomeLine", "outcome_lines", "patient_adherence"]

#: Good adherence: at least 80% of the prescription (the project's adherent threshold).
GOOD_ADHERENCE = 0.8
CALL, DISCHARGE, FOLLOW_UP, NOTE = (
    "call the patient", "ready for discharge", "take a follow-up score", "note",
)  # fmt: skip
#: The actions a line can carry, most urgent first.
ACTIONS: tuple[str, ...] = (CALL, DISCHARGE, FOLLOW_UP, NOTE)


@dataclass(frozen=True)
class OutcomeLine:
    """One line of the review about outcomes.

    Attributes
    ----------
    patient : str
    action : str
        One of :data:`ACTIONS`.
    measure : str or None
        The measure id the line is about (``None`` for a line about the patient).
    says : str
        The line in plain words, with the numbers.
    """

    patient: str
    action: str
    measure: str | None
    says: str

    def __str__(self) -> str:
        return f"{self.patient}: {self.action.upper()}: {self.says}"


def _day(value: Any) -> str:
    day = pd.Timestamp(value)
    return f"{day.day} {day:%b %Y}"


def _points(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def patient_adherence(adherence: object, patient: str) -> tuple[float | None, float]:
    """``(adherence, threshold)`` of ``patient`` from a report, its ``by_patient`` table, a
    number or ``None``; the threshold is the report's own or :data:`GOOD_ADHERENCE`."""
    threshold = GOOD_ADHERENCE
    if adherence is None:
        return None, threshold
    if hasattr(adherence, "by_patient"):
        threshold = float(getattr(adherence, "settings", {}).get("threshold", threshold))
        adherence = adherence.by_patient
    if isinstance(adherence, pd.DataFrame):
        row = adherence.loc[adherence["patient"].astype(str) == patient, "adherence"]
        value = float(row.iloc[0]) if len(row) else float("nan")
    elif isinstance(adherence, Real) and not isinstance(adherence, bool):
        value = float(adherence)
    else:
        expected = "an AdherenceReport, its by_patient table, a number from 0 to 1, or None"
        got = adherence if isinstance(adherence, str) else type(adherence).__name__
        raise OutcomeError([Problem("<outcomes>", None, "adherence", expected, got)])
    return (None if value != value else value), threshold


#: The columns of :func:`~backplan.outcome_changes` the outcome lines read.
_READS = ("patient", "measure", "name", "direction", "followed_up", "goals_met", "baseline",
          "latest", "baseline_date", "latest_date", "change", "mic")  # fmt: skip


def outcome_lines(
    changes: pd.DataFrame,
    patient: str,
    *,
    adherence: object = None,
) -> list[OutcomeLine]:
    """The review's outcome lines for ``patient``, most urgent first.

    Parameters
    ----------
    changes : pandas.DataFrame
        From :func:`~backplan.outcome_changes` (any patients; this one's rows are used).
    patient : str
    adherence : AdherenceReport, its ``by_patient`` table, a number 0-1, or None
        The patient's adherence; "good" is at least the report's threshold (80%).

    Returns
    -------
    list of OutcomeLine
        Empty when the patient has no outcome scores.
    """
    changes = changes_argument(changes, _READS)
    if not isinstance(patient, str):
        raise OutcomeError([Problem("<outcomes>", None, "patient", "a patient label, as text",
                                    patient)], "<outcomes>")  # fmt: skip
    mine = changes.loc[changes["patient"].astype(str) == patient]
    value, threshold = patient_adherence(adherence, patient)
    lines: list[OutcomeLine] = []
    worse = mine.loc[mine["direction"] == "worse"]
    for r in worse.itertuples(index=False):
        lines.append(OutcomeLine(patient, CALL, r.measure, (
            f"{r.name} went from {_points(r.baseline)} to {_points(r.latest)} "
            f"({_day(r.baseline_date)} to {_day(r.latest_date)}): worse by "
            f"{_points(abs(r.change))} points; a change of {_points(r.mic)} points matters. "
            "Call the patient.")))  # fmt: skip
    followed = mine.loc[mine["followed_up"].fillna(False).astype(bool)]
    goals = mine.loc[mine["goals_met"].fillna(False).astype(bool)]
    all_better = len(followed) > 0 and bool((followed["direction"] == "improving").all())
    good = value is not None and value >= threshold
    adherence_words = ("adherence not known" if value is None else
                       f"adherence {value:.0%}, {'at or above' if good else 'under'} "
                       f"{threshold:.0%}")  # fmt: skip
    if worse.empty and len(goals):
        lines.append(OutcomeLine(patient, DISCHARGE, str(goals["measure"].iloc[0]),
                                 f"Every {goals['name'].iloc[0]} activity with a goal has "
                                 f"reached it; {adherence_words}."))  # fmt: skip
    elif worse.empty and all_better and good:
        names = ", ".join(followed["name"])
        lines.append(OutcomeLine(patient, DISCHARGE, None, f"Better by a change that matters on "
                                 f"{names}, and {adherence_words}."))  # fmt: skip
    for r in mine.loc[~mine["followed_up"].fillna(False).astype(bool)].itertuples(index=False):
        lines.append(OutcomeLine(patient, FOLLOW_UP, r.measure, f"{r.name}: baseline "
                                 f"{_points(r.baseline)} on {_day(r.baseline_date)}, no "
                                 "score since."))  # fmt: skip
    if not any(line.action == DISCHARGE for line in lines):
        for r in followed.loc[followed["direction"] != "worse"].itertuples(index=False):
            says = (f"{r.name} went from {_points(r.baseline)} to {_points(r.latest)}: "
                    + ("better by a change that matters" if r.direction == "improving"
                       else "no change that matters yet"))  # fmt: skip
            if r.direction == "improving" and not good:
                says += f" ({adherence_words}, so not yet ready for discharge)"
            lines.append(OutcomeLine(patient, NOTE, r.measure, says + "."))
    return sorted(lines, key=lambda line: ACTIONS.index(line.action))
