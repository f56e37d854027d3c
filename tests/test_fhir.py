"""FHIR R4 exchange: plans out as CarePlans and back exactly, logs in from Observations."""

from __future__ import annotations

import contextlib
import copy
import json
import socket
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backplan as bp
from backplan.catalogue import split_list
from backplan.cli import main
from backplan.fhir import FhirError, from_fhir, logs_from_fhir, logs_to_fhir, to_fhir
from backplan.fhir.extensions import RESTRICTION_FIELDS, REVISION_DOSE_FIELDS, REVISION_FIELDS
from backplan.fhir.mapping import PLAN_FIELDS, PRESCRIPTION_FIELDS, RULE_FIELDS
from backplan.plan.rules import DECISIONS, DOSE_BOUNDS

CAT = bp.load_catalogue()
IDS = list(CAT["id"])
EQUIPMENT = sorted({w for cell in CAT["equipment"] for w in split_list(cell)} - {"none"})
TARGETS = sorted({w for cell in CAT["targets"] for w in split_list(cell)})


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network use")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def plan() -> bp.Plan:
    return bp.build_plan(
        CAT,
        "beginners",
        ["heel-slides", "wall-squats"],
        patient="SYN-0001",
        clinician="A. Physio",
        notes="Stop if the pain spreads down a leg.",
        start_date=date(2026, 1, 5),
        weeks=8,
        days_per_week=5,
        progression=[
            bp.AddDose(what="reps", amount=2, every_weeks=2, cap=14),
            bp.AddDose(what="hold_s", amount=5, cap=20, exercises=("wall-squats",)),
            bp.next_level(CAT, 5, exercises=["knee-to-chest"]),
        ],
    )


def _careplan(bundle: dict) -> dict:
    return bundle["entry"][0]["resource"]


# --- plan -> CarePlan --------------------------------------------------------------------------


def test_careplan_carries_what_a_record_needs(plan: bp.Plan, no_network: None) -> None:
    bundle = to_fhir(plan)
    Bundle.model_validate(bundle)  # valid under the R4B models, checked independently here
    cp = _careplan(bundle)
    assert (cp["status"], cp["intent"]) == ("active", "plan")
    assert cp["subject"] == {
        "identifier": {"system": bp.fhir.mapping.PATIENT_LABEL_SYSTEM, "value": "SYN-0001"},
        "display": "SYN-0001",
    }
    assert cp["period"] == {"start": "2026-01-05", "end": "2026-03-01"}
    assert cp["author"] == {"display": "A. Physio"}
    first = cp["activity"][0]["detail"]
    codes = {(c["system"], c["code"]) for c in first["code"]["coding"]}
    assert ("http://snomed.info/sct", "229065009") in codes
    assert first["code"]["text"] == "Heel slides"
    assert first["quantity"]["value"] == 10
    # 1 session a day on 5 days a week: 5 a week, bounded to weeks 1 to 2 (reps +2 in week 3)
    assert first["scheduledTiming"]["repeat"] == {
        "boundsPeriod": {"start": "2026-01-05", "end": "2026-01-18"},
        "frequency": 5,
        "period": 1,
        "periodUnit": "wk",
    }
    assert first["description"].startswith("Weeks 1 to 2: 10 times on each leg")
    assert "How to do it:\n1. Lie on your back" in first["description"]
    squat = cp["activity"][2]["detail"]
    assert "hold each for 5 seconds" in squat["description"]
    # progression: one activity per stretch of weeks with one dose, next level from week 5
    spans = [
        (a["detail"]["code"]["text"], a["detail"]["scheduledTiming"]["repeat"]["boundsPeriod"])
        for a in cp["activity"]
    ]
    assert spans[-2:] == [
        ("Knees to chest (eases strain)", {"start": "2026-02-02", "end": "2026-02-15"}),
        ("Knees to chest (eases strain)", {"start": "2026-02-16", "end": "2026-03-01"}),
    ]
    assert [a["detail"]["quantity"]["value"] for a in cp["activity"][-2:]] == [5, 7]


def test_narrative_escapes_user_text(catalogue: pd.DataFrame) -> None:
    plan = bp.build_plan(catalogue, "beginners", ["heel-slides"], patient="<b>x</b> & co",
                         start_date="2026-01-05", weeks=1)  # fmt: skip
    div = _careplan(to_fhir(plan))["text"]["div"]
    assert "&lt;b&gt;x&lt;/b&gt; &amp; co" in div and "<b>" not in div


def test_only_the_label_identifies_the_patient(plan: bp.Plan) -> None:
    text = json.dumps(to_fhir(plan))
    assert "Patient/" not in text and '"birthDate"' not in text
    unnamed = plan.model_copy(update={"patient": ""})
    subject = _careplan(to_fhir(unnamed))["subject"]
    assert "display" not in subject and "identifier" not in subject
    assert from_fhir(to_fhir(unnamed)).patient == ""


# --- round trip --------------------------------------------------------------------------------

# FHIR strings allow no control characters but tab, CR and LF
_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters="\t\n\r"),
    max_size=30,
).filter(lambda s: not (s.isspace() and set(s) - set(" \t\r\n")))  # see the test below


def _prescriptions(draw: st.DrawFn, ids: list[str]) -> list[bp.Prescription]:
    return [
        bp.Prescription(exercise=i, per_side=draw(st.booleans()),
                        **{f: draw(st.integers(*DOSE_BOUNDS[f])) for f in DOSE_BOUNDS})
        for i in ids
    ]  # fmt: skip


@st.composite
def restrictions(draw: st.DrawFn) -> tuple[bp.Restrictions, list[str]]:
    """Restrictions that leave at least one exercise, and the exercises they allow."""
    r = bp.Restrictions(
        avoid_positions=draw(st.lists(st.sampled_from(bp.POSITIONS), max_size=3, unique=True)),
        equipment=draw(st.none() | st.lists(st.sampled_from(EQUIPMENT), unique=True)),
        lacks_equipment=draw(st.lists(st.sampled_from(EQUIPMENT), max_size=1, unique=True)),
        avoid_targets=draw(st.lists(st.sampled_from(TARGETS), max_size=2, unique=True)),
    )
    allowed = list(bp.allowed_exercises(CAT, r)["id"])
    return (r, allowed) if allowed else (bp.Restrictions(), IDS)


# naive, UTC and odd offsets: FHIR needs a zone on a time, so naive ones travel as text
_WHEN = st.datetimes(
    datetime(2000, 1, 1), datetime(2100, 1, 1),
    timezones=st.none() | st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-14))]),
)  # fmt: skip


def _revised(draw: st.DrawFn, plan: bp.Plan, allowed: list[str]) -> bp.Plan:
    """``plan`` after up to three revisions made through the public API (``bp.revise``)."""
    for _ in range(draw(st.integers(0, 3))):
        named = draw(st.lists(st.sampled_from(allowed), max_size=2, unique=True))
        fields = st.lists(st.sampled_from(list(DOSE_BOUNDS)), max_size=3, unique=True)
        doses = {ex: {f: draw(st.integers(*DOSE_BOUNDS[f])) for f in draw(fields)} for ex in named}
        known = sorted({p.exercise for p in plan.all_prescriptions()})
        with contextlib.suppress(bp.PlanError):  # e.g. stopping every exercise: not a plan
            plan = bp.revise(
                plan, draw(st.integers(1, plan.weeks)), doses,
                why=draw(_TEXT.filter(bool)), by=draw(_TEXT.filter(bool)),
                stop=draw(st.lists(st.sampled_from(known), max_size=1)),
                decision=draw(st.sampled_from(["edit", *DECISIONS])),
                hold_level=draw(st.booleans()), when=draw(_WHEN), catalogue=CAT,
            )  # fmt: skip
    return plan


@st.composite
def plans(draw: st.DrawFn) -> bp.Plan:
    limits, allowed = draw(restrictions())
    ids = draw(st.lists(st.sampled_from(allowed), min_size=1, max_size=4, unique=True))
    prescriptions = _prescriptions(draw, ids)
    weeks = draw(st.integers(1, 12))
    rules: list = []
    nxt = None
    if weeks >= 2 and draw(st.booleans()):
        later = draw(st.lists(st.sampled_from(allowed), min_size=1, max_size=3, unique=True))
        nxt = bp.NextLevel(from_week=draw(st.integers(2, weeks)), level=draw(_TEXT.filter(bool)),
                           prescriptions=_prescriptions(draw, later))  # fmt: skip
    everyone = prescriptions + (list(nxt.prescriptions) if nxt else [])
    for _ in range(draw(st.integers(0, 2))):
        what = draw(st.sampled_from(["reps", "hold_s"]))
        top = max(getattr(p, what) for p in everyone)
        scope = draw(st.none() | st.lists(st.sampled_from(IDS), max_size=3, unique=True))
        rules.append(
            bp.AddDose(what=what, amount=draw(st.integers(1, 20)),
                       every_weeks=draw(st.integers(1, 6)),
                       cap=draw(st.integers(max(top, 1), DOSE_BOUNDS[what][1])),
                       exercises=None if scope is None else tuple(scope))
        )  # fmt: skip
    if nxt is not None:
        rules.insert(draw(st.integers(0, len(rules))), nxt)
    texts = {field: draw(_TEXT) for field in ("patient", "clinician", "notes")}
    day = draw(st.dates(date(2000, 1, 1), date(2100, 1, 1)))
    level = draw(st.sampled_from(bp.LEVELS))
    plan = bp.Plan(start_date=day, weeks=weeks, level=level, prescriptions=prescriptions,
                   progression=rules, restrictions=limits, **texts)  # fmt: skip
    return _revised(draw, plan, allowed)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans())
def test_plan_to_fhir_and_back_is_the_same_plan(plan: bp.Plan) -> None:
    text = json.dumps(to_fhir(plan))  # through JSON text, as a record system would send it
    back = from_fhir(text)
    assert back == plan
    for old, new in zip(plan.revisions, back.revisions, strict=True):  # == ignores the zone
        assert new.made_at.utcoffset() == old.made_at.utcoffset()


def test_every_model_field_has_a_row_in_the_mapping() -> None:
    """A field added to the plan models fails here until the mapping carries it."""
    assert set(bp.Plan.model_fields) == set(PLAN_FIELDS)
    assert set(bp.Prescription.model_fields) == set(PRESCRIPTION_FIELDS)
    rule_fields = set(bp.AddDose.model_fields) | set(bp.NextLevel.model_fields)
    assert rule_fields == set(RULE_FIELDS)
    assert set(bp.Restrictions.model_fields) == set(RESTRICTION_FIELDS)
    assert set(bp.Revision.model_fields) == set(REVISION_FIELDS)
    assert set(bp.Prescription.model_fields) == set(REVISION_DOSE_FIELDS)


def test_a_bare_careplan_is_read_too(plan: bp.Plan) -> None:
    assert from_fhir(_careplan(to_fhir(plan))) == plan


# --- validation and errors ---------------------------------------------------------------------


def test_invalid_fhir_names_the_element_path(plan: bp.Plan) -> None:
    bundle = to_fhir(plan)
    _careplan(bundle)["activity"][2]["detail"]["scheduledTiming"]["repeat"]["frequency"] = "x"
    with pytest.raises(FhirError) as info:
        from_fhir(bundle)
    assert isinstance(info.value, bp.BackplanError)
    (problem,) = info.value.problems
    assert problem.path == (
        "Bundle.entry[0].resource.activity[2].detail.scheduledTiming.repeat.frequency"
    )
    assert problem.got == "x"


def test_a_dose_changed_in_the_record_is_not_silently_ignored(plan: bp.Plan) -> None:
    bundle = to_fhir(plan)
    _careplan(bundle)["activity"][3]["detail"]["quantity"]["value"] = 13
    with pytest.raises(FhirError, match=r"activity\[3\]\.detail\.quantity.*expected 10 .*got 13"):
        from_fhir(bundle)


def test_out_of_range_values_name_their_element(plan: bp.Plan) -> None:
    bundle = to_fhir(plan)
    _careplan(bundle)["activity"][0]["detail"]["quantity"]["value"] = 99
    with pytest.raises(FhirError, match=r"activity\[0\]\.detail\.quantity\.value: .*50"):
        from_fhir(bundle)
    bundle = to_fhir(plan)
    del _careplan(bundle)["period"]["end"]
    with pytest.raises(FhirError, match=r"resource\.period\.end: expected a date"):
        from_fhir(bundle)


def test_text_fhir_cannot_carry_is_refused_on_write(plan: bp.Plan) -> None:
    with pytest.raises(FhirError, match=r"CarePlan\.description: expected text without control"):
        to_fhir(plan.model_copy(update={"notes": "bell\x07"}))


def test_an_unknown_exercise_is_refused_on_write(plan: bp.Plan) -> None:
    other = plan.model_copy(update={"prescriptions": (bp.Prescription(exercise="yoga", reps=5),)})
    with pytest.raises(FhirError, match="a catalogue exercise, got 'yoga'"):
        to_fhir(other)


def test_plan_from_a_newer_backplan(plan: bp.Plan) -> None:
    bundle = to_fhir(plan)
    _careplan(bundle)["extension"][0]["valueInteger"] = 9
    with pytest.raises(bp.PlanVersionError, match="newer backplan"):
        from_fhir(bundle)


def test_not_a_careplan_bundle() -> None:
    empty = {"resourceType": "Bundle", "type": "collection", "entry": []}
    with pytest.raises(FhirError, match="Bundle.entry: expected exactly one CarePlan, got 0"):
        from_fhir(empty)
    with pytest.raises(FhirError, match="resourceType: expected Bundle or CarePlan"):
        from_fhir({"resourceType": "Patient"})


# --- restrictions and revisions ----------------------------------------------------------------

START = date(2026, 1, 5)
RESTRICTED = bp.Restrictions(avoid_positions=["lying on stomach"], lacks_equipment=["chair"])


@pytest.fixture(scope="module")
def held() -> bp.Plan:
    """A plan with restrictions, held at its level by a review (50% of reps done)."""
    plan = bp.build_plan(CAT, "beginners", ["heel-slides", "wall-squats"], patient="SYN-0002",
                         clinician="A. Physio", start_date=START, weeks=6, restrictions=RESTRICTED,
                         progression=[bp.next_level(CAT, 4, exercises=["knee-to-chest"])])  # fmt: skip
    rows = [
        {"patient": plan.patient, "exercise": p.exercise, "sets_done": p.sets,
         "date": (START + timedelta(days=7 * (week - 1) + day)).isoformat(),
         "reps_done": p.reps // 2, "pain": 2.0}
        for week in (1, 2, 3) for day in range(7) for p in bp.dose_in_week(plan, week)
    ]  # fmt: skip
    decision = bp.review(plan, pd.DataFrame(rows), week=3)
    assert decision.decision == "hold"
    when = datetime(2026, 1, 26, 9, 30, tzinfo=UTC)
    return bp.apply_review(plan, decision, by="A. Physio", when=when, catalogue=CAT)


def test_restrictions_travel_as_notes_and_an_exact_extension(held: bp.Plan) -> None:
    cp = _careplan(to_fhir(held))
    (limits,) = [e for e in cp["extension"] if e["url"].endswith("/plan-restrictions")]
    assert limits["extension"] == [
        {"url": "avoid-position", "valueCode": "lying on stomach"},
        {"url": "lacks-equipment", "valueString": "chair"},
    ]
    notes = [n["text"] for n in cp["note"]]
    assert notes[:2] == ["Restriction: No exercises lying on stomach.",
                         "Restriction: No exercises that need: chair."]  # fmt: skip
    assert "<li>No exercises lying on stomach.</li>" in cp["text"]["div"]
    # "equipment at home: nothing" is not "equipment not recorded"
    for equipment in ((), None):
        r = RESTRICTED.model_copy(update={"equipment": equipment})
        plan = bp.build_plan(CAT, "beginners", ["heel-slides"], start_date=START, restrictions=r)
        assert from_fhir(to_fhir(plan)).restrictions.equipment == equipment


def test_activities_follow_the_revision_in_force(held: bp.Plan) -> None:
    cp = _careplan(to_fhir(held))
    rows = [
        (a["detail"]["status"], a["detail"]["code"]["coding"][1]["code"],
         a["detail"]["scheduledTiming"]["repeat"]["boundsPeriod"]["start"],
         a["detail"]["quantity"]["value"])
        for a in cp["activity"]
    ]  # fmt: skip
    # the hold keeps the patient at beginners from week 4: the planned level-up is cancelled
    assert rows == [
        ("scheduled", "heel-slides", "2026-01-05", 10),
        ("scheduled", "wall-squats", "2026-01-05", 10),
        ("cancelled", "knee-to-chest", "2026-01-26", 5),
        ("scheduled", "heel-slides", "2026-01-26", 10),
        ("scheduled", "wall-squats", "2026-01-26", 10),
    ]
    cancelled = cp["activity"][2]["detail"]
    assert cancelled["statusReason"]["text"].startswith("Replaced by revision 2 (from week 4")
    later = cp["activity"][3]["detail"]
    assert {"url": "revision", "valueInteger": 2} in later["extension"][0]["extension"]
    assert "Dose set by revision 2" in later["description"]
    done = cp["text"]["div"].split("<p>Restrictions")[0]  # the narrative lists what is done
    assert "Knees to chest" not in done and done.count("Heel slides") == 2


def test_revision_history_travels_exactly(held: bp.Plan) -> None:
    later = bp.revise(held, 5, {"heel-slides": {"reps": 8}}, stop=["wall-squats"],
                      why="Pain <up> in week 4.", by="B. Physio", decision="step back",
                      hold_level=True, when=datetime(2026, 2, 1, 18, 5), catalogue=CAT)  # fmt: skip
    cp = _careplan(to_fhir(later))
    revisions = [e for e in cp["extension"] if e["url"].endswith("/plan-revision")]
    assert len(revisions) == 2
    parts = {e["url"]: e for e in revisions[1]["extension"]}
    assert parts["stop"] == {"url": "stop", "valueCode": "wall-squats"}
    assert parts["made-at"] == {"url": "made-at", "valueString": "2026-02-01T18:05:00"}
    note = cp["note"][-1]
    assert note["authorString"] == "B. Physio" and "time" not in note  # no zone: no FHIR time
    assert note["text"].startswith("Revision 3 (step back), from week 5: Heel slides: reps 10")
    assert "Pain &lt;up&gt; in week 4." in cp["text"]["div"]
    assert cp["note"][-2]["time"] == "2026-01-26T09:30:00+00:00"
    back = from_fhir(json.dumps(to_fhir(later)))
    assert back == later
    assert bp.revision_history(back).equals(bp.revision_history(later))
    assert [p.exercise for p in bp.dose_in_week(back, 5)] == ["heel-slides"]


def test_a_revision_changed_in_the_record_must_match_its_activities(held: bp.Plan) -> None:
    bundle = to_fhir(held)
    cp = _careplan(bundle)
    j = next(j for j, e in enumerate(cp["extension"]) if e["url"].endswith("/plan-revision"))
    cp["extension"][j]["extension"][3]["extension"][2]["valueInteger"] = 12  # heel-slides reps
    with pytest.raises(FhirError, match=r"activity\[3\]\.detail\.quantity.*expected 12 .*got 10"):
        from_fhir(bundle)
    cp["extension"][j]["extension"][3]["extension"][2]["valueInteger"] = 99
    path = rf"resource\.extension\[{j}\]\.extension\[3\]\.extension\[2\]: .*50"
    with pytest.raises(FhirError, match=path):
        from_fhir(bundle)
    del cp["extension"][j]["extension"][7]  # who made it
    with pytest.raises(FhirError, match=rf"extension\[{j}\]\.extension: expected a sub-exte.*'by'"):
        from_fhir(bundle)


def test_a_restriction_the_exercises_break_names_the_activity(held: bp.Plan) -> None:
    bundle = to_fhir(held)
    cp = _careplan(bundle)
    limits = next(e for e in cp["extension"] if e["url"].endswith("/plan-restrictions"))
    limits["extension"].insert(0, {"url": "avoid-position", "valueCode": "lying on back"})
    with pytest.raises(FhirError) as info:
        from_fhir(bundle)
    j = cp["extension"].index(next(e for e in cp["extension"] if "plan-revision" in e["url"]))
    # heel slides in the plan, knees to chest in the next level, heel slides in revision 2
    assert [p.path.removeprefix("Bundle.entry[0].resource.") for p in info.value.problems] == [
        "activity[0].detail.code.coding",
        "activity[2].detail.code.coding",
        f"extension[{j}].extension[3].extension[0]",
    ]
    assert "lying on back" in str(info.value) and "heel-slides" in str(info.value)
    limits["extension"][0] = {"url": "avoid-posture", "valueCode": "sitting"}
    with pytest.raises(FhirError, match=r"extension\[\d\]\.extension\[0\]\.url: expected one of"):
        from_fhir(bundle)


# --- logs from Observations --------------------------------------------------------------------


def test_logs_through_fhir_match_read_logs(no_network: None) -> None:
    cohort = bp.synthetic_cohort(n_patients=3, weeks=3)
    direct = bp.read_logs(cohort.logs, cohort.plans)
    bundle = logs_to_fhir(direct.accepted)
    Bundle.model_validate(bundle)
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls)  # exact duplicate rows still get their own entry
    via = logs_from_fhir(json.dumps(bundle), cohort.plans)
    assert len(via.rejected) == 0 and via.rows_read == len(direct.accepted)
    assert list(via.accepted["row"]) == list(range(len(direct.accepted)))
    columns = list(bp.LOG_COLUMNS)
    left = direct.accepted[columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(via.accepted[columns], left, check_dtype=False)


def _obs(i: int, **change: Any) -> dict:
    row = {"patient": "P1", "date": "2026-01-05", "exercise": "heel-slides", "sets_done": 1,
           "reps_done": 10, "pain": 2, "note": f"day {i}"}  # fmt: skip
    return logs_to_fhir(pd.DataFrame([row]))["entry"][0] | change


@pytest.fixture()
def diary_plan(catalogue: pd.DataFrame) -> bp.Plan:
    return bp.build_plan(catalogue, "beginners", ["heel-slides"], patient="P1",
                         start_date="2026-01-05", weeks=2)  # fmt: skip


def test_bad_entries_are_rejected_with_their_fhir_path(diary_plan: bp.Plan) -> None:
    entries = [_obs(i) for i in range(9)]

    def res(i: int) -> dict:
        return entries[i]["resource"]

    res(1)["component"][2]["valueInteger"] = 11  # pain
    res(2)["component"][0]["valueInteger"] = -1  # sets
    res(3)["effectiveDateTime"] = "2026-03-02"  # after the plan
    res(4)["code"]["coding"][1]["code"] = "yoga"
    del res(5)["component"][1]  # sets without reps
    res(6)["status"] = "entered-in-error"
    res(7)["component"][2]["valueInteger"] = "ten"  # not FHIR
    entries[8] = {"resource": {"resourceType": "Patient"}}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    table = logs_from_fhir(bundle, [diary_plan], source="diary.json")
    assert table.rows_read == 9 and len(table.accepted) + len(table.rejected) == 9
    got = {(r.row, r.column, r.reason) for r in table.rejected.itertuples()}
    root = "Bundle.entry[{}].resource"
    assert got == {
        (1, root.format(1) + ".component[2].valueInteger", "pain outside 0-10"),
        (2, root.format(2) + ".component[0].valueInteger", "negative count"),
        (3, root.format(3) + ".effectiveDateTime", "date after plan end"),
        (4, root.format(4) + ".code.coding", "unknown exercise"),
        (5, root.format(5) + ".component", "only one of sets_done and reps_done"),
        (6, root.format(6) + ".status", "not a final record"),
        (7, root.format(7) + ".component[2].valueInteger", "invalid FHIR"),
        (8, root.format(8) + ".resourceType", "not an exercise record"),
    }
    assert set(table.rejected["file"]) == {"diary.json"}
    assert all(p.file == "diary.json" for p in table.problem_list())


def test_log_dates_keep_the_day_the_patient_wrote() -> None:
    entry = _obs(0)
    entry["resource"]["effectiveDateTime"] = "2026-01-05T23:30:00+01:00"
    table = logs_from_fhir({"resourceType": "Bundle", "type": "collection", "entry": [entry]})
    assert table.accepted["date"].tolist() == [pd.Timestamp("2026-01-05")]


def test_a_bundle_that_is_not_a_bundle() -> None:
    with pytest.raises(FhirError, match="resourceType: expected a Bundle of Observations"):
        logs_from_fhir({"resourceType": "Observation"})


# --- command line ------------------------------------------------------------------------------


def test_cli_plan_to_fhir_and_back(plan: bp.Plan, tmp_path: Path, capsys) -> None:
    saved = bp.save_plan(plan, tmp_path / "plan.json")
    out = tmp_path / "careplan.json"
    assert main(["fhir", str(saved), "-o", str(out)]) == 0
    assert json.loads(out.read_text())["resourceType"] == "Bundle"
    back = tmp_path / "back.json"
    assert main(["fhir", str(out), "-o", str(back)]) == 0
    assert bp.load_plan(back) == plan
    assert "wrote plan" in capsys.readouterr().out


def test_cli_error_is_one_line_and_exit_2(plan: bp.Plan, tmp_path: Path, capsys) -> None:
    bundle = to_fhir(plan)
    _careplan(bundle)["activity"][0]["detail"]["quantity"]["value"] = "many"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bundle))
    out = tmp_path / "plan.json"
    assert main(["fhir", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "activity[0].detail.quantity.value" in err
    assert not out.exists()


def test_to_fhir_does_not_change_the_plan(plan: bp.Plan) -> None:
    before = copy.deepcopy(plan)
    to_fhir(plan)
    assert plan == before


@pytest.mark.parametrize(
    "module", ["", "._base", ".mapping", ".careplan", ".reading", ".extensions", ".observations"]
)
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"backplan.fhir{module}"))
    assert result.failed == 0 and result.attempted > 0


def test_cli_turns_a_fhir_diary_into_a_log_csv(tmp_path: Path, capsys) -> None:
    entries = [_obs(0), _obs(1), _obs(2)]
    entries[1]["resource"]["status"] = "preliminary"
    entries[2]["resource"]["note"] = [{"text": "=HYPERLINK(1)"}]
    diary = tmp_path / "diary.json"
    diary.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))
    out = tmp_path / "logs.csv"
    assert main(["fhir", str(diary), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "rejected: entry 1: Bundle.entry[1].resource.status: not a final record" in printed
    assert "3 entries: 2 written, 1 rejected" in printed
    again = bp.read_logs(out)
    assert len(again.accepted) == 2 and len(again.rejected) == 0
    assert again.accepted["note"].tolist() == ["day 0", "'=HYPERLINK(1)"]  # safe in a spreadsheet


def test_instructions_carry_the_dose_not_placeholders() -> None:
    cat = bp.load_catalogue()
    for level in ("beginners", "more advanced"):
        plan = bp.build_plan(cat, level, start_date="2026-01-05", reps=7)
        bundle = bp.fhir.to_fhir(plan, cat)
        (careplan,) = [e["resource"] for e in bundle["entry"]
                       if e["resource"]["resourceType"] == "CarePlan"]  # fmt: skip
        for activity in careplan["activity"]:
            text = activity["detail"]["description"]
            assert "{" not in text and "}" not in text, text


def test_text_of_only_unusual_spaces_is_a_clear_error(plan: bp.Plan) -> None:
    # fhir.resources reads FHIR's string pattern with Python's \s: a note that is nothing
    # but no-break spaces is refused, naming the element, never written half-valid.
    with pytest.raises(FhirError, match=r"CarePlan\.description"):
        to_fhir(plan.model_copy(update={"notes": "\xa0"}))
    assert from_fhir(to_fhir(plan.model_copy(update={"notes": "a\xa0b"}))).notes == "a\xa0b"
