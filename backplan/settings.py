"""Clinic details set once and used by every handout and by the app.

The settings live in a small JSON file. Its place is, in order: the ``path`` argument,
the environment variable ``BACKPLAN_SETTINGS``, or ``clinic.json`` in the user's
configuration folder (``$XDG_CONFIG_HOME/backplan`` or ``~/.config/backplan``). A missing
file means no clinic details; a broken file is a :class:`~backplan.errors.SettingsError`
naming the file and field.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "clinic.json"
>>> s = ClinicSettings(clinic="Riverside Physio", phone="01234 567890", physio="A. Physio")
>>> load_settings(save_settings(s, path)).phone
'01234 567890'
>>> load_settings(path.with_name("none.json")) == ClinicSettings()
True
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ._io.files import write_atomic
from .errors import BackplanError, Problem

__all__ = ["ClinicSettings", "SettingsError", "load_settings", "save_settings", "settings_path"]


class SettingsError(BackplanError):
    """The clinic settings file could not be read."""


class ClinicSettings(BaseModel):
    """The clinic's details for handout headers and footers; every field is optional.

    Attributes
    ----------
    clinic : str
        The clinic's name.
    phone : str
        A phone number patients can call.
    physio : str
        The physio's name or contact (shown when a plan names no clinician).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    clinic: str = Field("", max_length=200)
    phone: str = Field("", max_length=60)
    physio: str = Field("", max_length=200)


def settings_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Where the clinic settings are read from and written to (see the module notes)."""
    if path is not None:
        return Path(path)
    if os.environ.get("BACKPLAN_SETTINGS"):
        return Path(os.environ["BACKPLAN_SETTINGS"])
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "backplan" / "clinic.json"


def load_settings(path: str | os.PathLike[str] | None = None) -> ClinicSettings:
    """Read the clinic settings; empty settings when the file does not exist."""
    p = settings_path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        return ClinicSettings()
    except OSError as exc:
        raise SettingsError(f"{p}: cannot read the clinic settings ({exc.strerror})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SettingsError(f"{p}: expected a JSON object of clinic details") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{p}: expected a JSON object of clinic details")
    try:
        return ClinicSettings.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(str(p), None, ".".join(map(str, e["loc"])) or None, str(e["msg"]))
            for e in exc.errors()
        ]
        lines = [f"{p}: clinic settings", *(f"  - {x}" for x in problems)]
        raise SettingsError("\n".join(lines)) from None


def save_settings(settings: ClinicSettings, path: str | os.PathLike[str] | None = None) -> Path:
    """Write the clinic settings atomically and return the file's path."""
    return write_atomic(settings_path(path), settings.model_dump_json(indent=2) + "\n")
