"""How a plan's dose changes from week to week.

A plan stores its week-1 doses once, plus a list of rules; the dose in any later week is
always worked out from those, never stored a second time.

Rules
-----
:class:`AddDose`
    Add ``amount`` reps (or seconds of hold) every ``every_weeks`` weeks, never above
    ``cap``. Holds only grow on exercises that already have a hold.
:class:`NextLevel`
    From week ``from_week`` the plan swaps to another exercise set (usually the catalogue's
    next level). Sets, sessions a day and days a week carry over from the plan when the
    physio changed them from the catalogue and all its exercises share them (see
    :data:`CARRY_FIELDS`); reps and holds start again from the new exercises' own doses, and an :class:`AddDose` rule counts its steps again from
    that week.
:class:`Revision`
    A change a physio made after a review, from a given week: the new doses of the
    exercises it names (those doses are then fixed: no :class:`AddDose` rule moves them),
    exercises stopped, and who made it, when and why.

Examples
--------
>>> rule = AddDose(what="reps", amount=2, every_weeks=1, cap=20)
>>> [added(10, rule, weeks_in=k) for k in range(7)]
[10, 12, 14, 16, 18, 20, 20]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "CARRY_FIELDS",
    "DECISIONS",
    "DOSE_BOUNDS",
    "AddDose",
    "NextLevel",
    "Prescription",
    "Revision",
    "Rule",
    "added",
    "check_revisions",
    "level_start",
    "revised_doses",
    "settle_level",
]

#: Bounds a clinician would accept for each dose field (inclusive).
DOSE_BOUNDS: dict[str, tuple[int, int]] = {
    "sets": (1, 10),
    "reps": (1, 50),
    "hold_s": (0, 120),
    "sessions_per_day": (1, 6),
    "days_per_week": (1, 7),
}


def _bounded(field: str, default: int | None = None) -> object:
    lo, hi = DOSE_BOUNDS[field]
    if default is None:
        return Field(ge=lo, le=hi)
    return Field(default, ge=lo, le=hi)


class Prescription(BaseModel):
    """The week-1 dose of one exercise in a plan.

    ``reps`` are counted per side when ``per_side`` is true ("10 on each leg").

    Examples
    --------
    >>> Prescription(exercise="heel-slides", reps=10, per_side=True).days_per_week
    7
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    exercise: str = Field(min_length=1)
    sets: int = _bounded("sets", 1)
    reps: int = _bounded("reps")
    per_side: bool = False
    hold_s: int = _bounded("hold_s", 0)
    sessions_per_day: int = _bounded("sessions_per_day", 1)
    days_per_week: int = _bounded("days_per_week", 7)


class AddDose(BaseModel):
    """Add ``amount`` reps or seconds of hold every ``every_weeks`` weeks, up to ``cap``.

    ``exercises`` limits the rule to some exercise ids; ``None`` means every exercise.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["add"] = "add"
    what: Literal["reps", "hold_s"] = "reps"
    amount: int = Field(ge=1, le=20)
    every_weeks: int = Field(1, ge=1, le=52)
    cap: int = Field(ge=1, le=120)
    exercises: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _cap_within_bounds(self) -> AddDose:
        hi = DOSE_BOUNDS[self.what][1]
        if self.cap > hi:
            raise ValueError(f"cap for {self.what} must be at most {hi}, got {self.cap}")
        return self

    def applies_to(self, prescription: Prescription) -> bool:
        """Whether this rule changes ``prescription``'s dose."""
        if self.exercises is not None and prescription.exercise not in self.exercises:
            return False
        return self.what == "reps" or prescription.hold_s > 0


#: Dose fields a level-up keeps from the plan unless told otherwise; reps and holds reset.
CARRY_FIELDS: tuple[str, ...] = ("sets", "sessions_per_day", "days_per_week")
CarryField = Literal["sets", "sessions_per_day", "days_per_week"]


class _Pending(BaseModel):
    """What :func:`~backplan.build_plan` still has to settle for a new level (never saved)."""

    model_config = ConfigDict(frozen=True)

    carry_over: tuple[CarryField, ...] = ()
    #: (exercise, field) pairs the physio set by hand: carry-over leaves them alone
    pinned: tuple[tuple[str, str], ...] = ()
    #: the whole level was asked for: exercises that break restrictions are left out
    whole_level: bool = False


class NextLevel(BaseModel):
    """From week ``from_week`` on, do ``prescriptions`` (exercises of ``level``) instead.

    The saved prescriptions are the doses the patient does: carry-over from the plan is
    settled when the plan is built (see :func:`~backplan.next_level`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["next_level"] = "next_level"
    from_week: int = Field(ge=2, le=52)
    level: str = Field(min_length=1)
    prescriptions: tuple[Prescription, ...] = Field(min_length=1)
    pending: _Pending | None = Field(None, exclude=True, repr=False)


#: What a review can decide, most cautious last.
DECISIONS: tuple[str, ...] = ("progress", "hold", "step back")


class Revision(BaseModel):
    """A change to a plan from week ``from_week`` on, with who made it, when and why.

    ``prescriptions`` are the new doses of the exercises named (an exercise the plan did
    not have is added); ``stop`` lists exercises the patient stops. A later revision wins
    over an earlier one for the exercises both name. With ``hold_level`` a move to the
    next level that has not happened yet waits (see :func:`level_start`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=2, le=1000)
    from_week: int = Field(ge=1, le=52)
    decision: Literal["progress", "hold", "step back", "edit"] = "edit"
    prescriptions: tuple[Prescription, ...] = ()
    stop: tuple[str, ...] = ()
    what: str = Field("", max_length=5000)
    why: str = Field(min_length=1, max_length=5000)
    by: str = Field(min_length=1, max_length=200)
    made_at: datetime
    #: keep the patient at their level: a move to the next level waits for a later
    #: revision without this (e.g. a review that says progress)
    hold_level: bool = False


Rule = Annotated[AddDose | NextLevel, Field(discriminator="kind")]


def added(start: int, rule: AddDose, weeks_in: int) -> int:
    """The dose ``weeks_in`` weeks after ``start`` was set, under ``rule``.

    Parameters
    ----------
    start : int
        The dose when the phase began.
    rule : AddDose
        The rule.
    weeks_in : int
        Whole weeks since the phase began (0 for its first week).

    Examples
    --------
    >>> added(5, AddDose(what="hold_s", amount=5, every_weeks=2, cap=30), weeks_in=3)
    10
    """
    steps = weeks_in // rule.every_weeks
    return min(start + steps * rule.amount, max(rule.cap, start))


def settle_level(
    rule: AddDose | NextLevel,
    first: Sequence[Prescription],
    allowed: Set[str],
    defaults: Sequence[Prescription] = (),
) -> AddDose | NextLevel:
    """Settle a new level made by ``next_level`` against the plan it joins.

    Carries the plan's ``first`` (week-1) sets / sessions a day / days a week where all its
    exercises share one value that the physio changed from the catalogue (``defaults``: the
    same exercises at catalogue doses), except doses set by hand for the new level; when the
    whole level was asked for, leaves out exercises not in ``allowed``.
    """
    if not isinstance(rule, NextLevel) or rule.pending is None:
        return rule
    pending = rule.pending
    kept = list(rule.prescriptions)
    if pending.whole_level:
        kept = [p for p in kept if p.exercise in allowed] or kept  # none left: the check says so
    shared = {}
    for field in pending.carry_over:
        values = {getattr(p, field) for p in first}
        changed = any(getattr(d, field) not in values for d in defaults)
        if len(values) == 1 and changed:
            shared[field] = values.pop()
    pinned = set(pending.pinned)
    kept = [
        p.model_copy(update={f: v for f, v in shared.items() if (p.exercise, f) not in pinned})
        for p in kept
    ]
    return rule.model_copy(update={"prescriptions": tuple(kept), "pending": None})


def check_revisions(revisions: Sequence[Revision], weeks: int) -> None:
    """Raise ``ValueError`` unless revisions are numbered 2, 3, ... and start within the plan."""
    for i, rev in enumerate(revisions, start=2):
        if rev.number != i:
            raise ValueError(f"revisions must be numbered 2, 3, ... in order; found {rev.number}")
        if rev.from_week > weeks:
            raise ValueError(
                f"revision {rev.number} starts in week {rev.from_week}, "
                f"but the plan lasts {weeks} weeks"
            )


def revised_doses(
    revisions: Iterable[Revision],
    phased: Set[str],
    week: int,
    scheduled: list[Prescription],
) -> list[Prescription]:
    """``scheduled`` (a week's doses from the plan's rules) with the revisions in force.

    A revised exercise keeps its revised dose; an exercise a revision added (one in no
    level of the plan, ``phased``) stays until stopped; one that belongs to a level only
    appears in that level's weeks; stopped exercises are dropped.
    """
    fixed: dict[str, Prescription] = {}
    stopped: set[str] = set()
    for rev in revisions:
        if rev.from_week <= week:
            for p in rev.prescriptions:
                fixed[p.exercise] = p
                stopped.discard(p.exercise)
            stopped |= set(rev.stop)
    if not fixed and not stopped:
        return scheduled
    out = [fixed.pop(p.exercise, p) for p in scheduled]
    out += [p for ex, p in fixed.items() if ex not in phased]
    return [p for p in out if p.exercise not in stopped]


def level_start(rule: NextLevel, revisions: Iterable[Revision]) -> int | None:
    """The week the move to ``rule.level`` really happens, or ``None`` while it waits.

    A revision with ``hold_level`` from a week on or before the planned move makes it
    wait; the next revision without ``hold_level`` releases it, from that revision's week
    (never earlier than planned).

    Examples
    --------
    >>> from datetime import datetime
    >>> up = NextLevel(from_week=4, level="more advanced",
    ...                prescriptions=[Prescription(exercise="knee-to-chest", reps=5)])
    >>> at = datetime(2026, 1, 1)
    >>> hold = Revision(number=2, from_week=4, why="pain", by="me", made_at=at, hold_level=True)
    >>> go = Revision(number=3, from_week=6, why="better", by="me", made_at=at)
    >>> level_start(up, []), level_start(up, [hold]), level_start(up, [hold, go])
    (4, None, 6)
    """
    start: int | None = rule.from_week
    for rev in sorted(revisions, key=lambda r: (r.from_week, r.number)):
        if rev.hold_level and start is not None and rev.from_week <= start:
            start = None
        elif not rev.hold_level and start is None:
            start = max(rule.from_week, rev.from_week)
    return start
