"""The planning choices a form offers, as plain functions: levels, filters, dose limits.

A form (the plan builder, or any other front end) asks these functions what to show and
whether a value is allowed; it never works the rules out itself.

Examples
--------
>>> import backplan as bp
>>> cat = bp.load_catalogue()
>>> level_after(cat, "beginners")
'more advanced'
>>> limits = restrictions_from_filters(["no_chair"])
>>> limits.lacks_equipment
('chair',)
>>> exercise_ids(cat, "more advanced", restrictions=limits)[:2]
['prone-leg-raises', 'supine-leg-raises']
>>> filters_of(limits)
(['no_chair'], Restrictions(avoid_positions=(), equipment=None, lacks_equipment=(), avoid_targets=(), precautions=()))
>>> dose_problem("reps", 99)
'reps: 1 to 50'
>>> cap_floor("hold_s", [0, 5, 10])
10
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from pydantic import BaseModel

from .._io.typed import ids_value
from ..catalogue import catalogue_argument
from ..errors import BackplanError, short
from .build import next_level
from .model import Plan
from .restrictions import Restrictions, allowed_exercises, as_restrictions
from .rules import DOSE_BOUNDS, AddDose, NextLevel

__all__ = [
    "DOSE_LABELS",
    "FIELD_BOUNDS",
    "PATIENT_FILTERS",
    "add_dose_bounds",
    "bounds_problem",
    "cap_floor",
    "dose_problem",
    "exercise_ids",
    "filters_of",
    "level_after",
    "levels",
    "progression_rules",
    "restrictions_from_filters",
]

#: Dose fields in the order a form shows them, with the words a physio uses.
DOSE_LABELS: dict[str, str] = {
    "sets": "Sets",
    "reps": "Reps",
    "hold_s": "Hold (s)",
    "sessions_per_day": "Times a day",
    "days_per_week": "Days a week",
}

#: Patient filters: key -> (label, position to avoid, equipment the patient lacks).
PATIENT_FILTERS: dict[str, tuple[str, str | None, str | None]] = {
    "no_stomach": ("Cannot lie on stomach", "lying on stomach", None),
    "no_back": ("Cannot lie on back", "lying on back", None),
    "no_wall": ("No wall free", None, "wall"),
    "no_chair": ("No chair", None, "chair"),
}


def _model_bounds(model: type[BaseModel], field: str) -> tuple[int, int]:
    """The inclusive (ge, le) bounds pydantic checks on ``model.field``."""
    lo = hi = None
    for rule in model.model_fields[field].metadata:
        lo = getattr(rule, "ge", lo)
        hi = getattr(rule, "le", hi)
    if lo is None or hi is None:
        raise TypeError(f"{model.__name__}.{field} has no ge/le bounds")
    return int(lo), int(hi)


#: Inclusive bounds of the plan-wide numbers a form asks for, as the models check them.
FIELD_BOUNDS: dict[str, tuple[int, int]] = {
    "weeks": _model_bounds(Plan, "weeks"),
    "amount": _model_bounds(AddDose, "amount"),
    "every_weeks": _model_bounds(AddDose, "every_weeks"),
    "from_week": _model_bounds(NextLevel, "from_week"),
}


def bounds_problem(name: str, value: object, lo: int, hi: int) -> str | None:
    """``"name: lo to hi"`` when ``value`` is not a whole number in that range, else ``None``.

    Examples
    --------
    >>> bounds_problem("weeks", 60, *FIELD_BOUNDS["weeks"])
    'weeks: 1 to 52'
    """
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        return f"{name}: {lo} to {hi}"
    return None


def levels(catalogue: pd.DataFrame) -> list[str]:
    """The catalogue's levels, easiest first."""
    return [str(v) for v in catalogue["level"].cat.categories]


def level_after(catalogue: pd.DataFrame, level: str) -> str | None:
    """The level that follows ``level``, or ``None`` at the top.

    Raises
    ------
    BackplanError
        When ``level`` is not one of the catalogue's levels.
    """
    order = levels(catalogue_argument(catalogue))
    if level not in order:
        raise BackplanError(f"level must be one of {', '.join(order)}; got {level!r}")
    i = order.index(level)
    return order[i + 1] if i + 1 < len(order) else None


def restrictions_from_filters(
    keys: Iterable[str], keep: Restrictions | None = None
) -> Restrictions:
    """The :class:`~backplan.Restrictions` that the ticked :data:`PATIENT_FILTERS` describe.

    Parameters
    ----------
    keys : iterable of str
        Keys of :data:`PATIENT_FILTERS` that are ticked.
    keep : Restrictions, optional
        The restrictions of an opened plan. The filters decide their own positions and
        equipment; everything else (other positions, equipment the patient has, body
        areas to spare) is kept, in its order, so nothing the physio ruled out is lost.

    Raises
    ------
    BackplanError
        For a key that is not a patient filter.
    """
    try:
        keys = list(ids_value(keys))
    except ValueError:
        raise BackplanError(f"keys: expected a list of patient filters "
                            f"({', '.join(PATIENT_FILTERS)}), got {short(repr(keys))}") from None  # fmt: skip
    unknown = [k for k in keys if k not in PATIENT_FILTERS]
    if unknown:
        raise BackplanError(
            f"patient filters are {', '.join(PATIENT_FILTERS)}; got {', '.join(unknown)}"
        )
    base = as_restrictions(keep)
    update = {}
    for field, i in (("avoid_positions", 1), ("lacks_equipment", 2)):
        controlled = {v[i] for v in PATIENT_FILTERS.values() if v[i]}
        ticked = [v for k in keys if (v := PATIENT_FILTERS[k][i])]
        kept = [v for v in getattr(base, field) if v not in controlled or v in ticked]
        update[field] = tuple(dict.fromkeys([*kept, *ticked]))
    return base.model_copy(update=update)


def filters_of(restrictions: Restrictions) -> tuple[list[str], Restrictions]:
    """The patient filters that show ``restrictions``, and what is left over.

    The left-over part (other positions, equipment the patient has, body areas to spare)
    is what a form cannot tick; :func:`restrictions_from_filters` keeps it.
    """
    restrictions = as_restrictions(restrictions)
    on = [
        key
        for key, (_, position, lacks) in PATIENT_FILTERS.items()
        if (position is None or position in restrictions.avoid_positions)
        and (lacks is None or lacks in restrictions.lacks_equipment)
    ]
    shown_positions = {PATIENT_FILTERS[k][1] for k in on}
    shown_lacks = {PATIENT_FILTERS[k][2] for k in on}
    rest = restrictions.model_copy(
        update={
            "avoid_positions": tuple(
                p for p in restrictions.avoid_positions if p not in shown_positions
            ),
            "lacks_equipment": tuple(
                e for e in restrictions.lacks_equipment if e not in shown_lacks
            ),
        }
    )
    return on, rest


def exercise_ids(
    catalogue: pd.DataFrame,
    level: str,
    *,
    restrictions: Restrictions | None = None,
    avoid_positions: Iterable[str] = (),
    missing_equipment: Iterable[str] = (),
    order: Sequence[str] | None = None,
) -> list[str]:
    """Exercise ids of ``level`` a patient can do, in ``order`` (catalogue order by default).

    The exercises are those :func:`backplan.allowed_exercises` gives for the restrictions:
    this is the same rule :func:`backplan.build_plan` and :func:`backplan.next_level`
    enforce.

    Parameters
    ----------
    restrictions : Restrictions, optional
        The patient's restrictions (see :func:`restrictions_from_filters`).
    avoid_positions : iterable of str
        More positions the patient cannot take (see :data:`backplan.POSITIONS`).
    missing_equipment : iterable of str
        More things the patient does not have at home (``"wall"``, ``"chair"``).
    order : sequence of str, optional
        The order to return ids in (ids not in it are left out).
    """
    limits = _with(restrictions, avoid_positions, missing_equipment)
    catalogue = catalogue_argument(catalogue)
    found = set(allowed_exercises(catalogue, limits, level=level)["id"])
    return [ex for ex in (catalogue["id"] if order is None else order) if ex in found]


def _with(
    restrictions: Restrictions | None, avoid: Iterable[str], lacks: Iterable[str]
) -> Restrictions:
    """``restrictions`` with more positions to avoid and equipment lacked."""
    base = restrictions or Restrictions()
    avoid, lacks = list(avoid), list(lacks)
    if not avoid and not lacks:
        return base
    return Restrictions.model_validate(
        {
            **base.model_dump(),
            "avoid_positions": tuple(dict.fromkeys([*base.avoid_positions, *avoid])),
            "lacks_equipment": tuple(dict.fromkeys([*base.lacks_equipment, *lacks])),
        }
    )


def dose_problem(field: str, value: object) -> str | None:
    """Why ``value`` is not a valid ``field`` dose ("reps: 1 to 50"), or ``None`` if it is.

    Examples
    --------
    >>> dose_problem("sets", 3) is None
    True
    >>> dose_problem("hold_s", -1)
    'hold (s): 0 to 120'
    """
    return bounds_problem(DOSE_LABELS[field].lower(), value, *DOSE_BOUNDS[field])


def cap_floor(what: str, starts: Iterable[int]) -> int:
    """The lowest cap an :class:`AddDose` rule on ``what`` may have.

    A cap may not go below any starting dose it applies to. Hold time only grows on
    exercises that already have a hold, so zero holds do not count.
    """
    values = [s for s in starts if what != "hold_s" or s > 0]
    return max([1, *values])


def add_dose_bounds(what: str, starts: Iterable[int]) -> tuple[int, int]:
    """The (lowest, highest) cap allowed for an :class:`AddDose` rule on ``what``."""
    return cap_floor(what, starts), DOSE_BOUNDS[what][1]


def progression_rules(
    catalogue: pd.DataFrame,
    level: str,
    starts: dict[str, Sequence[int]] | None = None,
    *,
    weeks: int,
    add: dict[str, int | str] | None = None,
    move_up_week: int | None = None,
    restrictions: Restrictions | None = None,
    avoid_positions: Iterable[str] = (),
    missing_equipment: Iterable[str] = (),
    next_exercises: Sequence[str] | None = None,
    next_doses: dict[str, dict[str, int]] | None = None,
) -> list[AddDose | NextLevel]:
    """The progression a form describes, checked, with a message a physio understands.

    Parameters
    ----------
    level : str
        The level the plan starts at.
    starts : dict, optional
        ``{"reps": [...], "hold_s": [...]}``: the week-1 doses the add rule applies to.
    weeks : int
        The plan's length.
    add : dict, optional
        ``{"what": "reps" | "hold_s", "amount": n, "every_weeks": n, "cap": n}``.
    move_up_week : int, optional
        Move to the next level from this week, with the exercises that suit the patient.
    restrictions : Restrictions, optional
        The patient's restrictions (``avoid_positions`` and ``missing_equipment`` add to
        them); the next level keeps to them.
    next_exercises : sequence of str, optional
        The next level's exercises, in order; by default all those the restrictions allow.
    next_doses : dict, optional
        ``{exercise_id: {field: value}}``: next-level doses set by hand. Other fields take
        the plan's sets, times a day and days a week, or the catalogue's doses (see
        :func:`backplan.next_level`).

    Raises
    ------
    BackplanError
        When the choices do not make a plan (no next level, a 1-week plan, no suitable
        exercise, a cap below a starting dose).

    Examples
    --------
    >>> import backplan as bp
    >>> rules = progression_rules(bp.load_catalogue(), "beginners", {"reps": [10]}, weeks=6,
    ...                           add={"what": "reps", "amount": 2, "every_weeks": 2, "cap": 8})
    Traceback (most recent call last):
    ...
    backplan.errors.BackplanError: up to: at least 10 (the highest starting reps)
    """
    rules: list[AddDose | NextLevel] = []
    if move_up_week is not None:
        upper = level_after(catalogue, level)
        if upper is None:
            raise BackplanError(f"'{level}' is the highest level: there is no next level.")
        if weeks < 2:
            raise BackplanError(
                "A 1-week plan cannot move to the next level. Make the plan longer."
            )
        limits = _with(restrictions, avoid_positions, missing_equipment)
        if not exercise_ids(catalogue, upper, restrictions=limits):
            raise BackplanError(
                f"No '{upper}' exercise suits this patient's filters, so the plan "
                "cannot move to the next level."
            )
        if not 2 <= move_up_week <= weeks:
            raise BackplanError(f"from week: 2 to {weeks} (the plan's length)")
        rules.append(
            next_level(
                catalogue,
                move_up_week,
                upper,
                next_exercises,
                restrictions=limits,
                per_exercise=next_doses or None,
            )
        )
    if add is not None:
        what = str(add["what"])
        values = list((starts or {}).get(what, ()))
        values += [getattr(p, what) for r in rules for p in r.prescriptions]
        floor, hi = add_dose_bounds(what, values)
        cap = int(add["cap"])
        if not floor <= cap <= hi:
            words = "reps" if what == "reps" else "hold"
            raise BackplanError(
                f"up to: at least {floor} (the highest starting {words})"
                if cap < floor
                else f"up to: at most {hi}"
            )
        rules.insert(
            0,
            AddDose(what=what, amount=add["amount"], every_weeks=add["every_weeks"], cap=cap),
        )
    return rules
