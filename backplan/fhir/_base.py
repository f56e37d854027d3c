"""What the FHIR mappings share: code systems, extension URLs, errors and validation.

Validation uses the R4B models of ``fhir.resources`` (pydantic v2); their error locations
become FHIRPath-like element paths such as ``CarePlan.activity[2].detail.quantity.value``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pydantic
from fhir.resources.R4B import get_fhir_model_class

from .problems import FhirError, FhirProblem
from .settings import CANONICAL

__all__ = [
    "BASE",
    "EXERCISE_ACTIVITY",
    "EXERCISE_SYSTEM",
    "EXERCISE_THERAPY",
    "OBSERVATION_ACTIVITY",
    "PATIENT_LABEL_SYSTEM",
    "PA_CATEGORY",
    "UCUM",
    "FhirError",
    "FhirProblem",
    "clean_strings",
    "dig",
    "ext",
    "ext_value",
    "load_json",
    "path_of",
    "validate_resource",
]

#: Canonical base of backplan's own code systems and extensions as written inside the
#: package (a clinic's own base replaces it on the way out, see ``settings.py``).
BASE = CANONICAL
EXERCISE_SYSTEM = f"{BASE}/CodeSystem/exercise"
#: The patient-label system of files written before plans had Patients (still read).
PATIENT_LABEL_SYSTEM = f"{BASE}/NamingSystem/patient-label"
PLAN_ID_SYSTEM = f"{BASE}/sid/plan-id"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
#: SNOMED CT 229065009 "Exercise therapy", on every exercise activity and log record
#: (checked against tx.fhir.org's answer cached in HL7/physical-activity, input-cache).
EXERCISE_THERAPY = {"system": SNOMED, "code": "229065009", "display": "Exercise therapy"}
#: LOINC 73985-4 "Exercise activity": the code of a log Observation whose value is the
#: exercise done (the Physical Activity IG's activity-measure pattern; HL7/physical-activity,
#: input/fsh/Vocabulary.fsh, ValueSet PAObservationActivityMeasures).
EXERCISE_ACTIVITY = {"system": LOINC, "code": "73985-4", "display": "Exercise activity"}
#: The Physical Activity IG's category, beside the core ``activity`` category.
PA_CATEGORY = {
    "system": "http://hl7.org/fhir/us/physical-activity/CodeSystem/pa-temporary-codes",
    "code": "PhysicalActivity",
    "display": "Physical Activity",
}
OBSERVATION_ACTIVITY = {
    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
    "code": "activity",
    "display": "Activity",
}

# FHIR strings: no control characters other than tab, CR and LF (FHIR R4 datatypes, string)
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# the same characters as json.dumps writes them: \b, \f or \u0000-\u001f (an odd backslash)
_ESCAPED_BAD = re.compile(r"(?<!\\)(?:\\\\)*\\(?:b|f|u00[01][0-9a-fA-F])")


def path_of(root: str, loc: Sequence[str | int]) -> str:
    """``root`` followed by a pydantic error location, FHIRPath style.

    Examples
    --------
    >>> path_of("CarePlan", ("activity", 2, "detail", "quantity"))
    'CarePlan.activity[2].detail.quantity'
    """
    out = root
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _control_chars(data: Any, path: str) -> list[FhirProblem]:
    """Strings holding characters FHIR does not allow (the models let them through)."""
    if isinstance(data, str):
        bad = _BAD_CHARS.search(data)
        if bad:
            return [FhirProblem(path, "text without control characters", bad.group())]
        return []
    if isinstance(data, Mapping):
        return [p for k, v in data.items() for p in _control_chars(v, f"{path}.{k}")]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _control_chars(v, f"{path}[{i}]")]
    return []


def validate_resource(data: Any, root: str) -> list[FhirProblem]:
    """Problems with one resource under the FHIR R4B models (empty when it is valid).

    Parameters
    ----------
    data : mapping
        The resource as parsed JSON.
    root : str
        The path the resource sits at, e.g. ``"CarePlan"`` or ``"Bundle.entry[3].resource"``.
    """
    if not isinstance(data, Mapping):
        return [FhirProblem(root, "a JSON object for a FHIR resource", type(data).__name__)]
    kind = data.get("resourceType")
    try:
        model = get_fhir_model_class(str(kind))
    except (KeyError, ValueError):
        return [FhirProblem(f"{root}.resourceType", "a FHIR R4 resource type", kind)]
    try:
        model.model_validate(dict(data))
    except pydantic.ValidationError as exc:
        out = []
        for err in exc.errors():
            msg = str(err["msg"]).removeprefix("Value error, ")
            got = err.get("input") if err["type"] != "missing" else None
            if isinstance(got, Mapping | list):
                got = None
            out.append(FhirProblem(path_of(root, err["loc"]), _expected(msg), got))
        return out
    except (KeyError, TypeError, ValueError) as exc:  # raised by fhir_core on odd shapes
        return [FhirProblem(root, f"a valid {kind} resource ({exc})")]
    from .invariants import invariant_problems

    out = invariant_problems(dict(data), root)
    # one regex over the JSON text finds most resources clean; only then walk for the path
    if _ESCAPED_BAD.search(json.dumps(data)) is None:
        return out
    return out + _control_chars(dict(data), root)


def _expected(msg: str) -> str:
    if msg == "Field required":
        return "this element (it is required)"
    if msg.startswith("Input should be "):
        return msg.removeprefix("Input should be ")
    return f"a valid value ({msg})"


def dig(data: Any, *keys: str) -> Any:
    """``data[k1][k2]...``, or ``None`` where a level is missing or not an object.

    Examples
    --------
    >>> dig({"a": {"b": 1}}, "a", "b"), dig({"a": None}, "a", "b"), dig({"a": [1]}, "a", "b")
    (1, None, None)
    """
    for key in keys:
        data = data.get(key) if isinstance(data, Mapping) else None
    return data


def ext(url: str, **value: Any) -> dict[str, Any]:
    """An extension: ``ext(url, valueInteger=3)`` or ``ext(url, extension=[...])``."""
    return {"url": url, **value}


def ext_value(extensions: Sequence[Mapping[str, Any]] | None, url: str) -> list[Any]:
    """The values (``value[x]`` or nested ``extension``) of every extension named ``url``."""
    out = []
    for e in extensions or ():
        if e.get("url") == url:
            values = [v for k, v in e.items() if k.startswith("value")]
            out.append(values[0] if values else e.get("extension", []))
    return out


def load_json(source: Any, label: str | None = None) -> tuple[Any, str]:
    """Parsed JSON and a label for messages, from a mapping, JSON text or a file path."""
    if isinstance(source, Mapping):
        return dict(source), label or "<fhir>"
    if isinstance(source, str) and source.lstrip().startswith("{"):
        text, label = source, label or "<fhir>"
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        label = label or str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise FhirError(
                [FhirProblem("file", f"a readable file ({exc.strerror})")], label
            ) from None
    else:
        raise TypeError(f"expected a dict, JSON text or a path, got {type(source).__name__}")
    try:
        return json.loads(text), label
    except json.JSONDecodeError as exc:
        where = f"JSON text ({exc.msg} at line {exc.lineno})"
        raise FhirError([FhirProblem("file", where)], label) from None


def clean_strings(data: Any, path: str) -> tuple[Any, list[FhirProblem]]:
    """``data`` with every string's odd spaces made plain and its ends trimmed.

    Text that is nothing but spaces cannot be FHIR (a string holds at least one
    character that is not a space): each is a problem at its path.
    """
    from .invariants import clean_text

    problems: list[FhirProblem] = []

    def walk(node: Any, at: str) -> Any:
        if isinstance(node, str):
            text = clean_text(node)
            if not text:
                problems.append(FhirProblem(at, "text with something other than spaces", node))
            return text
        if isinstance(node, Mapping):
            return {k: walk(v, f"{at}.{k}") for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{at}[{i}]") for i, v in enumerate(node)]
        return node

    return walk(data, path), problems
