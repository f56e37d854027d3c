"""readable_table: any table of the API as a physio reads it, the API's frame unchanged."""

from __future__ import annotations

import re
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

import backplan as bp

#: What a finished table never shows.
MACHINE = re.compile(r"\b(True|False|NaN|NaT|nan|None)\b|<NA>|\.\.\.|\d\.\d{3,}|_")


@pytest.fixture(scope="module")
def report() -> bp.AdherenceReport:
    plans, logs = bp.synthetic_cohort(n_patients=5, weeks=3, seed=4)
    return bp.adherence(logs, plans)


def test_shares_dates_and_truth_values_are_written_for_people() -> None:
    table = pd.DataFrame({
        "share_adherent": [0.8333, np.nan],
        "last_log": pd.to_datetime(["2026-01-05", None]),
        "adherent": [True, False],
        "pain_mean": [5.857, np.nan],
        "made_at": [datetime(2026, 2, 2, 9, 0), pd.NaT],
        "start_date": [date(2026, 1, 12), None],
    })  # fmt: skip
    shown = bp.readable_table(table).frame
    assert list(shown.columns) == ["Reached target", "Last log", "Reached target",
                                   "Mean pain during exercise (0-10)", "Made", "Plan start"]  # fmt: skip
    assert shown.iloc[0].tolist() == ["83%", "5 Jan 2026", "yes", "5.9", "2 Feb 2026, 09:00",
                                      "12 Jan 2026"]  # fmt: skip
    assert shown.iloc[1].tolist() == ["–", "–", "no", "–", "–", "–"]
    # the API's table keeps its machine values
    assert table["share_adherent"].iloc[0] == 0.8333 and table["adherent"].dtype == bool


def test_exercise_codes_show_as_names_in_a_column_and_an_index(catalogue) -> None:
    names = dict(zip(catalogue["id"], catalogue["name"], strict=True))
    by_code = pd.DataFrame({"exercise": ["heel-slides", "knee-to-chest"], "reps": [10, 12]})
    assert bp.readable_table(by_code).frame["Exercise"].tolist() == [
        names["heel-slides"], names["knee-to-chest"]]  # fmt: skip
    indexed = pd.DataFrame({"week 3": {"wall-squats": 10}, "week 4": {"wall-squats": 12}})
    shown = bp.readable_table(indexed).frame
    assert shown.iloc[0].tolist() == [names["wall-squats"], "10", "12"]
    assert shown.columns[0] == "Exercise"


def test_every_report_table_is_finished(report: bp.AdherenceReport) -> None:
    for name, table in report.tables().items():
        shown = bp.readable_table(table)
        text = shown.frame.to_string(index=False) + " " + " ".join(shown.frame.columns)
        if name == "definitions":  # the definitions quote column names on purpose
            continue
        found = MACHINE.search(text)
        assert found is None, f"{name} shows {found.group(0)!r}"  # type: ignore[union-attr]


def test_long_text_is_kept_whole_and_escaped_in_html() -> None:
    note = "x" * 300 + " <script>alert(1)</script>"
    html = bp.readable_table(pd.DataFrame({"note": [note]})).to_html()
    assert "x" * 300 in html and "&lt;script&gt;" in html and "<script>" not in html
    assert "..." not in html


def test_files_show_their_name_never_their_folders() -> None:
    table = pd.DataFrame({"file": ["/clinic/Ann Smith/logs.csv"], "row": [3]})
    assert bp.readable_table(table).frame.iloc[0].tolist() == ["logs.csv", "3"]


def test_a_mapping_shows_as_what_and_value() -> None:
    shown = bp.readable_table({"pain_now": 2.857, "days_silent": 0,
                               "last_log": date(2026, 2, 1), "dose_adherence": 0.9}).frame  # fmt: skip
    assert shown.to_dict("list") == {
        "What": ["Pain during exercise, mean this week (0-10)", "Days with no log", "Last log",
                 "Dose done"],
        "Value": ["2.9", "0", "1 Feb 2026", "90%"],
    }  # fmt: skip


def test_row_numbers_are_not_shown_but_a_named_index_is() -> None:
    filtered = pd.DataFrame({"reps": [1, 2, 3]}).iloc[[0, 2]]
    assert list(bp.readable_table(filtered).frame.columns) == ["Reps"]
    counts = pd.Series([6, 5], index=pd.Index(["beginners", "more advanced"], name="level"))
    assert bp.readable_table(counts.rename("exercises")).frame.values.tolist() == [
        ["beginners", "6"], ["more advanced", "5"]]  # fmt: skip
