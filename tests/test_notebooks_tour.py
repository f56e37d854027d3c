"""The first notebooks (catalogue, plan builder, weekly volume, handouts) and the app's page
run from a copy outside the repository, every stored output as nbval expects."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_copies import TOUR, run_copies

pytestmark = pytest.mark.slow


def test_tour_notebooks_run_from_a_copy(tmp_path: Path) -> None:
    run_copies(TOUR, tmp_path)
