"""The Voila plan-builder app in a real Chromium: the page a physio sees must work.

Needs Debian's ``chromium`` package (Playwright's own browser download does not work here).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import backplan as bp

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "notebooks" / "app-plan-builder.ipynb"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(150)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Serve the app with Voila on a free localhost port; always stop it afterwards."""
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Chromium at /usr/bin/chromium: apt-get install chromium")
    save_dir = tmp_path / "plans"
    port = _free_port()
    log = (tmp_path / "voila.log").open("w")
    env = {**os.environ, "BACKPLAN_SAVE_DIR": str(save_dir), "MPLBACKEND": "Agg"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voila",
            str(APP),
            "--no-browser",
            "--Voila.ip=127.0.0.1",
            f"--port={port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"Voila did not start:\n{(tmp_path / 'voila.log').read_text()}")
                time.sleep(0.3)
        yield url, save_dir
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        log.close()


def test_app_builds_previews_and_saves_a_plan(app: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, save_dir = app
    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1800})
            page.goto(url)
            preview = page.locator(".bp-preview")
            chart = page.locator(".bp-chart img")
            expect(preview.locator("table")).to_be_visible(timeout=60_000)
            # Voila hides the code: the physio sees the form, not Python.
            assert "import" not in page.locator("body").inner_text()
            table_before = preview.inner_text()
            assert "Heel slides" in table_before
            src_before = chart.get_attribute("src")
            assert src_before and src_before.startswith("data:image/png")

            page.locator(".bp-level select").select_option("more advanced")
            expect(preview).to_contain_text("Knees to chest", timeout=15_000)
            assert "Heel slides" not in preview.inner_text()
            expect(chart).not_to_have_attribute("src", src_before, timeout=15_000)

            table_level = preview.inner_text()
            src_level = chart.get_attribute("src")
            reps = page.locator(".bp-reps-knee-to-chest input")
            reps.fill("9")
            reps.press("Tab")
            expect(preview).not_to_have_text(table_level, timeout=15_000)
            expect(chart).not_to_have_attribute("src", src_level, timeout=15_000)
            row = preview.locator("tr", has_text="Knees to chest").first
            assert row.locator("td").nth(3).inner_text() == "9"

            target = save_dir / "from-browser.json"
            path = page.locator(".bp-path input")
            path.fill(str(target))
            path.press("Tab")
            page.locator(".bp-save").click()
            expect(page.locator(".bp-status")).to_contain_text("Plan saved", timeout=15_000)
            shot = artifacts / "plan-builder.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")
        finally:
            browser.close()
    plan = bp.load_plan(target)
    assert plan.level == "more advanced"
    assert {p.exercise: p.reps for p in plan.prescriptions}["knee-to-chest"] == 9


def test_voila_uses_this_environment_for_the_kernel() -> None:
    """Voila starts kernels from the 'python3' kernelspec; it must map to this venv."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    manager = KernelManager(kernel_name="python3")
    cmd = manager.format_kernel_cmd()
    assert spec.argv[0] in ("python", "python3", sys.executable)
    assert cmd[0] == sys.executable
