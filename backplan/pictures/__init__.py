"""Exercise pictures a patient recognises at a glance, drawn from numbers in ``data/``.

Each shipped exercise has a picture made of panels: a person seen from the side (a head
that shows which way the face looks, a trunk, filled limbs with an outline, hands and
feet) resting on the floor or a mat, against a wall or holding a chair. What moves is dark
(it stays dark in greyscale), what stays still is light, the earlier position is light
grey in a thick dashed outline, an arrow runs along the path of the movement (both ways,
or one way where only the way there matters: knees to chest, tummy in), and
badges say "hold 5 s" and "×10" where the dose says so. Small movements (ankles, heels,
the tummy squeeze) get a close-up panel. Each picture carries its alt text: the movement
in words.

The poses are joint angles in ``data/poses.json`` (see its ``about``); a clinic can adjust
them. :mod:`.body` builds the figure, :mod:`.scene` lays out the panels at the largest
size that fits, :mod:`.svg` writes SVG (HTML, notebooks, the plan builder) and :mod:`.pdf`
draws the same shapes in the PDF. A clinic catalogue may give its own picture file per
exercise (its ``image`` column: PNG, JPEG or SVG); that file is used instead.

Examples
--------
>>> pic = exercise_picture("heel-slides")
>>> len(pic.panels), pic.width <= 184
(2, True)
>>> exercise_picture_svg("heel-slides").startswith("<svg")
True
>>> exercise_picture("no-such-exercise") is None
True
>>> dose_badges("10 times on each leg, hold each for 5 seconds, once a day, every day")
{'reps': '10 times', 'hold': 'hold 5 seconds', 'said': 'Hold 5 seconds. Do it 10 times on each leg.'}
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import pandas as pd

from ..errors import CatalogueError, Problem, argument_value
from .data import exercise_entry, has_picture, poses
from .scene import Picture, keeps_clear, layout
from .sizes import LARGE_OVER_CLEAR, PictureSize, badge_words, dose_badges, picture_size
from .svg import picture_svg

__all__ = [
    "Picture",
    "PictureSize",
    "badge_words",
    "clinic_height",
    "dose_badges",
    "exercise_picture",
    "exercise_picture_svg",
    "picture_drawing",
    "picture_markup",
    "picture_size",
    "picture_svg",
    "poses",
]


def exercise_picture(
    exercise_id: str,
    variant: str = "",
    *,
    large_print: bool = False,
    width_mm: float = 184.0,
    height_mm: float | None = None,
    text_pt: float | None = None,
    dose: str = "",
    at_most: float | None = None,
    language: str = "en",
    numbers: Mapping[str, str] | None = None,
) -> Picture | None:
    """The shipped picture of an exercise (``variant="easier"``: its easier way), laid out
    for a box ``width_mm`` wide and ``height_mm`` high, or ``None`` when the shipped data
    has none. ``dose`` (an English dose line) puts numbers in the badges, or ``numbers``
    gives the badges' words (:func:`badge_words`); every word on the picture and its
    description are in ``language``.

    Large print fills its box (it may leave out the start panel when that makes the
    figure much bigger); clear print is drawn at most 1/1.4 of the large-print size of
    the same box width (or at most ``at_most`` mm per cm of body, when given);
    ``text_pt=0`` makes a thumbnail: the one drawing that shows the movement, no words.
    """
    if not has_picture(exercise_id, variant):
        return None
    size = picture_size(large_print, width_mm)
    numbers = dose_badges(dose) if numbers is None else numbers
    if large_print or text_pt == 0:  # large print, or a thumbnail (no print size)
        cap = at_most if at_most is not None else 10.0
    elif at_most is not None:
        cap = at_most
    else:
        large = exercise_picture(exercise_id, variant, large_print=True, width_mm=width_mm,
                                 language=language, numbers=numbers)  # fmt: skip
        cap = large.scale / LARGE_OVER_CLEAR if large else 10.0
    return layout(
        exercise_id,
        variant,
        width_mm=size.width,
        height_mm=height_mm or size.height,
        text_pt=size.text if text_pt is None else text_pt,
        outline_mm=size.outline,
        numbers=numbers,
        at_most=cap,
        may_drop_start=large_print,
        keep_panels=1.0
        if large_print and keeps_clear(exercise_entry(exercise_id, variant))
        else 1.25,
        language=language,
    )


def _image_path(exercise_id: str, catalogue: pd.DataFrame | None) -> str:
    if catalogue is None or "image" not in catalogue.columns:
        return ""
    match = catalogue.loc[catalogue["id"] == exercise_id, "image"]
    return str(match.iloc[0]) if len(match) and isinstance(match.iloc[0], str) else ""


def _catalogue_dose(exercise_id: str, catalogue: pd.DataFrame | None) -> str:
    """A dose line from the catalogue's starting dose, for the badges outside a handout."""
    if catalogue is None or "reps" not in catalogue.columns:
        return ""
    rows = catalogue.loc[catalogue["id"] == exercise_id]
    if rows.empty:
        return ""
    row = rows.iloc[0]
    hold = int(row.get("hold_min_s") or 0)
    return f"{int(row['reps'])} times" + (f", hold each for {hold} seconds" if hold else "")


def exercise_picture_svg(
    exercise_id: str,
    catalogue: pd.DataFrame | None = None,
    height_mm: float = 35.0,
    max_width_mm: float = 150.0,
    variant: str = "",
) -> str:
    """Markup showing an exercise's picture: SVG for our drawings, ``<img>`` for a clinic's
    own picture (embedded, no network), ``""`` when the exercise has none. Under 40 mm high
    it is a thumbnail: the movement in one drawing, no captions or badges.

    Use it in HTML, in notebooks (``IPython.display.HTML``) and in ipywidgets ``HTML``.
    """
    if not isinstance(exercise_id, str):
        raise CatalogueError([Problem("<picture>", None, "exercise_id",
                                      "an exercise id such as 'heel-raises'",
                                      argument_value(exercise_id))])  # fmt: skip
    if catalogue is not None and not (isinstance(catalogue, pd.DataFrame) and "id" in catalogue):
        raise CatalogueError([Problem("<picture>", None, "catalogue",
                                      "a catalogue from load_catalogue() (a DataFrame)",
                                      argument_value(catalogue))])  # fmt: skip
    image = _image_path(exercise_id, catalogue)
    dose = _catalogue_dose(exercise_id, catalogue)
    return picture_markup(exercise_id, image, height_mm, max_width_mm, variant=variant, dose=dose)


def picture_markup(
    exercise_id: str,
    image: str = "",
    height_mm: float | None = None,
    max_width_mm: float = 184.0,
    *,
    large_print: bool = False,
    variant: str = "",
    dose: str = "",
) -> str:
    """Like :func:`exercise_picture_svg`, given the clinic's picture file (if any), the
    print mode and the dose line the badges repeat."""
    if image and not variant:
        alt = f"Picture of the exercise {exercise_id}"
        return _file_img(image, alt, height_mm or clinic_height(large_print), max_width_mm)
    text = 12.0 if (height_mm or 70) >= 40 else 0.0  # under 40 mm: a thumbnail
    pic = exercise_picture(
        exercise_id, variant, large_print=large_print, width_mm=max_width_mm,
        height_mm=height_mm, text_pt=None if height_mm is None else text, dose=dose,
    )  # fmt: skip
    return picture_svg(pic) if pic else ""


def clinic_height(large_print: bool = False) -> float:
    """The height (mm) of the box a clinic's own picture file is scaled into: 64 mm, in
    large print 1.4 times that."""
    return 64.0 * (LARGE_OVER_CLEAR if large_print else 1.0)


def _file_img(path: str, label: str, height_mm: float, max_width_mm: float) -> str:
    data = Path(path).read_bytes()
    if path.lower().endswith(".svg"):
        mime = "image/svg+xml"
    else:
        mime = "image/png" if path.lower().endswith(".png") else "image/jpeg"
    uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    style = f"max-height:{height_mm:.0f}mm;max-width:min({max_width_mm:.0f}mm,100%)"
    return f'<img src="{uri}" alt={quoteattr(label)} style="{style}">'


def picture_drawing(
    exercise_id: str,
    max_width: float,
    height: float | None = None,
    image: str = "",
    *,
    large_print: bool = False,
    variant: str = "",
    dose: str = "",
) -> Any:
    """A ReportLab flowable of the exercise's picture at most ``max_width`` points wide
    (the clinic's ``image`` file when given, scaled into the same box), or ``None``."""
    from .pdf import MM, file_flowable, picture_flowable

    if image and not variant:
        return file_flowable(image, max_width, height or clinic_height(large_print) * MM)
    pic = exercise_picture(
        exercise_id, variant, large_print=large_print, width_mm=max_width / MM,
        height_mm=height / MM if height else None, dose=dose,
    )  # fmt: skip
    return picture_flowable(pic) if pic else None
