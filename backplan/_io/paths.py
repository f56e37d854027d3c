"""Where the shipped data lives, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_dir"]


def data_dir() -> Path:
    """Return the folder holding the shipped catalogue, advice and demo data.

    A wheel carries ``data/`` as ``backplan/_data``; a source checkout (or an editable
    install) reads the repository's ``data/`` folder.

    Examples
    --------
    >>> (data_dir() / "back-exercises.csv").is_file()
    True
    """
    package = Path(__file__).resolve().parents[1]  # backplan/
    packaged = package / "_data"
    if packaged.is_dir():
        return packaged
    return package.parent / "data"
