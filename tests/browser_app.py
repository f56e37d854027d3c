"""Helpers and fixtures shared by the real-browser tests of the Voila app (Playwright driving
Debian's Chromium): pages opened as a physio opens them.

Fixtures (registered for every test file by ``tests/conftest.py``):

``browser``
    One Chromium per test file (module scope: Playwright's sync API holds the thread's
    asyncio loop while it runs, which the notebook tests in the same worker need back).
    :func:`open_page` opens every page of a browser as a tab of one browser profile
    (context), so the app's scripts come from its cache after the first page.
``app_url`` / ``app_home``
    One Voila server per test worker (session scope), served as ``make app`` serves it,
    with plans and clinic details (clinic :data:`SHARED_CLINIC`, no phone) in ``app_home``.
    A test file whose tests change the clinic details, or count kernels, serves its own
    with :func:`serve` (see ``test_browser_day.py``, ``test_browser_kernels.py``).
"""

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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A Chromium for this test file (skipped, naming what is missing, without one)."""
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = launch(pw)
        try:
            yield chromium
        finally:
            chromium.close()


#: The clinic the shared server's ``clinic.json`` names.
SHARED_CLINIC = "Riverside Physio (synthetic)"


@pytest.fixture(scope="session")
def app_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared server's folder: ``plans/`` and ``clinic.json``."""
    from backplan.settings import ClinicSettings, save_settings

    home = tmp_path_factory.mktemp("shared-clinic")
    save_settings(ClinicSettings(clinic=SHARED_CLINIC), home / "clinic.json")
    return home


@pytest.fixture(scope="session")
def app_url(app_home: Path) -> Iterator[str]:
    """The URL of the app served from ``app_home``, one server per test worker."""
    need_browser()
    yield from serve(app_home)


def tabs(browser: Any) -> Any:
    """The browser profile every page of ``browser`` opens in: tabs of one browser, as a
    physio has them (shared cookies and cache; downloads accepted)."""
    if id(browser) not in _TABS:
        _TABS[id(browser)] = (browser, browser.new_context(accept_downloads=True))
    return _TABS[id(browser)][1]


#: id of a browser -> (the browser, kept so its id is never reused; its shared context)
_TABS: dict[int, tuple[Any, Any]] = {}


def open_page(browser: Any, url: str, width: int = 1920, height: int = 1080) -> Any:
    """A new tab of ``browser`` (see :func:`tabs`) with the app ready (the preview drawn)."""
    from playwright.sync_api import expect

    page = tabs(browser).new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url, wait_until="commit", timeout=180_000)
    expect(page.locator(".bp-preview table")).to_be_visible(timeout=180_000)
    return page


def open_section(page: Any, *names: str) -> None:
    """Open folded sections of the app (``"patients"``, ``"review"``, ``"clinic"``) as a
    physio does, with the button under each heading (a section already open stays so)."""
    for name in names:
        button = page.locator(f".bp-section-{name} button.bp-unfold")
        if button.count():
            button.click()
        button.wait_for(state="detached", timeout=60_000)


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
