"""The same numbers from a Dask DataFrame (a folder of Parquet files) as from pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import backplan as bp


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:The inplace keyword")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_dask_worker_processes_give_the_pandas_numbers(tmp_path: Path) -> None:
    # a worker process, started once (seconds of CPU) for both runs, duplicates kept and
    # dropped (a second pass where the copies live): partitions are read and checked
    # there and only small results come back, as with many workers
    pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    from backplan.logs.dask_logs import read_logs_dask

    plans, logs = bp.synthetic_cohort(n_patients=12, weeks=4, seed=21)
    logs = logs.copy()
    logs.loc[3, "pain"] = 12  # a rejected row: file a, row 5
    logs.loc[20, ["sets_done", "reps_done", "note"]] = [0, 0, "too sore"]  # pain, no session

    # what the call list must find in a health system's logs as well: a warning sign in a
    # note (file b), a 9/10 day in a week whose mean stays low, a note no machine can read
    def last_row(patient: str) -> int:  # these patients log up to the review day
        return logs.index[logs["patient"] == patient][-1]

    logs.loc[last_row("SYN-0002"), "note"] = "numb around my bottom"
    logs.loc[last_row("SYN-0005"), "pain"] = 9
    logs.loc[last_row("SYN-0004"), "note"] = "😖😖"
    third = len(logs) // 3
    logs.loc[third + 50, "exercise"] = "nope"  # a rejected row: file b, row 52
    # an exact copy of a row of file a, placed in file c: found across partitions
    logs = pd.concat([logs, logs.iloc[[10]]], ignore_index=True)
    folder = tmp_path / "logs"
    folder.mkdir()
    cuts = [(0, third), (third, 2 * third), (2 * third, len(logs))]
    for name, (lo, hi) in zip("abc", cuts, strict=True):
        logs.iloc[lo:hi].to_parquet(folder / f"{name}.parquet", index=False)
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                 dashboard_address=None) as cluster,
        distributed.Client(cluster),
    ):  # fmt: skip
        ddf = read_logs_dask(str(folder))
        assert ddf.npartitions == 3
        for drop in (False, True):
            expected = bp.adherence(folder, plans, as_of="2026-02-08", drop_duplicates=drop)
            got = bp.adherence(ddf, plans, as_of="2026-02-08", drop_duplicates=drop)
            _same(got, expected, plans, folder, len(logs) - 2 * third + 1)


def _same(
    got: bp.AdherenceReport,
    expected: bp.AdherenceReport,
    plans: list[bp.Plan],
    folder: Path,
    row: int,
) -> None:
    for name in ("by_exercise", "by_week", "by_patient", "cohort"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name), obj=name)
    # the call list reads the same rows' pain day by day and the same notes as pandas
    pd.testing.assert_frame_equal(got.flags, expected.flags, obj="flags")
    assert got.flags.attrs["source"] == expected.flags.attrs["source"] == "log rows"
    first = got.flags.iloc[0]
    assert (first["flag"], first["decision"]) == ("warning sign", "refer")
    assert "numb around my bottom" in first["note"]
    assert "pain during exercise 9/10 on the worst day" in " ".join(got.flags["detail"])
    assert "no machine could check it" in " ".join(got.flags["detail"])
    assert (got.rows_read, got.rows_accepted) == (expected.rows_read, expected.rows_accepted)
    keys = ["file", "row", "reason"]
    assert got.rejected[keys].to_dict("records") == expected.rejected[keys].to_dict("records")
    pd.testing.assert_frame_equal(
        got.duplicates.sort_values(["file", "row"], ignore_index=True),
        expected.duplicates.sort_values(["file", "row"], ignore_index=True),
    )
    copy = {"file": str(folder / "c.parquet"), "row": row,
            "same_as_file": str(folder / "a.parquet"), "same_as_row": 12}  # fmt: skip
    assert copy in got.duplicates.to_dict("records")
    rejected = got.rejected[keys].to_dict("records")
    assert {"file": str(folder / "a.parquet"), "row": 5, "reason": "pain outside 0-10"} in rejected
    assert {"file": str(folder / "b.parquet"), "row": 52, "reason": "unknown exercise"} in rejected


def test_import_backplan_does_not_import_dask() -> None:
    import subprocess
    import sys

    code = "import sys, backplan as bp; bp.adherence; bp.read_logs; print('dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
