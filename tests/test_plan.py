"""Plans: built from catalogue defaults, bounded, progressed, saved and loaded safely."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backplan as bp
from backplan.plan.rules import DOSE_BOUNDS

START = date(2026, 1, 5)


def test_build_plan_starts_from_catalogue_defaults(catalogue: pd.DataFrame) -> None:
    plan = bp.build_plan(catalogue, "more advanced", start_date=START)
    got = {
        p.exercise: (p.sets, p.reps, p.per_side, p.hold_s, p.sessions_per_day, p.days_per_week)
        for p in plan.prescriptions
    }
    assert got == {
        "prone-leg-raises": (1, 5, True, 10, 1, 7),
        "supine-leg-raises": (1, 5, True, 10, 1, 7),
        "half-sit-ups": (1, 5, False, 10, 1, 7),
        "back-leg-swing": (1, 5, True, 0, 1, 7),
        "knee-to-chest": (1, 5, False, 0, 3, 7),
    }
    assert plan.level == "more advanced" and plan.weeks == 6


def test_dose_overrides_for_all_and_per_exercise(catalogue: pd.DataFrame) -> None:
    plan = bp.build_plan(
        catalogue,
        "beginners",
        ["wall-squats", "heel-raises"],
        start_date=START,
        sets=2,
        days_per_week=5,
        per_exercise={"wall-squats": {"hold_s": 8, "reps": 6}},
    )
    squats, raises = plan.prescriptions
    assert (squats.sets, squats.reps, squats.hold_s, squats.days_per_week) == (2, 6, 8, 5)
    assert (raises.sets, raises.reps, raises.hold_s, raises.days_per_week) == (2, 10, 0, 5)


def test_exercise_order_is_kept(catalogue: pd.DataFrame) -> None:
    order = ["heel-raises", "ankle-lifts", "wall-squats"]
    plan = bp.build_plan(catalogue, "beginners", order, start_date=START)
    assert [p.exercise for p in plan.prescriptions] == order


def test_unknown_exercise_names_the_valid_ids(catalogue: pd.DataFrame) -> None:
    with pytest.raises(bp.PlanError) as info:
        bp.build_plan(catalogue, "beginners", ["heel-raises", "plank"], start_date=START)
    message = str(info.value)
    assert "row 2, column 'exercise'" in message and "'plank'" in message
    assert "ankle-lifts" in message and "knee-to-chest" in message


@pytest.mark.parametrize("field", list(DOSE_BOUNDS))
def test_every_dose_bound_is_enforced_and_named(catalogue: pd.DataFrame, field: str) -> None:
    lo, hi = DOSE_BOUNDS[field]
    for bad in (lo - 1, hi + 1):
        with pytest.raises(bp.PlanError) as info:
            bp.build_plan(
                catalogue,
                "beginners",
                ["heel-raises", "wall-squats"],
                start_date=START,
                per_exercise={"wall-squats": {field: bad}},
            )
        message = str(info.value)
        assert f"row 2 (wall-squats), column {field!r}" in message, message
        assert f"got {bad}" in message


def test_plan_level_and_weeks_bounds(catalogue: pd.DataFrame) -> None:
    with pytest.raises(bp.PlanError, match="column 'weeks'.*52"):
        bp.build_plan(catalogue, "beginners", start_date=START, weeks=53)
    with pytest.raises(bp.PlanError, match="column 'level'.*beginners, more advanced"):
        bp.build_plan(catalogue, "expert", start_date=START)
    with pytest.raises(bp.PlanError, match="column 'sesions_per_day'"):
        bp.build_plan(catalogue, "beginners", start_date=START, sesions_per_day=2)


def test_progression_rules_are_checked(catalogue: pd.DataFrame) -> None:
    with pytest.raises(bp.PlanError, match="cap of 8 for reps is below the starting reps"):
        bp.build_plan(
            catalogue,
            "beginners",
            start_date=START,
            progression=[bp.AddDose(what="reps", amount=1, cap=8)],
        )
    rule = bp.next_level(catalogue, from_week=8)
    with pytest.raises(bp.PlanError, match="starts in week 8, but the plan lasts 6 weeks"):
        bp.build_plan(catalogue, "beginners", start_date=START, progression=[rule])


def test_add_reps_every_two_weeks(catalogue: pd.DataFrame) -> None:
    plan = bp.build_plan(
        catalogue,
        "beginners",
        ["heel-raises", "wall-squats"],
        start_date=START,
        weeks=7,
        progression=[bp.AddDose(what="reps", amount=2, every_weeks=2, cap=14)],
    )
    assert [bp.dose_in_week(plan, w)[0].reps for w in range(1, 8)] == [10, 10, 12, 12, 14, 14, 14]
    # doses are derived, not stored: the plan still holds week 1 only
    assert plan.prescriptions[0].reps == 10


def test_add_hold_only_grows_exercises_with_a_hold(catalogue: pd.DataFrame) -> None:
    plan = bp.build_plan(
        catalogue,
        "beginners",
        ["heel-raises", "wall-squats"],
        start_date=START,
        weeks=3,
        progression=[bp.AddDose(what="hold_s", amount=5, cap=20)],
    )
    week3 = bp.dose_in_week(plan, 3)
    assert (week3[0].hold_s, week3[1].hold_s) == (0, 15)


def test_next_level_swaps_exercises_and_restarts_progression(catalogue: pd.DataFrame) -> None:
    plan = bp.build_plan(
        catalogue,
        "beginners",
        ["heel-raises"],
        start_date=START,
        weeks=5,
        progression=[
            bp.AddDose(what="reps", amount=1, cap=12),
            bp.next_level(catalogue, from_week=4, exercises=["half-sit-ups"]),
        ],
    )
    assert [bp.level_in_week(plan, w) for w in range(1, 6)] == ["beginners"] * 3 + [
        "more advanced"
    ] * 2
    assert [bp.dose_in_week(plan, w)[0].exercise for w in (3, 4)] == ["heel-raises", "half-sit-ups"]
    assert [bp.dose_in_week(plan, w)[0].reps for w in range(1, 6)] == [10, 11, 12, 5, 6]


# --- saving and loading --------------------------------------------------------------------------


def test_saved_plan_is_versioned_json(tmp_path: Path, beginner_plan: bp.Plan) -> None:
    path = bp.save_plan(beginner_plan, tmp_path / "plans" / "p.json")
    data = json.loads(path.read_text())
    assert data["schema_version"] == bp.SCHEMA_VERSION
    assert data["start_date"] == "2026-01-05"
    assert bp.load_plan(path) == beginner_plan


def test_newer_schema_version_is_refused_clearly(tmp_path: Path, beginner_plan: bp.Plan) -> None:
    data = json.loads(bp.plan_to_json(beginner_plan))
    data["schema_version"] = bp.SCHEMA_VERSION + 1
    path = tmp_path / "future.json"
    path.write_text(json.dumps(data))
    with pytest.raises(
        bp.PlanVersionError, match="newer backplan .*schema version 3.*reads version 2"
    ):
        bp.load_plan(path)
    del data["schema_version"]
    path.write_text(json.dumps(data))
    with pytest.raises(bp.PlanVersionError, match="no 'schema_version'"):
        bp.load_plan(path)


def test_bad_saved_plan_names_file_row_and_field(tmp_path: Path, beginner_plan: bp.Plan) -> None:
    data = json.loads(bp.plan_to_json(beginner_plan))
    data["prescriptions"][2]["reps"] = 500
    data["weeks"] = "six"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(bp.PlanError) as info:
        bp.load_plan(path)
    message = str(info.value)
    assert message.startswith(f"{path}: 2 problems")
    assert "row 3 (abdominal-contraction), column 'reps'" in message and "500" in message
    assert "column 'weeks'" in message


def test_not_json_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{not json")
    with pytest.raises(bp.PlanError, match="(?s)x.json.*JSON text .*line 1"):
        bp.load_plan(path)


def test_save_is_atomic(tmp_path: Path, beginner_plan: bp.Plan, monkeypatch) -> None:
    path = tmp_path / "plan.json"
    bp.save_plan(beginner_plan, path)
    before = path.read_text()
    changed = beginner_plan.model_copy(update={"notes": "changed"})

    def crash(*args: object) -> None:
        raise OSError("disk pulled out")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk pulled out"):
        bp.save_plan(changed, path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]  # no temp file left


# --- property: load(save(plan)) == plan ---------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def _bounded(field: str) -> st.SearchStrategy[int]:
    return st.integers(*DOSE_BOUNDS[field])


@st.composite
def plans(draw: st.DrawFn) -> bp.Plan:
    ids = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True))
    prescriptions = [
        bp.Prescription(
            exercise=i, **{f: draw(_bounded(f)) for f in DOSE_BOUNDS}, per_side=draw(st.booleans())
        )
        for i in ids
    ]
    weeks = draw(st.integers(1, 52))
    rules: list = []
    if draw(st.booleans()):
        what = draw(st.sampled_from(["reps", "hold_s"]))
        top = max(getattr(p, what) for p in prescriptions)
        cap = draw(st.integers(max(top, 1), DOSE_BOUNDS[what][1]))
        rules.append(
            bp.AddDose(
                what=what,
                amount=draw(st.integers(1, 20)),
                every_weeks=draw(st.integers(1, 52)),
                cap=cap,
            )
        )
    if weeks >= 2 and draw(st.booleans()) and not rules:
        rules.append(
            bp.NextLevel(
                from_week=draw(st.integers(2, weeks)),
                level="more advanced",
                prescriptions=[bp.Prescription(exercise="z", reps=5)],
            )
        )
    return bp.Plan(
        patient=draw(_TEXT),
        clinician=draw(_TEXT),
        notes=draw(_TEXT),
        start_date=draw(st.dates(date(2000, 1, 1), date(2100, 1, 1))),
        weeks=weeks,
        level=draw(st.sampled_from(bp.LEVELS)),
        prescriptions=prescriptions,
        progression=rules,
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=plans())
def test_load_of_save_is_the_same_plan(tmp_path: Path, plan: bp.Plan) -> None:
    assert bp.load_plan(bp.save_plan(plan, tmp_path / "p.json")) == plan


# --- restrictions belong to the plan ------------------------------------------------------------

NO_STOMACH = {"avoid_positions": ["lying on stomach"]}


def test_readme_plan_keeps_its_restrictions_at_the_next_level(catalogue: pd.DataFrame) -> None:
    limits = bp.Restrictions(avoid_positions=["lying on stomach"], equipment=[])
    plan = bp.build_plan(
        catalogue, "beginners", start_date=START, weeks=6, sessions_per_day=2,
        restrictions=limits, progression=[bp.next_level(catalogue, from_week=5)],
    )  # fmt: skip
    assert "wall-squats" not in [p.exercise for p in plan.prescriptions]  # needs a wall
    week5 = [p.exercise for p in bp.dose_in_week(plan, 5)]
    assert "prone-leg-raises" not in week5 and week5[0] == "supine-leg-raises"
    assert plan.restrictions == limits
    assert bp.allowed_exercises(catalogue, limits)["id"].tolist() == [
        "ankle-lifts",
        "heel-slides",
        "abdominal-contraction",
        "heel-raises",
        "straight-leg-raises",
        "supine-leg-raises",
        "half-sit-ups",
        "knee-to-chest",
    ]  # fmt: skip  (back-leg-swing needs a chair)


def test_build_and_next_level_refuse_ruled_out_exercises(catalogue: pd.DataFrame) -> None:
    with pytest.raises(bp.PlanError) as info:
        bp.build_plan(catalogue, "more advanced", ["knee-to-chest", "prone-leg-raises"],
                      start_date=START, restrictions=NO_STOMACH)  # fmt: skip
    assert "row 2 (prone-leg-raises, the plan), column 'exercise'" in str(info.value)
    rule = bp.next_level(catalogue, 3, exercises=["prone-leg-raises", "knee-to-chest"])
    with pytest.raises(bp.PlanError, match=r"row 1 \(prone-leg-raises, the next level\)"):
        bp.build_plan(catalogue, "beginners", ["heel-raises"], start_date=START,
                      restrictions=NO_STOMACH, progression=[rule])  # fmt: skip
    with pytest.raises(bp.PlanError, match="spare"):
        bp.next_level(catalogue, 3, exercises=["back-leg-swing"],
                      restrictions={"avoid_targets": ["hip"]})  # fmt: skip
    with pytest.raises(bp.PlanError, match="avoid_positions"):
        bp.build_plan(catalogue, "beginners", start_date=START,
                      restrictions={"avoid_positions": ["upside down"]})  # fmt: skip


def test_a_saved_plan_that_breaks_its_restrictions_is_refused(tmp_path: Path, catalogue) -> None:
    plan = bp.build_plan(catalogue, "beginners", ["heel-raises", "wall-squats"], start_date=START)
    data = json.loads(bp.plan_to_json(plan))
    data["restrictions"] = {"lacks_equipment": ["wall"]}
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data))
    with pytest.raises(bp.PlanError) as info:
        bp.load_plan(path)
    message = str(info.value)
    assert str(path) in message and "row 2 (wall-squats, the plan)" in message
    assert "needs wall" in message


V1_PLAN = {
    "schema_version": 1, "patient": "SYN-0003", "clinician": "SYNTHETIC",
    "start_date": "2026-01-19", "weeks": 8, "notes": "", "level": "beginners",
    "prescriptions": [{"exercise": "heel-slides", "sets": 1, "reps": 10, "per_side": True,
                       "hold_s": 0, "sessions_per_day": 2, "days_per_week": 7}],
    "progression": [{"kind": "add", "what": "reps", "amount": 2, "every_weeks": 2, "cap": 14,
                     "exercises": None},
                    {"kind": "next_level", "from_week": 5, "level": "more advanced",
                     "prescriptions": [{"exercise": "knee-to-chest", "sets": 1, "reps": 5,
                                        "per_side": False, "hold_s": 0, "sessions_per_day": 3,
                                        "days_per_week": 7}]}],
}  # fmt: skip


def test_version_1_files_load_migrated_with_the_same_doses(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps(V1_PLAN))
    plan = bp.load_plan(path)
    assert plan.schema_version == 2 and plan.restrictions.is_empty() and plan.revisions == ()
    assert [bp.dose_in_week(plan, w)[0].reps for w in (1, 3, 5, 7)] == [10, 12, 5, 7]
    assert bp.dose_in_week(plan, 5)[0].sessions_per_day == 3  # v1 meaning kept: no carry-over
    resaved = json.loads(bp.plan_to_json(plan))
    assert resaved["schema_version"] == 2 and resaved["restrictions"]["avoid_positions"] == []


# --- level-up carries over what the physio set -------------------------------------------------


def test_level_up_carries_sets_sessions_and_days(catalogue: pd.DataFrame) -> None:
    plan = bp.build_plan(
        catalogue, "beginners", ["heel-raises", "heel-slides"], start_date=START, weeks=6,
        sets=2, sessions_per_day=2, days_per_week=5,
        progression=[bp.next_level(catalogue, 4, exercises=["half-sit-ups", "knee-to-chest"],
                                   per_exercise={"knee-to-chest": {"sessions_per_day": 3}})],
    )  # fmt: skip
    week4 = {p.exercise: (p.sets, p.reps, p.hold_s, p.sessions_per_day, p.days_per_week)
             for p in bp.dose_in_week(plan, 4)}  # fmt: skip
    # sets / sessions / days carry over; reps and holds reset; a dose set by hand wins
    assert week4 == {"half-sit-ups": (2, 5, 10, 2, 5), "knee-to-chest": (2, 5, 0, 3, 5)}


def test_level_up_without_carry_over_or_with_mixed_values(catalogue: pd.DataFrame) -> None:
    rule = bp.next_level(catalogue, 3, exercises=["knee-to-chest"], carry_over=())
    plan = bp.build_plan(catalogue, "beginners", ["heel-raises"], start_date=START,
                         sessions_per_day=2, progression=[rule])  # fmt: skip
    assert bp.dose_in_week(plan, 3)[0].sessions_per_day == 3
    mixed = bp.build_plan(
        catalogue, "beginners", ["heel-raises", "heel-slides"], start_date=START,
        per_exercise={"heel-raises": {"days_per_week": 3}},
        progression=[bp.next_level(catalogue, 3, exercises=["knee-to-chest"])],
    )  # fmt: skip
    # the plan's exercises differ in days a week: the new level keeps its own
    assert bp.dose_in_week(mixed, 3)[0].days_per_week == 7
    untouched = bp.build_plan(catalogue, "beginners", ["heel-raises"], start_date=START,
                              progression=[bp.next_level(catalogue, 3, exercises=["knee-to-chest"])])  # fmt: skip
    # once a day was the catalogue's, not the physio's: knees to chest keeps 3 times a day
    assert bp.dose_in_week(untouched, 3)[0].sessions_per_day == 3


def test_a_misspelt_restriction_is_an_error_not_a_silent_no_op(catalogue) -> None:
    with pytest.raises(bp.PlanError) as info:
        bp.build_plan(catalogue, "beginners", ["heel-raises"], start_date=START,
                      restrictions={"lacks_equipment": ["wal"], "avoid_targets": ["hips"]})  # fmt: skip
    message = str(info.value)
    assert (
        "column 'restrictions.lacks_equipment': expected one of chair, wall, got 'wal'" in message
    )
    assert "restrictions.avoid_targets" in message and "'hips'" in message
