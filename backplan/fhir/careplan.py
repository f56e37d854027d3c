"""A plan as a FHIR R4 CarePlan (in a Bundle) and back, exactly.

Every plan field has one row in :data:`PLAN_FIELDS` and every prescription field one row
in :data:`PRESCRIPTION_FIELDS`: the FHIR element it goes to, a writer and a reader. A new
field is one new row (a test fails while a model field has no row). Fields no FHIR element
carries go into backplan extensions (see ``docs/fhir-mapping.md``), so that
``from_fhir(to_fhir(plan)) == plan`` for every plan.

Examples
--------
>>> import backplan as bp
>>> plan = bp.build_plan(bp.load_catalogue(), "beginners", ["heel-slides"], patient="P-07",
...                      start_date="2026-01-05", weeks=4, reps=8)
>>> bundle = to_fhir(plan)
>>> act = bundle["entry"][0]["resource"]["activity"][0]["detail"]
>>> act["code"]["text"], act["quantity"]["value"], act["scheduledTiming"]["repeat"]["frequency"]
('Heel slides', 8, 1)
>>> from backplan.fhir import from_fhir
>>> from_fhir(bundle) == plan
True
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pandas as pd

from ..catalogue import load_catalogue, split_steps
from ..plan import Plan, dose_in_week
from ..plan.rules import Prescription
from ..plan.weeks import _phase
from ..words import dose_words, fill_placeholders, week_range
from ._base import (
    BASE,
    EXERCISE_SYSTEM,
    EXERCISE_THERAPY,
    FhirError,
    FhirProblem,
    ext,
    validate_resource,
)
from .mapping import EXT_DOSE, PLAN_FIELDS, PRESCRIPTION_FIELDS, _iso

__all__ = ["careplan", "dose_steps", "layout", "to_fhir"]

# --- activities: one per exercise and stretch of weeks with one dose -------------------------


@dataclass(frozen=True)
class _Step:
    first: int  # first week
    last: int  # last week
    dose: Prescription


def dose_steps(plan: Plan, cuts: Iterable[int] = ()) -> list[_Step]:
    """Each exercise's doses over the plan (``dose_in_week``, revisions included).

    One step per exercise and run of weeks with one dose, split at a change of level and
    at each week in ``cuts``; per level in time order, per exercise in order of first
    appearance, each exercise's runs in time order.
    """
    cuts = set(cuts)
    weeks = range(1, plan.weeks + 1)
    phases = [_phase(plan, w)[2] for w in weeks]
    doses = [{p.exercise: p for p in dose_in_week(plan, w)} for w in weeks]
    out = []
    start = 1
    for end in weeks:
        if end < plan.weeks and phases[end] == phases[end - 1]:
            continue
        order = dict.fromkeys(ex for w in range(start, end + 1) for ex in doses[w - 1])
        for ex in order:
            first = None
            for w in range(start, end + 2):
                dose = doses[w - 1].get(ex) if w <= end else None
                if first is not None and (dose != doses[w - 2][ex] or w in cuts):
                    out.append(_Step(first, w - 1, doses[w - 2][ex]))
                    first = None
                if first is None and dose is not None:
                    first = w
        start = end + 1
    return out


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


def _activity(
    plan: Plan,
    entry: tuple[_Step, str, int | None],
    about: Mapping[str, tuple[str, list[str], str]],
) -> dict:
    step, status, revision = entry
    p = step.dose
    name, steps, side = about.get(p.exercise, (p.exercise, [], "side"))
    start = plan.start_date + timedelta(weeks=step.first - 1)
    end = plan.start_date + timedelta(days=7 * step.last - 1)
    text = f"{week_range(step.first, step.last).capitalize()}: {dose_words(p, side)}."
    if revision is not None:
        text += f"\nDose set by {_why(plan, revision)}"
    if steps:
        filled = [fill_placeholders(s, [p], side) for s in steps]  # numbers from this dose
        text += "\nHow to do it:\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(filled, 1))
    dose = [] if revision is None else [ext("revision", valueInteger=revision)]
    detail: dict[str, Any] = {
        "extension": [ext(EXT_DOSE, extension=dose)],
        "code": {
            "coding": [
                EXERCISE_THERAPY,
                {"system": EXERCISE_SYSTEM, "code": p.exercise, "display": name},
            ],
            "text": name,
        },
        "status": status,
        "scheduledTiming": {"repeat": {"boundsPeriod": {"start": _iso(start), "end": _iso(end)}}},
        "description": text,
    }
    if status == "cancelled":
        detail["statusReason"] = {"text": f"Replaced by {_why(plan, _in_force(plan, step.first))}"}
    for _, write, _ in PRESCRIPTION_FIELDS.values():
        write(p, detail)
    return {"detail": detail}


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


def _narrative(plan: Plan, activities: list[dict], notes: list[dict]) -> dict:
    esc = html.escape
    who = esc(plan.patient) if plan.patient else "(no patient label)"
    items = "".join(
        f"<li>{esc(a['detail']['code']['text'])}: "
        f"{esc(a['detail']['description'].splitlines()[0])}</li>"
        for a in activities
        if a["detail"]["status"] != "cancelled"
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


def careplan(plan: Plan, catalogue: pd.DataFrame | None = None) -> dict:
    """The plan as one CarePlan resource (a dict), not yet validated."""
    about = _about(load_catalogue() if catalogue is None else catalogue, plan)
    plan_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/plan/{plan.model_dump_json()}"))
    cp: dict[str, Any] = {"resourceType": "CarePlan", "id": plan_id, "extension": []}
    for _, write, _ in PLAN_FIELDS.values():
        write(plan, cp)
    cp.update(status="active", intent="plan", title="Home exercise plan for back pain")
    cp["category"] = [{"text": "Home exercise programme"}]
    cp["activity"] = [_activity(plan, entry, about) for entry in layout(plan)]
    cp["text"] = _narrative(plan, cp["activity"], cp.get("note", []))
    return cp


def to_fhir(plan: Plan, catalogue: pd.DataFrame | None = None) -> dict:
    """The plan as a FHIR R4 Bundle (type ``collection``) holding one CarePlan.

    Parameters
    ----------
    plan : Plan
        The plan; only its patient label (or pseudonym) identifies the patient.
    catalogue : pandas.DataFrame, optional
        Where exercise names and steps come from; the shipped catalogue by default.

    Returns
    -------
    dict
        JSON-ready, validated against the FHIR R4B models.

    Raises
    ------
    FhirError
        When an exercise is not in the catalogue or the result is not valid FHIR (a plan
        text with control characters, say), naming the element path.

    Examples
    --------
    >>> import backplan as bp
    >>> plan = bp.build_plan(bp.load_catalogue(), "beginners", ["wall-squats"],
    ...                      start_date="2026-01-05", weeks=2, days_per_week=3)
    >>> detail = to_fhir(plan)["entry"][0]["resource"]["activity"][0]["detail"]
    >>> detail["scheduledTiming"]["repeat"]["frequency"], detail["description"].splitlines()[0]
    (3, 'Weeks 1 to 2: 10 times, hold each for 5 seconds, once a day, on 3 days a week.')
    """
    cp = careplan(plan, catalogue)
    problems = validate_resource(cp, "CarePlan")
    if problems:
        raise FhirError(problems, "<plan>")
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/bundle/{cp['id']}")),
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{cp['id']}", "resource": cp}],
    }
