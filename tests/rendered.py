"""Checks on what a person sees: PDF pages rendered by pdftoppm, and chart PNGs.

These replace checks that could not fail ("the page has some dark pixel", "the bytes start
with the PNG signature"): a page passes only when every line of text in the PDF is drawn
in dark ink where the PDF puts it, and a chart passes only when it decodes to the figure's
size with drawn marks of several shades.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader


def printed_words(text: str) -> str:
    """Text extracted from a printed page, as single-spaced words (Chromium prints "fl" and
    other ligatures as one glyph: NFKC splits them back into letters)."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def print_html(html: Path, pdf: Path) -> Path:
    """Chromium's print view of ``html`` as ``pdf``; skips the test naming the package."""
    from tools.chromium import chromium_path, print_to_pdf

    if chromium_path() is None:
        pytest.skip("chromium is missing: install the Debian package chromium")
    return print_to_pdf(html, pdf)


def pdftoppm(
    pdf: Path, folder: Path, dpi: int, first: int = 1, last: int | None = None
) -> list[Path]:
    """Render pages to grey PNGs; skips the test when poppler-utils is missing."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is missing: install the Debian package poppler-utils")
    args = ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", str(first)]
    if last is not None:
        args += ["-l", str(last)]
    subprocess.run([*args, str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def text_lines(pdf: Path, page: int) -> list[tuple[float, float, float, str]]:
    """(x, baseline y from the top, font size, text) in points, of every text run on a page."""
    reader = PdfReader(pdf)
    p = reader.pages[page]
    height = float(p.mediabox.height)
    found: list[tuple[float, float, float, str]] = []

    def visit(text, cm, tm, font, size) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = abs(tm[3] * cm[3]) or 1.0
            found.append((x, height - y, size * scale, text.strip()))

    p.extract_text(visitor_text=visit)
    return found


def assert_every_line_is_inked(pdf: Path, page: int, png: Path, dpi: int) -> None:
    """Every text run pypdf finds on ``page`` has dark pixels where the PDF places it: from
    its baseline up one font size, from its start across its first few characters."""
    pixels = np.asarray(Image.open(png).convert("L"))
    per_pt = dpi / 72
    lines = text_lines(pdf, page)
    assert lines, "no text on the page"
    blank = []
    for x, y, size, text in lines:
        bottom = round(y * per_pt) + 1
        top = max(round((y - size) * per_pt) - 1, 0)
        left = max(round(x * per_pt) - 1, 0)
        right = round((x + size * 0.5 * min(len(text), 4)) * per_pt) + 1
        band = pixels[top : bottom + 1, left : right + 1]
        if band.size == 0 or band.min() > 128:
            blank.append(text)
    assert blank == [], f"text not drawn in dark ink: {blank[:5]}"


def assert_chart_png(data: bytes, figure=None) -> np.ndarray:
    """``data`` decodes to an RGB(A) image of the figure's size with real marks on it."""
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    width, height = image.size
    if figure is not None:
        fw, fh = figure.get_size_inches()
        dpi = figure.dpi
        assert abs(width - fw * dpi) <= 2 and abs(height - fh * dpi) <= 2, (image.size, fw, fh)
    grey = np.asarray(image.convert("L"))
    ink = (grey < 200).mean()
    assert 0.01 < ink < 0.6, f"chart ink covers {ink:.1%} of the image"
    assert len(np.unique(grey)) >= 8  # bars, text and axes, not one flat colour
    return grey
