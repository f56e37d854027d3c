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
import string
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from .._io.paths import data_dir
from .._io.spreadsheets import read_text_table, spreadsheet_row
from ..errors import Problem, _ProblemsError
from ..plan.rules import DECISIONS

__all__ = [
    "CHANGES",
    "FORMAT_SPECS",
    "MEASURES",
    "RANGES",
    "TIME_BASED_RULES",
    "ReviewRule",
    "ReviewRulesError",
    "load_review_rules",
    "rules_argument",
    "rules_for",
]

#: What a rule can compare, in plain words.
MEASURES: dict[str, str] = {
    "pain_now": "mean pain during exercise (0-10) logged that week",
    "pain_worst": "the highest pain during exercise (0-10) logged on any day that week",
    "morning_rises": "days that week whose next-morning pain was higher than the morning before",
    "pain_rise_week1": "this week's mean pain minus week 1's",
    "pain_rise_last_week": "this week's mean pain minus last week's",
    "pain_scores": "how many pain scores (during exercise and next morning) were logged that week",
    "pain_scores_after_week1": "as pain_scores, from week 2 on (blank in week 1)",
    "days_silent": "days from the last log to the review day (or the plan's last day)",
    "dose_adherence": "reps done / reps prescribed that week, at most 1",
    "session_adherence": "sessions done / sessions prescribed that week, at most 1",
    "plan_adherence": "reps done / reps prescribed, the mean over the plan's weeks ended so far",
    "always": "always true (the default rule)",
}
#: The values a threshold may take for each measure (inclusive), and how to say it.
RANGES: dict[str, tuple[float, float, str]] = {
    "pain_now": (0, 10, "a pain score from 0 to 10"),
    "pain_worst": (0, 10, "a pain score from 0 to 10"),
    "morning_rises": (1, 7, "a number of days from 1 to 7"),
    "pain_rise_week1": (0.5, 10, "a rise in pain from 0.5 to 10 points"),
    "pain_rise_last_week": (0.5, 10, "a rise in pain from 0.5 to 10 points"),
    "pain_scores": (0, 100, "a number of scores from 0 to 100"),
    "pain_scores_after_week1": (0, 100, "a number of scores from 0 to 100"),
    "days_silent": (1, 365, "a number of days from 1 to 365"),
    "dose_adherence": (0, 1, "a share from 0 to 1 (write 0.8 for 80%)"),
    "session_adherence": (0, 1, "a share from 0 to 1 (write 0.8 for 80%)"),
    "plan_adherence": (0, 1, "a share from 0 to 1 (write 0.8 for 80%)"),
}
#: The reps a rule's ``change_reps`` may take for each decision (inclusive), and why.
CHANGES: dict[str, tuple[int, int, str]] = {
    "progress": (1, 10, "from 1 to 10 for a progress rule (it adds reps)"),
    "hold": (0, 0, "0 for a hold rule (the dose stays)"),
    "step back": (
        -10,
        -1,
        "from -10 to -1 for a step-back rule (the fewest reps taken off; "
        "a step back takes about 20% off, see backplan.plan.revise.step_back_reps)",
    ),
}
#: Format specs the rule texts may use after ``{got:``, ``{value:`` or ``{change:``.
FORMAT_SPECS: tuple[str, ...] = ("", "g", ".0f", ".1f", ".2f", ".0%", ".1%", "d")
_FIELDS = ("got", "value", "change")
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}
#: The shipped rules for STarT Back high-risk patients (time-based progression; see
#: :mod:`backplan.outcomes.startback`).
TIME_BASED_RULES = "review-rules-time-based.csv"
#: The largest rules file read (bytes).
MAX_FILE_BYTES = 1_000_000
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
    (the threshold) and ``{change}`` (reps added or taken off), each with one of the
    :data:`FORMAT_SPECS` (``{got:.1f}``) and nothing else. ``value`` must be a finite number
    in the measure's :data:`RANGES`; ``change_reps`` must agree with the decision
    (:data:`CHANGES`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(min_length=1, max_length=60)
    measure: Literal[tuple(MEASURES)]  # type: ignore[valid-type]
    op: Literal["", ">", ">=", "<", "<="] = ""
    value: float | None = Field(None, allow_inf_nan=False)
    decision: Literal[DECISIONS]  # type: ignore[valid-type]
    flag: StrictBool = False
    change_reps: StrictInt = Field(None, ge=-10, le=10)  # type: ignore[assignment]
    says: str = Field(min_length=1, max_length=500)
    source: str = Field("", max_length=500)

    @field_validator("says")
    @classmethod
    def _template(cls, text: str) -> str:
        specs = ", ".join(repr(s) for s in FORMAT_SPECS if s)
        try:
            parts = list(string.Formatter().parse(text))
        except ValueError as exc:
            raise ValueError(f"text whose braces are paired ({exc})") from None
        for _, name, spec, conversion in parts:
            if name is None:
                continue
            if name not in _FIELDS or conversion:
                raise ValueError(f"text using only {{got}}, {{value}} and {{change}}, found "
                                 f"{{{name}{'!' + conversion if conversion else ''}}}")  # fmt: skip
            if spec not in FORMAT_SPECS:
                raise ValueError(f"a format after ':' from {specs} (or none), found "
                                 f"{{{name}:{spec}}}")  # fmt: skip
        return text

    @model_validator(mode="after")
    def _consistent(self) -> ReviewRule:
        if self.measure == "always":
            if self.op or self.value is not None:
                raise ValueError("no op or value for the measure 'always'")
        else:
            if not self.op or self.value is None:
                raise ValueError("an op and a value for every measure but 'always'")
            lo, hi, what = RANGES[self.measure]
            if not lo <= self.value <= hi:
                raise ValueError(f"a value for {self.measure}: {what}; got {self.value:g}")
        lo_c, hi_c, why = CHANGES[self.decision]
        if self.change_reps is None:  # not given: the decision's own (progress 2, step back 1)
            object.__setattr__(self, "change_reps", {"progress": 2, "hold": 0}.get(
                self.decision, -1))  # fmt: skip
        if not lo_c <= self.change_reps <= hi_c:
            raise ValueError(f"change_reps {why}; got {self.change_reps}")
        return self

    def fires(self, measures: dict[str, float]) -> bool:
        """Whether this rule fires for ``measures`` (a missing measure never fires)."""
        if self.measure == "always":
            return True
        got = measures.get(self.measure, math.nan)
        if self.value is None or not self.op or got is None or math.isnan(got):
            return False
        return _OPS[self.op](got, self.value)

    def reason(self, measures: dict[str, float], change: int | None = None) -> str:
        """The rule's words with the numbers filled in (``change``: the reps really added or
        taken off, when it differs from ``change_reps``)."""
        got = measures.get(self.measure, math.nan)
        if "{got:d}" in self.says:
            got = int(got) if got == got else 0
        reps = abs(self.change_reps if change is None else change)
        return self.says.format(got=got, value=self.value or 0.0, change=reps)


def _cell_problems(data: dict[str, Any], file: str, row: int) -> list[Problem]:
    """Cells that are the wrong kind before the rule is checked: flag words, whole numbers."""
    out = []
    if "flag" in data:
        word = data["flag"].lower()
        if word in _TRUE | _FALSE:
            data["flag"] = word in _TRUE
        else:
            out.append(Problem(file, row, "flag", "true or false (or yes/no, 1/0)", data["flag"]))
            del data["flag"]
    for column in ("change_reps", "value"):
        if column not in data:
            continue
        text = data[column]
        try:
            number = float(text)
        except ValueError:
            out.append(Problem(file, row, column, "a number", text))
            del data[column]
            continue
        if not math.isfinite(number):
            out.append(Problem(file, row, column, "a finite number", text))
            del data[column]
        elif column == "change_reps":
            if not number.is_integer() or not text.lstrip("+-").isdigit():
                out.append(Problem(file, row, column, "a whole number", text))
                del data[column]
            else:
                data[column] = int(number)
        else:
            data[column] = number
    return out


def load_review_rules(path: str | os.PathLike[str] | None = None) -> tuple[ReviewRule, ...]:
    """Read review rules from a CSV or Excel file; the shipped ``review-rules.csv`` by default.

    Columns: ``rule, measure, op, value, decision, flag, change_reps, says, source``.
    Every cell is checked: a value in the measure's range (:data:`RANGES`: a share such as
    80 typed for 0.8 is refused, as are ``nan`` and ``inf``), ``flag`` true or false,
    ``change_reps`` a whole number whose sign fits the decision (:data:`CHANGES`), each rule
    name once, and texts using only ``{got}``, ``{value}`` and ``{change}`` with the
    :data:`FORMAT_SPECS`.

    Raises
    ------
    ReviewRulesError
        Naming the file, row and column of every problem; no rule of the file is used.

    Examples
    --------
    >>> rules = load_review_rules()
    >>> [(r.rule, r.op, r.value, r.decision) for r in rules][:2]
    [('pain-worst-day', '>', 5.0, 'step back'), ('pain-too-high', '>', 5.0, 'step back')]
    """
    p = Path(path) if path is not None else data_dir() / "review-rules.csv"
    try:
        size = p.stat().st_size if p.is_file() else 0
    except OSError:
        size = 0
    if size > MAX_FILE_BYTES:
        raise ReviewRulesError([Problem(str(p), None, None, f"a rules file of at most "
                                        f"{MAX_FILE_BYTES:,} bytes", f"{size:,} bytes")])  # fmt: skip
    table = read_text_table(p, ReviewRulesError)
    rules, problems, seen = [], [], {}
    for index, row in table.iterrows():
        r = spreadsheet_row(int(index))
        data: dict[str, Any] = {str(k): v.strip() for k, v in row.items() if v.strip() != ""}
        problems += _cell_problems(data, str(p), r)
        name = data.get("rule", "")
        if name in seen:
            problems.append(Problem(str(p), r, "rule", f"each rule name once (also in row "
                                    f"{seen[name]})", name))  # fmt: skip
        seen.setdefault(name, r)
        try:
            rules.append(ReviewRule.model_validate(data))
        except ValidationError as exc:
            for err in exc.errors():
                column = ".".join(str(x) for x in err["loc"]) or _column_of(str(err["msg"]))
                msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Input should be ")
                got = err.get("input") if err["loc"] else None
                problems.append(Problem(str(p), r, column, msg, got))
    if not rules and not problems:
        problems.append(Problem(str(p), None, None, "at least one rule"))
    if problems:
        raise ReviewRulesError(problems, str(p))
    return tuple(rules)


def _column_of(message: str) -> str | None:
    """The column a whole-rule check is about, from its words."""
    for column in ("change_reps", "value", "op"):
        if message.startswith(f"Value error, {column}") or f"a {column}" in message:
            return column
    return "value" if "value" in message else None


def rules_argument(value: object, name: str = "rules") -> tuple[ReviewRule, ...]:
    """``value`` as review rules: ``None`` is the shipped ``review-rules.csv``, a path is a
    rules file read by :func:`load_review_rules`, and a list must hold
    :class:`ReviewRule` objects, at least one, each name once.

    Raises
    ------
    ReviewRulesError
        Naming the argument and what was expected.

    Examples
    --------
    >>> rules = load_review_rules()
    >>> rules_argument([rules[0], rules[0]])
    Traceback (most recent call last):
    ...
    backplan.triage.rules.ReviewRulesError: The rules: 1 problem
      - row 2, column 'rules': expected each rule name once (also in row 1), got 'pain-worst-day'
    """
    if value is None or isinstance(value, str | os.PathLike):
        return load_review_rules(value)
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        rules = tuple(value)
        wrong = [(i, r) for i, r in enumerate(rules, 1) if not isinstance(r, ReviewRule)]
        problems = [Problem("<rules>", i, name, "a ReviewRule (from load_review_rules)",
                            type(r).__name__) for i, r in wrong]  # fmt: skip
        seen: dict[str, int] = {}
        for i, r in enumerate(rules, 1):
            if isinstance(r, ReviewRule):
                if r.rule in seen:
                    problems.append(Problem("<rules>", i, name, f"each rule name once (also "
                                            f"in row {seen[r.rule]})", r.rule))  # fmt: skip
                seen.setdefault(r.rule, i)
        if not rules:
            problems.append(Problem("<rules>", None, name, "at least one review rule", "[]"))
        if not problems:
            return rules
        raise ReviewRulesError(problems, "<rules>")
    expected = "review rules: a list of ReviewRule, a rules file's path, or None"
    raise ReviewRulesError([Problem("<rules>", None, name, expected, value)], "<rules>")


def rules_for(
    start_back: str | None,
    rules: Sequence[ReviewRule] | str | os.PathLike[str] | None = None,
    time_based: Sequence[ReviewRule] | str | os.PathLike[str] | None = None,
) -> tuple[ReviewRule, ...]:
    """The rules a plan is reviewed with: the time-based rules for a STarT Back ``"high"``
    risk plan (the shipped ``review-rules-time-based.csv`` unless ``time_based`` is given),
    else ``rules`` (the shipped ``review-rules.csv`` by default). Each of ``rules`` and
    ``time_based`` may be rules or a rules file's path (see :func:`rules_argument`).

    This is the choice :func:`backplan.review_rules_for` makes for a plan, made here from
    the plan's group so the adherence report (which holds no plans) can make it too.

    Examples
    --------
    >>> rules_for("high")[-1].rule, rules_for("low")[0].rule
    ('on-timetable', 'pain-worst-day')
    """
    if start_back == "high":
        return rules_argument(
            data_dir() / TIME_BASED_RULES if time_based is None else time_based, "time_based"
        )
    return rules_argument(rules)
