"""The catalogue a physio browses: shipped facts, types, filters, and bad-file messages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import backplan as bp
from backplan.catalogue import COLUMNS

SHIPPED = Path(bp.catalogue.__file__).resolve().parent.parent / "data" / "back-exercises.csv"

# The dose facts of the source page (see shared/DOMAIN.md), one row per exercise:
# id: (level, position, equipment, reps, per_side, hold_min, hold_max, sessions_per_day)
SOURCE_FACTS = {
    "ankle-lifts": ("beginners", "lying on back", "none", 10, True, 0, 0, 1),
    "heel-slides": ("beginners", "lying on back", "none", 10, True, 0, 0, 1),
    "abdominal-contraction": ("beginners", "lying on back", "none", 10, False, 5, 5, 1),
    "wall-squats": ("beginners", "standing", "wall", 10, False, 5, 5, 1),
    "heel-raises": ("beginners", "standing", "none", 10, False, 0, 0, 1),
    "straight-leg-raises": ("beginners", "lying on back", "none", 10, False, 1, 5, 1),
    "prone-leg-raises": ("more advanced", "lying on stomach", "none", 5, True, 10, 10, 1),
    "supine-leg-raises": ("more advanced", "lying on back", "none", 5, True, 10, 10, 1),
    "half-sit-ups": ("more advanced", "lying on back", "none", 5, False, 10, 10, 1),
    "back-leg-swing": ("more advanced", "standing", "chair", 5, True, 0, 0, 1),
    "knee-to-chest": ("more advanced", "lying on back", "none", 5, False, 0, 0, 3),
}


def test_shipped_catalogue_holds_the_source_facts(catalogue: pd.DataFrame) -> None:
    assert list(catalogue["id"]) == list(SOURCE_FACTS)
    cols = [
        "level",
        "position",
        "equipment",
        "reps",
        "per_side",
        "hold_min_s",
        "hold_max_s",
        "sessions_per_day",
    ]
    got = {row.id: tuple(getattr(row, c) for c in cols) for row in catalogue.itertuples()}
    assert got == SOURCE_FACTS
    assert (catalogue["source_reviewed"] == pd.Timestamp("2008-09-06")).all()
    assert (
        catalogue.loc[catalogue.id == "knee-to-chest", "source_dose"].str.contains("several").all()
    )


def test_metric_units_stand_beside_imperial_ones(catalogue: pd.DataFrame) -> None:
    wall = catalogue.set_index("id").loc["wall-squats"]
    assert "30 cm (12 in" in wall["position_detail"] and "30 cm (12 inches)" in wall["steps"]
    slr = catalogue.set_index("id").loc["straight-leg-raises", "steps"]
    assert "15 to 30 cm (6 to 12 inches)" in slr


def test_easier_options_where_the_source_gives_them(catalogue: pd.DataFrame) -> None:
    with_easier = set(catalogue.loc[catalogue["easier_option"] != "", "id"])
    assert with_easier == {"supine-leg-raises", "half-sit-ups"}


def test_columns_are_typed(catalogue: pd.DataFrame) -> None:
    assert isinstance(catalogue["level"].dtype, pd.CategoricalDtype)
    assert catalogue["level"].cat.ordered
    assert list(catalogue["level"].cat.categories) == ["beginners", "more advanced"]
    for col in ["sets", "reps", "hold_min_s", "hold_max_s", "sessions_per_day"]:
        assert catalogue[col].dtype == "int64", col
    assert catalogue["per_side"].dtype == bool
    assert all(bp.split_steps(s) for s in catalogue["steps"])


def test_advice_lives_in_data() -> None:
    advice = bp.load_advice()
    text = " ".join(advice["text"])
    for fact in ["Breathe out", "hold your breath", "Walking and swimming", "GP", "999", "111"]:
        assert fact in text


@pytest.mark.parametrize(
    ("limits", "kwargs", "expected"),
    [
        ({}, {"level": "beginners"}, 6),
        ({"avoid_positions": ["lying on stomach"]}, {}, 10),
        ({"avoid_positions": ["lying on back", "lying on stomach"]}, {}, 3),
        ({"equipment": []}, {}, 10),  # a wall is not equipment: wall squats stay
        ({"equipment": ["chair"]}, {}, 11),
        ({}, {"targets": "back"}, 4),
    ],
)
def test_filters(catalogue: pd.DataFrame, limits: dict, kwargs: dict, expected: int) -> None:
    rows = bp.allowed_exercises(catalogue, bp.Restrictions(**limits), **kwargs)
    assert len(rows) == expected


def test_filter_with_unknown_value_names_the_allowed_ones(catalogue: pd.DataFrame) -> None:
    with pytest.raises(bp.CatalogueError, match="allowed values are .*'back'.*got .*'elbows'"):
        bp.allowed_exercises(catalogue, targets="elbows")


def test_old_filter_names_still_work_and_say_what_replaces_them(catalogue: pd.DataFrame) -> None:
    with pytest.warns(DeprecationWarning, match="allowed_exercises"):
        old = bp.filter_exercises(catalogue, level="beginners", equipment=[])
    new = bp.allowed_exercises(catalogue, bp.Restrictions(equipment=[]), "beginners")
    assert old.id.tolist() == new.id.tolist()
    with pytest.warns(DeprecationWarning, match="allowed_exercises"):
        ids = bp.suitable_exercises(catalogue, "beginners", missing_equipment=["wall"])
    assert "wall-squats" not in ids


# --- bad catalogues --------------------------------------------------------------------------


def _write(tmp_path: Path, edit) -> Path:
    table = pd.read_csv(SHIPPED, dtype=str, keep_default_na=False)
    table = edit(table)
    path = tmp_path / "clinic.csv"
    table.to_csv(path, index=False)
    return path


def _set(row: int, column: str, value: str):
    def edit(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[row, column] = value
        return t

    return edit


@pytest.mark.parametrize(
    ("edit", "row", "column", "words"),
    [
        (_set(2, "level", "expert"), 4, "level", "one of beginners, more advanced"),
        (_set(0, "reps", "-3"), 2, "reps", "whole number from 1 to 50"),
        (_set(5, "reps", "ten"), 7, "reps", "whole number from 1 to 50"),
        (_set(4, "hold_max_s", "-1"), 6, "hold_max_s", "whole number from 0 to 120"),
        (_set(3, "id", "ankle-lifts"), 5, "id", "no other row uses"),
        (_set(6, "steps", ""), 8, "steps", "some text"),
        (_set(1, "per_side", "yes"), 3, "per_side", "true or false"),
        (_set(1, "side", ""), 3, "side", "which side is counted"),
        (_set(5, "hold_min_s", "9"), 7, "hold_max_s", "at least hold_min_s"),
    ],
)
def test_bad_cell_is_reported_with_file_row_and_column(tmp_path, edit, row, column, words) -> None:
    path = _write(tmp_path, edit)
    with pytest.raises(bp.CatalogueError) as info:
        bp.load_catalogue(path)
    message = str(info.value)
    assert str(path) in message
    assert f"row {row}, column {column!r}" in message
    assert words in message
    assert any(p.row == row and p.column == column for p in info.value.problems)


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda t: t.drop(columns=["hold_max_s"]))
    with pytest.raises(
        bp.CatalogueError, match=r"row 1, column 'hold_max_s': expected this column"
    ):
        bp.load_catalogue(path)


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path) -> None:
    def edit(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[0, "reps"] = "x"
        t.loc[9, "level"] = "pro"
        t.loc[10, "name"] = ""
        return t

    with pytest.raises(bp.CatalogueError) as info:
        bp.load_catalogue(_write(tmp_path, edit))
    assert {(p.row, p.column) for p in info.value.problems} == {
        (2, "reps"),
        (11, "level"),
        (12, "name"),
    }
    assert str(info.value).startswith(f"{tmp_path / 'clinic.csv'}: 3 problems")


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(bp.CatalogueError, match="(?s)nope.csv.*an existing file"):
        bp.load_catalogue(tmp_path / "nope.csv")


def test_blank_rows_keep_spreadsheet_row_numbers(tmp_path: Path) -> None:
    lines = SHIPPED.read_text().splitlines()
    lines.insert(3, "")  # a blank spreadsheet row 4
    lines[5] = lines[5].replace(",beginners,", ",novice,", 1)  # file line 6 = row 6
    path = tmp_path / "gaps.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(bp.CatalogueError, match=r"row 6, column 'level'"):
        bp.load_catalogue(path)


# --- a clinic's own catalogue ------------------------------------------------------------------

CLINIC_CSV = """\
id,name,level,position,position_detail,targets,equipment,sets,reps,per_side,side,hold_min_s,hold_max_s,sessions_per_day,easier_option,steps,source_dose,source,source_reviewed,clinic_code
cat-camel,Cat and camel,beginners,on hands and knees,On your hands and knees.,back,mat,2,8,false,,0,0,2,,Arch your back up. | Let it sag down.,8 times,Riverside Clinic,2025-05-01,RC-01
bridge,Bridge,beginners,lying on back,"Lie on your back, knees bent.",back;hip,none,1,12,false,,3,6,1,,Lift your bottom. | Hold. | Lower slowly.,12 times,Riverside Clinic,2025-05-01,RC-02
side-plank,Side plank,more advanced,lying on side,Lie on your side on one elbow.,stomach,mat,1,3,true,side,10,30,1,Keep knees on the floor.,Lift your hips. | Hold. | Lower.,3 each side,Riverside Clinic,2025-05-01,RC-03
"""


def test_a_clinic_catalogue_loads_and_plans(tmp_path: Path) -> None:
    path = tmp_path / "riverside.csv"
    path.write_text(CLINIC_CSV)
    cat = bp.load_catalogue(path)
    assert list(cat["id"]) == ["cat-camel", "bridge", "side-plank"]
    assert list(cat["clinic_code"]) == ["RC-01", "RC-02", "RC-03"]  # extra columns are kept
    plan = bp.build_plan(cat, "beginners", start_date="2026-02-02", weeks=2)
    assert [
        (p.exercise, p.sets, p.reps, p.hold_s, p.sessions_per_day) for p in plan.prescriptions
    ] == [
        ("cat-camel", 2, 8, 0, 2),
        ("bridge", 1, 12, 3, 1),
    ]
    vol = bp.weekly_volume(plan, cat, by=None)
    # cat-camel 2x8x2 sessions x7 days = 224; bridge 12 x 7 = 84 reps, 84 x 3 s = 252 s
    assert vol[["reps", "hold_seconds", "sessions"]].iloc[0].tolist() == [308, 252, 21]
    assert list(bp.allowed_exercises(cat, bp.Restrictions(equipment=[])).id) == ["bridge"]


def test_an_excel_catalogue_loads(tmp_path: Path, catalogue: pd.DataFrame) -> None:
    path = tmp_path / "catalogue.xlsx"
    pd.read_csv(SHIPPED, dtype=str, keep_default_na=False).to_excel(path, index=False)
    loaded = bp.load_catalogue(path)
    pd.testing.assert_frame_equal(loaded, catalogue)


def test_shipped_file_has_the_documented_columns() -> None:
    header = SHIPPED.read_text().splitlines()[0].split(",")
    assert header == [*COLUMNS, "unsuitable_for"]  # the optional precautions column last


def test_editing_a_loaded_catalogue_does_not_change_the_next_load() -> None:
    first = bp.load_catalogue()
    first.loc[0, "reps"] = 49
    assert bp.load_catalogue().loc[0, "reps"] == 10


# --- numbers, dates and files a spreadsheet really produces -----------------------------------


@pytest.mark.parametrize("value", ["²", "١٠", "٣", "1e1", "10.5", "+5", "0x10", "9" * 5000, "５"])
def test_only_ascii_whole_numbers_count_as_a_dose(tmp_path: Path, value: str) -> None:
    path = _write(tmp_path, _set(0, "reps", value))
    with pytest.raises(bp.CatalogueError) as info:
        bp.load_catalogue(path)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "reps")]
    assert "a whole number from 1 to 50" in str(info.value)
    assert len(str(info.value)) < 400  # a 5,000-digit cell does not give a 5,000-digit message


def test_a_superscript_in_hold_min_is_reported_not_crashed_on(tmp_path: Path) -> None:
    path = _write(tmp_path, _set(3, "hold_min_s", "²"))
    with pytest.raises(bp.CatalogueError, match=r"row 5, column 'hold_min_s'"):
        bp.load_catalogue(path)


@pytest.mark.parametrize("value", ["2008-02-30", "2008-13-01", "9999-12-31", "06/09/2008", ""])
def test_impossible_or_out_of_range_dates_are_reported(tmp_path: Path, value: str) -> None:
    path = _write(tmp_path, _set(2, "source_reviewed", value))
    with pytest.raises(bp.CatalogueError) as info:
        bp.load_catalogue(path)
    assert [(p.row, p.column) for p in info.value.problems] == [(4, "source_reviewed")]
    assert "a real date written YYYY-MM-DD, from 1900-01-01 to 2100-12-31" in str(info.value)


def test_a_header_only_file_is_not_an_empty_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(",".join(COLUMNS) + "\n\n\n")
    with pytest.raises(bp.CatalogueError, match=r"(?s)empty.csv.*row 2: expected at least one"):
        bp.load_catalogue(path)


@pytest.mark.parametrize("cut", [0, 10, 200, -100])
def test_a_broken_or_truncated_workbook_is_a_catalogue_error(tmp_path: Path, cut: int) -> None:
    good = tmp_path / "good.xlsx"
    pd.read_csv(SHIPPED, dtype=str, keep_default_na=False).to_excel(good, index=False)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(good.read_bytes()[:cut] if cut else b"not a workbook at all")
    with pytest.raises(bp.CatalogueError, match=r"(?s)bad.xlsx.*a readable Excel workbook"):
        bp.load_catalogue(bad)


def test_a_csv_that_is_not_utf8_is_a_catalogue_error(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(SHIPPED.read_text().replace("Heel", "H\u00e9el").encode("latin-1"))
    with pytest.raises(bp.CatalogueError, match=r"(?s)latin.csv.*a readable CSV file in UTF-8"):
        bp.load_catalogue(path)


def test_excel_dates_true_false_and_numbers_are_read(tmp_path: Path, catalogue) -> None:
    """What Excel stores when a physio types 2008-09-06, TRUE and 10 into cells."""
    from openpyxl import Workbook

    table = pd.read_csv(SHIPPED, dtype=str, keep_default_na=False)
    wb = Workbook()
    ws = wb.active
    ws.append(list(table.columns))
    for row in table.itertuples(index=False):
        cells: list[object] = list(row)
        for i, col in enumerate(table.columns):
            if col == "source_reviewed":
                cells[i] = pd.Timestamp(cells[i]).to_pydatetime()
            elif col == "per_side":
                cells[i] = cells[i] == "true"
            elif col in {"sets", "reps", "hold_min_s", "hold_max_s", "sessions_per_day"}:
                cells[i] = float(cells[i])  # Excel keeps every number as a float
        ws.append(cells)
    path = tmp_path / "typed.xlsx"
    wb.save(path)
    assert type(ws["S2"].value).__name__ == "datetime" and ws["J2"].value in (True, False)
    pd.testing.assert_frame_equal(bp.load_catalogue(path), catalogue)


def test_true_false_in_capitals_from_an_excel_csv_are_read(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda t: t.assign(per_side=t["per_side"].str.upper()))
    cat = bp.load_catalogue(path)
    assert cat["per_side"].tolist() == bp.load_catalogue()["per_side"].tolist()


def test_unknown_ids_and_filter_values_are_backplan_errors(catalogue: pd.DataFrame) -> None:
    with pytest.raises(bp.CatalogueError, match="(?s)column 'id'.*heel-raises.*got 'cartwheels'"):
        bp.exercise(catalogue, "cartwheels")
    with pytest.raises(bp.BackplanError, match="(?s)level.*beginners.*'expert'"):
        bp.allowed_exercises(catalogue, level="expert")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_column_named_twice_is_reported_not_silently_ignored(tmp_path, suffix) -> None:
    table = pd.read_csv(SHIPPED, dtype=str, keep_default_na=False)
    table.insert(len(table.columns), "reps ", table["reps"])  # as a spreadsheet shows it
    table.columns = [*table.columns[:-1], "reps"]
    path = tmp_path / f"twice{suffix}"
    if suffix == ".csv":
        table.to_csv(path, index=False)
    else:
        table.to_excel(path, index=False)
    with pytest.raises(bp.CatalogueError, match=r"row 1, column 'reps': expected each column"):
        bp.load_catalogue(path)


def test_the_schema_checks_every_catalogue_column_and_loads_on_first_use() -> None:
    """``import backplan`` leaves pandera unloaded (start-up of every command); the schema
    it builds on first use covers exactly the catalogue's columns, in order."""
    import subprocess
    import sys

    from backplan.catalogue import COLUMNS, catalogue_schema

    assert tuple(catalogue_schema().columns) == COLUMNS
    code = "import sys, backplan; print('pandera' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
