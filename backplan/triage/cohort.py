"""The weekly review for a clinic meeting: one line per patient, most urgent first.

This is what ``backplan review LOGS -p PLANS_DIR -o review.html`` writes. Each patient's
latest ended week is reviewed with :func:`~backplan.review` against one adherence report
of all the logs, so "days silent" counts up to the same day for everyone.

Order: step back with a call first, then step back, hold with a call, hold, progress, and
last the plans that could not be reviewed yet (no week ended). A plan file that cannot be
read is listed at the very top with the reason, and the other patients are still reviewed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from .._io.files import write_atomic
from ..catalogue import load_catalogue
from ..errors import BackplanError
from ..logs import adherence
from ..pages.review import review_page
from ..plan import Plan
from ..plan.store import read_plan_folder
from .decide import ReviewRule, _review, _Slice, _slices, load_review_rules

__all__ = ["MEETING_COLUMNS", "review_meeting", "write_review_meeting"]

#: The columns of :func:`review_meeting`'s table.
MEETING_COLUMNS = ["patient", "week", "decision", "call", "reason", "adherence", "pain",
                   "days_silent", "urgency"]  # fmt: skip
_URGENCY = {("cannot read", True): 0, ("step back", True): 1, ("step back", False): 2,
            ("hold", True): 3, ("hold", False): 4, ("progress", False): 5,
            ("progress", True): 5, ("not yet", False): 6}  # fmt: skip


def review_meeting(
    logs: object,
    plans: Sequence[Plan],
    as_of: date | str | None = None,
    *,
    rules: Sequence[ReviewRule] | None = None,
    catalogue: pd.DataFrame | None = None,
    unreadable: Sequence[tuple[str, str]] = (),
) -> pd.DataFrame:
    """Review every plan's latest ended week; one row per patient, most urgent first.

    Parameters
    ----------
    logs : path, DataFrame or LogTable
        Everyone's logs.
    plans : sequence of Plan
        One plan per patient.
    as_of : date or ISO string, optional
        The review day; the latest log date by default.
    rules, catalogue
        As for :func:`~backplan.review`.
    unreadable : sequence of (file, message)
        Plan files that could not be read; listed first.

    Returns
    -------
    pandas.DataFrame
        :data:`MEETING_COLUMNS`; ``urgency`` 0 is the most urgent.
    """
    rules = load_review_rules() if rules is None else tuple(rules)
    report = adherence(logs, list(plans), as_of=as_of, catalogue=catalogue)
    names = (load_catalogue() if catalogue is None else catalogue).set_index("id")["name"]
    slices = _slices(report)
    rows = [
        (name, None, "cannot read", True, message, None, None, None) for name, message in unreadable
    ]
    for plan in plans:
        try:
            r = _review(plan, slices.get(plan.patient) or _Slice(report.as_of), None, rules, names)
        except BackplanError as exc:
            problems = getattr(exc, "problems", None)
            why = f"Not reviewed: expected {problems[0].expected}." if problems else str(exc)
            rows.append((plan.patient, None, "not yet", False, why, None, None, None))
            continue
        e = r.evidence
        reason = r.reason
        if r.week == plan.weeks:
            reason += " This was the plan's last week: a new plan is needed to go on."
        rows.append((plan.patient, r.week, r.decision, r.flag, reason, e["dose_adherence"],
                     e["pain_now"], e["days_silent"]))  # fmt: skip
    table = pd.DataFrame.from_records(rows, columns=MEETING_COLUMNS[:-1])
    table["urgency"] = [
        _URGENCY[(d, bool(c))] for d, c in zip(table["decision"], table["call"], strict=True)
    ]
    table.attrs["as_of"] = report.as_of
    return table.sort_values(["urgency", "patient"], kind="stable").reset_index(drop=True)


def write_review_meeting(
    logs: str | os.PathLike[str],
    plans_dir: str | os.PathLike[str],
    output: str | os.PathLike[str],
    as_of: date | str | None = None,
    rules_path: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Read logs and a folder of saved plans; write the meeting page to ``output`` (.html).

    Raises
    ------
    PlanError
        When the folder holds no ``*.json`` plan.
    """
    target = Path(output)
    if target.suffix.lower() not in {".html", ".htm"}:
        raise BackplanError(f"{target.name!r}: the review must end in .html")
    folder = read_plan_folder(plans_dir)
    rules = load_review_rules(rules_path)
    table = review_meeting(logs, folder.plans, as_of, rules=rules, unreadable=folder.unreadable)
    write_atomic(target, review_page(table, rules))
    return table
