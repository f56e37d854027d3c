"""STarT Back risk groups, stored in the plan, and the review rules a high-risk plan uses.

The Keele STarT Back Screening Tool (Hill et al., Arthritis Rheum 2008;59:632) has nine
items, each scored 0 or 1: a total of 0-9 and a psychosocial (distress) subscore, items
5 to 9, of 0-5. Groups: **low** when the total is 0-3; **medium** when the total is 4 or
more and the psychosocial subscore 3 or less; **high** when the psychosocial subscore is
4 or more. NICE NG59 and quality standard QS155 recommend stratifying at first contact.
The item wording belongs to Keele University and is not shipped: the clinic enters the
nine item scores (0/1, as Keele's scoring sheet gives them) or the two totals.

High-risk patients got *psychologically informed physiotherapy* in the STarT Back trial
(Hill et al., Lancet 2011;378:1560; its content: Main et al., Physiotherapy 2012;98:110):
cognitive-behavioural principles that address unhelpful beliefs and behaviours. In that
approach exercise is raised on a timetable (graded activity: *time-contingent*), not when
pain allows (*pain-contingent*) (Macedo et al., Phys Ther 2010;90:860). So
:func:`review_rules_for` gives a high-risk plan the time-based rules of
``data/review-rules-time-based.csv``: the dose rises each week the planned amount was done,
whatever the pain score; a pain rise of 2 points or more still asks for a call, and severe
pain (7 or more out of 10; Serlin et al., Pain 1995;61:277) or silence still holds the dose.

Examples
--------
>>> start_back(total=5, psychosocial=2), start_back([1, 1, 0, 0, 1, 1, 1, 1, 0])
('medium', 'high')
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from numbers import Integral
from typing import Literal

from ..errors import Problem
from ..plan import Plan
from ..plan.model import _validate, plan_argument
from ..triage.rules import TIME_BASED_RULES, ReviewRule, rules_for
from .measures import OutcomeError

__all__ = [
    "START_BACK_GROUPS",
    "START_BACK_SOURCE",
    "TIME_BASED_RULES",
    "review_rules_for",
    "start_back",
    "with_start_back",
]

StartBackGroup = Literal["low", "medium", "high"]
START_BACK_GROUPS: tuple[str, ...] = ("low", "medium", "high")
START_BACK_SOURCE = (
    "Keele STarT Back Screening Tool (Hill et al., Arthritis Rheum 2008;59:632): low = total "
    "0-3; medium = total 4 or more and psychosocial (items 5-9) 3 or less; high = "
    "psychosocial 4 or more"
)


def _score(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or not low <= value <= high:
        raise OutcomeError([Problem("<STarT Back>", None, field,
                                    f"a whole number from {low} to {high}", value)])  # fmt: skip
    return int(value)


def start_back(
    answers: Sequence[int] | None = None,
    *,
    total: int | None = None,
    psychosocial: int | None = None,
) -> StartBackGroup:
    """The STarT Back risk group from the nine item scores, or from the two totals.

    Parameters
    ----------
    answers : sequence of nine 0/1 scores, optional
        Items 1 to 9 in order, scored as on Keele's scoring sheet (1 = agree; item 9 is 1
        for "very much" or "extremely" bothersome).
    total : int, optional
        The total, 0-9 (with ``psychosocial``, instead of ``answers``).
    psychosocial : int, optional
        The psychosocial subscore (items 5-9), 0-5.

    Returns
    -------
    {"low", "medium", "high"}

    Raises
    ------
    OutcomeError
        Naming the field: not nine 0/1 answers, a score out of range, or totals that
        cannot come from nine items (psychosocial above the total, or more than 4 points
        from items 1-4).

    Examples
    --------
    >>> [start_back(total=t, psychosocial=p) for t, p in [(3, 3), (4, 3), (4, 4), (9, 5)]]
    ['low', 'medium', 'high', 'high']
    >>> start_back(total=2, psychosocial=4)
    Traceback (most recent call last):
    ...
    backplan.outcomes.measures.OutcomeError: The STarT Back answers: 1 problem
      - column 'psychosocial': expected a subscore no higher than the total (2), got 4
    """
    if answers is not None:
        if total is not None or psychosocial is not None:
            raise OutcomeError([Problem("<STarT Back>", None, "answers",
                                        "either the nine answers or the two totals, not both")])  # fmt: skip
        items = list(answers) if not isinstance(answers, str | bytes) else []
        if len(items) != 9:
            raise OutcomeError([Problem("<STarT Back>", None, "answers",
                                        "nine item scores (0 or 1), items 1 to 9", len(items))])  # fmt: skip
        scores = [_score(v, f"answers[{i + 1}]", 0, 1) for i, v in enumerate(items)]
        total, psychosocial = sum(scores), sum(scores[4:])
    else:
        if total is None or psychosocial is None:
            raise OutcomeError([Problem("<STarT Back>", None, "total" if total is None else
                                        "psychosocial", "both total and psychosocial, or the "
                                        "nine answers")])  # fmt: skip
        total = _score(total, "total", 0, 9)
        psychosocial = _score(psychosocial, "psychosocial", 0, 5)
        if psychosocial > total:
            raise OutcomeError([Problem("<STarT Back>", None, "psychosocial", f"a subscore no "
                                        f"higher than the total ({total})", psychosocial)])  # fmt: skip
        if total - psychosocial > 4:
            raise OutcomeError([Problem("<STarT Back>", None, "total", "at most 4 more than "
                                        "the psychosocial subscore (items 1-4 give 0-4 points)",
                                        total)])  # fmt: skip
    if total <= 3:
        return "low"
    return "high" if psychosocial >= 4 else "medium"


def with_start_back(plan: Plan, group: str | None) -> Plan:
    """A new plan (checked again) carrying the STarT Back ``group``; ``None`` clears it.

    Examples
    --------
    >>> import backplan as bp
    >>> plan = bp.build_plan(bp.load_catalogue(), "beginners", start_date="2026-01-05")
    >>> with_start_back(plan, "high").start_back, plan.start_back is None
    ('high', True)
    """
    plan = plan_argument(plan)
    return _validate(Plan, {**plan.model_dump(), "start_back": group}, "<plan>")


def review_rules_for(
    plan: Plan,
    rules: Sequence[ReviewRule] | None = None,
    *,
    time_based: str | os.PathLike[str] | None = None,
) -> tuple[ReviewRule, ...]:
    """The review rules for ``plan``: time-based for a STarT Back high-risk patient.

    Pass the result to :func:`backplan.review` (``rules=review_rules_for(plan)``).

    Parameters
    ----------
    plan : Plan
    rules : sequence of ReviewRule, optional
        The clinic's usual (pain-based) rules; the shipped ``review-rules.csv`` by default.
    time_based : path, optional
        The clinic's own time-based rules file; the shipped one by default.

    Examples
    --------
    >>> import backplan as bp
    >>> plan = bp.build_plan(bp.load_catalogue(), "beginners", start_date="2026-01-05")
    >>> review_rules_for(plan)[0].rule
    'pain-worst-day'
    >>> review_rules_for(with_start_back(plan, "high"))[-1].rule
    'on-timetable'
    """
    return rules_for(plan_argument(plan).start_back, rules, time_based)
