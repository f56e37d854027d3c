"""Patients' plans and templates in the builder: the patient list, open, save, earlier
versions, archive, plan files and templates.

Everything goes through :class:`backplan.PlanLibrary` and :mod:`backplan.plan.templates`;
the folder is shown by its name only. Nothing is lost: saving over any file the plan was
not opened from asks first (Replace, keeping the old version, or Keep both); a file
changed since it was opened (another tab, another physio) is refused with when, offering
to reload it or save as new; every replaced version can be restored; a patient is
archived, never deleted. Messages appear beside the buttons that were used.
"""

from __future__ import annotations

import html
from datetime import date
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..errors import BackplanError
from ..identity import same_patient
from ..plan import plan_from_json
from ..plan.library import PlanChangedError, PlanClashError, PlanEntry, PlanLibrary
from ..plan.rules import NextLevel
from ..plan.templates import plan_from_template, template_from_plan
from ._common import guarded, plain, plain_words, status_html, subheading
from .fold import MadeOnUse, reveal
from .transfer import on_upload

if TYPE_CHECKING:
    from .plan_builder import PlanBuilder

__all__ = ["SORTS", "PlansPanel", "entry_label"]

_WIDE = {"style": {"description_width": "initial"}}
#: How the patient list can be sorted: label -> (key of an entry, newest/latest first).
SORTS: dict[str, tuple[Any, bool]] = {
    "Last saved": (lambda e: (e.saved, e.name), True),
    "Patient": (lambda e: (e.patient.casefold(), e.start_date), False),
    "Start date": (lambda e: (e.start_date, e.patient.casefold()), True),
    "End date": (lambda e: (e.end_date, e.patient.casefold()), True),
    "Status": (lambda e: (("active", "finished", "archived").index(e.status), e.end_date), False),
}
_DECISION = {"progress": "progress", "hold": "hold", "step back": "step back"}


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def entry_label(e: PlanEntry) -> str:
    """One line of the patient list: who, which plan, when, the last review, the status.

    Examples
    --------
    >>> from datetime import datetime
    >>> e = PlanEntry("ann_2026-01-05.json", "Ann", date(2026, 1, 5), "beginners", 6,
    ...               datetime(2026, 1, 5), date(2026, 2, 15), last_decision="hold",
    ...               last_review=date(2026, 1, 26), status="finished")
    >>> entry_label(e)
    'Ann · beginners, 6 weeks · 5 Jan 2026 to 15 Feb 2026 · last review: hold on 26 Jan 2026 · finished'
    """
    review = (
        f"last review: {_DECISION.get(e.last_decision, e.last_decision)} on {_day(e.last_review)}"
        if e.last_review
        else "no review yet"
    )
    return (
        f"{e.patient or '(no name)'} · {e.level}, {e.weeks} weeks · {_day(e.start_date)} to "
        f"{_day(e.end_date)} · {review} · {e.status}"
    )


def _button(description: str, css: str, **kwargs: Any) -> w.Button:
    kwargs.setdefault("layout", w.Layout(width="auto"))
    button = w.Button(description=description, **kwargs)
    button.add_class(css)
    return button


class PlansPanel(MadeOnUse):
    """The "Patients" section (list, open, versions, archive, plan files, templates) and the
    toolbar's Save and Save as new buttons.

    The section's controls are made when first used (the section opened, or a control
    read, see :class:`~backplan.ui.fold.MadeOnUse`); the toolbar's at once.
    """

    ON_USE = frozenset(
        [
            "where",
            "search",
            "show",
            "sort",
            "plans",
            "open_button",
            "archive_button",
            "message",
            "versions",
            "restore_button",
            "versions_row",
            "upload_plan",
            "templates",
            "template_about",
            "use_template",
            "template_name",
            "save_template",
            "template_message",
        ]
    )

    def __init__(self, builder: PlanBuilder, library: PlanLibrary) -> None:
        self.builder = builder
        self.library = library
        self._pending: str | None = None
        self._entries: list[PlanEntry] = []
        self._templates: dict[str, Any] = {}
        # The toolbar's buttons, always in view.
        self.save_button = _button("Save plan", "bp-save", icon="save", button_style="primary")
        self.save_new_button = _button("Save as new plan", "bp-save-new", icon="copy")
        self.replace_button = _button("Replace it", "bp-replace", button_style="danger")
        self.keep_button = _button("Keep both: save as new", "bp-keep-both")
        self.reload_button = _button("Reload theirs (lose my changes)", "bp-reload")
        self.confirm_text = plain(w.HTML)
        self.confirm = w.VBox(layout=w.Layout(display="none"))  # filled when first asked
        self.confirm.add_class("bp-confirm")
        toolbar = self.builder.say_error
        for button, handler in (
            (self.save_button, self._save),
            (self.save_new_button, self._save_new),
            (self.replace_button, self._replace),
            (self.keep_button, self._keep_both),
            (self.reload_button, self._reload),
        ):
            doing = "reload the plan" if button is self.reload_button else "save the plan"
            button.on_click(guarded(toolbar, doing)(handler))

    def _make(self) -> None:
        """Make the section's controls (the list, versions, templates) and fill them."""
        self.made = True
        library = self.library
        self.where = plain(
            w.HTML,
            f"Plans are kept in {html.escape(library.label)}, one file per patient and start "
            "date. Replaced versions are kept; archived patients can be brought back.",
        )
        self.search = w.Text(description="Find patient", placeholder="part of a name", **_WIDE)
        self.search.add_class("bp-search")
        self.show = w.Dropdown(
            options=[("Current plans", "current"), ("Archived", "archived"), ("All", "all")],
            value="current",
            description="Show",
            layout=w.Layout(width="auto"),
        )
        self.show.add_class("bp-show")
        self.sort = w.Dropdown(
            options=list(SORTS), value="Last saved", description="Sort by",
            layout=w.Layout(width="auto"),
        )  # fmt: skip
        self.sort.add_class("bp-sort")
        self.plans = w.Select(
            options=[], rows=8, description="Patients", layout=w.Layout(width="98%"), **_WIDE
        )
        self.plans.add_class("bp-plans")
        self.open_button = _button("Open plan", "bp-open", icon="folder-open")
        self.archive_button = _button("Archive", "bp-archive", icon="archive",
                                      tooltip="Move out of the list; never deleted")  # fmt: skip
        self.message = plain(w.HTML)
        self.message.add_class("bp-plans-message")
        # Earlier versions of the open plan.
        self.versions = w.Dropdown(description="Earlier versions", options=[], **_WIDE,
                                   layout=w.Layout(width="auto"))  # fmt: skip
        self.versions.add_class("bp-versions")
        self.restore_button = _button("Restore this version", "bp-restore", icon="history")
        self.versions_row = w.HBox(
            [self.versions, self.restore_button],
            layout=w.Layout(display="none", flex_flow="row wrap"),
        )
        self.upload_plan = w.FileUpload(
            accept=".json", multiple=False, description="Open a plan file…",
            tooltip="Open a plan file saved on this computer", layout=w.Layout(width="auto"),
        )  # fmt: skip
        self.upload_plan.add_class("bp-upload-plan")
        self.templates = w.Dropdown(description="Template", **_WIDE)
        self.templates.add_class("bp-template")
        self.template_about = plain(w.HTML)
        self.use_template = _button("Start plan from template", "bp-use-template", icon="file")
        self.template_name = w.Text(description="New template name", **_WIDE)
        self.template_name.add_class("bp-template-name")
        self.save_template = _button("Save as template", "bp-save-template", icon="save")
        self.template_message = plain(w.HTML)
        self.template_message.add_class("bp-template-message")
        self.search.observe(lambda _: self.refresh(), names="value")
        self.show.observe(lambda _: self.refresh(), names="value")
        self.sort.observe(lambda _: self.refresh(), names="value")
        self.plans.observe(lambda _: self._selected(), names="value")
        self.templates.observe(lambda _: self._describe(), names="value")
        here, kept = self.tell, self.tell_template
        for button, handler, doing, show in (
            (self.open_button, self._open, "open the plan", here),
            (self.archive_button, self._archive, "archive the plan", here),
            (self.restore_button, self._restore, "restore that version", here),
            (self.use_template, self._use_template, "start from the template", kept),
            (self.save_template, self._save_template, "save the template", kept),
        ):
            button.on_click(guarded(show, doing)(handler))
        on_upload(self.upload_plan, guarded(here, "open the plan file")(self._open_upload))
        self.refresh()
        self.refresh_versions()
        self.refresh_templates()

    # --- messages -------------------------------------------------------------------------

    def tell(self, message: str, ok: bool = False) -> None:
        """A message beside the patient list's buttons, repeated in the status line."""
        self.message.value = status_html(message, ok)
        self.builder.say(message, ok)

    def tell_template(self, message: str, ok: bool = False) -> None:
        """A message beside the template buttons, repeated in the status line."""
        self.template_message.value = status_html(message, ok)
        self.builder.say(message, ok)

    # --- lists ----------------------------------------------------------------------------

    def refresh(self, select: str | None = None) -> None:
        """List the saved plans matching the search box, sorted as chosen."""
        if not self.made:
            return
        entries = self.library.entries(self.search.value, show=self.show.value)
        key, reverse = SORTS[self.sort.value]
        self._entries = sorted(entries, key=key, reverse=reverse)
        self.plans.options = [(entry_label(e), e.name) for e in self._entries]
        names = {e.name for e in self._entries}
        if select is not None and select in names:
            self.plans.value = select
        self._selected()
        if self.library.problems:
            self.message.value = status_html(
                "Some plan files could not be read:\n" + "\n".join(self.library.problems),
                ok=False,
            )

    def _selected(self) -> None:
        entry = next((e for e in self._entries if e.name == self.plans.value), None)
        archived = entry is not None and entry.status == "archived"
        self.archive_button.description = "Bring back" if archived else "Archive"

    def refresh_versions(self) -> None:
        """List the earlier versions of the open plan's file."""
        if not self.made:
            return
        name = self.builder.saved_as
        found = self.library.versions(name) if name else []
        self.versions.options = [
            (
                f"replaced {_day(v.replaced.date())} {v.replaced:%H:%M:%S} · "
                f"{v.plan.patient} · {v.plan.weeks} weeks"
                + (f" · {len(v.plan.revisions)} revisions" if v.plan.revisions else ""),
                v.id,
            )
            for v in found
        ]
        if found:
            self.versions.value = found[0].id
        self.restore_button.disabled = not found
        self.versions_row.layout.display = "flex" if found else "none"

    def refresh_templates(self, select: str | None = None) -> None:
        """List the shipped templates and the clinic's own."""
        if not self.made:
            return
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

    def forget(self) -> None:
        """A new patient: no open file, no question pending, no earlier versions."""
        self._pending = None
        self.confirm.layout.display = "none"
        if not self.made:
            return
        self.versions.options = []
        self.restore_button.disabled = True
        self.versions_row.layout.display = "none"
        self.message.value = ""

    # --- opening --------------------------------------------------------------------------

    def _chosen(self) -> PlanEntry | None:
        """The entry chosen in the list (``None``, said beside the list, when none is)."""
        entry = next((e for e in self._entries if e.name == self.plans.value), None)
        if entry is None:
            self.tell("Choose a patient in the list first.")
        return entry

    def _open(self, _: Any = None) -> None:
        entry = self._chosen()
        if entry is None:
            return
        name = entry.name
        if entry.status == "archived":
            self.tell("This plan is archived: click Bring back first, then open it.")
            return
        self.builder.confirm_discard(f"Open the plan of {entry.patient}", lambda: self.open(name))

    def open(self, name: str) -> None:
        """Open the saved plan ``name`` in the form."""
        try:
            plan, stamp = self.library.open_stamped(name)
            self.builder.apply_plan(plan)
        except BackplanError as exc:
            self.tell(f"Could not open the plan. {plain_words(exc)}")
            return
        self.builder.mark_saved(name, stamp)
        self.confirm.layout.display = "none"
        self.refresh_versions()
        if self.made:
            self.message.value = status_html(f"Opened the plan of {plan.patient}.", ok=True)
        self.builder.say(f"Opened the plan of {plan.patient or '(no name)'}.", ok=True, keep=True)

    def _open_upload(self, name: str, data: bytes) -> None:
        shown = name if len(name) <= 60 else name[:57] + "…"
        try:
            plan = plan_from_json(data, shown)  # bytes: not UTF-8 is a PlanError
        except BackplanError as exc:
            self.tell(f"Could not open {shown}: it is not a backplan plan file. "
                      f"{plain_words(exc)}")  # fmt: skip
            return

        def apply() -> None:
            self.builder.apply_plan(plan)
            self.builder.saved_as = self.builder.opened = None  # not in the plans folder yet
            self.forget()
            self.builder._mark_unsaved()
            self.message.value = status_html(f"Opened {shown}.", ok=True)
            self.builder.say(
                f"Opened {shown} (the plan of {plan.patient or '(no name)'}). Save it to keep "
                "it in the plans folder.",
                ok=True,
                keep=True,
            )

        self.builder.confirm_discard(f"Open {shown}", apply)

    def _restore(self, _: Any = None) -> None:
        name, version = self.builder.saved_as, self.versions.value
        if not name or not version:
            self.tell("Open a plan that has earlier versions first.")
            return
        old = self.library.open_version(name, version)

        def apply() -> None:
            stamp = self.builder.opened
            self.builder.apply_plan(old)
            self.builder.saved_as, self.builder.opened = name, stamp
            self.builder._mark_unsaved()
            self.tell(
                "Restored the earlier version in the form. Save to make it the current plan "
                "(the version it replaces is kept too).",
                ok=True,
            )

        self.builder.confirm_discard("Restore the earlier version", apply)

    def _archive(self, _: Any = None) -> None:
        entry = self._chosen()
        if entry is None:
            return
        name = entry.name
        if entry.status == "archived":
            self.library.unarchive(name)
            self.refresh()
            self.tell(f"Brought back the plan of {entry.patient}.", ok=True)
            return
        self.library.archive(name)
        if self.builder.saved_as == name:
            self.builder.mark_saved(None, None)
        self.refresh()
        self.tell(
            f"Archived the plan of {entry.patient} (not deleted: choose Show: Archived to "
            "see it or bring it back).",
            ok=True,
        )

    # --- saving ---------------------------------------------------------------------------

    def _ready(self, action: str) -> bool:
        if self.builder.problem is not None:
            self.builder.say(f"{action} {self.builder.problem}", ok=False)
            return False
        return not self.builder.refuse_warnings(action)

    def _save(self, _: Any = None) -> None:
        b = self.builder
        name, over = None, None
        if b.saved_as and b.opened is not None:
            try:
                opened = self.library.open(b.saved_as).patient
            except BackplanError:
                opened = ""
            if same_patient(opened, b.plan.patient):
                name, over = b.saved_as, b.opened
        self.save_to(name, over)

    def save_to(self, name: str | None = None, over: Any = None) -> None:
        """Save the plan as ``name`` (from the patient and start date by default) over the
        version ``over`` it was opened from, asking before it replaces anything else."""
        if not self._ready("Not saved."):
            return
        plan = self.builder.plan
        try:
            name = self.library.save(plan, name, over=over)
        except PlanChangedError as exc:
            self._ask(exc.name, f"<b>{html.escape(str(exc))}.</b>", changed=True)
            return
        except PlanClashError as exc:
            when = self._about(exc.name)
            if exc.same:
                text = (
                    f"<b>{html.escape(exc.name)} already holds a plan of "
                    f"{html.escape(exc.existing)}{when}.</b> This plan was not opened from "
                    "it. Replace it (its old version is kept), or keep both?"
                )
            else:
                text = (
                    f"<b>{html.escape(exc.name)} holds the plan of "
                    f"{html.escape(exc.existing or '(no name)')}{when}.</b> Replace it with "
                    f"this plan for {html.escape(plan.patient or '(no name)')} (its old "
                    "version is kept), or keep both?"
                )
            self._ask(exc.name, text, changed=False)
            return
        except BackplanError as exc:
            self.builder.say(f"Could not save the plan. {plain_words(exc)}", ok=False)
            return
        self._saved(name)

    def _about(self, name: str) -> str:
        stamp = self.library.stamp(name)
        return (
            "" if stamp is None else f", saved {_day(stamp.modified.date())} {stamp.modified:%H:%M}"
        )

    def _ask(self, name: str, text: str, changed: bool) -> None:
        self._pending = name
        self.confirm_text.value = text
        self.replace_button.layout.display = "none" if changed else None
        self.reload_button.layout.display = None if changed else "none"
        self.keep_button.description = (
            "Save mine as a new plan" if changed else "Keep both: save as new"
        )
        buttons = [self.keep_button, self.replace_button, self.reload_button]
        reveal(self.confirm, [self.confirm_text, plain(w.HBox, buttons)], display="")
        self.builder.say("Not saved yet: choose below the buttons.", ok=False)

    def _saved(self, name: str) -> None:
        self.confirm.layout.display = "none"
        self._pending = None
        self.builder.mark_saved(name, self.library.stamp(name))
        self.refresh(select=name)
        self.refresh_versions()
        who = self.builder.plan.patient or "(no name)"
        self.builder.say(f"Saved the plan of {who} as {name}.", ok=True)

    def _save_new(self, _: Any = None) -> None:
        if not self._ready("Not saved."):
            return
        self.builder.renew_id()  # another plan than the one opened: its own id
        name = self.library.save_as_new(self.builder.plan)
        self._saved(name)

    def _replace(self, _: Any = None) -> None:
        name = self.library.save(self.builder.plan, self._pending, replace_other=True)
        self._saved(name)

    def _keep_both(self, _: Any = None) -> None:
        self._save_new()

    def _reload(self, _: Any = None) -> None:
        if self._pending:
            self.confirm.layout.display = "none"
            self.open(self._pending)

    # --- templates ------------------------------------------------------------------------

    def _use_template(self, _: Any = None) -> None:
        t = self._templates.get(self.templates.value)
        if t is None:
            self.tell_template("Choose a template first.")
            return
        b = self.builder
        if b.problem is not None and any(
            key in (b.problem or "") for key in ("patient:", "clinician:", "notes:")
        ):
            self.tell_template(f"Template not used. {b.problem}")
            return
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
        except (BackplanError, ValueError) as exc:
            self.tell_template(f"Template not used. {plain_words(exc)}")
            return

        def apply() -> None:
            b.revisions = ()
            b.apply_plan(plan)
            b.saved_as = b.opened = None  # a new plan: Save asks before replacing any file
            self.forget()
            b._mark_unsaved()
            self.tell_template(f"Started a new plan from the template '{t.name}'.", ok=True)
            used = {p.exercise for p in plan.all_prescriptions()}
            left = [p.exercise for p in t.prescriptions if p.exercise not in used]
            left += [p.exercise for r in t.progression if isinstance(r, NextLevel)
                     for p in r.prescriptions if p.exercise not in used]  # fmt: skip
            if left:
                names = ", ".join(dict.fromkeys(b.form.names[ex] for ex in left))
                b.say(f"Left out for this patient's restrictions: {names}.", ok=True, keep=True)

        b.confirm_discard(f"Start from the template '{t.name}'", apply, keeps_details=True)

    def _save_template(self, _: Any = None) -> None:
        if not self._ready("Template not saved."):
            return
        name = self.template_name.value.strip()
        if not name:
            self.tell_template("Type a name for the template first.")
            return
        try:
            key = self.library.save_template(template_from_plan(self.builder.plan, name))
        except (BackplanError, ValueError) as exc:
            self.tell_template(f"Could not save the template. {plain_words(exc)}")
            return
        self.refresh_templates(select=key)
        self.tell_template(f"Saved the template '{name}' (no patient details).", ok=True)

    # --- layout ---------------------------------------------------------------------------

    #: The section's heading (the builder shows it, open or folded).
    title = "Patients"

    def rows(self) -> list[w.Widget]:
        """The section's controls under its heading: the list, its buttons, the earlier
        versions and the templates."""
        return [
            self.where,
            plain(
                w.HBox, [self.search, self.show, self.sort], layout=w.Layout(flex_flow="row wrap")
            ),
            self.plans,
            plain(
                w.HBox,
                [self.open_button, self.archive_button, self.upload_plan],
                layout=w.Layout(flex_flow="row wrap"),
            ),
            self.message,
            self.versions_row,
            subheading("Templates"),
            plain(w.HBox, [self.templates, self.use_template]),
            self.template_about,
            plain(w.HBox, [self.template_name, self.save_template]),
            self.template_message,
        ]
