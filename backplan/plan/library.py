"""A clinic's folder of patients' plans: list, search, open, save, save as new; templates.

Plans are saved as ``<patient-label>_<start-date>.json`` in one folder, so each patient's
plan has its own file. Saving never replaces a file that holds another patient's plan
unless the caller says so (:class:`PlanClashError` first). Every file is written
atomically with :func:`backplan.save_plan`.

The folder is, in order: the ``folder`` argument, the environment variable
``BACKPLAN_LIBRARY``, or ``backplan-plans`` in the user's home folder. Front ends show it
by :attr:`PlanLibrary.label`, never as a server path.

Examples
--------
>>> import tempfile
>>> import backplan as bp
>>> lib = PlanLibrary(tempfile.mkdtemp())
>>> plan = bp.build_plan(bp.load_catalogue(), "beginners", patient="Mrs A. Smith",
...                      start_date="2026-01-05")
>>> lib.save(plan)
'mrs-a-smith_2026-01-05.json'
>>> [e.patient for e in lib.entries("smith")]
['Mrs A. Smith']
>>> other = plan.model_copy(update={"patient": "Mr B. Jones"})
>>> lib.save(other, "mrs-a-smith_2026-01-05.json")
Traceback (most recent call last):
...
backplan.plan.library.PlanClashError: mrs-a-smith_2026-01-05.json holds the plan of Mrs A. Smith, not Mr B. Jones
>>> lib.save_as_new(plan)
'mrs-a-smith_2026-01-05-2.json'
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..errors import BackplanError
from .model import Plan
from .store import load_plan, save_plan
from .templates import (
    PlanTemplate,
    TemplateError,
    load_template,
    save_template,
    shipped_templates,
    template_id,
)

__all__ = [
    "PlanClashError",
    "PlanEntry",
    "PlanLibrary",
    "default_library_folder",
    "plan_file_name",
]

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,120}\.json$")


class PlanClashError(BackplanError):
    """Saving would replace another patient's plan."""

    def __init__(self, name: str, existing: str, new: str) -> None:
        self.name, self.existing, self.new = name, existing, new
        super().__init__(
            f"{name} holds the plan of {existing or 'an unnamed patient'}, "
            f"not {new or 'an unnamed patient'}"
        )


@dataclass(frozen=True)
class PlanEntry:
    """One saved plan as a list shows it."""

    name: str
    patient: str
    start_date: date
    level: str
    weeks: int
    saved: datetime


def default_library_folder() -> Path:
    """``$BACKPLAN_LIBRARY``, or ``backplan-plans`` in the user's home folder."""
    if os.environ.get("BACKPLAN_LIBRARY"):
        return Path(os.environ["BACKPLAN_LIBRARY"]).expanduser()
    return Path.home() / "backplan-plans"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def plan_file_name(plan: Plan) -> str:
    """A safe file name from the patient label and start date.

    Examples
    --------
    >>> import backplan as bp
    >>> plan = bp.build_plan(bp.load_catalogue(), "beginners", patient="../José O'Neil",
    ...                      start_date="2026-02-01")
    >>> plan_file_name(plan)
    'jose-o-neil_2026-02-01.json'
    """
    return f"{_slug(plan.patient) or 'no-name'}_{plan.start_date.isoformat()}.json"


class PlanLibrary:
    """The plans (and the clinic's own templates) in one folder.

    Parameters
    ----------
    folder : path-like, optional
        Where plans live; :func:`default_library_folder` by default. Created when first
        saved to.

    Attributes
    ----------
    problems : list of str
        Files the last :meth:`entries` could not read, with the reason.
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_library_folder()
        self.problems: list[str] = []
        # file name -> (modified time, size, entry or problem): a search reads each
        # plan file once, not on every key press.
        self._seen: dict[str, tuple[float, int, PlanEntry | str]] = {}

    @property
    def label(self) -> str:
        """The folder's name as a physio knows it (never the full server path)."""
        home = Path.home()
        try:
            inside = self.folder.resolve().relative_to(home.resolve())
        except ValueError:
            return f"'{self.folder.name}'"
        return f"'{inside.as_posix()}' in your home folder"

    def _path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise BackplanError(
                f"{name!r} is not a plan file name (lower-case letters, digits, '-', '_' "
                "and '.', ending in .json)"
            )
        return self.folder / name

    def entries(self, search: str = "") -> list[PlanEntry]:
        """Saved plans whose patient label or file name contains ``search``, newest first."""
        self.problems = []
        found = []
        needle = search.strip().lower()
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            entry = self._entry(path)
            if isinstance(entry, str):
                self.problems.append(entry)
            elif not needle or needle in entry.patient.lower() or needle in entry.name:
                found.append(entry)
        return sorted(found, key=lambda e: (e.saved, e.name), reverse=True)

    def _entry(self, path: Path) -> PlanEntry | str:
        """The list entry for one file (or why it cannot be read), read again only when
        the file changed."""
        try:
            stat = path.stat()
        except OSError as exc:
            return f"{path.name}: cannot read ({exc.strerror})"
        seen = self._seen.get(path.name)
        if seen is not None and seen[:2] == (stat.st_mtime, stat.st_size):
            return seen[2]
        entry: PlanEntry | str
        try:
            plan = load_plan(path)
            entry = PlanEntry(
                name=path.name,
                patient=plan.patient,
                start_date=plan.start_date,
                level=plan.level,
                weeks=plan.weeks,
                saved=datetime.fromtimestamp(stat.st_mtime),
            )
        except BackplanError as exc:
            entry = f"{path.name}: {str(exc).replace(str(path), path.name)}"
        self._seen[path.name] = (stat.st_mtime, stat.st_size, entry)
        return entry

    def open(self, name: str) -> Plan:
        """The plan saved as ``name``."""
        path = self._path(name)
        try:
            return load_plan(path)
        except BackplanError as exc:
            raise BackplanError(str(exc).replace(str(path), name)) from None

    def save(self, plan: Plan, name: str | None = None, *, replace_other: bool = False) -> str:
        """Save ``plan`` as ``name`` (:func:`plan_file_name` by default); return the name.

        Raises
        ------
        PlanClashError
            When ``name`` holds another patient's plan and ``replace_other`` is false.
        """
        if not plan.patient.strip():
            # Two unnamed plans would look like one patient's and replace each other.
            raise BackplanError("patient: type the patient's name or pseudonym before saving")
        name = name or plan_file_name(plan)
        path = self._path(name)
        if path.exists() and not replace_other:
            try:
                existing = load_plan(path).patient
            except BackplanError:
                existing = "a plan backplan cannot read"
            if existing.strip().lower() != plan.patient.strip().lower():
                raise PlanClashError(name, existing, plan.patient)
        self.folder.mkdir(parents=True, exist_ok=True)
        save_plan(plan, path)
        return name

    def save_as_new(self, plan: Plan) -> str:
        """Save ``plan`` under a name no file has yet; return the name."""
        base = plan_file_name(plan)[: -len(".json")]
        name, n = f"{base}.json", 1
        while (self.folder / name).exists():
            n += 1
            name = f"{base}-{n}.json"
        return self.save(plan, name)

    # --- templates ------------------------------------------------------------------------

    @property
    def template_folder(self) -> Path:
        """The clinic's own templates: ``templates`` inside the plans folder."""
        return self.folder / "templates"

    def templates(self) -> dict[str, PlanTemplate]:
        """Shipped templates, then the clinic's own (by id); unreadable ones in ``problems``."""
        out = dict(shipped_templates())
        self.problems = []
        if self.template_folder.is_dir():
            for path in sorted(self.template_folder.glob("*.json")):
                try:
                    out[f"own:{path.stem}"] = load_template(path)
                except TemplateError as exc:
                    self.problems.append(str(exc))
        return out

    def save_template(self, template: PlanTemplate, *, replace: bool = False) -> str:
        """Save one of the clinic's own templates; return its id.

        Raises
        ------
        BackplanError
            When a template of that name exists and ``replace`` is false.
        """
        stem = template_id(template.name)
        path = self.template_folder / f"{stem}.json"
        if path.exists() and not replace:
            raise BackplanError(f"A template called {template.name!r} exists already")
        path.parent.mkdir(parents=True, exist_ok=True)
        save_template(template, path)
        return f"own:{stem}"
