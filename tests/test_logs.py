"""Reading logs: every rejection reason names file, row and column; no row goes missing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import backplan as bp
from backplan import Plan, Prescription
from backplan.logs.read import REASONS

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
    # numbers that are not counts (issue 10)
    ("P1,2026-01-05,heel-slides,1,inf,,,", "reps_done", "not a number"),
    ("P1,2026-01-05,heel-slides,1,9223372036854775808,,,", "reps_done", "count above 10000"),
    ("P1,2026-01-05,heel-slides,1,1e3,,,", "reps_done", "not a number"),
    ("P1,2026-01-05,heel-slides,1,١٠,,,", "reps_done", "not a number"),
    ("P1,2026-01-05,heel-slides,1,10,,nan,", "pain", "not a number"),
    ("P1,9999-12-31,heel-slides,1,10,,,", "date", "date outside 1900-2100"),
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
    assert rejected.loc[0, ["pain_during", "note", "date"]].tolist() == [
        "11",
        "my note",
        "2026-01-05",
    ]


def test_a_row_with_several_problems_is_one_rejected_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "P1,2026-01-05,heel-slides,-1,10,,12,\n")
    logs = bp.read_logs(path)
    assert len(logs.rejected) == 1
    assert logs.rejected.loc[0, "reason"] == "negative count; pain outside 0-10"
    assert logs.rejected.loc[0, "column"] == "sets_done; pain"
    assert len(logs.problems) == 2


def test_a_rows_columns_and_reasons_line_up(tmp_path: Path) -> None:
    # an earlier row's date problem must not move "date" ahead of this row's count column
    body = "P1,2026-01-32,heel-slides,1,10,,,\nP1,2025-12-01,heel-slides,-1,10,,,\n"
    logs = bp.read_logs(_write(tmp_path, body), [_plan()])
    both = logs.rejected.set_index("row").loc[3]
    assert both["column"] == "sets_done; date"
    assert both["reason"] == "negative count; date before plan start"


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
    assert acc["pain_during"].tolist()[0] == 3.0
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


def _clinic_logs(n: int, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A prescription table (1,000 patients, 4 weeks, 2 exercises a day) and ``n`` log
    rows against it, made with numpy in a fraction of a second. Counts and pain repeat
    often, so many rows are exact duplicates of earlier ones."""
    rng = np.random.default_rng(seed)
    patients = [f"P{i:04d}" for i in range(1000)]
    exercises = ["heel-raises", "heel-slides"]
    rx = pd.DataFrame(
        [(p, w, e) for p in patients for w in range(1, 5) for e in exercises],
        columns=["patient", "week", "exercise"],
    ).assign(start_date="2026-01-05", sets=1, reps=10, sessions_per_day=1, days_per_week=7)
    days = pd.date_range("2026-01-05", periods=28).strftime("%Y-%m-%d")
    logs = pd.DataFrame(
        {
            "patient": pd.Categorical.from_codes(rng.integers(0, 1000, n), patients),
            "date": pd.Categorical.from_codes(rng.integers(0, 28, n), days),
            "exercise": pd.Categorical.from_codes(rng.integers(0, 2, n), exercises),
            "sets_done": np.ones(n, np.int64),
            "reps_done": rng.integers(1, 13, n),
            "pain": rng.integers(0, 11, n).astype(np.float64),
        }
    )
    return rx, logs


def test_a_million_rows_checked_in_parallel_chunks_give_each_rows_own_answer() -> None:
    # a log this long is checked in chunks, side by side in threads: every row must get
    # the answer it gets alone, problems listed in rule order whatever chunk found them
    # first, sums and exact duplicates exactly as one pass over every row finds them
    from backplan.logs.check import PARALLEL_ROWS

    n = PARALLEL_ROWS + 60_000
    rx, logs = _clinic_logs(n)
    logs["date"] = logs["date"].cat.add_categories(["2031-01-01"])
    logs["exercise"] = logs["exercise"].cat.add_categories(["nope"])
    logs["reps_done"] = logs["reps_done"].astype("Int64")
    bad = {  # position: (column, reason), at the start and on both sides of chunk edges
        3: ("date", "date after plan end"),  # the first chunk finds only a late date
        65_535: ("exercise", "unknown exercise"),
        65_536: ("pain", "pain outside 0-10"),
        327_679: ("reps_done", "only one of sets_done and reps_done"),
        700_001: ("pain; date", "pain outside 0-10; date after plan end"),
        n - 1: ("exercise", "unknown exercise"),
    }
    logs.loc[[3, 700_001], "date"] = "2031-01-01"
    logs.loc[[65_535, n - 1], "exercise"] = "nope"
    logs.loc[[65_536, 700_001], "pain"] = 15
    logs.loc[327_679, "reps_done"] = pd.NA
    table = bp.read_logs(logs, rx)
    assert table.rows_read == n and len(table.accepted) == n - len(bad)
    rejected = table.rejected.set_index("row")[["column", "reason"]]
    assert rejected.to_dict("index") == {
        at + 2: {"column": c, "reason": r} for at, (c, r) in bad.items()
    }
    # exact duplicates: each row repeating an earlier one's values, and the first such row
    good = logs.drop(index=list(bad))
    codes = [good[c].cat.codes.to_numpy(np.int64) for c in ("patient", "date", "exercise")]
    key = ((codes[0] * 28 + codes[1]) * 2 + codes[2]) * 13 + good["reps_done"].to_numpy(int)
    key = key * 11 + good["pain"].to_numpy(int)  # every value of a good row, as one number
    _, first, which = np.unique(key, return_index=True, return_inverse=True)
    copy = first[which] != np.arange(len(key))
    expected = pd.DataFrame({"row": good.index[copy] + 2,
                             "same_as_row": good.index[first[which][copy]] + 2})  # fmt: skip
    pd.testing.assert_frame_equal(
        table.duplicates[["row", "same_as_row"]], expected, check_dtype=False
    )
    assert len(expected) > 10_000
    # sums: sessions and reps of every prescription row, added up by numpy
    report = bp.adherence(logs, rx, as_of="2026-02-01")
    cell = (codes[0] * 4 + codes[1] // 7) * 2 + codes[2]  # patient, week, exercise: rx order
    sessions = np.bincount(cell, minlength=len(rx))
    reps = np.bincount(cell, good["reps_done"].to_numpy(float), minlength=len(rx))
    assert report.by_exercise["sessions_done"].tolist() == sessions.tolist()
    assert report.by_exercise["reps_done"].tolist() == reps.astype(int).tolist()
    assert report.rows_read == n and len(report.duplicates) == len(expected)


def _good_rows() -> pd.DataFrame:
    return pd.DataFrame({"patient": "P1", "date": ["2026-01-05", "2026-01-06", "2026-01-07"],
                         "exercise": "heel-slides", "sets_done": [1, 1, 1],
                         "reps_done": [10, 10, 10]})  # fmt: skip


def test_inf_huge_and_boolean_parquet_values_are_not_counts(tmp_path: Path) -> None:
    import numpy as np

    table = _good_rows()
    table["reps_done"] = np.array([10.0, np.inf, 2.0**63])
    table["sets_done"] = np.array([True, True, False])  # booleans, as Parquet stores them
    table["pain"] = np.array([False, np.nan, np.nan], dtype=object).astype(bool)
    path = tmp_path / "log.parquet"
    table.to_parquet(path, index=False)
    logs = bp.read_logs(path, [_plan()])
    assert logs.accepted.empty
    reasons = logs.rejected.set_index("row")[["column", "reason"]].agg(": ".join, axis=1)
    assert reasons.to_dict() == {
        2: "sets_done; pain: not a number",
        3: "sets_done; reps_done; pain: not a number",  # True and inf alike
        4: "sets_done; reps_done; pain: not a number; count above 10000",
    }
    big = pd.DataFrame({**_good_rows().iloc[:1].to_dict("list"),
                        "reps_done": pd.array([2**64 - 1], dtype="UInt64")})  # fmt: skip
    assert bp.read_logs(big, [_plan()]).rejected["reason"].tolist() == ["count above 10000"]


def test_one_inf_row_never_changes_a_patients_adherence() -> None:
    good = _good_rows()
    bad = pd.concat([good, good.iloc[:1].assign(reps_done="inf")], ignore_index=True)
    before = bp.adherence(good, [_plan()], as_of="2026-01-18")
    after = bp.adherence(bad, [_plan()], as_of="2026-01-18")
    pd.testing.assert_frame_equal(after.by_week, before.by_week)
    assert after.rows_read == 4 and len(after.rejected) == 1


def test_list_valued_parquet_column_is_rejected_row_by_row(tmp_path: Path) -> None:
    table = _good_rows()
    table["reps_done"] = [[10], [1, 2], None]
    table["note"] = [["a"], None, ["b", "c"]]
    path = tmp_path / "log.parquet"
    table.to_parquet(path, index=False)
    logs = bp.read_logs(path, [_plan()])
    assert len(logs.accepted) + len(logs.rejected) == 3
    assert logs.rejected["row"].tolist() == [2, 3, 4]
    assert logs.rejected["reps_done"].tolist()[:2] == ["[10]", "[1, 2]"]


@pytest.mark.parametrize("kind", ["csv", "parquet", "frame"])
def test_a_repeated_column_name_is_a_clear_error(tmp_path: Path, kind: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = _good_rows()
    names = ["patient", "date", "exercise", "reps_done", "reps_done"]
    if kind == "csv":
        source: object = tmp_path / "log.csv"
        (tmp_path / "log.csv").write_text(",".join(names) + "\nP1,2026-01-05,heel-slides,1,2\n")
    elif kind == "parquet":
        source = tmp_path / "log.parquet"
        arrow = pa.Table.from_pandas(table, preserve_index=False).rename_columns(names)
        pq.write_table(arrow, source)
    else:
        source = table.set_axis(names, axis=1)
    with pytest.raises(bp.LogError, match="reps_done.*each column name once"):
        bp.read_logs(source, [_plan()])


def test_a_formula_with_no_saved_value_is_not_a_diary_tick(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["patient", "date", "exercise", "sets_done", "reps_done"])
    sheet.append(["P1", "2026-01-05", "heel-slides", "=1+0", "=5*2"])  # no cached values
    sheet.append(["P1", "2026-01-06", "heel-slides", None, None])  # a real tick
    path = tmp_path / "log.xlsx"
    book.save(path)
    logs = bp.read_logs(path, [_plan()])
    assert logs.rejected[["row", "reason", "sets_done"]].to_dict("records") == [
        {"row": 2, "reason": "not a number", "sets_done": "=1+0"}
    ]
    assert logs.accepted["row"].tolist() == [3]


@pytest.mark.parametrize("body", ["", "P9,2026-01-05,heel-slides,1,10,,,\n"])
def test_header_only_or_all_rejected_logs_end_in_one_clear_line(
    tmp_path: Path, body: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from backplan.cli import main

    plans = tmp_path / "plans"
    bp.save_plan(_plan(), plans / "p1.json")
    logs = _write(tmp_path, body)
    code = main(["adherence", str(logs), "-p", str(plans), "-o", str(tmp_path / "r.html")])
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err
    assert str(logs) in err and "--as-of" in err
    assert not (tmp_path / "r.html").exists()
    code = main(["adherence", str(logs), "-p", str(plans), "-o", str(tmp_path / "r.html"),
                 "--as-of", "2026-01-18"])  # fmt: skip
    assert code == 0 and (tmp_path / "r.html").exists()


# --- one rule for numbers and dates, shared with the catalogue (issue 10) ---------------------

NUMBER_TEXTS = {  # cell text -> the whole number it is (None: refused)
    "12": 12, "012": 12, " 12 ": 12, "12.0": 12, "12.00": 12,  # 12.0: as exports write it
    "12.": None, ".0": None, "12.5": None, "-0": None, "-3": None, "+5": None, "1e1": None,
    "inf": None, "nan": None, "١٠": None, "²": None, "1,000": None, "0x10": None,
    "TRUE": None, "9" * 30: None,
}  # fmt: skip
DATE_TEXTS = {  # cell text -> accepted as that day
    "2026-01-05": True, " 2026-01-05 ": True, "2026-01-05 00:00:00": True,
    "2026-01-05T00:00": True, "2026-01-05T10:30": False, "2026-1-5": False,
    "2026-01": False, "20260105": False, "05/01/2026": False, "٢٠٢٦-01-05": False,
}  # fmt: skip


def _log_with(column: str, values: list[str], tmp_path: Path) -> bp.LogTable:
    rows = pd.DataFrame({"patient": "P1", "date": "2026-01-05", "exercise": "heel-slides",
                         "sets_done": "1", "reps_done": "10"}, index=range(len(values)))  # fmt: skip
    rows[column] = values
    path = tmp_path / "log.csv"
    rows.to_csv(path, index=False)
    return bp.read_logs(path)


def _catalogue_with(column: str, value: str, tmp_path: Path) -> pd.DataFrame | None:
    table = pd.read_csv(SHIPPED_CATALOGUE, dtype=str, keep_default_na=False)
    table.loc[0, column] = value
    path = tmp_path / "catalogue.csv"
    table.to_csv(path, index=False)
    try:
        return bp.load_catalogue(path)
    except bp.CatalogueError:
        return None


SHIPPED_CATALOGUE = (
    Path(bp.catalogue.__file__).resolve().parent.parent / "data" / "back-exercises.csv"
)


def test_catalogue_and_logs_read_a_number_the_same_way(tmp_path: Path) -> None:
    texts = list(NUMBER_TEXTS)
    logs = _log_with("reps_done", texts, tmp_path)
    in_logs = dict.fromkeys(texts)
    for r, reps in zip(logs.accepted["row"], logs.accepted["reps_done"], strict=True):
        in_logs[texts[r - 2]] = int(reps)
    in_catalogue = {}
    for text in texts:
        loaded = _catalogue_with("reps", text, tmp_path)
        in_catalogue[text] = None if loaded is None else int(loaded.loc[0, "reps"])
    assert in_logs == NUMBER_TEXTS
    assert in_catalogue == NUMBER_TEXTS


def test_catalogue_and_logs_read_a_date_the_same_way(tmp_path: Path) -> None:
    texts = list(DATE_TEXTS)
    logs = _log_with("date", texts, tmp_path)
    accepted = {texts[r - 2]: d for r, d in zip(logs.accepted["row"], logs.accepted["date"],
                                                strict=True)}  # fmt: skip
    assert {t: t in accepted for t in texts} == DATE_TEXTS
    assert {pd.Timestamp(d) for d in accepted.values()} == {pd.Timestamp("2026-01-05")}
    for text, ok in DATE_TEXTS.items():
        loaded = _catalogue_with("source_reviewed", text, tmp_path)
        assert (loaded is not None) == ok, text
        if loaded is not None:
            assert loaded.loc[0, "source_reviewed"] == pd.Timestamp("2026-01-05")


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "Int64", "float32",
                                   "float64", "object", "string"])  # fmt: skip
def test_typed_count_columns_give_the_same_reasons(dtype: str) -> None:
    """A DataFrame or Parquet column of any integer, float or text type: same answers."""
    values = [10, -3, 120, 7] if dtype == "int8" else [10, -3, 20000, 7]
    rows = pd.concat([_good_rows()] * 2, ignore_index=True).iloc[:4]
    rows["date"] = ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08"]
    rows["reps_done"] = pd.Series(values).astype(dtype)
    logs = bp.read_logs(rows, [_plan()])
    assert logs.accepted["reps_done"].tolist() == ([10, 120, 7] if dtype == "int8" else [10, 7])
    reasons = logs.rejected.set_index("row")["reason"].to_dict()
    assert reasons == ({3: "negative count"} if dtype == "int8"
                       else {3: "negative count", 4: "count above 10000"})  # fmt: skip


@pytest.mark.parametrize("dtype", ["uint8", "uint64", "UInt64"])
def test_unsigned_count_columns_are_bounded(dtype: str) -> None:
    big = 255 if dtype == "uint8" else 2**64 - 1
    rows = _good_rows().assign(reps_done=pd.Series([10, big, 0]).astype(dtype))
    logs = bp.read_logs(rows, [_plan()])
    assert logs.accepted["reps_done"].tolist() == ([10, 255, 0] if big == 255 else [10, 0])
    if big != 255:
        assert logs.rejected["reason"].tolist() == ["count above 10000"]


def test_a_prescription_table_reads_dates_and_numbers_by_the_same_rules() -> None:
    table = bp.prescription_table([_plan()])
    assert table["start_date"].dtype == "datetime64[s]"
    text = table.assign(start_date="2026-01-05", week=table["week"].astype(str))
    pd.testing.assert_frame_equal(bp.prescription_table(text), table)
    for column, value in (("start_date", "2026-01"), ("start_date", "9999-01-05"),
                          ("week", "1.5"), ("sets", "inf")):  # fmt: skip
        bad = table.astype({column: object})
        bad.loc[1, column] = value
        with pytest.raises(bp.PlanError, match=rf"row 3, column '{column}'"):
            bp.prescription_table(bad)


def _pairs_by_hand(columns: list[np.ndarray]) -> np.ndarray:
    seen: dict[tuple, int] = {}
    pairs = []
    for i, key in enumerate(zip(*columns, strict=True)):
        if key in seen:
            pairs.append((i, seen[key]))
        else:
            seen[key] = i
    return np.array(pairs, dtype=np.int64).T.reshape(2, -1)


@pytest.mark.parametrize("weak_hash", [False, True])
def test_duplicate_search_is_exact_even_when_hashes_collide(weak_hash: bool) -> None:
    # every row that repeats an earlier one is paired with its first copy, in row order;
    # with a hash of only 7 values, rows that differ share hashes all the time
    from backplan.logs.duplicates import _hash, duplicate_pairs

    def weak(columns: list[np.ndarray]) -> np.ndarray:
        return _hash(columns) % np.uint64(7)

    rng = np.random.default_rng(11)
    for _ in range(60):
        n = int(rng.integers(0, 2000))
        columns = [rng.integers(0, int(rng.integers(1, 6)), n) for _ in range(rng.integers(1, 4))]
        got = duplicate_pairs(columns, weak) if weak_hash else duplicate_pairs(columns)
        np.testing.assert_array_equal(got, _pairs_by_hand(columns))


def test_read_logs_without_plans_works_for_every_demo_patients_own_file() -> None:
    """Most one-patient logs have no repeated row; that path once raised a TypeError."""
    _plans, logs_csv = bp.demo.load_demo()
    logs = pd.read_csv(logs_csv)
    for patient, own in logs.groupby("patient"):
        table = bp.read_logs(own)
        assert (table.rows_read, len(table.rejected)) == (len(own), 0), patient


@pytest.mark.parametrize("n_rows,n_copies", [(0, 1), (1, 1), (5, 1), (1, 4), (6, 2)])
def test_read_logs_without_plans_empty_one_row_no_and_all_duplicates(
    n_rows: int, n_copies: int
) -> None:
    days = pd.date_range("2026-01-05", periods=max(n_rows, 1)).strftime("%Y-%m-%d")
    rows = pd.DataFrame(
        {
            "patient": "P1",
            "date": days[:n_rows],
            "exercise": "heel-slides",
            "sets_done": 1,
            "reps_done": 10,
        }
    )
    frame = pd.concat([rows] * n_copies, ignore_index=True)
    table = bp.read_logs(frame)
    assert table.rows_read == len(frame) == len(table.accepted)
    assert len(table.duplicates) == n_rows * (n_copies - 1)
