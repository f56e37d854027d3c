"""matplotlib charts. Every function takes ``ax=None`` and returns the Axes it drew on.

Importing ``backplan`` does not import matplotlib; this package does, when first used.
Colours and hatches are chosen to stay apart in greyscale print (see ``_style``).
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> submodule that defines it
_WHERE = {
    "plot_weekly_volume": "volume",
    "compare_plans": "volume",
    "plot_adherence_heatmap": "adherence",
    "plot_cohort_trend": "adherence",
    "plot_exercise_adherence": "adherence",
    "plot_pain_vs_adherence": "adherence",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'backplan.charts' has no attribute {name!r}")
