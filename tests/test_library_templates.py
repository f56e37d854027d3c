"""The plan library, templates and planning choices, as a physio's files see them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import backplan as bp
from backplan.plan.choices import cap_floor, dose_problem, level_after, progression_rules
from backplan.plan.library import PlanClashError, PlanLibrary, plan_file_name
from backplan.plan.templates import (
    TemplateError,
    load_template,
    plan_from_template,
    shipped_templates,
    template_from_plan,
)


@pytest.fixture
def plan(catalogue):
    return bp.build_plan(catalogue, "beginners", patient="Ann Example", start_date="2026-01-05")


def test_file_names_are_safe_and_name_the_patient_and_start(plan) -> None:
    assert plan_file_name(plan) == "ann-example_2026-01-05.json"
    odd = plan.model_copy(update={"patient": "../../etc/passwd ; rm -rf"})
    assert plan_file_name(odd) == "etc-passwd-rm-rf_2026-01-05.json"
    assert plan_file_name(plan.model_copy(update={"patient": "  "})).startswith("no-name_")


def test_two_patients_are_both_kept_and_search_finds_each(tmp_path: Path, plan) -> None:
    lib = PlanLibrary(tmp_path)
    bob = plan.model_copy(update={"patient": "Bob Other"})
    names = [lib.save(plan), lib.save(bob)]
    assert [lib.open(n) for n in names] == [plan, bob]
    assert [e.patient for e in lib.entries("bob")] == ["Bob Other"]
    assert {e.patient for e in lib.entries()} == {"Ann Example", "Bob Other"}
    with pytest.raises(PlanClashError, match="holds the plan of Ann Example"):
        lib.save(bob, names[0])
    assert lib.open(names[0]) == plan
    assert lib.save(bob, names[0], replace_other=True) == names[0]
    assert lib.open(names[0]) == bob


def test_the_same_patient_saves_over_their_own_plan(tmp_path: Path, plan) -> None:
    lib = PlanLibrary(tmp_path)
    name = lib.save(plan)
    longer = plan.model_copy(update={"weeks": 8})
    assert lib.save(longer) == name and lib.open(name).weeks == 8
    assert lib.save_as_new(plan) == "ann-example_2026-01-05-2.json"


def test_a_plan_without_a_patient_label_is_not_saved(tmp_path: Path, plan) -> None:
    lib = PlanLibrary(tmp_path)
    with pytest.raises(bp.BackplanError, match="patient: type the patient's name"):
        lib.save(plan.model_copy(update={"patient": " "}))
    assert list(tmp_path.iterdir()) == []


def test_bad_names_and_files_are_reported_not_followed(tmp_path: Path, plan) -> None:
    lib = PlanLibrary(tmp_path)
    for bad in ("../x.json", "/etc/passwd", "a/b.json", "x.txt"):
        with pytest.raises(bp.BackplanError, match="not a plan file name"):
            lib.open(bad)
    (tmp_path / "broken.json").write_text("{")
    lib.save(plan)
    assert [e.patient for e in lib.entries()] == ["Ann Example"]
    assert lib.problems and lib.problems[0].startswith("broken.json")
    assert str(tmp_path) not in lib.problems[0]


def test_default_folder_is_per_user_and_shown_by_name(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("BACKPLAN_LIBRARY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    lib = PlanLibrary()
    assert lib.folder == tmp_path / "backplan-plans"
    assert lib.label == "'backplan-plans' in your home folder"
    monkeypatch.setenv("BACKPLAN_LIBRARY", str(tmp_path / "clinic" / "plans"))
    assert PlanLibrary().folder == tmp_path / "clinic" / "plans"
    assert os.sep + "tmp" not in PlanLibrary().label


def test_templates_carry_no_patient_data_and_make_plans(tmp_path: Path, plan) -> None:
    t = template_from_plan(plan, "Ours")
    dumped = json.loads(t.model_dump_json())
    assert not {"patient", "clinician", "notes", "start_date"} & set(dumped)
    again = plan_from_template(t, patient="Ann Example", start_date="2026-01-05")
    assert again == plan
    lib = PlanLibrary(tmp_path)
    key = lib.save_template(t)
    assert lib.templates()[key] == t
    with pytest.raises(bp.BackplanError, match="exists already"):
        lib.save_template(t)
    (lib.template_folder / "bad.json").write_text('{"name": "x"}')
    lib.templates()
    assert lib.problems and "bad.json" in lib.problems[0]
    with pytest.raises(TemplateError, match="bad.json"):
        load_template(lib.template_folder / "bad.json")


def test_shipped_templates_follow_their_sources(catalogue) -> None:
    shipped = shipped_templates()
    first = shipped["first-two-weeks"]
    # NHS inform: 5 reps of each exercise 3 times a day; no better in 2 weeks -> GP.
    assert first.weeks == 2 and first.level == "beginners"
    assert {(p.reps, p.sessions_per_day) for p in first.prescriptions} == {(5, 3)}
    assert "NHS inform" in first.source
    daily = shipped["beginners-daily"]
    assert {p.days_per_week for p in daily.prescriptions} == {7}
    assert [p.exercise for p in daily.prescriptions] == list(
        catalogue.loc[catalogue.level == "beginners", "id"]
    )
    advanced = shipped["more-advanced"]
    assert advanced.level == "more advanced"
    for t in shipped.values():
        plan = plan_from_template(t, start_date="2026-01-05")
        assert bp.schedule(plan, catalogue)["week"].max() == t.weeks


def test_choices_give_the_rules_a_form_needs(catalogue) -> None:
    assert level_after(catalogue, "more advanced") is None
    assert dose_problem("reps", 50) is None and dose_problem("reps", 51) == "reps: 1 to 50"
    assert dose_problem("days_per_week", True) == "days a week: 1 to 7"
    assert cap_floor("hold_s", [0, 0]) == 1 and cap_floor("reps", [5, 12]) == 12
    with pytest.raises(bp.BackplanError, match="highest level"):
        progression_rules(catalogue, "more advanced", weeks=6, move_up_week=3)
    with pytest.raises(bp.BackplanError, match="No 'more advanced' exercise"):
        progression_rules(
            catalogue,
            "beginners",
            weeks=6,
            move_up_week=3,
            avoid_positions=["lying on back", "lying on stomach"],
            missing_equipment=["chair"],
        )
    rules = progression_rules(catalogue, "beginners", weeks=6, move_up_week=3)
    assert rules == [bp.next_level(catalogue, 3)]


def test_form_filters_are_the_plans_restrictions_with_one_rule(catalogue) -> None:
    from itertools import combinations

    from backplan.plan.choices import (
        PATIENT_FILTERS,
        exercise_ids,
        filters_of,
        restrictions_from_filters,
    )

    keys = list(PATIENT_FILTERS)
    for n in range(len(keys) + 1):
        for on in combinations(keys, n):
            limits = restrictions_from_filters(on)
            assert filters_of(limits) == (list(on), bp.Restrictions())
            for level in ("beginners", "more advanced"):
                allowed = list(bp.allowed_exercises(catalogue, limits, level=level)["id"])
                assert exercise_ids(catalogue, level, restrictions=limits) == allowed
    # The older keywords still work, through the same rule.
    assert exercise_ids(catalogue, "beginners", missing_equipment=["wall"]) == list(
        bp.allowed_exercises(catalogue, bp.Restrictions(lacks_equipment=["wall"]), "beginners").id
    )
    # An opened plan's other restrictions are kept when filters change, in their order.
    opened = bp.Restrictions(avoid_positions=["sitting", "lying on back"], avoid_targets=["hip"])
    assert filters_of(opened) == (
        ["no_back"],
        bp.Restrictions(avoid_positions=["sitting"], avoid_targets=["hip"]),
    )
    assert restrictions_from_filters(["no_back"], keep=opened) == opened
    assert restrictions_from_filters([], keep=opened) == bp.Restrictions(
        avoid_positions=["sitting"], avoid_targets=["hip"]
    )
    with pytest.raises(bp.BackplanError, match="no_sofa"):
        restrictions_from_filters(["no_sofa"])
    # The next level keeps to them too.
    rules = progression_rules(
        catalogue, "beginners", weeks=6, move_up_week=3,
        restrictions=restrictions_from_filters(["no_stomach", "no_chair"]),
    )  # fmt: skip
    assert [p.exercise for p in rules[0].prescriptions] == [
        "supine-leg-raises", "half-sit-ups", "knee-to-chest"]  # fmt: skip
