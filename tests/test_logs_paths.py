"""The paths users take through the logs, end to end, as they take them.

* a patient's own small file, read with no plans (the app's "Upload logs");
* a clinic's folder of saved plans and a log file through ``backplan adherence`` to .html
  and .xlsx;
* a notebook's ``bp.adherence(bp.read_logs(path, plans), plans)``.

The folder holds the kinds of plan a clinic saves: a progression rule, a move to the next
level, a revision after a review, restrictions, a file saved by an older backplan and a
file that is not a plan.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import backplan as bp
from backplan.cli import main
from backplan.identity import file_stem
from backplan.plan.store import read_plan_folder

START = date(2026, 1, 5)
AS_OF = "2026-01-25"  # weeks 1 and 2 ended, week 3 under way


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[bp.Plan], Path]:
    """A folder of saved plans, the plans that load from it, and a CSV of their logs."""
    cat = bp.load_catalogue()
    folder = tmp_path_factory.mktemp("clinic") / "plans"
    folder.mkdir()
    ann = bp.build_plan(cat, "beginners", ["heel-raises", "heel-slides"], patient="Ann Ash",
                        start_date=START, weeks=4,
                        progression=[bp.AddDose(what="reps", amount=2, cap=16)])  # fmt: skip
    ben = bp.build_plan(cat, "beginners", patient="Ben Bell", start_date=START, weeks=4,
                        restrictions=bp.Restrictions(avoid_positions=["lying on stomach"]),
                        progression=[bp.next_level(cat, from_week=3)])  # fmt: skip
    cai = bp.build_plan(cat, "beginners", ["wall-squats", "ankle-lifts"], patient="Cai Cole",
                        start_date=START, weeks=3, sessions_per_day=2)  # fmt: skip
    cai = bp.revise(cai, 2, {"wall-squats": {"reps": 6}}, stop=["ankle-lifts"], why="sore knee",
                    by="A. Physio", when=datetime(2026, 1, 11, 9, 0))  # fmt: skip
    plans = [ann, ben, cai]
    for plan in plans:
        bp.save_plan(plan, folder / f"{file_stem(plan.patient)}.json")
    # a plan saved by backplan 1 (schema version 1: no restrictions, no revisions)
    old = json.loads(bp.plan_to_json(ann.model_copy(update={"patient": "Dee Dunn"})))
    old = {k: v for k, v in old.items() if k not in ("restrictions", "revisions", "plan_id")}
    (folder / "dee-dunn.json").write_text(json.dumps({**old, "schema_version": 1}))
    (folder / "zz-broken.json").write_text('{"schema_version": 2, "weeks": 4, "weeks": 5}')
    dee = bp.load_plan(folder / "dee-dunn.json")
    plans = sorted([*plans, dee], key=lambda p: file_stem(p.patient))
    rows = []
    for plan in plans:
        for week in range(1, plan.weeks + 1):
            for i, dose in enumerate(bp.dose_in_week(plan, week)):
                for day in range(0, 7, 1 + i):  # some days missed
                    when = pd.Timestamp(plan.start_date) + pd.Timedelta(days=7 * (week - 1) + day)
                    if when > pd.Timestamp(AS_OF):
                        continue
                    rows.append({"patient": plan.patient, "date": when.strftime("%Y-%m-%d"),
                                 "exercise": dose.exercise,
                                 "sets_done": "" if day % 2 else dose.sets,
                                 "reps_done": "" if day % 2 else max(1, dose.reps - week),
                                 "pain": (day + week) % 7, "note": f"day {day}"})  # fmt: skip
    logs = pd.DataFrame(rows)
    logs = pd.concat([logs, logs.iloc[[3]]], ignore_index=True)  # an exact duplicate
    logs.loc[len(logs)] = ["Nobody", "2026-01-06", "heel-raises", 1, 10, 2, ""]
    logs.loc[len(logs)] = ["Ann Ash", "2026-01-06", "heel-raises", 1, 10, 12, "pain 12"]
    path = folder.parent / "logs.csv"
    logs.to_csv(path, index=False)
    return folder, plans, path


def test_a_folder_of_plans_loads_as_each_file_does(clinic) -> None:
    folder, plans, _ = clinic
    found = read_plan_folder(folder)
    assert found.plans == plans
    assert found.plans == [bp.load_plan(folder / f) for f in found.files]
    assert [name for name, _ in found.unreadable] == ["zz-broken.json"]
    assert "each key once" in found.unreadable[0][1]


@pytest.mark.parametrize("suffix", [".html", ".xlsx"])
def test_a_folder_of_plans_through_the_command_line(clinic, tmp_path: Path, suffix: str) -> None:
    folder, plans, logs = clinic
    out = tmp_path / f"report{suffix}"
    assert main(["adherence", str(logs), "-p", str(folder), "-o", str(out), "--as-of", AS_OF]) == 0
    expected = bp.adherence(logs, plans, as_of=AS_OF)
    assert len(expected.rejected) == 2 and len(expected.duplicates) == 1
    if suffix == ".html":
        page = out.read_text(encoding="utf-8")
        for plan in plans:
            assert plan.patient in page
        assert "zz-broken.json" in page and str(folder) not in page
        return
    book = openpyxl.load_workbook(out, read_only=True)
    for name in ("by_patient", "by_exercise"):
        table = expected.tables()[name]
        rows = list(book[name].iter_rows(values_only=True))
        assert list(rows[0]) == list(table.columns), name
        got = pd.DataFrame(rows[1:], columns=rows[0])
        for column in ("patient", "adherence", "sessions_done", "reps_done"):
            if column in table.columns:
                assert got[column].tolist() == pytest.approx(table[column].tolist()), column
    rejected = list(book["rejected"].iter_rows(values_only=True))
    assert {r[3] for r in rejected[1:]} == {"unknown patient", "pain outside 0-10"}
    unreadable = list(book["unreadable_plans"].iter_rows(values_only=True))
    assert unreadable[1][0] == "zz-broken.json"


@pytest.mark.parametrize("plans_as", ["plans", "folder"])
def test_read_logs_then_adherence_gives_the_one_call_answer(clinic, plans_as: str) -> None:
    folder, plans, logs = clinic
    given = plans if plans_as == "plans" else folder
    once = bp.adherence(logs, given, as_of=AS_OF)
    table = bp.read_logs(logs, given)
    assert table.rows_read == len(table.accepted) + len(table.rejected)
    twice = bp.adherence(table, given, as_of=AS_OF)
    for name in ("by_exercise", "by_week", "by_patient", "cohort", "flags", "rejected",
                 "duplicates", "unreadable_plans"):  # fmt: skip
        pd.testing.assert_frame_equal(getattr(twice, name), getattr(once, name), obj=name)
    assert (twice.rows_read, twice.rows_accepted) == (once.rows_read, once.rows_accepted)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_one_patients_own_small_file_without_plans(clinic, tmp_path: Path, suffix: str) -> None:
    _, _, logs = clinic
    own = pd.read_csv(logs, dtype=str, keep_default_na=False)
    own = own[own["patient"] == "Cai Cole"]
    path = tmp_path / f"cai{suffix}"
    {".csv": lambda: own.to_csv(path, index=False),
     ".xlsx": lambda: own.to_excel(path, index=False),
     ".parquet": lambda: own.to_parquet(path, index=False)}[suffix]()  # fmt: skip
    table = bp.read_logs(path)
    assert (table.rows_read, len(table.accepted), len(table.rejected)) == (len(own), len(own), 0)
    assert table.accepted["row"].tolist() == list(range(2, len(own) + 2))
    assert table.accepted["note"].tolist() == own["note"].tolist()
    assert table.accepted["sets_done"].isna().sum() == (own["sets_done"] == "").sum()
