"""Page 1 of the PDF handout: the title, the header, what has changed (a handout reprinted
after a revision) and the "Stay safe" box, which always stays whole on page 1."""

from __future__ import annotations

from typing import Any

from ..words import TEXT, date_words
from .content import Handout, Section
from .pdf_style import REGULAR, Look, plain

__all__ = ["bullets", "first_page"]


def _header(h: Handout, lk: Look, width: float) -> list[Any]:
    from reportlab.platypus import Table, TableStyle

    length_key = "length_value_one" if h.weeks == 1 else "length_value"
    # the clinic, its phone and the physio are in every page's footer
    rows = [
        (TEXT["patient"], h.patient),
        (
            TEXT["length"],
            TEXT[length_key].format(
                weeks=h.weeks, start=date_words(h.start), end=date_words(h.end)
            ),
        ),
    ]
    label_w = width * 0.28
    table = Table(
        [[plain(k, lk.label), plain(v, lk.body)] for k, v in rows if v],
        colWidths=[label_w, width - label_w],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONT", (0, 0), (-1, -1), REGULAR),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [plain(TEXT["title"], lk.title), table]


def _tall(flowables: list[Any], width: float, height: float) -> float:
    return sum(f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables)


def first_page(h: Handout, lk: Look, width: float, height: float) -> list[Any]:
    """Title, header, what has changed (a reprint after a revision) and the safety box, in
    the first of these orders that keeps the whole safety box on page 1: title, header,
    changes, safety; title, changes, safety, header; title, safety, changes, header."""
    title, header = _header(h, lk, width)
    changed, safety = _changed(h, lk, width), _safety(h, lk, width)
    orders = [
        [title, header, *changed, *safety],
        [title, *changed, *safety, header],
        [title, *safety, *changed, header],
    ]
    for order in orders[:-1]:
        end = order.index(safety[-1]) + 1
        if _tall(order[:end], width, height) <= height:
            return order
    return orders[-1]


def _boxed(rows: list[list[Any]], width: float, line: float) -> Any:
    """One column of flowables in a box drawn with a ``line``-point rule, never split."""
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=[width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), line, "black"),
                ("FONT", (0, 0), (-1, -1), REGULAR),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 10),
                ("NOSPLIT", (0, 0), (-1, -1)),
            ]
        )
    )
    return table


def _changed(h: Handout, lk: Look, width: float) -> list[Any]:
    """The "What has changed" box of a handout reprinted after a revision (else nothing)."""
    from reportlab.platypus import Spacer

    if not h.changes:
        return []
    rows = [[plain(TEXT["changed_title"], lk.h3)]]
    if h.changed_on is not None:
        rows.append([plain(TEXT["changed_intro"].format(date=date_words(h.changed_on)), lk.body)])
    rows += [[plain(c, lk.item, bulletText="•")] for c in h.changes]
    return [Spacer(1, lk.body.fontSize * 0.6), _boxed(rows, width, 1.5)]


def bullets(section: Section, lk: Look) -> list[Any]:
    out = [plain(section.heading, lk.label)] if section.heading else []
    return out + [plain(item, lk.item, bulletText="•") for item in section.items]


def _safety(h: Handout, lk: Look, width: float) -> list[Any]:
    from reportlab.platypus import Spacer

    rows = [[plain(TEXT["safety_title"], lk.h3)]]
    for section in h.safety:
        rows += [[f] for f in bullets(section, lk)]
    return [Spacer(1, lk.body.fontSize * 0.6), _boxed(rows, width, 2.5)]
