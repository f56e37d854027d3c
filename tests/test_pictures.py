"""Exercise pictures: drawn from data/poses.json by one renderer for SVG and PDF, big enough to
see the movement, dark for what moves; alt text and badges in both; a clinic's own picture
(PNG, JPEG or SVG) from the catalogue's ``image`` column, checked when the catalogue loads."""

from __future__ import annotations

import itertools
import math
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fuzz_inputs import fuzz
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.path import Path as MplPath
from PIL import Image
from pypdf import PdfReader

import backplan as bp
from backplan._io.paths import data_dir
from backplan.pictures import (
    clinic_height,
    dose_badges,
    exercise_picture,
    picture_drawing,
    picture_svg,
    poses,
    scene,
)
from backplan.pictures.body import figure
from backplan.pictures.data import exercise_entry, merged_pose
from backplan.words import words_for

WIDE = ("ankle-lifts", "heel-slides", "abdominal-contraction", "straight-leg-raises",
        "prone-leg-raises", "supine-leg-raises", "half-sit-ups", "knee-to-chest")  # fmt: skip
ALL = [(e, "") for e in poses()["exercises"]] + [
    ("supine-leg-raises", "easier"),
    ("half-sit-ups", "easier"),
]


def test_every_shipped_exercise_and_easier_option_has_a_picture(catalogue: pd.DataFrame) -> None:
    assert set(poses()["exercises"]) == set(catalogue["id"])
    with_easier = set(catalogue.loc[catalogue["easier_option"].fillna("") != "", "id"])
    assert {e for e, v in ALL if v} == with_easier  # every easier option the catalogue gives
    for exercise, variant in ALL:
        pic = exercise_picture(exercise, variant)
        assert pic is not None and len(pic.panels) >= 2
        assert pic.alt and len(pic.alt.split()) >= 15  # the movement in words


@pytest.mark.parametrize(("exercise", "variant"), ALL)
def test_pictures_are_big_enough_to_see_the_movement(exercise: str, variant: str) -> None:
    clear = exercise_picture(exercise, variant)
    large = exercise_picture(exercise, variant, large_print=True)
    assert large.scale >= 1.4 * clear.scale  # large print at least 1.4 times bigger
    assert clear.moves and min(clear.moves.values()) >= 5.0  # mm on paper
    assert min(large.moves.values()) >= 8.0
    for pic in (clear, large):
        assert pic.width <= 184 + 1e-6 and all(p.width > 0 for p in pic.panels)
        assert all(p.x >= 0 and p.x + p.width <= pic.width + 1e-6 for p in pic.panels)
    if exercise in WIDE and not variant:  # lying figures are not a strip
        # a 1.74 m person at least 78 mm long in clear print (or, drawn only as close-ups,
        # the body in them at least that big)
        assert min(p.scale for p in clear.panels) >= 0.45


def test_wall_squats_start_standing_in_clear_print_the_squat_alone_in_large_print() -> None:
    """Round 11: the standing start beside the squat where the size rules hold. In large
    print 95 mm high the two drawings would move the knee 7 mm (under 8), so it shows the
    squat's drawing alone (round 19: the start pose drawn whole beside it, see below)."""
    from backplan.pictures.fit import fit_pictures

    for pics in (
        [exercise_picture("wall-squats", large_print=large) for large in (False, True)],
        [fit_pictures("wall-squats", ("",), large_print=large, width_mm=184, room_mm=room,
                      dose="10 times, hold each for 5 seconds")[0]
         for large, room in ((False, 110), (True, 95))],
    ):  # fmt: skip
        clear, large = pics
        assert [p.index for p in clear.panels] == [0, 1] and clear.moves["knee"] >= 5
        assert [p.index for p in large.panels] == [1] and large.moves["knee"] >= 8
    # a large-print page with room keeps both drawings once the knee moves 8 mm
    (roomy,) = fit_pictures("wall-squats", ("",), large_print=True, width_mm=184, room_mm=130)
    assert [p.index for p in roomy.panels] == [0, 1] and roomy.moves["knee"] >= 8


@pytest.mark.parametrize("language", ["en", "ar"])
def test_wall_squats_large_print_alone_still_shows_the_standing_start_beside_the_squat(
    language: str,
) -> None:
    """Round 19 (blind test 17, p22: "stand tall first, then slide down" is not in the
    drawing): where large print leaves out the start drawing, the start pose is drawn
    whole beside the squat (its legs as they start: straight), 0.95 or more of its size,
    against its own wall, before it in reading order (on the left; on the right in
    Arabic), its head 3 cm or more higher; the description says two drawings, and the
    squat keeps its 8 mm of knee movement. Round 17: the squat alone."""
    from backplan.pictures.fit import fit_pictures

    start = figure(merged_pose(exercise_entry("wall-squats"), "start"))
    rtl = language == "ar"
    for pic, knee in [(exercise_picture("wall-squats", large_print=True, language=language), 8)] + [
        (fit_pictures("wall-squats", ("",), large_print=True, width_mm=184, room_mm=room,
                      dose="10 times, hold each for 5 seconds", language=language)[0], knee)
        for room, knee in ((97, 8), (79.5, 6.5))  # the A4 and Letter handouts' rooms
    ]:  # fmt: skip
        assert [p.index for p in pic.panels] == [1] and pic.moves["knee"] >= knee
        assert pic.alt.startswith(words_for(language)["picture_drawings_2"])
        shapes = _shapes(pic.items)
        walls = sorted((s for s in shapes if s.fill == scene.PROP), key=lambda s: min(_xs(s)))
        heads = sorted((s for s in shapes if s.fill == scene.HAIR), key=lambda s: min(_xs(s)))
        assert len(walls) == 2 and len(heads) == 2  # two people, each on their wall
        (first, squat), squat_wall = (heads[::-1], walls[0]) if rtl else (heads, walls[1])
        assert max(_ys(first)) - max(_ys(squat)) >= 3 * pic.scale
        for name in ("near_thigh", "near_shin", "near_foot"):  # dark: what moves
            (part,) = start.parts[name]
            (k, drawn), *_ = [z for s in shapes if s.fill == scene.MOVE
                              if (z := _similar(part, s.points))]  # fmt: skip
            assert k >= 0.95 * pic.scale, name
            if rtl:  # wholly on its own side of the squat's wall
                assert min(_xs(drawn)) > max(_xs(squat_wall)), name
            else:
                assert max(_xs(drawn)) < min(_xs(squat_wall)), name


def _similar(part: Sequence, drawn: scene.Shape | Sequence) -> tuple[float, scene.Shape] | None:
    """``(mm per cm, drawn)`` when the drawn shape (mm) is ``part`` (cm) scaled and moved."""
    a = np.array(part, dtype=float)
    b = np.array(drawn, dtype=float)
    if a.shape != b.shape:
        return None
    a, b = a - a[0], b - b[0]
    k = float(np.linalg.norm(b) / np.linalg.norm(a))
    return (k, scene.Shape(tuple(drawn))) if np.allclose(a * k, b, atol=0.05) else None


def _xs(s: scene.Shape) -> list[float]:
    return [x for x, _ in s.points]


def _ys(s: scene.Shape) -> list[float]:
    return [y for _, y in s.points]


def _showing(pic: scene.Picture, fill: str, step: float = 0.2) -> np.ndarray:
    """Where ``fill`` is the colour on top on paper: a grid of ``step`` mm cells round the
    shapes of that fill, each painted by the last filled shape over its middle, in the
    order the picture draws."""
    from matplotlib.path import Path as Outline

    pts = np.array([p for s in _shapes(pic.items) if s.fill == fill for p in s.points])
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    xs, ys = np.arange(x0, x1, step) + step / 2, np.arange(y0, y1, step) + step / 2
    gx, gy = np.meshgrid(xs, ys)
    cells = np.column_stack([gx.ravel(), gy.ravel()])
    top = np.full(len(cells), "", dtype=object)
    for s in _shapes(pic.items):
        if s.fill and s.closed and len(s.points) > 2:
            top[Outline(np.array(s.points)).contains_points(cells)] = s.fill
    return (top == fill).reshape(gx.shape)


def test_wall_squats_large_print_alone_shows_the_straight_start_legs_as_a_grey_shape() -> None:
    """Round 19 (blind test 17: "the start legs are two thin grey dashed lines"): alone in
    large print (the standing start drawing left out, as on the A4 and Letter handouts),
    the straight start legs show between the wall and the bent legs as a light grey shape,
    60 mm2 or more of it on paper, from the buttock to the heel (80% or more of the start's
    hip-to-heel height). Round 17's white start showed none: only its two dashed edges."""
    from backplan.pictures.fit import fit_pictures

    entry = exercise_entry("wall-squats")
    start = figure(merged_pose(entry, "start")).points
    assert scene.START != scene.WHITE
    for pic in [exercise_picture("wall-squats", large_print=True)] + [
        fit_pictures("wall-squats", ("",), large_print=True, width_mm=184, room_mm=room,
                     dose="10 times, hold each for 5 seconds")[0]
        for room in (79.5, 97)  # the rooms the Letter and A4 handouts give it
    ]:  # fmt: skip
        (panel,) = pic.panels
        shown = _showing(pic, scene.START)
        rows = np.flatnonzero(shown.any(axis=1))
        assert shown.sum() * 0.2**2 >= 60, pic.scale
        span = (rows.max() - rows.min()) * 0.2
        assert span >= 0.8 * (start["hip"][1] - start["near_heel"][1]) * panel.scale


def test_what_moves_is_dark_and_what_stays_is_light_in_greyscale() -> None:
    def grey(colour: str) -> float:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        return (0.299 * r + 0.587 * g + 0.114 * b) / 255

    assert grey(scene.MOVE) < 0.35 and grey(scene.STILL) > 0.85
    # the far limb (a bent knee that does not move) is mid grey: seen when small (blind
    # test round 2), never as dark as what moves
    assert 0.55 < grey(scene.FAR) < 0.75
    # the far leg when both move (knees to chest) is a second, lighter blue: still darker
    # than any still part. The start is a light grey inside its thick dashed outline,
    # lighter than the still body (round 9 read a mid grey start beside the mid grey other
    # leg as a third leg) but not the paper's white (round 19: white on white, the wall
    # squats' start legs showed as two thin dashed lines)
    assert grey(scene.MOVE) + 0.15 < grey(scene.MOVE_FAR) < grey(scene.FAR)
    assert grey(scene.STILL) < grey(scene.START) <= 0.97
    assert scene.START not in {scene.MOVE, scene.MOVE_FAR, scene.FAR, scene.STILL, scene.HAIR}
    pic = exercise_picture("heel-slides")
    fills = [s.fill for s in _shapes(pic.items)]
    assert fills.count(scene.MOVE) >= 3 and fills.count(scene.STILL) >= 5  # leg parts, body


def _starts(pic: scene.Picture) -> list:
    return [s for s in _shapes(pic.items) if s.dash and s.stroke == scene.GHOST]


def _check_starts(pic: scene.Picture, where: object) -> None:
    """Each closed dashed start outline is followed by a light grey shape of the same points
    (its fill, hiding the inner half) and shows 0.8 mm or more on paper; a drawing alone has
    a start; an open dashed line (the relaxed tummy) is 1.2 mm or more."""
    shapes = _shapes(pic.items)
    for line in _starts(pic):
        if not line.closed:
            assert line.width >= 1.2, where
            continue
        after = shapes[shapes.index(line) + 1 :]
        assert any(s.points == line.points and s.fill == scene.START for s in after), where
        assert line.width / 2 >= 0.8, (where, line.width)
    if len(pic.panels) == 1:  # the start panel left out: its pose is still there
        assert any(s.fill == scene.START for s in shapes), where


@pytest.mark.parametrize(("exercise", "variant"), ALL)
def test_where_you_start_is_a_filled_shape_with_a_thick_dashed_outline(
    exercise: str, variant: str
) -> None:
    """A one-drawing large-print picture shows the start as a shape inside a thick dashed
    outline, not a thin dashed line a poor eye misses (blind test round 3). Round 19: the
    same in every picture and both prints: each outline filled light grey (after it, so
    its inner half is hidden) and 0.8 mm or more of it showing on paper (round 17: 0.63 mm
    in clear print). The tummy squeeze's relaxed tummy is an open dashed line (1.2 mm)."""
    for large in (False, True):
        pic = exercise_picture(exercise, variant, large_print=large)
        _check_starts(pic, (exercise, variant, large))
        if len(pic.panels) == 1 and exercise == "wall-squats":  # and the start (back on the
            # wall, feet forward) in words and marks: the distance from the wall to the
            # heel, and an arrow down and back up
            said = [t.text for t in _texts(pic.items)]
            assert "Feet forward 30 cm" in said
            (arrow,) = pic.panels[0].arrows
            assert arrow[1] == 2


def test_half_sit_ups_draw_the_start_on_the_curl_only_when_the_start_panel_is_left_out() -> None:
    """Beside its own start drawing, the curl-up has no grey head under it (it read as a
    cushion); alone in large print, the start upper back lies on the mat, dashed, and no
    start head (blind test round 7: the lifted head over the dashed one read as two heads):
    nothing of the start is drawn inside the lifted head."""
    from matplotlib.path import Path as Outline

    both = exercise_picture("half-sit-ups")
    alone = exercise_picture("half-sit-ups", large_print=True)
    assert len(both.panels) == 2 and not _starts(both)
    assert len(alone.panels) == 1 and _starts(alone)
    entry = exercise_entry("half-sit-ups")
    start, up = (figure(merged_pose(entry, name)) for name in ("start", "up"))
    head = Outline(np.array(up.parts["head"][0]))
    drawn = set(entry["ghost_parts"])
    assert "head" not in drawn
    for name in drawn:
        for poly in start.parts[name]:
            assert not head.contains_points(np.array(poly)).any(), name


def _shapes(items) -> list:
    out = []
    for item in items:
        out += _shapes(item.items) if isinstance(item, scene.Clip) else [item]
    return [s for s in out if isinstance(s, scene.Shape)]


def test_svg_and_pdf_draw_the_same_shapes_with_the_alt_text(tmp_path: Path) -> None:
    pic = exercise_picture("wall-squats", dose="10 times, hold each for 5 seconds")
    svg = ET.fromstring(picture_svg(pic))
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f".//{ns}path")) == len(_shapes(pic.items))
    assert svg.get("aria-label") == pic.alt == svg.find(f"{ns}title").text
    assert "45 degrees" in pic.alt and "Hold 5 seconds" in pic.alt
    texts = {t.text for t in svg.iter(f"{ns}text")}
    assert {"hold 5 seconds", "10 times", "knees bent 45°", "Feet forward 30 cm"} <= texts
    drawing = picture_drawing("wall-squats", 184 * 72 / 25.4)
    assert drawing.wrap(600, 600)[0] <= 184 * 72 / 25.4 + 1e-6
    assert picture_drawing("no-such-exercise", 300, 100) is None


def test_badges_repeat_the_dose_line_the_patient_reads() -> None:
    from backplan.words import dose_short

    assert dose_badges("2 rounds of 8 times on each leg, hold each for 1 second") == {
        "reps": "8 times", "hold": "hold 1 second",
        "said": "Hold 1 second. Do it 8 times on each leg.",
    }  # fmt: skip
    assert dose_badges("") == {}

    @fuzz(200)
    @given(st.integers(1, 50), st.integers(1, 9), st.integers(0, 60), st.booleans())
    def agree(reps: int, sets: int, hold: int, per_side: bool) -> None:
        p = bp.Prescription(exercise="x", reps=reps, sets=sets, hold_s=hold, per_side=per_side)
        badges = dose_badges(dose_short(p, "leg") + ", once a day, every day")
        assert badges["reps"] == f"{reps} time" + ("s" if reps > 1 else "")
        assert badges.get("hold") == (
            f"hold {hold} second" + ("s" if hold > 1 else "") if hold else None
        )

    agree()


def test_handout_pdf_carries_pictures_badges_and_easier_pictures(tmp_path: Path) -> None:
    cat = bp.load_catalogue()
    plan = bp.build_plan(
        cat, "more advanced", ["half-sit-ups", "supine-leg-raises"],
        start_date=date(2026, 1, 5), weeks=1,
    )  # fmt: skip
    pdf = bp.handout.to_pdf(plan, tmp_path / "h.pdf", catalogue=cat)
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert text.count("Head and shoulders up") == 1 and text.count("Lift") >= 3  # easier too
    assert "hold 10 seconds" in text and "5 times" in text
    html = bp.handout.to_html(plan, tmp_path / "h.html", catalogue=cat).read_text()
    assert html.count('aria-label="Two drawings. The easier way.') == 2  # both easier ways
    assert html.count("<title>Two drawings. The easier way.") == 2


def _clinic_catalogue(tmp_path: Path, image: str) -> Path:
    table = pd.read_csv(data_dir() / "back-exercises.csv", dtype=str).fillna("")
    table["image"] = ""
    table.loc[4, "image"] = image  # heel-raises, spreadsheet row 6
    path = tmp_path / "clinic.csv"
    table.to_csv(path, index=False)
    return path


def test_a_clinic_png_is_printed_in_pdf_and_embedded_in_html(tmp_path: Path) -> None:
    Image.new("RGB", (300, 120), "white").save(tmp_path / "heel.png")
    cat = bp.load_catalogue(_clinic_catalogue(tmp_path, "heel.png"))
    assert Path(cat.set_index("id").loc["heel-raises", "image"]).is_absolute()
    plan = bp.build_plan(cat, "beginners", ["heel-raises"], start_date=date(2026, 1, 5), weeks=1)
    pdf = bp.handout.to_pdf(plan, tmp_path / "h.pdf", catalogue=cat)
    images = [img for page in PdfReader(pdf).pages for img in page.images]
    assert len(images) == 1
    html = bp.handout.to_html(plan, tmp_path / "h.html", catalogue=cat).read_text()
    assert 'src="data:image/png;base64,' in html and "<svg" not in html


def test_a_clinic_svg_is_drawn_in_the_pdf_scaled_into_the_box(tmp_path: Path) -> None:
    (tmp_path / "heel.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">'
        '<rect x="0" y="0" width="400" height="200" fill="#ff0000"/></svg>'
    )
    cat = bp.load_catalogue(_clinic_catalogue(tmp_path, "heel.svg"))
    plan = bp.build_plan(cat, "beginners", ["heel-raises"], start_date=date(2026, 1, 5), weeks=1)
    pdf = bp.handout.to_pdf(plan, tmp_path / "h.pdf", catalogue=cat)
    drawing = picture_drawing("heel-raises", 184 * 72 / 25.4, image=str(tmp_path / "heel.svg"))
    w, h = drawing.wrap(600, 600)
    box_h = clinic_height() * 72 / 25.4
    assert h == pytest.approx(box_h) and w == pytest.approx(2 * h)  # the same box, in proportion
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "20", "-f", "2", "-l", "2", "-png", str(pdf), str(png)],
                   check=True)  # fmt: skip
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    rgb = np.asarray(page)
    red = int(((rgb[..., 0] > 200) & (rgb[..., 1] < 60) & (rgb[..., 2] < 60)).sum())
    assert red > 0.05 * page.width * page.height  # the clinic's red picture is printed


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.png", None, "exists and can be read"),
        ("broken.png", b"\x89PNG\r\n\x1a\nnot really a png", "can be opened"),
        ("fake.jpg", b"GIF89a", "JPEG picture"),
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 2_100_000, "at most 2 MB"),
        ("notes.txt", b"hello", ".png, .jpg, .jpeg or .svg"),
        ("empty.svg", b"<html></html>", "no <svg> element"),
        ("broken.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><rect", "can be drawn"),
    ],
)
def test_a_bad_picture_is_a_catalogue_error_naming_row_and_column(
    tmp_path: Path, name: str, content: bytes | None, expected: str
) -> None:
    if content is not None:
        (tmp_path / name).write_bytes(content)
    with pytest.raises(bp.CatalogueError) as err:
        bp.load_catalogue(_clinic_catalogue(tmp_path, name))
    message = str(err.value)
    assert "row 6, column 'image'" in message and expected in message and name in message


def test_an_oversized_picture_in_pixels_is_refused(tmp_path: Path) -> None:
    Image.new("L", (4100, 10), "white").save(tmp_path / "wide.png")
    with pytest.raises(bp.CatalogueError, match="at most 4000 pixels"):
        bp.load_catalogue(_clinic_catalogue(tmp_path, "wide.png"))


def test_an_exercise_without_a_picture_still_prints(tmp_path: Path) -> None:
    table = pd.read_csv(data_dir() / "back-exercises.csv", dtype=str).fillna("")
    table.loc[0, "id"] = "toe-taps"  # a clinic exercise with no pose data and no image
    path = tmp_path / "clinic.csv"
    table.to_csv(path, index=False)
    cat = bp.load_catalogue(path)
    plan = bp.build_plan(cat, "beginners", ["toe-taps"], start_date=date(2026, 1, 5), weeks=1)
    text = PdfReader(bp.handout.to_pdf(plan, tmp_path / "h.pdf", catalogue=cat)).pages[1]
    assert "1. Ankle lifts" in text.extract_text()
    assert bp.exercise_picture_svg("toe-taps", cat) == ""


def _demo_plans() -> list[bp.Plan]:
    cat = bp.load_catalogue()
    return [
        bp.build_plan(cat, level, start_date=date(2026, 3, 9), weeks=4,
                      progression=[bp.AddDose(what="reps", amount=1, every_weeks=2, cap=20)])
        for level in ("beginners", "more advanced")
    ]  # fmt: skip


@pytest.fixture(scope="module")
def printed() -> dict[tuple[str, bool], list]:
    """Every picture as the PDF handouts print it, A4 and Letter, clear and large print."""
    return {
        (size, large): [row for plan in _demo_plans() for row in
                        bp.handout.handout_pictures(plan, large_print=large, page_size=size)]
        for size in ("A4", "letter")
        for large in (False, True)
    }  # fmt: skip


def _clinic_handout_pictures(exercise: str, level: str):
    """``exercise``'s picture as the A4 and Letter PDF handouts print it under a clinic's
    header: ((page size, large print), picture) for each of the four."""
    from backplan.settings import ClinicSettings

    clinic = ClinicSettings(clinic="Riverside Physio (synthetic)", phone="01234 567890",
                            physio="A. Physio")  # fmt: skip
    plan = bp.build_plan(bp.load_catalogue(), level, [exercise], start_date=date(2026, 3, 9),
                         weeks=4)  # fmt: skip
    for size, large in itertools.product(("A4", "letter"), (False, True)):
        ((_, _, pic),) = bp.handout.handout_pictures(
            plan, large_print=large, page_size=size, settings=clinic
        )
        yield (size, large), pic


def test_tummy_squeeze_in_every_handout_whole_person_and_a_close_up_moving_5_and_8_mm() -> None:
    """As the A4 and Letter handouts print it under a clinic's header (round 13): drawing 1
    holds the whole person, bent knees and flat feet inside, at least as big as round 17's
    (0.43 mm per cm on A4, 0.41 on Letter in clear print); round 19 (the lead's decision 2):
    drawing 2 is a close-up of the trunk (zoom 2+), in which the tummy outline moves 5+ mm
    in clear print, 8+ mm in large print."""
    entry = exercise_entry("abdominal-contraction")
    figs = [figure(merged_pose(entry, p["pose"])) for p in entry["panels"]]
    for (size, large), pic in _clinic_handout_pictures("abdominal-contraction", "beginners"):
        assert pic.moves["tummy"] >= (8.0 if large else 5.0), (size, large)
        first, second = pic.panels
        least = (0.43 if size == "A4" else 0.41) * (1.4 if large else 1.0)
        assert first.zoom == 1 and first.scale >= least, (size, large, first.scale)
        whole = [_on_paper(first, figs[0].points[p]) for p in ("top", "near_knee", "near_toe")]
        assert _within(whole, first), (size, large)
        assert second.zoom >= 2 and second.scale == pytest.approx(first.scale * second.zoom)
        trunk = ("rib_edge", "rib_side", "belly", "low_belly", "near_hand")
        assert _within([_on_paper(second, figs[1].points[p]) for p in trunk], second)


def test_back_leg_swing_in_every_handout_close_up_shows_the_small_lift() -> None:
    """Round 16 (blind test 15): a realistic lift (about 23 degrees at the hip) is only a
    few millimetres on paper in the whole drawing, so a framed close-up of the lifted foot
    and the floor shows it. As the A4 and Letter handouts print it under a clinic's header:
    in the close-up the lowest point of the lifted foot is 5+ mm above the floor line in
    clear print, 8+ mm in large print; the whole foot, the floor under it and the words
    "small lift" are inside the close-up, which sits level with the feet, just above its
    caption; its one single-headed arrow starts by the floor and ends at the lifted foot. Nothing dashed is drawn: the standing leg is solid mid
    grey (round 15's dashed start outline over it read as a ghost leg)."""
    entry = exercise_entry("back-leg-swing")
    back = figure(merged_pose(entry, "back"))
    for (size, large), pic in _clinic_handout_pictures("back-leg-swing", "more advanced"):
        (close,) = [p for p in pic.panels if p.zoom > 1]
        assert close.index == 2 and close.zoom >= 2, (size, large)
        floor = _on_paper(close, (0.0, 0.0))[1]
        foot = [_on_paper(close, p) for poly in back.parts["near_foot"] for p in poly]
        assert _within([*foot, (foot[0][0], floor)], close), (size, large)
        assert min(y for _, y in foot) - floor >= (8.0 if large else 5.0), (size, large)
        ((path, heads),) = close.arrows
        assert heads == 1, (size, large)
        (_, tail_y), tip = path[0], path[-1]
        assert 0 < tail_y - floor < 4, (size, large)  # the tail by the floor
        assert min(math.dist(tip, p) for p in foot) < 3, (size, large)  # the head at the foot
        (label,) = [t for t in _texts(pic.items) if t.text == "small lift"]
        assert _within([(label.x, label.y)], close), (size, large)
        lift = [p for p in pic.panels if p.zoom == 1][-1]  # the whole person, leg lifted
        assert lift.index == 1 and not lift.arrows, (size, large)
        assert close.y <= lift.y + 1.0, (size, large)  # level with the feet, by its caption
        assert not [s for s in _shapes(pic.items) if s.dash], (size, large)  # nothing dashed


def test_leg_raises_on_the_back_print_a_small_lift_marker_in_every_handout(
    printed: dict,
) -> None:
    """Round 21 (blind tests 19 and 20: "no height is given"): as the A4 and Letter handouts
    print them, clear and large print, the leg raise on the back and its easier way show,
    beside the lifted heel, an upright shaft from the floor line to the heel's height and,
    under the floor, the words "small lift" (once)."""
    seen = set()
    for (size, large), rows in printed.items():
        for block, variant, pic in rows:
            if block.exercise != "supine-leg-raises":
                continue
            seen.add((size, large, variant))
            up = figure(merged_pose(exercise_entry(block.exercise, variant), "up"))
            (lift,) = [p for p in pic.panels if p.index == 1]
            hx, hy = _on_paper(lift, up.points["near_heel"])
            floor = _on_paper(lift, (0.0, 0.0))[1]
            shafts = [s for s in _shapes(pic.items) if len(s.points) == 2 and not s.closed
                      and abs(s.points[0][0] - s.points[1][0]) < 0.01
                      and 0 < s.points[0][0] - hx < 12 * lift.scale]  # fmt: skip
            assert len(shafts) == 1, (size, large, variant)
            ys = sorted(y for _, y in shafts[0].points)
            assert abs(ys[0] - floor) < 1.5 * lift.scale, (size, large, variant)
            assert abs(ys[1] - hy) < 2 * lift.scale, (size, large, variant)
            (label,) = [t for t in _texts(pic.items) if t.text == "small lift"]
            assert label.y < floor, (size, large, variant)  # under the floor
    assert len(seen) == 8  # A4 and Letter, clear and large, the exercise and its easier way


def test_large_print_pictures_are_at_least_1_4_times_clear_print_in_every_handout(
    printed: dict,
) -> None:
    for size in ("A4", "letter"):
        clear = {(b.exercise, v): p for b, v, p in printed[size, False]}
        large = {(b.exercise, v): p for b, v, p in printed[size, True]}
        assert clear.keys() == large.keys() and len(clear) == 13  # 11 exercises, 2 easier
        for key, pic in clear.items():
            assert large[key].scale >= 1.4 * pic.scale - 1e-9, (size, key)
            assert pic.width <= 190 + 1e-6 and large[key].width <= 190 + 1e-6


def test_lying_figures_in_clear_print_handouts_are_not_strips(printed: dict) -> None:
    """A person lying down is at least 65 mm long in clear print (it was 61-76 mm, side by
    side, before the blind test), on A4 and Letter, easier ways included."""
    for size in ("A4", "letter"):
        for b, v, pic in printed[size, False]:
            if b.exercise in WIDE:
                assert pic.scale >= 0.35, (size, b.exercise, v, pic.scale)


def _arrow_shaft(arrow: tuple, size: float) -> float:
    """The length (mm) of an arrow's path between its heads (4.2 widths long each)."""
    path, heads = arrow
    length = sum(math.dist(a, b) for a, b in itertools.pairwise(path))
    return length - heads * 4.2 * scene.arrow_width(size)


#: Round 17 (the lead's decision): the one arrow allowed a shorter shaft than 15 mm, the
#: tummy squeeze's, about the gap it spans (its own ``shaft_mm`` in data/poses.json).
SHORT_SHAFT = {"abdominal-contraction": 3.0}


def _least_shaft(exercise: str) -> float:
    """The least shaft (mm) of ``exercise``'s arrows: 15 mm but for the one allowed."""
    return SHORT_SHAFT.get(exercise, scene.SHAFT_MM)


def test_only_the_tummy_squeeze_sets_a_shorter_arrow() -> None:
    """The 15 mm least shaft is a size floor: no exercise but the tummy squeeze may lower it
    for its arrows (``shaft_mm``), and that one only to its agreed length."""
    for name, variant in ALL:
        for panel in exercise_entry(name, variant)["panels"]:
            for arrow in panel.get("arrows", []):
                assert arrow.get("shaft_mm", scene.SHAFT_MM) == _least_shaft(name), name


@pytest.mark.parametrize(("exercise", "variant"), ALL)
def test_every_arrow_has_a_shaft_of_15_mm_at_least(exercise: str, variant: str) -> None:
    """No arrow shrinks to its two heads (a black diamond) in any print size."""
    pics = [(exercise_picture(exercise, variant, large_print=lg), lg) for lg in (False, True)]
    pics += [(exercise_picture(exercise, variant, height_mm=45, text_pt=12), False)]
    for pic, large in pics:
        arrows = [a for p in pic.panels for a in p.arrows]
        for arrow in arrows:
            shaft = _arrow_shaft(arrow, 16.0 if large else 12.0)
            assert shaft >= _least_shaft(exercise), (exercise, large)


def test_start_outlines_in_the_handouts_are_filled_light_grey_and_thick(printed: dict) -> None:
    """Round 19: as the A4 and Letter handouts print them, clear and large print."""
    for (size, large), rows in printed.items():
        for b, variant, pic in rows:
            _check_starts(pic, (size, large, b.exercise, variant))


def test_arrows_in_the_handouts_are_long_enough_and_whole(printed: dict) -> None:
    for (_, large), rows in printed.items():
        for b, _, pic in rows:
            for panel in pic.panels:
                for arrow in panel.arrows:
                    shaft = _arrow_shaft(arrow, 16.0 if large else 12.0)
                    assert shaft >= _least_shaft(b.exercise), b.exercise
                    for x, y in arrow[0]:  # not cut off by the edge of its panel
                        assert panel.x - 0.3 <= x <= panel.x + panel.width + 0.3, b.exercise
                        assert panel.y - 0.3 <= y <= panel.y + panel.height + 0.3, b.exercise


def test_close_ups_have_no_step_number_and_badges_come_once_after_the_last_step() -> None:
    pic = exercise_picture("heel-raises", dose="10 times, 3 times a day")
    texts = [t.text for t in _texts(pic.items)]
    assert texts.count("10 times") == 1 and texts[-1] == "10 times"
    assert "Close-up: heels up" in texts and "3" not in texts  # steps 1 and 2 only
    closeup = [p for p in pic.panels if p.zoom != 1]
    assert len(closeup) == 1 and closeup[0].caption == "Close-up: heels up"


def test_an_easier_way_says_so_on_its_picture() -> None:
    """Blind tests 16 and 17: the straight leg raise and the easier leg raise on the back
    are the same movement (the source gives it twice), so their pictures were told apart
    only by the dose. Next to the exercise's own picture in a block, the easier way's
    picture carries an "easier way" badge, in the patient's language; no other does."""
    for exercise in ("supine-leg-raises", "half-sit-ups"):
        for large in (False, True):
            easier = exercise_picture(exercise, "easier", large_print=large)
            own = exercise_picture(exercise, large_print=large)
            assert "easier way" in [t.text for t in _texts(easier.items)], exercise
            assert "easier way" not in [t.text for t in _texts(own.items)], exercise
    polish = exercise_picture("half-sit-ups", "easier", language="pl")
    assert "łatwiejsza wersja" in [t.text for t in _texts(polish.items)]
    for exercise in ("straight-leg-raises", "heel-raises", "knee-to-chest"):
        assert "easier way" not in [t.text for t in _texts(exercise_picture(exercise).items)]


def test_a_lone_step_has_no_number_and_two_steps_are_numbered(printed: dict) -> None:
    """Blind test round 4: a "1" with no "2" (one drawing, or one drawing and its close-up)
    reads as a drawing missing. The numbered dots are white digits on black."""
    lone = 0
    for rows in printed.values():
        for b, variant, pic in rows:
            digits = [t.text for t in _texts(pic.items) if t.colour == scene.WHITE
                      and t.text.isdigit()]  # fmt: skip
            data = exercise_entry(b.exercise, variant)["panels"]
            steps = [p for p in pic.panels  # a close-up is a step only when marked one,
                     # a drawing unless marked "step": false (ankle lifts' setting)
                     if data[p.index].get("step", "region" not in data[p.index])]  # fmt: skip
            if len(steps) == 1:
                lone += 1
                assert digits == [], b.exercise
            else:
                assert digits == [str(n) for n in range(1, len(steps) + 1)], b.exercise
    assert lone >= 4  # the large-print handouts draw several exercises in one drawing


def _texts(items) -> list:
    out = []
    for item in items:
        out += _texts(item.items) if isinstance(item, scene.Clip) else [item]
    return [t for t in out if isinstance(t, scene.Text)]


@pytest.mark.parametrize(
    ("exercise", "variant", "words"),
    [
        ("prone-leg-raises", "", {"face down", "Lie on your tummy"}),
        ("knee-to-chest", "", {"hands under knees", "head stays down"}),
        ("half-sit-ups", "", {"lower back stays down"}),
        ("half-sit-ups", "easier", {"waist"}),
        ("ankle-lifts", "", {"Toes up", "Toes down", "One ankle at a time"}),
        ("abdominal-contraction", "", {"Tummy in, ribs down", "keep breathing"}),
        ("wall-squats", "", {"30 cm", "knees bent 45°"}),
    ],
)
def test_key_parts_are_labelled_in_words(exercise: str, variant: str, words: set) -> None:
    """What the blind test misread is said in words on the picture, in both print sizes."""
    for large in (False, True):
        pic = exercise_picture(exercise, variant, large_print=large)
        said = " | ".join(t.text for t in _texts(pic.items))
        assert all(w in said for w in words), (exercise, large, said)


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_leg_raises_on_your_front_picture_says_lie_on_your_tummy(language: str) -> None:
    """Blind test round 11: the large-print picture, one drawing with no start drawing, had
    no "Lie on your tummy" (a patient could do it on their back). Drawn alone, the lift's
    caption says the start too ("caption_alone"), in every room a handout gives it."""
    from backplan.pictures.fit import fit_pictures
    from backplan.pictures.scene import picture_word

    start = picture_word("prone-leg-raises", "Lie on your tummy", language)
    counts = set()
    for large in (False, True):
        for room in (60, 95, 130, 200):
            (pic,) = fit_pictures("prone-leg-raises", ("",), large_print=large, width_mm=184,
                                  room_mm=room, dose="5 times", language=language)  # fmt: skip
            captions = [p.caption for p in pic.panels]
            assert sum(c.startswith(start) for c in captions) == 1, (large, room, captions)
            counts.add(len(captions))
    assert counts == {1, 2}  # both kinds seen: with and without the start drawing


def test_the_pdf_carries_each_pictures_description(tmp_path: Path) -> None:
    """Screen readers and text extractors that read marked content (poppler's pdftotext)
    get the picture's description in place of its captions; pypdf sees the captions."""
    plan = bp.build_plan(bp.load_catalogue(), "more advanced", ["prone-leg-raises"],
                         start_date=date(2026, 1, 5), weeks=1)  # fmt: skip
    pdf = bp.handout.to_pdf(plan, tmp_path / "h.pdf", large_print=True)
    ((_, _, pic),) = bp.handout.handout_pictures(plan, large_print=True)
    assert pic.alt.startswith(("One drawing.", "Two drawings."))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert " ".join(pic.alt.split()) in " ".join(text.split())
    pages = PdfReader(pdf).pages
    (page,) = [p for p in pages if "face down" in p.extract_text()]
    stream = page.get_contents().get_data()
    # the picture, and above the first exercise the key to the pictures (once a handout)
    assert stream.count(b"/Span <</Alt <FEFF") == stream.count(b"EMC") == 2
    key = bp.pictures.scene.picture_key("en", 16.0, 180.0).alt
    assert " ".join(text.split()).count(key) == 1


@pytest.mark.parametrize(("exercise", "variant"), ALL)
def test_thumbnails_show_the_movement_in_one_drawing_without_words(
    exercise: str, variant: str
) -> None:
    """The plan builder's 20 mm pictures: one drawing, the body not shrunk by text."""
    pic = exercise_picture(exercise, variant, width_mm=78, height_mm=20, text_pt=0)
    assert len(pic.panels) == 1 and not _texts(pic.items)
    assert pic.height <= 20 + 1e-6 and pic.width <= 78 + 1e-6
    assert pic.scale * pic.panels[0].zoom >= 0.1 and max(pic.width, pic.height) >= 19


def test_html_print_view_keeps_each_large_print_exercise_on_one_page(tmp_path: Path) -> None:
    """The HTML handout sizes its pictures to the printed page like the PDF: in large print
    on Letter, six weeks of the more advanced exercises, every exercise's steps, dose and
    later weeks print on the page of its heading, its easier way with it or, under its own
    heading, on the next page."""
    from rendered import print_html, printed_words

    from backplan.handout.content import handout_content
    from backplan.words import TEXT

    plan = _demo_plans()[1].model_copy(update={"weeks": 6})
    html = bp.handout.to_html(plan, tmp_path / "h.html", large_print=True, page_size="letter")
    pages = [
        printed_words(p.extract_text())
        for p in PdfReader(print_html(html, tmp_path / "h.pdf")).pages
    ]
    for b in handout_content(plan).blocks:
        heading = f"{b.number}. {b.name}"
        where = next(i for i, p in enumerate(pages) if heading in p)
        for part in (*b.steps, b.dose, *b.later):
            assert printed_words(part) in pages[where], (heading, part)
        if b.easier:
            apart = TEXT["easier_title"].format(number=b.number, name=b.name)
            on = [i for i, p in enumerate(pages) if printed_words(b.easier) in p]
            assert on == [where] or (on == [where + 1] and apart in pages[where + 1]), on


@pytest.mark.parametrize("size", ["a4", "letter"])
def test_html_pictures_show_their_movement_5_and_8_mm(size: str) -> None:
    """The HTML handout estimates its print view's room (0.8 of the page for the words);
    round 19 found wall squats, as the first exercise, squeezed to 38-48 mm with the knee
    moving 2.7-4.1 mm in clear print and 3.7-5.8 mm in large print, its labels over the
    body. Every picture the HTML handout shows, each exercise alone and with its level,
    moves 5 mm or more on paper in clear print and 8 mm in large print."""
    from backplan.handout.content import handout_content
    from backplan.handout.html import html_block_pictures

    cat = bp.load_catalogue()
    alone = [bp.build_plan(cat, str(level), [e], start_date=date(2026, 3, 9), weeks=2)
             for e, level in zip(cat.id, cat.level, strict=True)]  # fmt: skip
    for plan in [*_demo_plans(), *alone]:
        h = handout_content(plan)
        for large, b in itertools.product((False, True), (*h.blocks, *h.next_blocks)):
            pics = html_block_pictures(h, b, large, size)
            for pic in (pics.main, pics.easier):
                least = min(pic.moves.values(), default=99) if pic else 99
                assert least >= (8.0 if large else 5.0), (b.exercise, large, least)


def _on_paper(panel, point) -> tuple[float, float]:
    """Where a body point (cm) is drawn in ``panel`` (mm)."""
    return (panel.x + (point[0] - panel.origin[0]) * panel.scale,
            panel.y + (point[1] - panel.origin[1]) * panel.scale)  # fmt: skip


def _within(points, panel) -> bool:
    return all(panel.x - 0.1 <= x <= panel.x + panel.width + 0.1
               and panel.y - 0.1 <= y <= panel.y + panel.height + 0.1 for x, y in points)  # fmt: skip


def _hand_points(panel, f) -> list[tuple[float, float]]:
    """Every outline point of both hands, where they are drawn (mm)."""
    return [_on_paper(panel, p) for h in ("near_hand", "far_hand") for poly in f.parts[h]
            for p in poly]  # fmt: skip


def _segment_gap(p, a, b) -> float:
    """How far point ``p`` is from the segment ``a``-``b`` (mm)."""
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / ((dx * dx + dy * dy) or 1.0)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def test_tummy_squeeze_whole_person_then_a_ringed_close_up_of_the_trunk() -> None:
    """Blind test round 17: the change was tiny in clear print and "keep breathing" stood on
    drawing 1, not on the hold. Round 19 (the lead's decisions 1 and 2): drawing 1 the
    whole person (head to feet, knees bent, feet flat on the mat), a light grey ring round
    its trunk; drawing 2 a close-up of that trunk (zoom 2+: lower ribs, tummy, the hand;
    no head), the tummy outline 5+ mm lower on paper in clear print, 8+ mm in large print;
    "keep breathing" a badge right after "hold 5 seconds", under the close-up (reviewer V's
    wish; as a label in the close-up it covered the arrow in the smaller HTML picture)."""
    entry = exercise_entry("abdominal-contraction")
    figs = [figure(merged_pose(entry, p["pose"])) for p in entry["panels"]]
    for large in (False, True):
        pic = exercise_picture("abdominal-contraction", large_print=large,
                               dose="10 times, hold each for 5 seconds")  # fmt: skip
        first, second = pic.panels
        assert first.zoom == 1 and second.zoom >= 2, large
        whole = ("top", "head", "near_knee", "far_knee", "near_heel", "near_toe", "far_toe")
        assert _within([_on_paper(first, figs[0].points[p]) for p in whole], first), large
        feet = [y for part in ("near_foot", "far_foot") for poly in figs[0].parts[part]
                for _, y in poly]  # fmt: skip
        assert min(feet) < 1.0 and figs[0].points["near_knee"][1] > 35  # flat, knees up
        trunk = ("rib_edge", "rib_side", "belly", "low_belly", "near_hand")
        assert _within([_on_paper(second, figs[1].points[p]) for p in trunk], second)
        assert not _within([_on_paper(second, figs[1].points["head"])], second)  # close up
        rings = [s for s in _shapes(pic.items) if s.stroke == scene.MARKER and s.closed]
        (ring,) = rings  # one light ring, round the trunk in drawing 1
        on_trunk = [_on_paper(first, figs[0].points[p]) for p in ("rib_side", "belly", "waist")]
        assert all(MplPath(ring.points).contains_point(p) for p in on_trunk), large
        assert not MplPath(ring.points).contains_point(_on_paper(first, figs[0].points["head"]))
        texts = [t.text for t in _texts(pic.items)]  # "keep breathing" by the hold badge
        assert texts.count("keep breathing") == 1 and texts.count("hold 5 seconds") == 1
        hold, said = (next(t for t in _texts(pic.items) if t.text == w)
                      for w in ("hold 5 seconds", "keep breathing"))  # fmt: skip
        assert abs(said.y - hold.y) < 0.5 and 0 < said.x - hold.x < 70, large  # right after it
        assert hold.y < second.y, large  # under the drawings, after the last step
        (top0,), (top1,) = ([_on_paper(p, f.points["belly"])[1] - p.y] for p, f in zip(
            (second, second), figs, strict=True))  # fmt: skip
        assert top0 - top1 >= (8.0 if large else 5.0)  # the tummy visibly lower, on paper


def _tummy_arrow_checks(pic, figs, large: bool, where: object) -> float:
    """The tummy squeeze's one arrow on paper, as round 17 draws it (the lead's decisions
    after blind test round 16: the arrow "stabs down at the hands"), in round 19's close-up:
    straight down, far from the hand (8+ mm clear print, 10+ mm large print, from every
    point of both hands), over the tummy on the hips' side of the hand's middle, from the
    dashed relaxed line to the solid drawn-in outline and about as long as that gap and
    its head. Returns its gap to the hands (mm)."""
    first, second = pic.panels
    assert not first.arrows and len(second.arrows) == 1, where
    ((path, heads),) = second.arrows
    assert heads == 1
    (x0, y0), (x1, y1) = path[0], path[-1]
    assert y0 > y1 and abs(x1 - x0) < 0.1 * (y0 - y1)  # straight down
    hands = _hand_points(second, figs[1])
    gap = min(_segment_gap(h, a, b) for h in hands for a, b in itertools.pairwise(path))
    assert gap >= (10.0 if large else 8.0), (where, gap)  # far from the hands
    assert min(y for _, y in hands) < y1 - 8.0  # the hand far under the tip, on the flank
    assert x1 > _on_paper(second, figs[1].points["near_hand"])[0], where  # nearer the hips
    (line,) = [s for s in _starts(pic) if not s.closed]  # the relaxed tummy, dashed
    near = sorted(line.points, key=lambda p: abs(p[0] - x1))[:2]
    was = float(np.interp(x1, *zip(*sorted(near), strict=True)))
    assert y1 < was < y0, where  # it crosses the dashed line...
    band = figs[1].parts["tummy"][0]
    front = sorted(_on_paper(second, p) for p in band[: len(band) // 2])
    drawn = float(np.interp(x1, *zip(*front, strict=True)))
    assert abs(y1 - drawn) < 0.5, where  # ...to the tip on the drawn-in tummy
    head = 4.2 * scene.arrow_width(16.0 if large else 12.0)
    assert y0 - y1 <= (was - y1) + head + 4.0, where  # about the gap and its head: short
    return gap


def test_tummy_squeeze_short_arrow_far_from_the_hands() -> None:
    """Blind test round 12: the bold arrow landed on the hands and read as "push your tummy
    down with your hands"; round 16's, at its least length (a 15 mm shaft) still ended by
    the fingertips. Round 17: a short arrow (its own least shaft, ``shaft_mm``) far from
    the hands, checked in the picture outside a handout (the handouts: below)."""
    entry = exercise_entry("abdominal-contraction")
    figs = [figure(merged_pose(entry, p["pose"])) for p in entry["panels"]]
    for large in (False, True):
        pic = exercise_picture("abdominal-contraction", large_print=large)
        _tummy_arrow_checks(pic, figs, large, large)
        ((path, _),) = pic.panels[1].arrows
        assert sum(math.dist(a, b) for a, b in itertools.pairwise(path)) < 15.0  # short


def test_tummy_squeeze_in_every_handout_arrow_far_from_the_hands() -> None:
    """The same on paper where it counts: the A4 and Letter handouts, clear and large print,
    under a clinic's header (round 16's arrow was 4.3 mm from a hand on Letter clear print;
    round 17: 8+ / 10+ mm)."""
    entry = exercise_entry("abdominal-contraction")
    figs = [figure(merged_pose(entry, p["pose"])) for p in entry["panels"]]
    for (size, large), pic in _clinic_handout_pictures("abdominal-contraction", "beginners"):
        _tummy_arrow_checks(pic, figs, large, (size, large))


def test_tummy_squeeze_rib_edge_drawn_bold_in_both_drawings() -> None:
    """Blind test round 13: the hands read as "on the chest", so "below your ribs" could
    not be seen. Round 15 (the lead's decision): the lower edge of the rib cage is drawn
    on the trunk in both drawings, a curved black line 0.6+ mm wide on paper, at least 4 mm
    long, inside each drawing; round 19: the fingertips within 2 cm of it, from below."""
    entry = exercise_entry("abdominal-contraction")
    figs = [figure(merged_pose(entry, p["pose"])) for p in entry["panels"]]
    for large in (False, True):
        pic = exercise_picture("abdominal-contraction", large_print=large)
        assert len(pic.panels) == 2
        for panel, f in zip(pic.panels, figs, strict=True):
            want = [_on_paper(panel, p) for p in f.extras["rib_line"][1]]
            lines = [s for s in _shapes(pic.items) if s.stroke == scene.INK and not s.closed
                     and len(s.points) == len(want)
                     and all(math.dist(a, b) < 0.05 for a, b in zip(s.points, want, strict=True))]  # fmt: skip
            assert lines and max(s.width for s in lines) >= 0.6, large  # bold enough to see
            assert _within(want, panel)
            assert sum(itertools.starmap(math.dist, itertools.pairwise(want))) >= 4.0
            # round 19: the hand just under it, its fingertips within 2 cm (on paper)
            tips = [_on_paper(panel, p) for p in f.parts["near_hand"][1]]
            assert min(_segment_gap(t, a, b) for t in tips
                       for a, b in itertools.pairwise(want)) < 2.0 * panel.scale  # fmt: skip


def test_tummy_squeeze_relaxed_tummy_dashed_behind_the_drawn_in_one() -> None:
    """Blind test round 13: the change between the drawings was a thin sliver; both asked
    for the relaxed outline dashed behind the drawn-in one. Round 14 (the lead's decision):
    in drawing 2 the relaxed tummy's outline, dashed (round 17: at least as thick as the
    body's outline; round 16's thin line read as "a thin dashed line"), from the hips to the ribs,
    5+ mm (clear print) / 8+ mm (large print) above the solid drawn-in tummy; none in
    drawing 1."""
    entry = exercise_entry("abdominal-contraction")
    squeeze = figure(merged_pose(entry, "squeeze"))
    for large in (False, True):
        pic = exercise_picture("abdominal-contraction", large_print=large)
        first, second = pic.panels
        (line,) = [s for s in _starts(pic) if not s.closed]
        outline = max(s.width for s in _shapes(pic.items) if s.fill == scene.INK and s.closed)
        assert line.dash and line.width >= outline  # round 17: dashed, as bold as the body's
        assert _within(line.points, second) and not _within(line.points, first)
        belly = _on_paper(second, squeeze.points["belly"])
        above = min(line.points, key=lambda p: abs(p[0] - belly[0]))
        assert abs(above[0] - belly[0]) < 1.0
        assert above[1] - belly[1] >= (8.0 if large else 5.0)  # the change inside one drawing
        xs = [x for x, _ in line.points]
        ribs, hip = (_on_paper(second, squeeze.points[p])[0] for p in ("ribs", "hip"))
        assert min(xs) <= ribs and max(xs) >= hip - 0.25 * (hip - ribs)  # ribs to hips


def test_tummy_squeeze_views_show_a_body_with_a_flat_hand() -> None:
    """Blind test round 5 (clear print: no): the close-up read as abstract shapes, the hands
    a grey blob. Drawing 1 holds the face, chest, tummy and hips, the close-up the lower
    ribs, the tummy and the hand (the tummy has a place in a body); the hand is drawn light
    (round 12's mid-grey hands became a dark blob with poor sight). Round 17 (blind test
    round 16: four outlined fingers read as "striped fists"): the hand lies flat, a palm,
    its four fingers together as one outlined shape as long as the palm or longer, and a
    thumb. Round 19 (blind test round 17: two hands read as "a clasped blob"): one hand
    shows, the far arm is hidden behind the body."""
    entry = exercise_entry("abdominal-contraction")
    for large in (False, True):
        pic = exercise_picture("abdominal-contraction", large_print=large)
        light = [s for s in _shapes(pic.items) if s.fill == scene.STILL and s.stroke == scene.INK]
        assert len(light) >= 4  # the near hand's fingers light in both drawings, outlined
        for panel, points in zip(pic.panels, (("head", "shoulder", "below_ribs", "belly", "hip"),
                                              ("rib_edge", "below_ribs", "belly", "near_hand")),
                                 strict=True):  # fmt: skip
            f = figure(merged_pose(entry, entry["panels"][panel.index]["pose"]))
            assert entry["panels"][panel.index]["hide"] == ["far_arm"]  # one hand
            for point in points:
                assert _within([_on_paper(panel, f.points[point])], panel), (point, large)
            palm, fingers, *thumb = f.parts["near_hand"]
            assert len(thumb) == 2  # no striped fingers: one shape and a thumb
            assert all(math.dist(p, palm[0]) < 16 for p in fingers)
            reach = max(math.dist(p, palm[0]) for p in fingers)
            assert reach >= 1.4 * max(math.dist(p, palm[0]) for p in palm)  # long, flat


@pytest.mark.parametrize("exercise", ["ankle-lifts", "abdominal-contraction", "wall-squats"])
def test_thumbnails_show_the_whole_figure_not_a_close_up(exercise: str) -> None:
    """The app form's thumbnails showed only the close-up (a foot, a piece of tummy) for
    these: a thumbnail draws the whole person at zoom 1, head to feet."""
    pic = exercise_picture(exercise, width_mm=78, height_mm=20, text_pt=0)
    (panel,) = pic.panels
    assert panel.zoom == 1
    f = figure(
        merged_pose(
            exercise_entry(exercise), exercise_entry(exercise)["panels"][panel.index]["pose"]
        )
    )
    assert _within([_on_paper(panel, f.points[p]) for p in ("top", "near_toe")], panel)
