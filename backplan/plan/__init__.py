"""Plans: the document a physio prescribes, and everything that reads or changes one.

=================  ==========================================================================
module             holds
=================  ==========================================================================
``model``          :class:`Plan`, the validated document, and its field checks
``rules``          :class:`Prescription`, :class:`AddDose`, :class:`NextLevel`,
                   :class:`Revision`: how a dose changes from week to week
``weeks``          THE plan -> week expansion: the dose in force each week, dose runs
``build``          :func:`build_plan` and :func:`next_level` from a catalogue
``restrictions``   what a patient must not do, checked at every change
``revise``         revisions after a review, their history and what changed in words
``store``          saving and loading one plan file (versioned JSON, migrated)
``library``        a clinic's folder of plans: list, search, open, save, save as new
``templates``      plans without patient details, shipped or saved by a clinic
``choices``        what the plan builder's form offers: levels, filters, dose limits
=================  ==========================================================================

Examples
--------
>>> from backplan.plan import build_plan, dose_in_week
>>> from backplan import load_catalogue
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-raises"], start_date="2026-01-05")
>>> dose_in_week(plan, 1)[0].reps
10
"""

from __future__ import annotations

from .build import build_plan, next_level, prescriptions_from_catalogue
from .model import SCHEMA_VERSION, Plan, dose_in_week, level_in_week
from .store import load_plan, plan_from_json, plan_to_json, save_plan

__all__ = [
    "SCHEMA_VERSION",
    "Plan",
    "build_plan",
    "dose_in_week",
    "level_in_week",
    "load_plan",
    "next_level",
    "plan_from_json",
    "plan_to_json",
    "prescriptions_from_catalogue",
    "save_plan",
]
