"""Write many handouts at once, with a progress bar and a report of what was written.

Examples
--------
>>> import tempfile
>>> from backplan import build_plan, load_catalogue
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-raises"], patient="Zoë N.",
...                   start_date="2026-01-05", weeks=1)
>>> done = export_handouts([plan], tempfile.mkdtemp(), formats=("html", "csv"),
...                        progress=False)
>>> done[["patient", "format", "file", "status"]]
  patient format                file status
0  Zoë N.   html  001-zoe-n.html     ok
1  Zoë N.    csv   001-zoe-n.csv     ok
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import BackplanError
from ..plan import Plan, load_plan

__all__ = ["FORMATS", "export_handouts", "safe_name", "write_handout"]

#: format name -> file suffix
FORMATS: dict[str, str] = {
    "pdf": ".pdf",
    "html": ".html",
    "csv": ".csv",
    "xlsx": ".xlsx",
    "md": ".md",
}


def safe_name(label: str, index: int, limit: int = 40) -> str:
    """A file name stem from a patient label: ASCII letters, digits and hyphens, numbered.

    Examples
    --------
    >>> safe_name("Zoë Ñúñez-O'Brien", 3)
    '003-zoe-nunez-o-brien'
    >>> safe_name("../../etc/passwd", 4), safe_name("", 5)
    ('004-etc-passwd', '005-patient')
    """
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")
    return f"{index:03d}-{stem or 'patient'}"


def _writer(fmt: str) -> Callable[..., Path]:
    from . import html, pdf, tables

    return {
        "pdf": pdf.to_pdf,
        "html": html.to_html,
        "csv": tables.to_csv,
        "xlsx": tables.to_xlsx,
        "md": tables.to_markdown,
    }[fmt]


def check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """The formats as a tuple, with a clear error for an unknown one."""
    wanted = (formats,) if isinstance(formats, str) else tuple(formats)
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise BackplanError(
            f"unknown handout format {unknown or wanted!r}; choose from {', '.join(FORMATS)}"
        )
    return wanted


def write_handout(
    plan: Plan,
    path: str | os.PathLike[str],
    fmt: str,
    *,
    catalogue: pd.DataFrame | None = None,
    large_print: bool = False,
    page_size: str = "A4",
    clinic: str | None = None,
) -> Path:
    """Write one handout in format ``fmt`` (one of :data:`FORMATS`), passing on what applies."""
    (fmt,) = check_formats([fmt])
    kwargs: dict[str, Any] = {"catalogue": catalogue}
    if fmt in {"pdf", "html"}:
        kwargs.update(large_print=large_print, clinic=clinic)
    if fmt == "pdf":
        kwargs["page_size"] = page_size
    return _writer(fmt)(plan, path, **kwargs)


def export_handouts(
    plans: Iterable[Plan | str | os.PathLike[str]],
    folder: str | os.PathLike[str],
    formats: Iterable[str] = ("pdf",),
    *,
    catalogue: pd.DataFrame | None = None,
    large_print: bool = False,
    page_size: str = "A4",
    clinic: str | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Write one handout per plan (and per format) into ``folder``.

    A plan that cannot be read or written is reported in the result and the others are
    still written.

    Parameters
    ----------
    plans : iterable of Plan or path
        Plans, or paths of plan JSON files saved with :func:`backplan.save_plan`.
    folder : path-like
        Where to write (created if missing). Files are named from the patient label (letters,
        digits and hyphens only) after a 3-digit number, so names never clash.
    formats : iterable of str
        Any of ``pdf``, ``html``, ``csv``, ``xlsx``, ``md``.
    catalogue : pandas.DataFrame, optional
        The catalogue the plans use; the shipped one by default.
    large_print, page_size, clinic
        As for :func:`backplan.handout.to_pdf`.
    progress : bool
        Show a progress bar (tqdm) while writing.

    Returns
    -------
    pandas.DataFrame
        One row per plan and format: ``plan`` (number from 1), ``source`` (the file, or
        ``"<Plan>"``), ``patient``, ``format``, ``file`` (name only), ``path``, ``status``
        (``ok`` or ``error``) and ``error`` (the message, empty when ok).
    """
    from tqdm.auto import tqdm

    wanted = check_formats(formats)
    out_dir = Path(folder)
    out_dir.mkdir(parents=True, exist_ok=True)
    items = list(plans)
    rows = []
    bar = tqdm(total=len(items) * len(wanted), desc="handouts", unit="file", disable=not progress)
    try:
        for i, item in enumerate(items, start=1):
            source = "<Plan>" if isinstance(item, Plan) else str(item)
            try:
                plan = item if isinstance(item, Plan) else load_plan(item)
                patient, stem, problem = plan.patient, safe_name(plan.patient, i), ""
            except (BackplanError, OSError) as exc:
                plan, patient, stem, problem = None, "", safe_name("", i), str(exc)
            for fmt in wanted:
                path = out_dir / f"{stem}{FORMATS[fmt]}"
                error = problem
                if plan is not None:
                    try:
                        write_handout(
                            plan,
                            path,
                            fmt,
                            catalogue=catalogue,
                            large_print=large_print,
                            page_size=page_size,
                            clinic=clinic,
                        )
                    except Exception as exc:  # one bad plan never stops the batch
                        error = str(exc) or type(exc).__name__
                        if not isinstance(exc, BackplanError | OSError):
                            error = f"{type(exc).__name__}: {error}"
                rows.append(
                    {
                        "plan": i,
                        "source": source,
                        "patient": patient,
                        "format": fmt,
                        "file": "" if error else path.name,
                        "path": "" if error else str(path),
                        "status": "error" if error else "ok",
                        "error": error,
                    }
                )
                bar.update(1)
    finally:
        bar.close()
    return pd.DataFrame(
        rows, columns=["plan", "source", "patient", "format", "file", "path", "status", "error"]
    )
