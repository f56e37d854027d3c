"""Writing output files atomically, keeping an existing file's permissions.

Every file backplan writes (plans, handouts, reports, tables, settings) goes through
:func:`write_atomic`: the bytes go to a temporary file in the same folder, which then
replaces the target in one step. A failed or interrupted write leaves the old file as it
was, and a file that already existed keeps its permission bits.

Examples
--------
>>> import pathlib, tempfile
>>> target = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
>>> write_atomic(target, "hello\\n").read_text()
'hello\\n'
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

__all__ = ["atomic_path", "write_atomic"]


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``.

    Use it for writers that want a file name (ReportLab, openpyxl, pandas). On any
    exception the temporary file is removed and ``path`` is left untouched.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("a,b\\n")
    >>> target.read_text()
    'a,b\\n'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(target)
    # The temporary name ends in the target's suffix, so writers that pick a format from
    # the suffix (pandas, the adherence report) write the right one.
    fd, name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, mode)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(
    path: str | os.PathLike[str],
    data: str | bytes | Callable[[IO[bytes]], object],
    encoding: str = "utf-8",
) -> Path:
    """Write ``data`` (text, bytes, or a function writing to a binary file) to ``path``.

    Returns the target path. See :func:`atomic_path` for the guarantees.
    """
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        if isinstance(data, str):
            fh.write(data.encode(encoding))
        elif isinstance(data, bytes | bytearray):
            fh.write(data)
        else:
            data(fh)
    return Path(path)
