"""Exercise pictures: drawn from data/poses.json by one renderer for SVG and PDF; a clinic's own
picture from the catalogue's ``image`` column, checked when the catalogue is loaded."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

import backplan as bp
from backplan._io.paths import data_dir
from backplan.pictures import exercise_picture, picture_drawing, picture_svg, poses


def _shape(lines, left: float, right: float) -> list:
    """The lines between ``left`` and ``right``, moved to start at 0 and rounded."""
    return sorted(
        (round(a - left, 1), round(b, 1), round(c - left, 1), round(d, 1))
        for a, b, c, d, *_ in lines
        if left <= min(a, c) and max(a, c) <= right
    )


def test_every_shipped_exercise_has_a_start_and_end_drawing(catalogue: pd.DataFrame) -> None:
    assert set(poses()["exercises"]) == set(catalogue["id"])
    for exercise in catalogue["id"]:
        pic = exercise_picture(exercise)
        assert pic is not None and len(pic.lines) >= 10 and pic.circles  # body and head
        assert all(x >= 0 and y >= 0 for ln in pic.lines for x, y in (ln[:2], ln[2:4]))
        assert all(
            x <= pic.width + 1e-6 and y <= pic.height + 1e-6
            for ln in pic.lines
            for x, y in (ln[:2], ln[2:4])
        )
        # start and end differ wherever the pose data gives two positions
        if len(pic.panels) == 2:
            (x0, w0), (x1, _) = pic.panels
            first = _shape(pic.lines, x0 - 0.01, x0 + w0 + 0.01)
            second = _shape(pic.lines, x1 - 0.01, pic.width)
            assert first != second, exercise


def test_svg_and_pdf_drawing_share_the_same_geometry() -> None:
    pic = exercise_picture("wall-squats")
    svg = ET.fromstring(picture_svg(pic, 30))
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f".//{ns}line")) == len(pic.lines)
    assert len(svg.findall(f".//{ns}circle")) == len(pic.circles)
    drawing = picture_drawing("wall-squats", 300, 100)
    assert drawing.wrap(300, 100)[1] <= 100 + 1e-6
    assert picture_drawing("no-such-exercise", 300, 100) is None


def test_lines_are_black_or_grey_and_thick_enough_for_greyscale() -> None:
    for exercise in poses()["exercises"]:
        for *_, width, colour in exercise_picture(exercise).lines:
            assert colour in {"black", "#707070"} and width >= 0.5  # mm


def _clinic_catalogue(tmp_path: Path, image: str) -> Path:
    table = pd.read_csv(data_dir() / "back-exercises.csv", dtype=str).fillna("")
    table["image"] = ""
    table.loc[4, "image"] = image  # heel-raises, spreadsheet row 6
    path = tmp_path / "clinic.csv"
    table.to_csv(path, index=False)
    return path


def test_a_clinic_png_is_printed_in_pdf_and_embedded_in_html(tmp_path: Path) -> None:
    Image.new("RGB", (300, 120), "white").save(tmp_path / "heel.png")
    cat = bp.load_catalogue(_clinic_catalogue(tmp_path, "heel.png"))
    assert Path(cat.set_index("id").loc["heel-raises", "image"]).is_absolute()
    plan = bp.build_plan(cat, "beginners", ["heel-raises"], start_date=date(2026, 1, 5), weeks=1)
    pdf = bp.handout.to_pdf(plan, tmp_path / "h.pdf", catalogue=cat)
    images = [img for page in PdfReader(pdf).pages for img in page.images]
    assert len(images) == 1
    html = bp.handout.to_html(plan, tmp_path / "h.html", catalogue=cat).read_text()
    assert 'src="data:image/png;base64,' in html and "<svg" not in html


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.png", None, "exists and can be read"),
        ("broken.png", b"\x89PNG\r\n\x1a\nnot really a png", "can be opened"),
        ("fake.jpg", b"GIF89a", "JPEG picture"),
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 2_100_000, "at most 2 MB"),
        ("notes.txt", b"hello", ".png, .jpg, .jpeg or .svg"),
        ("empty.svg", b"<html></html>", "no <svg> element"),
    ],
)
def test_a_bad_picture_is_a_catalogue_error_naming_row_and_column(
    tmp_path: Path, name: str, content: bytes | None, expected: str
) -> None:
    if content is not None:
        (tmp_path / name).write_bytes(content)
    with pytest.raises(bp.CatalogueError) as err:
        bp.load_catalogue(_clinic_catalogue(tmp_path, name))
    message = str(err.value)
    assert "row 6, column 'image'" in message and expected in message and name in message


def test_an_oversized_picture_in_pixels_is_refused(tmp_path: Path) -> None:
    Image.new("L", (4100, 10), "white").save(tmp_path / "wide.png")
    with pytest.raises(bp.CatalogueError, match="at most 4000 pixels"):
        bp.load_catalogue(_clinic_catalogue(tmp_path, "wide.png"))


def test_an_exercise_without_a_picture_still_prints(tmp_path: Path) -> None:
    table = pd.read_csv(data_dir() / "back-exercises.csv", dtype=str).fillna("")
    table.loc[0, "id"] = "toe-taps"  # a clinic exercise with no pose data and no image
    path = tmp_path / "clinic.csv"
    table.to_csv(path, index=False)
    cat = bp.load_catalogue(path)
    plan = bp.build_plan(cat, "beginners", ["toe-taps"], start_date=date(2026, 1, 5), weeks=1)
    text = PdfReader(bp.handout.to_pdf(plan, tmp_path / "h.pdf", catalogue=cat)).pages[1]
    assert "1. Ankle lifts" in text.extract_text()
    assert bp.exercise_picture_svg("toe-taps", cat) == ""
