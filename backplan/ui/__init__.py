"""ipywidgets apps over backplan's public functions. Widgets edit and show; they never compute.

Importing ``backplan`` does not import ipywidgets; this package does, when first used.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {"PlanBuilder": "plan_builder", "AdherenceExplorer": "adherence_explorer"}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'backplan.ui' has no attribute {name!r}")
