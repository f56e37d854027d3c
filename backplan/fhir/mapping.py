"""The field tables of the plan <-> CarePlan mapping: one row per backplan field.

:data:`PLAN_FIELDS` (plan fields) and :data:`RULE_FIELDS` (progression rules) each give the FHIR element a field goes to, a
writer and a reader. Restrictions and revisions have their own tables in
:mod:`backplan.fhir.extensions`. A new model field is one new row (``tests/test_fhir.py``
fails while a field has none); ``docs/fhir-mapping.md`` explains each.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..errors import PlanVersionError
from ..plan import SCHEMA_VERSION, Plan
from ..plan.rules import AddDose, NextLevel
from ._base import BASE, EXERCISE_SYSTEM, PLAN_ID_SYSTEM, FhirProblem, dig, ext
from .extensions import (
    EXT_RESTRICTIONS,
    EXT_REVISION,
    EXT_WARNINGS_ACCEPTED,
    RESTRICTION_FIELDS,
    REVISION_FIELDS,
    WARNINGS_ACCEPTED_FIELDS,
    Bad,
    read_complex,
    write_restrictions,
    write_revisions,
    write_warnings_accepted,
)
from .patients import Resolver, label_of

__all__ = ["EXT_DOSE", "EXT_LANGUAGE", "EXT_START_BACK", "PLAN_FIELDS", "RULE_FIELDS", "locate"]

SD = f"{BASE}/StructureDefinition"
EXT_SCHEMA, EXT_LEVEL = f"{SD}/plan-schema-version", f"{SD}/plan-level"
EXT_START_BACK = f"{SD}/plan-start-back"
#: The language the patient reads (BCP 47). Not ``CarePlan.language``: that declares the
#: language of the resource's own text, which backplan writes in English; not
#: ``Patient.communication``: the Patient belongs to the record (a conditional reference
#: names the server's own), and a language chosen for this plan's handouts is the plan's.
EXT_LANGUAGE = f"{SD}/plan-language"
EXT_RULE, EXT_DOSE = f"{SD}/plan-progression-rule", f"{SD}/exercise-dose"
_UNITS = ("d", "wk")  # Timing.repeat.periodUnit: sessions a day, or a week
_PLAN_ID = re.compile(r"[A-Za-z0-9.-]{1,64}")


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


def _one(extensions: Any, url: str, path: str, kind: str) -> tuple[Any, str]:
    """The ``value[x]`` of the one extension named ``url`` in ``extensions``, and its path."""
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
    return e[kind], _join(path, f"extension[{i}].{kind}")


def _seconds(value: Any, path: str) -> int:
    if not isinstance(value, dict) or value.get("code", "s") != "s":
        raise _Bad(path, "a duration in seconds (UCUM code 's')", value)
    return _int(value.get("value"), f"{path}.value", 0)


# --- dose fields: shared by ServiceRequests (requests.py) and older files (legacy.py) --------
# Each: (the FHIR element, for docs and messages; writer(p, detail); reader(detail, path)).
Writer = Callable[[Any, dict], None]
Reader = Callable[[dict, str], Any]


def _read_dose(detail: dict, path: str, url: str, kind: str) -> tuple[Any, str]:
    """One part of the exercise-dose extension, and the path of its value."""
    dose, where = _one(detail.get("extension"), EXT_DOSE, path, "extension")
    return _one(dose, url, where.removesuffix(".extension"), kind)


def locate(data: Any, path: str, element: str) -> str:
    """``path`` + ``element`` with named slices (``extension[sets]``) turned into indexes.

    Examples
    --------
    >>> detail = {"extension": [{"url": "x"}, {"url": f"{SD}/exercise-dose",
    ...           "extension": [{"url": "sets", "valueInteger": 2}]}]}
    >>> locate(detail, "activity[0].detail", "extension[exercise-dose].extension[sets].valueInteger")
    'activity[0].detail.extension[1].extension[0].valueInteger'
    """
    for part in element.split("."):
        name, _, key = part.partition("[")
        data = data.get(name) if isinstance(data, dict) else None
        path = f"{path}.{name}"
        if key:
            key = key.rstrip("]")
            items = data if isinstance(data, list) else []
            found = [i for i, e in enumerate(items) if isinstance(e, dict) and
                     str(e.get("url", "")).split("/")[-1] == key]  # fmt: skip
            if not found:
                return f"{path}[{key}]"
            data, path = items[found[0]], f"{path}[{found[0]}]"
    return path


def _read_exercise(detail: dict, path: str) -> str:
    codings = dig(detail, "code", "coding") or []
    codes = [c.get("code") for c in codings if c.get("system") == EXERCISE_SYSTEM]
    if len(codes) != 1 or not codes[0]:
        raise _Bad(f"{path}.code.coding", f"one coding from {EXERCISE_SYSTEM}", len(codes))
    return str(codes[0])


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
    "pending": ("(not carried: settled by build_plan, never saved)", ""),
}


def _rule_ext(rule: AddDose | NextLevel) -> dict:
    parts = []
    for name, value in rule:
        url, kind = RULE_FIELDS[name]
        if not kind:  # prescriptions are activities; pending is never saved
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


def _read_subject(cp: dict, ctx: _Ctx) -> str:
    label, problem = label_of(cp.get("subject"), ctx.resolver)
    if problem is not None:
        raise _Bad(_join("subject", problem.path), problem.expected, problem.got)
    return label or ""


def _read_plan_id(cp: dict, ctx: _Ctx) -> str:
    """The plan's id from ``CarePlan.identifier`` ("" for files written before plan ids)."""
    for i, ident in enumerate(cp.get("identifier") or []):
        if isinstance(ident, dict) and ident.get("system") == PLAN_ID_SYSTEM:
            value = ident.get("value")
            if not isinstance(value, str) or not _PLAN_ID.fullmatch(value):
                raise _Bad(f"identifier[{i}].value", "a plan id (letters, digits, - and ., "
                           "at most 64)", value)  # fmt: skip
            return value
    return ""


def _write_period(plan: Plan, cp: dict) -> None:
    end = plan.start_date + timedelta(days=7 * plan.weeks - 1)
    cp["period"] = {"start": _iso(plan.start_date), "end": _iso(end)}


def _read_weeks(cp: dict, ctx: _Ctx) -> int:
    end = _date(dig(cp, "period", "end"), "period.end")
    days = (end - ctx.start).days + 1
    if days <= 0 or days % 7:
        raise _Bad("period.end", "the last day of a whole week after period.start", _iso(end))
    return days // 7


def _read_schema(cp: dict, ctx: _Ctx) -> int:
    version = _int(*_one(cp.get("extension"), EXT_SCHEMA, "", "valueInteger"), lo=1)
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
    for j, e in enumerate(cp.get("extension") or []):
        if e.get("url") != EXT_RULE:
            continue
        data, where = _read_rule(e.get("extension") or [], f"extension[{j}]")
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


def _read_restrictions(cp: dict, ctx: _Ctx) -> dict[str, Any]:
    try:
        found = read_complex(cp, EXT_RESTRICTIONS, RESTRICTION_FIELDS, ctx.where, "restrictions")
    except Bad as bad:
        raise _Bad(bad.path, bad.expected, bad.got) from None
    if len(found) > 1:
        raise _Bad("extension", f"at most one extension {EXT_RESTRICTIONS!r}", len(found))
    return found[0] if found else {}


def _read_warnings_accepted(cp: dict, ctx: _Ctx) -> dict[str, Any] | None:
    try:
        found = read_complex(cp, EXT_WARNINGS_ACCEPTED, WARNINGS_ACCEPTED_FIELDS, ctx.where,
                             "warnings_accepted")  # fmt: skip
    except Bad as bad:
        raise _Bad(bad.path, bad.expected, bad.got) from None
    if len(found) > 1:
        raise _Bad("extension", f"at most one extension {EXT_WARNINGS_ACCEPTED!r}", len(found))
    return found[0] if found else None


def _read_revisions(cp: dict, ctx: _Ctx) -> list[dict[str, Any]]:
    try:
        return read_complex(cp, EXT_REVISION, REVISION_FIELDS, ctx.where, "revisions")
    except Bad as bad:
        raise _Bad(bad.path, bad.expected, bad.got) from None


_author, _description = _optional("author", "display"), _optional("description")


#: Plan field -> (FHIR element, writer(plan, careplan), reader(careplan, context)).
def _write_start_back(plan: Plan, cp: dict) -> None:
    if plan.start_back is not None:
        cp["extension"].append(ext(EXT_START_BACK, valueCode=plan.start_back))


def _read_start_back(cp: dict, ctx: _Ctx) -> Any:
    if not any(isinstance(e, dict) and e.get("url") == EXT_START_BACK
               for e in cp.get("extension") or ()):  # fmt: skip
        return None
    return _one(cp.get("extension"), EXT_START_BACK, "", "valueCode")[0]


def _write_language(plan: Plan, cp: dict) -> None:
    if plan.language != "en":  # English (the default) is written as before: nothing
        cp["extension"].append(ext(EXT_LANGUAGE, valueCode=plan.language))


def _read_language(cp: dict, ctx: _Ctx) -> Any:
    if not any(isinstance(e, dict) and e.get("url") == EXT_LANGUAGE
               for e in cp.get("extension") or ()):  # fmt: skip
        return "en"
    return _one(cp.get("extension"), EXT_LANGUAGE, "", "valueCode")[0]


PLAN_FIELDS: dict[str, tuple[str, Callable[[Plan, dict], None], Callable[[dict, _Ctx], Any]]] = {
    "schema_version": (
        "CarePlan.extension[plan-schema-version].valueInteger",
        lambda plan, cp: cp["extension"].append(ext(EXT_SCHEMA, valueInteger=SCHEMA_VERSION)),
        _read_schema,
    ),
    "patient": (
        "CarePlan.subject: a Patient whose identifier (the clinic's system) is the label, "
        "or a conditional reference; .display the label",
        lambda plan, cp: None,  # written with the Patient, see patients.py
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
        lambda cp, ctx: _one(cp.get("extension"), EXT_LEVEL, "", "valueString")[0],
    ),
    "start_back": (
        "CarePlan.extension[plan-start-back].valueCode (low, medium or high; none when the "
        "patient was not stratified)",
        _write_start_back,
        _read_start_back,
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
    "restrictions": (
        "CarePlan.extension[plan-restrictions] (none when nothing is ruled out); also "
        "CarePlan.note, one sentence per restriction, for people",
        write_restrictions,
        _read_restrictions,
    ),
    "warnings_accepted": (
        "CarePlan.extension[plan-warnings-accepted] (by, at, the warning codes and messages; "
        "none when no one accepted warnings)",
        write_warnings_accepted,
        _read_warnings_accepted,
    ),
    "revisions": (
        "CarePlan.extension[plan-revision], one per revision, in order; also CarePlan.note "
        "(authorString, time), meta.versionId, one Provenance each and the activities' status",
        write_revisions,
        _read_revisions,
    ),
    "language": (
        "CarePlan.extension[plan-language].valueCode (BCP 47: the language the patient's "
        "handouts print in; none for English)",
        _write_language,
        _read_language,
    ),
    "plan_id": (
        "CarePlan.identifier (system plan-id).value; also CarePlan.id",
        lambda plan, cp: None,  # written with the CarePlan's id, see careplan.py
        _read_plan_id,
    ),
}


@dataclass(frozen=True)
class Activity:
    """One activity as read: its index, bounds, dose fields and their paths, status and the
    revision that set its dose (``None``: the plan as first written)."""

    index: int
    first: date
    last: date
    fields: dict[str, Any]
    paths: dict[str, str]
    status: str
    revision: int | None
    status_path: str = ""


@dataclass
class _Ctx:
    source: str
    start: date
    activities: list[Activity]  # every activity read, in order
    rule_paths: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    rules: list[dict] = field(default_factory=list)
    used: dict[int, int] = field(default_factory=dict)  # activity -> index in its list
    where: dict[tuple, str] = field(default_factory=dict)  # error location -> element path
    resolver: Resolver = field(default_factory=lambda: Resolver({}))

    def starting(self, day: date) -> list[dict]:
        """Prescriptions (as dicts) of the plan as first written whose bounds start on ``day``."""
        out = []
        for a in self.activities:
            if a.first == day and a.revision is None:
                self.used[a.index] = len(out)
                out.append(a.fields)
        return out
