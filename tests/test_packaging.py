"""Set-up a new user relies on: the wheel carries the catalogue, conda matches pip, the
package imports quickly."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _pyproject_requirements() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs |= {r for r in extra if not r.startswith("backplan[")}
    return reqs


def test_the_all_extra_installs_every_other_extra() -> None:
    """``pip install -e .[all]`` (what ``make`` runs) must bring every optional group."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    (everything,) = extras["all"]
    named = everything.removeprefix("backplan[").removesuffix("]").split(",")
    assert sorted(named) == sorted(set(extras) - {"all"})


def _environment_requirements() -> set[str]:
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = lines.index("  - pip:")
    reqs = set()
    for line in lines[start + 1 :]:
        item = line.strip()
        if item.startswith("- ") and not item.startswith("- --"):
            reqs.add(item[2:].strip())
    return reqs


def test_environment_yml_lists_the_same_requirements_as_pyproject() -> None:
    pip_side, conda_side = _pyproject_requirements(), _environment_requirements()
    assert pip_side - conda_side == set(), "in pyproject.toml but not environment.yml"
    assert conda_side - pip_side == set(), "in environment.yml but not pyproject.toml"


def test_import_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys, backplan\n"
        "heavy = [m for m in ('matplotlib', 'ipywidgets', 'dask', 'reportlab', 'duckdb', "
        "'fhir', 'fhir_core') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"import backplan loaded: {out.stdout.strip()}"


@pytest.mark.slow
def test_installed_wheel_finds_the_shipped_catalogue(tmp_path: Path) -> None:
    """``pip install .`` (not editable), then ``import backplan`` from another folder."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("backplan-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "backplan/_data/back-exercises.csv" in names
    assert "backplan/_data/advice.csv" in names
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import backplan as bp; cat = bp.load_catalogue(); print(bp.__file__); "
        "print(len(cat), len(bp.load_advice()))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    where, counts = out.stdout.split("\n")[:2]
    assert where.startswith(str(site)), where
    assert counts == "11 21"


@pytest.mark.parametrize(
    "module", ["backplan", "backplan.charts", "backplan.ui", "backplan.handout", "backplan.fhir"]
)
def test_every_public_name_resolves(module: str) -> None:
    import importlib

    mod = importlib.import_module(module)
    missing = [name for name in mod.__all__ if getattr(mod, name, None) is None]
    assert missing == []
