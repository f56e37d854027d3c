"""PlanBuilder: set widget values and click buttons as a physio would, then check the plan
and the preview against direct calls of the public functions."""

from __future__ import annotations

import base64
import html
import random
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from rendered import assert_chart_png, assert_every_line_is_inked, pdftoppm

import backplan as bp
from backplan.progression import DOSE_BOUNDS
from backplan.ui import PlanBuilder

START = date(2026, 1, 5)


class _Cells(HTMLParser):
    """The text of every <th>/<td>, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html_text: str) -> list[list[str]]:
    parser = _Cells()
    parser.feed(html_text)
    return parser.rows


@pytest.fixture
def builder(catalogue: pd.DataFrame, tmp_path: Path) -> PlanBuilder:
    b = PlanBuilder(catalogue, save_dir=tmp_path)
    b.start_date.value = START
    return b


def _doses(builder: PlanBuilder, ids: list[str]) -> dict[str, dict[str, int]]:
    return {ex: {f: box.value for f, box in builder.dose[ex].items()} for ex in ids}


def test_default_builder_is_the_catalogue_plan(builder, catalogue) -> None:
    assert builder.plan == bp.build_plan(catalogue, "beginners", start_date=START)
    assert builder.problem is None
    assert builder.widget.children  # something to show


def test_form_choices_make_the_same_plan_as_build_plan(builder, catalogue) -> None:
    builder.level.value = "more advanced"
    builder.exercises["half-sit-ups"].value = False
    builder.dose["prone-leg-raises"]["reps"].value = 8
    builder.dose["knee-to-chest"]["sessions_per_day"].value = 2
    builder.dose["back-leg-swing"]["days_per_week"].value = 5
    builder.patient.value = "P-017"
    builder.clinician.value = "S. Physio"
    builder.weeks.value = 4
    builder.notes.value = "Walk every day."
    ids = ["prone-leg-raises", "supine-leg-raises", "back-leg-swing", "knee-to-chest"]
    expected = bp.build_plan(
        catalogue,
        "more advanced",
        ids,
        patient="P-017",
        clinician="S. Physio",
        start_date=START,
        weeks=4,
        notes="Walk every day.",
        per_exercise={
            "prone-leg-raises": {"reps": 8},
            "knee-to-chest": {"sessions_per_day": 2},
            "back-leg-swing": {"days_per_week": 5},
        },
    )
    assert builder.plan == expected


def test_preview_table_shows_schedule_rows_of_week_one_and_the_last_week(
    builder, catalogue
) -> None:
    builder.dose["heel-slides"]["reps"].value = 12
    builder.weeks.value = 3
    builder.add_dose.value = True
    builder.add_amount.value = 2
    builder.add_cap.value = 16
    sched = bp.schedule(builder.plan, catalogue)
    ends = sched[sched.week.isin([1, 3])].reset_index(drop=True)
    columns = ["week", "name", "sets", "reps", "hold_s", "sessions_per_day", "days_per_week"]
    columns += ["weekly_reps", "weekly_hold_seconds"]
    pd.testing.assert_frame_equal(builder.preview[columns], ends[columns])
    rows = table_rows(builder.preview_table.value)
    header, body = rows[0], rows[1:]
    assert len(body) == len(ends)
    for cells, (_, row) in zip(body, ends.iterrows(), strict=True):
        shown = dict(zip(header, cells, strict=True))
        assert shown["Week"] == str(row.week)
        assert shown["Exercise"] == row["name"]
        assert shown["Reps"] == str(row.reps)
        assert shown["Reps a week"] == str(row.weekly_reps)
        assert shown["Seconds held a week"] == str(row.weekly_hold_seconds)
        side = bp.exercise(catalogue, row.exercise)["side"] if row.per_side else ""
        assert shown["Counted on"] == side
    heel = [r for r in body if r[1] == "Heel slides"]
    assert [r[3] for r in heel] == ["12", "16"]  # week 1, then capped at 16 in week 3


def test_chart_bars_equal_the_weekly_volume_table(builder, catalogue) -> None:
    figures = plt.get_fignums()
    before = builder.chart.outputs
    builder.dose["wall-squats"]["reps"].value = 12
    assert builder.chart.outputs != before
    builder.dose["wall-squats"]["hold_s"].value = 8
    png = base64.b64decode(builder.chart.outputs[0]["data"]["image/png"])
    assert_chart_png(png, builder.figure)
    volume = bp.weekly_volume(builder.plan, catalogue)
    pd.testing.assert_frame_equal(builder.volume, volume)
    names = list(dict.fromkeys(volume["name"]))
    bars = builder.axes.containers
    assert [c.get_label() for c in bars] == names
    for container, name in zip(bars, names, strict=True):
        expected = volume.loc[volume.name == name, "reps"].tolist()
        assert [p.get_height() for p in container] == expected
    builder.chart_metric.value = "hold_seconds"
    wall = builder.axes.containers[names.index("Wall squats")]
    assert [p.get_height() for p in wall] == [8 * 12 * 7] * 6
    assert builder.axes.get_ylabel() == "Seconds held per week"
    builder.chart_by.value = "target"
    by_target = bp.weekly_volume(builder.plan, catalogue, by="target")
    assert [c.get_label() for c in builder.axes.containers] == list(
        dict.fromkeys(by_target["target"])
    )
    assert plt.get_fignums() == figures  # the builder never opens pyplot figures


def test_per_side_rule_is_shown_in_the_handout_words(builder, catalogue) -> None:
    from backplan.handout.text import dose_words

    assert builder.side_text["heel-slides"].value.startswith("10 times on each leg")
    builder.dose["ankle-lifts"]["sets"].value = 2
    assert builder.side_text["ankle-lifts"].value.startswith("2 rounds of 10 times on each ankle")
    for p in builder.plan.prescriptions:
        side = bp.exercise(catalogue, p.exercise)["side"] if p.per_side else ""
        assert builder.side_text[p.exercise].value == html.escape(dose_words(p, side))


def test_dose_controls_are_bounded_as_the_plan_model(builder) -> None:
    for boxes in builder.dose.values():
        for field, box in boxes.items():
            assert (box.min, box.max) == DOSE_BOUNDS[field]
    builder.dose["heel-raises"]["reps"].value = 500
    assert builder.dose["heel-raises"]["reps"].value == DOSE_BOUNDS["reps"][1]
    assert builder.problem is None
    reps = {p.exercise: p.reps for p in builder.plan.prescriptions}
    assert reps["heel-raises"] == DOSE_BOUNDS["reps"][1]


def test_patient_filters_use_filter_exercises(builder, catalogue) -> None:
    builder.level.value = "more advanced"
    builder.no_stomach.value = True
    builder.no_chair.value = True
    expected = bp.filter_exercises(
        catalogue, level="more advanced", avoid_positions=["lying on stomach"], equipment=["wall"]
    )
    assert [p.exercise for p in builder.plan.prescriptions] == list(expected.id)
    assert builder._rows["prone-leg-raises"].layout.display == "none"
    builder.level.value = "beginners"
    builder.no_wall.value = True
    builder.no_back.value = True
    assert [p.exercise for p in builder.plan.prescriptions] == ["heel-raises"]


def test_cap_cannot_go_below_the_starting_dose(builder, catalogue) -> None:
    builder.dose["heel-raises"]["reps"].value = 15
    builder.add_dose.value = True
    builder.add_cap.value = 5
    assert builder.add_cap.value == 15
    assert builder.problem is None
    rule = bp.AddDose(what="reps", amount=1, every_weeks=1, cap=15)
    expected = bp.build_plan(
        catalogue,
        "beginners",
        start_date=START,
        progression=[rule],
        per_exercise={"heel-raises": {"reps": 15}},
    )
    assert builder.plan == expected
    builder.add_what.value = "hold_s"
    builder.dose["wall-squats"]["hold_s"].value = 30
    assert builder.add_cap.min == 30
    assert builder.plan.progression[0].cap >= 30


def test_move_to_next_level_matches_next_level(builder, catalogue) -> None:
    builder.no_stomach.value = True
    builder.weeks.value = 8
    builder.move_up.value = True
    builder.move_week.value = 5
    builder.add_dose.value = True
    builder.add_what.value = "hold_s"
    builder.add_amount.value = 2
    builder.add_every.value = 2
    builder.add_cap.value = 20
    ids = list(
        bp.filter_exercises(catalogue, level="beginners", avoid_positions=["lying on stomach"]).id
    )
    upper = list(
        bp.filter_exercises(
            catalogue, level="more advanced", avoid_positions=["lying on stomach"]
        ).id
    )
    expected = bp.build_plan(
        catalogue,
        "beginners",
        ids,
        start_date=START,
        weeks=8,
        progression=[
            bp.AddDose(what="hold_s", amount=2, every_weeks=2, cap=20),
            bp.next_level(catalogue, 5, "more advanced", upper),
        ],
    )
    assert builder.plan == expected
    assert bp.level_in_week(builder.plan, 5) == "more advanced"


@pytest.mark.parametrize(
    ("action", "words"),
    [
        ("untick", "Tick at least one exercise"),
        ("top_level", "highest level"),
        ("one_week", "1-week plan"),
        ("no_date", "date the plan starts"),
        ("long_name", "at most 200 characters"),
    ],
)
def test_impossible_choices_show_a_message_and_keep_the_last_plan(
    builder, action: str, words: str
) -> None:
    good = builder.plan
    if action == "untick":
        for ex, box in builder.exercises.items():
            box.value = ex == "heel-raises"
        good = builder.plan
        builder.exercises["heel-raises"].value = False
    elif action == "top_level":
        builder.level.value = "more advanced"
        good = builder.plan
        builder.move_up.value = True
    elif action == "one_week":
        builder.weeks.value = 1
        good = builder.plan
        builder.move_up.value = True
    elif action == "no_date":
        builder.start_date.value = None
    else:
        builder.patient.value = "x" * 201
    assert builder.problem is not None and words in builder.problem
    assert words in builder.status.value and "Problem" in builder.status.value
    assert builder.plan == good
    builder.save_button.click()
    assert "Not saved" in builder.status.value
    assert not any(builder.save_dir.iterdir())


def test_random_control_values_never_raise(builder) -> None:
    """Every combination either makes a valid plan or shows a message."""
    rng = random.Random(20260105)
    numbers = [box for boxes in builder.dose.values() for box in boxes.values()]
    numbers += [builder.weeks, builder.add_amount, builder.add_every, builder.add_cap]
    numbers += [builder.move_week]
    flags = [*builder.exercises.values(), *builder.filters.values()]
    flags += [builder.add_dose, builder.move_up]
    valid, messages = 0, set()
    for _ in range(150):
        kind = rng.random()
        if kind < 0.5:
            box = rng.choice(numbers)
            box.value = rng.randint(box.min, box.max)
        elif kind < 0.8:
            flag = rng.choice(flags)
            flag.value = not flag.value
        elif kind < 0.9:
            builder.level.value = rng.choice(builder.level.options)
        else:
            builder.add_what.value = rng.choice(["reps", "hold_s"])
        if builder.problem is None:
            assert bp.plan_from_json(bp.plan_to_json(builder.plan)) == builder.plan
            assert builder.plan == builder.plan_from_form()
            valid += 1
        else:
            assert html.escape(builder.problem).replace("\n", "<br>") in builder.status.value
            messages.add(builder.problem.split(":")[0])
    assert valid > 50 and messages  # both outcomes were reached


def test_save_and_load_round_trip(builder, tmp_path: Path) -> None:
    builder.patient.value = "P-002"
    builder.dose["heel-slides"]["reps"].value = 14
    builder.path.value = "plans/p002.json"
    builder.save_button.click()
    saved = tmp_path / "plans" / "p002.json"
    assert "Plan saved" in builder.status.value and str(saved) in builder.status.value
    assert bp.load_plan(saved) == builder.plan
    first = builder.plan
    builder.level.value = "more advanced"
    builder.patient.value = "someone else"
    assert builder.plan != first
    builder.load_button.click()
    assert builder.plan == first
    assert builder.level.value == "beginners"
    assert builder.dose["heel-slides"]["reps"].value == 14
    assert "Plan loaded" in builder.status.value


def test_loading_a_plan_with_progression_restores_the_controls(catalogue, tmp_path) -> None:
    plan = bp.build_plan(
        catalogue,
        "beginners",
        ["wall-squats", "heel-raises"],
        start_date=START,
        weeks=6,
        progression=[
            bp.AddDose(what="reps", amount=2, every_weeks=2, cap=16),
            bp.next_level(catalogue, 4, exercises=["knee-to-chest"]),
        ],
    )
    builder = PlanBuilder(catalogue, plan, save_dir=tmp_path)
    assert builder.plan == plan
    assert builder.problem is None
    assert [ex for ex, box in builder.exercises.items() if box.value][:2] == [
        "wall-squats",
        "heel-raises",
    ]
    assert (builder.add_amount.value, builder.add_every.value, builder.add_cap.value) == (2, 2, 16)
    assert builder.move_up.value and builder.move_week.value == 4
    # The next level's exercise list is not a form choice: the note says so.
    assert "cannot show" in builder.status.value


def test_bad_plan_file_shows_the_error_not_a_traceback(builder, tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"schema_version": 1, "weeks": 99}')
    builder.path.value = str(tmp_path / "bad.json")
    before = builder.plan
    builder.load_button.click()
    assert "Could not load the plan" in builder.status.value
    assert "weeks" in builder.status.value
    assert builder.plan == before
    builder.path.value = str(tmp_path / "missing.json")
    builder.load_button.click()
    assert "readable plan file" in builder.status.value
    builder.path.value = " "
    builder.save_button.click()
    assert "file name" in builder.status.value


def test_reset_returns_to_catalogue_doses(builder, catalogue) -> None:
    builder.patient.value = "P-3"
    builder.dose["heel-raises"]["reps"].value = 20
    builder.exercises["ankle-lifts"].value = False
    builder.no_wall.value = True
    builder.add_dose.value = True
    builder.reset_button.click()
    assert builder.plan == bp.build_plan(catalogue, "beginners", patient="P-3", start_date=START)
    assert "reset" in builder.status.value


def test_export_writes_real_handouts(builder, tmp_path: Path) -> None:
    from pypdf import PdfReader

    assert builder.export_button is not None, "backplan.handout exists, so the button must"
    builder.patient.value = "P <&> 5"
    builder.path.value = "handouts/p5.json"
    builder.export_format.value = "pdf"
    builder.export_button.click()
    pdf = tmp_path / "handouts" / "p5.pdf"
    assert "Handout saved" in builder.status.value, builder.status.value
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    for p in builder.plan.prescriptions:
        name = bp.exercise(builder.catalogue, p.exercise)["name"]
        assert name.split(" (")[0] in text
    # Render page 1 as a person sees it (skips, naming poppler-utils, without pdftoppm).
    (png,) = pdftoppm(pdf, tmp_path, dpi=50, first=1, last=1)
    assert_every_line_is_inked(pdf, 0, png, dpi=50)
    builder.export_format.value = "html"
    builder.export_button.click()
    page = (tmp_path / "handouts" / "p5.html").read_text()
    builder.large_print.value = True
    builder.export_button.click()
    large = (tmp_path / "handouts" / "p5.html").read_text()
    assert large != page  # the large-print choice reaches the renderer
    assert (
        large
        == bp.handout.to_html(builder.plan, tmp_path / "direct.html", large_print=True).read_text()
    )
    assert "P &lt;&amp;&gt; 5" in page and "P <&> 5" not in page


def test_no_export_button_without_the_handout_module(catalogue, monkeypatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "backplan.handout" else real(name, *a),
    )
    builder = PlanBuilder(catalogue)
    assert builder.export_button is None

    def buttons(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from buttons(child)

    labels = [b.description for b in buttons(builder.widget) if hasattr(b, "on_click")]
    assert "Save plan" in labels and "Export handout" not in labels


def test_builder_shows_itself_as_the_last_line_of_a_cell(builder) -> None:
    bundle = builder._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == builder.widget.model_id
