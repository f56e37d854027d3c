"""Doses a physio would sign: plan_warnings fires exactly at its limits (property tests),
names the exercise and week, and a physio can accept the warnings on the record."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from fuzz_inputs import fuzz
from hypothesis import given
from hypothesis import strategies as st

import backplan as bp
from backplan.plan.warnings import load_dose_limits

CAT = bp.load_catalogue()
LIMITS = load_dose_limits()


def limits(**changed: float) -> dict[str, tuple[float, str]]:
    return {**LIMITS, **{k: (v, "why") for k, v in changed.items()}}


def codes(plan: bp.Plan, **changed: float) -> list[str]:
    return [w.code for w in bp.plan_warnings(plan, CAT, limits(**changed))]


dose = st.fixed_dictionaries({
    "sets": st.integers(1, 10), "reps": st.integers(1, 50),
    "sessions_per_day": st.integers(1, 6), "hold_s": st.integers(0, 120),
})  # fmt: skip


@fuzz(30)
@given(dose=dose, per_side=st.booleans())
def test_reps_a_day_warns_exactly_above_the_limit(dose: dict, per_side: bool) -> None:
    ex = "heel-slides" if per_side else "wall-squats"
    plan = bp.build_plan(CAT, "beginners", [ex], start_date="2026-01-05", weeks=1, **dose)
    a_day = dose["sets"] * dose["reps"] * (2 if per_side else 1) * dose["sessions_per_day"]
    big = 10**6
    assert "reps-per-day" not in codes(plan, reps_per_day=a_day, minutes_per_day=big)
    if a_day > 1:
        found = bp.plan_warnings(plan, CAT, limits(reps_per_day=a_day - 1, minutes_per_day=big))
        hit = [w for w in found if w.code == "reps-per-day"]
        assert [(w.exercise, w.week, w.value) for w in hit] == [(ex, 1, a_day)]


@fuzz(30)
@given(dose=dose)
def test_minutes_a_day_warn_exactly_above_the_limit(dose: dict) -> None:
    plan = bp.build_plan(CAT, "beginners", ["wall-squats"], start_date="2026-01-05", weeks=1,
                         **dose)  # fmt: skip
    per_rep = LIMITS["seconds_per_rep"][0]
    minutes = (
        dose["sets"] * dose["reps"] * dose["sessions_per_day"] * (per_rep + dose["hold_s"]) / 60
    )
    assert "minutes-per-day" not in codes(plan, minutes_per_day=minutes, reps_per_day=10**5)
    assert "minutes-per-day" in codes(plan, minutes_per_day=minutes * (1 - 1e-9),
                                      reps_per_day=10**5)  # fmt: skip


@fuzz(30)
@given(reps=st.integers(1, 40), amount=st.integers(1, 10))
def test_a_weekly_rise_warns_exactly_above_the_limit(reps: int, amount: int) -> None:
    rule = bp.AddDose(what="reps", amount=amount, cap=min(50, reps + amount))
    plan = bp.build_plan(CAT, "beginners", ["heel-raises"], start_date="2026-01-05", weeks=2,
                         reps=reps, progression=[rule])  # fmt: skip
    rise = (min(50, reps + amount) - reps) / reps
    found = [
        w for w in bp.plan_warnings(plan, CAT, limits(weekly_rise=rise)) if w.code == "weekly-rise"
    ]
    assert found == []
    above = bp.plan_warnings(plan, CAT, limits(weekly_rise=rise * (1 - 1e-9)))
    assert [(w.code, w.exercise, w.week) for w in above if w.code == "weekly-rise"] == (
        [("weekly-rise", "heel-raises", 2)] if rise > 0 else [])  # fmt: skip


def test_the_issue_plan_gets_every_warning_in_words() -> None:
    plan = bp.build_plan(CAT, "beginners", ["heel-raises"], start_date="2026-01-05", weeks=2,
                         sets=10, reps=10, sessions_per_day=6,
                         per_exercise={"heel-raises": {"hold_s": 120}})  # fmt: skip
    plan = bp.revise(plan, 2, {"heel-raises": {"reps": 50}}, why="more", by="A. Physio")
    found = bp.plan_warnings(plan, CAT)
    assert {w.code for w in found} == {"reps-per-day", "minutes-per-day", "weekly-rise",
                                       "hold-not-in-catalogue"}  # fmt: skip
    rise = next(w for w in found if w.code == "weekly-rise")
    assert "+400%" in rise.message and rise.week == 2 and "NHS inform" in rise.message
    assert all(w.message.startswith("Week ") for w in found)


def test_an_ordinary_plan_has_no_warnings() -> None:
    for level in bp.LEVELS:
        assert bp.plan_warnings(bp.build_plan(CAT, level, start_date="2026-01-05"), CAT) == []


def test_accepted_warnings_are_saved_and_the_cli_shows_the_rest(tmp_path: Path, capsys) -> None:
    from backplan.cli import main

    plan = bp.build_plan(CAT, "beginners", ["heel-raises"], start_date="2026-01-05",
                         sets=10, reps=50, patient="P1")  # fmt: skip
    raw = tmp_path / "raw.json"
    bp.save_plan(plan, raw)
    assert main(["handout", str(raw), "-o", str(tmp_path / "h.md")]) == 0
    assert "warning: Week 1: Heel raises asks for 500 reps a day" in capsys.readouterr().err
    signed = bp.accept_warnings(plan, by="A. Physio", when=datetime(2026, 1, 5, 9))
    path = bp.save_plan(signed, tmp_path / "signed.json")
    again = bp.load_plan(path)
    assert again.warnings_accepted.by == "A. Physio" and again == signed
    assert json.loads(path.read_text())["schema_version"] == bp.SCHEMA_VERSION
    assert main(["handout", str(path), "-o", str(tmp_path / "h2.md")]) == 0
    assert "warning" not in capsys.readouterr().err


def test_a_bad_limits_file_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "limits.csv"
    path.write_text("limit,value,unit,why,source\nreps_per_day,-3,reps,x,y\nspeed,1,x,x,y\n")
    with pytest.raises(bp.PlanError) as info:
        load_dose_limits(path)
    assert "row 2, column 'value'" in str(info.value) and "row 3, column 'limit'" in str(info.value)
