"""What a patient must not do: positions to avoid, equipment they have or lack, areas to spare.

Restrictions are stored in the plan (``Plan.restrictions``) and checked every time a plan is
built, moved to the next level, revised or loaded. A plan whose exercises break its own
restrictions is a :class:`~backplan.errors.PlanError` naming the prescription.

Whether an exercise breaks a restriction depends on the catalogue row (its ``position``,
``equipment`` and ``targets``), so checks take a catalogue; the shipped one by default.

Examples
--------
>>> from backplan import load_catalogue
>>> cat = load_catalogue()
>>> r = Restrictions(avoid_positions=["lying on stomach"], lacks_equipment=["wall"])
>>> r.describe()
['No exercises lying on stomach.', 'No exercises that need: wall.']
>>> Restrictions(precautions=["hip replacement"]).describe()
['Hip replacement: no bending the hip past 90 degrees (so knees to chest is out).']
>>> list(allowed_exercises(cat, r, level="beginners").id)
['ankle-lifts', 'heel-slides', 'abdominal-contraction', 'heel-raises', 'straight-leg-raises']
>>> breaks(cat, "prone-leg-raises", r)
'is done lying on stomach, a position this patient must avoid'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_serializer

from ..catalogue import (
    NOT_EQUIPMENT,
    POSITIONS,
    catalogue_argument,
    load_catalogue,
    load_precautions,
    rows_matching,
    split_list,
)
from ..errors import PlanError, Problem

__all__ = [
    "Restrictions",
    "allowed_exercises",
    "as_restrictions",
    "breaks",
    "restriction_problems",
    "unknown_words",
]


class Restrictions(BaseModel):
    """What the patient must avoid, and the equipment they have.

    Attributes
    ----------
    avoid_positions : tuple of str
        Positions from :data:`~backplan.POSITIONS` the patient cannot take.
    equipment : tuple of str or None
        Equipment the patient has; exercises needing anything else are ruled out.
        ``None`` (the default) means not recorded: only ``lacks_equipment`` is checked.
    lacks_equipment : tuple of str
        Equipment the patient does not have (e.g. ``"wall"``, ``"chair"``).
    avoid_targets : tuple of str
        Body areas to spare (e.g. ``"hip"`` after hip surgery): no exercise working them.
    precautions : tuple of str
        Conditions from :func:`~backplan.catalogue.load_precautions` (``"hip replacement"``,
        ``"osteoporosis"``, ``"pregnancy after 16 weeks"``...): no exercise whose catalogue
        row lists them in ``unsuitable_for``.

    Examples
    --------
    >>> Restrictions().is_empty()
    True
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    avoid_positions: tuple[Literal[POSITIONS], ...] = ()  # type: ignore[valid-type]
    equipment: tuple[str, ...] | None = None
    lacks_equipment: tuple[str, ...] = ()
    avoid_targets: tuple[str, ...] = ()
    precautions: tuple[str, ...] = ()

    @model_serializer(mode="wrap")
    def _without_no_precautions(self, handler: Any) -> Any:
        """Restrictions without precautions are saved exactly as before the field came."""
        data = handler(self)
        if isinstance(data, dict) and data.get("precautions", 0) in ((), []):
            del data["precautions"]
        return data

    @field_validator("precautions")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = load_precautions()
        bad = [p for p in value if p not in known]
        if bad:
            raise ValueError(f"one of {', '.join(known)}; got {', '.join(map(repr, bad))}")
        return value

    def is_empty(self) -> bool:
        """Whether nothing is ruled out."""
        return not (
            self.avoid_positions
            or self.equipment is not None
            or self.lacks_equipment
            or self.avoid_targets
            or self.precautions
        )

    def describe(self) -> list[str]:
        """The restrictions in plain words, one sentence each."""
        out = [f"No exercises {p}." for p in self.avoid_positions]
        if self.equipment is not None:
            have = ", ".join(self.equipment) or "nothing"
            out.append(f"Equipment at home: {have}.")
        if self.lacks_equipment:
            out.append(f"No exercises that need: {', '.join(self.lacks_equipment)}.")
        if self.avoid_targets:
            out.append(f"No exercises that work: {', '.join(self.avoid_targets)}.")
        known = load_precautions()
        out += [f"{p[0].upper()}{p[1:]}: {known[p][0]}." for p in self.precautions]
        return out


def _row_reason(
    position: str, equipment: str, targets: str, r: Restrictions, unsuitable: str = ""
) -> str | None:
    if position in r.avoid_positions:
        return f"is done {position}, a position this patient must avoid"
    risky = [p for p in split_list(unsuitable) if p in r.precautions]
    if risky:
        means = load_precautions()[risky[0]][0]
        return f"does not suit a patient with {risky[0]} ({means})"
    needs = set(split_list(equipment)) - {"none"}
    lacking = sorted(needs & set(r.lacks_equipment))
    if r.equipment is not None:  # a wall is not equipment: every home has one
        lacking = sorted(set(lacking) | (needs - set(r.equipment) - set(NOT_EQUIPMENT)))
    if lacking:
        return f"needs {', '.join(lacking)}, which this patient does not have"
    spared = sorted(set(split_list(targets)) & set(r.avoid_targets))
    if spared:
        return f"works the {', '.join(spared)}, which this patient must spare"
    return None


def breaks(
    catalogue: pd.DataFrame | None, exercise_id: str, restrictions: Restrictions
) -> str | None:
    """Why ``exercise_id`` breaks ``restrictions`` in plain words, or ``None`` if it is allowed.

    Raises
    ------
    KeyError
        When the catalogue has no such exercise.
    """
    cat = load_catalogue() if catalogue is None else catalogue
    match = cat.loc[cat["id"] == exercise_id]
    if match.empty:
        raise KeyError(exercise_id)
    row = match.iloc[0]
    return _row_reason(
        str(row["position"]), str(row["equipment"]), str(row["targets"]), restrictions,
        _unsuitable(row),
    )  # fmt: skip


def _unsuitable(row: Any) -> str:
    """A catalogue row's ``unsuitable_for`` cell ('' where a catalogue has no such column)."""
    value = row.get("unsuitable_for", "") if hasattr(row, "get") else ""
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def allowed_exercises(
    catalogue: pd.DataFrame,
    restrictions: Restrictions | None = None,
    level: str | Iterable[str] | None = None,
    *,
    targets: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """The catalogue rows a patient with ``restrictions`` may do, in catalogue order.

    This is the one filter of exercises: a plan builder's filters make a
    :class:`Restrictions`, and this function gives the exercises to offer; building a
    plan, a next level and a revision keep to the same rule.

    Parameters
    ----------
    catalogue : pandas.DataFrame
        A loaded catalogue.
    restrictions : Restrictions, optional
        What the patient must avoid or lacks; none by default.
    level : str or list of str, optional
        Keep only these levels.
    targets : str or list of str, optional
        Keep exercises that work at least one of these body areas.

    Raises
    ------
    PlanError
        For equipment or body areas the catalogue does not know.

    Examples
    --------
    >>> from backplan import load_catalogue
    >>> cat = load_catalogue()
    >>> limits = Restrictions(avoid_positions=["lying on stomach"])
    >>> list(allowed_exercises(cat, limits, "more advanced", targets="back").id)
    ['back-leg-swing', 'knee-to-chest']
    """
    catalogue = catalogue_argument(catalogue)
    restrictions = as_restrictions(restrictions)
    problems = unknown_words(restrictions, catalogue)
    if problems:
        raise PlanError(problems)
    kept = rows_matching(
        catalogue, level=level, avoid_positions=list(restrictions.avoid_positions),
        equipment=None if restrictions.equipment is None else list(restrictions.equipment),
        targets=targets,
    )  # fmt: skip
    ok = [
        _row_reason(r["position"], r["equipment"], r["targets"], restrictions, _unsuitable(r))
        is None
        for r in kept.to_dict("records")
    ]
    return kept.loc[ok]


def unknown_words(
    restrictions: Restrictions, catalogue: pd.DataFrame, source: str = "<plan>"
) -> list[Problem]:
    """Equipment to lack or body areas to spare that the catalogue never uses (a typo would
    otherwise rule nothing out)."""
    out = []
    if restrictions.precautions and "unsuitable_for" not in catalogue.columns:
        out.append(Problem(source, None, "restrictions.precautions", "a catalogue with an "
                           "'unsuitable_for' column, so the precautions can be checked",
                           list(restrictions.precautions)))  # fmt: skip
    for field, column in (("lacks_equipment", "equipment"), ("avoid_targets", "targets")):
        known = {w for cell in catalogue[column] for w in split_list(cell)} - {"none"}
        out += [
            Problem(source, None, f"restrictions.{field}", f"one of {', '.join(sorted(known))}", w)
            for w in getattr(restrictions, field)
            if w not in known
        ]
    return out


def restriction_problems(
    exercises: Sequence[tuple[str, int | None, str]],
    restrictions: Restrictions,
    catalogue: pd.DataFrame | None,
    source: str = "<plan>",
) -> list[Problem]:
    """Problems for every ``(exercise, row, where)`` that breaks ``restrictions``.

    ``row`` is the prescription number in its list, ``where`` names the list (e.g. ``"the
    plan"``, ``"the next level"``, ``"revision 2"``). An exercise the catalogue does not
    hold cannot be checked, and is reported too.
    """
    if restrictions.is_empty():
        return []
    cat = load_catalogue() if catalogue is None else catalogue
    rows = cat.set_index("id")
    out = unknown_words(restrictions, cat, source)
    for exercise_id, row, where in exercises:
        label = f"{exercise_id}, {where}"
        if exercise_id not in rows.index:
            out.append(
                Problem(source, row, "exercise", "an exercise in the catalogue, so the plan's "
                        "restrictions can be checked (pass the catalogue the plan was built "
                        "from)", exercise_id, label)
            )  # fmt: skip
            continue
        info = rows.loc[exercise_id]
        reason = _row_reason(
            str(info["position"]), str(info["equipment"]), str(info["targets"]), restrictions,
            _unsuitable(info),
        )  # fmt: skip
        if reason is not None:
            out.append(
                Problem(source, row, "exercise", f"an exercise that keeps to the plan's "
                        f"restrictions; this one {reason}", None, label)
            )  # fmt: skip
    return out


def as_restrictions(value: Restrictions | Mapping[str, Any] | None) -> Restrictions:
    """``value`` as :class:`Restrictions` (a mapping is validated; ``None`` is none).

    Raises
    ------
    PlanError
        Naming the field and the value that is not allowed.
    """
    if value is None or isinstance(value, Restrictions):
        return value or Restrictions()
    try:
        return Restrictions.model_validate(value)
    except ValidationError as exc:
        problems = [
            Problem("<plan>", None, "restrictions." + ".".join(map(str, e["loc"])),
                    str(e["msg"]).removeprefix("Input should be "), e.get("input"))
            for e in exc.errors()
        ]  # fmt: skip
        raise PlanError(problems) from None
