"""The plan form: patient details, level, filters, exercise doses and progression.

The form only holds values and shows messages. What it may offer and whether a value is
allowed come from :mod:`backplan.choices`; the plan comes from :func:`backplan.build_plan`.
A value out of range is never clamped: the field is outlined, its row says why
("reps: 1 to 50") and the plan stays as it was.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

import ipywidgets as w
import pandas as pd
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle

from ..choices import (
    DOSE_LABELS,
    FIELD_BOUNDS,
    PATIENT_FILTERS,
    add_dose_bounds,
    bounds_problem,
    dose_problem,
    filters_of,
    levels,
    progression_rules,
    restrictions_from_filters,
    suitable_exercises,
)
from ..errors import BackplanError
from ..handout.text import dose_words
from ..pictures import exercise_picture_svg
from ..plan import Plan, build_plan
from ..progression import DOSE_BOUNDS, AddDose, NextLevel, Prescription
from ..restrictions import Restrictions
from ._common import heading, plain

__all__ = ["PlanForm"]

_NAME_WIDTH = "250px"
_DOSE_WIDTH = "66px"
_WORDS_WIDTH = "300px"
# Pictures fill the words column: tall enough to read a standing figure, as wide as the
# column for a lying one (two poses side by side).
_PICTURE_MM = {"height_mm": 20.0, "max_width_mm": 78.0}
_WIDE = {"style": {"description_width": "initial"}}


def _number(value: int, label: str, css: str, **kw: Any) -> w.IntText:
    box = w.IntText(value=value, description=label, **_WIDE, **kw)
    box.add_class(css)
    return box


class PlanForm:
    """Every control of a plan, and the plan they describe.

    Attributes
    ----------
    level, filters, exercises, dose, side_text, pictures, rows
        ``exercises[id]`` is a checkbox, ``dose[id][field]`` a number box,
        ``side_text[id]`` the dose in the patient's words (or why a value is not allowed),
        ``pictures[id]`` the exercise's start and end position (see :meth:`set_picture`)
        and ``rows[id]`` the row.
    kept_restrictions, restrictions_note
        The opened plan's restrictions (what the filters cannot show is kept in every plan
        the form makes), and the line that says that part in words.
    patient, clinician, start_date, weeks, notes
        The plan's details.
    add_dose, add_what, add_amount, add_every, add_cap, move_up, move_week
        Progression, grouped in one box.
    """

    def __init__(self, catalogue: pd.DataFrame, defaults: dict[str, Prescription]) -> None:
        self.catalogue = catalogue
        self.defaults = defaults
        self.ids: list[str] = list(catalogue["id"])
        self.order: list[str] = list(self.ids)
        self.levels = levels(catalogue)
        self.side = {
            r.id: (str(r.side) if r.per_side else "") for r in catalogue.itertuples(index=False)
        }
        self.names = dict(zip(catalogue["id"], catalogue["name"].astype(str), strict=True))
        self.level = w.Dropdown(options=self.levels, value=self.levels[0], description="Level")
        self.level.add_class("bp-level")
        self.filters = {
            key: w.Checkbox(value=False, description=label, indent=False)
            for key, (label, _, _) in PATIENT_FILTERS.items()
        }
        self.kept_restrictions = Restrictions()
        self.restrictions_note = plain(w.HTML)
        self.restrictions_note.add_class("bp-restrictions-note")
        self._make_rows()
        self.patient = w.Text(description="Patient", placeholder="name or pseudonym")
        self.patient.add_class("bp-patient")
        self.clinician = w.Text(description="Clinician")
        self.start_date = w.DatePicker(description="Start date", value=date.today())
        self.start_date.add_class("bp-start")
        self.weeks = _number(6, "Weeks", "bp-weeks")
        self.notes = w.Textarea(description="Notes", layout=w.Layout(width="96%"))
        self._make_progression()

    def _make_rows(self) -> None:
        self.exercises: dict[str, w.Checkbox] = {}
        self.dose: dict[str, dict[str, w.IntText]] = {}
        self.side_text: dict[str, w.HTML] = {}
        self.pictures: dict[str, w.Widget] = {}
        self.rows: dict[str, w.HBox] = {}
        self.rows_box = plain(w.VBox)
        self.on_new_control: list[Callable[[w.Widget], None]] = []
        # One layout and style object per kind of control, shared by every row: each is a
        # model the browser must build, so sharing makes the page ready sooner.
        self._looks = {
            "pick": (
                w.Layout(width=_NAME_WIDTH, min_width=_NAME_WIDTH, max_width=_NAME_WIDTH),
                CheckboxStyle(),
            ),
            "dose": (w.Layout(width=_DOSE_WIDTH), DescriptionStyle(description_width="0px")),
            "words": (w.Layout(width=_WORDS_WIDTH), HTMLStyle()),
            "row": (w.Layout(align_items="center"), None),
        }
        # Rows are made when their level is first shown (fewer models to load at first).
        self.make_rows(self.ids_of(self.levels[0]))

    def ids_of(self, level: str) -> list[str]:
        """The catalogue's exercise ids of ``level``."""
        return list(self.catalogue.loc[self.catalogue["level"] == level, "id"])

    def make_rows(self, ids: Iterable[str]) -> None:
        """Make the form rows of ``ids`` that do not exist yet, ticked at catalogue doses."""
        new = [ex for ex in ids if ex not in self.rows]
        if not new:
            return
        (pick_layout, pick_style), (dose_layout, dose_style) = (
            self._looks["pick"],
            self._looks["dose"],
        )
        words_layout, words_style = self._looks["words"]
        for ex in new:
            name = self.names[ex]
            self.exercises[ex] = w.Checkbox(
                value=True, description=name, indent=False, layout=pick_layout, style=pick_style
            )
            self.exercises[ex].add_class(f"bp-pick-{ex}")
            self.dose[ex] = {}
            for field, label in DOSE_LABELS.items():
                box = w.IntText(
                    value=getattr(self.defaults[ex], field),
                    description=f"{name}: {label.lower()}",
                    layout=dose_layout,
                    style=dose_style,
                    tooltip=f"{label} ({DOSE_BOUNDS[field][0]} to {DOSE_BOUNDS[field][1]})",
                )
                box.add_class(f"bp-{field.replace('_', '-')}-{ex}")
                box.add_class("bp-sr-label")
                self.dose[ex][field] = box
            # The dose in the patient's words, or why a value is not allowed.
            self.side_text[ex] = plain(w.HTML, layout=words_layout, style=words_style)
            self.side_text[ex].add_class(f"bp-words-{ex}")
            self.pictures[ex] = plain(
                w.HTML, exercise_picture_svg(ex, self.catalogue, **_PICTURE_MM)
            )
            self.pictures[ex].add_class(f"bp-picture-{ex}")
            self.rows[ex] = plain(
                w.HBox,
                [
                    self.exercises[ex],
                    *self.dose[ex].values(),
                    plain(w.VBox, [self.side_text[ex], self.pictures[ex]]),
                ],
                layout=self._looks["row"][0],
            )
            for control in (self.exercises[ex], *self.dose[ex].values()):
                for hook in self.on_new_control:
                    hook(control)
        self.rows_box.children = [self.rows[ex] for ex in self.ids if ex in self.rows]

    def set_picture(self, exercise: str, picture: w.Widget) -> None:
        """Show ``picture`` (for example an ``ipywidgets.Image``) under the row's words,
        instead of the exercise's drawing from :func:`backplan.exercise_picture_svg`."""
        self.make_rows([exercise])
        self.pictures[exercise] = picture
        *controls, words = self.rows[exercise].children
        words.children = (self.side_text[exercise], picture)

    def _make_progression(self) -> None:
        self.add_dose = w.Checkbox(description="Add to the dose every few weeks", indent=False)
        self.add_what = w.Dropdown(
            options=[("reps", "reps"), ("hold seconds", "hold_s")],
            value="reps",
            description="Add",
            **_WIDE,
        )
        self.add_amount = _number(FIELD_BOUNDS["amount"][0], "How many", "bp-add-amount")
        self.add_every = _number(FIELD_BOUNDS["every_weeks"][0], "Every (weeks)", "bp-add-every")
        self.add_cap = _number(DOSE_BOUNDS["reps"][1], "Up to", "bp-add-cap")
        self.move_up = w.Checkbox(description="Move to the next level", indent=False)
        self.move_week = _number(4, "From week", "bp-move-week")
        for box in (self.add_amount, self.add_every, self.add_cap, self.move_week):
            box.layout.width = "170px"
        self.progression_error = plain(w.HTML)
        self.progression_error.add_class("bp-progression-error")

    # --- layout ---------------------------------------------------------------------------

    def layout(self) -> w.VBox:
        """Patient and plan, exercises, progression (one group)."""
        # Column headings in one piece, widths matching the rows below (aria-hidden: each
        # box carries its own label for screen readers).
        cells = [("Exercise", _NAME_WIDTH)] + [(x, _DOSE_WIDTH) for x in DOSE_LABELS.values()]
        header = plain(
            w.HTML,
            "<div aria-hidden='true' style='display:flex;font-weight:bold;line-height:1.2'>"
            + "".join(
                f"<div style='width:{width};flex:none;padding-right:4px'>{html.escape(text)}</div>"
                for text, width in cells
            )
            + "<div>In the patient's words</div></div>",
        )
        progression = plain(
            w.VBox,
            [
                plain(w.HTML, "<b>Progression</b>"),
                plain(w.HBox, [self.add_dose, self.add_what]),
                plain(w.HBox, [self.add_amount, self.add_every, self.add_cap]),
                plain(w.HBox, [self.move_up, self.move_week]),
                self.progression_error,
            ],
        )
        progression.add_class("bp-group")
        return plain(
            w.VBox,
            [
                heading("Patient and plan"),
                plain(
                    w.HBox,
                    [
                        plain(w.VBox, [self.patient, self.clinician]),
                        plain(w.VBox, [self.start_date, self.weeks]),
                    ],
                ),
                self.notes,
                heading("Exercises"),
                plain(w.HBox, [self.level]),
                plain(w.HBox, list(self.filters.values()), layout=w.Layout(flex_flow="row wrap")),
                self.restrictions_note,
                header,
                self.rows_box,
                progression,
            ],
        )

    def controls(self) -> Iterator[w.Widget]:
        """Every control whose change changes the plan."""
        yield from (self.level, *self.filters.values(), *self.exercises.values())
        for boxes in self.dose.values():
            yield from boxes.values()
        yield from (self.patient, self.clinician, self.start_date, self.weeks, self.notes)
        yield from (self.add_dose, self.add_what, self.add_amount, self.add_every, self.add_cap)
        yield from (self.move_up, self.move_week)

    # --- from controls to plan ------------------------------------------------------------

    def restrictions(self) -> Restrictions:
        """The patient's restrictions: the ticked filters and those kept from a plan."""
        on = [key for key, box in self.filters.items() if box.value]
        return restrictions_from_filters(on, keep=self.kept_restrictions)

    def keep_restrictions(self, kept: Restrictions) -> None:
        """Keep an opened plan's restrictions; say in words what the filters cannot show."""
        self.kept_restrictions = kept
        words = " ".join(filters_of(kept)[1].describe())
        self.restrictions_note.value = (
            f"Also kept from the plan: {html.escape(words)}" if words else ""
        )

    def shown(self) -> list[str]:
        """Exercise ids the level and the patient's restrictions allow, in the form's order."""
        return suitable_exercises(
            self.catalogue, self.level.value, restrictions=self.restrictions(), order=self.order
        )

    def _mark(self, box: w.Widget, problem: str | None) -> str | None:
        if problem:
            box.add_class("bp-invalid")
        else:
            box.remove_class("bp-invalid")
        return problem

    def _row_problems(self, shown: list[str]) -> list[str]:
        """Show each row (or not), its words and its field messages; return the messages."""
        problems = []
        for ex, row in self.rows.items():
            if ex in shown:
                row.remove_class("bp-hidden")
            else:
                row.add_class("bp-hidden")
            ticked = self.exercises[ex].value
            messages = []
            for field, box in self.dose[ex].items():
                box.disabled = not ticked
                problem = dose_problem(field, box.value)
                self._mark(box, problem if ticked else None)
                if problem:
                    messages.append(problem)
            if messages:
                if ex in shown and ticked:
                    problems.append(f"{self.names[ex]}: {'; '.join(messages)}")
                self.side_text[
                    ex
                ].value = f"<span class='bp-field-error'>{html.escape('; '.join(messages))}</span>"
                continue
            dose = Prescription(
                exercise=ex,
                per_side=bool(self.side[ex]),
                **{field: box.value for field, box in self.dose[ex].items()},
            )
            self.side_text[ex].value = html.escape(dose_words(dose, self.side[ex]))
        return problems

    def _number_problems(self) -> list[str]:
        boxes = [(self.weeks, "weeks", "weeks", True)]
        boxes += [
            (self.add_amount, "how many", "amount", self.add_dose.value),
            (self.add_every, "every (weeks)", "every_weeks", self.add_dose.value),
            (self.move_week, "from week", "from_week", self.move_up.value),
        ]
        problems = []
        for box, name, key, active in boxes:
            lo, hi = FIELD_BOUNDS[key]
            if key == "from_week" and isinstance(self.weeks.value, int):
                # A 1-week plan cannot move up at all; progression_rules says so.
                active = active and self.weeks.value >= lo
                hi = max(lo, min(hi, self.weeks.value))
            problem = self._mark(box, bounds_problem(name, box.value, lo, hi) if active else None)
            if problem:
                problems.append(problem)
        for box in (self.add_what, self.add_amount, self.add_every, self.add_cap):
            box.disabled = not self.add_dose.value
        self.move_week.disabled = not self.move_up.value
        return problems

    def read(self) -> Plan:
        """The plan the form describes.

        Raises
        ------
        BackplanError
            With a message for the physio when the values do not make a plan; the fields
            at fault are outlined and say why.
        """
        shown = self.shown()
        self.make_rows(shown)
        problems = self._row_problems(shown) + self._number_problems()
        self.progression_error.value = ""
        if problems:
            raise BackplanError("\n".join(problems))
        chosen = [ex for ex in shown if self.exercises[ex].value]
        if not chosen:
            raise BackplanError("Tick at least one exercise for the plan.")
        if self.start_date.value is None:
            raise BackplanError("Choose the date the plan starts.")
        limits = self.restrictions()
        add = None
        if self.add_dose.value:
            what = self.add_what.value
            floor, hi = add_dose_bounds(what, [self.dose[ex][what].value for ex in chosen])
            self.add_cap.tooltip = f"Up to ({floor} to {hi})"
            add = {
                "what": what,
                "amount": self.add_amount.value,
                "every_weeks": self.add_every.value,
                "cap": self.add_cap.value,
            }
        try:
            rules = progression_rules(
                self.catalogue,
                self.level.value,
                {f: [self.dose[ex][f].value for ex in chosen] for f in ("reps", "hold_s")},
                weeks=self.weeks.value,
                add=add,
                move_up_week=self.move_week.value if self.move_up.value else None,
                restrictions=limits,
            )
        except BackplanError as exc:
            self._mark(self.add_cap, str(exc) if str(exc).startswith("up to") else None)
            self.progression_error.value = (
                f"<span class='bp-field-error'>{html.escape(str(exc))}</span>"
            )
            raise
        self._mark(self.add_cap, None)
        return build_plan(
            self.catalogue,
            self.level.value,
            chosen,
            patient=self.patient.value,
            clinician=self.clinician.value,
            start_date=self.start_date.value,
            weeks=self.weeks.value,
            notes=self.notes.value,
            progression=rules,
            restrictions=limits,
            per_exercise={
                ex: {field: box.value for field, box in self.dose[ex].items()} for ex in chosen
            },
        )

    # --- from plan to controls ------------------------------------------------------------

    def set_doses(self, prescriptions: Any) -> None:
        """Set each listed exercise's dose boxes from ``prescriptions``."""
        for p in prescriptions:
            for field, box in self.dose[p.exercise].items():
                box.value = getattr(p, field)

    def apply(self, plan: Plan) -> None:
        """Set every control from ``plan`` (the caller holds refreshes meanwhile)."""
        unknown = sorted({p.exercise for p in plan.all_prescriptions()} - set(self.ids))
        if unknown:
            raise BackplanError(
                f"This plan uses exercises the catalogue does not have: {', '.join(unknown)}"
            )
        ids = [p.exercise for p in plan.prescriptions]
        self.make_rows(self.ids_of(plan.level))
        on, _ = filters_of(plan.restrictions)
        for key, box in self.filters.items():
            box.value = key in on
        self.keep_restrictions(plan.restrictions)
        self.order = ids + [ex for ex in self.ids if ex not in ids]
        self.level.value = plan.level
        for ex, box in self.exercises.items():
            box.value = ex in ids
        self.set_doses(plan.prescriptions)
        self.patient.value = plan.patient
        self.clinician.value = plan.clinician
        self.start_date.value = plan.start_date
        self.weeks.value = plan.weeks
        self.notes.value = plan.notes
        adds = [r for r in plan.progression if isinstance(r, AddDose)]
        ups = [r for r in plan.progression if isinstance(r, NextLevel)]
        self.add_dose.value = bool(adds)
        if adds:
            self.add_what.value = adds[0].what
            self.add_amount.value = adds[0].amount
            self.add_every.value = adds[0].every_weeks
            self.add_cap.value = adds[0].cap
        self.move_up.value = bool(ups)
        if ups:
            self.move_week.value = ups[0].from_week

    def reset(self, defaults: dict[str, Prescription]) -> None:
        """Every exercise ticked at its catalogue dose, no progression.

        The patient's restrictions stay: resetting doses never lets back an exercise the
        physio ruled out.
        """
        self.order = list(self.ids)
        for box in self.exercises.values():
            box.value = True
        self.set_doses(p for ex, p in defaults.items() if ex in self.rows)
        self.add_dose.value = False
        self.move_up.value = False
