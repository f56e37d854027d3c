"""The explorer shows what backplan.adherence computes, for the chosen patient and threshold."""

from __future__ import annotations

import pandas as pd
import pytest
from rendered import assert_chart_png

import backplan as bp
from backplan.ui import AdherenceExplorer


@pytest.fixture(scope="module")
def cohort() -> bp.demo.Cohort:
    return bp.synthetic_cohort(n_patients=5, weeks=4, seed=9)


def test_picking_a_patient_shows_their_weeks(cohort: bp.demo.Cohort) -> None:
    explorer = AdherenceExplorer(cohort.logs, cohort.plans)
    explorer.patient.value = "SYN-0004"
    direct = bp.adherence(cohort.logs, cohort.plans).by_week
    expected = direct[direct.patient == "SYN-0004"].reset_index(drop=True)
    pd.testing.assert_frame_equal(explorer.week_table, expected[explorer.week_table.columns])
    first = f"{expected['adherence'].iloc[0]:.0%}"
    assert f"<td>{first}</td>" in explorer.table.value
    assert_chart_png(bytes(explorer.image.value), explorer.axes.figure)


def test_threshold_reruns_adherence(cohort: bp.demo.Cohort) -> None:
    explorer = AdherenceExplorer(cohort.logs, cohort.plans)
    explorer.threshold.value = 0.5
    direct = bp.adherence(cohort.logs, cohort.plans, threshold=0.5)
    pd.testing.assert_frame_equal(explorer.report.flags, direct.flags)
    assert explorer.report.settings["threshold"] == 0.5
    assert "at least 50%" in explorer.summary.value
    for who in explorer.patient.options:
        explorer.patient.value = who
        flags = direct.flags[direct.flags.patient == who]
        if flags.empty:
            assert "No flags" in explorer.flags.value
        else:
            assert all(d in explorer.flags.value for d in flags.detail)


def test_chart_switches_between_patient_and_cohort(cohort: bp.demo.Cohort) -> None:
    explorer = AdherenceExplorer(cohort.logs, cohort.plans)
    patient_png = bytes(explorer.image.value)
    assert [t.get_text() for t in explorer.axes.get_yticklabels()] == ["SYN-0001"]
    explorer.chart_kind.value = "cohort"
    assert bytes(explorer.image.value) != patient_png
    assert explorer.axes.get_ylabel().startswith("Dose adherence")
    assert_chart_png(bytes(explorer.image.value), explorer.axes.figure)


def test_user_text_is_escaped() -> None:
    plans, logs = bp.synthetic_cohort(n_patients=1, weeks=2, seed=1)
    evil = "<b>x</b>"
    plans = [plans[0].model_copy(update={"patient": evil})]
    logs = logs.assign(patient=evil)
    explorer = AdherenceExplorer(logs, plans)
    assert evil not in explorer.summary.value + explorer.table.value + explorer.flags.value
    assert explorer.patient.value == evil
