"""Where the app's time to interactive goes: the timeline of one page load, from Chromium.

Serves the app as ``make app`` does (two preheated kernels), waits until the pool is
ready, then opens the page once (or ``--loads N`` times, a quiet pause between) and prints:

- milestones from navigation: HTML received, DOMContentLoaded, load, kernel websocket
  open, the app drawn, the preview table shown, a dose change answered (what
  ``app_latency.py`` calls time to interactive);
- the scripts and styles fetched: how many, how many bytes, in which phase;
- the kernel messages on the websocket: count, bytes and type (the widgets' state comes
  in one ``update_states`` message);
- CPU: the page's main thread (Chromium's TaskDuration and ScriptDuration), the kernel
  that served the page and the Voila server; and the machine's load average.

CPU seconds say more than wall time on a shared machine. Run:
``.venv/bin/python benchmarks/app_timeline.py [--loads 2]`` (needs Debian's chromium and
the Python packages playwright and psutil).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tools/
sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_latency import _CHANGE_JS, POOL_REFILL_S, _wait_for_pool

from tools.serve import CHROMIUM, CHROMIUM_ARGS, kernel_pids, serve_app


def message_kind(payload: bytes | str) -> str:
    """The type of one kernel websocket frame (Jupyter's v1 binary protocol), with the
    widget method when it is a comm message, e.g. ``iopub comm_msg update_states``.

    Examples
    --------
    >>> parts = [b"iopub", b'{"msg_type": "status"}', b"{}", b"{}",
    ...          b'{"execution_state": "idle"}']
    >>> starts = [8 * (len(parts) + 2)]
    >>> for p in parts:
    ...     starts.append(starts[-1] + len(p))
    >>> head = b"".join(n.to_bytes(8, "little") for n in [len(starts), *starts])
    >>> message_kind(head + b"".join(parts))
    'iopub status idle'
    """
    if isinstance(payload, str):
        return "text"
    count = int.from_bytes(payload[:8], "little")
    offsets = [int.from_bytes(payload[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    parts = [payload[a:b] for a, b in itertools.pairwise(offsets)]
    if len(parts) < 5:
        return "?"
    kind = f"{parts[0].decode()} {json.loads(parts[1]).get('msg_type', '?')}"
    content = json.loads(parts[4])
    data = content.get("data")
    if isinstance(data, dict) and "method" in data:
        kind += f" {data['method']}"
    if "execution_state" in content:
        kind += f" {content['execution_state']}"
    return kind


def _cpu(pid: int) -> float:
    import psutil

    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system


def _chromium_cpu() -> float:
    """CPU seconds of every Chromium process this script started (browser, renderers,
    GPU, network): what a page load costs the machine when the browser runs on it."""
    import psutil

    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            if "chrom" in child.name():
                total += _cpu(child.pid)
        except psutil.NoSuchProcess:
            continue
    return total


def one_load(browser, url: str, server) -> None:
    """Open the page once and print its timeline."""
    kernels = kernel_pids(server)
    before = {pid: _cpu(pid) for pid in [*kernels, server.pid]}
    chromium = _chromium_cpu()
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    start = time.perf_counter()

    def now() -> float:
        return time.perf_counter() - start

    marks: list[tuple[float, str]] = []
    fetched: dict[str, list] = {}  # url -> [start, end, bytes]
    frames: list[tuple[float, str, str, int]] = []

    def done(request) -> None:
        sizes = request.sizes()
        fetched.setdefault(request.url, [0.0, 0.0, 0])[1:] = [now(), sizes["responseBodySize"]]

    def socket(ws) -> None:
        marks.append((now(), "kernel websocket open"))
        ws.on("framesent", lambda p: frames.append((now(), ">", message_kind(p), len(p))))
        ws.on("framereceived", lambda p: frames.append((now(), "<", message_kind(p), len(p))))

    page.on("request", lambda r: fetched.__setitem__(r.url, [now(), 0.0, 0]))
    page.on("requestfinished", done)
    page.on("websocket", socket)
    page.goto(url, wait_until="commit", timeout=120_000)
    page.wait_for_load_state("domcontentloaded")
    marks.append((now(), "DOMContentLoaded"))
    page.wait_for_load_state("load")
    marks.append((now(), "load (Voila's scripts run)"))
    page.locator(".bp-app").first.wait_for(timeout=120_000)
    marks.append((now(), "app drawn"))
    page.locator(".bp-preview table").wait_for(timeout=120_000)
    marks.append((now(), "preview table shown"))
    took = page.evaluate(_CHANGE_JS, [".bp-reps-heel-raises", 11])
    marks.append((now(), f"a dose change answered ({took:.0f} ms): time to interactive"))
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    elements = page.evaluate("document.getElementsByTagName('*').length")
    chromium = _chromium_cpu() - chromium
    page.close()
    html = next(iter(fetched.values()))
    marks.append((html[1], f"HTML received ({html[2] / 1000:.0f} kB)"))
    print(f"--- one page load (load average {os.getloadavg()[0]:.1f})")
    for t, what in sorted(marks):
        print(f"{t:6.2f} s  {what}")
    ws_open = next(t for t, what in marks if what.startswith("kernel websocket"))
    load = next(t for t, what in marks if what.startswith("load"))
    for label, low, high in [
        ("until load", 0, load),
        ("load to websocket", load, ws_open),
        ("after websocket", ws_open, 1e9),
    ]:
        chosen = [v for u, v in list(fetched.items())[1:] if low <= v[0] < high]
        print(
            f"files {label}: {len(chosen)}, {sum(v[2] for v in chosen) / 1e6:.2f} MB, "
            f"last done at {max([v[1] for v in chosen], default=0):.2f} s"
        )
    count, size = Counter(), Counter()
    for _, way, kind, n in frames:
        count[(way, kind)] += 1
        size[(way, kind)] += n
    print("kernel messages (> to the kernel, < from it):")
    for (way, kind), n in count.most_common():
        print(f"  {way} {kind:40s} {n:4d} messages {size[(way, kind)] / 1000:8.1f} kB")
    state = [t for t, _, kind, _ in frames if kind.endswith("update_states")]
    if state:
        print(f"widget state arrived at {state[0]:.2f} s")
    cpu = {pid: _cpu(pid) - was for pid, was in before.items()}
    served = max(kernels, key=lambda pid: cpu.get(pid, 0)) if kernels else None
    print(
        f"CPU: page main thread {metrics['TaskDuration']:.2f} s (scripts "
        f"{metrics['ScriptDuration']:.2f} s, layout and style "
        f"{metrics['LayoutDuration'] + metrics['RecalcStyleDuration']:.2f} s); kernel "
        f"{cpu.get(served, 0):.2f} s; Voila server {cpu[server.pid]:.2f} s; all of "
        f"Chromium {chromium:.2f} s; "
        f"{elements} page elements"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=1)
    loads = parser.parse_args().loads
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        env = {
            "BACKPLAN_LIBRARY": str(Path(folder) / "plans"),
            "BACKPLAN_SETTINGS": str(Path(folder) / "clinic.json"),
        }
        servers: list = []
        with serve_app(env, Path(folder) / "voila.log", process=servers) as url:
            _wait_for_pool(servers[0], 2)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    for i in range(loads):
                        if i:
                            time.sleep(POOL_REFILL_S)
                        one_load(browser, url, servers[0])
                finally:
                    browser.close()


if __name__ == "__main__":
    main()
