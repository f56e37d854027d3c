"""Printing an HTML file to PDF with Debian's headless Chromium (proofs and print tests).

Examples
--------
>>> chromium_path() is None or chromium_path().endswith("chromium")
True
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

__all__ = ["PRINT_FLAGS", "chromium_path", "print_to_pdf"]

#: Headless, no network of its own, no browser header or footer on printed pages.
PRINT_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


def chromium_path() -> str | None:
    """The Chromium executable on this machine, or ``None`` (Debian package ``chromium``)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def print_to_pdf(html: Path, pdf: Path) -> Path:
    """Print ``html`` as Chromium's print view would, to ``pdf``; returns ``pdf``.

    Raises
    ------
    FileNotFoundError
        When Chromium is not installed.
    """
    chromium = chromium_path()
    if chromium is None:
        raise FileNotFoundError("chromium is missing: install the Debian package chromium")
    subprocess.run(
        [chromium, *PRINT_FLAGS, f"--print-to-pdf={pdf}", Path(html).resolve().as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return pdf
