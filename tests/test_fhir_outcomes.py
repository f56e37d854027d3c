"""Outcome scores and STarT Back groups as FHIR Observations: out, back in, bad entries named."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pandas as pd
import pytest
from fhir.resources.R4B.bundle import Bundle

import backplan as bp
from backplan.fhir import FhirError
from backplan.fhir.outcomes import (
    outcomes_from_fhir,
    outcomes_to_fhir,
    start_back_from_fhir,
    start_back_to_fhir,
)


@pytest.fixture(scope="module")
def demo() -> tuple[list[bp.Plan], bp.OutcomeTable]:
    plans, _ = bp.demo.load_demo()
    return plans, bp.read_outcomes(bp.demo.load_demo_outcomes().outcomes, plans)


def _values(table: bp.OutcomeTable) -> pd.DataFrame:
    return table.accepted.drop(columns=["file", "row"]).reset_index(drop=True)


def test_the_demo_goes_out_and_back_unchanged(demo: tuple) -> None:
    plans, table = demo
    bundle = outcomes_to_fhir(table)
    Bundle.model_validate(bundle)  # the whole Bundle is valid R4
    text = json.dumps(bundle)  # as a record system would send it
    back = outcomes_from_fhir(text, plans)
    assert back.rejected.empty and back.rows_read == len(table.accepted)
    pd.testing.assert_frame_equal(_values(back), _values(table))
    assert back.accepted["row"].tolist() == list(range(len(table.accepted)))
    codes = {c["code"] for e in bundle["entry"] for c in e["resource"]["code"]["coding"]}
    assert {"72514-3", "97909-6"} <= codes  # NPRS and ODI carry their LOINC codes
    assert {"psfs-activity", "rmdq", "msk-hq"} <= codes  # no LOINC code: backplan's own


def _bundle(demo: tuple) -> dict:
    _, table = demo
    return outcomes_to_fhir(table.accepted.head(4), measures=table.measures)


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        (lambda o: o.update(status="entered-in-error"), ".status", "not a final record"),
        (lambda o: o.update(modifierExtension=[{"url": "http://x.org/y", "valueBoolean": True}]),
         ".modifierExtension", "unknown modifier extension"),
        (lambda o: o["code"].update(coding=[{"system": "http://loinc.org", "code": "8867-4"}]),
         ".code", "not an outcome score"),
        (lambda o: o.update(resourceType="Patient"), ".resourceType", "not an outcome score"),
        (lambda o: o["valueQuantity"].update(value=11), ".valueQuantity.value",
         "score outside 0-10"),
        (lambda o: o.update(effectiveDateTime="2025-12-01"), ".effectiveDateTime",
         "date before plan start"),
        (lambda o: o.update(status=7), ".status", "invalid FHIR"),
    ],
)  # fmt: skip
def test_a_bad_entry_is_rejected_naming_the_element(
    demo: tuple, change: Callable[[dict], object], path: str, reason: str
) -> None:
    plans, _ = demo
    bundle = _bundle(demo)
    obs = bundle["entry"][0]["resource"]
    assert obs["code"]["coding"][0]["code"] == "72514-3"
    change(obs)
    back = outcomes_from_fhir(copy.deepcopy(bundle), plans, source="app.json")
    assert back.rows_read == 4 and len(back.accepted) == 3
    bad = back.rejected.iloc[0]
    assert (bad["file"], bad["row"]) == ("app.json", 0)
    assert f"Bundle.entry[0].resource{path}" in bad["column"]
    assert reason in bad["reason"]


def test_not_a_bundle_is_an_error() -> None:
    with pytest.raises(FhirError, match="a Bundle of Observations"):
        outcomes_from_fhir({"resourceType": "Observation"})


def test_start_back_groups_go_out_and_back() -> None:
    for total, psych in [(2, 1), (5, 3), (7, 4)]:
        group = bp.start_back(total=total, psychosocial=psych)
        obs = start_back_to_fhir("SYN-0001", group, day="2026-01-05", total=total,
                                 psychosocial=psych)  # fmt: skip
        assert obs["code"]["coding"][0]["code"] == "91352-5"
        assert start_back_from_fhir(json.dumps(obs)) == ("SYN-0001", group)
    with pytest.raises(FhirError, match="'medium', the group of total 5"):
        start_back_to_fhir("P1", "high", day="2026-01-05", total=5, psychosocial=3)
    obs = start_back_to_fhir("P1", "high", day="2026-01-05", total=6, psychosocial=4)
    obs["component"][1]["valueInteger"] = 2  # a receiver's copy that no longer adds up
    with pytest.raises(FhirError, match="Observation.component"):
        start_back_from_fhir(obs)
    obs = start_back_to_fhir("P1", "low", day="2026-01-05")
    with pytest.raises(FhirError, match="Observation.status"):
        start_back_from_fhir({**obs, "status": "entered-in-error"})
