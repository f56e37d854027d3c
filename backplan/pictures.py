"""Exercise pictures: our own stick-figure line drawings, made from numbers in ``data/``.

``data/poses.json`` holds, for each shipped exercise, a start and an end pose as joint
angles (a side view; see the file's ``about``). :func:`exercise_picture` turns them into a
:class:`Picture`: plain lines and circles in millimetres. The same geometry is written as
SVG text (HTML handouts, notebooks, the plan builder) by :func:`picture_svg` and drawn by
ReportLab for the PDF by :func:`picture_drawing`, so every format shows the same picture.
The near side of the body is black and the far side grey, with thick strokes that stay
clear in greyscale and on a poor printer. A clinic catalogue may give its own picture per
exercise (its ``image`` column); that file is used instead.

Examples
--------
>>> pic = exercise_picture("heel-slides")
>>> len(pic.panels), pic.width > pic.height
(2, True)
>>> exercise_picture_svg("heel-slides").startswith("<svg")
True
>>> exercise_picture("no-such-exercise") is None
True
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import pandas as pd

from ._io.paths import data_dir

__all__ = [
    "Picture",
    "exercise_picture",
    "exercise_picture_svg",
    "picture_drawing",
    "picture_markup",
    "picture_svg",
    "poses",
]

#: Segment lengths of the figure, in figure units (standing height is about 1.9).
LENGTHS = {"trunk": 0.52, "neck": 0.07, "head": 0.10, "upper": 0.29, "fore": 0.27}
LEG = (0.45, 0.43, 0.17)
#: Drawing sizes in millimetres: figure unit, strokes, gap between panels.
UNIT_MM, STROKE_MM, THIN_MM, GAP_MM, PAD_MM = 16.0, 1.0, 0.5, 10.0, 2.0
GREY = "#707070"

Line = tuple[float, float, float, float, float, str]  # x1, y1, x2, y2, width, colour
Circle = tuple[float, float, float, float, str]  # x, y, r, width, colour


@dataclass(frozen=True)
class Picture:
    """A drawing in millimetres, y up: lines, circles and the panel boxes (start, end)."""

    width: float
    height: float
    lines: tuple[Line, ...]
    circles: tuple[Circle, ...]
    panels: tuple[tuple[float, float], ...]  # (x offset, width) of each pose


@functools.cache
def poses() -> dict[str, Any]:
    """The shipped pose data (``data/poses.json``), read once."""
    return json.loads((data_dir() / "poses.json").read_text(encoding="utf-8"))


def _dir(deg: float) -> tuple[float, float]:
    r = math.radians(deg)
    return math.cos(r), math.sin(r)


def _chain(start: tuple[float, float], angles: list[float], lengths: tuple[float, ...]) -> list:
    points = [start]
    for angle, length in zip(angles, lengths, strict=False):
        dx, dy = _dir(angle)
        points.append((points[-1][0] + dx * length, points[-1][1] + dy * length))
    return points


def _pose_geometry(pose: dict[str, Any], props: list[str]) -> tuple[list, list]:
    """Lines and circles of one pose, in figure units, resting on the floor (y = 0)."""
    if "base" in pose:
        pose = {**poses()[pose["base"]], **{k: v for k, v in pose.items() if k != "base"}}
    hip = (0.0, 0.0)
    trunk = _chain(hip, [pose["trunk"]], (LENGTHS["trunk"],))
    shoulder = trunk[-1]
    hx, hy = _dir(pose.get("head", pose["trunk"]))
    reach = LENGTHS["neck"] + LENGTHS["head"]
    head = (shoulder[0] + hx * reach, shoulder[1] + hy * reach)
    arm = _chain(shoulder, pose["arm"], (LENGTHS["upper"], LENGTHS["fore"]))
    near = _chain(hip, pose["near"], LEG)
    far = _chain(hip, pose["far"], LEG)
    lines: list[tuple] = []

    def poly(points: list, colour: str) -> None:
        for a, b in itertools.pairwise(points):
            lines.append((*a, *b, STROKE_MM, colour))

    poly(far, GREY)
    poly(
        [*trunk, (shoulder[0] + hx * LENGTHS["neck"], shoulder[1] + hy * LENGTHS["neck"])], "black"
    )
    poly(near, "black")
    poly(arm, "black")
    fx, fy = _dir(pose.get("face", 0))
    r = LENGTHS["head"]
    nose = (head[0] + fx * r, head[1] + fy * r, head[0] + fx * r * 1.45, head[1] + fy * r * 1.45)
    lines.append((*nose, STROKE_MM, "black"))
    circles = [(head[0], head[1], r, STROKE_MM, "black")]
    xs = [v for ln in lines for v in (ln[0], ln[2])] + [head[0] - r, head[0] + r]
    ys = [v for ln in lines for v in (ln[1], ln[3])] + [head[1] - r]
    lift = -min(ys) + 0.04
    lines = [(a, b + lift, c, d + lift, w, col) for a, b, c, d, w, col in lines]
    circles = [(x, y + lift, rr, w, col) for x, y, rr, w, col in circles]
    left, right = min(xs), max(xs)
    if "wall" in props:
        left -= 0.06
        lines.append((left, 0, left, 1.9, STROKE_MM * 1.6, GREY))
    if "chair" in props:
        hand = arm[-1]
        back, seat = hand[0] + 0.04, 0.48
        lines += [
            (back, 0, back, hand[1] + lift + 0.03, STROKE_MM, GREY),
            (back, seat, back + 0.4, seat, STROKE_MM, GREY),
            (back + 0.4, 0, back + 0.4, seat, STROKE_MM, GREY),
        ]
        right = max(right, back + 0.4)
    lines.append((left - 0.05, 0, right + 0.05, 0, THIN_MM * 1.5, "black"))  # the floor
    return lines, circles


@functools.cache
def _shipped_picture(exercise_id: str) -> Picture | None:
    entry = poses()["exercises"].get(exercise_id)
    if entry is None:
        return None
    props = entry.get("props", [])
    shapes = [_pose_geometry(entry[k], props) for k in ("start", "end") if k in entry]
    lines: list[Line] = []
    circles: list[Circle] = []
    panels = []
    x0 = PAD_MM
    height = 0.0
    for pose_lines, pose_circles in shapes:
        xs = [v for ln in pose_lines for v in (ln[0], ln[2])]
        ys = [v for ln in pose_lines for v in (ln[1], ln[3])]
        ys += [c[1] + c[2] for c in pose_circles]
        left, width = min(xs), max(xs) - min(xs)
        height = max(height, max(ys))

        def at(x: float, y: float, left: float = left, x0: float = x0) -> tuple[float, float]:
            return x0 + (x - left) * UNIT_MM, PAD_MM + y * UNIT_MM

        lines += [(*at(a, b), *at(c, d), w, col) for a, b, c, d, w, col in pose_lines]
        circles += [(*at(x, y), r * UNIT_MM, w, col) for x, y, r, w, col in pose_circles]
        panels.append((x0, width * UNIT_MM))
        x0 += width * UNIT_MM + GAP_MM
    total_h = height * UNIT_MM + 2 * PAD_MM
    if len(panels) == 2:  # an arrow from the start pose to the end pose
        mid_y = total_h * 0.5
        ax1, ax2 = panels[0][0] + panels[0][1] + 2.5, panels[1][0] - 2.5
        lines += [
            (ax1, mid_y, ax2, mid_y, STROKE_MM * 0.8, "black"),
            (ax2 - 2.5, mid_y + 1.8, ax2, mid_y, STROKE_MM * 0.8, "black"),
            (ax2 - 2.5, mid_y - 1.8, ax2, mid_y, STROKE_MM * 0.8, "black"),
        ]
    return Picture(x0 - GAP_MM + PAD_MM, total_h, tuple(lines), tuple(circles), tuple(panels))


def _image_path(exercise_id: str, catalogue: pd.DataFrame | None) -> str:
    if catalogue is None or "image" not in catalogue.columns:
        return ""
    match = catalogue.loc[catalogue["id"] == exercise_id, "image"]
    return str(match.iloc[0]) if len(match) and isinstance(match.iloc[0], str) else ""


def exercise_picture(exercise_id: str) -> Picture | None:
    """The shipped line drawing of an exercise (start and end pose), or ``None``."""
    return _shipped_picture(exercise_id)


def picture_svg(
    pic: Picture, height_mm: float | None = None, label: str = "", max_width_mm: float = 150.0
) -> str:
    """SVG text of a :class:`Picture`, ``height_mm`` high (its natural size by default) and
    at most ``max_width_mm`` wide."""
    h = min(height_mm or pic.height, max_width_mm * pic.height / pic.width)
    w = pic.width * h / pic.height
    k = h / pic.height  # strokes keep their printed width (millimetres) at any size
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.1f}mm" height="{h:.1f}mm" '
        f'viewBox="0 0 {pic.width:.2f} {pic.height:.2f}" role="img" '
        f"aria-label={quoteattr(label or 'exercise picture')}>",
        f'<g transform="translate(0 {pic.height:.2f}) scale(1 -1)" fill="none" '
        'stroke-linecap="round" stroke-linejoin="round">',
    ]
    out += [
        f'<line x1="{a:.2f}" y1="{b:.2f}" x2="{c:.2f}" y2="{d:.2f}" stroke="{col}" '
        f'stroke-width="{wd / k:.2f}"/>'
        for a, b, c, d, wd, col in pic.lines
    ]
    out += [
        f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{r:.2f}" stroke="{col}" stroke-width="{wd / k:.2f}"/>'
        for x, y, r, wd, col in pic.circles
    ]
    return "\n".join([*out, "</g>", "</svg>"])


def _file_svg(path: str, label: str, height_mm: float, max_width_mm: float) -> str:
    data = Path(path).read_bytes()
    if path.lower().endswith(".svg"):
        mime = "image/svg+xml"
    else:
        mime = "image/png" if path.lower().endswith(".png") else "image/jpeg"
    uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    style = f"max-height:{height_mm:.0f}mm;max-width:min({max_width_mm:.0f}mm,100%)"
    return f'<img src="{uri}" alt={quoteattr(label)} style="{style}">'


def exercise_picture_svg(
    exercise_id: str,
    catalogue: pd.DataFrame | None = None,
    height_mm: float = 35.0,
    max_width_mm: float = 150.0,
) -> str:
    """Markup showing an exercise's picture: SVG for our drawings, ``<img>`` for a clinic's
    own picture (embedded, no network), ``""`` when the exercise has none.

    Use it in HTML, in notebooks (``IPython.display.HTML``) and in ipywidgets ``HTML``.
    """
    image = _image_path(exercise_id, catalogue)
    return picture_markup(exercise_id, image, height_mm, max_width_mm)


def picture_markup(
    exercise_id: str,
    image: str = "",
    height_mm: float = 35.0,
    max_width_mm: float = 150.0,
    label: str | None = None,
) -> str:
    """Like :func:`exercise_picture_svg`, given the clinic's picture file (if any);
    ``label`` is what a screen reader says (the handout passes it in the patient's language)."""
    label = label or f"Picture of {exercise_id}: start and end position"
    if image:
        return _file_svg(image, label, height_mm, max_width_mm)
    pic = exercise_picture(exercise_id)
    return picture_svg(pic, height_mm, label, max_width_mm) if pic else ""


def picture_drawing(exercise_id: str, max_width: float, height: float, image: str = "") -> Any:
    """A ReportLab flowable of the exercise's picture at most ``max_width`` x ``height``
    points (the clinic's ``image`` file when given), or ``None`` when there is none."""
    if image:
        return _file_flowable(image, max_width, height)
    pic = exercise_picture(exercise_id)
    if pic is None:
        return None
    return _drawing(pic, max_width, height)


def _drawing(pic: Picture, max_width: float, height: float) -> Any:
    """A flowable that draws the picture's lines straight onto the PDF canvas (faster than
    a ReportLab ``Drawing``, and it sets no font of its own)."""
    from reportlab.platypus import Flowable

    k = min(height / pic.height, max_width / pic.width)  # points per picture millimetre

    class PictureFlowable(Flowable):
        def __init__(self) -> None:
            super().__init__()
            self.width, self.height, self.hAlign = pic.width * k, pic.height * k, "LEFT"

        def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
            return self.width, self.height

        def draw(self) -> None:
            c, mm = self.canv, 72 / 25.4
            c.setLineCap(1)
            c.setLineJoin(1)
            for a, b, x2, y2, wd, col in pic.lines:  # strokes keep their printed width
                c.setStrokeColor(_colour(col))
                c.setLineWidth(wd * mm)
                c.line(a * k, b * k, x2 * k, y2 * k)
            for x, y, r, wd, col in pic.circles:
                c.setStrokeColor(_colour(col))
                c.setLineWidth(wd * mm)
                c.circle(x * k, y * k, r * k, stroke=1, fill=0)

    return PictureFlowable()


@functools.cache
def _colour(name: str) -> Any:
    from reportlab.lib import colors

    return colors.black if name == "black" else colors.HexColor(name)


def _file_flowable(path: str, max_width: float, height: float) -> Any:
    from reportlab.platypus import Image

    if path.lower().endswith(".svg"):
        return None  # ReportLab cannot draw SVG files; the HTML handout shows them
    img = Image(path)
    scale = min(height / img.imageHeight, max_width / img.imageWidth)
    img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
    img.hAlign = "LEFT"
    return img
