"""Fonts and paragraph styles of the PDF handout, and a paragraph cache shared by its parts.

Clear print: body 14 pt, labels bold, nothing under 12 pt. Large print (RNIB/UKAAF): body
18 pt regular, labels and headings bold, every word the patient reads at least 16 pt and
nothing at all under 12 pt. The face is DejaVu Sans (shipped with matplotlib), embedded,
for Latin, Greek and Cyrillic; text in any other script (or right to left) goes to
:mod:`backplan.handout.pdf_text`, which picks a Noto face per script
(:mod:`backplan.handout.fonts`), shapes it and orders it for reading.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, unescape

from .fonts import BOLD, REGULAR, register_fonts

__all__ = ["BOLD", "MM", "PAGE_SIZES", "REGULAR", "Look", "look", "para", "plain", "register_fonts"]

MM = 72 / 25.4


def _page_sizes() -> dict[str, tuple[float, float]]:
    from reportlab.lib.pagesizes import A4, LETTER

    return {"a4": A4, "letter": LETTER}


#: Accepted ``page_size`` values (case does not matter).
PAGE_SIZES: tuple[str, ...] = ("A4", "letter")


@dataclass(frozen=True)
class Look:
    """Fonts, sizes and paragraph styles for one print mode."""

    large: bool
    rtl: bool
    body: Any
    label: Any
    title: Any
    h2: Any
    h3: Any
    tag: Any
    item: Any
    step: Any
    small: Any
    small_label: Any
    diary_size: float
    box_mm: float
    footer_size: float
    picture_mm: float


@functools.cache
def look(large_print: bool, rtl: bool = False, english: bool = False) -> Look:
    """The styles for clear print (14 pt) or large print (18 pt), built once; ``rtl`` lays
    the page furniture out right to left (header labels, diary columns and footer
    mirrored), for a handout in a language written that way. ``english`` is the look of
    the English copy beside each block of a handout in another language: 12 pt (16 pt in
    large print, the least a large-print reader gets)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    size = (16.0 if large_print else 12.0) if english else (18.0 if large_print else 14.0)
    small = 12.0

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
        large=large_print,
        rtl=rtl,
        body=style("body", REGULAR, size, spaceAfter=size * 0.3),
        label=style("label", BOLD, size, spaceBefore=size * 0.3, keepWithNext=1),
        title=style("title", BOLD, size + 10, spaceAfter=size * 0.4),
        h2=style(
            "h2", BOLD, size + 6, spaceBefore=size * 0.8, spaceAfter=size * 0.4, keepWithNext=1
        ),
        h3=style(
            "h3", BOLD, size + 3, spaceBefore=size * 0.4, spaceAfter=size * 0.2, keepWithNext=1
        ),
        tag=style("tag", BOLD, size, spaceAfter=size * 0.2, keepWithNext=1),
        item=style("item", REGULAR, size, leftIndent=size * 1.2, bulletIndent=size * 0.2),
        step=style("step", REGULAR, size, leftIndent=size * 1.6, bulletIndent=0),
        small=style("small", REGULAR, small, spaceAfter=small * 0.3),
        small_label=style("small_label", BOLD, small + 2, spaceBefore=small, keepWithNext=1),
        diary_size=16.0 if large_print else 12.0,
        box_mm=7.5 if large_print else 6.0,
        footer_size=16.0 if large_print else 12.0,
        picture_mm=40.0 if large_print else 32.0,
    )


_CACHE_LIMIT = 20_000
_TAGS = re.compile(r"</?b>")
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


@functools.cache
def _together_class() -> type:
    from reportlab.platypus import KeepTogether

    class Together(KeepTogether):
        """ReportLab's ``KeepTogether`` without its copy of the document's frame.

        Measuring its flowables, ``KeepTogether`` deep-copies the frame each time, so that
        a flowable that asks the frame for a break (``CondPageBreak`` and the like) can be
        measured; the handout's blocks hold none, and the copies were a twentieth of a
        handout's build time. Pages come out byte for byte the same.
        """

        def wrap(self, aW: float, aH: float) -> tuple[float, float]:
            doc = getattr(self.canv, "_doctemplate", None)
            frame = getattr(doc, "frame", None)
            if frame is None:
                return super().wrap(aW, aH)
            doc.frame = None  # ReportLab then measures without copying it
            try:
                return super().wrap(aW, aH)
            finally:
                doc.frame = frame

    return Together


def kept_together(flowables: list[Any]) -> Any:
    """``flowables`` kept on one page (ReportLab's ``KeepTogether``, measured without a
    copy of the frame: see ``Together``).

    >>> type(kept_together([])).__mro__[1].__name__
    'KeepTogether'
    """
    return _together_class()(flowables)


_SIMPLE: dict[str, bool] = {}


def _simple(markup: str) -> bool:
    """Whether ReportLab's Paragraph can set ``markup`` (Latin, Greek and Cyrillic in
    DejaVu Sans, left to right, no combining marks)."""
    simple = _SIMPLE.get(markup)
    if simple is None:
        from .pdf_text import needs_layout

        simple = not needs_layout(unescape(_TAGS.sub("", markup)))
        if len(_SIMPLE) < _CACHE_LIMIT:
            _SIMPLE[markup] = simple
    return simple


def para(markup: str, style: Any, bullet: str | None = None) -> Any:
    """A Paragraph whose parsed markup and line breaks are cached across handouts; text in
    any other script, or reading right to left, gets a
    :func:`~backplan.handout.pdf_text.ScriptParagraph` (shaped, in visual order, right
    aligned when it reads right to left).

    Examples
    --------
    >>> lk = look(False)
    >>> type(para("Ann", lk.body)).__name__, type(para("<b>Name:</b> 王小明", lk.body)).__name__
    ('CachedParagraph', 'ScriptParagraphImpl')
    """
    if not _simple(markup):
        from .pdf_text import ScriptParagraph, spans_of

        return ScriptParagraph(spans_of(markup, style.fontName == BOLD), style, bullet)
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


def plain(text: str, style: Any, bulletText: str | None = None) -> Any:
    return para(escape(text), style, bulletText)
