"""Property tests: any clinic catalogue file loads whole or fails with a CatalogueError that
names every bad cell, and nothing else escapes.

Validating one catalogue takes about 30 ms (pandera), so one example is a whole file with
a batch of at least 34 edited cells: 30 files give over 1,000 generated cells a run.
(pandera takes about 0.4 s to list the failures of one bad file.)
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd
from fuzz_inputs import cell, fuzz
from hypothesis import given
from hypothesis import strategies as st

import backplan as bp
from backplan._io.cells import visible_controls
from backplan._io.dates import FIRST_DATE, LAST_DATE
from backplan.catalogue import _INT_COLUMNS, COLUMNS

SHIPPED = Path(bp.catalogue.__file__).resolve().parent.parent / "data" / "back-exercises.csv"
BASE = pd.read_csv(SHIPPED, dtype=str, keep_default_na=False)
FOLDER = Path(tempfile.mkdtemp(prefix="fuzz-catalogue-"))


def _valid_number(value: str, column: str) -> bool:
    """The test's own reading of a dose cell: ASCII digits (a decimal point and zeros only
    may follow, as exports write 12.0), inside the column's range."""
    low, high = _INT_COLUMNS[column]
    match = re.fullmatch(r"0*([0-9]{1,16})(?:\.0+)?", value.strip(" \t"))
    return bool(match) and low <= int(match.group(1)) <= high


edits = st.lists(
    st.tuples(st.integers(0, len(BASE) - 1), st.sampled_from(COLUMNS), cell),
    min_size=34,
    max_size=44,
)


@fuzz(15, shrink=False)
@given(edits=edits, as_excel=st.sampled_from([False, False, False, True]))
def test_a_catalogue_loads_whole_or_every_bad_dose_is_named(edits, as_excel) -> None:
    """15 files x at least 34 edited cells: over 500 generated cells a run (make fuzz:
    1,000 files)."""
    table = BASE.copy()
    for row, column, value in edits:
        # An Excel cell cannot hold control characters at all; a CSV cell can.
        table.loc[row, column] = visible_controls(value) if as_excel else value
    path = FOLDER / ("cat.xlsx" if as_excel else "cat.csv")
    if as_excel:
        table.to_excel(path, index=False)
    else:
        table.to_csv(path, index=False, lineterminator="\r\n")  # quotes a lone CR too
    try:
        loaded = bp.load_catalogue(path)
    except bp.CatalogueError as exc:
        named = {(p.row, p.column) for p in exc.problems}
        assert all(p.file == str(path) for p in exc.problems)
        assert len(str(exc)) < 40_000
        blank_rows = table.index[(table == "").all(axis=1)]
        if not any(p.row == 1 for p in exc.problems):  # the header itself is fine
            for row, column, _ in edits:
                current = table.loc[row, column]
                bad = column in _INT_COLUMNS and not _valid_number(current, column)
                if bad and row not in blank_rows:
                    assert (row + 2, column) in named, (row, column, current)
        return
    # Loaded: every row is there, typed, inside its stated range.
    assert len(loaded) == int((table != "").any(axis=1).sum())
    for column, (low, high) in _INT_COLUMNS.items():
        assert loaded[column].dtype == "int64"
        assert loaded[column].between(low, high).all()
    assert loaded["source_reviewed"].between(str(FIRST_DATE), str(LAST_DATE)).all()
    assert loaded["per_side"].dtype == bool


@fuzz(100)
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".xlsx", ".xlsm", ".txt"]))
def test_any_bytes_give_a_catalogue_or_a_catalogue_error(data: bytes, suffix: str) -> None:
    path = FOLDER / f"raw{suffix}"
    path.write_bytes(data)
    try:
        bp.load_catalogue(path)
    except bp.CatalogueError as exc:
        assert str(path) in str(exc)
