"""The ``backplan`` command a physio runs at a terminal."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

import backplan as bp
from backplan.cli import main


@pytest.fixture()
def saved(catalogue: pd.DataFrame, tmp_path: Path) -> Path:
    plan = bp.build_plan(
        catalogue,
        "beginners",
        ["heel-raises", "wall-squats"],
        patient="Siobhán Ní Bhriain",
        start_date=date(2026, 1, 5),
        weeks=2,
    )
    return bp.save_plan(plan, tmp_path / "plans" / "siobhan.json")


def test_handout_pdf_with_options(saved: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out" / "h.pdf"
    code = main(
        [
            "handout",
            str(saved),
            "-o",
            str(out),
            "--large-print",
            "--page-size",
            "letter",
            "--clinic",
            "Riverside Physio",
        ]
    )
    assert code == 0
    assert f"wrote {out}" in capsys.readouterr().out
    reader = PdfReader(out)
    assert round(float(reader.pages[0].mediabox.width)) == 612
    text = reader.pages[0].extract_text()
    assert "Riverside Physio" in text and "Siobhán Ní Bhriain" in text


@pytest.mark.parametrize(
    ("name", "extra", "check"),
    [
        ("h.html", [], lambda p: "<!DOCTYPE html>" in p.read_text()),
        ("h.md", [], lambda p: p.read_text().startswith("| patient |")),
        ("h.csv", [], lambda p: "Heel raises" in p.read_text(encoding="utf-8-sig")),
        ("h.xlsx", [], lambda p: openpyxl.load_workbook(p).active.max_row == 3),
        ("h.txt", ["--format", "html"], lambda p: "<html" in p.read_text()),
    ],
)
def test_format_follows_the_file_name_or_format(saved, tmp_path, name, extra, check) -> None:
    out = tmp_path / name
    assert main(["handout", str(saved), "-o", str(out), *extra]) == 0
    assert check(out)


def test_clear_errors_and_non_zero_exit(saved: Path, tmp_path: Path, capsys) -> None:
    assert main(["handout", str(saved), "-o", str(tmp_path / "h.docx")]) == 1
    err = capsys.readouterr().err
    assert "backplan: error:" in err and "h.docx" in err and ".pdf" in err
    assert main(["handout", str(tmp_path / "missing.json"), "-o", str(tmp_path / "h.pdf")]) == 1
    assert "missing.json" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "start_date": "2026-01-05", "prescriptions": []}')
    assert main(["handout", str(bad), "-o", str(tmp_path / "h.pdf")]) == 1
    err = capsys.readouterr().err
    assert "bad.json" in err and "prescriptions" in err
    assert not (tmp_path / "h.pdf").exists()


def test_bad_choice_and_no_command(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["handout", "p.json", "-o", "x.pdf", "--page-size", "A5"])
    assert exc.value.code == 2
    assert "A4" in capsys.readouterr().err
    assert main([]) == 2
    assert "handouts" in capsys.readouterr().out


def test_handouts_for_a_folder(saved: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code = main(
        ["handouts", str(saved.parent), "-o", str(out), "--format", "pdf", "--format", "md"]
    )
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "001-siobhan-ni-bhriain.md",
        "001-siobhan-ni-bhriain.pdf",
    ]
    (saved.parent / "zz-broken.json").write_text("not json")
    code = main(["handouts", str(saved.parent), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert "zz-broken.json" in captured.err and "1 written, 1 failed" in captured.out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["handouts", str(empty), "-o", str(out)]) == 1
    assert "no saved plans" in capsys.readouterr().err


def test_installed_script_help_reads_plainly() -> None:
    script = shutil.which("backplan", path=str(Path(sys.executable).parent))
    assert script, "the backplan console script is not installed in this environment"
    result = subprocess.run([script, "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "physiotherapists" in result.stdout and "handouts" in result.stdout
    result = subprocess.run(
        [script, "handout", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "--large-print" in result.stdout


# --- backplan adherence ---------------------------------------------------------------------


def _diary_logs(tmp_path: Path) -> Path:
    """Two weeks of Siobhán's diary typed back: every session ticked in week 1, none in week 2."""
    rows = [
        {
            "patient": "Siobhán Ní Bhriain",
            "date": f"2026-01-{d:02d}",
            "exercise": ex,
            "sets_done": "",
            "reps_done": "",
            "pain": 4,
        }
        for d in range(5, 12)
        for ex in ("heel-raises", "wall-squats")
    ]
    rows.append(
        {
            "patient": "Nobody",
            "date": "2026-01-06",
            "exercise": "heel-raises",
            "sets_done": 1,
            "reps_done": 10,
            "pain": 2,
        }
    )
    path = tmp_path / "logs.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_adherence_report_from_the_command_line(saved: Path, tmp_path: Path, capsys) -> None:
    logs = _diary_logs(tmp_path)
    out = tmp_path / "report.xlsx"
    code = main(
        ["adherence", str(logs), "-p", str(saved.parent), "-o", str(out), "--as-of", "2026-01-18"]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "15 log rows read (14 accepted, 1 rejected" in printed
    book = openpyxl.load_workbook(out)
    patients = pd.DataFrame(book["by_patient"].values)
    header, first = list(patients.iloc[0]), list(patients.iloc[1])
    # week 1 done in full, week 2 not at all: adherence (1 + 0) / 2
    assert first[header.index("adherence")] == pytest.approx(0.5)
    rejected = [list(r) for r in book["rejected"].values]
    assert any("Nobody" in map(str, r) for r in rejected[1:])


def test_adherence_command_refuses_bad_input(saved: Path, tmp_path: Path, capsys) -> None:
    logs = _diary_logs(tmp_path)
    assert main(["adherence", str(logs), "-p", str(saved.parent), "-o", "r.txt"]) == 1
    assert "must end in .html or .xlsx" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["adherence", str(logs), "-p", str(empty), "-o", str(tmp_path / "r.html")]) == 1
    assert "saved plans" in capsys.readouterr().err
