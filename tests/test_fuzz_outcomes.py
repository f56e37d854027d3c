"""Property tests: the change rules at their thresholds, and outcome reading never loses a row."""

from __future__ import annotations

import math

import pandas as pd
from fuzz_inputs import cell, fuzz
from hypothesis import given
from hypothesis import strategies as st

import backplan as bp
from backplan.outcomes import classify, load_outcome_measures
from backplan.outcomes.change import Change

MEASURES = load_outcome_measures()
SPECS = MEASURES.to_dict("index")


@st.composite
def _measure_and_baseline(draw: st.DrawFn) -> tuple[dict, float]:
    spec = SPECS[draw(st.sampled_from(sorted(SPECS)))]
    baseline = draw(st.integers(int(spec["low"]), int(spec["high"])))
    return spec, float(baseline)


def _rule(spec: dict, baseline: float, latest: float) -> Change:
    return classify(baseline, latest, low=spec["low"], high=spec["high"],
                    better=spec["better"], mic=spec["mic"])  # fmt: skip


def _sign(spec: dict) -> int:
    return 1 if spec["better"] == "higher" else -1


@fuzz(200)
@given(_measure_and_baseline())
def test_a_change_of_exactly_the_mic_matters_both_ways(found: tuple[dict, float]) -> None:
    spec, baseline = found
    for way, expected in ((1, "improving"), (-1, "worse")):
        latest = baseline + way * _sign(spec) * spec["mic"]
        if not spec["low"] <= latest <= spec["high"]:
            continue
        result = _rule(spec, baseline, latest)
        assert (result.direction, result.important) == (expected, True)
        assert result.improvement == way * spec["mic"]


@fuzz(200)
@given(_measure_and_baseline(), st.floats(0.001, 0.999))
def test_worse_by_less_than_the_mic_is_no_change_whatever_the_percent(
    found: tuple[dict, float], part: float
) -> None:
    spec, baseline = found
    latest = baseline - _sign(spec) * part * spec["mic"]  # a little worse
    if spec["low"] <= latest <= spec["high"]:
        result = _rule(spec, baseline, latest)
        assert (result.direction, result.important) == ("no change", False)


@fuzz(200)
@given(_measure_and_baseline(), st.floats(0.0, 1.0))
def test_better_counts_at_the_mic_or_30_percent_of_the_way_to_the_best(
    found: tuple[dict, float], to_best: float
) -> None:
    spec, baseline = found
    best = spec["high"] if spec["better"] == "higher" else spec["low"]
    latest = baseline + (best - baseline) * to_best
    result = _rule(spec, baseline, latest)
    room = abs(best - baseline)
    gain = abs(latest - baseline)
    expect = gain >= spec["mic"] - 1e-9 or (gain > 0 and room > 0 and gain / room >= 0.3 - 1e-9)
    assert result.important == expect
    assert result.direction == ("improving" if expect else "no change")
    assert result.important == (result.direction != "no change")


@fuzz(100)
@given(_measure_and_baseline(), st.integers(-100, 100))
def test_the_rule_honours_which_way_is_better(found: tuple[dict, float], step: int) -> None:
    """Mirroring the scale (score -> low + high - score) and flipping ``better`` changes nothing."""
    spec, baseline = found
    latest = min(spec["high"], max(spec["low"], baseline + step))
    mirrored = {**spec, "better": "lower" if spec["better"] == "higher" else "higher"}
    flip = spec["low"] + spec["high"]
    a, b = _rule(spec, baseline, latest), _rule(mirrored, flip - baseline, flip - latest)
    assert (a.direction, a.important) == (b.direction, b.important)
    assert a.improvement == b.improvement == b.change * _sign(mirrored)


_rows = st.lists(
    st.tuples(
        st.sampled_from(["P1", "P2", "P3"]),
        st.integers(0, 40).map(
            lambda d: (pd.Timestamp("2026-01-05") + pd.Timedelta(days=d)).date().isoformat()
        ),
        st.sampled_from(["nprs", "odi", "msk-hq", "rmdq"]),
        st.integers(0, 24),
    ),
    min_size=1,
    max_size=25,
)


@fuzz(25)
@given(_rows)
def test_changes_equal_an_independent_first_and_last_score(rows: list[tuple]) -> None:
    raw = pd.DataFrame(rows, columns=["patient", "date", "measure", "score"])
    table = bp.read_outcomes(raw)
    assert table.rows_read == len(table.accepted) + len(table.rejected) == len(raw)
    changes = bp.outcome_changes(table).set_index(["patient", "measure"])
    ok = table.accepted.sort_values(["date", "row"])
    first = ok.groupby(["patient", "measure"]).first()
    last = ok.groupby(["patient", "measure"]).last()
    assert sorted(changes.index) == sorted(first.index)
    for key in first.index:
        got = changes.loc[key]
        assert got["baseline"] == first.loc[key, "score"]
        if first.loc[key, "date"] == last.loc[key, "date"]:
            assert not got["followed_up"] and math.isnan(got["latest"])
        else:
            assert got["latest"] == last.loc[key, "score"]
            spec = SPECS[key[1]]
            expected = _rule(spec, got["baseline"], got["latest"])
            assert (got["direction"], bool(got["important"])) == (
                expected.direction,
                expected.important,
            )


@fuzz(30)
@given(st.lists(st.tuples(cell, cell, cell, cell, cell, cell, cell), min_size=1, max_size=8))
def test_any_cells_are_accepted_or_rejected_never_lost(rows: list[tuple]) -> None:
    raw = pd.DataFrame(rows, columns=["patient", "date", "measure", "item", "score", "goal",
                                      "timepoint"])  # fmt: skip
    table = bp.read_outcomes(raw)
    assert table.rows_read == len(table.accepted) + len(table.rejected) == len(raw)
    assert set(table.rejected["row"]) | set(table.accepted["row"]) == set(range(2, len(raw) + 2))
    assert table.accepted["score"].between(0, 100).all()
    bad = table.problem_list()
    assert all(p.file == "<DataFrame>" and p.column for p in bad)
