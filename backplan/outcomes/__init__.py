"""Is the patient getting better? Outcome scores, STarT Back groups, change that matters.

read (:mod:`.records`, checked against :mod:`.measures`) -> change per patient and measure
(:mod:`.change`) -> the review's lines (:mod:`.decisions`) and the service's view of
adherence against outcome (:mod:`.cohort`); risk groups in :mod:`.startback`; synthetic
demo scores in :mod:`.synthetic`. ``docs/outcomes.md`` has the sources and the licences.

Examples
--------
>>> import backplan as bp
>>> plans, _ = bp.demo.load_demo()
>>> table = bp.read_outcomes(bp.demo.load_demo_outcomes().outcomes, plans)
>>> len(table.rejected), table.rows_read == len(table.accepted)
(0, True)
"""

from __future__ import annotations

from .change import CHANGE_COLUMNS, DIRECTIONS, classify, daily_scores, outcome_changes
from .cohort import adherence_bands, outcome_by_adherence, outcome_finding
from .decisions import ACTIONS, GOOD_ADHERENCE, OutcomeLine, outcome_lines
from .measures import OutcomeError, load_outcome_measures, measure_id
from .records import OUTCOME_COLUMNS, TIMEPOINTS, OutcomeTable, read_outcomes
from .startback import START_BACK_GROUPS, review_rules_for, start_back, with_start_back

__all__ = [
    "ACTIONS",
    "CHANGE_COLUMNS",
    "DIRECTIONS",
    "GOOD_ADHERENCE",
    "OUTCOME_COLUMNS",
    "START_BACK_GROUPS",
    "TIMEPOINTS",
    "OutcomeError",
    "OutcomeLine",
    "OutcomeTable",
    "adherence_bands",
    "classify",
    "daily_scores",
    "load_outcome_measures",
    "measure_id",
    "outcome_by_adherence",
    "outcome_changes",
    "outcome_finding",
    "outcome_lines",
    "read_outcomes",
    "review_rules_for",
    "start_back",
    "with_start_back",
]
