"""Outcome records, measures, STarT Back and the review's lines: what a physio relies on."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import backplan as bp
from backplan import Plan, Prescription
from backplan.outcomes import OutcomeError, load_outcome_measures
from backplan.outcomes.decisions import CALL, DISCHARGE, FOLLOW_UP

HEADER = "patient,date,measure,item,score,goal,timepoint,better\n"
SHIPPED = Path(__file__).resolve().parent.parent / "data"


def _plan(patient: str = "P1", group: str | None = None) -> Plan:
    return Plan(
        patient=patient,
        start_date=date(2026, 1, 5),
        weeks=6,
        prescriptions=[Prescription(exercise="heel-raises", reps=10)],
        start_back=group,
    )


def _write(tmp_path: Path, body: str, name: str = "scores.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


# --- the measure table ---------------------------------------------------------------------


def test_shipped_measures_hold_the_published_facts() -> None:
    m = load_outcome_measures()
    facts = m[["low", "high", "better", "mic"]].to_dict("index")
    assert facts == {
        "nprs": {"low": 0, "high": 10, "better": "lower", "mic": 2},
        "psfs": {"low": 0, "high": 10, "better": "higher", "mic": 2},
        "rmdq": {"low": 0, "high": 24, "better": "lower", "mic": 5},
        "odi": {"low": 0, "high": 100, "better": "lower", "mic": 10},
        "msk-hq": {"low": 0, "high": 56, "better": "higher", "mic": 6},
    }
    # item wording ships only where the licence is free; owners are named
    assert set(m.loc[m["wording"] != "", "measure"]) == {"nprs", "psfs"}
    assert set(m.loc[m["licence"] == "owner", "measure"]) == {"rmdq", "odi", "msk-hq"}
    assert "Mapi Research Trust" in m.loc["odi", "licence_holder"]
    assert "Keele University" in m.loc["msk-hq", "licence_holder"]
    assert m.loc["rmdq", "licence_holder"].startswith("Martin Roland and Richard Morris")
    assert all(m["mic_source"].str.len() > 10)


@pytest.mark.parametrize(
    ("row", "column", "says"),
    [
        ("odi,Oswestry,,0,100,true,higher,10,Ostelo 2008,no,owner,,,,", "better", "'lower'"),
        ("NPRS-copy,Pain,NPRS,0,10,true,higher,2,x,no,free,,,,", "better", "cannot be reversed"),
        ("rmdq,Roland-Morris,,0,23,true,lower,5,x,no,owner,,,,", "high", "24"),
        (
            "rmdq,Roland-Morris,,0,24,true,lower,5,x,no,owner,x,Question 1 ...,,",
            "wording",
            "licence",
        ),
        ("eq-vas,EQ VAS,,0,100,true,sideways,7,x,no,free,,,,", "better", "lower or higher"),
        ("eq-vas,EQ VAS,,0,100,true,higher,0,x,no,free,,,,", "mic", "above 0"),
    ],
)
def test_a_clinic_measure_file_that_changes_a_known_measure_is_refused(
    tmp_path: Path, row: str, column: str, says: str
) -> None:
    header = (SHIPPED / "outcome-measures.csv").read_text().splitlines()[0]
    path = tmp_path / "ours.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    with pytest.raises(OutcomeError) as err:
        load_outcome_measures(path)
    problem = err.value.problems[0]
    assert (problem.file, problem.row, problem.column) == (str(path), 2, column)
    assert says in str(err.value)


def test_a_clinic_can_add_a_measure_and_change_a_source(tmp_path: Path) -> None:
    shipped = (SHIPPED / "outcome-measures.csv").read_text()
    extra = "eq-vas,EQ VAS,EQ-VAS,0,100,true,higher,8,our audit 2025,no,owner,EuroQol,,,\n"
    path = tmp_path / "ours.csv"
    path.write_text(shipped.replace("(2 points)", "(2 points; our audit agrees)") + extra)
    m = load_outcome_measures(path)
    assert list(m.index)[-1] == "eq-vas"
    table = bp.read_outcomes(
        pd.DataFrame({"patient": "P1", "date": "2026-01-05", "measure": "EQ-VAS", "score": [60]}),
        measures=m,
    )
    assert table.accepted["measure"].tolist() == ["eq-vas"]


# --- reading outcome files -----------------------------------------------------------------

GOOD = (
    "P1,2026-01-05,NPRS,,6,,baseline,lower\n"
    "P1,2026-01-05,psfs,walking 30 minutes,3,8,baseline,\n"
    "P1,2026-01-05,psfs,putting on socks,4,7,baseline,higher\n"
    "P1,2026-01-05,Oswestry,,38,,baseline,\n"
    "P1,2026-02-15,nprs,,3,,follow-up,\n"
    "P1,2026-02-15,psfs,walking 30 minutes,8,,follow-up,\n"
    "P1,2026-02-15,psfs,putting on socks,7,,follow-up,\n"
    "P1,2026-02-15,ODI,,26.7,,discharge,\n"
)

# one bad row each: (csv line, column, reason contains)
BAD = [
    ("P1,2026-01-12,pain score,,5,,,", "measure", "unknown measure"),
    ("P1,2026-01-12,nprs,,11,,,", "score", "score outside 0-10"),
    ("P1,2026-01-12,nprs,,-1,,,", "score", "score outside 0-10"),
    ("P1,2026-01-12,nprs,,5.5,,,", "score", "not a whole number"),
    ("P1,2026-01-12,msk-hq,,57,,,", "score", "score outside 0-56"),
    ("P1,2026-01-12,nprs,,five,,,", "score", "not a number"),
    ("P1,2026-01-12,nprs,,inf,,,", "score", "not a number"),
    ("P1,2026-01-12,nprs,,,,,", "score", "missing value"),
    ("P1,12/01/2026,nprs,,5,,,", "date", "unparseable date"),
    ("P1,2026-01-04,nprs,,5,,,", "date", "date before plan start"),
    ("P9,2026-01-12,nprs,,5,,,", "patient", "unknown patient"),
    ("P1,2026-01-12,nprs,,5,,,higher", "better", "direction reversed"),
    ("P1,2026-01-12,odi,,30,,,higher", "better", "direction reversed"),
    ("P1,2026-01-12,odi,section 3: lifting,3,,,", "item", "item scores are not recorded"),
    ("P1,2026-01-12,nprs,,5,4,,", "goal", "goal without an activity"),
    ("P1,2026-01-12,psfs,gardening,5,11,,", "goal", "goal out of range"),
    ("P1,2026-01-12,psfs,gardening,5.5,,,", "score", "not a whole number"),
    ("P1,2026-01-12,nprs,,5,,pre-op,", "timepoint", "unknown timepoint"),
    ("P1,2026-02-15,nprs,,4,,,", "date", "second score on the same day"),
    ("P1,2026-01-20,nprs,,5,,baseline,", "timepoint", "second baseline"),
    ("P1,2026-01-05,psfs,,4,,,", "item", "total and activity scores on one day"),
]


@pytest.mark.parametrize(("line", "column", "reason"), BAD)
def test_every_bad_row_is_rejected_naming_file_row_and_column(
    tmp_path: Path, line: str, column: str, reason: str
) -> None:
    path = _write(tmp_path, GOOD + line + "\n")
    table = bp.read_outcomes(path, [_plan()])
    assert table.rows_read == len(table.accepted) + len(table.rejected) == 9
    assert len(table.rejected) == 1, table.rejected.to_dict("records")
    bad = table.rejected.iloc[0]
    assert (bad["file"], bad["row"], bad["column"]) == (str(path), 10, column)
    assert reason in bad["reason"]
    with pytest.raises(OutcomeError) as err:
        bp.read_outcomes(path, [_plan()], strict=True)
    assert f"row 10 ({bad['reason']}), column '{column}'" in str(err.value)
    assert str(path) in str(err.value)


def test_a_baseline_after_an_earlier_score_is_rejected(tmp_path: Path) -> None:
    body = "P1,2026-01-06,rmdq,,12,,,\nP1,2026-01-12,rmdq,,10,,baseline,\n"
    table = bp.read_outcomes(_write(tmp_path, body))
    assert table.rejected[["row", "column"]].to_dict("records") == [
        {"row": 3, "column": "timepoint"}
    ]
    assert "an earlier score on row 2" in table.problems["got"].iloc[0]


def test_csv_excel_parquet_and_a_frame_read_the_same(tmp_path: Path) -> None:
    csv = _write(tmp_path, GOOD)
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    frame.to_excel(tmp_path / "scores.xlsx", index=False)
    frame.to_parquet(tmp_path / "scores.parquet", index=False)
    tables = [bp.read_outcomes(s, [_plan()]) for s in
              (csv, tmp_path / "scores.xlsx", tmp_path / "scores.parquet", frame)]  # fmt: skip
    for table in tables:
        assert table.rejected.empty
        pd.testing.assert_frame_equal(
            table.accepted.drop(columns="file"), tables[0].accepted.drop(columns="file")
        )
    assert tables[0].accepted["measure"].tolist()[:4] == ["nprs", "psfs", "psfs", "odi"]


def test_a_missing_column_or_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("patient,date,measure\nP1,2026-01-05,nprs\n")
    with pytest.raises(OutcomeError, match=r"row 1, column 'score': expected this column"):
        bp.read_outcomes(path)
    with pytest.raises(OutcomeError, match="an existing file"):
        bp.read_outcomes(tmp_path / "nope.csv")


# --- change that matters --------------------------------------------------------------------


def test_changes_per_patient_and_measure(tmp_path: Path) -> None:
    body = GOOD + "P2,2026-01-05,nprs,,7,,,\n"
    changes = bp.outcome_changes(bp.read_outcomes(_write(tmp_path, body)))
    got = changes.set_index(["patient", "measure"])
    assert got.loc[("P1", "nprs"), ["baseline", "latest", "change", "direction"]].tolist() == [
        6.0, 3.0, -3.0, "improving",
    ]  # fmt: skip
    odi = got.loc[("P1", "odi")]
    assert odi["change"] == pytest.approx(-11.3) and odi["direction"] == "improving"
    assert odi["share"] == pytest.approx(11.3 / 38)  # 30% of the way to 0: important
    psfs = got.loc[("P1", "psfs")]
    assert (psfs["baseline"], psfs["latest"], psfs["goals"], psfs["goals_met"]) == (
        3.5,
        7.5,
        2,
        True,
    )
    alone = got.loc[("P2", "nprs")]
    assert not alone["followed_up"] and pd.isna(alone["direction"]) and pd.isna(alone["latest"])
    assert list(changes["measure"][changes["patient"] == "P1"]) == ["nprs", "psfs", "odi"]


def test_psfs_compares_the_activities_scored_on_both_days(tmp_path: Path) -> None:
    body = (
        "P1,2026-01-05,psfs,walking,2,,,\nP1,2026-01-05,psfs,lifting,6,,,\n"
        "P1,2026-02-02,psfs,walking,5,,,\nP1,2026-02-02,psfs,gardening,9,,,\n"
    )
    row = bp.outcome_changes(bp.read_outcomes(_write(tmp_path, body))).iloc[0]
    assert (row["baseline"], row["latest"], row["change"]) == (2.0, 5.0, 3.0)


def test_raw_input_with_a_bad_row_raises_rather_than_dropping_it() -> None:
    raw = pd.DataFrame({"patient": "P1", "date": ["2026-01-05", "2026-02-02"],
                        "measure": "nprs", "score": [5, 15]})  # fmt: skip
    with pytest.raises(OutcomeError, match="row 3"):
        bp.outcome_changes(raw)


# --- STarT Back ------------------------------------------------------------------------------


def _feasible() -> list[tuple[int, int]]:
    return [(t, p) for t in range(10) for p in range(6) if p <= t and t - p <= 4]


def test_start_back_groups_for_every_possible_total_and_subscore() -> None:
    expected = {}
    for t, p in _feasible():
        expected[t, p] = "low" if t <= 3 else ("high" if p >= 4 else "medium")
    got = {(t, p): bp.start_back(total=t, psychosocial=p) for t, p in _feasible()}
    assert got == expected
    assert got[3, 3] == "low" and got[4, 3] == "medium" and got[4, 4] == "high"
    assert len(got) == 30  # subscore 0-5, items 1-4 add 0-4


def test_start_back_from_all_512_answer_patterns() -> None:
    for answers in itertools.product((0, 1), repeat=9):
        total, psych = sum(answers), sum(answers[4:])
        assert bp.start_back(list(answers)) == bp.start_back(total=total, psychosocial=psych)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"total": 10, "psychosocial": 2}, "total"),
        ({"total": 3, "psychosocial": 6}, "psychosocial"),
        ({"total": 2, "psychosocial": 3}, "psychosocial"),
        ({"total": 9, "psychosocial": 4}, "total"),
        ({"total": 4}, "psychosocial"),
        ({"total": True, "psychosocial": 0}, "total"),
        ({"total": 4.5, "psychosocial": 0}, "total"),
        ({"answers": [1] * 8}, "answers"),
        ({"answers": [1, 1, 1, 1, 2, 0, 0, 0, 0]}, "answers[5]"),
        ({"answers": [0] * 9, "total": 0}, "answers"),
    ],
)
def test_impossible_start_back_input_names_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(OutcomeError) as err:
        bp.start_back(**kwargs)
    assert err.value.problems[0].column == field


def test_the_group_is_stored_in_the_plan_and_left_out_when_unset(tmp_path: Path) -> None:
    plan = _plan()
    assert "start_back" not in bp.plan_to_json(plan)  # plans saved before stay byte for byte
    high = bp.with_start_back(plan, "high")
    assert bp.load_plan(bp.save_plan(high, tmp_path / "p.json")) == high
    assert bp.with_start_back(high, None) == plan
    with pytest.raises(bp.PlanError, match="start_back"):
        bp.with_start_back(plan, "very high")


def _logs(pain_by_week: list[int]) -> pd.DataFrame:
    days = pd.date_range("2026-01-05", periods=7 * len(pain_by_week))
    return pd.DataFrame({"patient": "P1", "date": days.strftime("%Y-%m-%d"),
                         "exercise": "heel-raises", "sets_done": 1, "reps_done": 10,
                         "pain": [pain_by_week[i // 7] for i in range(len(days))]})  # fmt: skip


def test_a_high_risk_patient_progresses_on_time_not_on_pain() -> None:
    logs = _logs([2, 4])  # all done, pain 2 points up since week 1
    usual = bp.review(_plan(), logs, week=2, rules=bp.review_rules_for(_plan()))
    assert (usual.decision, usual.flag) == ("step back", True)
    high = bp.with_start_back(_plan(), "high")
    timed = bp.review(high, logs, week=2, rules=bp.review_rules_for(high))
    assert (timed.decision, timed.flag, timed.rule) == ("progress", True, "pain-up-since-week-1")
    assert timed.next_doses["heel-raises"].reps == 12
    assert "timetable" in timed.reason
    severe = bp.review(high, _logs([2, 8]), week=2, rules=bp.review_rules_for(high))
    assert (severe.decision, severe.flag, severe.rule) == ("hold", True, "severe-pain")
    medium = bp.with_start_back(_plan(), "medium")
    assert bp.review_rules_for(medium) == bp.load_review_rules()


# --- the review's lines ----------------------------------------------------------------------


def _changes(rows: list[tuple]) -> pd.DataFrame:
    raw = pd.DataFrame(rows, columns=["patient", "date", "measure", "item", "score", "goal"])
    return bp.outcome_changes(bp.read_outcomes(raw, strict=True))


def test_worse_by_the_change_that_matters_asks_for_a_call() -> None:
    changes = _changes([("P1", "2026-01-05", "odi", "", 30, ""),
                        ("P1", "2026-02-02", "odi", "", 40, ""),
                        ("P1", "2026-01-05", "nprs", "", 4, ""),
                        ("P1", "2026-02-02", "nprs", "", 5, "")])  # fmt: skip
    lines = bp.outcome_lines(changes, "P1", adherence=0.95)
    assert [(line.action, line.measure) for line in lines] == [(CALL, "odi"), ("note", "nprs")]
    assert "worse by 10 points" in lines[0].says and "Call the patient" in lines[0].says


def test_ready_for_discharge_needs_goals_met_or_change_with_good_adherence() -> None:
    improved = _changes([("P1", "2026-01-05", "nprs", "", 6, ""),
                         ("P1", "2026-02-02", "nprs", "", 3, "")])  # fmt: skip
    at_80 = bp.outcome_lines(improved, "P1", adherence=0.8)
    assert at_80[0].action == DISCHARGE and "80%" in at_80[0].says
    below = bp.outcome_lines(improved, "P1", adherence=0.79)
    assert DISCHARGE not in [line.action for line in below]
    assert "not yet ready for discharge" in below[0].says
    assert DISCHARGE not in [line.action for line in bp.outcome_lines(improved, "P1")]
    goals = _changes([("P1", "2026-01-05", "psfs", "walking", 3, 7),
                      ("P1", "2026-02-02", "psfs", "walking", 7, "")])  # fmt: skip
    assert bp.outcome_lines(goals, "P1", adherence=0.3)[0].action == DISCHARGE
    short = _changes([("P1", "2026-01-05", "psfs", "walking", 3, 8),
                      ("P1", "2026-02-02", "psfs", "walking", 7, "")])  # fmt: skip
    assert DISCHARGE not in [line.action for line in bp.outcome_lines(short, "P1", adherence=0.3)]


def test_a_baseline_only_asks_for_a_follow_up_score() -> None:
    changes = _changes([("P1", "2026-01-05", "msk-hq", "", 30, "")])
    (line,) = bp.outcome_lines(changes, "P1")
    assert line.action == FOLLOW_UP and "baseline 30 on 5 Jan 2026" in line.says
    assert bp.outcome_lines(changes, "someone else") == []


def test_the_review_uses_the_report_threshold_and_adherence() -> None:
    plans, logs = bp.synthetic_cohort(n_patients=2, weeks=2, seed=3)
    report = bp.adherence(logs, plans)
    first = report.by_patient.iloc[0]
    raw = pd.DataFrame({"patient": first["patient"], "date": ["2026-01-05", "2026-01-18"],
                        "measure": "nprs", "score": [7, 2]})  # fmt: skip
    lines = bp.outcome_lines(bp.outcome_changes(raw), first["patient"], adherence=report)
    assert f"{first['adherence']:.0%}" in lines[0].says


# --- the demo ---------------------------------------------------------------------------------


def test_demo_outcomes_are_synthetic_and_match_the_demo_cohort() -> None:
    plans, _ = bp.demo.load_demo()
    found = bp.demo.load_demo_outcomes()
    table = bp.read_outcomes(found.outcomes, plans)
    assert table.rejected.empty and table.rows_read > 200
    assert set(pd.read_csv(found.outcomes)["note"]) == {"synthetic"}
    assert set(table.accepted["patient"]) == {p.patient for p in plans}
    answers = pd.read_csv(found.start_back)
    groups = {r.patient: bp.start_back(list(r[3:])) for r in answers.itertuples()}
    assert set(groups.values()) == {"low", "medium", "high"}
    changes = bp.outcome_changes(table)
    assert not changes["followed_up"].all()  # some patients not followed up yet
    assert set(changes["direction"].dropna()) == {"improving", "no change", "worse"}
