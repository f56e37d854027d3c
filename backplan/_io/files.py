"""Files in and out: atomic writes that keep permissions, capped reads, and never an
output over an input.

Every file backplan writes (plans, handouts, reports, tables, settings) goes through
:func:`write_atomic`: the bytes go to a temporary file in the same folder, which then
replaces the target in one step. A failed or interrupted write leaves the old file as it
was, and a file that already existed keeps its permission bits.

Small documents (saved plans, settings, templates, review rules) are read with
:func:`read_capped`: only a regular file is opened (a device such as ``/dev/zero`` or a
named pipe would never end, or never start), and no more than a stated size is read.
:func:`same_file` tells whether an output would land on an input, however the two paths
are written (a symbolic link, a hard link, ``..``).

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

from ..errors import BackplanError

__all__ = [
    "ReadError",
    "as_path",
    "atomic_path",
    "check_readable",
    "read_capped",
    "same_file",
    "write_atomic",
]


class ReadError(BackplanError):
    """An input file could not be read (or is not a file one can read to the end).

    ``name`` is the file as messages name it, ``expected`` what was expected of it.
    """

    def __init__(self, name: str, expected: str) -> None:
        self.name, self.expected = name, expected
        super().__init__(f"{name}: expected {expected}")


def _unreadable(name: str, exc: OSError) -> ReadError:
    return ReadError(name, f"a readable file ({exc.strerror or type(exc).__name__})")


def as_path(value: object, name: str = "path") -> Path:
    """``value`` as a :class:`~pathlib.Path` when it is a usable file path: text or a
    path-like object, not empty, without NUL characters; else a :class:`BackplanError`
    naming the argument.

    >>> as_path("plans/ann.json")
    PosixPath('plans/ann.json')
    >>> as_path("")
    Traceback (most recent call last):
    ...
    backplan.errors.BackplanError: path: expected a file path, got ''
    """
    text = os.fspath(value) if isinstance(value, str | os.PathLike) else None
    if not isinstance(text, str) or not text or "\0" in text:
        got = repr(text) if isinstance(text, str) else type(value).__name__
        raise BackplanError(f"{name}: expected a file path, got {got}")
    return Path(text)


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
    exception the temporary file is removed and ``path`` is left untouched. Only a
    regular file (or a new name) is written: a folder, a device such as ``/dev/null`` or a
    named pipe at ``path`` is refused with a :class:`BackplanError` before anything is
    written (replacing it, as root may, would break the system for everyone).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("a,b\\n")
    >>> target.read_text()
    'a,b\\n'
    """
    target = as_path(path)
    try:
        mode = os.stat(target).st_mode
    except OSError:  # nothing there yet (or a link to nothing): a new file
        mode = stat.S_IFREG
    if not stat.S_ISREG(mode):  # never replace a folder, a device (/dev/zero), a pipe
        raise BackplanError(f"{target}: expected a file to write, found {_kind(mode)}")
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


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _open_regular(path: Path, name: str) -> int:
    """A read-only descriptor of ``path`` when it is a regular file; opening never waits
    (``O_NONBLOCK``: a named pipe with no writer would block ``open`` for ever)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _unreadable(name, exc) from exc
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise ReadError(name, f"a file, found {_kind(mode)}")
    return fd


def read_capped(
    path: str | os.PathLike[str], limit: int, what: str = "file", name: str | None = None
) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Parameters
    ----------
    path : path-like
        The file.
    limit : int
        The largest size accepted, in bytes.
    what : str
        What the file holds, for messages ("clinic settings file").
    name : str, optional
        How messages name the file; its name (never the folders above it) by default.

    Raises
    ------
    ReadError
        When the file is missing or unreadable, is a folder, device, pipe or socket, or
        holds more than ``limit`` bytes. The ``OSError`` of a file that cannot be opened
        is kept as the cause, so a caller for which a missing file is fine can tell.

    Examples
    --------
    >>> read_capped("/dev/zero", 1000)
    Traceback (most recent call last):
    ...
    backplan._io.files.ReadError: zero: expected a file, found a device
    """
    p = as_path(path)
    label = p.name or str(p) if name is None else name
    fd = _open_regular(p, label)
    try:
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise _unreadable(label, exc) from None
    if len(data) > limit:
        raise ReadError(label, f"a {what} of at most {_size(limit)}")
    return data


def _size(n: int) -> str:
    return f"{n // 2**20} MB" if n >= 2**20 else f"{n // 2**10} KB" if n >= 2**10 else f"{n} bytes"


def check_readable(path: str | os.PathLike[str], name: str | None = None) -> None:
    """Raise :class:`ReadError` unless ``path`` is a readable regular file (one byte is
    read) or a folder whose list can be read. Never waits on a pipe.

    >>> check_readable("/dev/null")
    Traceback (most recent call last):
    ...
    backplan._io.files.ReadError: null: expected a file or a folder, found a device
    """
    p = as_path(path)
    label = p.name or str(p) if name is None else name
    try:
        if p.is_dir():
            with os.scandir(p) as entries:
                next(entries, None)
            return
        kind = p.stat().st_mode
    except OSError as exc:
        raise _unreadable(label, exc) from exc
    if not stat.S_ISREG(kind):
        raise ReadError(label, f"a file or a folder, found {_kind(kind)}")
    fd = _open_regular(p, label)
    try:
        os.read(fd, 1)
    except OSError as exc:
        raise _unreadable(label, exc) from None
    finally:
        os.close(fd)


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether paths ``a`` and ``b`` name the same file or folder: the same path once
    links and ``..`` are resolved, or (both existing) the same file on disk, as a hard
    link is.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "plan.json").write_text("{}") and None
    >>> os.link(folder / "plan.json", folder / "copy.json")
    >>> same_file(folder / "copy.json", folder / "x" / ".." / "plan.json")
    True
    >>> same_file(folder / "new.pdf", folder / "plan.json")
    False
    """
    try:
        real_a, real_b = os.path.realpath(a), os.path.realpath(b)
        if real_a == real_b:
            return True
        first, second = os.stat(real_a), os.stat(real_b)
    except (OSError, ValueError):
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)
