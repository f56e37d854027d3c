"""Rows of exercises with their doses: a tick box, five number boxes, the dose in the
patient's words and the exercise's picture.

The plan form uses one set of rows for the plan's level and one for the next level's doses.
Whether a value is allowed comes from :func:`backplan.plan.choices.dose_problem`; a value out of
range is never clamped: the field is outlined and its row says why ("reps: 1 to 50").
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as w
import pandas as pd
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle

from ..pictures import exercise_picture_svg
from ..plan.choices import DOSE_LABELS, dose_problem
from ..plan.rules import DOSE_BOUNDS, Prescription
from ..words import dose_words
from ._common import plain

__all__ = ["DoseRows", "dose_header"]

NAME_WIDTH = "250px"
DOSE_WIDTH = "66px"
WORDS_WIDTH = "300px"
# Pictures fill the words column: tall enough to read a standing figure, as wide as the
# column for a lying one (two poses side by side).
PICTURE_MM = {"height_mm": 20.0, "max_width_mm": 78.0}


def dose_header(first: str = "Exercise") -> w.HTML:
    """Column headings in one piece, widths matching the rows (aria-hidden: each box
    carries its own label for screen readers)."""
    cells = [(first, NAME_WIDTH)] + [(x, DOSE_WIDTH) for x in DOSE_LABELS.values()]
    return plain(
        w.HTML,
        "<div aria-hidden='true' style='display:flex;font-weight:bold;line-height:1.2'>"
        + "".join(
            f"<div style='width:{width};flex:none;padding-right:4px'>{html.escape(text)}</div>"
            for text, width in cells
        )
        + "<div>In the patient's words</div></div>",
    )


def mark(box: w.Widget, problem: str | None) -> str | None:
    """Outline ``box`` when there is a ``problem`` (and return it)."""
    if problem:
        box.add_class("bp-invalid")
    else:
        box.remove_class("bp-invalid")
    return problem


class DoseRows:
    """One row per exercise, made when first needed.

    Parameters
    ----------
    catalogue : pandas.DataFrame
        Names, sides and pictures.
    defaults : dict
        Exercise id -> its catalogue :class:`~backplan.Prescription` (a new row's doses).
    hooks : list of callables
        Called with every new control (the builder watches them).
    prefix : str
        CSS class prefix of the controls (``"bp-"``: ``bp-reps-heel-slides``).
    label : str
        Words before each control's screen-reader label (e.g. ``"Next level: "``).
    pictures : bool
        Whether rows show the exercise's picture.
    words_width : str
        Width of the words column (CSS).

    Attributes
    ----------
    exercises, dose, side_text, pictures, rows, box
        ``exercises[id]`` a checkbox, ``dose[id][field]`` a number box, ``side_text[id]``
        the dose in words (or why a value is not allowed), ``pictures[id]``, ``rows[id]``;
        ``box`` holds the rows in catalogue order.
    """

    def __init__(
        self,
        catalogue: pd.DataFrame,
        defaults: dict[str, Prescription],
        hooks: list[Callable[[w.Widget], None]],
        *,
        prefix: str = "bp-",
        label: str = "",
        pictures: bool = True,
        words_width: str = WORDS_WIDTH,
    ) -> None:
        self.defaults = defaults
        self.hooks = hooks
        self.prefix, self.label, self.with_pictures = prefix, label, pictures
        self.catalogue = catalogue
        self.ids: list[str] = list(catalogue["id"])
        self.names = dict(zip(catalogue["id"], catalogue["name"].astype(str), strict=True))
        self.side = {
            r.id: (str(r.side) if r.per_side else "") for r in catalogue.itertuples(index=False)
        }
        self.exercises: dict[str, w.Checkbox] = {}
        self.dose: dict[str, dict[str, w.IntText]] = {}
        self.side_text: dict[str, w.HTML] = {}
        self.pictures: dict[str, w.Widget] = {}
        self.rows: dict[str, w.HBox] = {}
        self.box = plain(w.VBox)
        # One layout and style object per kind of control, shared by every row: each is a
        # model the browser must build, so sharing makes the page ready sooner.
        self._looks: dict[str, Any] = {
            "pick": (
                w.Layout(width=NAME_WIDTH, min_width=NAME_WIDTH, max_width=NAME_WIDTH),
                CheckboxStyle(),
            ),
            "dose": (w.Layout(width=DOSE_WIDTH), DescriptionStyle(description_width="0px")),
            "words": (w.Layout(width=words_width), HTMLStyle()),
            "row": w.Layout(align_items="center"),
        }

    def make(self, ids: Iterable[str]) -> None:
        """Make the rows of ``ids`` that do not exist yet, ticked at catalogue doses."""
        new = [ex for ex in ids if ex not in self.rows]
        if not new:
            return
        pick_layout, pick_style = self._looks["pick"]
        dose_layout, dose_style = self._looks["dose"]
        words_layout, words_style = self._looks["words"]
        for ex in new:
            name = self.names[ex]
            self.exercises[ex] = w.Checkbox(
                value=True, description=name, indent=False, layout=pick_layout, style=pick_style
            )
            self.exercises[ex].add_class(f"{self.prefix}pick-{ex}")
            self.dose[ex] = {}
            for field, label in DOSE_LABELS.items():
                box = w.IntText(
                    value=getattr(self.defaults[ex], field),
                    description=f"{self.label}{name}: {label.lower()}",
                    layout=dose_layout,
                    style=dose_style,
                    tooltip=f"{label} ({DOSE_BOUNDS[field][0]} to {DOSE_BOUNDS[field][1]})",
                )
                box.add_class(f"{self.prefix}{field.replace('_', '-')}-{ex}")
                box.add_class("bp-sr-label")
                self.dose[ex][field] = box
            self.side_text[ex] = plain(w.HTML, layout=words_layout, style=words_style)
            self.side_text[ex].add_class(f"{self.prefix}words-{ex}")
            words: list[w.Widget] = [self.side_text[ex]]
            if self.with_pictures:
                self.pictures[ex] = plain(
                    w.HTML, exercise_picture_svg(ex, self.catalogue, **PICTURE_MM)
                )
                self.pictures[ex].add_class(f"{self.prefix}picture-{ex}")
                words.append(self.pictures[ex])
            self.rows[ex] = plain(
                w.HBox,
                [self.exercises[ex], *self.dose[ex].values(), plain(w.VBox, words)],
                layout=self._looks["row"],
            )
            for control in (self.exercises[ex], *self.dose[ex].values()):
                for hook in self.hooks:
                    hook(control)
        self.box.children = [self.rows[ex] for ex in self.ids if ex in self.rows]

    def set_picture(self, exercise: str, picture: w.Widget) -> None:
        """Show ``picture`` under the row's words instead of the exercise's drawing."""
        self.make([exercise])
        self.pictures[exercise] = picture
        words = self.rows[exercise].children[-1]
        words.children = (self.side_text[exercise], picture)

    def values(self, exercise: str) -> dict[str, int]:
        """``{field: value}`` of one row."""
        return {field: box.value for field, box in self.dose[exercise].items()}

    def set_doses(self, prescriptions: Iterable[Prescription]) -> None:
        """Set each listed exercise's dose boxes from ``prescriptions``."""
        for p in prescriptions:
            self.make([p.exercise])
            for field, box in self.dose[p.exercise].items():
                box.value = getattr(p, field)

    def problems(self, shown: list[str], editable: bool = True) -> list[str]:
        """Show each row (or not), its words and its field messages; return the messages.

        With ``editable`` false the rows only show doses (boxes and ticks disabled).
        """
        problems = []
        for ex, row in self.rows.items():
            if ex in shown:
                row.remove_class("bp-hidden")
            else:
                row.add_class("bp-hidden")
            self.exercises[ex].disabled = not editable
            ticked = self.exercises[ex].value
            messages = []
            for field, box in self.dose[ex].items():
                box.disabled = not (ticked and editable)
                problem = dose_problem(field, box.value)
                mark(box, problem if ticked else None)
                if problem:
                    messages.append(problem)
            if messages:
                if ex in shown and ticked:
                    problems.append(f"{self.label}{self.names[ex]}: {'; '.join(messages)}")
                self.side_text[
                    ex
                ].value = f"<span class='bp-field-error'>{html.escape('; '.join(messages))}</span>"
                continue
            dose = Prescription(exercise=ex, per_side=bool(self.side[ex]), **self.values(ex))
            self.side_text[ex].value = html.escape(dose_words(dose, self.side[ex]))
        return problems
