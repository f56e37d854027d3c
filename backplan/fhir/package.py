"""backplan's FHIR definitions as a small implementation guide package (``docs/fhir/``).

:func:`write_package` writes, for a canonical base:

- ``package/``: an NPM-style FHIR package (``package.json``, ``.index.json``) with a
  StructureDefinition for every backplan extension, the CodeSystems of exercise ids and of
  log measures, and ``package/example/`` holding a synthetic plan as a transaction Bundle
  and a synthetic diary as a Bundle of Observations;
- one small HTML page per definition at ``<Type>/<id>.html``, so that a canonical URL such
  as ``<base>/StructureDefinition/exercise-dose`` opens a page that says what it is (GitHub
  Pages serves ``exercise-dose.html`` there);
- ``index.html`` listing them.

The extension definitions are made from the same tables the writer and reader use
(:data:`~backplan.fhir.extensions.RESTRICTION_FIELDS`, ...), so they cannot drift from the
files backplan writes; ``tests/test_fhir_package.py`` checks ``docs/fhir`` is up to date.

Examples
--------
>>> import tempfile, pathlib
>>> folder = write_package(pathlib.Path(tempfile.mkdtemp()))
>>> sorted(p.name for p in (folder / "package").glob("StructureDefinition-*.json"))[:3]
['StructureDefinition-exercise-dose.json', 'StructureDefinition-plan-language.json', 'StructureDefinition-plan-level.json']
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._io.files import write_atomic
from ..catalogue import load_catalogue
from ._base import EXERCISE_SYSTEM, FhirError, validate_resource
from .extensions import (
    EXT_RESTRICTIONS,
    EXT_REVISION,
    EXT_WARNINGS_ACCEPTED,
    RESTRICTION_FIELDS,
    REVISION_FIELDS,
    WARNINGS_ACCEPTED_FIELDS,
    Part,
)
from .mapping import (
    EXT_DOSE,
    EXT_LANGUAGE,
    EXT_LEVEL,
    EXT_RULE,
    EXT_SCHEMA,
    EXT_START_BACK,
    RULE_FIELDS,
)
from .observations import LOG_SYSTEM, MEASURES
from .settings import CANONICAL, FhirSettings, rebase

__all__ = ["definitions", "write_package"]

VERSION = "0.1.0"
_TYPES = {"valueInteger": "integer", "valueString": "string", "valueCode": "code",
          "valueBoolean": "boolean", "valueDateTime": "dateTime", "valueDuration": "Duration"}  # fmt: skip


@dataclass(frozen=True)
class Sub:
    """One sub-extension of a complex extension."""

    url: str
    types: tuple[str, ...]
    max: str = "1"
    short: str = ""
    parts: tuple[Sub, ...] = ()


def _from_parts(table: Mapping[str, Part]) -> tuple[Sub, ...]:
    out = []
    for name, part in table.items():
        if part.optional:
            out.append(Sub(f"{part.url}-recorded", ("boolean",), short=f"{name} recorded"))
        if part.nested is not None:
            out.append(Sub(part.url, (), "*" if part.many else "1", name, _from_parts(part.nested)))
            continue
        types = (
            (_TYPES[part.kind], "string") if part.kind == "valueDateTime" else (_TYPES[part.kind],)
        )
        out.append(Sub(part.url, types, "*" if part.many else "1", name.replace("_", " ")))
    return tuple(out)


def _rule_parts() -> tuple[Sub, ...]:
    out = [Sub("scope", ("code",), short="all exercises, or those listed")]
    for name, (url, kind) in RULE_FIELDS.items():
        if kind:
            many = "*" if name == "exercises" else "1"
            out.append(Sub(url, (_TYPES[kind],), many, name.replace("_", " ")))
    return tuple(out)


_DOSE = (
    Sub("sets", ("integer",), short="sets (rounds) in one session"),
    Sub("reps", ("integer",), short="repetitions in one set, per side"),
    Sub("per-side", ("boolean",), short="reps are per side (each leg)"),
    Sub("hold", ("Duration",), short="seconds to hold each repetition (UCUM s)"),
    Sub("days-per-week", ("integer",), short="days a week"),
    Sub("revision", ("integer",), short="the revision that set this dose (none: as first written)"),
)
#: (url, name, title, description, contexts, value types or sub-extensions)
_EXTENSIONS: list[tuple[str, str, str, tuple[str, ...], tuple[str, ...] | tuple[Sub, ...]]] = [
    (EXT_SCHEMA, "Plan schema version", "The version of backplan's plan format the CarePlan "
     "was written from.", ("CarePlan",), ("integer",)),
    (EXT_LEVEL, "Plan level", "The catalogue level the plan starts at (beginners, more "
     "advanced).", ("CarePlan",), ("string",)),
    (EXT_RULE, "Progression rule", "One progression rule: add reps or seconds of hold every "
     "few weeks up to a cap, or move to the next level from a week.", ("CarePlan",), _rule_parts()),
    (EXT_RESTRICTIONS, "Plan restrictions", "Positions, equipment and body areas the patient "
     "must avoid; every exercise of the plan keeps to them.", ("CarePlan",),
     _from_parts(RESTRICTION_FIELDS)),
    (EXT_REVISION, "Plan revision", "One change made after a review: from which week, the new "
     "doses, exercises stopped, why, by whom and when.", ("CarePlan",), _from_parts(REVISION_FIELDS)),
    (EXT_START_BACK, "STarT Back risk group", "The patient's STarT Back risk group at first "
     "contact (low, medium or high); a high-risk plan is reviewed with time-based "
     "progression.", ("CarePlan",), ("code",)),
    (EXT_LANGUAGE, "Plan language", "The language the patient reads, as a BCP 47 code (cy, pl, "
     "ur...): backplan prints the plan's handouts in it, each part with English beside. Absent: "
     "English. Not CarePlan.language, which is the language of the resource's own text "
     "(English).", ("CarePlan",), ("code",)),
    (EXT_WARNINGS_ACCEPTED, "Dose warnings accepted", "A physio read the plan's dose warnings "
     "and accepted them: who, when, and the warnings.", ("CarePlan",),
     _from_parts(WARNINGS_ACCEPTED_FIELDS)),
    (EXT_DOSE, "Exercise dose", "The exact dose of one exercise: sets, reps per set and side, "
     "per side, hold, days a week. Standard elements carry the same dose (quantity, timing).",
     ("ServiceRequest", "CarePlan.activity.detail"), _DOSE),
]  # fmt: skip


def _elements(prefix: str, eid: str, url: str, body: Sequence[str] | Sequence[Sub]) -> list[dict]:
    """Differential elements of an extension (or a sub-extension at ``eid``)."""
    out: list[dict] = []
    if body and isinstance(body[0], Sub):
        subs: Sequence[Sub] = body  # type: ignore[assignment]
        out.append({"id": f"{eid}.extension", "path": f"{prefix}.extension",
                    "slicing": {"discriminator": [{"type": "value", "path": "url"}],
                                "rules": "closed"}})  # fmt: skip
        for sub in subs:
            sid = f"{eid}.extension:{sub.url}"
            out.append({"id": sid, "path": f"{prefix}.extension", "sliceName": sub.url,
                        "short": sub.short or sub.url, "min": 0, "max": sub.max})  # fmt: skip
            out += _elements(f"{prefix}.extension", sid, sub.url, sub.parts or sub.types)
        out.append({"id": f"{eid}.url", "path": f"{prefix}.url", "fixedUri": url})
        out.append({"id": f"{eid}.value[x]", "path": f"{prefix}.value[x]", "max": "0"})
        return out
    out.append({"id": f"{eid}.extension", "path": f"{prefix}.extension", "max": "0"})
    out.append({"id": f"{eid}.url", "path": f"{prefix}.url", "fixedUri": url})
    out.append({"id": f"{eid}.value[x]", "path": f"{prefix}.value[x]", "min": 1,
                "type": [{"code": t} for t in body]})  # fmt: skip
    return out


def _header(kind: str, url: str, title: str, text: str) -> dict[str, Any]:
    """What every definition opens with: type, id (the URL's last part), url, names."""
    sid = url.rsplit("/", 1)[-1]
    return {
        "resourceType": kind,
        "id": sid,
        "url": url,
        "version": VERSION,
        "name": "".join(w.capitalize() for w in sid.split("-")),
        "title": title,
        "status": "active",
        "publisher": "backplan developers",
        "description": text,
    }


def _structure_definition(url: str, title: str, text: str, contexts: Sequence[str],
                          body: Sequence[Any]) -> dict:  # fmt: skip
    elements = [{"id": "Extension", "path": "Extension", "short": title, "definition": text}]
    elements += _elements("Extension", "Extension", url, body)
    return {
        **_header("StructureDefinition", url, title, text),
        # no fhirVersion: HL7's R4 JSON schema lists versions up to 4.0.0 only, so 4.0.1
        # would fail it; package.json says 4.0.1
        "kind": "complex-type",
        "abstract": False,
        "context": [{"type": "element", "expression": c} for c in contexts],
        "type": "Extension",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Extension",
        "derivation": "constraint",
        "differential": {"element": elements},
    }


def _code_system(url: str, title: str, text: str, concepts: list[dict], content: str) -> dict:
    return {
        **_header("CodeSystem", url, title, text),
        "caseSensitive": True,
        "content": content,
        "count": len(concepts),
        "concept": concepts,
    }


def definitions() -> list[dict]:
    """Every StructureDefinition and CodeSystem backplan defines (under its own base)."""
    out = [_structure_definition(*row) for row in _EXTENSIONS]
    cat = load_catalogue()
    exercises = [{"code": str(r.id), "display": str(r.name)} for r in cat.itertuples()]
    out.append(_code_system(EXERCISE_SYSTEM, "backplan exercises", "Exercise ids of backplan's "
                            "shipped catalogue (NHS back-pain exercises). A clinic's own catalogue "
                            "adds its own ids to this system.", exercises, "fragment"))  # fmt: skip
    measures = [{"code": m["code"], "display": m["display"]}
                for m in MEASURES.values() if m["system"] == LOG_SYSTEM]  # fmt: skip
    out.append(_code_system(LOG_SYSTEM, "backplan exercise log measures", "What a patient "
                            "logs for one exercise session that no standard code names: sets done, "
                            "reps done per set and side, seconds held.", measures, "complete"))  # fmt: skip
    return out


def _examples(settings: FhirSettings) -> dict[str, dict]:
    from .. import demo
    from .careplan import to_fhir
    from .observations import logs_to_fhir

    cohort = demo.synthetic_cohort(n_patients=1, weeks=3)
    plan = cohort.plans[0]
    rows = cohort.logs.head(6)
    from ..logs import read_logs

    accepted = read_logs(rows, cohort.plans).accepted
    return {
        "Bundle-example-plan.json": to_fhir(plan, as_of=plan.start_date, settings=settings),
        "Bundle-example-diary.json": logs_to_fhir(accepted, cohort.plans, settings=settings),
    }


_STYLE = ("<style>body{font-family:sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}"
          "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2rem .5rem;"
          "text-align:left;vertical-align:top}pre{white-space:pre-wrap;background:#f4f4f4;"
          "padding:.5rem}</style>")  # fmt: skip


def _rows(resource: dict) -> tuple[list[str], list[list[str]]]:
    """A table of what a definition holds: sub-extensions, or codes."""
    if resource["resourceType"] == "CodeSystem":
        return ["code", "display"], [[c["code"], c["display"]] for c in resource["concept"]]
    rows = []
    shorts = {e["id"]: e.get("short", "") for e in resource["differential"]["element"]}
    for e in resource["differential"]["element"]:
        if e["path"].endswith(".value[x]") and "type" in e:
            slice_id = e["id"].removesuffix(".value[x]")
            name = slice_id.removeprefix("Extension").lstrip(".")
            name = name.replace("extension:", "").replace(".", " / ") or "(the value)"
            rows.append([name, " or ".join(t["code"] for t in e["type"]), shorts.get(slice_id, "")])
    return ["part", "type", "holds"], rows


def _page(resource: dict) -> str:
    esc = html.escape
    title = resource.get("title", resource["id"])
    body = json.dumps(resource, indent=2, ensure_ascii=False)
    head, rows = _rows(resource)
    table = "<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr>"
    table += "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title>{_STYLE}</head><body>\n<h1>{esc(title)}</h1>\n"
        f"<p>{esc(resource.get('description', ''))}</p>\n<p>Canonical URL: <code>"
        f"{esc(resource['url'])}</code>. Part of backplan's FHIR package "
        f'(<a href="../index.html">all definitions</a>).</p>\n{table}</table>\n'
        f"<h2>The definition (FHIR R4 JSON)</h2>\n<pre>{esc(body)}</pre>\n</body></html>\n"
    )


def write_package(folder: str | os.PathLike[str], settings: FhirSettings | None = None) -> Path:
    """Write the package and the pages for ``settings.canonical`` into ``folder``.

    Raises
    ------
    FhirError
        When a definition is not valid FHIR (a bug: they are made from backplan's tables).
    """
    settings = settings or FhirSettings()
    base = settings.canonical
    out = Path(folder)
    resources = [rebase(r, [CANONICAL], base) for r in definitions()]
    problems = [
        p for r in resources for p in validate_resource(r, f"{r['resourceType']}/{r['id']}")
    ]
    if problems:
        raise FhirError(problems, "<package>")
    files = []
    for r in resources:
        name = f"{r['resourceType']}-{r['id']}.json"
        write_atomic(out / "package" / name, json.dumps(r, indent=2, ensure_ascii=False) + "\n")
        write_atomic(out / r["resourceType"] / f"{r['id']}.html", _page(r))
        files.append({"filename": name, "resourceType": r["resourceType"], "id": r["id"],
                      "url": r["url"], "version": VERSION,
                      "kind": r.get("kind"), "type": r.get("type")})  # fmt: skip
    for name, example in _examples(settings).items():
        write_atomic(out / "package" / "example" / name,
                     json.dumps(example, indent=2, ensure_ascii=False) + "\n")  # fmt: skip
    index = {"index-version": 1, "files": [{k: v for k, v in f.items() if v} for f in files]}
    write_atomic(out / "package" / ".index.json", json.dumps(index, indent=2) + "\n")
    manifest = {
        "name": "backplan.fhir",
        "version": VERSION,
        "title": "backplan: home exercise plans for back pain",
        "description": "Extensions and code systems backplan writes in CarePlans, "
        "ServiceRequests and Observations, with examples (synthetic data).",
        "canonical": base,
        "url": base,
        "fhirVersions": ["4.0.1"],
        "type": "fhir.ig",
        "license": "MIT",
        "author": "backplan developers",
        "dependencies": {"hl7.fhir.r4.core": "4.0.1"},
    }
    write_atomic(out / "package" / "package.json", json.dumps(manifest, indent=2) + "\n")
    items = "".join(
        f'<li><a href="{r["resourceType"]}/{r["id"]}.html">{html.escape(r["title"])}</a> '
        f"<code>{html.escape(r['url'])}</code></li>\n"
        for r in resources
    )
    write_atomic(out / "index.html", (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>backplan FHIR definitions</title>{_STYLE}</head><body>\n"
        "<h1>backplan FHIR definitions</h1>\n<p>The extensions and code systems backplan "
        f"writes (FHIR R4 4.0.1). Package: <a href=\"package/package.json\">package/</a>; "
        "examples (synthetic data) in <a href=\"package/example/\">package/example/</a>. "
        "Mapping: docs/fhir-mapping.md.</p>\n"
        f"<ul>\n{items}</ul>\n</body></html>\n"
    ))  # fmt: skip
    return out
