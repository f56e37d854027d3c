"""ipywidgets apps over backplan's public functions. Widgets edit and show; they never compute.

Importing ``backplan`` does not import ipywidgets; this package does, when first used.
"""

from __future__ import annotations

from .._lazy import lazy_getattr

_WHERE = {"PlanBuilder": "plan_builder", "AdherenceExplorer": "adherence_explorer"}

__all__ = sorted(_WHERE)


__getattr__ = lazy_getattr(__name__, _WHERE)
