"""A plan read back from FHIR: what :func:`~backplan.fhir.to_fhir` wrote, any version.

:func:`from_fhir` takes a Bundle (transaction, collection, search results...) or a bare
CarePlan. It reads every plan field through the tables in :mod:`backplan.fhir.mapping`
and :mod:`backplan.fhir.extensions`, and each activity from the ServiceRequest it
references (in the Bundle or ``contained``) or, for files written before ServiceRequests,
from its ``detail``. The activities are then compared with what the plan gives
(:func:`~backplan.fhir.careplan.layout`), so a dose changed in the record on its own is
refused with its element path rather than silently dropped.

Before anything is read, what would change the meaning is refused with a clear message: a
status saying the plan is void (``revoked``, ``entered-in-error``, ``unknown``), an intent
that is not a plan, ``doNotPerform``, ``implicitRules`` or a ``modifierExtension``.
Progress a record system added (an activity ``in-progress``, ``completed``, ``stopped``,
``on-hold``) is accepted, and :func:`activity_statuses` lists it.

Examples
--------
>>> import backplan as bp
>>> plan = bp.build_plan(bp.load_catalogue(), "beginners", ["heel-slides"], patient="P-07",
...                      start_date="2026-01-05", weeks=4, reps=8)
>>> from_fhir(bp.fhir.to_fhir(plan)) == plan
True
"""

from __future__ import annotations

from collections.abc import Mapping
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
from .invariants import modifier_problems
from .legacy import detail_activity
from .mapping import PLAN_FIELDS, Activity, _Bad, _Ctx, _date
from .patients import Resolver, index_bundle, label_systems
from .requests import LIVE, REPLACED, read_request
from .settings import CANONICAL, FhirSettings, rebase

__all__ = ["activity_statuses", "from_fhir"]

#: activity statuses that fit each state backplan writes (ServiceRequest and detail)
_FITS = {
    "scheduled": {*LIVE, "not-started", "scheduled", "in-progress", "stopped"},
    "cancelled": {*REPLACED, "cancelled", "stopped"},
}


def _locations(data: Mapping[str, Any], cp: Mapping[str, Any], root: str) -> dict[int, str]:
    """Where each resource of the Bundle and each contained one sits, by ``id()``."""
    out: dict[int, str] = {}
    entries = data.get("entry") if data.get("resourceType") == "Bundle" else None
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, Mapping) and isinstance(entry.get("resource"), Mapping):
            out[id(entry["resource"])] = f"Bundle.entry[{i}].resource"
    inner = cp.get("contained")
    for i, res in enumerate(inner if isinstance(inner, list) else []):
        out[id(res)] = f"{root}.contained[{i}]"
    return out


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
        for i, e in enumerate(data.get("entry") or [])
        if (e.get("resource") or {}).get("resourceType") == "CarePlan"
    ]
    if len(found) != 1:
        raise FhirError([FhirProblem("Bundle.entry", "exactly one CarePlan", len(found))], source)
    return data["entry"][found[0]]["resource"], f"Bundle.entry[{found[0]}].resource"


def _request_activity(
    i: int, act: dict, root: str, ctx: _Ctx, where: dict[int, str], problems: list[FhirProblem]
) -> Activity | None:
    """An activity that references a ServiceRequest: the dose read from it."""
    ref = act.get("reference") or {}
    sr = ctx.resolver.find(ref.get("reference"))
    at = f"{root}.activity[{i}].reference"
    if not isinstance(sr, Mapping) or sr.get("resourceType") != "ServiceRequest":
        problems.append(FhirProblem(at, "a reference to a ServiceRequest in this Bundle or "
                                    "contained in the CarePlan", ref.get("reference")))  # fmt: skip
        return None
    path = where.get(id(sr), at)
    found = modifier_problems(sr, path)
    if path.startswith(f"{root}.contained") or root == "CarePlan":
        found = found or []  # contained resources were checked with the CarePlan
    problems += found
    first, last, fields, paths, mark, bad = read_request(sr, path)
    problems += [b.problem for b in bad]
    if found or bad:
        return None
    paths["revision"] = f"{path}.extension"
    return Activity(i, first, last, fields, paths, str(sr.get("status")), mark, f"{path}.status")


def _read_activities(
    cp: dict, root: str, ctx: _Ctx, where: dict[int, str], problems: list[FhirProblem]
) -> list[Activity]:
    out = []
    for i, act in enumerate(cp.get("activity") or []):
        if act.get("detail") is not None:
            found = detail_activity(i, act["detail"], root, problems)
        elif act.get("reference") is not None:
            found = _request_activity(i, act, root, ctx, where, problems)
        else:
            problems.append(FhirProblem(f"{root}.activity[{i}]", "a reference to a ServiceRequest"))
            found = None
        if found is not None:
            out.append(found)
    return out


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
        at = a.status_path.removesuffix(".status")
        timing = "occurrenceTiming" if "resource" in at or "contained" in at else "scheduledTiming"
        checks = [
            (f"{at}.{timing}.repeat.boundsPeriod", f"{want_first} to {want_last}",
             (a.first, a.last) == (want_first, want_last), f"{a.first} to {a.last}"),
            (a.status_path, f"a status that fits {status!r}", a.status in _FITS[status], a.status),
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


def _read(
    bundle: Any,
    source: str | None,
    catalogue: pd.DataFrame | None,
    settings: FhirSettings | None,
    patients: Mapping[str, str] | None,
) -> tuple[Plan, _Ctx, dict]:
    settings = settings or FhirSettings()
    data, label = load_json(bundle, source)
    data = rebase(data, settings.bases(), CANONICAL)
    cp, root = _find_careplan(data, label)
    problems = validate_resource(cp, root) if root == "CarePlan" else []  # a Bundle: checked
    if problems:
        raise FhirError(problems, label)
    problems = modifier_problems(cp, root)
    if problems:
        raise FhirError(problems, label)
    index = index_bundle(data) if data.get("resourceType") == "Bundle" else {}
    resolver = Resolver(index, systems=label_systems(settings), patients=dict(patients or {}))
    ctx = _Ctx(label, date.min, [], resolver=resolver.with_contained(cp))
    try:
        ctx.start = _date((cp.get("period") or {}).get("start"), "period.start")
    except _Bad as bad:
        raise FhirError([_at(root, bad)], label) from None
    ctx.activities = _read_activities(cp, root, ctx, _locations(data, cp, root), problems)
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
    return plan, ctx, cp


def from_fhir(
    bundle: Any,
    source: str | None = None,
    catalogue: pd.DataFrame | None = None,
    *,
    settings: FhirSettings | None = None,
    patients: Mapping[str, str] | None = None,
) -> Plan:
    """Read a plan back from a Bundle (or a bare CarePlan) that :func:`to_fhir` wrote.

    Parameters
    ----------
    bundle : dict, JSON text or path
        A Bundle holding exactly one CarePlan (and the ServiceRequests its activities
        reference), or the CarePlan itself (ServiceRequests ``contained``).
    source : str, optional
        A name for messages (the file name by default).
    catalogue : pandas.DataFrame, optional
        What the plan's restrictions are checked against; the shipped catalogue by default.
    settings : FhirSettings, optional
        The clinic's canonical base and patient identifier system, read besides backplan's
        own (and the placeholder base of earlier versions).
    patients : mapping, optional
        Patient references (``"Patient/123"``) to labels, for records whose Patient is not
        in the Bundle and whose reference has no display.

    Raises
    ------
    FhirError
        Invalid FHIR (checked with the R4B models and R4's required codes), a plan the
        record says is void, a missing backplan element, or an activity whose dose
        differs from what the plan's rules give, naming the path.
    PlanVersionError
        When the plan was written by a newer backplan.

    Examples
    --------
    >>> import backplan as bp
    >>> plan = bp.build_plan(bp.load_catalogue(), "beginners", ["wall-squats"], patient="P-07",
    ...                      start_date="2026-01-05", weeks=2)
    >>> bundle = bp.fhir.to_fhir(plan)
    >>> bundle["entry"][2]["resource"]["status"] = "entered-in-error"  # the CarePlan
    >>> from_fhir(bundle)
    Traceback (most recent call last):
    ...
    backplan.fhir.problems.FhirError: The FHIR data: 1 FHIR problem
      - Bundle.entry[2].resource.status: expected one of draft, active, on-hold, completed (the record says this was entered in error), got 'entered-in-error'
    """
    return _read(bundle, source, catalogue, settings, patients)[0]


def activity_statuses(
    bundle: Any,
    source: str | None = None,
    catalogue: pd.DataFrame | None = None,
    *,
    settings: FhirSettings | None = None,
    patients: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Each activity of a plan read from FHIR with the status the record gives it.

    Returns a table with ``activity`` (its index), ``exercise``, ``first_day``,
    ``last_day``, ``status`` (as found, e.g. ``in-progress`` or ``completed``) and
    ``element`` (where the status sits). The plan must read (:func:`from_fhir`).

    Examples
    --------
    >>> import backplan as bp
    >>> plan = bp.build_plan(bp.load_catalogue(), "beginners", ["wall-squats"], patient="P-07",
    ...                      start_date="2026-01-05", weeks=2)
    >>> bundle = bp.fhir.to_fhir(plan, as_of="2026-01-10")
    >>> bundle["entry"][1]["resource"]["status"] = "on-hold"  # the ServiceRequest
    >>> activity_statuses(bundle)[["exercise", "status"]].to_dict("records")
    [{'exercise': 'wall-squats', 'status': 'on-hold'}]
    """
    _, ctx, _ = _read(bundle, source, catalogue, settings, patients)
    rows = [(a.index, a.fields["exercise"], a.first, a.last, a.status, a.status_path)
            for a in ctx.activities]  # fmt: skip
    columns = ["activity", "exercise", "first_day", "last_day", "status", "element"]
    return pd.DataFrame(rows, columns=columns)
