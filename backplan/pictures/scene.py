"""A picture laid out on paper: panels of posed figures with props, arrows and labels.

Everything here is in millimetres on the printed page, y up, so the SVG and the PDF draw
the very same shapes. :func:`layout` picks the largest scale at which the panels fit the
width and height given (one row, one panel a row, or rows of two; it may leave out the
start panel, whose pose the next panel shows as a thick dashed outline), never
above ``at_most`` mm per cm of body. Text, arrows and labels have fixed sizes on paper,
whatever the scale: an arrow's shaft is never shorter than 15 mm between its heads (unless
the arrow sets its own ``shaft_mm`` in ``data/poses.json``: the tummy squeeze's short one).

Step panels carry a numbered caption; a close-up has no number (it shows the same moment
larger) and is tied to the place it magnifies by a light grey ring and a line. The badges ("hold 5
seconds", "10 times") come once, after the last step.

Examples
--------
>>> from backplan.pictures.scene import layout
>>> pic = layout("heel-slides", width_mm=180, height_mm=70)
>>> pic.width <= 180 and pic.height <= 70 + 1e-6
True
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..words import Words, words_for
from .body import LAYERS, PART_GROUPS, Figure, figure
from .data import exercise_entry, merged_pose

__all__ = ["Clip", "Picture", "Shape", "Text", "layout", "measure", "picture_key"]

Point = tuple[float, float]

#: Colours: a dark accent for what moves (dark grey in greyscale), light for what stays.
INK, MOVE, STILL, FAR, HAIR = "#000000", "#1f4e8c", "#eeeeee", "#ababab", "#8f8f8f"
#: The far side's moving parts (the second knee pulled in behind the first): a lighter blue.
MOVE_FAR = "#6f93c4"
PROP, PROP_DARK, WHITE, GHOST = "#d9d9d9", "#a6a6a6", "#ffffff", "#404040"
#: A close-up's ring round the place it magnifies, and the line to it: mid grey, thinner
#: than a frame (round 17: a black rectangle round the feet, on the floor line, read as a
#: box or a step to stand on).
MARKER = "#7a7a7a"
#: The fill of where you start, inside its thick dashed outline: a light grey, lighter than
#: the still body, so the start reads as a body part wherever a piece of it shows (round 19:
#: white on white, the wall squats' start legs showed only as their two dashed edges) and
#: never as the mid grey other leg (blind test round 9: a grey start read as a third leg);
#: the fill hides the outline's inner half and the lines of the parts it covers, so the
#: start shows as one dashed shape (round 3: not a faint line).
START = "#f5f5f5"
#: The start's dashed outline: its width in outlines (half of it shows outside the fill:
#: 0.81 mm in clear print, 1.08 mm in large print) and its dash and gap (mm).
START_LINE, START_DASH = 3.6, (2.4, 1.4)
FONT_MM = 25.4 / 72  # one point in mm
#: The least length of an arrow's shaft between its heads, mm on paper.
SHAFT_MM = 15.0


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
    index: int = 0  # the panel's place in data/poses.json
    arrows: tuple[tuple[tuple[Point, ...], int], ...] = ()  # paths on paper (mm), heads


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


# --- text: widths as the PDF prints it, words in the picture's language -----------------
@functools.lru_cache(maxsize=8192)
def text_width(text: str, size: float) -> float:
    """Width in mm of ``text`` in bold at ``size`` points, as the PDF handout prints it
    (DejaVu Sans Bold; another script in its own face, shaped)."""
    from ..handout.fonts import BOLD
    from ..handout.pdf_text import text_width as printed

    return printed(text, BOLD, size) * FONT_MM


@functools.lru_cache(maxsize=64)
def _words(language: str) -> Words:
    return words_for(language)


def picture_word(exercise: str, text: str, language: str) -> str:
    """A caption, label or description of ``exercise``'s picture (``data/poses.json``) in
    ``language``: its catalogue translation (context ``picture:<exercise>``), or the
    English when the language file has none (a clinic's own edit of the poses)."""
    if not text or language == "en":
        return text
    return _words(language).data(f"picture:{exercise}", text) or text


def _label_size(text: str, size: float) -> tuple[float, float]:
    """Width and height (mm) of a label's white tag."""
    return text_width(text, size) + size * FONT_MM * 0.8, size * FONT_MM * 1.4


# --- panel content in cm ----------------------------------------------------------------
@dataclass
class _Content:
    shapes: list[tuple[str, Any]]  # ("shape", Shape in cm), ("arrow", spec), ("label", ...)
    box: tuple[float, float, float, float]
    zoom: float
    caption: str
    figures: dict[str, Figure]
    closeup: bool
    region: tuple[float, float, float, float] | None  # cm box a close-up magnifies
    of: int  # the panel a close-up magnifies
    front: bool = False  # the frame on the drawing magnified goes in front of the body
    low: bool = False  # a close-up at the foot of its row, just above its caption
    beside: bool = False  # the start pose drawn whole beside the figure (``start_beside``)


def _parts(names: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for n in names:
        out.update(PART_GROUPS.get(n, (n,)))
    return out


def _figure_shapes(
    f: Figure, moving: set[str], outline: float, hidden: set[str], arms_behind: bool | str,
    shaded: frozenset[str] = frozenset(),
) -> list[Shape]:  # fmt: skip
    out: list[Shape] = []
    layers = list(LAYERS)
    if arms_behind == "whole":  # hands behind the thighs: the whole near arm behind the
        # near leg, the fingers showing where they curl round the back of the thigh
        layers[3:5] = [layers[4], layers[3]]
    elif arms_behind:  # hands round the shins: the near arm goes behind the near leg, its
        # hand comes round the front of the shin, in front of the leg
        arm = tuple(n for n in layers[4] if n != "near_hand")
        layers[3:5] = [arm, layers[3], ("near_hand",)]
    for layer in layers:
        polys = [
            (name, poly)
            for name in layer
            if (name != "tummy" or "tummy" in moving) and name not in hidden
            for poly in f.parts.get(name, ())
        ]
        out += [Shape(p, INK, INK, outline * 2) for _, p in polys]
        out += [Shape(p, _colour(name, moving, shaded)) for name, p in polys]
        for name in layer:  # each finger outlined on the hand, so the fingers show apart
            pieces = [] if name in hidden else _fingers(f, name)
            fill = _colour(name, moving, shaded)
            out += [Shape(p, fill, INK, outline * 0.8) for p in pieces]
        for which in ("far", "near"):
            if f"{which}_foot" in layer and f"{which}_foot" not in hidden:
                ink = WHITE if f"{which}_foot" in moving else INK
                crease = f.extras[f"{which}_toes"][1]
                out.append(Shape(crease, None, ink, outline * 0.9, closed=False))
        if "chest" in layer and "back_blade" in f.extras:  # a back seen lying face down
            out.append(Shape(f.extras["back_blade"][1], None, INK, outline, closed=False))
        if "chest" in layer and "rib_line" in f.extras:  # the rib cage's lower edge: bold,
            # black on a white edge so it shows on the dark drawn-in tummy too
            rib = f.extras["rib_line"][1]
            out.append(Shape(rib, None, WHITE, outline * 4.0, closed=False))
            out.append(Shape(rib, None, INK, outline * 2.2, closed=False))
        if "head" in layer and "head" not in hidden:
            hair = f.extras["hair"][1]
            out.append(Shape(hair, MOVE if "head" in moving else HAIR))
            if "ear" in f.extras:  # the back of a head turned away: skin, on the hair
                out.append(Shape(f.extras["ear"][1], STILL, INK, outline * 0.9))
            for line in f.extras:  # the mouth, a nose seen from the front; hair lines
                if line == "mouth" or line.startswith(("hair_line", "face_line")):
                    out.append(Shape(f.extras[line][1], None, INK, outline * 0.9, closed=False))
            for eye in ("eye", "eye2"):  # a face seen from the side has one eye
                if eye in f.extras:
                    _, (ex, ey), r = f.extras[eye]
                    dot = tuple(_circle((ex, ey), r * 1.1))
                    out.append(Shape(dot, WHITE if "head" in moving else INK))
    return out


def _colour(name: str, moving: set[str], shaded: frozenset[str]) -> str:
    """A part's fill: dark blue when it moves (lighter blue on the far side), light when
    still (mid grey on the far side, or when picked out with ``shade``)."""
    far = name.startswith("far")
    if name in moving:
        return MOVE_FAR if far else MOVE
    return FAR if far or name in shaded else STILL


def _fingers(f: Figure, name: str) -> list[tuple[Point, ...]]:
    """The finger and thumb outlines of a hand drawn with fingers (none for other parts)."""
    if not name.endswith("_hand"):
        return []
    side = name.removesuffix("_hand")
    return [f.extras[k][1] for k in sorted(f.extras) if k.startswith(f"{side}_finger")]


def _circle(c: Point, r: float, n: int = 14) -> list[Point]:
    return _ellipse(c, r, r, n)


def _ellipse(c: Point, a: float, b: float, n: int) -> list[Point]:
    """``n`` points round an ellipse centred on ``c``, half-axes ``a`` across, ``b`` up."""
    return [
        (c[0] + a * math.cos(2 * math.pi * i / n), c[1] + b * math.sin(2 * math.pi * i / n))
        for i in range(n)
    ]


def _rect(x0: float, y0: float, x1: float, y1: float) -> tuple[Point, ...]:
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _grow(box: list[float], pts: Iterable[Point], pad: float = 0.0) -> None:
    for x, y in pts:
        box[0], box[1] = min(box[0], x - pad), min(box[1], y - pad)
        box[2], box[3] = max(box[2], x + pad), max(box[3], y + pad)


def _props(entry: Mapping[str, Any], f: Figure, box: list[float], outline: float) -> list:
    """Mat, wall and chair (cm), placed against the body; ``box`` grows to hold them."""
    out: list[Shape] = []
    props = entry.get("props", {})
    if "wall" in props:
        x = _wall_x(f)
        top = box[3]  # just above the head (3 cm): no height spent on bare wall
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


def _start_beside(
    entry: Mapping[str, Any], spec: Mapping[str, Any], g: Figure, moving: set[str],
    outline: float, box: list[float], rtl: bool,
) -> list[Shape]:  # fmt: skip
    """The start pose ``g`` drawn whole beside the figure, ``spec["zoom"]`` times its size,
    against its own wall (to 1 cm above the head), on its own floor, ``spec["gap"]`` cm
    away: before it in reading order (on its left; on its right on a right-to-left page).
    ``box`` grows to hold it."""
    z, gap = float(spec.get("zoom", 1.0)), float(spec.get("gap", 12.0))
    body = _figure_shapes(g, moving, outline, set(), entry.get("arms_behind", False))
    wall = _wall_x(g)
    reach = (max(x for sh in body for x, _ in sh.points) - wall) * z
    x = box[2] + gap + 11 if rtl else box[0] - gap - 2 - reach  # its wall's front
    top = max(y for sh in body for _, y in sh.points) * z + 1
    out = [Shape(((x - 11, 0), (x + reach + 2, 0)), None, INK, outline * 2.2, closed=False)]
    out.append(Shape(_rect(x - 9, 0, x, top), PROP, INK, outline))
    out += [
        Shape(((x - 9, y), (x, y + 9)), None, PROP_DARK, outline * 1.4, closed=False)
        for y in range(4, int(top) - 9, 12)
    ]
    out += [
        replace(sh, points=tuple((x + (px - wall) * z, py * z) for px, py in sh.points))
        for sh in body
    ]
    box[0], box[2], box[3] = min(box[0], x - 11), max(box[2], x + reach + 2), max(box[3], top)
    return out


def _wall_x(f: Figure) -> float:
    """Where a wall behind the body stands: at the back of the pelvis or the chest."""
    return min(p[0] for name in ("pelvis", "chest") for poly in f.parts[name] for p in poly)


#: A chair from the side, seen a little from above: seat 46 cm high and 42 deep, a back 46
#: cm above the seat with a backrest board, its far side drawn lighter, up and to the right.
CHAIR = {"seat": 46.0, "depth": 42.0, "back": 46.0, "bar": 3.2, "far": (7.0, 5.0)}


def _chair(spec: Mapping[str, Any], f: Figure, box: list[float], outline: float) -> list[Shape]:
    """The chair: its back at ``spec["x"]`` cm from the hip joint (``"hold"``: standing
    behind it, hands on the top of its back) or behind the seated body (``"sit"``)."""
    seat, depth, back_h, bar = CHAIR["seat"], CHAIR["depth"], CHAIR["back"], CHAIR["bar"]
    fx, fy = CHAIR["far"]
    if spec.get("place") == "hold":
        bx = float(spec.get("x", 40.0))
    else:
        bx = min(p[0] for poly in f.parts["pelvis"] for p in poly) - bar
    top = seat + back_h
    front = bx + depth

    def side(dx: float, dy: float, fill: str) -> list[Shape]:
        parts = [
            _rect(bx + dx, dy, bx + bar + dx, top + dy),  # back leg and post
            _rect(front - bar + dx, dy, front + dx, seat + dy),  # front leg
        ]
        return [Shape(p, fill, INK, outline) for p in parts]

    out = side(fx, fy, PROP)  # the far side, behind
    board = (
        (bx + bar, top - 3), (bx + bar + fx, top - 3 + fy), (bx + bar + fx, top - 16 + fy),
        (bx + bar, top - 16),
    )  # fmt: skip
    seat_top = ((bx, seat), (front, seat), (front + fx, seat + fy), (bx + fx, seat + fy))
    out += [Shape(board, PROP, INK, outline), Shape(seat_top, PROP, INK, outline)]
    out.append(Shape(_rect(bx, seat - bar, front, seat), PROP_DARK, INK, outline))  # seat edge
    rail = ((bx - 0.5, top - 3.5), (bx + fx + bar + 0.5, top + fy - 3.5),
            (bx + fx + bar + 0.5, top + fy + 0.5), (bx - 0.5, top + 0.5))  # fmt: skip
    out.append(Shape(rail, PROP_DARK, INK, outline))  # the top of the back, held
    out += side(0.0, 0.0, PROP_DARK)  # the near side
    _grow(box, [(bx - 2, 0), (front + fx + 2, top + fy + 2)])
    return out


def _bbox(shapes: Iterable[Shape]) -> list[float]:
    xs = [p[0] for s in shapes for p in s.points]
    ys = [p[1] for s in shapes for p in s.points]
    return [min(xs), min(ys), max(xs), max(ys)]


def _point(f: Figure, name: str | Sequence[Any]) -> Point:
    """A named body point, or ``[name, dx, dy]``: that point moved by dx, dy cm."""
    if isinstance(name, str):
        return f.points[name]
    base, dx, dy = name
    x, y = f.points[base]
    return x + dx, y + dy


@functools.lru_cache(maxsize=1024)
def _content(
    exercise: str, variant: str, index: int, outline: float, size: float, hint: float,
    language: str = "en", alone: bool = False,
) -> _Content:  # fmt: skip
    """Panel ``index`` in cm, its words in ``language``. ``hint`` is the scale (mm per cm)
    it will likely be drawn at, so that arrows and labels, whose sizes are fixed on paper,
    get room in the box. ``alone``: the start panel is left out (a ghost marked
    ``"ghost": "alone"`` in ``ghost_when`` is drawn only then)."""
    entry = exercise_entry(exercise, variant)

    def said(text: str) -> str:
        return picture_word(exercise, text, language)

    panel = entry["panels"][index]
    pose = merged_pose(entry, panel["pose"])
    moving = set() if panel.get("still") else _parts(entry.get("moving", []))
    hidden = _parts(panel.get("hide", []))
    f = figure(pose)
    figures = {"pose": f}
    ghost: list[Shape] = []
    if panel.get("ghost"):
        g = figures["ghost"] = figure(merged_pose(entry, panel["ghost"]))
    if panel.get("ghost") and (alone or panel.get("ghost_when") != "alone"):
        polys = [
            poly
            for name in sorted(_parts(entry.get("ghost_parts", entry.get("moving", []))) - hidden)
            if name != "tummy"
            for poly in g.parts.get(name, ())
        ]  # a thick dashed outline round the whole, filled light grey: seen on poor prints
        ghost = [Shape(poly, None, GHOST, outline * START_LINE, dash=START_DASH) for poly in polys]
        ghost += [Shape(poly, START) for poly in polys]
        if "tummy" in moving:  # the relaxed tummy's outline, dashed, behind the solid
            # drawn-in one (round 14: the change shows inside one drawing); round 17: as
            # bold as the start's dashed outline elsewhere
            line = g.extras["relaxed_tummy"][1]
            ghost.append(Shape(line, None, GHOST, outline * 2.8, closed=False, dash=(2.0, 1.3)))
    shaded = frozenset(_parts(panel.get("shade", [])))  # still parts to pick out: mid grey
    body = _figure_shapes(f, moving, outline, hidden, entry.get("arms_behind", False), shaded)
    box = _bbox([s for s in body + ghost])
    box = [box[0] - 4, min(box[1], 0), box[2] + 4, box[3] + 3]
    if ghost:  # the floor reaches under the whole start pose, also its parts left undrawn
        xs = [x for polys in g.parts.values() for poly in polys for x, _ in poly]
        box[0], box[2] = min(box[0], min(xs) - 2), max(box[2], max(xs) + 2)
    if "region" in panel and size:  # the mat or the floor reaches across the whole
        # close-up
        x0, _, x1, _ = panel["region"]["box"]
        cx = _point(f, panel["region"]["around"])[0]
        box[0], box[2] = min(box[0], cx + x0), max(box[2], cx + x1)
    props = _props(entry, f, box, outline)
    shapes: list[tuple[str, Any]] = []
    if "mat" not in entry.get("props", {}):  # (under a close-up's ring too, see _link)
        x0, x1 = _under_ring(entry, index, box) if size else (box[0], box[2])
        floor = Shape(((x0, 0), (x1, 0)), None, INK, outline * 2.2, closed=False)
        shapes.append(("shape", floor))
    shapes += [("shape", s) for s in [*props, *ghost, *body]]
    for mark in panel.get("angles", []) if size else ():
        shapes += [("shape", s) for s in _angle_mark(f, mark, outline)]
        if mark.get("label"):  # else the caption says it
            at = _point(f, mark["at"])
            dx, dy = mark.get("label_at", (8, 8))
            text = said(mark["label"])
            shapes.append(("label", ((at[0] + dx, at[1] + dy), None, text, "middle")))
    zoom = float(panel.get("zoom", 1.0)) if size else 1.0
    k = hint * zoom  # mm per cm in this panel
    for mark in panel.get("marks", []) if size else ():
        shapes += _mark(figures, {**mark, "text": said(mark.get("text", ""))}, outline, box)
    aw = arrow_width(size)
    for arrow in panel.get("arrows", []):
        spec = _arrow_path(entry, panel, arrow)
        spec["shaft_mm"] = float(arrow.get("shaft_mm", SHAFT_MM))  # round 17: one may be
        # shorter (the tummy squeeze: about the gap it spans and its head)
        least = 1.1 * (spec["shaft_mm"] + spec["heads"] * aw * 4.2) / k if size else 0.0
        spec["tip_fixed"] = bool(arrow.get("tip_fixed"))
        spec["path"] = _lengthen(spec["path"], least, spec["tip_fixed"])
        shapes.append(("arrow", spec))
        _grow(box, spec["path"], pad=aw * 2.5 / k)
    for kind, item in shapes:
        if kind == "label":
            (x, y), _, text, anchor = item
            w, h = (v / k for v in _label_size(text, size))
            x0 = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
            _grow(box, [(x0, y - h / 2), (x0 + w, y + h / 2)], pad=0.5)
    beside = bool(alone and size and panel.get("start_beside"))  # round 19: the start
    if beside:  # drawn whole beside the figure, where large print leaves out its drawing
        rtl = _words(language).direction == "rtl"
        start = _start_beside(entry, panel["start_beside"], g, moving, outline, box, rtl)
        shapes = [("shape", s) for s in start] + shapes
    region = None
    if "region" in panel and size:  # a thumbnail (no words) draws the whole figure
        cx, cy = _point(f, panel["region"]["around"])
        dx0, dy0, dx1, dy1 = panel["region"]["box"]
        region = (cx + dx0, cy + dy0, cx + dx1, cy + dy1)
        box = list(region)
        shapes = [(kind, _inside(obj, region) if kind == "arrow" else obj) for kind, obj in shapes]
    # a numbered step: a drawing, unless marked ``"step": false`` (ankle lifts: the setting
    # above numbered close-ups); a close-up only when marked ``"step": true``
    closeup = not panel.get("step", "region" not in panel)
    of = panel.get("of", index - 1)  # null: a close-up of no drawing (the pose alone)
    of = -1 if of is None else int(of)
    front = bool(panel.get("region", {}).get("front"))
    low = bool(panel.get("region", {}).get("low"))
    caption = panel.get("caption", "")
    if alone and panel.get("caption_alone"):  # no start drawing: this caption says the start
        caption = panel["caption_alone"]
    caption = said(caption)
    return _Content(shapes, tuple(box), zoom, caption, figures, closeup, region, of, front, low,
                    beside)  # fmt: skip


def _under_ring(entry: Mapping[str, Any], index: int, box: Sequence[float]) -> Point:
    """How far (cm) the floor of panel ``index`` reaches: across its ``box`` and under the
    ring a close-up of it draws round its region (the ring does not hang past the floor's
    end; the panel's edges still cut it)."""
    x0, x1 = box[0], box[2]
    for j, other in enumerate(entry["panels"]):
        if "region" in other and other.get("of", j - 1) == index:
            cx = _point(figure(merged_pose(entry, other["pose"])), other["region"]["around"])[0]
            r0, _, r1, _ = other["region"]["box"]
            slack = (r1 - r0) * (RING - 1) / 2
            x0, x1 = min(x0, cx + r0 - slack), max(x1, cx + r1 + slack)
    return x0, x1


def _inside(spec: dict, box: tuple[float, float, float, float]) -> dict:
    """An arrow moved (not shortened) so that it lies inside a close-up's ``box`` (cm)
    where it fits: its least length on paper can make it longer than the room left where
    it was drawn (an arrow already inside stays where it is)."""
    xs, ys = [p[0] for p in spec["path"]], [p[1] for p in spec["path"]]

    def shift(lo: float, hi: float, low: float, high: float) -> float:
        if hi - lo > high - low:
            return 0.0
        return max(low - lo, 0.0) + min(high - hi, 0.0)

    dx = shift(min(xs), max(xs), box[0], box[2])
    dy = shift(min(ys), max(ys), box[1], box[3])
    return {**spec, "path": [(x + dx, y + dy) for x, y in spec["path"]]}


def _mark(
    figures: Mapping[str, Figure], mark: Mapping[str, Any], outline: float, box: list[float]
) -> list:
    """A label with a leader line, a distance along the floor, or a level line (cm), on
    the panel's pose (or, with ``"pose": "ghost"``, on its dashed earlier pose)."""
    f = figures["ghost" if mark.get("pose") == "ghost" else "pose"]
    kind = mark.get("kind", "label")
    out: list[tuple[str, Any]] = []
    if kind == "label":
        target = _point(f, mark["at"])
        x, y = target[0] + mark.get("dx", 0), target[1] + mark.get("dy", 0)
        leader = target if (mark.get("dx") or mark.get("dy")) else None
        out.append(("label", ((x, y), leader, mark["text"], mark.get("anchor", "middle"))))
    elif kind == "distance":  # a thick two-headed arrow under the floor, its label under it
        x0 = _wall_x(f) if mark["from"] == "wall" else _point(f, mark["from"])[0]
        x1 = _point(f, mark["to"])[0]
        y = float(mark.get("y", -6))
        out += _span((x0, y), (x1, y), outline)
        if mark.get("text"):  # under the line (or said in the panel's caption instead)
            out.append(("label", (((x0 + x1) / 2, y - 5), None, mark["text"], "middle")))
        _grow(box, [(x0, y - 3.6), (x1, y + 3.6)])
    elif kind == "height":  # an upright two-headed arrow beside a point, floor to its
        # height, its label under the floor, ending at it (beside it, the picture would be
        # narrower)
        px, top = _point(f, mark["at"])
        x = px + float(mark.get("dx", 6))
        out += _span((x, 0.0), (x, top), outline)
        out.append(("label", ((x + 3, -6.5), None, mark["text"], "end")))
        _grow(box, [(x - 3.6, -3.6), (x + 3.6, top)])
    elif kind == "gap":  # a bracket from the floor up to the lowest point of a part (a
        # foot just off the floor), ``dx`` cm beside it, its label under the floor
        low = min((p for poly in f.parts[mark["part"]] for p in poly), key=lambda p: p[1])
        x, top, tick = low[0] + float(mark.get("dx", 0)), low[1], float(mark.get("tick", 2.5))
        bracket = ((x + tick, 0.0), (x, 0.0), (x, top), (x + tick, top))
        out.append(("shape", Shape(bracket, None, INK, outline * 2.0, closed=False)))
        out.append(("label", ((x, float(mark.get("y", -5.5))), None, mark["text"], "middle")))
    elif kind == "level":  # a dashed line at one height, from a point to past another
        start = _point(f, mark["from"])
        end_x = _point(f, mark["to"])[0] + mark.get("past", 8)
        line = (start, (end_x, start[1]))
        out.append(("shape", Shape(line, None, INK, outline * 1.6, closed=False, dash=(2, 1.2))))
        anchor = mark.get("anchor", "start")
        x = end_x + 2 if anchor == "start" else end_x
        out.append(("label", ((x, start[1] + mark.get("dy", 0)), None, mark["text"], anchor)))
    return out


def _span(a: Point, b: Point, outline: float) -> list[tuple[str, Shape]]:
    """A measured length from ``a`` to ``b`` (cm): a thick line, a head and a stop across
    it at each end (seen on a small drawing)."""
    length = math.dist(a, b) or 1.0
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length  # along, and across (-uy, ux)
    line = ((a[0] + ux, a[1] + uy), (b[0] - ux, b[1] - uy))
    out = [("shape", Shape(line, None, INK, outline * 3.0, closed=False))]
    for (tx, ty), k in ((a, 1.0), (b, -1.0)):
        bx, by = tx + ux * 5.0 * k, ty + uy * 5.0 * k
        head = ((tx, ty), (bx - uy * 2.6, by + ux * 2.6), (bx + uy * 2.6, by - ux * 2.6))
        out.append(("shape", Shape(head, INK, INK, outline * 0.5)))
        stop = ((tx + uy * 3.2, ty - ux * 3.2), (tx - uy * 3.2, ty + ux * 3.2))
        out.append(("shape", Shape(stop, None, INK, outline * 2.0, closed=False)))
    return out


def arrow_width(size: float) -> float:
    """An arrow's stroke width (mm) beside text of ``size`` points (0: a thumbnail)."""
    return 0.8 + size * 0.025 if size else 0.45


def _lengthen(path: Sequence[Point], least: float, tip_fixed: bool = False) -> list[Point]:
    """The path, its two ends carried on along their own directions until it is at least
    ``least`` long (an arrow must never shrink to its heads); ``tip_fixed``: only its start
    is carried back (the tip stays where it points)."""
    pts = list(path)
    length = sum(math.dist(a, b) for a, b in itertools.pairwise(pts))
    if length >= least or len(pts) < 2:
        return pts
    more = (least - length) / (1 if tip_fixed else 2)

    def carry(p: Point, q: Point) -> Point:  # from q through p, ``more`` beyond p
        d = math.dist(p, q) or 1.0
        return p[0] + (p[0] - q[0]) / d * more, p[1] + (p[1] - q[1]) / d * more

    if length == 0:
        return pts
    if tip_fixed:
        return [carry(pts[0], pts[1]), *pts]
    return [carry(pts[0], pts[1]), *pts, carry(pts[-1], pts[-2])]


def _arrow_path(
    entry: Mapping[str, Any], panel: Mapping[str, Any], spec: Mapping[str, Any]
) -> dict:
    """The path (cm) a body point travels from the ``from`` pose to the ``to`` pose, found
    by moving every joint angle a step at a time, pushed ``out`` cm away from ``pivot`` or
    turned by ``turn`` degrees about the middle of its ends (steeper than the point's own
    path), moved by ``offset``; ``straight`` joins the two ends only. ``along`` [dx, dy]
    draws a straight arrow of that direction and length instead, centred where the point
    moves."""
    a = merged_pose(entry, spec.get("from", panel.get("ghost", "start")))
    b = merged_pose(entry, spec.get("to", panel["pose"]))
    point = spec["track"]
    if "along" in spec:
        pa, pb = _point(figure(a), point), _point(figure(b), point)
        mx, my = (pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2
        dx, dy = spec["along"]
        path = [(mx - dx / 2, my - dy / 2), (mx + dx / 2, my + dy / 2)]
    else:
        steps = 2 if spec.get("straight") else 10
        path = [_point(figure(_between(a, b, i / steps)), point) for i in range(steps + 1)]
        trim = spec.get("trim", 0.12)  # one share off each end, or [start, end]
        t0, t1 = (float(t) for t in (trim if isinstance(trim, Sequence) else (trim, trim)))
        n = len(path) - 1
        if not spec.get("straight"):
            path = path[round(n * t0) : n + 1 - round(n * t1)]
        else:
            (x0, y0), (x1, y1) = path[0], path[-1]
            path = [(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) for t in (t0, 1 - t1)]
        if "pivot" in spec:
            px, py = _point(figure(b), spec["pivot"])
            out = float(spec.get("out", 0))
            path = [
                (x + (x - px) / d * out, y + (y - py) / d * out)
                for x, y in path
                for d in [math.hypot(x - px, y - py) or 1.0]
            ]
    if "turn" in spec:  # turned about the middle of its ends (degrees, anticlockwise)
        (x0, y0), (x1, y1) = path[0], path[-1]
        cx, cy, t = (x0 + x1) / 2, (y0 + y1) / 2, math.radians(float(spec["turn"]))
        c, s = math.cos(t), math.sin(t)
        path = [
            (cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c) for x, y in path
        ]
    path = _lengthen(path, float(spec.get("min_cm", 0)))
    ox, oy = spec.get("offset", (0, 0))
    return {"path": [(x + ox, y + oy) for x, y in path], "heads": spec.get("heads", 2)}


def _angle_mark(f: Figure, mark: Mapping[str, Any], outline: float) -> list[Shape]:
    """A bend shown as an angle: a dashed line carrying on from the first limb past the
    joint ``at``, and an arc from it to the second limb."""
    a, j, b = (f.points[mark[k]] for k in ("from", "at", "to"))
    on = math.atan2(j[1] - a[1], j[0] - a[0])
    to = math.atan2(b[1] - j[1], b[0] - j[0])
    r = float(mark.get("r", 22))
    line = ((j[0], j[1]), (j[0] + math.cos(on) * r * 1.3, j[1] + math.sin(on) * r * 1.3))
    d = (to - on + math.pi) % (2 * math.pi) - math.pi
    arc = tuple(
        (j[0] + math.cos(on + d * i / 10) * r, j[1] + math.sin(on + d * i / 10) * r)
        for i in range(11)
    )
    return [
        Shape(line, None, INK, outline * 2.0, closed=False, dash=(1.5, 1.0)),
        Shape(arc, None, INK, outline * 3.0, closed=False),
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


# --- marks in mm: arrows, captions, badges, labels -----------------------------------------
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
    stem = [*_trim_end(pts, head_len * 0.8), end_stem]
    if heads == 2:
        start_head, start_stem = head(pts[0], _back_along(pts[::-1], head_len))
        heads_out.append(start_head)
        stem = [start_stem, *_trim_end(stem[::-1], head_len * 0.8)[::-1]]
    stem_t = tuple(stem)
    out = [Shape(stem_t, None, WHITE, width * 2.6, closed=False)]
    out += [Shape(h, WHITE, WHITE, width * 1.6) for h in heads_out]
    out.append(Shape(stem_t, None, INK, width, closed=False))
    out += [Shape(h, INK, INK, width * 0.4) for h in heads_out]
    return out


def _trim_end(pts: Sequence[Point], length: float) -> list[Point]:
    """The path without its last ``length`` mm (where an arrow head sits), end excluded."""
    tip = pts[-1]
    keep = [p for p in pts[:-1] if math.dist(p, tip) >= length]
    return keep or [pts[0]]


def _back_along(pts: Sequence[Point], length: float) -> Point:
    """The point ``length`` back along the path from its end (for the arrow head's axis)."""
    tip = pts[-1]
    for p in reversed(pts[:-1]):
        if math.hypot(p[0] - tip[0], p[1] - tip[1]) >= length:
            return p
    return pts[0]


def _tag(x: float, y: float, text: str, size: float, dark: bool = False) -> list[Any]:
    """A rounded box with ``text``, its bottom-left corner at (x, y)."""
    w, h = _label_size(text, size)
    r = h * 0.3
    pts = (
        _arc((x + w - r, y + r), r, -90, 0) + _arc((x + w - r, y + h - r), r, 0, 90)
        + _arc((x + r, y + h - r), r, 90, 180) + _arc((x + r, y + r), r, 180, 270)
    )  # fmt: skip
    fill, ink = (INK, WHITE) if dark else (WHITE, INK)
    box = Shape(tuple(pts), fill, INK, size * 0.025)
    return [box, Text(x + size * FONT_MM * 0.4, y + h * 0.28, text, size, ink)]


def _arc(c: Point, r: float, a0: float, a1: float) -> list[Point]:
    return [
        (c[0] + r * math.cos(math.radians(a)), c[1] + r * math.sin(math.radians(a)))
        for a in (a0, (a0 + a1) / 2, a1)
    ]


def _label(
    at: Point, leader: Point | None, text: str, anchor: str, size: float, box: tuple
) -> list[Any]:
    """A label's white tag centred on ``at`` (mm, kept inside ``box``), with a line to
    ``leader`` when given."""
    w, h = _label_size(text, size)
    x0 = {"start": at[0], "middle": at[0] - w / 2, "end": at[0] - w}[anchor]
    x0 = min(max(x0, box[0] + 0.3), box[2] - w - 0.3)
    y0 = min(max(at[1] - h / 2, box[1] + 0.3), box[3] - h - 0.3)
    out: list[Any] = []
    if leader is not None:
        cx = min(max(leader[0], x0), x0 + w)
        cy = min(max(leader[1], y0), y0 + h)
        line = ((cx, cy), leader)
        out.append(Shape(line, None, WHITE, size * 0.11, closed=False))
        out.append(Shape(line, None, INK, size * 0.05, closed=False))  # 0.6 mm at 12 pt
        out.append(Shape(tuple(_circle(leader, size * 0.045, 10)), INK))
    return out + _tag(x0, y0, text, size)


def _caption_items(
    x: float, y: float, number: int | None, caption: str, size: float, rtl: bool = False
) -> list[Any]:
    """A panel's caption: a numbered dot (steps only, not close-ups), then the words; in a
    right-to-left language the dot on the right, where the words begin. The caption's
    ground is white, so a close-up's line passing under it never strikes the words."""
    h = size * FONT_MM * 1.45
    r = h * 0.46
    pad = size * FONT_MM * 0.15
    items: list[Any] = [Shape(_rect(x - pad, y, x + caption_width(number, caption, size) + pad,
                                    y + h), WHITE)]  # fmt: skip
    gap = size * FONT_MM * 0.35
    width = text_width(caption, size) if caption else 0.0
    dot_x, tx = x + r, x
    if number is not None:
        dot_x, tx = (x + width + gap + r, x) if rtl else (x + r, x + 2 * r + gap)
        items.append(Shape(tuple(_circle((dot_x, y + h / 2), r, 20)), INK))
        items.append(Text(dot_x, y + h * 0.28, str(number), size, WHITE, "middle"))
    if caption:
        items.append(Text(tx, y + h * 0.28, caption, size))
    return items


def caption_width(number: int | None, caption: str, size: float) -> float:
    """The least width (mm) of a panel's caption."""
    h = size * FONT_MM * 1.45
    dot = h * 0.92 + size * FONT_MM * 0.35 if number is not None else 0.0
    return dot + text_width(caption, size)


def badges_width(badges: Sequence[str], size: float) -> float:
    """The width (mm) of the badges in a row, with their gaps."""
    if not badges:
        return 0.0
    return sum(_label_size(b, size)[0] for b in badges) + size * FONT_MM * 0.6 * len(badges)


# --- layout -------------------------------------------------------------------------------
GAP_MM = 5.0
#: A close-up's ring: its half-axes this many times half the width and height it marks.
RING = 1.12


def _arrangements(n: int, droppable: int | None) -> list[tuple[tuple[int, ...], ...]]:
    """Ways to place ``n`` panels in rows, keeping their order: every split into rows,
    and the same without the start panel ``droppable`` (its pose is the next panel's
    dashed outline)."""
    out = []
    sets = [tuple(range(n))]
    if droppable is not None:
        sets.append(tuple(i for i in range(n) if i != droppable))
    for panels in sets:
        m = len(panels)
        for cuts in itertools.product((False, True), repeat=max(m - 1, 0)):
            rows, row = [], [panels[0]]
            for cut, p in zip(cuts, panels[1:], strict=True):
                if cut:
                    rows.append(tuple(row))
                    row = [p]
                else:
                    row.append(p)
            rows.append(tuple(row))
            out.append(tuple(rows))
    return out


def _shown(rows: Sequence[Sequence[int]]) -> list[int]:
    return [i for row in rows for i in row]


def _numbers(contents: Sequence[_Content], shown: Sequence[int]) -> dict[int, int | None]:
    """Step numbers for the panels shown (close-ups get none, nor does a lone step: a
    "1" with no "2" reads as a missing drawing)."""
    out: dict[int, int | None] = {}
    n = 0
    for i in shown:
        if contents[i].closeup:
            out[i] = None
        else:
            n += 1
            out[i] = n
    if n == 1:
        return dict.fromkeys(out)
    return out


@dataclass(frozen=True)
class _Plan:
    scale: float
    rows: tuple[tuple[int, ...], ...]
    height: float
    badge_row: bool  # the badges need a row of their own


def _plan(
    contents: Sequence[_Content], rows: tuple[tuple[int, ...], ...], width: float,
    height: float, size: float, badges: Sequence[str], at_most: float,
) -> _Plan:  # fmt: skip
    """The largest scale (mm per cm, at most ``at_most``) at which ``rows`` fit ``width`` x
    ``height``, and the height they then take."""
    shown = [i for row in rows for i in row]
    numbers = _numbers(contents, shown)
    caps = {i: caption_width(numbers[i], contents[i].caption, size) for i in shown}
    cap_h = size * FONT_MM * 1.45 + 2.0 if size else 0.0
    bw = badges_width(badges, size)
    heights = [_row_height(contents, row) for row in rows]

    def fixed(badge_row: bool) -> float:
        return len(rows) * cap_h + (len(rows) - 1) * GAP_MM + (cap_h if badge_row else 0.0)

    def widths_at(scale: float, row: Sequence[int]) -> float:
        return (
            sum(
                max((contents[i].box[2] - contents[i].box[0]) * contents[i].zoom * scale, caps[i])
                for i in row
            )
            + max(len(row) - 1, 0) * GAP_MM  # an empty row (before a lone panel): no gap
        )

    def last_caption_end(scale: float) -> float:
        row = rows[-1]
        return widths_at(scale, row[:-1]) + (GAP_MM if len(row) > 1 else 0.0) + caps[row[-1]]

    best: _Plan | None = None
    for badge_row in (False, True):
        if badge_row and not badges:
            break
        scale = min(at_most, (height - fixed(badge_row)) / sum(heights))
        for row in rows:
            room = width - (len(row) - 1) * GAP_MM
            raw = sum((contents[i].box[2] - contents[i].box[0]) * contents[i].zoom for i in row)
            scale = min(scale, room / raw)
            for _ in range(40):  # panels narrower than their caption are widened: shrink
                total = widths_at(scale, row)
                if total <= width + 1e-9:
                    break
                scale *= min(width / total, 0.9995)
        if not badge_row and bw and last_caption_end(scale) + bw + GAP_MM > width:
            continue  # the badges do not fit beside the last captions
        plan = _Plan(scale, rows, sum(heights) * scale + fixed(badge_row), badge_row)
        if best is None or plan.scale > best.scale * 1.0001:
            best = plan
    assert best is not None
    return best


def _floor_span(contents: Sequence[_Content], row: Sequence[int]) -> tuple[float, float]:
    """The lowest and highest point (cm) of a row's full-size panels, which stand on one
    floor line."""
    full = [contents[i] for i in row if contents[i].zoom == 1]
    if not full:
        return 0.0, 0.0
    return min(c.box[1] for c in full), max(c.box[3] for c in full)


def _row_height(contents: Sequence[_Content], row: Sequence[int]) -> float:
    """A row's height in cm of body at zoom 1: its full-size panels on one floor line, and
    its close-ups, centred."""
    lo, hi = _floor_span(contents, row)
    zoomed = [(contents[i].box[3] - contents[i].box[1]) * contents[i].zoom for i in row
              if contents[i].zoom != 1]  # fmt: skip
    return max([hi - lo, *zoomed])


def keeps_clear(entry: Mapping[str, Any]) -> bool:
    """Whether the start panel stays in clear print and is left out in large print
    (``"keep": "clear"``: the two drawings fit the size rules in clear print only)."""
    return entry["panels"][0].get("keep") == "clear"


def _rows_kept(entry: Mapping[str, Any], rows: Sequence[Sequence[int]]) -> bool:
    """Whether every panel marked ``"below": true`` begins a row (under the drawings
    before it, never beside them: ankle lifts' two close-ups go under the whole person)."""
    panels = entry["panels"]
    return all(i == row[0] for row in rows for i in row if panels[i].get("below"))


def _droppable(entry: Mapping[str, Any]) -> int | None:
    """The start panel that may be left out: the first panel, a plain pose with no
    arrows or marks, when the next panel draws that pose as its dashed outline."""
    panels = entry["panels"]
    first = panels[0]
    plain = {"pose", "caption", "still"} | ({"keep"} if keeps_clear(entry) else set())
    if len(panels) < 2 or set(first) - plain:  # "keep": never
        return None
    if any("region" in p and p.get("of", i - 1) == 0 for i, p in enumerate(panels)):
        return None  # a close-up magnifies it
    return 0 if panels[1].get("ghost") == first["pose"] else None


def layout(
    exercise: str,
    variant: str = "",
    *,
    width_mm: float,
    height_mm: float,
    text_pt: float = 12.0,
    outline_mm: float = 0.45,
    numbers: Mapping[str, str] | None = None,
    at_most: float = 10.0,
    may_drop_start: bool = False,
    keep_panels: float = 1.25,
    language: str = "en",
) -> Picture:
    """Lay out an exercise's panels within ``width_mm`` x ``height_mm`` (captions and
    badges included) at the largest scale that fits, at most ``at_most`` mm per cm, every
    word on it and its description in ``language`` (the message catalogue's).

    ``numbers`` fills the badges and ends the description, in that language (see
    :func:`~backplan.pictures.sizes.badge_words`): ``{"hold": "hold 5 seconds", "reps":
    "10 times", "said": "Hold 5 seconds. Do it 10 times."}``; a badge with no text given
    shows its plain word ("hold", "repeat"). Of the arrangements
    that reach the same scale, the lowest is used. With ``may_drop_start`` the start panel
    may be left out (its pose stays as the next panel's dashed outline) when that makes
    the figure ``keep_panels`` times bigger or more.
    """
    return _layout(exercise, variant, round(width_mm, 3), round(height_mm, 3), text_pt,
                   outline_mm, tuple(sorted((numbers or {}).items())), math.floor(at_most * 1e4) / 1e4,
                   may_drop_start, keep_panels, language)  # fmt: skip


def _contents(
    exercise: str, variant: str, outline: float, size: float, hint: float, language: str,
    alone: bool = False,
) -> list[_Content]:  # fmt: skip
    entry = exercise_entry(exercise, variant)
    hint = round(max(hint, 0.05) * 40) / 40  # to 0.025 mm per cm: contents are reused
    return [
        _content(exercise, variant, i, outline, size, hint, language, alone)
        for i in range(len(entry["panels"]))
    ]


def _best(
    exercise: str, variant: str, width: float, height: float, size: float, outline: float,
    badges: Sequence[str], at_most: float, may_drop: bool, keep_panels: float, hint: float,
    language: str,
) -> tuple[_Plan, list[_Content]]:  # fmt: skip
    entry = exercise_entry(exercise, variant)
    contents = _contents(exercise, variant, outline, size, hint, language)
    drop = _droppable(entry) if may_drop else None
    alone = (  # the contents when the start panel is left out (a thumbnail too)
        _contents(exercise, variant, outline, size, hint, language, True)
        if any(
            p.get(k)
            for p in entry["panels"]
            for k in ("ghost_when", "caption_alone", "start_beside")
        )
        else contents
    )
    plans = [
        _plan(
            contents if drop is None or drop in _shown(rows) else alone,
            rows,
            width,
            height,
            size,
            badges,
            at_most,
        )
        for rows in _arrangements(len(contents), drop)
        if _rows_kept(entry, rows)
    ]
    n = len(contents)
    if not size:  # a thumbnail: the one panel that shows the movement, no words, and the
        # whole figure (not a close-up: a foot or a tummy alone reads as nothing when small)
        whole = [i for i, p in enumerate(entry["panels"]) if "region" not in p] or [n - 1]
        moving = [i for i in whole if entry["panels"][i].get("ghost")]
        one = (moving or whole)[-1]
        return _plan(alone, ((one,),), width, height, size, (), at_most), alone
    whole = [p for p in plans if sum(map(len, p.rows)) == n]
    top = max(p.scale for p in whole)
    best = [p for p in whole if p.scale >= top * 0.995]
    if entry.get("stack"):  # one drawing above the other wherever that keeps the size
        best = [p for p in best if all(len(row) == 1 for row in p.rows)] or best
    pick = min(best, key=lambda p: p.height)
    if drop is not None and keep_panels <= 1.0:  # the lowest that reaches the top scale
        top = max(p.scale for p in plans)
        pick = min((p for p in plans if p.scale >= top * 0.995), key=lambda p: p.height)
    elif drop is not None:
        part = [p for p in plans if sum(map(len, p.rows)) < n]
        top_part = max(p.scale for p in part)
        if top_part >= pick.scale * keep_panels:
            pick = min((p for p in part if p.scale >= top_part * 0.995), key=lambda p: p.height)
    return pick, contents


def picture_badges(
    exercise: str, variant: str, texts: Mapping[str, str], language: str = "en"
) -> list[str]:
    """The badges of a picture, in order, with their words: the dose's (``texts``), or a
    picture's own words in ``language`` (round 19: the tummy squeeze's "keep breathing"
    after the hold)."""
    return [texts[b] if b in texts else picture_word(exercise, b, language)
            for b in _badge_names(exercise, variant)]  # fmt: skip


def _badge_names(exercise: str, variant: str) -> list[str]:
    entry = exercise_entry(exercise, variant)
    names: list[str] = list(entry.get("badges", []))
    for p in entry["panels"]:
        names += [b for b in p.get("badges", []) if b not in names]
    return names


#: The badges whose words are the handout's own (the dose's, "easier way"); any other
#: badge a picture names is its own words, translated with its captions.
FIXED_BADGES = ("hold", "reps", "easier")


def _texts(numbers: Iterable[tuple[str, str]], language: str) -> dict[str, str]:
    """The badges' words: the dose's when given, else the plain words ("hold", "repeat");
    an easier way's picture says so ("easier way")."""
    w = _words(language)
    plain = {"hold": w["picture_hold_word"], "reps": w["picture_repeat"]}
    return {**plain, "easier": w["picture_easier"], **dict(numbers)}


@functools.lru_cache(maxsize=4096)
def _choose(
    exercise: str, variant: str, width: float, height: float, size: float, outline: float,
    numbers: tuple[tuple[str, str], ...], at_most: float, may_drop: bool, keep_panels: float,
    language: str = "en",
) -> tuple[_Plan, float]:  # fmt: skip
    """The arrangement and scale chosen, and the scale its panels' contents were made for."""
    badges = picture_badges(exercise, variant, _texts(numbers, language), language)
    hint = min(at_most, 1.0)
    args = (size, outline, badges, at_most, may_drop, keep_panels)
    pick, _ = _best(exercise, variant, width, height, *args, hint, language)
    for _ in range(2):  # fixed-size arrows and labels: lay out again at the scale found
        if abs(pick.scale - hint) < 0.03:
            break
        hint = pick.scale
        pick, _ = _best(exercise, variant, width, height, *args, hint, language)
    return pick, hint


def measure(
    exercise: str, variant: str = "", *, width_mm: float, height_mm: float,
    text_pt: float = 12.0, outline_mm: float = 0.45, numbers: Mapping[str, str] | None = None,
    at_most: float = 10.0, may_drop_start: bool = False, keep_panels: float = 1.25,
    language: str = "en",
) -> tuple[float, float]:  # fmt: skip
    """The scale (mm per cm) and height (mm) :func:`layout` would give, without drawing."""
    pick, _ = _choose(exercise, variant, round(width_mm, 3), round(height_mm, 3), text_pt,
                      outline_mm, tuple(sorted((numbers or {}).items())),
                      math.floor(at_most * 1e4) / 1e4, may_drop_start, keep_panels,
                      language)  # fmt: skip
    return pick.scale, pick.height


@functools.lru_cache(maxsize=512)
def _layout(
    exercise: str, variant: str, width: float, height: float, size: float, outline: float,
    numbers: tuple[tuple[str, str], ...], at_most: float, may_drop: bool, keep_panels: float,
    language: str = "en",
) -> Picture:  # fmt: skip
    texts = _texts(numbers, language)
    pick, hint = _choose(exercise, variant, width, height, size, outline, numbers, at_most,
                         may_drop, keep_panels, language)  # fmt: skip
    alone = len(_shown(pick.rows)) < len(exercise_entry(exercise, variant)["panels"])
    contents = _contents(exercise, variant, outline, size, hint, language, alone)
    return _draw(exercise, variant, pick, contents, size, outline, texts, language)


def _draw(
    exercise: str, variant: str, pick: _Plan, contents: Sequence[_Content], size: float,
    outline: float, texts: Mapping[str, str], language: str,
) -> Picture:  # fmt: skip
    names = _badge_names(exercise, variant)
    badges = picture_badges(exercise, variant, texts, language)
    rtl = _words(language).direction == "rtl"
    scale, rows = pick.scale, pick.rows
    shown = [i for row in rows for i in row]
    numbers = _numbers(contents, shown)
    cap_h = size * FONT_MM * 1.45 + 2.0 if size else 0.0
    items: list[Any] = []
    overlay: list[Any] = []
    panels: dict[int, Panel] = {}
    transforms: dict[int, Any] = {}
    row_heights = [_row_height(contents, row) * scale for row in rows]
    total_h = pick.height
    y_top = total_h
    pic_w = 0.0
    last_row_end = (0.0, 0.0)
    # each panel's x, width, caption width, first item, first caption item and end item
    slots: dict[int, tuple[float, float, float, int, int, int]] = {}
    for row, row_h in zip(rows, row_heights, strict=True):
        x = 0.0
        y_fig = y_top - row_h
        alone = contents[row[0]]
        if len(row) == 1 and alone.region and alone.of in panels:  # under what it magnifies
            src = panels[alone.of]
            w = max((alone.box[2] - alone.box[0]) * scale * alone.zoom,
                    caption_width(numbers[row[0]], alone.caption, size))  # fmt: skip
            x = min(max(src.x + src.width / 2 - w / 2, 0.0), max(pic_w - w, 0.0))
        for i in row:
            c = contents[i]
            k = scale * c.zoom
            fig_w = (c.box[2] - c.box[0]) * k
            cap_w = caption_width(numbers[i], c.caption, size)
            w = max(fig_w, cap_w)
            fx = x + (w - fig_w) / 2
            origin = (c.box[0], c.box[1])
            if c.zoom != 1:  # a close-up, centred in the row (``low``: at its foot)
                fy = y_fig + (0 if c.low else (row_h - (c.box[3] - c.box[1]) * k) / 2)
            else:  # on the row's floor line
                fy = y_fig + (c.box[1] - _floor_span(contents, row)[0]) * k

            def tr(
                p: Point, fx: float = fx, fy: float = fy, k: float = k, o: Point = origin
            ) -> Point:
                return fx + (p[0] - o[0]) * k, fy + (p[1] - o[1]) * k

            transforms[i] = tr
            first_item = len(items)
            fig_box = (fx, fy, fx + fig_w, fy + (c.box[3] - c.box[1]) * k)
            drawn: list[Any] = []
            labels: list[Any] = []
            arrows: list[tuple[tuple[Point, ...], int]] = []
            for kind, obj in c.shapes:
                if kind == "label":
                    at, leader, text, anchor = obj
                    labels += _label(tr(at), tr(leader) if leader else None, text, anchor,
                                     size, fig_box)  # fmt: skip
                elif kind == "shape":
                    pts = tuple(tr(p) for p in obj.points)
                    drawn.append(Shape(pts, obj.fill, obj.stroke, obj.width, obj.closed, obj.dash))
                else:  # never shorter than its heads and a 15 mm shaft, on paper
                    aw = arrow_width(size)
                    shaft = obj.get("shaft_mm", SHAFT_MM)
                    least = shaft + obj["heads"] * aw * 4.2 + 0.05 if size else 0.0
                    path = tuple(
                        _lengthen([tr(p) for p in obj["path"]], least, obj.get("tip_fixed", False))
                    )
                    arrows.append((path, obj["heads"]))
                    drawn += _arrow(path, aw, obj["heads"])
            items.append(Clip(fig_box, tuple(drawn + labels)))  # nothing strays out
            if c.region:
                items.append(Shape(_rect(*fig_box), None, INK, outline * 2.4))
            cap_y = y_fig - cap_h + 0.5
            first_caption = len(items)
            if size:
                items += _caption_items(x, cap_y, numbers[i], c.caption, size, rtl)
            panels[i] = Panel(fx, fy, fig_w, fig_box[3] - fy, c.zoom, c.caption, origin, k, i,
                              tuple(arrows))  # fmt: skip
            slots[i] = (x, w, cap_w, first_item, first_caption, len(items))
            last_row_end = (x + max(cap_w, 0), cap_y)
            x += w + GAP_MM
        pic_w = max(pic_w, x - GAP_MM)
        y_top = y_fig - cap_h - GAP_MM
    badge_at = _badge_place(badges, size, pick.badge_row, pic_w, last_row_end)
    if badge_at:
        pic_w = badge_at[2]
    if rtl:  # the drawings follow the words: step 1 on the right (each drawn as it is)
        _mirror_slots(items, slots, panels, transforms, pic_w)
    lines: list[Any] = []
    fronts: list[Any] = []
    for i in shown:  # a close-up: a ring where it looks, and a line to the close-up
        c = contents[i]
        if c.region and c.of in panels:
            near = _nearest_close_up(transforms[c.of], c.region, panels, contents, shown)
            ring, *line = _link(transforms[c.of], c.region, panels[c.of], panels[near],
                                outline, pic_w)  # fmt: skip
            # under the figure, so it never hides a hand or a foot; or (``front``: a ring
            # round the hands on the body) in front of it
            (fronts if c.front else lines).append(ring)
            lines += line
    items = lines + items + fronts  # the lines go under the captions and the panels
    if badge_at:
        bx, by, _ = badge_at
        if rtl:  # after the last step's words, reading from the right
            bx = pic_w - bx - badges_width(badges, size)
        pairs = list(zip(names, badges, strict=True))
        for name, text in reversed(pairs) if rtl else pairs:
            overlay += _tag(bx, by, text, size, dark=name == "hold")
            bx += _label_size(text, size)[0] + size * FONT_MM * 0.6
    beside = any(contents[i].beside for i in shown)  # the start drawn whole beside it
    alt = alt_text(exercise, variant, texts, len(shown) + beside, language)
    ordered = tuple(panels[i] for i in shown)
    moves = _moves(exercise, variant, ordered)
    return Picture(pic_w, total_h, tuple(items + overlay), alt, scale, ordered, moves)


def _badge_place(
    badges: Sequence[str], size: float, own_row: bool, pic_w: float, last: tuple[float, float]
) -> tuple[float, float, float] | None:
    """Where the dose badges start (x, y, mm, read left to right) and the picture's width
    with them: a row of their own at the bottom right, or after the last caption (``last``:
    where it ends and its y); ``None`` without badges or words."""
    if not (badges and size):
        return None
    bw = badges_width(badges, size)
    if own_row:
        return (pic_w - bw, 0.5, pic_w) if pic_w >= bw else (0.0, 0.5, bw)
    if pic_w - bw < last[0] + GAP_MM:
        return last[0] + GAP_MM, last[1], last[0] + GAP_MM + bw
    return pic_w - bw, last[1], pic_w


def _shifted(item: Any, dx: float) -> Any:
    """``item`` (a shape, text or clip) moved ``dx`` mm to the right."""
    if isinstance(item, Text):
        return replace(item, x=item.x + dx)
    if isinstance(item, Clip):
        x0, y0, x1, y1 = item.box
        return Clip((x0 + dx, y0, x1 + dx, y1), tuple(_shifted(i, dx) for i in item.items))
    return replace(item, points=tuple((x + dx, y) for x, y in item.points))


def _mirror_slots(
    items: list[Any], slots: Mapping[int, tuple[float, float, float, int, int, int]],
    panels: dict[int, Panel], transforms: dict[int, Any], width: float,
) -> None:  # fmt: skip
    """Each panel moved to its mirror place across ``width`` (its drawing and caption kept
    as they are, the caption at the panel's right, where its words begin), for a
    right-to-left page: the first step on the right. The dose badges, mirrored from after
    the last caption, stay clear of it."""
    for i, (x, w, cap_w, first, caption, end) in slots.items():
        dx = width - 2 * x - w
        items[first:caption] = [_shifted(item, dx) for item in items[first:caption]]
        items[caption:end] = [_shifted(item, dx + w - cap_w) for item in items[caption:end]]
        p = panels[i]
        arrows = tuple((tuple((ax + dx, ay) for ax, ay in path), heads)
                       for path, heads in p.arrows)  # fmt: skip
        panels[i] = replace(p, x=p.x + dx, arrows=arrows)
        tr = transforms[i]
        transforms[i] = lambda q, tr=tr, dx=dx: (tr(q)[0] + dx, tr(q)[1])


def _nearest_close_up(
    tr: Any, region: tuple[float, float, float, float], panels: Mapping[int, Panel],
    contents: Sequence[_Content], shown: Sequence[int],
) -> int:  # fmt: skip
    """Of the close-ups of ``region`` (drawn by ``tr``), the one nearest to it: the line
    from the ring goes there (on a right-to-left page, step 1 sits on the right)."""
    (x0, y0), (x1, y1) = tr(region[:2]), tr(region[2:])
    at = ((x0 + x1) / 2, (y0 + y1) / 2)
    same = [j for j in shown if contents[j].region == region and j in panels]
    return min(
        same,
        key=lambda j: math.dist(
            at, (panels[j].x + panels[j].width / 2, panels[j].y + panels[j].height / 2)
        ),
    )


def _link(
    tr: Any, region: tuple[float, float, float, float], source: Panel, target: Panel,
    outline: float, width: float,
) -> list:  # fmt: skip
    """A light ring round ``region`` (cm, in the panel ``source`` drawn by ``tr``; the part
    of it inside that panel) and a line from the ring to the close-up panel ``target``,
    both mid grey and thin: no straight edge or corner on the floor to read as a box or a
    step. The ring dips at most 1 mm under the panel (the caption is below) and stays
    within the picture's ``width``."""
    x0, y0 = tr((region[0], region[1]))
    x1, y1 = tr((region[2], region[3]))
    x0, x1 = max(x0, source.x), min(x1, source.x + source.width)
    y0, y1 = max(y0, source.y), min(y1, source.y + source.height)
    a, b = (x1 - x0) / 2 * RING, (y1 - y0) / 2 * RING
    cx = min(max((x0 + x1) / 2, a), width - a)
    cy = max((y0 + y1) / 2, source.y - 1.0 + b)
    ring = _ellipse((cx, cy), a, b, 96)
    mark = Shape(tuple(ring), None, MARKER, outline * 1.44)
    tx0, ty0, tx1, ty1 = target.x, target.y, target.x + target.width, target.y + target.height
    goals = [(tx0, (ty0 + ty1) / 2), ((tx0 + tx1) / 2, ty1), (tx1, (ty0 + ty1) / 2),
             ((tx0 + tx1) / 2, ty0)]  # fmt: skip
    p, q = min(((p, q) for p in ring for q in goals), key=lambda pq: math.dist(*pq))
    if math.dist(p, q) < 1.0:
        return [mark]
    return [mark, Shape((p, q), None, MARKER, outline * 1.44, closed=False)]


def alt_text(
    exercise: str, variant: str, texts: Mapping[str, str], drawings: int = 0,
    language: str = "en",
) -> str:  # fmt: skip
    """The picture in words, in ``language`` (for screen readers and the PDF): how many
    drawings, what they show, and the dose (``texts["said"]``, see
    :func:`~backplan.pictures.sizes.badge_words`)."""
    entry = exercise_entry(exercise, variant)
    n = drawings or len(entry["panels"])
    words = [_words(language)[f"picture_drawings_{min(n, 4)}"],
             picture_word(exercise, entry["alt"], language)]  # fmt: skip
    if texts.get("said"):
        words.append(texts["said"])
    return " ".join(words)


def _moves(exercise: str, variant: str, panels: Sequence[Panel]) -> dict[str, float]:
    """Each listed key movement's size on paper (mm), in the panel that shows it (or, when
    that panel is left out, the biggest one shown)."""
    entry = exercise_entry(exercise, variant)
    out: dict[str, float] = {}
    by_index = {p.index: p for p in panels}
    n = len(entry["panels"])
    for spec in entry.get("measure", []):
        a = figure(merged_pose(entry, spec["from"])).points[spec["point"]]
        b = figure(merged_pose(entry, spec["to"])).points[spec["point"]]
        cm = math.hypot(b[0] - a[0], b[1] - a[1])
        want = spec.get("panel", -1) % n
        panel = by_index.get(want) or max(panels, key=lambda p: p.scale)
        out[spec["name"]] = cm * panel.scale
    return out


# --- the key to the pictures --------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def picture_key(language: str = "en", size: float = 12.0, width_mm: float = 184.0) -> Picture:
    """The key printed once above a handout's first exercise: a dark shape, "dark = the
    part that moves"; a dashed outline, "dashed = where you start" (words in ``language``,
    ``size`` points), on one line when it fits ``width_mm``, else the two items one under
    the other beside the title (two lines: it takes little of the first exercise's page);
    from the right in a right-to-left language.

    Examples
    --------
    >>> key = picture_key()
    >>> key.alt
    'In the pictures: dark = the part that moves, dashed = where you start'
    >>> key.height < 15 and key.width <= 184
    True
    """
    w = _words(language)
    rtl = w.direction == "rtl"
    h = size * FONT_MM * 1.45  # one line
    sw, sh, gap = size * FONT_MM * 3.0, size * FONT_MM * 1.0, size * FONT_MM * 0.6
    title, dark, dashed = w["picture_key"], w["picture_key_dark"], w["picture_key_dashed"]
    pieces = [(None, title), ("dark", dark), ("dashed", dashed)]

    def piece_w(kind: str | None, text: str) -> float:
        return text_width(text, size) + (sw + gap if kind else 0.0)

    def row_w(row: Sequence[tuple[str | None, str]], indent: float = 0.0) -> float:
        return indent + sum(piece_w(k, t) for k, t in row) + 2 * gap * (len(row) - 1)

    # one line; else the title, then the two items one under the other beside it; else one
    # a line (each way as (row, indent) pairs)
    title_w = piece_w(None, title) + 2 * gap
    ways = (
        [(pieces, 0.0)],
        [(pieces[:2], 0.0), (pieces[2:], title_w)],
        [([p], 0.0) for p in pieces],
    )
    rows = next((way for way in ways if max(row_w(r, i) for r, i in way) <= width_mm), ways[-1])
    total_w = max(row_w(r, i) for r, i in rows)
    items: list[Any] = []
    for n, (row, indent) in enumerate(rows):
        y = (len(rows) - 1 - n) * h
        x = indent
        for kind, text in row:
            pw = piece_w(kind, text)
            x0 = total_w - x - pw if rtl else x
            sx, tx = (x0 + pw - sw, x0) if rtl else (x0, x0 + (sw + gap if kind else 0.0))
            if kind:
                cy = y + h * 0.42
                shape = capsule_mm((sx + sh / 2, cy), (sx + sw - sh / 2, cy), sh / 2)
                if kind == "dark":
                    items.append(Shape(shape, MOVE, INK, size * 0.04))
                else:
                    items.append(Shape(shape, START, GHOST, size * 0.06, dash=START_DASH))
            items.append(Text(tx, y + h * 0.28, text, size))
            x += pw + 2 * gap
    alt = f"{title} {w.join([dark, dashed])}"
    return Picture(total_w, len(rows) * h, tuple(items), alt, 1.0)


def capsule_mm(a: Point, b: Point, r: float) -> tuple[Point, ...]:
    """A rounded bar from ``a`` to ``b`` (mm), ``r`` its half width: a swatch of a limb."""
    from .body import capsule

    return capsule(a, b, r, r)
