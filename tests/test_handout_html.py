"""The HTML handout: one self-contained, escaped file with the same content as the PDF."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import backplan as bp
from backplan.words import CLINIC_TEXT, TEXT

ATTACKS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.fixture(scope="module")
def progressing(catalogue: pd.DataFrame) -> bp.Plan:
    return bp.build_plan(
        catalogue,
        "beginners",
        ["ankle-lifts", "wall-squats", "heel-raises"],
        patient="Siobhán Ní Bhriain",
        clinician="A. Physio",
        start_date=date(2026, 3, 2),
        weeks=4,
        per_exercise={"heel-raises": {"days_per_week": 3, "sessions_per_day": 2}},
        progression=[
            bp.AddDose(what="hold_s", amount=5, every_weeks=1, cap=15),
            bp.next_level(catalogue, 3, exercises=["knee-to-chest"]),
        ],
    )


@pytest.mark.parametrize("attack", ATTACKS)
def test_user_text_is_escaped_everywhere(attack: str, catalogue, tmp_path: Path) -> None:
    plan = bp.build_plan(
        catalogue,
        "beginners",
        ["heel-raises"],
        patient=attack,
        clinician=attack,
        notes=f"first line\n{attack}",
        start_date=date(2026, 1, 5),
        weeks=1,
    )
    html = bp.handout.to_html(plan, tmp_path / "h.html", clinic=attack).read_text()
    assert attack not in html
    assert "<script" not in html and "<img" not in html
    escaped = attack.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace('"', "&#34;")
    assert html.count(escaped) >= 5  # title, clinic, clinician, patient, notes


def test_html_loads_nothing_from_anywhere(progressing: bp.Plan, tmp_path: Path) -> None:
    html = bp.handout.to_html(progressing, tmp_path / "h.html").read_text()
    # a picture for each exercise and the key to the pictures, drawn inline
    assert html.count("<svg xmlns") == 5
    html = html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # a name, not a download
    for banned in ("<script", "<link", "<img", "<iframe", "@import", "url(", "src=", "http"):
        assert banned not in html.lower(), banned
    assert "@media print" in html and "@page" in html


def test_html_has_the_same_content_as_the_pdf(progressing: bp.Plan, tmp_path: Path) -> None:
    html = bp.handout.to_html(progressing, tmp_path / "h.html").read_text()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    for row in bp.handout.handout_table(progressing).itertuples():
        assert row.name in text and row.dose in text
    for line in bp.load_advice()["text"]:
        assert line.replace("&", "&amp;") in text
    for week in range(1, progressing.weeks + 1):
        assert f"Week {week}: " in text
    assert "Week 1: Mon 2 Mar to Sun 8 Mar 2026" in text
    assert TEXT["from_week"].format(week=3) in text
    assert "Mon 2 Mar" in text and "Sun 29 Mar" in text
    assert CLINIC_TEXT["page_title"] in text
    assert "10 times, hold each for 5 seconds" in text  # the dose beside the tick boxes
    # heel raises: 2 boxes on 3 days of each beginners week, rest days on the other 4
    week1 = html.split('id="diary-1"')[1].split('id="diary-2"')[0]
    heel_cells = [row.split("<td>")[3] for row in week1.split("<tr>")[2:]]
    assert [cell.count('class="box"') for cell in heel_cells] == [2, 0, 2, 0, 2, 0, 0]
    assert sum(TEXT["diary_rest"] in cell for cell in heel_cells) == 4


def test_large_print_html_uses_bigger_bold_text(progressing: bp.Plan, tmp_path: Path) -> None:
    normal = bp.handout.to_html(progressing, tmp_path / "n.html").read_text()
    large = bp.handout.to_html(progressing, tmp_path / "l.html", large_print=True).read_text()
    assert "--size: 14pt" in normal and "--box: 6mm" in normal
    assert "--size: 18pt" in large and "--box: 7.5mm" in large and "--small: 16pt" in large
    assert "--weight: 400" in large  # body regular; labels and headings bold
    assert "font-style: italic" not in large and "uppercase" not in large


def test_the_patient_is_asked_once_to_write_the_phone_number(
    progressing: bp.Plan, tmp_path: Path
) -> None:
    """Without clinic details the page has one line to write the physio's number on (as the
    PDF); with a phone, the number shows in the safety box and the pain box."""
    from backplan.words import words_for

    w = words_for("en")
    blank = bp.handout.to_html(progressing, tmp_path / "a.html").read_text()
    assert blank.count(w["call_physio_no_phone"]) == 1
    pdf = bp.handout.to_pdf(progressing, tmp_path / "a.pdf")
    from pypdf import PdfReader

    pdf_text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert pdf_text.count(" ".join(w["call_physio_no_phone"].split())) == 1
    given = bp.handout.to_html(progressing, tmp_path / "b.html", phone="01234 567890").read_text()
    assert given.count(w.text("call_physio", phone="01234 567890")) == 2
