"""Each exercise and stretch of weeks as a ServiceRequest: the Physical Activity IG's
exercise prescription, whose standard elements carry the whole dose.

The HL7 Physical Activity IG writes an exercise prescription as a ``ServiceRequest`` coded
SNOMED CT 229065009 "Exercise therapy" with the patient as ``performer``. backplan writes
one per exercise and run of weeks with one dose, referenced from a CarePlan activity. A
system that reads only standard elements still gets the full dose:

- ``quantityQuantity``: repetitions in one session, all sets and both sides
  (3 sets x 5 on each leg = 30 repetitions);
- ``occurrenceTiming.repeat``: ``frequency`` sessions a ``period`` of 1 day, within
  ``boundsPeriod``, and ``count`` the sessions in all (2 a day on 3 days a week for 2
  weeks = 12), so "on 3 days a week" is not read as every day;
- ``occurrenceTiming.code.text`` and ``patientInstruction``: the same in words.

The exact fields (sets, reps per set and side, per side, hold, sessions a day, days a
week) are in the ``exercise-dose`` extension; on read the standard elements must agree
with them (:data:`PRESCRIPTION_FIELDS`, :func:`read_request`).

Examples
--------
>>> import backplan as bp
>>> plan = bp.build_plan(bp.load_catalogue(), "beginners", ["heel-slides"], start_date="2026-01-05",
...                      weeks=2, sets=3, reps=5, sessions_per_day=2, days_per_week=3)
>>> sr = [e["resource"] for e in bp.fhir.to_fhir(plan)["entry"]
...       if e["resource"]["resourceType"] == "ServiceRequest"][0]
>>> sr["quantityQuantity"]["value"], sr["occurrenceTiming"]["repeat"]["count"]
(30, 12)
>>> sr["occurrenceTiming"]["code"]["text"]
'Twice a day, on 3 days a week'
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from ..plan import Plan
from ..plan.rules import Prescription
from ..words import dose_words, fill_placeholders, week_range
from ._base import BASE, EXERCISE_SYSTEM, EXERCISE_THERAPY, PA_CATEGORY, UCUM, dig, ext
from .mapping import EXT_DOSE, _Bad, _date, _int, _iso, _read_dose, _read_exercise, _seconds, locate

__all__ = ["PRESCRIPTION_FIELDS", "read_request", "request_id", "service_request", "timing_words"]

#: ServiceRequest.status for each activity state backplan writes: the dose in force
#: (``active``; ``completed`` once its last day has passed) or replaced by a revision.
LIVE = ("draft", "active", "on-hold", "completed")
REPLACED = ("revoked",)
Reader = Callable[[Mapping[str, Any], str], Any]


def _sessions(sr: Mapping[str, Any], path: str) -> int:
    repeat = dig(sr, "occurrenceTiming", "repeat") or {}
    where = f"{path}.occurrenceTiming.repeat"
    if repeat.get("period") != 1 or repeat.get("periodUnit") != "d":
        got = (repeat.get("period"), repeat.get("periodUnit"))
        raise _Bad(where, "sessions a day: period 1 with periodUnit 'd'", got)
    return _int(repeat.get("frequency"), f"{where}.frequency", 1)


def _dose(name: str, kind: str = "valueInteger", lo: int | None = None) -> Reader:
    def read(sr: Mapping[str, Any], path: str) -> Any:
        value, where = _read_dose(dict(sr), path, name, kind)
        if kind == "valueBoolean":
            if not isinstance(value, bool):
                raise _Bad(where, "true or false", value)
            return value
        if kind == "valueDuration":
            return _seconds(value, where)
        return _int(value, where, lo)

    return read


#: Prescription field -> (the ServiceRequest element that holds it exactly, reader).
PRESCRIPTION_FIELDS: dict[str, tuple[str, Reader]] = {
    "exercise": ("code.coding (system backplan exercise).code", _read_exercise),
    "sets": ("extension[exercise-dose].extension[sets].valueInteger", _dose("sets", lo=1)),
    "reps": ("extension[exercise-dose].extension[reps].valueInteger", _dose("reps", lo=1)),
    "per_side": (
        "extension[exercise-dose].extension[per-side].valueBoolean",
        _dose("per-side", "valueBoolean"),
    ),
    "hold_s": (
        "extension[exercise-dose].extension[hold].valueDuration (UCUM s)",
        _dose("hold", "valueDuration"),
    ),
    "sessions_per_day": ("occurrenceTiming.repeat.frequency (period 1 d)", _sessions),
    "days_per_week": (
        "extension[exercise-dose].extension[days-per-week].valueInteger",
        _dose("days-per-week", lo=1),
    ),
}


def request_id(plan: Plan, exercise: str, first_week: int, revision: int | None) -> str:
    """The id of the ServiceRequest for a run of weeks: stable while the plan lives.

    It depends on the plan's id, the exercise, the run's first week and the revision that
    set the dose, not on the run's end: when a revision splits a run, the first part keeps
    its id (a server updates it) and the later part gets a new one.
    """
    key = f"{BASE}/ServiceRequest/{plan.plan_id}/{exercise}/{first_week}/{revision or 1}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def timing_words(p: Prescription) -> str:
    """Sessions a day and days a week in words: ``'Twice a day, on 3 days a week'``."""
    n = p.sessions_per_day
    times = "Once" if n == 1 else "Twice" if n == 2 else f"{n} times"
    days = "every day" if p.days_per_week == 7 else f"on {p.days_per_week} days a week"
    return f"{times} a day, {days}"


def service_request(
    plan: Plan,
    step: Any,
    status: str,
    revision: int | None,
    about: tuple[str, list[str], str],
    subject: Mapping[str, Any],
    as_of: date,
    why_replaced: str = "",
    why_set: str = "",
) -> dict[str, Any]:
    """The ServiceRequest for one run of weeks (``step``) of one exercise."""
    p: Prescription = step.dose
    name, steps, side = about
    first = plan.start_date + timedelta(weeks=step.first - 1)
    last = plan.start_date + timedelta(days=7 * step.last - 1)
    words = f"{week_range(step.first, step.last).capitalize()}: {dose_words(p, side)}."
    if why_set:
        words += f"\nDose set by {why_set}"
    if steps:
        filled = [fill_placeholders(s, [p], side) for s in steps]  # numbers from this dose
        words += "\nHow to do it:\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(filled, 1))
    parts = [
        ext("sets", valueInteger=p.sets),
        ext("reps", valueInteger=p.reps),
        ext("per-side", valueBoolean=p.per_side),
        ext("hold", valueDuration={"value": p.hold_s, "unit": "s", "system": UCUM, "code": "s"}),
        ext("days-per-week", valueInteger=p.days_per_week),
    ]
    if revision is not None:
        parts.append(ext("revision", valueInteger=revision))
    weeks = step.last - step.first + 1
    sides = 2 if p.per_side else 1
    state = "revoked" if status == "cancelled" else "completed" if last < as_of else "active"
    sr: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": request_id(plan, p.exercise, step.first, revision),
        "extension": [ext(EXT_DOSE, extension=parts)],
        "status": state,
        "intent": "order",
        "category": [{"coding": [PA_CATEGORY], "text": "Physical activity"}],
        "code": {
            "coding": [
                EXERCISE_THERAPY,
                {"system": EXERCISE_SYSTEM, "code": p.exercise, "display": name},
            ],
            "text": name,
        },
        "quantityQuantity": {
            "value": p.sets * p.reps * sides,
            "unit": "repetitions in one session",
            "system": UCUM,
            "code": "{repetitions}",
        },
        "subject": dict(subject),
        "occurrenceTiming": {
            "repeat": {
                "boundsPeriod": {"start": _iso(first), "end": _iso(last)},
                "count": p.sessions_per_day * p.days_per_week * weeks,
                "frequency": p.sessions_per_day,
                "period": 1,
                "periodUnit": "d",
            },
            "code": {"text": timing_words(p)},
        },
        "performer": [dict(subject)],
        "patientInstruction": words,
    }
    if plan.clinician:
        sr["requester"] = {"display": plan.clinician}
    if why_replaced:
        sr["note"] = [{"text": f"Replaced by {why_replaced}"}]
    return sr


def _bounds(sr: Mapping[str, Any], path: str) -> tuple[date, date]:
    bounds = dig(sr, "occurrenceTiming", "repeat", "boundsPeriod") or {}
    where = f"{path}.occurrenceTiming.repeat.boundsPeriod"
    return _date(bounds.get("start"), f"{where}.start"), _date(bounds.get("end"), f"{where}.end")


def read_request(
    sr: Mapping[str, Any], path: str
) -> tuple[date, date, dict[str, Any], dict[str, str], int | None, list[_Bad]]:
    """Bounds, dose fields, the path of each, the revision mark, and problems.

    The standard elements must agree with the exact fields: ``quantityQuantity.value``
    = sets x reps x sides and ``occurrenceTiming.repeat.count`` = sessions a day x days a
    week x weeks; a record that changed one without the other is refused, not guessed at.
    """
    problems: list[_Bad] = []
    fields: dict[str, Any] = {}
    paths: dict[str, str] = {}
    try:
        first, last = _bounds(sr, path)
    except _Bad as bad:
        return date.min, date.min, {}, {}, None, [bad]
    for name, (element, read) in PRESCRIPTION_FIELDS.items():
        paths[name] = locate(dict(sr), path, element.split(" ")[0])
        try:
            fields[name] = read(sr, path)
        except _Bad as bad:
            problems.append(bad)
    mark = None
    try:
        dose = next(e for e in sr.get("extension") or [] if e.get("url") == EXT_DOSE)
        marks = [e for e in dose.get("extension") or [] if e.get("url") == "revision"]
        if marks:
            mark = _int(marks[0].get("valueInteger"), f"{path}.extension.revision", 2)
    except StopIteration:
        pass  # reported by the dose readers
    except _Bad as bad:
        problems.append(bad)
    if problems:
        return first, last, fields, paths, mark, problems
    sides = 2 if fields["per_side"] else 1
    want = fields["sets"] * fields["reps"] * sides
    got = dig(sr, "quantityQuantity", "value")
    if got != want:
        problems.append(_Bad(f"{path}.quantityQuantity.value",
                             f"{want} (sets x reps x sides, as the exercise-dose extension gives)",
                             got))  # fmt: skip
    days = (last - first).days + 1
    if days > 0 and days % 7 == 0:
        want = fields["sessions_per_day"] * fields["days_per_week"] * (days // 7)
        got = dig(sr, "occurrenceTiming", "repeat", "count")
        if got != want:
            problems.append(_Bad(f"{path}.occurrenceTiming.repeat.count",
                                 f"{want} sessions in all (a day x days a week x weeks)", got))  # fmt: skip
    return first, last, fields, paths, mark, problems
