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
from ..plan.library import PlanLibrary
from ..plan.model import _validate
from ..plan.rules import Revision
from ._common import STYLE, plain, status_html
from .clinic_panel import ClinicPanel
from .downloads_panel import DownloadsPanel
from .plan_form import PlanForm
from .plans_panel import PlansPanel
from .preview import Preview
from .review_panel import ReviewPanel

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
    preview_table, preview, chart, chart_metric, chart_by, volume
        The preview table (shown and as data), the chart and what it draws.
    status, reset_button
        The message line and the "reset to catalogue doses" button.
    saved_as : str or None
        The library file name of the open plan, once opened or saved.
    revisions : tuple of Revision
        The open plan's revisions (changes after reviews): every plan the form makes keeps
        them, so saving keeps the plan's history.
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
        # Revisions of the open plan (after reviews): the form cannot edit them, and every
        # plan it makes keeps them, so saving keeps the plan's history.
        self.revisions: tuple[Revision, ...] = ()
        self.status = plain(w.HTML)
        self.status.add_class("bp-status")
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
        self.review = ReviewPanel(self)
        self.widget = self._layout()
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

    def plan_from_form(self) -> Plan:
        """The plan the form describes (see :meth:`PlanForm.read`), with the open plan's
        revisions."""
        with self._quiet():
            plan = self.form.read()
        if not self.revisions:
            return plan
        data = {**dict(plan), "revisions": self.revisions}
        try:
            return _validate(Plan, data, "<plan>", self.catalogue)
        except BackplanError as exc:
            raise BackplanError(
                f"This change does not fit the plan's revisions (changes made after a "
                f"review). {exc}"
            ) from None

    def _refresh(self) -> None:
        if hasattr(self, "downloads"):
            self.downloads.clear()
        try:
            plan = self.plan_from_form()
        except BackplanError as exc:
            self.problem = str(exc)
            note = (
                "\nThe preview still shows the last plan that worked; nothing was changed."
                if hasattr(self, "plan")
                else ""
            )
            self.status.value = status_html(self.problem + note, ok=False)
            return
        self.problem = None
        self.status.value = ""
        self._show(plan)

    def _show(self, plan: Plan) -> None:
        self.plan = plan
        self.preview_panel.show(plan)
        if hasattr(self, "review"):
            self.review.plan_changed()

    def say(self, message: str, ok: bool, keep: bool = False) -> None:
        """Show ``message`` in the status line (``keep`` adds to a note already there)."""
        line = status_html(message, ok)
        self.status.value = self.status.value + line if keep else line

    # --- applying a plan to the form -------------------------------------------------------

    def apply_plan(self, plan: Plan) -> None:
        """Set every control from ``plan`` and show it.

        A next level whose exercises or doses differ from what the level-up gives shows as
        set by hand. Parts of a plan the form cannot express are kept as they are until the
        next change, with a note in :attr:`status`.
        """
        self.revisions = plan.revisions
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

    def fresh_start(self) -> None:
        """Bring a builder made ahead of time up to date for the physio opening it now.

        A preheated Voila kernel builds the app before anyone asks, perhaps yesterday: the
        start date moves to today (unless a plan or the physio chose one) and the list of
        saved plans is read again.
        """
        today = date.today()
        if self.start_date.value == self._made_on and today != self._made_on:
            self.start_date.value = today
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
        left = plain(
            w.VBox,
            [
                self.plans.layout(),
                self.status,
                self.form.layout(),
                self.reset_button,
            ],
            layout=w.Layout(width="900px", max_width="100%", margin="0 24px 0 0"),
        )
        right = plain(
            w.VBox,
            [
                self.preview_panel.layout(),
                self.downloads.layout(),
                self.review.layout(),
                self.clinic.layout(),
            ],
            layout=w.Layout(width="800px", max_width="100%"),
        )
        app = w.Box(
            [plain(w.HTML, STYLE), left, right],
            layout=w.Layout(display="flex", flex_flow="row wrap", align_items="flex-start"),
        )
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
