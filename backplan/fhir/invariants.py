"""Checks the R4B models leave out: required code bindings, CarePlan's cpl-3, modifiers.

``fhir.resources`` checks structure and data types, not the value sets a code must come
from: a CarePlan ``status`` of ``"bogus"`` passes it. :func:`invariant_problems` checks the
codes FHIR R4 binds as *required* on the elements backplan reads and writes, and the
invariant ``cpl-3`` (an activity has a reference or a detail, not both).
:func:`modifier_problems` refuses what would change the meaning of a resource that
backplan would otherwise read as a live plan or log: a status saying it is void, an intent
that is not a plan, ``doNotPerform``, an unknown ``modifierExtension``, ``implicitRules``.
:func:`clean_text` turns the spaces JSON-schema tools reject into plain ones.

Examples
--------
>>> invariant_problems({"resourceType": "CarePlan", "status": "bogus", "intent": "plan"}, "CarePlan")
[FhirProblem(path='CarePlan.status', expected='one of draft, active, on-hold, revoked, completed, entered-in-error, unknown', got='bogus')]
>>> [p.path for p in modifier_problems({"resourceType": "CarePlan", "status": "revoked"}, "CarePlan")]
['CarePlan.status']
>>> clean_text(" Ann\\u00a0Smith ")
'Ann Smith'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ._base import FhirProblem

__all__ = ["READABLE", "clean_text", "invariant_problems", "modifier_problems", "walk"]

_REQUEST = "draft, active, on-hold, revoked, completed, entered-in-error, unknown"
#: element path (resource type and element names, no indexes) -> the codes R4 allows there
REQUIRED: dict[str, tuple[str, ...]] = {
    "CarePlan.status": tuple(_REQUEST.split(", ")),
    "CarePlan.intent": ("proposal", "plan", "order", "option"),
    "CarePlan.activity.detail.status": (
        "not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled",
        "stopped", "unknown", "entered-in-error",
    ),
    "CarePlan.activity.detail.kind": (
        "Appointment", "CommunicationRequest", "DeviceRequest", "MedicationRequest",
        "NutritionOrder", "Task", "ServiceRequest", "VisionPrescription",
    ),
    "ServiceRequest.status": tuple(_REQUEST.split(", ")),
    "ServiceRequest.intent": (
        "proposal", "plan", "directive", "order", "original-order", "reflex-order",
        "filler-order", "instance-order", "option",
    ),
    "ServiceRequest.priority": ("routine", "urgent", "asap", "stat"),
    "Observation.status": (
        "registered", "preliminary", "final", "amended", "corrected", "cancelled",
        "entered-in-error", "unknown",
    ),
    "Bundle.type": (
        "document", "message", "transaction", "transaction-response", "batch",
        "batch-response", "history", "searchset", "collection",
    ),
    "Bundle.entry.request.method": ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"),
    "Patient.gender": ("male", "female", "other", "unknown"),
}  # fmt: skip
#: data-type element (parent name, element) -> allowed codes, wherever the type is used
TYPED: dict[tuple[str, str], tuple[str, ...]] = {
    ("repeat", "periodUnit"): ("s", "min", "h", "d", "wk", "mo", "a"),
    ("repeat", "durationUnit"): ("s", "min", "h", "d", "wk", "mo", "a"),
    ("repeat", "dayOfWeek"): ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
    ("text", "status"): ("generated", "extensions", "additional", "empty"),
    ("identifier", "use"): ("usual", "official", "temp", "secondary", "old"),
}
#: statuses after which backplan reads a resource (others are refused by modifier_problems)
READABLE: dict[str, tuple[str, ...]] = {
    "CarePlan.status": ("draft", "active", "on-hold", "completed"),
    "CarePlan.intent": ("plan", "order"),
    "ServiceRequest.status": ("draft", "active", "on-hold", "revoked", "completed"),
    "ServiceRequest.intent": ("order", "original-order", "plan", "directive", "instance-order"),
    "CarePlan.activity.detail.status": (
        "not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled", "stopped",
    ),
}  # fmt: skip
_WHY = {
    "revoked": "the record says this was stopped (revoked) and is no longer in force",
    "entered-in-error": "the record says this was entered in error",
    "unknown": "the record does not know whether this is in force",
    "proposal": "it is only proposed, not agreed",
    "option": "it is only an option, not a plan",
}
# what JSON-schema tools (JavaScript's \s, Python's \s) take as space, bar space, tab, CR, LF
_ODD_SPACE = re.compile(r"[^\S \t\r\n]|\ufeff")


def clean_text(text: str) -> str:
    """``text`` with no-break and other Unicode spaces made plain, trimmed at both ends."""
    return _ODD_SPACE.sub(" ", text).strip()


def walk(data: Any, path: str, generic: str) -> Iterator[tuple[str, str, str, Any]]:
    """(path, generic path, key, value) for every element below a resource.

    ``generic`` is the path without indexes, starting at the resource type; contained and
    Bundle entry resources start again at their own type.
    """
    if isinstance(data, dict):
        for key, value in data.items():
            here, kind = f"{path}.{key}", f"{generic}.{key}"
            if key in ("resource",) or (key == "contained"):
                items = value if isinstance(value, list) else [value]
                for i, item in enumerate(items):
                    at = f"{here}[{i}]" if isinstance(value, list) else here
                    rt = item.get("resourceType") if isinstance(item, dict) else None
                    yield at, str(rt), key, item
                    yield from walk(item, at, str(rt))
                continue
            yield here, kind, key, value
            if isinstance(value, list):
                for i, item in enumerate(value):
                    yield f"{here}[{i}]", kind, key, item
                    yield from walk(item, f"{here}[{i}]", kind)
            else:
                yield from walk(value, here, kind)


def _coded(value: Any, allowed: tuple[str, ...], path: str) -> list[FhirProblem]:
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _coded(v, allowed, f"{path}[{i}]")]
    if isinstance(value, str) and value not in allowed:
        return [FhirProblem(path, f"one of {', '.join(allowed)}", value)]
    return []


def invariant_problems(resource: Any, root: str) -> list[FhirProblem]:
    """Required-binding codes and ``cpl-3`` broken anywhere in ``resource``."""
    if not isinstance(resource, dict):
        return []
    kind = str(resource.get("resourceType"))
    out = []
    seen: set[str] = set()
    for path, generic, key, value in walk(resource, root, kind):
        if isinstance(value, list) or path in seen:  # lists: checked item by item
            continue
        seen.add(path)
        parent = generic.rsplit(".", 2)[-2] if generic.count(".") >= 1 else ""
        allowed = REQUIRED.get(generic) or TYPED.get((parent, key))
        if allowed:
            out += _coded(value, allowed, path)
        if (
            generic.endswith("CarePlan.activity")
            and isinstance(value, dict)
            and ("detail" in value and "reference" in value)
        ):
            out.append(FhirProblem(path, "a reference or a detail, not both (cpl-3)"))
    return out


def modifier_problems(resource: Any, root: str) -> list[FhirProblem]:
    """What makes a resource mean something other than what backplan would read it as."""
    if not isinstance(resource, dict):
        return []
    kind = str(resource.get("resourceType"))
    out = []
    for path, generic, key, value in walk(resource, root, kind):
        if isinstance(value, list) and key != "modifierExtension":
            continue
        if key == "implicitRules":
            out.append(FhirProblem(path, "no implicitRules (rules backplan cannot know)", value))
        elif key == "modifierExtension" and not path.endswith("]") and value:
            urls = (
                [e.get("url") for e in value if isinstance(e, dict)]
                if isinstance(value, list)
                else []
            )
            out.append(
                FhirProblem(path, "no modifierExtension backplan does not know", urls or value)
            )
        elif key == "doNotPerform" and value is True:
            out.append(FhirProblem(path, "something to do (doNotPerform says not to do it)", value))
        elif generic in READABLE and isinstance(value, str) and value not in READABLE[generic]:
            why = _WHY.get(value)
            expected = f"one of {', '.join(READABLE[generic])}" + (f" ({why})" if why else "")
            out.append(FhirProblem(path, expected, value))
    return out
