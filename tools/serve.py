"""Serve the Voila plan-builder app on a free local port, for tests and benchmarks.

Examples
--------
>>> free_port() > 0
True
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "APP_NOTEBOOK",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "PAGE_OPTIONS",
    "VOILA_OPTIONS",
    "free_port",
    "kernel_pids",
    "page_env",
    "serve_app",
]

APP_NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "app-plan-builder.ipynb"
#: Debian's Chromium (Playwright's own browser download is not used).
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
#: Voila options the app runs with (``make app`` prints the same with ``--print-options``):
#: two kernels run the notebook before anyone asks, so two physios opening the app at once
#: both get a ready page; a kernel taken by a page is replaced 4 s later, once that page
#: has drawn (starting a kernel and running the app is ~2.6 s of CPU: on two cores, two
#: replacements started at once slowed both pages by 2-3 s); a kernel whose page is gone without saying so (a crashed
#: browser, a page closed while loading) is stopped after 2 idle minutes with no page
#: connected (open pages are never culled, nor the kernels waiting in the pool).
VOILA_OPTIONS = [
    "--preheat_kernel=True",
    "--pool_size=2",
    "--VoilaKernelManager.fill_delay=4",
    "--MappingKernelManager.cull_idle_timeout=120",
    "--MappingKernelManager.cull_interval=30",
    "--MappingKernelManager.cull_connected=False",
]


#: The page template (``tools/jupyter/voila/templates/backplan``): Voila's "lab" page with
#: nothing loaded from a CDN (no Font Awesome, no Mermaid), so the page needs no network
#: and tells no one else that a clinic opened it. Always used, pool or not.
PAGE_OPTIONS = ["--template=backplan"]
#: Where Voila finds that template (prepended to ``JUPYTER_PATH``; ``make app`` does the same).
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter"


def page_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """``JUPYTER_PATH`` with this repository's Voila template first (keeping any other).

    Examples
    --------
    >>> page_env({"JUPYTER_PATH": "/x"})["JUPYTER_PATH"].endswith("tools/jupyter:/x")
    True
    """
    old = (os.environ if env is None else env).get("JUPYTER_PATH", "")
    return {"JUPYTER_PATH": os.pathsep.join(p for p in (str(JUPYTER_DATA), old) if p)}


def kernel_pids(server: subprocess.Popen[bytes]) -> list[int]:
    """Process ids of the kernels a Voila server runs (its ``ipykernel`` children)."""
    import psutil

    try:
        children = psutil.Process(server.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            if "ipykernel" in " ".join(child.cmdline()):
                found.append(child.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def main() -> None:
    """Print the Voila options of the app, on one line (``make app`` uses them)."""
    print(" ".join(PAGE_OPTIONS + VOILA_OPTIONS))


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_app(
    env: Mapping[str, str],
    log: Path,
    notebook: Path = APP_NOTEBOOK,
    *,
    preheat: bool = True,
    timeout_s: float = 60,
    options: list[str] | None = None,
    process: list[subprocess.Popen[bytes]] | None = None,
) -> Iterator[str]:
    """Run Voila on ``notebook`` with extra ``env``; yield its URL; always stop it.

    ``options`` replaces :data:`VOILA_OPTIONS` (``preheat=False`` drops them); the Voila
    process is appended to ``process`` when given (to count its kernels).
    """
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "voila",
                str(notebook),
                "--no-browser",
                "--Voila.ip=127.0.0.1",
                f"--port={port}",
                *PAGE_OPTIONS,
                *(options if options is not None else VOILA_OPTIONS if preheat else []),
            ],
            cwd=notebook.parent.parent,
            env={**os.environ, "MPLBACKEND": "Agg", **page_env(), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if process is not None:
            process.append(proc)
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    # Connect only: a page request would use up the preheated kernel.
                    socket.create_connection(("127.0.0.1", port), timeout=2).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"Voila did not start:\n{log.read_text()}") from None
                    time.sleep(0.3)
            yield url
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            except ProcessLookupError:
                pass


if __name__ == "__main__":
    main()
