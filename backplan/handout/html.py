"""The handout as one self-contained HTML file (Jinja2 template, print CSS, no network).

Every string from the plan, catalogue or advice is escaped by Jinja2's autoescape; the
file loads no fonts, scripts or images from anywhere.

Examples
--------
>>> import tempfile, pathlib
>>> from backplan import build_plan, load_catalogue
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-raises"], start_date="2026-01-05",
...                   weeks=1, patient="<b>A.B.</b>")
>>> html = to_html(plan, pathlib.Path(tempfile.mkdtemp()) / "h.html").read_text()
>>> "&lt;b&gt;A.B.&lt;/b&gt;" in html and "<b>A.B." not in html
True
"""

from __future__ import annotations

import functools
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from .._io.files import as_path, write_atomic
from ..plan import Plan
from ..plan.model import plan_argument
from ..scripts import cjk_language
from ..settings import ClinicSettings
from ..words import CLINIC_TEXT, Words, diary_name
from .content import (
    ExerciseBlock,
    Handout,
    box_layout,
    catalogue_or_shipped,
    handout_content,
    length_words,
    week_parts,
)
from .options import handout_options

if TYPE_CHECKING:
    from .pdf_block import BlockPictures

__all__ = ["html_block_pictures", "render_html", "to_html"]


@functools.cache
def _template() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("backplan.handout", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["diary_name"] = diary_name
    env.filters["text_attrs"] = text_attrs
    env.filters["lang_attr"] = lang_attr
    return env.get_template("handout.html.j2")


def lang_attr(text: str) -> Any:
    """`` lang="zh"`` (``ja``, ``ko``) for text in Chinese, Japanese or Korean, so the
    browser draws the shared Han characters in that language's forms; else nothing.

    Examples
    --------
    >>> str(lang_attr("山田 はなこ")), str(lang_attr("Ann"))
    (' lang="ja"', '')
    """
    from markupsafe import Markup

    lang = cjk_language(text)
    return Markup(f' lang="{lang}"') if lang else Markup("")


def text_attrs(text: str) -> Any:
    """`` dir="auto"`` for a block of text a clinic or patient supplies (the browser then
    reads it in the direction of its first letter: a name in Arabic or Hebrew reads right
    to left, with digits and Latin words in their places), plus :func:`lang_attr`.

    Examples
    --------
    >>> str(text_attrs("محمد عبد الله")), str(text_attrs("王小明"))
    (' dir="auto"', ' dir="auto" lang="zh"')
    """
    from markupsafe import Markup

    return Markup(' dir="auto"') + lang_attr(text)


#: How much taller the HTML print view's words run than the PDF's (line height 1.35, list
#: and paragraph margins): the pictures leave this share of the page's room to the words.
HTML_ROOM = 0.8


def _measurable(block: ExerciseBlock) -> ExerciseBlock:
    """``block`` with each character no shipped PDF font has made U+FFFD, for measuring."""
    from dataclasses import fields, replace

    from .fonts import missing_char

    def clean(text: str) -> str:
        while (ch := missing_char(text)) is not None:
            text = text.replace(ch, "\ufffd")
        return text

    changes = {}
    for f in fields(block):
        value = getattr(block, f.name)
        if isinstance(value, str):
            changes[f.name] = clean(value)
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            changes[f.name] = tuple(clean(v) for v in value)
    return replace(block, **changes)


def html_block_pictures(
    h: Handout, block: ExerciseBlock, large_print: bool, page_size: str
) -> BlockPictures:
    """The pictures of ``block`` as the HTML handout shows them: sized like the PDF's to the
    room the block leaves on a printed page (``page_size`` "a4" or "letter"), but never
    smaller than shows their movement (5 mm on paper, 8 mm in large print), since that room
    is only an estimate of the browser's print view."""
    from .pdf_block import Frames, block_pictures, exercise_heads

    mm = 72 / 25.4
    short, long = (215.9, 279.4) if page_size == "letter" else (210.0, 297.0)
    width = (short - 26.0) * mm
    frame = (long - 31.0) * mm * HTML_ROOM  # @page margins 13 mm, 18 mm at the foot
    head = dict(exercise_heads(h)).get(block, ("", None))
    # measured as the PDF would print it; a character only the reader's browser has a
    # font for (the PDF refuses it) is measured as a replacement character
    return block_pictures(_measurable(block), large_print, width, Frames(frame, frame), head,
                          h.words, grow=True)  # fmt: skip


def _pictures(h: Handout, large_print: bool, page_size: str) -> tuple[Any, Any]:
    """The template's picture markup function: the exercise's picture (or the easier way's,
    ``variant="easier"``), its badges from the dose line (see :func:`html_block_pictures`);
    and whether a block's easier way goes after it under its own heading (as in the PDF,
    when the block cannot hold two pictures)."""
    from ..pictures import picture_markup, picture_svg

    def pictures(block: ExerciseBlock) -> BlockPictures:
        return html_block_pictures(h, block, large_print, page_size)

    def picture(block: ExerciseBlock, variant: str = "") -> str:
        if block.image:  # a clinic's own picture; no shipped drawing of its easier way
            return "" if variant else picture_markup(block.exercise, block.image,
                                                      large_print=large_print)  # fmt: skip
        pic = pictures(block).easier if variant else pictures(block).main
        return picture_svg(pic) if pic else ""  # described in the handout's language

    def apart(block: ExerciseBlock) -> bool:
        return pictures(block).apart

    return picture, apart


def _picture_key(h: Handout, large_print: bool) -> str:
    """The key to the pictures (SVG), shown once above the first exercise when the
    handout has a shipped picture; ``""`` when it has none."""
    from ..pictures import picture_svg
    from ..pictures.data import has_picture
    from ..pictures.scene import picture_key

    if not any(has_picture(b.exercise) and not b.image for b in (*h.blocks, *h.next_blocks)):
        return ""
    return picture_svg(picture_key(h.words.code, 16.0 if large_print else 12.0, 180.0))


def _column_mm(name: str, dose: str, k: int, em: float, box: float, gap: float) -> float:
    """The least width (mm) of an exercise column: its tick boxes, or its longest word
    (DejaVu Sans: about 0.7 em a character in bold, 0.62 em in regular)."""
    per_row, _ = box_layout(max(k, 1))
    boxes = per_row * box + (per_row - 1) * gap + 2.0
    word = max(
        [len(w) * 0.7 * em for w in diary_name(name).split()]
        + [len(w) * 0.62 * em for w in dose.split()]
    )
    return max(boxes, word + 1.0)


@functools.cache
def _day_em(w: Words) -> float:
    """The diary's day column in em: 7.4 (``Wed 30 May``), more for a language whose day
    labels are longer (about 0.64 em a character in bold, widest of a year's days)."""
    from datetime import date, timedelta

    longest = max(
        len(w.day_label(date(2026, m, 20) + timedelta(days=d), year=False))
        for m in range(1, 13)
        for d in range(7)
    )
    return max(7.4, round(0.64 * longest + 1.0, 1))


def _diary_pages(h: Handout, large_print: bool, page_size: str) -> tuple[bool, int]:
    """Landscape or not, and parts a week, for the print view: the first that keeps every
    diary week whole on one page. Large print with two rows of tick boxes a day (4 to 6
    sessions) is taller than a landscape page, so those weeks go on portrait pages, their
    exercises shared out over parts (each a whole Monday to Sunday) where they are too many
    for the width. Widths are estimated in mm from the CSS below and DejaVu Sans."""
    em = (16.0 if large_print else 12.0) * 25.4 / 72
    box, gap = (7.5, 1.6) if large_print else (6.0, 2.5)
    short, long = (215.9, 279.4) if page_size == "letter" else (210.0, 297.0)
    max_boxes = max((k for week in h.diary for row in week.boxes for k in row), default=1)
    if h.english is not None:  # each heading also holds the English name and dose
        h = replace(h, diary=tuple(
            replace(week, exercises=tuple((ex, f"{name} {en_name}") for (ex, name), (_, en_name)
                                          in zip(week.exercises, en.exercises, strict=True)),
                    doses=week.doses)
            for week, en in zip(h.diary, h.english.diary, strict=True)))  # fmt: skip
    tall = large_print and box_layout(max_boxes)[1] > 1
    first = (large_print or max_boxes >= 3) and not tall  # landscape, as before
    most_parts = max((len(w.exercises) for w in h.diary), default=1)
    for parts in range(1, most_parts + 1):
        # a week in parts prints best on portrait pages: short parts share a page
        shapes = (first, not first) if parts == 1 else (False, True)
        for landscape in [x for x in shapes if not (x and tall)]:
            width = (long if landscape else short) - 26.0
            fits = all(
                _day_em(h.words) * em
                + 2.0  # the day column and the table's borders
                + (2 * 4.6 * em + max(0.08 * width, 16.0) if n == 1 else 0.0)  # pains, note
                + sum(
                    _column_mm(name, dose, max(b), em, box, gap)
                    for (_, name), dose, b in zip(
                        part.exercises, part.doses, part.boxes, strict=True
                    )
                )
                <= width
                for week in h.diary
                for n, part in enumerate(week_parts(week, parts), start=1)
            )
            if fits:
                return landscape, parts
    return False, most_parts


def render_html(
    h: Handout,
    *,
    large_print: bool = False,
    page_size: str = "A4",
    direction: Literal["ltr", "rtl"] | None = None,
) -> str:
    """The HTML text of a handout (see :func:`to_html`). ``direction="rtl"`` lays the page
    out right to left (``<html dir="rtl">``: text starts on the right, tables and the diary
    are mirrored), for a handout in a language written that way; by default the direction
    of the handout's language. The English copies stay left to right (``dir="ltr"``)."""
    from .printable import check_names

    check_names(h)
    direction = h.words.direction if direction is None else direction
    en = h.english
    codes: dict[str, str] = {}
    for week in (en or h).diary:  # staff read the exercises' English names
        codes.update(week.exercises)
    options = handout_options(large_print=large_print, page_size=page_size)
    large_print, size = options["large_print"], options["page_size"]
    landscape, parts = _diary_pages(h, large_print, size.lower())
    picture, apart = _pictures(h, large_print, size.lower())
    key = _picture_key(h, large_print)
    english = en.diary if en is not None else (None,) * len(h.diary)
    diary = [
        (part, n, len(split), en_part)
        for week, en_week in zip(h.diary, english, strict=True)
        for split in [week_parts(week, parts)]
        for n, (part, en_part) in enumerate(
            zip(split, week_parts(en_week, parts) if en_week else [None] * len(split), strict=True),
            start=1,
        )
    ]
    return _template().render(
        h=h,
        en=en,
        w=h.words,
        text=h.words.labels,
        en_text=en.words.labels if en is not None else {},
        length=length_words,
        clinic_text=CLINIC_TEXT,
        large_print=large_print,
        page_size=size,
        diary_landscape=landscape,
        diary=diary,
        picture=picture,
        picture_key=key,
        easier_apart=apart,
        box_layout=box_layout,
        codes=list(codes.items()),
        contact=[part for part in [*h.words.footer_lines(h), h.patient] if part],
        direction=direction,
        day_em=_day_em(h.words),
    )


def to_html(
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
    """Write the patient handout for ``plan`` as one self-contained HTML file.

    Parameters
    ----------
    plan : Plan
        The plan.
    path : path-like
        Where to write the file (folders are created).
    catalogue : pandas.DataFrame, optional
        Where exercise names and steps come from; the shipped catalogue by default.
    large_print : bool
        18 pt text (16 pt at least) instead of 14 pt, on screen and in print.
    page_size : {"A4", "letter"}
        The paper the print view is laid out for.
    clinic, phone, physio, settings
        Clinic details, as for :func:`backplan.handout.to_pdf`.
    language : str, optional
        The language the patient reads; by default the plan's own. Bilingual (English under
        each block) in any language but English; Arabic and Urdu read right to left.

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
        For an option that is not valid (see :func:`~backplan.handout.options.handout_options`),
        e.g. a page size other than A4 or letter.
    BackplanError
        For a name with a word that mixes Latin, Greek and Cyrillic letters; a
        :class:`~backplan.locales.LanguageError` for an unknown language. Nothing is
        written then.
    """
    options = handout_options(large_print=large_print, page_size=page_size, clinic=clinic,
                              phone=phone, physio=physio, settings=settings)  # fmt: skip
    large, size = options.pop("large_print"), options.pop("page_size")
    content = handout_content(
        plan_argument(plan), catalogue_or_shipped(catalogue), **options, language=language
    )
    html = render_html(content, large_print=large, page_size=size)
    target = as_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, html)
