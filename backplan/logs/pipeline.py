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
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import LogError, PlanError, Problem
from ..plan import Plan
from .check import Checked, check_rows, check_with_plans
from .logtable import LogTable
from .measures import day_number, measure_tables, to_date
from .prescriptions import Grid, prescription_grid
from .read import LOG_COLUMNS, exercise_ids, gather
from .report import AdherenceReport
from .rows import rejected_rows
from .sums import NONE, Partials, Rows, Sums

__all__ = ["adherence", "report_from_files"]


def _is_dask(obj: object) -> bool:
    return type(obj).__module__.startswith("dask")


def partials(checked: Checked, grid: Grid) -> Partials:
    """The sums of checked rows that kept their arrays (see :class:`~.sums.Sums`)."""
    assert checked.patient is not None and checked.offset is not None
    sums = Sums(grid)
    sums.add(Rows(checked.ok, checked.prow, checked.sets, checked.reps, checked.pain,
                  checked.patient, checked.offset))  # fmt: skip
    return sums.total()


def _from_logtable(
    logs: LogTable, grid: Grid, exercises: pd.Index, drop_duplicates: bool
) -> tuple[Partials, pd.DataFrame, pd.DataFrame, int]:
    """Sums of a LogTable: its checked rows are used as they are when they were checked
    against the same prescriptions; read without plans, only the plan checks run now; read
    against other plans, its raw rows are checked against these.
    """
    checked = logs.checked
    if checked is None:  # e.g. pseudonymised: check its accepted rows against the plans
        acc = logs.accepted
        again = check_rows(acc[list(LOG_COLUMNS)], acc["file"].to_numpy(object),
                           acc["row"].to_numpy(np.int64), exercises, grid, drop_duplicates)  # fmt: skip
        rejected = pd.concat([logs.rejected, rejected_rows(again)], ignore_index=True)
        rejected = rejected.sort_values(["file", "row"], kind="stable", ignore_index=True)
        return partials(again, grid), rejected, again.duplicates, logs.rows_read
    same = (
        logs.checked_against is not None
        and logs.drop_duplicates == drop_duplicates
        and logs.checked_against.equals(grid.table)
    )
    if same:
        return partials(checked, grid), logs.rejected, logs.duplicates, logs.rows_read
    if logs.checked_against is None and not logs.drop_duplicates:
        again = check_with_plans(checked, grid, drop_duplicates)  # only the plan checks run
    else:  # checked against other plans: check the rows read against these ones
        again = check_rows(checked.raw, checked.file, checked.row, exercises, grid,
                           drop_duplicates)  # fmt: skip
    return partials(again, grid), rejected_rows(again), again.duplicates, len(checked.raw)


def _from_frame(
    logs: object, grid: Grid, exercises: pd.Index, drop_duplicates: bool
) -> tuple[Partials, pd.DataFrame | Future, pd.DataFrame | Future, int]:
    """Read and check ``logs``, adding up each chunk as soon as it is checked."""
    raw, file, row, _ = gather(logs)
    sums = Sums(grid)
    checked = check_rows(raw, file, row, exercises, grid, drop_duplicates, add=sums.add,
                         defer_duplicates=True, got=False)  # fmt: skip
    # the duplicates and the rejected-row table are made in other threads while the sums
    # and measures are (each a Future; ``adherence`` waits for them at the end)
    pool = ThreadPoolExecutor(max_workers=2)
    duplicates: pd.DataFrame | Future = checked.duplicates
    if duplicates is None:
        duplicates = pool.submit(checked.find_duplicates)
    rejected: pd.DataFrame | Future = (
        rejected_rows(checked) if checked.ok.all() else pool.submit(rejected_rows, checked)
    )
    pool.shutdown(wait=False)
    part = sums.total()
    if isinstance(duplicates, pd.DataFrame) and drop_duplicates and len(duplicates):
        # the sums were made before duplicates were known: take the dropped copies out
        probs = checked.problems
        pos = probs.loc[probs["reason"] == "exact duplicate", "pos"].to_numpy()
        dropped = check_rows(raw.iloc[pos], file[pos], row[pos], exercises, grid)
        part = part - partials(dropped, grid)
    return part, rejected, duplicates, len(raw)


def adherence(
    logs: object,
    prescriptions: Iterable[Plan] | pd.DataFrame,
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
        DataFrame, the result of :func:`~backplan.read_logs` (its checked rows are used,
        not checked again), or a Dask DataFrame (see :mod:`backplan.logs.dask_logs`).
    prescriptions : list of Plan, or prescription table
        See :func:`~backplan.prescription_table`.
    as_of : date or ISO string, optional
        The last day the logs cover; the latest accepted log date by default.
    threshold : float
        Adherent means at least this share (0.8).
    pain_rise : float
        Points of pain rise from week 1 that raise a flag (2, the minimal important change).
    quiet_days : int
        Days without a log, up to and including ``as_of``, that raise a flag while a plan
        runs (7).
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
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be above 0 and at most 1, got {threshold}")
    grid = prescription_grid(prescriptions)
    exercises = exercise_ids(catalogue)
    duplicates: pd.DataFrame | Future
    if _is_dask(logs):
        from .dask_logs import dask_partials

        part, rejected, duplicates, rows_read = dask_partials(
            logs, grid, exercises, drop_duplicates
        )
    elif isinstance(logs, LogTable):
        part, rejected, duplicates, rows_read = _from_logtable(
            logs, grid, exercises, drop_duplicates
        )
    else:
        part, rejected, duplicates, rows_read = _from_frame(logs, grid, exercises, drop_duplicates)
    as_of_day = None if as_of is None else day_number(as_of)
    if as_of_day is None:
        last = part.last_day(grid, None)
        as_of_day = int(last.max()) if len(last) else NONE
    if as_of_day == NONE:
        source = str(logs) if isinstance(logs, str | os.PathLike) else "<logs>"
        what = "no data rows" if rows_read == 0 else f"all {rows_read} rows were rejected"
        raise LogError(
            [Problem(source, None, None, "at least one accepted log row, or --as-of / as_of "
                     f"to report on plans without logs ({what})")]
        )  # fmt: skip
    tables = measure_tables(grid, part, as_of_day, threshold, pain_rise, quiet_days)
    if isinstance(duplicates, Future):
        duplicates = duplicates.result()
    if isinstance(rejected, Future):
        rejected = rejected.result()
    return AdherenceReport(
        **tables,
        rejected=rejected,
        as_of=to_date(as_of_day),
        rows_read=rows_read,
        rows_accepted=rows_read - len(rejected),
        settings={"threshold": threshold, "pain_rise": pain_rise, "quiet_days": quiet_days},
        duplicates=duplicates,
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
    format follows the file suffix (``.html`` or ``.xlsx``).

    Raises
    ------
    PlanError
        When the folder holds no ``*.json`` plan, or a plan cannot be read.
    LogError
        When the logs cannot be read, or no row was accepted and ``as_of`` is not given.
    """
    from ..plan import load_plan

    target = Path(output)
    if target.suffix.lower() not in {".xlsx", ".html", ".htm"}:
        raise ValueError(f"output must end in .html or .xlsx, got {target.name!r}")
    files = sorted(Path(plans_dir).glob("*.json"))
    if not files:
        raise PlanError([Problem(str(plans_dir), None, None, "a folder of saved plans (*.json)")])
    report = adherence(logs, [load_plan(f) for f in files], as_of, threshold=threshold)
    if target.suffix.lower() == ".xlsx":
        report.to_xlsx(target)
    else:
        report.to_html(target)
    return report
