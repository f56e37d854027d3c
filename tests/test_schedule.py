"""Week-by-week schedule and weekly volume: the numbers a physio charts."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

import backplan as bp

START = date(2026, 1, 5)


def test_schedule_rows_and_volume_by_hand(catalogue: pd.DataFrame) -> None:
    plan = bp.build_plan(
        catalogue,
        "beginners",
        ["heel-slides", "wall-squats"],
        start_date=START,
        weeks=2,
        sets=2,
        sessions_per_day=3,
        days_per_week=5,
    )
    sched = bp.schedule(plan, catalogue)
    assert len(sched) == 4
    first = sched.iloc[0]
    assert (first.week, first.exercise, first.sides, first.weekly_sessions) == (
        1,
        "heel-slides",
        2,
        15,
    )
    # heel slides: 2 sets x 10 reps x 2 legs x 3 a day x 5 days = 600 reps, no hold
    assert (first.weekly_reps, first.weekly_hold_seconds) == (600, 0)
    squats = sched.iloc[1]
    # wall squats: 2 x 10 x 1 x 15 = 300 reps, each held 5 s = 1500 s under tension
    assert (squats.weekly_reps, squats.weekly_hold_seconds) == (300, 1500)
    assert list(sched["week_start"]) == [pd.Timestamp(START)] * 2 + [pd.Timestamp(2026, 1, 12)] * 2
    counts = ["sets", "reps", "sides", "hold_s", "weekly_reps", "weekly_hold_seconds"]
    assert all(sched[c].dtype == "int64" for c in counts)


def test_without_progression_every_week_is_equal(beginner_plan: bp.Plan, catalogue) -> None:
    vol = bp.weekly_volume(beginner_plan, catalogue, by="exercise")
    weeks = [g.drop(columns="week").reset_index(drop=True) for _, g in vol.groupby("week")]
    for other in weeks[1:]:
        pd.testing.assert_frame_equal(weeks[0], other)


def test_volume_is_never_negative(beginner_plan: bp.Plan, catalogue) -> None:
    for by in ("exercise", "target", None):
        vol = bp.weekly_volume(beginner_plan, catalogue, by=by)
        assert (vol[list(bp.METRICS)] >= 0).all().all()


def test_reps_never_exceed_the_cap(catalogue: pd.DataFrame) -> None:
    plan = bp.build_plan(
        catalogue,
        "beginners",
        start_date=START,
        weeks=12,
        progression=[bp.AddDose(what="reps", amount=2, cap=20)],
    )
    sched = bp.schedule(plan, catalogue)
    assert sched["reps"].max() == 20
    assert sched.groupby("exercise")["reps"].apply(lambda s: s.is_monotonic_increasing).all()
    assert (
        list(sched.loc[sched.exercise == "heel-raises", "reps"]) == [10, 12, 14, 16, 18] + [20] * 7
    )


def test_level_change_swaps_exercises_in_the_right_week(catalogue: pd.DataFrame) -> None:
    plan = bp.build_plan(
        catalogue,
        "beginners",
        start_date=START,
        weeks=6,
        progression=[bp.next_level(catalogue, from_week=4)],
    )
    sched = bp.schedule(plan, catalogue)
    by_week = sched.groupby("week")["exercise"].apply(set)
    beginners = set(catalogue.loc[catalogue.level == "beginners", "id"])
    advanced = set(catalogue.loc[catalogue.level == "more advanced", "id"])
    assert all(by_week[w] == beginners for w in (1, 2, 3))
    assert all(by_week[w] == advanced for w in (4, 5, 6))
    assert set(sched.loc[sched.week >= 4, "level"]) == {"more advanced"}


def test_volume_by_target_counts_each_rep_once(catalogue: pd.DataFrame) -> None:
    plan = bp.build_plan(
        catalogue, "more advanced", ["prone-leg-raises"], start_date=START, weeks=1
    )
    vol = bp.weekly_volume(plan, catalogue, by="target").set_index("target")
    # 5 reps x 2 legs x 7 days = 70 reps, held 10 s each: counted once, under back (its
    # main area, listed first), never again under hip
    assert vol.loc["back", ["reps", "hold_seconds", "sessions"]].tolist() == [70, 700, 7]
    assert list(vol.index) == ["back"]


def test_weekly_totals(beginner_plan: bp.Plan, catalogue) -> None:
    total = bp.weekly_volume(beginner_plan, catalogue, by=None)
    by_ex = bp.weekly_volume(beginner_plan, catalogue, by="exercise")
    assert total["reps"].tolist() == by_ex.groupby("week")["reps"].sum().tolist()
    assert list(total.columns) == ["week", "reps", "hold_seconds", "sessions"]


def test_bad_grouping_and_unknown_exercise(catalogue: pd.DataFrame, beginner_plan) -> None:
    with pytest.raises(bp.PlanError, match="column 'by': expected 'exercise', 'target' or None"):
        bp.weekly_volume(beginner_plan, catalogue, by="muscle")
    small = catalogue[catalogue.id != "heel-raises"]
    with pytest.raises(bp.PlanError, match="an id in the catalogue, got 'heel-raises'"):
        bp.schedule(beginner_plan, small)
