"""Pictures of one exercise that share the room a page leaves them.

An exercise block on a handout page holds its picture and, where there is one, its easier
way's picture. :func:`fit_pictures` lays them out at one scale (the same body size in
both), the largest at which together they fit ``room_mm`` of height, never above the
scale each may have (``at_most``: clear print stays at most 1/1.4 of large print).

Examples
--------
>>> main, easier = fit_pictures("half-sit-ups", ("", "easier"), large_print=True,
...                             width_mm=184, room_mm=150)
>>> main.height + easier.height <= 150 + 1e-6, abs(main.scale - easier.scale) < 0.01
(True, True)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence

from .data import exercise_entry
from .scene import Picture, keeps_clear, layout, measure
from .sizes import dose_badges, picture_size

__all__ = ["LEAST_ROOM_MM", "fit_pictures", "least_move", "shows_movement"]

#: The smallest room (mm) a block gives its pictures, even when its text leaves less: a
#: picture squeezed below this says nothing, and the block runs over to the next page.
LEAST_ROOM_MM = 45.0
#: How much bigger leaving out a start panel must make the figures.
KEEP_PANELS = 1.25
#: The smallest movement (mm on paper) a large-print picture shows (issue 23).
LARGE_LEAST_MOVE_MM = 8.0
#: The smallest movement (mm on paper) a clear-print picture shows (issue 23).
CLEAR_LEAST_MOVE_MM = 5.0


def _args(large: bool, width: float, room: float, cap: float,
          numbers: tuple[tuple[str, str], ...], drop: bool, language: str) -> dict:  # fmt: skip
    size = picture_size(large, width)
    return dict(width_mm=size.width, height_mm=room, text_pt=size.text,
                outline_mm=size.outline, numbers=dict(numbers), at_most=cap,
                may_drop_start=drop, keep_panels=1.0, language=language)  # fmt: skip


def fit_pictures(
    exercise: str,
    variants: Sequence[str],
    *,
    large_print: bool,
    width_mm: float,
    room_mm: float,
    dose: str = "",
    at_most: Sequence[float] | None = None,
    numbers: Mapping[str, str] | None = None,
    language: str = "en",
    grow: bool = True,
) -> list[Picture]:
    """The pictures of ``exercise`` in each of ``variants`` (``""`` the exercise,
    ``"easier"`` its easier way), one above the other within ``room_mm`` of height, at
    the largest common scale (mm per cm of body) that fits, each at most its ``at_most``.
    Their words are in ``language``; the badges say ``numbers`` (see
    :func:`~backplan.pictures.sizes.badge_words`), or the English ``dose`` line's numbers.

    Either print may leave out a picture's start panel (its pose stays in the next panel,
    a thick dashed outline) when every panel would make the figures 1.25 times
    smaller or more. A room too small for the movement to show 5 mm on paper in clear
    print (8 mm in large print) is taken as the room that shows it, where the width and
    ``at_most`` allow: the pictures are then taller than ``room_mm`` (not with
    ``grow=False``: see :func:`shows_movement`).
    """
    said = dose_badges(dose) if numbers is None else numbers
    badges = tuple(sorted(said.items()))
    caps = tuple(math.floor(c * 1e4) / 1e4 for c in at_most) if at_most is not None else None
    room = math.floor(max(room_mm, LEAST_ROOM_MM) * 4) / 4  # blocks of similar words share
    args = (exercise, tuple(variants), large_print, width_mm)
    pics = _fit(*args, room, badges, caps, language)
    if not grow:
        return list(pics)
    # a picture whose movement the room would shrink below the floor gets the room it
    # needs instead (its block then runs over the page): the movement is what it shows
    floor = least_move(large_print)
    for _ in range(4):
        short = max((floor / min(p.moves.values()) for p in pics if p.moves), default=1.0)
        if short <= 1.0:
            break
        room_needed = math.ceil(room * short * 4) / 4
        grown = _fit(*args, room_needed, badges, caps, language)
        if max(g.scale - p.scale for g, p in zip(grown, pics, strict=True)) <= 1e-9:
            break  # as big as the width or the caps let them be
        room, pics = room_needed, grown
    return list(pics)


def least_move(large_print: bool) -> float:
    """The smallest movement (mm on paper) a picture shows in a print mode."""
    return LARGE_LEAST_MOVE_MM if large_print else CLEAR_LEAST_MOVE_MM


def shows_movement(pictures: Sequence[Picture], large_print: bool) -> bool:
    """Whether every one of ``pictures`` shows its movement at least :func:`least_move`.

    >>> (small,) = fit_pictures("wall-squats", ("",), large_print=True, width_mm=184,
    ...                         room_mm=50, grow=False)
    >>> (grown,) = fit_pictures("wall-squats", ("",), large_print=True, width_mm=184,
    ...                         room_mm=50)
    >>> shows_movement([small], True), shows_movement([grown], True), grown.height > small.height
    (False, True, True)
    """
    floor = least_move(large_print)
    return all(min(p.moves.values(), default=floor) >= floor for p in pictures)


@functools.lru_cache(maxsize=512)
def _fit(
    exercise: str, variants: tuple[str, ...], large_print: bool, width_mm: float, room_mm: float,
    numbers: tuple[tuple[str, str], ...], at_most: tuple[float, ...] | None, language: str,
) -> tuple[Picture, ...]:  # fmt: skip
    room = room_mm + 0.01
    caps = list(at_most) if at_most is not None else [10.0] * len(variants)

    # a start panel kept in clear print ("keep": "clear") may be left out in large print
    clear_keeps = [not large_print and keeps_clear(exercise_entry(exercise, v)) for v in variants]

    def heights(cap: float, drop: bool) -> list[tuple[float, float]]:
        return [
            measure(
                exercise,
                v,
                **_args(
                    large_print, width_mm, room, min(cap, c), numbers, drop and not k, language
                ),
            )
            for v, c, k in zip(variants, caps, clear_keeps, strict=True)
        ]

    def largest(drop: bool) -> float:
        best = heights(max(caps), drop)
        if sum(h for _, h in best) <= room:
            return max(caps)
        lo, hi = 0.05, max(s for s, _ in best)
        for _ in range(10):  # the largest common scale at which they fit, to 0.3%
            mid = (lo + hi) / 2
            if sum(h for _, h in heights(mid, drop)) <= room:
                lo = mid
            else:
                hi = mid
        return lo

    def pictures(cap: float, drop: bool) -> list[Picture]:
        return [
            layout(
                exercise,
                v,
                **_args(
                    large_print, width_mm, room, min(cap, c), numbers, drop and not k, language
                ),
            )
            for v, c, k in zip(variants, caps, clear_keeps, strict=True)
        ]

    out = pictures(largest(False), False)
    dropped = pictures(largest(True), True)  # the start as a grey shape in the next panel
    too_small = any(  # "keep": "clear" holds in large print only when the movement shows
        keeps_clear(exercise_entry(exercise, v))
        and min(p.moves.values(), default=99) < LARGE_LEAST_MOVE_MM
        for v, p in zip(variants, out, strict=True)
    )
    if min(p.scale for p in dropped) >= min(p.scale for p in out) * KEEP_PANELS or (
        large_print and too_small
    ):
        return tuple(dropped)
    return tuple(out)
