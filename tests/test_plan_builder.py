"""PlanBuilder: set widget values and click buttons as a physio would, then check the plan
and the preview against direct calls of the public functions."""

from __future__ import annotations

import base64
import html
import random
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from rendered import assert_chart_png, assert_every_line_is_inked, pdftoppm

import backplan as bp
from backplan._io.paths import data_dir
from backplan.plan.rules import DOSE_BOUNDS
from backplan.settings import load_settings
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
    b = PlanBuilder(catalogue, library=tmp_path / "plans", settings_path=tmp_path / "clinic.json")
    b.start_date.value = START
    b.mark_saved(None, None)  # the empty plan a physio starts from
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


def test_preview_shows_week_one_and_every_week_that_changes(builder, catalogue) -> None:
    """Issue 22 item 8: the preview showed weeks 1 and 6 only, hiding a week-3 increase."""
    builder.dose["heel-slides"]["reps"].value = 12
    builder.weeks.value = 6
    builder.add_dose.value = True
    builder.add_amount.value = 2
    builder.add_every.value = 2
    builder.add_cap.value = 16
    sched = bp.schedule(builder.plan, catalogue)
    dose = ["sets", "reps", "hold_s", "sessions_per_day", "days_per_week"]
    # expected straight from the schedule: week 1, then each row whose dose differs from
    # the week before (every 2 weeks here: weeks 3 and 5)
    prev = sched.assign(week=sched.week + 1).set_index(["week", "exercise"])[dose]
    keyed = sched.set_index(["week", "exercise"])
    changed = (keyed[dose] != prev.reindex(keyed.index)).any(axis=1).to_numpy()
    expected = sched[(sched.week == 1).to_numpy() | changed].reset_index(drop=True)
    assert sorted(set(expected.week)) == [1, 3, 5]
    columns = ["week", "name", "sets", "reps", "hold_s", "sessions_per_day", "days_per_week"]
    columns += ["weekly_reps", "weekly_hold_seconds"]
    pd.testing.assert_frame_equal(builder.preview[columns], expected[columns])
    rows = table_rows(builder.preview_table.value)
    header, body = rows[0], rows[1:]
    assert len(body) == len(expected)
    for cells, (_, row) in zip(body, expected.iterrows(), strict=True):
        shown = dict(zip(header, cells, strict=True))
        assert shown["Week"] == str(row.week)
        assert shown["Exercise"] == row["name"]
        assert shown["Reps"] == str(row.reps)
        assert shown["Reps a week"] == str(row.weekly_reps)
        assert shown["Seconds held a week"] == str(row.weekly_hold_seconds)
        side = bp.exercise(catalogue, row.exercise)["side"] if row.per_side else ""
        assert shown["Each"] == side
    heel = [r for r in body if r[1] == "Heel slides"]
    assert [r[3] for r in heel] == ["12", "14", "16"]  # weeks 1, 3 and 5 (capped at 16)
    assert "Weeks not listed repeat the week before" in builder.preview_table.value


def test_preview_shows_a_revision_and_a_level_change(builder, catalogue) -> None:
    plan = bp.build_plan(
        catalogue, "beginners", ["heel-raises", "heel-slides"], patient="R", weeks=6,
        start_date=START, progression=[bp.next_level(catalogue, 5)],
    )  # fmt: skip
    plan = bp.revise(plan, 4, {"heel-raises": {"reps": 6}}, why="sore", by="A. Physio")
    builder.apply_plan(plan)
    shown = builder.preview
    assert sorted(set(shown.week)) == [1, 4, 5]
    week4 = shown[shown.week == 4]
    assert week4[["exercise", "reps", "change"]].values.tolist() == [["heel-raises", 6, "changed"]]
    week5 = shown[shown.week == 5]
    assert set(week5.loc[week5.change == "stops", "exercise"]) == {"heel-raises", "heel-slides"}
    assert set(week5.loc[week5.change == "new", "exercise"]) >= {"knee-to-chest"}
    assert "Heel raises (stops)" in builder.preview_table.value


def test_chart_bars_equal_the_weekly_volume_table(builder, catalogue) -> None:
    figures = plt.get_fignums()
    before = builder.chart.value
    builder.dose["wall-squats"]["reps"].value = 12
    assert builder.chart.value != before
    builder.dose["wall-squats"]["hold_s"].value = 8
    src = builder.chart.value.split('src="data:image/png;base64,')[1].split('"')[0]
    png = base64.b64decode(src)
    assert png == builder.preview_panel.png
    assert_chart_png(png)
    assert 'alt="Chart of repetitions per week for weeks 1 to 6' in builder.chart.value
    volume = bp.weekly_volume(builder.plan, catalogue)
    pd.testing.assert_frame_equal(builder.volume, volume)
    names = list(dict.fromkeys(volume["name"]))
    bars = builder.axes.containers
    assert [c.get_label() for c in bars] == names
    for container, name in zip(bars, names, strict=True):
        expected = volume.loc[volume.name == name, "reps"].tolist()
        assert [p.get_height() for p in container] == expected
    builder.chart_metric.value = "hold_seconds"
    labels = [c.get_label() for c in builder.axes.containers]
    wall = builder.axes.containers[labels.index("Wall squats")]
    assert [p.get_height() for p in wall] == [8 * 12 * 7] * 6
    assert "Heel slides" not in labels  # no hold: no bar, so no legend entry
    assert builder.axes.get_ylabel() == "Seconds held per week"
    builder.chart_by.value = "target"
    by_target = bp.weekly_volume(builder.plan, catalogue, by="target")
    held = by_target.groupby("target", sort=False)["hold_seconds"].sum()
    assert [c.get_label() for c in builder.axes.containers] == list(held[held > 0].index)
    # each second counted once: the body areas add up to the plan's seconds
    tops = [sum(c[i].get_height() for c in builder.axes.containers) for i in range(6)]
    assert tops == bp.weekly_volume(builder.plan, catalogue, by=None)["hold_seconds"].tolist()
    assert plt.get_fignums() == figures  # the builder never opens pyplot figures


def test_per_side_rule_is_shown_in_the_handout_words(builder, catalogue) -> None:
    from backplan.words import dose_words

    assert builder.side_text["heel-slides"].value.startswith("10 times on each leg")
    builder.dose["ankle-lifts"]["sets"].value = 2
    assert builder.side_text["ankle-lifts"].value.startswith("2 rounds of 10 times on each ankle")
    for p in builder.plan.prescriptions:
        side = bp.exercise(catalogue, p.exercise)["side"] if p.per_side else ""
        assert builder.side_text[p.exercise].value == html.escape(dose_words(p, side))


@pytest.mark.parametrize(("field", "value"), [("reps", 99), ("reps", 0), ("sets", 11)])
def test_out_of_range_dose_says_why_next_to_the_field_and_changes_nothing(
    builder, field: str, value: int
) -> None:
    before = builder.plan
    box = builder.dose["heel-raises"][field]
    box.value = value
    lo, hi = DOSE_BOUNDS[field]
    words = f"{field}: {lo} to {hi}"
    assert box.value == str(value)  # never clamped behind the physio's back
    assert "bp-invalid" in box._dom_classes
    assert words in builder.side_text["heel-raises"].value
    assert builder.problem == f"Heel raises: {words}"
    assert builder.plan == before
    box.value = hi
    assert builder.problem is None and "bp-invalid" not in box._dom_classes
    assert "bp-field-error" not in builder.side_text["heel-raises"].value
    assert {p.exercise: getattr(p, field) for p in builder.plan.prescriptions}["heel-raises"] == hi


def test_weeks_out_of_range_is_named(builder) -> None:
    builder.weeks.value = 60
    assert builder.problem == "weeks: 1 to 52"
    assert builder.plan.weeks == 6


def test_patient_filters_write_the_plans_restrictions(builder, catalogue) -> None:
    builder.level.value = "more advanced"
    builder.no_stomach.value = True
    builder.no_chair.value = True
    limits = bp.Restrictions(avoid_positions=["lying on stomach"], lacks_equipment=["chair"])
    assert builder.plan.restrictions == limits
    expected = bp.allowed_exercises(catalogue, limits, level="more advanced")
    assert [p.exercise for p in builder.plan.prescriptions] == list(expected.id)
    assert "bp-hidden" in builder.form.rows["prone-leg-raises"]._dom_classes
    builder.level.value = "beginners"
    builder.no_wall.value = True
    builder.no_back.value = True
    assert [p.exercise for p in builder.plan.prescriptions] == ["heel-raises"]
    assert builder.plan.restrictions.describe() == [
        "No exercises lying on stomach.",
        "No exercises lying on back.",
        "No exercises that need: wall, chair.",
    ]


def test_an_opened_plan_shows_its_restrictions(builder, catalogue) -> None:
    limits = bp.Restrictions(
        avoid_positions=["lying on back", "sitting"],
        lacks_equipment=["wall"],
        avoid_targets=["hip"],
    )
    plan = bp.build_plan(catalogue, "beginners", start_date=START, restrictions=limits)
    builder.apply_plan(plan)
    assert builder.plan == plan and builder.problem is None
    assert builder.no_back.value and builder.no_wall.value
    assert not builder.no_stomach.value and not builder.no_chair.value
    # What the filters cannot tick is kept, and said in words.
    note = builder.form.restrictions_note.value
    assert "sitting" in note and "hip" in note
    builder.dose["heel-raises"]["reps"].value = 12
    assert builder.plan.restrictions == limits
    assert [p.exercise for p in builder.plan.prescriptions] == ["heel-raises"]


def test_cap_cannot_go_below_the_starting_dose(builder, catalogue) -> None:
    builder.dose["heel-raises"]["reps"].value = 15
    builder.add_dose.value = True
    builder.add_cap.value = 5
    assert builder.problem == "up to: at least 15 (the highest starting reps)"
    assert "up to: at least 15" in builder.form.progression_error.value
    assert builder.add_cap.value == "5"  # kept as typed, marked, not used
    builder.add_cap.value = 15
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
    assert builder.problem == "up to: at least 30 (the highest starting hold)"
    builder.add_cap.value = 30
    assert builder.plan.progression[0].cap == 30


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
    no_stomach = bp.Restrictions(avoid_positions=["lying on stomach"])
    ids = list(bp.allowed_exercises(catalogue, no_stomach, "beginners").id)
    upper = list(bp.allowed_exercises(catalogue, no_stomach, "more advanced").id)
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
        restrictions=bp.Restrictions(avoid_positions=["lying on stomach"]),
    )
    assert builder.plan == expected
    assert bp.level_in_week(builder.plan, 5) == "more advanced"


def test_next_level_keeps_the_plans_sessions_and_can_be_set_by_hand(builder, catalogue) -> None:
    for boxes in builder.dose.values():
        boxes["sessions_per_day"].value = 2
    builder.weeks.value = 8
    builder.move_up.value = True
    builder.move_week.value = 5
    rule_plan = builder.plan
    (rule,) = rule_plan.progression
    assert {p.sessions_per_day for p in rule.prescriptions} == {2}  # twice a day stays
    shown = builder.next_rows.dose["knee-to-chest"]
    assert shown["sessions_per_day"].number == 2 and shown["reps"].disabled
    assert "twice a day" in builder.next_rows.side_text["knee-to-chest"].value
    builder.next_by_hand.value = True
    builder.next_rows.dose["knee-to-chest"]["reps"].value = 6
    builder.next_rows.exercises["half-sit-ups"].value = False
    fields = ["sets", "reps", "hold_s", "sessions_per_day", "days_per_week"]
    kept = [p for p in rule.prescriptions if p.exercise != "half-sit-ups"]
    by_hand = {p.exercise: {f: getattr(p, f) for f in fields} for p in kept}
    by_hand["knee-to-chest"]["reps"] = 6
    expected = bp.build_plan(
        catalogue,
        "beginners",
        start_date=START,
        weeks=8,
        sessions_per_day=2,
        progression=[
            bp.next_level(catalogue, 5, "more advanced", list(by_hand), per_exercise=by_hand)
        ],
    )
    assert builder.problem is None and builder.plan == expected
    builder.next_rows.dose["knee-to-chest"]["reps"].value = 99
    assert builder.problem == "Next level: Knees to chest (eases strain): reps: 1 to 50"
    assert builder.plan == expected
    builder.next_rows.dose["knee-to-chest"]["reps"].value = 6
    builder.next_by_hand.value = False  # back to what the level-up gives
    assert builder.plan.progression == rule_plan.progression and builder.problem is None
    builder.next_by_hand.value = True
    builder.next_rows.dose["knee-to-chest"]["reps"].value = 6
    builder.next_rows.exercises["half-sit-ups"].value = False
    assert builder.plan == expected
    # Opened again, the plan shows its next level as set by hand, with nothing lost.
    other = PlanBuilder(catalogue, library=builder.library, settings_path=builder.clinic.path)
    other.apply_plan(expected)
    assert other.next_by_hand.value and other.plan == expected
    assert "cannot show" not in other.status.value


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
    builder.plans.save_button.click()
    assert "Not saved" in builder.status.value
    assert not builder.library.folder.exists()


def test_random_control_values_never_raise(builder) -> None:
    """Every combination either makes a valid plan or shows a message."""
    rng = random.Random(20260105)
    numbers = [box for boxes in builder.dose.values() for box in boxes.values()]
    numbers += [builder.weeks, builder.add_amount, builder.add_every, builder.add_cap]
    numbers += [builder.move_week]
    # Anything a physio can type, in range or not.
    flags = [*builder.exercises.values(), *builder.filters.values()]
    flags += [builder.add_dose, builder.move_up]
    valid, messages = 0, set()
    for _ in range(150):
        kind = rng.random()
        if kind < 0.5:
            box = rng.choice(numbers)
            box.value = rng.randint(-1, 55) if rng.random() < 0.1 else rng.randint(1, 10)
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
    assert valid > 30 and len(messages) > 1  # both outcomes were reached


def test_save_and_open_round_trip_through_the_library(builder) -> None:
    builder.patient.value = "P-002"
    builder.dose["heel-slides"]["reps"].value = 14
    builder.plans.save_button.click()
    name = "p-002_2026-01-05.json"
    assert f"Saved the plan of P-002 as {name}" in builder.status.value
    assert str(builder.library.folder) not in builder.status.value  # no server path
    assert bp.load_plan(builder.library.folder / name) == builder.plan
    first = builder.plan
    builder.level.value = "more advanced"
    builder.patient.value = "someone else"
    assert builder.plan != first
    builder.plans.search.value = "002"
    assert builder.plans.plans.options[0][1] == name
    builder.plans.plans.value = name
    builder.plans.open_button.click()
    assert builder.plan != first and "unsaved changes" in builder.ask.value  # asked first
    builder.discard_button.click()
    assert builder.plan == first and not builder.unsaved
    assert builder.level.value == "beginners"
    assert builder.dose["heel-slides"]["reps"].value == "14"
    assert "Opened the plan of P-002" in builder.status.value
    builder.plans.search.value = "nobody"
    assert builder.plans.plans.options == ()


def test_saving_a_second_patient_never_replaces_the_first(builder) -> None:
    builder.patient.value = "Ann Example"
    builder.plans.save_button.click()
    ann = builder.plan
    # The physio changes the name on the open plan: a new file, not Ann's.
    builder.patient.value = "Bob Example"
    builder.dose["heel-raises"]["reps"].value = 12
    builder.plans.save_button.click()
    bob = builder.plan
    folder = builder.library.folder
    assert bp.load_plan(folder / "ann-example_2026-01-05.json") == ann
    assert bp.load_plan(folder / "bob-example_2026-01-05.json") == bob
    # Forcing Bob's plan onto Ann's file asks first and changes nothing until answered.
    builder.saved_as = None
    builder.plans.save_to("ann-example_2026-01-05.json")
    assert builder.plans.confirm.layout.display == ""
    assert "holds the plan of Ann Example" in builder.plans.confirm.children[0].value
    assert bp.load_plan(folder / "ann-example_2026-01-05.json") == ann
    builder.plans.keep_button.click()
    assert bp.load_plan(folder / "ann-example_2026-01-05.json") == ann
    assert len(list(folder.glob("*.json"))) == 3
    builder.plans.save_to("ann-example_2026-01-05.json")
    builder.plans.replace_button.click()
    # Bob's plan, under the new id "Keep both" gave it (a plan saved as new is another plan)
    assert bp.load_plan(folder / "ann-example_2026-01-05.json") == bob.model_copy(
        update={"plan_id": builder.plan.plan_id}
    )


def test_save_as_new_keeps_the_old_version(builder) -> None:
    builder.patient.value = "P-9"
    builder.plans.save_button.click()
    builder.weeks.value = 8
    builder.plans.save_new_button.click()
    names = sorted(p.name for p in builder.library.folder.glob("*.json"))
    assert names == ["p-9_2026-01-05-2.json", "p-9_2026-01-05.json"]
    assert bp.load_plan(builder.library.folder / names[1]).weeks == 6


def test_templates_start_a_plan_and_a_plan_saves_as_a_template(builder, catalogue) -> None:
    builder.patient.value = "P-7"
    builder.plans.templates.value = "first-two-weeks"
    assert "NHS inform" in builder.plans.template_about.value
    builder.plans.use_template.click()
    plan = builder.plan
    assert plan.patient == "P-7" and plan.start_date == START and plan.weeks == 2
    assert {(p.reps, p.sessions_per_day) for p in plan.prescriptions} == {(5, 3)}
    builder.dose["heel-raises"]["reps"].value = 7
    builder.plans.template_name.value = "Our knees plan"
    builder.plans.save_template.click()
    saved = builder.library.template_folder / "our-knees-plan.json"
    text = saved.read_text()
    assert "P-7" not in text and "2026-01-05" not in text
    assert builder.plans.templates.value == "own:our-knees-plan"
    builder.patient.value = "P-8"
    builder.plans.use_template.click()
    reps = {p.exercise: p.reps for p in builder.plan.prescriptions}
    assert reps["heel-raises"] == 7 and builder.plan.patient == "P-8"


def test_a_template_keeps_the_patients_restrictions(builder, catalogue) -> None:
    builder.patient.value = "P-9"
    builder.no_wall.value = True
    builder.plans.templates.value = "first-two-weeks"
    builder.plans.use_template.click()
    plan = builder.plan
    assert builder.no_wall.value and plan.restrictions.lacks_equipment == ("wall",)
    assert "wall-squats" not in {p.exercise for p in plan.all_prescriptions()}
    status = html.unescape(builder.status.value)
    assert "Left out for this patient's restrictions: Wall squats." in status
    template = bp.shipped_templates()["first-two-weeks"]
    limits = bp.Restrictions(lacks_equipment=["wall"])
    assert plan == bp.plan_from_template(
        template, patient="P-9", start_date=START, restrictions=limits
    )
    builder.no_back.value = True
    builder.plans.use_template.click()  # standing exercises only: heel raises
    assert [p.exercise for p in builder.plan.prescriptions] == ["heel-raises"]
    assert builder.plan.restrictions.avoid_positions == ("lying on back",)


def _upload(name: str, data: bytes) -> tuple[dict, ...]:
    when = datetime.now(UTC)
    return (
        {
            "name": name,
            "type": "",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": when,
        },
    )


def test_uploaded_plan_opens_and_a_bad_one_is_explained(builder, catalogue) -> None:
    plan = bp.build_plan(catalogue, "more advanced", patient="Up Loaded", start_date=START)
    builder.plans.upload_plan.value = _upload("mine.json", bp.plan_to_json(plan).encode())
    assert builder.plan == plan
    assert "Opened mine.json" in builder.status.value
    before = builder.plan
    builder.plans.upload_plan.value = _upload("bad.json", b'{"schema_version": 1, "weeks": 99}')
    assert "Could not open bad.json" in builder.status.value and "weeks" in builder.status.value
    assert builder.plan == before
    assert "/tmp" not in builder.status.value


def test_reset_returns_to_catalogue_doses(builder, catalogue) -> None:
    builder.patient.value = "P-3"
    builder.dose["heel-raises"]["reps"].value = 20
    builder.exercises["ankle-lifts"].value = False
    builder.no_wall.value = True
    builder.add_dose.value = True
    builder.reset_button.click()
    assert builder.plan == bp.build_plan(
        catalogue,
        "beginners",
        patient="P-3",
        start_date=START,
        restrictions=bp.Restrictions(lacks_equipment=["wall"]),
    )
    assert builder.no_wall.value  # resetting doses keeps what the physio ruled out
    assert "reset" in builder.status.value


def _links(builder) -> dict[str, tuple[str, bytes]]:
    found = re.findall(
        r'<a download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', builder.downloads.links.value
    )
    return {name: base64.b64decode(data) for name, data in found}


def test_downloads_are_real_handouts_with_the_clinic_name(builder, tmp_path: Path) -> None:
    from pypdf import PdfReader

    builder.clinic.clinic.value = "Riverside <Physio>"
    builder.clinic.phone.value = "01234 567890"
    builder.clinic.physio.value = "Sam Okafor"
    builder.clinic.save_button.click()
    assert load_settings(tmp_path / "clinic.json").clinic == "Riverside <Physio>"
    builder.patient.value = "P <&> 5"
    builder.downloads.make_button.click()
    assert "Files ready for P <&> 5" in html.unescape(builder.status.value)
    files = _links(builder)
    assert sorted(files) == [
        "p-5_2026-01-05.html",
        "p-5_2026-01-05.json",
        "p-5_2026-01-05.pdf",
        "p-5_2026-01-05.xlsx",
    ]
    assert "/tmp" not in builder.downloads.links.value.split("base64")[0]
    assert bp.plan_from_json(files["p-5_2026-01-05.json"].decode()) == builder.plan
    pdf = tmp_path / "p5.pdf"
    pdf.write_bytes(files["p-5_2026-01-05.pdf"])
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "P <&> 5" in text and "Riverside <Physio>" in text
    assert "01234 567890" in text and "Sam Okafor" in text  # the app's clinic, every handout
    for p in builder.plan.prescriptions:
        name = bp.exercise(builder.catalogue, p.exercise)["name"]
        assert name.split(" (")[0] in text
    # Render page 1 as a person sees it (skips, naming poppler-utils, without pdftoppm).
    (png,) = pdftoppm(pdf, tmp_path, dpi=50, first=1, last=1)
    assert_every_line_is_inked(pdf, 0, png, dpi=50)
    page = files["p-5_2026-01-05.html"].decode()
    assert "P &lt;&amp;&gt; 5" in page and "P <&> 5" not in page
    builder.downloads.large_print.value = True
    assert builder.downloads.links.value == ""  # links for the old choice are gone
    builder.downloads.make_button.click()
    large = _links(builder)["p-5_2026-01-05-large-print.html"].decode()
    direct = bp.handout.to_html(
        builder.plan,
        tmp_path / "d.html",
        large_print=True,
        settings=load_settings(tmp_path / "clinic.json"),
    ).read_text()
    assert "01234 567890" in large and "Sam Okafor" in large
    assert large == direct
    builder.dose["heel-raises"]["reps"].value = 12
    assert builder.downloads.links.value == ""  # a changed plan needs new files


def test_plan_file_download_without_the_handout_module(catalogue, monkeypatch, tmp_path) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "backplan.handout" else real(name, *a),
    )
    builder = PlanBuilder(catalogue, library=tmp_path)
    builder.downloads.make_button.click()
    assert list(_links(builder)) == [bp.plan_file_name(builder.plan)]


def test_review_shows_this_patients_adherence_and_flags(tmp_path: Path) -> None:
    import shutil

    demo = data_dir() / "demo"
    plan = bp.load_plan(demo / "plans" / "SYN-0001.json")
    builder = PlanBuilder(plan=plan, library=tmp_path)
    data = (demo / "logs.csv").read_bytes()
    builder.review.upload_logs.value = _upload("clinic-logs.csv", data)
    expected = bp.adherence(demo / "logs.csv", [plan])
    shown = builder.review.result.value
    row = expected.by_patient.iloc[0]
    assert f"{row['adherence']:.0%}" in shown
    assert "clinic-logs.csv" in shown and "/tmp" not in shown
    # The plan has ended: the decision is shown but cannot be applied.
    assert "Week 8 review" in builder.review.decider.shown.value
    assert builder.review.decider.apply_button.disabled
    other = plan.model_copy(update={"patient": "Nobody"})
    builder.apply_plan(other)
    builder.review.upload_logs.value = _upload("clinic-logs.csv", data)
    assert "no usable log rows for Nobody" in builder.review.result.value
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_review_decision_applies_as_a_revision_and_saving_keeps_the_history(
    tmp_path: Path,
) -> None:
    demo = data_dir() / "demo"
    plan = bp.load_plan(demo / "plans" / "SYN-0001.json")
    logs = pd.read_csv(demo / "logs.csv")
    logs = logs[
        pd.to_datetime(logs["date"]) < pd.Timestamp(plan.start_date) + pd.Timedelta(days=28)
    ]
    builder = PlanBuilder(plan=plan, library=tmp_path / "plans", settings_path=tmp_path / "c.json")
    builder.clinic.clinic.value = "Riverside Physio"
    builder.clinic.phone.value = "01234 567890"
    builder.clinic.physio.value = "Sam Okafor"
    builder.clinic.save_button.click()
    builder.review.upload_logs.value = _upload("four-weeks.csv", logs.to_csv(index=False).encode())
    expected = bp.review(
        plan,
        bp.read_logs(demo / "logs.csv").accepted.pipe(
            lambda f: f[f["date"] < pd.Timestamp(plan.start_date) + pd.Timedelta(days=28)]
        ),
    )
    decider = builder.review.decider
    shown = html.unescape(decider.shown.value)
    assert f"Week {expected.week} review: {expected.decision.upper()}" in shown
    assert expected.reason in shown and expected.rule.replace("-", " ") in shown
    assert "Reps done" in shown and "Days since the last log" in shown
    assert builder.plan == plan  # a decision never changes the plan by itself
    assert not decider.apply_button.disabled
    decider.apply_button.click()
    revised = builder.plan
    assert builder.problem is None and len(revised.revisions) == 1
    rev = revised.revisions[0]
    assert (rev.by, rev.decision, rev.why, rev.from_week) == (
        "Sam Okafor",
        expected.decision,
        expected.reason,
        expected.week + 1,
    )
    direct = bp.apply_review(plan, expected, by="Sam Okafor", when=rev.made_at)
    assert revised == direct
    assert [bp.dose_in_week(revised, w) for w in range(1, 9)] == [
        bp.dose_in_week(direct, w) for w in range(1, 9)
    ]
    changes = html.unescape(decider.changes.value)
    for sentence in bp.what_changed(revised):
        assert sentence in changes
    assert "Sam Okafor" in changes and "Revision" in changes
    volume = bp.weekly_volume(bp.schedule(revised, builder.catalogue), by="exercise")
    pd.testing.assert_frame_equal(builder.volume, volume)  # the preview shows the revision
    # Editing the revised plan keeps the history; saving and opening it again too.
    builder.notes.value = "Walk daily as well."
    assert builder.plan.revisions == revised.revisions
    builder.plans.save_button.click()
    assert builder.saved_as is not None
    opened = builder.library.open(builder.saved_as)
    assert opened.revisions == revised.revisions and opened.notes == "Walk daily as well."
    # The review shown was for the plan before: it cannot be applied twice.
    assert decider.apply_button.disabled
    # Another patient's plan puts this patient's logs and decision away.
    builder.apply_plan(plan.model_copy(update={"patient": "SYN-0002"}))
    assert builder.review.logs is None and decider.shown.value == ""
    assert builder.review.result.value == "" and decider.changes.value == ""


def test_review_without_a_physio_name_is_not_applied(tmp_path: Path) -> None:
    demo = data_dir() / "demo"
    plan = bp.load_plan(demo / "plans" / "SYN-0001.json").model_copy(update={"clinician": ""})
    logs = pd.read_csv(demo / "logs.csv")
    logs = logs[
        pd.to_datetime(logs["date"]) < pd.Timestamp(plan.start_date) + pd.Timedelta(days=21)
    ]
    builder = PlanBuilder(plan=plan, library=tmp_path, settings_path=tmp_path / "none.json")
    builder.review.upload_logs.value = _upload("logs.csv", logs.to_csv(index=False).encode())
    builder.review.decider.apply_button.click()
    assert "physio" in builder.status.value and builder.plan == plan


def test_builder_shows_itself_as_the_last_line_of_a_cell(builder) -> None:
    bundle = builder._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == builder.widget.model_id


def test_a_builder_made_ahead_of_time_starts_today(builder, monkeypatch) -> None:
    """Voila's preheated kernel may build the app yesterday; the physio sees today."""
    import backplan.ui.plan_builder as module

    builder.start_date.value = builder._made_on
    builder.library.save(builder.plan.model_copy(update={"patient": "Saved Later"}))

    class Tomorrow(date):
        @classmethod
        def today(cls) -> date:
            return date(2099, 1, 1)

    monkeypatch.setattr(module, "date", Tomorrow)
    builder.fresh_start()
    assert builder.plan.start_date == date(2099, 1, 1)
    assert any("Saved Later" in label for label, _ in builder.plans.plans.options)
    builder.start_date.value = START  # a date the physio chose is kept
    builder.fresh_start()
    assert builder.plan.start_date == START


def test_a_warning_sign_in_an_uploaded_note_makes_the_app_say_refer(tmp_path: Path) -> None:
    """The app reviews the uploaded file itself, so what the patient wrote reaches the
    decision: a cauda equina sign means REFER, quoted with its day, above every other note."""
    plan = bp.build_plan(bp.load_catalogue(), "beginners", ["heel-raises"], patient="J.S.",
                         start_date="2026-01-05", weeks=4)  # fmt: skip
    days = pd.date_range("2026-01-05", periods=7).strftime("%Y-%m-%d")
    logs = pd.DataFrame({"patient": "J.S.", "date": days, "exercise": "heel-raises",
                         "sets_done": 1, "reps_done": 10, "pain": 2, "note": ""})  # fmt: skip
    logs.loc[2, "note"] = "felt fine today"
    logs.loc[3, "note"] = "numb around my bottom since Tues, can't pee properly"
    builder = PlanBuilder(plan=plan, library=tmp_path / "plans", settings_path=tmp_path / "c.json")
    builder.review.upload_logs.value = _upload("js.csv", logs.to_csv(index=False).encode())
    shown = html.unescape(builder.review.decider.shown.value)
    assert "REFER: call the patient today" in shown
    assert shown.index("numb around my bottom") < shown.index("felt fine today")
    assert "Warning sign" in shown
    assert builder.review.decider.apply_button.disabled  # a referral is not a dose change
