"""Adherence numbers worked out by hand from the definitions, to the last digit.

Patient P1 (plan from Monday 5 January 2026, 3 weeks):
  heel-slides   1 x 10 per side, once a day, 5 days a week -> 5 sessions, 50 reps a week;
                +2 reps every 2 weeks, so week 3 is 1 x 12 -> 60 reps
  knee-to-chest 1 x 5, 3 times a day, 7 days a week -> 21 sessions, 105 reps a week
Patient P2 (plan from Monday 12 January 2026, 2 weeks): heel-raises 1 x 10 daily -> 70 reps.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

import backplan as bp
from backplan import AddDose, Plan, Prescription


def _plans() -> list[Plan]:
    p1 = Plan(
        patient="P1",
        start_date=date(2026, 1, 5),
        weeks=3,
        prescriptions=[
            Prescription(exercise="heel-slides", reps=10, per_side=True, days_per_week=5),
            Prescription(exercise="knee-to-chest", reps=5, sessions_per_day=3),
        ],
        progression=[AddDose(what="reps", amount=2, every_weeks=2, cap=14,
                             exercises=("heel-slides",))],
    )  # fmt: skip
    p2 = Plan(
        patient="P2",
        start_date=date(2026, 1, 12),
        weeks=2,
        prescriptions=[Prescription(exercise="heel-raises", reps=10)],
    )
    return [p1, p2]


def _logs() -> pd.DataFrame:
    rows = []
    # P1 week 1: heel-slides 6 sessions (one more than prescribed), the last a diary tick
    for d in range(5, 10):
        rows.append(("P1", f"2026-01-{d:02d}", "heel-slides", 1, 10, None))
    rows.append(("P1", "2026-01-10", "heel-slides", None, None, None))
    # P1 week 1: knee-to-chest 14 sessions: 10 of 1 x 5, 4 of 1 x 4; pain 3, 3, 4
    pains = [3, 3, 4] + [None] * 11
    for i in range(14):
        reps = 5 if i < 10 else 4
        rows.append(("P1", f"2026-01-{5 + i // 2:02d}", "knee-to-chest", 1, reps, pains[i]))
    # P1 week 2 (12-18 January): nothing logged
    # P1 week 3: heel-slides 3 sessions of 2 x 12; knee-to-chest 7 ticks; pain 6, 6
    for d in (19, 20, 21):
        rows.append(("P1", f"2026-01-{d:02d}", "heel-slides", 2, 12, 6 if d < 21 else None))
    for i in range(7):
        rows.append(("P1", f"2026-01-{19 + i % 3:02d}", "knee-to-chest", None, None, None))
    # P2 week 1: one session of 1 x 10
    rows.append(("P2", "2026-01-12", "heel-raises", 1, 10, 2))
    table = pd.DataFrame(
        rows, columns=["patient", "date", "exercise", "sets_done", "reps_done", "pain"]
    )
    for col in ("sets_done", "reps_done", "pain"):
        table[col] = table[col].astype("Int64")
    return table


W1 = Fraction(1) / 2 + Fraction(66, 105) / 2  # (1 + 66/105) / 2 = 171/210
W3 = (Fraction(1) + Fraction(35, 105)) / 2  # 2/3


def _cell(report: bp.AdherenceReport, patient: str, week: int, exercise: str) -> pd.Series:
    t = report.by_exercise
    (i,) = np.flatnonzero((t.patient == patient) & (t.week == week) & (t.exercise == exercise))
    return t.iloc[i]


@pytest.fixture(scope="module")
def report() -> bp.AdherenceReport:
    return bp.adherence(_logs(), _plans(), as_of="2026-01-22")


def test_prescribed_dose_per_side_and_three_times_a_day(report: bp.AdherenceReport) -> None:
    heel = _cell(report, "P1", 1, "heel-slides")
    assert (heel.prescribed_sessions, heel.prescribed_reps) == (5, 50)  # per side, 5 days
    knee = _cell(report, "P1", 1, "knee-to-chest")
    assert (knee.prescribed_sessions, knee.prescribed_reps) == (21, 105)  # 3 a day x 7 days
    assert _cell(report, "P1", 3, "heel-slides").prescribed_reps == 60  # progression: 12 reps


def test_extra_sessions_are_capped_but_the_uncapped_ratio_is_kept(
    report: bp.AdherenceReport,
) -> None:
    heel = _cell(report, "P1", 1, "heel-slides")
    assert (heel.sessions_done, heel.reps_done) == (6, 60)  # the tick counts as 1 x 10
    assert heel.session_adherence == 1.0
    assert heel.dose_adherence == 1.0
    assert heel.dose_ratio == 1.2


def test_three_times_a_day_exercise(report: bp.AdherenceReport) -> None:
    knee = _cell(report, "P1", 1, "knee-to-chest")
    assert (knee.sessions_done, knee.reps_done) == (14, 66)
    assert knee.session_adherence == 14 / 21
    assert knee.dose_adherence == 66 / 105
    ticks = _cell(report, "P1", 3, "knee-to-chest")
    assert (ticks.sessions_done, ticks.reps_done) == (7, 35)  # 7 ticks of 1 x 5


def test_missed_week_counts_zero_and_unfinished_week_is_left_out(
    report: bp.AdherenceReport,
) -> None:
    weeks = report.by_week.set_index(["patient", "week"])
    assert weeks.loc[("P1", 1), "adherence"] == float(W1)
    assert weeks.loc[("P1", 2), "adherence"] == 0.0
    assert weeks.loc[("P1", 2), "sessions_done"] == 0
    assert weeks.loc[("P1", 3), "adherence"] == pytest.approx(float(W3), abs=1e-15)
    assert weeks["ended"].to_dict() == {
        ("P1", 1): True, ("P1", 2): True, ("P1", 3): False, ("P2", 1): True, ("P2", 2): False,
    }  # fmt: skip
    patients = report.by_patient.set_index("patient")
    assert patients.loc["P1", "adherence"] == pytest.approx(float(W1 / 2), abs=1e-15)
    assert patients.loc["P1", "weeks_ended"] == 2
    assert patients.loc["P2", "adherence"] == pytest.approx(10 / 70, abs=1e-15)


def test_week_ended_when_as_of_reaches_its_last_day() -> None:
    report = bp.adherence(_logs(), _plans(), as_of="2026-01-25")
    p1 = report.by_patient.set_index("patient").loc["P1"]
    assert p1.weeks_ended == 3
    assert p1.adherence == pytest.approx(float((W1 + 0 + W3) / 3), abs=1e-15)


def test_as_of_defaults_to_the_latest_log(report: bp.AdherenceReport) -> None:
    default = bp.adherence(_logs(), _plans())
    assert default.as_of == date(2026, 1, 21)
    assert report.as_of == date(2026, 1, 22)


def test_flags_are_the_review_call_list(report: bp.AdherenceReport) -> None:
    """Week 2 of P1 has ended (nothing logged); on 19-21 January P1 logged pain 6 and 6,
    2.67 points above week 1 (10/3): pain over 5 comes first. P2 last logged 12 January,
    10 days before the report date: silent. One row per patient, the other reasons after
    "Also:"."""
    flags = report.flags
    assert flags[["rank", "patient", "flag", "decision", "week"]].values.tolist() == [
        [1, "P1", "pain", "step back", 2], [2, "P2", "silent", "hold", 1],
    ]  # fmt: skip
    p1, p2 = flags.iloc[0], flags.iloc[1]
    assert p1.detail.startswith("Week 2 and the days since, to 22 Jan 2026: pain during "
                                "exercise 6/10 on the worst day, 6.0/10 on average; 2.7 "
                                "points above week 1")  # fmt: skip
    assert "Also: 41% of the prescribed reps over 2 ended weeks" in p1.detail
    assert p1.action.startswith("Call this week: ask about the pain.")
    assert p2.detail.startswith("Nothing logged for 10 days: last log 12 Jan 2026.")
    assert p2.action.startswith("Phone to check in")
    assert (p1.severity, p2.severity) == (6.0, 10.0)  # worst pain; days silent
    assert report.by_patient.set_index("patient")["flags"].to_dict() == {"P1": 1, "P2": 1}
    later = bp.adherence(_logs(), _plans(), as_of="2026-01-25")
    assert later.flags["detail"].iloc[1].startswith("Nothing logged for 13 days")


def test_flags_follow_the_review_rules_not_the_adherent_threshold() -> None:
    report = bp.adherence(_logs(), _plans(), as_of="2026-01-22", threshold=0.1)
    # P1 40.7% and P2 14.3% are above 10%: both adherent; the calls stay the same
    assert report.by_patient["adherent"].tolist() == [True, True]
    assert report.flags["patient"].tolist() == ["P1", "P2"]


def test_cohort_quartiles_and_share_adherent() -> None:
    report = bp.adherence(_logs(), _plans(), as_of="2026-01-25")
    week1 = report.cohort.set_index("week").loc[1]
    values = np.array([float(W1), 1 / 7])
    assert week1.patients == 2
    assert week1["mean"] == pytest.approx(values.mean(), abs=1e-15)
    assert week1["q1"] == pytest.approx(np.quantile(values, 0.25), abs=1e-15)
    assert week1["q3"] == pytest.approx(np.quantile(values, 0.75), abs=1e-15)
    assert week1.share_adherent == 0.5


def test_pain_means(report: bp.AdherenceReport) -> None:
    p1 = report.by_patient.set_index("patient").loc["P1"]
    assert p1.pain_score_week1 == pytest.approx(10 / 3, abs=1e-15)
    assert (p1.week_of_latest_pain, p1.pain_score_latest) == (3, 6.0)


def test_prescription_table_is_accepted_directly(report: bp.AdherenceReport) -> None:
    table = bp.prescription_table(_plans())
    direct = bp.adherence(_logs(), table, as_of="2026-01-22")
    pd.testing.assert_frame_equal(direct.by_week, report.by_week)
    minimal = table[["patient", "week", "exercise", "sets", "reps", "sessions_per_day",
                     "days_per_week", "week_start"]]  # fmt: skip
    from_db = bp.adherence(_logs(), minimal, as_of="2026-01-22")
    pd.testing.assert_frame_equal(from_db.by_patient, report.by_patient)


def test_read_logs_result_is_accepted(report: bp.AdherenceReport) -> None:
    logs = bp.read_logs(_logs())
    again = bp.adherence(logs, _plans(), as_of="2026-01-22")
    pd.testing.assert_frame_equal(again.by_exercise, report.by_exercise)


def test_patient_labels_must_be_unique() -> None:
    p1, _ = _plans()
    with pytest.raises(bp.PlanError, match="not used by plan 1"):
        bp.prescription_table([p1, p1])


def test_counts_are_int64(report: bp.AdherenceReport) -> None:
    for col in ("sessions_done", "reps_done", "prescribed_reps", "prescribed_sessions"):
        assert report.by_exercise[col].dtype == np.int64


@pytest.mark.parametrize("with_plans", [True, False])
def test_a_log_table_is_not_checked_again(
    monkeypatch: pytest.MonkeyPatch, with_plans: bool
) -> None:
    from backplan.logs import check

    plans, logs = bp.synthetic_cohort(n_patients=4, weeks=3, seed=5)
    logs = logs.copy()
    logs.loc[2, "pain"] = 11  # rejected by the row checks
    logs.loc[7, "patient"] = "SYN-NOPLAN"  # rejected by the plan checks
    expected = bp.adherence(logs, plans)
    table = bp.read_logs(logs, plans if with_plans else None)
    calls = []
    real = check._row_checks
    monkeypatch.setattr(check, "_row_checks", lambda *a, **k: calls.append(1) or real(*a, **k))
    got = bp.adherence(table, plans)
    assert calls == []  # no row looked at twice
    for name in ("by_exercise", "by_week", "by_patient", "flags"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name), obj=name)
    assert got.rejected[["row", "reason"]].to_dict("records") == [
        {"row": 4, "reason": "pain outside 0-10"},
        {"row": 9, "reason": "unknown patient"},
    ]
    assert (got.rows_read, got.rows_accepted) == (len(logs), len(logs) - 2)
    assert len(got.duplicates) == len(expected.duplicates)
