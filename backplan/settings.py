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

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ._io.files import ReadError, as_path, read_capped, write_atomic
from ._io.json import load_json
from ._io.typed import Text
from .errors import BackplanError, PlanError, Problem

__all__ = [
    "MAX_SETTINGS_BYTES",
    "ClinicSettings",
    "SettingsError",
    "load_settings",
    "save_settings",
    "settings_path",
]

#: The largest clinic settings file read (three short fields need well under 1 KB).
MAX_SETTINGS_BYTES = 64 * 1024


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

    clinic: Text = Field("", max_length=200)
    phone: Text = Field("", max_length=60)
    physio: Text = Field("", max_length=200)


def settings_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Where the clinic settings are read from and written to (see the module notes)."""
    if path is not None:
        return as_path(path)
    if os.environ.get("BACKPLAN_SETTINGS"):
        return Path(os.environ["BACKPLAN_SETTINGS"])
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "backplan" / "clinic.json"


def load_settings(path: str | os.PathLike[str] | None = None) -> ClinicSettings:
    """Read the clinic settings; empty settings when the file does not exist.

    Raises
    ------
    SettingsError
        Naming the file: unreadable, not a file (a folder, a device such as ``/dev/zero``,
        a pipe), over :data:`MAX_SETTINGS_BYTES`, not JSON, or a field that is not valid.
    """
    p = settings_path(path)
    try:
        raw = read_capped(p, MAX_SETTINGS_BYTES, "clinic settings file", str(p))
    except ReadError as exc:
        if isinstance(exc.__cause__, FileNotFoundError):
            return ClinicSettings()
        raise SettingsError(f"{exc} (clinic settings)") from None
    try:
        data = load_json(raw, str(p))
    except PlanError:
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
    if not isinstance(settings, ClinicSettings):
        raise SettingsError(f"settings: expected ClinicSettings, got {type(settings).__name__}")
    return write_atomic(settings_path(path), settings.model_dump_json(indent=2) + "\n")
