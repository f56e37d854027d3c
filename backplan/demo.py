"""Synthetic (made-up) plans and logs for demonstrations and tests. Never real patients.

The cohort behaves like real home-exercise data: adherence starts high and falls over the
weeks, weekends dip, some patients drop out, and pain eases for most but not all. Every
patient label starts with ``SYN-``, every log row has the note ``synthetic``, and the logs
DataFrame carries ``attrs["synthetic"] = True``.

Examples
--------
>>> plans, logs = synthetic_cohort(n_patients=3, weeks=2, seed=1)
>>> [p.patient for p in plans]
['SYN-0001', 'SYN-0002', 'SYN-0003']
>>> sorted(logs["note"].unique()), logs.attrs["synthetic"]
(['synthetic'], True)
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ._io.paths import data_dir
from .catalogue import load_catalogue
from .plan import Plan, build_plan, dose_in_week, load_plan, plan_to_json
from .plan.rules import AddDose

__all__ = [
    "DEMO_SETTINGS",
    "Cohort",
    "demo_as_of",
    "load_demo",
    "synthetic_cohort",
    "write_demo",
]

#: The settings the shipped demo in ``data/demo`` was generated with.
DEMO_SETTINGS: dict[str, int] = {"n_patients": 24, "weeks": 8, "seed": 20260105}
FIRST_START = date(2026, 1, 5)
_README = """# Demo data: SYNTHETIC

Everything in this folder is made up by `backplan.demo.synthetic_cohort` from a fixed seed
({settings}). No row describes a real person.

- `plans/SYN-*.json`: one plan per synthetic patient (patient labels start with `SYN-`).
- `logs.csv`: one row per exercise session done; the `note` column says `synthetic`.
  Rows with blank `sets_done` and `reps_done` are diary ticks (the prescribed dose).

Regenerate with `python -c "import backplan.demo as d; d.write_demo('data/demo')"`;
a test checks these files equal what the generator makes.
"""


class Cohort(NamedTuple):
    """Synthetic plans and the logs their patients "did"."""

    plans: list[Plan]
    logs: pd.DataFrame


def demo_as_of(weeks: int = DEMO_SETTINGS["weeks"]) -> date:
    """The day a synthetic cohort's logs end: one week after the first plans finish."""
    return FIRST_START + timedelta(days=7 * weeks + 6)


def _plan(rng: np.random.Generator, cat: pd.DataFrame, label: str, weeks: int) -> Plan:
    start = FIRST_START + timedelta(days=7 * int(rng.integers(0, 3)))
    if rng.random() < 0.25:
        ids = ["knee-to-chest", *rng.choice(["back-leg-swing", "half-sit-ups"], 1)]
        level = "more advanced"
    else:
        pool = list(cat.loc[cat["level"] == "beginners", "id"])
        ids = list(rng.choice(pool, int(rng.integers(3, 5)), replace=False))
        level = "beginners"
    progression = (
        [AddDose(what="reps", amount=2, every_weeks=2, cap=14)] if rng.random() < 0.5 else []
    )
    return build_plan(
        cat, level, [str(i) for i in ids], patient=label, clinician="SYNTHETIC",
        start_date=start, weeks=weeks, notes="Synthetic demo plan.", progression=progression,
    )  # fmt: skip


def _logs(rng: np.random.Generator, plan: Plan, until: date) -> pd.DataFrame:
    weeks = plan.weeks
    p0 = rng.beta(20, 1.5)
    decay = rng.uniform(0.0, 0.05)
    drop_week = int(rng.integers(3, weeks + 1)) if weeks >= 3 and rng.random() < 0.2 else weeks + 1
    diary = rng.random() < 0.3
    pain0 = rng.uniform(3, 7)
    pain_slope = rng.uniform(0.2, 0.5) if rng.random() < 0.15 else -rng.uniform(0.1, 0.6)
    rows = []
    for week in range(1, min(weeks, drop_week - 1) + 1):
        doses = dose_in_week(plan, week)
        for d in range(7):
            day = plan.start_date + timedelta(days=7 * (week - 1) + d)
            if day > until:
                break
            p = max(0.05, p0 - decay * (week - 1)) * (0.8 if day.weekday() >= 5 else 1.0)
            first = True
            for dose in doses:
                for _ in range(dose.sessions_per_day):
                    if rng.random() >= p:
                        continue
                    if diary:
                        sets = reps = None
                    else:
                        sets = dose.sets
                        reps = max(1, dose.reps - int(rng.integers(0, 3)) * (rng.random() < 0.15))
                    pain = None
                    if first:
                        level = pain0 + pain_slope * (week - 1) + rng.normal(0, 0.7)
                        pain = int(np.clip(round(level), 0, 10))
                        first = False
                    rows.append((plan.patient, day.isoformat(), dose.exercise, sets, reps,
                                 dose.hold_s or None, pain, "synthetic"))  # fmt: skip
    return pd.DataFrame.from_records(
        rows,
        columns=["patient", "date", "exercise", "sets_done", "reps_done", "hold_s", "pain",
                 "note"],
    )  # fmt: skip


def synthetic_cohort(
    n_patients: int = DEMO_SETTINGS["n_patients"],
    weeks: int = DEMO_SETTINGS["weeks"],
    seed: int = DEMO_SETTINGS["seed"],
) -> Cohort:
    """Make ``n_patients`` synthetic plans and their logs, reproducibly from ``seed``.

    Plans start on Monday 5 January 2026 or one or two weeks later and last ``weeks``
    weeks. Logs run until :func:`demo_as_of`, so later-starting plans are still running.

    Parameters
    ----------
    n_patients : int
        How many patients (labels ``SYN-0001``, ``SYN-0002``, ...).
    weeks : int
        Plan length in weeks.
    seed : int
        Random seed; the same seed always gives the same cohort.

    Returns
    -------
    Cohort
        ``(plans, logs)``; ``logs`` has the :data:`~backplan.LOG_COLUMNS`, as a diary or an
        app would export them.
    """
    if n_patients < 1 or n_patients > 9999:
        raise ValueError(f"n_patients must be from 1 to 9999, got {n_patients}")
    rng = np.random.default_rng(seed)
    cat = load_catalogue()
    until = demo_as_of(weeks)
    plans = [_plan(rng, cat, f"SYN-{i:04d}", weeks) for i in range(1, n_patients + 1)]
    logs = pd.concat([_logs(rng, plan, until) for plan in plans], ignore_index=True)
    for col in ("sets_done", "reps_done", "hold_s", "pain"):
        logs[col] = logs[col].astype("Int64")
    logs.attrs["synthetic"] = True
    return Cohort(plans, logs)


def write_demo(
    folder: str | os.PathLike[str],
    n_patients: int = DEMO_SETTINGS["n_patients"],
    weeks: int = DEMO_SETTINGS["weeks"],
    seed: int = DEMO_SETTINGS["seed"],
) -> Path:
    """Write a synthetic cohort as ``plans/*.json``, ``logs.csv`` and a README to ``folder``."""
    target = Path(folder)
    (target / "plans").mkdir(parents=True, exist_ok=True)
    plans, logs = synthetic_cohort(n_patients, weeks, seed)
    for plan in plans:
        (target / "plans" / f"{plan.patient}.json").write_text(plan_to_json(plan), "utf-8")
    logs.to_csv(target / "logs.csv", index=False, lineterminator="\n")
    settings = ", ".join(f"{k}={v}" for k, v in {"n_patients": n_patients, "weeks": weeks,
                                                  "seed": seed}.items())  # fmt: skip
    (target / "README.md").write_text(_README.format(settings=settings), "utf-8")
    return target


def load_demo(folder: str | os.PathLike[str] | None = None) -> tuple[list[Plan], Path]:
    """The shipped synthetic plans, and the path of their logs file."""
    base = Path(folder) if folder is not None else data_dir() / "demo"
    plans = [load_plan(p) for p in sorted((base / "plans").glob("*.json"))]
    return plans, base / "logs.csv"
