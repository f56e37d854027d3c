"""The HTML handout's print view, printed by a real Chromium: blocks and the safety box are
never split, a diary week stays on one page, pictures are drawn."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from rendered import print_html, printed_words

import backplan as bp
from backplan.handout.content import handout_content
from backplan.words import TEXT, day_label, diary_heading


@pytest.mark.parametrize("large", [False, True], ids=["clear", "large"])
def test_print_view_keeps_blocks_whole(large: bool, tmp_path: Path) -> None:
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
    pdf = print_html(html, tmp_path / "h.pdf")
    pages = [printed_words(p.extract_text()) for p in PdfReader(pdf).pages]
    assert len(pages) >= 4
    advice = bp.load_advice()
    for line in advice.loc[advice.section.isin(["stop", "emergency", "urgent"]), "text"]:
        assert printed_words(line) in pages[0], line  # the safety box, whole, on page 1
    h = handout_content(plan)
    for b in h.blocks:
        (page,) = [p for p in pages if f"{b.number}. {b.name}" in p]
        for part in (*b.steps, b.dose, *b.later):
            assert printed_words(part) in page, part
    for week in h.diary:
        (page,) = [p for p in pages if diary_heading(week) in p]
        for day in week.days:
            assert day_label(day, year=False) in page
    assert TEXT["credits_title"] in " ".join(pages)


@pytest.mark.parametrize(("size", "sessions"), [("A4", 6), ("letter", 3)])
def test_large_print_diary_weeks_never_split_over_days(
    size: str, sessions: int, tmp_path: Path
) -> None:
    """Six exercises in large print at 6 a day (A4) or 3 a day (Letter): each page of the
    printed diary holds a whole Monday to Sunday for the exercises on it; a week whose
    boxes cannot fit one page is printed in parts, every exercise in exactly one part."""
    plan = bp.build_plan(
        bp.load_catalogue(), "beginners", start_date=date(2026, 3, 9), weeks=2,
        sessions_per_day=sessions, patient="Synthetic patient F",
    )  # fmt: skip
    html = bp.handout.to_html(plan, tmp_path / "h.html", large_print=True, page_size=size)
    pdf = print_html(html, tmp_path / "h.pdf")
    pages = [printed_words(p.extract_text()) for p in PdfReader(pdf).pages]
    for week in handout_content(plan).diary:
        on = [p for p in pages if diary_heading(week) in p]
        assert on, week.week
        for page in on:
            rows = page.replace(diary_heading(week), "")
            for day in week.days:
                assert rows.count(day_label(day, year=False)) == 1, (week.week, day)
        for _, name in week.exercises:
            short = name.split(" (")[0]
            assert sum(short in p for p in on) == 1, name
