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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pydantic

from ..catalogue import load_catalogue, split_steps
from ..errors import PlanVersionError
from ..handout.text import dose_words, week_range
from ..plan import SCHEMA_VERSION, Plan, dose_in_week
from ..progression import AddDose, NextLevel, Prescription
from ._base import (
    BASE,
    DATA_ABSENT,
    EXERCISE_SYSTEM,
    EXERCISE_THERAPY,
    PATIENT_LABEL_SYSTEM,
    UCUM,
    FhirError,
    FhirProblem,
    ext,
    ext_value,
    load_json,
    validate_resource,
)

__all__ = [
    "PLAN_FIELDS",
    "PRESCRIPTION_FIELDS",
    "RULE_FIELDS",
    "careplan",
    "dose_steps",
    "from_fhir",
    "to_fhir",
]

SD = f"{BASE}/StructureDefinition"
EXT_SCHEMA, EXT_LEVEL = f"{SD}/plan-schema-version", f"{SD}/plan-level"
EXT_RULE, EXT_DOSE = f"{SD}/plan-progression-rule", f"{SD}/exercise-dose"
_UNIT = {"d": 7, "wk": 1}  # periodUnit -> days in the week that carry sessions (None: read)


# --- small readers ---------------------------------------------------------------------------


class _Bad(Exception):
    """One element that cannot be read; ``path`` is relative to the resource."""

    def __init__(self, path: str, expected: str, got: object = None) -> None:
        super().__init__(path)
        self.problem = FhirProblem(path, expected, got)


def _iso(d: date) -> str:
    return d.isoformat()


def _date(value: Any, path: str) -> date:
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise _Bad(path, "a date written YYYY-MM-DD", value)


def _int(value: Any, path: str, lo: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise _Bad(path, "a whole number", value)
    if lo is not None and value < lo:
        raise _Bad(path, f"a whole number of at least {lo}", value)
    return int(value)


def _join(path: str, sub: str) -> str:
    return f"{path}.{sub}" if path else sub


def _one(extensions: Any, url: str, path: str, kind: str) -> Any:
    """The ``value[x]`` of the one extension named ``url`` in ``extensions``."""
    found = [
        (i, e)
        for i, e in enumerate(extensions or ())
        if isinstance(e, dict) and e.get("url") == url
    ]
    if len(found) != 1:
        raise _Bad(_join(path, "extension"), f"one extension {url!r}", len(found) or None)
    i, e = found[0]
    if kind not in e:
        raise _Bad(_join(path, f"extension[{i}].{kind}"), f"a {kind} in extension {url!r}")
    return e[kind]


def _seconds(value: Any, path: str) -> int:
    if not isinstance(value, dict) or value.get("code", "s") != "s":
        raise _Bad(path, "a duration in seconds (UCUM code 's')", value)
    return _int(value.get("value"), f"{path}.value", 0)


# --- prescription fields ---------------------------------------------------------------------
# Each: (the FHIR element, for docs and messages; writer(p, detail); reader(detail, path)).
Writer = Callable[[Any, dict], None]
Reader = Callable[[dict, str], Any]


def _dose_ext(detail: dict, url: str, **value: Any) -> None:
    dose = next(e for e in detail["extension"] if e["url"] == EXT_DOSE)
    dose["extension"].append(ext(url, **value))


def _read_dose(detail: dict, path: str, url: str, kind: str) -> Any:
    dose = _one(detail.get("extension"), EXT_DOSE, path, "extension")
    i = next(i for i, e in enumerate(detail["extension"]) if e.get("url") == EXT_DOSE)
    return _one(dose, url, f"{path}.extension[{i}]", kind)


def _write_timing(p: Prescription, detail: dict) -> None:
    repeat = detail["scheduledTiming"]["repeat"]
    if p.days_per_week == 7:
        repeat.update(frequency=p.sessions_per_day, period=1, periodUnit="d")
    else:  # sessions a week; the days they fall on go in the dose extension
        repeat.update(frequency=p.sessions_per_day * p.days_per_week, period=1, periodUnit="wk")


def _read_days(detail: dict, path: str) -> int:
    days = _int(_read_dose(detail, path, "days-per-week", "valueInteger"), path, 1)
    unit = detail.get("scheduledTiming", {}).get("repeat", {}).get("periodUnit")
    if unit == "d" and days != 7:
        raise _Bad(f"{path}.scheduledTiming.repeat.periodUnit", "'wk' for fewer than 7 days", unit)
    return days


def _read_sessions(detail: dict, path: str) -> int:
    where = f"{path}.scheduledTiming.repeat"
    repeat = detail.get("scheduledTiming", {}).get("repeat", {})
    if repeat.get("period") != 1 or repeat.get("periodUnit") not in _UNIT:
        got = (repeat.get("period"), repeat.get("periodUnit"))
        raise _Bad(where, "period 1 with periodUnit 'd' or 'wk'", got)
    freq = _int(repeat.get("frequency"), f"{where}.frequency", 1)
    if repeat["periodUnit"] == "d":
        return freq
    days = _read_days(detail, path)
    if freq % days:
        raise _Bad(f"{where}.frequency", f"sessions a week that {days} days share evenly", freq)
    return freq // days


def _read_exercise(detail: dict, path: str) -> str:
    codings = detail.get("code", {}).get("coding", [])
    codes = [c.get("code") for c in codings if c.get("system") == EXERCISE_SYSTEM]
    if len(codes) != 1 or not codes[0]:
        raise _Bad(f"{path}.code.coding", f"one coding from {EXERCISE_SYSTEM}", len(codes))
    return str(codes[0])


def _read_reps(detail: dict, path: str) -> int:
    return _int(detail.get("quantity", {}).get("value"), f"{path}.quantity.value", 1)


PRESCRIPTION_FIELDS: dict[str, tuple[str, Writer, Reader]] = {
    "exercise": (
        "detail.code.coding (system backplan exercise).code",
        lambda p, d: None,  # written with the exercise's name, see _activity
        _read_exercise,
    ),
    "sets": (
        "detail.extension[exercise-dose].extension[sets].valueInteger",
        lambda p, d: _dose_ext(d, "sets", valueInteger=p.sets),
        lambda d, path: _int(_read_dose(d, path, "sets", "valueInteger"), path),
    ),
    "reps": (
        "detail.quantity.value (UCUM {repetitions}; per side when per_side)",
        lambda p, d: d.update(
            quantity={
                "value": p.reps,
                "unit": "repetitions",
                "system": UCUM,
                "code": "{repetitions}",
            }
        ),
        _read_reps,
    ),
    "per_side": (
        "detail.extension[exercise-dose].extension[per-side].valueBoolean",
        lambda p, d: _dose_ext(d, "per-side", valueBoolean=p.per_side),
        lambda d, path: bool(_read_dose(d, path, "per-side", "valueBoolean")),
    ),
    "hold_s": (
        "detail.extension[exercise-dose].extension[hold].valueDuration (UCUM s)",
        lambda p, d: _dose_ext(
            d, "hold", valueDuration={"value": p.hold_s, "unit": "s", "system": UCUM, "code": "s"}
        ),
        lambda d, path: _seconds(_read_dose(d, path, "hold", "valueDuration"), path),
    ),
    "sessions_per_day": (
        "detail.scheduledTiming.repeat.frequency (per period 1 d; per 1 wk: x days_per_week)",
        _write_timing,
        _read_sessions,
    ),
    "days_per_week": (
        "detail.extension[exercise-dose].extension[days-per-week].valueInteger "
        "(and scheduledTiming.repeat.periodUnit 'd' for 7, 'wk' otherwise)",
        lambda p, d: _dose_ext(d, "days-per-week", valueInteger=p.days_per_week),
        _read_days,
    ),
}


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


# --- progression rules -----------------------------------------------------------------------
#: Rule field -> sub-extension url and value type (``exercises`` has its own scope code).
RULE_FIELDS: dict[str, tuple[str, str]] = {
    "kind": ("kind", "valueCode"),
    "what": ("what", "valueCode"),
    "amount": ("amount", "valueInteger"),
    "every_weeks": ("every-weeks", "valueInteger"),
    "cap": ("cap", "valueInteger"),
    "exercises": ("exercise", "valueCode"),
    "from_week": ("from-week", "valueInteger"),
    "level": ("level", "valueString"),
    "prescriptions": ("(the activities that start in from_week)", ""),
}


def _rule_ext(rule: AddDose | NextLevel) -> dict:
    parts = []
    for name, value in rule:
        url, kind = RULE_FIELDS[name]
        if name == "prescriptions":
            continue
        if name == "exercises":
            parts.append(ext("scope", valueCode="all" if value is None else "listed"))
            parts += [ext(url, **{kind: v}) for v in value or ()]
        else:
            parts.append(ext(url, **{kind: value}))
    return ext(EXT_RULE, extension=parts)


def _read_rule(parts: list, path: str) -> tuple[dict, dict[str, str]]:
    """A rule's fields (without prescriptions) and the path of each sub-extension."""
    data: dict[str, Any] = {}
    where: dict[str, str] = {}
    by_url = {url: name for name, (url, _) in RULE_FIELDS.items()}
    for i, part in enumerate(parts):
        url = part.get("url")
        values = [v for k, v in part.items() if k.startswith("value")]
        if url == "scope":
            if values and values[0] == "listed":
                data.setdefault("exercises", [])
            continue
        name = by_url.get(url)
        if name is None or not values:
            raise _Bad(f"{path}.extension[{i}]", "a progression rule part", url)
        where[name] = f"{path}.extension[{i}]"
        if name == "exercises":
            data.setdefault("exercises", []).append(values[0])
        else:
            data[name] = values[0]
    return data, where


# --- plan fields -----------------------------------------------------------------------------


def _write_subject(plan: Plan, cp: dict) -> None:
    if plan.patient:
        label = {"system": PATIENT_LABEL_SYSTEM, "value": plan.patient}
        cp["subject"] = {"identifier": label, "display": plan.patient}
    else:  # FHIR strings cannot be empty: say the label is absent
        cp["subject"] = {"extension": [ext(DATA_ABSENT, valueCode="unknown")]}


def _read_subject(cp: dict, ctx: _Ctx) -> str:
    subject = cp.get("subject", {})
    ident = subject.get("identifier", {})
    if ident.get("system") == PATIENT_LABEL_SYSTEM and "value" in ident:
        return str(ident["value"])
    if "display" in subject:
        return str(subject["display"])
    if ext_value(subject.get("extension"), DATA_ABSENT):
        return ""
    raise _Bad("subject", "a patient label in subject.identifier or subject.display")


def _write_period(plan: Plan, cp: dict) -> None:
    end = plan.start_date + timedelta(days=7 * plan.weeks - 1)
    cp["period"] = {"start": _iso(plan.start_date), "end": _iso(end)}


def _read_weeks(cp: dict, ctx: _Ctx) -> int:
    end = _date(cp.get("period", {}).get("end"), "period.end")
    days = (end - ctx.start).days + 1
    if days <= 0 or days % 7:
        raise _Bad("period.end", "the last day of a whole week after period.start", _iso(end))
    return days // 7


def _read_schema(cp: dict, ctx: _Ctx) -> int:
    version = _int(_one(cp.get("extension"), EXT_SCHEMA, "", "valueInteger"), "extension", 1)
    if version > SCHEMA_VERSION:
        raise PlanVersionError(
            f"{ctx.source}: written by a newer backplan (schema version {version}); this "
            f"backplan reads version {SCHEMA_VERSION}. Update backplan to open it."
        )
    return version


def _write_progression(plan: Plan, cp: dict) -> None:
    cp["extension"] += [_rule_ext(r) for r in plan.progression]


def _read_progression(cp: dict, ctx: _Ctx) -> list[dict]:
    rules = []
    for j, e in enumerate(cp.get("extension", [])):
        if e.get("url") != EXT_RULE:
            continue
        data, where = _read_rule(e.get("extension", []), f"extension[{j}]")
        ctx.rule_paths.append((f"extension[{j}]", where))
        if data.get("kind") == "next_level":
            week = _int(data.get("from_week"), where.get("from_week", f"extension[{j}]"), 2)
            data["prescriptions"] = ctx.starting(ctx.start + timedelta(weeks=week - 1))
        rules.append(data)
    ctx.rules = rules
    return rules


def _optional(key: str, inner: str | None = None) -> tuple[Writer, Callable]:
    def write(value: str, cp: dict) -> None:
        if value:
            cp[key] = {inner: value} if inner else value

    def read(cp: dict) -> str:
        value = cp.get(key)
        if inner and value is not None:
            if inner not in value:
                raise _Bad(key, f"{key}.{inner}", value)
            value = value[inner]
        return "" if value is None else str(value)

    return write, read


_author, _description = _optional("author", "display"), _optional("description")

#: Plan field -> (FHIR element, writer(plan, careplan), reader(careplan, context)).
PLAN_FIELDS: dict[str, tuple[str, Callable[[Plan, dict], None], Callable[[dict, _Ctx], Any]]] = {
    "schema_version": (
        "CarePlan.extension[plan-schema-version].valueInteger",
        lambda plan, cp: cp["extension"].append(ext(EXT_SCHEMA, valueInteger=SCHEMA_VERSION)),
        _read_schema,
    ),
    "patient": (
        "CarePlan.subject.identifier (system backplan patient-label).value, and .display",
        _write_subject,
        _read_subject,
    ),
    "clinician": (
        "CarePlan.author.display",
        lambda plan, cp: _author[0](plan.clinician, cp),
        lambda cp, ctx: _author[1](cp),
    ),
    "start_date": ("CarePlan.period.start", _write_period, lambda cp, ctx: ctx.start),
    "weeks": ("CarePlan.period.end (start + 7 x weeks - 1 day)", _write_period, _read_weeks),
    "notes": (
        "CarePlan.description",
        lambda plan, cp: _description[0](plan.notes, cp),
        lambda cp, ctx: _description[1](cp),
    ),
    "level": (
        "CarePlan.extension[plan-level].valueString",
        lambda plan, cp: cp["extension"].append(ext(EXT_LEVEL, valueString=plan.level)),
        lambda cp, ctx: _one(cp.get("extension"), EXT_LEVEL, "", "valueString"),
    ),
    "prescriptions": (
        "CarePlan.activity: the activities whose bounds start on period.start",
        lambda plan, cp: None,  # activities are written once for every dose step
        lambda cp, ctx: ctx.starting(ctx.start),
    ),
    "progression": (
        "CarePlan.extension[plan-progression-rule], one per rule, in order; doses per "
        "week also as time-bounded CarePlan.activity",
        _write_progression,
        _read_progression,
    ),
}


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


@dataclass
class _Ctx:
    source: str
    start: date
    activities: list[tuple[int, date, date, dict, dict[str, str]]]
    rule_paths: list[tuple[str, dict[str, str]]]
    rules: list[dict]
    used: dict[int, int]  # activity index -> index in the prescription list it went into

    def starting(self, day: date) -> list[dict]:
        """Prescriptions (as dicts) of the activities whose bounds start on ``day``."""
        out = []
        for i, first, _, fields, _ in self.activities:
            if first == day:
                self.used[i] = len(out)
                out.append(fields)
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
            paths[name] = f"{root}.activity[{i}].{element.split(' ')[0]}"
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
    """
    data, label = load_json(bundle, source)
    cp, root = _find_careplan(data, label)
    problems = validate_resource(cp, root)
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
