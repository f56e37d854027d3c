"""The figure: a person seen from the side, built from joint angles in centimetres.

A pose (see ``data/poses.json``, its ``about``) gives the trunk's angle to the floor and
clinical joint angles: hip and shoulder flexion, knee and elbow bend, ankle lift (toes
towards the shin positive, pointed negative), the upper back's curl and the neck's bend.
:func:`figure` turns it into named outlines (filled shapes, not lines) and named points
(``near_heel``, ``belly``, ...), the whole body lowered until it rests on the floor (or on a
seat) the way gravity would leave it.

Examples
--------
>>> f = figure({"trunk": 90})          # standing, facing right
>>> round(f.points["top"][1])          # the top of the head, cm above the floor
171
>>> f = figure({"trunk": 180})         # lying on the back, head to the left
>>> min(y for part in f.parts.values() for poly in part for _, y in poly) == 0
True
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["BODY", "LAYERS", "PART_GROUPS", "Figure", "capsule", "figure", "ring"]

Point = tuple[float, float]
Poly = tuple[Point, ...]

#: Body sizes in cm for a person 1.74 m tall (segment lengths after Drillis and Contini's
#: proportions of height, rounded; radii are half the limb's depth seen from the side).
BODY: dict[str, float] = {
    "thigh": 43.0, "shin": 42.0, "upper_arm": 30.0, "forearm": 25.0, "hand": 11.0,
    "waist": 22.0, "shoulder": 48.0, "neck": 9.0, "head_r": 11.5,
    "thigh_r": (7.5), "knee_r": 5.6, "calf_r": 5.4, "ankle_r": 3.6,
    "arm_r": 4.6, "elbow_r": 3.7, "wrist_r": 2.9, "hand_r": 3.8, "neck_r": 5.6,
}  # fmt: skip

#: The trunk's side view: (cm along the spine from the hip joint, front depth, back depth).
TRUNK = (
    (-10.0, 4.0, 6.0), (-6.0, 7.5, 10.5), (0.0, 9.0, 12.5), (6.0, 9.5, 12.0),
    (13.0, 10.0, 9.5), (22.0, 10.5, 8.5), (30.0, 11.5, 9.5), (38.0, 12.0, 10.5),
    (45.0, 10.5, 10.0), (50.0, 7.5, 8.5), (53.0, 3.0, 4.0),
)  # fmt: skip

#: The foot in its own frame (x towards the toes, y away from the sole), cm from the ankle:
#: the back of the ankle, a round heel, the arch, the ball of the foot, the toes, the instep.
FOOT = (
    (-3.2, 2.5), (-5.0, -0.8), (-6.2, -3.6), (-5.9, -5.9), (-4.4, -7.1), (-2.0, -7.3),
    (3.0, -6.6), (8.5, -6.4), (13.5, -7.2), (17.5, -7.1), (19.9, -6.3), (20.7, -5.1),
    (20.1, -3.9), (17.2, -3.3), (13.0, -2.7), (7.5, -0.7), (3.6, 2.6),
)  # fmt: skip
FOOT_HEEL, FOOT_TOE = 3, 10  # the heel's lowest back point and the tip of the toes
#: The crease where the toes start, drawn as a short line (it shows which end is the toes).
TOE_CREASE = ((16.4, -3.4), (16.9, -6.9))

#: Parts from the back of the picture to the front; each layer gets one shared outline.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("far_upper_arm", "far_forearm", "far_hand"),
    ("far_thigh", "far_shin", "far_foot"),
    ("pelvis", "chest", "neck", "head", "nose", "tummy"),
    ("near_thigh", "near_shin", "near_foot"),
    ("near_upper_arm", "near_forearm", "near_hand"),
)
#: Names for several parts at once (``"near_leg"`` in the pose data means all three).
PART_GROUPS: dict[str, tuple[str, ...]] = {
    f"{side}_{limb}": tuple(f"{side}_{p}" for p in parts)
    for side in ("near", "far")
    for limb, parts in (
        ("leg", ("thigh", "shin", "foot")),
        ("arm", ("upper_arm", "forearm", "hand")),
    )
}
PART_GROUPS["head_and_shoulders"] = ("chest", "neck", "head", "nose")


@dataclass(frozen=True)
class Figure:
    """A posed body: ``parts`` maps a part name to its outlines, ``points`` names places
    (joints, ``near_heel``, ``near_toe``, ``belly``, ``back``, ``top``...), all in cm."""

    parts: Mapping[str, tuple[Poly, ...]]
    points: Mapping[str, Point]
    extras: Mapping[str, tuple[Any, ...]]  # eye dot and hair: (kind, data)


def _dir(deg: float) -> Point:
    r = math.radians(deg)
    return math.cos(r), math.sin(r)


def _add(p: Point, d: Point, k: float = 1.0) -> Point:
    return p[0] + d[0] * k, p[1] + d[1] * k


def _between(rows: Sequence[tuple[float, Any]], s: float) -> Any:
    """The value ``s`` cm up the spine, straight between ``rows`` of (spine cm, value), a
    value being a number or a point; the last row's value past the end."""
    for (s0, a), (s1, b) in itertools.pairwise(rows):
        if s0 <= s <= s1:
            t = (s - s0) / (s1 - s0)
            if isinstance(a, tuple):
                return tuple(u + (v - u) * t for u, v in zip(a, b, strict=True))
            return a + (b - a) * t
    return rows[-1][1]


def ring(c: Point, r: float, a0: float = 0.0, a1: float = 360.0, n: int = 24) -> list[Point]:
    """Points on a circle from angle ``a0`` to ``a1`` (degrees), ends included."""
    steps = max(2, round(n * abs(a1 - a0) / 360))
    return [_add(c, _dir(a0 + (a1 - a0) * i / steps), r) for i in range(steps + 1)]


def capsule(a: Point, b: Point, ra: float, rb: float) -> Poly:
    """The outline of a limb segment: two circles (radii ``ra`` at ``a``, ``rb`` at ``b``)
    joined by their outer tangents."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy)
    if length <= abs(ra - rb):
        return tuple(ring(a, max(ra, rb)))
    phi = math.degrees(math.atan2(dy, dx))
    theta = math.degrees(math.acos((ra - rb) / length))
    return tuple(
        ring(a, ra, phi + theta, phi + 360 - theta, 14) + ring(b, rb, phi - theta, phi + theta, 14)
    )


def _spine(hip: Point, lower: float, curl: float, curl_from: float, side: float):
    """The spine as a function of cm along it from the hip joint: its centre point and
    direction. Below ``curl_from`` it runs straight at ``lower`` degrees; above, it bends
    evenly by ``curl`` degrees in all up to the shoulders (the upper back rolling up)."""
    top = BODY["shoulder"]
    bend = max(top - curl_from, 1.0)

    def angle(s: float) -> float:
        return lower - side * curl * min(max(s - curl_from, 0.0), bend) / bend

    step = 2.0
    table = [(0.0, hip)]
    s, p = 0.0, hip
    while s < 56.0:  # integrate the bend in 2 cm steps (the middle of each step)
        p = _add(p, _dir(angle(s + step / 2)), step)
        s += step
        table.append((s, p))

    def at(s: float) -> tuple[Point, float]:
        if s <= 0:
            return _add(hip, _dir(lower), s), lower
        i = min(int(s // step), len(table) - 2)
        (s0, p0), (_, p1) = table[i], table[i + 1]
        t = (s - s0) / step
        return (p0[0] + (p1[0] - p0[0]) * t, p0[1] + (p1[1] - p0[1]) * t), angle(s)

    return at


#: How far up the spine ``low_belly`` is, cm (the belly is 22 cm up, the hips 0).
LOW_BELLY = 11.0


def _trunk(
    hip: Point, lower: float, side: float, squeeze: float, curl: float, curl_from: float
) -> tuple[Poly, Poly, Poly, Poly, dict[str, Point], float, dict[str, Poly]]:
    """Pelvis and chest outlines (they overlap at the waist), the tummy patch, the relaxed
    tummy's line, named points, the spine's direction at the shoulders and lines drawn on
    the trunk: a back seen from the side (:func:`_back_lines`) and the rib cage's lower
    edge (``rib_line``)."""
    centre = _spine(hip, lower, curl, curl_from, side)

    def pull(s: float) -> float:  # how far a squeeze draws the front in, 0 at the ends;
        # most 25 cm up the spine (round 15: the lower ribs go down, the lower tummy, where
        # the hands rest, less)
        return squeeze * 5.5 * math.sin(math.pi * ((s - 4.0) / 34.0) ** 1.44) if 4 < s < 38 else 0

    def front_of(s: float, depth: float) -> Point:
        c, angle = centre(s)
        return _add(c, _dir(angle - 90 * side), depth)

    # round 19: a squeeze samples the front every cm along the tummy, so the drawn-in
    # tummy is a smooth shallow curve (TRUNK's rows alone made it a V); without one, the
    # trunk is drawn from TRUNK's rows as before
    rows_in = sorted(
        {s for s, _, _ in TRUNK} | (set(map(float, range(5, 38))) if squeeze else set())
    )

    def drawn(s: float) -> float:  # the front's depth as drawn (drawn in by a squeeze)
        return _depth(s, 1) - pull(s)

    drawn_rows = [(s, drawn(s)) for s in rows_in]
    front = [(s, front_of(s, d)) for s, d in drawn_rows]

    def bottom(s: float) -> float:  # face down the buttocks are what rise highest
        return 3.0 * math.cos(math.pi * s / 16) if side < 0 and abs(s) < 8 else 0.0

    rows = sorted({s for s, _, _ in TRUNK} | {-8.0, -4.0, -2.0, 2.0, 4.0, 8.0})  # a round bottom
    back = [(s, front_of(s, -_depth(s, 2) - bottom(s))) for s in rows]

    def outline(lo: float, hi: float) -> Poly:
        fr = [p for s, p in front if lo <= s <= hi]
        bk = [p for s, p in back if lo <= s <= hi]
        return tuple(fr + bk[::-1])

    cut = BODY["waist"] + 4
    tummy = [p for s, p in front if 6 <= s <= 38]
    # the tummy wall: a band 3.5 cm deep under the front, following its curve
    inner = [front_of(s, d - 3.5) for s, d in drawn_rows if 6 <= s <= 38][::-1]
    relaxed = tuple(front_of(s, f) for s, f, _ in TRUNK if 4 <= s <= 38)
    rib_s = 36.0  # where the lower edge of the rib cage meets the front
    points = {
        "waist": centre(BODY["waist"])[0],
        "belly": dict(front)[22.0],
        # on the drawn front between the belly and the row nearer the hips: the tummy
        # squeeze's arrow, far from the hands resting on the ribs (round 17)
        "low_belly": _between(front, LOW_BELLY),
        "ribs": dict(front)[30.0],
        "back": dict(back)[22.0],
        "shoulder_blade": dict(back)[38.0],
        "buttock": dict(back)[0.0],
        # on the front outline below the rib cage's edge, where the hands rest (round 15)
        "below_ribs": front_of(13.0, drawn(13.0)),
        # the rib cage's lower edge where it meets the drawn front outline (round 15)
        "rib_edge": front_of(rib_s, drawn(rib_s)),
        "shoulder": centre(BODY["shoulder"])[0],
    }
    upper = centre(BODY["shoulder"])[1]
    parts = (outline(-99, cut), outline(BODY["waist"] - 4, 99), tuple(tummy + inner), relaxed)
    # the lower edge of the rib cage seen from the side: from just inside the front
    # outline it curves down the side of the trunk and towards the hips (round 15: "below
    # your ribs" must be seen); it follows the front as the tummy draws in
    top = drawn(rib_s) - 0.4  # just inside the front outline
    rib_line = tuple(
        front_of(
            s, min(top - t**0.8 * 0.45 * (top + _depth(rib_s, 2)), _between(drawn_rows, s) - 0.4)
        )
        for t in (i / 10 for i in range(11))
        for s in [rib_s - 10.5 * t**1.4]
    )  # round 16: kept inside the drawn-in tummy (it stood out over it in drawing 2)
    # on the side of the lower ribs, where the fingertips rest (round 16: nothing covers
    # the tummy's front): the rib line 60% of the way down
    points["rib_side"] = rib_line[6]
    lines = {**_back_lines(front_of), "rib_line": rib_line}
    return (*parts, points, upper, lines)


def _depth(s: float, column: int) -> float:
    """The trunk's front (``column`` 1) or back (2) depth in cm from the spine ``s`` cm
    along it, between TRUNK's rows."""
    return _between([(row[0], row[column]) for row in TRUNK], s)


def _back_lines(front_of: Any) -> dict[str, Poly]:
    """The line that shows a back seen from the side when a person lies face down: a
    shoulder blade, a curve just under the upper back's outline (``(cm along the spine, cm
    in from the back's outline)`` turned into points)."""
    blade = ((27, 0.3), (30, 2.6), (35, 3.6), (41, 3.4), (46, 1.8), (48, 0.3))
    return {"back_blade": tuple(front_of(s, -_depth(s, 2) + d) for s, d in blade)}


def _foot(ankle: Point, angle: float, side: float) -> tuple[Poly, Point, Point, Poly]:
    x, y = _dir(angle), _dir(angle + 90 * side)

    def place(u: float, v: float) -> Point:
        return ankle[0] + x[0] * u + y[0] * v, ankle[1] + x[1] * u + y[1] * v

    pts = tuple(place(u, v) for u, v in FOOT)
    return pts, pts[FOOT_HEEL], pts[FOOT_TOE], tuple(place(u, v) for u, v in TOE_CREASE)


def _head(
    neck_top: Point, axis: float, side: float, away: bool = False, tuck: float = 0.0
) -> tuple[Poly, Poly, dict[str, Any]]:
    """The head: a circle with hair on the crown and the back, an eye, a nose and a mouth
    seen from the side; ``away`` (``head_away``): the face turned away from you, cheek on
    the floor, so you see the back and side of the head: an oval (ear to ear is narrower
    than chin to crown), hair over all but the cheek and jaw by the floor, an ear, no eye,
    nose or mouth (the returned "nose" is empty). ``tuck`` turns the face
    (not the head's place) that many degrees towards the chest: lying face down, the
    forehead rests on the mat, the nose and chin just above it."""
    r = BODY["head_r"]
    c = _add(neck_top, _dir(axis), r * 0.85)
    axis -= side * tuck
    face = axis - 90 * side  # where the face looks
    head = tuple(ring(c, r, 0, 360, 22))

    def local(u: float, v: float) -> Point:  # u towards the face, v towards the crown
        fx, fy = _dir(face)
        ux, uy = _dir(axis)
        return c[0] + fx * u + ux * v, c[1] + fy * u + uy * v

    def arc(cu: float, cv: float, ru: float, rv: float, a0: int, a1: int, step: int) -> list:
        return [local(cu + math.cos(math.radians(a)) * ru, cv + math.sin(math.radians(a)) * rv)
                for a in range(a0, a1, step)]  # fmt: skip

    if away:  # u now runs from the cheek on the floor (+) to the top side of the head (-)
        # blind test round 7: an ear at the top edge read as the nose of the figures lying
        # on their back; rounds 9-10: faces (looking down, then at you) read as lying on
        # the back or side. Round 11: the back and side of the head, turned away from you:
        # hair over all of it but a strip of cheek and jaw by the mat and the nape, an ear
        # in the middle of that side (low, by the neck, not on the top edge), no face
        w = r * 0.8  # ear to ear is less than chin to crown: the head lies on its side
        head = tuple(arc(0, 0, w, r, 0, 360, 15))
        hair = arc(0, 0, w * 1.04, r * 1.04, 75, 330, 15)  # from the nape round the crown
        hair += arc(w * 0.62, r * 0.05, w * 0.55, r * 0.62, 210, 95, -15)  # the hairline
        ear = arc(w * 0.2, -r * 0.05, w * 0.3, r * 0.4, 0, 360, 30)
        fold = arc(w * 0.2, -r * 0.05, w * 0.16, r * 0.25, 200, 340, 35)  # inside the ear
        extras = {"hair": ("poly", tuple(hair)), "ear": ("poly", tuple(ear)),
                  "face_line_ear": ("line", tuple(fold))}  # fmt: skip
        for k in range(4):  # strands combed from the crown towards the nape and the mat
            start = 150 + 35 * k
            extras[f"hair_line{k}"] = (
                "line",
                tuple(
                    local(-w * 0.2 + math.cos(math.radians(start + 40 * t)) * w * (0.2 + 0.6 * t),
                          r * 0.35 + math.sin(math.radians(start + 40 * t)) * r * (0.2 + 0.6 * t))
                    for t in (0.0, 0.33, 0.66, 1.0)
                ),
            )  # fmt: skip
        return head, (), {**extras, "top": local(0, r), "centre": c, "chin": local(r, -r * 0.3)}
    nose = (local(r * 0.96, r * 0.05), local(r * 1.22, -r * 0.3), local(r * 0.88, -r * 0.36))
    # hair: the crown and the back of the head, so the face side stays bare
    hair = arc(0, 0, r * 1.04, r * 1.04, 40, 236, 12) + arc(
        r * 0.3, -r * 0.12, r * 0.72, r * 0.72, 236, 30, -16
    )
    extras = {
        "eye": ("dot", local(r * 0.5, r * 0.18), r * 0.14),
        "hair": ("poly", tuple(hair)),
        "mouth": ("line", (local(r * 0.62, -r * 0.45), local(r * 0.86, -r * 0.45))),
    }
    return (
        head,
        nose,
        {**extras, "top": local(0, r), "centre": c, "chin": local(r * 0.6, -r * 0.85)},
    )


def _cheek_head(neck_top: Point, axis: float) -> tuple[Poly, Poly, dict[str, Any]]:
    """The head of a person lying on their front with the face turned towards you, one
    cheek on the mat (``cheek_down``): the face seen from the front, lying on its side, the
    crown along ``axis`` (away from the neck): an oval, hair over the crown, both eyes (one
    above the other), a nose line and a mouth across the face near the chin. The returned
    "nose" is empty (the nose is a line seen from the front)."""
    long, wide = BODY["head_r"], BODY["head_r"] * 0.74  # crown to chin, ear to ear
    c = _add(neck_top, _dir(axis), long * 0.8)
    ux, uy = _dir(axis)  # towards the crown
    vx, vy = _dir(axis + 90)  # across the face

    def local(u: float, v: float) -> Point:  # u in head lengths to the crown, v across
        return c[0] + ux * u * long + vx * v * wide, c[1] + uy * u * long + vy * v * wide

    head = tuple(local(math.cos(math.radians(a)), math.sin(math.radians(a)))
                 for a in range(0, 360, 15))  # fmt: skip
    # hair: the crown's end of the oval, its edge a curve across the forehead
    hair = [local(math.cos(math.radians(a)) * 1.04, math.sin(math.radians(a)) * 1.04)
            for a in range(-105, 106, 15)]  # fmt: skip
    hair += [local(0.3 + 0.1 * math.cos(math.radians(a)), math.sin(math.radians(a)) * 0.8)
             for a in range(90, -91, -20)]  # fmt: skip
    smile = (-0.3, -0.15, 0.0, 0.15, 0.3)  # across the face, curving towards the chin
    extras: dict[str, Any] = {
        "eye": ("dot", local(0.08, 0.4), long * 0.13),
        "eye2": ("dot", local(0.08, -0.4), long * 0.13),
        "hair": ("poly", tuple(hair)),
        "mouth": ("line", tuple(local(-0.62 - 0.06 * (1 - (v / 0.3) ** 2), v) for v in smile)),
        "face_line_nose": ("line", (local(-0.05, 0.06), local(-0.36, 0.1), local(-0.36, -0.12))),
    }
    return head, (), {**extras, "top": local(1.0, 0.0), "centre": c, "chin": local(-1.0, 0.0)}


def _limbs(prefix: str, root: Point, angles: list[float], radii: list[float]) -> list:
    pts = [root]
    lengths = {"leg": (BODY["thigh"], BODY["shin"]), "arm": (BODY["upper_arm"], BODY["forearm"])}
    for a, length in zip(angles, lengths[prefix], strict=True):
        pts.append(_add(pts[-1], _dir(a), length))
    return pts


def _reach(shoulder: Point, target: Point, upper: float, side: float) -> tuple[float, float]:
    """Shoulder flexion and elbow bend that put the hand's middle on ``target``."""
    a, b = BODY["upper_arm"], BODY["forearm"] + BODY["hand"] * 0.45
    dx, dy = target[0] - shoulder[0], target[1] - shoulder[1]
    d = min(max(math.hypot(dx, dy), abs(a - b) + 1e-6), a + b - 1e-6)
    to = math.degrees(math.atan2(dy, dx))
    inner = math.degrees(math.acos((a * a + d * d - b * b) / (2 * a * d)))
    elbow = 180 - math.degrees(math.acos((a * a + b * b - d * d) / (2 * a * b)))
    upper_arm = to - side * inner  # the elbow bends forwards
    shoulder_flex = ((upper_arm - upper - 180) * side + 540) % 360 - 180
    return shoulder_flex, elbow


#: A hand seen from its back (cm, x from the wrist along the hand, y across it): the palm,
#: then four fingers (little finger first: where it starts, its length) and the thumb. Its
#: fingers fan out a little so each shows; "grip" curls them (they wrap round a limb).
PALM = ((0.0, -2.7), (2.5, -3.5), (6.6, -3.9), (7.4, -1.0), (7.2, 2.0), (6.4, 3.9), (2.5, 3.4),
        (0.0, 2.7))  # fmt: skip
FINGERS = (((6.2, -2.9), 5.2), ((6.9, -1.0), 6.6), ((6.9, 0.9), 7.2), ((6.3, 2.8), 6.6))
FINGER_R = 0.85
#: A hand lying flat with its fingers together (``"flat"``, round 17: four outlined fingers
#: read as "striped fists" at print size): the palm, then the four fingers as one rounded
#: shape laid over its end, and the thumb.
FLAT_FINGERS = ((5.6, -3.7), (10.0, -3.5), (12.4, -2.8), (13.7, -1.6), (14.1, 0.0),
                (13.7, 1.6), (12.4, 2.7), (10.0, 3.3), (5.6, 3.6))  # fmt: skip


def _fingered_hand(
    wrist: Point, angle: float, side: float, kind: str, thumb: float, size: float = 1.0
) -> tuple[Poly, list[Poly]]:
    """A hand with fingers from ``wrist`` along ``angle`` (degrees): the palm's outline and
    the fingers' and thumb's (two pieces each where they bend). ``"open"``: fingers straight
    and a little apart; ``"grip"``: curled by 70 degrees (round a limb); ``"flat"``: the
    four fingers together as one shape, and the thumb; ``thumb`` 1 or -1
    puts the thumb on one side or the other; ``size`` draws it that many times bigger
    (a hand that must show when the picture is small)."""
    u, v = _dir(angle), _dir(angle + 90 * side)
    u, v = (u[0] * size, u[1] * size), (v[0] * size, v[1] * size)
    r = FINGER_R * size

    def place(x: float, y: float) -> Point:
        return wrist[0] + u[0] * x + v[0] * y, wrist[1] + u[1] * x + v[1] * y

    palm = tuple(place(x, y * thumb) for x, y in PALM)
    fingers: list[Poly] = []
    if kind == "flat":
        fingers.append(tuple(place(x, y * thumb) for x, y in FLAT_FINGERS))
    for n, ((x, y), length) in enumerate(() if kind == "flat" else FINGERS):
        spread = (n - 1.5) * 5.0 * thumb
        base = place(x, y * thumb)
        length *= size
        if kind == "grip":  # a first joint straight on, then the rest curled round
            bend = _add(base, _dir(angle + spread), length * 0.4)
            tip = _add(bend, _dir(angle + spread - 70 * side * thumb), length * 0.6)
            fingers += [capsule(base, bend, r, r), capsule(bend, tip, r, r * 0.9)]
        else:
            tip = _add(base, _dir(angle + spread), length)
            fingers.append(capsule(base, tip, r, r * 0.9))
    base = place(1.8, 2.9 * thumb)
    splay = (20, 5) if kind == "flat" else (42, 18)  # a flat hand's thumb lies close
    knuckle = _add(base, _dir(angle + splay[0] * side * thumb), 3.2 * size)
    tip = _add(knuckle, _dir(angle + splay[1] * side * thumb), 3.0 * size)
    fingers += [capsule(base, knuckle, 1.3 * size, 1.05 * size),
                capsule(knuckle, tip, 1.05 * size, 0.9 * size)]  # fmt: skip
    return palm, fingers


def _pose_figure(pose: Mapping[str, Any]) -> Figure:
    side = -1.0 if pose.get("face_down") else 1.0
    lower = float(pose.get("trunk", 90))
    hip = (0.0, 0.0)
    pelvis, chest, tummy, relaxed, points, upper, trunk_lines = _trunk(
        hip, lower, side, float(pose.get("squeeze", 0)), float(pose.get("curl", 0)),
        float(pose.get("curl_from", BODY["waist"])),
    )  # fmt: skip
    axis = upper - side * float(pose.get("neck", 0))
    shoulder = points["shoulder"]
    neck_top = _add(shoulder, _dir(axis), BODY["neck"])
    if pose.get("cheek_down"):
        head, nose, head_bits = _cheek_head(neck_top, axis)
    else:
        head, nose, head_bits = _head(
            neck_top, axis, side, bool(pose.get("head_away")), float(pose.get("tuck", 0))
        )
    parts: dict[str, tuple[Poly, ...]] = {
        "pelvis": (pelvis,),
        "chest": (chest,),
        "neck": (capsule(shoulder, neck_top, BODY["neck_r"], BODY["neck_r"] * 0.9),),
        "head": (head,),
        "nose": (nose,) if nose else (),
        "tummy": (tummy,),
    }
    lines: dict[str, tuple[Point, ...]] = {"relaxed_tummy": relaxed}
    if pose.get("face_down"):  # the back is what you see: a shoulder blade
        lines["back_blade"] = trunk_lines["back_blade"]
    if pose.get("rib_line"):  # the lower edge of the rib cage (the tummy squeeze)
        lines["rib_line"] = trunk_lines["rib_line"]
    points.update(hip=hip, top=head_bits["top"], head=head_bits["centre"])
    points["chin"] = head_bits["chin"]
    for which in ("near", "far"):
        leg = {"hip": 0.0, "knee": 0.0, "ankle": 0.0, **pose.get(f"{which}_leg", {})}
        thigh = lower + 180 + side * leg["hip"]
        shin = thigh - side * leg["knee"]
        _, knee, ankle = _limbs("leg", hip, [thigh, shin], [])
        foot, heel, toe, crease = _foot(ankle, shin + side * (90 + leg["ankle"]), side)
        lines[f"{which}_toes"] = crease
        parts[f"{which}_thigh"] = (capsule(hip, knee, BODY["thigh_r"], BODY["knee_r"]),)
        parts[f"{which}_shin"] = (capsule(knee, ankle, BODY["calf_r"], BODY["ankle_r"]),)
        parts[f"{which}_foot"] = (foot,)
        back_of_thigh = _add(
            _add(knee, (hip[0] - knee[0], hip[1] - knee[1]), 0.22),
            _dir(thigh - 90 * side),
            BODY["knee_r"] + 1.0,
        )
        points[f"{which}_thigh_back"] = back_of_thigh
        # the front of the shin (the side away from the calf) a hand's width below the knee
        points[f"{which}_shin_front"] = _add(
            _add(knee, _dir(shin), 11.0), _dir(shin + 90 * side), BODY["calf_r"]
        )
        points.update(
            {
                f"{which}_knee": knee,
                f"{which}_ankle": ankle,
                f"{which}_heel": heel,
                f"{which}_toe": toe,
            }
        )
    for which in ("near", "far"):
        arm = {"shoulder": 0.0, "elbow": 0.0, "wrist": 0.0, **pose.get(f"{which}_arm", {})}
        if "reach" in arm:  # the hand rests on a body point: work out shoulder and elbow
            name, dx, dy = arm["reach"]
            target = _add(points[name], (dx, dy))
            arm["shoulder"], arm["elbow"] = _reach(shoulder, target, upper, side)
        upper_arm = upper + 180 + side * arm["shoulder"]
        fore = upper_arm + side * arm["elbow"]
        _, elbow, wrist = _limbs("arm", shoulder, [upper_arm, fore], [])
        if "elbow_at" in arm:  # the elbow out to the side, seen end on: the upper arm looks short
            name, dx, dy = arm["elbow_at"]
            elbow = _add(points[name], (dx, dy))
            hand_at = _add(points[arm["reach"][0]], arm["reach"][1:]) if "reach" in arm else wrist
            fore = math.degrees(math.atan2(hand_at[1] - elbow[1], hand_at[0] - elbow[0]))
            wrist = _add(hand_at, _dir(fore), -BODY["hand"] * 0.45)
        pointing = fore + side * arm["wrist"]  # the hand's direction, wrist to fingers
        if "lay" in arm:  # the hand flat on the body at this angle, its point on ``reach``
            pointing = float(arm["lay"])
            at = _add(points[arm["reach"][0]], arm["reach"][1:])
            wrist = _add(at, _dir(pointing), -BODY["hand"] * 0.45)
            fore = math.degrees(math.atan2(wrist[1] - elbow[1], wrist[0] - elbow[0]))
        hand_end = _add(wrist, _dir(pointing), BODY["hand"] - 4)
        parts[f"{which}_upper_arm"] = (capsule(shoulder, elbow, BODY["arm_r"], BODY["elbow_r"]),)
        parts[f"{which}_forearm"] = (capsule(elbow, wrist, BODY["elbow_r"], BODY["wrist_r"]),)
        if arm.get("fingers"):  # a hand with a palm, four fingers and a thumb
            hand, fingers = _fingered_hand(wrist, pointing, side,
                                           arm["fingers"], float(arm.get("thumb", 1)),
                                           float(arm.get("hand_size", 1)))  # fmt: skip
            parts[f"{which}_hand"] = (hand, *fingers)
            lines.update({f"{which}_finger{i:02d}": f for i, f in enumerate(fingers)})
        else:
            hand = capsule(wrist, hand_end, BODY["wrist_r"] + 0.6, BODY["hand_r"])
            parts[f"{which}_hand"] = (hand,)
        points.update(
            {
                f"{which}_elbow": elbow,
                f"{which}_wrist": wrist,
                f"{which}_hand": _add(wrist, _dir(pointing), BODY["hand"] * 0.45),
            }
        )
    extras = {
        k: v
        for k, v in head_bits.items()
        if k in ("eye", "eye2", "hair", "mouth", "ear") or k.startswith(("hair_line", "face_line"))
    }
    extras.update({k: ("line", v) for k, v in lines.items()})
    # gravity: lower the body until its lowest point rests on the floor (or the seat)
    rest = float(pose.get("rest", 0.0))
    on = pose.get("rest_on") or list(parts)
    lowest = min(y for name in on for poly in parts[name] for _, y in poly)
    return _moved(Figure(parts, points, extras), 0.0, rest - lowest)


def _moved(f: Figure, dx: float, dy: float) -> Figure:
    def mv(p: Point) -> Point:
        return p[0] + dx, p[1] + dy

    def mv_extra(item: tuple[Any, ...]) -> tuple[Any, ...]:
        kind, data, *rest = item
        if kind == "dot":
            return (kind, mv(data), *rest)
        return (kind, tuple(mv(p) for p in data))

    return Figure(
        {k: tuple(tuple(mv(p) for p in poly) for poly in v) for k, v in f.parts.items()},
        {k: mv(p) for k, p in f.points.items()},
        {k: mv_extra(v) for k, v in f.extras.items()},
    )


@functools.lru_cache(maxsize=512)
def _cached(key: str) -> Figure:
    return _pose_figure(json.loads(key))


def figure(pose: Mapping[str, Any], shift: Point = (0.0, 0.0)) -> Figure:
    """The body in ``pose`` (see ``data/poses.json``), resting on the floor, moved by
    ``shift`` (cm)."""
    f = _cached(json.dumps(pose, sort_keys=True))
    return _moved(f, *shift) if shift != (0.0, 0.0) else f
