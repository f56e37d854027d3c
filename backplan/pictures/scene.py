"""A picture laid out on paper: panels of posed figures with props, arrows and badges.

Everything here is in millimetres on the printed page, y up, so the SVG and the PDF draw
the very same shapes. :func:`layout` picks the largest scale at which the panels fit the
width and height given (one row, or one panel a row when that is much bigger), so the
figure fills the picture's width; text stays at a fixed point size.

Examples
--------
>>> from backplan.pictures.scene import layout
>>> pic = layout("heel-slides", width_mm=180, height_mm=70)
>>> pic.width <= 180 and pic.height <= 70 + 2 * 12
True
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .body import LAYERS, PART_GROUPS, Figure, figure
from .data import exercise_entry, merged_pose

__all__ = ["Clip", "Picture", "Shape", "Text", "layout"]

Point = tuple[float, float]

#: Colours: a dark accent for what moves (dark grey in greyscale), light for what stays.
INK, MOVE, STILL, FAR, HAIR = "#000000", "#1f4e8c", "#eeeeee", "#cfcfcf", "#8f8f8f"
PROP, PROP_DARK, WHITE, GHOST = "#d9d9d9", "#a6a6a6", "#ffffff", "#333333"
FONT_MM = 25.4 / 72  # one point in mm


@dataclass(frozen=True)
class Shape:
    """A filled and/or stroked outline in mm (``closed`` False: an open line)."""

    points: tuple[Point, ...]
    fill: str | None = None
    stroke: str | None = None
    width: float = 0.0
    closed: bool = True
    dash: tuple[float, ...] = ()


@dataclass(frozen=True)
class Text:
    """Bold text, ``size`` in points, its baseline at ``y``; ``anchor`` start/middle/end."""

    x: float
    y: float
    text: str
    size: float
    colour: str = INK
    anchor: str = "start"


@dataclass(frozen=True)
class Clip:
    """Items drawn only inside the box ``(x0, y0, x1, y1)``."""

    box: tuple[float, float, float, float]
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Panel:
    """Where a panel sits (mm) and what it shows, for tests and the picture sheet."""

    x: float
    y: float
    width: float
    height: float
    zoom: float
    caption: str
    origin: Point  # cm point drawn at (x, y) of the figure area
    scale: float  # mm per cm in this panel


@dataclass(frozen=True)
class Picture:
    """A finished picture: ``items`` in mm (y up) inside ``width`` x ``height``."""

    width: float
    height: float
    items: tuple[Any, ...]
    alt: str
    scale: float  # mm per cm of the body at zoom 1
    panels: tuple[Panel, ...] = ()
    moves: Mapping[str, float] = field(default_factory=dict, compare=False, hash=False)


# --- text widths (DejaVu Sans Bold advance widths, per 1000 units of the em) -------------
_WIDTHS = {c: 696 for c in "0123456789"} | {" ": 348, "×": 838, "-": 415, ".": 380, "°": 500}
_WIDTHS.update(dict(zip("abcdefghijklmnopqrstuvwxyz", (
    675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716,
    493, 595, 478, 712, 652, 924, 645, 652, 582), strict=True)))  # fmt: skip


def text_width(text: str, size: float) -> float:
    """Width in mm of ``text`` in bold at ``size`` points (DejaVu Sans Bold)."""
    return sum(_WIDTHS.get(c.lower(), 760) for c in text) / 1000 * size * FONT_MM


# --- panel content in cm ----------------------------------------------------------------
@dataclass
class _Content:
    shapes: list[tuple[str, Any]]  # ("shape", Shape in cm) or ("arrow", spec)
    box: tuple[float, float, float, float]
    zoom: float
    caption: str
    badges: list[str]
    figures: dict[str, Figure]


def _parts(names: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for n in names:
        out.update(PART_GROUPS.get(n, (n,)))
    return out


def _figure_shapes(f: Figure, moving: set[str], outline: float) -> list[Shape]:
    out: list[Shape] = []
    for layer in LAYERS:
        polys = [
            (name, poly)
            for name in layer
            if name != "tummy" or "tummy" in moving
            for poly in f.parts.get(name, ())
        ]
        out += [Shape(p, INK, INK, outline * 2) for _, p in polys]
        for name, p in polys:
            colour = MOVE if name in moving else (FAR if name.startswith("far") else STILL)
            out.append(Shape(p, colour))
        if "head" in layer:
            hair = f.extras["hair"][1]
            out.append(Shape(hair, MOVE if "head" in moving else HAIR))
            out.append(Shape(f.extras["mouth"][1], None, INK, outline * 0.9, closed=False))
            _, (ex, ey), r = f.extras["eye"]
            eye = WHITE if "head" in moving else INK
            out.append(Shape(tuple(_circle((ex, ey), r * 1.1)), eye))
    return out


def _circle(c: Point, r: float, n: int = 14) -> list[Point]:
    return [
        (c[0] + r * math.cos(2 * math.pi * i / n), c[1] + r * math.sin(2 * math.pi * i / n))
        for i in range(n)
    ]


def _rect(x0: float, y0: float, x1: float, y1: float) -> tuple[Point, ...]:
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _props(entry: Mapping[str, Any], f: Figure, box: list[float], outline: float) -> list:
    """Mat, wall and chair (cm), placed against the body; ``box`` grows to hold them."""
    out: list[Shape] = []
    props = entry.get("props", {})
    if "wall" in props:
        x = min(p[0] for name in ("pelvis", "chest") for poly in f.parts[name] for p in poly)
        top = box[3] + 8
        out.append(Shape(_rect(x - 9, 0, x, top), PROP, INK, outline))
        out += [
            Shape(((x - 9, y), (x, y + 9)), None, PROP_DARK, outline * 1.4, closed=False)
            for y in range(4, int(top) - 9, 12)
        ]
        box[0] = min(box[0], x - 11)
        box[3] = max(box[3], top)
    chair = props.get("chair")
    if chair:
        out += _chair(chair, f, box, outline)
    if "mat" in props:
        x0, x1 = box[0] - 2, box[2] + 2
        out.insert(0, Shape(_rect(x0, -3, x1, 0), PROP_DARK, INK, outline))
        box[1] = min(box[1], -3)
    return out


def _chair(spec: Mapping[str, Any], f: Figure, box: list[float], outline: float) -> list[Shape]:
    """A chair from the side: seat 46 cm high and 42 deep, back 45 cm above the seat. Its
    back stands at the hands (``"hold"``) or behind the seated body (``"sit"``)."""
    seat, depth, back_h, bar = 46.0, 42.0, 46.0, 3.5
    if spec.get("place") == "hold":  # standing behind it, hands on the top of the back
        hx, hy = f.points["near_hand"]
        bx, facing = hx - bar / 2, 1
        top = hy - 3.5
    else:  # sitting on it, the back behind the body
        bx = min(p[0] for poly in f.parts["pelvis"] for p in poly) - bar
        facing, top = 1, seat + back_h
    x_front = bx + facing * depth
    legs = [
        _rect(bx, 0, bx + bar, top),
        _rect(x_front - bar, 0, x_front, seat),
        _rect(min(bx, x_front), seat - bar, max(bx, x_front), seat),
    ]
    out = [Shape(p, PROP_DARK, INK, outline) for p in legs]
    box[0], box[2] = min(box[0], bx - 2), max(box[2], x_front + 2)
    box[3] = max(box[3], top + 2)
    return out


def _bbox(shapes: Iterable[Shape]) -> list[float]:
    xs = [p[0] for s in shapes for p in s.points]
    ys = [p[1] for s in shapes for p in s.points]
    return [min(xs), min(ys), max(xs), max(ys)]


def _content(exercise: str, variant: str, index: int, outline: float) -> _Content:
    entry = exercise_entry(exercise, variant)
    panel = entry["panels"][index]
    pose = merged_pose(entry, panel["pose"])
    moving = _parts(entry.get("moving", []))
    f = figure(pose)
    figures = {"pose": f}
    ghost: list[Shape] = []
    if panel.get("ghost"):
        g = figures["ghost"] = figure(merged_pose(entry, panel["ghost"]))
        ghost = [
            Shape(poly, None, GHOST, outline, dash=(1.4, 1.0))
            for name in sorted(moving)
            for poly in g.parts.get(name, ())
        ]
    body = _figure_shapes(f, set() if panel.get("still") else moving, outline)
    box = _bbox(body + ghost)
    box = [box[0] - 4, min(box[1], 0), box[2] + 4, box[3] + 3]
    props = _props(entry, f, box, outline)
    shapes: list[tuple[str, Any]] = []
    if "mat" not in entry.get("props", {}):
        floor = Shape(((box[0], 0), (box[2], 0)), None, INK, outline * 2.2, closed=False)
        shapes.append(("shape", floor))
    shapes += [("shape", s) for s in [*props, *ghost, *body]]
    for arrow in panel.get("arrows", []):
        spec = _arrow_path(entry, panel, arrow)
        shapes.append(("arrow", spec))
        xs, ys = [p[0] for p in spec["path"]], [p[1] for p in spec["path"]]
        box = [min(box[0], min(xs) - 3), min(box[1], min(ys) - 3),
               max(box[2], max(xs) + 3), max(box[3], max(ys) + 3)]  # fmt: skip
    for mark in panel.get("angles", []):
        shapes += [("shape", s) for s in _angle_mark(f, mark, outline)]
        shapes.append(("label", (f.points[mark["at"]], mark)))
    zoom = float(panel.get("zoom", 1.0))
    if "region" in panel:
        cx, cy = f.points[panel["region"]["around"]]
        dx0, dy0, dx1, dy1 = panel["region"]["box"]
        box = [cx + dx0, cy + dy0, cx + dx1, cy + dy1]
    return _Content(
        shapes, tuple(box), zoom, panel.get("caption", ""), panel.get("badges", []), figures
    )


def _arrow_path(
    entry: Mapping[str, Any], panel: Mapping[str, Any], spec: Mapping[str, Any]
) -> dict:
    """The path (cm) a body point travels from the ``from`` pose to the ``to`` pose, found
    by moving every joint angle a step at a time, pushed ``out`` cm away from ``pivot`` or
    moved by ``offset``; ``straight`` joins the two ends only."""
    a = merged_pose(entry, spec.get("from", panel.get("ghost", "start")))
    b = merged_pose(entry, spec.get("to", panel["pose"]))
    point = spec["track"]
    steps = 2 if spec.get("straight") else 16
    path = [figure(_between(a, b, i / steps)).points[point] for i in range(steps + 1)]
    trim = float(spec.get("trim", 0.12))
    n = len(path) - 1
    if not spec.get("straight"):
        path = path[round(n * trim) : n + 1 - round(n * trim)]
    else:
        (x0, y0), (x1, y1) = path[0], path[-1]
        path = [(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) for t in (trim, 1 - trim)]
    if "pivot" in spec:
        px, py = figure(b).points[spec["pivot"]]
        out = float(spec.get("out", 0))
        path = [
            (x + (x - px) / d * out, y + (y - py) / d * out)
            for x, y in path
            for d in [math.hypot(x - px, y - py) or 1.0]
        ]
    least = float(spec.get("min_cm", 0))
    (x0, y0), (x1, y1) = path[0], path[-1]
    length = math.hypot(x1 - x0, y1 - y0)
    if spec.get("straight") and 0 < length < least:
        k = (least - length) / 2 / length
        path = [(x0 - (x1 - x0) * k, y0 - (y1 - y0) * k), (x1 + (x1 - x0) * k, y1 + (y1 - y0) * k)]
    ox, oy = spec.get("offset", (0, 0))
    return {"path": [(x + ox, y + oy) for x, y in path], "heads": spec.get("heads", 2)}


def _angle_mark(f: Figure, mark: Mapping[str, Any], outline: float) -> list[Shape]:
    """A bend shown as an angle: a dashed line carrying on from the first limb past the
    joint ``at``, and an arc from it to the second limb."""
    a, j, b = (f.points[mark[k]] for k in ("from", "at", "to"))
    on = math.atan2(j[1] - a[1], j[0] - a[0])
    to = math.atan2(b[1] - j[1], b[0] - j[0])
    r = float(mark.get("r", 22))
    line = ((j[0], j[1]), (j[0] + math.cos(on) * r * 1.25, j[1] + math.sin(on) * r * 1.25))
    d = (to - on + math.pi) % (2 * math.pi) - math.pi
    arc = tuple(
        (j[0] + math.cos(on + d * i / 12) * r, j[1] + math.sin(on + d * i / 12) * r)
        for i in range(13)
    )
    return [
        Shape(line, None, INK, outline * 1.6, closed=False, dash=(1.2, 0.9)),
        Shape(arc, None, INK, outline * 2.2, closed=False),
    ]


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _between(a: Mapping[str, Any], b: Mapping[str, Any], t: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in set(a) | set(b):
        va, vb = a.get(k), b.get(k)
        if isinstance(va, Mapping) or isinstance(vb, Mapping):
            out[k] = _between(va or {}, vb or {}, t)
        elif _number(va) or _number(vb):  # a number one pose leaves out is 0 there
            out[k] = (va or 0) + ((vb or 0) - (va or 0)) * t
        else:
            out[k] = vb if vb is not None else va
    return out


# --- marks in mm: arrows, captions, badges ------------------------------------------------
def _arrow(path: Sequence[Point], width: float, heads: int) -> list[Shape]:
    """A thick arrow along ``path`` (mm) with a white halo, heads at one or both ends."""
    head_len, head_w = width * 4.2, width * 3.4
    pts = list(path)

    def head(tip: Point, prev: Point) -> tuple[tuple[Point, ...], Point]:
        dx, dy = tip[0] - prev[0], tip[1] - prev[1]
        d = math.hypot(dx, dy) or 1.0
        ux, uy = dx / d, dy / d
        base = (tip[0] - ux * head_len, tip[1] - uy * head_len)
        left = (base[0] - uy * head_w / 2, base[1] + ux * head_w / 2)
        right = (base[0] + uy * head_w / 2, base[1] - ux * head_w / 2)
        return (tip, left, right), (tip[0] - ux * head_len * 0.8, tip[1] - uy * head_len * 0.8)

    heads_out = []
    end_head, end_stem = head(pts[-1], _back_along(pts, head_len))
    heads_out.append(end_head)
    stem = [*pts[:-1], end_stem]
    if heads == 2:
        start_head, start_stem = head(pts[0], _back_along(pts[::-1], head_len))
        heads_out.append(start_head)
        stem = [start_stem, *stem[1:]]
    stem = tuple(stem)
    out = [Shape(stem, None, WHITE, width * 2.6, closed=False)]
    out += [Shape(h, WHITE, WHITE, width * 1.6) for h in heads_out]
    out.append(Shape(stem, None, INK, width, closed=False))
    out += [Shape(h, INK, INK, width * 0.4) for h in heads_out]
    return out


def _back_along(pts: Sequence[Point], length: float) -> Point:
    """The point ``length`` back along the path from its end (for the arrow head's axis)."""
    tip = pts[-1]
    for p in reversed(pts[:-1]):
        if math.hypot(p[0] - tip[0], p[1] - tip[1]) >= length:
            return p
    return pts[0]


def _badge(x: float, y: float, text: str, size: float, dark: bool) -> tuple[list, float]:
    """A rounded box with ``text`` whose bottom-left corner is at (x, y); returns its width."""
    pad, h = size * FONT_MM * 0.45, size * FONT_MM * 1.45
    w = text_width(text, size) + 2 * pad
    r = h * 0.3
    pts = (
        _arc((x + w - r, y + r), r, -90, 0) + _arc((x + w - r, y + h - r), r, 0, 90)
        + _arc((x + r, y + h - r), r, 90, 180) + _arc((x + r, y + r), r, 180, 270)
    )  # fmt: skip
    fill, ink = (INK, WHITE) if dark else (WHITE, INK)
    box = Shape(tuple(pts), fill, INK, size * 0.025)
    return [box, Text(x + pad, y + h * 0.28, text, size, ink)], w


def _arc(c: Point, r: float, a0: float, a1: float) -> list[Point]:
    return [
        (c[0] + r * math.cos(math.radians(a)), c[1] + r * math.sin(math.radians(a)))
        for a in (a0, (a0 + a1) / 2, a1)
    ]


def _caption_items(
    x: float, y: float, width: float, number: int, caption: str, badges: list[str], size: float
) -> list[Any]:
    """The row under a panel: a numbered dot, the caption, then the badges at the right."""
    h = size * FONT_MM * 1.45
    r = h * 0.46
    items: list[Any] = [Shape(tuple(_circle((x + r, y + h / 2), r, 20)), INK)]
    items.append(Text(x + r, y + h * 0.28, str(number), size, WHITE, "middle"))
    if caption:
        items.append(Text(x + 2 * r + size * FONT_MM * 0.35, y + h * 0.28, caption, size))
    bx = x + width
    for text in reversed(badges):
        w = text_width(text, size) + size * FONT_MM * 0.9
        bx -= w
        items += _badge(bx, y, text, size, dark=text.startswith("hold"))[0]
        bx -= size * FONT_MM * 0.5
    return items


def caption_width(number: int, caption: str, badges: list[str], size: float) -> float:
    """The least width (mm) of a panel's caption row."""
    h = size * FONT_MM * 1.45
    w = h * 0.92 + size * FONT_MM * 0.35 + text_width(caption, size)
    w += sum(text_width(t, size) + size * FONT_MM * 1.4 for t in badges)
    return w + (size * FONT_MM if badges else 0)


# --- layout -------------------------------------------------------------------------------
GAP_MM = 5.0


def _rows(n: int) -> list[list[list[int]]]:
    """Ways to place ``n`` panels: one row; one panel a row; two a row."""
    options = [[list(range(n))]]
    if n > 1:
        options.append([[i] for i in range(n)])
    if n > 2:
        options.append([list(range(i, min(i + 2, n))) for i in range(0, n, 2)])
    return options


def _fit(
    contents: list[_Content], rows: list[list[int]], width: float, height: float, size: float,
    captions: list[float],
) -> float:  # fmt: skip
    """The largest scale (mm per cm) at which ``rows`` fit ``width`` x ``height``."""
    cap_h = size * FONT_MM * 1.45 + 2.0
    room_h = height - len(rows) * cap_h - (len(rows) - 1) * GAP_MM
    scale = room_h / sum(
        max((contents[i].box[3] - contents[i].box[1]) * contents[i].zoom for i in row)
        for row in rows
    )
    for row in rows:
        room = width - (len(row) - 1) * GAP_MM
        widths = [(contents[i].box[2] - contents[i].box[0]) * contents[i].zoom for i in row]
        scale = min(scale, room / sum(widths))
        # a panel narrower than its caption row is widened: shrink until all fit
        for _ in range(30):
            total = sum(max(w * scale, captions[i]) for w, i in zip(widths, row, strict=True))
            if total <= room:
                break
            scale *= min(room / total, 0.9995)
    return scale


def layout(
    exercise: str,
    variant: str = "",
    *,
    width_mm: float,
    height_mm: float,
    text_pt: float = 12.0,
    outline_mm: float = 0.45,
    numbers: Mapping[str, str] | None = None,
    prefer_rows: float = 1.25,
    at_least: float = 0.0,
) -> Picture:
    """Lay out an exercise's panels within ``width_mm`` (the figure area at most
    ``height_mm`` high, captions below each panel) at the largest scale that fits.

    ``numbers`` fills the badges: ``{"hold": "hold 5 s", "reps": "×10"}``; a badge with no
    text given shows its plain word ("hold", "repeat"). Stacking the panels one a row is
    used when it makes the figure at least ``prefer_rows`` times bigger than one row, or
    when one row cannot reach the scale ``at_least`` (mm per cm) and stacking gets closer.
    """
    return _layout(exercise, variant, width_mm, height_mm, text_pt, outline_mm,
                   tuple(sorted((numbers or {}).items())), prefer_rows, at_least)  # fmt: skip


@functools.lru_cache(maxsize=256)
def _layout(
    exercise: str, variant: str, width: float, height: float, size: float, outline: float,
    numbers: tuple[tuple[str, str], ...], prefer_rows: float, at_least: float,
) -> Picture:  # fmt: skip
    entry = exercise_entry(exercise, variant)
    texts = {"hold": "hold", "reps": "repeat", **dict(numbers)}
    contents = [_content(exercise, variant, i, outline) for i in range(len(entry["panels"]))]
    for c in contents:
        c.badges = [texts.get(b, b) for b in c.badges]
    captions = [caption_width(i + 1, c.caption, c.badges, size) for i, c in enumerate(contents)]
    best: tuple[float, list[list[int]]] | None = None
    for rows in _rows(len(contents)):
        s = _fit(contents, rows, width, height, size, captions)
        short = best is not None and best[0] < at_least and s > best[0]
        if best is None or s > best[0] * prefer_rows or short:
            best = (s, rows)
    assert best is not None
    scale, rows = best
    cap_h = size * FONT_MM * 1.45 + 2.0
    items: list[Any] = []
    panels: list[Panel] = []
    row_heights = [
        max((contents[i].box[3] - contents[i].box[1]) * contents[i].zoom for i in row) * scale
        for row in rows
    ]
    total_h = sum(row_heights) + len(rows) * cap_h + (len(rows) - 1) * GAP_MM
    y_top = total_h
    pic_w = 0.0
    for row, row_h in zip(rows, row_heights, strict=True):
        x = 0.0
        y_fig = y_top - row_h
        for i in row:
            c = contents[i]
            k = scale * c.zoom
            fig_w = (c.box[2] - c.box[0]) * k
            w = max(fig_w, captions[i])
            fx = x + (w - fig_w) / 2
            origin = (c.box[0], c.box[1])
            fy = y_fig + (row_h - (c.box[3] - c.box[1]) * k) / 2 if c.zoom != 1 else y_fig

            def tr(
                p: Point, fx: float = fx, fy: float = fy, k: float = k, o: Point = origin
            ) -> Point:
                return fx + (p[0] - o[0]) * k, fy + (p[1] - o[1]) * k

            drawn: list[Any] = []
            for kind, obj in c.shapes:
                if kind == "label":
                    (px, py), mark = obj
                    dx, dy = mark.get("label_at", (8, 8))
                    lx, ly = tr((px + dx, py + dy))
                    drawn.append(Text(lx, ly, mark["label"], size))
                    continue
                if kind == "shape":
                    drawn.append(
                        Shape(
                            tuple(tr(p) for p in obj.points),
                            obj.fill,
                            obj.stroke,
                            obj.width,
                            obj.closed,
                            obj.dash,
                        )
                    )
                else:
                    aw = 0.75 + size * 0.02
                    drawn += _arrow([tr(p) for p in obj["path"]], aw, obj["heads"])
            fig_box = (fx, fy, fx + fig_w, fy + (c.box[3] - c.box[1]) * k)
            items.append(Clip(fig_box, tuple(drawn)))  # nothing strays out of its panel
            if c.zoom != 1:
                items.append(Shape(_rect(*fig_box), None, INK, outline * 2))
            items += _caption_items(x, y_fig - cap_h + 0.5, w, i + 1, c.caption, c.badges, size)
            panels.append(Panel(fx, fy, fig_w, fig_box[3] - fy, c.zoom, c.caption, origin, k))
            x += w + GAP_MM
        pic_w = max(pic_w, x - GAP_MM)
        y_top = y_fig - cap_h - GAP_MM
    alt = alt_text(exercise, variant, texts)
    moves = _moves(exercise, variant, panels)
    return Picture(pic_w, total_h, tuple(items), alt, scale, tuple(panels), moves)


def alt_text(exercise: str, variant: str, texts: Mapping[str, str]) -> str:
    """The picture in words (for screen readers and the PDF), with the badges' numbers."""
    entry = exercise_entry(exercise, variant)
    words = [entry["alt"]]
    badges = {b for p in entry["panels"] for b in p.get("badges", [])}
    if "hold" in badges and texts.get("hold", "hold") != "hold":
        words.append(texts["hold"].replace("hold", "Hold").replace(" s", " seconds") + ".")
    if "reps" in badges and texts.get("reps", "repeat") != "repeat":
        each = f" on each {texts['side']}" if texts.get("side") else ""
        words.append(f"Do it {texts['reps'].lstrip('×')} times{each}.")
    return " ".join(words)


def _moves(exercise: str, variant: str, panels: Sequence[Panel]) -> dict[str, float]:
    """Each listed key movement's size on paper (mm), in the panel that shows it biggest."""
    entry = exercise_entry(exercise, variant)
    out: dict[str, float] = {}
    for spec in entry.get("measure", []):
        a = figure(merged_pose(entry, spec["from"])).points[spec["point"]]
        b = figure(merged_pose(entry, spec["to"])).points[spec["point"]]
        cm = math.hypot(b[0] - a[0], b[1] - a[1])
        out[spec["name"]] = cm * panels[spec.get("panel", -1)].scale
    return out
