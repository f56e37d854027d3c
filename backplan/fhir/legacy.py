"""Files written before ServiceRequests: each dose in ``CarePlan.activity.detail``.

backplan's first FHIR files put one exercise's dose for a run of weeks in an activity's
``detail``: reps in ``quantity``, sessions in ``scheduledTiming`` (a day, or sessions a
week over ``days-per-week`` days), the rest in the ``exercise-dose`` extension, under the
placeholder base ``http://backplan.example.org/fhir``. They still read into the same plan;
nothing writes them any more.

Examples
--------
>>> detail = {"quantity": {"value": 8}, "scheduledTiming": {"repeat": {"frequency": 6,
...           "period": 1, "periodUnit": "wk"}}, "extension": [{"url": EXT_DOSE,
...           "extension": [{"url": "days-per-week", "valueInteger": 3}]}]}
>>> DETAIL_FIELDS["reps"][1](detail, ""), DETAIL_FIELDS["sessions_per_day"][1](detail, "")
(8, 2)
"""

from __future__ import annotations

from typing import Any

from ._base import FhirProblem, dig
from .mapping import (
    _UNITS,
    EXT_DOSE,
    Activity,
    _Bad,
    _date,
    _int,
    _read_dose,
    _read_exercise,
    _seconds,
    locate,
)

__all__ = ["DETAIL_FIELDS", "detail_activity"]

Reader = Any


def _read_days(detail: dict, path: str) -> int:
    days = _int(*_read_dose(detail, path, "days-per-week", "valueInteger"), lo=1)
    unit = dig(detail, "scheduledTiming", "repeat", "periodUnit")
    if unit == "d" and days != 7:
        raise _Bad(f"{path}.scheduledTiming.repeat.periodUnit", "'wk' for fewer than 7 days", unit)
    return days


def _read_sessions(detail: dict, path: str) -> int:
    where = f"{path}.scheduledTiming.repeat"
    repeat = dig(detail, "scheduledTiming", "repeat") or {}
    if repeat.get("period") != 1 or repeat.get("periodUnit") not in _UNITS:
        got = (repeat.get("period"), repeat.get("periodUnit"))
        raise _Bad(where, "period 1 with periodUnit 'd' or 'wk'", got)
    freq = _int(repeat.get("frequency"), f"{where}.frequency", 1)
    if repeat["periodUnit"] == "d":
        return freq
    days = _read_days(detail, path)
    if freq % days:
        raise _Bad(f"{where}.frequency", f"sessions a week that {days} days share evenly", freq)
    return freq // days


def _read_reps(detail: dict, path: str) -> int:
    return _int(dig(detail, "quantity", "value"), f"{path}.quantity.value", 1)


#: Prescription field -> (element of ``CarePlan.activity.detail``, reader): how files
#: written before ServiceRequests held each dose.
DETAIL_FIELDS: dict[str, tuple[str, Reader]] = {
    "exercise": ("detail.code.coding (system backplan exercise).code", _read_exercise),
    "sets": (
        "detail.extension[exercise-dose].extension[sets].valueInteger",
        lambda d, path: _int(*_read_dose(d, path, "sets", "valueInteger")),
    ),
    "reps": ("detail.quantity.value (per side when per_side)", _read_reps),
    "per_side": (
        "detail.extension[exercise-dose].extension[per-side].valueBoolean",
        lambda d, path: bool(_read_dose(d, path, "per-side", "valueBoolean")[0]),
    ),
    "hold_s": (
        "detail.extension[exercise-dose].extension[hold].valueDuration (UCUM s)",
        lambda d, path: _seconds(*_read_dose(d, path, "hold", "valueDuration")),
    ),
    "sessions_per_day": (
        "detail.scheduledTiming.repeat.frequency (per period 1 d; per 1 wk: x days_per_week)",
        _read_sessions,
    ),
    "days_per_week": (
        "detail.extension[exercise-dose].extension[days-per-week].valueInteger "
        "(and scheduledTiming.repeat.periodUnit 'd' for 7, 'wk' otherwise)",
        _read_days,
    ),
}


def _at(root: str, bad: _Bad) -> FhirProblem:
    p = bad.problem
    return FhirProblem(f"{root}.{p.path}".rstrip("."), p.expected, p.got)


def _revision_mark(detail: dict, path: str) -> int | None:
    """The revision that set an activity's dose (``None``: the plan as first written)."""
    element = "extension[exercise-dose].extension[revision].valueInteger"
    where = locate(detail, path, element)
    if where.endswith("[revision]") or where.endswith("[exercise-dose]"):  # no mark
        return None
    dose = next(e for e in detail.get("extension") or [] if e.get("url") == EXT_DOSE)
    mark = next(e for e in dose.get("extension") or [] if e.get("url") == "revision")
    return _int(mark.get("valueInteger"), where, 2)


def detail_activity(
    i: int, detail: dict, root: str, problems: list[FhirProblem]
) -> Activity | None:
    """Activity ``i`` of a CarePlan at ``root``, read from its ``detail`` (problems added)."""
    path = f"activity[{i}].detail"
    try:
        bounds = dig(detail, "scheduledTiming", "repeat", "boundsPeriod") or {}
        where = f"{path}.scheduledTiming.repeat.boundsPeriod"
        first = _date(bounds.get("start"), f"{where}.start")
        last = _date(bounds.get("end"), f"{where}.end")
        revision = _revision_mark(detail, path)
    except _Bad as bad:
        problems.append(_at(root, bad))
        return None
    fields, paths = {}, {}
    for name, (element, read) in DETAIL_FIELDS.items():
        paths[name] = (
            f"{root}.{locate(detail, path, element.split(' ')[0].removeprefix('detail.'))}"
        )
        try:
            fields[name] = read(detail, path)
        except _Bad as bad:
            problems.append(_at(root, bad))
    if len(fields) != len(DETAIL_FIELDS):
        return None
    mark = "extension[exercise-dose].extension[revision]"
    paths["revision"] = f"{root}.{locate(detail, path, mark)}"
    status = str(detail.get("status"))
    return Activity(i, first, last, fields, paths, status, revision, f"{root}.{path}.status")
