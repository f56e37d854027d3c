"""The plan form: patient details, level, filters, exercise doses and progression.

The form only holds values and shows messages. What it may offer and whether a value is
allowed come from :mod:`backplan.plan.choices`; the plan comes from :func:`backplan.build_plan`.
A value out of range, a decimal, an exponent, text or an empty box is never clamped or
rounded: the box keeps what was typed, is outlined, and the message beside it says why in
plain words ("reps: 1 to 50"); the plan stays as it was. Every message sits beside its
control: dose rows in their row, patient details under them, "tick at least one exercise"
under the exercise list, progression inside its box.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import ipywidgets as w
import pandas as pd

from ..errors import BackplanError
from ..locales import language_choices
from ..plan import Plan, build_plan
from ..plan.choices import (
    FIELD_BOUNDS,
    PATIENT_FILTERS,
    add_dose_bounds,
    exercise_ids,
    filters_of,
    level_after,
    levels,
    progression_rules,
    restrictions_from_filters,
)
from ..plan.restrictions import Restrictions
from ..plan.rules import DOSE_BOUNDS, AddDose, NextLevel, Prescription
from ._common import field_error, heading, plain, subheading
from .dose_rows import DoseRows, dose_header, mark
from .whole_box import WholeBox, whole_problem

#: The largest "up to" a physio may type (the cap's real bounds are checked by the plan).
MAX_CAP = max(hi for _, hi in DOSE_BOUNDS.values())


def _errors(messages: list[str]) -> str:
    """Messages shown beside their controls (red, bold), escaped."""
    return "".join(field_error(m) for m in messages)


def _why_hidden(row: Any, limits: Restrictions) -> str:
    """Why a catalogue row breaks ``limits``, in a few words."""
    reasons = []
    if row["position"] in limits.avoid_positions:
        reasons.append(f"done {row['position']}")
    needs = [e for e in str(row["equipment"]).split(";") if e and e != "none"]
    has = limits.equipment
    if any(e in limits.lacks_equipment or (has is not None and e not in has) for e in needs):
        reasons.append("needs " + " and ".join(needs))
    targets = [t for t in str(row["targets"]).split(";") if t in limits.avoid_targets]
    if targets:
        reasons.append("works " + " and ".join(targets))
    return ", ".join(reasons) or "not allowed"


__all__ = ["PlanForm"]

_WIDE = {"style": {"description_width": "initial"}}


#: The STarT Back picker: (label, value); "" is a patient not stratified (``None``).
START_BACK = [
    ("not assessed", ""),
    ("low risk", "low"),
    ("medium risk", "medium"),
    ("high risk", "high"),
]

#: Text limits of a plan's details (the plan document's own limits).
TEXT_LIMITS = {"patient": 200, "clinician": 200, "notes": 5000}


def _number(value: int, label: str, css: str, **kw: Any) -> WholeBox:
    box = WholeBox(value=str(value), description=label, **_WIDE, **kw)
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
    language, start_back
        The language the patient reads (handouts print in it) and the STarT Back risk
        group (:attr:`start_back_group`: ``None`` while "not assessed").
    add_dose, add_what, add_amount, add_every, add_cap, move_up, move_week
        Progression, grouped in one box.
    next_by_hand, next_rows
        "Set next-level doses by hand", and the next level's rows (a
        :class:`~backplan.ui.dose_rows.DoseRows`: ``next_rows.dose[id][field]``). Left
        unticked, the rows show the doses :func:`backplan.next_level` gives (the plan's
        sets, times a day and days a week carry over; reps and holds reset).
    """

    def __init__(self, catalogue: pd.DataFrame, defaults: dict[str, Prescription]) -> None:
        self.catalogue = catalogue
        self.defaults = defaults
        self.ids: list[str] = list(catalogue["id"])
        self.order: list[str] = list(self.ids)
        self.levels = levels(catalogue)
        self.level = w.Dropdown(options=self.levels, value=self.levels[0], description="Level")
        self.level.add_class("bp-level")
        self.filters = {
            key: w.Checkbox(value=False, description=label, indent=False)
            for key, (label, _, _) in PATIENT_FILTERS.items()
        }
        self.kept_restrictions = Restrictions()
        self._suitable_ids: dict[tuple[str, Restrictions], list[str]] = {}
        self.restrictions_note = plain(w.HTML)
        self.restrictions_note.add_class("bp-restrictions-note")
        self.hidden_note = plain(w.HTML)
        self.hidden_note.add_class("bp-hidden-note")
        # "Tick at least one exercise" above and under the list, so it is in view whichever
        # end of the list was unticked last.
        self.exercises_error = plain(w.HTML)
        self.exercises_error.add_class("bp-exercises-error")
        self.exercises_error_top = plain(w.HTML)
        self.exercises_error_top.add_class("bp-exercises-error-top")
        self.details_error = plain(w.HTML)
        self.details_error.add_class("bp-details-error")
        self._make_rows()
        self.patient = w.Text(description="Patient", placeholder="name or pseudonym")
        self.patient.add_class("bp-patient")
        self.clinician = w.Text(description="Clinician")
        self.start_date = w.DatePicker(
            description="Start date", value=date.today(), tooltip="The plan's first day"
        )
        self.start_date.add_class("bp-start")
        self.weeks = _number(6, "Weeks", "bp-weeks")
        self.language = w.Dropdown(
            options=language_choices(), value="en", description="Language", **_WIDE
        )
        self.language.tooltip = "The language the patient reads: handouts print in it"
        self.language.add_class("bp-language")
        self.start_back = w.Dropdown(options=START_BACK, value="", description="STarT Back",
                                     **_WIDE)  # fmt: skip
        self.start_back.tooltip = "The patient's STarT Back risk group at first contact"
        self.start_back.add_class("bp-start-back")
        self.notes = w.Textarea(description="Notes", layout=w.Layout(width="96%"))
        self.notes.add_class("bp-notes")
        self.clinician.add_class("bp-clinician")
        self._make_progression()

    def _make_rows(self) -> None:
        self.on_new_control: list[Callable[[w.Widget], None]] = []
        self.main = DoseRows(self.catalogue, self.defaults, self.on_new_control)
        self.exercises = self.main.exercises
        self.dose = self.main.dose
        self.side_text = self.main.side_text
        self.pictures = self.main.pictures
        self.rows = self.main.rows
        self.rows_box = self.main.box
        self.names = self.main.names
        # Rows are made when their level is first shown (fewer models to load at first).
        self.make_rows(self.ids_of(self.levels[0]))

    def ids_of(self, level: str) -> list[str]:
        """The catalogue's exercise ids of ``level``."""
        return list(self.catalogue.loc[self.catalogue["level"] == level, "id"])

    def make_rows(self, ids: Any) -> None:
        """Make the form rows of ``ids`` that do not exist yet, ticked at catalogue doses."""
        self.main.make(ids)

    def set_picture(self, exercise: str, picture: w.Widget) -> None:
        """Show ``picture`` (for example an ``ipywidgets.Image``) under the row's words,
        instead of the exercise's drawing from :func:`backplan.exercise_picture_svg`."""
        self.main.set_picture(exercise, picture)

    def _make_progression(self) -> None:
        self.add_dose = w.Checkbox(
            description="Add to the dose every few weeks",
            indent=False,
            layout=w.Layout(width="auto"),
        )
        self.add_what = w.Dropdown(
            options=[("reps", "reps"), ("hold seconds", "hold_s")],
            layout=w.Layout(width="auto"),
            value="reps",
            description="Add",
            **_WIDE,
        )
        self.add_amount = _number(FIELD_BOUNDS["amount"][0], "How many", "bp-add-amount")
        self.add_every = _number(FIELD_BOUNDS["every_weeks"][0], "Every (weeks)", "bp-add-every")
        self.add_cap = _number(DOSE_BOUNDS["reps"][1], "Up to", "bp-add-cap")
        self.move_up = w.Checkbox(
            description="Move to the next level", indent=False, layout=w.Layout(width="auto")
        )
        self.move_week = _number(4, "From week", "bp-move-week")
        for box in (self.add_amount, self.add_every, self.add_cap, self.move_week):
            box.layout.width = "170px"
        self.progression_error = plain(w.HTML)
        self.progression_error.add_class("bp-progression-error")
        self.next_by_hand = w.Checkbox(
            description="Set the next level's exercises and doses by hand",
            indent=False,
            layout=w.Layout(width="auto"),
        )
        self.next_by_hand.add_class("bp-next-by-hand")
        self.next_rows = DoseRows(
            self.catalogue,
            self.defaults,
            self.on_new_control,
            prefix="bp-next-",
            label="Next level: ",
            pictures=False,
            words_width="190px",  # inside the progression box's border and padding
        )
        # Filled when "Move to the next level" is first ticked (less for the page to build).
        self.next_box = plain(w.VBox)
        self.next_box.add_class("bp-hidden")

    # --- layout ---------------------------------------------------------------------------

    def layout(self) -> w.VBox:
        """Patient and plan, exercises, progression (one group)."""
        header = dose_header()
        progression = plain(
            w.VBox,
            [
                subheading("Progression"),
                plain(w.HBox, [self.add_dose, self.add_what]),
                plain(w.HBox, [self.add_amount, self.add_every, self.add_cap]),
                plain(w.HBox, [self.move_up, self.move_week]),
                self.next_box,
                self.progression_error,
            ],
        )
        progression.add_class("bp-group")
        box = plain(
            w.VBox,
            [
                heading("Patient and plan"),
                plain(
                    w.HBox,
                    [
                        plain(w.VBox, [self.patient, self.clinician, self.language]),
                        plain(w.VBox, [self.start_date, self.weeks, self.start_back]),
                    ],
                ),
                self.notes,
                self.details_error,
                subheading("Exercises"),
                plain(w.HBox, [self.level]),
                plain(w.HBox, list(self.filters.values()), layout=w.Layout(flex_flow="row wrap")),
                self.restrictions_note,
                self.hidden_note,
                self.exercises_error_top,
                header,
                self.rows_box,
                self.exercises_error,
                progression,
            ],
        )
        box.add_class("bp-section-form")
        return box

    def controls(self) -> Iterator[w.Widget]:
        """Every control whose change changes the plan."""
        yield from (self.level, *self.filters.values(), *self.exercises.values())
        for boxes in self.dose.values():
            yield from boxes.values()
        yield from (self.patient, self.clinician, self.start_date, self.weeks, self.notes)
        yield from (self.language, self.start_back)
        yield from (self.add_dose, self.add_what, self.add_amount, self.add_every, self.add_cap)
        yield from (self.move_up, self.move_week, self.next_by_hand)
        yield from self.next_rows.exercises.values()
        for boxes in self.next_rows.dose.values():
            yield from boxes.values()

    # --- from controls to plan ------------------------------------------------------------

    @property
    def start_back_group(self) -> str | None:
        """The STarT Back group picked (``None``: not assessed)."""
        return self.start_back.value or None

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
        return self._suitable(self.level.value, self.restrictions(), self.order)

    def _suitable(self, level: str, limits: Restrictions, order: list[str]) -> list[str]:
        # Asked on every change; the answer depends only on the level and restrictions.
        key = (level, limits)
        if key not in self._suitable_ids:
            self._suitable_ids[key] = exercise_ids(self.catalogue, level, restrictions=limits)
        found = set(self._suitable_ids[key])
        return [ex for ex in order if ex in found]

    def _next_level(self, limits: Restrictions) -> tuple[list[str] | None, dict | None, list]:
        """The next level's exercises and doses set by hand (``None``: automatic), and the
        messages of its rows."""
        upper = level_after(self.catalogue, self.level.value) if self.move_up.value else None
        if upper is None:
            self.next_box.add_class("bp-hidden")
            return None, None, []
        if not self.next_box.children:
            about = (
                "Unless set by hand, the next level keeps the plan's sets, times a day and "
                "days a week (when all its exercises share them); reps and holds start at "
                "the new level's."
            )
            header = dose_header("Next level")
            self.next_box.children = [plain(w.HTML, about), self.next_by_hand, header,
                                      self.next_rows.box]  # fmt: skip
        self.next_box.remove_class("bp-hidden")
        shown = self._suitable(upper, limits, self.next_rows.ids)
        self.next_rows.make(shown)
        if not self.next_by_hand.value:  # the rows only show what the level-up gives
            return None, None, []
        problems = self.next_rows.problems(shown)
        chosen = [ex for ex in shown if self.next_rows.exercises[ex].value]
        if not chosen:
            problems.append("Tick at least one exercise for the next level.")
        return chosen, {ex: self.next_rows.values(ex) for ex in chosen}, problems

    def _show_next_level(self, plan: Plan) -> None:
        """Show the doses the next level got (carry-over settled) in its rows."""
        if self.next_by_hand.value:
            return
        for rule in plan.progression:
            if isinstance(rule, NextLevel):
                ids = {p.exercise for p in rule.prescriptions}
                for ex, box in self.next_rows.exercises.items():
                    box.value = ex in ids
                self.next_rows.set_doses(rule.prescriptions)
                self.next_rows.problems(list(ids), editable=False)

    def _number_problems(self) -> list[str]:
        boxes = [(self.weeks, "weeks", "weeks", True)]
        boxes += [
            (self.add_amount, "how many", "amount", self.add_dose.value),
            (self.add_every, "every (weeks)", "every_weeks", self.add_dose.value),
            (self.move_week, "from week", "from_week", self.move_up.value),
        ]
        problems = []
        weeks = self.weeks.number
        for box, name, key, active in boxes:
            lo, hi = FIELD_BOUNDS[key]
            if key == "from_week" and weeks is not None:
                # A 1-week plan cannot move up at all; progression_rules says so.
                active = active and weeks >= lo
                hi = max(lo, min(hi, weeks))
            problem = mark(box, whole_problem(name, box.value, lo, hi) if active else None)
            if problem:
                problems.append(problem)
        if self.add_dose.value:
            cap = mark(self.add_cap, whole_problem("up to", self.add_cap.value, 1, MAX_CAP))
            if cap:
                problems.append(cap)
        for box in (self.add_what, self.add_amount, self.add_every, self.add_cap):
            box.disabled = not self.add_dose.value
        self.move_week.disabled = not self.move_up.value
        return problems

    def _detail_problems(self) -> list[str]:
        """Patient details too long for a plan, and a missing start date, said under them."""
        problems = []
        for key, limit in TEXT_LIMITS.items():
            box = getattr(self, key)
            n = len(box.value)
            label = box.description.lower()
            problem = f"{label}: at most {limit} characters (this has {n:,})" if n > limit else None
            if mark(box, problem):
                problems.append(problem)
        if self.start_date.value is None:
            problems.append("start date: choose the date the plan starts")
        self.details_error.value = _errors(problems)
        return problems

    def _hidden(self, level: str, limits: Restrictions, shown: list[str]) -> None:
        """Say which of the level's exercises the patient's restrictions hide, and why."""
        hidden = [ex for ex in self.ids_of(level) if ex not in shown]
        if not hidden:
            self.hidden_note.value = ""
            return
        rows = self.catalogue.set_index("id").loc[hidden]
        why = [f"{self.names[ex]} ({_why_hidden(rows.loc[ex], limits)})" for ex in hidden]
        self.hidden_note.value = (
            "Not shown for this patient's restrictions: " + html.escape("; ".join(why)) + "."
        )

    def read(self) -> Plan:
        """The plan the form describes.

        Raises
        ------
        BackplanError
            With a message for the physio when the values do not make a plan; the fields
            at fault are outlined and say why beside them.
        """
        shown = self.shown()
        self.make_rows(shown)
        limits = self.restrictions()
        self._hidden(self.level.value, limits, shown)
        problems = self._detail_problems() + self.main.problems(shown) + self._number_problems()
        next_ids, next_doses, next_problems = self._next_level(limits)
        problems += next_problems
        self.progression_error.value = _errors(self._progression_messages(problems))
        chosen = [ex for ex in shown if self.exercises[ex].value]
        none = "" if chosen else _errors(["Tick at least one exercise."])
        self.exercises_error.value = self.exercises_error_top.value = none
        if not chosen:
            problems.append("Tick at least one exercise for the plan.")
        if problems:
            raise BackplanError("\n".join(problems))
        add = None
        if self.add_dose.value:
            what = self.add_what.value
            starts = [self.dose[ex][what].number or 0 for ex in chosen]
            floor, hi = add_dose_bounds(what, starts)
            self.add_cap.tooltip = f"Up to ({floor} to {hi})"
            add = {
                "what": what,
                "amount": self.add_amount.number,
                "every_weeks": self.add_every.number,
                "cap": self.add_cap.number,
            }
        try:
            rules = progression_rules(
                self.catalogue,
                self.level.value,
                {f: [self.dose[ex][f].number for ex in chosen] for f in ("reps", "hold_s")},
                weeks=self.weeks.number,
                add=add,
                move_up_week=self.move_week.number if self.move_up.value else None,
                restrictions=limits,
                next_exercises=next_ids,
                next_doses=next_doses,
            )
        except BackplanError as exc:
            mark(self.add_cap, str(exc) if str(exc).startswith("up to") else None)
            self.progression_error.value = _errors([str(exc)])
            raise
        mark(self.add_cap, None)
        plan = build_plan(
            self.catalogue,
            self.level.value,
            chosen,
            patient=self.patient.value,
            clinician=self.clinician.value,
            start_date=self.start_date.value,
            weeks=self.weeks.number,
            notes=self.notes.value,
            progression=rules,
            restrictions=limits,
            per_exercise={ex: self.main.values(ex) for ex in chosen},
            language=self.language.value,
        )
        self._show_next_level(plan)
        return plan

    def _progression_messages(self, problems: list[str]) -> list[str]:
        """The messages about progression boxes (shown inside the progression box)."""
        starts = (
            "how many",
            "every (weeks)",
            "up to",
            "from week",
            "Next level",
            "Tick at least one exercise for the next",
        )
        return [p for p in problems if p.startswith(starts)]

    # --- from plan to controls ------------------------------------------------------------

    def set_doses(self, prescriptions: Any) -> None:
        """Set each listed exercise's dose boxes from ``prescriptions``."""
        self.main.set_doses(prescriptions)

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
        self.language.value = plan.language
        self.start_back.value = plan.start_back or ""
        adds = [r for r in plan.progression if isinstance(r, AddDose)]
        ups = [r for r in plan.progression if isinstance(r, NextLevel)]
        self.add_dose.value = bool(adds)
        if adds:
            self.add_what.value = adds[0].what
            self.add_amount.value = adds[0].amount
            self.add_every.value = adds[0].every_weeks
            self.add_cap.value = adds[0].cap
        self.move_up.value = bool(ups)
        self.next_by_hand.value = False
        if ups:
            self.move_week.value = ups[0].from_week

    def apply_next_level(self, plan: Plan) -> bool:
        """Set the next level's rows by hand from ``plan`` (whose next-level exercises or
        doses differ from what the level-up gives); ``False`` when it has no next level."""
        ups = [r for r in plan.progression if isinstance(r, NextLevel)]
        if not ups:
            return False
        ids = {p.exercise for p in ups[0].prescriptions}
        self.next_rows.make(ids)
        for ex, box in self.next_rows.exercises.items():
            box.value = ex in ids
        self.next_rows.set_doses(ups[0].prescriptions)
        self.next_by_hand.value = True
        return True

    def clear_patient(self, physio: str = "") -> None:
        """Empty everything about one patient: name, clinician (the clinic's physio), start
        date (today), length, notes, language (English), STarT Back group and restrictions
        (the caller holds refreshes)."""
        self.patient.value = ""
        self.clinician.value = physio
        self.start_date.value = date.today()
        self.weeks.value = "6"
        self.notes.value = ""
        self.language.value = "en"
        self.start_back.value = ""
        for box in self.filters.values():
            box.value = False
        self.keep_restrictions(Restrictions())

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
        self.next_by_hand.value = False
