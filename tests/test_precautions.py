"""Precautions before a plan: the same machinery as positions, everywhere; a wall is not
equipment."""

from __future__ import annotations

import json

import pytest

import backplan as bp

START = "2026-01-05"


@pytest.mark.parametrize(
    ("precaution", "level", "out"),
    [
        ("hip replacement", "more advanced", {"knee-to-chest"}),
        ("osteoporosis", "more advanced", {"half-sit-ups"}),
        ("vertebral fracture", "more advanced", {"half-sit-ups"}),
        ("pregnancy after 16 weeks", "beginners",
         {"ankle-lifts", "heel-slides", "abdominal-contraction", "straight-leg-raises"}),
    ],
)  # fmt: skip
def test_a_precaution_rules_out_its_exercises(catalogue, precaution, level, out) -> None:
    limits = bp.Restrictions(precautions=[precaution])
    every = set(catalogue.loc[catalogue["level"] == level, "id"])
    assert set(bp.allowed_exercises(catalogue, limits, level)["id"]) == every - out
    plan = bp.build_plan(catalogue, level, start_date=START, restrictions=limits)
    assert not {p.exercise for p in plan.prescriptions} & out


def test_build_level_up_revision_and_load_all_refuse_a_broken_precaution(
    catalogue, tmp_path
) -> None:
    limits = bp.Restrictions(precautions=["hip replacement"])
    with pytest.raises(bp.PlanError, match="does not suit a patient with hip replacement"):
        bp.build_plan(catalogue, "more advanced", ["knee-to-chest"], start_date=START,
                      restrictions=limits)  # fmt: skip
    with pytest.raises(bp.PlanError, match="the next level"):
        bp.build_plan(catalogue, "beginners", ["heel-raises"], start_date=START,
                      restrictions=limits,
                      progression=[bp.next_level(catalogue, 3, exercises=["knee-to-chest"])])  # fmt: skip
    plan = bp.build_plan(catalogue, "beginners", ["heel-raises"], start_date=START,
                         restrictions=limits,
                         progression=[bp.next_level(catalogue, 3)])  # fmt: skip
    assert "knee-to-chest" not in {p.exercise for p in bp.dose_in_week(plan, 3)}
    with pytest.raises(bp.PlanError, match="revision 2"):
        bp.revise(plan, 2, {"knee-to-chest": {"reps": 5}}, why="x", by="y", hold_level=True)
    data = json.loads(bp.plan_to_json(bp.build_plan(catalogue, "more advanced",
                                                    ["knee-to-chest"], start_date=START)))  # fmt: skip
    data["restrictions"]["precautions"] = ["hip replacement"]
    (tmp_path / "p.json").write_text(json.dumps(data))
    with pytest.raises(bp.PlanError, match="hip replacement"):
        bp.load_plan(tmp_path / "p.json")


def test_an_unknown_precaution_is_named(catalogue) -> None:
    with pytest.raises(bp.PlanError, match="restrictions.precautions"):
        bp.build_plan(catalogue, "beginners", start_date=START,
                      restrictions={"precautions": ["bad knee"]})  # fmt: skip


def test_a_wall_is_not_equipment(catalogue) -> None:
    nothing = bp.Restrictions(equipment=[])
    assert "wall-squats" in set(bp.allowed_exercises(catalogue, nothing)["id"])
    assert "back-leg-swing" not in set(bp.allowed_exercises(catalogue, nothing)["id"])
    no_wall = bp.Restrictions(lacks_equipment=["wall"])
    assert "wall-squats" not in set(bp.allowed_exercises(catalogue, no_wall)["id"])


def test_precautions_are_said_in_words() -> None:
    said = bp.Restrictions(precautions=["recent spinal surgery"]).describe()
    assert said == ["Recent spinal surgery: follow the surgeon's protocol: only exercises it "
                    "allows (ask before adding any)."]  # fmt: skip
