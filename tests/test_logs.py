"""Reading logs: every rejection reason names file, row and column; no row goes missing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import backplan as bp
from backplan import Plan, Prescription
from backplan.adherence.read import REASONS

HEADER = "patient,date,exercise,sets_done,reps_done,hold_s,pain,note\n"


def _plan() -> Plan:
    return Plan(
        patient="P1",
        start_date=date(2026, 1, 5),
        weeks=2,
        prescriptions=[Prescription(exercise="heel-slides", reps=10, per_side=True)],
    )


def _write(tmp_path: Path, body: str, name: str = "diary.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


# one bad row per reason: (csv line, column, reason)
BAD = [
    ("P1,2026-01-05,no-such-exercise,1,10,,,", "exercise", "unknown exercise"),
    ("P9,2026-01-05,heel-slides,1,10,,,", "patient", "unknown patient"),
    ("P1,2026-01-05,heel-slides,1,10,,11,", "pain", "pain outside 0-10"),
    ("P1,2026-01-05,heel-slides,1,10,,-1,", "pain", "pain outside 0-10"),
    ("P1,2026-01-05,heel-slides,-1,10,,,", "sets_done", "negative count"),
    ("P1,2026-01-05,heel-slides,1,-10,,,", "reps_done", "negative count"),
    ("P1,2026-01-05,heel-slides,1,10,-5,,", "hold_s", "negative count"),
    ("P1,05/01/2026,heel-slides,1,10,,,", "date", "unparseable date"),
    ("P1,2026-02-30,heel-slides,1,10,,,", "date", "unparseable date"),
    ("P1,2026-01-04,heel-slides,1,10,,,", "date", "date before plan start"),
    ("P1,2026-01-19,heel-slides,1,10,,,", "date", "date after plan end"),
    ("P1,2026-01-05,heel-slides,one,10,,,", "sets_done", "not a number"),
    ("P1,2026-01-05,heel-slides,1.5,10,,,", "sets_done", "not a whole number"),
    ("P1,2026-01-05,heel-slides,1,,,,", "reps_done", "only one of sets_done and reps_done"),
    ("P1,2026-01-05,heel-slides,1,10,,sore,", "pain", "not a number"),
    (",2026-01-05,heel-slides,1,10,,,", "patient", "missing value"),
    ("P1,,heel-slides,1,10,,,", "date", "missing value"),
    ("P1,2026-01-05,,1,10,,,", "exercise", "missing value"),
    ("P1,2026-01-05,wall-squats,1,10,,,", "exercise", "exercise not prescribed that week"),
]


@pytest.mark.parametrize(("line", "column", "reason"), BAD, ids=[f"{r} {c}" for _, c, r in BAD])
def test_every_reason_names_file_row_and_column(
    tmp_path: Path, line: str, column: str, reason: str
) -> None:
    good = "P1,2026-01-06,heel-slides,1,10,,2,ok\n"
    path = _write(tmp_path, good + line + "\n" + good.replace("06", "07"))
    logs = bp.read_logs(path, [_plan()])
    assert logs.rows_read == 3
    assert len(logs.accepted) == 2
    rejected = logs.rejected
    assert rejected[["file", "row", "column", "reason"]].to_dict("records") == [
        {"file": str(path), "row": 3, "column": column, "reason": reason}
    ]
    assert reason in REASONS
    problem = logs.problem_list()[0]
    assert (problem.file, problem.row, problem.column) == (str(path), 3, column)
    assert f"row 3 ({reason}), column {column!r}" in str(problem)


def test_rejected_rows_keep_the_original_values(tmp_path: Path) -> None:
    path = _write(tmp_path, "P1,2026-01-05,heel-slides,1,10,,11,my note\n")
    rejected = bp.read_logs(path, [_plan()]).rejected
    assert rejected.loc[0, ["pain", "note", "date"]].tolist() == ["11", "my note", "2026-01-05"]


def test_a_row_with_several_problems_is_one_rejected_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "P1,2026-01-05,heel-slides,-1,10,,12,\n")
    logs = bp.read_logs(path)
    assert len(logs.rejected) == 1
    assert logs.rejected.loc[0, "reason"] == "negative count; pain outside 0-10"
    assert logs.rejected.loc[0, "column"] == "sets_done; pain"
    assert len(logs.problems) == 2


def test_accounting_holds_on_a_messy_file(tmp_path: Path) -> None:
    body = "".join(line + "\n" for line, _, _ in BAD) + "P1,2026-01-05,heel-slides,,,,,\n"
    logs = bp.read_logs(_write(tmp_path, body), [_plan()])
    assert logs.rows_read == len(BAD) + 1
    assert len(logs.accepted) + len(logs.rejected) == logs.rows_read
    assert len(logs.accepted) == 1


def test_without_plans_only_row_level_checks_apply(tmp_path: Path) -> None:
    path = _write(tmp_path, "P9,2026-01-04,wall-squats,1,10,,,\n")
    assert len(bp.read_logs(path).accepted) == 1


def test_adherence_reports_rejections_from_plan_checks() -> None:
    logs = pd.DataFrame({"patient": ["P1", "P9"], "date": ["2026-01-05", "2026-01-05"],
                         "exercise": ["heel-slides"] * 2, "sets_done": [1, 1],
                         "reps_done": [10, 10]})  # fmt: skip
    report = bp.adherence(logs, [_plan()])
    assert report.rejected[["file", "row", "reason"]].to_dict("records") == [
        {"file": "<DataFrame>", "row": 3, "reason": "unknown patient"}
    ]
    assert (report.rows_read, report.rows_accepted) == (2, 1)
    # a LogTable read without plans is checked against them too
    report = bp.adherence(bp.read_logs(logs), [_plan()])
    assert report.rejected["reason"].tolist() == ["unknown patient"]
    assert report.rows_read == 2


def test_blank_spreadsheet_rows_keep_row_numbers(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "P1,2026-01-05,heel-slides,1,10,,,\n,,,,,,,\nP1,x,heel-slides,1,10,,,\n"
    )
    logs = bp.read_logs(path)
    assert logs.rows_read == 2
    assert logs.rejected["row"].tolist() == [4]


def test_exact_duplicates_are_reported_and_kept_unless_dropped(tmp_path: Path) -> None:
    line = "P1,2026-01-05,heel-slides,1,10,,,\n"
    path = _write(tmp_path, line + "P1,2026-01-05,heel-slides,1,9,,,\n" + line)
    logs = bp.read_logs(path)
    assert logs.duplicates[["row", "same_as_row"]].to_dict("records") == [
        {"row": 4, "same_as_row": 2}
    ]
    assert len(logs.accepted) == 3
    dropped = bp.read_logs(path, drop_duplicates=True)
    assert len(dropped.accepted) == 2
    assert dropped.rejected[["row", "reason"]].to_dict("records") == [
        {"row": 4, "reason": "exact duplicate"}
    ]


def test_excel_parquet_and_a_folder_of_parquet(tmp_path: Path) -> None:
    frame = pd.DataFrame({"patient": ["P1", "P1"], "date": ["2026-01-05", "2026-01-06"],
                          "exercise": ["heel-slides"] * 2, "sets_done": [1, None],
                          "reps_done": [10, None], "pain": [2, 30]})  # fmt: skip
    frame.to_excel(tmp_path / "log.xlsx", index=False)
    from_xlsx = bp.read_logs(tmp_path / "log.xlsx")
    assert (len(from_xlsx.accepted), from_xlsx.rejected["row"].tolist()) == (1, [3])
    folder = tmp_path / "parts"
    folder.mkdir()
    frame.iloc[:1].to_parquet(folder / "a.parquet")
    frame.iloc[1:].to_parquet(folder / "b.parquet")
    logs = bp.read_logs(folder)
    assert logs.rows_read == 2
    assert logs.rejected[["file", "row", "reason"]].to_dict("records") == [
        {"file": str(folder / "b.parquet"), "row": 2, "reason": "pain outside 0-10"}
    ]
    single = bp.read_logs(folder / "a.parquet")
    assert single.accepted["date"].tolist() == [pd.Timestamp("2026-01-05")]


def test_accepted_rows_are_typed(tmp_path: Path) -> None:
    path = _write(tmp_path, "P1,2026-01-05,heel-slides,,,,3,\nP1,2026-01-06,heel-slides,2,8,5,,x\n")
    acc = bp.read_logs(path).accepted
    assert str(acc["sets_done"].dtype) == "Int64"
    assert acc["sets_done"].isna().tolist() == [True, False]
    assert acc["reps_done"].tolist()[1] == 8
    assert acc["date"].dt.day.tolist() == [5, 6]
    assert acc["pain"].tolist()[0] == 3.0
    assert acc["row"].tolist() == [2, 3]


def test_missing_column_raises_log_error_naming_file_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("patient,date,exercise,sets_done\nP1,2026-01-05,heel-slides,1\n")
    with pytest.raises(bp.LogError) as err:
        bp.read_logs(path)
    assert str(path) in str(err.value)
    assert "column 'reps_done'" in str(err.value)


def test_unreadable_files_raise_log_error(tmp_path: Path) -> None:
    with pytest.raises(bp.LogError, match="an existing file"):
        bp.read_logs(tmp_path / "missing.csv")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    with pytest.raises(bp.LogError, match="a readable Parquet file"):
        bp.read_logs(broken)
    odd = tmp_path / "log.json"
    odd.write_text("{}")
    with pytest.raises(bp.LogError, match=r"a \.csv, \.xlsx or \.parquet file"):
        bp.read_logs(odd)


def test_checking_in_parallel_chunks_gives_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    from backplan.adherence import check as logs_module

    plans, logs = bp.synthetic_cohort(n_patients=6, weeks=3, seed=8)
    logs = logs.copy()
    logs.loc[5, "pain"] = 15
    logs.loc[100, "exercise"] = "nope"
    logs = pd.concat([logs, logs.iloc[[10]]], ignore_index=True)  # an exact duplicate
    whole = bp.read_logs(logs, plans, drop_duplicates=True)
    monkeypatch.setattr(logs_module, "CHUNK_ROWS", 37)
    monkeypatch.setattr(logs_module, "PARALLEL_ROWS", 50)
    chunked = bp.read_logs(logs, plans, drop_duplicates=True)
    pd.testing.assert_frame_equal(chunked.accepted, whole.accepted)
    pd.testing.assert_frame_equal(chunked.rejected, whole.rejected)
    reasons = chunked.rejected.set_index("row")["reason"]
    assert reasons[7] == "pain outside 0-10"
    assert reasons[102] == "unknown exercise"
    assert reasons[len(logs) + 1] == "exact duplicate"  # the copy of row 12, added last
    report = bp.adherence(logs, plans)
    monkeypatch.undo()
    pd.testing.assert_frame_equal(report.by_week, bp.adherence(logs, plans).by_week)
