"""Outcome measures as data: range, which way is better, the change that matters, licence.

The shipped table is ``data/outcome-measures.csv``; a clinic can copy it, add a measure
or change a minimal important change (with its source), and pass
``measures=load_outcome_measures("ours.csv")``. What a measure *is* cannot be changed:
for the shipped measures (matched by id or any alias) the range and the direction must
stay as published, so a copy that says "higher is better" for the Oswestry index is an
error naming the file, row and column, not a silent flip of every result.

Columns
-------
measure         id used in outcome files (``nprs``, ``psfs``, ``rmdq``, ``odi``, ``msk-hq``)
name            the name people read
aliases         other names a clinic's file may use, separated by ``|`` (any case)
low, high       the score range
whole           ``true`` when a score is a whole number
better          ``lower`` or ``higher``: which way is better
mic, mic_source the minimal important change in points, and where it comes from
items           ``yes`` when item rows (``item`` column) may be recorded (PSFS activities)
licence         ``free`` or ``owner``; ``licence_holder`` names who holds it
wording         the question as a patient reads it; only for ``free`` measures
loinc           the LOINC code of the total score, where one exists (see docs/outcomes.md)

Examples
--------
>>> m = load_outcome_measures()
>>> odi = m.loc["odi"]
>>> f"{odi['low']:g}-{odi['high']:g}, {odi['better']} is better, {odi['mic']:g} points matter"
'0-100, lower is better, 10 points matter'
>>> measure_id("Oswestry", m), measure_id("nope", m) is None
('odi', True)
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pandas as pd

from .._io.numbers import decimal_numbers
from .._io.paths import data_dir
from .._io.spreadsheets import read_text_table, spreadsheet_row
from ..errors import Problem, _ProblemsError

__all__ = [
    "MEASURE_COLUMNS",
    "OutcomeError",
    "folded",
    "load_outcome_measures",
    "measure_id",
    "measure_lookup",
    "shipped_measures",
]

MEASURE_COLUMNS: tuple[str, ...] = (
    "measure", "name", "aliases", "low", "high", "whole", "better", "mic", "mic_source",
    "items", "licence", "licence_holder", "wording", "loinc", "loinc_display",
)  # fmt: skip
_REQUIRED = ("measure", "name", "low", "high", "better", "mic", "mic_source", "licence")
_YES = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False, "": False}


class OutcomeError(_ProblemsError):
    """An outcome file or measure table could not be used (file, row and column named)."""


def _key(text: object) -> str:
    return " ".join(str(text).split()).casefold()


def _parse(table: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed measure rows and the problems found, one per cell."""
    problems: list[Problem] = []
    missing = [c for c in _REQUIRED if c not in table.columns]
    if missing:
        raise OutcomeError([Problem(file, 1, c, "this column in the header") for c in missing])
    table = table.reindex(columns=list(MEASURE_COLUMNS), fill_value="")
    text = table.map(lambda v: str(v).strip())
    rows = []
    for i, row in text.iterrows():
        at = spreadsheet_row(int(i))

        def bad(column: str, expected: str, got: object, at: int = at) -> None:
            problems.append(Problem(file, at, column, expected, got))

        low, high, mic = (
            float(decimal_numbers(pd.Series([row[c]]))[0]) for c in ("low", "high", "mic")
        )
        if row["measure"] == "" or row["measure"] != row["measure"].lower():
            bad("measure", "a short id in lower case, e.g. nprs", row["measure"])
        if row["name"] == "":
            bad("name", "the measure's name", None)
        if low != low or high != high or not low < high:
            bad(
                "high" if low == low else "low",
                "numbers with low below high",
                f"{row['low']}-{row['high']}",
            )
        if row["better"].lower() not in {"lower", "higher"}:
            bad("better", "lower or higher", row["better"])
        if not mic > 0 or (high == high and low == low and mic > high - low):
            bad("mic", "a change in points above 0 and within the range", row["mic"])
        for column in ("whole", "items"):
            if row[column].lower() not in _YES:
                bad(column, "true or false", row[column])
        if row["licence"] not in {"free", "owner"}:
            bad("licence", "free or owner", row["licence"])
        if row["licence"] == "owner" and row["wording"]:
            holder = row["licence_holder"] or "its owner"
            bad("wording", f"no item wording: the licence belongs to {holder}", row["wording"])
        rows.append({
            "measure": row["measure"], "name": row["name"],
            "aliases": tuple(a.strip() for a in row["aliases"].split("|") if a.strip()),
            "low": low, "high": high, "whole": _YES.get(row["whole"].lower(), False),
            "better": row["better"].lower(), "mic": mic, "mic_source": row["mic_source"],
            "items": _YES.get(row["items"].lower(), False), "licence": row["licence"],
            "licence_holder": row["licence_holder"], "wording": row["wording"],
            "loinc": row["loinc"], "loinc_display": row["loinc_display"], "row": at,
        })  # fmt: skip
    frame = pd.DataFrame(rows, columns=[*MEASURE_COLUMNS, "row"])
    twice = frame["measure"].duplicated(keep="first")
    for at, name in zip(frame.loc[twice, "row"], frame.loc[twice, "measure"], strict=True):
        problems.append(Problem(file, int(at), "measure", "each measure once", name))
    return frame, problems


@cache
def shipped_measures() -> pd.DataFrame:
    """The shipped measure table (read once), indexed by measure id."""
    path = data_dir() / "outcome-measures.csv"
    frame, problems = _parse(read_text_table(path, OutcomeError), str(path))
    if problems:
        raise OutcomeError(problems, str(path))
    return frame.set_index("measure", drop=False)


def _names(row: pd.Series) -> set[str]:
    return {_key(row["measure"]), _key(row["name"]), *(_key(a) for a in row["aliases"])}


def _as_published(frame: pd.DataFrame, file: str) -> list[Problem]:
    """A clinic's rows for shipped measures must keep the published range and direction."""
    shipped = shipped_measures()
    known = {n: m for m, row in shipped.iterrows() for n in _names(row)}
    problems = []
    for _, row in frame.iterrows():
        match = next((known[n] for n in _names(row) if n in known), None)
        if match is None:
            continue
        ref = shipped.loc[match]
        name = ref["name"]
        if row["better"] in {"lower", "higher"} and row["better"] != ref["better"]:
            problems.append(Problem(file, int(row["row"]), "better", f"{ref['better']!r}: for "
                                    f"{name} {ref['better']} scores are better, as published "
                                    "(the direction of a known measure cannot be reversed)",
                                    row["better"]))  # fmt: skip
        for column in ("low", "high"):
            if row[column] == row[column] and row[column] != ref[column]:
                problems.append(Problem(file, int(row["row"]), column, f"{ref[column]:g}, the "
                                        f"published {column} end of {name}", row[column]))  # fmt: skip
    return problems


def load_outcome_measures(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read a measure table (CSV or Excel); the shipped ``outcome-measures.csv`` by default.

    Returns
    -------
    pandas.DataFrame
        One row per measure, indexed by ``measure``, with the columns of
        :data:`MEASURE_COLUMNS` typed (``low``, ``high`` and ``mic`` as floats, ``whole``
        and ``items`` as bools, ``aliases`` as a tuple) and ``row``, the file row.

    Raises
    ------
    OutcomeError
        Every problem with its file, row and column, e.g. a shipped measure whose
        direction or range was changed, item wording for a measure whose licence belongs
        to its owner, or a measure listed twice.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> ours = pathlib.Path(tempfile.mkdtemp()) / "ours.csv"
    >>> _ = ours.write_text("measure,name,low,high,better,mic,mic_source,licence\\n"
    ...                     "odi,Oswestry,0,100,higher,10,Ostelo 2008,owner\\n")
    >>> load_outcome_measures(ours)
    Traceback (most recent call last):
    ...
    backplan.outcomes.measures.OutcomeError: .../ours.csv: 1 problem
      - row 2, column 'better': expected 'lower': for Oswestry Disability Index (ODI) lower scores are better, as published (the direction of a known measure cannot be reversed), got 'higher'
    """
    if path is None:
        return shipped_measures().copy()
    p = Path(path)
    frame, problems = _parse(read_text_table(p, OutcomeError), str(p))
    problems += _as_published(frame, str(p))
    if problems:
        raise OutcomeError(sorted(problems, key=lambda q: (q.row or 0, q.column or "")), str(p))
    return frame.set_index("measure", drop=False)


def measure_lookup(measures: pd.DataFrame) -> dict[str, str]:
    """Every id, name and alias (folded: any case, spaces squeezed) -> the measure id."""
    return {n: str(m) for m, row in measures.iterrows() for n in _names(row)}


def measure_id(text: object, measures: pd.DataFrame) -> str | None:
    """The id of the measure ``text`` names (its id, name or an alias, any case), or None."""
    return measure_lookup(measures).get(_key(text))


def folded(text: object) -> str:
    """``text`` as :func:`measure_lookup` keys it."""
    return _key(text)
