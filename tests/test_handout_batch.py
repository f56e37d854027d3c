"""Writing many handouts at once: bad plans are reported, good ones still written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

import backplan as bp


@pytest.fixture()
def plans(catalogue: pd.DataFrame, tmp_path: Path) -> list:
    good = bp.build_plan(
        catalogue,
        "beginners",
        ["heel-raises"],
        patient="Zoë Ñúñez-O'Brien",
        start_date=date(2026, 1, 5),
        weeks=1,
    )
    twin = good.model_copy(update={"patient": "Zoë Ñúñez-O'Brien"})
    unknown = bp.Plan(
        patient="../../etc/passwd",
        start_date=date(2026, 1, 5),
        weeks=1,
        prescriptions=[bp.Prescription(exercise="cartwheels", reps=5)],
    )
    saved = bp.save_plan(good.model_copy(update={"patient": "Saved plan"}), tmp_path / "a.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 1, "weeks": 99}')
    return [good, broken, unknown, saved, twin]


def test_one_bad_plan_is_reported_and_the_rest_are_written(plans, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = bp.handout.export_handouts(plans, out, formats=("pdf", "csv"), progress=False)
    assert list(done.columns) == [
        "plan",
        "source",
        "patient",
        "format",
        "file",
        "path",
        "status",
        "error",
    ]
    assert done["status"].tolist() == [
        "ok",
        "ok",
        "error",
        "error",
        "error",
        "error",
        "ok",
        "ok",
        "ok",
        "ok",
    ]
    broken = done[done.plan == 2]
    assert broken["error"].str.contains("broken.json").all()
    assert broken["error"].str.contains("weeks").all()
    assert done[done.plan == 3]["error"].str.contains("cartwheels").all()
    written = done[done.status == "ok"]
    assert written["file"].tolist() == [
        "001-zoe-nunez-o-brien.pdf",
        "001-zoe-nunez-o-brien.csv",
        "004-saved-plan.pdf",
        "004-saved-plan.csv",
        "005-zoe-nunez-o-brien.pdf",
        "005-zoe-nunez-o-brien.csv",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(written["file"])
    for path in written.loc[written.format == "pdf", "path"]:
        assert any("Heel raises" in page.extract_text() for page in PdfReader(path).pages)


def test_unknown_format_is_refused_before_writing(plans, tmp_path: Path) -> None:
    with pytest.raises(bp.BackplanError, match="pdf, html, csv, xlsx, md"):
        bp.handout.export_handouts(plans, tmp_path / "out", formats=("docx",))
    assert not (tmp_path / "out").exists()


def test_every_format_can_be_written_in_large_print(plans, tmp_path: Path) -> None:
    done = bp.handout.export_handouts(
        plans[:1], tmp_path, formats=tuple(bp.handout.FORMATS), large_print=True, progress=False
    )
    assert done["status"].eq("ok").all()
    assert [Path(p).suffix for p in done["path"]] == [".pdf", ".html", ".csv", ".xlsx", ".md"]


def test_the_excel_handouts_of_a_batch_carry_the_clinics_details(
    plans, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The details given to the batch reach the Excel table as they reach the PDF (the
    settings file of the machine, another clinic here, is not used instead)."""
    import openpyxl

    from backplan.settings import ClinicSettings, save_settings

    other = tmp_path / "other-clinic.json"
    save_settings(ClinicSettings(clinic="Wrong Clinic"), other)
    monkeypatch.setenv("BACKPLAN_SETTINGS", str(other))
    out = tmp_path / "out"
    done = bp.handout.export_handouts(
        plans[:1], out, formats=("xlsx", "pdf"), progress=False, workers=1,
        clinic="Riverside Physio", phone="01234 567890", physio="A. Physio",
    )  # fmt: skip
    assert list(done.status) == ["ok", "ok"]
    xlsx, pdf = (Path(p) for p in done.path)
    sheet = openpyxl.load_workbook(xlsx).active
    heads = [c.value for c in sheet[1]]
    row = dict(zip(heads, (c.value for c in sheet[2]), strict=True))
    assert (row["Clinic"], row["Clinic phone"], row["Physio"]) == (
        "Riverside Physio", "01234 567890", "A. Physio",
    )  # fmt: skip
    assert sheet.oddHeader.center.text == "Riverside Physio · 01234 567890"
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "01234 567890" in text and "Wrong Clinic" not in text
