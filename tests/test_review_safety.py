"""The review sees the patient (issue 20's scenario table) and edited rules cannot silently
change clinical decisions (issue 21, class 1), through the public API."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from fuzz_inputs import cell, fuzz
from hypothesis import given
from hypothesis import strategies as st

import backplan as bp
from backplan.triage.cohort import review_meeting

START = date(2026, 3, 2)  # a Monday: 12 March is in week 2
SHIPPED = Path(bp.__file__).parent.parent / "data" / "review-rules.csv"


@pytest.fixture(scope="module")
def plan() -> bp.Plan:
    return bp.build_plan(bp.load_catalogue(), "beginners", ["heel-raises", "heel-slides"],
                         patient="P1", start_date=START, weeks=6)  # fmt: skip


def logs(plan: bp.Plan, weeks: int, during=2.0, morning=None, notes=None, skip=()) -> pd.DataFrame:
    """A row per exercise per day; ``during``/``morning`` a number or {day: score}."""
    rows = []
    for n in range(7 * weeks):
        if n in skip:
            continue
        day = (START + timedelta(days=n)).isoformat()
        for p in bp.dose_in_week(plan, n // 7 + 1):
            d = during.get(n, 2.0) if isinstance(during, dict) else during
            m = morning.get(n) if isinstance(morning, dict) else morning
            rows.append({"patient": plan.patient, "date": day, "exercise": p.exercise,
                         "sets_done": "", "reps_done": "", "pain_during": d,
                         "pain_next_morning": m, "note": (notes or {}).get(n, "")})  # fmt: skip
    return pd.DataFrame(rows)


def table(frame: pd.DataFrame, plans) -> bp.LogTable:
    """The logs read as ``read_logs`` does, with the pain columns of the logs contract
    (accepted rows carry ``pain_during`` and ``pain_next_morning``); where this backplan's
    reader does not carry them yet, they are copied over from the input by row."""
    read = bp.read_logs(frame, list(plans))
    for column in ("pain_during", "pain_next_morning"):
        if column not in read.accepted and column in frame:
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
            read.accepted[column] = values[read.accepted["row"].to_numpy() - 2]
    return read


# --- issue 20's table ------------------------------------------------------------------------


def test_a_cauda_equina_note_makes_the_decision_refer_with_date_quote_and_category(plan) -> None:
    note = "numb around my bottom since Tues, can't pee properly"
    r = bp.review(plan, table(logs(plan, 2, notes={10: note}), [plan]), week=2)  # day 10 = 12 March
    assert r.decision == "refer" and r.flag and r.rule == "red-flag"
    assert r.reason.startswith(f"Call the patient today: on 12 March they wrote '{note}': "
                               "possible cauda equina sign; nhs.uk: call 999")  # fmt: skip
    assert r.red_flags["category"].tolist() == ["999 now"]
    assert [p.reps for p in r.next_doses.values()] == [10, 10]  # the dose is not raised
    with pytest.raises(bp.PlanError, match="not a referral"):
        bp.apply_review(plan, r, by="A. Physio")


def test_every_note_of_the_week_is_listed_with_its_date_matched_or_not(plan) -> None:
    notes = {3: "week one note", 8: "felt good", 9: "no numbness today", 12: "😭😭😭"}
    r = bp.review(plan, table(logs(plan, 2, notes=notes), [plan]), week=2)
    assert r.notes["note"].tolist() == ["felt good", "no numbness today", "😭😭😭"]
    assert [d.day for d in r.notes["date"]] == [10, 11, 14]
    assert r.notes["status"].tolist() == ["clear", "clear", "read it"]
    assert r.decision == "progress" and r.flag and "Read 1 note yourself" in r.reason


def test_a_red_flag_in_a_row_rejected_for_its_date_still_refers(plan) -> None:
    frame = logs(plan, 2)
    bad = frame.iloc[[0]].assign(date="2026-03-1x", note="wet myself last night")
    r = bp.review(plan, pd.concat([frame, bad], ignore_index=True), week=2)
    assert r.decision == "refer" and "date cannot be read ('2026-03-1x'" in r.reason
    only_bad = frame.assign(date="12/03/2026").iloc[:3]
    only_bad.loc[only_bad.index[0], "note"] = "cant get an erection"
    r = bp.review(plan, only_bad)  # no row is usable, but the warning is not lost
    assert r.decision == "refer" and "could not be done" in r.reason


def test_a_comment_column_is_read_too(plan) -> None:
    frame = logs(plan, 2).assign(comment="")
    frame.loc[frame.index[-1], "comment"] = "pins and needles between my legs"
    assert bp.review(plan, frame, week=2).decision == "refer"


def test_one_day_at_9_steps_back_though_the_mean_is_3(plan) -> None:
    r = bp.review(plan, table(logs(plan, 2, during={10: 9.0}), [plan]), week=2)
    assert r.evidence["pain_now"] < 3.1 and r.evidence["pain_worst"] == 9
    assert (r.decision, r.rule, r.flag) == ("step back", "pain-worst-day", True)
    assert "worst day" in r.reason and "9 out of 10" in r.reason


def test_a_skipped_9_out_of_10_day_typed_as_the_clinic_page_says_steps_back(plan) -> None:
    """The clinic page: a day with no tick but a pain score is one row with 0 and 0."""
    frame = logs(plan, 2, skip={10})
    typed = {"patient": "P1", "date": "2026-03-12", "exercise": "heel-raises",
             "sets_done": 0, "reps_done": 0, "pain_during": 9, "note": "too sore to do them"}  # fmt: skip
    r = bp.review(plan, table(pd.concat([frame, pd.DataFrame([typed])], ignore_index=True),
                             [plan]), week=2)  # fmt: skip
    assert r.decision == "step back" and r.rule == "pain-worst-day"
    assert "0 and reps_done 0" in bp.words.CLINIC_TEXT["page_columns"]


def test_next_morning_pain_rising_on_two_days_holds_and_calls(plan) -> None:
    r = bp.review(plan, table(logs(plan, 2, morning={7: 2, 8: 3, 9: 3, 10: 4}), [plan]), week=2)
    assert r.evidence["morning_rises"] == 2
    assert (r.decision, r.rule, r.flag) == ("hold", "morning-pain-rising", True)


def test_no_pain_score_after_week_1_holds_and_calls(plan) -> None:
    blank = table(logs(plan, 2, during=None), [plan])
    assert bp.review(plan, blank, week=1).flag is False  # week 1: hold, no call
    r = bp.review(plan, blank, week=2)
    assert (r.decision, r.rule, r.flag) == ("hold", "no-pain-scores-call", True)
    assert "call the patient" in r.reason


def test_step_back_is_proportional_never_a_fixed_two(catalogue) -> None:
    plan = bp.build_plan(catalogue, "beginners", ["heel-raises"], patient="P1", reps=40,
                         start_date=START)  # fmt: skip
    r = bp.review(plan, table(logs(plan, 2, during=7.0), [plan]), week=2)
    assert r.decision == "step back" and r.exercises["reps_next"].tolist() == [32]
    assert "goes down by 8 reps" in r.reason


def test_refer_comes_first_in_the_meeting_and_on_the_page(tmp_path: Path, catalogue) -> None:
    plans = [bp.build_plan(catalogue, "beginners", ["heel-raises"], patient=name,
                           start_date=START) for name in ("Ann", "Bob", "Cy")]  # fmt: skip
    frames = [logs(plans[0], 2, during=7.0), logs(plans[1], 2, notes={9: "numb bum"}),
              logs(plans[2], 2)]  # fmt: skip
    stranger = frames[2].iloc[[0]].assign(patient="Cyy", note="can't feel it when I wipe")
    data = pd.concat([*frames, stranger], ignore_index=True)
    meeting = review_meeting(table(data, plans), plans)
    assert meeting["decision"].tolist()[:3] == ["refer", "refer", "step back"]
    assert meeting["patient"].tolist()[:2] == ["Bob", "Cyy"]
    assert "matches no plan" in meeting["reason"].iloc[1]
    folder = tmp_path / "plans"
    folder.mkdir()
    for p in plans:
        bp.save_plan(p, folder / f"{p.patient}.json")
    data.to_csv(tmp_path / "logs.csv", index=False)
    done = subprocess.run([sys.executable, "-m", "backplan.cli", "review",
                           str(tmp_path / "logs.csv"), "-p", str(folder), "-o",
                           str(tmp_path / "r.html")], capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "r.html").read_text()
    assert page.index(">Bob<") < page.index(">Cy<") and "Call today" in page
    assert "Notes that need you" in page and "numb bum" in page


# --- issue 21 class 1: an edited rules file -------------------------------------------------


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "rules.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("pain_worst,>,5,", "pain_worst,>,nan,", "row 2, column 'value'"),
        ("pain_worst,>,5,", "pain_worst,>,inf,", "row 2, column 'value'"),
        ("pain_worst,>,5,", "pain_worst,>,1e400,", "row 2, column 'value'"),
        ("pain_worst,>,5,", "pain_worst,>,50,", "row 2, column 'value'"),
        ("pain_worst,>,5,", "pain_worst,>,-5,", "row 2, column 'value'"),
        ("dose_adherence,<,0.8,", "dose_adherence,<,80,", "share from 0 to 1"),
        ("step back,true,-1", "step back,ture,-1", "row 2, column 'flag'"),
        ("progress,false,2", "progress,false,-5", "column 'change_reps'"),
        ("step back,true,-1", "step back,true,3", "column 'change_reps'"),
        ("progress,false,2", "progress,false,2.5", "column 'change_reps'"),
        ("pain-too-high,", "pain-worst-day,", "each rule name once"),
        ("{got:.0f} out of 10", "{got:>100000000}", "a format after ':'"),
        ("{got:.0f} out of 10", "{got.real.nope}", "only {got}, {value} and {change}"),
    ],
)
def test_a_bad_rules_file_is_an_error_naming_row_and_column(tmp_path, old, new, where) -> None:
    path = _edited(tmp_path, old, new)
    with pytest.raises(bp.BackplanError) as info:
        bp.load_review_rules(path)
    assert where in str(info.value) and str(path) in str(info.value)


def test_the_cli_refuses_a_bad_rules_file_with_one_line(tmp_path: Path, plan) -> None:
    path = _edited(tmp_path, "dose_adherence,<,0.8,", "dose_adherence,<,80,")
    folder = tmp_path / "plans"
    folder.mkdir()
    bp.save_plan(plan, folder / "p1.json")
    logs(plan, 2).to_csv(tmp_path / "logs.csv", index=False)
    done = subprocess.run([sys.executable, "-m", "backplan.cli", "review",
                           str(tmp_path / "logs.csv"), "-p", str(folder), "-o",
                           str(tmp_path / "r.html"), "--rules", str(path)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "column 'value'" in done.stderr and not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("week", [True, 10**6, "2", 2.5, [2]])
def test_a_week_that_is_not_a_week_number_is_a_clear_error(plan, week) -> None:
    """2.0 is week 2, as everywhere a typed whole number is read (backplan._io.typed)."""
    with pytest.raises(bp.PlanError, match="week"):
        bp.review(plan, logs(plan, 2), week=week)


@fuzz(60)
@given(column=st.sampled_from(["measure", "op", "value", "decision", "flag", "change_reps",
                               "says"]), value=cell)  # fmt: skip
def test_any_edited_cell_loads_or_is_a_rules_error(tmp_path_factory, column, value) -> None:
    """A clinic's edit of any cell gives valid rules or a ReviewRulesError, nothing else."""
    frame = pd.read_csv(SHIPPED, dtype=str, keep_default_na=False)
    frame.loc[0, column] = value
    path = tmp_path_factory.mktemp("rules") / "rules.csv"
    frame.to_csv(path, index=False)
    try:
        rules = bp.load_review_rules(path)
    except bp.BackplanError:
        return
    for rule in rules:  # what loaded is in range and can say its reason
        rule.reason({"pain_worst": 6.0, "pain_now": 4.0})
