"""A plan as a FHIR R4 transaction Bundle: Patient, ServiceRequests, CarePlan, Provenance.

What a server gets (``docs/fhir-mapping.md`` maps every field):

- a **Patient** with the plan's label as its identifier (created only if the server has none
  with it), or no Patient and conditional references (see :mod:`~backplan.fhir.settings`);
- one **ServiceRequest** per exercise and run of weeks with one dose (the Physical Activity
  IG's exercise prescription, :mod:`~backplan.fhir.requests`);
- the **CarePlan**, id the plan's ``plan_id``, ``meta.versionId`` its revision number,
  ``status`` ``completed`` once its last day has passed; one activity per ServiceRequest;
  every plan field in the rows of :data:`~backplan.fhir.mapping.PLAN_FIELDS`, so that
  ``from_fhir(to_fhir(plan)) == plan``;
- one **Provenance** per revision (who, when, why).

Each resource is ``PUT`` at its own id, so sending a revised plan updates the same
resources on the server (a new version of each) instead of adding a second plan.

Examples
--------
>>> import backplan as bp
>>> plan = bp.build_plan(bp.load_catalogue(), "beginners", ["heel-slides"], patient="P-07",
...                      start_date="2026-01-05", weeks=4, reps=8)
>>> bundle = to_fhir(plan, as_of="2026-01-10")
>>> [(e["resource"]["resourceType"], e["request"]["method"]) for e in bundle["entry"]]
[('Patient', 'POST'), ('ServiceRequest', 'PUT'), ('CarePlan', 'PUT'), ('Provenance', 'PUT')]
>>> cp = bundle["entry"][2]["resource"]
>>> cp["id"] == plan.plan_id, cp["meta"]["versionId"], cp["status"]
(True, '1', 'active')
>>> from backplan.fhir import from_fhir
>>> from_fhir(bundle) == plan
True
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pydantic

from ..catalogue import load_catalogue, split_steps
from ..plan import Plan
from ..plan.rules import Prescription
from ..plan.weeks import dose_runs, phase_starts
from ._base import (
    BASE,
    PA_CATEGORY,
    PLAN_ID_SYSTEM,
    FhirError,
    FhirProblem,
    clean_strings,
    validate_resource,
)
from .invariants import clean_text
from .mapping import PLAN_FIELDS
from .patients import patient_reference
from .provenance import provenances
from .requests import service_request
from .settings import CANONICAL, FhirSettings, rebase

__all__ = ["careplan", "clean_plan", "dose_steps", "layout", "plan_end", "to_fhir"]

# --- activities: one per exercise and stretch of weeks with one dose -------------------------


@dataclass(frozen=True)
class _Step:
    first: int  # first week
    last: int  # last week
    dose: Prescription


def dose_steps(plan: Plan, cuts: Iterable[int] = ()) -> list[_Step]:
    """Each exercise's doses over the plan, from the one weeks expansion
    (:func:`backplan.plan.weeks.dose_runs`, revisions included).

    One step per exercise and run of weeks with one dose, split at each phase (a next
    level starts one even at the same level: the record must say which list each dose
    belongs to) and at each week in ``cuts``; per phase in time order, per exercise in
    order of first appearance, each exercise's runs in time order.
    """
    runs = dose_runs(plan, cuts=cuts, starts=phase_starts(plan))
    return [_Step(run.first, run.last, run.dose) for run in runs]


def _in_force(plan: Plan, week: int) -> int:
    """The number of the latest revision in force in ``week``."""
    return max((r.number for r in plan.revisions if r.from_week <= week), default=1)


def layout(plan: Plan) -> list[tuple[_Step, str, int | None]]:
    """The activities a plan is written as: (step, status, revision that set the dose).

    First the plan as first written (revisions left out), each step ``scheduled`` when
    the revisions keep it and ``cancelled`` when they replaced it; then the steps only the
    revisions give, ``scheduled``, with the revision in force. Runs are split at every
    revision's first week, so the two schedules line up.
    """
    cuts = [r.from_week for r in plan.revisions]
    first = dose_steps(plan.model_copy(update={"revisions": ()}), cuts)
    now = dose_steps(plan, cuts) if plan.revisions else first
    kept, planned = set(now), set(first)
    out: list[tuple[_Step, str, int | None]] = [
        (s, "scheduled" if s in kept else "cancelled", None) for s in first
    ]
    out += [(s, "scheduled", _in_force(plan, s.first)) for s in now if s not in planned]
    return out


def _why(plan: Plan, number: int) -> str:
    rev = plan.revisions[number - 2]
    return f"revision {number} (from week {rev.from_week}, by {rev.by}): {rev.why}"


def _cleaned(node: Any) -> Any:
    if isinstance(node, str):
        return clean_text(node)
    if isinstance(node, dict):
        return {k: _cleaned(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_cleaned(v) for v in node]
    return node


def clean_plan(plan: Plan) -> Plan:
    """The plan as :func:`to_fhir` writes it: every text with plain spaces, trimmed.

    No-break and other Unicode spaces become plain spaces (HL7's JSON schema, and the
    JavaScript tools that apply it, refuse them) and text loses leading and trailing spaces;
    text that was only spaces becomes empty, and is left out like any empty text.

    Raises
    ------
    FhirError
        When the cleaned plan is not valid (a revision's reason that was only spaces).

    Examples
    --------
    >>> import backplan as bp
    >>> plan = bp.build_plan(bp.load_catalogue(), "beginners", ["heel-slides"],
    ...                      patient="Ann\u00a0B. ", start_date="2026-01-05")
    >>> clean_plan(plan).patient, clean_plan(plan).plan_id == plan.plan_id
    ('Ann B.', True)
    """
    data = plan.model_dump()
    cleaned = _cleaned(data)
    if cleaned == data:
        return plan
    try:
        return Plan.model_validate(cleaned)
    except pydantic.ValidationError as exc:
        problems = [
            FhirProblem(".".join(map(str, e["loc"])) or "plan", "text with something other than "
                        f"spaces ({str(e['msg']).removeprefix('Value error, ')})", e.get("input"))
            for e in exc.errors()
        ]  # fmt: skip
        raise FhirError(problems, "<plan>") from None


def plan_end(plan: Plan) -> date:
    """The last day of the plan."""
    return plan.start_date + timedelta(days=7 * plan.weeks - 1)


# --- writing ---------------------------------------------------------------------------------


def _about(catalogue: pd.DataFrame, plan: Plan) -> dict[str, tuple[str, list[str], str]]:
    rows = catalogue.set_index("id")
    out = {}
    problems = []
    stopped = [(f"revision {r.number} stop", ex) for r in plan.revisions for ex in r.stop]
    listed = [(f"plan prescription {i}", p.exercise)
              for i, p in enumerate(plan.all_prescriptions(), 1)]  # fmt: skip
    for where, exercise in listed + stopped:
        if exercise not in rows.index:
            problems.append(FhirProblem(where, "a catalogue exercise", exercise))
            continue
        row = rows.loc[exercise]
        out[exercise] = (str(row["name"]), split_steps(row["steps"]), str(row["side"]))
    if problems:
        raise FhirError(problems, "<plan>")
    return out


def _narrative(plan: Plan, requests: list[dict], notes: list[dict]) -> dict:
    esc = html.escape
    who = esc(plan.patient) if plan.patient else "(no patient label)"
    items = "".join(
        f"<li>{esc(sr['code']['text'])}: {esc(sr['patientInstruction'].splitlines()[0])}</li>"
        for sr in requests
        if sr["status"] != "revoked"
    )
    div = (
        f'<div xmlns="http://www.w3.org/1999/xhtml"><p>Home exercise plan for {who}, '
        f"{plan.weeks} weeks from {plan.start_date.isoformat()}.</p><ul>{items}</ul>"
    )
    for title, lines in (
        ("Restrictions", plan.restrictions.describe()),
        ("Changes", [n["text"] for n in notes if n["text"].startswith("Revision ")]),
    ):
        if lines:
            div += f"<p>{title}:</p><ul>{''.join(f'<li>{esc(x)}</li>' for x in lines)}</ul>"
    div += "</div>"
    return {"status": "generated", "div": div}


def _requests(
    plan: Plan, about: Mapping[str, Any], subject: dict, as_of: date
) -> list[dict[str, Any]]:
    out = []
    for step, status, revision in layout(plan):
        exercise = step.dose.exercise
        replaced = _why(plan, _in_force(plan, step.first)) if status == "cancelled" else ""
        set_by = _why(plan, revision) if revision is not None else ""
        out.append(service_request(plan, step, status, revision, about[exercise], subject,
                                   as_of, replaced, set_by))  # fmt: skip
    return out


def careplan(
    plan: Plan,
    catalogue: pd.DataFrame | None = None,
    *,
    subject: dict | None = None,
    as_of: date | None = None,
) -> tuple[dict, list[dict]]:
    """The plan as a CarePlan and its ServiceRequests (dicts), not yet validated."""
    about = _about(load_catalogue() if catalogue is None else catalogue, plan)
    as_of = date.today() if as_of is None else as_of
    subject = subject if subject is not None else {"display": plan.patient or "unknown"}
    requests = _requests(plan, about, subject, as_of)
    cp: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": plan.plan_id,
        "meta": {"versionId": str(len(plan.revisions) + 1)},
        "extension": [],
        "identifier": [{"system": PLAN_ID_SYSTEM, "value": plan.plan_id}],
    }
    for _, write, _ in PLAN_FIELDS.values():
        write(plan, cp)
    cp.update(
        status="completed" if plan_end(plan) < as_of else "active",
        intent="plan",
        title="Home exercise plan for back pain",
        category=[{"coding": [PA_CATEGORY], "text": "Home exercise programme"}],
        subject=subject,
    )
    cp["activity"] = [
        {"reference": {"reference": f"urn:uuid:{sr['id']}", "display": sr["code"]["text"]}}
        for sr in requests
    ]
    cp["text"] = _narrative(plan, requests, cp.get("note", []))
    for sr in requests:
        sr["basedOn"] = [{"reference": f"urn:uuid:{cp['id']}"}]
    return cp, requests


def _entry(resource: dict, method: str = "PUT", **request: str) -> dict:
    kind, rid = resource["resourceType"], resource["id"]
    url = kind if method == "POST" else f"{kind}/{rid}"
    return {"fullUrl": f"urn:uuid:{rid}", "resource": resource,
            "request": {"method": method, "url": url, **request}}  # fmt: skip


def to_fhir(
    plan: Plan,
    catalogue: pd.DataFrame | None = None,
    *,
    settings: FhirSettings | None = None,
    as_of: date | str | None = None,
    bundle_type: str = "transaction",
) -> dict:
    """The plan as a FHIR R4 Bundle a server can take.

    Parameters
    ----------
    plan : Plan
        The plan; only its patient label (or pseudonym) identifies the patient.
    catalogue : pandas.DataFrame, optional
        Where exercise names and steps come from; the shipped catalogue by default.
    settings : FhirSettings, optional
        The canonical base, the patient identifier system and whether to send a Patient
        (backplan's defaults when left out).
    as_of : date or ISO string, optional
        The day the statuses are worked out for (today by default): the CarePlan is
        ``completed`` after the plan's last day, a ServiceRequest after its run's.
    bundle_type : {"transaction", "collection"}
        ``transaction`` (``POST`` it to a server's base URL): every entry has its
        ``request``; ``collection``: the same resources, for a file. Conditional patient
        references need a transaction.

    Returns
    -------
    dict
        JSON-ready, every resource checked against the FHIR R4B models and the codes R4
        requires. Text is written with plain spaces and no leading or trailing ones.

    Raises
    ------
    FhirError
        When an exercise is not in the catalogue, the label is not a valid identifier of
        the clinic's system (an NHS number, say), or the result is not valid FHIR (text
        with control characters, text of only spaces), naming the element.

    Examples
    --------
    >>> import backplan as bp
    >>> plan = bp.build_plan(bp.load_catalogue(), "beginners", ["wall-squats"], patient="P-07",
    ...                      start_date="2026-01-05", weeks=2, days_per_week=3)
    >>> sr = to_fhir(plan, as_of="2026-01-05")["entry"][1]["resource"]
    >>> sr["occurrenceTiming"]["repeat"]["count"], sr["patientInstruction"].splitlines()[0]
    (6, 'Weeks 1 to 2: 10 times, hold each for 5 seconds, once a day, on 3 days a week.')
    """
    settings = settings or FhirSettings()
    day = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    plan = clean_plan(plan)
    if bundle_type not in ("transaction", "collection"):
        raise ValueError(f"bundle_type must be 'transaction' or 'collection', got {bundle_type!r}")
    if bundle_type == "collection" and settings.patients == "conditional":
        raise ValueError("conditional patient references work only in a transaction Bundle")
    try:
        subject, patient = patient_reference(plan.patient, settings)
    except ValueError as exc:
        raise FhirError(
            [FhirProblem("CarePlan.subject", str(exc), plan.patient)], "<plan>"
        ) from None
    cp, requests = careplan(plan, catalogue, subject=subject, as_of=day)
    entries = []
    if patient is not None:
        ident = patient["identifier"][0]
        entries.append(
            _entry(patient, "POST", ifNoneExist=f"identifier={ident['system']}|{ident['value']}")
        )
    entries += [_entry(sr) for sr in requests]
    entries.append(_entry(cp))
    entries += [_entry(p) for p in provenances(plan, cp["id"])]
    problems = []
    for i, entry in enumerate(entries):
        root = f"Bundle.entry[{i}].resource"
        entry["resource"], found = clean_strings(entry["resource"], root)
        problems += found or validate_resource(entry["resource"], root)
    if problems:
        raise FhirError(problems, "<plan>")
    if bundle_type == "collection":
        for entry in entries:
            del entry["request"]
    bundle = {
        "resourceType": "Bundle",
        "id": str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/bundle/{cp['id']}/{cp['meta']['versionId']}")
        ),
        "type": bundle_type,
        "entry": entries,
    }
    return rebase(bundle, [CANONICAL], settings.canonical)
