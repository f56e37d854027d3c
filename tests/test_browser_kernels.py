"""Closing or reloading the app's page stops its kernel (issue 22 item 3: every page load
left a ~280 MB kernel running, the shutdown request refused with 403 for a missing
``_xsrf`` argument; 53 kernels after an afternoon).

The page is opened 8 times in ``make test`` (20 in ``make fuzz``: ``BACKPLAN_KERNEL_LOADS``)
in a real Chromium, as ``make app`` serves it (two preheated kernels), and left by reloading
it, closing the tab or going to another site, in turn (each way at least twice);
the server's kernel processes are counted all along. Each load is a real page with its own
kernel (a kernel starting and running the app is most of this test's time), as tabs of one
browser at 1280x800 (the browser's cache serves the app's scripts after the first page).
"""

from __future__ import annotations

import os
import time

import pytest
from browser_app import need_browser, open_page

from tools.serve import kernel_pids, serve_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

POOL = 2  # tools.serve.VOILA_OPTIONS: --pool_size=2
#: Page loads: 8 keep ``make test`` within its time (each is a kernel started and the app
#: run); ``make fuzz`` runs the afternoon-long version, 20.
LOADS = int(os.environ.get("BACKPLAN_KERNEL_LOADS", "8"))


def _kernels_settle(server, want: int, within_s: float, log=None, shutdowns: int = 0) -> int:
    """The number of the server's kernels once it is ``want`` and ``log`` names at least
    ``shutdowns`` kernels stopped (or the time is up).

    Both, because the pool refills after a delay: while the last page's kernel is still
    stopping and its replacement not yet started, the count is briefly ``want`` too.
    """
    deadline = time.monotonic() + within_s
    while True:
        n = len(kernel_pids(server))
        done = log is None or log.read_text().count("Kernel shutdown") >= shutdowns
        if (n == want and done) or time.monotonic() > deadline:
            return n
        time.sleep(0.2)


def test_closing_or_reloading_the_page_stops_its_kernel(tmp_path_factory, browser) -> None:
    need_browser()
    pytest.importorskip("psutil", reason="needs psutil to count kernel processes")

    home = tmp_path_factory.mktemp("kernels")
    env = {"BACKPLAN_LIBRARY": str(home / "plans"), "BACKPLAN_SETTINGS": str(home / "c.json")}
    servers: list = []
    with serve_app(env, home / "voila.log", process=servers) as url:
        (server,) = servers
        assert _kernels_settle(server, POOL, 180) == POOL  # the pool, before anyone asks
        most = 0
        page = open_page(browser, url, 1280, 800)
        for i in range(LOADS - 1):
            most = max(most, len(kernel_pids(server)))
            if i % 3 == 0:  # reload
                page.reload(wait_until="commit", timeout=180_000)
                page.locator(".bp-preview table").wait_for(timeout=180_000)
                continue
            if i % 3 == 1:  # close the tab
                page.close(run_before_unload=True)
            else:  # go to another site, then close
                page.goto("about:blank")
                page.close()
            page = open_page(browser, url, 1280, 800)
        page.close(run_before_unload=True)
        left = _kernels_settle(server, POOL, 60, home / "voila.log", LOADS)
        log = (home / "voila.log").read_text()
    assert "_xsrf" not in log and " 403 " not in log, log[-2000:]
    assert log.count("Kernel shutdown") >= LOADS, log[-2000:]
    # Only the pool is left; at any time at most the open page's kernel, the pool and
    # one being started to refill it.
    assert left == POOL, (left, log[-2000:])
    assert most <= POOL + 2, most
