"""A handout reprinted after a revision: it says what changed near the top of page 1 (PDF
read back with pypdf, HTML parsed and printed by Chromium), the safety box stays whole on
page 1, and every dose line and diary column follows ``dose_in_week``."""

from __future__ import annotations

from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader
from rendered import print_html, printed_words

import backplan as bp
from backplan.handout.content import handout_content
from backplan.words import TEXT, date_words, diary_heading, dose_short, dose_words


@pytest.fixture(scope="module")
def revised(catalogue) -> bp.Plan:
    plan = bp.build_plan(
        catalogue,
        "beginners",
        ["ankle-lifts", "heel-slides", "abdominal-contraction", "heel-raises"],
        patient="Synthetic patient R",
        clinician="Synthetic physio",
        start_date=date(2026, 3, 2),
        weeks=6,
        progression=[bp.AddDose(what="reps", amount=1, cap=20)],
    )
    return bp.revise(
        plan,
        3,
        {"heel-slides": {"reps": 8}, "wall-squats": {"reps": 6}},
        stop=["heel-raises"],
        why="Pain went up 3 points in week 2.",
        by="Synthetic physio",
        when=datetime(2026, 3, 15, 9, 0),
    )


def _safety_lines() -> list[str]:
    advice = bp.load_advice()
    return list(advice.loc[advice.section.isin(["stop", "emergency", "urgent"]), "text"])


@pytest.mark.parametrize("large", [False, True], ids=["clear", "large"])
@pytest.mark.parametrize("size", ["A4", "letter"])
def test_pdf_says_what_changed_and_keeps_safety_on_page_one(
    revised: bp.Plan, large: bool, size: str, tmp_path: Path
) -> None:
    path = bp.handout.to_pdf(revised, tmp_path / "h.pdf", large_print=large, page_size=size)
    pages = [printed_words(p.extract_text()) for p in PdfReader(path).pages]
    for line in _safety_lines():
        assert printed_words(line) in pages[0], line
    changes = bp.what_changed(revised)
    assert len(changes) >= 3  # heel slides revised, wall squats new, heel raises stopped
    # the box is whole on one page: page 1, or (large print, no room) the top of page 2
    (where,) = [i for i, p in enumerate(pages) if TEXT["changed_title"] in p]
    assert where == 0 if not large else where in (0, 1)
    intro = TEXT["changed_intro"].format(date=date_words(date(2026, 3, 15)))
    for sentence in (intro, *changes):
        assert printed_words(sentence) in pages[where], sentence
    # heel raises, stopped by the revision, says when to stop beside its steps
    assert printed_words(TEXT["stop_week"].format(week=2)) in " ".join(pages)
    if not large:  # room for both: what changed comes before the safety box
        first = pages[0]
        assert first.index(TEXT["changed_title"]) < first.index(TEXT["safety_title"])


def test_a_one_line_change_fits_above_the_safety_box_in_large_print(
    catalogue, tmp_path: Path
) -> None:
    plan = bp.build_plan(
        catalogue, "beginners", ["ankle-lifts", "heel-slides"], start_date="2026-03-02", weeks=6
    )
    one = bp.revise(plan, 4, {"heel-slides": {"reps": 9}}, why="Better.", by="Physio")
    (sentence,) = bp.what_changed(one)
    path = bp.handout.to_pdf(one, tmp_path / "h.pdf", large_print=True)
    first = printed_words(PdfReader(path).pages[0].extract_text())
    for line in _safety_lines():
        assert printed_words(line) in first, line
    assert printed_words(sentence) in first
    assert first.index(TEXT["changed_title"]) < first.index(TEXT["safety_title"])


def test_dose_lines_and_diary_follow_dose_in_week(revised: bp.Plan) -> None:
    h = handout_content(revised)
    cat = bp.load_catalogue().set_index("id")
    for week in h.diary:
        doses = bp.dose_in_week(revised, week.week)
        assert [ex for ex, _ in week.exercises] == [p.exercise for p in doses]
        assert list(week.doses) == [dose_short(p, cat.loc[p.exercise, "side"]) for p in doses]
        assert [max(row) for row in week.boxes] == [p.sessions_per_day for p in doses]
    blocks = {b.exercise: b for b in h.blocks}
    slides = bp.dose_in_week(revised, 3)[1]
    assert slides.exercise == "heel-slides" and slides.reps == 8
    assert TEXT["later_dose"].format(week=3, dose=dose_words(slides, "leg")) in (
        blocks["heel-slides"].later
    )
    assert blocks["heel-raises"].stop_week == 2  # stopped by the revision after week 2
    assert blocks["wall-squats"].from_week == 3  # added by it, from week 3
    assert "wall-squats" not in [p.exercise for p in bp.dose_in_week(revised, 2)]


def test_a_held_level_up_starts_the_new_exercises_when_it_really_happens(catalogue) -> None:
    plan = bp.build_plan(
        catalogue,
        "beginners",
        ["ankle-lifts", "heel-slides"],
        start_date="2026-01-05",
        weeks=6,
        progression=[bp.next_level(catalogue, 3)],
    )
    held = bp.revise(plan, 3, {}, why="Not ready.", by="Physio", hold_level=True)
    moved = bp.revise(held, 5, {}, why="Ready now.", by="Physio")
    h = handout_content(moved)
    assert bp.level_in_week(moved, 4) == "beginners" and bp.level_in_week(moved, 5) != "beginners"
    assert h.next_week == 5
    assert {b.from_week for b in h.next_blocks} == {5}
    assert {b.until_week for b in h.blocks} == {4}


def test_a_plan_never_revised_has_no_change_box(beginner_plan: bp.Plan, tmp_path: Path) -> None:
    assert handout_content(beginner_plan).changes == ()
    pdf = bp.handout.to_pdf(beginner_plan, tmp_path / "h.pdf")
    html = bp.handout.to_html(beginner_plan, tmp_path / "h.html").read_text()
    assert TEXT["changed_title"] not in PdfReader(pdf).pages[0].extract_text()
    assert TEXT["changed_title"] not in html


class _Sections(HTMLParser):
    """The text of each <section>, by class, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[str] = []
        self.text: dict[str, str] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self._open = dict(attrs).get("class") or dict(attrs).get("aria-labelledby") or ""
            self.order.append(self._open)
            self.text[self._open] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.text[self._open] += data


def test_html_says_what_changed_right_after_the_safety_box(
    revised: bp.Plan, tmp_path: Path
) -> None:
    html = bp.handout.to_html(revised, tmp_path / "h.html").read_text()
    parsed = _Sections()
    parsed.feed(html)
    assert parsed.order[:3] == ["safety", "changed", "about"]
    box = printed_words(parsed.text["changed"])
    for sentence in bp.what_changed(revised):
        assert printed_words(sentence) in box
    assert "Pain went up" not in html  # the clinic's reason is for the clinic's records
    assert TEXT["stop_week"].format(week=2) in html


def test_html_change_text_is_escaped(catalogue, tmp_path: Path) -> None:
    named = catalogue.copy()
    named.loc[named.id == "heel-slides", "name"] = "<script>alert(1)</script>"
    plan = bp.build_plan(named, "beginners", ["heel-slides"], start_date="2026-01-05", weeks=3)
    plan = bp.revise(plan, 2, {"heel-slides": {"reps": 6}}, why="x", by="y", catalogue=named)
    html = bp.handout.to_html(plan, tmp_path / "h.html", catalogue=named).read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("large", [False, True], ids=["clear", "large"])
def test_html_print_view_keeps_safety_whole_on_page_one(
    revised: bp.Plan, large: bool, tmp_path: Path
) -> None:
    html = bp.handout.to_html(revised, tmp_path / "h.html", large_print=large)
    pdf = print_html(html, tmp_path / "h.pdf")
    pages = [printed_words(p.extract_text()) for p in PdfReader(pdf).pages]
    for line in _safety_lines():
        assert printed_words(line) in pages[0], line
    (where,) = [i for i, p in enumerate(pages) if TEXT["changed_title"] in p]
    for sentence in bp.what_changed(revised):  # the box is whole on one page
        assert printed_words(sentence) in pages[where], sentence
    for week in handout_content(revised).diary:
        assert sum(diary_heading(week) in p for p in pages) == 1


def test_what_changed_words_a_dose_exactly_as_the_handout_does(catalogue) -> None:
    """One wording of a dose for the patient: the change note and the dose line agree."""
    plan = bp.build_plan(catalogue, "beginners", ["heel-slides"], start_date="2026-03-02", weeks=4)
    revised = bp.revise(
        plan, 2, {"heel-slides": {"sets": 2, "reps": 6, "hold_s": 3}}, why="ok", by="A. Physio"
    )
    new = bp.dose_in_week(revised, 2)[0]
    said = bp.what_changed(revised, catalogue=catalogue)[0]
    assert f"do Heel slides {dose_words(new, 'leg')}." in said
    assert "Before, it was 10 times." in said
    block = handout_content(revised, catalogue).blocks[0]
    assert dose_words(new, "leg") in " ".join(block.later)
