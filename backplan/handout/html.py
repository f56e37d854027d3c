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
from pathlib import Path
from typing import Any

import pandas as pd

from .._files import write_atomic
from ..plan import Plan
from ..settings import ClinicSettings
from .content import ExerciseBlock, Handout, box_layout, handout_content
from .text import (
    CLINIC_TEXT,
    TEXT,
    date_words,
    day_label,
    diary_heading,
    diary_name,
    footer_lines,
)

__all__ = ["render_html", "to_html"]


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
    env.filters["day_label"] = day_label
    env.filters["date_words"] = date_words
    env.filters["diary_heading"] = diary_heading
    env.filters["diary_name"] = diary_name
    return env.get_template("handout.html.j2")


def _pictures(large_print: bool) -> Any:
    """The picture markup function for the template: 28 mm high, 36 mm in large print."""
    from ..pictures import picture_markup

    def picture(block: ExerciseBlock) -> str:
        return picture_markup(block.exercise, block.image, 36.0 if large_print else 28.0)

    return picture


def render_html(h: Handout, *, large_print: bool = False, page_size: str = "A4") -> str:
    """The HTML text of a handout (see :func:`to_html`)."""
    length_key = "length_value_one" if h.weeks == 1 else "length_value"
    codes: dict[str, str] = {}
    for week in h.diary:
        codes.update(week.exercises)
    max_boxes = max((k for week in h.diary for row in week.boxes for k in row), default=1)
    return _template().render(
        h=h,
        text=TEXT,
        clinic_text=CLINIC_TEXT,
        large_print=large_print,
        page_size="letter" if str(page_size).lower() == "letter" else "A4",
        diary_landscape=large_print or max_boxes >= 3,
        picture=_pictures(large_print),
        box_layout=box_layout,
        codes=list(codes.items()),
        contact=" · ".join([*footer_lines(h), h.patient]),
        length=TEXT[length_key].format(
            weeks=h.weeks, start=date_words(h.start), end=date_words(h.end)
        ),
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

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    PlanError
        When the plan names an exercise the catalogue does not hold.
    """
    content = handout_content(
        plan, catalogue, clinic=clinic, phone=phone, physio=physio, settings=settings
    )
    html = render_html(content, large_print=large_print, page_size=page_size)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, html)
