"""matplotlib charts. Every function takes ``ax=None`` and returns the Axes it drew on.

Importing ``backplan`` does not import matplotlib; this package does, when first used.
Colours and hatches are chosen to stay apart in greyscale print (see ``_style``).
"""

from __future__ import annotations

from .._lazy import lazy_getattr

#: public name -> submodule that defines it
_WHERE = {
    "plot_weekly_volume": "volume",
    "compare_plans": "volume",
    "VolumeChart": "volume",
    "plot_adherence_heatmap": "adherence",
    "plot_cohort_trend": "adherence",
    "plot_exercise_adherence": "adherence",
    "plot_pain_vs_adherence": "adherence",
    "plot_outcome_by_adherence": "outcomes",
}

__all__ = sorted(_WHERE)


__getattr__ = lazy_getattr(__name__, _WHERE)
