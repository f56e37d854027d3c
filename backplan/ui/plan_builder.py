"""PlanBuilder: the code-free planner a clinic uses, built from small panels.

The builder only edits and shows. The plan comes from :func:`backplan.build_plan` (through
:class:`~backplan.ui.plan_form.PlanForm` and :mod:`backplan.plan.choices`), the preview from
:func:`backplan.schedule`, :func:`backplan.weekly_volume` and
:class:`backplan.charts.VolumeChart`, files from :class:`backplan.PlanLibrary`,
:mod:`backplan.plan.templates` and :mod:`backplan.handout`, clinic details from
:mod:`backplan.settings` and the review from :func:`backplan.adherence`,
:func:`backplan.review` and :func:`backplan.apply_review`. The patient filters are the
plan's :class:`backplan.Restrictions`.

Every control is an attribute, so a test (or a curious physio) can set ``.value`` and call
``.click()`` without a browser.

Examples
--------
>>> import tempfile
>>> from backplan.ui import PlanBuilder
>>> builder = PlanBuilder(library=tempfile.mkdtemp())
>>> builder.dose["heel-slides"]["reps"].value = 12
>>> [p.reps for p in builder.plan.prescriptions if p.exercise == "heel-slides"]
[12]
>>> builder.dose["heel-slides"]["reps"].value = 99
>>> builder.problem
'Heel slides: reps: 1 to 50'
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import ipywidgets as w
import pandas as pd

from ..catalogue import load_catalogue
from ..errors import BackplanError
from ..plan import Plan, prescriptions_from_catalogue
from ..plan.library import PlanLibrary, PlanStamp
from ..plan.model import WarningsAccepted, _validate, new_plan_id
from ..plan.rules import Revision
from ..plan.warnings import PlanWarning, accept_warnings, plan_warnings, still_accepted
from ._common import STYLE, guarded, plain, status_html
from .clinic_panel import ClinicPanel
from .downloads_panel import DownloadsPanel
from .fold import Fold, reveal
from .page import SKIP_LINKS
from .plan_form import PlanForm
from .plans_panel import PlansPanel
from .preview import Preview
from .review_panel import ReviewPanel
from .warnings_panel import DoseWarnings

__all__ = ["PlanBuilder"]

# Form controls the builder exposes as its own attributes (a stable, documented surface).
_FORM_CONTROLS = [
    "level",
    "filters",
    "exercises",
    "dose",
    "side_text",
    "patient",
    "clinician",
    "start_date",
    "weeks",
    "notes",
    "add_dose",
    "add_what",
    "add_amount",
    "add_every",
    "add_cap",
    "move_up",
    "move_week",
    "next_by_hand",
    "next_rows",
]


class PlanBuilder:
    """The plan builder app: patients' plans, templates, form, preview, files, review.

    Parameters
    ----------
    catalogue : pandas.DataFrame, optional
        The exercise catalogue; the shipped one by default.
    plan : Plan, optional
        A plan to start from; by default every exercise of the first level at its
        catalogue dose, starting today.
    library : path-like or PlanLibrary, optional
        The plans folder; :func:`backplan.plan.library.default_library_folder` by default.
    settings_path : path-like, optional
        The clinic settings file; :func:`backplan.settings.settings_path` by default.

    Attributes
    ----------
    plan : Plan
        The current plan (the last valid one while the form shows a problem).
    problem : str or None
        Why the form's values do not make a plan, or ``None``.
    widget : ipywidgets.Box
        The whole app; a cell that ends with the builder shows it.
    form, preview_panel, plans, downloads, clinic, review
        The panels. The form's controls are attributes of the builder too (``level``,
        ``exercises[id]``, ``dose[id][field]``, ``patient``, ``weeks``, ``add_dose``, ...).
        ``review`` is made when first used.
    folds : dict of Fold
        The sections below the form (``"patients"``, ``"review"``, ``"clinic"``), each
        shown as its heading and a button until the physio opens it: their controls are
        no work for the browser while the page loads (``folds["clinic"].open()``).
    preview_table, preview, chart, chart_metric, chart_by, volume
        The preview table (shown and as data), the chart and what it draws.
    status, reset_button
        The message line and the "reset to catalogue doses" button.
    saved_as : str or None
        The library file name of the open plan, once opened or saved.
    opened : PlanStamp or None
        The version of that file the form started from: a save is refused when the file
        changed since (another tab or physio saved it).
    unsaved : bool
        Whether the form holds edits not yet saved (shown as "Unsaved changes"; Open,
        New patient, a template and closing the page ask before discarding them).
    toolbar : ipywidgets.Box
        New patient, Save, Save as new, the unsaved-changes mark and the status line,
        kept in view at the top of the page.
    revisions : tuple of Revision
        The open plan's revisions (changes after reviews): every plan the form makes keeps
        them, so saving keeps the plan's history.
    plan_id : str
        The open (or saved) plan's id, which every plan the form makes keeps, so saving an
        opened plan never gives it a new identity; "Save as new plan" and a template give
        a new one, "New patient" none yet.
    warnings : list of PlanWarning
        The plan's dose warnings (:func:`backplan.plan_warnings`), shown beside Save and the
        handout button (:attr:`dose_warnings`). While one is not accepted
        (:attr:`pending_warnings`) the plan is neither saved nor printed; ticking
        ``dose_warnings.checked`` accepts them in the clinician's name, and the plan keeps
        the record (``Plan.warnings_accepted``) until an edit brings another warning.
    """

    def __init__(
        self,
        catalogue: pd.DataFrame | None = None,
        plan: Plan | None = None,
        *,
        library: str | os.PathLike[str] | PlanLibrary | None = None,
        settings_path: str | os.PathLike[str] | None = None,
    ) -> None:
        self.catalogue = load_catalogue() if catalogue is None else catalogue
        self.library = library if isinstance(library, PlanLibrary) else PlanLibrary(library)
        self._holding = False
        self._made_on = date.today()
        self.problem: str | None = None
        self.saved_as: str | None = None
        self.opened: PlanStamp | None = None
        self._clean: Plan | None = None
        # Revisions of the open plan (after reviews): the form cannot edit them, and every
        # plan it makes keeps them, so saving keeps the plan's history.
        self.revisions: tuple[Revision, ...] = ()
        # Who accepted the dose warnings, and which (the tick, or the opened plan's record).
        self.accepted: WarningsAccepted | None = None
        # The open plan's id: every save of it keeps the id ("" for a plan never saved).
        self.plan_id = ""
        self.warnings: list[PlanWarning] = []
        self.dose_warnings = DoseWarnings(self._doses_checked)
        self.status = plain(w.HTML)
        self.status.add_class("bp-status")
        self.unsaved_mark = plain(w.HTML)
        self.unsaved_mark.add_class("bp-unsaved-mark")
        self.new_button = plain(w.Button, description="New patient", icon="user-plus")
        self.new_button.add_class("bp-new-patient")
        self.new_button.tooltip = "Start an empty plan for another patient"
        self.discard_button = plain(
            w.Button,
            description="Discard changes and go on",
            button_style="danger",
            layout=w.Layout(width="auto"),
        )
        self.discard_button.add_class("bp-discard")
        self.keep_editing = plain(
            w.Button, description="Keep editing", layout=w.Layout(width="auto")
        )
        self.keep_editing.add_class("bp-keep-editing")
        self.ask = plain(w.HTML)
        # filled when first asked (an empty hidden box is less for the page to build)
        self.discard_box = w.HBox(
            layout=w.Layout(display="none", align_items="center", flex_flow="row wrap")
        )
        self.discard_box.add_class("bp-ask-discard")
        self._after_discard: Any = None
        self._defaults = {
            p.exercise: p for p in prescriptions_from_catalogue(self.catalogue, self.catalogue.id)
        }
        self.form = PlanForm(self.catalogue, self._defaults)
        for name in _FORM_CONTROLS:
            setattr(self, name, getattr(self.form, name))
        for key, box in self.form.filters.items():  # builder.no_stomach, builder.no_chair, ...
            setattr(self, key, box)
        self.form.reset(self._defaults)
        self.preview_panel = Preview(self.catalogue)
        self.preview_table = self.preview_panel.table
        self.chart = self.preview_panel.chart
        self.chart_metric = self.preview_panel.metric
        self.chart_by = self.preview_panel.by
        self.reset_button = plain(
            w.Button,
            description="Reset to catalogue doses",
            icon="undo",
            layout=w.Layout(width="auto"),
        )
        self.reset_button.on_click(self._reset)
        self.downloads = DownloadsPanel(self)
        self.clinic = ClinicPanel(self, settings_path)
        self.plan: Plan
        if plan is not None:
            self.apply_plan(plan)
        else:
            self._refresh()
        if not hasattr(self, "plan"):
            raise BackplanError(f"The form cannot start: {self.problem}")
        self.plans = PlansPanel(self, self.library)
        self._review: ReviewPanel | None = None  # made when first used (see review)
        self._clean = self.plan
        self.new_button.on_click(guarded(self.say_error, "start a new patient")(self._new_patient))
        self.discard_button.on_click(guarded(self.say_error, "go on")(self._discard))
        self.keep_editing.on_click(lambda _: self._cancel_discard())
        self.widget = self._layout()
        self._mark_unsaved()
        for control in (*self.form.controls(), self.chart_metric, self.chart_by):
            control.observe(self._changed, names="value")
        self.form.on_new_control.append(lambda c: c.observe(self._changed, names="value"))

    # --- what the preview shows -----------------------------------------------------------

    @property
    def preview(self) -> pd.DataFrame:
        """Week 1 and the last week of :func:`backplan.schedule`, as shown."""
        return self.preview_panel.frame

    @property
    def volume(self) -> pd.DataFrame:
        """The :func:`backplan.weekly_volume` table the chart draws."""
        return self.preview_panel.volume

    @property
    def review(self) -> ReviewPanel:
        """The logs review panel, made the first time it is opened or used (a page that
        never reviews logs never builds it)."""
        if self._review is None:
            self._review = ReviewPanel(self)
        return self._review

    @property
    def axes(self) -> Any:
        """The chart's matplotlib Axes."""
        return self.preview_panel.drawing.axes

    # --- refresh --------------------------------------------------------------------------

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Set many controls at once, refreshing only once afterwards."""
        old, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = old

    def _changed(self, change: dict[str, Any]) -> None:
        if not self._holding:
            self._refresh()
            self._mark_unsaved()
        self.clinic.sync()

    def plan_from_form(self) -> Plan:
        """The plan the form describes (see :meth:`PlanForm.read`: details, language,
        exercises, doses, progression, restrictions) with its STarT Back group, the open
        plan's id and revisions, and the physio's acceptance of its dose warnings while it
        covers them."""
        with self._quiet():
            plan = self.form.read()
        data = {
            **dict(plan),
            "start_back": self.form.start_back_group,
            "plan_id": self.plan_id,  # "": an id from the plan's content
            "revisions": self.revisions,
        }
        try:
            plan = _validate(Plan, data, "<plan>", self.catalogue)
        except BackplanError as exc:
            if not self.revisions:
                raise
            raise BackplanError(
                f"This change does not fit the plan's revisions (changes made after a "
                f"review). {exc}"
            ) from None
        record = still_accepted(self.accepted, plan_warnings(plan, self.catalogue))
        return plan.model_copy(update={"warnings_accepted": record}) if record else plan

    def _refresh(self) -> None:
        if hasattr(self, "downloads"):
            self.downloads.clear()
        try:
            plan = self.plan_from_form()
        except BackplanError as exc:
            self.problem = str(exc)
            note = (
                "\nThe preview shows the last plan that worked; nothing was changed."
                if hasattr(self, "plan")
                else ""
            )
            self.status.value = status_html(self.problem + note, ok=False)
            unticked = [ex for ex, box in self.form.exercises.items() if not box.value]
            self.preview_panel.stale(self.problem, unticked)
            return
        self.problem = None
        self.status.value = ""
        self._show(plan)

    def _show(self, plan: Plan) -> None:
        self.plan = plan
        self.warnings = plan_warnings(plan, self.catalogue)
        self.dose_warnings.show(self.warnings, plan.warnings_accepted)
        self.preview_panel.show(plan)
        if getattr(self, "_review", None) is not None:
            self.review.plan_changed()

    def say(self, message: str, ok: bool, keep: bool = False) -> None:
        """Show ``message`` in the status line (``keep`` adds to a note already there).

        The status line sits in the toolbar, always in view, and is announced by screen
        readers; panels also show their own messages beside the control that was used.
        """
        line = status_html(message, ok)
        self.status.value = self.status.value + line if keep else line
        self._mark_unsaved()

    def say_error(self, message: str) -> None:
        """Show a problem in the status line."""
        self.say(message, ok=False)

    # --- dose warnings --------------------------------------------------------------------

    @property
    def pending_warnings(self) -> list[PlanWarning]:
        """The plan's dose warnings no one has accepted yet (empty: it may be saved)."""
        return [] if self.plan.warnings_accepted is not None else self.warnings

    def _doses_checked(self, on: bool) -> None:
        """The physio ticked (or unticked) "I have checked these doses"."""
        if on:
            who = self.clinician.value.strip() or self.clinic.settings.physio.strip()
            if not who:
                self.dose_warnings.need_name()
                return
            bare = self.plan.model_copy(update={"warnings_accepted": None})
            self.accepted = accept_warnings(
                bare, by=who, catalogue=self.catalogue
            ).warnings_accepted
        else:
            self.accepted = None
        self._refresh()
        self._mark_unsaved()

    def refuse_warnings(self, doing: str) -> bool:
        """``True`` (and a message beside the warnings and in the status line) while the
        plan has dose warnings no one accepted: ``doing`` must wait."""
        if not self.pending_warnings:
            return False
        self.say(self.dose_warnings.refuse(doing), ok=False)
        return True

    # --- unsaved edits --------------------------------------------------------------------

    @property
    def unsaved(self) -> bool:
        """Whether the form holds edits that were not saved."""
        return self.problem is not None or (self._clean is not None and self.plan != self._clean)

    def mark_saved(self, name: str | None, stamp: PlanStamp | None) -> None:
        """The plan shown is now what ``name`` holds (``None``: a plan not in the folder)."""
        self.saved_as, self.opened = name, stamp
        if name is not None:
            self.plan_id = self.plan.plan_id  # later saves of this plan keep its id
        self._clean = self.plan
        self._mark_unsaved()

    def _mark_unsaved(self) -> None:
        if not hasattr(self, "unsaved_mark"):
            return
        if self._clean is not None and self.unsaved:
            value = "<span class='bp-unsaved' data-unsaved='1'>&#9679; Unsaved changes</span>"
        else:
            value = "<span data-unsaved='0'>All changes saved</span>" if self.saved_as else ""
        if self.unsaved_mark.value != value:
            self.unsaved_mark.value = value

    def _unsaved_beyond_details(self) -> bool:
        """Unsaved edits other than the patient's details (which a template keeps)."""
        if self.problem is not None:
            return True
        if self._clean is None:
            return False
        clean, plan = self._clean, self.plan
        # Exercises the patient's restrictions leave out do not count as edits.
        kept = tuple(p for p in clean.prescriptions if p.exercise in
                     {q.exercise for q in plan.prescriptions})  # fmt: skip
        return (plan.level, plan.weeks, plan.prescriptions, plan.progression) != (
            clean.level,
            clean.weeks,
            kept,
            clean.progression,
        )

    def confirm_discard(self, doing: str, then: Any, keeps_details: bool = False) -> None:
        """Run ``then()`` now, or after the physio agrees to lose unsaved edits.

        ``keeps_details``: ``then`` keeps the patient's details (a template), so only other
        edits count. The question sits in the toolbar, in view, naming what would be lost.
        """
        if not (self._unsaved_beyond_details() if keeps_details else self.unsaved):
            then()
            return
        who = self.plan.patient or "this patient"
        self.ask.value = (
            f"<b>The plan of {html.escape(who)} has unsaved changes.</b> "
            f"{html.escape(doing)} anyway and lose them?&nbsp;"
        )
        self._after_discard = then
        reveal(self.discard_box, [self.ask, self.discard_button, self.keep_editing])
        self.say(f"Not done yet: save first, or choose to discard the changes ({doing}).", ok=False)

    def _discard(self, _: Any = None) -> None:
        then, self._after_discard = self._after_discard, None
        self.discard_box.layout.display = "none"
        if then is not None:
            then()

    def _cancel_discard(self) -> None:
        self._after_discard = None
        self.discard_box.layout.display = "none"
        self.say("Kept your changes.", ok=True)

    # --- a new patient --------------------------------------------------------------------

    def _new_patient(self, _: Any = None) -> None:
        self.confirm_discard("Start a new patient", self.new_patient)

    def new_patient(self) -> None:
        """Clear everything about the patient: name, notes, dates, restrictions, doses,
        progression, the plan's history, the logs under review and the files made."""
        self.revisions = ()
        self.accepted = None
        self.plan_id = ""
        with self._quiet():
            self.form.clear_patient(physio=self.clinic.settings.physio)
            self.form.reset(self._defaults)
            self.form.level.value = self.form.levels[0]
        self._refresh()
        if self._review is not None:
            self._review.forget()
        self.plans.forget()
        self.mark_saved(None, None)
        self.say("New patient: an empty plan at the catalogue's doses.", ok=True)

    # --- applying a plan to the form -------------------------------------------------------

    def apply_plan(self, plan: Plan) -> None:
        """Set every control from ``plan`` and show it.

        A next level whose exercises or doses differ from what the level-up gives shows as
        set by hand. Parts of a plan the form cannot express are kept as they are until the
        next change, with a note in :attr:`status`.
        """
        self.revisions = plan.revisions
        self.accepted = plan.warnings_accepted
        self.plan_id = plan.plan_id
        with self._quiet():
            self.form.apply(plan)
        self._refresh()
        if self.problem is None and self.plan != plan:
            # Next-level exercises or doses the physio chose: show them as set by hand.
            with self._quiet():
                by_hand = self.form.apply_next_level(plan)
            if by_hand:
                self._refresh()
        if self.problem is not None or self.plan != plan:
            self.problem = None
            self._show(plan)
            self.say(
                "This plan has settings the form cannot show. They are kept until you "
                "change something here.",
                ok=True,
            )

    def renew_id(self) -> None:
        """Give the plan in the form a new id (it becomes another plan than the one opened)."""
        self.plan_id = new_plan_id()
        self._refresh()

    def fresh_start(self) -> None:
        """Bring a builder made ahead of time up to date for the physio opening it now.

        A preheated Voila kernel builds the app before anyone asks, perhaps yesterday: the
        start date moves to today (unless a plan or the physio chose one) and the list of
        saved plans is read again.
        """
        today = date.today()
        if self.start_date.value == self._made_on and today != self._made_on:
            fresh = not self.unsaved
            self.start_date.value = today
            if fresh:  # a new day's empty plan, not an edit
                self._clean = self.plan
                self._mark_unsaved()
        self._made_on = today
        self.plans.refresh()

    def _reset(self, _: Any = None) -> None:
        with self._quiet():
            self.form.reset(self._defaults)
        self._refresh()
        if self.problem is None:
            self.say("Doses reset to the catalogue's.", ok=True)

    # --- display --------------------------------------------------------------------------

    def _layout(self) -> w.Box:
        toolbar = plain(
            w.VBox,
            [
                plain(
                    w.HBox,
                    [
                        self.new_button,
                        self.plans.save_button,
                        self.plans.save_new_button,
                        self.unsaved_mark,
                    ],
                    layout=w.Layout(align_items="center", flex_flow="row wrap"),
                ),
                self.dose_warnings.box,
                self.plans.confirm,
                self.discard_box,
                self.status,
            ],
        )
        toolbar.add_class("bp-toolbar")
        self.folds = {
            "patients": Fold(
                self.plans.title,
                "bp-section-patients",
                "Find, open, archive or restore saved plans; open a plan file; start from "
                "or save a template.",
                "Show the patient list and templates",
                self.plans.rows,
            ),
            "review": Fold(
                ReviewPanel.title,
                "bp-section-review",
                "Upload this patient's exercise logs to see their adherence, flags and the "
                "review decision.",
                "Show the logs review",
                lambda: self.review.rows(),
            ),
            "clinic": Fold(
                self.clinic.title,
                "bp-section-clinic",
                "The clinic's name and phone and the physio, printed on every handout.",
                "Show clinic details",
                self.clinic.rows,
            ),
        }
        main = plain(
            w.VBox,
            [
                self.form.layout(),
                self.reset_button,
                *(fold.box for fold in self.folds.values()),
            ],
        )
        main.add_class("bp-main-column")
        side = plain(w.VBox, [self.preview_panel.layout(), self.downloads.layout()])
        side.add_class("bp-side")
        columns = plain(w.Box, [main, side])
        columns.add_class("bp-columns")
        app = w.VBox([plain(w.HTML, STYLE), plain(w.HTML, SKIP_LINKS), toolbar, columns])
        app.add_class("bp-app")
        return app

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        """Show the app when the builder is the last thing in a cell."""
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if bundle is not None:
            n = len(self.plan.prescriptions)
            bundle["text/plain"] = (
                f"PlanBuilder: {self.plan.level}, {n} exercises, {self.plan.weeks} weeks"
            )
        return bundle
