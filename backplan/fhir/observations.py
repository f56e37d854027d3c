"""Exercise logs as FHIR R4 Observations, written from log rows (read: ``log_reading.py``).

One Observation records one exercise session, after the HL7 Physical Activity IG's
activity measures: ``code`` LOINC 73985-4 "Exercise activity" and the exercise done as
``valueCodeableConcept`` (SNOMED CT 229065009 "Exercise therapy" plus the backplan
exercise id); categories ``activity`` and the IG's ``PhysicalActivity``; ``subject`` and
``performer`` the patient; ``basedOn`` the ServiceRequest of the dose prescribed that day
(when the plans are given); ``effectiveDateTime`` the day; one ``component`` per measure
(sets done, reps done per set and side, hold in seconds, pain 0-10 as LOINC 72514-3).
The patients' Patient resources come after the Observations, so row ``i`` is
``Bundle.entry[i]``.

Examples
--------
>>> import pandas as pd
>>> from backplan.fhir import logs_from_fhir
>>> rows = pd.DataFrame({"patient": ["P1", "P1"], "date": ["2026-01-05", "2026-01-06"],
...                      "exercise": ["heel-slides", "heel-slides"],
...                      "sets_done": [1, 1], "reps_done": [10, 10], "pain": [2, 11]})
>>> table = logs_from_fhir(logs_to_fhir(rows))
>>> len(table.accepted), table.rejected[["row", "column", "reason"]].to_dict("records")
(1, [{'row': 1, 'column': 'Bundle.entry[1].resource.component[2].valueInteger', 'reason': 'pain outside 0-10'}])
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._io.cells import neutralise_frame
from .._io.files import write_atomic
from ..errors import BackplanError, Problem
from ..logs import LOG_COLUMNS, REASONS, LogTable
from ..plan import Plan
from ._base import (
    BASE,
    EXERCISE_ACTIVITY,
    EXERCISE_SYSTEM,
    EXERCISE_THERAPY,
    LOINC,
    OBSERVATION_ACTIVITY,
    PA_CATEGORY,
    UCUM,
    FhirError,
    FhirProblem,
    clean_strings,
    validate_resource,
)
from .careplan import layout
from .patients import patient_reference
from .requests import request_id
from .settings import CANONICAL, FhirSettings, rebase

__all__ = [
    "FHIR_REASONS",
    "MEASURES",
    "FhirLogTable",
    "logs_to_csv",
    "logs_to_fhir",
]

LOG_SYSTEM = f"{BASE}/CodeSystem/exercise-log"
#: LOINC 72514-3, checked in HL7 Europe's EPS and HL7 Belgium's patient-monitoring IGs.
PAIN = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
#: Log column -> the Observation.component code that carries it.
MEASURES: dict[str, dict[str, str]] = {
    "sets_done": {"system": LOG_SYSTEM, "code": "sets-done", "display": "Sets done"},
    "reps_done": {"system": LOG_SYSTEM, "code": "reps-done", "display": "Reps done per set"},
    "hold_s": {"system": LOG_SYSTEM, "code": "hold", "display": "Hold (seconds)"},
    "pain_during": PAIN,
    "pain_next_morning": {
        "system": LOG_SYSTEM,
        "code": "pain-next-morning",
        "display": "Pain the next morning (0-10)",
    },
}
#: Reasons only FHIR input can have, with what a valid entry looks like.
FHIR_REASONS: dict[str, str] = {
    "invalid FHIR": "a resource valid under the FHIR R4 models and R4's required codes",
    "not an exercise record": "an Observation of an exercise (SNOMED CT 229065009 or a "
    "backplan exercise code, in value or code)",
    "not a final record": "status final, amended or corrected",
    "meaning changed": "no implicitRules and no modifierExtension",
    "no patient": "a subject that names the patient",
    "more than one exercise": "one backplan exercise code per Observation (one exercise "
    "logged per entry)",
    "hold not in seconds": "a hold in seconds (UCUM s or min)",
    "count with a unit": "a count: a whole number with no unit (or {repetitions}, {sets}, 1)",
    "pain not a 0-10 score": "pain as a number with no unit (or {score}, 1)",
    "repeated measure": "one component per measure",
    "unreadable entry": "an entry backplan can read (this one broke the reader: please report it)",
}
_SCORE = {"system": UCUM, "code": "{score}", "unit": "score"}


class FhirLogTable(LogTable):
    """A :class:`~backplan.LogTable` read from FHIR: ``row`` is the Bundle entry
    index and ``column`` the FHIR element path."""

    def problem_list(self) -> list[Problem]:
        """Every problem as a :class:`~backplan.errors.Problem` (file, entry, element)."""
        reasons = {**REASONS, **FHIR_REASONS}
        return [
            Problem(str(p.file), int(p.row), str(p.column), reasons[p.reason], p.got, p.reason)
            for p in self.problems.itertuples(index=False)
        ]


# --- writing ---------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (np.ndim(value) == 0 and pd.isna(value)) or str(value).strip() == ""


def _component(column: str, value: Any) -> dict[str, Any]:
    code = MEASURES[column]
    number = float(value)
    part: dict[str, Any] = {"code": {"coding": [code], "text": code["display"]}}
    if column == "hold_s":
        part["valueQuantity"] = {"value": number, "unit": "s", "system": UCUM, "code": "s"}
    elif number == int(number):
        part["valueInteger"] = int(number)
    else:  # a pain score such as 2.5
        part["valueQuantity"] = {"value": number, **_SCORE}
    return part


def _observation(i: int, row: Mapping[str, Any], subject: dict, based_on: str | None) -> dict:
    """Row ``i`` as an Observation; its id comes from the row and its position."""
    day = pd.Timestamp(row["date"]).date().isoformat()
    exercise = str(row["exercise"])
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/log/{i}/{sorted(row.items())}")),
        "status": "final",
        "category": [{"coding": [OBSERVATION_ACTIVITY]}, {"coding": [PA_CATEGORY]}],
        "code": {"coding": [EXERCISE_ACTIVITY], "text": "Exercise activity"},
        "subject": subject,
        "effectiveDateTime": day,
        "performer": [subject],
        "valueCodeableConcept": {
            "coding": [EXERCISE_THERAPY, {"system": EXERCISE_SYSTEM, "code": exercise}],
            "text": exercise,
        },
    }
    if based_on:
        obs["basedOn"] = [{"reference": based_on}]
    parts = [_component(c, row.get(c)) for c in MEASURES if not _blank(row.get(c))]
    if parts:
        obs["component"] = parts
    if not _blank(row.get("note")):
        obs["note"] = [{"text": str(row["note"])}]
    return obs


def _orders(plans: Iterable[Plan]) -> dict[str, list[tuple[str, date, date, str]]]:
    """Per patient label: (exercise, first day, last day, ServiceRequest reference)."""
    out: dict[str, list[tuple[str, date, date, str]]] = {}
    for plan in plans:
        rows = out.setdefault(plan.patient, [])
        for step, status, revision in layout(plan):
            if status != "scheduled":
                continue
            first = plan.start_date + timedelta(weeks=step.first - 1)
            last = plan.start_date + timedelta(days=7 * step.last - 1)
            rid = request_id(plan, step.dose.exercise, step.first, revision)
            rows.append((step.dose.exercise, first, last, f"ServiceRequest/{rid}"))
    return out


def _based_on(orders: Mapping[str, list], row: Mapping[str, Any]) -> str | None:
    day = pd.Timestamp(row["date"]).date()
    for exercise, first, last, ref in orders.get(str(row["patient"]), ()):
        if exercise == str(row["exercise"]) and first <= day <= last:
            return ref
    return None


def logs_to_fhir(
    logs: pd.DataFrame,
    plans: Iterable[Plan] = (),
    *,
    settings: FhirSettings | None = None,
    bundle_type: str = "collection",
) -> dict[str, Any]:
    """Log rows as a FHIR Bundle of Observations, one per row, then the patients.

    Parameters
    ----------
    logs : pandas.DataFrame
        Rows with the :data:`~backplan.LOG_COLUMNS` (``hold_s``, ``pain`` and ``note``
        may be missing), e.g. ``read_logs(...).accepted``. Row ``i`` becomes
        ``Bundle.entry[i]``.
    plans : iterable of Plan, optional
        The patients' plans: each Observation gets ``basedOn`` the ServiceRequest of the
        dose prescribed for that exercise that day (as :func:`to_fhir` writes it).
    settings : FhirSettings, optional
        The canonical base and patient identifier system (as for :func:`to_fhir`).
    bundle_type : {"collection", "transaction"}
        ``transaction``: each Observation is ``PUT`` at its id (sending the same diary
        twice adds nothing) and each Patient created only if missing.

    Raises
    ------
    FhirError
        When a row does not make valid FHIR, naming the entry and element.

    Examples
    --------
    >>> row = pd.DataFrame({"patient": ["P1"], "date": ["2026-01-05"],
    ...                     "exercise": ["heel-slides"], "sets_done": [2], "reps_done": [10]})
    >>> obs = logs_to_fhir(row)["entry"][0]["resource"]
    >>> obs["effectiveDateTime"], [c["valueInteger"] for c in obs["component"]]
    ('2026-01-05', [2, 10])
    >>> obs["code"]["coding"][0]["code"], obs["valueCodeableConcept"]["coding"][1]["code"]
    ('73985-4', 'heel-slides')
    """
    settings = settings or FhirSettings()
    if bundle_type not in ("transaction", "collection"):
        raise ValueError(f"bundle_type must be 'transaction' or 'collection', got {bundle_type!r}")
    if bundle_type == "collection" and settings.patients == "conditional":
        raise ValueError("conditional patient references work only in a transaction Bundle")
    missing = [c for c in ("patient", "date", "exercise") if c not in logs.columns]
    if missing:
        raise FhirError([FhirProblem(f"logs column {c!r}", "this column") for c in missing])
    if "pain" in logs.columns and "pain_during" not in logs.columns:  # the old log column
        logs = logs.rename(columns={"pain": "pain_during"})
    columns = [c for c in LOG_COLUMNS if c in logs.columns]
    orders = _orders(plans)
    entries, problems = [], []
    patients: dict[str, dict] = {}
    for i, row in enumerate(logs[columns].to_dict("records")):
        try:
            subject, patient = patient_reference(str(row["patient"]), settings)
            obs = _observation(i, row, subject, _based_on(orders, row))
        except (TypeError, ValueError) as exc:  # an unreadable date or count, a bad label
            problems.append(FhirProblem(f"logs row {i}", f"a checked log row ({exc})"))
            continue
        if patient is not None:
            patients.setdefault(patient["id"], patient)
        root = f"Bundle.entry[{i}].resource"
        obs, found = clean_strings(obs, root)
        problems += found or validate_resource(obs, root)
        entries.append({"fullUrl": f"urn:uuid:{obs['id']}", "resource": obs,
                        "request": {"method": "PUT", "url": f"Observation/{obs['id']}"}})  # fmt: skip
    for pid, patient in patients.items():
        ident = patient["identifier"][0]
        url = f"identifier={ident['system']}|{ident['value']}"
        entries.append({"fullUrl": f"urn:uuid:{pid}", "resource": patient,
                        "request": {"method": "POST", "url": "Patient", "ifNoneExist": url}})  # fmt: skip
    if problems:
        raise FhirError(problems, "<logs>")
    if bundle_type == "collection":
        for entry in entries:
            del entry["request"]
    bundle = {"resourceType": "Bundle", "type": bundle_type, "entry": entries}
    return rebase(bundle, [CANONICAL], settings.canonical)


def logs_to_csv(table: LogTable, path: str | os.PathLike[str]) -> Path:
    """Write a table's accepted rows as a log CSV that ``read_logs`` and
    ``backplan adherence`` read (dates YYYY-MM-DD, text cells made spreadsheet-safe).

    Examples
    --------
    >>> import tempfile
    >>> from backplan.fhir import logs_from_fhir
    >>> rows = pd.DataFrame({"patient": ["P1"], "date": ["2026-01-05"],
    ...                      "exercise": ["heel-slides"], "sets_done": [1], "reps_done": [10]})
    >>> out = logs_to_csv(logs_from_fhir(logs_to_fhir(rows)), tempfile.mkdtemp() + "/logs.csv")
    >>> out.read_text().splitlines()[1]
    'P1,2026-01-05,heel-slides,1,10,,,,'
    """
    if Path(path).suffix.lower() != ".csv":
        raise BackplanError(f"{Path(path).name!r}: exercise logs are written as .csv")
    frame = table.accepted[list(LOG_COLUMNS)].copy()
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    return write_atomic(path, neutralise_frame(frame).to_csv(index=False))
