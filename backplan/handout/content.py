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
import warnings
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import pandas as pd

from ..catalogue import catalogue_argument, load_advice, load_catalogue, split_steps
from ..errors import PlanError, Problem
from ..locales import UntranslatedWarning
from ..pictures.sizes import badge_words
from ..plan import Plan
from ..plan.revise import what_changed
from ..plan.rules import Prescription
from ..plan.weeks import DoseRun, WeekDoses, dose_runs, level_phases, week_doses
from ..settings import ClinicSettings, load_settings
from ..words import CLINIC_TEXT, Words, prescribed_days, words_for

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
    "length_words",
    "week_parts",
]

#: "Before you start" first: it is read before the exercises, and never waits for room.
ADVICE_ORDER = ("gp", "breathing", "activity", "review")
SAFETY_ORDER = ("stop", "emergency", "urgent")


@functools.cache
def _shipped_rows() -> dict[str, dict[str, Any]]:
    return _rows(load_catalogue())


def _rows(catalogue: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {str(r["id"]): r for r in catalogue.to_dict("records")}


def catalogue_or_shipped(value: object) -> pd.DataFrame | None:
    """``value`` checked as a catalogue (:func:`~backplan.plan.build.catalogue_argument`),
    or ``None`` for the shipped one, whose rows :func:`exercise_rows` reads once a process.

    >>> catalogue_or_shipped(None) is None
    True
    """
    return None if value is None else catalogue_argument(value)


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
    #: the words of the picture's badges and the end of its description for the first
    #: dose, in the handout's language (:func:`backplan.pictures.sizes.badge_words`)
    badges: tuple[tuple[str, str], ...] = ()


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
    #: the words of the handout's language (labels, dates); English by default
    words: Words = field(default_factory=words_for)
    #: the same handout in English, printed beside each block (any language but English)
    english: Handout | None = None
    #: texts the language file has no translation for (a clinic's own catalogue text),
    #: printed in English: ``"exercise 2 (my-stretch), name: 'Side stretch'"``
    untranslated: tuple[str, ...] = ()

    @property
    def language(self) -> str:
        """The language code (``"en"``, ``"pl"``...)."""
        return self.words.code


class _Translate:
    """Data texts in the handout's language; a text the language file lacks stays English
    and is listed in ``missing``."""

    def __init__(self, w: Words) -> None:
        self.w, self.missing = w, []

    def __call__(self, context: str, english: str, where: str) -> str:
        if not english:
            return english
        found = self.w.data(context, english)
        if found is None:
            self.missing.append(f"{where}: {english!r}")
            return english
        return found


def _sections(advice: pd.DataFrame, keys: tuple[str, ...], tr: _Translate) -> tuple[Section, ...]:
    rows = advice[["section", "role", "text"]].to_dict("records")
    out = []
    for key in keys:
        where = f"advice '{key}'"
        heads = [r["text"] for r in rows if r["section"] == key and r["role"] == "heading"]
        items = tuple(
            tr(f"advice:{key}", r["text"], where)
            for r in rows
            if r["section"] == key and r["role"] == "item"
        )
        if heads:
            title = tr(f"advice:{key}", heads[0], where)
        else:
            title = tr.w[f"advice_{key}"] if key in ADVICE_ORDER else ""
        out.append(Section(key, title, items))
    return tuple(out)


@functools.cache
def _shipped_sections(w: Words) -> tuple[tuple[Section, ...], tuple[Section, ...], list[str]]:
    tr = _Translate(w)
    advice = load_advice()
    return _sections(advice, ADVICE_ORDER, tr), _sections(advice, SAFETY_ORDER, tr), tr.missing


def _blocks(
    plan: Plan, rows: dict[str, dict[str, Any]], weeks: list[WeekDoses], tr: _Translate
) -> list[list[ExerciseBlock]]:
    w = tr.w
    phases: dict[int, list[ExerciseBlock]] = {}
    runs: dict[tuple[int, int], list[DoseRun]] = {}
    for run in dose_runs(plan, weeks):
        runs.setdefault((run.phase_start, run.order), []).append(run)
    for number, ((start, _), ex_runs) in enumerate(runs.items(), start=1):
        first, later = ex_runs[0], ex_runs[1:]
        ex = first.dose.exercise
        row = rows[ex]
        side = str(row.get("side") or "side")
        doses = [r.dose for r in ex_runs]
        last = ex_runs[-1].last
        where = f"exercise {number} ({ex})"

        def fill(text: Any, what: str, doses: list[Prescription] = doses, side: str = side,
                 where: str = where, ex: str = ex) -> str:  # fmt: skip
            english = "" if pd.isna(text) else str(text)
            said = tr(f"exercise:{ex}", english, f"{where}, {what}")
            return w.fill_placeholders(said, doses, side, source=english)

        phases.setdefault(start, []).append(
            ExerciseBlock(
                number=number,
                exercise=ex,
                name=tr(f"exercise:{ex}", str(row["name"]), f"{where}, name"),
                position=fill(row["position_detail"], "position"),
                steps=tuple(
                    fill(s, f"step {i}") for i, s in enumerate(split_steps(row["steps"]), 1)
                ),
                dose=w.dose_words(first.dose, side),
                easier=fill(row.get("easier_option") or "", "easier way"),
                later=tuple(
                    w.text("later_dose", week=r.first, dose=w.dose_words(r.dose, side))
                    for r in later
                ),
                from_week=first.first,
                until_week=first.phase_end if first.phase_end < plan.weeks else None,
                image=str(row.get("image") or ""),
                stop_week=last if last < first.phase_end else None,
                badges=_badges(first.dose, side, w),
            )
        )
    return list(phases.values())


def _badges(p: Prescription, side: str, w: Words) -> tuple[tuple[str, str], ...]:
    """The words of a picture's badges and the end of its description for dose ``p``."""
    return tuple(sorted(badge_words(p.reps, p.hold_s, side if p.per_side else "", w).items()))


def _diary(
    plan: Plan,
    rows: dict[str, dict[str, Any]],
    weeks: list[WeekDoses],
    w: Words,
    names: dict[str, str],
) -> tuple[DiaryWeek, ...]:
    out = []
    for week, _, doses in weeks:
        start = plan.start_date + timedelta(weeks=week - 1)
        out.append(
            DiaryWeek(
                week=week,
                days=tuple(start + timedelta(days=d) for d in range(7)),
                exercises=tuple((p.exercise, names[p.exercise]) for p in doses),
                doses=tuple(
                    w.dose_short(p, str(rows[p.exercise].get("side") or "side")) for p in doses
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


def _credits(plan: Plan, rows: dict[str, dict[str, Any]], w: Words) -> tuple[str, ...]:
    """Where the exercises, pictures and safety text come from (names of sources as they
    are: they are titles)."""
    sources: dict[str, str] = {}
    for p in plan.all_prescriptions():
        row = rows[p.exercise]
        reviewed = row.get("source_reviewed")
        when = w.date_words(reviewed.date()) if isinstance(reviewed, pd.Timestamp) else ""
        sources.setdefault(str(row.get("source") or ""), when)
    out = [
        w.text("credit_exercises", source=src, reviewed=when)
        if when
        else w.text("credit_exercises_undated", source=src)
        for src, when in sources.items()
        if src
    ]
    return (*out, w["credit_pictures"], w["credit_safety"])


def handout_content(
    plan: Plan,
    catalogue: pd.DataFrame | None = None,
    *,
    clinic: str | None = None,
    advice: pd.DataFrame | None = None,
    phone: str | None = None,
    physio: str | None = None,
    settings: ClinicSettings | None = None,
    language: str | Words | None = None,
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
    language : str, optional
        The language the patient reads (see :func:`backplan.locales.languages`); the plan's
        own (``plan.language``) by default. In any language but English the handout also
        carries itself in English (``english``), printed beside each block.

    Raises
    ------
    PlanError
        When the plan names an exercise the catalogue does not hold.
    LanguageError
        For a language backplan does not ship, or a broken language file.
    """
    w = words_for(plan.language if language is None else language)
    rows = exercise_rows(plan, catalogue)
    if settings is None and None in (clinic, phone, physio):
        settings = load_settings()
    settings = settings or ClinicSettings()
    phone = settings.phone if phone is None else phone
    base = Handout(
        clinic=settings.clinic if clinic is None else clinic,
        phone=phone,
        physio=settings.physio if physio is None else physio,
        clinician=plan.clinician,
        patient=plan.patient,
        start=plan.start_date,
        end=plan.start_date + timedelta(weeks=plan.weeks, days=-1),
        weeks=plan.weeks,
        notes=plan.notes,
        blocks=(),
        next_blocks=(),
        next_week=None,
        advice=(),
        safety=(),
        diary=(),
    )
    english = None if w.is_english else _in(base, plan, rows, advice, catalogue, words_for())
    h = replace(_in(base, plan, rows, advice, catalogue, w), english=english)
    if h.untranslated:  # a clinic's own text: printed, in English, and said so
        shown = "; ".join(h.untranslated[:3]) + ("; ..." if len(h.untranslated) > 3 else "")
        warnings.warn(
            f"{len(h.untranslated)} text(s) have no translation into language {w.code!r} and "
            f"print in English only: {shown}",
            UntranslatedWarning,
            stacklevel=2,
        )
    return h


def _in(
    base: Handout,
    plan: Plan,
    rows: dict[str, dict[str, Any]],
    advice: pd.DataFrame | None,
    catalogue: pd.DataFrame | None,
    w: Words,
) -> Handout:
    """The handout's words in one language."""
    tr = _Translate(w)
    weeks = week_doses(plan)
    phases = _blocks(plan, rows, weeks, tr)
    levels = level_phases(weeks)
    names = {b.exercise: b.name for phase in phases for b in phase}
    for p in plan.all_prescriptions():  # exercises a revision adds are in the diary too
        if p.exercise not in names:
            names[p.exercise] = tr(f"exercise:{p.exercise}", str(rows[p.exercise]["name"]),
                                   f"exercise ({p.exercise}), name")  # fmt: skip
    if advice is None:  # the shipped advice: worked out once per language
        advice_sections, safety_sections, missing = _shipped_sections(w)
        tr.missing += missing
    else:
        advice_sections = _sections(advice, ADVICE_ORDER, tr)
        safety_sections = _sections(advice, SAFETY_ORDER, tr)
    return replace(
        base,
        credits=_credits(plan, rows, w),
        blocks=tuple(phases[0]),
        next_blocks=tuple(phases[1]) if len(phases) > 1 else (),
        next_week=levels[1][0][0] if len(levels) > 1 else None,
        advice=advice_sections,
        safety=safety_sections,
        diary=_diary(plan, rows, weeks, w, names),
        changes=tuple(what_changed(plan, catalogue=catalogue, language=w))
        if plan.revisions
        else (),
        changed_on=plan.revisions[-1].made_at.date() if plan.revisions else None,
        call=_call_line(w, base.phone),
        # the pain-monitoring model (Silbernagel 2007, a trial in Achilles tendinopathy,
        # adapted for backs; NHS inform: stop if it hurts more)
        pain_rules=tuple(w[k] for k in ("pain_ok", "pain_settle", "pain_stop", "pain_more")),
        words=w,
        untranslated=tuple(dict.fromkeys(tr.missing)),
        clinic_lines=_clinic_lines(plan),
    )


def length_words(h: Handout) -> str:
    """How long the plan lasts, in the handout's language: ``6 weeks, from 9 March 2026 to
    19 April 2026``; each date kept on one line (no-break spaces), so a narrow column or
    large print never splits "10 / January 2027"."""
    w = h.words

    def day(value: date) -> str:
        return w.date_words(value).replace(" ", "\u00a0")

    return w.plural("length_value", h.weeks, weeks=h.weeks, start=day(h.start), end=day(h.end))


def _clinic_lines(plan: Plan) -> tuple[str, ...]:
    """The clinic page's lines about the plan: its STarT Back group, when it has one, and
    which review rules follow from it (NICE NG59; :func:`backplan.review_rules_for`)."""
    if plan.start_back is None:
        return ()
    rules = "start_back_high" if plan.start_back == "high" else "start_back_usual"
    return (CLINIC_TEXT["start_back"].format(group=plan.start_back), CLINIC_TEXT[rules])


def _call_line(w: Words, phone: str) -> str:
    """The line "Call your physio on <phone>." (one to write the number on, without one)."""
    return w.text("call_physio", phone=phone) if phone.strip() else w["call_physio_no_phone"]
