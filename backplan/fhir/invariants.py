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
from collections.abc import Callable, Iterator
from typing import Any

from .problems import FhirProblem

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
#: element names worth a look (everything else is skipped at once)
_CODED = {g.rsplit(".", 1)[-1] for g in REQUIRED} | {k for _, k in TYPED} | {"activity"}
_MODIFIERS = {"implicitRules", "modifierExtension", "doNotPerform", "status", "intent"}
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
    found: list[tuple[str, str, str, Any]] = []
    _visit(data, [path], generic, lambda at, g, k, v: found.append((_path(at), g, k, v)) or False)
    return iter(found)


def _path(parts: list) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p)
                   for i, p in enumerate(parts))  # fmt: skip


Visitor = Callable[[list, str, str, Any], Any]


def _visit(data: Any, parts: list, generic: str, seen: Visitor) -> None:
    """Call ``seen(parts, generic, key, value)`` for every element (and list item) below
    ``data``; ``parts`` is the path as a list, turned into text only when needed."""
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        here = [*parts, key]
        if key == "resource" or key == "contained":
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                at = [*here, i] if isinstance(value, list) else here
                kind = str(item.get("resourceType")) if isinstance(item, dict) else "None"
                seen(at, kind, key, item)
                _visit(item, at, kind, seen)
            continue
        kind = f"{generic}.{key}"
        seen(here, kind, key, value)
        if isinstance(value, list):
            for i, item in enumerate(value):
                seen([*here, i], kind, key, item)
                _visit(item, [*here, i], kind, seen)
        elif isinstance(value, dict):
            _visit(value, here, kind, seen)


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
    out: list[FhirProblem] = []

    def seen(parts: list, generic: str, key: str, value: Any) -> None:
        if key not in _CODED or isinstance(value, list):
            return  # not a coded element; a list: checked item by item
        parent = generic.rsplit(".", 2)[-2] if "." in generic else ""
        allowed = REQUIRED.get(generic) or TYPED.get((parent, key))
        if allowed:
            out.extend(_coded(value, allowed, _path(parts)))
        if (isinstance(value, dict) and "detail" in value and "reference" in value
                and generic.endswith("CarePlan.activity")):  # fmt: skip
            out.append(FhirProblem(_path(parts), "a reference or a detail, not both (cpl-3)"))

    _visit(resource, [root], str(resource.get("resourceType")), seen)
    return out


def modifier_problems(resource: Any, root: str) -> list[FhirProblem]:
    """What makes a resource mean something other than what backplan would read it as."""
    if not isinstance(resource, dict):
        return []
    out: list[FhirProblem] = []

    def seen(parts: list, generic: str, key: str, value: Any) -> None:
        if key not in _MODIFIERS:
            return
        if key == "implicitRules" and not isinstance(parts[-1], int):
            out.append(
                FhirProblem(_path(parts), "no implicitRules (rules backplan cannot know)", value)
            )
        elif key == "modifierExtension" and not isinstance(parts[-1], int) and value:
            urls = (
                [e.get("url") for e in value if isinstance(e, dict)]
                if isinstance(value, list)
                else []
            )
            out.append(FhirProblem(_path(parts), "no modifierExtension backplan does not know",
                                   urls or value))  # fmt: skip
        elif key == "doNotPerform" and value is True:
            out.append(
                FhirProblem(_path(parts), "something to do (doNotPerform says not to do it)", value)
            )
        elif generic in READABLE and isinstance(value, str) and value not in READABLE[generic]:
            why = _WHY.get(value)
            expected = f"one of {', '.join(READABLE[generic])}" + (f" ({why})" if why else "")
            out.append(FhirProblem(_path(parts), expected, value))

    _visit(resource, [root], str(resource.get("resourceType")), seen)
    return out
