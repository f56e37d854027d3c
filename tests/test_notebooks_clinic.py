"""The clinic's notebooks (adherence, weekly review, outcomes, and any notebook not in the
tour's share) run from a copy outside the repository, every stored output as nbval expects;
and every notebook reads as finished work.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from notebook_copies import NOTEBOOKS, TOUR, run_copies

ARC = sorted(NOTEBOOKS.glob("0*.ipynb"))
#: Text a clinician must never meet in a notebook's outputs: Python reprs, test scaffolding,
#: raw placeholders, machine labels for an input.
UNFINISHED = re.compile(
    r"^(True|False|\(True, True\)|\(\d+, \d+\))$|NaT\b|\bNaN\b|<NA>|datetime\.date\(|"
    r"\{side\}|<DataFrame>|<plan|<fhir>|\.\.\.$|^\[\(?'",
    re.MULTILINE,
)


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _text(cell: dict) -> str:
    out = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        out.append("".join(output.get("text", "")) + "".join(data.get("text/plain", "")))
        out.append("".join(data.get("text/html", "")))
    return "\n".join(out)


@pytest.mark.slow
def test_clinic_notebooks_run_from_a_copy(tmp_path: Path) -> None:
    others = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb") if p.name not in TOUR)
    assert "05-adherence.ipynb" in others
    run_copies(others, tmp_path)


@pytest.mark.parametrize("path", ARC, ids=lambda p: p.stem)
def test_notebook_reads_as_finished_work(path: Path) -> None:
    cells = _cells(path)
    first = "".join(cells[0]["source"])
    last = "".join(cells[-1]["source"])
    assert re.search(r"you will", first, re.IGNORECASE), "the opening says what you will do"
    assert "**Next:**" in last, "the last cell points at the next notebook"
    for i, cell in enumerate(cells):
        source = "".join(cell["source"])
        assert "NBVAL_IGNORE_OUTPUT" not in source, f"cell {i}: use the nbval-ignore-output tag"
        assert "../data" not in source, f"cell {i}: demo data through bp.demo.load_demo()"
        tags = cell.get("metadata", {}).get("tags", [])
        if "check" in tags:  # checks stay folded away and print nothing
            assert cell["metadata"]["jupyter"]["source_hidden"] is True
            assert not cell.get("outputs"), f"cell {i}: a check prints nothing"
            continue
        found = UNFINISHED.search(_text(cell)) if cell["cell_type"] == "code" else None
        assert found is None, f"cell {i} shows {found.group(0)!r}"  # type: ignore[union-attr]
