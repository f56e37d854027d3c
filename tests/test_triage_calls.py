"""One triage: the call list ranks patients by severity, and the adherence report, the weekly
review and its page all give the same list.

The ranking table below has one row per situation a physio meets, with the rank it must
get (``None``: no call). Every patient has the same 3-week plan (heel raises, 1 x 10 once a
day, every day, from Monday 5 January 2026); the review day is Sunday 25 January, so
week 3 is the week reviewed.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

import backplan as bp
from backplan.triage.calls import CALL_COLUMNS
from backplan.triage.cohort import review_meeting

START = date(2026, 1, 5)
AS_OF = "2026-01-25"


def _plan(patient: str, weeks: int = 3, start_back: str | None = None) -> bp.Plan:
    plan = bp.Plan(patient=patient, start_date=START, weeks=weeks,
                   prescriptions=[bp.Prescription(exercise="heel-raises", reps=10)])  # fmt: skip
    return bp.with_start_back(plan, start_back) if start_back else plan


def _days(patient: str, first: int, last: int, reps: int = 10, pain: float | None = 2,
          morning: float | None = None, notes: dict[int, str] | None = None) -> list[dict]:  # fmt: skip
    """One log row a day, plan days ``first`` to ``last`` (day 0 is 5 January)."""
    return [{"patient": patient, "date": (START + timedelta(days=d)).isoformat(),
             "exercise": "heel-raises", "sets_done": 1, "reps_done": reps,
             "pain_during": pain, "pain_next_morning": morning,
             "note": (notes or {}).get(d, "")} for d in range(first, last + 1)]  # fmt: skip


def _pain_week3(patient: str, worst: float, rest: float, base: float = 2) -> list[dict]:
    rows = _days(patient, 0, 13, pain=base) + _days(patient, 14, 20, pain=rest)
    rows[-3]["pain_during"] = worst
    return rows


#: situation, patient, its log rows, expected rank (None: no call), expected group
# fmt: off
CASES: list[tuple[str, str, list[dict], int | None, str | None]] = [
    ("a 999 sign in a note", "P01",
     _days("P01", 0, 20, notes={19: "numb around my bottom and cannot pee"}), 1, "warning sign"),
    ("a GP/111 sign in a note", "P02",
     _days("P02", 0, 20, notes={18: "had a fever and sweats at night"}), 2, "warning sign"),
    ("a note no machine can check", "P03",
     _days("P03", 0, 20, notes={20: "Bardzo boli mnie plecy od wczoraj"}), 3, "warning sign"),
    ("pain 9/10 on one day", "P04", _pain_week3("P04", 9, 3), 4, "pain"),
    ("pain 7/10 on one day, 6 on average", "P05", _pain_week3("P05", 7, 6), 5, "pain"),
    ("pain 7/10 on one day, lower average", "P06", _pain_week3("P06", 7, 3), 6, "pain"),
    ("pain up 3 points since week 1, never over 5", "P07",
     _days("P07", 0, 6, pain=1) + _days("P07", 7, 20, pain=4), 7, "pain"),
    ("next-morning pain rising on 3 days", "P08",
     _days("P08", 0, 13) + [dict(r, pain_next_morning=m) for r, m in
                            zip(_days("P08", 14, 20), [1, 2, 3, 4, 4, 4, 4], strict=True)],
     8, "pain"),
    ("nothing logged for 17 days", "P09", _days("P09", 0, 3), 9, "silent"),
    ("stopped 10 days before the plan's end (ended before the review)", "P10",
     _days("P10", 0, 3), 10, "silent"),
    ("nothing logged for 8 days", "P11", _days("P11", 0, 12), 11, "silent"),
    ("logs but no pain score in the week", "P12",
     _days("P12", 0, 13) + _days("P12", 14, 20, pain=None), 12, "silent"),
    ("30% of the dose, still logging", "P13", _days("P13", 0, 20, reps=3), 13, "low adherence"),
    ("40% of the dose, still logging", "P14", _days("P14", 0, 20, reps=4), 14, "low adherence"),
    ("70% of the dose: a hold, not a call", "P15", _days("P15", 0, 20, reps=7), None, None),
    ("all done, comfortable", "P16", _days("P16", 0, 20), None, None),
    ("pain 5/10 on the worst day: acceptable", "P17", _pain_week3("P17", 5, 2), None, None),
]
# fmt: on


@pytest.fixture(scope="module")
def cohort() -> tuple[list[bp.Plan], pd.DataFrame]:
    plans = [_plan(p, weeks=2 if p == "P10" else 3) for _, p, _, _, _ in CASES]
    logs = pd.DataFrame([row for _, _, rows, _, _ in CASES for row in rows])
    return plans, logs


def test_the_ranking_table(cohort: tuple[list[bp.Plan], pd.DataFrame]) -> None:
    plans, logs = cohort
    flags = bp.adherence(bp.read_logs(logs, plans), plans, as_of=AS_OF).flags
    got = {r.patient: (r.rank, r.flag) for r in flags.itertuples()}
    expected = {p: (rank, flag) for _, p, _, rank, flag in CASES if rank is not None}
    wrong = [(situation, got.get(p), expected.get(p)) for situation, p, _, _, _ in CASES
             if got.get(p) != expected.get(p)]  # fmt: skip
    assert wrong == []
    assert list(flags.columns) == list(CALL_COLUMNS)


def test_each_row_says_why_and_what_to_do(cohort: tuple[list[bp.Plan], pd.DataFrame]) -> None:
    plans, logs = cohort
    flags = bp.adherence(logs, plans, as_of=AS_OF).flags.set_index("patient")
    assert flags.loc["P01", "note"].endswith("they wrote 'numb around my bottom and cannot "
                                             "pee': possible cauda equina sign")  # fmt: skip
    assert flags.loc["P01", "action"] == "Call today (nhs.uk: call 999 or go to A&E now)."
    assert flags.loc["P01", "decision"] == "refer"
    assert flags.loc["P03", "action"].startswith("Read the note today")
    assert flags.loc["P04", "detail"].startswith("Week 3: pain during exercise 9/10 on the "
                                                 "worst day")  # fmt: skip
    assert flags.loc["P07", "detail"].endswith("4.0/10 on average; 3.0 points above week 1.")
    assert "next-morning pain higher than the morning before on 3 days" in flags.loc["P08",
                                                                                     "detail"]  # fmt: skip
    assert flags.loc["P10", "detail"].startswith("Nothing logged in the last 10 days of the plan: last "
                                          "log 8 Jan 2026, the plan ended on 18 Jan 2026.")  # fmt: skip
    assert flags.loc["P10", "action"].endswith("The plan has ended: is a new plan needed?")
    assert flags.loc["P13", "detail"] == ("30% of the prescribed reps over 3 ended weeks; 30% in "
                                          "week 3.")  # fmt: skip
    # each row one line each for why and what to do; other reasons after "Also:"
    assert "Also: 19% of the prescribed reps" in flags.loc["P09", "detail"]
    assert not flags[["detail", "action"]].apply(lambda c: c.str.contains("\n")).any().any()


def test_the_review_gives_the_same_list_in_the_same_order(
    cohort: tuple[list[bp.Plan], pd.DataFrame],
) -> None:
    plans, logs = cohort
    report = bp.adherence(logs, plans, as_of=AS_OF)
    meeting = review_meeting(logs, plans, as_of=AS_OF)
    pd.testing.assert_frame_equal(meeting.attrs["calls"], report.flags)
    called = meeting.loc[meeting["call"], "patient"].tolist()
    assert called == report.flags["patient"].tolist()  # the page's order is the list's
    table = bp.read_logs(logs, plans)
    for plan in (plans[i] for i in (0, 3, 8, 12, 15)):  # each group, and no call
        one = bp.review(plan, table, week=3)
        row = report.flags.loc[report.flags["patient"] == plan.patient]
        assert (one.call is None) == row.empty, plan.patient
        if one.call is not None:
            assert one.call["detail"] == row["detail"].iloc[0]


@pytest.mark.parametrize(("n", "called", "why"), [
    (None, 8, {"pain": 4, "silent": 4}),
    (40, 16, {"pain": 4, "silent": 12}),
])  # fmt: skip
def test_demo_cohorts_flag_the_patients_a_physio_would_call(
    n: int | None, called: int, why: dict[str, int]
) -> None:
    """Demo (24 patients): 8 (33%); synthetic 40: 16 (40%), of whom 12 stopped logging a
    week or more ago. Low adherence alone flags no one here: every patient under 50%
    has also gone silent, and is listed there (the list was 20 of 24 and 34 of 40)."""
    plans, logs = bp.demo.load_demo() if n is None else bp.synthetic_cohort(n_patients=n)
    table = bp.read_logs(logs, plans)
    report = bp.adherence(table, plans)
    assert len(report.flags) == called
    assert report.flags["flag"].value_counts().to_dict() == why
    if n is None:  # the review of the demo cohort names the same patients, in the same order
        meeting = review_meeting(table, plans)
        pd.testing.assert_frame_equal(meeting.attrs["calls"], report.flags)
        called = meeting.loc[meeting["call"], "patient"].tolist()
        assert called == report.flags["patient"].tolist()
    # within a group, most severe first: pain by the worst day, silence by days
    for group, column in (("pain", "severity"), ("silent", "severity")):
        values = report.flags.loc[report.flags["flag"] == group, column].tolist()
        assert values == sorted(values, reverse=True)


def test_a_red_flag_reaches_the_meeting_page_first_with_its_note(tmp_path: Path) -> None:
    plans, logs = bp.demo.load_demo()
    raw = pd.read_csv(logs, dtype=str, keep_default_na=False)
    last = raw.index[raw["patient"] == "SYN-0017"][-1]
    raw.loc[last, "note"] = "numb around my bottom since Tues, can't pee <properly>"
    raw.to_csv(tmp_path / "logs.csv", index=False)
    report = bp.adherence(tmp_path / "logs.csv", plans)  # a file: the rows are read for it
    top = report.flags.iloc[0]
    assert (top.patient, top.flag, top.decision) == ("SYN-0017", "warning sign", "refer")
    page = report.to_html()
    calls = page.split("Call this week, most urgent first")[1].split("All patients")[0]
    assert calls.index("SYN-0017") < calls.index("SYN-0005")
    assert "can&#x27;t pee &lt;properly&gt;" in calls and "<properly>" not in page


@pytest.fixture(scope="module")
def two_patients() -> tuple[list[bp.Plan], pd.DataFrame]:
    plans = [_plan("A"), _plan("B", start_back="high")]
    logs = pd.DataFrame(_pain_week3("A", 6, 6, base=5) + _pain_week3("B", 6, 6, base=5))
    return plans, logs


def test_a_high_risk_plan_is_reviewed_with_the_time_based_rules(
    two_patients: tuple[list[bp.Plan], pd.DataFrame],
) -> None:
    """Pain 6/10 (5 in week 1) steps patient A back and asks for a call; B (STarT Back high
    risk) goes on with the timetable (pain 6 is not severe, 7+, and rose 1 point) and is
    not called; the report agrees."""
    plans, logs = two_patients
    a, b = (bp.review(p, logs) for p in plans)
    assert (a.decision, a.call is not None) == ("step back", True)
    assert (b.decision, b.rule, b.call) == ("progress", "on-timetable", None)
    assert b.rules == bp.review_rules_for(plans[1])
    report = bp.adherence(logs, plans)
    assert report.flags["patient"].tolist() == ["A"]
    assert report.by_patient["start_back"].fillna("").tolist() == ["", "high"]


def _scores(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["patient", "date", "measure", "score"])


@pytest.mark.parametrize(("latest", "action"), [
    (49, "note"),  # worse by 9 points: under the 10 that matter
    (50, "call the patient"),  # worse by 10
    (31, "note"),  # better by 9 (22.5% of the way to 0): not yet a change that matters
    (30, "ready for discharge"),  # better by 10, adherence 100%
])  # fmt: skip
def test_outcomes_in_the_review_at_the_thresholds(latest: int, action: str) -> None:
    plan = _plan("A")
    logs = pd.DataFrame(_days("A", 0, 20))
    scores = _scores([("A", "2026-01-05", "odi", 40), ("A", "2026-01-23", "odi", latest),
                      ("A", "2026-02-20", "odi", 90)])  # after the review day: left out  # fmt: skip
    r = bp.review(plan, logs, outcomes=scores)
    shown = r.outcomes.iloc[0]
    assert (shown["baseline"], shown["latest"], shown["change"]) == (40, latest, latest - 40)
    assert r.outcome_lines[0].action == action
    assert (r.call is not None) == (action == "call the patient")
    if action == "call the patient":
        assert r.call["flag"] == "pain" and "worse by 10 points" in r.call["detail"]
        assert "CALL THE PATIENT" in r.summary()
    if action == "ready for discharge":
        assert "READY FOR DISCHARGE" in r.summary() and "adherence 100%" in r.summary()


def test_discharge_needs_good_adherence() -> None:
    plan = _plan("A")
    logs = pd.DataFrame(_days("A", 0, 20, reps=7))  # 70% of the dose
    scores = _scores([("A", "2026-01-05", "odi", 40), ("A", "2026-01-23", "odi", 30)])
    lines = bp.review(plan, logs, outcomes=scores).outcome_lines
    assert [line.action for line in lines] == ["note"]
    assert "adherence 70%, under 80%, so not yet ready for discharge" in lines[0].says


def test_meeting_page_with_outcomes_loads_nothing_from_the_network() -> None:
    plans, logs = bp.demo.load_demo()
    report = bp.adherence(bp.read_logs(logs, plans), plans)
    scores = bp.read_outcomes(bp.demo.load_demo_outcomes().outcomes, plans)
    scores.accepted = scores.accepted.loc[scores.accepted["measure"].isin(["nprs", "odi"])]
    page = bp.meeting_page(report, outcomes=scores)
    section = page.split("Adherence and outcome</h2>")[1].split("How the numbers are worked")[0]
    assert "an <b>association</b>, not an effect" in section
    changes = bp.outcome_changes(scores)
    followed = changes.loc[changes["followed_up"].fillna(False).astype(bool), "measure"]
    assert section.count("<svg") == followed.nunique()  # a chart per measure followed up
    assert "<script" not in page and "<img" not in page and "@import" not in page
    assert not [u for u in (page.split('src="')[1:] + page.split("url(")[1:])
                if not u.startswith("#")]  # fmt: skip


def test_the_handout_clinic_page_shows_the_start_back_group(tmp_path: Path) -> None:
    from backplan.handout import to_html

    def clinic_page(plan: bp.Plan) -> str:
        path = to_html(
            plan, tmp_path / f"{plan.start_back}.html", clinic="C", phone="1", physio="P"
        )
        return path.read_text(encoding="utf-8").split('id="clinic"')[1]

    high = clinic_page(_plan("A", start_back="high"))
    assert "STarT Back risk group: high" in high and "on a timetable" in high
    assert "usual rules" in clinic_page(_plan("A", start_back="low"))
    assert "STarT Back" not in clinic_page(_plan("A"))


def test_backplan_review_takes_outcome_scores(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from backplan.cli import main

    plans, logs = bp.demo.load_demo()
    for plan in plans:
        bp.save_plan(plan, tmp_path / f"{plan.patient}.json")
    scores = bp.demo.load_demo_outcomes().outcomes
    out = tmp_path / "review.html"
    assert main(["review", str(logs), "-p", str(tmp_path), "-o", str(out),
                 "--outcomes", str(scores)]) == 0  # fmt: skip
    page = out.read_text(encoding="utf-8")
    assert "Outcome scores</th>" in page and "READY FOR DISCHARGE" in page
    assert "CALL THE PATIENT: Pain now (NPRS 0-10) went from 5 to 7" in page  # SYN-0005
    bad = tmp_path / "bad.csv"
    bad.write_text("patient,date,measure,score\nSYN-0001,2026-01-05,odi,300\n", encoding="utf-8")
    assert main(["review", str(logs), "-p", str(tmp_path), "-o", str(out),
                 "--outcomes", str(bad)]) == 2  # fmt: skip
    assert "bad.csv" in capsys.readouterr().err


def test_the_notes_the_call_list_reads_are_the_notes_to_act_on() -> None:
    """The call list reads only the notes that are not clear; a note copied on every row is
    judged once, and nothing a person must read is lost on the way."""
    from backplan.triage.notes import log_notes

    days = [(START + timedelta(days=d)).isoformat() for d in range(14)]
    notes = ["did them all"] * 14
    notes[3] = "numb around my bottom, can't pee properly"
    notes[9] = "😖😖😖"
    raw = pd.DataFrame({"patient": "P1", "date": days, "exercise": "heel-raises",
                        "sets_done": 1, "reps_done": 10, "note": notes})  # fmt: skip
    raw.loc[5, "date"] = "2026-01-3x"  # a rejected row is read as well
    raw.loc[5, "note"] = "can't feel my saddle area"
    table = bp.read_logs(raw, [_plan("P1")])
    every = log_notes(table)
    act = every.loc[every["status"] != "clear"].reset_index(drop=True)
    assert len(act) == 3 and len(every) == 14  # one note a day, three to act on
    pd.testing.assert_frame_equal(log_notes(table, to_act_on=True), act)


def test_calls_written_column_by_column_read_as_one_by_one(
    cohort: tuple[list[bp.Plan], pd.DataFrame],
) -> None:
    """A large clinic's calls for measures alone are written column by column, once per
    pattern of fired rules; each reads exactly as the one-patient writer words it."""
    from backplan.triage.calls import _call_row, _measured_calls, assess

    plans, logs = cohort
    table = bp.read_logs(logs, plans)
    report = bp.adherence(table, plans, as_of=AS_OF)
    found = assess(report.by_week, report.by_patient, report.by_exercise, date(2026, 1, 25),
                   rows=table.accepted)  # fmt: skip
    called = found.evidence.loc[found.evidence["call_rules"].map(len) > 0]
    assert len(called) >= 8  # pain, silence and low adherence, alone and together
    one_by_one = pd.DataFrame([
        _call_row(p, e, [r for r in found.rules[p] if r.rule in e.call_rules], None, ())
        for p, e in zip(called.index, called.itertuples(), strict=True)
    ])  # fmt: skip
    columns = _measured_calls(called, found.rules)
    assert set(columns["flag"]) == {"pain", "silent", "low adherence"}
    pd.testing.assert_frame_equal(
        columns.sort_values("patient", ignore_index=True),
        one_by_one.sort_values("patient", ignore_index=True),
        check_dtype=False,
    )
