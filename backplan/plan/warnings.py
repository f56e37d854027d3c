"""Doses a physio would sign: warnings about a plan that is valid but unusual.

:func:`plan_warnings` looks at every week of a plan (its rules and revisions applied) and
warns, with the reason, when

* ``reps-per-day``: one exercise asks for more reps a day than the limit
  (sets x reps x sides x times a day);
* ``minutes-per-day``: all exercises of a day take longer than the limit (3 seconds a rep
  plus the hold, an estimate);
* ``weekly-rise``: one exercise's weekly reps, or its hold, rise by more than the limit from
  one week to the next;
* ``hold-not-in-catalogue``: an exercise is held for seconds where its catalogue row has no
  hold.

The limits and their reasons are data (``data/dose-limits.csv``); a clinic can pass its own
(:func:`load_dose_limits`). A warning does not stop a plan: the physio can accept them
(:func:`accept_warnings`), and the plan then records who accepted which and when.

Examples
--------
>>> from backplan import build_plan, load_catalogue
>>> cat = load_catalogue()
>>> plan = build_plan(cat, "beginners", ["heel-raises"], start_date="2026-01-05",
...                   sets=10, reps=50, sessions_per_day=6)
>>> [(w.code, w.exercise, w.week) for w in plan_warnings(plan, cat)][:2]
[('reps-per-day', 'heel-raises', 1), ('minutes-per-day', None, 1)]
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from .._io.paths import data_dir
from .._io.spreadsheets import read_text_table, spreadsheet_row
from ..catalogue import catalogue_argument
from ..errors import PlanError, Problem
from .model import Plan, WarningsAccepted, plan_argument
from .rules import Prescription
from .weeks import doses_in_force as dose_in_week

__all__ = [
    "LIMITS",
    "PlanWarning",
    "accept_warnings",
    "load_dose_limits",
    "plan_warnings",
    "still_accepted",
]

#: The limits a dose-limits file must give, and the range each may take.
LIMITS: dict[str, tuple[float, float]] = {
    "reps_per_day": (1, 100_000),
    "minutes_per_day": (1, 24 * 60),
    "weekly_rise": (0.01, 100),
    "seconds_per_rep": (0.5, 60),
}


@dataclass(frozen=True)
class PlanWarning:
    """One thing a physio should look at before signing a plan.

    Attributes
    ----------
    code : str
        ``reps-per-day``, ``minutes-per-day``, ``weekly-rise`` or ``hold-not-in-catalogue``.
    message : str
        What is unusual, with the numbers and the reason for the limit.
    exercise : str or None
        The exercise id (``None`` for a whole day).
    week : int
        The first plan week it concerns.
    value, limit : float
        The dose found and the limit it passed.
    """

    code: str
    message: str
    exercise: str | None
    week: int
    value: float
    limit: float

    def __str__(self) -> str:
        return self.message


def load_dose_limits(path: str | os.PathLike[str] | None = None) -> dict[str, tuple[float, str]]:
    """Dose limits with their reasons: ``{limit: (value, why)}``; the shipped ones by default.

    Raises
    ------
    PlanError
        Naming the file, row and column of a limit that is missing, unknown or out of range.
    """
    if path is None:
        return dict(_shipped_limits())
    return _read_limits(Path(path))


@functools.cache
def _shipped_limits() -> tuple[tuple[str, tuple[float, str]], ...]:
    return tuple(_read_limits(data_dir() / "dose-limits.csv").items())


def _read_limits(p: Path) -> dict[str, tuple[float, str]]:
    table = read_text_table(p, PlanError)
    out, problems = {}, []
    for index, row in table.iterrows():
        r = spreadsheet_row(int(index))
        name = str(row.get("limit", "")).strip()
        if name not in LIMITS:
            problems.append(Problem(str(p), r, "limit", f"one of {', '.join(LIMITS)}", name))
            continue
        lo, hi = LIMITS[name]
        try:
            value = float(str(row.get("value", "")))
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and lo <= value <= hi):
            problems.append(Problem(str(p), r, "value", f"a number from {lo:g} to {hi:g}",
                                    row.get("value")))  # fmt: skip
            continue
        out[name] = (value, str(row.get("why", "")).strip())
    problems += [Problem(str(p), None, "limit", f"a row for {n}") for n in LIMITS if n not in out
                 and not problems]  # fmt: skip
    if problems:
        raise PlanError(problems, str(p))
    return out


def _per_day(p: Prescription) -> int:
    return p.sets * p.reps * (2 if p.per_side else 1) * p.sessions_per_day


def _per_week(p: Prescription) -> int:
    return _per_day(p) * p.days_per_week


def plan_warnings(
    plan: Plan,
    catalogue: pd.DataFrame | None = None,
    limits: dict[str, tuple[float, str]] | None = None,
) -> list[PlanWarning]:
    """Warnings about doses a physio should check before signing ``plan``.

    Each warning is given once, at the first week it concerns (a weekly rise at each week
    it happens). A dose exactly at a limit does not warn; one above it does.

    Parameters
    ----------
    plan : Plan
        The plan, with its rules and revisions.
    catalogue : pandas.DataFrame, optional
        For exercise names and holds; the shipped catalogue by default.
    limits : dict, optional
        From :func:`load_dose_limits`; the shipped limits by default.

    Returns
    -------
    list of PlanWarning
        In week order; empty for a plan with nothing unusual.
    """
    plan, cat = plan_argument(plan), catalogue_argument(catalogue)
    lim = load_dose_limits() if limits is None else limits
    rows = cat.set_index("id")
    reps_max, reps_why = lim["reps_per_day"]
    minutes_max, minutes_why = lim["minutes_per_day"]
    rise_max, rise_why = lim["weekly_rise"]
    per_rep = lim["seconds_per_rep"][0]

    def name(ex: str) -> str:
        return str(rows.loc[ex, "name"]) if ex in rows.index else ex

    out: list[PlanWarning] = []
    said: set[tuple[str, str | None]] = set()
    before: dict[str, Prescription] = {}
    for week in range(1, plan.weeks + 1):
        doses = dose_in_week(plan, week)
        seconds = 0.0
        for p in doses:
            reps = _per_day(p)
            seconds += reps * (per_rep + p.hold_s)
            if reps > reps_max and ("reps-per-day", p.exercise) not in said:
                said.add(("reps-per-day", p.exercise))
                out.append(PlanWarning("reps-per-day", f"Week {week}: {name(p.exercise)} asks for "
                                       f"{reps:,} reps a day, more than {reps_max:g}. {reps_why}",
                                       p.exercise, week, reps, reps_max))  # fmt: skip
            hold_max = int(rows.loc[p.exercise, "hold_max_s"]) if p.exercise in rows.index else 1
            if p.hold_s > 0 and hold_max == 0 and ("hold", p.exercise) not in said:
                said.add(("hold", p.exercise))
                out.append(PlanWarning("hold-not-in-catalogue", f"Week {week}: {name(p.exercise)} "
                                       f"is held for {p.hold_s} s, but the catalogue gives it no "
                                       "hold. Check the patient is shown how to hold it.",
                                       p.exercise, week, p.hold_s, 0))  # fmt: skip
            last = before.get(p.exercise)
            if last is not None:
                for what, old, new in (("weekly reps", _per_week(last), _per_week(p)),
                                       ("hold", last.hold_s, p.hold_s)):  # fmt: skip
                    if old > 0 and (new - old) / old > rise_max:
                        out.append(PlanWarning("weekly-rise", f"Week {week}: the {what} of "
                                               f"{name(p.exercise)} rise from {old:,} to {new:,} "
                                               f"(+{(new - old) / old:.0%}), more than "
                                               f"+{rise_max:.0%} in a week. {rise_why}",
                                               p.exercise, week, (new - old) / old, rise_max))  # fmt: skip
        minutes = seconds / 60
        if minutes > minutes_max and ("minutes-per-day", None) not in said:
            said.add(("minutes-per-day", None))
            out.append(PlanWarning("minutes-per-day", f"Week {week}: the exercises of a day take "
                                   f"about {minutes:,.0f} minutes, more than {minutes_max:g}. "
                                   f"{minutes_why}", None, week, minutes, minutes_max))  # fmt: skip
        before = {p.exercise: p for p in doses}
    return out


def accept_warnings(
    plan: Plan, *, by: str, when: datetime | None = None, catalogue: pd.DataFrame | None = None
) -> Plan:
    """A copy of ``plan`` recording that ``by`` read and accepted its warnings ``when``.

    Saving the copy keeps the record (``Plan.warnings_accepted``: who, when and which
    warnings). A plan without warnings is returned as it is.

    Examples
    --------
    >>> from backplan import build_plan, load_catalogue
    >>> plan = build_plan(load_catalogue(), "beginners", ["heel-raises"], reps=50, sets=10,
    ...                   sessions_per_day=6, start_date="2026-01-05")
    >>> signed = accept_warnings(plan, by="A. Physio", when=datetime(2026, 1, 5, 9, 0))
    >>> signed.warnings_accepted.by, signed.warnings_accepted.codes
    ('A. Physio', ('reps-per-day', 'minutes-per-day'))
    """
    found = plan_warnings(plan, catalogue)
    if not found:
        return plan
    record = WarningsAccepted(
        by=by, at=when or datetime.now(UTC).replace(microsecond=0),
        codes=tuple(w.code for w in found), messages=tuple(w.message for w in found),
    )  # fmt: skip
    return plan.model_copy(update={"warnings_accepted": record})


def unaccepted(plan: Plan, catalogue: pd.DataFrame | None = None) -> list[PlanWarning]:
    """The plan's warnings that no one has accepted (all of them when none were)."""
    found = plan_warnings(plan, catalogue)
    signed = set(plan.warnings_accepted.messages) if plan.warnings_accepted else set()
    return [w for w in found if w.message not in signed]


def still_accepted(
    record: WarningsAccepted | None, found: list[PlanWarning]
) -> WarningsAccepted | None:
    """``record`` while it covers every warning in ``found``, else ``None``.

    An acceptance holds only for the warnings the physio read: a plan edited so that a
    new or different warning appears needs a fresh acceptance, and a plan with no
    warnings left needs none.

    Examples
    --------
    >>> from backplan import build_plan, load_catalogue
    >>> cat = load_catalogue()
    >>> plan = build_plan(cat, "beginners", ["heel-raises"], reps=50, sets=10,
    ...                   sessions_per_day=6, start_date="2026-01-05")
    >>> signed = accept_warnings(plan, by="A. Physio", catalogue=cat)
    >>> still_accepted(signed.warnings_accepted, plan_warnings(plan, cat)) is not None
    True
    >>> more = plan.model_copy(update={"weeks": 7})
    >>> still_accepted(signed.warnings_accepted, plan_warnings(more, cat)) is not None
    True
    >>> still_accepted(signed.warnings_accepted, []) is None
    True
    """
    if record is None or not found:
        return None
    return record if {w.message for w in found} <= set(record.messages) else None
