"""Sharing a report: HTML escapes every user string; spreadsheets never run a formula."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from rendered import print_html

import backplan as bp
from backplan import Plan, Prescription
from backplan._io.cells import neutralise

EVIL = "<script>alert(1)</script>"


def _report() -> bp.AdherenceReport:
    plans = [
        Plan(patient=label, start_date=date(2026, 1, 5), weeks=1,
             prescriptions=[Prescription(exercise="heel-raises", reps=10)])
        for label in (EVIL, "=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tTab", "\rCR")
    ]  # fmt: skip
    logs = pd.DataFrame({"patient": [p.patient for p in plans] + ["nobody & co"],
                         "date": "2026-01-06", "exercise": "heel-raises", "sets_done": 1,
                         "reps_done": 10, "note": "=cmd|' /C calc'!A0"})  # fmt: skip
    return bp.adherence(logs, plans, as_of="2026-01-11")


def test_html_escapes_every_user_string(tmp_path: Path) -> None:
    report = _report()
    text = report.to_html(tmp_path / "report.html")
    assert EVIL not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "nobody &amp; co" in text  # the rejected row, escaped too
    assert "<script" not in text.lower()
    assert (tmp_path / "report.html").read_bytes().decode("utf-8") == text
    assert "min(1, done reps / prescribed reps)" in text  # the formula is shown
    assert EVIL not in report._repr_html_()


def test_xlsx_neutralises_formula_cells(tmp_path: Path) -> None:
    path = _report().to_xlsx(tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["definitions", "by_patient", "flags", "cohort", "by_week",
                               "by_exercise", "rejected", "duplicates", "unreadable_plans"]  # fmt: skip
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    labels = [c.value for c in book["by_patient"]["A"]][1:]
    assert '\'=HYPERLINK("http://x")' in labels and "'+1" in labels and "'\tTab" in labels
    notes = [c.value for c in book["rejected"][1]]
    assert "note" in notes


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("ok", "ok"), (3, 3), (None, None)],
)  # fmt: skip
def test_neutralise(value: object, expected: object) -> None:
    assert neutralise(value) == expected


def test_summary_and_definitions_are_part_of_the_report() -> None:
    report = _report()
    assert "8 log rows read (7 accepted, 1 rejected" in report.summary()
    defs = report.tables()["definitions"]
    assert "call: pain" in defs["term"].tolist()
    assert defs.set_index("term").loc["session adherence", "definition"] == (
        "min(1, done sessions / prescribed sessions)"
    )


def test_report_from_files_writes_html_or_xlsx(tmp_path: Path) -> None:
    from backplan.demo import write_demo
    from backplan.logs import report_from_files

    demo = write_demo(tmp_path / "demo", n_patients=3, weeks=2, seed=1)
    report = report_from_files(demo / "logs.csv", demo / "plans", tmp_path / "r.html")
    assert "SYN-0003" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert len(report.by_patient) == 3
    report_from_files(demo / "logs.csv", demo / "plans", tmp_path / "r.xlsx")
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "definitions"
    with pytest.raises(ValueError, match=r"\.html or \.xlsx"):
        report_from_files(demo / "logs.csv", demo / "plans", tmp_path / "r.pdf")
    with pytest.raises(bp.PlanError, match="saved plans"):
        report_from_files(demo / "logs.csv", tmp_path, tmp_path / "r.html")


def test_long_tables_continue_on_more_sheets(tmp_path: Path) -> None:
    from backplan.logs.workbook import SHEET_ROWS, write_workbook

    # a sheet's real limit (1,048,575 rows, what to_xlsx uses) is reached by large
    # clinics; a limit of 3 shows the same split on a small report
    assert SHEET_ROWS == 1_048_575
    report = _report()
    write_workbook(tmp_path / "long.xlsx", report.tables(), sheet_rows=3)
    book = openpyxl.load_workbook(tmp_path / "long.xlsx")
    parts = [n for n in book.sheetnames if n.startswith("by_patient")]
    assert parts == ["by_patient", "by_patient (2)", "by_patient (3)"]
    assert sum(book[n].max_row - 1 for n in parts) == len(report.by_patient)


def test_html_shows_shares_as_percentages_and_human_headers() -> None:
    report = _report()
    text = report.to_html()
    first = report.by_patient["adherence"].iloc[0]
    assert f"<td class=n>{first:.0%}</td>" in text
    assert f"{first!r}" not in text  # no raw 0.123456 ratios for a meeting
    for raw_name in ("pain_score_week1", "session_adherence", "True", "False", "&lt;NA&gt;"):
        assert raw_name not in text
    assert "Latest pain during (0-10)" in text and "Latest pain in week" in text
    assert "6 Jan 2026" in text  # dates written out


def _demo() -> bp.AdherenceReport:
    from backplan.demo import load_demo

    plans, logs = load_demo()
    return bp.adherence(logs, plans)


def test_meeting_page_words_chart_and_urgent_patients_first() -> None:
    report = _demo()
    text = report.to_html()
    assert text.count("<svg") == 1 and "http://" not in text.split("<svg")[0]
    assert "No rows were rejected." in text
    assert "24 patients have a home exercise plan" in text
    flagged = text.split("Call this week, most urgent first")[1].split("All patients")[0]
    order = [p for p in report.flags["patient"].drop_duplicates()]
    assert [flagged.index(f">{p}<") for p in order] == sorted(flagged.index(f">{p}<")
                                                               for p in order)  # fmt: skip
    top = report.flags.iloc[0]
    assert top["flag"] == "pain" and "Call this week" in flagged.split(top["patient"])[1]


def test_rejected_rows_summarised_with_at_most_20_examples(tmp_path: Path) -> None:
    from backplan.pages.meeting import EXAMPLES

    plans, logs = bp.synthetic_cohort(n_patients=3, weeks=2, seed=1)
    bad = pd.concat([logs, logs.assign(pain=12)], ignore_index=True)
    report = bp.adherence(bad, plans)
    text = report.to_html()
    section = text.split("Rows that could not be used")[1].split("<h2>")[0]
    assert f"<td>pain outside 0-10</td><td class=n>{len(logs)}</td>" in section
    examples = section.split("Examples: the first")[1]
    assert examples.count("<tr>") - 1 == EXAMPLES < len(logs)  # the header row, then 20
    written = report.to_csv(tmp_path / "csv")
    assert len(pd.read_csv(written["rejected"])) == len(logs)
    assert set(written) == {"definitions", "by_patient", "flags", "cohort", "by_week",
                            "by_exercise", "rejected", "duplicates", "unreadable_plans"}  # fmt: skip


def test_demo_report_prints_to_at_most_six_a4_pages(tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    html_path = tmp_path / "report.html"
    _demo().to_html(html_path)
    pdf = print_html(html_path, tmp_path / "report.pdf")
    pages = pypdf.PdfReader(pdf).pages
    assert 2 <= len(pages) <= 6
    assert "Home exercise adherence" in pages[0].extract_text()
    assert "Patients to contact" not in pages[0].extract_text()  # page 1: words and chart


def test_found_values_are_escaped_and_a_date_is_never_split() -> None:
    # a date found in a rejected row stays on one line in print (no break at its hyphens);
    # every found value is still escaped
    plans, logs = bp.synthetic_cohort(n_patients=2, weeks=2, seed=1)
    logs = logs.astype({"date": object, "exercise": object}).copy()
    logs.loc[0, "date"] = "2031-01-01"
    logs.loc[1, "exercise"] = EVIL
    section = bp.adherence(logs, plans).to_html().split("Examples: the first")[1]
    assert "<span class=nb>2031-01-01</span>" in section
    assert "&lt;script&gt;" in section and "<script" not in section


def test_found_values_say_blank_and_show_a_typed_date_as_its_day() -> None:
    # a meeting reads "(blank)" for an empty cell, not an empty box, "nan" or "None"; a date
    # read as a date (Parquet, Excel) shows as its day, not with a midnight time
    plans, logs = bp.synthetic_cohort(n_patients=2, weeks=2, seed=1)
    logs = logs.astype({"sets_done": object, "reps_done": object}).copy()
    logs["date"] = pd.to_datetime(logs["date"])
    logs.loc[0, ["sets_done", "reps_done"]] = [None, -4]  # one count blank, one negative
    logs.loc[1, "date"] = pd.Timestamp("2031-01-01")  # typed, after the plan ends
    section = bp.adherence(logs, plans).to_html().split("Examples: the first")[1]
    assert "<span class=nb>-4</span>; <span class=nb>(blank)</span>" in section
    assert "<span class=nb>2031-01-01</span>" in section
    assert "00:00" not in section and ">nan<" not in section and ">None<" not in section
