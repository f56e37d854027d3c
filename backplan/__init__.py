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
from .progression import AddDose, NextLevel, Prescription, Revision
from .restrictions import Restrictions, allowed_exercises
from .review import Review, ReviewRule, apply_review, load_review_rules, review
from .revisions import revise, revision_history, what_changed
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
    "Restrictions",
    "Review",
    "ReviewRule",
    "Revision",
    "allowed_exercises",
    "apply_review",
    "build_plan",
    "dose_in_week",
    "exercise",
    "filter_exercises",
    "level_in_week",
    "load_advice",
    "load_catalogue",
    "load_plan",
    "load_review_rules",
    "next_level",
    "plan_from_json",
    "plan_to_json",
    "review",
    "revise",
    "revision_history",
    "save_plan",
    "schedule",
    "split_list",
    "split_steps",
    "weekly_volume",
    "what_changed",
]

# Submodules that pull in heavy libraries load on first use: ``backplan.charts`` etc.
_LAZY_SUBMODULES = {"charts", "ui", "handout", "demo", "cli", "fhir", "pictures", "scripts"}
# Adherence analytics (pandas/numpy only; Dask is imported only for Dask input).
_LAZY_ATTRS = {
    "adherence": "adherence",
    "AdherenceReport": "adherence",
    "read_logs": "adherence",
    "read_logs_dask": "adherence",
    "LOG_COLUMNS": "adherence",
    "LogTable": "adherence",
    "prescription_table": "adherence",
    "pseudonymise": "privacy",
    "synthetic_cohort": "demo",
    # Planning choices, the plan library and templates (used by the plan builder).
    "PATIENT_FILTERS": "choices",
    "dose_problem": "choices",
    "level_after": "choices",
    "progression_rules": "choices",
    "suitable_exercises": "choices",
    "restrictions_from_filters": "choices",
    "filters_of": "choices",
    "PlanLibrary": "library",
    "PlanClashError": "library",
    "plan_file_name": "library",
    "PlanTemplate": "templates",
    "plan_from_template": "templates",
    "shipped_templates": "templates",
    "template_from_plan": "templates",
    "exercise_picture_svg": "pictures",
}
__all__ += sorted(_LAZY_ATTRS)


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_ATTRS:
        value = getattr(importlib.import_module(f".{_LAZY_ATTRS[name]}", __name__), name)
        globals()[name] = value  # ``adherence`` is both a subpackage and its main function
        return value
    raise AttributeError(f"module 'backplan' has no attribute {name!r}")
