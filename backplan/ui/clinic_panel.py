"""Clinic details, set once: name, phone and physio, kept by :mod:`backplan.settings`."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import ipywidgets as w
from pydantic import ValidationError

from ..settings import ClinicSettings, SettingsError, load_settings, save_settings
from ._common import heading, plain

if TYPE_CHECKING:
    from .plan_builder import PlanBuilder

__all__ = ["ClinicPanel"]

_WIDE = {"style": {"description_width": "initial"}, "layout": {"width": "420px"}}


class ClinicPanel:
    """Three fields and a save button; :attr:`settings` is what handouts use."""

    def __init__(self, builder: PlanBuilder, path: str | os.PathLike[str] | None = None) -> None:
        self.builder = builder
        self.path = path
        try:
            self.settings = load_settings(path)
        except SettingsError as exc:
            self.settings = ClinicSettings()
            builder.say(f"Clinic details not read. {exc}", ok=False)
        self.clinic = w.Text(value=self.settings.clinic, description="Clinic name", **_WIDE)
        self.phone = w.Text(value=self.settings.phone, description="Clinic phone", **_WIDE)
        self.physio = w.Text(value=self.settings.physio, description="Physio", **_WIDE)
        self.save_button = w.Button(
            description="Save clinic details", icon="save", layout=w.Layout(width="auto")
        )
        self.save_button.add_class("bp-save-clinic")
        self.save_button.on_click(self._save)

    def _save(self, _: Any = None) -> None:
        try:
            settings = ClinicSettings(
                clinic=self.clinic.value, phone=self.phone.value, physio=self.physio.value
            )
            save_settings(settings, self.path)
        except ValidationError as exc:
            first = exc.errors()[0]
            self.builder.say(f"{first['loc'][0]}: {first['msg']}", ok=False)
            return
        except OSError as exc:
            self.builder.say(f"Could not save the clinic details ({exc.strerror}).", ok=False)
            return
        self.settings = settings
        self.builder.downloads.clear()
        self.builder.say("Clinic details saved; every handout uses them from now on.", ok=True)

    def layout(self) -> w.VBox:
        return plain(
            w.VBox,
            [
                heading("Clinic details (set once)"),
                self.clinic,
                self.phone,
                self.physio,
                self.save_button,
            ],
        )
