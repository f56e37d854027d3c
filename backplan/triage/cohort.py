"""The weekly review for a clinic meeting: one line per patient, most urgent first.

This is what ``backplan review LOGS -p PLANS_DIR -o review.html`` writes. Each patient's
latest ended week is reviewed with :func:`~backplan.review` against one adherence report
of all the logs, so "days silent" counts up to the same day for everyone, and the call list
is the one the adherence report's ``flags`` hold (:mod:`backplan.triage.calls`).

Order: the call list first, in its order (a warning sign in a note: call today; then
pain, silence, low adherence, the most severe first), with plan files that cannot be read
after the warning signs; then the patients not to call: step back, hold, progress, and
last the plans that could not be reviewed yet (no week ended).
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
from .calls import CALL_GROUPS, Assessment, assess
from .decide import ReviewRule, _only_notes, _review, _reviewed_week, _Slice, _slices
from .notes import NOTE_COLUMNS, log_notes
from .redflags import Lexicon
from .rules import load_review_rules
from .scores import call_sentences, changes_as_of, patient_outcomes

__all__ = ["MEETING_COLUMNS", "review_meeting", "write_review_meeting"]

#: The columns of :func:`review_meeting`'s table.
MEETING_COLUMNS = ["patient", "week", "decision", "call", "flag", "reason", "action",
                   "adherence", "pain", "pain_worst", "days_silent", "notes", "outcome",
                   "urgency"]  # fmt: skip
_GROUP_URGENCY = {words: i for i, words in enumerate(CALL_GROUPS.values())}
_URGENCY = {"refer": 0, "cannot read": 1, "step back": 5, "hold": 6, "progress": 7,
            "not yet": 8}  # fmt: skip


def _urgency(decision: str, flag: str) -> int:
    """0 a warning sign; 1 a plan file that cannot be read; 2-4 pain, silent, low adherence
    calls; 5-7 step back, hold, progress without a call; 8 not reviewed yet."""
    if flag:
        group = _GROUP_URGENCY[flag]
        return group if group == 0 else group + 1
    return _URGENCY[decision]


def review_meeting(
    logs: object,
    plans: Sequence[Plan],
    as_of: date | str | None = None,
    *,
    rules: Sequence[ReviewRule] | None = None,
    catalogue: pd.DataFrame | None = None,
    unreadable: Sequence[tuple[str, str]] = (),
    lexicon: Lexicon | None = None,
    outcomes: object = None,
) -> pd.DataFrame:
    """Review every plan's latest ended week; one row per patient, most urgent first.

    Parameters
    ----------
    logs : path, DataFrame or LogTable
        Everyone's logs (every row read, accepted or rejected, is checked for warning
        signs in its notes).
    plans : sequence of Plan
        One plan per patient; STarT Back high-risk plans are reviewed with the time-based
        rules.
    as_of : date or ISO string, optional
        The review day; the latest log date by default.
    rules, catalogue
        As for :func:`~backplan.review` (``rules``: the clinic's usual rules).
    unreadable : sequence of (file, message)
        Plan files that could not be read; listed first after referrals.
    lexicon : Lexicon, optional
        Red flags to look for in the notes.
    outcomes : OutcomeTable, DataFrame or path, optional
        Outcome scores: each patient's most urgent outcome line goes in ``outcome``, and a
        measure worse by its minimal important change puts them on the call list.

    Returns
    -------
    pandas.DataFrame
        :data:`MEETING_COLUMNS`; ``urgency`` 0 is the most urgent (``refer``); ``flag`` is
        the call group ('' when no call), ``action`` what to do; ``notes`` counts each
        patient's notes of the reviewed week. ``attrs["calls"]`` is the call list (the
        columns of the adherence report's ``flags``), ``attrs["notes"]`` those notes (see
        :func:`backplan.triage.notes.log_notes`) with the ``patient`` they belong to, and
        ``attrs["as_of"]`` the review day.
    """
    rules = load_review_rules() if rules is None else tuple(rules)
    table = logs if isinstance(logs, LogTable) else read_logs(logs, list(plans),
                                                              catalogue=catalogue)  # fmt: skip
    report = adherence(table, list(plans), as_of=as_of, catalogue=catalogue)
    notes = log_notes(table, lexicon)
    names = (load_catalogue() if catalogue is None else catalogue).set_index("id")["name"]
    changes = None if outcomes is None else changes_as_of(outcomes, report.as_of)
    scores = {}
    if changes is not None:
        adherent = dict(zip(report.by_patient["patient"].astype(str),
                            report.by_patient["adherence"], strict=True))  # fmt: skip
        scores = {p.patient: patient_outcomes(changes, p.patient, adherent.get(p.patient))[1]
                  for p in plans}  # fmt: skip
    assessed = assess(report.by_week, report.by_patient, report.by_exercise, report.as_of,
                      rows=table.accepted, notes=notes, rules=rules,
                      start_back={p.patient: p.start_back for p in plans},
                      outcome_calls={p: call_sentences(lines) for p, lines in scores.items()})  # fmt: skip
    calls = assessed.calls.set_index("patient")
    per_patient = _split(assessed)
    slices = _slices(report)
    keys = notes["patient"].astype(str).map(patient_key) if len(notes) else notes["patient"]
    notes_of = dict(tuple(notes.groupby(keys.to_numpy(), sort=False))) if len(notes) else {}
    rows = [(name, None, "cannot read", True, "", message, "Fix or replace the plan file.",
             None, None, None, None, 0, "") for name, message in unreadable]  # fmt: skip
    listed = []
    for plan in plans:
        lines = scores.get(plan.patient, [])
        outcome = f"{lines[0].action.upper()}: {lines[0].says}" if lines else ""
        if len(lines) > 1:
            outcome += f" (and {len(lines) - 1} more line{'s' if len(lines) > 2 else ''})"
        call = calls.loc[plan.patient] if plan.patient in calls.index else None
        flag, action = ("", "") if call is None else (call["flag"], call["action"])
        try:
            found = slices.get(plan.patient) or _Slice(report.as_of)
            week = _reviewed_week(plan, found, None)
            mine = notes_of.get(patient_key(plan.patient), notes.iloc[:0])
            r = _review(plan, week, per_patient[plan.patient], report.as_of, names, catalogue,
                        mine)  # fmt: skip
        except BackplanError as exc:
            problems = getattr(exc, "problems", None)
            why = f"Not reviewed: expected {problems[0].expected}." if problems else str(exc)
            flagged = _only_notes(plan, notes, None)
            if flagged is not None:
                listed.append(flagged.notes.assign(patient=plan.patient))
                rows.append((plan.patient, None, "refer", True, flag, f"{flagged.reason} {why}",
                             action, None, None, None, None, len(flagged.notes), outcome))  # fmt: skip
            else:
                rows.append((plan.patient, None, "not yet", call is not None, flag, why,
                             action, None, None, None, None, 0, outcome))  # fmt: skip
            continue
        e = r.evidence
        reason = r.reason
        if r.week == plan.weeks:
            reason += " This was the plan's last week: a new plan is needed to go on."
        if len(r.notes):
            listed.append(r.notes.assign(patient=plan.patient))
        rows.append((plan.patient, r.week, r.decision, r.flag, flag, reason, action,
                     e["dose_adherence"], e["pain_now"], e["pain_worst"], e["days_silent"],
                     len(r.notes), outcome))  # fmt: skip
    known = {patient_key(p.patient) for p in plans}
    for stranger in assessed.calls.itertuples(index=False):
        if patient_key(stranger.patient) not in known:
            rows.append((stranger.patient, None, "refer", True, stranger.flag, stranger.detail,
                         stranger.action, None, None, None, None, 1, ""))  # fmt: skip
    out = pd.DataFrame.from_records(rows, columns=MEETING_COLUMNS[:-1])
    out["urgency"] = [_urgency(d, f) for d, f in zip(out["decision"], out["flag"], strict=True)]
    rank = dict(zip(assessed.calls["patient"], assessed.calls["rank"], strict=True))
    out["_rank"] = out["patient"].map(rank).fillna(len(rank) + 1)
    out = out.sort_values(["urgency", "_rank", "patient"], kind="stable").drop(columns="_rank")
    out = out.reset_index(drop=True)
    out.attrs["as_of"] = report.as_of
    out.attrs["calls"] = assessed.calls
    out.attrs["notes"] = (pd.concat(listed, ignore_index=True) if listed
                          else pd.DataFrame(columns=NOTE_COLUMNS))  # fmt: skip
    return out


def _split(assessed: Assessment) -> dict[str, Assessment]:
    """The assessment of each reviewed patient on its own (looked up once, not per patient)."""
    exercises = dict(tuple(assessed.exercises.groupby("patient", sort=False)))
    calls = dict(tuple(assessed.calls.groupby("patient", sort=False)))
    empty = assessed.calls.iloc[:0]
    return {
        p: Assessment(
            assessed.evidence.loc[[p]], exercises[p], calls.get(p, empty), {p: assessed.rules[p]}
        )
        for p in assessed.evidence.index
        if p in exercises
    }


def write_review_meeting(
    logs: str | os.PathLike[str],
    plans_dir: str | os.PathLike[str],
    output: str | os.PathLike[str],
    as_of: date | str | None = None,
    rules_path: str | os.PathLike[str] | None = None,
    outcomes: object = None,
) -> pd.DataFrame:
    """Read logs and a folder of saved plans; write the meeting page to ``output`` (.html).

    ``outcomes``: outcome scores (a file, or see :func:`review_meeting`), optional.

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
    table = review_meeting(logs, folder.plans, as_of, rules=rules, unreadable=folder.unreadable,
                           outcomes=outcomes)  # fmt: skip
    write_atomic(target, review_page(table, rules))
    return table
