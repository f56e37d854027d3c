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

import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._io.files import write_atomic
from .._io.paths import data_dir
from ..catalogue import LEVELS, load_catalogue
from ..errors import BackplanError
from .model import Plan
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
    schema_version: Literal[1] = 1
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    source: str = Field("", max_length=2000)
    weeks: int = Field(6, ge=1, le=52)
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
    """Keep ``plan``'s level, doses, length and progression; drop everything personal."""
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
        When no exercise of the template (or of its next level) suits the restrictions.
    """
    limits = as_restrictions(restrictions)
    prescriptions, progression = template.prescriptions, template.progression
    if not limits.is_empty():
        cat = load_catalogue() if catalogue is None else catalogue
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
    return Plan.model_validate(
        {
            "patient": patient,
            "clinician": clinician,
            "start_date": start_date if start_date is not None else date.today(),
            "notes": notes,
            "weeks": template.weeks,
            "level": template.level,
            "prescriptions": prescriptions,
            "progression": progression,
            "restrictions": limits,
        },
        context={"catalogue": catalogue},
    )


def save_template(template: PlanTemplate, path: str | os.PathLike[str]) -> Path:
    """Write ``template`` as JSON, atomically."""
    return write_atomic(path, template.model_dump_json(indent=2) + "\n")


def load_template(path: str | os.PathLike[str]) -> PlanTemplate:
    """Read a template written by :func:`save_template`, naming the file and field on error."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        return PlanTemplate.model_validate(data)
    except OSError as exc:
        raise TemplateError(f"{p.name}: cannot read the template ({exc.strerror})") from None
    except ValueError as exc:  # JSON and pydantic errors
        if isinstance(exc, ValidationError):
            first = exc.errors()[0]
            where = ".".join(map(str, first["loc"])) or "template"
            raise TemplateError(f"{p.name}: {where}: {first['msg']}") from None
        raise TemplateError(f"{p.name}: not a backplan template (expected JSON)") from None


def shipped_templates() -> dict[str, PlanTemplate]:
    """The templates that come with backplan, by id, in file-name order."""
    folder = data_dir() / "templates"
    return {p.stem: load_template(p) for p in sorted(folder.glob("*.json"))}
