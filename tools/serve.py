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

__all__ = ["APP_NOTEBOOK", "CHROMIUM", "CHROMIUM_ARGS", "free_port", "serve_app"]

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
#: Voila options the app runs with (``make app`` uses the same): a kernel runs the
#: notebook before anyone asks, so a physio's page is ready sooner.
VOILA_OPTIONS = ["--preheat_kernel=True", "--pool_size=1"]


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
) -> Iterator[str]:
    """Run Voila on ``notebook`` with extra ``env``; yield its URL; always stop it."""
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
                *(VOILA_OPTIONS if preheat else []),
            ],
            cwd=notebook.parent.parent,
            env={**os.environ, "MPLBACKEND": "Agg", **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
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
