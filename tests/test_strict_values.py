"""Values are never guessed at: a plan refuses what pydantic's lax mode would coerce, the
API names the argument that is wrong, and revisions stay within their own limits."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import backplan as bp
from backplan import handout
from backplan.plan.rules import WHAT_CHARS

WHEN = datetime(2026, 1, 10, 9, 0)


@pytest.fixture(scope="module")
def plan(catalogue: pd.DataFrame) -> bp.Plan:
    return bp.build_plan(catalogue, "beginners", ["heel-raises", "wall-squats"], patient="A.B.",
                         start_date="2026-01-05", weeks=8)  # fmt: skip


def _edited(plan: bp.Plan, change) -> str:
    data = json.loads(bp.plan_to_json(bp.revise(plan, 2, {"heel-raises": {"reps": 8}}, why="x",
                                                by="y", when=WHEN)))  # fmt: skip
    change(data)
    return json.dumps(data)


SAVED_SLIPS = {  # a saved plan's field set to a value lax pydantic would have coerced
    "reps true": (lambda d: d["prescriptions"][0].update(reps=True), "reps"),
    "reps text": (lambda d: d["prescriptions"][0].update(reps="10"), "reps"),
    "per_side 1": (lambda d: d["prescriptions"][0].update(per_side=1), "per_side"),
    "per_side 'true'": (lambda d: d["prescriptions"][0].update(per_side="true"), "per_side"),
    "weeks true": (lambda d: d.update(weeks=True), "weeks"),
    "schema_version true": (lambda d: d.update(schema_version=True), "schema_version"),
    "start_date 2026": (lambda d: d.update(start_date=2026), "start_date"),
    "made_at 2026": (lambda d: d["revisions"][0].update(made_at=2026), "made_at"),
    "made_at '2026'": (lambda d: d["revisions"][0].update(made_at="2026"), "made_at"),
    "hold_level 'yes'": (lambda d: d["revisions"][0].update(hold_level="yes"), "hold_level"),
    "patient 5": (lambda d: d.update(patient=5), "patient"),
    "from_week 2.5": (lambda d: d["revisions"][0].update(from_week=2.5), "from_week"),
}


@pytest.mark.parametrize("slip", SAVED_SLIPS)
def test_a_saved_plan_never_has_a_value_guessed(plan: bp.Plan, slip: str) -> None:
    """``"reps": true`` once loaded as 1 rep and ``"made_at": 2026`` as 1970-01-01T00:33:46Z."""
    change, field = SAVED_SLIPS[slip]
    with pytest.raises((bp.PlanError, bp.PlanVersionError), match=field):
        bp.plan_from_json(_edited(plan, change), "plan.json")


def test_numbers_that_mean_the_same_are_kept(plan: bp.Plan, catalogue: pd.DataFrame) -> None:
    text = _edited(plan, lambda d: d["prescriptions"][0].update(reps=12.0))
    assert bp.plan_from_json(text).prescriptions[0].reps == 12
    built = bp.build_plan(catalogue, "beginners", ["heel-raises"], start_date="2026-01-05",
                          reps=np.int64(9), weeks=np.int64(3))  # fmt: skip
    assert (built.prescriptions[0].reps, built.weeks) == (9, 3)
    assert type(built.weeks) is int


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c, p: bp.build_plan(c, "beginners", start_date="2026-01-05", reps=True), "reps"),
        (lambda c, p: bp.build_plan(c, "beginners", start_date="2026-01-05", weeks=True), "weeks"),
        (lambda c, p: bp.build_plan(c, "beginners", start_date=2026), "start_date"),
        (lambda c, p: bp.revise(p, 2, {"heel-raises": {"reps": True}}, why="x", by="y"), "reps"),
        (lambda c, p: bp.revise(p, 2, {}, why="x", by="y", when=2026), "when"),
        (lambda c, p: bp.revise(p, 2, {}, why="x", by="y", when="2026"), "when"),
        (lambda c, p: bp.revise(p, "2", {}, why="x", by="y"), "from_week"),
        (lambda c, p: bp.revise(p, True, {}, why="x", by="y"), "from_week"),
        (lambda c, p: bp.revise(p, 2, {"heel-raises": 8}, why="x", by="y"), "doses"),
        (lambda c, p: bp.revise(p, 2, {}, why="x", by="y", stop=5), "stop"),
        (lambda c, p: bp.revise(p, 2, {}, why="x", by="y", hold_level="no"), "hold_level"),
        (lambda c, p: bp.revise(p, 2, {}, why=5, by="y"), "why"),
        (lambda c, p: bp.revise(p, 2, {}, why="x", by="y", catalogue="cat.csv"), "catalogue"),
        (lambda c, p: bp.revise("plan.json", 2, {}, why="x", by="y"), "plan"),
        (lambda c, p: bp.what_changed(bp.revise(p, 2, {}, why="x", by="y"), "2"), "revision"),
        (lambda c, p: bp.build_plan(c, pd.DataFrame(), start_date="2026-01-05"), "level"),
        (lambda c, p: bp.build_plan(c, "beginners", 5, start_date="2026-01-05"), "exercises"),
        (lambda c, p: bp.next_level(c, 3, carry_over=5), "carry_over"),
        (
            lambda c, p: bp.plan_from_template(
                bp.shipped_templates()["first-two-weeks"], patient="x" * 201
            ),
            "patient",
        ),
        (
            lambda c, p: bp.plan_from_template(
                bp.shipped_templates()["first-two-weeks"], start_date="2026-02-30"
            ),
            "start_date",
        ),
    ],
)
def test_a_wrong_argument_is_a_backplan_error_naming_it(catalogue, plan, call, field) -> None:
    """``revise(plan, '2', ...)`` once raised TypeError and ``plan_from_template(patient='x'
    * 201)`` a pydantic ValidationError."""
    with pytest.raises(bp.BackplanError, match=field):
        call(catalogue, plan)


def test_hundreds_of_out_of_order_revisions_stay_within_their_limit(
    plan: bp.Plan, catalogue: pd.DataFrame
) -> None:
    """After 121 out-of-order revisions every further ``revise`` once failed: its summary of
    the revisions it replaces outgrew the 5,000-character field. Each summary now names a
    few and counts the rest (speed: benchmarks/revisions.py)."""
    for i in range(150):
        plan = bp.revise(plan, 8 - i % 7, {"heel-raises": {"reps": 5 + i % 20}}, why="review",
                         by="A. Physio", when=WHEN, catalogue=catalogue)  # fmt: skip
    whats = [r.what for r in plan.revisions]
    assert max(map(len, whats)) <= WHAT_CHARS
    assert "more revisions from later weeks" in whats[-1]
    assert bp.plan_from_json(bp.plan_to_json(plan)) == plan


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("page_size", "A3"),
        ("page_size", None),
        ("large_print", "no"),
        ("clinic", "x" * 201),
        ("phone", 12345),
        ("settings", {"clinic": "x"}),
    ],
)
def test_handout_options_outside_the_choices_are_refused(
    plan: bp.Plan, tmp_path: Path, option: str, value: object
) -> None:
    """``to_html(page_size='A3')`` was once printed as A4 without a word."""
    for write in (handout.to_html, handout.to_pdf):
        with pytest.raises(bp.BackplanError, match=option):
            write(plan, tmp_path / "h.out", **{option: value})
    assert list(tmp_path.iterdir()) == []


def test_the_longest_clinic_details_allowed_still_make_a_handout(plan: bp.Plan, tmp_path) -> None:
    """Clinic details at their limits (200, 60 and 200 characters) in large print on Letter
    once left no room for the "Stay safe" box (LayoutError): the footer holds at most four
    lines, the phone number in full, the rest shortened with "…"."""
    from pypdf import PdfReader

    phone = "01234 567890 (Mon-Fri 9-5), or 07700 900123 after hours"
    out = handout.to_pdf(plan, tmp_path / "h.pdf", large_print=True, page_size="letter",
                         clinic=("Riverside Community Physiotherapy " * 7)[:200],
                         phone=phone, physio="M" * 200)  # fmt: skip
    pages = PdfReader(out).pages
    assert all(phone in " ".join(p.extract_text().split()) for p in pages)
    assert "…" in pages[0].extract_text()
    assert "Stay safe" in pages[0].extract_text()  # the footer never pushes it off page 1
