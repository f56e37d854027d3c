"""A :class:`~backplan.pictures.scene.Picture` as SVG text (HTML handouts, notebooks, the
plan builder): the same shapes the PDF draws, in millimetres, with the alt text as the
picture's accessible name and ``<title>``.

Examples
--------
>>> from backplan.pictures.scene import layout
>>> svg = picture_svg(layout("heel-raises", width_mm=180, height_mm=60))
>>> svg.startswith("<svg") and 'role="img"' in svg and "<title>" in svg
True
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from ..scripts import is_rtl
from .scene import FONT_MM, Clip, Picture, Shape, Text, text_width

__all__ = ["picture_svg"]

_FONT = "DejaVu Sans, Verdana, Arial, sans-serif"


def _path(points: tuple[tuple[float, float], ...], height: float, closed: bool) -> str:
    first, *rest = points
    d = f"M{first[0]:.2f} {height - first[1]:.2f}"
    d += "".join(f"L{x:.2f} {height - y:.2f}" for x, y in rest)
    return d + ("Z" if closed else "")


def _item(item: object, height: float) -> str:
    if isinstance(item, Shape):
        attrs = f'fill="{item.fill or "none"}"'
        if item.stroke:
            attrs += f' stroke="{item.stroke}" stroke-width="{item.width:.2f}"'
            if item.dash:
                attrs += f' stroke-dasharray="{" ".join(f"{d:.2f}" for d in item.dash)}"'
        return f'<path d="{_path(item.points, height, item.closed)}" {attrs}/>'
    if isinstance(item, Text):
        # placed by its middle, as measured for the PDF: the same place whichever way the
        # page (and so the text) reads; right-to-left words in their own order. The width
        # is the measured one too (``textLength``): a browser without the PDF's faces sets
        # the words in its own, which may be wider, and they must not leave their box
        width = text_width(item.text, item.size)
        shift = {"start": 0.5, "middle": 0.0, "end": -0.5}[item.anchor]
        x = item.x + shift * width
        rtl = ' direction="rtl"' if is_rtl(item.text) else ""
        return (
            f'<text x="{x:.2f}" y="{height - item.y:.2f}" font-size="{item.size * FONT_MM:.2f}"'
            f' fill="{item.colour}" text-anchor="middle" textLength="{width:.2f}"'
            f' lengthAdjust="spacingAndGlyphs"{rtl}>{escape(item.text)}</text>'
        )
    assert isinstance(item, Clip)
    x0, y0, x1, y1 = item.box
    inner = "".join(_item(i, height) for i in item.items)
    box = f'{x0:.2f}" y="{height - y1:.2f}" width="{x1 - x0:.2f}" height="{y1 - y0:.2f}'
    view = f"{x0:.2f} {height - y1:.2f} {x1 - x0:.2f} {y1 - y0:.2f}"
    # a nested <svg> clips to its own box (no clipPath: the handout loads no url() at all)
    return f'<svg x="{box}" viewBox="{view}" overflow="hidden">{inner}</svg>'


def picture_svg(pic: Picture, label: str = "") -> str:
    """SVG text of ``pic`` at its size in mm (CSS may scale it down to fit a screen)."""
    alt = label or pic.alt
    body = "".join(_item(i, pic.height) for i in pic.items)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{pic.width:.1f}mm" '
        f'height="{pic.height:.1f}mm" viewBox="0 0 {pic.width:.2f} {pic.height:.2f}" '
        f'role="img" aria-label={quoteattr(alt)} direction="ltr"><title>{escape(alt)}</title>'
        f'<g stroke-linejoin="round" stroke-linecap="round" font-family="{_FONT}" '
        f'font-weight="bold">{body}</g></svg>'
    )
