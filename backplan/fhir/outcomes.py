"""Outcome scores and STarT Back groups as FHIR R4 Observations, out and back in.

One Observation holds one score: ``code`` the measure (its LOINC code where one exists,
always also backplan's own code), ``valueQuantity`` the score (UCUM ``{score}``),
``effectiveDateTime`` the day, ``subject`` the patient label, ``category`` survey. A PSFS
activity's score is coded ``psfs-activity`` with the activity in an extension, and its
goal in another; a row marked baseline or discharge carries that in a third.

LOINC codes used (each looked up on loinc.org):

=============  ===========  ==========================================================
measure        LOINC        name on loinc.org
=============  ===========  ==========================================================
NPRS           72514-3      Pain severity - 0-10 verbal numeric rating [Score] - Reported
ODI            97909-6      Oswestry disability index score ODI (panel 97908-8)
STarT Back     91352-5      STarT Back Screening risk level (answers LA9194-7 Low,
                            LA8982-6 Medium, LA9193-9 High)
               91351-7      Total score [STarT Back]
               91350-9      Distress subscore [STarT Back] (items 5-9, the psychosocial
                            subscore)
=============  ===========  ==========================================================

No LOINC code was found for the PSFS, the Roland-Morris questionnaire or the MSK-HQ: they
carry backplan's code only (``docs/outcomes.md``). Reading checks each entry with the R4B
models, refuses records that are not final (``entered-in-error`` among them) and any
``modifierExtension``, then hands the rows to :func:`backplan.read_outcomes`: the same
rules reject the same rows, each reason naming the entry and the FHIR element at fault.

Examples
--------
>>> import pandas as pd
>>> from backplan.outcomes import read_outcomes
>>> rows = pd.DataFrame({"patient": "P1", "date": ["2026-01-05", "2026-02-16"],
...                      "measure": "nprs", "score": [6, 3]})
>>> bundle = outcomes_to_fhir(read_outcomes(rows))
>>> bundle["entry"][1]["resource"]["code"]["coding"][0]["code"]
'72514-3'
>>> bundle["entry"][1]["resource"]["valueQuantity"]["value"] = 12  # a sender's slip
>>> back = outcomes_from_fhir(bundle)
>>> back.rejected[["row", "column", "reason"]].to_dict("records")
[{'row': 1, 'column': 'Bundle.entry[1].resource.valueQuantity.value', 'reason': 'score outside 0-10 for Pain now (NPRS 0-10)'}]
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..outcomes.measures import load_outcome_measures
from ..outcomes.records import OUTCOME_COLUMNS, PROBLEM_COLUMNS, OutcomeTable, read_outcomes
from ..outcomes.startback import start_back
from ._base import (
    BASE,
    LOINC,
    PATIENT_LABEL_SYSTEM,
    UCUM,
    FhirError,
    FhirProblem,
    ext,
    ext_value,
    load_json,
    validate_resource,
)

__all__ = [
    "OUTCOME_SYSTEM",
    "START_BACK_LOINC",
    "outcomes_from_fhir",
    "outcomes_to_fhir",
    "start_back_from_fhir",
    "start_back_to_fhir",
]

OUTCOME_SYSTEM = f"{BASE}/CodeSystem/outcome-measure"
EXT_ITEM = f"{BASE}/StructureDefinition/outcome-item"
EXT_GOAL = f"{BASE}/StructureDefinition/outcome-goal"
EXT_TIMEPOINT = f"{BASE}/StructureDefinition/outcome-timepoint"
ACTIVITY = "psfs-activity"
#: STarT Back LOINC codes (loinc.org/91349-1, the panel): risk level, total, distress.
START_BACK_LOINC = {"level": "91352-5", "total": "91351-7", "psychosocial": "91350-9"}
_LEVEL_ANSWERS = {"low": ("LA9194-7", "Low"), "medium": ("LA8982-6", "Medium"),
                  "high": ("LA9193-9", "High")}  # fmt: skip
_SURVEY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                       "code": "survey", "display": "Survey"}]}  # fmt: skip
_FINAL = {"final", "amended", "corrected"}
#: Reasons only FHIR input can have, with what a valid entry looks like.
FHIR_REASONS: dict[str, str] = {
    "invalid FHIR": "a resource valid under the FHIR R4 models",
    "not an outcome score": "an Observation coded with a measure of the measure table",
    "not a final record": "status final, amended or corrected",
    "unknown modifier extension": "no modifierExtension (backplan understands none)",
}


def _blank(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) \
        or str(value).strip() == ""  # fmt: skip


def _subject(label: str) -> dict[str, Any]:
    return {"identifier": {"system": PATIENT_LABEL_SYSTEM, "value": label}, "display": label}


def _score(value: float) -> dict[str, Any]:
    number: int | float = int(value) if float(value).is_integer() else float(value)
    return {"value": number, "unit": "{score}", "system": UCUM, "code": "{score}"}


def _observation(i: int, row: Mapping[str, Any], spec: Mapping[str, Any]) -> dict[str, Any]:
    item = None if _blank(row.get("item")) else str(row["item"])
    coding = []
    if item is None and spec["loinc"]:
        coding.append({"system": LOINC, "code": spec["loinc"], "display": spec["loinc_display"]})
    code = ACTIVITY if item is not None else spec["measure"]
    name = f"{spec['name']}: activity" if item is not None else spec["name"]
    coding.append({"system": OUTCOME_SYSTEM, "code": code, "display": name})
    day = pd.Timestamp(row["date"]).date().isoformat()
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/outcome/{i}/{sorted(map(str, row.items()))}")),
        "status": "final",
        "category": [_SURVEY],
        "code": {"coding": coding, "text": name},
        "subject": _subject(str(row["patient"])),
        "effectiveDateTime": day,
        "valueQuantity": _score(float(row["score"])),
    }  # fmt: skip
    extensions = []
    if item is not None:
        extensions.append(ext(EXT_ITEM, valueString=item))
    if not _blank(row.get("goal")):
        extensions.append(ext(EXT_GOAL, valueDecimal=_score(float(row["goal"]))["value"]))
    if not _blank(row.get("timepoint")):
        extensions.append(ext(EXT_TIMEPOINT, valueCode=str(row["timepoint"])))
    if extensions:
        obs["extension"] = extensions
    return obs


def outcomes_to_fhir(
    rows: OutcomeTable | pd.DataFrame, *, measures: pd.DataFrame | None = None
) -> dict[str, Any]:
    """Checked outcome rows as a FHIR Bundle (type ``collection``), one Observation a row.

    Parameters
    ----------
    rows : OutcomeTable or pandas.DataFrame
        A table from :func:`backplan.read_outcomes` (its accepted rows) or those rows.
        Row ``i`` becomes ``Bundle.entry[i]``.
    measures : pandas.DataFrame, optional
        The measure table (the table's own, or the shipped one).

    Raises
    ------
    FhirError
        When a row does not make valid FHIR, naming the row and element.
    """
    if isinstance(rows, OutcomeTable):
        measures = rows.measures if measures is None else measures
        rows = rows.accepted
    specs = (load_outcome_measures() if measures is None else measures).to_dict("index")
    missing = [c for c in ("patient", "date", "measure", "score") if c not in rows.columns]
    if missing:
        raise FhirError([FhirProblem(f"outcome column {c!r}", "this column") for c in missing])
    entries, problems = [], []
    for i, row in enumerate(rows.to_dict("records")):
        spec = specs.get(str(row["measure"]))
        if spec is None:
            problems.append(FhirProblem(f"outcome row {i}", "a measure id of the measure table "
                                        "(pass checked rows from read_outcomes)", row["measure"]))  # fmt: skip
            continue
        obs = _observation(i, row, {**spec, "measure": str(row["measure"])})
        problems += validate_resource(obs, f"Bundle.entry[{i}].resource")
        entries.append({"fullUrl": f"urn:uuid:{obs['id']}", "resource": obs})
    if problems:
        raise FhirError(problems, "<outcomes>")
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


# --- reading ---------------------------------------------------------------------------------


def _codes(concept: Any) -> list[tuple[Any, Any]]:
    coding = concept.get("coding") if isinstance(concept, dict) else None
    return [(c.get("system"), c.get("code")) for c in coding or [] if isinstance(c, dict)]


def _entry(i: int, entry: Any, by_code: dict[tuple[str, str], str]) -> tuple[dict, dict, list]:
    """One entry's outcome values, the element each came from, and FHIR-level problems."""
    root = f"Bundle.entry[{i}].resource"
    values: dict[str, Any] = dict.fromkeys(OUTCOME_COLUMNS)
    paths = dict.fromkeys(OUTCOME_COLUMNS, root)
    obs = entry.get("resource") if isinstance(entry, dict) else None
    if not isinstance(obs, dict) or obs.get("resourceType") != "Observation":
        kind = obs.get("resourceType") if isinstance(obs, dict) else None
        return values, paths, [(f"{root}.resourceType", "not an outcome score", kind)]
    problems = [(p.path, "invalid FHIR", p.got) for p in validate_resource(obs, root)]
    if obs.get("status") not in _FINAL:
        problems.append((f"{root}.status", "not a final record", obs.get("status")))
    if obs.get("modifierExtension"):
        problems.append((f"{root}.modifierExtension", "unknown modifier extension", None))
    codes = _codes(obs.get("code"))
    measure = next((by_code[c] for c in codes if c in by_code), None)
    if measure is None:
        problems.append((f"{root}.code", "not an outcome score", [c for _, c in codes] or None))
    subject = obs.get("subject") if isinstance(obs.get("subject"), dict) else {}
    ident = subject.get("identifier") if isinstance(subject.get("identifier"), dict) else {}
    label = ident.get("value") if ident.get("system") == PATIENT_LABEL_SYSTEM else None
    values["patient"], paths["patient"] = label or subject.get("display"), f"{root}.subject"
    day = obs.get("effectiveDateTime")
    if isinstance(day, str) and len(day) > 10 and day[10] == "T":
        day = day[:10]  # the day as the sender wrote it
    values["date"], paths["date"] = day, f"{root}.effectiveDateTime"
    values["measure"], paths["measure"] = measure, f"{root}.code"
    if isinstance(obs.get("valueQuantity"), dict):
        values["score"] = obs["valueQuantity"].get("value")
        paths["score"] = f"{root}.valueQuantity.value"
    else:
        key = next((k for k in obs if k.startswith("value")), None)
        got = obs.get(key) if key else None
        values["score"] = got if isinstance(got, int | float | str) and not isinstance(got, bool) \
            else (None if got is None else str(got))  # fmt: skip
        paths["score"] = f"{root}.{key or 'value[x]'}"
    for column, url in (("item", EXT_ITEM), ("goal", EXT_GOAL), ("timepoint", EXT_TIMEPOINT)):
        found = ext_value(obs.get("extension"), url)
        values[column] = found[0] if found else None
        paths[column] = f"{root}.extension[{url.rsplit('/', 1)[-1]}]"
    if measure == ACTIVITY:
        values["measure"] = "psfs"
    return values, paths, problems


def outcomes_from_fhir(
    bundle: Any,
    plans: Sequence[Any] | None = None,
    *,
    measures: pd.DataFrame | None = None,
    source: str | None = None,
) -> OutcomeTable:
    """Read a Bundle of outcome Observations into checked outcome rows.

    Parameters
    ----------
    bundle : dict, JSON text or path
        A FHIR Bundle whose entries are outcome Observations.
    plans, measures
        As for :func:`backplan.read_outcomes`.
    source : str, optional
        The name for messages (the file name by default).

    Returns
    -------
    OutcomeTable
        ``row`` is the entry index (``Bundle.entry[row]``) and ``column`` the FHIR path of
        the element at fault. Every entry is accepted or rejected.

    Raises
    ------
    FhirError
        When the input is not a valid Bundle at all.
    """
    data, label = load_json(bundle, source)
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        got = data.get("resourceType") if isinstance(data, dict) else type(data).__name__
        raise FhirError([FhirProblem("resourceType", "a Bundle of Observations", got)], label)
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        raise FhirError([FhirProblem("Bundle.entry", "a list")], label)
    m = load_outcome_measures() if measures is None else measures
    by_code = {(OUTCOME_SYSTEM, str(k)): str(k) for k in m.index}
    by_code |= {(LOINC, str(r["loinc"])): str(k) for k, r in m.iterrows() if r["loinc"]}
    by_code[(OUTCOME_SYSTEM, ACTIVITY)] = ACTIVITY
    read = [_entry(i, e, by_code) for i, e in enumerate(entries)]
    clean = np.flatnonzero([not problems for _, _, problems in read])
    raw = pd.DataFrame([read[i][0] for i in clean], columns=list(OUTCOME_COLUMNS), dtype=object)
    table = read_outcomes(raw, plans, measures=m)
    return _relabel(table, read, clean, label)


def _relabel(table: OutcomeTable, read: list, clean: np.ndarray, label: str) -> OutcomeTable:
    """Entry numbers for rows, FHIR paths for columns, FHIR-level problems added."""

    def entry(rows: Any) -> np.ndarray:  # spreadsheet row 2 is the first clean entry
        return clean[np.asarray(rows, dtype=np.int64) - 2]

    probs = table.problems.copy()
    probs["row"] = entry(probs["row"])
    probs["column"] = [
        read[r][1].get(c, c) for r, c in zip(probs["row"], probs["column"], strict=True)
    ]
    extra = [(label, i, path, why, FHIR_REASONS[why], got)
             for i, (_, _, found) in enumerate(read) for path, why, got in found]  # fmt: skip
    probs = pd.concat([probs.assign(file=label), pd.DataFrame(extra, columns=list(PROBLEM_COLUMNS))],
                      ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)  # fmt: skip
    probs["row"] = probs["row"].astype("int64")
    grouped = probs.groupby("row", sort=True).agg(
        column=("column", lambda s: "; ".join(dict.fromkeys(map(str, s)))),
        reason=("reason", lambda s: "; ".join(dict.fromkeys(s))),
    )
    at = grouped.index.to_numpy(dtype=np.int64)
    original = pd.DataFrame([read[i][0] for i in at], columns=list(OUTCOME_COLUMNS), dtype=object)
    rejected = pd.concat([pd.DataFrame({"file": label, "row": at, "column": grouped["column"].to_numpy(),
                                        "reason": grouped["reason"].to_numpy()}), original], axis=1)  # fmt: skip
    accepted = table.accepted.assign(file=label, row=entry(table.accepted["row"]))
    return OutcomeTable(accepted, rejected, probs, len(read), (label,), table.measures)


# --- STarT Back ------------------------------------------------------------------------------


def start_back_to_fhir(
    patient: str,
    group: str,
    *,
    day: date | str,
    total: int | None = None,
    psychosocial: int | None = None,
) -> dict[str, Any]:
    """A patient's STarT Back group as one Observation (LOINC 91352-5), with the total and
    the psychosocial (distress) subscore as components when given.

    Raises
    ------
    FhirError
        A group other than low, medium or high, or totals that give another group.

    Examples
    --------
    >>> obs = start_back_to_fhir("P1", "high", day="2026-01-05", total=6, psychosocial=4)
    >>> obs["valueCodeableConcept"]["coding"][0]["code"], [c["valueInteger"] for c in obs["component"]]
    ('LA9193-9', [6, 4])
    """
    if group not in _LEVEL_ANSWERS:
        raise FhirError([FhirProblem("group", "low, medium or high", group)], "<STarT Back>")
    parts = []
    if total is not None or psychosocial is not None:
        found = start_back(total=total, psychosocial=psychosocial)
        if found != group:
            raise FhirError([FhirProblem("group", f"{found!r}, the group of total {total} and "
                                         f"psychosocial {psychosocial}", group)], "<STarT Back>")  # fmt: skip
        for key, value in (("total", total), ("psychosocial", psychosocial)):
            name = (
                "Total score [STarT Back]" if key == "total" else "Distress subscore [STarT Back]"
            )
            parts.append({"code": {"coding": [{"system": LOINC, "code": START_BACK_LOINC[key],
                                               "display": name}]}, "valueInteger": value})  # fmt: skip
    answer, display = _LEVEL_ANSWERS[group]
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/start-back/{patient}/{day}")),
        "status": "final",
        "category": [_SURVEY],
        "code": {"coding": [{"system": LOINC, "code": START_BACK_LOINC["level"],
                             "display": "STarT Back Screening risk level"}],
                 "text": "STarT Back risk group"},
        "subject": _subject(patient),
        "effectiveDateTime": pd.Timestamp(day).date().isoformat(),
        "valueCodeableConcept": {"coding": [{"system": LOINC, "code": answer, "display": display}],
                                 "text": display},
    }  # fmt: skip
    if parts:
        obs["component"] = parts
    problems = validate_resource(obs, "Observation")
    if problems:
        raise FhirError(problems, "<STarT Back>")
    return obs


def start_back_from_fhir(observation: Any, source: str | None = None) -> tuple[str, str]:
    """``(patient, group)`` from a STarT Back risk-level Observation (LOINC 91352-5).

    The group is checked against the total and subscore components when they are there.

    Raises
    ------
    FhirError
        Naming the element: not a final risk-level Observation, an unknown answer code, or
        components that give another group.

    Examples
    --------
    >>> start_back_from_fhir(start_back_to_fhir("P1", "low", day="2026-01-05"))
    ('P1', 'low')
    """
    obs, label = load_json(observation, source)
    problems = validate_resource(obs, "Observation")
    if not problems and (LOINC, START_BACK_LOINC["level"]) not in _codes(obs.get("code")):
        problems.append(FhirProblem("Observation.code", "LOINC 91352-5 STarT Back risk level"))
    if not problems and obs.get("status") not in _FINAL:
        problems.append(FhirProblem("Observation.status", "final, amended or corrected",
                                    obs.get("status")))  # fmt: skip
    if not problems and obs.get("modifierExtension"):
        problems.append(FhirProblem("Observation.modifierExtension", "none"))
    answers = {code: group for group, (code, _) in _LEVEL_ANSWERS.items()}
    codes = [c for s, c in _codes(obs.get("valueCodeableConcept")) if s == LOINC and c in answers]
    if not problems and not codes:
        problems.append(FhirProblem("Observation.valueCodeableConcept", "LOINC answer LA9194-7, "
                                    "LA8982-6 or LA9193-9 (low, medium, high)"))  # fmt: skip
    if problems:
        raise FhirError(problems, label)
    group = answers[codes[0]]
    parts = {c: p.get("valueInteger") for p in obs.get("component") or []
             for s, c in _codes(p.get("code")) if s == LOINC}  # fmt: skip
    total, psych = parts.get(START_BACK_LOINC["total"]), parts.get(START_BACK_LOINC["psychosocial"])
    if (
        total is not None
        and psych is not None
        and start_back(total=total, psychosocial=psych) != group
    ):
        raise FhirError([FhirProblem("Observation.component", f"totals that give the group "
                                     f"{group!r}", f"{total} and {psych}")], label)  # fmt: skip
    subject = obs.get("subject") or {}
    ident = subject.get("identifier") or {}
    patient = ident.get("value") if ident.get("system") == PATIENT_LABEL_SYSTEM else None
    return str(patient or subject.get("display") or ""), group
