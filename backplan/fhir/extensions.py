"""Restrictions and revisions as CarePlan extensions (exact) and notes (for people).

FHIR has no element for "positions this patient must avoid" or "dose changed from week 3
by whom and why", so each goes into one complex backplan extension whose sub-extensions
are listed field by field in :data:`RESTRICTION_FIELDS`, :data:`REVISION_FIELDS` and
:data:`REVISION_DOSE_FIELDS`. The same facts are also written in words as ``CarePlan.note``
(an ``Annotation`` with the author and time of a revision), which is not read back.

Examples
--------
>>> from backplan import Restrictions
>>> r = Restrictions(avoid_positions=["lying on stomach"], equipment=[])
>>> parts = write_parts(RESTRICTION_FIELDS, dict(r))
>>> [(p["url"], [v for k, v in p.items() if k != "url"][0]) for p in parts]
[('avoid-position', 'lying on stomach'), ('equipment-recorded', True)]
>>> read_parts(RESTRICTION_FIELDS, parts, "extension[3]")[0]["equipment"]
()
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..plan import Plan
from ._base import BASE, ext

__all__ = [
    "EXT_RESTRICTIONS",
    "EXT_REVISION",
    "EXT_WARNINGS_ACCEPTED",
    "RESTRICTION_FIELDS",
    "REVISION_DOSE_FIELDS",
    "REVISION_FIELDS",
    "WARNINGS_ACCEPTED_FIELDS",
    "Part",
    "read_parts",
    "write_parts",
]

SD = f"{BASE}/StructureDefinition"
EXT_RESTRICTIONS, EXT_REVISION = f"{SD}/plan-restrictions", f"{SD}/plan-revision"
EXT_WARNINGS_ACCEPTED = f"{SD}/plan-warnings-accepted"


class Bad(Exception):
    """One sub-extension that cannot be read (the caller turns it into a FhirProblem)."""

    def __init__(self, path: str, expected: str, got: object = None) -> None:
        super().__init__(path)
        self.path, self.expected, self.got = path, expected, got


@dataclass(frozen=True)
class Part:
    """How one model field travels as sub-extension(s).

    ``many``: one sub-extension per item of a tuple, in order. ``optional``: the field may
    be ``None``; a ``<url>-recorded`` flag then tells ``None`` from an empty tuple.
    ``default``: the value when no sub-extension is there (left out when equal to it).
    ``nested``: the item is itself a complex extension with these parts.
    """

    url: str
    kind: str
    many: bool = False
    optional: bool = False
    default: Any = ...
    nested: Mapping[str, Part] | None = None


def _dose(field: str) -> Part:
    return Part(field.replace("_", "-"), "valueInteger")


#: A revision's prescription field -> sub-extension of its ``prescription`` part.
REVISION_DOSE_FIELDS: dict[str, Part] = {
    "exercise": Part("exercise", "valueCode"),
    "sets": _dose("sets"),
    "reps": _dose("reps"),
    "per_side": Part("per-side", "valueBoolean"),
    "hold_s": _dose("hold_s"),
    "sessions_per_day": _dose("sessions_per_day"),
    "days_per_week": _dose("days_per_week"),
}

#: Restrictions field -> sub-extension of ``plan-restrictions``.
RESTRICTION_FIELDS: dict[str, Part] = {
    "avoid_positions": Part("avoid-position", "valueCode", many=True),
    "equipment": Part("equipment", "valueString", many=True, optional=True),
    "lacks_equipment": Part("lacks-equipment", "valueString", many=True),
    "avoid_targets": Part("avoid-target", "valueString", many=True),
    "precautions": Part("precaution", "valueCode", many=True),
}

#: WarningsAccepted field -> sub-extension of ``plan-warnings-accepted``.
WARNINGS_ACCEPTED_FIELDS: dict[str, Part] = {
    "by": Part("by", "valueString"),
    "at": Part("at", "valueDateTime"),
    "codes": Part("code", "valueCode", many=True),
    "messages": Part("message", "valueString", many=True),
}

#: Revision field -> sub-extension of ``plan-revision``. ``made_at`` is a ``valueDateTime``
#: when it has a time zone; a time without one (FHIR dateTime needs a zone) is kept as the
#: same ISO text in ``valueString``.
REVISION_FIELDS: dict[str, Part] = {
    "number": Part("number", "valueInteger"),
    "from_week": Part("from-week", "valueInteger"),
    "decision": Part("decision", "valueCode"),
    "prescriptions": Part("prescription", "extension", many=True, nested=REVISION_DOSE_FIELDS),
    "stop": Part("stop", "valueCode", many=True),
    "what": Part("what", "valueString", default=""),
    "why": Part("why", "valueString"),
    "by": Part("by", "valueString"),
    "made_at": Part("made-at", "valueDateTime"),
    "hold_level": Part("hold-level", "valueBoolean"),
}


def _value(part: Part, value: Any) -> dict[str, Any]:
    if part.nested is not None:
        return {"extension": write_parts(part.nested, dict(value))}
    if isinstance(value, datetime):
        text = value.isoformat()
        return {"valueDateTime" if value.utcoffset() is not None else "valueString": text}
    return {part.kind: value}


def write_parts(table: Mapping[str, Part], values: Mapping[str, Any]) -> list[dict]:
    """Sub-extensions for ``values`` (a model's fields), in table order."""
    out = []
    for name, part in table.items():
        value = values[name]
        if part.optional:
            if value is None:
                continue
            out.append(ext(f"{part.url}-recorded", valueBoolean=True))
        if part.many:
            out += [ext(part.url, **_value(part, v)) for v in value]
        elif value != part.default:
            out.append(ext(part.url, **_value(part, value)))
    return out


def _read_one(part: Part, sub: Mapping[str, Any], path: str) -> tuple[Any, dict[tuple, str]]:
    kinds = ["extension"] if part.nested else [part.kind]
    if part.kind == "valueDateTime":
        kinds.append("valueString")
    found = [k for k in kinds if k in sub]
    if not found:
        raise Bad(path, f"{' or '.join(kinds)} in sub-extension {part.url!r}")
    if part.nested is None:
        return sub[found[0]], {}
    return read_parts(part.nested, sub["extension"], path)


def read_parts(
    table: Mapping[str, Part], parts: Any, path: str
) -> tuple[dict[str, Any], dict[tuple, str]]:
    """The fields written by :func:`write_parts`, and the element path of each value.

    Paths are keyed like pydantic error locations: ``("stop", 1)`` or ``("why",)``.

    Raises
    ------
    Bad
        For a sub-extension of an unknown url, a value of the wrong type, or a missing one.
    """
    by_url = {p.url: n for n, p in table.items()} | {
        f"{p.url}-recorded": n for n, p in table.items() if p.optional
    }
    values: dict[str, Any] = {}
    where: dict[tuple, str] = {}
    flags: set[str] = set()
    for i, sub in enumerate(parts if isinstance(parts, list) else []):
        at = f"{path}.extension[{i}]"
        url = sub.get("url") if isinstance(sub, Mapping) else None
        name = by_url.get(url)  # type: ignore[arg-type]
        if name is None:
            raise Bad(f"{at}.url", f"one of {', '.join(sorted(by_url))}", url)
        part = table[name]
        if url != part.url:  # the "recorded" flag of an optional field
            flags.add(name)
            values.setdefault(name, [])
            continue
        value, inner = _read_one(part, sub, at)
        key: tuple = (name,)
        if part.many:
            items = values.setdefault(name, [])
            key = (name, len(items))
            items.append(value)
        elif name in values:
            raise Bad(at, f"one sub-extension {url!r}", "a second one")
        else:
            values[name] = value
        where[key] = at
        where.update({(*key, *k): p for k, p in inner.items()})
    for name, part in table.items():
        where.setdefault((name,), path)
        if part.optional and name not in flags:
            if name in values:
                raise Bad(where[(name, 0)], f"a {part.url}-recorded flag with it")
            values[name] = None
        elif name in values:
            if part.many:
                values[name] = tuple(values[name])
        elif part.many:
            values[name] = ()
        elif part.default is not ...:
            values[name] = part.default
        else:
            raise Bad(f"{path}.extension", f"a sub-extension {part.url!r}")
    return values, where


# --- CarePlan rows: writers and readers for PLAN_FIELDS ---------------------------------------


def _note(text: str, **about: str) -> dict:
    return {**about, "text": text}


def write_restrictions(plan: Plan, cp: dict) -> None:
    """The ``plan-restrictions`` extension (none when nothing is ruled out) and notes."""
    r = plan.restrictions
    if r.is_empty():
        return
    cp["extension"].append(
        ext(EXT_RESTRICTIONS, extension=write_parts(RESTRICTION_FIELDS, dict(r)))
    )
    notes = cp.setdefault("note", [])
    notes += [_note(f"Restriction: {line}") for line in r.describe()]


def write_warnings_accepted(plan: Plan, cp: dict) -> None:
    """The ``plan-warnings-accepted`` extension: who accepted the dose warnings, and when."""
    if plan.warnings_accepted is not None:
        parts = write_parts(WARNINGS_ACCEPTED_FIELDS, dict(plan.warnings_accepted))
        cp["extension"].append(ext(EXT_WARNINGS_ACCEPTED, extension=parts))


def write_revisions(plan: Plan, cp: dict) -> None:
    """One ``plan-revision`` extension per revision, in order, and one note each."""
    notes = cp.setdefault("note", []) if plan.revisions else []
    for rev in plan.revisions:
        cp["extension"].append(ext(EXT_REVISION, extension=write_parts(REVISION_FIELDS, dict(rev))))
        stamp = rev.made_at.isoformat(sep=" ", timespec="minutes")
        text = f"Revision {rev.number} ({rev.decision}), from week {rev.from_week}"
        text += f": {rev.what}." if rev.what else "."
        text += f" Why: {rev.why} By {rev.by}, {stamp}."
        when = {"time": rev.made_at.isoformat()} if rev.made_at.utcoffset() is not None else {}
        notes.append(_note(text, authorString=rev.by, **when))


def read_complex(
    cp: dict, url: str, table: Mapping[str, Part], where: dict, key: str
) -> list[dict[str, Any]]:
    """Every ``url`` extension of the CarePlan read through ``table``, in order.

    ``where`` gets the element path of each value, keyed like a pydantic error location
    under ``key`` (``("revisions", 0, "why")``).
    """
    out = []
    for j, e in enumerate(cp.get("extension") or []):
        if e.get("url") != url:
            continue
        values, paths = read_parts(table, e.get("extension"), f"extension[{j}]")
        prefix = (key, len(out)) if key == "revisions" else (key,)
        where.update({(*prefix, *k): p for k, p in paths.items()})
        where[prefix] = f"extension[{j}]"
        out.append(values)
    return out


def find_path(where: Mapping[tuple, str], loc: tuple, fallback: str) -> str:
    """The path recorded for the longest prefix of ``loc`` (a pydantic error location)."""
    for n in range(len(loc), 0, -1):
        if tuple(loc[:n]) in where:
            return where[tuple(loc[:n])]
    return fallback
