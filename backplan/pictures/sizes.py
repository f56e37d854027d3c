"""How big pictures are drawn in each print mode, and the badges' words from a dose line.

Examples
--------
>>> picture_size(large_print=True).text
16.0
>>> dose_badges("1 time, hold each for 1 second")
{'reps': '1 time', 'hold': 'hold 1 second', 'said': 'Hold 1 second. Do it 1 time.'}
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ..words import Words

__all__ = [
    "LARGE_MM", "LARGE_OVER_CLEAR", "PictureSize", "badge_words", "dose_badges", "picture_size",
]  # fmt: skip


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


def badge_words(
    reps: int, hold_s: int = 0, side: str = "", language: str | Words = "en"
) -> dict[str, str]:
    """The words a picture's badges and the end of its description say for a dose, in
    ``language`` (the message catalogue's): ``reps`` times (on each ``side``), held
    ``hold_s`` seconds.

    Examples
    --------
    >>> badge_words(10, 5, "leg")["said"]
    'Hold 5 seconds. Do it 10 times on each leg.'
    >>> badge_words(10, 5, "leg", "pl")["hold"]
    'trzymaj 5 sekund'
    """
    from ..words import words_for

    w = words_for(language)
    times = w.plural("times", reps)
    out = {"reps": times}
    said = []
    if hold_s:
        out["hold"] = w.plural("picture_hold", hold_s)
        said.append(w.plural("picture_alt_hold", hold_s))
    if side:
        key = f"each_{side}" if side in ("leg", "ankle", "side") else "each_other"
        times = w.text(key, times=times, side=w.side_word(side))
    said.append(w.text("picture_alt_reps", times=times))
    out["said"] = " ".join(said)
    return out


def dose_badges(dose: str) -> dict[str, str]:
    """The badge words (see :func:`badge_words`) for an English dose line as the handout
    prints it (``dose_words``): the numbers come from the very words under the picture,
    so the two always agree; ``{}`` for a line that gives no number of times."""
    m = _DOSE.match(dose or "")
    if not m:
        return {}
    return badge_words(int(m["reps"]), int(m["hold"] or 0), m["side"] or "")
