"""The printed handout: a PDF built with ReportLab platypus.

Page 1 holds the header, what has changed (after a revision) and the "Stay safe" box, which
is never split (see :mod:`backplan.handout.pdf_page_one`). Each exercise is one block
(heading, picture, steps, dose, later weeks, easier way) that never splits across pages
unless it alone is longer than a page. Then the credits, the pen diary (several weeks a
page; portrait or landscape, whichever holds a week whole; a week too big for one page at
full size is printed in parts, each a whole Monday to Sunday) and one page for the clinic
on how to type the diary back in. Every page's footer carries the clinic, its phone, the
physio, the patient and the page number. Styles are in :mod:`backplan.handout.pdf_style`.

Examples
--------
>>> import tempfile, pathlib
>>> from backplan import build_plan, load_catalogue
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-raises"], start_date="2026-01-05",
...                   weeks=1, patient="Zoë Ñúñez-O'Brien")
>>> out = to_pdf(plan, pathlib.Path(tempfile.mkdtemp()) / "zoe.pdf")
>>> out.read_bytes()[:5]
b'%PDF-'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from .._io.files import as_path, atomic_path
from ..errors import BackplanError, short
from ..plan import Plan
from ..plan.model import plan_argument
from ..settings import ClinicSettings
from ..words import CLINIC_TEXT
from .content import ExerciseBlock, Handout, catalogue_or_shipped, handout_content
from .options import handout_options, page_size_value
from .pdf_block import Frames, exercise_units, stacked_height
from .pdf_canvas import FOOTER_Y, MARGIN_TOP, MARGIN_X, binary_streams, footer_canvas
from .pdf_page_one import bullets, first_page, in_english
from .pdf_style import (
    BOLD,
    MM,
    PAGE_SIZES,
    REGULAR,
    Look,
    kept_together,
    look,
    plain,
    register_fonts,
)

__all__ = [
    "BOLD", "MM", "PAGE_SIZES", "REGULAR", "handout_pictures", "register_fonts", "render_pdf",
    "to_pdf",
]  # fmt: skip


def _notes(h: Handout, lk: Look) -> list[Any]:
    w = h.words
    out = [
        plain(w["intro"], lk.body),
        *in_english(h, lk, lambda e, el: [plain(e.words["intro"], el.body)]),
    ]
    if h.notes.strip():  # the physio's own words, as written
        out.append(plain(w["notes"], lk.h3))
        out += [plain(line, lk.body) for line in h.notes.splitlines() if line.strip()]
    return out


def _advice(h: Handout, lk: Look) -> list[list[Any]]:
    """The advice sections, each kept whole (the first under "Good to know")."""
    out: list[list[Any]] = []
    for i, section in enumerate(h.advice):
        head = [plain(h.words["advice_title"], lk.h2)] if i == 0 else []
        english = in_english(h, lk, lambda e, el, i=i: bullets(e.advice[i], el))
        out.append(head + bullets(section, lk) + english)
    return out


def _advice_and_exercises(
    h: Handout, lk: Look, width: float, frames: Frames, frame_h: float
) -> list[Any]:
    """The advice, then the exercise blocks (each part kept on one page), with places
    between the exercises where advice that would have left a page near empty goes
    instead (see :mod:`backplan.handout.pdf_advice`)."""
    from reportlab.platypus.flowables import HRFlowable

    from .pdf_advice import AdviceQueue, AdviceSlot

    def rule() -> Any:
        gap = lk.body.fontSize * 0.6
        return HRFlowable(width="100%", thickness=1, color="#555555", spaceBefore=gap,
                          spaceAfter=gap * 0.5)  # fmt: skip

    exercises = exercise_units(h, lk, width, frames)
    firsts = [units[0] for units in exercises]
    queue = AdviceQueue(_advice(h, lk), frame_h, rule, keep=1)  # "Before you start" stays
    out: list[Any] = [AdviceSlot(queue, firsts[0] if firsts else [], start=True)]
    for i, units in enumerate(exercises):
        out += [kept_together(unit) for unit in units]
        out.append(AdviceSlot(queue, firsts[i + 1] if i + 1 < len(firsts) else None))
    if not exercises:
        out.append(AdviceSlot(queue, None))
    return out


def _credits(h: Handout, lk: Look) -> list[Any]:
    style = lk.body if lk.large else lk.small
    title = lk.label if lk.large else lk.small_label
    return [plain(h.words["credits_title"], title), *(plain(c, style) for c in h.credits)]


def _grid_look(lk: Look, most: int = 3, gap: float = 0.35, h: Handout | None = None) -> Any:
    """The diary grid's look; ``h`` gives its language (and English under each heading
    when the handout is bilingual)."""
    from .pdf_diary import GridLook

    language, english = (h.words.code, h.english is not None) if h is not None else ("en", False)
    return GridLook(BOLD, REGULAR, lk.diary_size, lk.box_mm * MM, lk.h3.fontSize, most, gap,
                    rtl=lk.rtl, language=language, english=english)  # fmt: skip


#: Diary page shapes to try, best first: (landscape, tick boxes a row at most, gap between
#: boxes as a share of a box). Boxes never get smaller; at most the gaps narrow.
_DIARY_SHAPES = (
    (False, 3, 0.35), (True, 3, 0.35), (False, 2, 0.35), (True, 2, 0.35),
    (False, 3, 0.2), (True, 3, 0.2), (False, 6, 0.35), (True, 6, 0.35),
    (False, 6, 0.2), (True, 6, 0.2), (False, 2, 0.2), (True, 2, 0.2),
)  # fmt: skip


def _diary_layout(
    h: Handout, lk: Look, portrait: tuple[float, float], margin_bottom: float
) -> tuple[Any, Any, int]:
    """Diary page size, grid look and parts a week: the first shape in which every week
    fits one page whole; when none does (large print, many boxes), the fewest parts a week
    (each a whole Monday to Sunday, see :func:`~backplan.handout.pdf_diary.week_parts`)."""
    from reportlab.lib.pagesizes import landscape

    from .pdf_diary import diary_fits

    most_parts = max((len(w.exercises) for w in h.diary), default=1)
    for parts in range(1, most_parts + 1):
        for land, most, gap in _DIARY_SHAPES:
            page = landscape(portrait) if land else portrait
            g = _grid_look(lk, most, gap, h)
            frame = (page[0] - 2 * MARGIN_X, page[1] - MARGIN_TOP - margin_bottom)
            if diary_fits(h.diary, g, parts, *frame, h.english.diary if h.english else None):
                return page, g, parts
    return landscape(portrait), _grid_look(lk, 1, h=h), most_parts


def _diary(
    h: Handout, lk: Look, g: Any, parts: int, width: float, height: float,
    main: tuple[float, float], turn: bool = True,
) -> list[Any]:  # fmt: skip
    """How to use the diary (after the credits, on a portrait page), then the weeks on
    diary pages, as many to a page as fit; a week in parts starts a fresh page.

    The credits and the instructions share a page where they fit together on one
    (``main``: a portrait page's text frame), else each stays whole. ``turn``: the diary
    starts a fresh page (landscape diary pages, weeks in parts); else its first week
    follows the instructions when it fits under them."""
    from reportlab.platypus import NextPageTemplate, PageBreak

    from .pdf_diary import DiaryGrid, week_parts

    english = h.english.diary if h.english is not None else (None,) * len(h.diary)
    w = h.words
    intro = [plain(w["diary_intro_title"], lk.h2), plain(w["diary_how"], lk.body)]
    intro += in_english(h, lk, lambda e, el: [plain(e.words["diary_how"], el.body)])
    credits = _credits(h, lk) + in_english(h, lk, lambda e, el: _credits(e, el)[1:])
    both = [*credits, *intro]
    together = stacked_height(both, main[0]) <= main[1]  # else each alone, never split
    out: list[Any] = (
        [kept_together(both)] if together else [kept_together(credits), kept_together(intro)]
    )
    out += [NextPageTemplate("diary"), PageBreak()] if turn else [NextPageTemplate("diary")]
    for i, (week, en) in enumerate(zip(h.diary, english, strict=True)):
        split = week_parts(week, parts)
        en_split = week_parts(en, parts) if en is not None else [None] * len(split)
        if i and len(split) > 1:
            out.append(PageBreak())
        for n, (part, en_part) in enumerate(zip(split, en_split, strict=True), start=1):
            grid = DiaryGrid(part, g, width, height, part=(n, len(split)), english=en_part)
            # a gap above each week but the first: space, not a Spacer, so it is dropped at
            # the top of a page (a Spacer carried over left a week that fills its page no
            # room there, and a blank page before it: Letter, large print)
            grid.spaceBefore = lk.body.fontSize * 0.8 if i or n > 1 else 0.0
            out.append(grid)
    return out


def _clinic_page(h: Handout, lk: Look, width: float) -> list[Any]:
    from reportlab.platypus import NextPageTemplate, PageBreak, Table, TableStyle

    seen: dict[str, str] = {}
    for week in (h.english or h).diary:  # staff read the exercises' English names
        seen.update(week.exercises)
    rows = [
        [
            plain(CLINIC_TEXT["page_code"], lk.small_label),
            plain(CLINIC_TEXT["page_exercise"], lk.small_label),
        ]
    ] + [[plain(code, lk.small), plain(name, lk.small)] for code, name in seen.items()]
    widths = [width * 0.4, width * 0.6]
    # the page is for staff, in English: left to right whatever the patient's language
    codes = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1)
    codes.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                ("FONT", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [
        NextPageTemplate("main"),
        PageBreak(),
        plain(CLINIC_TEXT["page_title"], lk.small_label),
        *(plain(line, lk.small) for line in h.clinic_lines),
        plain(CLINIC_TEXT["page_intro"], lk.small),
        *(plain(c, lk.small, bulletText="•") for c in CLINIC_TEXT["page_columns"].split("|")),
        codes,
        plain(CLINIC_TEXT["page_after"], lk.small),
    ]


def _page_size(page_size: str) -> tuple[float, float]:
    from reportlab.lib.pagesizes import A4, LETTER

    return {"A4": A4, "letter": LETTER}[page_size_value(page_size)]


#: Footer budgets to try, in lines of contact details: at most four, so long clinic details
#: (200-character clinic and physio names in large print on Letter) never push the "Stay
#: safe" box off page 1; three when a block that must stay whole still does not fit.
_CONTACT_BUDGETS: tuple[int | None, ...] = (4, 3)


def _contact_lines(h: Handout, size: float, width: float, budget: int | None = None) -> list[str]:
    """The footer's contact lines: all of them, or at most ``budget``. When a footer line
    is too long for the page each detail (clinic, phone, physio) gets lines of its own;
    within a budget the phone stays in full and the others are cut with "…"."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from .pdf_diary import wrap_words

    def wrap(text: str) -> list[str]:
        return wrap_words(text.split(), REGULAR, size, width)

    lines = [wrap(text) for text in h.words.footer_lines(h)]
    if all(len(wrapped) == 1 for wrapped in lines):  # each line fits: keep them as they are
        return [wrapped[0] for wrapped in lines]
    # a line too long for the page: each detail on lines of its own, so a phone number is
    # never split between two details' lines
    raw = " · ".join(h.words.footer_lines(h)).split(" · ")
    parts = [wrap(part) for part in raw]
    if budget is None or sum(map(len, parts)) <= budget:
        return [line for part in parts for line in part]
    phone_text = f"{h.words['phone']}: {h.phone}"
    phone = raw.index(phone_text) if h.phone and phone_text in raw else None
    order = ([phone] if phone is not None else []) + [i for i in range(len(parts)) if i != phone]
    room = budget
    for n, i in enumerate(order):
        later = len(order) - n - 1  # leave each later detail one line at least
        keep = max(1, min(len(parts[i]), room - later))
        if keep < len(parts[i]):
            cut = parts[i][:keep]
            while cut[-1] and stringWidth(cut[-1] + "…", REGULAR, size) > width:
                cut[-1] = cut[-1][:-1]
            parts[i] = [*cut[:-1], cut[-1] + "…"]
        room -= len(parts[i])
    return [line for part in parts for line in part]


def _margin_bottom(contact: list[str], lk: Look) -> float:
    """The bottom margin (points) that holds the footer's lines."""
    return FOOTER_Y + (len(contact) + 1) * lk.footer_size * 1.25 + 4 * MM


def _frames(h: Handout, lk: Look, portrait: tuple[float, float]) -> Frames:
    """The text frame's height on a page in this print mode and in large print (the
    clear-print pictures are sized from the large-print page)."""
    width = portrait[0] - 2 * MARGIN_X

    def frame_h(k: Look) -> float:
        lines = _contact_lines(h, k.footer_size, width, _CONTACT_BUDGETS[0])
        return portrait[1] - MARGIN_TOP - _margin_bottom(lines, k)

    return Frames(frame_h(lk), frame_h(look(True)))


def handout_pictures(
    plan: Plan,
    *,
    catalogue: pd.DataFrame | None = None,
    large_print: bool = False,
    page_size: str = "A4",
    settings: ClinicSettings | None = None,
) -> list[tuple[ExerciseBlock, str, Any]]:
    """The pictures the PDF handout prints for ``plan``, at their print size: one row per
    picture, ``(block, variant, picture)`` with variant ``""`` or ``"easier"`` (for a
    picture sheet, proofs and tests).

    Examples
    --------
    >>> from backplan import build_plan, load_catalogue
    >>> plan = build_plan(load_catalogue(), "beginners", ["wall-squats"],
    ...                   start_date="2026-01-05", weeks=1)
    >>> [(b.exercise, v, p.scale > 0) for b, v, p in handout_pictures(plan)]
    [('wall-squats', '', True)]
    """
    from .pdf_block import block_pictures, exercise_heads

    h = handout_content(plan, catalogue, settings=settings)
    lk = look(large_print)
    portrait = _page_size(page_size)
    width = portrait[0] - 2 * MARGIN_X
    frames = _frames(h, lk, portrait)
    out: list[tuple[ExerciseBlock, str, Any]] = []
    for b, head in exercise_heads(h):
        pics = block_pictures(b, large_print, width, frames, head, h.words)
        out += [(b, v, p) for v, p in (("", pics.main), ("easier", pics.easier)) if p]
    return out


def render_pdf(
    h: Handout,
    path: str | os.PathLike[str],
    *,
    large_print: bool = False,
    page_size: str = "A4",
    direction: Literal["ltr", "rtl"] | None = None,
) -> Path:
    """Lay out ready-made handout content as a PDF, written atomically (see :func:`to_pdf`).

    ``direction="rtl"`` lays the pages out right to left, for a handout in a language
    written that way: header labels on the right, diary columns in reading order from the
    right (day, exercises, pain, note), the footer's patient on the right and the page
    number on the left; the clinic page, for staff in English, stays left to right. Each
    text block aligns by its own direction in either case (an Arabic block right, an
    English one left). By default the direction of the handout's language (Arabic and
    Urdu: right to left).

    Raises
    ------
    BackplanError
        For an option that is not valid; for a character that none of the shipped fonts
        has (naming the field, the character and its code point); for a name with a word
        that mixes Latin, Greek and Cyrillic letters; for content that cannot be laid out
        on the page even with the shortest footer. Nothing is written then.
    """
    from reportlab.platypus.doctemplate import LayoutError

    from .printable import check_fonts, check_names

    options = handout_options(large_print=large_print, page_size=page_size)
    direction = h.words.direction if direction is None else direction
    if direction not in ("ltr", "rtl"):
        raise BackplanError(f"direction must be 'ltr' or 'rtl', got {direction!r}")
    check_names(h)
    check_fonts(h)  # a character no font has: an error naming it, never an empty box
    lk = look(options["large_print"], direction == "rtl")
    portrait = _page_size(options["page_size"])
    target = as_path(path)
    for budget in _CONTACT_BUDGETS:
        contact = _contact_lines(h, lk.footer_size, portrait[0] - 2 * MARGIN_X, budget)
        try:
            return _laid_out(h, target, lk, portrait, contact)
        except LayoutError as exc:
            problem = str(exc)
    raise BackplanError(f"{target.name}: the handout does not fit {options['page_size']} pages "
                        f"({short(problem, 200)})")  # fmt: skip


def _laid_out(
    h: Handout, target: Path, lk: Look, portrait: tuple[float, float], contact: list[str]
) -> Path:
    """The PDF at ``target``, its footer holding the ``contact`` lines."""
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    width = portrait[0] - 2 * MARGIN_X
    margin_bottom = _margin_bottom(contact, lk)
    diary_page, grid_look, parts = _diary_layout(h, lk, portrait, margin_bottom)
    target.parent.mkdir(parents=True, exist_ok=True)

    def frame(size: tuple[float, float], name: str) -> Frame:
        w, hgt = size
        return Frame(
            MARGIN_X,
            margin_bottom,
            w - 2 * MARGIN_X,
            hgt - MARGIN_TOP - margin_bottom,
            id=name,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )

    diary_h = diary_page[1] - MARGIN_TOP - margin_bottom
    main_h = portrait[1] - MARGIN_TOP - margin_bottom
    story = first_page(h, lk, width, main_h) + _notes(h, lk)
    story += _advice_and_exercises(h, lk, width, _frames(h, lk, portrait), main_h)
    story += _diary(h, lk, grid_look, parts, diary_page[0] - 2 * MARGIN_X, diary_h,
                    (width, main_h), turn=diary_page != portrait or parts > 1)  # fmt: skip
    story += _clinic_page(h, lk, width)
    with atomic_path(target) as tmp, binary_streams():
        doc = BaseDocTemplate(
            str(tmp),
            pagesize=portrait,
            title=h.words["title"],
            lang=h.words.html_lang,
            author=h.clinician,
            subject=h.patient,
            creator="backplan",
            invariant=1,
            pageTemplates=[
                PageTemplate("main", [frame(portrait, "main")], pagesize=portrait),
                PageTemplate("diary", [frame(diary_page, "diary")], pagesize=diary_page),
            ],
        )
        doc.build(story, canvasmaker=footer_canvas(h, contact, lk.footer_size, lk.rtl))
    return target


def to_pdf(
    plan: Plan,
    path: str | os.PathLike[str],
    *,
    catalogue: pd.DataFrame | None = None,
    large_print: bool = False,
    page_size: str = "A4",
    clinic: str | None = None,
    phone: str | None = None,
    physio: str | None = None,
    settings: ClinicSettings | None = None,
    language: str | None = None,
) -> Path:
    """Write the patient handout for ``plan`` as a PDF.

    Parameters
    ----------
    plan : Plan
        The plan.
    path : path-like
        Where to write the PDF (folders are created; an existing file is replaced only once
        the new one is complete).
    catalogue : pandas.DataFrame, optional
        Where exercise names, steps and pictures come from; the shipped catalogue by default.
    large_print : bool
        18 pt text (16 pt at least everywhere the patient reads) instead of 14 pt.
    page_size : {"A4", "letter"}
        Paper size; the diary turns landscape only when its columns need the room.
    clinic, phone, physio : str, optional
        Clinic details for the header and every page's footer; by default from the clinic
        settings file (:func:`backplan.load_settings`) or ``settings``.
    settings : ClinicSettings, optional
        Clinic details to use instead of the settings file.
    language : str, optional
        The language the patient reads (``"pl"``, ``"cy"``, ``"ar"``...: see
        :func:`backplan.locales.languages`); by default the plan's own. In any language but
        English the handout is bilingual: each block in that language, then in English (the
        dose numbers the same in both); Arabic and Urdu pages are laid out right to left.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    PlanError
        When the plan names an exercise the catalogue does not hold, or ``plan`` or
        ``catalogue`` is not one.
    BackplanError
        For an option that is not valid (see :func:`~backplan.handout.options.handout_options`):
        a page size other than A4 or letter, ``large_print`` not True or False, a clinic
        detail longer than the clinic settings allow.
        Also for a character that none of the shipped fonts has
        (naming the field, the character and its code point); for a name with a word that
        mixes Latin, Greek and Cyrillic letters. Nothing is written then.
    LanguageError
        For a language backplan does not ship, or a broken language file (nothing is
        written).
    """
    options = handout_options(large_print=large_print, page_size=page_size, clinic=clinic,
                              phone=phone, physio=physio, settings=settings)  # fmt: skip
    large, size = options.pop("large_print"), options.pop("page_size")
    content = handout_content(
        plan_argument(plan), catalogue_or_shipped(catalogue), **options, language=language
    )
    return render_pdf(content, path, large_print=large, page_size=size)
