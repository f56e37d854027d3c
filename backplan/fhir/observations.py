"""Exercise logs as FHIR R4 Observations: written from log rows, read into a LogTable.

One Observation records one exercise session: ``code`` SNOMED CT 229065009 "Exercise
therapy" plus the backplan exercise id, ``subject`` the patient label, ``effective[x]``
the day, and one ``component`` per measure (sets done, reps done, hold in seconds, pain
0-10 as LOINC 72514-3). Reading checks every entry with the R4B models, then hands the rows
to :func:`backplan.read_logs`, so the same rules reject the same rows; each reason names
the FHIR element at fault (``Bundle.entry[3].resource.component[1].valueInteger``).

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({"patient": ["P1", "P1"], "date": ["2026-01-05", "2026-01-06"],
...                      "exercise": ["heel-slides", "heel-slides"],
...                      "sets_done": [1, 1], "reps_done": [10, 10], "pain": [2, 11]})
>>> table = logs_from_fhir(logs_to_fhir(rows))
>>> len(table.accepted), table.rejected[["row", "column", "reason"]].to_dict("records")
(1, [{'row': 1, 'column': 'Bundle.entry[1].resource.component[2].valueInteger', 'reason': 'pain outside 0-10'}])
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._io.cells import neutralise_frame
from .._io.files import write_atomic
from ..errors import BackplanError, Problem
from ..logs import LOG_COLUMNS, REASONS, REJECTED_COLUMNS, LogTable, read_logs
from ._base import (
    BASE,
    EXERCISE_SYSTEM,
    EXERCISE_THERAPY,
    LOINC,
    PATIENT_LABEL_SYSTEM,
    UCUM,
    FhirError,
    FhirProblem,
    load_json,
    validate_resource,
)

__all__ = [
    "FHIR_REASONS",
    "MEASURES",
    "FhirLogTable",
    "logs_from_fhir",
    "logs_to_csv",
    "logs_to_fhir",
]

LOG_SYSTEM = f"{BASE}/CodeSystem/exercise-log"
#: Log column -> the Observation.component code that carries it.
MEASURES: dict[str, dict[str, str]] = {
    "sets_done": {"system": LOG_SYSTEM, "code": "sets-done", "display": "Sets done"},
    "reps_done": {"system": LOG_SYSTEM, "code": "reps-done", "display": "Reps done per set"},
    "hold_s": {"system": LOG_SYSTEM, "code": "hold", "display": "Hold (seconds)"},
    "pain": {
        "system": LOINC,
        "code": "72514-3",
        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    },
}
_BY_CODE = {(m["system"], m["code"]): column for column, m in MEASURES.items()}
#: Reasons only FHIR input can have, with what a valid entry looks like.
FHIR_REASONS: dict[str, str] = {
    "invalid FHIR": "a resource valid under the FHIR R4 models",
    "not an exercise record": "an Observation coded SNOMED CT 229065009 Exercise therapy",
    "not a final record": "status final, amended or corrected",
    "hold not in seconds": "a hold in seconds (UCUM s or min)",
    "repeated measure": "one component per measure",
}
_FINAL = {"final", "amended", "corrected"}
_ACTIVITY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "activity",
            "display": "Activity",
        }
    ]
}


class FhirLogTable(LogTable):
    """A :class:`~backplan.LogTable` read from FHIR: ``row`` is the Bundle entry
    index and ``column`` the FHIR element path."""

    def problem_list(self) -> list[Problem]:
        """Every problem as a :class:`~backplan.errors.Problem` (file, entry, element)."""
        reasons = {**REASONS, **FHIR_REASONS}
        return [
            Problem(str(p.file), int(p.row), str(p.column), reasons[p.reason], p.got, p.reason)
            for p in self.problems.itertuples(index=False)
        ]


# --- writing ---------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (np.ndim(value) == 0 and pd.isna(value)) or str(value).strip() == ""


def _observation(i: int, row: Mapping[str, Any]) -> dict[str, Any]:
    """Row ``i`` as an Observation; its id comes from the row and its position."""
    day = pd.Timestamp(row["date"]).date().isoformat()
    label = str(row["patient"])
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/log/{i}/{sorted(row.items())}")),
        "status": "final",
        "category": [_ACTIVITY],
        "code": {
            "coding": [EXERCISE_THERAPY, {"system": EXERCISE_SYSTEM, "code": str(row["exercise"])}],
            "text": str(row["exercise"]),
        },
        "subject": {
            "identifier": {"system": PATIENT_LABEL_SYSTEM, "value": label},
            "display": label,
        },
        "effectiveDateTime": day,
    }
    parts = []
    for column, code in MEASURES.items():
        value = row.get(column)
        if _blank(value):
            continue
        number = float(value)
        part: dict[str, Any] = {"code": {"coding": [code], "text": code["display"]}}
        if column == "hold_s":
            part["valueQuantity"] = {"value": number, "unit": "s", "system": UCUM, "code": "s"}
        elif number == int(number):
            part["valueInteger"] = int(number)
        else:
            part["valueQuantity"] = {"value": number}
        parts.append(part)
    if parts:
        obs["component"] = parts
    if not _blank(row.get("note")):
        obs["note"] = [{"text": str(row["note"])}]
    return obs


def logs_to_fhir(logs: pd.DataFrame) -> dict[str, Any]:
    """Log rows as a FHIR Bundle (type ``collection``) of Observations, one per row.

    Parameters
    ----------
    logs : pandas.DataFrame
        Rows with the :data:`~backplan.LOG_COLUMNS` (``hold_s``, ``pain`` and ``note``
        may be missing), e.g. ``read_logs(...).accepted``. Row ``i`` becomes
        ``Bundle.entry[i]``.

    Raises
    ------
    FhirError
        When a row does not make valid FHIR, naming the entry and element.

    Examples
    --------
    >>> row = pd.DataFrame({"patient": ["P1"], "date": ["2026-01-05"],
    ...                     "exercise": ["heel-slides"], "sets_done": [2], "reps_done": [10]})
    >>> obs = logs_to_fhir(row)["entry"][0]["resource"]
    >>> obs["effectiveDateTime"], [c["valueInteger"] for c in obs["component"]]
    ('2026-01-05', [2, 10])
    """
    missing = [c for c in ("patient", "date", "exercise") if c not in logs.columns]
    if missing:
        raise FhirError([FhirProblem(f"logs column {c!r}", "this column") for c in missing])
    columns = [c for c in LOG_COLUMNS if c in logs.columns]
    entries, problems = [], []
    for i, row in enumerate(logs[columns].to_dict("records")):
        try:
            obs = _observation(i, row)
        except (TypeError, ValueError) as exc:  # an unreadable date or count
            problems.append(FhirProblem(f"logs row {i}", f"a checked log row ({exc})"))
            continue
        problems += validate_resource(obs, f"Bundle.entry[{i}].resource")
        entries.append({"fullUrl": f"urn:uuid:{obs['id']}", "resource": obs})
    if problems:
        raise FhirError(problems, "<logs>")
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


# --- reading ---------------------------------------------------------------------------------


def _date_of(obs: Mapping[str, Any], root: str) -> tuple[Any, str]:
    """The day of an Observation (the date part of a dateTime, as the sender wrote it)."""
    for key in ("effectiveDateTime", "effectiveInstant"):
        if key in obs:
            value = obs[key]
            if isinstance(value, str) and len(value) > 10 and value[10] == "T":
                value = value[:10]
            return value, f"{root}.{key}"
    if "effectivePeriod" in obs:
        value = (
            obs["effectivePeriod"].get("start")
            if isinstance(obs["effectivePeriod"], dict)
            else None
        )
        if isinstance(value, str) and len(value) > 10:
            value = value[:10]
        return value, f"{root}.effectivePeriod.start"
    return None, f"{root}.effective[x]"


def _patient_of(obs: Mapping[str, Any]) -> Any:
    subject = obs.get("subject") if isinstance(obs.get("subject"), dict) else {}
    ident = subject.get("identifier") if isinstance(subject.get("identifier"), dict) else {}
    if ident.get("system") == PATIENT_LABEL_SYSTEM and "value" in ident:
        return ident["value"]
    return subject.get("display")


def _codings(concept: Any) -> list[tuple[Any, Any]]:
    if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
        return []
    return [(c.get("system"), c.get("code")) for c in concept["coding"] if isinstance(c, dict)]


def _measure(part: Mapping[str, Any], column: str, where: str) -> tuple[Any, str, str | None]:
    """A component's value, its element path, and a FHIR reason when it cannot be used."""
    keys = [k for k in part if k.startswith("value")]
    if not keys:
        return None, f"{where}.value[x]", None
    key = keys[0]
    value, path = part[key], f"{where}.{key}"
    if key == "valueQuantity" and isinstance(value, dict):
        unit = value.get("code", value.get("unit"))
        value = value.get("value")
        if column == "hold_s" and unit not in {None, "s", "min"}:
            return value, path, "hold not in seconds"
        if column == "hold_s" and unit == "min" and isinstance(value, int | float):
            value = value * 60
    elif isinstance(value, dict | list | bool):
        value = str(value)  # a CodeableConcept or a yes/no is not a count: read_logs says so
    return value, path, None


def _entry_row(i: int, entry: Any) -> tuple[dict, dict, list]:
    """One entry's log values, the path each came from, and FHIR-level problems."""
    root = f"Bundle.entry[{i}].resource"
    obs = entry.get("resource") if isinstance(entry, dict) else None
    values: dict[str, Any] = dict.fromkeys(LOG_COLUMNS)
    paths = {c: root for c in LOG_COLUMNS}
    paths.update({c: f"{root}.component" for c in MEASURES})  # where a missing measure goes
    if not isinstance(obs, dict) or obs.get("resourceType") != "Observation":
        kind = obs.get("resourceType") if isinstance(obs, dict) else None
        return values, paths, [(f"{root}.resourceType", "not an exercise record", kind)]
    problems = [(p.path, "invalid FHIR", p.got) for p in validate_resource(obs, root)]
    codes = _codings(obs.get("code"))
    ids = [code for system, code in codes if system == EXERCISE_SYSTEM]
    if not ids and (EXERCISE_THERAPY["system"], EXERCISE_THERAPY["code"]) not in codes:
        problems.append((f"{root}.code", "not an exercise record", None))
    if obs.get("status") not in _FINAL:
        problems.append((f"{root}.status", "not a final record", obs.get("status")))
    values["exercise"], paths["exercise"] = (ids[0] if ids else None), f"{root}.code.coding"
    values["patient"], paths["patient"] = _patient_of(obs), f"{root}.subject"
    values["date"], paths["date"] = _date_of(obs, root)
    seen: set[str] = set()
    for j, part in enumerate(obs.get("component") or []):
        if not isinstance(part, dict):
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
    notes = [n.get("text") for n in obs.get("note") or [] if isinstance(n, dict) and n.get("text")]
    values["note"], paths["note"] = ("\n".join(notes) if notes else None), f"{root}.note"
    return values, paths, problems


def logs_from_fhir(
    bundle: Any,
    prescriptions: pd.DataFrame | Any | None = None,
    *,
    catalogue: pd.DataFrame | None = None,
    drop_duplicates: bool = False,
    source: str | None = None,
) -> FhirLogTable:
    """Read a Bundle of exercise Observations into checked log rows.

    Parameters
    ----------
    bundle : dict, JSON text or path
        A FHIR Bundle whose entries are Observations of exercise done.
    prescriptions, catalogue, drop_duplicates
        As for :func:`backplan.read_logs`.
    source : str, optional
        The name for messages (the file name by default).

    Returns
    -------
    FhirLogTable
        ``row`` is the entry index (``Bundle.entry[row]``) and ``column`` the FHIR path of
        the element at fault. Every entry is either accepted or rejected.

    Raises
    ------
    FhirError
        When the input is not a valid Bundle at all.

    Examples
    --------
    >>> bundle = {"resourceType": "Bundle", "type": "collection",
    ...           "entry": [{"resource": {"resourceType": "Patient"}}]}
    >>> logs_from_fhir(bundle).rejected[["row", "column", "reason"]].to_dict("records")
    [{'row': 0, 'column': 'Bundle.entry[0].resource.resourceType', 'reason': 'not an exercise record'}]
    """
    data, label = load_json(bundle, source)
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        got = data.get("resourceType") if isinstance(data, dict) else type(data).__name__
        raise FhirError([FhirProblem("resourceType", "a Bundle of Observations", got)], label)
    entries = data.get("entry") or []
    shell = {**data, "entry": [{k: v for k, v in e.items() if k != "resource"} for e in entries
                               if isinstance(e, dict)]}  # fmt: skip
    problems = validate_resource(shell, "Bundle")
    if problems or not isinstance(entries, list):
        raise FhirError(problems or [FhirProblem("Bundle.entry", "a list")], label)
    rows = [_entry_row(i, e) for i, e in enumerate(entries)]
    raw = pd.DataFrame([r[0] for r in rows], columns=list(LOG_COLUMNS), dtype=object)
    # entries with FHIR-level problems are rejected for those alone; the rest go to read_logs
    clean = np.flatnonzero([not r[2] for r in rows])
    table = read_logs(
        raw.iloc[clean].reset_index(drop=True),
        prescriptions,
        catalogue=catalogue,
        drop_duplicates=drop_duplicates,
    )
    return _relabel(table, raw, clean, rows, label)


def _relabel(
    table: LogTable, raw: pd.DataFrame, clean: np.ndarray, rows: list, label: str
) -> FhirLogTable:
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
    probs["row"] = probs["row"].astype("int64")
    accepted = table.accepted.assign(file=label, row=entry(table.accepted["row"]))
    grouped = probs.groupby("row", sort=True).agg(
        column=("column", lambda s: "; ".join(dict.fromkeys(x for x in s if x))),
        reason=("reason", lambda s: "; ".join(dict.fromkeys(s))),
    )
    head = pd.DataFrame({"file": label, "row": grouped.index.to_numpy(dtype=np.int64),
                         "column": grouped["column"].to_numpy(),
                         "reason": grouped["reason"].to_numpy()})  # fmt: skip
    original = raw.iloc[grouped.index.to_numpy()].reset_index(drop=True)
    rejected = pd.concat([head, original], axis=1)[list(REJECTED_COLUMNS)]
    dups = table.duplicates.assign(file=label, same_as_file=label)
    dups["row"], dups["same_as_row"] = entry(dups["row"]), entry(dups["same_as_row"])
    return FhirLogTable(accepted, rejected, probs, dups, len(raw), (label,))


def logs_to_csv(table: LogTable, path: str | os.PathLike[str]) -> Path:
    """Write a table's accepted rows as a log CSV that ``read_logs`` and
    ``backplan adherence`` read (dates YYYY-MM-DD, text cells made spreadsheet-safe).

    Examples
    --------
    >>> import tempfile
    >>> rows = pd.DataFrame({"patient": ["P1"], "date": ["2026-01-05"],
    ...                      "exercise": ["heel-slides"], "sets_done": [1], "reps_done": [10]})
    >>> out = logs_to_csv(logs_from_fhir(logs_to_fhir(rows)), tempfile.mkdtemp() + "/logs.csv")
    >>> out.read_text().splitlines()[1]
    'P1,2026-01-05,heel-slides,1,10,,,'
    """
    if Path(path).suffix.lower() != ".csv":
        raise BackplanError(f"{Path(path).name!r}: exercise logs are written as .csv")
    frame = table.accepted[list(LOG_COLUMNS)].copy()
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    return write_atomic(path, neutralise_frame(frame).to_csv(index=False))
