"""Patients' plans and templates in the builder: find, open, save, save as new, upload.

Everything goes through :class:`backplan.PlanLibrary` and :mod:`backplan.plan.templates`; the
folder is shown by its name only. Saving over another patient's plan asks first.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..errors import BackplanError
from ..plan import plan_from_json
from ..plan.library import PlanClashError, PlanLibrary
from ..plan.rules import NextLevel
from ..plan.templates import TemplateError, plan_from_template, template_from_plan
from ._common import heading, plain
from .transfer import on_upload

if TYPE_CHECKING:
    from .plan_builder import PlanBuilder

__all__ = ["PlansPanel"]

_WIDE = {"style": {"description_width": "initial"}}


class PlansPanel:
    """The "Patients' plans" and "Templates" sections of the builder."""

    def __init__(self, builder: PlanBuilder, library: PlanLibrary) -> None:
        self.builder = builder
        self.library = library
        self.where = plain(
            w.HTML,
            f"Plans are kept in {html.escape(library.label)}, one file per patient and start date.",
        )
        self.search = w.Text(description="Find patient", placeholder="part of a name", **_WIDE)
        self.search.add_class("bp-search")
        self.plans = w.Select(
            options=[], rows=6, description="Saved plans", layout=w.Layout(width="460px"), **_WIDE
        )
        self.plans.add_class("bp-plans")
        self.open_button = plain(w.Button, description="Open plan", icon="folder-open")
        self.save_button = plain(
            w.Button, description="Save plan", icon="save", button_style="primary"
        )
        self.save_new_button = plain(w.Button, description="Save as new plan", icon="copy")
        self.replace_button = plain(w.Button, description="Replace it", button_style="danger")
        self.keep_button = plain(w.Button, description="Keep both: save as new")
        self.confirm = w.VBox(
            [plain(w.HTML), plain(w.HBox, [self.keep_button, self.replace_button])],
            layout=w.Layout(display="none"),
        )
        self.confirm.add_class("bp-confirm")
        for button, css in (
            (self.open_button, "bp-open"),
            (self.save_button, "bp-save"),
            (self.save_new_button, "bp-save-new"),
            (self.replace_button, "bp-replace"),
            (self.keep_button, "bp-keep-both"),
        ):
            button.add_class(css)
        self.upload_plan = w.FileUpload(
            accept=".json", multiple=False, description="Open a plan file…"
        )
        self.upload_plan.add_class("bp-upload-plan")
        self.templates = w.Dropdown(description="Template", **_WIDE)
        self.templates.add_class("bp-template")
        self.template_about = plain(w.HTML)
        self.use_template = w.Button(
            description="Start plan from template", icon="file", layout=w.Layout(width="auto")
        )
        self.use_template.add_class("bp-use-template")
        self.template_name = w.Text(description="New template name", **_WIDE)
        self.save_template = plain(w.Button, description="Save as template", icon="save")
        self.save_template.add_class("bp-save-template")
        self._pending: Any = None
        self.search.observe(lambda _: self.refresh(), names="value")
        self.templates.observe(lambda _: self._describe(), names="value")
        self.open_button.on_click(self._open)
        self.save_button.on_click(self._save)
        self.save_new_button.on_click(self._save_new)
        self.replace_button.on_click(self._replace)
        self.keep_button.on_click(self._keep_both)
        on_upload(self.upload_plan, self._open_upload)
        self.use_template.on_click(self._use_template)
        self.save_template.on_click(self._save_template)
        self.refresh()
        self.refresh_templates()

    # --- lists ----------------------------------------------------------------------------

    def refresh(self, select: str | None = None) -> None:
        """List the saved plans matching the search box (newest first)."""
        entries = self.library.entries(self.search.value)
        self.plans.options = [
            (
                f"{e.patient or '(no name)'} · starts {e.start_date:%d %b %Y} · {e.level}, "
                f"{e.weeks} weeks",
                e.name,
            )
            for e in entries
        ]
        if select is not None and select in {e.name for e in entries}:
            self.plans.value = select
        if self.library.problems:
            self.builder.say(
                "Some plan files could not be read:\n" + "\n".join(self.library.problems), ok=False
            )

    def refresh_templates(self, select: str | None = None) -> None:
        self._templates = self.library.templates()
        self.templates.options = [
            (t.name + (" (yours)" if key.startswith("own:") else ""), key)
            for key, t in self._templates.items()
        ]
        keys = list(self._templates)
        if select in keys or keys:
            self.templates.value = select if select in keys else keys[0]
        self._describe()

    def _describe(self) -> None:
        t = self._templates.get(self.templates.value)
        self.template_about.value = (
            ""
            if t is None
            else f"<i>{html.escape(t.description)}</i><br><small>Source: "
            f"{html.escape(t.source or 'your clinic')}</small>"
        )

    # --- buttons --------------------------------------------------------------------------

    def _ready(self, action: str) -> bool:
        if self.builder.problem is not None:
            self.builder.say(f"{action} {self.builder.problem}", ok=False)
            return False
        return True

    def _open(self, _: Any = None) -> None:
        if not self.plans.value:
            self.builder.say("Choose a plan in the list first.", ok=False)
            return
        try:
            plan = self.library.open(self.plans.value)
            self.builder.apply_plan(plan)
        except BackplanError as exc:
            self.builder.say(f"Could not open the plan. {exc}", ok=False)
            return
        self.builder.saved_as = self.plans.value
        self.builder.say(f"Opened the plan of {plan.patient or '(no name)'}.", ok=True, keep=True)

    def _save(self, _: Any = None) -> None:
        self.save_to(self.builder.saved_as if self._same_patient() else None)

    def save_to(self, name: str | None = None) -> None:
        """Save the plan as ``name`` (from the patient and start date by default), asking
        before it replaces another patient's plan."""
        if not self._ready("Not saved."):
            return
        plan = self.builder.plan
        try:
            name = self.library.save(plan, name)
        except PlanClashError as exc:
            self._pending = exc.name
            self.confirm.children[0].value = (
                f"<b>{html.escape(exc.name)} holds the plan of "
                f"{html.escape(exc.existing or '(no name)')}.</b> Replace it with this plan "
                f"for {html.escape(plan.patient or '(no name)')}, or keep both?"
            )
            self.confirm.layout.display = ""
            self.builder.say("Not saved yet: choose below.", ok=False)
            return
        except (BackplanError, OSError) as exc:
            self.builder.say(f"Could not save the plan. {exc}", ok=False)
            return
        self._saved(name)

    def _same_patient(self) -> bool:
        name = self.builder.saved_as
        if not name:
            return False
        try:
            return self.library.open(name).patient == self.builder.plan.patient
        except BackplanError:
            return False

    def _saved(self, name: str) -> None:
        self.confirm.layout.display = "none"
        self.builder.saved_as = name
        self.refresh(select=name)
        who = self.builder.plan.patient or "(no name)"
        self.builder.say(f"Saved the plan of {who} as {name}.", ok=True)

    def _save_new(self, _: Any = None) -> None:
        if not self._ready("Not saved."):
            return
        try:
            name = self.library.save_as_new(self.builder.plan)
        except (BackplanError, OSError) as exc:
            self.builder.say(f"Could not save the plan. {exc}", ok=False)
            return
        self._saved(name)

    def _replace(self, _: Any = None) -> None:
        try:
            name = self.library.save(self.builder.plan, self._pending, replace_other=True)
        except (BackplanError, OSError) as exc:
            self.builder.say(f"Could not save the plan. {exc}", ok=False)
            return
        self._saved(name)

    def _keep_both(self, _: Any = None) -> None:
        self._save_new()

    def _open_upload(self, name: str, data: bytes) -> None:
        try:
            plan = plan_from_json(data, name)  # bytes: not UTF-8 is a PlanError
            self.builder.apply_plan(plan)
        except BackplanError as exc:
            self.builder.say(f"Could not open {name}. {exc}", ok=False)
            return
        self.builder.saved_as = None
        self.builder.say(
            f"Opened {name} (the plan of {plan.patient or '(no name)'}). Save it to keep it "
            "in the plans folder.",
            ok=True,
            keep=True,
        )

    def _use_template(self, _: Any = None) -> None:
        t = self._templates.get(self.templates.value)
        if t is None:
            return
        b = self.builder
        try:
            plan = plan_from_template(
                t,
                patient=b.patient.value,
                clinician=b.clinician.value,
                start_date=b.start_date.value,
                notes=b.notes.value,
                restrictions=b.form.restrictions(),  # the patient's, kept
                catalogue=b.catalogue,
            )
        except BackplanError as exc:
            b.say(f"Template not used. {exc}", ok=False)
            return
        b.apply_plan(plan)
        b.saved_as = None
        b.say(f"Started a new plan from the template '{t.name}'.", ok=True, keep=True)
        used = {p.exercise for p in plan.all_prescriptions()}
        left = [p.exercise for p in t.prescriptions if p.exercise not in used]
        left += [p.exercise for r in t.progression if isinstance(r, NextLevel)
                 for p in r.prescriptions if p.exercise not in used]  # fmt: skip
        if left:
            names = ", ".join(dict.fromkeys(b.form.names[ex] for ex in left))
            b.say(f"Left out for this patient's restrictions: {names}.", ok=True, keep=True)

    def _save_template(self, _: Any = None) -> None:
        if not self._ready("Template not saved."):
            return
        name = self.template_name.value.strip()
        if not name:
            self.builder.say("Type a name for the template first.", ok=False)
            return
        try:
            key = self.library.save_template(template_from_plan(self.builder.plan, name))
        except (BackplanError, TemplateError, OSError) as exc:
            self.builder.say(f"Could not save the template. {exc}", ok=False)
            return
        self.refresh_templates(select=key)
        self.builder.say(f"Saved the template '{name}' (no patient details).", ok=True)

    # --- layout ---------------------------------------------------------------------------

    def layout(self) -> w.VBox:
        return plain(
            w.VBox,
            [
                heading("Patients' plans"),
                self.where,
                self.search,
                self.plans,
                plain(w.HBox, [self.open_button, self.save_button, self.save_new_button]),
                self.confirm,
                self.upload_plan,
                heading("Templates"),
                plain(w.HBox, [self.templates, self.use_template]),
                self.template_about,
                plain(w.HBox, [self.template_name, self.save_template]),
            ],
        )
