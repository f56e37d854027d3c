"""Every picture agrees with its steps (docs/pictures.md): the measurable parts of the source's
words, checked on the posed figures in cm (a person 1.74 m tall): angles, distances, contact
points. A clinic that edits data/poses.json out of agreement with its steps sees it here."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from matplotlib.path import Path

from backplan.pictures.body import Figure, figure
from backplan.pictures.data import exercise_entry, merged_pose

TRUNK = ("pelvis", "chest", "head")


def pose(exercise: str, name: str, variant: str = "") -> Figure:
    return figure(merged_pose(exercise_entry(exercise, variant), name))


def lowest(f: Figure, *parts: str) -> float:
    return min(y for part in parts for poly in f.parts[part] for _, y in poly)


def lowest_x(f: Figure, *parts: str) -> float:
    return min(x for part in parts for poly in f.parts[part] for x, _ in poly)


def dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def bend(f: Figure, a: str, joint: str, b: str) -> float:
    """How far a joint is bent, degrees (0 = straight)."""
    (ax, ay), (jx, jy), (bx, by) = f.points[a], f.points[joint], f.points[b]
    u, v = math.atan2(jy - ay, jx - ax), math.atan2(by - jy, bx - jx)
    return abs(math.degrees((v - u + math.pi) % (2 * math.pi) - math.pi))


def lift(f: Figure, g: Figure, point: str) -> float:
    return g.points[point][1] - f.points[point][1]


def test_lying_figures_rest_on_the_mat_back_and_heels_down() -> None:
    for exercise, name in [("heel-slides", "start"), ("supine-leg-raises", "start")]:
        f = pose(exercise, name)
        assert lowest(f, *TRUNK) == pytest.approx(0, abs=1e-6)
        assert f.points["buttock"][1] < 1.0 and f.points["shoulder_blade"][1] < 2.5
        assert lowest(f, "near_foot") < 1.0 and lowest(f, "far_foot") < 1.0  # heels down
        assert lowest(f, "head") < 1.5


def test_ankle_lifts_toes_towards_the_face_then_away() -> None:
    up, down = pose("ankle-lifts", "up"), pose("ankle-lifts", "down")
    head_x = up.points["head"][0]
    assert dist(up.points["near_toe"], (head_x, 0)) < dist(down.points["near_toe"], (head_x, 0))
    assert up.points["near_toe"][0] < down.points["near_toe"][0] - 8  # up to the face, then away
    assert bend(up, "hip", "near_knee", "near_ankle") < 1  # legs straight
    assert up.points["far_toe"] == pytest.approx(down.points["far_toe"], abs=2.5)  # one ankle
    # blind test round 4: "toes up" read as upright, not pulled towards the face; the toes
    # now lean 15-20 degrees past upright towards the head (which is to the left)
    (ax, ay), (tx, ty) = up.points["near_ankle"], up.points["near_toe"]
    assert 105 <= math.degrees(math.atan2(ty - ay, tx - ax)) <= 110


def test_heel_slides_heel_stays_on_the_floor_other_leg_straight() -> None:
    start, bent = pose("heel-slides", "start"), pose("heel-slides", "bent")
    assert lowest(bent, "near_foot") < 1.0 and lowest(start, "near_foot") < 1.0
    assert start.points["near_heel"][0] - bent.points["near_heel"][0] > 30  # slides towards you
    assert bend(bent, "hip", "near_knee", "near_ankle") > 60
    assert bend(bent, "hip", "far_knee", "far_ankle") < 1


def _hand_xs(f: Figure, hand: str) -> list[float]:
    return [x for poly in f.parts[hand] for x, _ in poly]


def _rib_x(f: Figure, y: float) -> float:
    """Where the drawn rib line is across the body at height ``y`` (cm): its top end above
    it, its lower end below it."""
    line = f.extras["rib_line"][1]
    if y >= line[0][1]:
        return line[0][0]
    for (x0, y0), (x1, y1) in itertools.pairwise(line):
        if y1 <= y <= y0:
            return x0 + (x1 - x0) * (y - y0) / ((y1 - y0) or 1.0)
    return line[-1][0]


def _to_line(p: tuple[float, float], line) -> float:
    """How far ``p`` is from the polyline ``line`` (cm)."""

    def gap(a: tuple[float, float], b: tuple[float, float]) -> float:
        (dx, dy), (qx, qy) = (b[0] - a[0], b[1] - a[1]), (p[0] - a[0], p[1] - a[1])
        t = max(0.0, min(1.0, (qx * dx + qy * dy) / ((dx * dx + dy * dy) or 1.0)))
        return math.hypot(qx - t * dx, qy - t * dy)

    return min(itertools.starmap(gap, itertools.pairwise(line)))


def _over_tummy(f: Figure, p: tuple[float, float]) -> bool:
    """Whether ``p`` covers the front of the tummy: on the hips' side of the rib line,
    between it and the hips, and in the dark moving band (3.5 cm under the drawn front) or
    above it."""
    band = f.parts["tummy"][0]  # the drawn front (hips to ribs), then its lower edge back
    lower = sorted(band[len(band) // 2 :])
    x, y = p
    if not (_rib_x(f, y) + 0.5 < x < lower[-1][0]):
        return False
    return y > float(np.interp(x, [q[0] for q in lower], [q[1] for q in lower]))


def _hips_side(f: Figure, p: tuple[float, float]) -> float:
    """How far ``p`` is on the hips' side of the drawn rib line (cm across the body; below
    the line's lower end, of that end; negative: on the ribs)."""
    return p[0] - _rib_x(f, p[1])


def _fingertips(f: Figure, hand: str) -> list[tuple[float, float]]:
    """The outline of a flat hand's four fingers, drawn as one shape."""
    return list(f.parts[hand][1])


def _inside_trunk(f: Figure, p: tuple[float, float]) -> bool:
    return any(Path(f.parts[part][0]).contains_point(p) for part in ("pelvis", "chest"))


def test_tummy_squeeze_hand_on_the_flank_just_below_the_rib_line() -> None:
    """Blind test round 17: the hands, on the lower ribs so the tummy stayed uncovered, read
    as "on the chest", above the drawn rib edge, against the caption "Hands below your
    ribs". Round 19 (the lead's decision 1): the hand lies flat on the side of the trunk
    (the flank) just below the rib line: every point of it on the hips' side of the line,
    its fingertips within 2 cm of it, inside the trunk's outline and under the dark tummy
    band (off the tummy's front), in both drawings; no arm over the tummy's front either.
    The hand keeps its place under the ribs (it goes down with them)."""
    start, squeeze = (
        pose("abdominal-contraction", "start"),
        pose("abdominal-contraction", "squeeze"),
    )
    for f in (start, squeeze):
        line = f.extras["rib_line"][1]  # the rib cage's lower edge, in both drawings
        (tx, ty), (ex, ey) = line[0], line[-1]
        assert dist((tx, ty), f.points["rib_edge"]) < 1.5  # from the front outline...
        assert ty - ey > 3 and ex > tx + 3  # ...down the side and towards the hips
        for which in ("near", "far"):
            hand = [q for poly in f.parts[f"{which}_hand"] for q in poly]
            assert min(_hips_side(f, q) for q in hand) > 0.2, which  # below the ribs
            assert min(_to_line(q, line) for q in _fingertips(f, f"{which}_hand")) < 2.0
            assert all(_inside_trunk(f, q) for q in hand), which  # on the flank
            for part in ("hand", "forearm", "upper_arm"):  # nothing on the tummy's front
                points = [q for poly in f.parts[f"{which}_{part}"] for q in poly]
                assert not [q for q in points if _over_tummy(f, q)], (which, part)
            band = f.parts["tummy"][0]  # the dark band's lower edge, over the hand
            lower = sorted(band[len(band) // 2 :])
            under = [float(np.interp(x, *zip(*lower, strict=True))) - y for x, y in hand]
            assert min(under) > 0.3, which
            ex, ey = f.points[f"{which}_elbow"]
            assert ey < 5  # the elbow on the mat
        assert bend(f, "hip", "near_knee", "near_ankle") > 70  # knees bent
        assert lowest(f, "near_foot") < 1.0  # feet flat
    for which in ("near", "far"):  # the same place under the ribs in both drawings
        hand = f"{which}_hand"
        at = [(f.points[hand][0] - f.points["rib_side"][0], f.points[hand][1] - f.points["rib_side"][1])
              for f in (start, squeeze)]  # fmt: skip
        assert dist(*at) < 0.5, hand
        a, b = (math.degrees(math.atan2(f.points[hand][1] - f.points[f"{which}_wrist"][1],
                                        f.points[hand][0] - f.points[f"{which}_wrist"][0]))
                for f in (start, squeeze))  # fmt: skip
        assert abs(a - b) < 3, hand  # lying at the same angle
    assert lift(start, squeeze, "belly") < -3  # the tummy draws in towards the back
    assert lift(start, squeeze, "rib_edge") < -0.5  # the ribs move down towards the back


#: Round 19: the most the tummy draws in (cm), the least that moves it 5 / 8 mm on paper in
#: the close-up (zoom 2.6) on every handout (round 17: 15 cm, a deep V).
TUMMY_DENT_CM = 5.2


def _turns(points: list[tuple[float, float]]) -> list[float]:
    """How far a line turns at each inner point (degrees)."""
    heading = [math.atan2(b[1] - a[1], b[0] - a[0]) for a, b in itertools.pairwise(points)]
    return [abs(math.degrees((v - u + math.pi) % (2 * math.pi) - math.pi))
            for u, v in itertools.pairwise(heading)]  # fmt: skip


def test_tummy_squeeze_draws_the_tummy_in_gently_a_smooth_shallow_curve() -> None:
    """Blind test round 17: the deep blue V-shaped dip "invites hard belly-sucking and
    breath-holding". Round 19 (the lead's decision 2): the close-up lets the tummy move
    less; it draws in at most ``TUMMY_DENT_CM`` and as a smooth curve: the drawn-in front
    turns at most 8 degrees at any point (the relaxed front itself turns up to 4), and
    at most 20 degrees across its deepest point (chords 4 cm either side; round 17: a V)."""
    start, squeeze = (
        pose("abdominal-contraction", "start"),
        pose("abdominal-contraction", "squeeze"),
    )
    band = squeeze.parts["tummy"][0]
    front = sorted(band[: len(band) // 2])  # the drawn-in front, head to hips
    relaxed = sorted(squeeze.extras["relaxed_tummy"][1])
    dent = [float(np.interp(x, *zip(*relaxed, strict=True))) - y for x, y in front]
    assert 3.0 < max(dent) <= TUMMY_DENT_CM  # drawn in, gently
    assert max(_turns(front)) <= 8.0
    deep = min(front, key=lambda p: p[1])
    xs, ys = zip(*front, strict=True)
    before, after = ((x, float(np.interp(x, xs, ys))) for x in (deep[0] - 4, deep[0] + 4))
    assert max(_turns([before, deep, after])) <= 20.0
    still = start.parts["tummy"][0]
    assert max(_turns(sorted(still[: len(still) // 2]))) <= 4.0  # the relaxed front


def test_tummy_squeeze_one_short_arrow_from_the_relaxed_to_the_drawn_in_tummy() -> None:
    """Blind test round 15: the long arrow from above the chest onto the rib edge, past the
    hands, read as "press down with your hands" or "flatten your back". Round 16 (the lead's
    decision): one arrow straight down towards the back over the tummy, its tip on the
    solid drawn-in outline, its line crossing the dashed relaxed one. Round 17: over the
    tummy nearer the hips (60-80% of the way from the rib edge), short. Round 19: the hand
    on the flank, 8+ cm from the arrow on the body (the close-up makes that 9+ mm on
    paper, tested in test_pictures.py)."""
    from backplan.pictures.scene import _arrow_path

    entry = exercise_entry("abdominal-contraction")
    squeeze = figure(merged_pose(entry, "squeeze"))
    panel = entry["panels"][1]
    (arrow,) = panel["arrows"]
    path = _arrow_path(entry, panel, arrow)["path"]
    (tx, ty), (hx, hy) = path[0], path[-1]  # one head, at the end
    assert arrow["heads"] == 1 and arrow["tip_fixed"]  # lengthened at its tail only
    assert abs(tx - hx) < 0.5 and ty > hy  # straight down
    band = squeeze.parts["tummy"][0]
    front = sorted(band[: len(band) // 2])  # the drawn-in front, head to hips
    drawn = float(np.interp(hx, [q[0] for q in front], [q[1] for q in front]))
    assert abs(hy - drawn) < 0.8  # the tip on the drawn-in tummy
    relaxed = sorted(squeeze.extras["relaxed_tummy"][1])  # the dashed line
    was = float(np.interp(hx, [q[0] for q in relaxed], [q[1] for q in relaxed]))
    assert ty >= was - 0.5 and was - drawn > 1.0  # from the relaxed outline, above it
    rib, hip = squeeze.points["rib_edge"][0], squeeze.points["hip"][0]
    assert 0.6 <= (hx - rib) / (hip - rib) <= 0.8  # over the tummy nearer the hips
    hand = [q for h in ("near_hand", "far_hand") for poly in squeeze.parts[h] for q in poly]
    assert min(_to_line(q, [(hx, hy), (hx, was + 2)]) for q in hand) > 8.0  # far from it
    assert squeeze.points["near_hand"][0] < hx  # the hand's middle nearer the ribs
    assert arrow["shaft_mm"] < 15  # short: its own least shaft, not the 15 mm of others
    assert not entry["panels"][0].get("arrows")  # the relaxed drawing has none


def test_wall_squats_45_degrees_feet_a_foot_in_front_back_on_the_wall() -> None:
    start, bent = pose("wall-squats", "start"), pose("wall-squats", "bent")
    wall = lowest_x(start, "pelvis", "chest")
    assert bend(bent, "hip", "near_knee", "near_ankle") == pytest.approx(45, abs=2)
    assert bend(start, "hip", "near_knee", "near_ankle") < 5  # starts upright
    for f in (start, bent):
        w = lowest_x(f, "pelvis", "chest")
        assert f.points["near_heel"][0] - w == pytest.approx(30, abs=4)  # 12 inches
        assert f.points["buttock"][0] - w < 2 and f.points["shoulder_blade"][0] - w < 2.5
        assert lowest(f, "near_foot") == pytest.approx(0, abs=0.5)  # feet flat
    assert start.points["near_heel"][0] - wall == pytest.approx(
        bent.points["near_heel"][0] - lowest_x(bent, "pelvis", "chest"), abs=1.5
    )  # the feet stay where they are
    assert bent.points["near_knee"][0] < bent.points["near_toe"][0]  # knees not past the toes
    # blind test round 5: the 45 degree arc read as geometry. The squat at 45 degrees
    # (above), its bent knee named in words, the label's line ending at the knee. Round 10:
    # only the bottom position; round 11: the standing start (back flat on the wall) drawn
    # first where the size rules hold (clear print), and "back stays on the wall"
    first, panel = exercise_entry("wall-squats")["panels"]
    assert first["pose"] == "start" and first["keep"] == "clear"
    assert panel["pose"] == "bent" and not panel.get("angles")
    (back,) = [m for m in panel["marks"] if m.get("text") == "back stays on the wall"]
    assert bent.points[back["at"]][0] - lowest_x(bent, "pelvis", "chest") < 2.5  # on the wall
    (mark,) = [m for m in panel["marks"] if m.get("text") == "knees bent 45°"]
    assert mark["at"] == "near_knee" and (mark["dx"] or mark["dy"])  # a line to the knee
    (feet,) = [m for m in panel["marks"] if m.get("kind") == "distance"]
    assert (feet["from"], feet["to"]) == ("wall", "near_heel")  # the 30 cm drawn
    assert lift(start, bent, "hip") < -5  # slides down the wall
    # blind test round 6: the arrow on the wall was easy to miss; round 9: in front of the
    # knee it floated. A two-way up and down arrow just in front of the chest, along the
    # trunk that slides down the wall, below the chin: slide down, then up
    from backplan.pictures.scene import _arrow_path

    (spec,) = panel["arrows"]
    arrow = _arrow_path(exercise_entry("wall-squats"), panel, spec)
    (x0, y0), (x1, y1) = arrow["path"][0], arrow["path"][-1]
    assert arrow["heads"] == 2 and abs(x1 - x0) < 1 and abs(y1 - y0) >= 25
    chest = np.array([p for poly in bent.parts["chest"] for p in poly])
    front = max(chest[:, 0].max(), max(x for poly in bent.parts["near_forearm"] for x, _ in poly))
    assert front + 3 < min(x0, x1) < front + 12  # beside the trunk, clear of the arm
    assert min(y0, y1) < chest[:, 1].max() and max(y0, y1) > chest[:, 1].min()  # by the chest
    assert max(y0, y1) < bent.points["chin"][1] - 5


def test_heel_raises_heels_up_toes_down_hands_on_a_chair() -> None:
    start, up = pose("heel-raises", "start"), pose("heel-raises", "up")
    # the steps say hold a chair or worktop: one is drawn, hands on the top of its back
    assert exercise_entry("heel-raises")["props"]["chair"]["place"] == "hold"
    for f in (start, up):
        assert f.points["near_hand"][0] > f.points["shoulder"][0] + 15
    assert 6 <= lift(start, up, "near_heel") <= 13
    assert lowest(up, "near_foot") == pytest.approx(0, abs=0.5)  # on the toes
    assert up.points["near_toe"][1] < 6


@pytest.mark.parametrize(
    ("exercise", "variant"), [("straight-leg-raises", ""), ("supine-leg-raises", "easier")]
)
def test_straight_leg_raises_lift_15_to_30_cm_other_knee_bent(exercise: str, variant: str) -> None:
    start, up = pose(exercise, "start", variant), pose(exercise, "up", variant)
    assert 15 <= lift(start, up, "near_heel") <= 30  # "six to 12 inches"
    assert bend(up, "hip", "near_knee", "near_ankle") < 1  # the leg straight
    assert bend(up, "hip", "far_knee", "far_ankle") > 70 and lowest(up, "far_foot") < 1.0
    assert lowest(up, "pelvis") < 1.0  # the lower back stays down


def test_straight_leg_raises_mark_the_source_height_by_the_heel_the_easier_one_none() -> None:
    """Round 11: F and the easier supine leg raise (L) were the same drawing. The source
    gives F a height ("six to 12 inches"), so F's lifted heel has an upright "15-30 cm"
    marker from the mat to the heel's height; L's source gives none (round 21: L's marker
    says "small lift", no number)."""
    from backplan.pictures.scene import _mark

    up = pose("straight-leg-raises", "up")
    (mark,) = [m for m in exercise_entry("straight-leg-raises")["panels"][1]["marks"]
               if m["kind"] == "height"]  # fmt: skip
    assert mark["at"] == "near_heel" and mark["text"] == "15-30 cm"
    shapes = [s for kind, s in _mark({"pose": up}, mark, 0.45, [0, 0, 0, 0]) if kind == "shape"]
    (line,) = [s for s in shapes if len(s.points) == 2 and s.width > 1]  # the thick shaft
    (_, y0), (x1, y1) = line.points
    heel = up.points["near_heel"]
    assert y0 < 2 and y1 == pytest.approx(heel[1], abs=2) and 15 <= heel[1] <= 32
    assert 0 < x1 - heel[0] < 12  # beside the heel
    easier = exercise_entry("supine-leg-raises", "easier")
    texts = [
        m["text"] for p in easier["panels"] for m in p.get("marks", []) if m["kind"] == "height"
    ]
    assert texts == ["small lift"]  # no figure: the source gives none


@pytest.mark.parametrize(
    ("exercise", "variant", "point", "low", "high"),
    [("supine-leg-raises", "", "near_heel", 15, 25),  # H: as high as F, no higher
     ("supine-leg-raises", "easier", "near_heel", 15, 30)],  # L: as F
)  # fmt: skip
def test_lying_leg_raises_mark_a_small_lift_from_the_mat_to_the_lifted_foot(
    exercise: str, variant: str, point: str, low: float, high: float
) -> None:
    """Round 21 (blind tests 19 and 20: "no height is given"): the leg raises on the back
    (H, and its easier way L) get F's upright two-headed marker with end stops, from the mat
    to the lifted heel, beside it, labelled "small lift" (no number: the source gives none).
    The lift it marks is small: H's heel is brought from 25 to 22 cm up (F's range). (The
    leg raise on the front, G, has none yet: its marker's words under the mat make the
    large-print HTML block run over its page; see docs/pictures-round21-p21lift.md.)"""
    from backplan.pictures.scene import _mark

    entry = exercise_entry(exercise, variant)
    start, up = pose(exercise, "start", variant), pose(exercise, "up", variant)
    (mark,) = [m for m in entry["panels"][1]["marks"] if m["kind"] == "height"]
    assert mark["at"] == point and mark["text"] == "small lift"
    assert start.points[point][1] < 1.0  # on the mat at the start
    assert low <= up.points[point][1] <= high
    assert low <= lift(start, up, "near_heel") <= high  # the leg's lift, not the foot's shape
    shapes = [s for kind, s in _mark({"pose": up}, mark, 0.45, [0, 0, 0, 0]) if kind == "shape"]
    (line,) = [s for s in shapes if len(s.points) == 2 and s.width > 1]  # the thick shaft
    (x0, y0), (x1, y1) = line.points
    assert y0 < 2 and y1 == pytest.approx(up.points[point][1], abs=2)
    assert x0 == x1 and 0 < x1 - up.points[point][0] < 12  # upright, beside the foot
    feet = [p for poly in up.parts["near_foot"] for p in poly]
    assert x1 > max(x for x, _ in feet) - 1  # not across the foot


def test_supine_leg_raises_arms_at_sides_other_leg_down() -> None:
    start, up = pose("supine-leg-raises", "start"), pose("supine-leg-raises", "up")
    assert 15 <= lift(start, up, "near_heel") <= 25  # round 21: a small lift, as F
    assert lowest(up, "far_foot") < 1.0 and lowest(up, "near_hand") < 4  # arms by the sides
    assert up.points["near_hand"][0] > up.points["shoulder"][0]  # along the body, not overhead


def test_prone_leg_raises_face_down_leg_straight_off_the_floor() -> None:
    start, up = pose("prone-leg-raises", "start"), pose("prone-leg-raises", "up")
    # blind test round 6: the nose pressed into the floor looked wrong; rounds 7 and 8: a
    # head all hair left "face down" to the words; round 9: the forehead on the mat, still a
    # small cue; round 10: the face turned towards you read as lying on the back or side.
    # Round 11 (the lead's decision): the head turned away from you, the back and side of
    # it covered by hair, an ear, no eye, nose or mouth
    for f in (start, up):
        assert not {"eye", "eye2", "mouth"} & set(f.extras) and not f.parts.get("nose")
        assert not [k for k in f.extras if k.startswith("face_line") and k != "face_line_ear"]
    assert lowest(start, "head") < 1.0 and lowest(start, "chest", "pelvis") < 1.5
    (cx, cy), r = start.points["head"], 11.5
    hair = Path(np.array(start.extras["hair"][1]))
    ear = np.array(start.extras["ear"][1])
    assert hair.contains_point(start.points["top"]) and hair.contains_point((cx, cy + r * 0.6))
    head_area = _area(start.parts["head"][0])
    assert _area(start.extras["hair"][1]) > 0.6 * head_area  # mostly hair: its back and side
    assert 0.04 * head_area < _area(ear) < 0.15 * head_area  # an ear, big enough to see
    ex, ey = ear.mean(0)
    assert dist((ex, ey), (cx, cy)) < r * 0.5  # in the middle of the side, not on the edge
    assert ey < cy  # below the middle, by the cheek on the mat (not the top edge: a nose)
    for which in ("near", "far"):  # the arms by the sides, hands by the hips
        assert start.points[f"{which}_hand"][0] > start.points["shoulder"][0] + 30
        assert lowest(start, f"{which}_hand") < 5
    for f in (start, up):  # round 10: no crease marks on the legs (they read as noise)
        assert not [k for k in f.extras if "fold" in k or "knee_back" in k]
    assert start.points["buttock"][1] > start.points["back"][1] + 4  # the bottom rises
    assert start.points["buttock"][1] > start.points["shoulder_blade"][1]
    assert "back_blade" in start.extras
    assert start.points["buttock"][1] > start.points["hip"][1]  # bottom up
    for which in ("near", "far"):  # soles up: the toes point down into the mat, heels up
        assert start.points[f"{which}_toe"][1] < 2.5 and lowest(start, f"{which}_foot") < 1
        assert start.points[f"{which}_heel"][1] > start.points[f"{which}_toe"][1] + 15
    assert lift(start, up, "near_knee") > 5 and lift(start, up, "near_heel") > 15
    assert bend(up, "hip", "near_knee", "near_ankle") < 1
    assert lowest(up, "near_hand") < 5  # arms by the sides


def _area(poly) -> float:
    pts = np.array(poly)
    x, y = pts[:, 0], pts[:, 1]
    return float(abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) / 2)


def test_half_sit_ups_head_and_shoulders_only_hands_towards_knees() -> None:
    start, up = pose("half-sit-ups", "start"), pose("half-sit-ups", "up")
    # head and shoulder blades only: the shoulders rise 5-12 cm, the upper back slopes at
    # most 20 degrees and the shoulder blades are just off the floor (blind test round 2
    # read 40 degrees as a sit-up, round 3 read 17 degrees with the back high as one)
    assert 5 <= lift(start, up, "shoulder") <= 12 and lowest(up, "head") > 10
    (sx, sy), (wx, wy) = up.points["shoulder"], up.points["waist"]
    assert math.degrees(math.atan2(sy - wy, wx - sx)) <= 20
    assert 1 < up.points["shoulder_blade"][1] <= 5
    assert lowest(up, "pelvis") < 0.5 and lowest(up, "chest") < 5  # lower back on the mat
    assert lift(start, up, "back") < 1  # the back at the waist does not lift
    assert up.points["waist"][1] - start.points["waist"][1] < 1  # it curls above the waist
    level = figure({**merged_pose(exercise_entry("half-sit-ups"), "up"), "neck": 0})
    assert (
        dist(up.points["chin"], up.points["ribs"])
        < dist(level.points["chin"], level.points["ribs"]) - 3
    )
    # the chin is tucked towards the chest, not held up
    assert (
        dist(up.points["near_hand"], up.points["near_knee"])
        < dist(start.points["near_hand"], start.points["near_knee"]) - 15
    )  # reaching towards the knees
    assert lowest(up, "near_foot") < 1.0  # feet flat


def test_half_sit_ups_arrow_at_the_shoulder_blades_not_round_the_head() -> None:
    """Round 22 (blind test 21, both reviewers): the only arrow curled round the head, so
    patients would pull the head up. It now rises from the mat to the shoulder blades
    (cm on the body): its tip within 4 cm of the lifted upper back's outline and no higher
    than the shoulder, its tail low by the mat, every point of it 8+ cm from the head;
    lengthened for print at its tail only, so the tip stays on the upper back."""
    from backplan.pictures.scene import _arrow_path

    entry = exercise_entry("half-sit-ups")
    up = pose("half-sit-ups", "up")
    panel = entry["panels"][1]
    (spec,) = panel["arrows"]
    path = _arrow_path(entry, panel, spec)["path"]
    back, head = (np.array(up.parts[name][0]) for name in ("chest", "head"))

    def gap(point, outline) -> float:  # to the nearest corner of the outline, cm
        return float(np.hypot(*(outline - np.array(point)).T).min())

    (tail, tip) = path[0], path[-1]
    assert gap(tip, back) <= 4 and tip[1] <= up.points["shoulder"][1] + 1, path
    assert 0 <= tail[1] <= 5, path  # from the mat
    assert all(gap(p, head) >= 8 for p in path), path
    assert spec.get("tip_fixed") and spec.get("heads") == 1


def test_half_sit_ups_easier_seated_leg_lifted_to_waist_height() -> None:
    start, up = pose("half-sit-ups", "start", "easier"), pose("half-sit-ups", "up", "easier")
    assert lowest(start, "pelvis") == pytest.approx(46, abs=0.5)  # on a chair seat
    assert lowest(start, "near_foot") < 1.0  # legs out, heels on the floor
    assert bend(up, "hip", "near_knee", "near_ankle") < 1
    # blind test round 10: the foot drawn above the dashed waist line read as "higher".
    # Round 11: the top of the lifted foot on the line, nothing above it
    top = max(y for poly in up.parts["near_foot"] for _, y in poly)
    assert top == pytest.approx(up.points["waist"][1], abs=0.5)
    assert up.points["near_heel"][1] > up.points["waist"][1] - 20  # lifted well up
    (level,) = exercise_entry("half-sit-ups", "easier")["panels"][1]["marks"]
    assert level["kind"] == "level" and level["from"] == "waist" and not level.get("dy")
    assert up.points["near_toe"][1] < up.points["shoulder"][1] - 12  # never near the chest
    assert abs(up.points["shoulder"][0] - up.points["hip"][0]) < 4  # sitting upright
    for f in (start, up):  # hands on the seat beside the hips, not on the lifted leg
        assert f.points["near_hand"][1] == pytest.approx(46 + 3, abs=4)
        assert abs(f.points["near_hand"][0] - f.points["hip"][0]) < 8


def test_back_leg_swing_realistic_range_trunk_upright_knee_straight_foot_level() -> None:
    """Blind test round 7: a leg drawn 35-40 degrees behind an upright trunk cannot be copied
    without arching the lower back (hip extension with the knee straight is about 10-20
    degrees, docs/pictures.md). Rounds 9-10 hinged the trunk forward to show "up", against
    the label "back stays straight"; round 11 set the trunk upright (a lean of 5 degrees at
    most), both hands on the chair back. Round 15 exaggerated the leg to 39 degrees so the
    lift showed at print size; both round-15 reviewers again said a patient copying it
    would arch the lower back. Round 16: a realistic 18-25 degrees of hip extension, the
    knee straight, the lifted foot level and off the floor; a close-up makes the small lift
    visible (tests/test_pictures.py measures it on paper)."""
    start, back = pose("back-leg-swing", "start"), pose("back-leg-swing", "back")
    for f in (start, back):
        (sx, sy), (hx, hy) = f.points["shoulder"], f.points["hip"]
        assert abs(math.degrees(math.atan2(sx - hx, sy - hy))) <= 5  # upright, no hinge
        assert bend(f, "hip", "waist", "shoulder") < 1  # the back straight, no arch
    # hip extension: the thigh against the line of the trunk carried on down past the hip
    assert 18 <= bend(back, "shoulder", "hip", "near_knee") <= 25
    assert abs(back.points["far_ankle"][0] - back.points["hip"][0]) < 3  # standing leg upright
    assert back.points["near_heel"][0] < start.points["near_heel"][0] - 25  # back
    assert lowest(back, "near_foot") >= 6  # the whole foot off the floor
    foot = [p for poly in back.parts["near_foot"] for p in poly]
    heel_end = min(y for x, y in foot if x < min(x for x, _ in foot) + 8)
    toe_end = min(y for x, y in foot if x > max(x for x, _ in foot) - 8)
    assert abs(heel_end - toe_end) < 2.5  # level: neither the toes nor the heel dip
    assert lowest(back, "far_foot") < 1.0  # standing on the other foot
    assert bend(back, "hip", "near_knee", "near_ankle") < 1
    for f in (start, back):  # both hands on the chair back, in front of the shoulders
        assert f.points["near_hand"][0] > f.points["shoulder"][0] + 15
    marks = exercise_entry("back-leg-swing")["panels"][1]["marks"]
    texts = {m["text"]: m for m in marks}
    assert {"back stays straight", "knee straight"} <= set(texts)
    assert texts["knee straight"]["at"] == "near_knee"


def test_back_leg_swing_close_up_of_the_lifted_foot_small_lift_arrow_up_to_it() -> None:
    """Round 16 (blind test 15): the small, safe lift is shown in a framed close-up of the
    lifted foot and the floor under it (the heel raises' way), with a bracket from the
    floor up to the foot labelled "small lift" and one single-headed arrow from the floor
    by the standing foot, rising along the heel's path, its head at the lifted foot. The
    standing leg is drawn solid: nothing dashed over it (round 15's dashed start outline
    read as a ghost leg)."""
    from backplan.pictures.scene import _arrow_path

    entry = exercise_entry("back-leg-swing")
    start, back = pose("back-leg-swing", "start"), pose("back-leg-swing", "back")
    (close,) = [p for p in entry["panels"] if "region" in p]
    assert close["pose"] == "back" and close.get("of", 1) == 1 and close["zoom"] >= 2
    cx, cy = back.points[close["region"]["around"]]
    x0, y0, x1, y1 = close["region"]["box"]
    x0, y0, x1, y1 = cx + x0, cy + y0, cx + x1, cy + y1
    foot = [p for poly in back.parts["near_foot"] for p in poly]
    assert all(x0 < x < x1 and y0 < y < y1 for x, y in foot)  # the whole lifted foot
    assert y0 < -5  # and the floor under it, with room for the label
    assert x1 > start.points["near_heel"][0]  # the standing heel, where the arrow starts
    (gap,) = close["marks"]
    assert gap["kind"] == "gap" and gap["part"] == "near_foot" and gap["text"] == "small lift"
    (arrow,) = close["arrows"]
    spec = _arrow_path(entry, close, arrow)
    path = spec["path"]
    assert spec["heads"] == 1
    (tx, ty), tip = path[0], path[-1]
    assert 0 < ty < 4  # the tail just above the floor
    assert abs(tx - start.points["near_heel"][0]) < 6  # beside the standing foot
    assert min(dist(tip, p) for p in foot) < 3  # the head at the lifted foot
    ys = [y for _, y in path]
    assert all(b > a for a, b in itertools.pairwise(ys))  # up all the way, never down
    assert all(x0 < x < x1 and y0 < y < y1 for x, y in path)  # inside the close-up
    assert entry.get("ghost_parts") == [] and not any(p.get("ghost_front")
                                                      for p in entry["panels"])  # fmt: skip


def _share_outside(poly, covers) -> float:
    """The share of ``poly``'s area (sampled on a grid) that none of ``covers`` hides."""
    pts = np.array(poly)
    (x0, y0), (x1, y1) = pts.min(0), pts.max(0)
    grid = np.c_[
        [a.ravel() for a in np.meshgrid(np.linspace(x0, x1, 30), np.linspace(y0, y1, 30))]
    ].T
    inside = Path(pts).contains_points(grid)
    hidden = np.zeros(len(grid), bool)
    for c in covers:
        hidden |= Path(np.array(c)).contains_points(grid)
    return float((inside & ~hidden).sum() / inside.sum())


def test_knee_to_chest_hand_holds_the_back_of_the_thigh_below_the_knee() -> None:
    """Blind test round 6: the hand drawn on the front of the shin contradicted "hands under
    knees" (patients would press on sore knees). The steps: both hands hold the back of the
    thighs just below the knees. Round 10: the hand drawn on the side of the thigh, its
    fingers in the bend of the knee, still read as "on the front of the shins". Round 11:
    the whole near arm goes behind the near thigh (drawn before the leg); the hand sits on
    the back half of the thigh below the knee, and only its fingers show, curled round
    the back edge of the thigh; the label's line ends at the hand without crossing the
    upper arm."""
    from backplan.pictures.scene import _figure_shapes

    entry = exercise_entry("knee-to-chest")
    end = pose("knee-to-chest", "in")
    knee, hip, back = (end.points[k] for k in ("near_knee", "hip", "near_thigh_back"))
    length = dist(knee, hip)
    ux, uy = (hip[0] - knee[0]) / length, (hip[1] - knee[1]) / length  # knee to hip

    def along(p: tuple[float, float]) -> float:  # cm from the knee towards the hip
        return (p[0] - knee[0]) * ux + (p[1] - knee[1]) * uy

    def across(p: tuple[float, float]) -> float:
        return (p[0] - knee[0]) * -uy + (p[1] - knee[1]) * ux

    # the back of the thigh is the side the calf folds against (the ankle's side)
    ankle_side = math.copysign(1.0, across(end.points["near_ankle"]))

    def out(p: tuple[float, float]) -> float:  # cm from the thigh's middle, + at its back
        return across(p) * ankle_side

    assert out(back) > 0
    hand = end.points["near_hand"]
    assert 5 <= along(hand) <= length / 3  # just below the knee, not at the hip or the shin
    assert out(hand) > 0  # on the back half of the thigh, not its front
    palm, *fingers = end.parts["near_hand"]
    assert len(fingers) >= 6  # four fingers and a thumb
    wrist = end.points["near_wrist"]
    tips = [max(f, key=lambda p: dist(p, wrist)) for f in fingers[:-2]]  # the fingertips
    thigh = Path(np.array(end.parts["near_thigh"][0]))
    beyond = [t for t in tips if out(t) > 0 and not thigh.contains_point(t)]
    assert len(beyond) >= 3  # the fingers curl round the back edge of the thigh
    # behind: the arm and hand are drawn before the leg, so the leg hides the palm and
    # the forearm, and nothing drawn later hides the fingertips past its back edge
    assert entry.get("arms_behind") == "whole"
    shapes = _figure_shapes(end, {"near_thigh", "near_shin"}, 0.45, set(), "whole")
    fills = [s.points for s in shapes if s.stroke is None]
    assert fills.index(palm) < fills.index(end.parts["near_thigh"][0])
    assert fills.index(end.parts["near_forearm"][0]) < fills.index(end.parts["near_thigh"][0])
    later = [Path(np.array(c)) for c in fills[fills.index(palm) + 1 :] if c not in fingers]
    shown = [t for t in beyond if not any(c.contains_point(t) for c in later)]
    assert len(shown) >= 3  # three fingertips show past the back of the thigh
    # big enough to see at print size: the hand with its fingers 15+ cm across
    pts = np.array([p for poly in end.parts["near_hand"] for p in poly])
    assert np.ptp(pts, axis=0).max() >= 15
    (mark,) = [m for m in entry["panels"][1]["marks"] if m["text"] == "hands under knees"]
    assert mark["at"] == "near_hand"
    hx, hy = end.points[mark["at"]]
    line = [(hx + mark["dx"] * t / 20, hy + mark["dy"] * t / 20) for t in range(2, 21)]
    assert not Path(end.parts["near_upper_arm"][0]).contains_points(line).any()


def test_knee_to_chest_hands_under_knees_head_down() -> None:
    end = pose("knee-to-chest", "in")
    knee, hip, hand = (end.points[k] for k in ("near_knee", "hip", "near_hand"))
    assert dist(hand, knee) < dist(hand, hip) / 2  # at the knee, not on the thigh
    assert bend(end, "hip", "near_knee", "near_ankle") > 90  # knees stay bent
    assert lowest(end, "head") < 1.5  # head on the mat
    assert end.points["near_knee"][0] < end.points["hip"][0] + 15  # knees over the chest
    # pulled in, not a tabletop: the thighs lean towards the chest well past upright
    (kx, ky), (hx, hy) = end.points["near_knee"], end.points["hip"]
    assert math.degrees(math.atan2(ky - hy, kx - hx)) > 115
    # both knees come up (blind test round 3 saw one leg): the far knee too, just offset
    # so it shows behind the near one
    far = end.points["far_knee"]
    assert math.degrees(math.atan2(far[1] - hy, far[0] - hx)) > 115
    assert 3 < dist(far, end.points["near_knee"]) < 12
