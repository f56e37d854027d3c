"""Both FHIR readers, fed mutated valid resources: they read or refuse, never crash.

Seeds: Bundles and CarePlans backplan writes (with revisions, restrictions, a next level,
no label, contained requests), files of earlier versions (placeholder base), and resources
shaped like HL7's R4 examples (a CarePlan with activities that are only references or a
bare detail, vital-sign and pain Observations, Patient references, contained Patients).
Each example applies one to three mutations (delete a key, replace a value by another JSON
value or type, empty a list, duplicate an item, change a status or code) and checks:

- ``from_fhir`` returns a Plan or raises a ``BackplanError`` (``FhirError``,
  ``PlanVersionError``) whose problems each name an element: nothing else escapes;
- ``logs_from_fhir`` returns a table in which every entry but the Patients is accepted or
  rejected, no entry was turned away by the last-resort guard (that would be a reader
  bug), and it raises only ``FhirError`` when the Bundle itself is broken.

``make fuzz`` runs each with 1,000 examples or more. Set ``BACKPLAN_HL7_EXAMPLES`` to a
folder of HL7 example JSON files (e.g. HL7's fhir-test-cases) to add them as seeds.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
from fuzz_inputs import fuzz
from hypothesis import given
from hypothesis import strategies as st

import backplan as bp
from backplan.fhir import FhirError, from_fhir, logs_from_fhir, logs_to_fhir, to_fhir

CAT = bp.load_catalogue()
DATA = Path(__file__).parent / "data" / "fhir"
NHS = "https://fhir.nhs.uk/Id/nhs-number"


def _plan_seeds() -> list[dict]:
    plan = bp.build_plan(CAT, "beginners", ["heel-slides", "wall-squats"], patient="P1",
                         clinician="A. Physio", start_date="2026-01-05", weeks=6,
                         restrictions=bp.Restrictions(avoid_positions=["lying on stomach"]),
                         progression=[bp.AddDose(what="reps", amount=2, every_weeks=2, cap=14),
                                      bp.next_level(CAT, 4, exercises=["knee-to-chest"])])  # fmt: skip
    revised = bp.revise(plan, 3, {"heel-slides": {"reps": 6}}, why="Sore.", by="B. Physio",
                        stop=["wall-squats"], catalogue=CAT)  # fmt: skip
    bare = to_fhir(
        bp.build_plan(CAT, "more advanced", ["half-sit-ups"], start_date="2026-02-02", weeks=2)
    )
    cp = next(e["resource"] for e in bare["entry"] if e["resource"]["resourceType"] == "CarePlan")
    cp["contained"] = [
        e["resource"] for e in bare["entry"] if e["resource"]["resourceType"] == "ServiceRequest"
    ]
    for act in cp["activity"]:
        act["reference"]["reference"] = "#" + act["reference"]["reference"].removeprefix(
            "urn:uuid:"
        )
    hl7_like = {  # the shape of HL7's careplan-example-pregnancy: no backplan extensions
        "resourceType": "CarePlan", "id": "preg", "status": "active", "intent": "plan",
        "subject": {"reference": "Patient/1", "display": "Eve Everywoman"},
        "period": {"start": "2013-01-01", "end": "2013-10-01"},
        "activity": [
            {"reference": {"display": "Prenatal vitamin MedicationRequest"}},
            {"extension": [{"url": "http://example.org/fhir/StructureDefinition/careplan#andetails",
                            "valueUri": "http://orionhealth.com/fhir/careplan/1andetails"}],
             "detail": {"kind": "Appointment", "status": "scheduled", "doNotPerform": False,
                        "code": {"coding": [{"system": "http://example.org/mySystem", "code": "1an"}]},
                        "scheduledTiming": {"repeat": {"boundsPeriod": {"start": "2013-02-14",
                                                                        "end": "2013-02-28"}}}}},
        ],
    }  # fmt: skip
    legacy = json.loads((DATA / "legacy" / "legacy-careplan.json").read_text())
    return [to_fhir(plan), to_fhir(revised, bundle_type="collection"), cp, hl7_like, legacy]


def _log_seeds() -> list[dict]:
    rows = pd.DataFrame({"patient": ["P1"] * 3, "date": ["2026-01-05", "2026-01-06", "2026-01-07"],
                         "exercise": ["heel-slides", "wall-squats", "heel-slides"],
                         "sets_done": [1, 1, None], "reps_done": [10, 8, None],
                         "hold_s": [None, 5, None], "pain": [2, 3.5, None],
                         "note": ["ok", None, None]})  # fmt: skip
    ours = logs_to_fhir(rows, bundle_type="transaction")
    hl7_like = {"resourceType": "Bundle", "type": "searchset", "entry": [
        {"fullUrl": "https://ehr.example/Patient/p1", "resource": {
            "resourceType": "Patient", "id": "p1", "identifier": [{"system": NHS, "value": "9434765919"}]}},
        {"resource": {"resourceType": "Observation", "status": "final",
                      "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                                "code": "vital-signs"}]}],
                      "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                      "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2026-01-05T10:00:00Z",
                      "valueQuantity": {"value": 72, "unit": "/min", "system": "http://unitsofmeasure.org",
                                        "code": "/min"}}},
        {"resource": {"resourceType": "Observation", "status": "final",
                      "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
                      "subject": {"reference": "#pat"}, "effectivePeriod": {"start": "2026-01-06"},
                      "contained": [{"resourceType": "Patient", "id": "pat",
                                     "identifier": [{"system": NHS, "value": "9434765919"}]}],
                      "valueInteger": 3}},
    ]}  # fmt: skip
    legacy = json.loads((DATA / "legacy" / "legacy-logs.json").read_text())
    return [ours, hl7_like, legacy]


def _hl7_seeds() -> tuple[list[dict], list[dict]]:
    """HL7 example files from ``BACKPLAN_HL7_EXAMPLES``: CarePlans and Bundles for the plan
    reader, Observations (wrapped in a Bundle) and Bundles for the log reader."""
    folder = os.environ.get("BACKPLAN_HL7_EXAMPLES")
    plans: list[dict] = []
    logs: list[dict] = []
    for path in sorted(Path(folder).glob("*.json")) if folder else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        kind = data.get("resourceType") if isinstance(data, dict) else None
        if kind in ("CarePlan", "Bundle"):
            plans.append(data)
        if kind == "Bundle":
            logs.append(data)
        elif kind in ("Observation", "Patient"):
            logs.append(
                {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": data}]}
            )
    return plans, logs


PLAN_SEEDS = _plan_seeds() + _hl7_seeds()[0]
LOG_SEEDS = _log_seeds() + _hl7_seeds()[1]
#: values a record could put anywhere
ODD = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False),
    st.text(max_size=12), st.sampled_from(["", " ", "\u00a0", "entered-in-error", "revoked",
                                           "unknown", "proposal", "completed", "in-progress",
                                           "stopped", "Patient/p1", "#x", "urn:uuid:x", "kg",
                                           "http://backplan.example.org/fhir/CodeSystem/exercise",
                                           "2026-02-30", "2026-01-05T10:00:00"]),
    st.just([]), st.just({}), st.just([{}]), st.just({"url": "x"}),
)  # fmt: skip


def _paths(node: Any, at: tuple = ()) -> list[tuple]:
    out = [at]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*at, i))
    return out


def _get(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


@st.composite
def mutated(draw: st.DrawFn, seeds: list[dict]) -> dict:
    doc = copy.deepcopy(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _get(doc, path[:-1]), path[-1]
        op = draw(st.sampled_from(["delete", "replace", "wrap", "duplicate", "swap"]))
        if op == "delete":
            del parent[key]
        elif op == "replace":
            parent[key] = copy.deepcopy(draw(ODD))  # st.just gives the same object each time
        elif op == "wrap":
            parent[key] = [parent[key]] if not isinstance(parent[key], list) else parent[key][:1]
        elif op == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        else:  # put another node's value here
            other = draw(st.sampled_from(paths))
            with contextlib.suppress(KeyError, IndexError, TypeError):
                parent[key] = copy.deepcopy(_get(doc, other))
    return doc


@fuzz(30, shrink=False)
@given(doc=mutated(PLAN_SEEDS))
def test_fuzz_plan_reader_reads_or_refuses(doc: dict) -> None:
    try:
        plan = from_fhir(doc, catalogue=CAT)
    except bp.PlanVersionError:
        return
    except FhirError as exc:
        assert exc.problems and all(p.path for p in exc.problems)
        return
    assert isinstance(plan, bp.Plan)


@fuzz(25, shrink=False)
@given(doc=mutated(LOG_SEEDS))
def test_fuzz_log_reader_keeps_every_entry(doc: dict) -> None:
    try:
        table = logs_from_fhir(doc, catalogue=CAT)
    except FhirError as exc:  # only a Bundle that is not one
        assert exc.problems
        return
    entries = doc.get("entry") or []
    rows = [e for e in entries if not (isinstance(e, dict) and isinstance(e.get("resource"), dict)
                                       and e["resource"].get("resourceType") == "Patient")]  # fmt: skip
    assert table.rows_read == len(rows) == len(table.accepted) + len(table.rejected)
    assert "unreadable entry" not in set(table.problems["reason"])  # the guard never needed


def test_seeds_read_as_expected() -> None:
    """The unmutated seeds: ours read back, HL7's CarePlan is refused with paths."""
    assert isinstance(from_fhir(PLAN_SEEDS[0], catalogue=CAT), bp.Plan)
    assert isinstance(from_fhir(PLAN_SEEDS[2], catalogue=CAT), bp.Plan)  # contained requests
    try:
        from_fhir(PLAN_SEEDS[3], catalogue=CAT)
    except FhirError as exc:
        assert "CarePlan.activity[0]" in str(exc)
    table = logs_from_fhir(LOG_SEEDS[1])
    assert table.rows_read == 2 and set(table.rejected["reason"]) == {"not an exercise record"}
