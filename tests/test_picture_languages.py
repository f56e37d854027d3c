"""Words on the pictures in the patient's language: captions, labels, badges and the
picture's description come from the message catalogue, Arabic and Urdu shaped and right to
left, and a picture laid out in one language is never reused for another."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

import backplan as bp
from backplan.pictures import badge_words, exercise_picture, picture_svg
from backplan.pictures.data import poses
from backplan.pictures.scene import Clip, Text, text_width
from backplan.words import words_for


def _texts(items) -> list[str]:
    out: list[str] = []
    for item in items:
        if isinstance(item, Clip):
            out += _texts(item.items)
        elif isinstance(item, Text):
            out.append(item.text)
    return out


def _english_words(exercise: str) -> set[str]:
    entry = poses()["exercises"][exercise]
    out = set()
    for e in (entry, entry.get("easier", {})):
        for panel in e.get("panels", []):
            out.add(panel.get("caption", ""))
            for mark in (*panel.get("marks", ()), *panel.get("angles", ())):
                out.add(mark.get("text") or mark.get("label") or "")
    return out - {""}


@pytest.mark.parametrize("code", ["pl", "cy", "ar", "bn"])
def test_every_word_on_a_picture_is_in_the_handouts_language(code: str) -> None:
    w = words_for(code)
    for exercise in ("wall-squats", "heel-raises", "ankle-lifts"):
        said = badge_words(10, 5, "leg", code)
        pic = exercise_picture(exercise, large_print=True, language=code, numbers=said)
        texts = _texts(pic.items)
        english = _english_words(exercise)
        translated = {w.data(f"picture:{exercise}", e) for e in english}
        assert None not in translated  # every caption and label has a translation
        assert not english & set(texts), (code, exercise, english & set(texts))
        words = [t for t in texts if not t.isdigit()]
        assert set(words) <= translated | {said["reps"], said["hold"]}, (code, words)
        entry_alt = poses()["exercises"][exercise]["alt"]
        assert w.data(f"picture:{exercise}", entry_alt) in pic.alt
        assert pic.alt.endswith(said["said"])
        assert (said["hold"] in texts) == (exercise == "wall-squats")  # where the dose holds
    assert badge_words(10, 5, "", code)["hold"] == w.plural("picture_hold", 5)


def test_the_picture_cache_keys_on_the_language() -> None:
    """The same exercise at the same size, asked for in English then Polish then English
    again, gives each language its own words (a shared cache would give the first)."""
    kw = dict(large_print=True, width_mm=170.0)
    en = exercise_picture("heel-slides", **kw)
    pl = exercise_picture("heel-slides", language="pl", **kw)
    again = exercise_picture("heel-slides", **kw)
    assert "Start" in _texts(en.items) and "Start" not in _texts(pl.items)
    assert "Początek" in _texts(pl.items) and _texts(again.items) == _texts(en.items)
    assert pl.alt.startswith("Dwa rysunki.") and en.alt.startswith("Two drawings.")


def test_right_to_left_words_on_pictures_read_right_to_left_in_svg() -> None:
    pic = exercise_picture("prone-leg-raises", large_print=True, language="ar",
                           numbers=badge_words(10, 5, "", "ar"))  # fmt: skip
    svg = ET.fromstring(picture_svg(pic))
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t for t in svg.iter(f"{ns}text") if not t.text.isdigit()]
    assert texts and all(t.get("direction") == "rtl" for t in texts)
    # placed by their middle, so a page read right to left cannot move them
    assert all(t.get("text-anchor") == "middle" for t in svg.iter(f"{ns}text"))
    assert svg.get("direction") == "ltr" and "الوجه لأسفل" in [t.text for t in texts]
    # set to the width the PDF measured, so a browser's own Arabic face (often wider)
    # cannot push the words out of their box or over the drawing
    for t in svg.iter(f"{ns}text"):
        assert t.get("lengthAdjust") == "spacingAndGlyphs"
        size = float(t.get("font-size")) / (25.4 / 72)
        assert float(t.get("textLength")) == pytest.approx(text_width(t.text, size), rel=0.005)


def _word_spans(pic) -> list[tuple[float, float, float, str]]:
    """Each word run drawn outside the drawings (captions, step numbers, badges): its
    baseline and its left and right ends (mm)."""
    out = []
    for t in pic.items:
        if isinstance(t, Text):
            w = text_width(t.text, t.size)
            left = t.x - {"start": 0.0, "middle": w / 2, "end": w}[t.anchor]
            out.append((round(t.y, 1), left, left + w, t.text))
    return out


@pytest.mark.parametrize("exercise", ["back-leg-swing", "ankle-lifts", "heel-raises"])
def test_an_arabic_picture_reads_from_the_right_like_its_page(exercise: str) -> None:
    """Arabic pages read from the right, so the steps do too: step 1's drawing on the
    right of step 2's (each drawing as in English), and the dose badges after the last
    step's words, on their left, clear of every caption."""
    ar = exercise_picture(exercise, language="ar", numbers=badge_words(10, 5, "", "ar"))
    en = exercise_picture(exercise, language="en", numbers=badge_words(10, 5, "", "en"))
    assert ar is not None and en is not None
    for pic, reads_from_right in ((ar, True), (en, False)):
        pairs = [(a, b) for i, a in enumerate(pic.panels) for b in pic.panels[i + 1 :]
                 if a.y < b.y + b.height and b.y < a.y + a.height]  # side by side  # fmt: skip
        assert pairs, exercise
        for a, b in pairs:  # a comes before b
            assert (a.x > b.x) is reads_from_right, (exercise, a.caption, b.caption)
    spans = _word_spans(ar)
    for i, (y, a0, a1, text) in enumerate(spans):
        for z, b0, b1, other in spans[i + 1 :]:
            if y == z and not (text.isdigit() or other.isdigit()):
                assert a1 <= b0 or b1 <= a0, (exercise, text, other)
    assert ar.width <= 184.0


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is missing")
def test_an_arabic_handouts_pictures_are_shaped_and_described_in_arabic(tmp_path: Path) -> None:
    """The picture's description reads back in Arabic (pdftotext reads the marked
    content), in place of the words drawn on it, which are shaped: joining forms, not the
    letters' isolated forms."""
    from pypdf import PdfReader

    plan = bp.build_plan(bp.load_catalogue(), "more advanced", ["prone-leg-raises"],
                         start_date=date(2026, 1, 5), weeks=1, language="ar")  # fmt: skip
    pdf = bp.handout.to_pdf(plan, tmp_path / "ar.pdf", large_print=True)
    ((_, _, pic),) = bp.handout.handout_pictures(plan, large_print=True)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip

    def norm(s: str) -> str:
        s = unicodedata.normalize("NFKC", s)
        # no spaces: pdftotext moves the space beside a number in a right-to-left line
        return "".join("".join(c for c in s if unicodedata.category(c) != "Cf").split())

    assert pic.alt.startswith("رسمان.") and norm(pic.alt) in norm(text)
    assert "ارفع الساق" not in text.replace("ارفع الساق المستقيمة", "")  # not read twice
    drawn = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Lift the leg" not in drawn and "face down" not in drawn
    # shaped: the caption's letters are drawn in their joined (medial, final) forms
    assert {"\ufef3", "\ufe8e"} & set(drawn) or any("\ue000" <= c <= "\uf8ff" for c in drawn)


def test_the_key_to_the_pictures_is_printed_once_in_the_handouts_language(tmp_path: Path):
    """ "Dark = the part that moves, dashed = where you start": once, above the first
    exercise, in the PDF and the HTML, in the patient's language."""
    plan = bp.build_plan(bp.load_catalogue(), "beginners", start_date=date(2026, 1, 5),
                         weeks=1, language="pl")  # fmt: skip
    w = words_for("pl")
    html = bp.handout.to_html(plan, tmp_path / "pl.html").read_text()
    assert html.count('class="picture picture-key"') == 1
    # once: the key's words, and its accessible name and title
    assert html.count(w["picture_key_dark"]) == 3 and w["picture_key_dashed"] in html
    assert html.index(w["picture_key_dark"]) < html.index("<h3")  # above the first exercise
    pdf = bp.handout.to_pdf(plan, tmp_path / "pl.pdf")
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())  # fmt: skip
    assert text.count(w["picture_key_dark"]) == 1
    from backplan.handout.content import handout_content

    first = handout_content(plan).blocks[0]
    assert text.index(w["picture_key_dark"]) < text.index(f"{first.number}. {first.name}")


def test_an_easier_way_looks_different_from_its_exercise() -> None:
    """Blind test round 2 found an exercise and its easier way drawn alike: where the
    easier way differs, its picture differs visibly (another body position or prop) and
    says how in words."""
    from backplan.pictures.body import figure
    from backplan.pictures.data import exercise_entry, merged_pose

    for exercise, entry in poses()["exercises"].items():
        if "easier" not in entry:
            continue
        main, easier = exercise_entry(exercise), exercise_entry(exercise, "easier")
        a = figure(merged_pose(main, main["panels"][0]["pose"]))
        b = figure(merged_pose(easier, easier["panels"][0]["pose"]))
        apart = max(
            ((pa[0] - pb[0]) ** 2 + (pa[1] - pb[1]) ** 2) ** 0.5
            for name, pa in a.points.items()
            for pb in [b.points[name]]
        )
        assert apart > 20 or main.get("props") != easier.get("props"), exercise
        labels = {m.get("text") for p in easier["panels"] for m in p.get("marks", ())}
        assert labels - {None}, exercise  # the difference said on the picture
