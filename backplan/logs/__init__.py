"""Exercise logs: read a clinic's own log files, check every row, measure adherence.

read (:mod:`.read`) -> check (:mod:`.check`, :mod:`.duplicates`) -> sum (:mod:`.sums`)
-> measures (:mod:`.measures`, :mod:`.flags`) -> report (:mod:`.report`; its printable
page is :mod:`backplan.pages.meeting`); :func:`adherence` (:mod:`.pipeline`) runs them
all. Plans become the prescription table in :mod:`.prescriptions`; Dask input is handled
in :mod:`.dask_logs`. ``bp.adherence(...)`` and ``bp.read_logs(...)`` are the entry points.

Examples
--------
>>> import backplan as bp
>>> plans, logs = bp.synthetic_cohort(n_patients=3, weeks=2, seed=1)
>>> report = bp.adherence(bp.read_logs(logs, plans), plans)
>>> report.rows_read == len(logs)
True
"""

from __future__ import annotations

from .dask_logs import read_logs_dask
from .flags import FLAG_ACTIONS, FLAGS
from .logtable import LogTable, read_logs
from .measures import DEFINITIONS
from .pipeline import adherence, report_from_files
from .prescriptions import PRESCRIPTION_COLUMNS, prescription_table
from .read import LOG_COLUMNS, REASONS, REJECTED_COLUMNS, REQUIRED_COLUMNS
from .report import TABLES, AdherenceReport

__all__ = [
    "DEFINITIONS",
    "FLAGS",
    "FLAG_ACTIONS",
    "LOG_COLUMNS",
    "PRESCRIPTION_COLUMNS",
    "REASONS",
    "REJECTED_COLUMNS",
    "REQUIRED_COLUMNS",
    "TABLES",
    "AdherenceReport",
    "LogTable",
    "adherence",
    "prescription_table",
    "read_logs",
    "read_logs_dask",
    "report_from_files",
]
