"""The weekly review: from a patient's logs to progress, hold or step back, with the evidence.

:func:`review` looks at one ended week of a plan and decides, for each exercise and for the
plan, whether the dose goes up, stays or comes down. It never changes the plan:
:func:`apply_review` makes a new revision (see :mod:`backplan.plan.revise`).

Default rules (``data/review-rules.csv``; a clinic can copy and edit it, then pass
``rules=load_review_rules(path)``), checked in file order:

==========================  =========================================  ===========
rule                        fires when                                 decision
==========================  =========================================  ===========
pain-too-high               mean pain during exercise this week > 5    step back
pain-up-since-week-1        pain >= 2 points above week 1              step back
pain-up-since-last-week     pain >= 2 points above last week           step back
no-recent-logs              nothing logged for >= 7 days (flagged)     hold
low-dose-adherence          reps done < 80% of reps prescribed         hold
low-session-adherence       sessions done < 80% of sessions            hold
pain-acceptable             mean pain > 3 (4-5 is acceptable)          hold
no-pain-scores              no pain score logged that week             hold
comfortable                 otherwise                                  progress
==========================  =========================================  ===========

Sources: NHS inform "Exercises for back pain" (add 1-2 reps every few days if comfortable;
stop or reduce if symptoms worsen); the pain-monitoring model (Silbernagel 2007: during
exercise up to 3/10 fine, 4-5 acceptable, over 5 too much); the minimal clinically
important change on the 0-10 scale (2 points: Childs 2005, Ostelo 2008); adherent means
at least 80% of the prescription. The most cautious decision of all rules that fire wins
(step back over hold over progress); the first such rule in file order is "the rule that
fired". Progress adds ``change_reps`` reps (2), step back takes 2 off (never below 1 or
above the dose bounds, nor above an :class:`~backplan.AddDose` cap for reps).

Measures (per exercise; pain and silence are per patient-week, so they apply to every
exercise): ``pain_now`` (mean pain score of the week), ``pain_rise_week1``,
``pain_rise_last_week``, ``pain_scores`` (how many), ``days_silent`` (days from the last
log to the review day), ``dose_adherence`` and ``session_adherence`` (capped at 1, as in
:func:`~backplan.adherence`), and ``always``. A missing measure (no pain score) never fires
a rule that compares it.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from ..catalogue import load_catalogue
from ..errors import LogError, PlanError, Problem
from ..logs import AdherenceReport, LogTable, adherence, read_logs
from ..plan import Plan, dose_in_week, level_in_week
from ..plan.revise import revise
from ..plan.rules import DECISIONS, DOSE_BOUNDS, AddDose, Prescription
from .rules import MEASURES, ReviewRule, ReviewRulesError, load_review_rules

__all__ = [
    "MEASURES",
    "Review",
    "ReviewRule",
    "ReviewRulesError",
    "apply_review",
    "load_review_rules",
    "review",
]


@dataclass
class Review:
    """What :func:`review` decided for one patient and week, and why.

    Attributes
    ----------
    patient : str
    week : int
        The plan week reviewed (ended on or before ``as_of``).
    as_of : datetime.date
        The review day: logs up to this day were looked at.
    decision : str
        ``"progress"``, ``"hold"`` or ``"step back"`` for the plan (the most cautious of
        the exercises').
    rule : str
        The rule that fired for the plan's decision.
    reason : str
        That rule's words with the numbers, e.g. "Pain is 3.0 points higher than in week 1...".
    flag : bool
        True when a rule asks for a call (pain rising, nothing logged).
    evidence : dict
        ``pain_now``, ``pain_week1``, ``pain_last_week``, ``pain_rise_week1``,
        ``pain_rise_last_week``, ``pain_scores``, ``days_silent``, ``last_log``,
        ``dose_adherence`` and ``session_adherence`` (week means over exercises).
    exercises : pandas.DataFrame
        One row per exercise: ``exercise``, ``reps_now``, ``reps_next``,
        ``dose_adherence``, ``session_adherence``, ``decision``, ``rule``, ``reason``,
        ``rules_fired``.
    next_doses : dict
        exercise -> the :class:`~backplan.Prescription` proposed from the next week.
    """

    patient: str
    week: int
    as_of: date
    decision: str
    rule: str
    reason: str
    flag: bool
    evidence: dict[str, Any]
    exercises: pd.DataFrame
    next_doses: dict[str, Prescription] = field(default_factory=dict)
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)

    def summary(self) -> str:
        """One line for a clinic meeting."""
        flag = " [call]" if self.flag else ""
        text = f"{self.patient}, week {self.week}: {self.decision.upper()}{flag}: {self.reason}"
        if len(self.rejected):
            text += (
                f" ({len(self.rejected)} of this patient's log rows were rejected: see .rejected)"
            )
        return text

    def __repr__(self) -> str:
        return f"Review({self.summary()})"

    def _repr_html_(self) -> str:
        shown = self.exercises[["name", "reps_now", "reps_next", "dose_adherence",
                                "session_adherence", "decision", "reason"]]  # fmt: skip
        table = shown.to_html(index=False, escape=True, float_format=lambda v: f"{v:.0%}")
        return f"<p><strong>{html.escape(self.summary())}</strong></p>{table}"


def _report_for(plan: Plan, logs: object, week: int | None, catalogue: Any) -> Any:
    if isinstance(logs, AdherenceReport):
        return logs
    table = logs if isinstance(logs, LogTable) else read_logs(logs, [plan], catalogue=catalogue)
    if table.rows_read == 0:
        raise LogError([Problem("<logs>", None, None, f"log rows for {plan.patient!r}; the logs "
                                "are empty, so there is nothing to review")])  # fmt: skip
    if len(table.accepted) == 0:
        reasons = table.rejected["reason"].astype(str)
        others = sorted(set(table.rejected.loc[reasons.str.contains("unknown patient"), "patient"]
                            .astype(str)))  # fmt: skip
        what = (f"rows for patient {plan.patient!r}; these logs are of "
                f"{', '.join(others[:5])}" if others else
                f"rows that fit this plan; every row was rejected "
                f"({'; '.join(sorted(set(reasons))[:3])})")  # fmt: skip
        raise LogError([Problem(", ".join(table.sources) or "<logs>", None, "patient", what)])
    as_of = None
    if week is not None:
        as_of = plan.start_date + timedelta(days=7 * week - 1)
    return adherence(table, [plan], as_of=as_of, catalogue=catalogue)


@dataclass
class _Slice:
    """One patient's rows of an adherence report, as plain records."""

    as_of: date
    by_exercise: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    by_week: dict[int, dict[str, Any]] = field(default_factory=dict)
    by_patient: dict[str, Any] | None = None


_EX_COLS = ["patient", "week", "exercise", "sets", "reps", "sessions_per_day", "days_per_week",
            "start_date", "dose_adherence", "session_adherence"]  # fmt: skip
_WEEK_COLS = ["patient", "week", "pain_mean", "pain_n", "ended", "adherence", "session_adherence"]


def _slices(report: Any, patients: Sequence[str] | None = None) -> dict[str, _Slice]:
    """Every patient's rows of ``report``, read once as records (not filtered per patient)."""
    ex, wk, pt = report.by_exercise, report.by_week, report.by_patient
    if patients is not None:
        keep = set(patients)
        ex, wk, pt = (t.loc[t["patient"].isin(keep)] for t in (ex, wk, pt))
    out = {str(r["patient"]): _Slice(report.as_of, by_patient=r) for r in
           pt[["patient", "last_log"]].to_dict("records")}  # fmt: skip
    for r in wk[_WEEK_COLS].to_dict("records"):
        out[str(r["patient"])].by_week[int(r["week"])] = r
    for r in ex[_EX_COLS].to_dict("records"):
        out[str(r["patient"])].by_exercise.setdefault(int(r["week"]), {})[r["exercise"]] = r
    return out


def _week_of(plan: Plan, report: _Slice, week: int | None) -> int:
    ended = [w for w, r in report.by_week.items() if r["ended"]]
    if week is None:
        if not ended:
            raise PlanError([Problem("<plan>", None, "week", f"a week of the plan that has ended "
                                     f"by {report.as_of}; week 1 ends "
                                     f"{plan.start_date + timedelta(days=6)}")])  # fmt: skip
        return max(ended)
    if not 1 <= week <= plan.weeks:
        raise PlanError([Problem("<plan>", None, "week", f"a week from 1 to {plan.weeks}", week)])
    if week not in set(ended):
        end = plan.start_date + timedelta(days=7 * week - 1)
        raise PlanError([Problem("<plan>", None, "week", f"a week that has ended by the logs' "
                                 f"last day {report.as_of} (week {week} ends {end})", week)])  # fmt: skip
    return week


def _same_plan(plan: Plan, report: _Slice, week: int) -> pd.DataFrame:
    rows = report.by_exercise.get(week, {})
    if not rows:
        raise PlanError([Problem("<plan>", None, "patient", f"a patient in the report; it has no "
                                 f"rows for {plan.patient!r} in week {week}")])  # fmt: skip
    doses = dose_in_week(plan, week)
    mine = [(p.exercise, p.sets, p.reps, p.sessions_per_day, p.days_per_week) for p in doses]
    cols = ["exercise", "sets", "reps", "sessions_per_day", "days_per_week"]
    theirs = [tuple(r[c] for c in cols) for r in rows.values()]
    start = pd.Timestamp(next(iter(rows.values()))["start_date"]).date()
    if sorted(mine) != sorted(theirs) or start != plan.start_date:
        raise PlanError([Problem("<plan>", None, None, f"a report made from this plan: the report "
                                 f"for {plan.patient!r} week {week} prescribes {sorted(theirs)} "
                                 f"from {start}, this plan {sorted(mine)} from "
                                 f"{plan.start_date}")])  # fmt: skip
    return rows


def _pain(weeks: dict[int, dict[str, Any]], week: int) -> tuple[float, int]:
    row = weeks.get(week)
    if row is None:
        return math.nan, 0
    return float(row["pain_mean"]), int(row["pain_n"])


def _evidence(plan: Plan, report: _Slice, week: int) -> dict[str, Any]:
    weeks = report.by_week
    now, n = _pain(weeks, week)
    first, _ = _pain(weeks, 1)
    last, _ = _pain(weeks, week - 1)
    patient = report.by_patient or {}
    last_log = patient.get("last_log")
    # silence counts up to the review day, or to the plan's last day if it has ended
    as_of = min(report.as_of, plan.start_date + timedelta(days=7 * plan.weeks - 1))
    if pd.isna(last_log):
        silent = (as_of - plan.start_date).days + 1
        last_log = None
    else:
        last_log = pd.Timestamp(last_log).date()
        silent = max(0, (as_of - last_log).days)
    row = weeks[week]
    return {
        "pain_now": now,
        "pain_week1": first,
        "pain_last_week": last,
        "pain_rise_week1": now - first if week > 1 else math.nan,
        "pain_rise_last_week": now - last if week > 1 else math.nan,
        "pain_scores": n,
        "days_silent": silent,
        "last_log": last_log,
        "dose_adherence": float(row["adherence"]),
        "session_adherence": float(row["session_adherence"]),
    }


def _reps_cap(plan: Plan, p: Prescription) -> int:
    caps = [r.cap for r in plan.progression if isinstance(r, AddDose) and r.what == "reps"
            and r.applies_to(p)]  # fmt: skip
    return max(p.reps, min(caps, default=DOSE_BOUNDS["reps"][1]))


def _decide(
    rules: Sequence[ReviewRule], measures: dict[str, float]
) -> tuple[ReviewRule, list[str]]:
    fired = [r for r in rules if r.fires(measures)]
    if not fired:  # a clinic file without a default rule: do not progress blindly
        fired = [ReviewRule(rule="no-rule-fired", measure="always", decision="hold",
                            says="No rule fired, so the dose stays the same.")]  # fmt: skip
    worst = max(DECISIONS.index(r.decision) for r in fired)
    chosen = next(r for r in fired if DECISIONS.index(r.decision) == worst)
    return chosen, [r.rule for r in fired]


def review(
    plan: Plan,
    logs_or_report: object,
    week: int | None = None,
    *,
    rules: Sequence[ReviewRule] | None = None,
    catalogue: pd.DataFrame | None = None,
) -> Review:
    """Decide progress, hold or step back for one ended week of ``plan``, from the logs.

    Parameters
    ----------
    plan : Plan
        The plan as it stands (with its revisions).
    logs_or_report : path, DataFrame, LogTable or AdherenceReport
        The patient's logs (read and checked against ``plan``), or a report from
        :func:`~backplan.adherence` that includes this plan; with a report, the review day
        is the report's ``as_of``.
    week : int, optional
        The plan week to review; it must have ended. By default the latest ended week.
    rules : sequence of ReviewRule, optional
        See :func:`load_review_rules`; the shipped rules by default.
    catalogue : pandas.DataFrame, optional
        Exercise ids and names; the shipped catalogue by default.

    Returns
    -------
    Review

    Raises
    ------
    LogError
        No logs at all, or logs of another patient or plan (no row fits this plan).
    PlanError
        A week outside the plan or not yet ended, or a report made from another plan.
    """
    rules = load_review_rules() if rules is None else tuple(rules)
    report = _report_for(plan, logs_or_report, week, catalogue)
    names = (load_catalogue() if catalogue is None else catalogue).set_index("id")["name"]
    found = _slices(report, [plan.patient]).get(plan.patient, _Slice(report.as_of))
    result = _review(plan, found, week, rules, names, catalogue)
    rejected = report.rejected
    if "patient" in rejected.columns:
        rejected = rejected.loc[rejected["patient"].astype(str) == plan.patient]
    result.rejected = rejected.reset_index(drop=True)
    return result


def _review(
    plan: Plan,
    report: _Slice,
    week: int | None,
    rules: Sequence[ReviewRule],
    names: pd.Series,
    catalogue: pd.DataFrame | None = None,
) -> Review:
    if report.by_patient is None:
        raise PlanError([Problem("<plan>", None, "patient", f"a patient in the report; it has "
                                 f"no rows for {plan.patient!r}")])  # fmt: skip
    week = _week_of(plan, report, week)
    rows = _same_plan(plan, report, week)
    evidence = _evidence(plan, report, week)
    lines, next_doses, chosen_rules = [], {}, []
    for p in dose_in_week(plan, week):
        measures = {**evidence, "dose_adherence": float(rows[p.exercise]["dose_adherence"]),
                    "session_adherence": float(rows[p.exercise]["session_adherence"])}  # fmt: skip
        rule, fired = _decide(rules, measures)
        reps = min(max(p.reps + rule.change_reps, DOSE_BOUNDS["reps"][0]), _reps_cap(plan, p))
        if rule.decision == "step back":
            reps = min(reps, p.reps)
        next_doses[p.exercise] = p.model_copy(update={"reps": reps})
        chosen_rules.append((rule, measures))
        lines.append((p.exercise, names.get(p.exercise, p.exercise), p.reps, reps,
                      measures["dose_adherence"], measures["session_adherence"], rule.decision,
                      rule.rule, rule.reason(measures), ", ".join(fired)))  # fmt: skip
    table = pd.DataFrame.from_records(lines, columns=[
        "exercise", "name", "reps_now", "reps_next", "dose_adherence", "session_adherence",
        "decision", "rule", "reason", "rules_fired"])  # fmt: skip
    worst = max(DECISIONS.index(r.decision) for r, _ in chosen_rules)
    rule, measures = next((r, m) for r, m in chosen_rules if DECISIONS.index(r.decision) == worst)
    reason = rule.reason(measures)
    held = table.loc[table["rule"] == rule.rule, "name"].tolist()
    if rule.measure in {"dose_adherence", "session_adherence"}:
        if len(held) == len(table):  # every exercise: say it with the week's mean
            reason = rule.reason(evidence)
        else:  # some exercises: name the first with its own figure, then the others
            reason = f"{held[0]}: {reason}"
            if len(held) > 1:
                reason += f" Also held for the same reason: {', '.join(held[1:])}."
    flagged = any(r.flag and r.fires(m) for _, m in chosen_rules for r in rules)
    level = _moves_up(plan, week, catalogue) if DECISIONS[worst] == "progress" else None
    if level:
        reason += (f" As the plan has a next level, from week {week + 1} the patient moves up "
                   f"to {level} instead.")  # fmt: skip
    return Review(plan.patient, week, report.as_of, DECISIONS[worst], rule.rule, reason, flagged,
                  evidence, table, next_doses)  # fmt: skip


def apply_review(
    plan: Plan,
    decision: Review,
    *,
    by: str,
    when: datetime | None = None,
    catalogue: pd.DataFrame | None = None,
) -> Plan:
    """A new plan with the review's doses from the week after the reviewed one.

    The plan passed in is not changed. Every reviewed exercise gets the dose the review
    proposed (a hold keeps the dose and stops automatic increases), recorded as a revision
    with the review's reason, ``by`` and ``when``. After a hold or a step back the patient
    stays at their level: a planned move to the next level waits until a review says
    progress.

    Raises
    ------
    PlanError
        When the review is for another patient, the plan ends with the reviewed week, the
        plan changed since the review, or the new doses break the plan's restrictions.
    """
    if decision.patient != plan.patient:
        raise PlanError([Problem("<plan>", None, "patient", f"a review of this plan's patient "
                                 f"{plan.patient!r}", decision.patient)])  # fmt: skip
    if decision.week >= plan.weeks:
        raise PlanError([Problem("<plan>", None, "week", f"a reviewed week before the plan's last "
                                 f"(week {plan.weeks}); make a new plan to go on", decision.week)])  # fmt: skip
    now = {p.exercise: p.reps for p in dose_in_week(plan, decision.week)}
    if now != dict(
        zip(decision.exercises["exercise"], decision.exercises["reps_now"], strict=True)
    ):
        raise PlanError([Problem("<plan>", None, None, "the plan the review was made from; it has "
                                 "changed since, so review it again")])  # fmt: skip
    doses = {ex: {"reps": p.reps} for ex, p in decision.next_doses.items()}
    hold = decision.decision != "progress"
    if not hold:  # a move to the next level: its exercises, not these; none possible: stay
        level = _moves_up(plan, decision.week, catalogue)
        doses, hold = ({}, False) if level else (doses, level is None)
    return revise(plan, decision.week + 1, doses, why=decision.reason, by=by,
                  decision=decision.decision, hold_level=hold, when=when,
                  catalogue=catalogue)  # fmt: skip


def _moves_up(plan: Plan, week: int, catalogue: pd.DataFrame | None) -> str | None:
    """The level a progress after ``week`` moves to: "" when no move is due, None when none can be.

    A move that would leave a week without exercises (e.g. all the next level's were
    stopped) cannot happen: the patient progresses within their level.
    """
    if week >= plan.weeks:
        return ""
    try:
        moved = revise(plan, week + 1, {}, why="review", by="review", catalogue=catalogue)
    except PlanError:
        return None
    level = level_in_week(moved, week + 1)
    return level if level != level_in_week(plan, week) else ""
