"""Files to and from the physio's browser: download links and uploaded files.

A download is an ``<a download>`` link whose ``href`` carries the file itself as a
``data:`` URI, so the browser saves it to the physio's own computer and no server path is
ever shown. An upload comes from :class:`ipywidgets.FileUpload`, whose ``value`` (in
ipywidgets 8) is a tuple of dicts with ``name``, ``type``, ``size``, ``last_modified`` and
``content`` (a memoryview).

Examples
--------
>>> link = download_link(b"{}", "plan <1>.json", "application/json", "Plan file")
>>> 'download="plan &lt;1&gt;.json"' in link and "base64,e30=" in link
True
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

__all__ = ["MIME", "download_link", "hide_folder", "uploaded", "uploaded_file", "via_temp_file"]

#: Media types of the files the apps offer.
MIME = {
    "pdf": "application/pdf",
    "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def download_link(data: bytes, filename: str, mime: str, label: str) -> str:
    """An HTML link that saves ``data`` as ``filename`` in the browser."""
    payload = base64.b64encode(data).decode("ascii")
    return (
        f'<a download="{html.escape(filename)}" href="data:{mime};base64,{payload}" '
        f'title="Save {html.escape(filename)} on this computer">{html.escape(label)}</a>'
    )


def uploaded(value: Any) -> tuple[str, bytes] | None:
    """The first uploaded file of a FileUpload ``value`` as (file name, bytes), or None."""
    if not value:
        return None
    first = value[0]
    return str(first["name"]), bytes(first["content"])


def on_upload(upload: Any, handle: Callable[[str, bytes], object]) -> None:
    """Call ``handle(name, data)`` with each file put into the FileUpload ``upload``, then
    empty it, so that choosing the same file again is seen as a new upload."""

    def changed(change: dict[str, Any]) -> None:
        got = uploaded(change["new"])
        if got is None:
            return
        try:
            handle(*got)
        finally:
            upload.value = ()

    upload.observe(changed, names="value")


@contextmanager
def uploaded_file(name: str, data: bytes) -> Iterator[Path]:
    """The upload as a file in a private temporary folder, removed after.

    The file keeps the upload's suffix (readers choose the format by it) but not its name:
    a name can be longer than the server's file system allows (105 Japanese characters
    are 315 bytes), so messages should name the upload by ``name`` itself.

    Examples
    --------
    >>> with uploaded_file("日" * 105 + ".csv", b"a,b\\n") as path:
    ...     path.name, path.read_bytes()
    ('upload.csv', b'a,b\\n')
    """
    suffix = Path(name).suffix.lower()
    if not suffix[1:].isalnum() or len(suffix) > 10:
        suffix = ""
    with TemporaryDirectory(prefix="backplan-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        yield path


def via_temp_file(write: Callable[[Path], object], filename: str) -> bytes:
    """Run ``write(path)`` into a private temporary folder and return the file's bytes.

    For renderers that write files (handouts): the bytes go to the browser; the file does
    not stay on the server.
    """
    with TemporaryDirectory(prefix="backplan-download-") as folder:
        path = Path(folder) / filename
        write(path)
        return path.read_bytes()


def hide_folder(message: str, folder: Path) -> str:
    """``message`` with a temporary folder's path taken out (file names stay)."""
    return message.replace(f"{folder}/", "").replace(str(folder), "")
