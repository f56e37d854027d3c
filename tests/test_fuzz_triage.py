"""Property tests: the rules applied to many patients at once decide as each rule alone
would, and the call list is always in order of group, then severity."""

from __future__ import annotations

import math

import pandas as pd
from fuzz_inputs import fuzz
from hypothesis import given
from hypothesis import strategies as st

from backplan.plan.rules import DECISIONS
from backplan.triage.calls import call_table
from backplan.triage.evidence import evaluate
from backplan.triage.rules import MEASURES, RANGES, rules_for

RULES, TIME_BASED = rules_for(None), rules_for("high")


def _value(measure: str) -> st.SearchStrategy[float]:
    lo, hi, _ = RANGES[measure]
    near = [v for r in RULES + TIME_BASED if r.measure == measure and r.value is not None
            for v in (r.value, r.value - 0.01, r.value + 0.01)]  # fmt: skip
    return st.one_of(st.just(math.nan), st.sampled_from(near or [lo]),
                     st.floats(min_value=lo - 1, max_value=hi + 1))  # fmt: skip


ROWS = st.lists(st.fixed_dictionaries({m: _value(m) for m in MEASURES if m != "always"}),
                min_size=1, max_size=30)  # fmt: skip


@fuzz(100)
@given(rows=ROWS, time_based=st.booleans())
def test_many_at_once_decide_as_each_rule_alone(rows: list[dict], time_based: bool) -> None:
    rules = TIME_BASED if time_based else RULES
    fired, chosen = evaluate(rules, pd.DataFrame(rows))
    for i, measures in enumerate(rows):
        alone = [r.fires(measures) for r in rules]
        assert fired[i].tolist() == alone
        worst = max(DECISIONS.index(r.decision) for r, f in zip(rules, alone, strict=True) if f)
        first = next(j for j, (r, f) in enumerate(zip(rules, alone, strict=True))
                     if f and DECISIONS.index(r.decision) == worst)  # fmt: skip
        assert chosen[i] == first


CALL = st.fixed_dictionaries({
    "patient": st.text(min_size=1, max_size=5), "priority": st.integers(1, 4),
    "flag": st.just("x"), "detail": st.just(""), "action": st.just(""), "decision": st.just(""),
    "week": st.integers(1, 9), "severity": st.floats(0, 50), "rules": st.just(""),
    "note": st.just(""), "_second": st.floats(0, 10), "_rise": st.floats(-10, 10),
})  # fmt: skip


@fuzz(100)
@given(rows=st.lists(CALL, max_size=25))
def test_the_call_list_is_ranked_by_group_then_severity(rows: list[dict]) -> None:
    table = call_table([dict(r) for r in rows])
    assert table["rank"].tolist() == list(range(1, len(rows) + 1))
    keys = list(zip(table["priority"], -table["severity"], strict=True))
    assert keys == sorted(keys)
