"""The weekly review for a clinic meeting: one line per patient, most urgent first.

This is what ``backplan review LOGS -p PLANS_DIR -o review.html`` writes. Each patient's
latest ended week is reviewed with :func:`~backplan.review` against one adherence report
of all the logs, so "days silent" counts up to the same day for everyone.

Order: ``refer`` first (a note with a warning sign: call the patient today; also a warning
sign in a log row whose patient label matches no plan), then plan files that cannot be read
(with the reason; the other patients are still reviewed), step back with a call, step
back, hold with a call, hold, progress with a call (a note to read), progress, and last the
plans that could not be reviewed yet (no week ended).
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
from ..identity import patient_key
from ..logs import LogTable, adherence, read_logs
from ..pages.review import review_page
from ..plan import Plan
from ..plan.store import read_plan_folder
from .decide import ReviewRule, _only_notes, _review, _Slice, _slices, load_review_rules
from .notes import NOTE_COLUMNS, log_notes, referral
from .redflags import Lexicon

__all__ = ["MEETING_COLUMNS", "review_meeting", "write_review_meeting"]

#: The columns of :func:`review_meeting`'s table.
MEETING_COLUMNS = ["patient", "week", "decision", "call", "reason", "adherence", "pain",
                   "days_silent", "notes", "urgency"]  # fmt: skip
_URGENCY = {("refer", True): 0, ("cannot read", True): 1, ("step back", True): 2,
            ("step back", False): 3, ("hold", True): 4, ("hold", False): 5,
            ("progress", True): 6, ("progress", False): 7, ("not yet", True): 6,
            ("not yet", False): 8}  # fmt: skip


def review_meeting(
    logs: object,
    plans: Sequence[Plan],
    as_of: date | str | None = None,
    *,
    rules: Sequence[ReviewRule] | None = None,
    catalogue: pd.DataFrame | None = None,
    unreadable: Sequence[tuple[str, str]] = (),
    lexicon: Lexicon | None = None,
) -> pd.DataFrame:
    """Review every plan's latest ended week; one row per patient, most urgent first.

    Parameters
    ----------
    logs : path, DataFrame or LogTable
        Everyone's logs (every row read, accepted or rejected, is checked for warning
        signs in its notes).
    plans : sequence of Plan
        One plan per patient.
    as_of : date or ISO string, optional
        The review day; the latest log date by default.
    rules, catalogue
        As for :func:`~backplan.review`.
    unreadable : sequence of (file, message)
        Plan files that could not be read; listed first after referrals.
    lexicon : Lexicon, optional
        Red flags to look for in the notes.

    Returns
    -------
    pandas.DataFrame
        :data:`MEETING_COLUMNS`; ``urgency`` 0 is the most urgent (``refer``); ``notes``
        counts each patient's notes of the reviewed week. ``attrs["notes"]`` holds those
        notes (see :func:`backplan.triage.notes.log_notes`) with the ``patient`` they
        belong to.
    """
    rules = load_review_rules() if rules is None else tuple(rules)
    table = logs if isinstance(logs, LogTable) else read_logs(logs, list(plans),
                                                              catalogue=catalogue)  # fmt: skip
    report = adherence(table, list(plans), as_of=as_of, catalogue=catalogue)
    notes = log_notes(table, lexicon)
    names = (load_catalogue() if catalogue is None else catalogue).set_index("id")["name"]
    slices = _slices(report)
    accepted = table.accepted
    keys = accepted["patient"].astype(str).map({p: patient_key(p) for p in
                                                pd.unique(accepted["patient"].astype(str))})  # fmt: skip
    by_key = dict(tuple(accepted.groupby(keys.to_numpy(), sort=False))) if len(accepted) else {}
    rows = [
        (name, None, "cannot read", True, message, None, None, None, 0)
        for name, message in unreadable
    ]
    listed = []
    for plan in plans:
        mine = by_key.get(patient_key(plan.patient), accepted.iloc[:0])
        try:
            r = _review(plan, slices.get(plan.patient) or _Slice(report.as_of), None, rules, names,
                        catalogue, mine, notes)  # fmt: skip
        except BackplanError as exc:
            problems = getattr(exc, "problems", None)
            why = f"Not reviewed: expected {problems[0].expected}." if problems else str(exc)
            flagged = _only_notes(plan, notes, None)
            if flagged is not None:
                listed.append(flagged.notes.assign(patient=plan.patient))
                rows.append((plan.patient, None, "refer", True, f"{flagged.reason} {why}", None,
                             None, None, len(flagged.notes)))  # fmt: skip
            else:
                rows.append((plan.patient, None, "not yet", False, why, None, None, None, 0))
            continue
        e = r.evidence
        reason = r.reason
        if r.week == plan.weeks:
            reason += " This was the plan's last week: a new plan is needed to go on."
        if len(r.notes):
            listed.append(r.notes.assign(patient=plan.patient))
        rows.append((plan.patient, r.week, r.decision, r.flag, reason, e["dose_adherence"],
                     e["pain_now"], e["days_silent"], len(r.notes)))  # fmt: skip
    rows += _strangers(notes, plans)
    out = pd.DataFrame.from_records(rows, columns=MEETING_COLUMNS[:-1])
    out["urgency"] = [
        _URGENCY[(d, bool(c))] for d, c in zip(out["decision"], out["call"], strict=True)
    ]
    out = out.sort_values(["urgency", "patient"], kind="stable").reset_index(drop=True)
    out.attrs["as_of"] = report.as_of
    out.attrs["notes"] = (pd.concat(listed, ignore_index=True) if listed
                          else pd.DataFrame(columns=NOTE_COLUMNS))  # fmt: skip
    return out


def _strangers(notes: pd.DataFrame, plans: Sequence[Plan]) -> list[tuple[object, ...]]:
    """A ``refer`` row for each patient label with a warning sign in its notes but no plan
    (a typo in a label must not hide "can't pee properly")."""
    known = {patient_key(p.patient) for p in plans}
    flagged = notes.loc[notes["status"] == "red flag"] if len(notes) else notes
    out = []
    for label, mine in flagged.groupby("patient", sort=True) if len(flagged) else ():
        if patient_key(str(label)) in known:
            continue
        why = (f"{referral(mine)} This label matches no plan: find the patient "
               f"(a typing slip in the logs?).")  # fmt: skip
        out.append((str(label), None, "refer", True, why, None, None, None, len(mine)))
    return out


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
