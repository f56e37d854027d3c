"""A clinic's folder of patients' plans: list, search, open, save, keep old versions, archive.

Plans are saved as ``<patient-label>_<start-date>.json`` in one folder, so each patient's
plan has its own file (the stem comes from :func:`backplan.identity.file_stem`: a name in
another script gets a short hash, never ``no-name``). Nothing is lost:

* saving never replaces a file without a question: a plan that was not opened from that
  file (a new plan, another spelling of the same name, another patient) is a
  :class:`PlanClashError` first, and a file changed since it was opened (another tab,
  another physio) is a :class:`PlanChangedError` naming when;
* every replaced plan keeps its previous version in ``history/`` (:meth:`PlanLibrary.versions`,
  :meth:`PlanLibrary.open_version`);
* a finished patient is archived (moved to ``archived/``), never deleted.

Checking a file and writing it happen under one lock on the folder, and a new file is
created exclusively, so two physios saving at the same moment never replace each other's
plan. Every file is written atomically with :func:`backplan.save_plan`.

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
>>> [e.patient for e in lib.entries("SMITH")]
['Mrs A. Smith']
>>> other = plan.model_copy(update={"patient": "Mr B. Jones"})
>>> lib.save(other, "mrs-a-smith_2026-01-05.json")
Traceback (most recent call last):
...
backplan.plan.library.PlanClashError: mrs-a-smith_2026-01-05.json holds the plan of Mrs A. Smith, not Mr B. Jones
>>> lib.save(plan.model_copy(update={"weeks": 8}))  # this library saved it: its own plan
'mrs-a-smith_2026-01-05.json'
>>> [v.plan.weeks for v in lib.versions("mrs-a-smith_2026-01-05.json")]
[6]
>>> lib.save_as_new(plan)
'mrs-a-smith_2026-01-05-2.json'
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal

from ..errors import BackplanError
from ..identity import file_stem, patient_key, same_patient
from .model import Plan, plan_argument
from .store import load_plan, plan_from_json, plan_to_json, save_plan
from .templates import (
    PlanTemplate,
    TemplateError,
    load_template,
    save_template,
    shipped_templates,
    template_id,
)

__all__ = [
    "PlanChangedError",
    "PlanClashError",
    "PlanEntry",
    "PlanLibrary",
    "PlanStamp",
    "PlanVersion",
    "default_library_folder",
    "plan_file_name",
]

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,120}\.json$")
_VERSION = re.compile(r"^\d{8}T\d{6}-\d{6}$")
Status = Literal["active", "finished", "archived"]
#: What :meth:`PlanLibrary.entries` can show: plans in use, archived ones, or all.
SHOW = ("current", "archived", "all")
_UNSET: object = object()


def _when(moment: datetime) -> str:
    """``10:42`` today, ``10:42 on 3 Mar 2026`` another day."""
    if moment.date() == date.today():
        return f"{moment:%H:%M}"
    return f"{moment:%H:%M} on {moment.day} {moment:%b %Y}"


class PlanClashError(BackplanError):
    """Saving would replace a plan that was not opened from that file.

    Attributes
    ----------
    name, existing, new : str
        The file, the patient label it holds and the label being saved.
    same : bool
        Whether the two labels name the same patient (:func:`backplan.identity.same_patient`):
        then it is another plan of that patient (a new plan, or one opened elsewhere).
    """

    def __init__(self, name: str, existing: str, new: str) -> None:
        self.name, self.existing, self.new = name, existing, new
        self.same = bool(existing.strip()) and same_patient(existing, new)
        if self.same:
            text = (
                f"{name} already holds a plan of {existing}; this plan was not opened from "
                "it. Replace it (its old version is kept) or save this one as a new plan"
            )
        else:
            text = (
                f"{name} holds the plan of {existing or 'an unnamed patient'}, "
                f"not {new or 'an unnamed patient'}"
            )
        super().__init__(text)


class PlanChangedError(BackplanError):
    """The file changed since the plan was opened (another tab or another physio saved it).

    Attributes
    ----------
    name : str
        The file.
    modified : datetime
        When it was last written.
    """

    def __init__(self, name: str, modified: datetime) -> None:
        self.name, self.modified = name, modified
        super().__init__(
            f"{name} was changed by someone else at {_when(modified)}: reload it, or save "
            "yours as a new plan"
        )


@dataclass(frozen=True)
class PlanStamp:
    """Which version of a plan file was read: its name, a digest of its bytes, its time."""

    name: str
    digest: str
    modified: datetime


@dataclass(frozen=True)
class PlanVersion:
    """An earlier version of a plan file, kept when the file was replaced.

    ``id`` names it for :meth:`PlanLibrary.open_version`; ``replaced`` is when it stopped
    being the current version.
    """

    name: str
    id: str
    replaced: datetime
    plan: Plan


@dataclass(frozen=True)
class PlanEntry:
    """One saved plan as the patient list shows it.

    ``end_date`` is the plan's last day; ``last_decision`` the decision of its latest
    revision after a review ('' when none) and ``last_review`` when it was made;
    ``status`` is ``"archived"`` (moved out of use), ``"finished"`` (its last day has
    passed) or ``"active"``.
    """

    name: str
    patient: str
    start_date: date
    level: str
    weeks: int
    saved: datetime
    end_date: date = date.min
    clinician: str = ""
    last_decision: str = ""
    last_review: date | None = None
    status: Status = "active"


def default_library_folder() -> Path:
    """``$BACKPLAN_LIBRARY``, or ``backplan-plans`` in the user's home folder."""
    if os.environ.get("BACKPLAN_LIBRARY"):
        return Path(os.environ["BACKPLAN_LIBRARY"]).expanduser()
    return Path.home() / "backplan-plans"


def plan_file_name(plan: Plan) -> str:
    """A safe file name from the patient label and start date.

    Examples
    --------
    >>> import backplan as bp
    >>> plan = bp.build_plan(bp.load_catalogue(), "beginners", patient="../José O'Neil",
    ...                      start_date="2026-02-01")
    >>> plan_file_name(plan)
    'jose-o-neil_2026-02-01.json'
    >>> plan_file_name(plan.model_copy(update={"patient": "Иван Петров"}))
    'patient-6f4fffe648_2026-02-01.json'
    """
    plan = plan_argument(plan)
    return f"{file_stem(plan.patient) or 'no-name'}_{plan.start_date.isoformat()}.json"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold the folder's lock (``.lock``) while checking and writing its files."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: one writer at a time by msvcrt
            import msvcrt

            for _ in range(200):
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
                    break
                except OSError:
                    time.sleep(0.05)
            try:
                yield
            finally:
                with contextlib.suppress(OSError):
                    msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _create(path: Path, data: bytes) -> None:
    """Write a new file, failing with FileExistsError if ``path`` exists (never replaced)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)  # atomic, and refuses an existing name
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: create exclusively instead
            with open(path, "xb") as out:
                out.write(data)
    finally:
        os.unlink(tmp)


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
        self._seen: dict[Path, tuple[float, int, PlanEntry | str]] = {}
        # file name -> stamp of the version this library last opened or wrote
        self._known: dict[str, PlanStamp] = {}

    @property
    def label(self) -> str:
        """The folder's name as a physio knows it (never the full server path)."""
        home = Path.home()
        try:
            inside = self.folder.resolve().relative_to(home.resolve())
        except ValueError:
            return f"'{self.folder.name}'"
        return f"'{inside.as_posix()}' in your home folder"

    @property
    def history_folder(self) -> Path:
        """Earlier versions of replaced plans: ``history/<file stem>/`` inside the folder."""
        return self.folder / "history"

    @property
    def archive_folder(self) -> Path:
        """Archived plans: ``archived`` inside the folder."""
        return self.folder / "archived"

    def _path(self, name: str, where: Path | None = None) -> Path:
        if not isinstance(name, str) or not _NAME.match(name):
            raise BackplanError(
                f"{str(name)[:80]!r} is not a plan file name (lower-case letters, digits, "
                "'-', '_' and '.', ending in .json)"
            )
        return (where or self.folder) / name

    # --- listing --------------------------------------------------------------------------

    def entries(self, search: str = "", show: str = "current") -> list[PlanEntry]:
        """Saved plans whose patient label or file name contains ``search``, newest first.

        The search compares labels by :func:`backplan.identity.patient_key` (any case, any
        Unicode form, spaces folded). ``show`` is ``"current"`` (active and finished),
        ``"archived"`` or ``"all"``.
        """
        if show not in SHOW:
            raise ValueError(f"show must be one of {', '.join(SHOW)}; got {show!r}")
        self.problems = []
        needle = patient_key(search)
        folders = {"current": [self.folder], "archived": [self.archive_folder]}
        found = []
        for folder in folders.get(show, [self.folder, self.archive_folder]):
            for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
                entry = self._entry(path, archived=folder == self.archive_folder)
                if isinstance(entry, str):
                    self.problems.append(entry)
                elif not needle or needle in patient_key(entry.patient) or needle in entry.name:
                    found.append(entry)
        return sorted(found, key=lambda e: (e.saved, e.name), reverse=True)

    def _entry(self, path: Path, archived: bool = False) -> PlanEntry | str:
        """The list entry for one file (or why it cannot be read), read again only when
        the file changed."""
        try:
            stat = path.stat()
        except OSError as exc:
            return f"{path.name}: cannot read ({exc.strerror})"
        seen = self._seen.get(path)
        entry: PlanEntry | str
        if seen is not None and seen[:2] == (stat.st_mtime, stat.st_size):
            entry = seen[2]
        else:
            try:
                plan = load_plan(path)
                entry = _entry_of(plan, path.name, datetime.fromtimestamp(stat.st_mtime))
            except BackplanError as exc:
                entry = f"{path.name}: {str(exc).replace(str(path), path.name)}"
            self._seen[path] = (stat.st_mtime, stat.st_size, entry)
        if isinstance(entry, PlanEntry):
            status: Status = "archived" if archived else "active"
            if status == "active" and entry.end_date < date.today():
                status = "finished"
            entry = dataclasses.replace(entry, status=status)
        return entry

    # --- opening --------------------------------------------------------------------------

    def stamp(self, name: str) -> PlanStamp | None:
        """The current version of ``name`` (``None`` when there is no such file)."""
        path = self._path(name)
        try:
            data = path.read_bytes()
            modified = datetime.fromtimestamp(path.stat().st_mtime)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise BackplanError(f"{name}: cannot read the plan ({exc.strerror})") from None
        return PlanStamp(name, _digest(data), modified)

    def open_stamped(self, name: str) -> tuple[Plan, PlanStamp]:
        """The plan saved as ``name`` and the stamp of the version read (pass it to
        :meth:`save` as ``over`` to save it back)."""
        path = self._path(name)
        try:
            data = path.read_bytes()
            modified = datetime.fromtimestamp(path.stat().st_mtime)
        except FileNotFoundError:
            raise BackplanError(
                f"{name} is not in the plans folder any more (archived or renamed?)"
            ) from None
        except OSError as exc:
            raise BackplanError(f"{name}: cannot read the plan ({exc.strerror})") from None
        plan = plan_from_json(data, name)
        stamp = PlanStamp(name, _digest(data), modified)
        self._known[name] = stamp
        return plan, stamp

    def open(self, name: str) -> Plan:
        """The plan saved as ``name``."""
        return self.open_stamped(name)[0]

    # --- saving ---------------------------------------------------------------------------

    def save(
        self,
        plan: Plan,
        name: str | None = None,
        *,
        over: PlanStamp | object | None = _UNSET,
        replace_other: bool = False,
    ) -> str:
        """Save ``plan`` as ``name`` (:func:`plan_file_name` by default); return the name.

        Parameters
        ----------
        over : PlanStamp or None, optional
            The version of ``name`` this plan was opened from (``None``: a new plan). By
            default, the version this library last opened or wrote under that name.
        replace_other : bool
            Replace whatever the file holds (after the physio said so).

        A replaced file's previous version is kept (see :meth:`versions`).

        Raises
        ------
        PlanClashError
            When ``name`` exists and this plan was not opened from it, or holds another
            patient's plan.
        PlanChangedError
            When ``name`` changed since it was opened.
        """
        if not plan.patient.strip():
            # Two unnamed plans would look like one patient's and replace each other.
            raise BackplanError("patient: type the patient's name or pseudonym before saving")
        name = name or plan_file_name(plan)
        path = self._path(name)
        if over is _UNSET:
            over = self._known.get(name)
        text = plan_to_json(plan).encode("utf-8")
        with _locked(self.folder):
            current = self.stamp(name)
            if current is None:
                try:
                    _create(path, text)
                except FileExistsError:  # a writer that does not take the lock
                    raise PlanClashError(name, "another patient", plan.patient) from None
            else:
                if not replace_other:
                    self._check_replace(plan, current, over)
                self._keep_version(path)
                save_plan(plan, path)
        self._known[name] = self.stamp(name)  # type: ignore[assignment]
        return name

    def _check_replace(self, plan: Plan, current: PlanStamp, over: object) -> None:
        try:
            existing = load_plan(self.folder / current.name).patient
        except BackplanError:
            existing = "a plan backplan cannot read"
        if not isinstance(over, PlanStamp) or over.name != current.name:
            raise PlanClashError(current.name, existing, plan.patient)
        if over.digest != current.digest:
            raise PlanChangedError(current.name, current.modified)
        if not same_patient(existing, plan.patient):
            raise PlanClashError(current.name, existing, plan.patient)

    def _keep_version(self, path: Path) -> None:
        """Copy the file about to be replaced into the history folder."""
        data = path.read_bytes()
        folder = self.history_folder / path.stem
        folder.mkdir(parents=True, exist_ok=True)
        moment = datetime.now()
        for _ in range(1000):
            target = folder / f"{moment:%Y%m%dT%H%M%S-%f}.json"
            try:
                _create(target, data)
                return
            except FileExistsError:
                moment += timedelta(microseconds=1)
        raise BackplanError(f"{path.name}: could not keep its previous version")

    def save_as_new(self, plan: Plan) -> str:
        """Save ``plan`` under a name no file has yet (in use or archived); return it."""
        if not plan.patient.strip():
            raise BackplanError("patient: type the patient's name or pseudonym before saving")
        base = plan_file_name(plan)[: -len(".json")]
        text = plan_to_json(plan).encode("utf-8")
        with _locked(self.folder):
            for n in range(1, 10_000):
                name = f"{base}.json" if n == 1 else f"{base}-{n}.json"
                if (self.archive_folder / name).exists():
                    continue
                try:
                    _create(self._path(name), text)
                except FileExistsError:
                    continue
                self._known[name] = self.stamp(name)  # type: ignore[assignment]
                return name
        raise BackplanError(f"{base}: too many plans of this patient and start date")

    # --- earlier versions -----------------------------------------------------------------

    def versions(self, name: str) -> list[PlanVersion]:
        """Earlier versions of ``name``, newest first (unreadable ones are skipped)."""
        folder = self.history_folder / self._path(name).stem
        out = []
        for path in sorted(folder.glob("*.json"), reverse=True) if folder.is_dir() else []:
            if not _VERSION.match(path.stem):
                continue
            try:
                plan = load_plan(path)
            except BackplanError:
                continue
            replaced = datetime.strptime(path.stem, "%Y%m%dT%H%M%S-%f")
            out.append(PlanVersion(name, path.stem, replaced, plan))
        return out

    def open_version(self, name: str, version: str) -> Plan:
        """The earlier version ``version`` (an id from :meth:`versions`) of ``name``."""
        if not _VERSION.match(str(version)):
            raise BackplanError(f"{str(version)[:40]!r} is not a version of {name}")
        path = self.history_folder / self._path(name).stem / f"{version}.json"
        if not path.is_file():
            raise BackplanError(f"{name} has no earlier version {version}")
        try:
            return load_plan(path)
        except BackplanError as exc:
            raise BackplanError(str(exc).replace(str(path), f"{name} ({version})")) from None

    # --- archive --------------------------------------------------------------------------

    def archive(self, name: str) -> None:
        """Move ``name`` out of use into the archive (never deleted; see :meth:`unarchive`)."""
        self._move(self._path(name), self._path(name, self.archive_folder))

    def unarchive(self, name: str) -> None:
        """Bring an archived plan back into use."""
        self._move(self._path(name, self.archive_folder), self._path(name))

    def _move(self, source: Path, target: Path) -> None:
        with _locked(self.folder):
            if not source.is_file():
                raise BackplanError(f"{source.name} is not there any more")
            if target.exists():
                raise BackplanError(
                    f"{target.name} exists already where it would go; open it and save it "
                    "as a new plan first"
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(source, target)  # checked under the lock: nothing is replaced
        self._known.pop(source.name, None)

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


def _entry_of(plan: Plan, name: str, saved: datetime) -> PlanEntry:
    reviews = [r for r in plan.revisions if r.decision != "edit"]
    last = reviews[-1] if reviews else None
    return PlanEntry(
        name=name,
        patient=plan.patient,
        start_date=plan.start_date,
        level=plan.level,
        weeks=plan.weeks,
        saved=saved,
        end_date=plan.start_date + timedelta(days=7 * plan.weeks - 1),
        clinician=plan.clinician,
        last_decision=last.decision if last else "",
        last_review=last.made_at.date() if last else None,
    )
