"""A CarePlan that :func:`~backplan.fhir.to_fhir` wrote, read back into the very same plan.

Every field is read through the tables in :mod:`backplan.fhir.mapping` and
:mod:`backplan.fhir.extensions`; the activities are then compared with what the plan
gives (:func:`~backplan.fhir.careplan.layout`), so a dose changed in the record on its own
is refused with its element path rather than silently dropped.

Examples
--------
>>> import backplan as bp
>>> plan = bp.build_plan(bp.load_catalogue(), "beginners", ["heel-slides"], patient="P-07",
...                      start_date="2026-01-05", weeks=4, reps=8)
>>> from_fhir(bp.fhir.to_fhir(plan)) == plan
True
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import pydantic

from ..errors import Problem
from ..plan import Plan
from ..words import week_range
from ._base import FhirError, FhirProblem, load_json, validate_resource
from .careplan import layout
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
    locate,
)

__all__ = ["from_fhir"]


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
    >>> bundle = bp.fhir.to_fhir(plan)
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
