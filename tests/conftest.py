"""Shared fixtures: the shipped catalogue and a small plan, built once per session."""

from __future__ import annotations

import os
from datetime import date

import matplotlib
import pandas as pd
import pytest

# The real-browser tests' shared fixtures (tests/browser_app.py says how to use them).
from browser_app import app_home, app_url, browser  # noqa: F401

import backplan as bp

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every Hypothesis test ``property`` (``make fuzz`` runs ``-m property``)."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.property)


@pytest.fixture(scope="session")
def catalogue() -> pd.DataFrame:
    return bp.load_catalogue()


@pytest.fixture(scope="session")
def beginner_plan(catalogue: pd.DataFrame) -> bp.Plan:
    return bp.build_plan(
        catalogue,
        "beginners",
        patient="Test patient",
        clinician="Test physio",
        start_date=date(2026, 1, 5),
        weeks=4,
    )
