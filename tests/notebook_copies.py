"""Run notebooks with nbval from a copy outside the repository, as a user who copied them.

A notebook that reads ``../data`` or any other file beside it fails here. The copies run in
a fresh pytest process (no repository configuration) inside a temporary folder, with the
plans folder and clinic settings pointed into that folder too, so a run never touches a
real plans folder. Used by ``tests/test_notebooks_*.py`` (two files, so ``make test``'s two
workers each take a share).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
#: The notebooks ``tests/test_notebooks_tour.py`` runs; ``test_notebooks_clinic.py`` runs
#: every other one, so a notebook added later is run too.
TOUR = ("01-catalogue-tour.ipynb", "02-plan-builder.ipynb", "03-weekly-volume.ipynb",
        "04-handouts.ipynb", "app-plan-builder.ipynb")  # fmt: skip


def run_copies(names: Sequence[str], folder: Path) -> None:
    """Copy ``names`` from ``notebooks/`` into ``folder`` and run them there with nbval;
    fail with nbval's report when any cell's output differs or a cell raises."""
    for name in names:
        shutil.copy(NOTEBOOKS / name, folder / name)
    # an empty configuration of its own: the repository's is not where a user's copy is
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    env = {
        **os.environ,
        "BACKPLAN_LIBRARY": str(folder / "plans"),
        "BACKPLAN_SETTINGS": str(folder / "clinic.json"),
        "MPLBACKEND": "Agg",
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist",
         "--nbval", "--nbval-current-env", "--nbval-cell-timeout=120", "-q", *names],
        cwd=folder, env=env, capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
        raise AssertionError(
            f"notebooks run from a copy in {folder} failed:\n" + "\n".join(failed)
            + "\n\n" + result.stdout[-6000:] + result.stderr[-2000:]
        )  # fmt: skip
