"""The exercise blocks of the PDF handout, their pictures sized to the page.

Each exercise is one block: heading, picture, where to start, the steps, how much, the
easier way (with its own picture), later weeks. A block is kept on one page. Its pictures
get the height its words leave on a large-print page, so large print shows them as big as
the page allows; clear print draws them at most 1/1.4 of that size (and within the room
its own page leaves). When even a small picture cannot share the page with the rest, the
easier way goes after the block under its own heading ("3. Half sit-ups: the easier way"),
so the exercise itself still fits one page and its easier way stays with its picture.

Examples
--------
>>> from backplan import build_plan, load_catalogue
>>> from backplan.handout.content import handout_content
>>> from backplan.handout.pdf_style import MM, look
>>> h = handout_content(build_plan(load_catalogue(), "beginners", ["heel-slides"],
...                                start_date="2026-01-05", weeks=1))
>>> story = exercise_story(h, look(True), 184 * MM, Frames(240 * MM, 240 * MM))
>>> len(story)
1
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from ..pictures.fit import fit_pictures, shows_movement
from ..pictures.scene import Picture
from ..pictures.sizes import LARGE_OVER_CLEAR
from ..words import Words, words_for
from .content import ExerciseBlock, Handout
from .pdf_page_one import in_english
from .pdf_style import MM, Look, kept_together, look, para, plain

__all__ = [
    "BlockPictures", "Frames", "block_pictures", "exercise_heads", "exercise_story",
    "exercise_units", "stacked_height",
]  # fmt: skip

#: Room kept free under a block's pictures (mm) so rounding never pushes it over a page.
SLACK_MM = 3.0
#: The easier way goes apart when sharing the page would shrink the pictures below this
#: share of the size the exercise's own picture has on its own.
APART_BELOW = 0.5


class Frames(NamedTuple):
    """The height (points) of a page's text frame in this handout's print mode and in
    large print (the clear-print pictures are sized from the large-print page)."""

    this: float
    large: float


@dataclass(frozen=True)
class BlockPictures:
    """The pictures of one block in one print mode, and whether the easier way goes on
    its own after the block."""

    main: Picture | None
    easier: Picture | None
    apart: bool


def _labelled(label: str, text: str, lk: Look) -> Any:
    return para(f"<b>{escape(label)}</b> {escape(text)}", lk.body)


def _head(b: ExerciseBlock, lk: Look, w: Words) -> list[Any]:
    parts = [plain(f"{b.number}. {b.name}", lk.h3)]
    if b.from_week > 1:
        parts.append(plain(w.text("from_week", week=b.from_week), lk.tag))
    return parts


def _body(b: ExerciseBlock, lk: Look, w: Words) -> list[Any]:
    parts = [_labelled(w["position"], b.position, lk), plain(w["steps"], lk.label)]
    parts += [plain(s, lk.step, bulletText=f"{i}.") for i, s in enumerate(b.steps, start=1)]
    parts.append(_labelled(w["dose"], b.dose + ".", lk))
    return parts


def _easier_text(b: ExerciseBlock, lk: Look, w: Words) -> list[Any]:
    return [_labelled(w["easier"], b.easier, lk)] if b.easier else []


def _later(b: ExerciseBlock, lk: Look, w: Words) -> list[Any]:
    parts: list[Any] = []
    if b.later:
        parts.append(plain(w["later"], lk.label))
        parts += [plain(s, lk.item, bulletText="•") for s in b.later]
    if b.stop_week is not None:
        parts.append(plain(w.text("stop_week", week=b.stop_week), lk.body))
    elif b.until_week is not None:
        parts.append(plain(w.text("until_week", week=b.until_week), lk.body))
    return parts


def _easier_head(b: ExerciseBlock, lk: Look, w: Words) -> list[Any]:
    return [plain(w.text("easier_title", number=b.number, name=b.name), lk.h3)]


def stacked_height(parts: list[Any], width: float, canv: Any = None) -> float:
    """The height (points) ``parts`` take one after another in a frame ``width`` wide."""
    from reportlab.platypus.flowables import _listWrapOn

    return _listWrapOn(parts, width, canv)[1] if parts else 0.0


def _group_head(title: str, intro: str | None, lk: Look, w: Words | None = None) -> list[Any]:
    """A group's heading (and intro); under "Your exercises" (``w`` given), the key to the
    pictures, once per handout."""
    out = [plain(title, lk.h2)] + ([plain(intro, lk.body)] if intro else [])
    if w is not None and title == w["exercises_title"]:
        from ..pictures.pdf import picture_flowable
        from ..pictures.scene import picture_key
        from ..pictures.sizes import picture_size

        size = picture_size(lk.large).text  # the size of the words on the pictures
        out += _placed(picture_flowable(picture_key(w.code, size, 180.0)), w)
    return out


def _placed(picture: Any, w: Words) -> list[Any]:
    """``picture`` (none: nothing) on the side where the page's lines begin."""
    if picture is None:
        return []
    picture.hAlign = "RIGHT" if w.direction == "rtl" else "LEFT"
    return [picture]


def _has_easier_picture(b: ExerciseBlock) -> bool:
    from ..pictures.data import has_picture

    return bool(b.easier) and not b.image and has_picture(b.exercise, "easier")


@functools.lru_cache(maxsize=1024)
def _rooms(
    b: ExerciseBlock,
    large: bool,
    width: float,
    frame: float,
    head: tuple[str, str | None],
    w: Words,
) -> tuple[float, float, float]:
    """The room (mm) the block leaves its pictures on one page in a print mode: all
    together; the exercise's own picture when the easier way goes apart; and the easier
    way's picture on the page after."""
    lk = look(large)
    top = _group_head(head[0], head[1], lk, w) if head[0] else []
    easier_text = _easier_text(b, lk, w)
    whole = top + _head(b, lk, w) + _body(b, lk, w) + easier_text + _later(b, lk, w)
    alone = top + _head(b, lk, w) + _body(b, lk, w) + _later(b, lk, w)
    apart = _easier_head(b, lk, w) + easier_text
    return tuple(  # type: ignore[return-value]
        (frame - stacked_height(parts, width)) / MM - SLACK_MM for parts in (whole, alone, apart)
    )


def _fit(
    b: ExerciseBlock, large: bool, width_mm: float, rooms: tuple[float, float, float],
    caps: tuple[float, float] | None, language: str = "en", grow: bool = False,
) -> BlockPictures:  # fmt: skip
    """The block's pictures in one print mode, sharing the page or with the easier way
    apart, whichever keeps them readable; their words in ``language``. With ``grow``, a
    picture is never smaller than shows its movement (see
    :func:`~backplan.pictures.fit.fit_pictures`), even where the block then runs over."""
    said: dict[str, Any] = {"numbers": dict(b.badges), "language": language}
    easier = _has_easier_picture(b)
    if not easier:
        (main,) = fit_pictures(b.exercise, ("",), large_print=large, width_mm=width_mm,
                               room_mm=rooms[0], at_most=caps[:1] if caps else None,
                               grow=grow, **said)  # fmt: skip
        return BlockPictures(main, None, False)
    # sharing the page only when both still show their movement in the room it leaves
    together = fit_pictures(b.exercise, ("", "easier"), large_print=large, width_mm=width_mm,
                            room_mm=rooms[0], at_most=caps, grow=False, **said)  # fmt: skip
    (alone,) = fit_pictures(b.exercise, ("",), large_print=large, width_mm=width_mm,
                            room_mm=rooms[1], at_most=caps[:1] if caps else None,
                            grow=grow, **said)  # fmt: skip
    if together[0].scale >= APART_BELOW * alone.scale and (
        not grow or shows_movement(together, large)
    ):
        return BlockPictures(together[0], together[1], False)
    (easier_pic,) = fit_pictures(b.exercise, ("easier",), large_print=large, width_mm=width_mm,
                                 room_mm=rooms[2], at_most=caps[1:] if caps else None,
                                 grow=grow, **said)  # fmt: skip
    return BlockPictures(alone, easier_pic, True)


@functools.lru_cache(maxsize=1024)
def block_pictures(
    b: ExerciseBlock,
    large: bool,
    width: float,
    frames: Frames,
    head: tuple[str, str | None],
    w: Words | None = None,
    grow: bool = False,
) -> BlockPictures:
    """The pictures of block ``b`` in a print mode: large print as big as the room on a
    large-print page allows; clear print at most 1/1.4 of that and within its own page.
    ``head`` is the group heading (and intro) printed above the block, or ``("", None)``;
    ``w`` the words of the handout's language (English by default). ``grow``: never
    smaller than shows the movement (5 / 8 mm), for a page whose room is only estimated
    (the HTML handout's print view); the PDF keeps each block on one page."""
    if b.image or not _has_picture(b):
        return BlockPictures(None, None, False)
    w = words_for() if w is None else w
    width_mm = width / MM
    big = _fit(b, True, width_mm, _rooms(b, True, width, frames.large, head, w), None, w.code,
               grow)  # fmt: skip
    if large:
        return big
    caps = tuple(
        (p.scale if p else 10.0) / LARGE_OVER_CLEAR for p in (big.main, big.easier)
    )  # fmt: skip
    rooms = _rooms(b, False, width, frames.this, head, w)
    return _fit(b, False, width_mm, rooms, caps, w.code, grow)  # type: ignore[arg-type]


def _has_picture(b: ExerciseBlock) -> bool:
    from ..pictures.data import has_picture

    return has_picture(b.exercise)


def _block(
    b: ExerciseBlock, lk: Look, width: float, pics: BlockPictures, w: Words, frame: float
) -> list[list[Any]]:
    """The block's flowables: one list kept together, or two when the easier way goes
    apart. When the words leave the picture less than its least room (long languages in
    large print), the block cannot fit one page: its later weeks then go on as a unit of
    their own, so the page turns between two parts, never inside a sentence."""
    from ..pictures import picture_drawing
    from ..pictures.pdf import picture_flowable

    parts = _head(b, lk, w)
    if pics.main is not None:
        parts += _placed(picture_flowable(pics.main), w)
    elif b.image:
        clinic = picture_drawing(b.exercise, width, None, b.image, large_print=lk.large)
        parts += _placed(clinic, w)
    parts += _body(b, lk, w)
    easier = _easier_text(b, lk, w)
    easier += _placed(picture_flowable(pics.easier), w) if pics.easier is not None else []
    later = _later(b, lk, w)
    if pics.apart:
        units = [parts, later, _easier_head(b, lk, w) + easier]
    else:
        units = [parts + easier, later]
    if stacked_height(units[0] + units[1], width) <= frame:
        units[:2] = [units[0] + units[1]]
    return [unit for unit in units if unit]


def _english_copy(e: ExerciseBlock, lk: Look) -> list[Any]:
    """An exercise block's English copy for a bilingual handout: its words, no picture."""
    w = words_for()
    return _head(e, lk, w) + _body(e, lk, w) + _easier_text(e, lk, w) + _later(e, lk, w)


def exercise_heads(h: Handout) -> list[tuple[ExerciseBlock, tuple[str, str | None]]]:
    """Each block with the group heading printed above it: "Your exercises" above the
    first, "New exercises from week N" (and its intro) above the next level's first."""
    w = h.words
    groups = [(w["exercises_title"], None, h.blocks)]
    if h.next_blocks:
        week = h.next_week
        intro = w.text("new_exercises_intro", week=week)
        groups.append((w.text("new_exercises", week=week), intro, h.next_blocks))
    return [
        (b, (title, intro) if i == 0 else ("", None))
        for title, intro, blocks in groups
        for i, b in enumerate(blocks)
    ]


def exercise_units(h: Handout, lk: Look, width: float, frames: Frames) -> list[list[list[Any]]]:
    """Per exercise, the parts of its block that are each kept on one page (see
    :func:`exercise_story`)."""
    out: list[list[list[Any]]] = []
    english = [e for e, _ in exercise_heads(h.english)] if h.english is not None else []
    keyed = h.words if any(_has_picture(b) and not b.image for b in h.blocks) else None
    for i, (b, head) in enumerate(exercise_heads(h)):
        pics = block_pictures(b, lk.large, width, frames, head, h.words)
        top = _group_head(head[0], head[1], lk, keyed) if head[0] else []
        units = _block(b, lk, width, pics, h.words, frames.this - stacked_height(top, width))
        if head[0]:
            units[0] = top + units[0]
        if english:
            copy = in_english(h, lk, lambda _e, el, e=english[i]: _english_copy(e, el))
            units += [copy] if copy else []
        out.append(units)
    return out


def exercise_story(h: Handout, lk: Look, width: float, frames: Frames) -> list[Any]:
    """The exercise blocks, each kept on one page, under "Your exercises" (and "New
    exercises from week N" for the next level's). In a bilingual handout each block's
    English copy (no picture) follows as a block of its own, so each still fits a page."""
    return [kept_together(unit) for units in exercise_units(h, lk, width, frames) for unit in units]
