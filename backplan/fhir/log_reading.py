"""A Bundle of exercise Observations read into checked log rows, one entry at a time.

Each entry is read on its own: whatever is wrong with one (not valid FHIR, a modifier
backplan cannot honour, a count given in kilograms, a shape no reader expects) makes that
entry a rejected row with the element path and a reason; the next entry is read as usual.
The rows then go to :func:`backplan.read_logs`, so the same rules reject the same rows
for the same reasons as a CSV diary.

Read besides what :func:`~backplan.fhir.logs_to_fhir` writes: the exercise in ``code``
(files of earlier versions) as well as in ``valueCodeableConcept``; the patient as a
``Patient/<id>`` reference (mapped with ``patients=``, or by the Patient in the Bundle or
``contained``), an identifier, a conditional reference or a display; Patient entries in the
Bundle are not rows.

Examples
--------
>>> bundle = {"resourceType": "Bundle", "type": "collection",
...           "entry": [{"resource": {"resourceType": "Device", "id": "x"}}]}
>>> logs_from_fhir(bundle).rejected[["row", "column", "reason"]].to_dict("records")
[{'row': 0, 'column': 'Bundle.entry[0].resource.resourceType', 'reason': 'not an exercise record'}]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..logs import LOG_COLUMNS, REJECTED_COLUMNS, LogTable, read_logs
from ._base import (
    EXERCISE_ACTIVITY,
    EXERCISE_SYSTEM,
    EXERCISE_THERAPY,
    FhirError,
    FhirProblem,
    load_json,
    validate_resource,
)
from .invariants import modifier_problems
from .observations import MEASURES, FhirLogTable
from .patients import Resolver, index_bundle, label_of, label_systems
from .settings import CANONICAL, FhirSettings, rebase

__all__ = ["logs_from_fhir"]

_BY_CODE = {(m["system"], m["code"]): column for column, m in MEASURES.items()}
_FINAL = {"final", "amended", "corrected"}
_COUNT_UNITS = {None, "1", "{repetitions}", "{reps}", "{sets}", "{count}", "{#}", "{times}"}
_SCORE_UNITS = {None, "1", "{score}", "{#}"}
#: exceptions a malformed entry could still raise in a reader: a rejected row, not a crash
_BROKEN = (AttributeError, KeyError, IndexError, TypeError, ValueError, RecursionError)
Found = tuple[str, str, Any]  # (element path, reason, value)


def _date_of(obs: Mapping[str, Any], root: str) -> tuple[Any, str]:
    """The day of an Observation (the date part of a dateTime, as the sender wrote it)."""
    for key in ("effectiveDateTime", "effectiveInstant"):
        if key in obs:
            value = obs[key]
            if isinstance(value, str) and len(value) > 10 and value[10] == "T":
                value = value[:10]
            return value, f"{root}.{key}"
    if "effectivePeriod" in obs:
        period = obs["effectivePeriod"]
        value = period.get("start") if isinstance(period, Mapping) else None
        if isinstance(value, str) and len(value) > 10:
            value = value[:10]
        return value, f"{root}.effectivePeriod.start"
    return None, f"{root}.effective[x]"


def _codings(concept: Any) -> list[tuple[Any, Any]]:
    if not isinstance(concept, Mapping) or not isinstance(concept.get("coding"), list):
        return []
    return [
        (c.get("system"), c.get("code"))
        for c in concept["coding"]
        if isinstance(c, Mapping)
        and all(isinstance(c.get(k), str | None) for k in ("system", "code"))
    ]


def _exercise(obs: Mapping[str, Any], root: str) -> tuple[Any, str, bool, list[str]]:
    """The exercise id, where it was found, whether the entry is an exercise record, and
    every distinct exercise code found there (more than one: which was done is unknown)."""
    therapy = (EXERCISE_THERAPY["system"], EXERCISE_THERAPY["code"])
    activity = (EXERCISE_ACTIVITY["system"], EXERCISE_ACTIVITY["code"])
    for key in ("valueCodeableConcept", "code"):
        codes = _codings(obs.get(key))
        ids = list(dict.fromkeys(c for s, c in codes if s == EXERCISE_SYSTEM))
        if ids or therapy in codes:
            return (ids[0] if ids else None), f"{root}.{key}.coding", True, ids
    return None, f"{root}.code", activity in _codings(obs.get("code")), []


def _unit(value: Mapping[str, Any]) -> str | None:
    unit = value.get("code", value.get("unit"))
    return unit if isinstance(unit, str) or unit is None else repr(unit)


def _measure(part: Mapping[str, Any], column: str, where: str) -> tuple[Any, str, str | None]:
    """A component's value, its element path, and a FHIR reason when it cannot be used."""
    keys = [k for k in part if k.startswith("value")]
    if not keys:
        return None, f"{where}.value[x]", None
    key = keys[0]
    value, path = part[key], f"{where}.{key}"
    if key == "valueQuantity" and isinstance(value, Mapping):
        unit, value = _unit(value), value.get("value")
        if column == "hold_s":
            if unit not in {None, "s", "min"}:
                return value, path, "hold not in seconds"
            if unit == "min" and isinstance(value, int | float) and not isinstance(value, bool):
                value = value * 60
        elif column.startswith("pain") and unit not in _SCORE_UNITS:
            return value, path, "pain not a 0-10 score"
        elif column in ("sets_done", "reps_done") and unit not in _COUNT_UNITS:
            return value, path, "count with a unit"
    elif isinstance(value, dict | list | bool):
        value = str(value)  # a CodeableConcept or a yes/no is not a count: read_logs says so
    return value, path, None


def _components(obs: Mapping[str, Any], root: str, values: dict, paths: dict) -> list[Found]:
    problems: list[Found] = []
    seen: set[str] = set()
    parts = obs.get("component")
    for j, part in enumerate(parts if isinstance(parts, list) else []):
        if not isinstance(part, Mapping):
            continue
        column = next((_BY_CODE[c] for c in _codings(part.get("code")) if c in _BY_CODE), None)
        if column is None:
            continue  # a measure a log has no column for (see docs/fhir-mapping.md)
        value, path, why = _measure(part, column, f"{root}.component[{j}]")
        if column in seen:
            problems.append((path, "repeated measure", value))
            continue
        seen.add(column)
        values[column], paths[column] = value, path
        if why:
            problems.append((path, why, value))
    return problems


def _entry_row(i: int, obs: Any, resolver: Resolver) -> tuple[dict, dict, list[Found]]:
    """One entry's log values, the path each came from, and FHIR-level problems."""
    root = f"Bundle.entry[{i}].resource"
    values: dict[str, Any] = dict.fromkeys(LOG_COLUMNS)
    paths = {c: root for c in LOG_COLUMNS}
    paths.update({c: f"{root}.component" for c in MEASURES})  # where a missing measure goes
    if not isinstance(obs, Mapping) or obs.get("resourceType") != "Observation":
        kind = obs.get("resourceType") if isinstance(obs, Mapping) else None
        return values, paths, [(f"{root}.resourceType", "not an exercise record", kind)]
    problems: list[Found] = [(p.path, "invalid FHIR", p.got) for p in validate_resource(obs, root)]
    problems += [(p.path, "meaning changed", p.got) for p in modifier_problems(obs, root)]
    exercise, where, is_exercise, ids = _exercise(obs, root)
    if not is_exercise:
        problems.append((f"{root}.code", "not an exercise record", None))
    if len(ids) > 1:
        problems.append((where, "more than one exercise", ", ".join(map(str, ids))))
    if not isinstance(obs.get("status"), str) or obs["status"] not in _FINAL:
        problems.append((f"{root}.status", "not a final record", obs.get("status")))
    values["exercise"], paths["exercise"] = exercise, where
    label, problem = label_of(obs.get("subject"), resolver.with_contained(obs))
    paths["patient"] = f"{root}.subject"
    if problem is not None:
        problems.append((f"{root}.subject", "no patient", problem.got))
    values["patient"] = label
    values["date"], paths["date"] = _date_of(obs, root)
    problems += _components(obs, root, values, paths)
    notes = obs.get("note") if isinstance(obs.get("note"), list) else []
    texts = [
        n.get("text") for n in notes if isinstance(n, Mapping) and isinstance(n.get("text"), str)
    ]
    values["note"], paths["note"] = ("\n".join(texts) if texts else None), f"{root}.note"
    return values, paths, problems


def _safe_row(i: int, obs: Any, resolver: Resolver) -> tuple[dict, dict, list[Found]]:
    """:func:`_entry_row`, with an entry that breaks it rejected rather than the file."""
    try:
        return _entry_row(i, obs, resolver)
    except _BROKEN as exc:
        root = f"Bundle.entry[{i}].resource"
        values: dict[str, Any] = dict.fromkeys(LOG_COLUMNS)
        got = f"{type(exc).__name__}: {exc}"
        return values, {c: root for c in LOG_COLUMNS}, [(root, "unreadable entry", got)]


def logs_from_fhir(
    bundle: Any,
    prescriptions: pd.DataFrame | Any | None = None,
    *,
    catalogue: pd.DataFrame | None = None,
    drop_duplicates: bool = False,
    source: str | None = None,
    settings: FhirSettings | None = None,
    patients: Mapping[str, str] | None = None,
) -> FhirLogTable:
    """Read a Bundle of exercise Observations into checked log rows.

    Parameters
    ----------
    bundle : dict, JSON text or path
        A FHIR Bundle whose entries are Observations of exercise done (Patient entries
        may come with them).
    prescriptions, catalogue, drop_duplicates
        As for :func:`backplan.read_logs`.
    source : str, optional
        The name for messages (the file name by default).
    settings : FhirSettings, optional
        The clinic's canonical base and patient identifier system.
    patients : mapping, optional
        Patient references (``"Patient/123"``) to plan labels.

    Returns
    -------
    FhirLogTable
        ``row`` is the entry index (``Bundle.entry[row]``) and ``column`` the FHIR path of
        the element at fault. Every entry but the Patients is either accepted or rejected.

    Raises
    ------
    FhirError
        When the input is not a Bundle at all (or its ``entry`` is not a list).
    """
    settings = settings or FhirSettings()
    data, label = load_json(bundle, source)
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        got = data.get("resourceType") if isinstance(data, dict) else type(data).__name__
        raise FhirError([FhirProblem("resourceType", "a Bundle of Observations", got)], label)
    data = rebase(data, settings.bases(), CANONICAL)
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        raise FhirError(
            [FhirProblem("Bundle.entry", "a list of entries", type(entries).__name__)], label
        )
    shell = {k: v for k, v in data.items() if k != "entry"}
    problems = validate_resource(shell, "Bundle")
    if problems:
        raise FhirError(problems, label)
    resolver = Resolver(
        index_bundle(data), systems=label_systems(settings), patients=dict(patients or {})
    )
    resources = [e.get("resource") if isinstance(e, Mapping) else e for e in entries]
    numbers = [i for i, r in enumerate(resources)
               if not (isinstance(r, Mapping) and r.get("resourceType") == "Patient")]  # fmt: skip
    rows = [_safe_row(i, resources[i], resolver) for i in numbers]
    raw = pd.DataFrame([r[0] for r in rows], columns=list(LOG_COLUMNS), dtype=object)
    # entries with FHIR-level problems are rejected for those alone; the rest go to read_logs
    clean = np.flatnonzero([not r[2] for r in rows])
    table = read_logs(
        raw.iloc[clean].reset_index(drop=True),
        prescriptions,
        catalogue=catalogue,
        drop_duplicates=drop_duplicates,
    )
    return _relabel(table, raw, clean, rows, np.asarray(numbers, dtype=np.int64), label)


def _relabel(
    table: LogTable, raw: pd.DataFrame, clean: np.ndarray, rows: list, numbers: np.ndarray,
    label: str,
) -> FhirLogTable:  # fmt: skip
    """Entry numbers for rows, FHIR paths for columns, FHIR-level problems added."""

    def entry(row: Any) -> np.ndarray:  # spreadsheet row 2 is the first clean entry
        return clean[np.asarray(row, dtype=np.int64) - 2]

    probs = table.problems.copy()
    probs["row"] = entry(probs["row"])
    probs["column"] = [
        rows[r][1].get(c, c) for r, c in zip(probs["row"], probs["column"], strict=True)
    ]
    extra = [(label, i, path, why, got) for i, r in enumerate(rows) for path, why, got in r[2]]
    probs = pd.concat([probs.assign(file=label),
                       pd.DataFrame(extra, columns=["file", "row", "column", "reason", "got"])],
                      ignore_index=True)  # fmt: skip
    probs = probs.sort_values("row", kind="stable").reset_index(drop=True)
    grouped = probs.groupby("row", sort=True).agg(
        column=("column", lambda s: "; ".join(dict.fromkeys(x for x in s if x))),
        reason=("reason", lambda s: "; ".join(dict.fromkeys(s))),
    )
    head = pd.DataFrame({"file": label, "row": numbers[grouped.index.to_numpy(dtype=np.int64)],
                         "column": grouped["column"].to_numpy(),
                         "reason": grouped["reason"].to_numpy()})  # fmt: skip
    original = raw.iloc[grouped.index.to_numpy()].reset_index(drop=True)
    rejected = pd.concat([head, original], axis=1)[list(REJECTED_COLUMNS)]
    probs["row"] = numbers[probs["row"].to_numpy(dtype=np.int64)]
    accepted = table.accepted.assign(file=label, row=numbers[entry(table.accepted["row"])])
    dups = table.duplicates.assign(file=label, same_as_file=label)
    dups["row"] = numbers[entry(dups["row"])]
    dups["same_as_row"] = numbers[entry(dups["same_as_row"])]
    return FhirLogTable(accepted, rejected, probs, dups, len(raw), (label,))
