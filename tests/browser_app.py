"""Helpers shared by the real-browser tests of the Voila app (Playwright driving Debian's
Chromium): one server per test module, pages opened as a physio opens them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tools.serve import CHROMIUM, CHROMIUM_ARGS, serve_app

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
AXE = ROOT / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def need_browser() -> None:
    """Skip, naming what is missing, without Playwright or Chromium."""
    pytest.importorskip("playwright", reason="needs the Python package playwright")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}: apt-get install chromium")


def serve(home: Path, **kwargs: Any) -> Iterator[str]:
    """Serve the app with plans and clinic details in ``home``; yield the URL."""
    env = {"BACKPLAN_LIBRARY": str(home / "plans"), "BACKPLAN_SETTINGS": str(home / "clinic.json")}
    with serve_app(env, home / "voila.log", **kwargs) as url:
        yield url


def launch(pw: Any) -> Any:
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def open_page(browser: Any, url: str, width: int = 1920, height: int = 1080) -> Any:
    """A new page with the app ready (the preview drawn)."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": height}, accept_downloads=True)
    page.goto(url, wait_until="commit", timeout=180_000)
    expect(page.locator(".bp-preview table")).to_be_visible(timeout=180_000)
    return page


def type_in(page: Any, css: str, text: str) -> None:
    """Type ``text`` into the box of ``css`` (replacing what is there) and leave it."""
    box = page.locator(f"{css} input, {css} textarea").first
    box.fill(text)
    box.press("Tab")


def upload(page: Any, css: str, path: Path) -> None:
    """Click an upload button as a physio would and pick ``path`` in the file chooser."""
    with page.expect_file_chooser() as chooser:
        page.locator(css).click()
    chooser.value.set_files(str(path))


def shot(page: Any, name: str, full: bool = False) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=full)
    print(f"screenshot: {path}")
    return path


def settle(page: Any, css: str = ".bp-status", seconds: float = 0.3) -> None:
    """Give the kernel a moment after an action whose result is a non-change."""
    time.sleep(seconds)
    page.locator(css).first.wait_for(state="attached")
