"""The same numbers from a Dask DataFrame (a folder of Parquet files) as from pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import backplan as bp


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_dask_on_a_local_cluster_equals_pandas(tmp_path: Path) -> None:
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    plans, logs = bp.synthetic_cohort(n_patients=12, weeks=4, seed=21)
    logs = logs.copy()
    logs.loc[3, "pain"] = 12  # a rejected row, numbered the same way by both
    folder = tmp_path / "logs"
    folder.mkdir()
    for i, part in enumerate((logs.iloc[:400], logs.iloc[400:900], logs.iloc[900:])):
        part.to_parquet(folder / f"part-{i}.parquet", index=False)
    expected = bp.adherence(logs, plans, as_of="2026-02-08")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                 dashboard_address=None) as cluster,
        distributed.Client(cluster),
    ):  # fmt: skip
        ddf = dd.read_parquet(folder)
        assert ddf.npartitions == 3
        got = bp.adherence(ddf, plans, as_of="2026-02-08")
    for name in ("by_exercise", "by_week", "by_patient", "cohort", "flags"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name), obj=name)
    assert (got.rows_read, got.rows_accepted) == (expected.rows_read, expected.rows_accepted)
    assert got.rejected[["row", "reason"]].to_dict("records") == [
        {"row": 5, "reason": "pain outside 0-10"}
    ]
    assert got.rejected["file"].tolist() == ["<dask>"]


def test_import_backplan_does_not_import_dask() -> None:
    import subprocess
    import sys

    code = "import sys, backplan as bp; bp.adherence; bp.read_logs; print('dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
