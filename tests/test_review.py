"""The weekly review through the public API: the issue's table of cases, bad input, revisions."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

import backplan as bp

START = date(2026, 1, 5)
WHEN = datetime(2026, 1, 26, 9, 30)


@pytest.fixture(scope="module")
def plan() -> bp.Plan:
    return bp.build_plan(
        bp.load_catalogue(), "beginners", ["heel-raises", "heel-slides"], patient="P1",
        clinician="A. Physio", start_date=START, weeks=6,
        restrictions=bp.Restrictions(avoid_positions=["lying on stomach"]),
    )  # fmt: skip


def make_logs(
    plan: bp.Plan,
    weeks: int,
    pain: dict[int, float | None],
    done: float = 1.0,
    stop_after_day: int | None = None,
) -> pd.DataFrame:
    """One row per session: ``done`` share of each dose, a pain score per session."""
    rows = []
    for week in range(1, weeks + 1):
        for day in range(7):
            n = 7 * (week - 1) + day
            if stop_after_day is not None and n >= stop_after_day:
                break
            for p in bp.dose_in_week(plan, week):
                rows.append({"patient": plan.patient, "exercise": p.exercise,
                             "date": (START + timedelta(days=n)).isoformat(),
                             "sets_done": p.sets, "reps_done": round(p.reps * done),
                             "pain": pain.get(week)})  # fmt: skip
    logs = pd.DataFrame(rows)
    logs["pain"] = logs["pain"].astype("Float64")
    return logs


# The table: all good -> progress; pain +3 -> step back; adherence 50% -> hold;
# silent 10 days -> hold and flag; pain > 5 during exercise -> step back.
CASES = [
    ("all good", dict(pain={1: 2, 2: 2, 3: 2}), "progress", "comfortable", False, 12),
    ("pain +3", dict(pain={1: 2, 2: 4, 3: 5}), "step back", "pain-up-since-week-1", True, 8),
    ("adherence 50%", dict(pain={1: 2, 2: 2, 3: 2}, done=0.5), "hold", "low-dose-adherence",
     False, 10),
    ("silent 10 days", dict(pain={1: 2, 2: 2, 3: 2}, stop_after_day=11), "hold",
     "no-recent-logs", True, 10),
    ("pain > 5", dict(pain={1: 6, 2: 6, 3: 6}), "step back", "pain-worst-day", True, 8),
]  # fmt: skip


@pytest.mark.parametrize(("case", "kwargs", "decision", "rule", "flag", "reps_next"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_table_of_cases(plan, case, kwargs, decision, rule, flag, reps_next) -> None:
    r = bp.review(plan, make_logs(plan, 3, **kwargs), week=3)
    assert (r.decision, r.rule, r.flag) == (decision, rule, flag), r.exercises
    assert r.exercises["reps_next"].tolist() == [reps_next, reps_next]
    assert r.week == 3 and r.as_of == START + timedelta(days=20)
    assert r.reason and "{" not in r.reason


def test_evidence_is_reported_in_plain_numbers(plan) -> None:
    r = bp.review(plan, make_logs(plan, 3, pain={1: 2, 2: 4, 3: 5}), week=3)
    e = r.evidence
    assert (e["pain_week1"], e["pain_last_week"], e["pain_now"]) == (2, 4, 5)
    assert (e["pain_rise_week1"], e["pain_rise_last_week"], e["days_silent"]) == (3, 1, 0)
    assert e["dose_adherence"] == 1 and e["session_adherence"] == 1
    assert "3.0 points higher than in week 1" in r.reason
    silent = bp.review(plan, make_logs(plan, 3, pain={1: 2, 2: 2}, stop_after_day=11), week=3)
    assert silent.evidence["days_silent"] == 10 and "10 days" in silent.reason


def test_thresholds_are_data_a_clinic_can_change(plan, tmp_path: Path) -> None:
    shipped = Path(bp.__file__).parent.parent / "data" / "review-rules.csv"
    text = shipped.read_text().replace("dose_adherence,<,0.8", "dose_adherence,<,0.4")
    (tmp_path / "clinic.csv").write_text(text)
    logs = make_logs(plan, 3, pain={1: 2, 2: 2, 3: 2}, done=0.5)
    assert bp.review(plan, logs, week=3).decision == "hold"
    # with a 40% cut-off, half the reps is enough (every session was logged)
    rules = bp.load_review_rules(tmp_path / "clinic.csv")
    assert bp.review(plan, logs, week=3, rules=rules).decision == "progress"


def test_a_broken_rules_file_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "rules.csv"
    path.write_text("rule,measure,op,value,decision,flag,change_reps,says,source\n"
                    "a,pain_now,>,5,step back,true,-2,Too much {x}.,s\n"
                    "b,mood,>,5,hold,false,0,Hmm.,s\n")  # fmt: skip
    with pytest.raises(bp.BackplanError) as info:
        bp.load_review_rules(path)
    message = str(info.value)
    assert "row 2, column 'says'" in message and "row 3, column 'measure'" in message


def test_apply_makes_a_revision_and_keeps_earlier_weeks(plan) -> None:
    r = bp.review(plan, make_logs(plan, 3, pain={1: 2, 2: 2, 3: 2}), week=3)
    new = bp.apply_review(plan, r, by="A. Physio", when=WHEN)
    assert plan.revisions == ()  # the decision did not change the plan by itself
    assert [bp.dose_in_week(new, w)[0].reps for w in (3, 4, 6)] == [10, 12, 12]
    history = bp.revision_history(new)
    last = history.iloc[-1]
    assert (last["revision"], last["from_week"], last["decision"], last["by"]) == (
        2,
        4,
        "progress",
        "A. Physio",
    )
    assert last["made_at"] == pd.Timestamp(WHEN) and last["why"] == r.reason
    assert "Heel raises: reps 10 -> 12" in last["what"]
    said = bp.what_changed(new)
    assert said[0].startswith("From week 4 (Monday 26 January), do Heel raises 12 times")
    assert "Before, it was 10 times." in said[0]
    again = bp.load_plan(bp.save_plan(new, Path(__import__("tempfile").mkdtemp()) / "p.json"))
    assert again == new


def test_hold_stops_automatic_increases(catalogue) -> None:
    plan = bp.build_plan(catalogue, "beginners", ["heel-raises"], patient="P1",
                         start_date=START, weeks=6,
                         progression=[bp.AddDose(what="reps", amount=2, cap=20)])  # fmt: skip
    logs = make_logs(plan, 2, pain={1: 2, 2: 2}, done=0.5)
    r = bp.review(plan, logs, week=2)
    assert r.decision == "hold" and r.exercises["reps_next"].tolist() == [12]
    new = bp.apply_review(plan, r, by="A. Physio", when=WHEN)
    assert [bp.dose_in_week(new, w)[0].reps for w in range(1, 7)] == [10, 12, 12, 12, 12, 12]


def test_review_accepts_an_adherence_report(plan) -> None:
    logs = make_logs(plan, 3, pain={1: 2, 2: 2, 3: 2})
    report = bp.adherence(logs, [plan], as_of=START + timedelta(days=20))
    assert bp.review(plan, report).decision == "progress"
    assert bp.review(plan, report).week == 3  # the latest ended week by default


# --- bad input: a clear message, and the plan is left unchanged ----------------------------


def test_logs_of_another_patient(plan) -> None:
    logs = make_logs(plan, 2, pain={}).assign(patient="P2")
    with pytest.raises(bp.LogError, match="rows for patient 'P1'; these logs are of P2"):
        bp.review(plan, logs, week=2)


def test_report_of_another_plan(plan, catalogue) -> None:
    other = bp.build_plan(catalogue, "beginners", ["heel-raises"], patient="P1", start_date=START)
    report = bp.adherence(make_logs(other, 2, pain={}), [other], as_of=START + timedelta(days=13))
    with pytest.raises(bp.PlanError, match="a report made from this plan"):
        bp.review(plan, report, week=2)


@pytest.mark.parametrize("week", [0, 7])
def test_weeks_outside_the_plan(plan, week: int) -> None:
    with pytest.raises(bp.PlanError, match=f"a week from 1 to 6, got {week}"):
        bp.review(plan, make_logs(plan, 2, pain={}), week=week)


def test_a_week_that_has_not_ended(plan) -> None:
    report = bp.adherence(make_logs(plan, 2, pain={}), [plan], as_of=START + timedelta(days=13))
    with pytest.raises(bp.PlanError, match="week 4 ends 2026-02-01"):
        bp.review(plan, report, week=4)


def test_no_logs_at_all(plan) -> None:
    empty = pd.DataFrame(columns=["patient", "date", "exercise", "sets_done", "reps_done"])
    with pytest.raises(bp.LogError, match="the logs are empty, so there is nothing to review"):
        bp.review(plan, empty, week=2)


def test_a_revision_that_breaks_a_restriction(plan) -> None:
    before = plan.model_copy()
    with pytest.raises(bp.PlanError) as info:
        bp.revise(plan, 3, {"prone-leg-raises": {"reps": 5}}, why="try", by="A. Physio")
    assert "row 1 (prone-leg-raises, revision 2)" in str(info.value)
    assert "lying on stomach" in str(info.value)
    assert plan == before and plan.revisions == ()


def test_apply_on_the_last_week_or_a_changed_plan(plan) -> None:
    logs = make_logs(plan, 6, pain={w: 2 for w in range(1, 7)})
    last = bp.review(plan, logs, week=6)
    with pytest.raises(bp.PlanError, match="before the plan's last"):
        bp.apply_review(plan, last, by="A. Physio")
    r = bp.review(plan, logs, week=3)
    changed = bp.revise(plan, 2, {"heel-raises": {"reps": 6}}, why="x", by="A. Physio")
    with pytest.raises(bp.PlanError, match="review it again"):
        bp.apply_review(changed, r, by="A. Physio")


# --- the clinic meeting page ----------------------------------------------------------------


def test_cli_review_most_urgent_first_and_escaped(tmp_path: Path, catalogue) -> None:
    plans = {
        "calm": bp.build_plan(catalogue, "beginners", ["heel-raises"], patient="<b>calm</b>",
                              start_date=START),
        "sore": bp.build_plan(catalogue, "beginners", ["heel-raises"], patient="sore",
                              start_date=START),
    }  # fmt: skip
    folder = tmp_path / "plans"
    folder.mkdir()
    for name, p in plans.items():
        bp.save_plan(p, folder / f"{name}.json")
    (folder / "broken.json").write_text('{"schema_version": 2, "weeks": 99}')
    logs = pd.concat([make_logs(plans["calm"], 3, pain={1: 2, 2: 2, 3: 2}),
                      make_logs(plans["sore"], 3, pain={1: 2, 2: 2, 3: 7})])  # fmt: skip
    logs.to_csv(tmp_path / "logs.csv", index=False)
    out = tmp_path / "review.html"
    done = subprocess.run(
        [sys.executable, "-m", "backplan.cli", "review", str(tmp_path / "logs.csv"), "-p",
         str(folder), "-o", str(out)], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = out.read_text()
    assert "<b>calm</b>" not in page and "&lt;b&gt;calm&lt;/b&gt;" in page
    calls, table = page.split("Every patient, most urgent first")
    assert ">sore<" in calls.split("Call this week")[1] and "calm" not in calls
    broken, sore, calm = (table.index(s) for s in ("broken.json", ">sore<", "&lt;b&gt;calm"))
    assert broken < sore < calm
    assert "Silbernagel" in page and "NHS inform" in page


def test_revisions_add_stop_and_respect_levels(catalogue) -> None:
    plan = bp.build_plan(catalogue, "beginners", ["heel-raises", "heel-slides"], patient="P1",
                         start_date=START, weeks=6,
                         progression=[bp.next_level(catalogue, 5, exercises=["knee-to-chest"])])  # fmt: skip
    new = bp.revise(plan, 3, {"ankle-lifts": {"reps": 6}, "heel-slides": {"reps": 8}},
                    stop=["heel-raises"], why="swap", by="A. Physio", when=WHEN)  # fmt: skip
    week = {w: [(p.exercise, p.reps) for p in bp.dose_in_week(new, w)] for w in (2, 3, 5)}
    assert week[2] == [("heel-raises", 10), ("heel-slides", 10)]
    assert week[3] == [("heel-slides", 8), ("ankle-lifts", 6)]
    # heel-slides belongs to the first level; the added ankle lifts go on until stopped
    assert week[5] == [("knee-to-chest", 5), ("ankle-lifts", 6)]
    said = " ".join(bp.what_changed(new))
    assert "start doing Ankle lifts: 6 times on each ankle" in said
    assert "stop doing Heel raises" in said and "Heel slides 8 times on each leg" in said
    with pytest.raises(bp.PlanError, match=r"row 1 \(heel-slides, revision 2\), column 'reps'"):
        bp.revise(plan, 3, {"heel-slides": {"reps": 0}}, why="x", by="y")
    with pytest.raises(bp.PlanError, match="a week from 1 to 6, got 7"):
        bp.revise(plan, 7, {"heel-slides": {"reps": 5}}, why="x", by="y")


def test_no_level_up_after_a_hold_until_a_review_says_progress(catalogue) -> None:
    plan = bp.build_plan(catalogue, "beginners", ["heel-raises"], patient="P1", start_date=START,
                         weeks=6, progression=[bp.next_level(catalogue, 4, exercises=["knee-to-chest"])])  # fmt: skip
    held = bp.apply_review(plan, bp.review(plan, make_logs(plan, 3, pain={1: 2, 2: 2, 3: 2},
                                                           done=0.5), week=3), by="A. Physio")  # fmt: skip
    assert [bp.level_in_week(held, w) for w in (3, 4, 5)] == ["beginners"] * 3
    assert "the move to more advanced waits" in bp.revision_history(held)["what"].iloc[-1]
    logs = make_logs(held, 4, pain={1: 2, 2: 2, 3: 2, 4: 2})
    going = bp.apply_review(held, bp.review(held, logs, week=4), by="A. Physio")
    assert [bp.level_in_week(going, w) for w in (4, 5)] == ["beginners", "more advanced"]
    assert [p.exercise for p in bp.dose_in_week(going, 5)] == ["knee-to-chest"]


def test_rejected_rows_are_reported_not_dropped(plan) -> None:
    logs = make_logs(plan, 3, pain={1: 2, 2: 2, 3: 2})
    bad = logs.iloc[[0]].assign(date="2025-12-30")  # before the plan starts
    r = bp.review(plan, pd.concat([logs, bad], ignore_index=True), week=3)
    assert len(r.rejected) == 1 and "date before plan start" in r.rejected["reason"].iloc[0]
    assert "1 of this patient's log rows were rejected" in r.summary()
    assert "<strong>P1, week 3: PROGRESS" in r._repr_html_()


# --- revisions say what really changed and are never silently dropped ------------------------


@pytest.fixture(scope="module")
def level_up_plan() -> bp.Plan:
    cat = bp.load_catalogue()
    return bp.build_plan(cat, "beginners", ["heel-slides", "wall-squats"], patient="P1",
                         start_date=START, weeks=6,
                         progression=[bp.next_level(cat, 4, exercises=["knee-to-chest"])])  # fmt: skip


def test_a_hold_that_postpones_the_level_up_says_only_that(level_up_plan) -> None:
    logs = make_logs(level_up_plan, 3, pain={1: 2, 2: 2, 3: 2}, done=0.5)
    held = bp.apply_review(level_up_plan, bp.review(level_up_plan, logs, week=3), by="A. Physio")
    what = bp.revision_history(held)["what"].iloc[-1]
    assert "added" not in what and "stopped" not in what, what
    assert "stays at beginners (the move to more advanced waits)" in what
    # the patient is told to go on as last week, not to "start" exercises they already do
    said = " ".join(bp.what_changed(held))
    assert "start doing" not in said and "stop doing" not in said, said
    assert "keep doing your exercises" in said


def test_a_revision_that_would_lift_a_waiting_level_up_is_not_dropped(level_up_plan) -> None:
    logs = make_logs(level_up_plan, 3, pain={1: 2, 2: 2, 3: 2}, done=0.5)
    held = bp.apply_review(level_up_plan, bp.review(level_up_plan, logs, week=3), by="A. Physio")
    # without hold_level the waiting move would go ahead in week 5 and drop this new dose
    with pytest.raises(bp.PlanError, match=r"Heel slides.*more advanced.*hold_level=True"):
        bp.revise(held, 5, {"heel-slides": {"reps": 6}}, why="sore", by="A. Physio", when=WHEN)
    kept = bp.revise(held, 5, {"heel-slides": {"reps": 6}}, why="sore", by="A. Physio",
                     hold_level=True, when=WHEN)  # fmt: skip
    assert bp.dose_in_week(kept, 5)[0].reps == 6
    assert bp.revision_history(kept)["what"].iloc[-1].startswith("Heel slides: reps 10 -> 6")


def test_progress_to_a_waiting_level_records_the_move(level_up_plan) -> None:
    logs = make_logs(level_up_plan, 3, pain={1: 2, 2: 2, 3: 2}, done=0.5)
    held = bp.apply_review(level_up_plan, bp.review(level_up_plan, logs, week=3), by="A. Physio")
    going = bp.apply_review(held, bp.review(held, make_logs(held, 4, pain={w: 2 for w in range(1, 5)}),
                                            week=4), by="A. Physio")  # fmt: skip
    assert [p.exercise for p in bp.dose_in_week(going, 5)] == ["knee-to-chest"]
    last = going.revisions[-1]
    # no dose in the revision for exercises the patient no longer does
    assert {p.exercise for p in last.prescriptions} <= {"knee-to-chest"}
    assert last.what.startswith("moves to more advanced"), last.what
    assert "from week 5 the patient moves up to more advanced instead" in last.why
    assert (
        "Heel slides: stopped" in last.what and "Knees to chest (eases strain): added" in last.what
    )


def test_a_revised_exercise_cannot_also_be_stopped(level_up_plan) -> None:
    with pytest.raises(bp.PlanError, match="both"):
        bp.revise(level_up_plan, 2, {"heel-slides": {"reps": 6}}, stop=["heel-slides"],
                  why="x", by="y")  # fmt: skip


def test_a_revision_cannot_stop_every_exercise(level_up_plan) -> None:
    with pytest.raises(bp.PlanError, match="at least one exercise in every week.*from week 2"):
        bp.revise(level_up_plan, 2, {}, stop=["heel-slides", "wall-squats"], why="x", by="y")


def test_a_hold_before_the_level_up_week_says_the_move_waits(level_up_plan) -> None:
    logs = make_logs(level_up_plan, 2, pain={1: 2, 2: 2}, done=0.5)
    held = bp.apply_review(level_up_plan, bp.review(level_up_plan, logs, week=2), by="A. Physio")
    assert [bp.level_in_week(held, w) for w in (3, 4)] == ["beginners", "beginners"]
    what = held.revisions[-1].what
    assert what.startswith("stays at beginners (the move to more advanced planned for week 4 "
                           "waits)"), what  # fmt: skip
    going = bp.revise(held, 3, {}, why="better", by="A. Physio")  # releases it, as planned
    assert going.revisions[-1].what.startswith("the move to more advanced goes ahead in week 4")


def test_progress_when_the_next_level_has_nothing_left_stays_at_the_level(level_up_plan) -> None:
    logs = make_logs(level_up_plan, 3, pain={1: 2, 2: 2, 3: 2}, done=0.5)
    held = bp.apply_review(level_up_plan, bp.review(level_up_plan, logs, week=3), by="A. Physio")
    held = bp.revise(held, 4, {}, stop=["knee-to-chest"], why="hurts", by="A. Physio",
                     hold_level=True)  # fmt: skip
    r = bp.review(held, make_logs(held, 4, pain={w: 2 for w in range(1, 5)}), week=4)
    assert r.decision == "progress" and "moves up" not in r.reason
    going = bp.apply_review(held, r, by="A. Physio")
    assert [(p.exercise, p.reps) for p in bp.dose_in_week(going, 5)] == [
        ("heel-slides", 12), ("wall-squats", 12)]  # fmt: skip


def test_a_revision_that_overrides_a_later_one_says_so(plan) -> None:
    later = bp.revise(plan, 5, {"heel-slides": {"reps": 6}}, why="planned", by="A. Physio")
    sooner = bp.revise(later, 4, {"heel-slides": {"reps": 12}}, why="review", by="A. Physio")
    assert bp.dose_in_week(sooner, 5)[1].reps == 12
    what = sooner.revisions[-1].what
    assert what == "Heel slides: reps 10 -> 12; replaces revision 2 (from week 5) for Heel slides"


def test_a_dose_for_a_level_the_plan_has_left_is_refused(level_up_plan) -> None:
    with pytest.raises(bp.PlanError, match=r"Heel slides would be dropped.*beginners exercise"
                                            r".*more advanced from week 4"):  # fmt: skip
        bp.revise(level_up_plan, 5, {"heel-slides": {"reps": 6}}, why="x", by="y")


def test_a_next_level_dose_set_ahead_is_named_in_the_history(level_up_plan) -> None:
    new = bp.revise(level_up_plan, 2, {"knee-to-chest": {"reps": 7}}, why="x", by="y")
    assert bp.dose_in_week(new, 4)[0].reps == 7
    assert new.revisions[-1].what == (
        "Knees to chest (eases strain): reps 5 -> 7 (at more advanced, from week 4)"
    )


def test_review_rules_given_as_a_list_are_checked_like_a_rules_file() -> None:
    rules = bp.load_review_rules()
    cohort = bp.synthetic_cohort(1, 3, seed=7)
    report = bp.adherence(cohort.logs, cohort.plans)
    for bad, says in (
        ([rules[0], rules[1], rules[0]], "row 3, column 'rules': expected each rule name once"),
        ([rules[0], "pain-too-high"], "row 2, column 'rules': expected a ReviewRule"),
        ("no-such-rules.csv", "no-such-rules.csv"),
    ):
        with pytest.raises(bp.BackplanError, match=says):
            bp.review(cohort.plans[0], report, rules=bad)
