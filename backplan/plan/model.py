"""The plan document: what a physio prescribes, validated, saved and loaded as JSON.

Examples
--------
>>> from datetime import date
>>> from backplan import build_plan, dose_in_week, load_catalogue
>>> cat = load_catalogue()
>>> plan = build_plan(cat, "beginners", ["heel-slides", "wall-squats"],
...                   patient="A.B.", start_date=date(2026, 1, 5), weeks=4, reps=8)
>>> [(p.exercise, p.reps, p.per_side, p.hold_s) for p in plan.prescriptions]
[('heel-slides', 8, True, 0), ('wall-squats', 8, False, 5)]
>>> [p.reps for p in dose_in_week(plan, 4)]
[8, 8]
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    model_serializer,
    model_validator,
)

from .._io.typed import Day, Moment, Text, Whole, whole_value
from ..catalogue import LEVELS
from ..errors import PlanError, Problem, argument_value
from .restrictions import Restrictions, restriction_problems
from .rules import DOSE_BOUNDS, AddDose, NextLevel, Prescription, Revision, Rule, check_revisions
from .weeks import doses_in_force, level_in_force

__all__ = [
    "DOSE_FIELDS",
    "SCHEMA_VERSION",
    "Plan",
    "WarningsAccepted",
    "dose_in_week",
    "level_in_week",
    "new_plan_id",
    "plan_argument",
    "plans_argument",
    "stable_plan_id",
    "week_argument",
]

#: The version of the saved-plan format this backplan writes and reads.
SCHEMA_VERSION = 2
DOSE_FIELDS: tuple[str, ...] = tuple(DOSE_BOUNDS)


def _unique_exercises(prescriptions: Sequence[Prescription], where: str) -> None:
    if len({p.exercise for p in prescriptions}) == len(prescriptions):
        return
    counts = Counter(p.exercise for p in prescriptions)  # linear: 40k rows load in well under 1 s
    dupes = sorted(i for i, n in counts.items() if n > 1)
    if dupes:
        raise ValueError(f"{where} lists an exercise more than once: {', '.join(dupes)}")


def _language(code: str) -> str:
    """A shipped language's code (``"PL"`` -> ``"pl"``); any other is refused, naming them."""
    from ..locales import LanguageError, check_language, known_languages

    try:
        return check_language(code)
    except LanguageError:
        raise ValueError(known_languages()) from None


class WarningsAccepted(BaseModel):
    """A physio read a plan's dose warnings and accepted them (see
    :func:`backplan.plan.warnings.accept_warnings`): who, when, and the warnings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    by: Text = Field(min_length=1, max_length=200)
    at: Moment
    codes: tuple[Text, ...] = Field((), max_length=1000)
    messages: tuple[Annotated[Text, Field(max_length=1000)], ...] = Field((), max_length=1000)


class Plan(BaseModel):
    """A home-exercise plan for one patient.

    Attributes
    ----------
    patient : str
        Free text; may be a pseudonym. Empty leaves a blank on the handout.
    clinician, notes : str
        Free text shown on the handout.
    start_date : datetime.date
        Day 1 of week 1.
    weeks : int
        Plan length, 1 to 52.
    level : str
        The catalogue level the plan starts at.
    prescriptions : tuple of Prescription
        Week-1 doses, in the order the patient should do them.
    progression : tuple of AddDose / NextLevel
        How doses change later; empty means every week is the same.
    restrictions : Restrictions
        Positions, equipment and body areas the patient must avoid; every exercise of the
        plan, its next level and its revisions is checked against them.
    revisions : tuple of Revision
        Changes made after reviews, oldest first (see :mod:`backplan.plan.revise`).
    start_back : {"low", "medium", "high"} or None
        The patient's STarT Back risk group at first contact (see
        :func:`backplan.start_back`); ``None`` when not stratified. A high-risk plan is
        reviewed with time-based progression (:func:`backplan.review_rules_for`). Left out
        of the saved file while ``None``, so plans saved before it existed load unchanged.
    plan_id : str
        The plan's identity, stored in the file and kept by every revision (health records
        file each revision as a new version of one CarePlan with this id). A plan made or
        loaded without one gets :func:`stable_plan_id` of its first-written content, so a
        file saved before ids existed gets the same id at every load; give a plan
        :func:`new_plan_id` to make it distinct from any other.
    warnings_accepted : WarningsAccepted or None
        Who accepted the plan's dose warnings (:func:`backplan.plan_warnings`), and when.
    language : str
        The language the patient reads (``"en"``, ``"cy"``, ``"pl"``, ...: one of
        :func:`backplan.locales.languages`); handouts print in it, with English beside.
        Left out of the saved file while English, so plans saved before it existed load
        and save byte for byte as before; not part of :func:`stable_plan_id`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Annotated[Literal[2], BeforeValidator(whole_value)] = SCHEMA_VERSION
    patient: Text = Field("", max_length=200)
    clinician: Text = Field("", max_length=200)
    start_date: Day
    weeks: Whole = Field(6, ge=1, le=52)
    notes: Text = Field("", max_length=5000)
    level: Literal[LEVELS] = LEVELS[0]  # type: ignore[valid-type]
    prescriptions: tuple[Prescription, ...] = Field(min_length=1)
    progression: tuple[Rule, ...] = ()
    restrictions: Restrictions = Restrictions()
    revisions: tuple[Revision, ...] = ()
    start_back: Literal["low", "medium", "high"] | None = None
    plan_id: Text = Field("", max_length=64, pattern=r"^([A-Za-z0-9.-]{1,64})?$")
    warnings_accepted: WarningsAccepted | None = None
    language: Annotated[str, AfterValidator(_language)] = "en"

    @model_serializer(mode="wrap")
    def _leave_out_empty(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Fields added since version 2 are saved only when they hold something, so a plan
        that uses none of them is saved exactly as before they came."""
        data = handler(self)
        if isinstance(data, dict):
            for name in ("start_back", "warnings_accepted"):
                if data.get(name, 0) is None:
                    del data[name]
            if data.get("language") == "en":
                del data["language"]
        return data

    @model_validator(mode="after")
    def _with_id(self) -> Plan:
        if not self.plan_id:  # frozen: set once, here, before anyone sees the plan
            object.__setattr__(self, "plan_id", stable_plan_id(self))
        return self

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Plan:
        _unique_exercises(self.prescriptions, "the plan")
        check_revisions(self.revisions, self.weeks)
        for rev in self.revisions:
            _unique_exercises(rev.prescriptions, f"revision {rev.number}")
        context = info.context if isinstance(info.context, dict) else {}
        problems = restriction_problems(
            _listed(self),
            self.restrictions,
            context.get("catalogue"),
            context.get("source", "<plan>"),
        )
        if problems:
            context.setdefault("problems", []).extend(problems)
            raise ValueError("; ".join(str(p) for p in problems))
        levels = [r for r in self.progression if isinstance(r, NextLevel)]
        if len(levels) > 1:
            raise ValueError("a plan can move to another level only once")
        for rule in levels:
            _unique_exercises(rule.prescriptions, "the next level")
            if rule.from_week > self.weeks:
                raise ValueError(
                    f"the next level starts in week {rule.from_week}, "
                    f"but the plan lasts {self.weeks} weeks"
                )
        for week in range(1, self.weeks + 1) if self.revisions else ():
            if not doses_in_force(self, week):
                raise ValueError(f"at least one exercise in every week; the revisions stop "
                                 f"them all from week {week} (to end the plan, make a new one)")  # fmt: skip
        adds = [r for r in self.progression if isinstance(r, AddDose)]
        phased = self.all_prescriptions()[: len(self.all_prescriptions()) - sum(
            len(r.prescriptions) for r in self.revisions)]  # fmt: skip
        for rule in adds:
            for p in phased:
                start = getattr(p, rule.what)
                if rule.applies_to(p) and start > rule.cap:
                    raise ValueError(
                        f"the cap of {rule.cap} for {rule.what} is below the starting "
                        f"{rule.what} of {p.exercise} ({start})"
                    )
        return self

    def all_prescriptions(self) -> list[Prescription]:
        """Every prescription in the plan, the next level's and the revisions' included."""
        out = list(self.prescriptions)
        for rule in self.progression:
            if isinstance(rule, NextLevel):
                out += rule.prescriptions
        for revision in self.revisions:
            out += revision.prescriptions
        return out


def stable_plan_id(plan: Plan) -> str:
    """The id a plan without one gets: a UUID from what a revision never changes.

    Everything but the revisions (and the id and schema version) goes in: patient label,
    start date, weeks, level, week-1 doses, rules, restrictions, clinician and notes. A
    revision keeps the stored id, so the id stays put for the plan's whole life.

    Examples
    --------
    >>> from datetime import date
    >>> from backplan import Prescription
    >>> p = Plan(start_date=date(2026, 1, 5), prescriptions=[Prescription(exercise="heel-raises", reps=8)])
    >>> p.plan_id == stable_plan_id(p) and len(p.plan_id)
    36
    """
    first = plan.model_dump(
        mode="json",
        exclude={"plan_id", "revisions", "schema_version", "warnings_accepted", "language"},
    )
    text = json.dumps(first, sort_keys=True, ensure_ascii=False)
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"backplan:plan:{text}"))


def new_plan_id() -> str:
    """A random plan id (UUID 4), for ``plan.model_copy(update={"plan_id": new_plan_id()})``.

    Examples
    --------
    >>> len(new_plan_id()), new_plan_id() != new_plan_id()
    (36, True)
    """
    return str(uuid.uuid4())


def plan_argument(value: object, name: str = "plan") -> Plan:
    """``value`` when it is a :class:`Plan`, else a :class:`PlanError` naming the argument.

    >>> plan_argument({"patient": "A"})
    Traceback (most recent call last):
    ...
    backplan.errors.PlanError: The plan: 1 problem
      - column 'plan': expected a Plan (from build_plan or load_plan), got 'dict'
    """
    if isinstance(value, Plan):
        return value
    expected = "a Plan (from build_plan or load_plan)"
    raise PlanError([Problem("<plan>", None, name, expected, type(value).__name__)], "<plan>")


def _listed(plan: Plan) -> list[tuple[str, int | None, str]]:
    """(exercise, row, which list) for every prescription, for restriction messages."""
    out = [(p.exercise, i, "the plan") for i, p in enumerate(plan.prescriptions, start=1)]
    for rule in plan.progression:
        if isinstance(rule, NextLevel):
            out += [(p.exercise, i, "the next level") for i, p in enumerate(rule.prescriptions, 1)]
    for rev in plan.revisions:
        out += [
            (p.exercise, i, f"revision {rev.number}") for i, p in enumerate(rev.prescriptions, 1)
        ]
    return out


def plans_argument(value: object, name: str = "plans") -> tuple[Plan, ...]:
    """``value`` as a tuple of plans when it is a list (or other iterable) of at least one
    :class:`Plan`, else a :class:`PlanError` naming the argument and the rows that are not
    plans.

    >>> plans_argument([])
    Traceback (most recent call last):
    ...
    backplan.errors.PlanError: The plans: 1 problem
      - column 'plans': expected at least one plan (the list is empty)
    """
    if not isinstance(value, Iterable) or isinstance(value, str | bytes | Mapping | pd.DataFrame):
        got = argument_value(value)
        expected = "a list of plans (from build_plan or load_plan)"
        raise PlanError([Problem("<plans>", None, name, expected, got)], "<plans>")
    plans = tuple(value)
    if not plans:
        expected = "at least one plan (the list is empty)"
        raise PlanError([Problem("<plans>", None, name, expected)], "<plans>")
    wrong = [i for i, p in enumerate(plans, 1) if not isinstance(p, Plan)]
    if wrong:
        raise PlanError([Problem("<plans>", i, name, "a Plan", type(plans[i - 1]).__name__)
                         for i in wrong], "<plans>")  # fmt: skip
    return plans


def week_argument(plan: Plan, week: object, name: str = "week") -> int:
    """``week`` when it is a whole number from 1 to ``plan.weeks``, else a
    :class:`PlanError` naming the argument.

    >>> from datetime import date
    >>> from backplan import Prescription
    >>> p = Plan(start_date=date(2026, 1, 5), weeks=3,
    ...          prescriptions=[Prescription(exercise="heel-raises", reps=10)])
    >>> week_argument(p, None)
    Traceback (most recent call last):
    ...
    backplan.errors.PlanError: The plan: 1 problem
      - column 'week': expected a week from 1 to 3
    """
    expected = f"a week from 1 to {plan.weeks}"
    try:
        value = whole_value(week)
    except ValueError:
        value = 0
    if not 1 <= value <= plan.weeks:
        raise PlanError([Problem("<plan>", None, name, expected, week)], "<plan>")
    return value


def dose_in_week(plan: Plan, week: int) -> list[Prescription]:
    """The prescriptions in force in ``week`` (1-based), with progression and revisions.

    A revision in force (its ``from_week`` reached) fixes the dose of each exercise it
    names, adds exercises the plan did not have and drops those it stops.

    Raises
    ------
    PlanError
        When ``plan`` is not a :class:`Plan` or ``week`` is not one of its weeks.

    Examples
    --------
    >>> from backplan import AddDose, build_plan, load_catalogue
    >>> p = build_plan(load_catalogue(), "beginners", ["heel-raises"], weeks=3,
    ...                start_date="2026-01-05", progression=[AddDose(what="reps", amount=2,
    ...                                                              cap=12)])
    >>> [dose_in_week(p, w)[0].reps for w in (1, 2, 3)]
    [10, 12, 12]
    """
    plan = plan_argument(plan)
    return doses_in_force(plan, week_argument(plan, week))


def level_in_week(plan: Plan, week: int) -> str:
    """The level a plan is at in ``week`` (1-based).

    >>> from backplan import build_plan, load_catalogue, next_level
    >>> cat = load_catalogue()
    >>> plan = build_plan(cat, "beginners", start_date="2026-01-05", weeks=4,
    ...                   progression=[next_level(cat, 3)])
    >>> level_in_week(plan, 2), level_in_week(plan, 3)
    ('beginners', 'more advanced')
    """
    plan = plan_argument(plan)
    return level_in_force(plan, week_argument(plan, week))


# --- checking plan data, with messages naming the row and field ---------------------------


def _revision_row(revisions: Any, i: Any, j: Any) -> tuple[int | None, str | None]:
    """(row, label) of prescription ``j`` of revision ``i`` in raw plan data, for messages."""
    try:
        exercise = revisions[i]["prescriptions"][j]["exercise"]
        return int(j) + 1, f"{exercise}, revision {int(i) + 2}"
    except (LookupError, TypeError, ValueError):
        return None, None


def _expected(err: Mapping[str, Any]) -> str:
    """What pydantic's error ``err`` expected, in the words of the rest of backplan."""
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind == "string_too_long":
        return f"text of at most {ctx['max_length']} characters"
    if kind == "string_too_short":
        return "some text (not empty)" if ctx["min_length"] == 1 else (
            f"text of at least {ctx['min_length']} characters")  # fmt: skip
    if kind == "string_type":
        return "text"
    msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Input should be ")
    return "a value " + msg if msg.startswith(("less", "greater")) else msg


def _problems_from_validation(
    exc: ValidationError, source: str, labels: Sequence[str] = (), revisions: Any = ()
) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = list(err["loc"])
        row = label = None
        if len(loc) >= 2 and loc[0] == "prescriptions" and isinstance(loc[1], int):
            row = loc[1] + 1
            label = labels[loc[1]] if loc[1] < len(labels) else None
            loc = loc[2:]
        elif len(loc) >= 4 and loc[0] == "revisions" and loc[2] == "prescriptions":
            row, label = _revision_row(revisions, loc[1], loc[3])
            loc = loc[4:]
        column = ".".join(str(part) for part in loc) or None
        msg = _expected(err)
        got = err.get("input") if err["type"] not in {"missing", "model_type"} else None
        if isinstance(got, Mapping):
            got = None
        problems.append(Problem(source, row, column, msg, got, label))
    return problems


def _validate(
    model: type[BaseModel],
    data: Mapping[str, Any],
    source: str,
    catalogue: pd.DataFrame | None = None,
) -> Any:
    context: dict[str, Any] = {"catalogue": catalogue, "source": source, "problems": []}
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        if context["problems"]:  # restrictions broken: name each prescription
            raise PlanError(context["problems"], source) from None
        given = data.get("prescriptions")
        labels = [
            str(p.get("exercise", ""))
            if isinstance(p, Mapping)
            else str(getattr(p, "exercise", ""))
            for p in (given if isinstance(given, list | tuple) else ())
        ]
        revisions = data.get("revisions")
        revisions = revisions if isinstance(revisions, list | tuple) else ()
        problems = _problems_from_validation(exc, source, labels, revisions)
        raise PlanError(problems, source) from None
