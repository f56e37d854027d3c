"""backplan: plan, chart, hand out and audit home exercise for back pain.

The core (catalogue, plans, schedules) loads with pandas, pandera and pydantic only.
``backplan.charts``, ``backplan.ui`` and the Dask paths import matplotlib, ipywidgets and
dask when first used.

Examples
--------
>>> import backplan as bp
>>> cat = bp.load_catalogue()
>>> plan = bp.build_plan(cat, "beginners", start_date="2026-01-05", weeks=4)
>>> bp.weekly_volume(plan, cat, by=None).reps.tolist()
[560, 560, 560, 560]
"""

from __future__ import annotations

import importlib
from typing import Any

from .catalogue import (
    LEVELS,
    POSITIONS,
    exercise,
    filter_exercises,
    load_advice,
    load_catalogue,
    split_list,
    split_steps,
)
from .errors import (
    BackplanError,
    CatalogueError,
    LogError,
    PlanError,
    PlanVersionError,
    Problem,
)
from .plan import (
    SCHEMA_VERSION,
    Plan,
    build_plan,
    dose_in_week,
    level_in_week,
    load_plan,
    next_level,
    plan_from_json,
    plan_to_json,
    save_plan,
)
from .progression import AddDose, NextLevel, Prescription
from .schedule import METRICS, schedule, weekly_volume

__version__ = "0.1.0"

__all__ = [
    "LEVELS",
    "METRICS",
    "POSITIONS",
    "SCHEMA_VERSION",
    "AddDose",
    "BackplanError",
    "CatalogueError",
    "LogError",
    "NextLevel",
    "Plan",
    "PlanError",
    "PlanVersionError",
    "Prescription",
    "Problem",
    "build_plan",
    "dose_in_week",
    "exercise",
    "filter_exercises",
    "level_in_week",
    "load_advice",
    "load_catalogue",
    "load_plan",
    "next_level",
    "plan_from_json",
    "plan_to_json",
    "save_plan",
    "schedule",
    "split_list",
    "split_steps",
    "weekly_volume",
]

# Submodules that pull in heavy libraries load on first use: ``backplan.charts`` etc.
_LAZY_SUBMODULES = {"charts", "ui", "handout", "demo", "cli", "pictures"}
# Adherence analytics (pandas/numpy only; Dask is imported only for Dask input).
_LAZY_ATTRS = {
    "adherence": "adherence_report",
    "AdherenceReport": "adherence_report",
    "read_logs": "logs",
    "LOG_COLUMNS": "logs",
    "LogTable": "logs",
    "prescription_table": "prescriptions",
    "pseudonymise": "privacy",
    "synthetic_cohort": "demo",
    "exercise_picture_svg": "pictures",
}
__all__ += sorted(_LAZY_ATTRS)


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_ATTRS:
        return getattr(importlib.import_module(f".{_LAZY_ATTRS[name]}", __name__), name)
    raise AttributeError(f"module 'backplan' has no attribute {name!r}")
