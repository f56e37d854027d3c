"""Page 1 of the PDF handout: the title, the header, what has changed (a handout reprinted
after a revision) and the "Stay safe" box, which always stays whole on page 1. In a
handout in another language than English, the English copy of each box follows it
(:func:`in_english`): the safety box in the patient's language is the one kept on page 1."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .content import Handout, Section, length_words
from .pdf_style import REGULAR, Look, look, plain

__all__ = ["bullets", "first_page", "in_english", "page_one_fits", "pain_box"]


def in_english(
    h: Handout, lk: Look, make: Callable[[Handout, Look], list[Any]], line: float = 1.5
) -> list[Any]:
    """The English copy of a block, for a handout in another language (nothing for an
    English one): ``make(h.english, english_look)`` under the label "In English" (in the
    patient's language), with a rule down its left side. Never split."""
    from reportlab.platypus import Table, TableStyle

    if h.english is None:
        return []
    el = look(lk.large, False, english=True)
    rows = [[plain(h.words["in_english"], el.label)]] + [[f] for f in make(h.english, el)]
    table = Table(rows, colWidths=["100%"], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("LINEBEFORE", (0, 0), (0, -1), line, "#555555"), ("FONT", (0, 0), (-1, -1), REGULAR),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ("NOSPLIT", (0, 0), (-1, -1)),
    ]))  # fmt: skip
    table.spaceBefore, table.spaceAfter = lk.body.fontSize * 0.3, lk.body.fontSize * 0.5
    return [table]


def _header(h: Handout, lk: Look, width: float) -> list[Any]:
    from reportlab.platypus import Table, TableStyle

    w, en = h.words, h.english
    # the clinic, its phone and the physio are in every page's footer
    rows = [(w["patient"], h.patient, ""), (w["length"], length_words(h), "")]
    if en is not None:  # the labels and the plan's length in English too
        el = look(lk.large, False, english=True)
        rows = [
            (f"{w['patient']} / {en.words['patient']}", h.patient, ""),
            (f"{w['length']} / {en.words['length']}", length_words(h), length_words(en)),
        ]
    label_w = width * 0.28
    cells = [
        [plain(k, lk.label), [plain(v, lk.body)] + ([plain(e, el.body)] if e else [])]
        for k, v, e in rows
        if v
    ]
    widths = [label_w, width - label_w]
    if lk.rtl:  # labels on the right, read first
        cells, widths = [row[::-1] for row in cells], widths[::-1]
    table = Table(cells, colWidths=widths, hAlign="RIGHT" if lk.rtl else "LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONT", (0, 0), (-1, -1), REGULAR),
                ("RIGHTPADDING" if lk.rtl else "LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    title = [plain(w["title"], lk.title)]
    if en is not None:
        title.append(plain(en.words["title"], look(lk.large, False, english=True).h2))
    return [title, table]


def _tall(flowables: list[Any], width: float, height: float) -> float:
    return sum(f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables)


def first_page(h: Handout, lk: Look, width: float, height: float) -> list[Any]:
    """Title, header, what has changed (a reprint after a revision) and the safety box, in
    the first of these orders that keeps the whole safety box on page 1: title, header,
    changes, safety; title, changes, safety, header; title, safety, changes, header. When
    the safety box is too tall for page 1 even then (large print in a language of long
    words), it is set in the smallest size the print mode allows (16 pt in large print,
    12 pt in clear print) instead of leaving page 1 empty."""
    return _page_one(h, lk, width, height)[0]


def page_one_fits(h: Handout, lk: Look, width: float, height: float) -> bool:
    """Whether :func:`first_page` keeps the whole safety box on page 1 (``height``: the
    frame's height in points)."""
    return _page_one(h, lk, width, height)[1]


def _page_one(h: Handout, lk: Look, width: float, height: float) -> tuple[list[Any], bool]:
    title, header = _header(h, lk, width)
    changed = _changed(h, lk, width)
    # the patient's own safety box stays on page 1; the English copies follow
    changed_en, safety_en = (
        _english_box(h, lk, width, _changed),
        _english_box(h, lk, width, _safety),
    )
    pain = pain_box(h, lk, width) + _english_box(h, lk, width, pain_box)
    for safety_look in (lk, look(lk.large, lk.rtl, english=True)):  # full size, then smallest
        safety = _safety(h, safety_look, width)
        orders = [
            [*title, header, *changed, *safety],
            [*title, *changed, *safety, header],
            [*title, *safety, *changed, header],
        ]
        for order in orders:
            end = order.index(safety[-1]) + 1
            if _tall(order[:end], width, height) <= height:
                return _with(order, changed, changed_en, safety, safety_en) + pain, True
    return _with(orders[-1], changed, changed_en, safety, safety_en) + pain, False


def _with(order: list[Any], changed: list[Any], changed_en: list[Any], safety: list[Any],
          safety_en: list[Any]) -> list[Any]:  # fmt: skip
    """``order`` with the English copy of the safety box, and of the changes box, after
    each (the patient's own safety box is the one kept on page 1)."""
    out = list(order)
    at = out.index(safety[-1]) + 1
    out[at:at] = safety_en
    if changed:
        at = out.index(changed[-1]) + 1
        out[at:at] = changed_en
    return out


def _english_box(h: Handout, lk: Look, width: float, box: Callable[..., list[Any]]) -> list[Any]:
    """A box's English copy (nothing for an English handout): the same box in the English
    look, headed "In English" in the patient's language."""
    if h.english is None:
        return []
    return box(h.english, look(lk.large, False, english=True), width, h.words["in_english"])


def _note(note: str, lk: Look) -> list[list[Any]]:
    return [[plain(note, lk.label)]] if note else []


def pain_box(h: Handout, lk: Look, width: float, note: str = "") -> list[Any]:
    """The "How much pain is OK" box: a 0 to 10 scale in three bands, and what to do
    (``note``: a line above its title). Right to left, the scale runs from the right."""
    from reportlab.platypus import Spacer, Table, TableStyle

    if not h.pain_rules:
        return []
    w = h.words
    cell = (width - 20) / 11

    def at(c: int) -> int:  # the column of scale point c (mirrored right to left)
        return 10 - c if lk.rtl else c

    cells: list[list[Any]] = [[""] * 11, [""] * 11]
    for n in range(11):
        cells[0][at(n)] = plain(w.number(n), lk.label)
    bands = ((0, 3, "scale_fine", None), (4, 5, "scale_settle", "#dddddd"),
             (6, 10, "scale_stop", "#aaaaaa"))  # fmt: skip
    style = [
        ("FONT", (0, 0), (-1, -1), REGULAR),
        ("GRID", (0, 0), (-1, 0), 1, "black"),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for a, b, key, fill in bands:
        lo, hi = sorted((at(a), at(b)))
        cells[1][lo] = plain(w[key], lk.body)
        style += [("BOX", (lo, 1), (hi, 1), 1, "black"), ("SPAN", (lo, 1), (hi, 1))]
        style += [("BACKGROUND", (lo, 0), (hi, 1), fill)] if fill else []
    scale = Table(cells, colWidths=[cell] * 11, hAlign="RIGHT" if lk.rtl else "LEFT")
    scale.setStyle(TableStyle(style))
    rows = [*_note(note, lk), [plain(w["pain_title"], lk.h3)],
            [plain(w["pain_scale_intro"], lk.body)], [scale],
            [Spacer(1, lk.body.fontSize * 0.4)]]  # fmt: skip
    rows += [[plain(rule, lk.item, bulletText="•")] for rule in h.pain_rules]
    if h.call:
        rows.append([plain(h.call, lk.label)])
    return [Spacer(1, lk.body.fontSize * 0.6), _boxed(rows, width, 2.0)]


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


def _changed(h: Handout, lk: Look, width: float, note: str = "") -> list[Any]:
    """The "What has changed" box of a handout reprinted after a revision (else nothing)."""
    from reportlab.platypus import Spacer

    if not h.changes:
        return []
    w = h.words
    rows = [*_note(note, lk), [plain(w["changed_title"], lk.h3)]]
    if h.changed_on is not None:
        rows.append([plain(w.text("changed_intro", date=w.date_words(h.changed_on)), lk.body)])
    rows += [[plain(c, lk.item, bulletText="•")] for c in h.changes]
    return [Spacer(1, lk.body.fontSize * 0.6), _boxed(rows, width, 1.5)]


def bullets(section: Section, lk: Look) -> list[Any]:
    out = [plain(section.heading, lk.label)] if section.heading else []
    return out + [plain(item, lk.item, bulletText="•") for item in section.items]


def _safety(h: Handout, lk: Look, width: float, note: str = "") -> list[Any]:
    """The "Stay safe" box: the stop rule across the box, then the 999 and the GP/111 lists
    side by side (so the box, with nhs.uk's lists in full, stays on page 1 in large print;
    right to left, the 999 list is on the right, read first)."""
    from reportlab.platypus import Spacer, Table, TableStyle

    # the phone is in every page's footer
    rows = [*_note(note, lk), [plain(h.words["safety_title"], lk.h3)]]
    lists = [s for s in h.safety if s.heading][:: -1 if lk.rtl else 1]
    for section in h.safety:
        if not section.heading:
            rows += [[f] for f in bullets(section, lk)]
    if lists:
        inner = width - 20
        cols = Table([[bullets(s, lk) for s in lists]], colWidths=[inner / len(lists)] * len(lists),
                     hAlign="LEFT")  # fmt: skip
        near, far = ("RIGHTPADDING", "LEFTPADDING") if lk.rtl else ("LEFTPADDING", "RIGHTPADDING")
        cols.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONT", (0, 0), (-1, -1), REGULAR),
            (near, (0, 0), (-1, -1), 0), (far, (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]))  # fmt: skip
        rows.append([cols])
    return [Spacer(1, lk.body.fontSize * 0.6), _boxed(rows, width, 2.5)]
