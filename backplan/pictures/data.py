"""The picture data, ``data/poses.json``: read once, checked, poses resolved.

Each exercise lists its ``poses`` (joint angles, see :mod:`backplan.pictures.body`), which
may start from a shared ``posture`` and change a few numbers; the ``panels`` to draw (a
pose, the ghost of an earlier pose, arrows, badges, a close-up ``region`` with its
``zoom``); what is ``moving`` (drawn dark); ``props``; the ``alt`` text; and the
``measure`` list the tests check against the source's words. An ``easier`` entry is the
easier option's own picture, in the same form.

Examples
--------
>>> sorted(exercise_entry("wall-squats")["poses"])
['bent', 'start', 'upright']
>>> merged_pose(exercise_entry("wall-squats"), "bent")["near_leg"]["knee"]
45
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from .._io.paths import data_dir
from ..errors import BackplanError

__all__ = ["exercise_entry", "has_picture", "merged_pose", "poses"]


@functools.cache
def poses() -> dict[str, Any]:
    """The shipped picture data (``data/poses.json``), read and checked once."""
    path = data_dir() / "poses.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for name, entry in data["exercises"].items():
        for label, e in [(name, entry)] + (
            [(f"{name} easier", entry["easier"])] if "easier" in entry else []
        ):
            _check(path.name, label, e, data)
    return data


def _check(file: str, name: str, entry: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """A clear error for an entry a clinic has edited into something we cannot draw."""
    where = f"{file}: exercise {name!r}"
    for key in ("poses", "panels", "alt"):
        if key not in entry:
            raise BackplanError(f"{where} has no {key!r}")
    for pose_name, pose in entry["poses"].items():
        base = pose.get("posture")
        if base is not None and base not in data["postures"]:
            raise BackplanError(f"{where}, pose {pose_name!r}: no posture called {base!r}")
    for i, panel in enumerate(entry["panels"], start=1):
        for key in ("pose", "ghost"):
            if key in panel and panel[key] not in entry["poses"]:
                raise BackplanError(f"{where}, panel {i}: no pose called {panel[key]!r}")


def has_picture(exercise: str, variant: str = "") -> bool:
    """Whether the shipped data draws ``exercise`` (``variant="easier"``: its easier way)."""
    entry = poses()["exercises"].get(exercise)
    return entry is not None and (not variant or variant in entry)


def exercise_entry(exercise: str, variant: str = "") -> Mapping[str, Any]:
    """The data for one exercise's picture (or its ``variant``, e.g. ``"easier"``)."""
    entry = poses()["exercises"][exercise]
    return entry[variant] if variant else entry


def merged_pose(entry: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A pose with its posture's numbers filled in (limb tables merged joint by joint)."""
    pose = dict(entry["poses"][name])
    base = dict(poses()["postures"].get(pose.pop("posture", ""), {}))
    for key, value in pose.items():
        if isinstance(value, Mapping):
            base[key] = {**base.get(key, {}), **value}
        else:
            base[key] = value
    return base
