"""backplan: plan, chart, hand out and audit home exercise for back pain.

The core (catalogue, plans, schedules) loads with pandas and pydantic; pandera loads when a
catalogue or advice table is first checked.
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

from ._lazy import lazy_getattr
from .catalogue import (
    LEVELS,
    POSITIONS,
    exercise,
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
    TableError,
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
from .plan.restrictions import Restrictions, allowed_exercises
from .plan.revise import revise, revision_history, what_changed
from .plan.rules import AddDose, NextLevel, Prescription, Revision
from .triage.decide import Review, ReviewRule, apply_review, load_review_rules, review
from .volume import METRICS, schedule, weekly_volume

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
    "TableError",
    "allowed_exercises",
    "apply_review",
    "build_plan",
    "dose_in_week",
    "exercise",
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

# The one lazy table: heavy or seldom-used parts load on first use, so ``import backplan``
# needs pandas and pydantic only. Subpackages first, then name -> module.
_LAZY_SUBMODULES = (
    "charts",
    "ui",
    "handout",
    "demo",
    "cli",
    "fhir",
    "pictures",
    "logs",
    "outcomes",
    "scripts",
    "locales",
    "words",
)
_LAZY_ATTRS = {
    # exercise logs and adherence (pandas/numpy; Dask only for Dask input)
    "adherence": "logs",
    "AdherenceReport": "logs",
    "read_logs": "logs",
    "read_logs_dask": "logs",
    "LOG_COLUMNS": "logs",
    "LogTable": "logs",
    "prescription_table": "logs",
    "pseudonymise": "privacy",
    "synthetic_cohort": "demo",
    # what the plan builder's form offers, the plan library and templates
    "PATIENT_FILTERS": "plan.choices",
    "dose_problem": "plan.choices",
    "level_after": "plan.choices",
    "progression_rules": "plan.choices",
    "restrictions_from_filters": "plan.choices",
    "filters_of": "plan.choices",
    "PlanLibrary": "plan.library",
    "PlanClashError": "plan.library",
    "plan_file_name": "plan.library",
    "PlanChangedError": "plan.library",
    "PlanStamp": "plan.library",
    "PlanVersion": "plan.library",
    "PlanTemplate": "plan.templates",
    "plan_from_template": "plan.templates",
    "shipped_templates": "plan.templates",
    "template_from_plan": "plan.templates",
    "exercise_picture_svg": "pictures",
    # Outcomes: scores, STarT Back groups, change that matters, adherence against outcome.
    "OutcomeError": "outcomes",
    "OutcomeLine": "outcomes",
    "OutcomeTable": "outcomes",
    "load_outcome_measures": "outcomes",
    "outcome_by_adherence": "outcomes",
    "outcome_changes": "outcomes",
    "outcome_finding": "outcomes",
    "outcome_lines": "outcomes",
    "read_outcomes": "outcomes",
    "review_rules_for": "outcomes",
    "start_back": "outcomes",
    "with_start_back": "outcomes",
    "meeting_page": "pages.outcomes",
    # any table of the API as people read it: headers, percentages, dates, names
    "readable_table": "pages.tables",
    "ReadableTable": "pages.tables",
    # doses a physio would sign, and warning signs in what patients write
    "plan_warnings": "plan.warnings",
    "accept_warnings": "plan.warnings",
    "PlanWarning": "plan.warnings",
    "check_note": "triage.redflags",
    "load_red_flags": "triage.redflags",
    # the languages a handout prints in (for a language picker: names and review status)
    "languages": "locales",
    "language_choices": "locales",
    "LanguageError": "locales",
    # old names kept for one release; each warns and says what replaces it
    "filter_exercises": "_deprecated",
    "suitable_exercises": "_deprecated",
}
__all__ += sorted(_LAZY_ATTRS)

__getattr__ = lazy_getattr(__name__, _LAZY_ATTRS, _LAZY_SUBMODULES)
