"""What every handout format shows, worked out once from a plan.

:func:`handout_content` turns a plan, the catalogue and the advice table into a
:class:`Handout`: plain Python values that the PDF, HTML and table renderers lay out. No
renderer works out a dose or holds patient-facing words of its own.

Examples
--------
>>> from backplan import build_plan, load_catalogue
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-slides"], patient="A.B.",
...                   start_date="2026-01-05", weeks=2)
>>> h = handout_content(plan)
>>> h.blocks[0].dose, len(h.diary), h.diary[0].boxes
('10 times on each leg, once a day, every day', 2, ((1, 1, 1, 1, 1, 1, 1),))
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import pandas as pd

from ..catalogue import load_advice, load_catalogue, split_steps
from ..errors import PlanError, Problem
from ..plan import Plan
from ..plan.revise import what_changed
from ..plan.rules import Prescription
from ..plan.weeks import DoseRun, WeekDoses, dose_runs, level_phases, week_doses
from ..settings import ClinicSettings, load_settings
from ..words import (
    ADVICE_TITLES,
    CLINIC_TEXT,
    TEXT,
    date_words,
    dose_short,
    dose_words,
    fill_placeholders,
    prescribed_days,
)

__all__ = [
    "DiaryWeek",
    "DoseRun",
    "ExerciseBlock",
    "Handout",
    "Section",
    "box_layout",
    "dose_runs",
    "exercise_rows",
    "handout_content",
    "week_parts",
]

ADVICE_ORDER = ("breathing", "activity", "gp", "review")
SAFETY_ORDER = ("stop", "emergency", "urgent")


@functools.cache
def _shipped_rows() -> dict[str, dict[str, Any]]:
    return _rows(load_catalogue())


def _rows(catalogue: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {str(r["id"]): r for r in catalogue.to_dict("records")}


def exercise_rows(plan: Plan, catalogue: pd.DataFrame | None = None) -> dict[str, dict[str, Any]]:
    """Catalogue rows (as dicts) by id, checking that the plan's exercises are all there.

    Raises
    ------
    PlanError
        Naming each prescription whose exercise the catalogue does not hold.
    """
    rows = _shipped_rows() if catalogue is None else _rows(catalogue)
    problems = [
        Problem(
            "<plan>",
            i,
            "exercise",
            f"an exercise of the catalogue (one of {', '.join(rows)})",
            p.exercise,
        )
        for i, p in enumerate(plan.all_prescriptions(), start=1)
        if p.exercise not in rows
    ]
    if problems:
        raise PlanError(problems, "<plan>")
    return rows


def box_layout(k: int, most: int = 3) -> tuple[int, int]:
    """Boxes per row and rows for ``k`` tick boxes, at most ``most`` a row, in as few and
    as even rows as possible (3 boxes stay in one row; 4 are 2 + 2, never 3 + 1).

    Examples
    --------
    >>> [box_layout(k) for k in range(1, 7)]
    [(1, 1), (2, 1), (3, 1), (2, 2), (3, 2), (3, 2)]
    >>> [box_layout(k, most=2) for k in (3, 4, 6)]
    [(2, 2), (2, 2), (2, 3)]
    """
    rows = math.ceil(k / max(1, most))
    per_row = math.ceil(k / rows)
    return per_row, rows


def week_parts(week: DiaryWeek, parts: int) -> list[DiaryWeek]:
    """The week with its exercises shared out, in order, over ``parts`` weeks as even as
    possible; each part keeps all seven days.

    Examples
    --------
    >>> from datetime import date
    >>> w = DiaryWeek(1, (date(2026, 1, 5),) * 7, tuple((f"e{i}", f"E{i}") for i in range(5)),
    ...               ((1,) * 7,) * 5, ("10 times",) * 5)
    >>> [[ex for ex, _ in p.exercises] for p in week_parts(w, 2)]
    [['e0', 'e1', 'e2'], ['e3', 'e4']]
    """
    n = len(week.exercises)
    parts = max(1, min(parts, n))
    if parts == 1:
        return [week]
    ends = [math.ceil(i * n / parts) for i in range(parts + 1)]
    return [
        replace(
            week,
            exercises=week.exercises[a:b],
            boxes=week.boxes[a:b],
            doses=week.doses[a:b] if week.doses else (),
        )
        for a, b in itertools.pairwise(ends)
    ]


@dataclass(frozen=True)
class ExerciseBlock:
    """One exercise as the patient reads it."""

    number: int
    exercise: str
    name: str
    position: str
    steps: tuple[str, ...]
    dose: str
    easier: str
    later: tuple[str, ...]
    from_week: int
    until_week: int | None
    image: str = ""
    #: the last week of an exercise that a revision stops before the end of its level
    stop_week: int | None = None


@dataclass(frozen=True)
class Section:
    """A heading (may be empty) and its items, from ``advice.csv``."""

    key: str
    heading: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class DiaryWeek:
    """One week of the tick-box diary.

    ``boxes[i][d]`` is how many boxes exercise ``i`` gets on day ``d`` (0 = a rest day).
    """

    week: int
    days: tuple[date, ...]
    exercises: tuple[tuple[str, str], ...]
    boxes: tuple[tuple[int, ...], ...]
    doses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Handout:
    """Everything a handout shows, in reading order."""

    clinic: str
    clinician: str
    patient: str
    start: date
    end: date
    weeks: int
    notes: str
    blocks: tuple[ExerciseBlock, ...]
    next_blocks: tuple[ExerciseBlock, ...]
    next_week: int | None
    advice: tuple[Section, ...]
    safety: tuple[Section, ...]
    diary: tuple[DiaryWeek, ...]
    phone: str = ""
    physio: str = ""
    credits: tuple[str, ...] = ()
    #: the latest revision's sentences for the patient (:func:`backplan.what_changed`)
    changes: tuple[str, ...] = ()
    #: the day that revision was made (``None`` for a plan never revised)
    changed_on: date | None = None
    #: "Call your physio on <phone>." (a line to write the number on when there is none)
    call: str = ""
    #: the "How much pain is OK" box: the 0-10 scale's bands and what to do
    pain_rules: tuple[str, ...] = ()
    #: lines for the clinic page about the plan (its STarT Back group and the review rules)
    clinic_lines: tuple[str, ...] = ()


def _sections(advice: pd.DataFrame, keys: tuple[str, ...]) -> tuple[Section, ...]:
    rows = advice[["section", "role", "text"]].to_dict("records")
    out = []
    for key in keys:
        heads = [r["text"] for r in rows if r["section"] == key and r["role"] == "heading"]
        items = tuple(r["text"] for r in rows if r["section"] == key and r["role"] == "item")
        out.append(Section(key, heads[0] if heads else ADVICE_TITLES.get(key, ""), items))
    return tuple(out)


@functools.cache
def _shipped_sections() -> tuple[tuple[Section, ...], tuple[Section, ...]]:
    advice = load_advice()
    return _sections(advice, ADVICE_ORDER), _sections(advice, SAFETY_ORDER)


def _blocks(
    plan: Plan, rows: dict[str, dict[str, Any]], weeks: list[WeekDoses]
) -> list[list[ExerciseBlock]]:
    phases: dict[int, list[ExerciseBlock]] = {}
    runs: dict[tuple[int, int], list[DoseRun]] = {}
    for run in dose_runs(plan, weeks):
        runs.setdefault((run.phase_start, run.order), []).append(run)
    for number, ((start, _), ex_runs) in enumerate(runs.items(), start=1):
        first, later = ex_runs[0], ex_runs[1:]
        row = rows[first.dose.exercise]
        side = str(row.get("side") or "side")
        doses = [r.dose for r in ex_runs]
        last = ex_runs[-1].last

        def fill(text: Any, doses: list[Prescription] = doses, side: str = side) -> str:
            return fill_placeholders("" if pd.isna(text) else str(text), doses, side)

        phases.setdefault(start, []).append(
            ExerciseBlock(
                number=number,
                exercise=first.dose.exercise,
                name=str(row["name"]),
                position=fill(row["position_detail"]),
                steps=tuple(fill(s) for s in split_steps(row["steps"])),
                dose=dose_words(first.dose, side),
                easier=fill(row.get("easier_option") or ""),
                later=tuple(
                    TEXT["later_dose"].format(week=r.first, dose=dose_words(r.dose, side))
                    for r in later
                ),
                from_week=first.first,
                until_week=first.phase_end if first.phase_end < plan.weeks else None,
                image=str(row.get("image") or ""),
                stop_week=last if last < first.phase_end else None,
            )
        )
    return list(phases.values())


def _diary(
    plan: Plan, rows: dict[str, dict[str, Any]], weeks: list[WeekDoses]
) -> tuple[DiaryWeek, ...]:
    out = []
    for week, _, doses in weeks:
        start = plan.start_date + timedelta(weeks=week - 1)
        out.append(
            DiaryWeek(
                week=week,
                days=tuple(start + timedelta(days=d) for d in range(7)),
                exercises=tuple((p.exercise, str(rows[p.exercise]["name"])) for p in doses),
                doses=tuple(
                    dose_short(p, str(rows[p.exercise].get("side") or "side")) for p in doses
                ),
                boxes=tuple(
                    tuple(
                        p.sessions_per_day if d in prescribed_days(p.days_per_week) else 0
                        for d in range(7)
                    )
                    for p in doses
                ),
            )
        )
    return tuple(out)


def _credits(plan: Plan, rows: dict[str, dict[str, Any]]) -> tuple[str, ...]:
    """Where the exercises, pictures and safety text come from."""
    sources: dict[str, str] = {}
    for p in plan.all_prescriptions():
        row = rows[p.exercise]
        reviewed = row.get("source_reviewed")
        when = date_words(reviewed.date()) if isinstance(reviewed, pd.Timestamp) else ""
        sources.setdefault(str(row.get("source") or ""), when)
    out = [
        TEXT["credit_exercises"].format(source=src, reviewed=when)
        if when
        else TEXT["credit_exercises_undated"].format(source=src)
        for src, when in sources.items()
        if src
    ]
    return (*out, TEXT["credit_pictures"], TEXT["credit_safety"])


def handout_content(
    plan: Plan,
    catalogue: pd.DataFrame | None = None,
    *,
    clinic: str | None = None,
    advice: pd.DataFrame | None = None,
    phone: str | None = None,
    physio: str | None = None,
    settings: ClinicSettings | None = None,
) -> Handout:
    """Work out everything a handout shows for ``plan``.

    Parameters
    ----------
    plan : Plan
        The plan.
    catalogue : pandas.DataFrame, optional
        Where exercise names, positions and steps come from; the shipped catalogue by default.
    clinic : str, optional
        The clinic's name for the header.
    advice : pandas.DataFrame, optional
        Programme advice and safety text (``load_advice()`` format); the shipped one by default.
    phone, physio : str, optional
        The clinic's phone number and a physio to contact, for every page's footer.
    settings : ClinicSettings, optional
        Clinic details used where ``clinic``, ``phone`` or ``physio`` are not given; by
        default :func:`backplan.settings.load_settings` (the clinic's settings file).

    Raises
    ------
    PlanError
        When the plan names an exercise the catalogue does not hold.
    """
    rows = exercise_rows(plan, catalogue)
    if advice is None:
        advice_sections, safety_sections = _shipped_sections()
    else:
        advice_sections = _sections(advice, ADVICE_ORDER)
        safety_sections = _sections(advice, SAFETY_ORDER)
    weeks = week_doses(plan)
    phases = _blocks(plan, rows, weeks)
    levels = level_phases(weeks)
    next_week = levels[1][0][0] if len(levels) > 1 else None
    if settings is None and None in (clinic, phone, physio):
        settings = load_settings()
    settings = settings or ClinicSettings()
    return Handout(
        clinic=settings.clinic if clinic is None else clinic,
        phone=settings.phone if phone is None else phone,
        physio=settings.physio if physio is None else physio,
        credits=_credits(plan, rows),
        clinician=plan.clinician,
        patient=plan.patient,
        start=plan.start_date,
        end=plan.start_date + timedelta(weeks=plan.weeks, days=-1),
        weeks=plan.weeks,
        notes=plan.notes,
        blocks=tuple(phases[0]),
        next_blocks=tuple(phases[1]) if len(phases) > 1 else (),
        next_week=next_week,
        advice=advice_sections,
        safety=safety_sections,
        diary=_diary(plan, rows, weeks),
        changes=tuple(what_changed(plan, catalogue=catalogue)) if plan.revisions else (),
        changed_on=plan.revisions[-1].made_at.date() if plan.revisions else None,
        call=_call_line(settings.phone if phone is None else phone),
        pain_rules=PAIN_RULES,
        clinic_lines=_clinic_lines(plan),
    )


#: The "How much pain is OK" box, after the pain-monitoring model (Silbernagel 2007, a
#: trial in Achilles tendinopathy, adapted for backs; NHS inform: stop if it hurts more).
PAIN_RULES: tuple[str, ...] = (TEXT["pain_ok"], TEXT["pain_settle"], TEXT["pain_stop"],
                               TEXT["pain_more"])  # fmt: skip


def _clinic_lines(plan: Plan) -> tuple[str, ...]:
    """The clinic page's lines about the plan: its STarT Back group, when it has one, and
    which review rules follow from it (NICE NG59; :func:`backplan.review_rules_for`)."""
    if plan.start_back is None:
        return ()
    rules = "start_back_high" if plan.start_back == "high" else "start_back_usual"
    return (CLINIC_TEXT["start_back"].format(group=plan.start_back), CLINIC_TEXT[rules])


def _call_line(phone: str) -> str:
    return (
        TEXT["call_physio"].format(phone=phone) if phone.strip() else TEXT["call_physio_no_phone"]
    )
