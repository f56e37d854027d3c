"""HL7 FHIR R4 exchange: plans out as CarePlans and back, exercise logs in from Observations.

Everything here is checked with the R4B models of ``fhir.resources``, which load only when
this subpackage is first used (``import backplan`` stays light). Nothing goes over the
network: the functions turn dicts into dicts; files are read and written by the caller (or
``backplan fhir`` on the command line). ``docs/fhir-mapping.md`` maps every field.

Examples
--------
>>> import backplan as bp
>>> plan = bp.build_plan(bp.load_catalogue(), "beginners", start_date="2026-01-05", weeks=2)
>>> bp.fhir.from_fhir(bp.fhir.to_fhir(plan)) == plan
True
"""

from __future__ import annotations

from .._lazy import lazy_getattr

#: public name -> submodule that defines it
_WHERE = {
    "FhirError": "_base",
    "FhirProblem": "_base",
    "validate_resource": "_base",
    "to_fhir": "careplan",
    "from_fhir": "reading",
    "activity_statuses": "reading",
    "CANONICAL": "settings",
    "NHS_NUMBER": "settings",
    "FhirSettings": "settings",
    "PLAN_FIELDS": "mapping",
    "PRESCRIPTION_FIELDS": "requests",
    "RULE_FIELDS": "mapping",
    "RESTRICTION_FIELDS": "extensions",
    "REVISION_FIELDS": "extensions",
    "logs_to_fhir": "observations",
    "logs_from_fhir": "log_reading",
    "logs_to_csv": "observations",
    "outcomes_to_fhir": "outcomes",
    "outcomes_from_fhir": "outcomes",
    "start_back_to_fhir": "outcomes",
    "start_back_from_fhir": "outcomes",
    "write_package": "package",
}

__all__ = sorted(_WHERE)

__getattr__ = lazy_getattr(__name__, _WHERE)
