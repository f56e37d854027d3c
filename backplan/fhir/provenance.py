"""One Provenance per version of a plan: who wrote or changed it, when, and why.

Version 1 is the plan as first written (by the plan's clinician); version N (2, 3, ...)
is revision N. Each Provenance targets the CarePlan at that version
(``CarePlan/<id>/_history/<N>``) and has a stable id, so sending the plan again updates
the same Provenances instead of adding more.

FHIR needs ``recorded`` as an instant (a time with a time zone). A revision made at a time
without a zone is recorded as that time in UTC (the exact text stays in the CarePlan's
``plan-revision`` extension); backplan keeps no time for version 1, which is recorded at
the start of the plan's first day, UTC.

Examples
--------
>>> import backplan as bp
>>> plan = bp.build_plan(bp.load_catalogue(), "beginners", ["heel-slides"], patient="P-07",
...                      clinician="A. Physio", start_date="2026-01-05")
>>> (p,) = provenances(plan, plan.plan_id)
>>> p["recorded"], p["activity"]["coding"][0]["code"], p["agent"][0]["who"]["display"]
('2026-01-05T00:00:00+00:00', 'CREATE', 'A. Physio')
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Any

from ..plan import Plan
from ._base import BASE

__all__ = ["provenances"]

_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
_AGENT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"


def _instant(when: datetime) -> str:
    return (when if when.utcoffset() is not None else when.replace(tzinfo=UTC)).isoformat()


def provenances(plan: Plan, careplan_id: str) -> list[dict[str, Any]]:
    """The Provenance of every version of the plan, oldest first."""
    versions: list[tuple[int, datetime, str, str, str]] = [
        (1, datetime.combine(plan.start_date, time(), UTC), plan.clinician or "unknown",
         "CREATE", "Plan written"),
    ]  # fmt: skip
    for rev in plan.revisions:
        why = f"Revision {rev.number} ({rev.decision}), from week {rev.from_week}: {rev.why}"
        versions.append((rev.number, rev.made_at, rev.by, "UPDATE", why))
    out = []
    for number, when, who, operation, why in versions:
        key = f"{BASE}/Provenance/{careplan_id}/{number}"
        out.append(
            {
                "resourceType": "Provenance",
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, key)),
                "target": [
                    {
                        "reference": f"CarePlan/{careplan_id}/_history/{number}",
                        "display": f"Home exercise plan, version {number}",
                    }
                ],
                "recorded": _instant(when),
                "reason": [{"text": why}],
                "activity": {"coding": [{"system": _OPERATION, "code": operation}]},
                "agent": [
                    {
                        "type": {"coding": [{"system": _AGENT, "code": "author"}]},
                        "who": {"display": who},
                    }
                ],
            }
        )
    return out
