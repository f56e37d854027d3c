"""A baseline run in its own process: forked once, then timed on request, in turn with ours.

Why a separate process: DuckDB calls glibc's ``malloc_trim`` after each query
(``duckdb::Allocator::MallocTrim``), and that hands every free page of the *whole process*
back to the kernel, numpy's freed arrays included. In one process, each of our runs that
follows a DuckDB query must fault in and zero all its memory again; that cost comes from
sharing a process, not from either side's work. Forked after the data are built, the child
shares them copy-on-write, so both sides read the same frames and files.

Example
-------
>>> def square(x):
...     return x * x
>>> with Child(square) as child:
...     seconds, value = child(7)
>>> value, child.cpu >= 0
(49, True)
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any


def _serve(fn: Callable[..., Any], conn: Connection) -> None:
    while True:
        args = conn.recv()
        if args is None:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            conn.send(peak)
            return
        t0, c0 = time.perf_counter(), _cpu()
        out = fn(*args)
        conn.send((time.perf_counter() - t0, _cpu() - c0, out))


def _cpu() -> float:
    """CPU seconds of this process so far, every thread (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Child:
    """``fn`` run in a forked child process; calling the object times one call there."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        ctx = mp.get_context("fork")
        self._conn, theirs = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(fn, theirs), daemon=True)
        self._proc.start()
        self.peak_mb = float("nan")
        #: CPU seconds (every thread of the child, user + system) of the last call
        self.cpu = float("nan")

    def __call__(self, *args: Any) -> tuple[float, Any]:
        """Seconds ``fn(*args)`` took in the child (transfer not counted), and its result;
        its CPU seconds are then in :attr:`cpu`."""
        self._conn.send(args)
        seconds, self.cpu, out = self._conn.recv()
        return seconds, out

    def close(self) -> None:
        """Stop the child; ``peak_mb`` is then its peak resident memory."""
        if self._proc.is_alive():
            self._conn.send(None)
            self.peak_mb = self._conn.recv()
            self._proc.join()

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
