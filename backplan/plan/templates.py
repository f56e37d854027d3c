"""Plan templates: a plan's exercises, doses and progression without any patient data.

A template is saved from a plan (the patient, clinician, notes and start date are left
out) and a new plan starts from it. backplan ships three, written from the sources in the
project's domain notes (``data/templates/``).

Examples
--------
>>> import backplan as bp
>>> shipped = shipped_templates()
>>> sorted(shipped)
['beginners-daily', 'first-two-weeks', 'more-advanced']
>>> plan = plan_from_template(shipped["first-two-weeks"], patient="P-001",
...                           start_date="2026-01-05")
>>> {(p.reps, p.sessions_per_day) for p in plan.prescriptions}
{(5, 3)}
>>> template_from_plan(plan, "Mine").model_dump().get("patient") is None
True
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .._io.files import ReadError, read_capped, write_atomic
from .._io.json import load_json
from .._io.paths import data_dir
from .._io.typed import Text, Whole, argument, text_value, whole_value
from ..catalogue import LEVELS
from ..errors import BackplanError, PlanError
from .build import catalogue_argument
from .model import Plan, _validate
from .restrictions import Restrictions, allowed_exercises, as_restrictions
from .rules import NextLevel, Prescription, Rule

__all__ = [
    "PlanTemplate",
    "TemplateError",
    "load_template",
    "plan_from_template",
    "save_template",
    "shipped_templates",
    "template_from_plan",
    "template_id",
]


class TemplateError(BackplanError):
    """A template file could not be read."""


class PlanTemplate(BaseModel):
    """A reusable plan: level, week-1 doses and progression; no patient, no dates.

    Attributes
    ----------
    name : str
        What the physio sees in the list ("First two weeks").
    description : str
        When to use it.
    source : str
        Where the doses come from.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["template"] = "template"
    schema_version: Annotated[Literal[1], BeforeValidator(whole_value)] = 1
    name: Text = Field(min_length=1, max_length=100)
    description: Text = Field("", max_length=2000)
    source: Text = Field("", max_length=2000)
    weeks: Whole = Field(6, ge=1, le=52)
    level: Literal[LEVELS] = LEVELS[0]  # type: ignore[valid-type]
    prescriptions: tuple[Prescription, ...] = Field(min_length=1)
    progression: tuple[Rule, ...] = ()


def template_id(name: str) -> str:
    """A file-safe id for a template name ("First two weeks" -> "first-two-weeks")."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-")
    return slug or "template"


def template_from_plan(
    plan: Plan, name: str, *, description: str = "", source: str = ""
) -> PlanTemplate:
    """Keep ``plan``'s level, doses, length and progression; drop everything personal.

    Raises
    ------
    TemplateError
        Naming the field that is not valid (an empty or over-long name, say).
    """
    plan = argument("plan", plan, _a_plan, error=_template_error)
    name = argument("name", name, text_value, error=_template_error)
    try:
        return PlanTemplate(
            name=name.strip(),
            description=description,
            source=source,
            weeks=plan.weeks,
            level=plan.level,
            prescriptions=plan.prescriptions,
            progression=plan.progression,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(map(str, first["loc"])) or "template"
        raise TemplateError(f"{field}: {first['msg']}") from None


def _a_plan(value: object) -> Plan:
    if not isinstance(value, Plan):
        raise ValueError("a Plan (from build_plan or load_plan)")
    return value


def _a_template(value: object) -> PlanTemplate:
    if not isinstance(value, PlanTemplate):
        raise ValueError("a PlanTemplate (from shipped_templates or load_template)")
    return value


def _template_error(problems: list[Any], source: str) -> TemplateError:
    p = problems[0]
    return TemplateError(f"{p.column}: expected {p.expected}, got {type(p.got).__name__}")


def plan_from_template(
    template: PlanTemplate,
    *,
    patient: str = "",
    clinician: str = "",
    start_date: date | str | None = None,
    notes: str = "",
    restrictions: Restrictions | dict[str, Any] | None = None,
    catalogue: pd.DataFrame | None = None,
) -> Plan:
    """A new plan for one patient from ``template``, starting on ``start_date`` (today).

    The plan keeps the patient's ``restrictions``: the template's exercises that break them
    are left out (compare the plan's exercises with the template's to say which).

    Raises
    ------
    TemplateError
        When ``template`` is not a template, or no exercise of the template (or of its
        next level) suits the restrictions.
    PlanError
        When a detail of the new plan is not valid (a 201-character name, a date that is
        not a real day), naming the field.
    """
    template = argument("template", template, _a_template, error=_template_error)
    limits = as_restrictions(restrictions)
    prescriptions, progression = template.prescriptions, template.progression
    cat = catalogue_argument(catalogue)
    if not limits.is_empty():
        allowed = set(allowed_exercises(cat, limits)["id"])

        def keep(ps: tuple[Prescription, ...], where: str) -> tuple[Prescription, ...]:
            kept = tuple(p for p in ps if p.exercise in allowed)
            if not kept:
                raise TemplateError(
                    f"No exercise of {where} of the template '{template.name}' suits this "
                    f"patient: {' '.join(limits.describe())}"
                )
            return kept

        prescriptions = keep(prescriptions, "week 1")
        progression = tuple(
            r.model_copy(update={"prescriptions": keep(r.prescriptions, "the next level")})
            if isinstance(r, NextLevel)
            else r
            for r in progression
        )
    data = {
        "patient": patient,
        "clinician": clinician,
        "start_date": start_date if start_date is not None else date.today(),
        "notes": notes,
        "weeks": template.weeks,
        "level": template.level,
        "prescriptions": prescriptions,
        "progression": progression,
        "restrictions": limits,
    }
    return _validate(Plan, data, "<plan>", cat)


def save_template(template: PlanTemplate, path: str | os.PathLike[str]) -> Path:
    """Write ``template`` as JSON, atomically."""
    return write_atomic(path, template.model_dump_json(indent=2) + "\n")


#: The largest template file read (a template of every catalogue exercise is a few KB).
MAX_TEMPLATE_BYTES = 1024 * 1024


def load_template(path: str | os.PathLike[str]) -> PlanTemplate:
    """Read a template written by :func:`save_template`, naming the file and field on error.

    Only a regular file of at most :data:`MAX_TEMPLATE_BYTES` is read, through the
    hardened JSON loader (no ``NaN``, no key twice, no deep nesting).
    """
    p = Path(path)
    try:
        data = load_json(read_capped(p, MAX_TEMPLATE_BYTES, "template file"), p.name)
        return PlanTemplate.model_validate(data)
    except ReadError as exc:
        raise TemplateError(f"{exc}") from None
    except PlanError:
        raise TemplateError(f"{p.name}: not a backplan template (expected JSON)") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "template"
        raise TemplateError(f"{p.name}: {where}: {first['msg']}") from None


def shipped_templates() -> dict[str, PlanTemplate]:
    """The templates that come with backplan, by id, in file-name order."""
    folder = data_dir() / "templates"
    return {p.stem: load_template(p) for p in sorted(folder.glob("*.json"))}
