"""Pictures in the PDF handout: a ReportLab flowable that writes the picture's shapes
straight into the page (PDF path operators, worked out once per picture and size), its
words in DejaVu Sans Bold. A clinic's own picture file (PNG, JPEG or SVG) is scaled into
the same box.

Examples
--------
>>> from backplan.pictures.scene import layout
>>> f = picture_flowable(layout("heel-slides", width_mm=180, height_mm=40))
>>> w, h = f.wrap(500, 500)
>>> round(w / (72 / 25.4)) <= 180
True
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ..errors import CatalogueError, Problem
from ..scripts import is_rtl
from .scene import Clip, Picture, Shape, Text, text_width

__all__ = ["file_flowable", "picture_flowable", "svg_problem"]

MM = 72 / 25.4


@functools.cache
def _rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return f"{r:.3f} {g:.3f} {b:.3f}"


@functools.cache
def _fill(colour: str) -> Any:
    """ReportLab's colour for ``colour`` ("#rrggbb"), parsed once (parsing it on every
    word of every picture cost a handout about a millisecond)."""
    from reportlab.lib.colors import HexColor

    return HexColor(colour)


def _num(v: float) -> str:
    """A coordinate in points, to 0.1 pt (0.04 mm): short, and finer than any printer."""
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _ops(
    items: tuple[Any, ...], texts: list[Text], state: dict[str, str] | None = None
) -> list[str]:
    """PDF operators for ``items``; colours, widths and dashes are set only when they
    change (``state``), coordinates to 0.1 pt."""
    state = {} if state is None else state
    out: list[str] = []
    for item in items:
        if isinstance(item, Text):
            texts.append(item)
        elif isinstance(item, Clip):
            x0, y0, x1, y1 = (v * MM for v in item.box)
            box = " ".join(_num(v) for v in (x0, y0, x1 - x0, y1 - y0))
            out.append(f"q {box} re W n")
            out += _ops(item.items, texts, dict(state))  # Q brings back the state outside
            out.append("Q")
        else:
            assert isinstance(item, Shape)
            style = []
            wanted = {}
            if item.fill:
                wanted["rg"] = f"{_rgb(item.fill)} rg"
            if item.stroke:
                wanted["RG"] = f"{_rgb(item.stroke)} RG"
                wanted["w"] = f"{_num(item.width * MM)} w"
                wanted["d"] = f"[{' '.join(_num(d * MM) for d in item.dash)}] 0 d"
            for key, op in wanted.items():
                if state.get(key) != op:
                    style.append(op)
                    state[key] = op
            (x, y), *rest = item.points
            path = [f"{_num(x * MM)} {_num(y * MM)} m"]
            path += [f"{_num(a * MM)} {_num(b * MM)} l" for a, b in rest]
            if item.closed:
                path.append("h")
            paint = "B" if item.fill and item.stroke else ("f" if item.fill else "S")
            out.append(" ".join([*style, *path, paint]))
    return out


_COMPILED: dict[int, tuple[Picture, str, tuple[Text, ...]]] = {}


def _compiled(pic: Picture) -> tuple[str, tuple[Text, ...]]:
    """The picture's PDF operators, worked out once per picture (pictures are cached)."""
    hit = _COMPILED.get(id(pic))
    if hit is None or hit[0] is not pic:
        texts: list[Text] = []
        ops = "q 1 j 1 J\n" + "\n".join(_ops(pic.items, texts)) + "\nQ"
        if len(_COMPILED) > 512:
            _COMPILED.clear()
        hit = _COMPILED[id(pic)] = (pic, ops, tuple(texts))
    return hit[1], hit[2]


def _span(words: str) -> str:
    """A marked-content sequence (PDF 1.5, ISO 32000-1 14.9.3 and 14.9.4) whose
    alternate description and replacement text are the picture's words: a screen reader
    or a text extractor that reads them (poppler's ``pdftotext``) gives the description
    in place of the picture's captions; others (pypdf) see the captions as drawn. The
    description (``/Alt``) is in reading order; for a right-to-left language the
    replacement text is in the order drawn, like the page's own right-to-left words."""

    def hexed(s: str) -> str:
        return "<FEFF" + s.encode("utf-16-be").hex().upper() + ">"

    shown = words
    if is_rtl(words):  # the replacement text in the order drawn, as the page's own
        # right-to-left words are: a reader (poppler) puts it into reading order
        from bidi.algorithm import get_display

        shown = get_display(words)
    return f"/Span <</Alt {hexed(words)} /ActualText {hexed(shown)}>> BDC"


def picture_flowable(pic: Picture, font: str | None = None) -> Any:
    """A flowable drawing ``pic`` at its size (mm), left-aligned. Its words are shaped and
    set in their own script's face, right to left where they read so, like the handout's
    text (:func:`~backplan.handout.pdf_text.draw_line`)."""
    from reportlab.platypus import Flowable

    from ..handout.pdf_style import BOLD, register_fonts
    from ..handout.pdf_text import draw_line

    register_fonts()
    face = font or BOLD

    class PictureFlowable(Flowable):
        def __init__(self) -> None:
            super().__init__()
            self.width, self.height, self.hAlign = pic.width * MM, pic.height * MM, "LEFT"

        def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
            return self.width, self.height

        def draw(self) -> None:
            c = self.canv
            ops, texts = _compiled(pic)
            c.addLiteral(_span(pic.alt))  # the picture in words, for screen readers
            c.addLiteral(ops)
            for t in texts:
                c.setFillColor(_fill(t.colour))
                x = t.x * MM
                if t.anchor == "middle":
                    x -= text_width(t.text, t.size) * MM / 2
                align = "right" if t.anchor == "end" else "left"
                # no span of its own: the picture's description stands for all its words
                draw_line(c, x, t.y * MM, t.text, face, t.size, align, actual_text=False)
            c.addLiteral("EMC")

    return PictureFlowable()


def file_flowable(path: str, max_width: float, height: float) -> Any:
    """A clinic's picture file (PNG, JPEG or SVG) scaled to fit ``max_width`` x ``height``
    points; a :class:`~backplan.errors.CatalogueError` naming the file when it cannot be
    read."""
    if path.lower().endswith(".svg"):
        return _svg_flowable(path, max_width, height)
    from reportlab.platypus import Image

    try:
        img = Image(path)
    except Exception as err:  # any reading failure means the file is not a usable picture
        raise _unreadable(path, "a PNG or JPEG picture that can be read", err) from err
    scale = min(height / img.imageHeight, max_width / img.imageWidth)
    img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
    img.hAlign = "LEFT"
    return img


def _svg_flowable(path: str, max_width: float, height: float) -> Any:
    from reportlab.graphics.shapes import Drawing, Group

    drawing = _svg_drawing(path)
    w, h = drawing.width, drawing.height
    if not (w > 0 and h > 0):
        raise _unreadable(
            path, "an SVG picture that can be drawn (it has no width or height)", None
        )
    k = min(height / h, max_width / w)
    out = Drawing(w * k, h * k)
    g = Group(*drawing.contents)
    g.scale(k, k)
    out.add(g)
    out.hAlign = "LEFT"
    return out


@functools.lru_cache(maxsize=32)
def _svg_drawing(path: str) -> Any:
    import logging

    from svglib.svglib import svg2rlg

    logging.getLogger("svglib").setLevel(logging.ERROR)
    try:
        drawing = svg2rlg(path)
    except Exception as err:  # svglib raises many kinds for a broken file
        raise _unreadable(path, "an SVG picture that can be drawn", err) from err
    if drawing is None:
        raise _unreadable(path, "an SVG picture that can be drawn", None)
    return drawing


def svg_problem(path: str | Path) -> str | None:
    """Why an SVG file cannot be drawn in the PDF (``None`` when it can)."""
    try:
        _svg_flowable(str(path), 100.0, 100.0)
    except CatalogueError as err:
        return err.problems[0].expected
    return None


def _unreadable(path: str, expected: str, err: Exception | None) -> CatalogueError:
    got = f"{Path(path).name} ({type(err).__name__}: {err})" if err else Path(path).name
    return CatalogueError([Problem(str(path), None, "image", expected, got)])
