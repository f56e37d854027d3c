"""The plan builder's form without a browser: dose warnings before save and print, and
everything a plan holds carried through the form (issue 22, issue 20 deliver 3)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import backplan as bp
from backplan.ui import PlanBuilder

START = date(2026, 1, 5)


@pytest.fixture
def builder(catalogue: pd.DataFrame, tmp_path: Path) -> PlanBuilder:
    b = PlanBuilder(catalogue, library=tmp_path / "plans", settings_path=tmp_path / "clinic.json")
    b.start_date.value = START
    b.patient.value = "Ann Archer"
    b.clinician.value = "J. Physio"
    b.mark_saved(None, None)
    return b


def _heavy(b: PlanBuilder) -> None:
    """A dose a physio would not sign: 10 x 50 reps, 6 times a day."""
    ex = b.form.shown()[0]
    b.dose[ex]["sets"].value = "10"
    b.dose[ex]["reps"].value = "50"
    b.dose[ex]["sessions_per_day"].value = "6"


def _files(b: PlanBuilder) -> list[Path]:
    return sorted(b.library.folder.glob("*.json")) if b.library.folder.exists() else []


def test_a_plan_with_dose_warnings_is_not_saved_or_printed_until_checked(builder) -> None:
    b = builder
    assert b.warnings == [] and b.dose_warnings.box.layout.display == "none"
    _heavy(b)
    assert [w.code for w in b.warnings][:1] == ["reps-per-day"]
    shown = b.dose_warnings.list.value
    assert b.dose_warnings.box.layout.display == "flex"
    assert "reps a day" in shown and "before you save or print" in shown
    assert b.pending_warnings == b.warnings

    b.plans.save_button.click()
    assert _files(b) == []
    assert "tick &#x27;I have checked these doses&#x27;" in b.dose_warnings.message.value
    b.plans.save_new_button.click()
    assert _files(b) == []
    b.downloads.make_button.click()
    assert b.downloads.links.value == ""
    assert "dose warnings" in b.downloads.message.value

    b.dose_warnings.checked.value = True
    assert b.pending_warnings == []
    record = b.plan.warnings_accepted
    assert record is not None and record.by == "J. Physio"
    assert set(record.codes) == {w.code for w in b.warnings}
    assert "checked by J. Physio" in b.dose_warnings.list.value
    b.plans.save_button.click()
    (saved,) = _files(b)
    assert bp.load_plan(saved).warnings_accepted == record  # stored with the plan
    b.downloads.make_button.click()
    assert "Handout (PDF)" in b.downloads.links.value


def test_an_edit_that_brings_a_new_warning_needs_a_new_check(builder) -> None:
    b = builder
    _heavy(b)
    b.dose_warnings.checked.value = True
    assert b.pending_warnings == []
    b.weeks.value = "8"  # same warnings: still accepted
    assert b.pending_warnings == [] and b.dose_warnings.checked.value
    b.dose[b.form.shown()[1]]["sets"].value = "10"  # a second exercise: 150+ reps a day
    assert b.pending_warnings and not b.dose_warnings.checked.value
    assert "before you save or print" in b.dose_warnings.list.value
    b.reset_button.click()  # back to the catalogue's doses: no warning, no record
    assert b.warnings == [] and b.plan.warnings_accepted is None
    assert b.dose_warnings.box.layout.display == "none"


def test_the_check_needs_a_name_to_record(builder) -> None:
    b = builder
    b.clinician.value = ""
    _heavy(b)
    b.dose_warnings.checked.value = True
    assert not b.dose_warnings.checked.value and b.plan.warnings_accepted is None
    assert "Type your name in Clinician" in b.dose_warnings.message.value


def test_an_opened_plan_keeps_its_accepted_warnings(builder, catalogue) -> None:
    b = builder
    plan = bp.build_plan(catalogue, "beginners", ["heel-raises"], start_date=START,
                         patient="Bo", sets=10, reps=50, sessions_per_day=6)  # fmt: skip
    signed = bp.accept_warnings(plan, by="K. Lee", catalogue=catalogue)
    b.apply_plan(signed)
    assert b.plan.warnings_accepted == signed.warnings_accepted
    assert b.pending_warnings == [] and b.dose_warnings.checked.value
    assert "checked by K. Lee" in b.dose_warnings.list.value


def test_the_form_carries_language_start_back_and_the_opened_plans_id(builder) -> None:
    b = builder
    assert [v for _, v in b.form.language.options] == list(bp.languages().code)
    b.form.language.value = "pl"
    b.form.start_back.value = "high"
    assert (b.plan.language, b.plan.start_back) == ("pl", "high")
    b.plans.save_button.click()
    (first,) = _files(b)
    saved = bp.load_plan(first)
    assert (saved.language, saved.start_back) == ("pl", "high")

    b.new_patient()
    assert (b.plan.language, b.plan.start_back, b.form.start_back.value) == ("en", None, "")
    b.plans.open(first.name)
    assert b.plan == saved and b.form.language.value == "pl"
    assert "settings the form cannot show" not in b.status.value
    b.weeks.value = "8"  # an edit; the opened plan keeps its id through every save
    b.notes.value = "Walk daily."
    b.plans.save_button.click()
    again = bp.load_plan(first)
    assert again.weeks == 8 and again.plan_id == saved.plan_id and _files(b) == [first]

    b.plans.save_new_button.click()  # another plan: its own id
    (other,) = set(_files(b)) - {first}
    assert bp.load_plan(other).plan_id not in ("", saved.plan_id)
    assert b.plan.plan_id == bp.load_plan(other).plan_id

    files = b.downloads.files()  # handouts printed from the app speak the patient's language
    page = files["Handout (web page)"][1].decode("utf-8")
    assert 'lang="pl"' in page
