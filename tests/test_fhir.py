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
from fuzz_inputs import fuzz
from hypothesis import given
from hypothesis import strategies as st

import backplan as bp
from backplan.catalogue import split_list
from backplan.cli import main
from backplan.fhir import FhirError, from_fhir, logs_from_fhir, logs_to_fhir, to_fhir
from backplan.fhir._base import EXERCISE_SYSTEM
from backplan.fhir.extensions import RESTRICTION_FIELDS, REVISION_DOSE_FIELDS, REVISION_FIELDS
from backplan.fhir.invariants import clean_text
from backplan.fhir.legacy import DETAIL_FIELDS
from backplan.fhir.mapping import PLAN_FIELDS, RULE_FIELDS
from backplan.fhir.requests import PRESCRIPTION_FIELDS
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


def _of(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _careplan(bundle: dict) -> dict:
    (cp,) = _of(bundle, "CarePlan")
    return cp


def _index(bundle: dict, kind: str = "CarePlan") -> int:
    return next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == kind)


# --- plan -> CarePlan --------------------------------------------------------------------------


def test_careplan_carries_what_a_record_needs(plan: bp.Plan, no_network: None) -> None:
    bundle = to_fhir(plan, as_of=date(2026, 1, 20))
    Bundle.model_validate(bundle)  # valid under the R4B models, checked independently here
    assert bundle["type"] == "transaction"
    assert [e["request"]["method"] for e in bundle["entry"]] == ["POST"] + ["PUT"] * (
        len(bundle["entry"]) - 1
    )
    (patient,) = _of(bundle, "Patient")
    assert patient["identifier"] == [
        {"system": f"{bp.fhir.CANONICAL}/sid/patient-label", "value": "SYN-0001"}
    ]
    assert set(patient) == {"resourceType", "id", "identifier"}  # nothing else about the person
    cp = _careplan(bundle)
    assert (cp["status"], cp["intent"], cp["id"]) == ("active", "plan", plan.plan_id)
    assert cp["meta"] == {"versionId": "1"}
    assert cp["subject"] == {"reference": f"urn:uuid:{patient['id']}", "display": "SYN-0001"}
    assert cp["period"] == {"start": "2026-01-05", "end": "2026-03-01"}
    assert cp["author"] == {"display": "A. Physio"}
    requests = _of(bundle, "ServiceRequest")
    assert [a["reference"]["reference"] for a in cp["activity"]] == [
        f"urn:uuid:{sr['id']}" for sr in requests
    ]
    first = requests[0]
    assert first["performer"] == [cp["subject"]] and first["subject"] == cp["subject"]
    codes = {(c["system"], c["code"]) for c in first["code"]["coding"]}
    assert ("http://snomed.info/sct", "229065009") in codes
    assert first["code"]["text"] == "Heel slides"
    assert first["quantityQuantity"]["value"] == 20  # 1 set x 10 on each leg
    # 1 session a day on 5 days a week, weeks 1 to 2 (reps +2 in week 3): 10 sessions
    assert first["occurrenceTiming"]["repeat"] == {
        "boundsPeriod": {"start": "2026-01-05", "end": "2026-01-18"},
        "count": 10,
        "frequency": 1,
        "period": 1,
        "periodUnit": "d",
    }
    assert first["occurrenceTiming"]["code"]["text"] == "Once a day, on 5 days a week"
    assert first["status"] == "completed" and requests[1]["status"] == "active"
    assert first["patientInstruction"].startswith("Weeks 1 to 2: 10 times on each leg")
    assert "How to do it:\n1. Lie on your back" in first["patientInstruction"]
    squat = requests[2]
    assert "hold each for 5 seconds" in squat["patientInstruction"]
    spans = [
        (sr["code"]["text"], sr["occurrenceTiming"]["repeat"]["boundsPeriod"]) for sr in requests
    ]
    assert spans[-2:] == [
        ("Knees to chest (eases strain)", {"start": "2026-02-02", "end": "2026-02-15"}),
        ("Knees to chest (eases strain)", {"start": "2026-02-16", "end": "2026-03-01"}),
    ]
    dose = {e["url"]: e for e in requests[-1]["extension"][0]["extension"]}
    assert dose["reps"]["valueInteger"] == 7
    (prov,) = _of(bundle, "Provenance")
    assert prov["target"][0]["reference"] == f"CarePlan/{plan.plan_id}/_history/1"


def test_standard_elements_carry_the_whole_dose(catalogue: pd.DataFrame) -> None:
    """3 sets x 5 on each leg, 15 s hold, twice a day on 3 days a week: nothing understated."""
    plan = bp.build_plan(catalogue, "beginners", ["heel-slides"], patient="P",
                         start_date="2026-01-05", weeks=2, sets=3, reps=5, hold_s=5,
                         sessions_per_day=2, days_per_week=3)  # fmt: skip
    (sr,) = _of(to_fhir(plan), "ServiceRequest")
    assert sr["quantityQuantity"] == {"value": 30, "unit": "repetitions in one session",
                                      "system": "http://unitsofmeasure.org",
                                      "code": "{repetitions}"}  # fmt: skip
    repeat = sr["occurrenceTiming"]["repeat"]
    assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == (2, 1, "d")
    assert repeat["count"] == 12  # 2 a day x 3 days x 2 weeks, not 2 a day every day
    assert sr["occurrenceTiming"]["code"]["text"] == "Twice a day, on 3 days a week"
    assert sr["patientInstruction"].startswith(
        "Weeks 1 to 2: 3 rounds of 5 times on each leg, hold each for 5 seconds, twice a day, "
        "on 3 days a week."
    )


def test_completed_after_the_plan_ends(plan: bp.Plan) -> None:
    cp = _careplan(to_fhir(plan, as_of="2026-03-02"))
    assert cp["status"] == "completed"
    assert {sr["status"] for sr in _of(to_fhir(plan, as_of="2026-03-02"), "ServiceRequest")} == {
        "completed"
    }
    assert _careplan(to_fhir(plan, as_of="2026-03-01"))["status"] == "active"


def test_narrative_escapes_user_text(catalogue: pd.DataFrame) -> None:
    plan = bp.build_plan(catalogue, "beginners", ["heel-slides"], patient="<b>x</b> & co",
                         start_date="2026-01-05", weeks=1)  # fmt: skip
    div = _careplan(to_fhir(plan))["text"]["div"]
    assert "&lt;b&gt;x&lt;/b&gt; &amp; co" in div and "<b>" not in div


def test_only_the_label_identifies_the_patient(plan: bp.Plan) -> None:
    text = json.dumps(to_fhir(plan))
    assert '"birthDate"' not in text and '"name"' not in text
    unnamed = plan.model_copy(update={"patient": ""})
    bundle = to_fhir(unnamed)
    assert not _of(bundle, "Patient")
    subject = _careplan(bundle)["subject"]
    assert "display" not in subject and "identifier" not in subject
    assert from_fhir(bundle).patient == ""


# --- round trip --------------------------------------------------------------------------------

# FHIR strings allow no control characters but tab, CR and LF
# (odd spaces and trimming: see test_text_is_written_with_plain_spaces_and_trimmed)
_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters="\t\n\r"),
    max_size=30,
).map(clean_text)


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


@fuzz(20, shrink=False)  # make fuzz: 1,000
@given(plan=plans())
def test_property_plan_to_fhir_and_back_is_the_same_plan(plan: bp.Plan) -> None:
    text = json.dumps(to_fhir(plan))  # through JSON text, as a record system would send it
    back = from_fhir(text, catalogue=CAT)
    assert back == plan
    for old, new in zip(plan.revisions, back.revisions, strict=True):  # == ignores the zone
        assert new.made_at.utcoffset() == old.made_at.utcoffset()


def test_every_model_field_has_a_row_in_the_mapping() -> None:
    """A field added to the plan models fails here until the mapping carries it."""
    assert set(bp.Plan.model_fields) == set(PLAN_FIELDS)
    assert set(bp.Prescription.model_fields) == set(PRESCRIPTION_FIELDS)
    assert set(bp.Prescription.model_fields) == set(DETAIL_FIELDS)
    rule_fields = set(bp.AddDose.model_fields) | set(bp.NextLevel.model_fields)
    assert rule_fields == set(RULE_FIELDS)
    assert set(bp.Restrictions.model_fields) == set(RESTRICTION_FIELDS)
    assert set(bp.Revision.model_fields) == set(REVISION_FIELDS)
    assert set(bp.Prescription.model_fields) == set(REVISION_DOSE_FIELDS)


def test_a_bare_careplan_with_contained_requests_is_read_too(plan: bp.Plan) -> None:
    bundle = to_fhir(plan)
    cp = _careplan(bundle)
    cp["contained"] = _of(bundle, "ServiceRequest") + _of(bundle, "Patient")
    for activity in cp["activity"]:
        activity["reference"]["reference"] = "#" + activity["reference"]["reference"][9:]
    cp["subject"] = {"reference": "#" + cp["subject"]["reference"][9:]}  # no display
    for sr in cp["contained"][:-1]:
        sr["subject"] = sr["performer"][0] = cp["subject"]
        del sr["basedOn"]
    assert from_fhir(cp) == plan
    del cp["contained"][1]
    with pytest.raises(FhirError, match=r"CarePlan\.activity\[1\]\.reference: expected a "
                                        r"reference to a ServiceRequest"):  # fmt: skip
        from_fhir(cp)


# --- validation and errors ---------------------------------------------------------------------


def _sr_entry(bundle: dict, k: int) -> tuple[int, dict]:
    """(entry index, resource) of the k-th ServiceRequest."""
    found = [(i, e["resource"]) for i, e in enumerate(bundle["entry"])
             if e["resource"]["resourceType"] == "ServiceRequest"]  # fmt: skip
    return found[k]


def test_invalid_fhir_names_the_element_path(plan: bp.Plan) -> None:
    bundle = to_fhir(plan)
    i, sr = _sr_entry(bundle, 2)
    sr["occurrenceTiming"]["repeat"]["frequency"] = "x"
    with pytest.raises(FhirError) as info:
        from_fhir(bundle)
    assert isinstance(info.value, bp.BackplanError)
    (problem,) = info.value.problems
    assert problem.path == f"Bundle.entry[{i}].resource.occurrenceTiming.repeat.frequency"
    assert problem.got == "x"


def test_a_dose_changed_in_the_record_is_not_silently_ignored(plan: bp.Plan) -> None:
    bundle = to_fhir(plan)
    i, sr = _sr_entry(bundle, 3)
    dose = sr["extension"][0]["extension"]
    dose[1]["valueInteger"] = 13  # reps
    sr["quantityQuantity"]["value"] = 13
    with pytest.raises(
        FhirError, match=rf"entry\[{i}\]\.resource\.extension.*expected 10 .*got 13"
    ):
        from_fhir(bundle)
    # the standard element changed alone: refused, naming it
    bundle = to_fhir(plan)
    i, sr = _sr_entry(bundle, 0)
    sr["quantityQuantity"]["value"] = 40
    with pytest.raises(FhirError, match=rf"entry\[{i}\]\.resource\.quantityQuantity\.value: "
                                        r"expected 20 \(sets x reps x sides"):  # fmt: skip
        from_fhir(bundle)
    sr["quantityQuantity"]["value"] = 20
    sr["occurrenceTiming"]["repeat"]["count"] = 14
    with pytest.raises(FhirError, match=r"repeat\.count: expected 10 sessions in all"):
        from_fhir(bundle)


def test_out_of_range_values_name_their_element(plan: bp.Plan) -> None:
    bundle = to_fhir(plan)
    i, sr = _sr_entry(bundle, 0)
    sr["extension"][0]["extension"][1]["valueInteger"] = 99
    sr["quantityQuantity"]["value"] = 198
    with pytest.raises(
        FhirError,
        match=rf"entry\[{i}\]\.resource\.extension\[0\]\.extension\[1\]\.valueInteger: .*50",
    ):
        from_fhir(bundle)
    bundle = to_fhir(plan)
    del _careplan(bundle)["period"]["end"]
    with pytest.raises(FhirError, match=r"resource\.period\.end: expected a date"):
        from_fhir(bundle)


def test_text_fhir_cannot_carry_is_refused_on_write(plan: bp.Plan) -> None:
    with pytest.raises(FhirError, match=r"resource\.description: expected text without control"):
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
    bundle = to_fhir(held, as_of="2026-01-26")
    rows = [
        (sr["status"], sr["code"]["coding"][1]["code"],
         sr["occurrenceTiming"]["repeat"]["boundsPeriod"]["start"], sr["quantityQuantity"]["value"])
        for sr in _of(bundle, "ServiceRequest")
    ]  # fmt: skip
    # the hold keeps the patient at beginners from week 4: the planned level-up is revoked
    assert rows == [
        ("completed", "heel-slides", "2026-01-05", 20),
        ("completed", "wall-squats", "2026-01-05", 10),
        ("revoked", "knee-to-chest", "2026-01-26", 5),
        ("active", "heel-slides", "2026-01-26", 20),
        ("active", "wall-squats", "2026-01-26", 10),
    ]
    requests = _of(bundle, "ServiceRequest")
    assert requests[2]["note"][0]["text"].startswith("Replaced by revision 2 (from week 4")
    assert {"url": "revision", "valueInteger": 2} in requests[3]["extension"][0]["extension"]
    assert "Dose set by revision 2" in requests[3]["patientInstruction"]
    cp = _careplan(bundle)
    assert cp["meta"]["versionId"] == "2"
    done = cp["text"]["div"].split("<p>Restrictions")[0]  # the narrative lists what is done
    assert "Knees to chest" not in done and done.count("Heel slides") == 2
    assert [p["target"][0]["reference"].rsplit("/", 1)[-1] for p in _of(bundle, "Provenance")] == [
        "1",
        "2",
    ]
    second = _of(bundle, "Provenance")[1]
    assert second["recorded"] == "2026-01-26T09:30:00+00:00"
    assert second["agent"][0]["who"] == {"display": "A. Physio"}
    assert second["reason"][0]["text"].startswith("Revision 2 (hold), from week 4:")


def test_a_revision_keeps_the_ids_a_server_updates(held: bp.Plan, plan: bp.Plan) -> None:
    """The same plan id, version + 1, and the first part of a split run keeps its id."""
    first = to_fhir(held.model_copy(update={"revisions": ()}))
    second = to_fhir(held)
    assert _careplan(first)["id"] == _careplan(second)["id"] == held.plan_id
    assert (_careplan(first)["meta"]["versionId"], _careplan(second)["meta"]["versionId"]) == (
        "1",
        "2",
    )
    ids_first = [sr["id"] for sr in _of(first, "ServiceRequest")]
    ids_second = [sr["id"] for sr in _of(second, "ServiceRequest")]
    assert ids_first[:2] == ids_second[:2]  # weeks 1-3 updated in place
    other = bp.build_plan(CAT, "beginners", ["heel-slides"], patient="SYN-0003",
                          start_date=START, weeks=6)  # fmt: skip
    assert _careplan(to_fhir(other))["id"] != _careplan(second)["id"]


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
    i, _ = _sr_entry(bundle, 3)
    with pytest.raises(
        FhirError, match=rf"entry\[{i}\]\.resource\.extension.*expected 12 .*got 10"
    ):
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
    k = _index(bundle)
    assert [p.path for p in info.value.problems] == [
        f"Bundle.entry[{_sr_entry(bundle, 0)[0]}].resource.code.coding",
        f"Bundle.entry[{_sr_entry(bundle, 2)[0]}].resource.code.coding",
        f"Bundle.entry[{k}].resource.extension[{j}].extension[3].extension[0]",
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
    entries = [_obs(i) for i in range(14)]

    def res(i: int) -> dict:
        return entries[i]["resource"]

    res(1)["component"][2]["valueInteger"] = 11  # pain
    res(2)["component"][0]["valueInteger"] = -1  # sets
    res(3)["effectiveDateTime"] = "2026-03-02"  # after the plan
    res(4)["valueCodeableConcept"]["coding"][1]["code"] = "yoga"
    del res(5)["component"][1]  # sets without reps
    res(6)["status"] = "entered-in-error"
    res(7)["component"][2]["valueInteger"] = "ten"  # not FHIR
    entries[8] = {"resource": {"resourceType": "Device"}}
    del res(9)["component"][1]["valueInteger"]  # reps given in kilograms
    res(9)["component"][1]["valueQuantity"] = {"value": 10, "unit": "kg",
                                               "system": "http://unitsofmeasure.org", "code": "kg"}  # fmt: skip
    res(10)["modifierExtension"] = [{"url": "http://example.org/not", "valueBoolean": True}]
    res(11)["implicitRules"] = "http://example.org/rules"
    res(12)["subject"] = {"reference": "Patient/p1"}  # mapped with patients=
    res(13)["component"] = [{"code": {"coding": [{"system": "x"}]}, "valueQuantity": {"value": 1}}]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    table = logs_from_fhir(bundle, [diary_plan], source="diary.json", patients={"Patient/p1": "P1"})
    assert table.rows_read == 14 and len(table.accepted) + len(table.rejected) == 14
    got = {(r.row, r.column, r.reason) for r in table.rejected.itertuples()}
    root = "Bundle.entry[{}].resource"
    assert got == {
        (1, root.format(1) + ".component[2].valueInteger", "pain outside 0-10"),
        (2, root.format(2) + ".component[0].valueInteger", "negative count"),
        (3, root.format(3) + ".effectiveDateTime", "date after plan end"),
        (4, root.format(4) + ".valueCodeableConcept.coding", "unknown exercise"),
        (5, root.format(5) + ".component", "only one of sets_done and reps_done"),
        (6, root.format(6) + ".status", "not a final record"),
        (7, root.format(7) + ".component[2].valueInteger", "invalid FHIR"),
        (8, root.format(8) + ".resourceType", "not an exercise record"),
        (9, root.format(9) + ".component[1].valueQuantity", "count with a unit"),
        (10, root.format(10) + ".modifierExtension", "meaning changed"),
        (11, root.format(11) + ".implicitRules", "meaning changed"),
    }
    assert set(table.accepted["row"]) == {0, 12, 13}  # 13: a diary tick, unknown measure left out
    assert set(table.rejected["file"]) == {"diary.json"}
    assert all(p.file == "diary.json" for p in table.problem_list())


def test_log_entries_name_their_patient_any_way_a_record_does(diary_plan: bp.Plan) -> None:
    nhs = bp.fhir.NHS_NUMBER
    entries = [_obs(i) for i in range(4)]
    entries[0]["resource"]["subject"] = {"reference": "Patient/p1", "display": "P1"}
    entries[1]["resource"]["subject"] = {"identifier": {"system": nhs, "value": "P1"}}
    entries[2]["resource"]["subject"] = {"reference": "Patient/p9"}  # the Patient is in the Bundle
    entries[3]["resource"]["subject"] = {"reference": "#me"}
    entries[3]["resource"]["contained"] = [
        {"resourceType": "Patient", "id": "me", "identifier": [{"system": nhs, "value": "P1"}]}
    ]
    entries.append({"fullUrl": "https://ehr.example/Patient/p9",
                    "resource": {"resourceType": "Patient", "id": "p9",
                                 "identifier": [{"system": nhs, "value": "P1"}]}})  # fmt: skip
    bundle = {"resourceType": "Bundle", "type": "searchset", "entry": entries}
    table = logs_from_fhir(bundle, [diary_plan])
    assert table.rows_read == 4 and list(table.accepted["patient"]) == ["P1"] * 4


def test_log_bundle_links_each_session_to_its_prescription(diary_plan: bp.Plan) -> None:
    rows = pd.DataFrame({"patient": ["P1", "P1"], "date": ["2026-01-05", "2026-01-12"],
                         "exercise": ["heel-slides"] * 2, "sets_done": [1, 1], "reps_done": [9, 9]})  # fmt: skip
    bundle = logs_to_fhir(rows, [diary_plan], bundle_type="transaction")
    requests = [sr["id"] for sr in _of(to_fhir(diary_plan), "ServiceRequest")]
    obs = _of(bundle, "Observation")
    assert obs[0]["basedOn"] == [{"reference": f"ServiceRequest/{requests[0]}"}]
    assert obs[0]["performer"] == [obs[0]["subject"]]
    assert [c["coding"][0]["code"] for c in obs[0]["category"]] == ["activity", "PhysicalActivity"]
    assert [e["request"]["method"] for e in bundle["entry"]] == ["PUT", "PUT", "POST"]
    assert len(logs_from_fhir(bundle, [diary_plan]).accepted) == 2


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
    _sr_entry(bundle, 0)[1]["quantityQuantity"]["value"] = "many"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bundle))
    out = tmp_path / "plan.json"
    assert main(["fhir", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "resource.quantityQuantity.value" in err
    assert not out.exists()


def test_to_fhir_does_not_change_the_plan(plan: bp.Plan) -> None:
    before = copy.deepcopy(plan)
    to_fhir(plan)
    assert plan == before


@pytest.mark.parametrize(
    "module",
    [
        "",
        "._base",
        ".mapping",
        ".careplan",
        ".reading",
        ".extensions",
        ".observations",
        ".log_reading",
        ".requests",
        ".patients",
        ".provenance",
        ".settings",
        ".invariants",
    ],
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
        for sr in _of(bundle, "ServiceRequest"):
            text = sr["patientInstruction"]
            assert "{" not in text and "}" not in text, text


def test_text_is_written_with_plain_spaces_and_trimmed(plan: bp.Plan) -> None:
    """HL7's JSON schema (and JavaScript tools) refuse a no-break space in a string."""
    assert "description" not in _careplan(to_fhir(plan.model_copy(update={"notes": "\xa0 "})))
    bundle = to_fhir(
        plan.model_copy(update={"notes": " a\xa0b\u202f ", "clinician": "A.\u3000Physio"})
    )
    assert _careplan(bundle)["description"] == "a b"
    assert _careplan(bundle)["author"] == {"display": "A. Physio"}
    assert from_fhir(bundle).notes == "a b"


def test_cli_options_for_a_clinic(plan: bp.Plan, tmp_path: Path, capsys) -> None:
    nhs = plan.model_copy(update={"patient": "943 476 5919"})
    saved = bp.save_plan(nhs, tmp_path / "plan.json")
    out = tmp_path / "bundle.json"
    args = ["fhir", str(saved), "-o", str(out), "--patient-system", bp.fhir.NHS_NUMBER]
    assert main([*args, "--patients", "conditional", "--as-of", "2026-03-02"]) == 0
    bundle = json.loads(out.read_text())
    cp = _careplan(bundle)
    assert cp["status"] == "completed" and not _of(bundle, "Patient")
    assert cp["subject"]["reference"] == f"Patient?identifier={bp.fhir.NHS_NUMBER}|9434765919"
    back = tmp_path / "back.json"
    assert main(["fhir", str(out), "-o", str(back), "--patient-system", bp.fhir.NHS_NUMBER]) == 0
    assert bp.load_plan(back) == nhs
    capsys.readouterr()
    assert main([*args, "--patients", "conditional", "--collection"]) == 2
    assert "only in a transaction" in capsys.readouterr().err
    assert main(["fhir", str(saved), "-o", str(out), "--canonical", "nope"]) == 2
    assert "--canonical: expected an http(s) URL" in capsys.readouterr().err


def test_cli_refuses_a_careplan_from_another_system_in_one_line(tmp_path: Path, capsys) -> None:
    """HL7's pregnancy example used to give "unexpected KeyError"."""
    other = {"resourceType": "CarePlan", "status": "active", "intent": "plan",
             "subject": {"reference": "Patient/1", "display": "Eve Everywoman"},
             "period": {"start": "2013-01-01", "end": "2013-10-01"},
             "activity": [{"reference": {"display": "Prenatal vitamin MedicationRequest"}},
                          {"detail": {"kind": "Appointment", "status": "scheduled",
                                      "code": {"text": "First Antenatal encounter"}}}]}  # fmt: skip
    src = tmp_path / "preg.json"
    src.write_text(json.dumps(other))
    assert main(["fhir", str(src), "-o", str(tmp_path / "plan.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "CarePlan.activity[0]" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"status": "entered-in-error"}, "entered in error"),
        ({"status": "revoked"}, "revoked"),
        ({"status": "unknown"}, "does not know"),
        ({"status": "bogus"}, "one of draft, active"),
        ({"intent": "proposal"}, "only proposed"),
        ({"implicitRules": "http://example.org/rules"}, "implicitRules"),
        ({"modifierExtension": [{"url": "http://example.org/x", "valueBoolean": True}]},
         "modifierExtension"),
    ],
)  # fmt: skip
def test_what_changes_a_plans_meaning_is_refused(plan: bp.Plan, change: dict, words: str) -> None:
    bundle = to_fhir(plan)
    _careplan(bundle).update(change)
    with pytest.raises(FhirError, match=words):
        from_fhir(bundle)


def test_progress_a_record_adds_is_kept(plan: bp.Plan) -> None:
    bundle = to_fhir(plan, as_of="2026-01-20")
    requests = _of(bundle, "ServiceRequest")
    requests[0]["status"] = "on-hold"
    assert from_fhir(bundle) == plan
    statuses = bp.fhir.activity_statuses(bundle)
    assert list(statuses["status"][:3]) == ["on-hold", "active", "completed"]
    requests[1]["doNotPerform"] = True
    with pytest.raises(FhirError, match="doNotPerform says not to do it"):
        from_fhir(bundle)
    legacy = json.loads(
        (Path(__file__).parent / "data/fhir/legacy/legacy-careplan.json").read_text()
    )
    details = [a["detail"] for a in legacy["entry"][0]["resource"]["activity"]
               if a["detail"]["status"] == "scheduled"]  # fmt: skip
    for detail, status in zip(details, ["completed", "in-progress", "stopped"], strict=False):
        detail["status"] = status  # an EHR marking progress on an old file
    assert (
        from_fhir(legacy).plan_id
        == bp.load_plan(Path(__file__).parent / "data/fhir/legacy/legacy-plan.json").plan_id
    )


def test_activities_follow_the_one_weeks_expansion(catalogue: pd.DataFrame) -> None:
    """FHIR once worked out runs of weeks its own way (issue 19 item 6); it now asks the one
    expansion for them, split at each phase (a next level at the same level too, which the
    record needs to say which list a dose belongs to) and at each revision's first week."""
    from backplan.fhir.careplan import dose_steps, layout
    from backplan.plan.weeks import dose_runs, phase_starts

    plan = bp.build_plan(catalogue, "beginners", ["wall-squats", "heel-raises"],
                         start_date="2026-01-05", weeks=5,
                         progression=[bp.next_level(catalogue, 3, "beginners",
                                                    ["wall-squats", "ankle-lifts"])])  # fmt: skip
    plan = bp.revise(plan, 4, {"wall-squats": {"reps": 6}}, why="sore knee", by="A. Physio",
                     when=datetime(2026, 1, 25, 9, 0))  # fmt: skip
    assert phase_starts(plan) == [1, 3]
    runs = [(r.first, r.last, r.dose.exercise, r.dose.reps) for r in dose_runs(plan)]
    assert runs[:2] == [(1, 3, "wall-squats", 10), (4, 5, "wall-squats", 6)]
    split = [(r.first, r.last, r.dose.exercise, r.dose.reps)
             for r in dose_runs(plan, cuts=[4], starts=[3])]  # fmt: skip
    assert split == [(1, 2, "wall-squats", 10), (1, 2, "heel-raises", 10),
                     (3, 3, "wall-squats", 10), (4, 5, "wall-squats", 6),
                     (3, 3, "ankle-lifts", 10), (4, 5, "ankle-lifts", 10)]  # fmt: skip
    assert [(s.first, s.last, s.dose.exercise, s.dose.reps) for s in dose_steps(plan, [4])] == split
    assert [(s.first, s.last, s.dose.reps, status) for s, status, _ in layout(plan)
            if s.dose.exercise == "wall-squats"] == [(1, 2, 10, "scheduled"), (3, 3, 10, "scheduled"),
            (4, 5, 10, "cancelled"), (4, 5, 6, "scheduled")]  # fmt: skip
    assert from_fhir(to_fhir(plan)) == plan


# --- issue 21, class "Lax" ------------------------------------------------------------


def test_an_observation_coded_with_two_exercises_is_rejected_not_logged_as_the_first() -> None:
    cohort = bp.synthetic_cohort(1, 2, seed=7)
    bundle = logs_to_fhir(cohort.logs.head(2), cohort.plans)
    first = next(e["resource"] for e in bundle["entry"]
                 if e["resource"]["resourceType"] == "Observation")  # fmt: skip
    done = first["valueCodeableConcept"]["coding"][-1]["code"]
    other = "heel-raises" if done != "heel-raises" else "wall-squats"
    first["valueCodeableConcept"]["coding"].append({"system": EXERCISE_SYSTEM, "code": other})
    table = logs_from_fhir(bundle)
    assert (table.rows_read, len(table.accepted), len(table.rejected)) == (2, 1, 1)
    problem = table.problems.iloc[0]
    assert problem["reason"] == "more than one exercise"
    assert problem["got"] == f"{done}, {other}"
    assert problem["column"].endswith("valueCodeableConcept.coding")
    # the same code twice is still one exercise
    again = copy.deepcopy(bundle)
    coding = next(e["resource"] for e in again["entry"]
                  if e["resource"]["resourceType"] == "Observation")["valueCodeableConcept"]  # fmt: skip
    coding["coding"][-1]["code"] = done
    assert len(logs_from_fhir(again).accepted) == 2


def test_a_fhir_error_about_thousands_of_elements_stays_short(catalogue) -> None:
    """A 2,000-activity CarePlan with a fault in each once gave a 250 KB message."""
    plan = bp.build_plan(catalogue, "beginners", start_date="2026-01-05", weeks=4)
    bundle = to_fhir(plan)
    careplan = next(e["resource"] for e in bundle["entry"]
                    if e["resource"]["resourceType"] == "CarePlan")  # fmt: skip
    activity = careplan["activity"][0]
    careplan["activity"] = [copy.deepcopy(activity) for _ in range(2000)]
    for a in careplan["activity"]:
        a.setdefault("detail", {})["status"] = None
    with pytest.raises(FhirError) as caught:
        from_fhir(bundle)
    text = str(caught.value)
    assert len(caught.value.problems) == 2000  # every problem is kept
    assert len(text) < 10_000 and text.count("\n") == 51
    assert text.splitlines()[-1] == "  - ... and 1950 more (see the error's .problems)"
