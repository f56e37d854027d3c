"""A wrong argument to a public function gets the package's own error, naming the argument.

A notebook user passes ``None`` where a plan belongs, ``True`` where a grouping belongs, a
file name where a catalogue belongs. Each public function that takes a plan, a catalogue
or a table answers with a :class:`~backplan.BackplanError` (or works), never with an
``AttributeError`` or ``TypeError`` from deep inside pandas. The property calls each of them
with one argument swapped for a hostile value; ``make fuzz`` runs it with 1,000 or more.
"""

from __future__ import annotations

import contextlib
import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fuzz_inputs import fuzz
from hypothesis import given
from hypothesis import strategies as st

import backplan as bp
from backplan.demo import load_demo_outcomes

#: What a careless call passes: nothing, a flag, a number, text, an empty list or dict.
HOSTILE: tuple[object, ...] = (None, True, 5, "x", [], {})


@dataclass(frozen=True)
class Setting:
    """Good arguments for every call, made once."""

    cat: pd.DataFrame
    plan: bp.Plan
    plans: list[bp.Plan]
    logs: pd.DataFrame
    report: Any
    outcomes: Any
    changes: pd.DataFrame
    review: Any
    template: Any
    folder: Path


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> Setting:
    cat = bp.load_catalogue()
    cohort = bp.synthetic_cohort(3, 4)
    report = bp.adherence(cohort.logs, cohort.plans, as_of="2026-02-01")
    outcomes = bp.read_outcomes(load_demo_outcomes().outcomes)
    return Setting(
        cat=cat,
        plan=bp.build_plan(cat, "beginners", patient="Ann", start_date=date(2026, 1, 5), weeks=4),
        plans=cohort.plans,
        logs=cohort.logs,
        report=report,
        outcomes=outcomes,
        changes=bp.outcome_changes(outcomes),
        review=bp.review(cohort.plans[0], report, 2),
        template=next(iter(bp.shipped_templates().values())),
        folder=tmp_path_factory.mktemp("plans"),
    )


#: Public function -> its good keyword arguments; each argument is swapped in turn.
CALLS: dict[str, Callable[[Setting], dict[str, Any]]] = {
    "accept_warnings": lambda s: dict(plan=s.plan, by="A. Physio", catalogue=s.cat),
    "adherence": lambda s: dict(
        logs=s.logs, prescriptions=s.plans, as_of="2026-02-01", catalogue=s.cat
    ),
    "allowed_exercises": lambda s: dict(
        catalogue=s.cat, restrictions=bp.Restrictions(), level="beginners", targets="back"
    ),
    "apply_review": lambda s: dict(
        plan=s.plans[0], decision=s.review, by="A. Physio", catalogue=s.cat
    ),
    "build_plan": lambda s: dict(catalogue=s.cat, level="beginners", start_date="2026-01-05"),
    "dose_in_week": lambda s: dict(plan=s.plan, week=1),
    "exercise": lambda s: dict(catalogue=s.cat, exercise_id="heel-raises"),
    "exercise_picture_svg": lambda s: dict(exercise_id="heel-raises", catalogue=s.cat),
    "filter_exercises": lambda s: dict(catalogue=s.cat, level="beginners", targets="back"),
    "filters_of": lambda s: dict(restrictions=bp.Restrictions()),
    "level_after": lambda s: dict(catalogue=s.cat, level="beginners"),
    "level_in_week": lambda s: dict(plan=s.plan, week=1),
    "load_plan": lambda s: dict(
        path=bp.save_plan(s.plan, s.folder / "saved.json"), catalogue=s.cat
    ),
    "meeting_page": lambda s: dict(report=s.report, outcomes=None),  # with outcomes: ~5 s
    "next_level": lambda s: dict(catalogue=s.cat, from_week=3),
    "outcome_by_adherence": lambda s: dict(changes=s.changes, adherence=s.report),
    "outcome_changes": lambda s: dict(outcomes=s.outcomes),
    "outcome_finding": lambda s: dict(
        table=bp.outcome_by_adherence(s.changes, s.report), measure=str(s.changes.measure.iloc[0])
    ),
    "outcome_lines": lambda s: dict(
        changes=s.changes, patient=str(s.changes.patient.iloc[0]), adherence=s.report
    ),
    "plan_file_name": lambda s: dict(plan=s.plan),
    "plan_from_json": lambda s: dict(text=bp.plan_to_json(s.plan), catalogue=s.cat),
    "plan_from_template": lambda s: dict(template=s.template, patient="Ann", catalogue=s.cat),
    "plan_warnings": lambda s: dict(plan=s.plan, catalogue=s.cat),
    "plan_to_json": lambda s: dict(plan=s.plan),
    "prescription_table": lambda s: dict(plans=s.plans),
    "progression_rules": lambda s: dict(catalogue=s.cat, level="beginners", weeks=6),
    "pseudonymise": lambda s: dict(data=s.logs, key="a key of sixteen bytes or more"),
    "readable_table": lambda s: dict(table=s.changes, catalogue=s.cat, columns=["patient"]),
    "read_logs": lambda s: dict(source=s.logs, prescriptions=s.plans, catalogue=s.cat),
    "read_outcomes": lambda s: dict(source=load_demo_outcomes().outcomes, plans=s.plans),
    "restrictions_from_filters": lambda s: dict(keys=["no_stomach"], keep=bp.Restrictions()),
    "review": lambda s: dict(plan=s.plans[0], logs_or_report=s.report, week=2, catalogue=s.cat),
    "review_rules_for": lambda s: dict(plan=s.plan, rules=None),
    "revise": lambda s: dict(plan=s.plan, from_week=2, doses={}, why="x", by="y", catalogue=s.cat),
    "revision_history": lambda s: dict(plan=s.plan),
    "save_plan": lambda s: dict(plan=s.plan, path=s.folder / "plan.json"),
    "schedule": lambda s: dict(plan=s.plan, catalogue=s.cat),
    "suitable_exercises": lambda s: dict(catalogue=s.cat, level="beginners"),
    "template_from_plan": lambda s: dict(plan=s.plan, name="Template"),
    "weekly_volume": lambda s: dict(plan=s.plan, catalogue=s.cat, by="exercise"),
    "what_changed": lambda s: dict(plan=s.plan, catalogue=s.cat),
    "with_start_back": lambda s: dict(plan=s.plan, group="low"),
}


def _call(name: str, kwargs: dict[str, Any]) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # suitable_exercises
        return getattr(bp, name)(**kwargs)


def test_every_public_function_with_a_plan_catalogue_or_table_is_tried() -> None:
    takes = {"plan", "plans", "catalogue", "changes", "report", "table", "logs", "data",
             "prescriptions", "restrictions", "template"}  # fmt: skip
    public = {
        name
        for name in bp.__all__
        if inspect.isfunction(getattr(bp, name))
        and takes & set(inspect.signature(getattr(bp, name)).parameters)
    }
    assert public <= set(CALLS), sorted(public - set(CALLS))


@pytest.mark.parametrize(
    ("name", "argument", "value", "says"),
    [
        ("dose_in_week", "week", None, "column 'week': expected a week from 1 to 4"),
        ("schedule", "plan", None, "column 'plan': expected a Plan"),
        ("weekly_volume", "by", True, "column 'by': expected 'exercise', 'target' or None"),
        ("allowed_exercises", "restrictions", True, "restrictions"),
        ("save_plan", "plan", None, "column 'plan': expected a Plan"),
        ("review", "rules", [], "column 'rules': expected at least one review rule"),
        ("outcome_changes", "outcomes", 5, "column 'outcomes': expected outcome scores"),
    ],
)
def test_wrong_argument_is_named(
    setting: Setting, name: str, argument: str, value: object, says: str
) -> None:
    kwargs = CALLS[name](setting)
    kwargs[argument] = value
    target = kwargs.get("path")
    with pytest.raises(bp.BackplanError, match=says.replace("(", r"\(").replace(")", r"\)")):
        _call(name, kwargs)
    if target is not None:
        assert not Path(target).exists()  # nothing written for a refused plan


def test_good_calls_work(setting: Setting) -> None:
    """The baseline the property swaps arguments in: every call works as given."""
    for name, make in CALLS.items():
        _call(name, make(setting))


@fuzz(100, shrink=False)
@given(call=st.sampled_from(sorted(CALLS)), data=st.data())
def test_hostile_argument_gets_our_error(setting: Setting, call: str, data: st.DataObject) -> None:
    kwargs = CALLS[call](setting)
    argument = data.draw(st.sampled_from(sorted(kwargs)), label="argument")
    kwargs[argument] = data.draw(st.sampled_from(HOSTILE), label="value")
    if call == "save_plan" and argument == "path":
        return  # a path of None/5/'x' is a file name question, tested in test_files_settings
    with contextlib.suppress(bp.BackplanError):  # anything else fails the test
        _call(call, kwargs)


@pytest.mark.parametrize("case", ["picture catalogue", "picture id", "to_csv catalogue"])
def test_picture_and_csv_refuse_a_wrong_argument(
    setting: Setting, case: str, tmp_path: Path
) -> None:
    with pytest.raises(bp.BackplanError):
        if case == "picture catalogue":
            bp.exercise_picture_svg("heel-raises", catalogue=True)
        elif case == "picture id":
            bp.exercise_picture_svg([], catalogue=setting.cat)
        else:
            bp.handout.to_csv(setting.plan, tmp_path / "p.csv", catalogue=True)
