"""Names and clinic text in any script print, shaped and in reading order.

Read back with ``pdftotext`` (logical order; NFKC folds Arabic presentation forms) and its
``-bbox`` word boxes (where each word sits on the page), rendered with pdftoppm to check
every line is inked, and the HTML handout's ``dir``/``lang`` attributes.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import shutil
import subprocess
import sys
import unicodedata
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from fuzz_inputs import fuzz
from hypothesis import given
from hypothesis import strategies as st
from rendered import assert_every_line_is_inked, pdftoppm, text_lines

import backplan as bp
from backplan.errors import BackplanError
from backplan.handout.content import handout_content
from backplan.handout.html import render_html
from backplan.handout.pdf import MM, render_pdf
from backplan.handout.pdf_style import REGULAR
from backplan.handout.pdf_text import Laid, fit_text, text_width
from backplan.settings import ClinicSettings
from tools.proofs import SCRIPT_NAMES

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext is missing: install poppler-utils"
)

SAMPLES = SCRIPT_NAMES  # one synthetic name in every script the handout prints
SETTINGS = ClinicSettings(clinic="Riverside Physio", phone="01234 567890", physio="A. Physio")
_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def read_back(pdf: Path, *args: str) -> str:
    """``pdftotext`` of ``pdf``, NFKC-folded, without bidi marks, spaces squeezed."""
    out = subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True, check=True)
    text = unicodedata.normalize("NFKC", out.stdout.decode())
    return re.sub(r"[ \t]+", " ", _MARKS.sub("", text))


def boxes(pdf: Path, page: int = 1) -> list[tuple[float, float, float, str]]:
    """(xMin, xMax, yMin, word) of every word ``pdftotext -bbox`` finds on ``page``."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html
    )
    return [
        (float(a), float(c), float(b), unicodedata.normalize("NFKC", w)) for a, b, c, w in found
    ]


def plan_for(catalogue: pd.DataFrame, patient: str, **kw) -> bp.Plan:
    return bp.build_plan(
        catalogue, "beginners", ["heel-raises", "knee-to-chest"], patient=patient,
        start_date=date(2026, 3, 9), weeks=2, **kw,
    )  # fmt: skip


@pytest.fixture(scope="module")
def name_pdfs(catalogue: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("names")
    out = {}
    for key, name in (("zh", SAMPLES["Chinese"]), ("ar", SAMPLES["Arabic"])):
        plan = plan_for(catalogue, name)
        for large in (False, True):
            path = folder / f"{key}-{large}.pdf"
            out[key, large] = bp.handout.to_pdf(plan, path, large_print=large, settings=SETTINGS)
    return out


@pytest.mark.parametrize("large", [False, True], ids=["clear", "large"])
@pytest.mark.parametrize("key", ["zh", "ar"])
def test_name_reads_back_in_header_and_every_footer(name_pdfs: dict, key: str, large: bool) -> None:
    name = SAMPLES["Chinese" if key == "zh" else "Arabic"]
    pages = read_back(name_pdfs[key, large]).split("\f")[:-1]
    assert len(pages) >= 4
    assert pages[0].count(name) == 2, pages[0][:400]  # the header and the footer
    for n, page in enumerate(pages[1:], start=2):
        assert name in page, f"page {n} has no footer name"


def test_right_to_left_name_is_right_aligned(name_pdfs: dict) -> None:
    """The Arabic name ends at the right margin, its first word rightmost (reading order)."""
    page_w = 595.28
    words = [w for w in boxes(name_pdfs["ar", False]) if w[2] < 150]  # the header, at the top
    # -bbox lists each word's letters as drawn, left to right: reversed for Arabic
    arabic = {w[3][::-1]: w for w in words if re.search("[\u0600-\u06ff]", w[3])}
    assert set(arabic) == {"محمد", "عبد", "الله"}
    right = page_w - 13 * MM - 6  # the margin, less the header table's cell padding
    assert abs(max(w[1] for w in arabic.values()) - right) < 1.5
    assert arabic["محمد"][0] > arabic["عبد"][0] > arabic["الله"][0]


def test_every_script_prints_and_reads_back(catalogue: pd.DataFrame, tmp_path: Path) -> None:
    """Each sample, as a note line, comes back from the PDF as typed; page 1 is inked where
    its text is; nothing on the first pages is under 16 pt (large print)."""
    notes = "\n".join(SAMPLES.values())
    plan = plan_for(catalogue, SAMPLES["Tamil"], notes=notes)
    pdf = bp.handout.to_pdf(plan, tmp_path / "all.pdf", large_print=True, settings=SETTINGS)
    text = read_back(pdf)
    lines = {line.strip() for line in text.splitlines()}
    words = " ".join(text.split())  # the Latin sample wraps in large print
    missing = [
        k for k, v in SAMPLES.items()
        if unicodedata.normalize("NFKC", v) not in (lines if k != "Latin" else words)
    ]  # fmt: skip
    assert missing == []
    png = pdftoppm(pdf, tmp_path, 40, 1, 1)[0]
    assert_every_line_is_inked(pdf, 0, png, 40)
    sizes = [size for page in (0, 1) for _, _, size, _ in text_lines(pdf, page)]
    assert min(sizes) >= 16  # large print, in every script


def test_shaping_joins_arabic_and_reorders_indic() -> None:
    """HarfBuzz runs: Arabic letters join (no glyph is the isolated form), the Devanagari
    vowel sign i is drawn before its consonant, and mixed text is in visual order."""
    laid = Laid.of("محمد", 14)
    font = laid.runs[0].face.rl.face
    isolated = {font.charToGlyph[ord(c)] for c in "محمد"}
    assert not isolated & {g[0] for g in laid.runs[0].glyphs[1:-1]}
    deva = Laid.of("कि", 14).runs[0]
    assert [g[1] for g in deva.glyphs] == [0, 0] and deva.glyphs[0][0] != font.charToGlyph.get(
        ord("क")
    )
    mixed = Laid.of("محمد 12 John", 14)
    shown = [mixed.text[run.start : run.end] for run, _ in mixed.visual(0, 12)]
    assert [part.strip() for part in shown if part.strip()] == ["John", "12", "محمد"]


def test_character_no_font_has_is_an_error_naming_it(
    catalogue: pd.DataFrame, tmp_path: Path
) -> None:
    plan = plan_for(catalogue, "Ann \U00013000 Lee")
    target = tmp_path / "out.pdf"
    with pytest.raises(BackplanError, match=r"patient: cannot print '𓀀' \(U\+13000 EGYPTIAN"):
        bp.handout.to_pdf(plan, target, settings=SETTINGS)
    assert not target.exists()
    steps = catalogue.copy()
    steps.loc[steps.id == "heel-raises", "steps"] = "Stand up|Rise \ue000 slowly"
    with pytest.raises(BackplanError, match=r"exercise \d \(heel-raises\), step 2: .*U\+E000"):
        bp.handout.to_pdf(plan_for(catalogue, "Ann"), target, catalogue=steps)
    assert not target.exists()


def test_a_sign_only_the_regular_face_has_is_named_not_a_crash_in_a_heading(
    catalogue: pd.DataFrame, tmp_path: Path
) -> None:
    """DejaVu Sans has U+1EE1F and DejaVu Sans Bold does not: an exercise name (a bold
    heading) holding it is refused by name in the PDF, and the web page still prints it
    (found by make fuzz)."""
    names = catalogue.copy()
    names.loc[names.id == "heel-raises", "name"] = "Heel raises \U0001ee1f"
    plan = plan_for(catalogue, "Ann")
    with pytest.raises(BackplanError, match=r"heel-raises.*U\+1EE1F"):
        bp.handout.to_pdf(plan, tmp_path / "out.pdf", catalogue=names)
    assert not (tmp_path / "out.pdf").exists()
    page = bp.handout.to_html(plan, tmp_path / "out.html", catalogue=names).read_text()
    assert "Heel raises \U0001ee1f" in page


def test_name_mixing_scripts(catalogue: pd.DataFrame, tmp_path: Path) -> None:
    """Scripts side by side print; one word mixing Latin and Cyrillic is refused."""
    name = "王小明 (Wang Xiaoming) محمد Иван"
    pdf = bp.handout.to_pdf(plan_for(catalogue, name), tmp_path / "mixed.pdf")
    first = read_back(pdf).split("\f")[0]
    for part in ("王小明", "(Wang Xiaoming)", "محمد", "Иван"):
        assert part in first
    for fn in (bp.handout.to_pdf, bp.handout.to_html):
        with pytest.raises(
            BackplanError, match=r"patient: the word 'Ivаn' mixes Cyrillic and Latin"
        ):
            fn(plan_for(catalogue, "Ivаn Petrov"), tmp_path / "x")
        assert not (tmp_path / "x").exists()


def test_300_character_name(catalogue: pd.DataFrame, tmp_path: Path) -> None:
    """A plan refuses it with a clear message; a handout given one anyway wraps it in the
    header and cuts it whole-letter with "…" in the footer, inside the margins."""
    long = ("محمد عبد الله " * 25)[:300]
    with pytest.raises(BackplanError, match="patient.*200"):
        plan_for(catalogue, long)
    h = dataclasses.replace(handout_content(plan_for(catalogue, "x")), patient=long)
    pdf = render_pdf(h, tmp_path / "long.pdf")
    words = boxes(pdf)
    assert max(w[1] for w in words) <= 595.28 - 13 * MM + 1
    footer = [w for w in words if w[2] > 700 and re.search("[\u0600-\u06ff]", w[3])]
    assert footer and "..." in read_back(pdf).split("\f")[0]  # NFKC of "…"
    cut = fit_text(long, REGULAR, 12, 300)
    assert cut.endswith("…") and text_width(cut, REGULAR, 12) <= 300


def test_html_marks_direction_and_language(catalogue: pd.DataFrame, tmp_path: Path) -> None:
    notes = f"{SAMPLES['Arabic']} 123\nfine"
    plan = plan_for(catalogue, SAMPLES["Japanese"], notes=notes)
    html = bp.handout.to_html(plan, tmp_path / "h.html", settings=SETTINGS).read_text()
    assert f'<td dir="auto" lang="ja">{SAMPLES["Japanese"]}</td>' in html
    assert f'<p dir="auto">{SAMPLES["Arabic"]} 123</p>' in html
    assert f'<bdi lang="ja">{SAMPLES["Japanese"]}</bdi></footer>' in html
    assert '<html lang="en-GB" dir="ltr">' in html
    assert "text-align: left" not in html  # start: the right edge for right-to-left text


def test_fonts_load_lazily() -> None:
    """``import backplan`` loads no shaping or font package; a Latin handout no Noto font."""
    code = (
        "import sys, tempfile, backplan as bp\n"
        "assert not {'uharfbuzz', 'bidi', 'reportlab'} & set(sys.modules), 'heavy import'\n"
        "plan = bp.build_plan(bp.load_catalogue(), 'beginners', ['heel-raises'],"
        " patient='Zoë Αλέξανδρος', start_date='2026-01-05', weeks=1)\n"
        "bp.handout.to_pdf(plan, tempfile.mkdtemp() + '/a.pdf')\n"
        "from reportlab.pdfbase import pdfmetrics\n"
        "print(sorted(n for n in pdfmetrics.getRegisteredFontNames() if 'Backplan-' in n))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_right_to_left_pages(catalogue: pd.DataFrame, tmp_path: Path) -> None:
    """``direction="rtl"`` (a handout in Arabic or Urdu): the diary's columns run from the
    right (day, exercises, pain, note), header labels stand on the right, the page number
    on the left and the patient on the right of the footer; the HTML page is dir="rtl"."""
    h = handout_content(plan_for(catalogue, SAMPLES["Urdu"]), settings=SETTINGS)
    pdf = render_pdf(h, tmp_path / "rtl.pdf", direction="rtl")
    diary = next(n for n in range(1, 8) if "Week 1" in read_back(pdf, "-f", str(n), "-l", str(n)))
    words = {w[3]: w for w in boxes(pdf, diary)}
    assert words["Day"][0] > words["Pain"][0] > words["Note"][0]
    first = boxes(pdf, 1)
    page = next(w for w in first if w[3] == "Page")
    assert page[0] < 13 * MM + 1  # the page number starts at the left margin
    assert next(w for w in first if w[3] == "For")[0] > 595.28 / 2  # the label, on the right
    html = render_html(h, direction="rtl")
    assert '<html lang="en-GB" dir="rtl">' in html
    with pytest.raises(BackplanError, match="direction must be 'ltr' or 'rtl'"):
        render_pdf(h, tmp_path / "x.pdf", direction="up")


_SCRIPT_CHARS = st.sampled_from(
    list("".join(SAMPLES.values()) + " 0123456789.,:()-×…\u200c\u200d\u0301\t\n\x07\u00a0")
)


@fuzz(60)
@given(st.lists(st.text(_SCRIPT_CHARS, min_size=1, max_size=12), min_size=1, max_size=8))
def test_lines_hold_every_character_once_in_reading_order(words: list[str]) -> None:
    """Any mix of the scripts: the lines cover the text in order, none is wider than the
    room unless it is one unbreakable piece, and each line's runs are a permutation of its
    characters (nothing drawn twice or lost)."""
    text = " ".join(words)
    laid = Laid.of(text, 14)
    room = 120.0
    lines = laid.lines(room)
    assert all(a < b for a, b in lines)
    assert all(b <= a2 for (_, b), (a2, _) in itertools.pairwise(lines))
    shown = laid.text  # tabs, line breaks and controls lay out as spaces, one for one
    assert len(shown) == len(text)
    assert "".join(shown[a:b] for a, b in lines).replace(" ", "") == shown.replace(" ", "")
    for a, b in lines:
        assert laid.width(a, b) <= room + 0.01 or not any(laid.starts[a + 1 : b])
        drawn = sorted(i for run, glyphs in laid.visual(a, b) for i in {g[1] for g in glyphs})
        assert drawn == sorted(i for i in range(a, b) if laid.starts[i])
