"""The patient: written as a Patient (or a conditional reference), read from any reference.

backplan knows a patient only by the plan's label (or pseudonym). On the way out the label
becomes a Patient's ``identifier`` under the clinic's identifier system (backplan's own,
or the NHS number system) with the label as the reference's ``display``; nothing else about
the person is written. On the way in a label is found, in order, in: the caller's
``patients`` mapping, a Patient in the Bundle or ``contained`` (its identifier under a
known system), an identifier in the reference (or a conditional reference
``Patient?identifier=system|value``), the reference's ``display``, and last the id of a
``Patient/<id>`` reference.

Examples
--------
>>> from backplan.fhir.settings import FhirSettings, NHS_NUMBER
>>> subject, patient = patient_reference("943 476 5919", FhirSettings(patient_system=NHS_NUMBER))
>>> patient["identifier"], subject["display"]
([{'system': 'https://fhir.nhs.uk/Id/nhs-number', 'value': '9434765919'}], '943 476 5919')
>>> label_of({"reference": "Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919"}, Resolver({}))
('9434765919', None)
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._base import BASE, DATA_ABSENT, PATIENT_LABEL_SYSTEM, FhirProblem, ext
from .settings import NHS_NUMBER, FhirSettings

__all__ = [
    "Resolver",
    "index_bundle",
    "label_of",
    "label_systems",
    "nhs_number",
    "patient_reference",
]


def nhs_number(label: str) -> str | None:
    """The NHS number in ``label`` (spaces allowed), or ``None`` when it is not one.

    Ten digits; the last is the modulus-11 check digit (NHS Data Dictionary).

    Examples
    --------
    >>> nhs_number("943 476 5919"), nhs_number("943 476 5918")
    ('9434765919', None)
    """
    digits = label.replace(" ", "")
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return None
    check = 11 - sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return digits if check != 10 and check == int(digits[9]) else None


def patient_reference(
    label: str, settings: FhirSettings
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The ``subject`` reference for ``label``, and the Patient to send with it (or ``None``).

    The reference points at ``urn:uuid:`` of the Patient (made from the system and the
    label, so every file for this patient names the same one) or, for conditional
    settings, at ``Patient?identifier=system|value``. An empty label has no Patient: the
    reference carries only a data-absent-reason.

    Raises
    ------
    ValueError
        When the system is the NHS number system and the label is not a valid NHS number.
    """
    if not label:
        return {"extension": [ext(DATA_ABSENT, valueCode="unknown")]}, None
    system = settings.label_system
    value = label
    if system == NHS_NUMBER:
        value = nhs_number(label) or ""
        if not value:
            raise ValueError("an NHS number (10 digits with a valid check digit) as the label")
    identifier = {"system": system, "value": value}
    if settings.patients == "conditional":
        return {"reference": f"Patient?identifier={system}|{value}", "display": label}, None
    pid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/Patient/{system}|{value}"))
    patient = {"resourceType": "Patient", "id": pid, "identifier": [identifier]}
    return {"reference": f"urn:uuid:{pid}", "display": label}, patient


def label_systems(settings: FhirSettings) -> tuple[str, ...]:
    """Identifier systems read as a patient label (the clinic's, backplan's, NHS number)."""
    own = f"{BASE}/sid/patient-label"
    return tuple(dict.fromkeys((settings.label_system, own, PATIENT_LABEL_SYSTEM, NHS_NUMBER)))


@dataclass
class Resolver:
    """Finds the resource a reference points at: in a Bundle (by ``fullUrl`` or
    ``Type/id``) or among a resource's ``contained`` (``#id``)."""

    bundle: Mapping[str, Any]
    contained: Mapping[str, Any] = field(default_factory=dict)
    systems: tuple[str, ...] = label_systems(FhirSettings())
    patients: Mapping[str, str] = field(default_factory=dict)

    def find(self, ref: Any) -> Any:
        """The resource ``ref`` (a reference string) names, or ``None``."""
        if not isinstance(ref, str):
            return None
        if ref.startswith("#"):
            return self.contained.get(ref[1:])
        if ref in self.bundle:
            return self.bundle[ref]
        tail = "/".join(ref.rstrip("/").split("/")[-2:])  # an absolute URL: its Type/id
        return self.bundle.get(tail)

    def with_contained(self, resource: Mapping[str, Any]) -> Resolver:
        """This resolver, also seeing the ``contained`` resources of ``resource``."""
        inner = resource.get("contained") if isinstance(resource, Mapping) else None
        found = {
            str(r.get("id")): r for r in (inner if isinstance(inner, list) else [])
            if isinstance(r, Mapping) and r.get("id") is not None
        }  # fmt: skip
        return Resolver(self.bundle, found, self.systems, self.patients)


def index_bundle(bundle: Mapping[str, Any]) -> dict[str, Any]:
    """Bundle resources by ``fullUrl`` and by ``Type/id``."""
    out: dict[str, Any] = {}
    entries = bundle.get("entry")
    for entry in entries if isinstance(entries, list) else []:
        res = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(res, Mapping):
            continue
        if isinstance(entry.get("fullUrl"), str):
            out.setdefault(entry["fullUrl"], res)
        if isinstance(res.get("id"), str):
            out.setdefault(f"{res.get('resourceType')}/{res['id']}", res)
    return out


def _identifier_label(idents: Any, systems: tuple[str, ...]) -> str | None:
    items = idents if isinstance(idents, list) else [idents]
    for system in systems:
        for ident in items:
            if isinstance(ident, Mapping) and ident.get("system") == system:
                value = ident.get("value")
                if isinstance(value, str) and value:
                    return value
    return None


def label_of(ref: Any, resolver: Resolver) -> tuple[str | None, FhirProblem | None]:
    """The patient label a ``subject`` (or ``performer``) reference gives, or a problem.

    The problem's path is relative (``reference``, ``identifier``...); the caller adds where
    the reference sits. An identifier written without the spaces of the label (an NHS
    number ``943 476 5919`` is ``9434765919``) gives the label as the display spells it.
    """
    label, problem = _label_of(ref, resolver)
    shown = ref.get("display") if isinstance(ref, Mapping) else None
    if label and isinstance(shown, str) and shown != label and shown.replace(" ", "") == label:
        return shown, None
    return label, problem


def _label_of(ref: Any, resolver: Resolver) -> tuple[str | None, FhirProblem | None]:
    if not isinstance(ref, Mapping):
        return None, FhirProblem("", "a reference to the patient", ref)
    target = ref.get("reference")
    if isinstance(target, str) and target in resolver.patients:
        return resolver.patients[target], None
    found = resolver.find(target)
    if isinstance(found, Mapping):
        if found.get("resourceType") != "Patient":
            return None, FhirProblem("reference", "a reference to a Patient", target)
        label = _identifier_label(found.get("identifier"), resolver.systems)
        if label:
            return label, None
    label = _identifier_label(ref.get("identifier"), resolver.systems)
    if label:
        return label, None
    if isinstance(target, str) and target.startswith("Patient?identifier="):
        system, _, value = target.removeprefix("Patient?identifier=").partition("|")
        if value and system in resolver.systems:
            return value, None
    if isinstance(ref.get("display"), str) and ref["display"]:
        return ref["display"], None
    if isinstance(target, str) and target.startswith("Patient/") and target.count("/") == 1:
        return target.removeprefix("Patient/"), None
    marks = ref.get("extension") if isinstance(ref.get("extension"), list) else []
    if any(isinstance(e, Mapping) and e.get("url") == DATA_ABSENT for e in marks):
        return "", None
    return None, FhirProblem(
        "", "a patient: a Patient reference, an identifier of a known system or a display", target
    )
