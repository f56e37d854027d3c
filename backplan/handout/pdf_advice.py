"""The advice of the PDF handout ("Good to know"), placed so that no page is left near
empty.

The advice follows the physio's notes, before the exercises, one section at a time, each
kept whole. Where the last sections would start a page of their own that the first
exercise is too tall to share (in large print an exercise block fills its page), those
sections wait: each goes at the foot of the first exercise page with room for it, where the
next exercise starts a new page anyway (never pushing an exercise on), under a thin rule;
what finds no room there goes after the last exercise, before the credits. The order of
the sections never changes.

The decisions are made while ReportLab lays the pages out (like ``KeepTogether``, a
:class:`AdviceSlot` asks to be split and returns what goes where it stands), so they hold
whatever the pictures' sizes.

Examples
--------
>>> from reportlab.platypus import Paragraph
>>> queue = AdviceQueue([[Paragraph("Breathing")], [Paragraph("Keep active")]], 700.0)
>>> slot = AdviceSlot(queue, after=[Paragraph("1. Heel slides")], start=True)
>>> [type(f).__name__ for f in slot.split(500.0, 300.0)]
['NullActionFlowable', 'Together', 'Together']
>>> queue.waiting
[]
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable

__all__ = ["SPARSE_BELOW", "AdviceQueue", "AdviceSlot"]

#: A page that the advice would start and leave less than this share of full (the next
#: block not fitting under it) is not started: its sections wait for room on later pages.
SPARSE_BELOW = 0.5


def _tall(flowables: list[Any], width: float, canv: Any) -> float:
    """The height (points) ``flowables`` take one after another, with the space before
    the first (as after other text on a page)."""
    from .pdf_block import stacked_height

    if not flowables:
        return 0.0
    return stacked_height(flowables, width, canv) + flowables[0].getSpaceBefore()


class AdviceQueue:
    """The advice sections not printed yet, in order: each a list of flowables kept whole
    (the first carries the "Good to know" heading). ``frame`` is the height (points) of a
    page's text frame; ``rule`` makes the line drawn above sections set under an exercise."""

    def __init__(
        self, sections: list[list[Any]], frame: float, rule: Any = None, keep: int = 0
    ) -> None:
        self.waiting = list(sections)
        self.frame = frame
        self.rule = rule
        self.keep = keep  # the first ``keep`` sections never wait ("Before you start")

    def _out(self, sections: list[list[Any]], under: bool) -> list[Any]:
        """The flowables that print ``sections`` (taken off the queue) where a slot stands;
        ``under``: set under an exercise, below a rule."""
        from reportlab.platypus.doctemplate import NullActionFlowable

        from .pdf_style import kept_together

        sections = list(sections)
        del self.waiting[: len(sections)]
        if sections and under and self.rule is not None:
            sections = [[self.rule(), *sections[0]], *sections[1:]]
        # a first flowable that cannot fail to fit, as KeepTogether's split gives
        return [NullActionFlowable(), *(kept_together(s) for s in sections)]

    def start(self, width: float, room: float, after: list[Any], canv: Any) -> list[Any]:
        """At the advice's own place (``room`` points left on the page): every section,
        unless the last would start a page less than :data:`SPARSE_BELOW` full that
        ``after`` (the first exercise) cannot share; those wait."""
        page, left, first_on_last = 0, room, 0
        for i, section in enumerate(self.waiting):
            tall = _tall(section, width, canv)
            if tall > left and left < self.frame:  # on to a new page
                page, left, first_on_last = page + 1, self.frame, i
            left -= tall
        stranded = page > 0 and _tall(after, width, canv) > left
        if stranded and self.frame - left < SPARSE_BELOW * self.frame:
            return self._out(self.waiting[: max(first_on_last, self.keep)], False)
        return self._out(self.waiting, False)

    def fill(self, width: float, room: float, after: list[Any] | None, canv: Any) -> list[Any]:
        """Between two exercises (``room`` points left on the page): the waiting sections
        that fit there, in order, when ``after`` (the next exercise) would not fit there
        anyway; after the last exercise (``after`` None), all of them."""
        if not self.waiting:
            return self._out([], False)
        if after is None:
            first = _tall(self.waiting[0], width, canv)
            return self._out(self.waiting, first <= room < self.frame)
        if _tall(after, width, canv) <= room:
            return self._out([], False)
        fitting: list[list[Any]] = []
        room -= _tall([self.rule()], width, canv) if self.rule is not None else 0.0
        for section in self.waiting:
            room -= _tall(section, width, canv)
            if room < 0:
                break
            fitting.append(section)
        return self._out(fitting, True)


class AdviceSlot(Flowable):
    """A place in the story where waiting advice may print (nothing, when none waits).

    ``start``: the advice's own place, after the notes; else a place between two
    exercises, ``after`` holding the next exercise's first part (None after the last)."""

    # no height of its own, and the space between what comes before and after it stays as
    # if it were not there (as for ReportLab's anchors)
    _ZEROSIZE = True
    _SPACETRANSFER = True

    def __init__(self, queue: AdviceQueue, after: list[Any] | None, start: bool = False) -> None:
        super().__init__()
        self.queue, self.after, self.start = queue, after, start

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        # as KeepTogether does: a height no frame has, so the document asks for a split
        return (aW, 0xFFFFFF) if self.queue.waiting else (0.0, 0.0)

    def split(self, aW: float, aH: float) -> list[Any]:
        canv = getattr(self, "canv", None)
        if self.start:
            return self.queue.start(aW, aH, self.after or [], canv)
        return self.queue.fill(aW, aH, self.after, canv)

    def draw(self) -> None:  # pragma: no cover - never drawn: it splits or takes no room
        pass
