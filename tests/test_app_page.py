"""The app notebook and the page script agree (no browser needed)."""

from __future__ import annotations

import json
from pathlib import Path

from backplan.ui.page import BEFORE_UNLOAD_STUB, PAGE_JS, SECTIONS, page_script

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "app-plan-builder.ipynb"


def test_the_notebook_registers_the_first_beforeunload_listener_and_shows_the_script() -> None:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    first, code = "".join(cells[0]["source"]), "".join(cells[1]["source"])
    assert cells[0]["cell_type"] == "markdown" and BEFORE_UNLOAD_STUB in first
    assert "__backplanBeforeUnload" in PAGE_JS  # the name the stub calls
    # the script is shown before the kernel waits for a physio (so preheated pages have it)
    assert code.index("display(page_script())") < code.index("wait_for_request()")


def test_every_section_named_for_screen_readers_is_made_by_the_builder(tmp_path) -> None:
    from backplan.ui import PlanBuilder

    builder = PlanBuilder(library=tmp_path, settings_path=tmp_path / "c.json")
    classes: set[str] = set()
    todo = [builder.widget]
    while todo:
        widget = todo.pop()
        classes.update(getattr(widget, "_dom_classes", ()))
        todo.extend(getattr(widget, "children", ()))
    assert set(SECTIONS) <= classes
    assert "<script>" in page_script().data
