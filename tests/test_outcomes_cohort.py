"""Adherence against outcome: the cohort table equals DuckDB SQL; the chart says what it shows."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

import backplan as bp
from backplan.charts import plot_outcome_by_adherence
from backplan.outcomes.cohort import t_quantile

matplotlib.use("Agg")

#: Student's t, 97.5% quantile, from printed tables (df: value).
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 10: 2.228, 20: 2.086, 30: 2.042}


@pytest.fixture(scope="module")
def demo() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    plans, logs = bp.demo.load_demo()
    changes = bp.outcome_changes(bp.read_outcomes(bp.demo.load_demo_outcomes().outcomes, plans))
    report = bp.adherence(bp.read_logs(logs, plans), plans)
    return changes, report.by_patient, bp.outcome_by_adherence(changes, report)


def test_t_quantiles_match_printed_tables() -> None:
    for df, value in T975.items():
        assert t_quantile(0.975, df) == pytest.approx(value, abs=5e-4)
    assert t_quantile(0.025, 4) == pytest.approx(-2.776, abs=5e-4)
    assert t_quantile(0.95, 10) == pytest.approx(1.812, abs=5e-4)


def test_bands_include_their_lower_edge() -> None:
    got = bp.outcomes.adherence_bands(pd.Series([0.0, 0.4999, 0.5, 0.7999, 0.8, 1.0, np.nan]))
    assert got.tolist() == ["under 50%", "under 50%", "50% to 79%", "50% to 79%",
                            "80% or more", "80% or more", "not known"]  # fmt: skip


def test_cohort_table_equals_an_independent_sql_computation(demo: tuple) -> None:
    changes, by_patient, table = demo
    con = duckdb.connect()
    con.register("changes", changes.astype({"direction": object, "followed_up": object}))
    con.register("adherence", by_patient[["patient", "adherence"]])
    sql = """
        WITH people AS (
            SELECT patient, CASE WHEN adherence IS NULL OR isnan(adherence) THEN 'not known'
                                 WHEN adherence < 0.5 THEN 'under 50%'
                                 WHEN adherence < 0.8 THEN '50% to 79%'
                                 ELSE '80% or more' END AS band
            FROM adherence),
        measures AS (SELECT DISTINCT measure FROM changes),
        grid AS (SELECT * FROM people CROSS JOIN measures)
        SELECT g.measure, g.band, count(*) AS patients,
               count(*) FILTER (WHERE c.patient IS NULL) AS no_scores,
               count(*) FILTER (WHERE c.followed_up = false) AS no_follow_up,
               count(*) FILTER (WHERE c.followed_up) AS followed_up,
               avg(c.improvement) FILTER (WHERE c.followed_up) AS mean_improvement,
               stddev_samp(c.improvement) FILTER (WHERE c.followed_up) AS sd,
               count(*) FILTER (WHERE c.direction = 'improving') AS improved,
               count(*) FILTER (WHERE c.direction = 'worse') AS worse
        FROM grid g LEFT JOIN changes c ON c.patient = g.patient AND c.measure = g.measure
        GROUP BY g.measure, g.band
    """
    expected = con.execute(sql).df().set_index(["measure", "band"]).sort_index()
    got = table.assign(band=table["band"].astype(str)).set_index(["measure", "band"])
    got = got.loc[got["patients"] > 0, expected.columns].sort_index()
    counts = ["patients", "no_scores", "no_follow_up", "followed_up", "improved", "worse"]
    pd.testing.assert_frame_equal(got[counts], expected[counts].astype("int64"))
    np.testing.assert_allclose(
        got["mean_improvement"], expected["mean_improvement"], equal_nan=True
    )
    np.testing.assert_allclose(got["sd"], expected["sd"], equal_nan=True)
    # every patient counted once per measure, followed up or not
    per_measure = table.groupby("measure", observed=True)["patients"].sum()
    assert (per_measure == len(by_patient)).all()
    # the interval: mean -/+ t(0.975, n-1) * sd / sqrt(n), n followed up
    for row in table.loc[table["followed_up"] > 1].itertuples():
        half = t_quantile(0.975, row.followed_up - 1) * row.sd / math.sqrt(row.followed_up)
        assert (row.ci_low, row.ci_high) == pytest.approx((row.mean_improvement - half,
                                                           row.mean_improvement + half))  # fmt: skip


def test_patients_missing_from_the_report_are_counted_as_not_known() -> None:
    changes = bp.outcome_changes(pd.DataFrame({"patient": ["A", "A", "B"], "measure": "nprs",
                                               "date": ["2026-01-05", "2026-02-02", "2026-01-05"],
                                               "score": [6, 3, 5]}))  # fmt: skip
    table = bp.outcome_by_adherence(changes, pd.DataFrame({"patient": ["A"], "adherence": [0.9]}))
    known = table.set_index("band").loc[["80% or more", "not known"]]
    assert known[["patients", "followed_up", "no_follow_up"]].to_numpy().tolist() == [[1, 1, 0],
                                                                                      [1, 0, 1]]  # fmt: skip
    assert math.isnan(known.loc["80% or more", "ci_low"])  # one patient: no interval


def test_findings_say_association_and_compare_intervals(demo: tuple) -> None:
    _, _, table = demo
    for measure in table["measure"].unique():
        words = bp.outcome_finding(table, measure)
        assert "association" in words and "not proof" in words
    made_up = pd.DataFrame({"measure": "x", "name": "X", "band": ["under 50%", "80% or more"],
                            "patients": 5, "followed_up": 5, "mean_improvement": [1.0, 4.0],
                            "ci_low": [0.0, 3.0], "ci_high": [2.0, 5.0]})  # fmt: skip
    assert "more improvement at 80% or more" in bp.outcome_finding(made_up, "x", short=True)
    overlap = made_up.assign(ci_high=[3.5, 5.0])
    assert "no clear difference" in bp.outcome_finding(overlap, "x", short=True)


def test_the_chart_shows_each_band_with_its_interval_and_the_finding(
    demo: tuple, tmp_path: Path
) -> None:
    _, _, table = demo
    ax = plot_outcome_by_adherence(table, "nprs")
    rows = table.loc[(table["measure"] == "nprs") & (table["patients"] > 0)]
    bars = [
        p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() == pytest.approx(0.6)
    ]
    assert [b.get_height() for b in bars] == pytest.approx(rows["mean_improvement"].tolist())
    # greyscale-safe: no two bars share both fill and hatch
    looks = {(b.get_facecolor(), b.get_hatch()) for b in bars}
    assert len(looks) == len(bars)
    assert ax.get_title().replace("\n", " ") == bp.outcome_finding(table, "nprs", short=True)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert all("followed up" in t and "baseline only" in t for t in labels)
    assert any(line.get_linestyle() == "--" and line.get_ydata()[0] == 2 for line in ax.lines)
    ax.figure.savefig(tmp_path / "chart.png", dpi=60)
    assert (tmp_path / "chart.png").stat().st_size > 5000
    with pytest.raises(ValueError, match="no rows for measure 'eq5d'"):
        plot_outcome_by_adherence(table, "eq5d")
