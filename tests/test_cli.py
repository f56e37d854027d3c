"""The ``backplan`` command a physio runs at a terminal."""

from __future__ import annotations

import os
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
    assert main(["handout", str(saved), "-o", str(tmp_path / "h.docx")]) == 2
    err = capsys.readouterr().err
    assert "backplan: error:" in err and "h.docx" in err and ".pdf" in err
    assert main(["handout", str(tmp_path / "missing.json"), "-o", str(tmp_path / "h.pdf")]) == 2
    assert "missing.json" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "start_date": "2026-01-05", "prescriptions": []}')
    assert main(["handout", str(bad), "-o", str(tmp_path / "h.pdf")]) == 2
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
    assert code == 2
    assert "zz-broken.json" in captured.err and "1 written, 1 failed" in captured.out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["handouts", str(empty), "-o", str(out)]) == 2
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
    assert main(["adherence", str(logs), "-p", str(saved.parent), "-o", "r.txt"]) == 2
    assert "must end in .html or .xlsx" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["adherence", str(logs), "-p", str(empty), "-o", str(tmp_path / "r.html")]) == 2
    assert "saved plans" in capsys.readouterr().err


# --- bad input never gives a traceback ------------------------------------------------------


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed command as a physio runs it (a real process, real stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "backplan.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("as_of", "words"),
    [
        ("2026-13-01", "2026-13-01"),
        ("garbage", "garbage"),
        ("01/02/2026", "01/02/2026"),
        ("2026-02-30", "2026-02-30"),
        ("2026-1-5", "2026-1-5"),
        ("٢٠٢٦-٠١-٠٥", "YYYY-MM-DD"),
        ("9999-12-31", "9999-12-31"),
    ],
)
def test_as_of_must_be_a_real_yyyy_mm_dd_day(
    saved: Path, tmp_path: Path, capsys, as_of: str, words: str
) -> None:
    logs = _diary_logs(tmp_path)
    out = tmp_path / "r.html"
    with pytest.raises(SystemExit) as exc:
        main(["adherence", str(logs), "-p", str(saved.parent), "-o", str(out), "--as-of", as_of])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--as-of" in err and words in err and "YYYY-MM-DD" in err
    assert not out.exists()


def _bad_inputs(saved: Path, tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    """Bad invocations: arguments, and the words the one-line error must hold."""
    folder = tmp_path / "bad"
    folder.mkdir()
    texts = {
        "latin1.json": "Siobh\u00e1n".encode("latin-1"),
        "null.json": b'{"schema_version": 1, "start_date": "2026-01-05", "prescriptions": null}',
        "deep.json": b"[" * 50_000 + b"]" * 50_000,
        "digits.json": b'{"schema_version": 1, "weeks": ' + b"9" * 5000 + b"}",
        "far.json": saved.read_bytes().replace(b"2026-01-05", b"9999-12-31"),
        "nan.json": saved.read_bytes().replace(b'"weeks": 2', b'"weeks": NaN'),
        "empty.json": b"",
        "list.json": b"[]",
        "newer.json": b'{"schema_version": 99}',
    }
    for name, data in texts.items():
        (folder / name).write_bytes(data)
    (folder / "dir.json").mkdir()
    logs = _diary_logs(tmp_path)
    broken_xlsx = tmp_path / "broken.xlsx"
    broken_xlsx.write_bytes(b"PK\x03\x04 not really a workbook")
    out = str(tmp_path / "out.pdf")
    cases = {f"handout {n}": (["handout", str(folder / n), "-o", out], n) for n in texts}
    cases["handout dir.json"] = (["handout", str(folder / "dir.json"), "-o", out], "dir.json")
    cases["handout no suffix"] = (["handout", str(saved), "-o", "out"], "out")
    cases["handouts not a folder"] = (["handouts", str(saved), "-o", str(tmp_path)], "folder")
    cases["handouts bad format"] = (
        ["handouts", str(folder), "-o", str(tmp_path), "--format", "doc"],
        "doc",
    )
    cases["unknown command"] = (["frobnicate"], "frobnicate")
    cases["missing output"] = (["handout", str(saved)], "-o")
    plans = str(saved.parent)
    report = str(tmp_path / "r.xlsx")
    cases["adherence missing logs"] = (
        ["adherence", str(tmp_path / "nope.csv"), "-p", plans, "-o", report],
        "nope.csv",
    )
    cases["adherence broken xlsx"] = (
        ["adherence", str(broken_xlsx), "-p", plans, "-o", report],
        "broken.xlsx",
    )
    cases["adherence bad plans"] = (["adherence", str(logs), "-p", str(folder), "-o", report], "")
    cases["adherence threshold"] = (
        ["adherence", str(logs), "-p", plans, "-o", report, "--threshold", "7"],
        "threshold",
    )
    cases["adherence threshold text"] = (
        ["adherence", str(logs), "-p", plans, "-o", report, "--threshold", "lots"],
        "threshold",
    )
    return cases


def test_no_bad_invocation_ends_in_a_traceback(saved: Path, tmp_path: Path, capsys) -> None:
    """Every case: exit status 2, one line on stderr that names the file or option.

    Run in this process (an exception escaping ``main`` fails the test, as a traceback
    would); one case also runs as a real process below."""
    failures = []
    for label, (args, words) in _bad_inputs(saved, tmp_path).items():
        try:
            code = main(args)
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
        lines = capsys.readouterr().err.splitlines()
        ok = (
            code == 2
            and len(lines) == 1
            and lines[0].startswith("backplan")
            and "error" in lines[0]
            and words in lines[0]
            and len(lines[0]) <= 1100
        )
        if not ok:
            failures.append((label, code, lines[-3:]))
    assert failures == []
    assert not (tmp_path / "out.pdf").exists() and not (tmp_path / "r.xlsx").exists()
    latin = tmp_path / "bad" / "latin1.json"
    result = _run("handout", str(latin), "-o", str(tmp_path / "out.pdf"), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "latin1.json" in result.stderr


def test_a_failed_report_leaves_the_old_one_as_it_was(saved: Path, tmp_path: Path) -> None:
    logs = _diary_logs(tmp_path)
    out = tmp_path / "report.xlsx"
    assert main(["adherence", str(logs), "-p", str(saved.parent), "-o", str(out)]) == 0
    out.chmod(0o644)
    before = out.read_bytes()
    bad_plans = tmp_path / "bad-plans"
    bad_plans.mkdir()
    (bad_plans / "p.json").write_bytes(b"\xff\xfe")
    assert main(["adherence", str(logs), "-p", str(bad_plans), "-o", str(out)]) == 2
    assert out.read_bytes() == before
    assert main(["adherence", str(logs), "-p", str(saved.parent), "-o", str(out)]) == 0
    assert out.stat().st_mode & 0o777 == 0o644  # a rewrite keeps the file's permissions
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_header_only_logs_are_an_input_error(saved: Path, tmp_path: Path) -> None:
    logs = _diary_logs(tmp_path)
    header_only = tmp_path / "header.csv"
    header_only.write_text(logs.read_text().splitlines()[0] + "\n")
    result = _run(
        "adherence", str(header_only), "-p", str(saved.parent), "-o", "r.html", cwd=tmp_path
    )
    assert result.returncode == 2 and "header.csv" in result.stderr


# --- nothing overwritten, nothing hangs, every argument checked (issue 21) ------------------


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links followed) with its bytes: what must not change."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_fifo()
    }


def _code(args: list[str]) -> int | str | None:
    """The exit status of ``main(args)``, whether argparse exits or main returns."""
    try:
        return main(args)
    except SystemExit as exc:
        return exc.code


def _one_error(capsys, code: int | str | None, *words: str) -> str:
    lines = capsys.readouterr().err.splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("backplan"), lines
    assert all(w in lines[0] for w in words), (words, lines)
    return lines[0]


def _outputs_over_inputs(saved: Path, tmp_path: Path) -> dict[str, list[str]]:
    """Invocations whose output resolves to one of their inputs, each written another way."""
    plans, logs = saved.parent, _diary_logs(tmp_path)
    (tmp_path / "link.json").symlink_to(saved)
    os.link(saved, tmp_path / "hard.json")
    (tmp_path / "sub").mkdir()
    xlsx = tmp_path / "logs.xlsx"
    pd.read_csv(logs).to_excel(xlsx, index=False)
    rules = tmp_path / "rules.html"
    rules.write_text("the output check comes before any reading")
    out_pdf = ["--format", "pdf"]
    return {
        "same file": ["handout", str(saved), "-o", str(saved), *out_pdf],
        "symbolic link as output": [
            "handout",
            str(saved),
            "-o",
            str(tmp_path / "link.json"),
            *out_pdf,
        ],
        "symbolic link as input": [
            "handout",
            str(tmp_path / "link.json"),
            "-o",
            str(saved),
            *out_pdf,
        ],
        "hard link": ["handout", str(saved), "-o", str(tmp_path / "hard.json"), *out_pdf],
        "path with ..": [
            "handout",
            str(saved),
            "-o",
            f"{tmp_path}/sub/../plans/{saved.name}",
            *out_pdf,
        ],
        "fhir": ["fhir", str(saved), "-o", str(saved)],
        "adherence over its logs": ["adherence", str(xlsx), "-p", str(plans), "-o", str(xlsx)],
        "review over its rules": [
            *("review", str(logs), "-p", str(plans), "--rules", str(rules), "-o", str(rules))
        ],
        "handouts into the plans": ["handouts", str(plans), "-o", str(plans)],
    }


def test_an_output_that_resolves_to_an_input_is_refused(
    saved: Path, tmp_path: Path, capsys
) -> None:
    """Exit 2, one line naming the output; nothing written, no input changed (the CLI once
    replaced a saved plan with its own PDF and exited 0)."""
    for label, args in _outputs_over_inputs(saved, tmp_path).items():
        before = _tree(tmp_path)
        code = main(args)
        line = _one_error(capsys, code, "input")
        assert args[args.index("-o") + 1] in line, label
        assert _tree(tmp_path) == before, label


def test_inputs_that_cannot_be_read_are_input_errors(saved: Path, tmp_path: Path, capsys) -> None:
    """Unreadable logs exit 2 as the README says (once exit 1 with no file named); a pipe
    or a device is refused at once, never waited on."""
    fifo = tmp_path / "logs.csv"
    os.mkfifo(fifo)
    args = ["-p", str(saved.parent), "-o", str(tmp_path / "r.html")]
    _one_error(capsys, main(["adherence", str(fifo), *args]), "logs.csv", "pipe")
    _one_error(capsys, main(["review", str(fifo), *args]), "logs.csv", "pipe")
    _one_error(capsys, main(["handout", "/dev/zero", "-o", str(tmp_path / "h.md")]), "device")
    if Path("/proc/self/mem").exists():  # reading it at offset 0 fails with EIO
        broken = tmp_path / "broken.csv"
        broken.symlink_to("/proc/self/mem")
        _one_error(capsys, main(["adherence", str(broken), *args]), "broken.csv", "readable")
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(
    "as_of", ["2026-02-30", "today", "now", "March 1 2026", "1/3/2026", "9999-12-31", "5"]
)
def test_review_as_of_takes_only_a_real_day(saved: Path, tmp_path: Path, capsys, as_of) -> None:
    """``backplan review --as-of 2026-02-30`` once exited 1 with "unexpected DateParseError"."""
    logs = _diary_logs(tmp_path)
    out = tmp_path / "review.html"
    code = _code(["review", str(logs), "-p", str(saved.parent), "-o", str(out), "--as-of", as_of])
    _one_error(capsys, code, "--as-of", "YYYY-MM-DD", as_of)
    assert not out.exists()


def test_every_argument_has_a_length_cap(saved: Path, tmp_path: Path, capsys) -> None:
    """A 10,000-character --clinic once ran for 51-94 s and then failed with LayoutError."""
    out = str(tmp_path / "h.pdf")
    cases = {
        "--clinic": ["--clinic", "W" * 10_000],
        "--clinic ": ["--clinic", "W" * 201],
        "--phone": ["--phone", "9" * 61],
        "--physio": ["--physio", "M" * 201],
    }
    for words, extra in cases.items():
        code = _code(["handout", str(saved), "-o", out, *extra])
        _one_error(capsys, code, words.strip() if len(extra[1]) < 1000 else "at most")
    for path in ["x" * 5000 + ".pdf", "x" * 300 + ".pdf", f"{tmp_path}/" + "d" * 256 + "/h.pdf"]:
        _one_error(capsys, _code(["handout", str(saved), "-o", path]), "at most")
    assert not (tmp_path / "h.pdf").exists()


def test_handouts_errors_are_one_line(saved: Path, tmp_path: Path, capsys) -> None:
    (saved.parent / "a-broken.json").write_text('{"schema_version": 2, "weeks": true}')
    (saved.parent / "b-empty.json").write_text("")
    code = main(["handouts", str(saved.parent), "-o", str(tmp_path / "out"), "--format", "md"])
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert code == 2 and len(lines) == 1, lines
    assert "a-broken.json" in lines[0] and "b-empty.json" in lines[0] and "2 handout" in lines[0]
    assert "1 written, 2 failed" in captured.out
