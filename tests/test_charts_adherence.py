"""Adherence charts draw the report's numbers, take ax= and return it, and print in grey."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb

import backplan as bp
from backplan.charts import (
    plot_adherence_heatmap,
    plot_cohort_trend,
    plot_exercise_adherence,
    plot_pain_vs_adherence,
)

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def report() -> bp.AdherenceReport:
    plans, logs = bp.synthetic_cohort(n_patients=6, weeks=4, seed=5)
    return bp.adherence(logs, plans)


@pytest.fixture(autouse=True)
def _close() -> None:
    yield
    plt.close("all")


def test_every_chart_uses_the_given_axes(report: bp.AdherenceReport) -> None:
    for plot in (plot_adherence_heatmap, plot_cohort_trend, plot_exercise_adherence,
                 plot_pain_vs_adherence):  # fmt: skip
        _, ax = plt.subplots()
        assert plot(report, ax=ax) is ax
        assert plot(report).figure is not ax.figure  # a new figure when ax is missing


def test_heatmap_cells_are_the_weekly_numbers(report: bp.AdherenceReport) -> None:
    ax = plot_adherence_heatmap(report)
    data = ax.images[0].get_array()
    week = report.by_week
    first = week[week.patient == "SYN-0001"].sort_values("week")
    expected = np.where(first["ended"], first["adherence"], np.nan)
    rows = [t.get_text() for t in ax.get_yticklabels()]
    got = np.ma.filled(data[rows.index("SYN-0001")].astype(float), np.nan)[: len(expected)]
    np.testing.assert_allclose(got, expected)
    texts = [t.get_text() for t in ax.texts]
    assert f"{first['adherence'].iloc[0]:.0%}" in texts
    # every patient once, the one who did least over the ended weeks at the top
    ended = week[week["ended"]].groupby("patient")["adherence"].mean()
    assert sorted(rows) == sorted(report.by_patient.patient)
    assert [ended[p] for p in rows] == sorted(ended[p] for p in rows)
    below = int((week.loc[week["ended"], "adherence"] < 0.8).sum())
    assert f"{below} of {int(week['ended'].sum())} patient-weeks under the 80% target" in (
        ax.get_title()
    )
    n_open = int((~week["ended"]).sum())
    assert sum(1 for p in ax.patches if p.get_hatch() == "//") == n_open


def test_cohort_trend_draws_median_mean_and_quartile_band(report: bp.AdherenceReport) -> None:
    ax = plot_cohort_trend(report)
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_allclose(lines["median"].get_ydata(), report.cohort["median"])
    np.testing.assert_allclose(lines["mean"].get_ydata(), report.cohort["mean"])
    assert "target (80%)" in lines
    first, last = report.cohort.iloc[0], report.cohort.iloc[-1]
    assert f"{first['median']:.0%} in week 1" in ax.get_title()
    assert f"{last['median']:.0%} in week {int(last['week'])}" in ax.get_title()
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(report.cohort["q1"].min())
    assert band.max() == pytest.approx(report.cohort["q3"].max())


def test_exercise_bars_are_means_over_ended_weeks(report: bp.AdherenceReport) -> None:
    ax = plot_exercise_adherence(report, patient="SYN-0002")
    ex = report.by_exercise
    ex = ex[ex.ended & (ex.patient == "SYN-0002")]
    expected = ex.groupby("exercise", sort=False)["dose_adherence"].mean().sort_values()
    widths = [p.get_width() for p in ax.patches[: len(expected)]]
    np.testing.assert_allclose(widths, expected.to_numpy())  # least done first
    names = dict(zip(bp.load_catalogue()["id"], bp.load_catalogue()["name"], strict=True))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [names[e] for e in expected.index]  # names, not codes
    assert any(line.get_label() == "target (80%)" for line in ax.get_lines())
    # dose and session bars differ in hatch as well as shade
    hatches = {p.get_hatch() for p in ax.patches}
    assert len(hatches) == 2


def test_pain_scatter_has_a_point_per_week_with_pain(report: bp.AdherenceReport) -> None:
    ax = plot_pain_vs_adherence(report)
    n = sum(len(c.get_offsets()) for c in ax.collections)
    assert n == int(report.by_week["pain_mean"].notna().sum())


def test_greyscale_shades_stay_apart() -> None:
    lum = [np.dot(to_rgb(c), [0.299, 0.587, 0.114]) for c in bp.charts._style.GREYS[:4]]
    assert min(np.diff(sorted(lum))) > 0.1


def test_wrong_table_says_what_to_pass(report: bp.AdherenceReport) -> None:
    with pytest.raises(ValueError, match=r"report\.cohort"):
        plot_cohort_trend(report.by_week)
