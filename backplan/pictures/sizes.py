"""How big pictures are drawn in each print mode, and the badges' words from a dose line.

Examples
--------
>>> picture_size(large_print=True).text
16.0
>>> dose_badges("1 time, hold each for 1 second")
{'reps': '1 time', 'hold': 'hold 1 second'}
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["LARGE_MM", "LARGE_OVER_CLEAR", "PictureSize", "dose_badges", "picture_size"]


class PictureSize(NamedTuple):
    """The picture box of one print mode: width and height (mm, captions and badges
    included), text size (pt) and outline width (mm)."""

    width: float
    height: float
    text: float
    outline: float


#: The room a large-print picture gets when no page says otherwise (mm high).
LARGE_MM = 95.0
#: Large print is at least this many times the clear-print size.
LARGE_OVER_CLEAR = 1.4


def picture_size(large_print: bool = False, width_mm: float = 184.0) -> PictureSize:
    """The picture box: the column's width; clear print at most 110 mm high, captions in
    12 pt; large print the column's width and 95 mm high (a handout gives it the room its
    page has), captions in 16 pt."""
    if large_print:
        return PictureSize(width_mm, LARGE_MM, 16.0, 0.6)
    return PictureSize(width_mm, 110.0, 12.0, 0.45)


_DOSE = re.compile(
    r"^(?:\d+ rounds of )?(?P<reps>\d+) times?(?: on each (?P<side>[^,]+))?"
    r"(?:, hold each for (?P<hold>\d+) seconds?)?"
)


def dose_badges(dose: str) -> dict[str, str]:
    """The badge texts for a dose line as the handout prints it (``dose_words``): the
    numbers come from the very words under the picture, so the two always agree."""
    m = _DOSE.match(dose or "")
    if not m:
        return {}
    reps = int(m["reps"])
    out = {"reps": f"{reps} time" + ("" if reps == 1 else "s")}
    if m["side"]:
        out["side"] = m["side"]
    if m["hold"]:
        hold = int(m["hold"])
        out["hold"] = f"hold {hold} second" + ("" if hold == 1 else "s")
    return out
