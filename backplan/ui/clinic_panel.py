"""Clinic details, set once: name, phone and physio, kept by :mod:`backplan.settings`.

The details are checked before they are saved (a clinic name; a phone number that looks
like one, since it is how a patient calls back), each problem said beside its field in
plain words. Every open page of the app shares them: each reads the settings file again
when it changed (:meth:`ClinicPanel.sync`, before any handout is made), so another tab
never prints an old phone number.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..settings import ClinicSettings, SettingsError, load_settings, save_settings, settings_path
from ._common import field_error, guarded, plain, plain_words, status_html
from .fold import MadeOnUse

if TYPE_CHECKING:
    from .plan_builder import PlanBuilder

__all__ = ["ClinicPanel", "clinic_problems"]

_WIDE = {"style": {"description_width": "initial"}, "layout": {"width": "420px"}}
_LIMITS = {"clinic": 200, "phone": 60, "physio": 200}
_PHONE = re.compile(r"\+?[0-9 ()./-]+(?:\s*(?:ext\.?|x)\s*[0-9]+)?", re.IGNORECASE)


def clinic_problems(clinic: str, phone: str, physio: str) -> dict[str, str]:
    """What is wrong with clinic details, by field, in plain words (empty when fine).

    Examples
    --------
    >>> clinic_problems("Riverside Physio", "01234 567890", "")
    {}
    >>> clinic_problems("", "call reception", "")
    {'clinic': "Type the clinic's name.", 'phone': "The phone number can hold only digits, spaces, + ( ) - and 'ext'; 'call reception' is not a number a patient can dial."}
    """
    out: dict[str, str] = {}
    values = {"clinic": clinic.strip(), "phone": phone.strip(), "physio": physio.strip()}
    for key, limit in _LIMITS.items():
        if len(values[key]) > limit:
            out[key] = f"At most {limit} characters (this has {len(values[key]):,})."
    if not values["clinic"] and "clinic" not in out:
        out["clinic"] = "Type the clinic's name."
    number = values["phone"]
    if "phone" not in out:
        digits = sum(ch.isascii() and ch.isdigit() for ch in number)
        if not number:
            out["phone"] = "Type a phone number patients can call."
        elif not _PHONE.fullmatch(number):
            shown = number if len(number) <= 30 else number[:29] + "…"
            out["phone"] = (
                "The phone number can hold only digits, spaces, + ( ) - and 'ext'; "
                f"{shown!r} is not a number a patient can dial."
            )
        elif not 6 <= digits <= 15:
            out["phone"] = f"A phone number has 6 to 15 digits; this has {digits}."
    return out


class ClinicPanel(MadeOnUse):
    """Three fields and a save button; :attr:`settings` is what handouts use.

    The fields are made when first used (the section opened, or a field read, see
    :class:`~backplan.ui.fold.MadeOnUse`), showing the settings of that moment.
    """

    ON_USE = frozenset({"clinic", "phone", "physio", "errors", "save_button", "message"})

    def __init__(self, builder: PlanBuilder, path: str | os.PathLike[str] | None = None) -> None:
        self.builder = builder
        self.path = path
        self._seen: tuple[float, int] | None = None
        try:
            self.settings = load_settings(path)
            self._seen = self._stat()
        except SettingsError as exc:
            self.settings = ClinicSettings()
            builder.say(f"Clinic details not read. {plain_words(exc)}", ok=False)

    def _make(self) -> None:
        self.sync()  # the details saved by then (another page may have changed them)
        self.made = True
        self.clinic = w.Text(value=self.settings.clinic, description="Clinic name", **_WIDE)
        self.phone = w.Text(value=self.settings.phone, description="Clinic phone", **_WIDE)
        self.physio = w.Text(value=self.settings.physio, description="Physio", **_WIDE)
        self.errors = {key: plain(w.HTML) for key in _LIMITS}
        for key, box in self.boxes().items():
            box.add_class(f"bp-clinic-{key}")
            self.errors[key].add_class(f"bp-clinic-{key}-error")
        self.save_button = w.Button(
            description="Save clinic details", icon="save", layout=w.Layout(width="auto")
        )
        self.save_button.add_class("bp-save-clinic")
        self.message = plain(w.HTML)
        self.message.add_class("bp-clinic-message")
        self.save_button.on_click(guarded(self.tell, "save the clinic details")(self._save))

    def boxes(self) -> dict[str, w.Text]:
        return {"clinic": self.clinic, "phone": self.phone, "physio": self.physio}

    def tell(self, message: str, ok: bool = False) -> None:
        """A message beside the save button, repeated in the status line."""
        self.message.value = status_html(message, ok)
        self.builder.say(message, ok)

    def missing(self) -> list[str]:
        """Which of name and phone the saved details lack (for a warning on handouts)."""
        s = self.settings
        return [label for label, value in (("name", s.clinic), ("phone", s.phone)) if not value]

    # --- shared by every open page --------------------------------------------------------

    def _stat(self) -> tuple[float, int] | None:
        try:
            st = settings_path(self.path).stat()
        except OSError:
            return None
        return (st.st_mtime, st.st_size)

    def sync(self) -> ClinicSettings:
        """The saved clinic details, read again if another page saved new ones.

        Fields the physio has not edited here show the new details at once.
        """
        seen = self._stat()
        if seen == self._seen:
            return self.settings
        try:
            fresh = load_settings(self.path)
        except SettingsError:
            return self.settings  # a broken file: keep what this page has, say so on save
        self._seen = seen
        old, self.settings = self.settings, fresh
        for key, box in self.boxes().items() if self.made else ():
            if box.value.strip() == getattr(old, key):
                box.value = getattr(fresh, key)
        if fresh != old and hasattr(self.builder, "downloads"):
            self.builder.downloads.clear()  # files made with the old details
        return fresh

    def _save(self, _: Any = None) -> None:
        values = {key: box.value for key, box in self.boxes().items()}
        problems = clinic_problems(**values)
        for key, box in self.boxes().items():
            self.errors[key].value = field_error(problems[key]) if key in problems else ""
            if key in problems:
                box.add_class("bp-invalid")
            else:
                box.remove_class("bp-invalid")
        if problems:
            self.tell("Clinic details not saved: see the message beside each field.")
            return
        settings = ClinicSettings(**values)
        try:
            save_settings(settings, self.path)
        except OSError as exc:
            self.tell(f"Could not save the clinic details ({plain_words(exc)}).")
            return
        self.settings = settings
        self._seen = self._stat()
        self.builder.downloads.clear()
        self.tell("Clinic details saved; every handout uses them from now on.", ok=True)

    #: The section's heading (the builder shows it, open or folded).
    title = "Clinic details (set once)"

    def rows(self) -> list[w.Widget]:
        """The section's controls under its heading: each field with its message, Save."""
        rows: list[w.Widget] = []
        for key, box in self.boxes().items():
            rows += [box, self.errors[key]]
        return [*rows, self.save_button, self.message]
