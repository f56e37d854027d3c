"""The adherence pipeline: read -> check -> sum -> measures -> report, in one call.

Examples
--------
>>> import pandas as pd
>>> from backplan import build_plan, load_catalogue
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-raises"], patient="P1",
...                   start_date="2026-01-05", weeks=1, days_per_week=2)
>>> logs = pd.DataFrame({"patient": ["P1"], "date": ["2026-01-06"],
...                      "exercise": ["heel-raises"], "sets_done": [1], "reps_done": [5]})
>>> report = adherence(logs, [plan], as_of="2026-01-11")
>>> report.by_exercise[["week", "prescribed_reps", "reps_done", "dose_adherence"]]
   week  prescribed_reps  reps_done  dose_adherence
0     1               20          5            0.25
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from functools import partial
from pathlib import Path

import pandas as pd

from .._io.dates import DATE_TEXT, FIRST_DATE, LAST_DATE, parse_iso_date
from ..errors import BackplanError, LogError, Problem, short
from .engines import Tally, frame_tally, table_tally
from .flags import call_flags, score_rows
from .logtable import LogTable, gather_with_plans
from .measures import measure_tables, to_date
from .prescriptions import Prescriptions, plan_grid
from .read import Gathered, exercise_ids
from .report import AdherenceReport
from .sums import NONE

__all__ = ["adherence", "report_from_files"]


def _is_dask(obj: object) -> bool:
    return type(obj).__module__.startswith("dask")


def as_of_day(value: object) -> int:
    """``as_of`` as days since 1970-01-01: a date, or text naming a real ``YYYY-MM-DD`` day,
    from 1900 to 2100 (the one date rule of :mod:`backplan._io.dates`).

    Raises
    ------
    BackplanError
        For anything else (``"today"``, ``"1/3/2026"``, ``"9999-12-31"``, ``5``).

    Examples
    --------
    >>> as_of_day("1970-01-02"), as_of_day(date(1970, 1, 3))
    (1, 2)
    """
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, str):
        day = parse_iso_date(day)
    if not isinstance(day, date) or not FIRST_DATE <= day <= LAST_DATE:
        raise BackplanError(f"as_of: expected {DATE_TEXT}, or a date; got {short(repr(value))}")
    return (day - _EPOCH).days


_EPOCH = date(1970, 1, 1)


def adherence(
    logs: object,
    prescriptions: Prescriptions,
    as_of: date | str | None = None,
    *,
    threshold: float = 0.8,
    pain_rise: float = 2.0,
    quiet_days: int = 7,
    catalogue: pd.DataFrame | None = None,
    drop_duplicates: bool = False,
) -> AdherenceReport:
    """Compare logs with prescriptions: tables by exercise, week, patient and cohort, flags.

    Parameters
    ----------
    logs : path, pandas.DataFrame, LogTable or dask DataFrame
        Log rows (see :mod:`backplan.logs.read`): a file or folder to read, a
        DataFrame, the result of :func:`~backplan.read_logs` (its accepted rows are used
        as they are: only the plan rules run on them, and rows it rejected stay
        rejected), or a Dask DataFrame (see :mod:`backplan.logs.dask_logs`).
    prescriptions : list of Plan, prescription table, or folder of saved plans
        See :func:`~backplan.prescription_table`. The same Plan objects passed to
        :func:`~backplan.read_logs` before are not expanded again. A plan file in a folder
        that cannot be read is listed in the report's ``unreadable_plans``.
    as_of : date or ``YYYY-MM-DD`` text, optional
        The last day the logs cover; the latest accepted log date by default.
    threshold : float
        Adherent means at least this share (0.8).
    pain_rise : float
        Points of pain fall from week 1 the summary counts as eased (2, the minimal
        important change). Who to call (``flags``) follows the review rules
        (:mod:`backplan.logs.flags`), not this.
    quiet_days : int
        Kept for existing callers; the call list's silence rule is the review rules'
        ``no-recent-logs`` (7 days).
    catalogue : pandas.DataFrame, optional
        Known exercise ids; the shipped catalogue by default.
    drop_duplicates : bool
        Reject exact duplicate rows instead of only reporting them.

    Returns
    -------
    AdherenceReport
        See :mod:`backplan.logs.measures` for every definition.

    Raises
    ------
    LogError
        When no log row was accepted and ``as_of`` is not given (nothing to date the
        report by), naming the files read.
    PlanError
        When there is no plan, or a plan is not valid.
    BackplanError
        For an ``as_of`` that is not a real day from 1900 to 2100, or a threshold outside
        (0, 1].
    """
    if isinstance(threshold, bool) or not 0 < threshold <= 1:
        raise BackplanError(f"threshold must be above 0 and at most 1, got {threshold!r}")
    day = None if as_of is None else as_of_day(as_of)
    tally: Tally
    source: LogTable | Gathered | None = None  # the rows the call list reads (Dask: the tally's)
    if _is_dask(logs) or isinstance(logs, LogTable) or prescriptions is None:
        plans, rows = plan_grid(prescriptions), None  # None: refused, naming the argument
    else:  # a log file is read while the plans load
        rows, found = gather_with_plans(logs, prescriptions, plans_first=True)
        assert found is not None
        plans = found
    grid = plans.grid
    if rows is not None:
        source = rows
        tally = frame_tally(rows, grid, partial(exercise_ids, catalogue), drop_duplicates)
    elif isinstance(logs, LogTable):
        source, tally = logs, table_tally(logs, grid, drop_duplicates)
    else:
        from .dask_logs import dask_tally

        tally = dask_tally(logs, grid, exercise_ids(catalogue), drop_duplicates)
    if day is None:
        last = tally.sums.last_day(grid, None)
        day = int(last.max()) if len(last) else NONE
    if day == NONE:
        source = str(logs) if isinstance(logs, str | os.PathLike) else "<logs>"
        rows = tally.rows_read
        what = "no data rows" if rows == 0 else f"all {rows} rows were rejected"
        raise LogError(
            [Problem(source, None, None, "at least one accepted log row, or --as-of / as_of "
                     f"to report on plans without logs ({what})")]
        )  # fmt: skip
    # the rejected rows and duplicates are made in other threads while the measures are
    with ThreadPoolExecutor(max_workers=2) as pool:
        rejected = pool.submit(tally.rejected)
        duplicates = pool.submit(tally.duplicates)
        tables = measure_tables(grid, tally.sums, day, threshold, pain_rise, quiet_days)
        rejected_rows = rejected.result()
        tables["flags"] = call_flags(tables, to_date(day), source, rejected_rows,
                                     plans.start_back, score_rows(tally.scores, grid),
                                     tally.notes_from)  # fmt: skip
        return AdherenceReport(
            **tables,
            rejected=rejected_rows,
            as_of=to_date(day),
            rows_read=tally.rows_read,
            rows_accepted=tally.rows_read - len(rejected_rows),
            settings={"threshold": threshold, "pain_rise": pain_rise, "quiet_days": quiet_days},
            duplicates=duplicates.result(),
            unreadable_plans=pd.DataFrame(
                plans.unreadable, columns=["file", "reason"], dtype=object
            ),
        )


def report_from_files(
    logs: str | os.PathLike[str],
    plans_dir: str | os.PathLike[str],
    output: str | os.PathLike[str],
    as_of: date | str | None = None,
    threshold: float = 0.8,
) -> AdherenceReport:
    """Read logs and a folder of saved plans, and write the report as HTML or XLSX.

    This is what ``backplan adherence LOGS -p PLANS_DIR -o REPORT.html`` runs: the output
    format follows the file suffix (``.html`` or ``.xlsx``). A plan file that cannot be
    read is listed in the report (file name and reason); the other plans go on.

    Raises
    ------
    PlanError
        When the folder holds no readable ``*.json`` plan.
    LogError
        When the logs cannot be read, or no row was accepted and ``as_of`` is not given.
    """
    target = Path(output)
    if target.suffix.lower() not in {".xlsx", ".html", ".htm"}:
        raise BackplanError(f"{target.name!r}: the report must end in .html or .xlsx")
    report = adherence(logs, plans_dir, as_of, threshold=threshold)
    if target.suffix.lower() == ".xlsx":
        report.to_xlsx(target)
    else:
        report.to_html(target)
    return report
