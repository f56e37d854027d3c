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
>>> from_fhir(bundle) == plan
True
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pydantic

from ..catalogue import load_catalogue, split_steps
from ..handout.text import dose_words, week_range
from ..plan import Plan, dose_in_week
from ..progression import NextLevel, Prescription
from ._base import (
    BASE,
    EXERCISE_SYSTEM,
    EXERCISE_THERAPY,
    FhirError,
    FhirProblem,
    ext,
    load_json,
    validate_resource,
)
from .mapping import EXT_DOSE, PLAN_FIELDS, PRESCRIPTION_FIELDS, _Bad, _Ctx, _date, _iso, locate

__all__ = ["careplan", "dose_steps", "from_fhir", "to_fhir"]

# --- activities: one per exercise and stretch of weeks with one dose -------------------------


@dataclass(frozen=True)
class _Step:
    first: int  # first week
    last: int  # last week
    dose: Prescription


def dose_steps(plan: Plan) -> list[_Step]:
    """Each exercise's doses over the plan: per level, per exercise, in time order."""
    starts = [1] + [r.from_week for r in plan.progression if isinstance(r, NextLevel)]
    ends = [s - 1 for s in starts[1:]] + [plan.weeks]
    out = []
    for start, end in zip(starts, ends, strict=True):
        weeks = [dose_in_week(plan, w) for w in range(start, end + 1)]
        for i in range(len(weeks[0])):
            first = start
            for w in range(start, end + 1):
                dose = weeks[w - start][i]
                if w == end or weeks[w + 1 - start][i] != dose:
                    out.append(_Step(first, w, dose))
                    first = w + 1
    return out


def _activity(plan: Plan, step: _Step, about: Mapping[str, tuple[str, list[str], str]]) -> dict:
    p = step.dose
    name, steps, side = about.get(p.exercise, (p.exercise, [], "side"))
    start = plan.start_date + timedelta(weeks=step.first - 1)
    end = plan.start_date + timedelta(days=7 * step.last - 1)
    text = f"{week_range(step.first, step.last).capitalize()}: {dose_words(p, side)}."
    if steps:
        text += "\nHow to do it:\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))
    detail: dict[str, Any] = {
        "extension": [ext(EXT_DOSE, extension=[])],
        "code": {
            "coding": [
                EXERCISE_THERAPY,
                {"system": EXERCISE_SYSTEM, "code": p.exercise, "display": name},
            ],
            "text": name,
        },
        "status": "scheduled",
        "scheduledTiming": {"repeat": {"boundsPeriod": {"start": _iso(start), "end": _iso(end)}}},
        "description": text,
    }
    for _, write, _ in PRESCRIPTION_FIELDS.values():
        write(p, detail)
    return {"detail": detail}


# --- writing ---------------------------------------------------------------------------------


def _about(catalogue: pd.DataFrame, plan: Plan) -> dict[str, tuple[str, list[str], str]]:
    rows = catalogue.set_index("id")
    out = {}
    problems = []
    for i, p in enumerate(plan.all_prescriptions()):
        if p.exercise not in rows.index:
            problems.append(
                FhirProblem(f"plan prescription {i + 1}", "a catalogue exercise", p.exercise)
            )
            continue
        row = rows.loc[p.exercise]
        out[p.exercise] = (str(row["name"]), split_steps(row["steps"]), str(row["side"]))
    if problems:
        raise FhirError(problems, "<plan>")
    return out


def _narrative(plan: Plan, activities: list[dict]) -> dict:
    esc = html.escape
    who = esc(plan.patient) if plan.patient else "(no patient label)"
    items = "".join(
        f"<li>{esc(a['detail']['code']['text'])}: "
        f"{esc(a['detail']['description'].splitlines()[0])}</li>"
        for a in activities
    )
    div = (
        f'<div xmlns="http://www.w3.org/1999/xhtml"><p>Home exercise plan for {who}, '
        f"{plan.weeks} weeks from {plan.start_date.isoformat()}.</p><ul>{items}</ul></div>"
    )
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
    cp["activity"] = [_activity(plan, s, about) for s in dose_steps(plan)]
    cp["text"] = _narrative(plan, cp["activity"])
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


# --- reading ---------------------------------------------------------------------------------


def _find_careplan(data: Any, source: str) -> tuple[dict, str]:
    if not isinstance(data, dict):
        raise FhirError([FhirProblem("(top)", "a JSON object")], source)
    if data.get("resourceType") == "CarePlan":
        return data, "CarePlan"
    if data.get("resourceType") != "Bundle":
        raise FhirError(
            [FhirProblem("resourceType", "Bundle or CarePlan", data.get("resourceType"))], source
        )
    problems = validate_resource(data, "Bundle")
    if problems:
        raise FhirError(problems, source)
    found = [
        i
        for i, e in enumerate(data.get("entry", []))
        if e.get("resource", {}).get("resourceType") == "CarePlan"
    ]
    if len(found) != 1:
        raise FhirError([FhirProblem("Bundle.entry", "exactly one CarePlan", len(found))], source)
    return data["entry"][found[0]]["resource"], f"Bundle.entry[{found[0]}].resource"


def _read_activities(cp: dict, root: str, problems: list[FhirProblem]) -> list:
    out = []
    for i, act in enumerate(cp.get("activity", [])):
        path = f"activity[{i}].detail"
        detail = act.get("detail")
        if detail is None:
            problems.append(FhirProblem(f"{root}.{path}", "an activity detail (not a reference)"))
            continue
        try:
            bounds = detail.get("scheduledTiming", {}).get("repeat", {}).get("boundsPeriod", {})
            where = f"{path}.scheduledTiming.repeat.boundsPeriod"
            first = _date(bounds.get("start"), f"{where}.start")
            last = _date(bounds.get("end"), f"{where}.end")
        except _Bad as bad:
            problems.append(_at(root, bad))
            continue
        fields, paths = {}, {}
        for name, (element, _, read) in PRESCRIPTION_FIELDS.items():
            paths[name] = (
                f"{root}.{locate(detail, path, element.split(' ')[0].removeprefix('detail.'))}"
            )
            try:
                fields[name] = read(detail, path)
            except _Bad as bad:
                problems.append(_at(root, bad))
        if len(fields) == len(PRESCRIPTION_FIELDS):
            out.append((i, first, last, fields, paths))
    return out


def _at(root: str, bad: _Bad) -> FhirProblem:
    p = bad.problem
    return FhirProblem(f"{root}.{p.path}".rstrip("."), p.expected, p.got)


def _rx_path(ctx: _Ctx, day: date, k: int, field: str, fallback: str) -> str:
    """The element path of field ``field`` of the ``k``-th prescription starting on ``day``."""
    for i, first, _, _, paths in ctx.activities:
        if first == day and ctx.used.get(i) == k:
            return paths.get(field, fallback)
    return fallback


def _plan_problems(exc: pydantic.ValidationError, root: str, ctx: _Ctx) -> list[FhirProblem]:
    """Plan validation errors, each at the FHIR element its value came from."""
    out = []
    for err in exc.errors():
        loc = [str(x) if not isinstance(x, int) else x for x in err["loc"]]
        msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Input should be ")
        if msg.startswith(("less", "greater")):
            msg = "a value " + msg
        path = root
        if loc and loc[0] in PLAN_FIELDS and loc[0] not in {"prescriptions", "progression"}:
            path = f"{root} ({PLAN_FIELDS[str(loc[0])][0]})"
        elif loc[:1] == ["prescriptions"] and len(loc) >= 3:
            path = _rx_path(ctx, ctx.start, int(loc[1]), str(loc[2]), f"{root}.activity")
        elif loc[:1] == ["progression"] and len(loc) >= 2 and int(loc[1]) < len(ctx.rule_paths):
            rule_path, where = ctx.rule_paths[int(loc[1])]
            path = f"{root}.{where.get(str(loc[-1]), rule_path)}"
            if "prescriptions" in loc and len(loc) >= 6:
                week = ctx.rules[int(loc[1])].get("from_week", 2)
                day = ctx.start + timedelta(weeks=int(week) - 1)
                path = _rx_path(ctx, day, int(loc[4]), str(loc[5]), path)
        if not loc:  # a rule about the plan as a whole
            msg = f"a consistent plan ({msg})"
        out.append(FhirProblem(path, msg))
    return out


def _compare(plan: Plan, ctx: _Ctx, root: str) -> list[FhirProblem]:
    """Activities that differ from what the plan's week-1 doses and rules give."""
    steps = dose_steps(plan)
    if len(steps) != len(ctx.activities):
        return [
            FhirProblem(
                f"{root}.activity",
                f"{len(steps)} activities, one per exercise and stretch of weeks with one dose",
                len(ctx.activities),
            )
        ]
    out = []
    for step, (i, first, last, fields, paths) in zip(steps, ctx.activities, strict=True):
        want_first = plan.start_date + timedelta(weeks=step.first - 1)
        want_last = plan.start_date + timedelta(days=7 * step.last - 1)
        bounds = f"{root}.activity[{i}].detail.scheduledTiming.repeat.boundsPeriod"
        if (first, last) != (want_first, want_last):
            out.append(
                FhirProblem(
                    bounds,
                    f"{want_first} to {want_last} as the plan's progression gives",
                    f"{first} to {last}",
                )
            )
            continue
        for name, value in step.dose:
            if fields[name] != value:
                out.append(
                    FhirProblem(
                        paths[name],
                        f"{value!r} as the plan's progression "
                        f"gives in {week_range(step.first, step.last)}",
                        fields[name],
                    )
                )
    return out


def from_fhir(bundle: Any, source: str | None = None) -> Plan:
    """Read a plan back from a Bundle (or a bare CarePlan) that :func:`to_fhir` wrote.

    Parameters
    ----------
    bundle : dict, JSON text or path
        The Bundle holding exactly one CarePlan, or the CarePlan itself.
    source : str, optional
        A name for messages (the file name by default).

    Raises
    ------
    FhirError
        Invalid FHIR (checked with the R4B models), a missing backplan element, or an
        activity whose dose differs from what the plan's rules give, naming the path.
    PlanVersionError
        When the plan was written by a newer backplan.

    Examples
    --------
    >>> import backplan as bp
    >>> plan = bp.build_plan(bp.load_catalogue(), "beginners", ["wall-squats"],
    ...                      start_date="2026-01-05", weeks=2)
    >>> bundle = to_fhir(plan)
    >>> bundle["entry"][0]["resource"]["activity"][0]["detail"]["quantity"]["value"] = 12
    >>> from_fhir(bundle).prescriptions[0].reps  # the record changed the week-1 dose
    12
    """
    data, label = load_json(bundle, source)
    cp, root = _find_careplan(data, label)
    problems = validate_resource(cp, root) if root == "CarePlan" else []  # a Bundle: checked
    if problems:
        raise FhirError(problems, label)
    ctx = _Ctx(label, date.min, [], [], [], {})
    try:
        ctx.start = _date(cp.get("period", {}).get("start"), "period.start")
    except _Bad as bad:
        raise FhirError([_at(root, bad)], label) from None
    ctx.activities = _read_activities(cp, root, problems)
    values = {}
    for name, (_, _, read) in PLAN_FIELDS.items():
        try:
            values[name] = read(cp, ctx)
        except _Bad as bad:
            problems.append(_at(root, bad))
    if problems:
        raise FhirError(problems, label)
    try:
        plan = Plan.model_validate(values)
    except pydantic.ValidationError as exc:
        raise FhirError(_plan_problems(exc, root, ctx), label) from None
    problems = _compare(plan, ctx, root)
    if problems:
        raise FhirError(problems, label)
    return plan
