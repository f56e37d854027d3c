"""Building plans from a catalogue: default doses, overrides, restrictions, a next level.

Every name here is also importable from :mod:`backplan.plan` and :mod:`backplan`.

Examples
--------
>>> from backplan import load_catalogue
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-slides"], start_date="2026-01-05",
...                   restrictions={"avoid_positions": ["lying on stomach"]})
>>> plan.restrictions.avoid_positions
('lying on stomach',)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from .._io.typed import argument, ids_value, items_value
from ..catalogue import LEVELS, catalogue_argument
from ..errors import PlanError, Problem
from .model import DOSE_FIELDS, Plan, _problems_from_validation, _validate
from .restrictions import Restrictions, allowed_exercises, as_restrictions, restriction_problems
from .rules import CARRY_FIELDS, AddDose, NextLevel, Prescription, _Pending, settle_level

__all__ = [
    "build_plan",
    "catalogue_argument",
    "dose_overrides",
    "next_level",
    "prescriptions_from_catalogue",
]


def _refuse(name: str, expected: str, got: object = None) -> PlanError:
    return PlanError([Problem("<plan>", None, name, expected, got)], "<plan>")


def dose_overrides(value: object, name: str) -> dict[str, dict[str, Any]]:
    """``{exercise_id: {field: value}}`` as plain dicts (``{}`` for ``None``); a
    :class:`PlanError` naming ``name`` when it is not shaped so. The values are checked by
    :class:`~backplan.Prescription`.

    >>> dose_overrides({"heel-slides": 8}, "per_exercise")
    Traceback (most recent call last):
    ...
    backplan.errors.PlanError: The plan: 1 problem
      - column 'per_exercise': expected {field: value} for each exercise, e.g. {'reps': 8}, got 8
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _refuse(name, "{exercise id: {field: value}}", value)
    out = {}
    for exercise, fields in value.items():
        if not isinstance(exercise, str):
            raise _refuse(name, "exercise ids as text", exercise)
        if not isinstance(fields, Mapping):
            raise _refuse(name, "{field: value} for each exercise, e.g. {'reps': 8}", fields)
        out[exercise] = dict(fields)
    return out


def prescriptions_from_catalogue(
    catalogue: pd.DataFrame,
    exercises: Iterable[str],
    per_exercise: Mapping[str, Mapping[str, int]] | None = None,
    **dose: int,
) -> tuple[Prescription, ...]:
    """Prescriptions for ``exercises`` at their catalogue defaults, with overrides.

    Parameters
    ----------
    catalogue : pandas.DataFrame
        A loaded catalogue.
    exercises : iterable of str
        Exercise ids, in the order the patient should do them.
    per_exercise : mapping, optional
        ``{exercise_id: {field: value}}`` overrides for single exercises.
    **dose
        Overrides for every exercise: ``sets``, ``reps``, ``hold_s``,
        ``sessions_per_day``, ``days_per_week``.

    Returns
    -------
    tuple of Prescription

    Raises
    ------
    PlanError
        For an unknown exercise id (naming the valid ids) or an out-of-range dose.
    """
    catalogue = catalogue_argument(catalogue)
    per_exercise = dose_overrides(per_exercise, "per_exercise")
    ids = list(argument("exercises", exercises, ids_value))
    known = set(catalogue["id"])
    problems = []
    for i, ex in enumerate(ids, start=1):
        if ex not in known:
            problems.append(
                Problem("<plan>", i, "exercise", f"one of {', '.join(catalogue['id'])}", ex)
            )
    for ex in per_exercise:
        if ex not in ids:
            problems.append(
                Problem("<plan>", None, "per_exercise", f"one of the plan's exercises {ids}", ex)
            )
    for overrides in (dose, *per_exercise.values()):
        for key in overrides:
            if key not in DOSE_FIELDS:
                problems.append(
                    Problem("<plan>", None, key, f"one of {', '.join(DOSE_FIELDS)}", key)
                )
    if problems:
        raise PlanError(problems, "<plan>")
    rows = catalogue.set_index("id")
    out = []
    for ex in ids:
        row = rows.loc[ex]
        values: dict[str, Any] = {
            "exercise": ex,
            "sets": int(row["sets"]),
            "reps": int(row["reps"]),
            "per_side": bool(row["per_side"]),
            "hold_s": int(row["hold_min_s"]),
            "sessions_per_day": int(row["sessions_per_day"]),
            "days_per_week": 7,
        }
        values.update(dose)
        values.update(per_exercise.get(ex, {}))
        out.append(values)
    return _validate(_PrescriptionList, {"prescriptions": out}, "<plan>").prescriptions


class _PrescriptionList(BaseModel):
    prescriptions: tuple[Prescription, ...]


def _level_ids(
    catalogue: pd.DataFrame,
    level: str,
    exercises: Iterable[str] | None,
    restrictions: Restrictions | None = None,
) -> list[str]:
    levels = list(catalogue["level"].cat.categories)
    if not isinstance(level, str) or level not in levels:
        raise PlanError([Problem("<plan>", None, "level", f"one of {', '.join(levels)}", level)])
    if exercises is None:
        ids = list(allowed_exercises(catalogue, restrictions or Restrictions(), level)["id"])
        if not ids:
            what = " ".join((restrictions or Restrictions()).describe())
            raise PlanError([Problem("<plan>", None, "level", f"a level with at least one "
                                     f"exercise this patient may do ({what})", level)])  # fmt: skip
        return ids
    return list(argument("exercises", exercises, ids_value))


def build_plan(
    catalogue: pd.DataFrame,
    level: str,
    exercises: Iterable[str] | None = None,
    *,
    patient: str = "",
    clinician: str = "",
    start_date: date | str | None = None,
    weeks: int = 6,
    notes: str = "",
    progression: Iterable[AddDose | NextLevel] = (),
    per_exercise: Mapping[str, Mapping[str, int]] | None = None,
    restrictions: Restrictions | Mapping[str, Any] | None = None,
    language: str = "en",
    **dose: int,
) -> Plan:
    """Start a plan from the catalogue's default doses, keeping to the patient's restrictions.

    Parameters
    ----------
    catalogue : pandas.DataFrame
        A loaded catalogue.
    level : str
        The starting level, e.g. ``"beginners"``.
    exercises : iterable of str, optional
        Exercise ids in order; by default every exercise of ``level`` that the
        restrictions allow.
    patient, clinician, notes : str
        Free text for the handout.
    start_date : date or ISO string, optional
        Day 1 of week 1; today when omitted.
    weeks : int
        Plan length (1-52). Six weeks by default: most back pain passes in 4 to 6 weeks.
    progression : iterable of rules
        :class:`AddDose` and/or :class:`NextLevel` rules (see :func:`next_level`). A new
        level takes the plan's sets, sessions a day and days a week where all the plan's
        exercises share a value changed from the catalogue's, and leaves out exercises the restrictions rule out when the
        whole level was asked for.
    per_exercise : mapping, optional
        ``{exercise_id: {field: value}}`` overrides for single exercises.
    restrictions : Restrictions or mapping, optional
        What the patient must avoid (see :class:`~backplan.Restrictions`); stored in the plan.
    language : str
        The language the patient reads (``"pl"``...; see :func:`backplan.locales.languages`):
        their handouts print in it, with English beside.
    **dose
        Overrides for every exercise: ``sets``, ``reps``, ``hold_s``,
        ``sessions_per_day``, ``days_per_week``.

    Returns
    -------
    Plan

    Raises
    ------
    PlanError
        Naming the prescription row and field of every problem.

    Examples
    --------
    >>> from backplan import load_catalogue
    >>> plan = build_plan(load_catalogue(), "more advanced", start_date="2026-03-02",
    ...                   sessions_per_day=2, per_exercise={"half-sit-ups": {"reps": 3}})
    >>> [(p.exercise, p.reps, p.sessions_per_day) for p in plan.prescriptions][2:4]
    [('half-sit-ups', 3, 2), ('back-leg-swing', 5, 2)]
    """
    catalogue = catalogue_argument(catalogue)
    limits = as_restrictions(restrictions)
    ids = _level_ids(catalogue, level, exercises, limits)
    prescriptions = prescriptions_from_catalogue(catalogue, ids, per_exercise, **dose)
    allowed = set(allowed_exercises(catalogue, limits)["id"])
    defaults = prescriptions_from_catalogue(catalogue, ids)
    progression = argument("progression", progression, items_value)
    rules = tuple(settle_level(r, prescriptions, allowed, defaults) for r in progression)
    data = {
        "patient": patient,
        "clinician": clinician,
        "start_date": start_date if start_date is not None else date.today(),
        "weeks": weeks,
        "notes": notes,
        "level": level,
        "prescriptions": prescriptions,
        "progression": rules,
        "restrictions": limits,
        "language": language,
    }
    return _validate(Plan, data, "<plan>", catalogue)


def next_level(
    catalogue: pd.DataFrame,
    from_week: int,
    level: str = LEVELS[1],
    exercises: Iterable[str] | None = None,
    *,
    per_exercise: Mapping[str, Mapping[str, int]] | None = None,
    carry_over: Iterable[str] = CARRY_FIELDS,
    restrictions: Restrictions | Mapping[str, Any] | None = None,
    **dose: int,
) -> NextLevel:
    """A rule that moves a plan to ``level`` from week ``from_week``.

    Doses start from the catalogue; given to :func:`build_plan`, the new exercises take
    the plan's own ``carry_over`` fields (sets, sessions a day, days a week) where all the
    plan's exercises share one value that the physio changed from the catalogue's (so
    "twice a day" stays twice a day, while a plan left at catalogue doses lets the new
    exercises keep theirs, e.g. knees to chest 3 times a day). Doses you give here (``**dose`` or
    ``per_exercise``) always win. Reps and holds reset to the new level's doses.

    Parameters
    ----------
    catalogue : pandas.DataFrame
        A loaded catalogue.
    from_week : int
        The first week at the new level (2 or later).
    level : str
        The new level.
    exercises : iterable of str, optional
        Exercise ids; by default the level's exercises the plan's restrictions allow.
    per_exercise, **dose
        Dose overrides, as in :func:`build_plan`.
    carry_over : iterable of str
        Fields taken from the plan; ``()`` starts the level at catalogue doses.
    restrictions : Restrictions or mapping, optional
        Checked here too (the plan's own restrictions are checked by :func:`build_plan`).

    Examples
    --------
    >>> from backplan import load_catalogue
    >>> cat = load_catalogue()
    >>> rule = next_level(cat, from_week=3, exercises=["knee-to-chest"])
    >>> rule.prescriptions[0].sessions_per_day
    3
    >>> plan = build_plan(cat, "beginners", ["heel-slides"], start_date="2026-01-05",
    ...                   sessions_per_day=2, progression=[rule])
    >>> plan.progression[0].prescriptions[0].sessions_per_day
    2
    """
    catalogue = catalogue_argument(catalogue)
    carry = tuple(f for f in argument("carry_over", carry_over, ids_value) if f not in dose)
    unknown = [f for f in carry if f not in CARRY_FIELDS]
    if unknown:
        raise PlanError([Problem("<plan>", None, "carry_over", f"some of {', '.join(CARRY_FIELDS)}",
                                 f) for f in unknown])  # fmt: skip
    limits = as_restrictions(restrictions)
    ids = _level_ids(catalogue, level, exercises, limits)
    prescriptions = prescriptions_from_catalogue(catalogue, ids, per_exercise, **dose)
    problems = restriction_problems(
        [(p.exercise, i, "the next level") for i, p in enumerate(prescriptions, 1)],
        limits, catalogue,
    )  # fmt: skip
    if problems:
        raise PlanError(problems, "<plan>")
    pinned = tuple((ex, f) for ex, fields in (per_exercise or {}).items() for f in fields)
    pending = _Pending(carry_over=carry, pinned=pinned, whole_level=exercises is None)  # type: ignore[arg-type]
    try:
        return NextLevel(
            from_week=from_week, level=level, prescriptions=prescriptions, pending=pending
        )
    except ValidationError as exc:
        raise PlanError(_problems_from_validation(exc, "<plan>"), "<plan>") from None
