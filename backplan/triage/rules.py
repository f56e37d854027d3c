"""Review rules: when a measure crosses a threshold, progress, hold or step back.

The shipped rules are in ``data/review-rules.csv`` (see :mod:`backplan.triage.decide` for the
table and its sources); a clinic can copy and edit the file. Every name here is also
importable from :mod:`backplan.triage.decide` and :mod:`backplan`.

Examples
--------
>>> rule = ReviewRule(rule="too-sore", measure="pain_now", op=">", value=5,
...                   decision="step back", says="Pain is {got:.1f}, above {value:.0f}.")
>>> rule.fires({"pain_now": 6.0}), rule.reason({"pain_now": 6.0})
(True, 'Pain is 6.0, above 5.')
"""

from __future__ import annotations

import math
import operator
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .._io.paths import data_dir
from .._io.spreadsheets import read_text_table, spreadsheet_row
from ..errors import Problem, _ProblemsError
from ..plan.rules import DECISIONS

__all__ = ["MEASURES", "ReviewRule", "ReviewRulesError", "load_review_rules"]

#: What a rule can compare, in plain words.
MEASURES: dict[str, str] = {
    "pain_now": "mean pain score (0-10) logged during the week",
    "pain_rise_week1": "this week's mean pain minus week 1's",
    "pain_rise_last_week": "this week's mean pain minus last week's",
    "pain_scores": "how many pain scores were logged that week",
    "days_silent": "days from the last log to the review day (or the plan's last day)",
    "dose_adherence": "reps done / reps prescribed that week, at most 1",
    "session_adherence": "sessions done / sessions prescribed that week, at most 1",
    "always": "always true (the default rule)",
}
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


class ReviewRulesError(_ProblemsError):
    """A review-rules file failed validation (file, row and column named)."""


class ReviewRule(BaseModel):
    """One review rule: when ``measure op value`` holds, decide ``decision``.

    ``says`` is the plain-words reason; it may use ``{got}`` (the measure), ``{value}``
    (the threshold) and ``{change}`` (reps added or taken off).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(min_length=1, max_length=60)
    measure: Literal[tuple(MEASURES)]  # type: ignore[valid-type]
    op: Literal["", ">", ">=", "<", "<="] = ""
    value: float | None = None
    decision: Literal[DECISIONS]  # type: ignore[valid-type]
    flag: bool = False
    change_reps: int = Field(0, ge=-10, le=10)
    says: str = Field(min_length=1, max_length=500)
    source: str = Field("", max_length=500)

    @field_validator("says")
    @classmethod
    def _template(cls, text: str) -> str:
        try:
            text.format(got=0.5, value=0.5, change=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"text using only {{got}}, {{value}} and {{change}} ({exc})") from None
        return text

    def fires(self, measures: dict[str, float]) -> bool:
        """Whether this rule fires for ``measures`` (a missing measure never fires)."""
        if self.measure == "always":
            return True
        got = measures.get(self.measure, math.nan)
        if self.value is None or not self.op or got is None or math.isnan(got):
            return False
        return _OPS[self.op](got, self.value)

    def reason(self, measures: dict[str, float]) -> str:
        """The rule's words with the numbers filled in."""
        got = measures.get(self.measure, math.nan)
        return self.says.format(got=got, value=self.value or 0.0, change=abs(self.change_reps))


def load_review_rules(path: str | os.PathLike[str] | None = None) -> tuple[ReviewRule, ...]:
    """Read review rules from a CSV or Excel file; the shipped ``review-rules.csv`` by default.

    Columns: ``rule, measure, op, value, decision, flag, change_reps, says, source``.

    Raises
    ------
    ReviewRulesError
        Naming the file, row and column of every problem.

    Examples
    --------
    >>> rules = load_review_rules()
    >>> [(r.rule, r.op, r.value, r.decision) for r in rules][:2]
    [('pain-too-high', '>', 5.0, 'step back'), ('pain-up-since-week-1', '>=', 2.0, 'step back')]
    """
    p = Path(path) if path is not None else data_dir() / "review-rules.csv"
    table = read_text_table(p, ReviewRulesError)
    rules, problems = [], []
    for index, row in table.iterrows():
        data: dict[str, Any] = {k: v.strip() for k, v in row.items() if v.strip() != ""}
        if "flag" in data:
            data["flag"] = data["flag"].lower() in {"true", "yes", "1"}
        try:
            rule = ReviewRule.model_validate(data)
            if rule.measure != "always" and (not rule.op or rule.value is None):
                raise ValueError("op and value")
            rules.append(rule)
        except ValidationError as exc:
            for err in exc.errors():
                column = ".".join(str(x) for x in err["loc"]) or None
                msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Input should be ")
                problems.append(Problem(str(p), spreadsheet_row(int(index)), column, msg,
                                        err.get("input")))  # fmt: skip
        except ValueError:
            problems.append(Problem(str(p), spreadsheet_row(int(index)), "op",
                                    "an op and a value for every measure but 'always'"))  # fmt: skip
    if not rules and not problems:
        problems.append(Problem(str(p), None, None, "at least one rule"))
    if problems:
        raise ReviewRulesError(problems, str(p))
    return tuple(rules)
