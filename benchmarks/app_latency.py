"""The plan-builder app as a physio meets it: Voila in Chromium, timed from the browser.

Prints two medians against their targets (ratio <= 1.0 meets the target):

- time to interactive: from navigation until the form responds (the preview table is on
  the page and a dose typed into the form has reached the preview), target 2.0 s;
- control change: from a dose change in the page until the preview table *and* the
  chart image have both been replaced, target 150 ms.

The baseline is the same app served without a preheated kernel (Voila's default), timed
in the same run, so the ratio also shows what preheating buys.

Run: ``.venv/bin/python benchmarks/app_latency.py`` (needs Debian's chromium and the
Python package playwright).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tools/
from tools.serve import CHROMIUM, CHROMIUM_ARGS, serve_app

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
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    start = time.perf_counter()
    page.goto(url)
    page.locator(".bp-preview table").wait_for(timeout=60_000)
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
        with serve_app(env, log, preheat=True) as url:
            time.sleep(POOL_REFILL_S)  # the first kernel runs the notebook before anyone asks
            warm, changes = measure(url, LOADS, POOL_REFILL_S)
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


if __name__ == "__main__":
    main()
