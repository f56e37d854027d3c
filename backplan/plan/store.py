"""Saving and loading plans: versioned JSON, written atomically, older versions migrated.

Every public name here is also importable from :mod:`backplan.plan` and :mod:`backplan`.

Examples
--------
>>> from backplan import build_plan, load_catalogue
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-slides"], start_date="2026-01-05")
>>> plan_from_json(plan_to_json(plan)) == plan
True
"""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .._io.files import write_atomic
from .._io.json import load_json, read_bytes
from ..errors import PlanError, PlanVersionError, Problem, short
from .model import SCHEMA_VERSION, Plan, _validate, plan_argument
from .rules import Prescription

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PlanFolder",
    "load_plan",
    "plan_from_json",
    "plan_to_json",
    "read_plan_folder",
    "save_plan",
]


def plan_to_json(plan: Plan) -> str:
    """The plan as versioned JSON text (what :func:`save_plan` writes)."""
    return plan_argument(plan).model_dump_json(indent=2) + "\n"


def _migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring a saved plan's fields up to the current schema version (checked first).

    Version 1 had no restrictions and no revisions: it gets none, so every dose stays as it
    was (its next level keeps the doses it saved; nothing is carried over afterwards).

    Examples
    --------
    >>> _migrate({"schema_version": 1, "weeks": 4})
    {'schema_version': 2, 'weeks': 4, 'restrictions': {}, 'revisions': []}
    """
    if data.get("schema_version") == 1:
        data = {**data, "schema_version": 2, "restrictions": {}, "revisions": []}
    return data


def plan_from_json(
    text: str | bytes, source: str = "<plan>", catalogue: pd.DataFrame | None = None
) -> Plan:
    """Read a plan from JSON text, checking its schema version first.

    Files of an older schema version are migrated (see :func:`_migrate`); the plan's
    restrictions are checked against ``catalogue`` (the shipped one by default).

    Raises
    ------
    PlanVersionError
        When the text has no schema version or one this backplan cannot read.
    PlanError
        When a field is missing or out of range (naming the prescription row and field).
    """
    return _plan(text, source, catalogue)


def _plan(
    text: str | bytes,
    source: str,
    catalogue: pd.DataFrame | None,
    known: dict[tuple, Prescription] | None = None,
) -> Plan:
    """:func:`plan_from_json`, reusing the prescriptions in ``known`` when given (see
    :func:`_reuse`)."""
    data = load_json(text, source)  # every JSON failure is a PlanError
    if not isinstance(data, dict):
        raise PlanError([Problem(source, None, None, "a JSON object for one plan")], source)
    version = data.get("schema_version")
    if version is None:
        raise PlanVersionError(f"{source}: no 'schema_version' field; is this a backplan plan?")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise PlanVersionError(
            f"{source}: schema_version {short(repr(version))} is not a known version"
        )
    if version > SCHEMA_VERSION:
        raise PlanVersionError(
            f"{source}: written by a newer backplan (schema version {version}); this backplan "
            f"reads version {SCHEMA_VERSION}. Update backplan to open it."
        )
    data = _migrate(data)
    if known is not None:
        try:
            return _validate(Plan, _reuse(data, known), source, catalogue)
        except PlanError:  # named as the plain validation names it, below
            pass
    return _validate(Plan, data, source, catalogue)


def _reuse(data: dict[str, Any], known: dict[tuple, Prescription]) -> dict[str, Any]:
    """``data`` with each prescription that was valid before (in ``known``) as its
    :class:`~backplan.Prescription`, and each new valid one added to ``known``.

    A clinic's plans repeat a few doses: each distinct one is validated once. A
    prescription is known by its fields, their types and values as parsed, so it is
    validated exactly as it would be in its plan (a prescription's validity depends on
    nothing else); the plan's own checks all still run. Anything else is left as it is.
    """

    def doses(items: object) -> object:
        if not isinstance(items, list):
            return items
        out = []
        for item in items:
            if type(item) is dict:
                try:
                    key = tuple((k, type(v), v) for k, v in item.items())
                    dose = known.get(key)
                except TypeError:  # a list or object inside: not a dose to reuse
                    key = dose = None
                if dose is None and key is not None:
                    with suppress(ValidationError):  # named by the plan's own validation
                        dose = known[key] = Prescription.model_validate(item)
                item = item if dose is None else dose
            out.append(item)
        return out

    out = {**data, "prescriptions": doses(data.get("prescriptions"))}
    for name in ("progression", "revisions"):
        rules = data.get(name)
        if isinstance(rules, list):
            out[name] = [
                {**rule, "prescriptions": doses(rule["prescriptions"])}
                if type(rule) is dict and "prescriptions" in rule
                else rule
                for rule in rules
            ]
    return out


def save_plan(plan: Plan, path: str | os.PathLike[str]) -> Path:
    """Write ``plan`` to ``path`` as JSON, atomically.

    The text goes to a temporary file in the same folder, which then replaces ``path`` in
    one step, so a crash never leaves a half-written plan.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from backplan import build_plan, load_catalogue
    >>> plan = build_plan(load_catalogue(), "beginners", start_date="2026-01-05")
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> load_plan(save_plan(plan, folder / "plan.json")) == plan
    True
    """
    return write_atomic(path, plan_to_json(plan))


def load_plan(path: str | os.PathLike[str], catalogue: pd.DataFrame | None = None) -> Plan:
    """Read a plan saved by :func:`save_plan` (any schema version up to this one).

    A plan whose exercises break its own restrictions is refused with a
    :class:`~backplan.PlanError` naming the prescription; ``catalogue`` (the shipped one
    by default) says where each exercise is done and what it needs.
    """
    return plan_from_json(read_bytes(path), str(path), catalogue)


@dataclass(frozen=True)
class PlanFolder:
    """The plans of a folder of saved plans, and the files that could not be read.

    Attributes
    ----------
    plans : list of Plan
        Every plan that loaded, in file-name order.
    files : list of str
        The file name of each plan in ``plans`` (names only, never a path).
    unreadable : list of (str, str)
        ``(file name, why)`` for every ``*.json`` file that is not a valid plan.
    """

    plans: list[Plan]
    files: list[str]
    unreadable: list[tuple[str, str]]


def read_plan_folder(
    folder: str | os.PathLike[str], catalogue: pd.DataFrame | None = None
) -> PlanFolder:
    """Read every ``*.json`` plan in ``folder``: the one rule for a folder of plans.

    A file that is not a valid plan never stops the others: it is listed in
    ``unreadable`` with its file name and the reason (a path never appears, so the
    reason can go on a page). The folder itself must exist and hold at least one
    readable plan.

    Raises
    ------
    PlanError
        When the folder cannot be read, holds no ``*.json`` file or no readable plan.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from backplan import build_plan, load_catalogue
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = save_plan(build_plan(load_catalogue(), "beginners", patient="A",
    ...                          start_date="2026-01-05"), folder / "a.json")
    >>> _ = (folder / "b.json").write_text("{")
    >>> found = read_plan_folder(folder)
    >>> found.files, [name for name, _ in found.unreadable]
    (['a.json'], ['b.json'])
    """
    where = Path(folder)
    try:
        with os.scandir(where) as entries:
            names = sorted(e.name for e in entries if e.name.endswith(".json") and e.is_file())
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        names = []
    except OSError as exc:
        raise PlanError(
            [Problem(where.name, None, None, f"a readable folder ({exc.strerror})")]
        ) from None
    if not names:
        raise PlanError([Problem(where.name or str(where), None, None,
                                 "a folder of saved plans (*.json)")])  # fmt: skip
    plans, files, unreadable = [], [], []
    known: dict[tuple, Prescription] = {}  # each distinct dose of the clinic, validated once
    with _no_cyclic_gc():
        for name, data in _read_ahead(where, names):
            try:
                if isinstance(data, PlanError):
                    raise data
                plan = _plan(data, name, catalogue, known)
            except (PlanError, PlanVersionError) as exc:
                unreadable.append((name, str(exc)))
                continue
            plans.append(plan)
            files.append(name)
    if not plans:
        raise PlanError([Problem(where.name, None, None, "at least one readable plan; "
                                 f"{len(unreadable)} file(s) could not be read")])  # fmt: skip
    return PlanFolder(plans, files, unreadable)


#: Files read ahead of the one being checked, by :data:`_READERS` threads.
_AHEAD = 16
_READERS = 4


def _read_ahead(where: Path, names: list[str]) -> Iterator[tuple[str, bytes | PlanError]]:
    """Each file's name and bytes (or why it cannot be read), in order, read in threads a
    few files ahead: on a network drive each file waits for the server, and the waits
    overlap (at most :data:`_AHEAD` files are held at a time)."""

    def read(name: str) -> bytes | PlanError:
        try:
            return read_bytes(where / name, name)
        except PlanError as exc:
            return exc

    if len(names) <= 2:
        yield from ((name, read(name)) for name in names)
        return
    with ThreadPoolExecutor(_READERS) as pool:
        pending: deque[tuple[str, Future[bytes | PlanError]]] = deque()
        for name in names:
            pending.append((name, pool.submit(read, name)))
            if len(pending) >= _AHEAD:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Python's cycle collector paused while many plans are built.

    A plan holds no reference cycles, but building thousands of them makes the collector
    go over every object made so far again and again (a third of the time of a folder of
    5,000 plans). Reference counting still frees everything at once; the collector
    resumes as it was.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
