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

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io.files import write_atomic
from .._io.json import load_json, read_bytes
from ..errors import PlanError, PlanVersionError, Problem, short
from .model import SCHEMA_VERSION, Plan, _validate

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
    return plan.model_dump_json(indent=2) + "\n"


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
    return _validate(Plan, _migrate(data), source, catalogue)


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
        files = sorted(p for p in where.glob("*.json") if p.is_file())
    except OSError as exc:
        raise PlanError(
            [Problem(where.name, None, None, f"a readable folder ({exc.strerror})")]
        ) from None
    if not where.is_dir() or not files:
        raise PlanError([Problem(where.name or str(where), None, None,
                                 "a folder of saved plans (*.json)")])  # fmt: skip
    plans, names, unreadable = [], [], []
    for f in files:
        try:
            plan = plan_from_json(read_bytes(f, f.name), f.name, catalogue)
        except (PlanError, PlanVersionError) as exc:
            unreadable.append((f.name, str(exc)))
            continue
        plans.append(plan)
        names.append(f.name)
    if not plans:
        raise PlanError([Problem(where.name, None, None, "at least one readable plan; "
                                 f"{len(unreadable)} file(s) could not be read")])  # fmt: skip
    return PlanFolder(plans, names, unreadable)
