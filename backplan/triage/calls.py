"""Who to call this week, most severe first: one triage for the review and the report.

The weekly review (:func:`backplan.review`, ``backplan review``) and the adherence report
(``report.flags`` and its meeting page) both come from :func:`assess`: the review rules
(``data/review-rules.csv``; the time-based rules for a STarT Back high-risk plan) applied to
the same evidence (:mod:`backplan.triage.evidence`). A rule with ``flag`` true that fires
puts the patient on the call list, in the group its measure belongs to
(:data:`MEASURE_GROUPS`); a note with a warning sign puts them first.

=========  =================  ==============================================================
priority   group              a patient is in it when (shipped rules)
=========  =================  ==============================================================
1          warning sign       a note may describe a sign from the nhs.uk 999 or GP/111
                              lists (call today), or no machine could check a note
2          pain               pain during exercise over 5 on any day or on average, 2
                              points or more above week 1 or last week, next-morning pain
                              rising on 2 days, or an outcome score worse by a change that
                              matters
3          silent             nothing logged for 7 days or more (counted to the plan's last
                              day, so a patient who stopped before the end is still found
                              after it), or no pain score in a week after week 1
4          low adherence      under half the prescribed reps over the plan's ended weeks
=========  =================  ==============================================================

One row per patient, in their most urgent group; the other reasons follow "Also:" in the
same line. Within a group the most severe come first (``severity``): a 999 sign before a
GP/111 sign before a note to read; the highest pain (the worst day, else the mean; ties:
the higher mean, then the larger rise); the most days silent (ties: the lower adherence);
the lowest adherence. Then by patient label.

Examples
--------
>>> import backplan as bp
>>> plans, logs = bp.demo.load_demo()
>>> report = bp.adherence(bp.read_logs(logs, plans), plans)
>>> report.flags[["rank", "patient", "flag", "severity"]].head(3).to_dict("records")
[{'rank': 1, 'patient': 'SYN-0005', 'flag': 'pain', 'severity': 8.0}, {'rank': 2, 'patient': 'SYN-0021', 'flag': 'pain', 'severity': 8.0}, {'rank': 3, 'patient': 'SYN-0002', 'flag': 'pain', 'severity': 7.0}]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from ..identity import patient_key
from ..plan.rules import DECISIONS
from .evidence import evaluate, evidence, exercise_measures
from .notes import more_notes, note_day, notes_between, referral_parts
from .redflags import quote
from .rules import ReviewRule, rules_for

__all__ = [
    "CALL_COLUMNS",
    "CALL_GROUPS",
    "MEASURE_GROUPS",
    "Assessment",
    "assess",
]

#: The call groups, most urgent first: group -> its words in the table.
CALL_GROUPS: dict[str, str] = {
    "refer": "warning sign",
    "pain": "pain",
    "silent": "silent",
    "adherence": "low adherence",
}
#: The group of a call rule, by the measure it compares.
MEASURE_GROUPS: dict[str, str] = {
    "pain_now": "pain",
    "pain_worst": "pain",
    "morning_rises": "pain",
    "pain_rise_week1": "pain",
    "pain_rise_last_week": "pain",
    "pain_scores": "silent",
    "pain_scores_after_week1": "silent",
    "days_silent": "silent",
    "dose_adherence": "adherence",
    "session_adherence": "adherence",
    "plan_adherence": "adherence",
    "always": "adherence",
}
#: The columns of the call list (``report.flags``).
CALL_COLUMNS: tuple[str, ...] = (
    "patient", "rank", "priority", "flag", "detail", "action", "decision", "week",
    "severity", "rules", "note",
)  # fmt: skip
_PRIORITY = {g: i for i, g in enumerate(CALL_GROUPS, 1)}
_REFER_SEVERITY = {"999 now": 3.0, "GP/111 today": 2.0, "read": 1.0}


@dataclass
class Assessment:
    """Every patient's week assessed at once (see :func:`assess`).

    Attributes
    ----------
    evidence : pandas.DataFrame
        One row per reviewed patient (:data:`~backplan.triage.evidence.EVIDENCE_COLUMNS`),
        with the plan's ``decision`` and ``rule`` (before any referral) and ``call_rules``
        (the call rules that fired, a tuple of names).
    exercises : pandas.DataFrame
        One row per reviewed patient and exercise: the measures, ``decision``, ``rule``
        (the rule that decided) and ``rules_fired`` (every rule that fired, in file order).
    calls : pandas.DataFrame
        The call list (:data:`CALL_COLUMNS`), most urgent first.
    rules : dict
        Patient -> the rules their week was reviewed with.
    """

    evidence: pd.DataFrame
    exercises: pd.DataFrame
    calls: pd.DataFrame
    rules: dict[str, tuple[ReviewRule, ...]] = field(default_factory=dict)


def _day(value: date | None) -> str:
    return "" if value is None else f"{value.day} {value:%b %Y}"


def _points(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _nan(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _tuples(fired: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Per row of a bool matrix, the names of its true columns as a tuple (each distinct
    row worked out once)."""
    if not len(fired):
        return np.empty(0, dtype=object)
    packed = np.packbits(fired, axis=1)
    if packed.shape[1] <= 8:  # up to 64 rules: each row's pattern as one number, hashed
        wide = np.zeros((len(packed), 8), dtype=np.uint8)
        wide[:, : packed.shape[1]] = packed
        codes = pd.factorize(wide.view(np.uint64).reshape(-1))[0]
        first = np.unique(codes, return_index=True)[1]  # a row of each pattern
        patterns = packed[first]
    else:
        patterns, codes = np.unique(packed, axis=0, return_inverse=True)
    words = np.empty(len(patterns), dtype=object)
    for k, pattern in enumerate(patterns):
        bits = np.unpackbits(pattern)[: len(names)]
        words[k] = tuple(n for n, bit in zip(names, bits, strict=True) if bit)
    return words[codes.reshape(-1)]


def _decide(
    ex: pd.DataFrame, rule_sets: Mapping[str, tuple[ReviewRule, ...]]
) -> tuple[pd.DataFrame, dict[str, tuple[str, ...]]]:
    """``ex`` with ``decision``, ``rule``, ``rules_fired`` and the call rules per row, and
    per patient the call rules that fired on any of their exercises (in file order)."""
    decision = np.full(len(ex), "hold", dtype=object)
    chosen = np.full(len(ex), "no-rule-fired", dtype=object)
    fired_names = np.empty(len(ex), dtype=object)
    calls = np.empty(len(ex), dtype=object)
    patient_calls: dict[str, tuple[str, ...]] = {}
    sets = {id(rules): rules for rules in rule_sets.values()}
    if len(sets) == 1:  # everyone has the same rules
        tag = np.full(len(ex), next(iter(sets)))
    else:
        tag = ex["patient"].map({p: id(r) for p, r in rule_sets.items()}).to_numpy()
    for key, rules in sets.items():
        at = np.flatnonzero(tag == key)
        if not len(at):
            continue
        fired, pick = evaluate(rules, ex.iloc[at])
        names = [r.rule for r in rules]
        ok = pick >= 0
        decision[at[ok]] = np.array([r.decision for r in rules], dtype=object)[pick[ok]]
        chosen[at[ok]] = np.array(names, dtype=object)[pick[ok]]
        fired_names[at] = _tuples(fired, names)
        asks = fired & np.array([r.flag for r in rules], dtype=bool)
        calls[at] = _tuples(asks, names)
        # per patient, the call rules that fired on any exercise
        who = ex["patient"].to_numpy()[at]
        per = pd.DataFrame(asks).groupby(who, sort=False).any()
        patient_calls.update(zip(per.index, _tuples(per.to_numpy(), names), strict=True))
    out = ex.assign(decision=decision, rule=chosen, rules_fired=fired_names, call_rules=calls)
    return out, patient_calls


def _plan_decisions(
    found: pd.DataFrame, ex: pd.DataFrame, calls: Mapping[str, tuple[str, ...]]
) -> pd.DataFrame:
    """Per patient: the most cautious exercise decision (the first exercise with it names
    the rule) and every call rule that fired on any exercise, in file order."""
    rank = ex["decision"].map({d: i for i, d in enumerate(DECISIONS)}).to_numpy(np.int64)
    codes = pd.factorize(ex["patient"])[0]
    order = np.lexsort((np.arange(len(ex)), -rank, codes))  # per patient: worst, then first
    top = order[np.r_[True, codes[order][1:] != codes[order][:-1]]] if len(ex) else order
    first = ex.iloc[top].set_index("patient")
    return found.assign(
        decision=first["decision"].reindex(found.index),
        rule=first["rule"].reindex(found.index),
        call_rules=[calls.get(p, ()) for p in found.index.tolist()],
    )


def _rule_sets(
    patients: Sequence[str], rules: Sequence[ReviewRule] | None, start_back: Mapping[str, Any]
) -> dict[str, tuple[ReviewRule, ...]]:
    usual = rules_for(None, rules)
    high = rules_for("high") if any(start_back.get(p) == "high" for p in patients) else usual
    return {p: high if start_back.get(p) == "high" else usual for p in patients}


def _flagged_notes(
    notes: pd.DataFrame | None, windows: Mapping[str, tuple[date | None, date | None]]
) -> tuple[dict[str, pd.DataFrame], list[tuple[str, pd.DataFrame]]]:
    """The notes to act on (a red flag, or one to read) per plan patient within their
    window, and those of labels that match no plan."""
    if notes is None or not len(notes):
        return {}, []
    act = notes.loc[notes["status"] != "clear"]
    if not len(act):
        return {}, []
    keys = {patient_key(p): p for p in windows}
    mine: dict[str, pd.DataFrame] = {}
    strangers = []
    for label, rows in act.groupby(act["patient"].astype(str), sort=True):
        owner = keys.get(patient_key(str(label)))
        if owner is None:
            if (rows["status"] == "red flag").any():
                strangers.append((str(label), rows))
            continue
        first, last = windows[owner]
        kept = notes_between(rows, owner, first, last)
        if len(kept):
            mine[owner] = pd.concat([mine[owner], kept]) if owner in mine else kept
    return mine, strangers


def _pain_words(
    fired: set[str], worst: float, now: float, week: int, first_day: date, last_day: date,
    rise_week1: float, rise_last_week: float, mornings: float,
) -> str:  # fmt: skip
    parts = []
    if not _nan(worst):
        parts.append(f"pain during exercise {_points(worst)}/10 on the worst day")
    if not _nan(now):
        parts.append(f"{now:.1f}/10 on average")
    when = f"Week {week}"
    if last_day > first_day + timedelta(days=6):  # the days since count too
        when = f"Week {week} and the days since, to {_day(last_day)}"
    text = f"{when}: {', '.join(parts)}" if parts else ""
    rises = []
    if "pain_rise_week1" in fired:
        rises.append(f"{rise_week1:.1f} points above week 1")
    if "pain_rise_last_week" in fired:
        rises.append(f"{rise_last_week:.1f} points above last week")
    if "morning_rises" in fired:
        rises.append(f"next-morning pain higher than the morning before on {mornings:.0f} days")
    if rises:
        text += ("; " if text else f"{when}: ") + "; ".join(rises)
    return f"{text}." if text else ""


def _silent_words(
    fired: set[str], days_silent: float, last_log: date | None, start_date: date,
    plan_ended: bool, plan_end: date, week: int,
) -> str:  # fmt: skip
    if "days_silent" in fired:
        if last_log is None:
            return f"Nothing logged since the plan started on {_day(start_date)}."
        if plan_ended:
            return (f"Nothing logged in the last {days_silent:.0f} days of the plan: last "
                    f"log {_day(last_log)}, the plan ended on {_day(plan_end)}.")  # fmt: skip
        return f"Nothing logged for {days_silent:.0f} days: last log {_day(last_log)}."
    return f"No pain scores logged in week {week}."


def _adherence_words(
    fired: set[str], weeks_ended: int, plan_adherence: float, dose_adherence: float, week: int
) -> str:
    weeks = "1 ended week" if weeks_ended == 1 else f"{weeks_ended} ended weeks"
    text = f"{plan_adherence:.0%} of the prescribed reps over {weeks}"
    if not _nan(dose_adherence):
        text += f"; {dose_adherence:.0%} in week {week}"
    return text + "."


#: Each call group's sentence, and the evidence columns it is written from, in order.
_WORDS: dict[str, tuple[Callable[..., str], tuple[str, ...]]] = {
    "pain": (_pain_words, ("pain_worst", "pain_now", "week", "first_day", "last_day",
                           "pain_rise_week1", "pain_rise_last_week", "morning_rises")),
    "silent": (_silent_words, ("days_silent", "last_log", "start_date", "plan_ended",
                               "plan_end", "week")),
    "adherence": (_adherence_words, ("weeks_ended", "plan_adherence", "dose_adherence",
                                     "week")),
}  # fmt: skip


def _group_words(group: str, fired: set[str], e: Any) -> str:
    """One call group's sentence for one patient's evidence row ``e``."""
    write, columns = _WORDS[group]
    return write(fired, *(getattr(e, c) for c in columns))


def _action(group: str, plan_ended: bool, decision: str, refer: tuple[str, str] | None) -> str:
    if group == "refer":
        assert refer is not None
        how, words = refer
        if how == "read":
            return "Read the note today: it may describe a warning sign."
        return f"Call today ({words})."
    if group == "pain":
        text = "Call this week: ask about the pain."
        return text + {
            "step back": " The review steps the dose back.",
            "hold": " The review keeps the dose as it is.",
            "progress": " The dose follows the timetable (STarT Back high risk): talk the "
            "pain through.",
        }.get(decision, "")
    if group == "silent":
        text = "Phone to check in: are they still doing the exercises, and what stops them?"
        return text + (" The plan has ended: is a new plan needed?" if plan_ended else "")
    return "Ask what gets in the way; think about fewer exercises or fewer sessions a day."


def _groups(fired: Sequence[ReviewRule]) -> dict[str, set[str]]:
    """Call group -> the measures of the fired rules in it."""
    groups: dict[str, set[str]] = {}
    for rule in fired:
        groups.setdefault(MEASURE_GROUPS.get(rule.measure, "adherence"), set()).add(rule.measure)
    return groups


def _call_row(
    patient: str,
    e: Any,
    fired: Sequence[ReviewRule],
    notes: pd.DataFrame | None,
    outcome: Sequence[str],
) -> dict[str, Any] | None:
    """The call-list row of one patient, or ``None`` when nothing asks for a call."""
    groups = _groups(fired)
    if outcome:
        groups.setdefault("pain", set())
    found = referral_parts(notes) if notes is not None and len(notes) else None
    unread = (notes.loc[(notes["status"] != "red flag") & (notes["read_reason"] != "")]
              if notes is not None and len(notes) else None)  # fmt: skip
    refer: tuple[str, str] | None = None
    note = ""
    if found is not None:
        refer, note = (found.category, found.action), found.why
        groups["refer"] = set()
    elif unread is not None and len(unread):
        first = unread.iloc[0]
        more = f" ({len(unread) - 1} more to read)" if len(unread) > 1 else ""
        refer = ("read", f"no machine could check it ({first['read_reason']}){more}")
        note = f"{note_day(first)} they wrote '{quote(first['note'])}'"
        groups["refer"] = set()
    if not groups:
        return None
    has_week = e is not None

    def words(group: str) -> str:
        if group != "pain":
            return _group_words(group, groups[group], e)
        if not has_week:
            return " ".join(outcome)
        return " ".join([_group_words(group, groups[group], e), *outcome]).strip()

    order = sorted(groups, key=_PRIORITY.__getitem__)
    top = order[0]
    if top == "refer" and found is None:
        detail = f"{note[0].upper()}{note[1:]}: {refer[1]}."  # type: ignore[index]
    elif top == "refer":
        detail = f"{found.why[0].upper()}{found.why[1:]}. {more_notes(found.more)}".strip()
    else:
        detail = words(top)
    others = [words(g) for g in order[1:] if g != "refer" and has_week]
    if others:
        detail += " Also: " + " ".join(others)
    decision = "refer" if found is not None else (e.decision if has_week else "not reviewed")
    if top == "refer":
        severity = _REFER_SEVERITY.get(refer[0] if refer else "", 1.0)
    elif top == "pain":
        levels = [v for v in (e.pain_worst, e.pain_now) if not _nan(v)]
        severity = max(levels, default=0.0)
    elif top == "silent":
        severity = float(e.days_silent) if "days_silent" in groups["silent"] else 0.0
    else:
        severity = round(1.0 - float(e.plan_adherence), 6)
    rises = [v for v in ((e.pain_rise_week1, e.pain_rise_last_week) if has_week else ())
             if not _nan(v)]  # fmt: skip
    second = 0.0  # pain: the higher mean; silent: the lower adherence
    if has_week and top == "pain" and not _nan(e.pain_now):
        second = float(e.pain_now)
    elif has_week and top == "silent" and not _nan(e.plan_adherence):
        second = 1.0 - float(e.plan_adherence)
    names = ["red-flag"] if found is not None else []
    names += ["note-to-read"] if refer and refer[0] == "read" else []
    names += [r.rule for r in fired] + (["outcome-worse"] if outcome else [])
    return {
        "patient": patient,
        "priority": _PRIORITY[top],
        "flag": CALL_GROUPS[top],
        "detail": detail,
        "action": _action(top, has_week and bool(e.plan_ended), decision, refer),
        "decision": decision,
        "week": int(e.week) if has_week else pd.NA,
        "severity": float(severity),
        "rules": ", ".join(names),
        "note": f"{note[:1].upper()}{note[1:]}",
        "_second": second,
        "_rise": max(rises, default=0.0) if top == "pain" else 0.0,
    }


def _measured_calls(
    asked: pd.DataFrame, sets: Mapping[str, tuple[ReviewRule, ...]]
) -> pd.DataFrame:
    """The call rows of patients called for their week's measures alone (no note to act
    on, no outcome score): the rows :func:`_call_row` writes, worked out column by column,
    once per pattern of fired call rules (most of a large clinic's calls)."""
    patients = asked.index.tolist()
    patterns: dict[tuple[int, tuple[str, ...]], list[int]] = {}
    for i, (p, names) in enumerate(zip(patients, asked["call_rules"].tolist(), strict=True)):
        patterns.setdefault((id(sets[p]), names), []).append(i)
    columns = {c: asked[c].to_numpy(dtype=object) for c in asked.columns}
    numbers = {c: asked[c].to_numpy(dtype=np.float64) for c in _NUMBERS}
    parts = []
    for (_, names), rows in patterns.items():
        at = np.asarray(rows)
        fired = [r for r in sets[patients[rows[0]]] if r.rule in names]
        groups = _groups(fired)
        order = sorted(groups, key=_PRIORITY.__getitem__)
        texts = []
        for g in order:
            write, cols = _WORDS[g]
            texts.append(
                [write(groups[g], *v) for v in zip(*(columns[c][at] for c in cols), strict=True)]
            )
        detail = texts[0] if len(texts) == 1 else [
            f"{first} Also: {' '.join(more)}" for first, *more in zip(*texts, strict=True)
        ]  # fmt: skip
        decision = columns["decision"][at].tolist()
        ended = columns["plan_ended"][at].tolist()
        top = order[0]
        severity, second, rise = _rank_keys(top, groups, {c: v[at] for c, v in numbers.items()})
        parts.append(pd.DataFrame({
            "patient": [patients[i] for i in rows],
            "priority": _PRIORITY[top],
            "flag": CALL_GROUPS[top],
            "detail": detail,
            "action": [_action(top, e, d, None) for e, d in zip(ended, decision, strict=True)],
            "decision": decision,
            "week": numbers["week"][at].astype(np.int64),
            "severity": severity.astype(np.float64),
            "rules": ", ".join(r.rule for r in fired),
            "note": "",
            "_second": second,
            "_rise": rise,
        }))  # fmt: skip
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _rank_keys(
    top: str, groups: Mapping[str, set[str]], n: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``severity``, ``_second`` and ``_rise`` of calls in group ``top``, column by column,
    as :func:`_call_row` works them out one by one."""
    zero = np.zeros(len(n["week"]))
    if top == "pain":
        return (np.nan_to_num(np.fmax(n["pain_worst"], n["pain_now"]), nan=0.0),
                np.nan_to_num(n["pain_now"], nan=0.0),
                np.nan_to_num(np.fmax(n["pain_rise_week1"], n["pain_rise_last_week"]), nan=0.0))  # fmt: skip
    if top == "silent":
        days = n["days_silent"] if "days_silent" in groups["silent"] else zero
        return days, np.nan_to_num(1.0 - n["plan_adherence"], nan=0.0), zero
    return np.array([round(1.0 - v, 6) for v in n["plan_adherence"].tolist()]), zero, zero


#: The evidence columns read as numbers for ranking.
_NUMBERS = ("pain_worst", "pain_now", "pain_rise_week1", "pain_rise_last_week", "days_silent",
            "plan_adherence", "week")  # fmt: skip


def call_table(rows: list[dict[str, Any]], more: pd.DataFrame | None = None) -> pd.DataFrame:
    """Call-list rows (dicts, and ``more`` rows as a frame) ranked: by group, the most
    severe first, then by patient label."""
    if more is not None and len(more):
        frame = pd.concat([more, pd.DataFrame(rows)], ignore_index=True) if rows else more
    elif rows:
        frame = pd.DataFrame(rows)
    else:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in CALL_COLUMNS})
        return frame.astype({"rank": "int64", "priority": "int64", "severity": "float64",
                             "week": "Int64"})  # fmt: skip
    frame = frame.sort_values(
        ["priority", "severity", "_second", "_rise", "patient"],
        ascending=[True, False, False, False, True],
        kind="stable",
    )
    frame["rank"] = np.arange(1, len(frame) + 1, dtype=np.int64)
    frame["week"] = frame["week"].astype("Int64")
    return frame[list(CALL_COLUMNS)].reset_index(drop=True)


def assess(
    by_week: pd.DataFrame,
    by_patient: pd.DataFrame,
    by_exercise: pd.DataFrame,
    as_of: date,
    *,
    rows: pd.DataFrame | None = None,
    notes: pd.DataFrame | None = None,
    rules: Sequence[ReviewRule] | None = None,
    start_back: Mapping[str, Any] | None = None,
    weeks: pd.Series | None = None,
    outcome_calls: Mapping[str, Sequence[str]] | None = None,
) -> Assessment:
    """Review every patient's week from an adherence report's tables, and rank the calls.

    Parameters
    ----------
    by_week, by_patient, by_exercise : pandas.DataFrame
        The adherence report's tables.
    as_of : datetime.date
        The review day.
    rows : pandas.DataFrame, optional
        Accepted log rows, for pain day by day (see :func:`~backplan.triage.evidence.evidence`).
    notes : pandas.DataFrame, optional
        :func:`~backplan.triage.notes.log_notes` of the logs; a patient's notes from the
        first day of their reviewed week (any day, when no week has ended) to ``as_of``,
        and those whose date cannot be read, are looked at.
    rules : sequence of ReviewRule, optional
        The clinic's usual rules (the shipped ones by default).
    start_back : mapping, optional
        Patient -> STarT Back group; a ``"high"`` patient is reviewed with the time-based
        rules (:func:`~backplan.triage.rules.rules_for`).
    weeks : pandas.Series, optional
        Patient -> the week to review (each patient's latest ended week by default).
    outcome_calls : mapping, optional
        Patient -> sentences of outcome scores worse by a change that matters (each puts the
        patient in the pain group).
    """
    found = evidence(by_week, by_patient, as_of, weeks, rows)
    reviewed = found.index.tolist()
    sets = _rule_sets(reviewed, rules, start_back or {})
    ex, patient_calls = _decide(exercise_measures(found, by_exercise), sets)
    found = _plan_decisions(found, ex, patient_calls)
    everyone = list(dict.fromkeys(by_patient["patient"].astype(str).tolist()))
    firsts = dict(zip(reviewed, found["first_day"], strict=True))
    windows = {p: (firsts.get(p), as_of) for p in everyone}
    mine, strangers = _flagged_notes(notes, windows)
    outcome_calls = outcome_calls or {}
    fired_any = found.index[found["call_rules"].map(len).to_numpy() > 0].tolist()
    candidates = set(fired_any) | set(mine) | {p for p, lines in outcome_calls.items() if lines}
    # words only for those to call; those called for their measures alone column by column
    measured = set(fired_any) - set(mine) - {p for p, lines in outcome_calls.items() if lines}
    asked = found.loc[[p in candidates and p not in measured for p in reviewed]]
    records = dict(zip(asked.index.tolist(), asked.itertuples(), strict=True))
    call_rows = []
    for patient in everyone:
        if patient not in candidates or patient in measured:
            continue
        e = records.get(patient)
        asks = set(e.call_rules) if e else set()
        fired = [r for r in sets[patient] if r.rule in asks]
        row = _call_row(patient, e, fired, mine.get(patient), outcome_calls.get(patient, ()))
        if row is not None:
            call_rows.append(row)
    for label, flagged in strangers:
        row = _call_row(label, None, [], flagged, ())
        if row is not None:
            row["detail"] += (
                " This label matches no plan: find the patient (a typing slip in the logs?)."
            )
            call_rows.append(row)
    plain = _measured_calls(found.loc[[p in measured for p in reviewed]], sets)
    return Assessment(found, ex, call_table(call_rows, plain), sets)
