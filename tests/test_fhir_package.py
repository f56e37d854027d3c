"""docs/fhir: backplan's FHIR implementation guide package, up to date and valid."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import jsonschema

import backplan as bp
from backplan.fhir import FhirSettings, write_package

DOCS = Path(__file__).parent.parent / "docs" / "fhir"
SCHEMA = Path(__file__).parent / "data" / "fhir" / "fhir.schema.json.gz"


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_docs_fhir_is_what_the_package_writer_makes(tmp_path: Path) -> None:
    """Regenerate with ``bp.fhir.write_package("docs/fhir")`` after changing a mapping table."""
    assert _files(write_package(tmp_path)) == _files(DOCS)


def test_every_extension_written_is_defined_and_every_definition_is_valid() -> None:
    with gzip.open(SCHEMA, "rt", encoding="utf-8") as f:
        schema = json.load(f)
    package = DOCS / "package"
    resources = [
        json.loads(p.read_text())
        for p in sorted(package.glob("*.json"))
        if not p.name.startswith((".", "package"))
    ]
    resources += [e["resource"] for p in sorted((package / "example").glob("*.json"))
                  for e in json.loads(p.read_text())["entry"]]  # fmt: skip
    for r in resources:
        one = {"$ref": f"#/definitions/{r['resourceType']}", "definitions": schema["definitions"]}
        assert list(jsonschema.Draft6Validator(one).iter_errors(r)) == [], r.get("id")
        assert bp.fhir.validate_resource(r, r["resourceType"]) == []
    defined = {
        r["url"] for r in resources if r["resourceType"] in ("StructureDefinition", "CodeSystem")
    }
    used: set[str] = set()

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif (
            key in ("url", "system")
            and isinstance(node, str)
            and node.startswith(bp.fhir.CANONICAL)
        ):
            used.add(node)

    for p in sorted((package / "example").glob("*.json")):
        walk(json.loads(p.read_text()))
    identifiers = {u for u in used if "/sid/" in u}
    assert used - identifiers <= defined and used - identifiers


def test_a_clinic_base_writes_its_own_package(tmp_path: Path) -> None:
    base = "https://fhir.clinic.example/backplan"
    write_package(tmp_path, FhirSettings(canonical=base))
    text = (tmp_path / "package" / "StructureDefinition-exercise-dose.json").read_text()
    assert f'"url": "{base}/StructureDefinition/exercise-dose"' in text
    assert "backplan.github.io" not in "".join(p.read_text() for p in tmp_path.rglob("*.json"))
    page = (tmp_path / "StructureDefinition" / "exercise-dose.html").read_text()
    assert "<h1>Exercise dose</h1>" in page
