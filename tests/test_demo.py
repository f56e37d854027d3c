"""The synthetic cohort: labelled synthetic, reproducible, and the shipped copy cannot drift."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import backplan as bp
from backplan.demo import DEMO_SETTINGS, load_demo, write_demo

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "demo"


def test_shipped_demo_equals_what_the_generator_makes(tmp_path: Path) -> None:
    write_demo(tmp_path, **DEMO_SETTINGS)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    shipped = sorted(p.relative_to(SHIPPED) for p in SHIPPED.rglob("*") if p.is_file())
    assert made == shipped
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (SHIPPED / rel).read_bytes(), rel
    size = sum((SHIPPED / rel).stat().st_size for rel in shipped)
    assert size < 1_000_000


def test_everything_is_labelled_synthetic() -> None:
    assert "SYNTHETIC" in (SHIPPED / "README.md").read_text()
    plans, logs_path = load_demo(SHIPPED)
    assert len(plans) == DEMO_SETTINGS["n_patients"]
    assert all(p.patient.startswith("SYN-") and p.clinician == "SYNTHETIC" for p in plans)
    logs = pd.read_csv(logs_path)
    assert set(logs["note"]) == {"synthetic"}
    assert logs["patient"].str.startswith("SYN-").all()


def test_same_seed_same_cohort_and_it_behaves_like_real_data() -> None:
    plans, logs = bp.synthetic_cohort(n_patients=40, weeks=8, seed=11)
    again = bp.synthetic_cohort(n_patients=40, weeks=8, seed=11)
    pd.testing.assert_frame_equal(logs, again.logs)
    assert plans == again.plans
    report = bp.adherence(logs, plans)
    assert report.rejected.empty
    cohort = report.cohort.set_index("week")["mean"]
    assert cohort.loc[1] > cohort.loc[6] + 0.05  # adherence falls over the weeks
    days = pd.to_datetime(logs["date"]).dt.day_of_week
    per_day = days.value_counts().sort_index() / days.value_counts().sort_index().mean()
    assert per_day.loc[[5, 6]].mean() < per_day.loc[[0, 1, 2, 3, 4]].mean()  # weekend dip
    dropped = report.by_patient["last_log"] < report.by_patient["end_date"] - pd.Timedelta(days=14)
    assert dropped.any()  # some drop out
    eased = report.by_patient["pain_score_latest"] < report.by_patient["pain_score_week1"]
    assert eased.mean() > 0.5  # pain eases for most
