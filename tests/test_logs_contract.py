"""What other parts of backplan (and users) rely on from the logs: pain during and next
morning, notes as written, patient labels as one patient, dropped copies never counted,
clear errors for empty or odd input, plans in any form expanded once."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from fuzz_inputs import fuzz
from hypothesis import assume, given
from hypothesis import strategies as st

import backplan as bp
from backplan import AddDose, Plan, Prescription, Revision
from backplan.plan.weeks import plan_weeks, plans_weeks


def _plan(patient: str = "Zoë Adams", weeks: int = 2) -> Plan:
    return Plan(patient=patient, start_date=date(2026, 1, 5), weeks=weeks,
                prescriptions=[Prescription(exercise="heel-raises", reps=10)])  # fmt: skip


def _week(patient: str = "Zoë Adams", **extra: object) -> pd.DataFrame:
    days = pd.date_range("2026-01-05", periods=7).strftime("%Y-%m-%d")
    return pd.DataFrame({"patient": patient, "date": days, "exercise": "heel-raises",
                         "sets_done": 1, "reps_done": 10, **extra})  # fmt: skip


def test_dropped_copies_are_not_counted_by_adherence() -> None:
    # issue 20: read_logs(..., drop_duplicates=True) then adherence() counted 14 sessions
    logs = pd.concat([_week(), _week()], ignore_index=True)
    table = bp.read_logs(logs, [_plan()], drop_duplicates=True)
    assert (len(table.accepted), len(table.rejected)) == (7, 7)
    report = bp.adherence(table, [_plan()], as_of="2026-01-11")
    assert report.by_exercise.loc[0, "sessions_done"] == 7
    assert report.by_exercise.loc[0, "reps_done"] == 70
    assert (report.rows_read, report.rows_accepted, len(report.rejected)) == (14, 7, 7)
    # and asked of adherence itself, on a table read without dropping
    kept = bp.adherence(bp.read_logs(logs), [_plan()], as_of="2026-01-11", drop_duplicates=True)
    pd.testing.assert_frame_equal(kept.by_exercise, report.by_exercise)
    assert set(kept.rejected["reason"]) == {"exact duplicate"}


def test_pain_during_and_next_morning_and_the_old_pain_column() -> None:
    logs = _week(pain_during=[2, 3, 2, 3, 2, 3, 2], pain_next_morning=[1, 1, 1, 1, 1, 1, 4],
                 note=["", "  stiff ", "", "", "", "", "=1+1"])  # fmt: skip
    table = bp.read_logs(logs, [_plan()])
    acc = table.accepted
    assert acc["pain_during"].tolist() == [2, 3, 2, 3, 2, 3, 2]
    assert acc["pain_next_morning"].tolist()[-1] == 4.0
    assert acc["note"].tolist()[:2] == ["", "  stiff "]  # as written, '' when blank
    week = bp.adherence(table, [_plan()], as_of="2026-01-11").by_week.iloc[0]
    assert (week["pain_mean"], week["pain_n"]) == (pytest.approx(17 / 7), 7)
    assert week["pain_next_morning_mean"] == pytest.approx(10 / 7)
    old = bp.read_logs(_week(pain=[2, 3, 2, 3, 2, 3, 11]), [_plan()])
    assert old.accepted["pain_during"].tolist() == [2, 3, 2, 3, 2, 3]
    bad = old.rejected.iloc[0]
    assert (bad["column"], bad["reason"], bad["pain_during"]) == ("pain", "pain outside 0-10", 11)
    with pytest.raises(bp.LogError, match="not both"):
        bp.read_logs(_week(pain=1, pain_during=2))
    morning = bp.read_logs(_week(pain_next_morning=[1, 2, 3, 4, 5, 6, 12]))
    assert morning.rejected[["column", "reason"]].values.tolist() == [
        ["pain_next_morning", "pain outside 0-10"]
    ]


def test_a_day_with_pain_but_no_exercise_is_not_a_session(tmp_path: Path) -> None:
    # the handout's clinic page: "a day with no tick but a pain score or a note: type one
    # line with sets_done 0 and reps_done 0, and the pain and note, so they are not lost"
    logs = _week(pain_during=[2, 2, 2, 2, 2, 8, 8], note=[""] * 5 + ["too sore"] * 2)
    logs.loc[5:, ["sets_done", "reps_done"]] = 0
    logs.loc[6, "sets_done"] = 3  # three sets of no reps: nothing done either
    path = tmp_path / "diary.csv"
    logs.to_csv(path, index=False)
    for logs_in in (path, bp.read_logs(path, [_plan()])):
        report = bp.adherence(logs_in, [_plan()], as_of="2026-01-11")
        assert report.rows_accepted == 7  # kept: their pain and notes count
        ex = report.by_exercise.iloc[0]
        assert (ex["sessions_done"], ex["reps_done"]) == (5, 50)
        assert ex["session_adherence"] == pytest.approx(5 / 7)
        week = report.by_week.iloc[0]
        assert (week["sessions_done"], week["pain_n"]) == (5, 7)
        assert week["pain_mean"] == pytest.approx(26 / 7)
        assert report.by_patient.loc[0, "last_log"] == pd.Timestamp("2026-01-11")  # logged


def test_other_columns_are_kept_as_written() -> None:
    logs = _week(comment=["ok"] * 6 + ["numb bum"])
    logs.loc[0, "reps_done"] = -1
    table = bp.read_logs(logs, [_plan()])
    assert table.accepted["comment"].tolist()[-1] == "numb bum"
    assert table.rejected["comment"].tolist() == ["ok"]


@pytest.mark.parametrize(
    "typed", ["ZOË ADAMS", "  zoë   adams ", unicodedata.normalize("NFD", "Zoë Adams")]
)
def test_a_label_typed_another_way_is_the_same_patient(typed: str) -> None:
    # issue 21: an NFD-typed or upper-case label was rejected as "unknown patient"
    table = bp.read_logs(_week(typed), [_plan()])
    assert len(table.rejected) == 0
    report = bp.adherence(table, [_plan()], as_of="2026-01-11")
    assert report.by_patient["patient"].tolist() == ["Zoë Adams"]  # the plan's label
    assert report.by_exercise.loc[0, "sessions_done"] == 7
    mixed = pd.concat([_week("Zoë Adams"), _week(typed)], ignore_index=True)
    assert len(bp.read_logs(mixed).duplicates) == 7  # the same patient without plans too
    with pytest.raises(bp.PlanError, match="not used by plan 1"):
        bp.prescription_table([_plan(), _plan(typed)])


@pytest.mark.parametrize("bad", ["today", "now", "March 1 2026", "1/3/2026", "9999-12-31", 5,
                                 "2026-02-30", True, None.__class__])  # fmt: skip
def test_as_of_is_a_real_day_or_a_date(bad: object) -> None:
    with pytest.raises(bp.BackplanError, match="as_of: expected a real date written YYYY-MM-DD"):
        bp.adherence(_week(), [_plan()], as_of=bad)  # type: ignore[arg-type]


def test_as_of_takes_a_date_a_datetime_or_iso_text() -> None:
    for value in ("2026-01-11", date(2026, 1, 11), pd.Timestamp("2026-01-11 15:00")):
        assert bp.adherence(_week(), [_plan()], as_of=value).as_of == date(2026, 1, 11)


def test_empty_inputs_are_clear_errors() -> None:
    with pytest.raises(bp.LogError, match="at least one log file"):
        bp.read_logs([])
    for plans in ([], pd.DataFrame()):
        with pytest.raises(bp.PlanError, match="at least one"):
            bp.adherence(_week(), plans)
        with pytest.raises(bp.PlanError, match="at least one"):
            bp.read_logs(_week(), plans)
    with pytest.raises(bp.PlanError, match="a Plan"):
        bp.adherence(_week(), ["not a plan"])  # type: ignore[list-item]
    with pytest.raises(bp.LogError, match="a log file, a folder"):
        bp.read_logs(5)  # type: ignore[arg-type]


def test_page_size_is_a4_or_letter() -> None:
    report = bp.adherence(_week(), [_plan()])
    assert "size: letter" in report.to_html(page_size="letter")
    for bad in ("A3", "", 4):
        with pytest.raises(bp.BackplanError, match="page_size: expected one of A4, letter"):
            report.to_html(page_size=bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="colour"):
        report.to_html(colour="red")  # type: ignore[call-arg]


def test_a_plan_folder_with_an_unreadable_file(tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    bp.save_plan(_plan(), folder / "zoe.json")
    (folder / "broken.json").write_text("{", encoding="utf-8")
    logs = pd.concat([_week(), _week("Sam Lee")], ignore_index=True)
    report = bp.adherence(logs, folder)
    assert report.unreadable_plans["file"].tolist() == ["broken.json"]
    assert set(report.rejected["reason"]) == {"unknown patient"}
    page = report.to_html()
    assert "1 plan file could not be read</b> (broken.json)" in page
    assert str(tmp_path) not in page  # a file name, never a path
    assert bp.read_logs(logs, folder).rows_read == 14


def test_plan_objects_are_expanded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from backplan.logs import prescriptions

    calls = []
    real = prescriptions.plans_weeks
    monkeypatch.setattr(prescriptions, "plans_weeks", lambda p: calls.append(1) or real(p))
    plans = [_plan(), _plan("Sam Lee")]
    bp.adherence(bp.read_logs(_week(), plans), plans)
    assert len(calls) == 1


_doses = st.builds(
    Prescription,
    exercise=st.sampled_from(["heel-raises", "heel-slides", "knee-to-chest", "bridges"]),
    sets=st.integers(1, 3), reps=st.integers(1, 50), hold_s=st.sampled_from([0, 0, 5, 30]),
    per_side=st.booleans(), sessions_per_day=st.integers(1, 3), days_per_week=st.integers(1, 7),
)  # fmt: skip
_adds = st.builds(AddDose, what=st.sampled_from(["reps", "hold_s"]), amount=st.integers(1, 5),
                  every_weeks=st.integers(1, 3), cap=st.integers(1, 50))  # fmt: skip


@st.composite
def _plans(draw: st.DrawFn) -> Plan:
    weeks = draw(st.integers(1, 10))
    doses = draw(st.lists(_doses, min_size=1, max_size=3, unique_by=lambda p: p.exercise))
    progression: list = draw(st.lists(_adds, max_size=2))
    if weeks >= 2 and draw(st.booleans()):
        up = draw(st.lists(_doses, min_size=1, max_size=2, unique_by=lambda p: p.exercise))
        progression.append(bp.NextLevel(from_week=draw(st.integers(2, weeks)), level="more advanced",
                                        prescriptions=up))  # fmt: skip
    revisions = []
    for number in range(2, 2 + draw(st.integers(0, 2))):
        changed = draw(st.lists(_doses, max_size=2, unique_by=lambda p: p.exercise))
        stop = draw(st.lists(st.sampled_from([p.exercise for p in doses]), max_size=1))
        revisions.append(Revision(number=number, from_week=draw(st.integers(1, weeks)),
                                  prescriptions=changed, stop=stop, why="review", by="physio",
                                  made_at="2026-01-01T00:00:00Z",
                                  hold_level=draw(st.booleans())))  # fmt: skip
    revisions.sort(key=lambda r: r.number)
    return Plan.model_construct(  # the expansion is checked, not the plan's own validation
        patient="P", start_date=date(2026, 1, 5), weeks=weeks, level="beginners",
        prescriptions=doses, progression=progression, revisions=revisions,
        **{k: v.default for k, v in Plan.model_fields.items()
           if k not in {"patient", "start_date", "weeks", "level", "prescriptions",
                        "progression", "revisions"} and not v.is_required()},
    )  # fmt: skip


@fuzz(100)
@given(st.lists(_plans(), min_size=1, max_size=4))
def test_many_plans_at_once_give_what_each_plan_gives(plans: list[Plan]) -> None:
    # a valid plan has an exercise every week (Plan refuses one that stops them all)
    assume(all(bp.dose_in_week(p, w) for p in plans for w in range(1, p.weeks + 1)))
    together = plans_weeks(plans)
    each = pd.concat([plan_weeks(plan) for plan in plans], ignore_index=True)
    pd.testing.assert_frame_equal(together.drop(columns="plan"), each)
    assert together["plan"].tolist() == [i for i, p in enumerate(plans)
                                         for w in range(1, p.weeks + 1)
                                         for _ in bp.dose_in_week(p, w)]  # fmt: skip
    assert together["reps_per_side"].tolist() == [
        d.reps for p in plans for w in range(1, p.weeks + 1) for d in bp.dose_in_week(p, w)]  # fmt: skip
