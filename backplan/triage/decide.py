"""The weekly review: from a patient's logs to progress, hold or step back, with the evidence.

:func:`review` looks at one ended week of a plan and decides, for each exercise and for the
plan, whether the dose goes up, stays or comes down. It never changes the plan:
:func:`apply_review` makes a new revision (see :mod:`backplan.plan.revise`).

Default rules (``data/review-rules.csv``; a clinic can copy and edit it, then pass
``rules=load_review_rules(path)``), checked in file order:

==========================  ==============================================  ===========
rule                        fires when                                      decision
==========================  ==============================================  ===========
pain-worst-day              pain during exercise > 5 on any day (call)      step back
pain-too-high               mean pain during exercise this week > 5 (call)  step back
pain-up-since-week-1        pain >= 2 points above week 1 (call)            step back
pain-up-since-last-week     pain >= 2 points above last week (call)         step back
morning-pain-rising         next-morning pain up on 2 or more days (call)   hold
no-recent-logs              nothing logged for >= 7 days (call)             hold
no-pain-scores-call         no pain score in a week after week 1 (call)     hold
low-adherence-call          under 50% of the reps over the plan (call)      hold
low-dose-adherence          reps done < 80% of reps prescribed              hold
low-session-adherence       sessions done < 80% of sessions                 hold
pain-acceptable             mean pain > 3 (4-5 is acceptable)               hold
no-pain-scores              no pain score logged that week                  hold
comfortable                 otherwise                                       progress
==========================  ==============================================  ===========

A STarT Back high-risk plan (``plan.start_back == "high"``) is reviewed with the
time-based rules instead (``data/review-rules-time-based.csv``, see
:func:`backplan.review_rules_for`), whatever ``rules`` says.

Sources: NHS inform "Exercises for back pain" (add 1-2 reps every few days if comfortable;
stop or reduce if symptoms worsen); the pain-monitoring model (Silbernagel 2007: during
exercise up to 3/10 fine, 4-5 acceptable, over 5 too much); the minimal clinically
important change on the 0-10 scale (2 points: Childs 2005, Ostelo 2008); adherent means
at least 80% of the prescription. The most cautious decision of all rules that fire wins
(step back over hold over progress); the first such rule in file order is "the rule that
fired". Progress adds ``change_reps`` reps (2), step back takes about 20% off (never below
1 or above the dose bounds, nor above an :class:`~backplan.AddDose` cap for reps).

The measures (:mod:`backplan.triage.evidence`) and the call list (:mod:`backplan.triage.calls`)
are the ones the adherence report's ``flags`` use, so the review and the report agree.
Outcome scores, when given, add their lines (:mod:`backplan.triage.scores`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from ..catalogue import catalogue_argument
from ..errors import LogError, PlanError, Problem
from ..logs import AdherenceReport, LogTable, adherence, read_logs
from ..outcomes.decisions import OutcomeLine
from ..plan import Plan, dose_in_week, level_in_week
from ..plan.model import plan_argument, week_argument
from ..plan.revise import revise, step_back_reps
from ..plan.rules import DECISIONS, DOSE_BOUNDS, AddDose, Prescription
from .calls import Assessment, assess
from .evidence import measures_of
from .notes import log_notes, notes_between, referral, to_read
from .redflags import Lexicon
from .rules import MEASURES, ReviewRule, ReviewRulesError, load_review_rules, rules_argument
from .scores import call_sentences, changes_as_of, patient_outcomes, summary_lines

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
        ``"refer"`` when a note of the week shows a warning sign (it outranks everything:
        call the patient today), else ``"progress"``, ``"hold"`` or ``"step back"`` for the
        plan (the most cautious of the exercises').
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
    rejected : pandas.DataFrame
        This patient's rejected log rows.
    notes : pandas.DataFrame
        Every note the patient wrote from the first day of the reviewed week to the review
        day (and every note of theirs whose date cannot be read), matched or not, with what
        the check found (see :func:`backplan.triage.notes.log_notes`).
    notes_checked : bool
        False when the review was given an adherence report: it holds no notes, so none
        were read (pass the logs instead).
    call : dict or None
        The patient's row of the call list (:data:`backplan.triage.calls.CALL_COLUMNS`:
        ``flag`` the group, ``detail`` why, ``action`` what to do), or ``None`` when no
        call is needed; the adherence report's ``flags`` row for the same week is the same.
    outcomes : pandas.DataFrame
        With ``outcomes=``: the patient's baseline, latest score and change per measure
        (:data:`backplan.triage.scores.OUTCOME_SHOWN`), scores dated up to ``as_of``.
    outcome_lines : list of OutcomeLine
        With ``outcomes=``: "call the patient", "ready for discharge", "take a follow-up
        score" and notes, most urgent first (:func:`backplan.outcome_lines`).
    rules : tuple of ReviewRule
        The rules the week was reviewed with (time-based for a STarT Back high-risk plan).
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
    notes: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes_checked: bool = True
    call: dict[str, Any] | None = None
    outcomes: pd.DataFrame = field(default_factory=pd.DataFrame)
    outcome_lines: list[OutcomeLine] = field(default_factory=list)
    rules: tuple[ReviewRule, ...] = ()

    @property
    def red_flags(self) -> pd.DataFrame:
        """The notes with a warning sign (the reason for a ``"refer"``)."""
        if not len(self.notes):
            return self.notes
        return self.notes.loc[self.notes["status"] == "red flag"].reset_index(drop=True)

    def summary(self) -> str:
        """One line for a clinic meeting."""
        flag = " [call]" if self.flag else ""
        text = f"{self.patient}, week {self.week}: {self.decision.upper()}{flag}: {self.reason}"
        if len(self.rejected):
            text += (
                f" ({len(self.rejected)} of this patient's log rows were rejected: see .rejected)"
            )
        if not self.notes_checked:
            text += " Notes were not read: review the logs, not an adherence report."
        for line in summary_lines(self.outcome_lines):
            text += f" Scores: {line}"
        return text

    def __repr__(self) -> str:
        return f"Review({self.summary()})"

    def _repr_html_(self) -> str:
        shown = self.exercises[["name", "reps_now", "reps_next", "dose_adherence",
                                "session_adherence", "decision", "reason"]]  # fmt: skip
        table = shown.to_html(index=False, escape=True, float_format=lambda v: f"{v:.0%}")
        notes = scores = ""
        if len(self.notes):
            cols = ["date_text", "note", "status", "category", "concept", "read_reason"]
            notes = "<p>Notes</p>" + self.notes[cols].to_html(index=False, escape=True)
        if len(self.outcomes):
            shown = self.outcomes.drop(columns=["measure", "goals", "goals_met"], errors="ignore")
            scores = "<p>Outcome scores</p>" + shown.to_html(
                index=False, escape=True, float_format=lambda v: f"{v:g}", na_rep=""
            )
            scores += "".join(f"<p>{html.escape(str(line))}</p>" for line in self.outcome_lines)
        call = ""
        if self.call is not None:
            call = (f"<p><strong>Call ({html.escape(str(self.call['flag']))}):</strong> "
                    f"{html.escape(str(self.call['action']))}</p>")  # fmt: skip
        return (f"<p><strong>{html.escape(self.summary())}</strong></p>{call}{table}{scores}"
                f"{notes}")  # fmt: skip


def _table_for(plan: Plan, logs: object, catalogue: Any) -> LogTable | None:
    if isinstance(logs, AdherenceReport):
        return None
    return logs if isinstance(logs, LogTable) else read_logs(logs, [plan], catalogue=catalogue)


def _report_for(plan: Plan, table: LogTable, week: int | None, catalogue: Any) -> Any:
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


def _week_days(plan: Plan, week: int) -> tuple[date, date]:
    first = plan.start_date + timedelta(days=7 * (week - 1))
    return first, first + timedelta(days=6)


def _reps_cap(plan: Plan, p: Prescription) -> int:
    caps = [r.cap for r in plan.progression if isinstance(r, AddDose) and r.what == "reps"
            and r.applies_to(p)]  # fmt: skip
    return max(p.reps, min(caps, default=DOSE_BOUNDS["reps"][1]))


def review(
    plan: Plan,
    logs_or_report: object,
    week: int | None = None,
    *,
    rules: Sequence[ReviewRule] | None = None,
    catalogue: pd.DataFrame | None = None,
    lexicon: Lexicon | None = None,
    outcomes: object = None,
) -> Review:
    """Decide refer, progress, hold or step back for one ended week of ``plan``, from the logs.

    Parameters
    ----------
    plan : Plan
        The plan as it stands (with its revisions). A STarT Back high-risk plan is reviewed
        with the time-based rules (:func:`~backplan.review_rules_for`).
    logs_or_report : path, DataFrame, LogTable or AdherenceReport
        The patient's logs (read and checked against ``plan``), or a report from
        :func:`~backplan.adherence` that includes this plan; with a report, the review day
        is the report's ``as_of``, and notes and day-by-day pain cannot be read (a report
        holds neither): pass the logs.
    week : int, optional
        The plan week to review; it must have ended. By default the latest ended week.
    rules : sequence of ReviewRule, optional
        The clinic's usual rules (see :func:`load_review_rules`); the shipped rules by
        default.
    catalogue : pandas.DataFrame, optional
        Exercise ids and names; the shipped catalogue by default.
    lexicon : Lexicon, optional
        Red flags to look for in the notes (:func:`~backplan.triage.redflags.load_red_flags`).
    outcomes : OutcomeTable, DataFrame or path, optional
        Outcome scores (:func:`~backplan.read_outcomes`), or a table from
        :func:`~backplan.outcome_changes`: the review then shows this patient's baseline,
        latest score and change per measure (scores up to the review day) and their lines;
        a measure worse by its minimal important change puts the patient on the call list.

    Returns
    -------
    Review
        A note from the reviewed week to the review day with a warning sign makes the
        decision ``"refer"`` (call the patient today), whatever the rules say; so does one
        in a row rejected for a bad date. Every note of those days is in ``Review.notes``.

    Raises
    ------
    LogError
        No logs at all, or logs of another patient or plan (no row fits this plan) and
        no warning sign in any of their notes.
    PlanError
        A week that is not a whole number of the plan, or not yet ended, or a report made
        from another plan.
    OutcomeError
        Outcome rows given raw (not an :class:`~backplan.OutcomeTable`) with a bad row.
    """
    plan = plan_argument(plan)
    week = None if week is None else week_argument(plan, week)
    rules = rules_argument(rules)
    catalogue = catalogue_argument(catalogue)
    table = _table_for(plan, logs_or_report, catalogue)
    notes = log_notes(table, lexicon) if table is not None else None
    names = catalogue.set_index("id")["name"]
    try:
        report = logs_or_report if table is None else _report_for(plan, table, week, catalogue)
        found = _slices(report, [plan.patient]).get(plan.patient, _Slice(report.as_of))
        week = _reviewed_week(plan, found, week)
        rows = None if table is None else _rows_of(table.accepted, plan.patient)
        changes = None if outcomes is None else changes_as_of(outcomes, report.as_of)
        shown, lines = (
            (pd.DataFrame(), [])
            if changes is None
            else patient_outcomes(
                changes, plan.patient, _mine(report.by_patient, plan.patient)["adherence"].iloc[0]
            )
        )
        mine = {name: _mine(getattr(report, name), plan.patient)
                for name in ("by_week", "by_patient", "by_exercise")}  # fmt: skip
        assessed = assess(mine["by_week"], mine["by_patient"], mine["by_exercise"],
                          report.as_of, rows=rows, notes=notes, rules=rules,
                          start_back={plan.patient: plan.start_back},
                          weeks=pd.Series({plan.patient: week}),
                          outcome_calls={plan.patient: call_sentences(lines)})  # fmt: skip
        result = _review(plan, week, assessed, report.as_of, names, catalogue, notes)
        result.outcomes, result.outcome_lines = shown, lines
    except (LogError, PlanError) as exc:
        flagged = _only_notes(plan, notes, week)
        if flagged is None:
            raise
        flagged.reason += f" The rest of the review could not be done: {_first_line(exc)}"
        return flagged
    rejected = getattr(report, "rejected", pd.DataFrame())
    if "patient" in rejected.columns:
        rejected = rejected.loc[rejected["patient"].astype(str) == plan.patient]
    result.rejected = rejected.reset_index(drop=True)
    return result


def _mine(table: pd.DataFrame, patient: str) -> pd.DataFrame:
    """One patient's rows of a report table (labels as the plan writes them)."""
    return table.loc[table["patient"].astype(str) == patient]


def _first_line(exc: Exception) -> str:
    problems = getattr(exc, "problems", None)
    return f"expected {problems[0].expected}." if problems else str(exc)


def _rows_of(accepted: pd.DataFrame, patient: str) -> pd.DataFrame:
    """One patient's accepted rows (labels compared as :func:`~backplan.identity.patient_key`)."""
    from ..identity import patient_key

    key = patient_key(patient)
    labels = accepted["patient"].astype(str)
    keys = {label: patient_key(label) for label in pd.unique(labels)}
    return accepted.loc[labels.map(keys) == key]


def _only_notes(plan: Plan, notes: pd.DataFrame | None, week: int | None) -> Review | None:
    """A referral made from the notes alone, when the logs cannot be reviewed (all rows
    rejected, no week ended) but a note shows a warning sign; else ``None``."""
    if notes is None:
        return None
    first = _week_days(plan, week)[0] if week else None
    mine = notes_between(notes, plan.patient, first, None)
    reason = referral(mine)
    if not reason:
        return None
    dated = [d for d in mine["date"] if d is not None]
    as_of = max(dated) if dated else plan.start_date
    shown = week or max(1, min(plan.weeks, (as_of - plan.start_date).days // 7 + 1))
    columns = ["exercise", "name", "reps_now", "reps_next", "dose_adherence",
               "session_adherence", "decision", "rule", "reason", "rules_fired"]  # fmt: skip
    return Review(plan.patient, shown, as_of, "refer", "red-flag", reason, True, {},
                  pd.DataFrame(columns=columns), {}, notes=mine)  # fmt: skip


def _reviewed_week(plan: Plan, found: _Slice, week: int | None) -> int:
    """The week to review, checked against the report (ended, made from this plan)."""
    if found.by_patient is None:
        raise PlanError([Problem("<plan>", None, "patient", f"a patient in the report; it has "
                                 f"no rows for {plan.patient!r}")])  # fmt: skip
    week = _week_of(plan, found, week)
    _same_plan(plan, found, week)
    return week


_NO_RULE = ReviewRule(rule="no-rule-fired", measure="always", decision="hold",
                      says="No rule fired, so the dose stays the same.")  # fmt: skip


def _review(
    plan: Plan,
    week: int,
    assessed: Assessment,
    as_of: date,
    names: pd.Series,
    catalogue: pd.DataFrame | None = None,
    notes: pd.DataFrame | None = None,
) -> Review:
    """The review of ``plan``'s ``week`` from the assessment of its patient (see
    :func:`~backplan.triage.calls.assess`): a dose per exercise, the plan's decision and why."""
    patient = plan.patient
    e = assessed.evidence.loc[patient]
    rules = assessed.rules[patient]
    by_name = {r.rule: r for r in rules}
    ex = assessed.exercises.loc[assessed.exercises["patient"] == patient].set_index("exercise")
    lines, next_doses, chosen_rules = [], {}, []
    for p in dose_in_week(plan, week):
        row = ex.loc[p.exercise]
        measures = measures_of(row)
        rule = by_name.get(row["rule"], _NO_RULE)
        if rule.decision == "step back":
            reps = step_back_reps(plan, week, p.exercise, least=abs(rule.change_reps))
        else:
            reps = min(max(p.reps + rule.change_reps, DOSE_BOUNDS["reps"][0]), _reps_cap(plan, p))
        next_doses[p.exercise] = p.model_copy(update={"reps": reps})
        chosen_rules.append((rule, measures))
        lines.append((p.exercise, names.get(p.exercise, p.exercise), p.reps, reps,
                      measures["dose_adherence"], measures["session_adherence"], rule.decision,
                      rule.rule, rule.reason(measures, p.reps - reps),
                      ", ".join(row["rules_fired"])))  # fmt: skip
    table = pd.DataFrame.from_records(lines, columns=[
        "exercise", "name", "reps_now", "reps_next", "dose_adherence", "session_adherence",
        "decision", "rule", "reason", "rules_fired"])  # fmt: skip
    evidence = {k: e[k] for k in ("pain_now", "pain_worst", "morning_rises", "pain_week1",
                                  "pain_last_week", "pain_rise_week1", "pain_rise_last_week",
                                  "pain_scores", "pain_scores_after_week1", "days_silent",
                                  "last_log", "dose_adherence", "session_adherence",
                                  "plan_adherence")}  # fmt: skip
    counts = ("pain_scores", "pain_scores_after_week1", "days_silent")
    evidence = {k: (v if k == "last_log" else int(v) if k in counts and v == v else float(v))
                for k, v in evidence.items()}  # fmt: skip
    worst = max(DECISIONS.index(r.decision) for r, _ in chosen_rules)
    index, (rule, measures) = next((i, rm) for i, rm in enumerate(chosen_rules)
                                   if DECISIONS.index(rm[0].decision) == worst)  # fmt: skip
    reason = table["reason"].iloc[index]
    held = table.loc[table["rule"] == rule.rule, "name"].tolist()
    if rule.measure in {"dose_adherence", "session_adherence"}:
        if len(held) == len(table):  # every exercise: say it with the week's mean
            reason = rule.reason(evidence)
        else:  # some exercises: name the first with its own figure, then the others
            reason = f"{held[0]}: {reason}"
            if len(held) > 1:
                reason += f" Also held for the same reason: {', '.join(held[1:])}."
    calls = assessed.calls.loc[assessed.calls["patient"] == patient]
    call = calls.iloc[0].to_dict() if len(calls) else None
    flagged = call is not None
    level = _moves_up(plan, week, catalogue) if DECISIONS[worst] == "progress" else None
    if level:
        reason += (f" As the plan has a next level, from week {week + 1} the patient moves up "
                   f"to {level} instead.")  # fmt: skip
    decision, chosen = DECISIONS[worst], rule.rule
    mine = pd.DataFrame()
    if notes is not None:
        mine = notes_between(notes, patient, _week_days(plan, week)[0], as_of)
        refer, read = referral(mine), to_read(mine)
        if refer:  # a warning sign outranks every rule: the doses stay, the patient is called
            decision, chosen = "refer", "red-flag"
            reason = f"{refer} (The rules alone said: {DECISIONS[worst]}.)"
            next_doses = {p.exercise: p for p in dose_in_week(plan, week)}
        elif read:
            reason = f"{reason} {read}"
    return Review(patient, week, as_of, decision, chosen, reason, flagged, evidence, table,
                  next_doses, notes=mine, notes_checked=notes is not None, call=call,
                  rules=tuple(rules))  # fmt: skip


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
        plan changed since the review, or the new doses break the plan's restrictions, or
        when ``plan`` is not a :class:`~backplan.Plan` or ``decision`` not a :class:`Review`.
    """
    plan = plan_argument(plan)
    if not isinstance(decision, Review):
        raise PlanError([Problem("<review>", None, "decision", "a Review (from bp.review)",
                                 type(decision).__name__)], "<review>")  # fmt: skip
    if decision.patient != plan.patient:
        raise PlanError([Problem("<plan>", None, "patient", f"a review of this plan's patient "
                                 f"{plan.patient!r}", decision.patient)])  # fmt: skip
    if decision.decision == "refer":
        raise PlanError([Problem("<review>", None, "decision", "a review that is not a "
                                 "referral: call the patient today about the warning sign in "
                                 "their notes; once they have been seen, change the plan by "
                                 "hand (bp.revise)", "refer")])  # fmt: skip
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
