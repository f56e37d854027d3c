"""Handouts in the patient's language: bilingual blocks with the same numbers as the English,
right-to-left pages for Arabic and Urdu, the page rules kept in large print, names read
back from the PDF, and no word that skips the message catalogue."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from fuzz_inputs import fuzz
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

import backplan as bp
from backplan.handout.content import Handout, handout_content
from backplan.handout.html import render_html
from backplan.handout.pdf import render_pdf
from backplan.locales import language_codes
from backplan.settings import ClinicSettings
from backplan.words import words_for

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext is missing: install poppler-utils"
)
SETTINGS = ClinicSettings(clinic="Riverside Physio", phone="01234 567890", physio="A. Physio")
_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NUMBER = re.compile(r"\d+")


def read_back(pdf: Path, first: int = 1, last: int | None = None, raw: bool = True) -> str:
    """``pdftotext -raw`` (in the order drawn, so columns do not mix; ``raw=False``: in
    reading order, for right-to-left text) of pages ``first`` to ``last``: NFKC-folded,
    bidi marks removed, words single-spaced."""
    args = ["pdftotext", *(["-raw"] if raw else []), "-f", str(first)]
    args += ["-l", str(last)] if last else []
    out = subprocess.run([*args, str(pdf), "-"], capture_output=True, check=True).stdout
    return " ".join(_MARKS.sub("", unicodedata.normalize("NFKC", out.decode())).split())


def numbers(text: str) -> Counter:
    return Counter(_NUMBER.findall(unicodedata.normalize("NFKC", text)))


def plan_in(catalogue: pd.DataFrame, language: str, **kw) -> bp.Plan:
    return bp.build_plan(
        catalogue, "beginners", ["heel-slides", "abdominal-contraction", "wall-squats"],
        patient=kw.pop("patient", "Łukasz Żółć (synthetic)"), clinician="A. Physio",
        start_date=date(2026, 3, 9), weeks=kw.pop("weeks", 3), language=language,
        progression=[bp.AddDose(what="reps", amount=2, every_weeks=1, cap=20)], **kw,
    )  # fmt: skip


@pytest.fixture(scope="module")
def polish(catalogue: pd.DataFrame, tmp_path_factory) -> tuple[bp.Plan, Path, Path]:
    folder = tmp_path_factory.mktemp("pl")
    plan = plan_in(catalogue, "pl")
    pdf = bp.handout.to_pdf(plan, folder / "pl.pdf", settings=SETTINGS)
    html = bp.handout.to_html(plan, folder / "pl.html", settings=SETTINGS)
    return plan, pdf, html


def test_a_polish_handout_gives_every_block_in_polish_then_english(polish) -> None:
    plan, pdf, _ = polish
    text = read_back(pdf)
    h = handout_content(plan, settings=SETTINGS)
    assert h.language == "pl" and h.english is not None and h.english.language == "en"
    for hh in (h, h.english):
        w = hh.words
        for label in ("title", "safety_title", "pain_title", "intro", "diary_how"):
            assert " ".join(w[label].split()) in text, (hh.language, label)
        for b in hh.blocks:
            for part in (b.name, *b.steps, b.dose, *b.later):
                assert " ".join(part.split()) in text, (hh.language, part)
        for s in (*hh.safety, *hh.advice):
            for item in s.items:
                assert " ".join(item.split()) in text, (hh.language, item)
    # the patient's language comes first, English after it, block by block
    for pl_block, en_block in zip(h.blocks, h.english.blocks, strict=True):
        assert text.index(pl_block.steps[0]) < text.index(en_block.steps[0])
    assert text.index(h.words["safety_title"]) < text.index(h.english.words["safety_title"])


def test_large_print_in_the_longest_languages_keeps_the_page_rules(
    catalogue: pd.DataFrame, tmp_path: Path
) -> None:
    """Welsh and Polish (the longest words): the safety box in the patient's language whole
    on page 1, every exercise's steps and dose on one page with its heading (its later weeks
    too, or all of them on the next page), nothing under 16 pt but the clinic's page."""
    for code in ("cy", "pl"):
        plan = plan_in(catalogue, code, sessions_per_day=3)
        pdf = bp.handout.to_pdf(plan, tmp_path / f"{code}.pdf", large_print=True,
                                settings=SETTINGS)  # fmt: skip
        h = handout_content(plan, settings=SETTINGS)
        reader = PdfReader(pdf)
        pages = [read_back(pdf, i, i) for i in range(1, len(reader.pages) + 1)]
        for s in h.safety:
            for line in (s.heading, *s.items):
                assert " ".join(line.split()) in pages[0], (code, line)
        for b in h.blocks:
            heading = f"{b.number}. {b.name}"
            (where,) = [i for i, p in enumerate(pages) if heading in p]
            for part in (*b.steps, b.dose):
                assert " ".join(part.split()) in pages[where], (code, heading, part)
            # later weeks: on the same page, or all of them whole on the next (a block too
            # tall for one page turns between its parts, never inside a sentence)
            later = [" ".join(part.split()) for part in b.later]
            assert all(x in pages[where] for x in later) or all(
                x in pages[where + 1] for x in later
            ), (code, heading)
        sizes: list[tuple[float, int, str]] = []
        for number, page in enumerate(reader.pages[:-1], start=1):  # the last: the clinic's

            def visit(text, cm, tm, font, size, number=number, sizes=sizes):
                if text.strip():
                    scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
                    sizes.append((round(size * scale, 2), number, text.strip()[:30]))

            page.extract_text(visitor_text=visit)
        small = [s for s in sizes if s[0] < 16.0 - 0.01]
        assert sizes and small == [], (code, small[:5])


@pytest.mark.parametrize(
    ("code", "name"), [("ar", "محمد عبد الله"), ("ur", "عائشہ پروین")]
)  # fmt: skip
def test_right_to_left_handouts_read_back_names_and_mirror_the_page(
    catalogue: pd.DataFrame, tmp_path: Path, code: str, name: str
) -> None:
    plan = plan_in(catalogue, code, patient=name, weeks=1)
    pdf = bp.handout.to_pdf(plan, tmp_path / f"{code}.pdf", settings=SETTINGS)
    text = read_back(pdf, raw=False)
    assert name in text  # joined, in reading order, read back as typed (NFKC)
    w = words_for(code)
    assert w["safety_title"] in text and "01234 567890" in text
    first = PdfReader(pdf).pages[0]
    width = float(first.mediabox.width)
    xs = {}

    def visit(t, cm, tm, font, size):
        x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
        if t.strip():
            xs.setdefault("all", []).append(x)

    first.extract_text(visitor_text=visit)
    html = bp.handout.to_html(plan, tmp_path / f"{code}.html", settings=SETTINGS).read_text()
    assert f'<html lang="{code}" dir="rtl">' in html
    assert re.search(r'<div class="english" dir="ltr">', html)  # English blocks read left to right
    assert '<td dir="ltr">01234 567890</td>' in html
    # the page's text starts on the right: most lines of page 1 begin past the middle
    assert sum(x > width / 2 for x in xs["all"]) > len(xs["all"]) / 3


def _doses(h: Handout) -> list[str]:
    """Every text of a handout that carries the plan's numbers, in a fixed order."""
    out = []
    for b in (*h.blocks, *h.next_blocks):
        out += [b.dose, *b.later, *b.steps, b.easier, b.position]
    for week in h.diary:
        out += [*week.doses, str(week.boxes)]
    return out


@given(
    reps=st.integers(1, 50), sets=st.integers(1, 10), hold=st.integers(0, 120),
    sessions=st.integers(1, 6), days=st.integers(1, 7), weeks=st.integers(1, 4),
    code=st.sampled_from(language_codes()[1:]), add=st.integers(0, 3),
)  # fmt: skip
@fuzz(40)
def test_the_numbers_a_patient_reads_are_the_same_in_every_language(
    reps: int, sets: int, hold: int, sessions: int, days: int, weeks: int, code: str, add: int
) -> None:
    """Property: for any dose, every dose line, later week, step and diary cell gives the
    same numbers in the patient's language as in English."""
    cat = bp.load_catalogue()
    rules = [bp.AddDose(what="reps", amount=add, every_weeks=1, cap=50)] if add else []
    plan = bp.build_plan(
        cat, "beginners", ["heel-slides", "abdominal-contraction", "wall-squats"],
        start_date=date(2026, 3, 9), weeks=weeks, reps=reps, sets=sets, sessions_per_day=sessions,
        days_per_week=days, per_exercise={"wall-squats": {"hold_s": hold}}, progression=rules,
        language=code,
    )  # fmt: skip
    h = handout_content(plan, settings=SETTINGS)
    mine, english = _doses(h), _doses(h.english)
    assert len(mine) == len(english)
    for said, en in zip(mine, english, strict=True):
        assert numbers(said) == numbers(en), (code, said, en)
    assert h.english.diary == tuple(
        dataclasses.replace(w, exercises=e.exercises, doses=e.doses)
        for w, e in zip(h.diary, h.english.diary, strict=True)
    )  # same days, same boxes


class _Visible(HTMLParser):
    """The words a reader sees or hears in an HTML page (text, aria-label, title, alt),
    without the style sheet and the clinic's page."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag == "style" or (tag == "section" and "clinic-page" in (a.get("class") or "")):
            self.skip += 1
        for key in ("aria-label", "title", "alt"):
            if a.get(key) and not self.skip:
                self.words.append(a[key])

    def handle_endtag(self, tag) -> None:
        if self.skip and tag in ("style", "section"):
            self.skip -= 1

    def handle_data(self, data) -> None:
        if not self.skip:
            self.words.append(data)


def test_no_renderer_holds_a_patient_word_of_its_own(catalogue: pd.DataFrame, tmp_path: Path):
    """Printed in a pseudo-language (every catalogue text accented, ``Stay safe`` ->
    ``Šŧȧẏ šȧƒḗ``), no plain English word may appear: a word that does is a literal in a
    renderer, not a message of the catalogue. The clinic's page (staff, in English), the
    name of the source web page and the exercise codes are not patient words."""
    own = catalogue.copy()
    own["source"] = "Šǿŭřƈḗ"
    plan = bp.build_plan(
        own, "beginners", ["heel-slides", "wall-squats"], patient="Ŧḗşŧ", clinician="Ƥħẏşīǿ",
        start_date=date(2026, 3, 9), weeks=4, sessions_per_day=2,
        progression=[bp.AddDose(what="reps", amount=2, every_weeks=2, cap=20),
                     bp.next_level(own, 3)],
    )  # fmt: skip
    plan = bp.revise(plan, 2, {"heel-slides": {"reps": 8}}, why="x", by="y", catalogue=own)
    pseudo = ClinicSettings(clinic="Ƈŀīƞīƈ", phone="01234 567890", physio="Ƥħẏşīǿ")
    h = dataclasses.replace(
        handout_content(plan, own, settings=pseudo, language=words_for("en-XA")), english=None
    )
    ascii_word = re.compile(r"(?<![\w-])[A-Za-z]{2,}(?![\w-])")
    pdf = render_pdf(h, tmp_path / "pseudo.pdf")
    pages = len(PdfReader(pdf).pages)
    found = set(ascii_word.findall(read_back(pdf, 1, pages - 1)))
    parser = _Visible()
    parser.feed(render_html(h))
    found |= set(ascii_word.findall(" ".join(parser.words)))
    assert found == set(), f"English words outside the catalogue: {sorted(found)}"


@pytest.mark.parametrize("large", [False, True], ids=["clear", "large"])
def test_the_safety_box_stays_whole_on_page_one_in_every_language(
    catalogue: pd.DataFrame, large: bool
) -> None:
    """Every language, A4 and Letter: page 1 holds the title and the whole safety box in
    the patient's language (worked out as the PDF lays it out; the rendered check is the
    Welsh and Polish large-print test above)."""
    from backplan.handout.pdf import MARGIN_TOP, MARGIN_X, _contact_lines, _page_size
    from backplan.handout.pdf_canvas import FOOTER_Y
    from backplan.handout.pdf_page_one import page_one_fits
    from backplan.handout.pdf_style import MM, look

    for code in language_codes():
        plan = plan_in(catalogue, code, weeks=1)
        h = handout_content(plan, settings=SETTINGS)
        lk = look(large, h.words.direction == "rtl")
        for size in ("A4", "letter"):
            page_w, page_h = _page_size(size)
            width = page_w - 2 * MARGIN_X
            lines = len(_contact_lines(h, lk.footer_size, width)) + 1
            height = page_h - MARGIN_TOP - (FOOTER_Y + lines * lk.footer_size * 1.25 + 4 * MM)
            assert page_one_fits(h, lk, width, height), (code, size)
