"""The printed handout: a PDF built with ReportLab platypus.

Clear print by default (body 14 pt, nothing below 12 pt except the small clinic codes);
``large_print=True`` sets body text in 18 pt bold and lets the text reflow onto more pages
rather than shrinking it. The text face is DejaVu Sans (shipped with matplotlib), embedded
so that any Latin, Greek or Cyrillic name prints. Diary pages are landscape.

Examples
--------
>>> import tempfile, pathlib
>>> from backplan import build_plan, load_catalogue
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-raises"], start_date="2026-01-05",
...                   weeks=1, patient="Zoë Ñúñez-O'Brien")
>>> out = to_pdf(plan, pathlib.Path(tempfile.mkdtemp()) / "zoe.pdf")
>>> out.read_bytes()[:5]
b'%PDF-'
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd

from .._files import atomic_path
from ..errors import BackplanError
from ..plan import Plan
from .content import ExerciseBlock, Handout, Section, handout_content
from .text import CLINIC_TEXT, TEXT, date_words, diary_title

__all__ = ["PAGE_SIZES", "register_fonts", "render_pdf", "to_pdf"]

REGULAR, BOLD = "BackplanSans", "BackplanSans-Bold"
MM = 72 / 25.4
#: Page margins in points (left/right, top, bottom); the footer sits inside the bottom one.
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 15 * MM, 15 * MM, 22 * MM
FOOTER_Y = 13 * MM


def _page_sizes() -> dict[str, tuple[float, float]]:
    from reportlab.lib.pagesizes import A4, LETTER

    return {"a4": A4, "letter": LETTER}


#: Accepted ``page_size`` values (case does not matter).
PAGE_SIZES: tuple[str, ...] = ("A4", "letter")


@functools.cache
def register_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (regular and bold) with ReportLab, once per process."""
    import matplotlib
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
    pdfmetrics.registerFont(TTFont(REGULAR, os.path.join(folder, "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, os.path.join(folder, "DejaVuSans-Bold.ttf")))
    for italic in (0, 1):  # no italic face: <i> falls back to upright
        addMapping(REGULAR, 0, italic, REGULAR)
        addMapping(REGULAR, 1, italic, BOLD)
        addMapping(BOLD, 0, italic, BOLD)
        addMapping(BOLD, 1, italic, BOLD)
    return REGULAR, BOLD


@dataclass(frozen=True)
class Look:
    """Fonts, sizes and paragraph styles for one print mode."""

    body_font: str
    body: Any
    label: Any
    title: Any
    h2: Any
    h3: Any
    tag: Any
    item: Any
    step: Any
    cell: Any
    small: Any
    diary_size: float
    box_size: float
    small_size: float


@functools.cache
def look(large_print: bool) -> Look:
    """The styles for normal (14 pt) or large print (18 pt bold), built once."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    body_font = BOLD if large_print else REGULAR
    size = 18.0 if large_print else 14.0
    diary = 16.0 if large_print else 12.0
    small = 12.0 if large_print else 9.0

    def style(name: str, font: str, pt: float, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=font,
            fontSize=pt,
            leading=round(pt * 1.3, 1),
            bulletFontName=font,
            bulletFontSize=pt,
            alignment=TA_LEFT,
            textColor=colors.black,
            **kw,
        )

    return Look(
        body_font=body_font,
        body=style("body", body_font, size, spaceAfter=size * 0.4),
        label=style("label", BOLD, size, spaceBefore=size * 0.3, keepWithNext=1),
        title=style("title", BOLD, size + 10, spaceAfter=size * 0.6),
        h2=style(
            "h2", BOLD, size + 6, spaceBefore=size * 0.8, spaceAfter=size * 0.4, keepWithNext=1
        ),
        h3=style(
            "h3", BOLD, size + 3, spaceBefore=size * 0.9, spaceAfter=size * 0.2, keepWithNext=1
        ),
        tag=style("tag", BOLD, size, spaceAfter=size * 0.2, keepWithNext=1),
        item=style("item", body_font, size, leftIndent=size * 1.2, bulletIndent=size * 0.2),
        step=style("step", body_font, size, leftIndent=size * 1.6, bulletIndent=0),
        cell=style("cell", BOLD, diary),
        small=style("small", REGULAR, small, spaceBefore=small),
        diary_size=diary,
        box_size=diary + 4,
        small_size=small,
    )


_CACHE_LIMIT = 20_000
_FRAGS: dict[tuple[str, int, str | None], Any] = {}
_LINES: dict[tuple[Any, ...], Any] = {}


@functools.cache
def _paragraph_class() -> type:
    from reportlab.platypus import Paragraph

    class CachedParagraph(Paragraph):
        """A Paragraph that reuses line breaks worked out for the same text and width.

        Most handout text (steps, advice, safety) repeats from one handout to the next, and
        line breaking is the slowest part of a ReportLab build.
        """

        cache_key: tuple[str, int, str | None] | None = None

        def breakLines(self, width: Any) -> Any:
            if self.cache_key is None:
                return super().breakLines(width)
            key = (self.cache_key, tuple(width) if isinstance(width, list) else width)
            lines = _LINES.get(key)
            if lines is None:
                lines = super().breakLines(width)
                if len(_LINES) < _CACHE_LIMIT:
                    _LINES[key] = lines
            return lines

    return CachedParagraph


def _para(markup: str, style: Any, bullet: str | None = None) -> Any:
    """A Paragraph whose parsed markup and line breaks are cached across handouts."""
    cls = _paragraph_class()
    key = (markup, id(style), bullet)
    parsed = _FRAGS.get(key)
    if parsed is None:
        para = cls(markup, style, bulletText=bullet)
        if len(_FRAGS) < _CACHE_LIMIT:
            _FRAGS[key] = (para.frags, para.bulletText)
    else:
        para = cls(markup, style, bulletText=parsed[1], frags=parsed[0])
    para.cache_key = key
    return para


def _p(text: str, style: Any, bulletText: str | None = None) -> Any:
    return _para(escape(text), style, bulletText)


def _labelled(label: str, text: str, lk: Look) -> Any:
    return _para(f"<b>{escape(label)}</b> {escape(text)}", lk.body)


def _header(h: Handout, lk: Look, width: float) -> list[Any]:
    from reportlab.platypus import Table, TableStyle

    length_key = "length_value_one" if h.weeks == 1 else "length_value"
    rows = [
        (TEXT["clinic"], h.clinic),
        (TEXT["clinician"], h.clinician),
        (TEXT["patient"], h.patient),
        (TEXT["start"], date_words(h.start)),
        (
            TEXT["length"],
            TEXT[length_key].format(
                weeks=h.weeks, start=date_words(h.start), end=date_words(h.end)
            ),
        ),
    ]
    rows = [(k, v) for k, v in rows if v or k != TEXT["clinic"]]
    label_w = width * 0.3
    table = Table(
        [[_p(k, lk.label), _p(v, lk.body)] for k, v in rows],
        colWidths=[label_w, width - label_w],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONT", (0, 0), (-1, -1), REGULAR)])
    )
    out = [_p(TEXT["title"], lk.title), table, _p(TEXT["intro"], lk.body)]
    if h.notes.strip():
        out.append(_p(TEXT["notes"], lk.h3))
        out += [_p(line, lk.body) for line in h.notes.splitlines() if line.strip()]
    return out


def _bullets(section: Section, lk: Look) -> list[Any]:
    out = [_p(section.heading, lk.label)] if section.heading else []
    return out + [_p(item, lk.item, bulletText="•") for item in section.items]


def _safety(h: Handout, lk: Look, width: float) -> list[Any]:
    from reportlab.platypus import Table, TableStyle

    rows = [[_p(TEXT["safety_title"], lk.h3)]]
    for section in h.safety:
        rows += [[f] for f in _bullets(section, lk)]
    table = Table(rows, colWidths=[width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 2.5, "black"),
                ("FONT", (0, 0), (-1, -1), REGULAR),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 10),
            ]
        )
    )
    return [table]


def _advice(h: Handout, lk: Look) -> list[Any]:
    out = [_p(TEXT["advice_title"], lk.h2)]
    for section in h.advice:
        out += _bullets(section, lk)
    return out


def _block(b: ExerciseBlock, lk: Look) -> list[Any]:
    parts = [_p(f"{b.number}. {b.name}", lk.h3)]
    if b.from_week > 1:
        parts.append(_p(TEXT["from_week"].format(week=b.from_week), lk.tag))
    parts.append(_labelled(TEXT["position"], b.position, lk))
    parts.append(_p(TEXT["steps"], lk.label))
    parts += [_p(s, lk.step, bulletText=f"{i}.") for i, s in enumerate(b.steps, start=1)]
    parts.append(_labelled(TEXT["dose"], b.dose + ".", lk))
    if b.easier:
        parts.append(_labelled(TEXT["easier"], b.easier, lk))
    if b.later:
        parts.append(_p(TEXT["later"], lk.label))
        parts += [_p(s, lk.item, bulletText="•") for s in b.later]
    if b.until_week is not None:
        parts.append(_p(TEXT["until_week"].format(week=b.until_week), lk.body))
    return parts


def _exercises(h: Handout, lk: Look) -> list[Any]:
    from reportlab.platypus import CondPageBreak

    out = [CondPageBreak(lk.h2.fontSize * 12), _p(TEXT["exercises_title"], lk.h2)]
    for b in h.blocks:
        out += _block(b, lk)
    if h.next_blocks:
        week = h.next_week
        out += [
            CondPageBreak(lk.h2.fontSize * 12),
            _p(TEXT["new_exercises"].format(week=week), lk.h2),
            _p(TEXT["new_exercises_intro"].format(week=week), lk.body),
        ]
        for b in h.next_blocks:
            out += _block(b, lk)
    return out


def _diary(h: Handout, lk: Look, width: float) -> list[Any]:
    from reportlab.platypus import NextPageTemplate, PageBreak

    from .pdf_diary import DiaryGrid, GridLook

    g = GridLook(BOLD, lk.body_font, REGULAR, lk.diary_size, lk.box_size, lk.small_size)
    out: list[Any] = [NextPageTemplate("diary")]
    for week in h.diary:
        out += [
            PageBreak(),
            _p(diary_title(week), lk.h2),
            _p(TEXT["diary_help"], lk.body),
            DiaryGrid(week, g, width),
            _p(CLINIC_TEXT["diary_footnote"], lk.small),
        ]
    return out


def _footer_canvas(patient: str, font: str, size: float) -> type:
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        """Draws "patient   Page x of y" on every page once the page count is known."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = font  # no stray Helvetica reference on any page
            kwargs["initialFontSize"] = size
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._draw_footer(total)
                super().showPage()
            super().save()

        def _draw_footer(self, total: int) -> None:
            page_w = self._pagesize[0]
            text = TEXT["page"].format(page=self._pageNumber, pages=total)
            text_w = stringWidth(text, font, size)
            self.setFont(font, size)
            self.setFillColor("black")
            self.drawRightString(page_w - MARGIN_X, FOOTER_Y, text)
            room = page_w - 2 * MARGIN_X - text_w - size * 2
            label = patient
            while label and stringWidth(label, font, size) > room:
                label = label[:-2] + "…"
            self.drawString(MARGIN_X, FOOTER_Y, label)

    return NumberedCanvas


def _page_size(page_size: str) -> tuple[float, float]:
    sizes = _page_sizes()
    key = str(page_size).lower()
    if key not in sizes:
        raise BackplanError(f"page_size must be one of {', '.join(PAGE_SIZES)}, got {page_size!r}")
    return sizes[key]


def render_pdf(
    h: Handout, path: str | os.PathLike[str], *, large_print: bool = False, page_size: str = "A4"
) -> Path:
    """Lay out ready-made handout content as a PDF (see :func:`to_pdf`)."""
    from reportlab.lib.pagesizes import landscape
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    lk = look(large_print)
    portrait = _page_size(page_size)
    wide = landscape(portrait)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)

    def frame(size: tuple[float, float], name: str) -> Frame:
        w, hgt = size
        return Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            w - 2 * MARGIN_X,
            hgt - MARGIN_TOP - MARGIN_BOTTOM,
            id=name,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )

    doc = BaseDocTemplate(
        str(target),
        pagesize=portrait,
        title=TEXT["title"],
        author=h.clinician,
        subject=h.patient,
        creator="backplan",
        invariant=1,
        pageTemplates=[
            PageTemplate("main", [frame(portrait, "main")], pagesize=portrait),
            PageTemplate("diary", [frame(wide, "diary")], pagesize=wide),
        ],
    )
    width = portrait[0] - 2 * MARGIN_X
    story = _header(h, lk, width) + _safety(h, lk, width) + _advice(h, lk) + _exercises(h, lk)
    story += _diary(h, lk, wide[0] - 2 * MARGIN_X)
    footer_size = lk.body.fontSize if large_print else 12.0
    with _binary_streams(), atomic_path(target) as tmp:  # never a half-written PDF
        doc.filename = str(tmp)
        doc.build(story, canvasmaker=_footer_canvas(h.patient, lk.body_font, footer_size))
    return target


@contextlib.contextmanager
def _binary_streams() -> Iterator[None]:
    """Write compressed streams as binary, not ASCII85 text (ReportLab's default): smaller
    files, and the encoding is a tenth of the build time without ReportLab's C speed-ups."""
    from reportlab import rl_config

    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = before


def to_pdf(
    plan: Plan,
    path: str | os.PathLike[str],
    *,
    catalogue: pd.DataFrame | None = None,
    large_print: bool = False,
    page_size: str = "A4",
    clinic: str | None = None,
) -> Path:
    """Write the patient handout for ``plan`` as a PDF.

    Parameters
    ----------
    plan : Plan
        The plan.
    path : path-like
        Where to write the PDF (folders are created).
    catalogue : pandas.DataFrame, optional
        Where exercise names and steps come from; the shipped catalogue by default.
    large_print : bool
        18 pt bold text instead of 14 pt; the handout gets more pages, never smaller text.
    page_size : {"A4", "letter"}
        Paper size; the diary pages are printed landscape.
    clinic : str, optional
        The clinic's name for the header.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    PlanError
        When the plan names an exercise the catalogue does not hold.
    BackplanError
        For an unknown page size.
    """
    content = handout_content(plan, catalogue, clinic=clinic)
    return render_pdf(content, path, large_print=large_print, page_size=page_size)
