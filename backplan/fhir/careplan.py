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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pydantic

from ..catalogue import load_catalogue, split_steps
from ..errors import Problem
from ..handout.text import dose_words, week_range
from ..plan import Plan, _phase, dose_in_week
from ..progression import Prescription
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
from .extensions import find_path
from .mapping import (
    EXT_DOSE,
    PLAN_FIELDS,
    PRESCRIPTION_FIELDS,
    Activity,
    _Bad,
    _Ctx,
    _date,
    _int,
    _iso,
    locate,
)

__all__ = ["careplan", "dose_steps", "from_fhir", "layout", "to_fhir"]

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
        text += "\nHow to do it:\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))
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


def _read_activities(cp: dict, root: str, problems: list[FhirProblem]) -> list[Activity]:
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
            revision = _read_revision_mark(detail, path)
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
            status = str(detail.get("status"))
            mark = "extension[exercise-dose].extension[revision]"
            paths["revision"] = f"{root}.{locate(detail, path, mark)}"
            out.append(Activity(i, first, last, fields, paths, status, revision))
    return out


def _read_revision_mark(detail: dict, path: str) -> int | None:
    """The revision that set an activity's dose (``None``: the plan as first written)."""
    element = "extension[exercise-dose].extension[revision].valueInteger"
    where = locate(detail, path, element)
    if where.endswith("[revision]"):  # no mark
        return None
    dose = next(e for e in detail["extension"] if e.get("url") == EXT_DOSE)
    mark = next(e for e in dose["extension"] if e.get("url") == "revision")
    return _int(mark.get("valueInteger"), where, 2)


def _at(root: str, bad: _Bad) -> FhirProblem:
    p = bad.problem
    return FhirProblem(f"{root}.{p.path}".rstrip("."), p.expected, p.got)


def _rx_path(ctx: _Ctx, day: date, k: int, field: str, fallback: str) -> str:
    """The element path of field ``field`` of the ``k``-th prescription starting on ``day``."""
    for a in ctx.activities:
        if a.first == day and a.revision is None and ctx.used.get(a.index) == k:
            return a.paths.get(field, fallback)
    return fallback


def _loc_path(ctx: _Ctx, root: str, loc: list) -> str:
    """The FHIR element a plan value at pydantic location ``loc`` was read from."""
    if loc and loc[0] in {"restrictions", "revisions"}:
        return f"{root}.{find_path(ctx.where, tuple(loc), 'extension')}"
    if loc and loc[0] in PLAN_FIELDS and loc[0] != "prescriptions" and loc[0] != "progression":
        return f"{root} ({PLAN_FIELDS[str(loc[0])][0]})"
    if loc[:1] == ["prescriptions"] and len(loc) >= 3:
        return _rx_path(ctx, ctx.start, int(loc[1]), str(loc[2]), f"{root}.activity")
    if loc[:1] == ["progression"] and len(loc) >= 2 and int(loc[1]) < len(ctx.rule_paths):
        rule_path, where = ctx.rule_paths[int(loc[1])]
        path = f"{root}.{where.get(str(loc[-1]), rule_path)}"
        if "prescriptions" in loc and len(loc) >= 6:
            week = ctx.rules[int(loc[1])].get("from_week", 2)
            day = ctx.start + timedelta(weeks=int(week) - 1)
            path = _rx_path(ctx, day, int(loc[4]), str(loc[5]), path)
        return path
    return root


def _plan_problems(exc: pydantic.ValidationError, root: str, ctx: _Ctx) -> list[FhirProblem]:
    """Plan validation errors, each at the FHIR element its value came from."""
    out = []
    for err in exc.errors():
        loc = [str(x) if not isinstance(x, int) else x for x in err["loc"]]
        msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Input should be ")
        if msg.startswith(("less", "greater")):
            msg = "a value " + msg
        if not loc:  # a rule about the plan as a whole
            msg = f"a consistent plan ({msg})"
        out.append(FhirProblem(_loc_path(ctx, root, loc), msg))
    return out


def _restriction_problems(problems: list[Problem], root: str, ctx: _Ctx) -> list[FhirProblem]:
    """Exercises that break the plan's restrictions, at the element naming each one."""
    out = []
    for p in problems:
        loc: list = ["restrictions", *str(p.column).split(".")[1:]]
        if p.column == "exercise" and p.row is not None and p.label:
            where = p.label.rsplit(", ", 1)[-1]
            if where == "the plan":
                loc = ["prescriptions", p.row - 1, "exercise"]
            elif where == "the next level":
                k = next(i for i, r in enumerate(ctx.rules) if r.get("kind") == "next_level")
                loc = ["progression", k, "prescriptions", 0, p.row - 1, "exercise"]
            else:  # revision N
                number = int(where.removeprefix("revision "))
                loc = ["revisions", number - 2, "prescriptions", p.row - 1, "exercise"]
        got = p.got if p.got is not None else (p.label or "").rsplit(", ", 1)[0] or None
        out.append(FhirProblem(_loc_path(ctx, root, loc), p.expected, got))
    return out


def _compare(plan: Plan, ctx: _Ctx, root: str) -> list[FhirProblem]:
    """Activities that differ from what the plan's doses, rules and revisions give."""
    want = layout(plan)
    if len(want) != len(ctx.activities):
        return [
            FhirProblem(
                f"{root}.activity",
                f"{len(want)} activities, one per exercise and stretch of weeks with one dose",
                len(ctx.activities),
            )
        ]
    out = []
    for (step, status, revision), a in zip(want, ctx.activities, strict=True):
        want_first = plan.start_date + timedelta(weeks=step.first - 1)
        want_last = plan.start_date + timedelta(days=7 * step.last - 1)
        at = f"{root}.activity[{a.index}].detail"
        checks = [
            (f"{at}.scheduledTiming.repeat.boundsPeriod", f"{want_first} to {want_last}",
             (a.first, a.last) == (want_first, want_last), f"{a.first} to {a.last}"),
            (f"{at}.status", repr(status), a.status == status, a.status),
            (a.paths["revision"], f"the mark of revision {revision}",
             a.revision == revision, a.revision),
        ]  # fmt: skip
        bad = [FhirProblem(path, f"{value} as the plan gives", got)
               for path, value, ok, got in checks if not ok]  # fmt: skip
        if bad:
            out += bad
            continue
        for name, value in step.dose:
            if a.fields[name] != value:
                out.append(
                    FhirProblem(
                        a.paths[name],
                        f"{value!r} as the plan's progression "
                        f"gives in {week_range(step.first, step.last)}",
                        a.fields[name],
                    )
                )
    return out


def from_fhir(
    bundle: Any, source: str | None = None, catalogue: pd.DataFrame | None = None
) -> Plan:
    """Read a plan back from a Bundle (or a bare CarePlan) that :func:`to_fhir` wrote.

    Parameters
    ----------
    bundle : dict, JSON text or path
        The Bundle holding exactly one CarePlan, or the CarePlan itself.
    source : str, optional
        A name for messages (the file name by default).
    catalogue : pandas.DataFrame, optional
        What the plan's restrictions are checked against; the shipped catalogue by default.

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
    ctx = _Ctx(label, date.min, [])
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
    context: dict[str, Any] = {"catalogue": catalogue, "source": label, "problems": []}
    try:
        plan = Plan.model_validate(values, context=context)
    except pydantic.ValidationError as exc:
        if context["problems"]:  # exercises that break the plan's restrictions
            raise FhirError(_restriction_problems(context["problems"], root, ctx), label) from None
        raise FhirError(_plan_problems(exc, root, ctx), label) from None
    problems = _compare(plan, ctx, root)
    if problems:
        raise FhirError(problems, label)
    return plan
