"""The HTML handout's print view, printed by a real Chromium: blocks and the safety box are
never split, a diary week stays on one page, pictures are drawn."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

import backplan as bp
from backplan.handout.content import handout_content
from backplan.handout.text import TEXT, day_label, diary_heading

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
]


def _words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())  # Chromium prints "fl" ligatures


@pytest.mark.parametrize("large", [False, True], ids=["clear", "large"])
def test_print_view_keeps_blocks_whole(large: bool, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed")
    cat = bp.load_catalogue()
    plan = bp.build_plan(
        cat,
        "beginners",
        ["ankle-lifts", "wall-squats", "heel-raises", "straight-leg-raises"],
        patient="Synthetic patient E",
        clinician="Synthetic physio",
        start_date=date(2026, 3, 2),
        weeks=2,
        sessions_per_day=3,
        progression=[bp.AddDose(what="reps", amount=1, cap=20)],
    )
    html = bp.handout.to_html(plan, tmp_path / "h.html", large_print=large)
    pdf = tmp_path / "h.pdf"
    subprocess.run(
        [CHROMIUM, *FLAGS, f"--print-to-pdf={pdf}", html.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pages = [_words(p.extract_text()) for p in PdfReader(pdf).pages]
    assert len(pages) >= 4
    advice = bp.load_advice()
    for line in advice.loc[advice.section.isin(["stop", "emergency", "urgent"]), "text"]:
        assert _words(line) in pages[0], line  # the safety box, whole, on page 1
    h = handout_content(plan)
    for b in h.blocks:
        (page,) = [p for p in pages if f"{b.number}. {b.name}" in p]
        for part in (*b.steps, b.dose, *b.later):
            assert _words(part) in page, part
    for week in h.diary:
        (page,) = [p for p in pages if diary_heading(week) in p]
        for day in week.days:
            assert day_label(day, year=False) in page
    assert TEXT["credits_title"] in " ".join(pages)
