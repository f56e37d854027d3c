"""The planning choices a form offers, as plain functions: levels, filters, dose limits.

A form (the plan builder, or any other front end) asks these functions what to show and
whether a value is allowed; it never works the rules out itself.

Examples
--------
>>> import backplan as bp
>>> cat = bp.load_catalogue()
>>> level_after(cat, "beginners")
'more advanced'
>>> suitable_exercises(cat, "more advanced", missing_equipment=["chair"])[:2]
['prone-leg-raises', 'supine-leg-raises']
>>> dose_problem("reps", 99)
'reps: 1 to 50'
>>> cap_floor("hold_s", [0, 5, 10])
10
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from pydantic import BaseModel

from .catalogue import filter_exercises, split_list
from .errors import BackplanError
from .plan import Plan, next_level
from .progression import DOSE_BOUNDS, AddDose, NextLevel

__all__ = [
    "DOSE_LABELS",
    "FIELD_BOUNDS",
    "PATIENT_FILTERS",
    "add_dose_bounds",
    "bounds_problem",
    "cap_floor",
    "dose_problem",
    "level_after",
    "levels",
    "progression_rules",
    "suitable_exercises",
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
    order = levels(catalogue)
    if level not in order:
        raise BackplanError(f"level must be one of {', '.join(order)}; got {level!r}")
    i = order.index(level)
    return order[i + 1] if i + 1 < len(order) else None


def suitable_exercises(
    catalogue: pd.DataFrame,
    level: str,
    *,
    avoid_positions: Iterable[str] = (),
    missing_equipment: Iterable[str] = (),
    order: Sequence[str] | None = None,
) -> list[str]:
    """Exercise ids of ``level`` a patient can do, in ``order`` (catalogue order by default).

    Parameters
    ----------
    avoid_positions : iterable of str
        Positions the patient cannot take (see :data:`backplan.POSITIONS`).
    missing_equipment : iterable of str
        Things the patient does not have at home (``"wall"``, ``"chair"``); exercises that
        need none of them stay in.
    order : sequence of str, optional
        The order to return ids in (ids not in it are left out).
    """
    missing = set(missing_equipment)
    equipment = None
    if missing:
        have = {e for cell in catalogue["equipment"] for e in split_list(cell)}
        equipment = sorted(have - missing - {"none"})
    found = set(
        filter_exercises(
            catalogue, level=level, avoid_positions=list(avoid_positions), equipment=equipment
        )["id"]
    )
    return [ex for ex in (catalogue["id"] if order is None else order) if ex in found]


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
    avoid_positions: Iterable[str] = (),
    missing_equipment: Iterable[str] = (),
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
        ids = suitable_exercises(
            catalogue, upper, avoid_positions=avoid_positions, missing_equipment=missing_equipment
        )
        if not ids:
            raise BackplanError(
                f"No '{upper}' exercise suits this patient's filters, so the plan "
                "cannot move to the next level."
            )
        if not 2 <= move_up_week <= weeks:
            raise BackplanError(f"from week: 2 to {weeks} (the plan's length)")
        rules.append(next_level(catalogue, move_up_week, upper, ids))
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
