"""Property tests: no formula, script or event handler from user text reaches any export,
no export crashes on odd text, and a rewrite keeps the file's permissions.

User text enters a handout from the plan (patient, clinician, notes), the clinic name and
the catalogue (a clinic's own names, positions, steps, easier options, counted side). One
example is a whole handout whose six beginners' exercises and plan fields all carry
generated text: about 40 generated strings per handout, so 30 handouts per format family
put over 1,000 generated strings through every export a run.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fuzz_inputs import fuzz, some_text, text
from hypothesis import assume, given
from hypothesis import strategies as st
from pypdf import PdfReader

import backplan as bp
from backplan.handout import export_handouts, to_csv, to_html, to_markdown, to_pdf, to_xlsx
from backplan.scripts import mixed_script_words

FOLDER = Path(tempfile.mkdtemp(prefix="fuzz-exports-"))
SHIPPED = bp.load_catalogue()
BEGINNERS = list(SHIPPED.loc[SHIPPED.level == "beginners", "id"])
TEXT_COLUMNS = ["name", "position_detail", "steps", "easier_option", "source_dose", "side"]
FORMULA = ("=", "+", "-", "@", "\t")


@st.composite
def handouts(draw: st.DrawFn) -> tuple[bp.Plan, pd.DataFrame, str]:
    """A plan, a clinic catalogue and a clinic name, full of generated text."""
    catalogue = SHIPPED.copy()
    for i in catalogue.index[catalogue.level == "beginners"]:
        for column in TEXT_COLUMNS:
            catalogue.loc[i, column] = draw(some_text)
    plan = bp.build_plan(
        catalogue,
        "beginners",
        BEGINNERS,
        patient=draw(text)[:200],
        clinician=draw(text)[:200],
        notes=draw(text),
        start_date="2026-01-05",
        weeks=2,
    )
    return plan, catalogue, draw(text)


def _no_formula_line(value: object, where: str) -> None:
    if isinstance(value, str):
        for line in re.split(r"\r\n|\r|\n", value):
            assert not line.lstrip(" ").startswith(FORMULA), (where, value)


@fuzz(15, shrink=False)  # half a second each; make fuzz runs 1,000
@given(handouts())
def test_csv_xlsx_and_markdown_hold_no_formula_or_markup(case) -> None:
    plan, catalogue, _ = case
    rows = len(bp.handout.handout_table(plan, catalogue))

    path = to_csv(plan, FOLDER / "h.csv", catalogue=catalogue)
    raw = path.read_text(encoding="utf-8-sig")
    # A naive importer that splits the file at every line break sees no formula either.
    for line in re.split(r"\r\n|\r|\n", raw):
        assert not line.lstrip(' "').startswith(FORMULA), line
    table = list(csv.reader(io.StringIO(raw, newline="")))
    assert len(table) == rows + 1  # the structure survived: one record per row
    for record in table:
        for value in record:
            _no_formula_line(value, "csv")

    path = to_xlsx(plan, FOLDER / "h.xlsx", catalogue=catalogue)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.max_row == rows + 1
    for row in sheet.iter_rows():
        for c in row:
            assert c.data_type != "f", c.value
            _no_formula_line(c.value, f"xlsx {c.coordinate}")

    path = to_markdown(plan, FOLDER / "h.md", catalogue=catalogue)
    md = path.read_text(encoding="utf-8")
    assert "<" not in md and ">" not in md  # every angle bracket from user text is escaped
    assert len(md.splitlines()) == rows + 2


class _Markup(HTMLParser):
    """Collects every tag and attribute the browser would see."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


def _markup(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser


#: The markup of a handout with every optional part filled (patient, clinician, notes and
#: a clinic, which adds the contact footer): generated text may add no tag or attribute.
BASELINE = _markup(
    to_html(
        bp.build_plan(SHIPPED, "beginners", start_date="2026-01-05", weeks=2, patient="A. Patient",
                      clinician="B. Physio", notes="Take it slowly."),
        FOLDER / "base.html",
        clinic="Clinic",
        phone="0123",
        physio="A. Physio",
    ).read_text()
)  # fmt: skip


def _mixed_names(plan: bp.Plan, clinic: str) -> bool:
    """A name with a word mixing Latin, Greek and Cyrillic letters (refused on purpose)."""
    return any(mixed_script_words(name or "") for name in (plan.patient, plan.clinician, clinic))


@fuzz(20, shrink=False)  # make fuzz runs 1,000
@given(handouts())
def test_html_and_pdf_hold_no_script_or_event_handler(case) -> None:
    plan, catalogue, clinic = case
    assume(not _mixed_names(plan, clinic))  # refused with a message (test_handout_scripts)
    html = to_html(plan, FOLDER / "h.html", catalogue=catalogue, clinic=clinic).read_text()
    seen = _markup(html)
    assert set(seen.tags) <= set(BASELINE.tags), set(seen.tags) - set(BASELINE.tags)
    # lang="zh"/"ja"/"ko" marks Chinese, Japanese and Korean text (the baseline has none)
    assert {name for name, _ in seen.attrs} <= {name for name, _ in BASELINE.attrs} | {"lang"}
    assert not [n for n, _ in seen.attrs if n.startswith("on")]
    assert not [v for _, v in seen.attrs if v and v.strip().lower().startswith("javascript:")]

    try:
        path = to_pdf(plan, FOLDER / "h.pdf", catalogue=catalogue, clinic=clinic)
    except bp.BackplanError as err:  # a character no shipped font has, named, never a box
        assert "cannot print" in str(err), err
        return
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    # No action can run: no document actions, no JavaScript names, no links or widgets.
    assert not {"/OpenAction", "/AA", "/Names", "/AcroForm"} & set(root.keys())
    for page in reader.pages:
        assert not {"/Annots", "/AA"} & set(page.keys())


@fuzz(8, shrink=False)
@given(handouts())
def test_a_batch_writes_every_plan_whatever_its_text(case) -> None:
    plan, catalogue, clinic = case
    assume(not _mixed_names(plan, clinic))
    out = FOLDER / "batch"
    formats = ("csv", "xlsx", "md", "html")
    done = export_handouts(
        [plan, FOLDER / "missing.json", plan],
        out,
        formats,
        catalogue=catalogue,
        clinic=clinic,
        progress=False,
    )
    assert done["status"].tolist() == ["ok"] * 4 + ["error"] * 4 + ["ok"] * 4, done["error"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files left


@pytest.mark.parametrize(
    ("writer", "name"),
    [
        (to_csv, "h.csv"),
        (to_xlsx, "h.xlsx"),
        (to_markdown, "h.md"),
        (to_html, "h.html"),
        (to_pdf, "h.pdf"),
    ],
)
def test_rewriting_an_export_keeps_its_permissions(beginner_plan, tmp_path, writer, name):
    path = writer(beginner_plan, tmp_path / name)
    path.chmod(0o644)
    writer(beginner_plan, path)
    assert path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_failing_export_leaves_the_old_file(beginner_plan, tmp_path: Path) -> None:
    path = to_xlsx(beginner_plan, tmp_path / "h.xlsx")
    before = path.read_bytes()
    unknown = bp.Plan(
        start_date="2026-01-05", prescriptions=[bp.Prescription(exercise="cartwheels", reps=1)]
    )
    for writer in (to_xlsx, to_csv, to_markdown, to_html, to_pdf):
        with pytest.raises(bp.BackplanError):
            writer(unknown, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["h.xlsx"]
