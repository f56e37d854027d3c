"""One source of truth for numbers: what a handout says about reps, holds and sessions
always equals the dose in force (``dose_in_week``), and catalogue placeholders are checked
when the catalogue is loaded."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import backplan as bp
from backplan._io.paths import data_dir
from backplan.catalogue import split_steps
from backplan.handout.content import handout_content
from backplan.plan import dose_in_week

CAT = bp.load_catalogue()
ROWS = CAT.set_index("id")
NUMBER = re.compile(r"\d+")


def dose_claims(line: str) -> dict[str, int]:
    """The dose a sentence states, read back from its words."""
    claims: dict[str, int] = {}
    if m := re.search(r"(\d+) rounds? of", line):
        claims["sets"] = int(m.group(1))
    m = re.search(r"(?:rounds? of )?(\d+) times?(?! a day)", line)
    assert m, line
    claims["reps"] = int(m.group(1))
    m = re.search(r"hold each for (\d+) seconds?", line)
    claims["hold_s"] = int(m.group(1)) if m else 0
    m = re.search(r"(once|twice|(\d+) times) a day", line)
    assert m, line
    claims["sessions_per_day"] = {"once": 1, "twice": 2}.get(m.group(1)) or int(m.group(2))
    m = re.search(r"on (\d+) days? a week", line)
    claims["days_per_week"] = int(m.group(1)) if m else 7
    claims.setdefault("sets", 1)
    return claims


def as_claims(p: bp.Prescription) -> dict[str, int]:
    return {
        k: getattr(p, k) for k in ("sets", "reps", "hold_s", "sessions_per_day", "days_per_week")
    }


def template_numbers(exercise: str) -> set[str]:
    """Numbers the catalogue's own words hold outside placeholders (30 cm, 45 degrees)."""
    row = ROWS.loc[exercise]
    text = " ".join(str(row[c]) for c in ("position_detail", "steps", "easier_option"))
    return set(NUMBER.findall(re.sub(r"\{\w+\}", "", text)))


doses = st.fixed_dictionaries(
    {
        "reps": st.integers(1, 50),
        "hold_s": st.integers(0, 120),
        "sets": st.integers(1, 10),
        "sessions_per_day": st.integers(1, 6),
        "days_per_week": st.integers(1, 7),
    }
)
rules = st.lists(
    st.builds(
        bp.AddDose,
        what=st.sampled_from(["reps", "hold_s"]),
        amount=st.integers(1, 20),
        every_weeks=st.integers(1, 3),
        cap=st.integers(1, 50),
    ),
    max_size=2,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dose=doses,
    rules=rules,
    weeks=st.integers(1, 8),
    level_up=st.one_of(st.none(), st.integers(2, 8)),
)
def test_every_number_the_handout_states_equals_dose_in_week(dose, rules, weeks, level_up):
    progression = list(rules)
    if level_up is not None and level_up <= weeks:
        progression.append(bp.next_level(CAT, level_up, **dose))
    try:
        plan = bp.build_plan(
            CAT, "beginners", start_date="2026-01-05", weeks=weeks, progression=progression, **dose
        )
    except bp.PlanError:  # a cap below the starting dose: the plan itself is refused
        assume(False)
    h = handout_content(plan)
    for block in (*h.blocks, *h.next_blocks):
        last = block.until_week or plan.weeks
        in_force = [
            next(p for p in dose_in_week(plan, w) if p.exercise == block.exercise)
            for w in range(block.from_week, last + 1)
        ]
        assert dose_claims(block.dose) == as_claims(in_force[0])
        for line in block.later:
            week = int(re.match(r"From week (\d+): ", line).group(1))
            assert dose_claims(line) == as_claims(in_force[week - block.from_week]), line
        # numbers in the steps, the position and the easier way: either the catalogue's own
        # (a distance, an angle) or a dose value that holds in every week the block covers
        steady = {
            str(v)
            for k in ("sets", "reps", "hold_s", "sessions_per_day", "days_per_week")
            for v in {getattr(p, k) for p in in_force}
            if len({getattr(p, k) for p in in_force}) == 1
        }
        allowed = template_numbers(block.exercise) | steady
        for sentence in (block.position, *block.steps, block.easier):
            assert set(NUMBER.findall(sentence)) <= allowed, (sentence, in_force[0])


def test_a_changing_hold_points_to_the_dose_line():
    plan = bp.build_plan(
        CAT,
        "beginners",
        ["wall-squats"],
        start_date="2026-01-05",
        weeks=3,
        progression=[bp.AddDose(what="hold_s", amount=2, cap=20)],
    )
    (block,) = handout_content(plan).blocks
    assert 'Hold for the number of seconds shown in "How much".' in block.steps
    assert block.dose.startswith("10 times, hold each for 5 seconds")


def test_shipped_steps_state_no_dose_number_of_their_own():
    """Only placeholders may carry reps, holds or sessions in the shipped catalogue."""
    dose_number = re.compile(r"\b\d+\s*(times?|seconds?|reps?)\b|count (of|to) \d+", re.I)
    for row in CAT.itertuples():
        for text in (*split_steps(row.steps), row.easier_option, row.position_detail):
            assert not dose_number.search(str(text)), (row.id, text)


def write_catalogue(tmp_path: Path, **changes: str) -> Path:
    table = pd.read_csv(data_dir() / "back-exercises.csv", dtype=str).fillna("")
    for column, value in changes.items():
        if column not in table:
            table[column] = ""
        table.loc[2, column] = value
    path = tmp_path / "clinic.csv"
    table.to_csv(path, index=False)
    return path


def test_unknown_placeholder_is_a_catalogue_error_naming_row_and_column(tmp_path):
    path = write_catalogue(tmp_path, steps="Lie down. | Hold for {hold} seconds.")
    with pytest.raises(bp.CatalogueError) as err:
        bp.load_catalogue(path)
    message = str(err.value)
    assert "row 4, column 'steps'" in message and "{hold}" in message
    assert "{hold_s}" in message  # says what would have been accepted


def test_stray_brace_in_easier_option_is_reported(tmp_path):
    path = write_catalogue(tmp_path, easier_option="Do it {reps times.")
    with pytest.raises(bp.CatalogueError, match=r"row 4, column 'easier_option'"):
        bp.load_catalogue(path)


def test_plain_text_clinic_steps_still_work(tmp_path):
    path = write_catalogue(tmp_path, steps="Lie on your back. | Squeeze your tummy. | Relax.")
    cat = bp.load_catalogue(path)
    plan = bp.build_plan(cat, "beginners", ["abdominal-contraction"], start_date="2026-01-05")
    block = handout_content(plan, cat).blocks[0]
    assert block.steps == ("Lie on your back.", "Squeeze your tummy.", "Relax.")


def test_record_tables_fill_placeholders_from_each_runs_dose(tmp_path):
    plan = bp.build_plan(
        CAT,
        "more advanced",
        ["half-sit-ups"],
        start_date="2026-01-05",
        weeks=2,
        progression=[bp.AddDose(what="reps", amount=2, cap=20)],
    )
    table = bp.handout.handout_table(plan)
    assert list(table.easier_option.str.extract(r"Do this (\d+) times")[0]) == ["5", "7"]
    md = bp.handout.to_markdown(plan, tmp_path / "h.md").read_text()
    assert "{" not in md
