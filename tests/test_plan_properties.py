"""Properties: no level-up, revision or review ever breaks a plan's restrictions or dose bounds."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backplan as bp
from backplan.progression import DOSE_BOUNDS

CAT = bp.load_catalogue()
START = date(2026, 1, 5)
EQUIPMENT = ["wall", "chair"]
TARGETS = sorted({t for cell in CAT["targets"] for t in bp.split_list(cell)})


@st.composite
def restrictions(draw: st.DrawFn) -> bp.Restrictions:
    return bp.Restrictions(
        avoid_positions=draw(st.lists(st.sampled_from(bp.POSITIONS), max_size=2, unique=True)),
        equipment=draw(st.none() | st.lists(st.sampled_from(EQUIPMENT), unique=True)),
        lacks_equipment=draw(st.lists(st.sampled_from(EQUIPMENT), unique=True)),
        avoid_targets=draw(st.lists(st.sampled_from(TARGETS), max_size=2, unique=True)),
    )


def dose(draw: st.DrawFn, wide: bool = False) -> dict[str, int]:
    """A dose override; ``wide`` also draws values just outside the bounds."""
    out = {}
    for field in draw(st.lists(st.sampled_from(list(DOSE_BOUNDS)), unique=True, max_size=3)):
        lo, hi = DOSE_BOUNDS[field]
        out[field] = draw(st.integers(lo - 1, hi + 1) if wide else st.integers(lo, hi))
    return out


def assert_safe(plan: bp.Plan) -> None:
    """Every week's doses are within bounds and keep to the plan's restrictions."""
    for week in range(1, plan.weeks + 1):
        for p in bp.dose_in_week(plan, week):
            assert bp.restrictions.breaks(CAT, p.exercise, plan.restrictions) is None, (week, p)
            for field, (lo, hi) in DOSE_BOUNDS.items():
                assert lo <= getattr(p, field) <= hi, (week, p, field)


@st.composite
def safe_plans(draw: st.DrawFn) -> bp.Plan | None:
    limits = draw(restrictions())
    if bp.allowed_exercises(CAT, limits, "beginners").empty:
        return None
    weeks = draw(st.integers(2, 10))
    rules: list = []
    if draw(st.booleans()):
        what = draw(st.sampled_from(["reps", "hold_s"]))
        rules.append(bp.AddDose(what=what, amount=draw(st.integers(1, 5)),
                                cap=draw(st.integers(1, DOSE_BOUNDS[what][1]))))  # fmt: skip
    if draw(st.booleans()) and not bp.allowed_exercises(CAT, limits, "more advanced").empty:
        rules.append(bp.next_level(CAT, draw(st.integers(2, weeks)), **dose(draw)))
    try:
        return bp.build_plan(CAT, "beginners", start_date=START, weeks=weeks,
                             restrictions=limits, progression=rules, **dose(draw))  # fmt: skip
    except bp.PlanError as exc:  # e.g. a cap below a drawn dose: refused, never unsafe
        assert "cap" in str(exc)
        return None


@settings(max_examples=80, deadline=None)
@given(plan=safe_plans(), data=st.data())
def test_level_ups_and_revisions_never_break_restrictions_or_bounds(plan, data) -> None:
    if plan is None:
        return
    assert_safe(plan)
    for _ in range(data.draw(st.integers(1, 3))):
        week = data.draw(st.integers(1, plan.weeks))
        exercise = data.draw(st.sampled_from(list(CAT["id"])))
        fields = data.draw(st.fixed_dictionaries({}, optional={
            f: st.integers(lo - 1, hi + 1) for f, (lo, hi) in DOSE_BOUNDS.items()}))  # fmt: skip
        before = plan
        try:
            plan = bp.revise(plan, week, {exercise: fields}, why="property", by="test")
        except bp.PlanError:
            assert plan is before  # refused; the plan is left as it was
            continue
        assert_safe(plan)
        assert len(plan.revisions) == len(before.revisions) + 1


def logs_for(plan: bp.Plan, weeks: int, done: list[float], pain: list[int | None]) -> pd.DataFrame:
    rows = []
    for week in range(1, weeks + 1):
        for day in range(7):
            for p in bp.dose_in_week(plan, week):
                if (day + 1) / 7 > done[week - 1] + 1e-9:
                    continue
                rows.append((plan.patient, (START + timedelta(days=7 * (week - 1) + day)).isoformat(),
                             p.exercise, p.sets, p.reps, pain[week - 1]))  # fmt: skip
    cols = ["patient", "date", "exercise", "sets_done", "reps_done", "pain"]
    out = pd.DataFrame.from_records(rows, columns=cols)
    out["pain"] = out["pain"].astype("Float64")
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=safe_plans(), data=st.data())
def test_reviews_applied_never_break_restrictions_or_bounds(plan, data) -> None:
    if plan is None or plan.weeks < 3:
        return
    plan = plan.model_copy(update={"patient": "P1"})
    done = data.draw(st.lists(st.sampled_from([0.0, 3 / 7, 5 / 7, 1.0]), min_size=2, max_size=2))
    pain = data.draw(st.lists(st.none() | st.integers(0, 10), min_size=2, max_size=2))
    if not any(done):
        done[0] = 1.0
    logs = logs_for(plan, 2, done, pain)
    r = bp.review(plan, logs, week=2)
    new = bp.apply_review(plan, r, by="test")
    assert_safe(new)
    now = {p.exercise: p.reps for p in bp.dose_in_week(plan, 2)}
    nxt = {p.exercise: p.reps for p in bp.dose_in_week(new, 3)}
    if r.decision != "progress":  # no move up to the next level after a hold or step back
        assert bp.level_in_week(new, 3) == bp.level_in_week(plan, 2)
    if bp.level_in_week(new, 3) != bp.level_in_week(plan, 2):
        assert r.decision == "progress"
        return
    for ex, reps in nxt.items():
        direction = {"progress": 1, "hold": 0, "step back": -1}[
            r.exercises.set_index("exercise").at[ex, "decision"]]  # fmt: skip
        assert (reps - now[ex]) * direction >= 0 and (direction or reps == now[ex])
    assert [bp.dose_in_week(new, w) for w in (1, 2)] == [bp.dose_in_week(plan, w) for w in (1, 2)]


@pytest.mark.parametrize("week", [1, 2])
def test_earlier_weeks_never_change(week: int) -> None:
    plan = bp.build_plan(CAT, "beginners", ["heel-raises"], start_date=START, weeks=4,
                         progression=[bp.AddDose(what="reps", amount=2, cap=20)])  # fmt: skip
    new = bp.revise(plan, 3, {"heel-raises": {"reps": 5}}, why="x", by="y")
    assert bp.dose_in_week(new, week) == bp.dose_in_week(plan, week)
