"""Close-ups (issue 23, round 17). Round 16's blind test: the black rectangle drawn round
the feet to mark what a close-up magnifies sat on the floor line and read as a box or a
step (heel raises: "stand on a step and drop the heels over the edge"; back leg swing: the
lifted foot "rests on a step"). Now the marker is a light grey ring, thinner than the
close-up's own frame, with no straight side or corner, round the same place, under the
figure; its line to the close-up is the same grey and width."""

from __future__ import annotations

import math

import pytest
from test_pictures import _clinic_handout_pictures, _on_paper, _shapes

from backplan.pictures import exercise_picture, scene
from backplan.pictures.body import figure
from backplan.pictures.data import exercise_entry, merged_pose, poses

#: Every shipped picture with a close-up of one of its drawings (the pose file's own list).
MARKED = sorted(
    name
    for name, entry in poses()["exercises"].items()
    if any("region" in p and p.get("of", i - 1) is not None for i, p in enumerate(entry["panels"]))
)


def _grey(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b


def _inside(point: tuple[float, float], ring: tuple) -> bool:
    """Whether ``point`` is inside the closed outline ``ring`` (mm)."""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _smooth(ring: tuple) -> bool:
    """No corner (each turn at most 10 degrees) and no straight side (no piece longer
    than 6% of the way round)."""
    segments = list(zip(ring, ring[1:] + ring[:1], strict=True))
    around = sum(math.dist(a, b) for a, b in segments)
    turns = []
    for (a, b), (_, c) in zip(segments, segments[1:] + segments[:1], strict=True):
        t = math.atan2(c[1] - b[1], c[0] - b[0]) - math.atan2(b[1] - a[1], b[0] - a[0])
        turns.append(abs((t + math.pi) % (2 * math.pi) - math.pi))
    return max(turns) <= math.radians(10) and max(math.dist(a, b) for a, b in segments) <= (
        0.06 * around
    )


def _markers(exercise: str, pic: scene.Picture) -> list[tuple[scene.Panel, scene.Panel, tuple]]:
    """(the drawing magnified, its close-up, the region it magnifies: cm) as shown."""
    entry = exercise_entry(exercise)
    shown = {p.index: p for p in pic.panels}
    out = []
    for j, panel in enumerate(entry["panels"]):
        of = panel.get("of", j - 1)
        if "region" in panel and of is not None and of in shown and j in shown:
            cx, cy = figure(merged_pose(entry, panel["pose"])).points[panel["region"]["around"]]
            x0, y0, x1, y1 = panel["region"]["box"]
            out.append((shown[of], shown[j], (cx + x0, cy + y0, cx + x1, cy + y1)))
    return out


def _pictures(exercise: str):
    for large, language in ((False, "en"), (True, "en"), (False, "ar")):
        yield (large, language), exercise_picture(exercise, large_print=large, language=language)
    yield from _clinic_handout_pictures(exercise, "more advanced")


def test_every_close_up_in_the_pose_file_is_checked() -> None:
    assert MARKED == ["abdominal-contraction", "ankle-lifts", "back-leg-swing", "heel-raises"]


#: The part each close-up is about, which its ring goes round (round 19: the tummy
#: squeeze's close-up of the trunk shows the hand below the ribs).
MAGNIFIED = {"abdominal-contraction": "near_hand"}


@pytest.mark.parametrize("exercise", MARKED)
def test_close_up_marker_is_a_light_grey_ring_round_its_region_under_the_figure(
    exercise: str,
) -> None:
    """The marker on the body is a mid grey ring about 0.6 times as thick as the close-up's
    frame, with no straight side and no corner; round the part magnified (every point of
    the moving foot, or the tummy squeeze's hand, inside it, or under its line) and the middle of the region; drawn before (under) the
    drawing it marks, so it never hides a hand or a foot; nothing else on that drawing is an
    unfilled box. One line of the same grey and width runs from the ring to the close-up.
    Round 16's black rectangle fails each of these."""
    entry = exercise_entry(exercise)
    assert 0.4 <= _grey(scene.MARKER) <= 0.6 and scene.MARKER != scene.INK
    for key, pic in _pictures(exercise):
        markers = _markers(exercise, pic)
        shapes = _shapes(pic.items)
        rings = [s for s in shapes if s.stroke == scene.MARKER and s.closed]
        lines = [s for s in shapes if s.stroke == scene.MARKER and not s.closed]
        assert markers and len(rings) == len(markers) == len(lines), (exercise, key)
        for (source, close, region), ring, line in zip(markers, rings, lines, strict=True):
            pts = ring.points
            assert ring.fill is None and len(pts) >= 48 and _smooth(pts), (exercise, key)
            frame = [s for s in shapes if s.stroke == scene.INK and s.closed and not s.fill
                     and len(s.points) == 4
                     and math.dist(s.points[0], (close.x, close.y)) < 0.01]  # fmt: skip
            assert frame and 0.5 <= ring.width / frame[0].width <= 0.7, (exercise, key)
            assert line.width == ring.width and len(line.points) == 2, (exercise, key)
            on_ring, to_close = line.points
            assert min(math.dist(on_ring, p) for p in pts) < 0.01, (exercise, key)
            edges = (close.x, close.x + close.width, close.y, close.y + close.height)
            assert min(abs(to_close[0] - edges[0]), abs(to_close[0] - edges[1]),
                       abs(to_close[1] - edges[2]), abs(to_close[1] - edges[3])) < 0.01  # fmt: skip
            # round the same place: the region's middle (the part inside the drawing)
            (x0, y0), (x1, y1) = _on_paper(source, region[:2]), _on_paper(source, region[2:])
            x0, x1 = max(min(x0, x1), source.x), min(max(x0, x1), source.x + source.width)
            y0, y1 = max(y0, source.y), min(y1, source.y + source.height)
            assert _inside(((x0 + x1) / 2, (y0 + y1) / 2), pts), (exercise, key)
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            assert max(xs) - min(xs) >= 0.9 * (x1 - x0) and max(ys) - min(ys) >= 0.9 * (y1 - y0)
            shown = figure(merged_pose(entry, entry["panels"][source.index]["pose"]))
            part = MAGNIFIED.get(exercise, "near_foot")
            foot = [_on_paper(source, p) for poly in shown.parts[part] for p in poly]
            # (a ring kept inside the picture may pass under the tip of the toes)
            assert all(_inside(p, pts) or min(math.dist(p, q) for q in pts) < 1.0
                       for p in foot), (exercise, key)  # fmt: skip
            # under the drawing it marks (before it in the drawing order)
            at = pic.items.index(ring)
            clips = [i for i, item in enumerate(pic.items) if isinstance(item, scene.Clip)
                     and math.dist(item.box[:2], (source.x, source.y)) < 0.01]  # fmt: skip
            assert clips and at < min(clips), (exercise, key)
            # no box left on that drawing: any unfilled, solid closed outline there is a ring
            for s in shapes:
                if s.closed and s.stroke and not s.fill and not s.dash:
                    cx = sum(p[0] for p in s.points) / len(s.points)
                    cy = sum(p[1] for p in s.points) / len(s.points)
                    if source.x < cx < source.x + source.width and (
                        source.y < cy < source.y + source.height
                    ):
                        assert len(s.points) >= 48 and _smooth(s.points), (exercise, key)


def test_back_leg_swing_lifted_foot_clear_of_the_floor_line_in_the_whole_drawing() -> None:
    """Round 16's reviewers read the lifted foot as resting on the floor (or on the box
    round it) in the whole drawing: its outline is clear of the floor line's thickness by
    0.5 mm or more on paper, in every print size and handout."""
    entry = exercise_entry("back-leg-swing")
    back = figure(merged_pose(entry, "back"))
    for key, pic in _pictures("back-leg-swing"):
        (lift,) = [p for p in pic.panels if p.zoom == 1 and p.index == 1]
        shapes = _shapes(pic.items)
        floor_y = _on_paper(lift, (0.0, 0.0))[1]
        floors = [s for s in shapes if s.stroke == scene.INK and not s.closed
                  and len(s.points) == 2 and all(abs(y - floor_y) < 0.01 for _, y in s.points)
                  and lift.x - 0.1 <= min(x for x, _ in s.points)]  # fmt: skip
        assert floors, key
        top = floor_y + max(s.width for s in floors) / 2
        for poly in back.parts["near_foot"]:
            drawn = tuple(_on_paper(lift, p) for p in poly)
            (foot,) = [s for s in shapes if len(s.points) == len(drawn) and s.stroke
                       and all(math.dist(a, b) < 0.01 for a, b in zip(s.points, drawn, strict=True))]  # fmt: skip
            low = min(y for _, y in drawn) - foot.width / 2
            assert low - top >= 0.5, (key, round(low - top, 2))
