"""The handout as a table: what a notebook shows and what the clinic files (CSV, xlsx, md)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import backplan as bp
from backplan.handout.records import TABLE_COLUMNS

FORMULAS = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1+1", "-2+3", "\tx", "\rx"]


@pytest.fixture(scope="module")
def moving_up(catalogue: pd.DataFrame) -> bp.Plan:
    return bp.build_plan(
        catalogue,
        "beginners",
        ["heel-slides", "wall-squats"],
        start_date=date(2026, 1, 5),
        weeks=6,
        progression=[
            bp.AddDose(what="reps", amount=2, every_weeks=2, cap=14),
            bp.next_level(catalogue, 5, exercises=["knee-to-chest"]),
        ],
    )


def test_one_row_per_exercise_and_run_of_weeks_with_the_same_dose(moving_up) -> None:
    table = bp.handout.handout_table(moving_up)
    assert tuple(table.columns) == TABLE_COLUMNS
    got = table[["weeks", "level", "exercise", "reps", "hold_s"]].values.tolist()
    assert got == [
        ["1-2", "beginners", "heel-slides", 10, 0],
        ["3-4", "beginners", "heel-slides", 12, 0],
        ["1-2", "beginners", "wall-squats", 10, 5],
        ["3-4", "beginners", "wall-squats", 12, 5],
        ["5-6", "more advanced", "knee-to-chest", 5, 0],
    ]
    # every week of every run has exactly the dose the plan gives that week
    for row in table.itertuples():
        for week in range(row.week_from, row.week_to + 1):
            dose = {p.exercise: p for p in bp.dose_in_week(moving_up, week)}[row.exercise]
            assert (dose.reps, dose.hold_s, dose.sessions_per_day) == (
                row.reps,
                row.hold_s,
                row.sessions_per_day,
            )
    assert table.loc[table.exercise == "knee-to-chest", "dose"].item() == (
        "5 times, 3 times a day, every day"
    )


def test_handout_table_uses_a_clinic_catalogue(tmp_path: Path, catalogue) -> None:
    mine = catalogue.copy()
    mine.loc[mine.id == "heel-raises", "name"] = "Calf raises"
    plan = bp.build_plan(mine, "beginners", ["heel-raises"], start_date=date(2026, 1, 5))
    assert bp.handout.handout_table(plan, mine)["name"].tolist() == ["Calf raises"]


@pytest.fixture()
def hostile(tmp_path: Path) -> tuple[bp.Plan, pd.DataFrame]:
    """A clinic catalogue whose exercise name is a formula, and formula patient details."""
    shipped = Path(bp.catalogue.__file__).resolve().parent.parent / "data" / "back-exercises.csv"
    table = pd.read_csv(shipped, dtype=str, keep_default_na=False)
    table.loc[table.id == "heel-raises", "name"] = FORMULAS[0]
    table.loc[table.id == "heel-raises", "easier_option"] = FORMULAS[1]
    path = tmp_path / "clinic.csv"
    table.to_csv(path, index=False)
    cat = bp.load_catalogue(path)
    plan = bp.build_plan(
        cat,
        "beginners",
        ["heel-raises", "ankle-lifts"],
        patient=FORMULAS[0],
        clinician=FORMULAS[1],
        start_date=date(2026, 1, 5),
        weeks=2,
    )
    return plan, cat


def _assert_neutralised(cells: list[str]) -> None:
    for formula in FORMULAS[:2]:
        assert "'" + formula in cells
        assert formula not in cells


def test_csv_cells_cannot_run_as_formulas(hostile, tmp_path: Path) -> None:
    plan, cat = hostile
    path = bp.handout.to_csv(plan, tmp_path / "h.csv", catalogue=cat)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    cells = [c for row in rows[1:] for c in row]
    _assert_neutralised(cells)
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert rows[0][:3] == ["patient", "clinician", "start_date"]


def test_xlsx_cells_cannot_run_as_formulas(hostile, tmp_path: Path) -> None:
    plan, cat = hostile
    path = bp.handout.to_xlsx(plan, tmp_path / "h.xlsx", catalogue=cat)
    sheet = openpyxl.load_workbook(path).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    _assert_neutralised([c.value for c in cells if isinstance(c.value, str)])
    assert all(c.data_type != "f" for c in cells)
    assert sheet.cell(2, 4).value == "1-2"
    assert sheet.max_row == 1 + len(bp.handout.handout_table(plan, cat))


def test_every_formula_start_is_neutralised() -> None:
    from backplan._io.cells import neutralise

    assert [neutralise(f)[0] for f in FORMULAS] == ["'"] * len(FORMULAS)
    assert neutralise("Heel raises") == "Heel raises" and neutralise(5) == 5


def test_markdown_escapes_pipes_and_html(catalogue, tmp_path: Path) -> None:
    plan = bp.build_plan(
        catalogue,
        "beginners",
        ["heel-raises"],
        patient="A|B <script>",
        start_date=date(2026, 1, 5),
        weeks=1,
    )
    lines = bp.handout.to_markdown(plan, tmp_path / "h.md").read_text().splitlines()
    assert len(lines) == 3
    assert lines[2].startswith("| A\\|B &lt;script&gt; |")
    columns = 3 + len(TABLE_COLUMNS)
    for line in lines:  # escaped pipes do not add cells
        assert line.replace("\\|", "").count("|") == columns + 1
