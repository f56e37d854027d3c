"""The row rules: every reason a log row can be rejected, as data, in the order they run.

Each rule names the column it is about, the reason a rejected row gives, what a valid
value looks like, and the stage that runs it: ``cell`` (one value), ``row`` (values of one
row together), ``plan`` (the row against the patient's plan; only when plans are given)
and ``repeat`` (the row against earlier rows). :mod:`backplan.logs.check` runs the
stages; a rejected row lists its columns and reasons in the order of :data:`ROW_RULES`,
and each rule is one bit of a row's problem code.

Examples
--------
>>> [r.reason for r in ROW_RULES if r.stage == "plan"]
['unknown patient', 'date before plan start', 'date after plan end', 'exercise not prescribed that week']
>>> REASONS["pain outside 0-10"]
'pain from 0 to 10'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .._io.numbers import Why, why_text

__all__ = ["COUNT_COLUMNS", "MAX_COUNT", "PAIN_COLUMNS", "REASONS", "ROW_RULES", "RowRule"]

#: The largest count (sets, reps, seconds held) a session can log.
MAX_COUNT = 10_000
#: Columns holding counts (whole numbers 0 to :data:`MAX_COUNT`).
COUNT_COLUMNS: tuple[str, ...] = ("sets_done", "reps_done", "hold_s")
#: Columns holding pain scores (0-10).
PAIN_COLUMNS: tuple[str, ...] = ("pain_during", "pain_next_morning")
#: The ways a count can fail, in the order rejected rows list them.
COUNT_FAILS: tuple[Why, ...] = (Why.NOT_A_NUMBER, Why.NEGATIVE, Why.ABOVE, Why.FRACTION, Why.BELOW)
_ONE_BLANK = "only one of sets_done and reps_done"


@dataclass(frozen=True)
class RowRule:
    """One reason to reject a log row."""

    column: str  # the column it is about ('' for the whole row)
    reason: str  # what a rejected row says
    expected: str  # what a valid value looks like
    stage: Literal["cell", "row", "plan", "repeat"]


def _count_rules() -> list[RowRule]:
    expected = {
        Why.NOT_A_NUMBER: "a number",
        Why.NEGATIVE: "a count of 0 or more",
        Why.ABOVE: f"a count from 0 to {MAX_COUNT}",
        Why.FRACTION: "a whole number",
        Why.BELOW: "a count of 0 or more",
    }
    return [RowRule(c, why_text(w, 0, MAX_COUNT), expected[w], "cell")
            for c in COUNT_COLUMNS for w in COUNT_FAILS]  # fmt: skip


#: Every rule, in the order the checks run.
ROW_RULES: tuple[RowRule, ...] = (
    RowRule("patient", "missing value", "a value in this column", "cell"),
    RowRule("date", "missing value", "a value in this column", "cell"),
    RowRule("exercise", "missing value", "a value in this column", "cell"),
    RowRule("date", "unparseable date", "a date written YYYY-MM-DD", "cell"),
    RowRule("date", "date outside 1900-2100", "a date from 1900 to 2100", "cell"),
    RowRule("exercise", "unknown exercise", "an exercise id from the catalogue", "cell"),
    *_count_rules(),
    *(
        r
        for c in PAIN_COLUMNS
        for r in (
            RowRule(c, "not a number", "a number", "cell"),
            RowRule(c, "pain outside 0-10", "pain from 0 to 10", "cell"),
        )
    ),
    RowRule("sets_done", _ONE_BLANK, "both sets_done and reps_done, or both blank", "row"),
    RowRule("reps_done", _ONE_BLANK, "both sets_done and reps_done, or both blank", "row"),
    RowRule("patient", "unknown patient", "a patient label that has a plan", "plan"),
    RowRule("date", "date before plan start", "a date on or after the plan's first day", "plan"),
    RowRule("date", "date after plan end", "a date on or before the plan's last day", "plan"),
    RowRule(
        "exercise",
        "exercise not prescribed that week",
        "an exercise the plan sets in that week",
        "plan",
    ),
    RowRule("", "exact duplicate", "a row that differs from every earlier row", "repeat"),
)
assert len(ROW_RULES) <= 32  # one bit each in a uint32 problem code

#: Every reason a row can be rejected for, with what a valid value looks like.
REASONS: dict[str, str] = {r.reason: r.expected for r in ROW_RULES}
