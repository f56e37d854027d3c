"""Write many handouts at once, with a progress bar and a report of what was written.

Examples
--------
>>> import tempfile
>>> from backplan import build_plan, load_catalogue
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-raises"], patient="Zoë N.",
...                   start_date="2026-01-05", weeks=1)
>>> done = export_handouts([plan], tempfile.mkdtemp(), formats=("html", "csv"),
...                        progress=False)
>>> done[["patient", "format", "file", "status"]].values.tolist()
[['Zoë N.', 'html', '001-zoe-n.html', 'ok'], ['Zoë N.', 'csv', '001-zoe-n.csv', 'ok']]
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
from ..locales import check_language
from ..plan import Plan, load_plan
from ..settings import ClinicSettings

__all__ = ["FORMATS", "default_workers", "export_handouts", "safe_name", "write_handout"]

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
    from . import html, pdf, records

    return {
        "pdf": pdf.to_pdf,
        "html": html.to_html,
        "csv": records.to_csv,
        "xlsx": records.to_xlsx,
        "md": records.to_markdown,
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
    phone: str | None = None,
    physio: str | None = None,
    language: str | None = None,
    settings: ClinicSettings | None = None,
) -> Path:
    """Write one handout in format ``fmt`` (one of :data:`FORMATS`), passing on what applies
    (``language``: the plan's own by default).

    The clinic's details (``clinic``, ``phone``, ``physio``, else ``settings``, else the
    clinic settings file) go on every format that prints them: the PDF, the web page and
    the Excel table (its rows and printed header).

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> from backplan import build_plan, load_catalogue
    >>> plan = build_plan(load_catalogue(), "beginners", ["heel-slides"], start_date="2026-01-05")
    >>> out = write_handout(plan, pathlib.Path(tempfile.mkdtemp()) / "h.xlsx", "xlsx",
    ...                     clinic="Riverside Physio", phone="01234 567890", physio="")
    >>> [c.value for c in openpyxl.load_workbook(out).active[2]][-2:]
    ['Riverside Physio', '01234 567890']
    """
    (fmt,) = check_formats([fmt])
    kwargs: dict[str, Any] = {"catalogue": catalogue, "language": language}
    if fmt in {"pdf", "html", "xlsx"}:
        kwargs.update(clinic=clinic, phone=phone, physio=physio, settings=settings)
    if fmt in {"pdf", "html"}:
        kwargs.update(large_print=large_print, page_size=page_size)
    return _writer(fmt)(plan, path, **kwargs)


def _write_one(
    i: int,
    plan: Plan | None,
    stem: str,
    problem: str,
    wanted: tuple[str, ...],
    out_dir: Path,
    options: dict[str, Any],
) -> list[dict[str, Any]]:
    """Write every format of one plan; one result row per format (errors caught)."""
    rows = []
    for fmt in wanted:
        path = out_dir / f"{stem}{FORMATS[fmt]}"
        error = problem
        if plan is not None:
            try:
                write_handout(plan, path, fmt, **options)
            except Exception as exc:  # one bad plan never stops the batch
                error = str(exc) or type(exc).__name__
                if not isinstance(exc, BackplanError | OSError):
                    error = f"{type(exc).__name__}: {error}"
        rows.append(
            {
                "plan": i,
                "patient": plan.patient if plan is not None else "",
                "format": fmt,
                "file": "" if error else path.name,
                "path": "" if error else str(path),
                "status": "error" if error else "ok",
                "error": error,
            }
        )
    return rows


def _write_chunk(jobs: list[tuple[Any, ...]]) -> list[list[dict[str, Any]]]:
    return [_write_one(*job) for job in jobs]


def _pool(workers: int) -> Any:
    """Worker processes; forked where the system allows, so they start with backplan and
    ReportLab already loaded."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def default_workers() -> int:
    """How many processes :func:`export_handouts` uses by default: every core it may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def export_handouts(
    plans: Iterable[Plan | str | os.PathLike[str]],
    folder: str | os.PathLike[str],
    formats: Iterable[str] = ("pdf",),
    *,
    catalogue: pd.DataFrame | None = None,
    large_print: bool = False,
    page_size: str = "A4",
    clinic: str | None = None,
    phone: str | None = None,
    physio: str | None = None,
    settings: ClinicSettings | None = None,
    progress: bool = True,
    workers: int | None = None,
    language: str | None = None,
) -> pd.DataFrame:
    """Write one handout per plan (and per format) into ``folder``, on every core.

    A plan that cannot be read or written is reported in the result and the others are
    still written. Each file is written atomically: a failed write leaves no half file and
    keeps an older file of the same name intact.

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
    large_print, page_size, clinic, phone, physio, settings
        As for :func:`backplan.handout.to_pdf`; the clinic settings file is read once.
    progress : bool
        Show a progress bar (tqdm) while writing.
    workers : int, optional
        Processes to write with; every core by default (:func:`default_workers`), 1 to
        write in this process. Small batches are written in this process.
    language : str, optional
        One language for every handout; by default each plan's own (``plan.language``).
        An unknown language is an error before anything is written.

    Returns
    -------
    pandas.DataFrame
        One row per plan and format: ``plan`` (number from 1), ``source`` (the file, or
        ``"<Plan>"``), ``patient``, ``format``, ``file`` (name only), ``path``, ``status``
        (``ok`` or ``error``) and ``error`` (the message, empty when ok).
    """
    from tqdm.auto import tqdm

    from ..settings import load_settings

    wanted = check_formats(formats)
    if language is not None:
        check_language(language)
    out_dir = Path(folder)
    out_dir.mkdir(parents=True, exist_ok=True)
    if settings is None and None in (clinic, phone, physio):
        settings = load_settings()
    settings = settings or ClinicSettings()
    options: dict[str, Any] = {
        "catalogue": catalogue,
        "large_print": large_print,
        "page_size": page_size,
        "clinic": settings.clinic if clinic is None else clinic,
        "phone": settings.phone if phone is None else phone,
        "physio": settings.physio if physio is None else physio,
        "language": language,
        "settings": settings,
    }
    jobs, sources = [], []
    for i, item in enumerate(plans, start=1):
        sources.append("<Plan>" if isinstance(item, Plan) else str(item))
        try:
            plan = item if isinstance(item, Plan) else load_plan(item)
            jobs.append((i, plan, safe_name(plan.patient, i), "", wanted, out_dir, options))
        except (BackplanError, OSError) as exc:
            jobs.append((i, None, safe_name("", i), str(exc), wanted, out_dir, options))
    n = workers or default_workers()
    results: list[list[dict[str, Any]]] = []
    bar = tqdm(total=len(jobs) * len(wanted), desc="handouts", unit="file", disable=not progress)
    try:
        if n <= 1 or len(jobs) < 8:
            for job in jobs:
                results.append(_write_one(*job))
                bar.update(len(wanted))
        else:
            size = max(1, min(16, len(jobs) // (n * 4)))
            chunks = [jobs[k : k + size] for k in range(0, len(jobs), size)]
            _warm(wanted)
            with _pool(n) as pool:
                for done in pool.map(_write_chunk, chunks):
                    results += done
                    bar.update(len(done) * len(wanted))
    finally:
        bar.close()
    rows = [{**row, "source": sources[row["plan"] - 1]} for result in results for row in result]
    return pd.DataFrame(
        rows, columns=["plan", "source", "patient", "format", "file", "path", "status", "error"]
    )


def _warm(wanted: tuple[str, ...]) -> None:
    """Load what the writers need before forking, so each worker does not load it again."""
    if "pdf" in wanted:
        from .pdf_style import look

        look(False), look(True)
