"""The printed handout a patient takes home: read back with pypdf and rendered with pdftoppm.

Every exercise, dose sentence, the safety box and a diary for every week must be in the PDF
text; text must be big enough (12 pt clear print, 16 pt large print); nothing may be drawn
in the page margins or on top of other text; any Latin name must come back out intact.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader
from rendered import assert_every_line_is_inked

import backplan as bp
from backplan.handout.content import handout_content
from backplan.handout.pdf import BOLD, MM, REGULAR
from backplan.words import CLINIC_TEXT, TEXT, day_label, diary_heading, diary_name

PATIENT = "Zoë Ñúñez-O'Brien"
CLINICIAN = "Siobhán Ní Bhriain"


@pytest.fixture(scope="module")
def plan(catalogue: pd.DataFrame) -> bp.Plan:
    """Six weeks: beginners with reps rising every 2 weeks, then more advanced from week 4.

    One exercise twice a day, one on 3 days a week, so the diary has rest days and two
    boxes a day.
    """
    return bp.build_plan(
        catalogue,
        "beginners",
        patient=PATIENT,
        clinician=CLINICIAN,
        notes="Go gently & keep moving.",
        start_date=date(2026, 1, 5),
        weeks=6,
        per_exercise={"heel-slides": {"sessions_per_day": 2}, "wall-squats": {"days_per_week": 3}},
        progression=[
            bp.AddDose(what="reps", amount=2, every_weeks=2, cap=14),
            bp.next_level(catalogue, 4),
        ],
    )


@pytest.fixture(scope="module")
def pdfs(plan: bp.Plan, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pdf")
    return {
        "normal": bp.handout.to_pdf(plan, folder / "normal.pdf", clinic="Riverside Physio"),
        "large": bp.handout.to_pdf(plan, folder / "large.pdf", large_print=True),
        "letter": bp.handout.to_pdf(plan, folder / "letter.pdf", page_size="letter"),
        "large-letter": bp.handout.to_pdf(
            plan, folder / "large-letter.pdf", large_print=True, page_size="letter"
        ),
    }


def _words(text: str) -> str:
    return " ".join(text.split())


def _page_texts(path: Path) -> list[str]:
    return [_words(p.extract_text()) for p in PdfReader(path).pages]


def _width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, BOLD if font.endswith("Bold") else REGULAR, size)


def _chunks(path: Path) -> list[tuple[int, str, str, float, float, float]]:
    """Every drawn piece of text: (page, text, font, size in pt, x, y).

    pypdf reports a run that follows another in the same line (e.g. after a switch to bold)
    at the line's start, so such runs are moved along by the width of the run before.
    """
    out: list[tuple[int, str, str, float, float, float]] = []
    for number, page in enumerate(PdfReader(path).pages, start=1):
        line = {"start": None, "end": 0.0}

        def visit(text, cm, tm, font, size, number=number, line=line):
            scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            name = str(font.get("/BaseFont", "")) if font else ""
            start = (round(x, 2), round(y, 2))
            if start == line["start"]:
                x = line["end"]
            else:
                line["start"] = start
            line["end"] = x + _width(text.rstrip("\n"), name, size * scale)
            if text.strip():
                out.append((number, text.strip(), name, size * scale, x, y))

        page.extract_text(visitor_text=visit)
    return out


def _clinic_page(path: Path) -> int:
    """The number of the last page: the clinic's page on typing the diary back in."""
    return len(PdfReader(path).pages)


@pytest.mark.parametrize("mode", ["normal", "large", "letter", "large-letter"])
def test_pdf_holds_every_exercise_dose_safety_text_and_diary_week(
    mode: str, pdfs: dict[str, Path], plan: bp.Plan, catalogue: pd.DataFrame
) -> None:
    pages = _page_texts(pdfs[mode])
    text = " ".join(pages)
    table = bp.handout.handout_table(plan)
    for row in table.itertuples():
        assert row.name in text
        assert row.dose in text, row.dose
    assert TEXT["from_week"].format(week=4) in text
    advice = bp.load_advice()
    assert TEXT["safety_title"] in text
    for line in advice["text"]:
        assert _words(line) in text, line
    content = handout_content(plan)
    for block in (*content.blocks, *content.next_blocks):
        for step in block.steps:
            assert _words(step) in text, step
            assert "{" not in step
    names = dict(catalogue[["id", "name"]].values)
    for week in content.diary:
        title = diary_heading(week)
        (page,) = [p for p in pages if title in p]  # a week is never split: all 7 days here
        for day in week.days:
            assert day_label(day, year=False) in page
        for p, dose in zip(bp.dose_in_week(plan, week.week), week.doses, strict=True):
            assert _words(diary_name(names[p.exercise])) in page
            assert dose in page  # the dose beside its tick boxes
            assert p.exercise not in page  # clinic codes stay off the patient's pages
    clinic = pages[-1]
    assert CLINIC_TEXT["page_title"] in clinic
    assert all(p.exercise in clinic for p in plan.all_prescriptions())


def test_every_page_is_numbered_out_of_the_total(pdfs: dict[str, Path]) -> None:
    pages = _page_texts(pdfs["normal"])
    for i, page in enumerate(pages, start=1):
        assert TEXT["page"].format(page=i, pages=len(pages)) in page


def test_unicode_names_come_back_out(pdfs: dict[str, Path]) -> None:
    for path in pdfs.values():
        text = " ".join(_page_texts(path))
        assert PATIENT in text and CLINICIAN in text
    assert "Riverside Physio" in " ".join(_page_texts(pdfs["normal"]))


def test_dejavu_sans_is_embedded_and_nothing_is_italic(pdfs: dict[str, Path]) -> None:
    reader = PdfReader(pdfs["normal"])
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert {n.split("+")[-1] for n in fonts} == {"DejaVuSans", "DejaVuSans-Bold"}
    for font in fonts.values():
        assert font["/Subtype"] == "/TrueType"
        assert "/FontFile2" in font["/FontDescriptor"].get_object()  # embedded subset


@pytest.mark.parametrize(
    ("mode", "least"),
    [("normal", 12.0), ("letter", 12.0), ("large", 16.0), ("large-letter", 16.0)],
)
def test_text_is_big_enough(mode: str, least: float, pdfs: dict[str, Path]) -> None:
    """Large print: every word the patient reads >= 16 pt; the clinic's page >= 12 pt."""
    chunks = _chunks(pdfs[mode])
    assert chunks
    clinic = _clinic_page(pdfs[mode])
    small = [c for c in chunks if c[3] < least - 0.01 and c[0] != clinic]
    assert small == []
    assert min(c[3] for c in chunks) >= 12.0 - 0.01
    steps = [c[3] for c in chunks if c[1] == "Lie flat on your back."]  # a step of the body
    assert steps and set(steps) == {14.0 if least == 12.0 else 18.0}


def test_large_print_body_is_regular_and_labels_bold(pdfs: dict[str, Path]) -> None:
    chunks = _chunks(pdfs["large"])
    fonts = {c[1]: c[2] for c in chunks}
    assert fonts[TEXT["dose"]].endswith("DejaVuSans-Bold")
    assert fonts[TEXT["safety_title"]].endswith("DejaVuSans-Bold")
    regular = [c for c in chunks if not c[2].endswith("Bold")]
    assert len(regular) > len(chunks) / 2  # the body is regular, so labels stand out
    assert len(PdfReader(pdfs["large"]).pages) > len(PdfReader(pdfs["normal"]).pages)


def test_letter_pages_are_letter_sized(pdfs: dict[str, Path]) -> None:
    for mode in ("letter", "large-letter"):
        pages = PdfReader(pdfs[mode]).pages
        sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages}
        assert (612, 792) in sizes and sizes <= {(612, 792), (792, 612)}


@pytest.mark.parametrize("mode", ["normal", "large"])
def test_no_text_overlaps_other_text(mode: str, pdfs: dict[str, Path]) -> None:
    boxes: dict[int, list[tuple[float, float, float, float, str]]] = {}
    for page, text, font, size, x, y in _chunks(pdfs[mode]):
        box = (x + 0.5, x + _width(text, font, size) - 0.5, y - 0.2 * size, y + 0.75 * size, text)
        boxes.setdefault(page, []).append(box)
    clashes = []
    for page, items in boxes.items():
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]:
                    clashes.append((page, a[4], b[4]))
    assert clashes == []


def _render(path: Path, folder: Path) -> list[Path]:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is missing: install the Debian package poppler-utils")
    subprocess.run(
        ["pdftoppm", "-r", "40", "-gray", "-png", str(path), str(folder / "page")], check=True
    )
    return sorted(folder.glob("page-*.png"))


@pytest.mark.parametrize("mode", ["normal", "large", "letter", "large-letter"])
def test_nothing_is_drawn_in_the_page_margins(
    mode: str, pdfs: dict[str, Path], tmp_path: Path
) -> None:
    """Content frames start 13 mm from each edge; the footer sits 13 mm up. The outer 12 mm
    of every page (what many printers cannot print anyway) must stay blank."""
    pngs = _render(pdfs[mode], tmp_path)
    assert len(pngs) == len(PdfReader(pdfs[mode]).pages)
    strip_mm = 12
    pages = PdfReader(pdfs[mode]).pages
    for png, page in zip(pngs, pages, strict=True):
        pixels = np.asarray(Image.open(png).convert("L"))
        _, w = pixels.shape
        per_mm = w / (float(page.mediabox.width) / MM)
        s = int(strip_mm * per_mm)
        for name, strip in {
            "left": pixels[:, :s],
            "right": pixels[:, -s:],
            "top": pixels[:s, :],
            "bottom": pixels[-s:, :],
        }.items():
            assert strip.min() > 245, f"{png.name}: ink in the {name} margin"
    for index, png in enumerate(pngs):  # every line of text is drawn, in dark ink
        assert_every_line_is_inked(pdfs[mode], index, png, dpi=40)


def test_a_plan_with_an_unknown_exercise_names_it(catalogue: pd.DataFrame, tmp_path) -> None:
    plan = bp.Plan(
        start_date=date(2026, 1, 5),
        weeks=1,
        prescriptions=[bp.Prescription(exercise="cartwheels", reps=5)],
    )
    with pytest.raises(bp.PlanError, match="cartwheels"):
        bp.handout.to_pdf(plan, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_an_unknown_page_size_is_refused(beginner_plan: bp.Plan, tmp_path: Path) -> None:
    with pytest.raises(bp.BackplanError, match="A4, letter"):
        bp.handout.to_pdf(beginner_plan, tmp_path / "x.pdf", page_size="A5")


def test_handout_streams_are_flate_binary_and_reportlab_is_left_as_it_was(
    pdfs: dict[str, Path], tmp_path: Path
) -> None:
    """The handout compresses its streams its own way (binary, zlib level 3: half the time
    of ReportLab's level 6) and leaves ReportLab's settings as they were, so another
    ReportLab document in the same notebook is written the ReportLab way."""
    import zlib

    from reportlab import rl_config
    from reportlab.pdfbase import pdfdoc
    from reportlab.pdfgen.canvas import Canvas

    page = PdfReader(pdfs["normal"]).pages[1]
    contents = page["/Contents"].get_object()
    assert list(contents["/Filter"]) == ["/FlateDecode"]  # binary: no ASCII85 text
    raw = contents.get_data()  # decoded by pypdf: the stream is sound
    assert b" Tf " in raw and b" Tj " in raw  # the page's text
    assert zlib.compress(raw, 3) == contents._data  # level 3, not ReportLab's 6
    assert "encode" not in vars(pdfdoc.PDFZCompress)
    assert rl_config.useA85 == 1  # ReportLab's default, set by the test run's ReportLab
    # ReportLab's own documents: its level-6 compression, unchanged by the handouts above
    c = Canvas(str(tmp_path / "other.pdf"), pageCompression=1)
    c.drawString(100, 100, "another document")
    c.save()
    assert zlib.compress(b"x" * 1000) == pdfdoc.PDFZCompress.encode(b"x" * 1000)
