"""Where backplan's FHIR definitions live, and how a clinic names its patients.

backplan names its own extensions and code systems under one canonical base,
:data:`CANONICAL`: the project's GitHub Pages site, where ``docs/fhir/`` (the small
implementation guide package :func:`backplan.fhir.write_package` makes) is published, so
every URL in a file points at a page that defines it. A service that publishes the
definitions elsewhere passes its own base as ``FhirSettings(canonical=...)``; files are
read back whatever base they were written with, including the placeholder
``http://backplan.example.org/fhir`` of earlier versions (:data:`KNOWN_BASES`).

Patients travel as the plan's label. A clinic that labels plans with an identifier it
already uses (an NHS number, say) gives that identifier's system, and records can match the
plan to their own Patient.

Examples
--------
>>> s = FhirSettings(patient_system=NHS_NUMBER)
>>> s.label_system, s.patients
('https://fhir.nhs.uk/Id/nhs-number', 'resource')
>>> FhirSettings().label_system
'https://backplan.github.io/backplan/fhir/sid/patient-label'
>>> rebase({"url": "http://backplan.example.org/fhir/StructureDefinition/plan-level"})
{'url': 'https://backplan.github.io/backplan/fhir/StructureDefinition/plan-level'}
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CANONICAL",
    "KNOWN_BASES",
    "NHS_NUMBER",
    "FhirSettings",
    "rebase",
]

#: The canonical base backplan publishes its definitions under (GitHub Pages of the
#: project's repository, serving ``docs/fhir``).
CANONICAL = "https://backplan.github.io/backplan/fhir"
#: Bases files were written with by earlier versions: read as :data:`CANONICAL`.
KNOWN_BASES: tuple[str, ...] = ("http://backplan.example.org/fhir",)
#: NHS England's identifier system for NHS numbers (UK Core).
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
_URL = r"^https?://[^\s/]+(/[^\s]*)?[^/\s]$"


class FhirSettings(BaseModel):
    """How backplan writes FHIR for a clinic.

    Attributes
    ----------
    canonical : str
        The base of backplan's extension, code-system and identifier URLs.
    patient_system : str
        The identifier system of the patient label (empty: backplan's own,
        ``<canonical>/sid/patient-label``). :data:`NHS_NUMBER` makes every label an NHS
        number, checked (10 digits with a valid check digit).
    patients : {"resource", "conditional"}
        ``resource``: the Bundle holds a Patient with the label as its identifier (created
        only if the server has none with that identifier). ``conditional``: no Patient;
        references read ``Patient?identifier=<system>|<label>``, which a server resolves
        inside a transaction.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    canonical: str = Field(CANONICAL, pattern=_URL)
    patient_system: str = Field("", pattern=r"^(|https?://\S+|urn:\S+)$")
    patients: Literal["resource", "conditional"] = "resource"

    @property
    def label_system(self) -> str:
        """The identifier system patient labels are written with."""
        return self.patient_system or f"{self.canonical}/sid/patient-label"

    def bases(self) -> tuple[str, ...]:
        """Every base read as backplan's own (this one, the default, earlier ones)."""
        return tuple(dict.fromkeys((self.canonical, CANONICAL, *KNOWN_BASES)))


def rebase(data: Any, bases: Iterable[str] = KNOWN_BASES, to: str = CANONICAL) -> Any:
    """``data`` with every ``url`` or ``system`` under one of ``bases`` moved to ``to``.

    Only the values of ``url``, ``system`` and ``fixedUri`` keys change (extensions, codings,
    identifiers); text and references are left as they are. ``data`` itself is returned
    when nothing is under those bases, a changed copy otherwise.
    """
    starts = tuple(f"{b}/" for b in bases if b != to)
    try:
        text = json.dumps(data, ensure_ascii=False)  # C speed: most files need no change
    except (TypeError, ValueError, RecursionError):
        text = None  # not plain JSON: walk it all
    if text is not None and not any(s in text for s in starts):
        return data

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if (
                    key in ("url", "system", "fixedUri")
                    and isinstance(value, str)
                    and value.startswith(starts)
                ):
                    base = next(s for s in starts if value.startswith(s))
                    value = f"{to}/{value[len(base) :]}"
                out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(data)
