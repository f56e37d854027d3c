"""Handouts and the plan file, made for the browser to save: PDF, web page, Excel, JSON.

Each file is made in a private temporary folder, sent to the browser as a download link
and removed from the server; no server path is shown. Handouts carry the clinic details
from :mod:`backplan.settings`.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..plan import plan_to_json
from ..plan.library import plan_file_name
from ._common import field_error, guarded, heading, plain, plain_words, status_html
from .transfer import MIME, download_link, via_temp_file

if TYPE_CHECKING:
    from .plan_builder import PlanBuilder

__all__ = ["DownloadsPanel", "handouts_available"]


def handouts_available() -> bool:
    """Whether ``backplan.handout`` (and so PDF, HTML and Excel handouts) is installed."""
    return importlib.util.find_spec("backplan.handout") is not None


class DownloadsPanel:
    """A button that makes the files and a row of links that save them."""

    def __init__(self, builder: PlanBuilder) -> None:
        self.builder = builder
        self.has_handouts = handouts_available()
        self.large_print = w.Checkbox(description="Large print", indent=False)
        self.large_print.add_class("bp-large-print")
        self.make_button = plain(
            w.Button,
            description="Make handouts and plan file" if self.has_handouts else "Make plan file",
            icon="download",
            layout=w.Layout(width="auto"),
        )
        self.make_button.add_class("bp-make-downloads")
        self.message = plain(w.HTML)
        self.message.add_class("bp-downloads-message")
        self.clinic_note = plain(w.HTML)
        self.clinic_note.add_class("bp-clinic-missing")
        self.make_button.on_click(guarded(self.tell, "make the files")(self.make))
        self.links = plain(w.HTML)
        self.links.add_class("bp-download")
        self.large_print.observe(lambda _: self.clear(), names="value")

    def clear(self) -> None:
        """Forget links made for an older version of the plan (and say again, beside the
        button, when the clinic's name or phone is missing)."""
        self.links.value = ""
        self.message.value = ""
        clinic = getattr(self.builder, "clinic", None)
        missing = clinic.missing() if clinic is not None else []
        note = self._no_clinic(missing) if missing else ""
        if self.clinic_note.value != note:
            self.clinic_note.value = note

    @staticmethod
    def _no_clinic(missing: list[str]) -> str:
        return field_error(
            f"The handouts will have no clinic {' or '.join(missing)}: the patient will not "
            "know whom to call. Open Clinic details (at the end of the page), fill them in "
            "and save."
        )

    def tell(self, message: str, ok: bool = False) -> None:
        """A message beside the button, repeated in the status line."""
        self.message.value = status_html(message, ok)
        self.builder.say(message, ok)

    def files(self) -> dict[str, tuple[str, bytes]]:
        """``{label: (file name, bytes)}`` for the current plan."""
        b = self.builder
        plan = b.plan
        stem = plan_file_name(plan)[: -len(".json")]
        out = {"Plan file (JSON)": (f"{stem}.json", plan_to_json(plan).encode("utf-8"))}
        if not self.has_handouts:
            return out
        handout = importlib.import_module("backplan.handout")
        # The clinic details this app shows and saves (not whatever settings file the
        # server happens to have): name, phone and physio on every page.
        clinic = b.clinic.sync()
        details = {
            "clinic": clinic.clinic,
            "phone": clinic.phone,
            "physio": clinic.physio,
            "settings": clinic,
        }
        large = self.large_print.value
        extra = "-large-print" if large else ""
        for label, kind, write in (
            ("Handout (PDF)", "pdf", handout.to_pdf),
            ("Handout (web page)", "html", handout.to_html),
        ):
            out[label] = (
                f"{stem}{extra}.{kind}",
                via_temp_file(
                    lambda p, write=write: write(
                        plan, p, catalogue=b.catalogue, large_print=large, **details
                    ),
                    f"handout.{kind}",
                ),
            )
        out["Exercise table (Excel)"] = (
            f"{stem}.xlsx",
            via_temp_file(
                lambda p: handout.to_xlsx(plan, p, catalogue=b.catalogue, **details), "table.xlsx"
            ),
        )
        return out

    def make(self, _: Any = None) -> None:
        b = self.builder
        if b.problem is not None:
            self.tell(f"No files made. {b.problem}")
            return
        if b.refuse_warnings("No files made."):
            self.message.value = status_html("No files made: see the dose warnings.", ok=False)
            return
        try:
            files = self.files()
        except (ValueError, OSError) as exc:  # BackplanError is a ValueError
            self.tell(f"Could not make the files. {plain_words(exc)}")
            return
        self.links.value = "".join(
            download_link(data, name, MIME[name.rsplit(".", 1)[1]], label)
            for label, (name, data) in files.items()
        )
        who = b.plan.patient or "(no name)"
        self.tell(f"Files ready for {who}: click a link to save it on this computer.", ok=True)
        missing = b.clinic.missing()
        if missing:
            self.message.value += status_html(
                f"These handouts have no clinic {' or '.join(missing)}. Fill in Clinic "
                "details, save them and make the files again.",
                ok=False,
            )

    def layout(self) -> w.VBox:
        return plain(
            w.VBox,
            [
                heading("Handouts and files"),
                plain(w.HBox, [self.make_button, self.large_print]),
                self.clinic_note,
                self.builder.dose_warnings.box,
                self.message,
                self.links,
            ],
        )
