"""The plan-builder app as a physio meets it: Voila in Chromium, timed from the browser.

Prints two medians against their targets (ratio <= 1.0 meets the target):

- time to interactive: from navigation until the form responds (the preview table is on
  the page and a dose typed into the form has reached the preview), target 2.0 s;
- control change: from a dose change in the page until the preview table *and* the
  chart image have both been replaced, target 150 ms;
- two visitors at once: two physios open the app at the same moment (the pool holds two
  preheated kernels); each must get a working form within the 2.0 s target. Timed twice:
  with new browsers (nothing cached: the first visit ever, the target's case) and with
  browsers that opened the app once before (a physio's everyday browser: Voila's scripts
  come from its cache, already compiled).

The machine's load average is printed with the results: on a busy shared machine the
numbers say more about the neighbours than about the app.

The baseline is the same app served without a preheated kernel (Voila's default), timed
in the same run, so the ratio also shows what preheating buys.

Run: ``.venv/bin/python benchmarks/app_latency.py`` (needs Debian's chromium and the
Python package playwright).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tools/
from tools.serve import CHROMIUM, CHROMIUM_ARGS, kernel_pids, serve_app

TTI_TARGET_S = 2.0
CHANGE_TARGET_MS = 150.0
LOADS = 5
CHANGES = 20
# Seconds between page loads: under load, Voila needs this long to preheat the next kernel
# (one physio opening the app now and then, not a crowd at once).
POOL_REFILL_S = 15

# In the page: change one dose box and wait until table and chart are both new.
_CHANGE_JS = """async ([selector, value]) => {
  const table = document.querySelector('.bp-preview');
  const chart = document.querySelector('.bp-chart img');
  const oldTable = table.innerHTML, oldSrc = chart.getAttribute('src');
  const input = document.querySelector(selector + ' input');
  const start = performance.now();
  input.value = String(value);
  input.dispatchEvent(new Event('change', {bubbles: true}));
  input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
  while (true) {
    const img = document.querySelector('.bp-chart img');
    if (table.innerHTML !== oldTable && img && img.getAttribute('src') !== oldSrc) break;
    if (performance.now() - start > 10000) return -1;
    await new Promise(r => requestAnimationFrame(r));
  }
  return performance.now() - start;
}"""


def _load(browser, url: str) -> tuple[float, object]:
    """Open the app in a new page of ``browser`` (a Browser: a new profile, nothing cached;
    a BrowserContext: a tab of that profile) and time it until the form responds."""
    page = browser.new_page()
    page.set_viewport_size({"width": 1920, "height": 1080})
    start = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=120_000)
    page.locator(".bp-preview table").wait_for(timeout=120_000)
    took = page.evaluate(_CHANGE_JS, [".bp-reps-heel-raises", 11])
    if took < 0:
        raise SystemExit("the form did not respond to a change")
    return time.perf_counter() - start, page


def measure(url: str, loads: int, pool_refill_s: float) -> tuple[list[float], list[float]]:
    from playwright.sync_api import sync_playwright

    ttis, changes = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for i in range(loads):
                time.sleep(pool_refill_s)  # a physio opens the app now and then, not at once
                tti, page = _load(browser, url)
                ttis.append(tti)
                if i == 0:
                    for k in range(CHANGES + 3):
                        ms = page.evaluate(_CHANGE_JS, [".bp-reps-heel-raises", 12 + k % 2])
                        if ms < 0:
                            raise SystemExit("a dose change never reached the preview")
                        changes.append(ms)
                page.close()
        finally:
            browser.close()
    return ttis, changes[3:]


def _wait_for_pool(server, size: int, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while len(kernel_pids(server)) < size and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(POOL_REFILL_S)  # started is not yet ready: let the notebook run


def two_visitors(url: str, server, rounds: int, warm: bool = False) -> list[float]:
    """Both physios' times to interactive, ``rounds`` times (each in its own browser).

    ``warm``: each browser opens the app once first (its cache then holds Voila's scripts),
    and the timed loads start together once the pool has replaced those pages' kernels.
    """
    from playwright.sync_api import sync_playwright

    times: list[float] = []
    for _ in range(rounds):
        _wait_for_pool(server, 2)
        # the two visitors and this thread: warmed up, then go
        warmed, gate = threading.Barrier(3), threading.Barrier(3)
        found: list[float] = []

        def visit(
            warmed: threading.Barrier = warmed,
            gate: threading.Barrier = gate,
            found: list[float] = found,
        ) -> None:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    tabs = browser.new_context()  # one profile: later pages use its cache
                    if warm:
                        _, page = _load(tabs, url)
                        page.close(run_before_unload=True)
                    warmed.wait()
                    gate.wait()
                    tti, page = _load(tabs, url)
                    found.append(tti)
                    page.close(run_before_unload=True)
                finally:
                    browser.close()

        threads = [threading.Thread(target=visit) for _ in range(2)]
        for t in threads:
            t.start()
        warmed.wait()
        if warm:
            time.sleep(3)  # the warm-up pages' kernels stop, the pool starts new ones
            _wait_for_pool(server, 2)
        gate.wait()
        for t in threads:
            t.join()
        times += found
    return times


def main() -> None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        sys.exit("needs the Python package playwright (pip install playwright)")
    if not Path(CHROMIUM).exists():
        sys.exit(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder:
        env = {
            "BACKPLAN_LIBRARY": str(Path(folder) / "plans"),
            "BACKPLAN_SETTINGS": str(Path(folder) / "clinic.json"),
        }
        log = Path(folder) / "voila.log"
        with serve_app(env, log, preheat=False) as url:
            cold, _ = measure(url, 3, 0.5)
        servers: list = []
        with serve_app(env, log, preheat=True, process=servers) as url:
            _wait_for_pool(servers[0], 2)  # the kernels run the notebook before anyone asks
            warm, changes = measure(url, LOADS, POOL_REFILL_S)
            pair = two_visitors(url, servers[0], 3)
            warm_pair = two_visitors(url, servers[0], 3, warm=True)
    tti, base = statistics.median(warm), statistics.median(cold)
    change = statistics.median(changes)
    print(
        f"baseline (Voila default, no preheated kernel): median time to interactive {base:.2f} s of {len(cold)}"
    )
    print(
        f"app as served (make app): median time to interactive {tti:.2f} s of {len(warm)} ({', '.join(f'{t:.2f}' for t in warm)})"
    )
    print(
        f"ratio to the {TTI_TARGET_S:.1f} s target: {tti / TTI_TARGET_S:.2f} (target <= 1.0); to the baseline: {tti / base:.2f}"
    )
    print(
        f"control change until preview and chart updated: median {change:.0f} ms of {len(changes)} (max {max(changes):.0f} ms)"
    )
    print(
        f"ratio to the {CHANGE_TARGET_MS:.0f} ms target: {change / CHANGE_TARGET_MS:.2f} (target <= 1.0)"
    )
    for label, times in (
        ("new browsers", pair),
        ("browsers that opened the app before", warm_pair),
    ):
        worst = max(times)
        print(
            f"two visitors at once, {label}: slowest of each pair "
            f"{', '.join(f'{max(times[i : i + 2]):.2f}' for i in range(0, len(times), 2))} s; "
            f"worst {worst:.2f} s, ratio to the {TTI_TARGET_S:.1f} s target "
            f"{worst / TTI_TARGET_S:.2f} (target <= 1.0); to one visitor {worst / tti:.2f}"
        )
    load1, load5, _ = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load1:.1f} (1 min), {load5:.1f} (5 min)")


if __name__ == "__main__":
    main()
