"""Property tests for exercise logs, through the public ``bp.read_logs`` only.

Whatever a log file holds: only a BackplanError escapes; every row read is accepted or
rejected (accepted + rejected = rows read); appending bad rows never changes the accepted
rows. One example is a CSV file of 17 to 25 generated rows, read twice: 60 files put over
1,000 generated rows through each property a run.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from fuzz_inputs import cell, fuzz, text
from hypothesis import example, given
from hypothesis import strategies as st

import backplan as bp

FOLDER = Path(tempfile.mkdtemp(prefix="fuzz-logs-"))
COLUMNS = ["patient", "date", "exercise", "sets_done", "reps_done", "pain"]

row = st.fixed_dictionaries(
    {
        "patient": st.one_of(st.sampled_from(["P1", "P2", "SYN-0001"]), text),
        "date": st.one_of(
            st.dates().map(str),
            st.sampled_from(["2026-01-05", "2026-02-30", "05/01/2026", "9999-12-31"]),
            text,
        ),
        "exercise": st.one_of(st.sampled_from(["heel-slides", "wall-squats"]), text),
        "sets_done": cell,
        "reps_done": cell,
        "pain": st.one_of(st.integers(-2, 12).map(str), cell),
    }
)
rows = st.lists(row, min_size=17, max_size=25)

#: Rows no reading of the logs can accept: the day does not exist.
BAD_ROWS = pd.DataFrame(
    {
        "patient": ["P1", "P2"],
        "date": ["2026-02-30", "2026-13-01"],
        "exercise": ["heel-slides", "wall-squats"],
        "sets_done": ["1", "1"],
        "reps_done": ["10", "10"],
        "pain": ["2", "2"],
    }
)


def _write(table: pd.DataFrame, name: str) -> Path:
    path = FOLDER / name
    table.to_csv(path, index=False, lineterminator="\r\n")
    return path


def _read(path: Path) -> bp.LogTable | None:
    try:
        return bp.read_logs(path)
    except bp.BackplanError:
        return None


@fuzz(60, shrink=False)
@given(rows)
def test_every_row_is_accepted_or_rejected_and_bad_rows_change_nothing(rows) -> None:
    good = pd.DataFrame(rows, columns=COLUMNS)
    first = _read(_write(good, "logs.csv"))
    if first is None:
        return
    assert len(first.accepted) + len(first.rejected) == first.rows_read
    assert set(first.rejected["row"]).isdisjoint(first.accepted["row"])
    more = _read(_write(pd.concat([good, BAD_ROWS], ignore_index=True), "more.csv"))
    assert more is not None
    assert more.rows_read == first.rows_read + len(BAD_ROWS)
    assert len(more.rejected) == len(first.rejected) + len(BAD_ROWS)
    pd.testing.assert_frame_equal(
        more.accepted.drop(columns="file"), first.accepted.drop(columns="file")
    )


@fuzz(100)
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".xlsx", ".parquet"]))
def test_any_bytes_give_logs_or_a_backplan_error(data: bytes, suffix: str) -> None:
    path = FOLDER / f"raw{suffix}"
    path.write_bytes(data)
    table = _read(path)
    if table is not None:
        assert len(table.accepted) + len(table.rejected) == table.rows_read


def _counts_are_whole(table: bp.LogTable) -> None:
    for column in ("sets_done", "reps_done"):
        values = table.accepted[column].dropna().astype("float64")
        assert np.isfinite(values).all() and (values >= 0).all() and (values <= 10_000).all()


@fuzz(60, shrink=False)  # 60 files of 17-25 rows: over 1,000 generated rows a run
@given(rows)
@example([dict(zip(COLUMNS, ["P1", "2026-01-05", "heel-slides", "1", "1e3", "2"], strict=True))])
@example([dict(zip(COLUMNS, ["P1", "2026-01-05", "heel-slides", "inf", "2", "2"], strict=True))])
def test_accepted_counts_are_ascii_whole_numbers(rows) -> None:
    table = _read(_write(pd.DataFrame(rows, columns=COLUMNS), "counts.csv"))
    if table is not None:
        _counts_are_whole(table)
        typed = table.accepted[["sets_done", "reps_done"]].astype("string")
        raw = pd.DataFrame(rows, columns=COLUMNS).astype(str)
        for column in ("sets_done", "reps_done"):
            for r, value in zip(table.accepted["row"], typed[column], strict=True):
                source = raw.loc[r - 2, column].strip()
                # ASCII digits, at most a decimal point and zeros (1.0 from Excel), the
                # same rule as the catalogue's doses
                match = re.fullmatch(r"([0-9]+)(?:\.0+)?", source)
                assert pd.isna(value) or (match and int(match.group(1)) == int(value))


small_valid_rows = st.lists(
    st.fixed_dictionaries(
        {
            "patient": st.sampled_from(["P1", "P2"]),
            "date": st.sampled_from(["2026-01-05", "2026-01-06", "2026-01-07"]),
            "exercise": st.sampled_from(["heel-slides", "wall-squats"]),
            "sets_done": st.integers(0, 3),
            "reps_done": st.integers(0, 3),
        }
    ),
    max_size=12,
)


@fuzz(100)  # the TypeError this guards against came with any frame without a repeat
@given(small_valid_rows)
def test_read_logs_without_plans_accepts_any_small_valid_frame(rows) -> None:
    """No plans: every well-formed row is accepted and exact repeats are counted, whether
    the frame has none, some or only repeats (a one-patient file once raised TypeError)."""
    frame = pd.DataFrame(rows, columns=["patient", "date", "exercise", "sets_done", "reps_done"])
    table = bp.read_logs(frame)
    assert len(table.accepted) == table.rows_read == len(frame)
    assert len(table.duplicates) == int(frame.duplicated().sum())
