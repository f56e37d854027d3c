"""The handout as records: one table (one row per exercise and run of weeks with the same
dose), and that table for the clinic as CSV, Excel (.xlsx) and Markdown.

Each record row is :func:`handout_table` with the plan's patient, clinician and start date
in front. Text cells that a spreadsheet could run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) get a leading ``'`` so they stay text; Markdown
escapes pipes and HTML characters.

Examples
--------
>>> from backplan import AddDose, build_plan, load_catalogue
>>> plan = build_plan(load_catalogue(), "beginners", ["heel-raises"], start_date="2026-01-05",
...                   weeks=3, progression=[AddDose(what="reps", amount=2, every_weeks=2, cap=14)])
>>> table = handout_table(plan)
>>> table[["weeks", "exercise", "reps", "dose"]].values.tolist()
[['1-2', 'heel-raises', 10, '10 times, once a day, every day'], ['3', 'heel-raises', 12, '12 times, once a day, every day']]
>>> list(table.columns) == list(TABLE_COLUMNS)
True
>>> md_cell("a|b <i>")
'a\\\\|b &lt;i&gt;'
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from .._io.cells import neutralise_frame
from .._io.files import atomic_path, write_atomic
from ..catalogue import catalogue_argument
from ..plan import Plan
from ..plan.model import plan_argument
from ..settings import ClinicSettings, load_settings
from ..words import Words, words_for
from .content import dose_runs, exercise_rows

__all__ = [
    "TABLE_COLUMNS",
    "WORD_COLUMNS",
    "XLSX_HEADINGS",
    "handout_table",
    "md_cell",
    "record_table",
    "to_csv",
    "to_markdown",
    "to_xlsx",
]

#: The patient's words that a table in another language also gives in English (the column
#: name with ``_en`` after it, at the end).
WORD_COLUMNS: tuple[str, ...] = ("name", "position", "dose", "easier_option")

#: The columns of :func:`handout_table`, in order.
TABLE_COLUMNS: tuple[str, ...] = (
    "weeks",
    "week_from",
    "week_to",
    "level",
    "order",
    "exercise",
    "name",
    "position",
    "sets",
    "reps",
    "per_side",
    "hold_s",
    "sessions_per_day",
    "days_per_week",
    "dose",
    "easier_option",
)


def handout_table(
    plan: Plan, catalogue: pd.DataFrame | None = None, language: str | None = None
) -> pd.DataFrame:
    """The handout's exercises and doses as a DataFrame.

    Parameters
    ----------
    plan : Plan
        The plan.
    catalogue : pandas.DataFrame, optional
        Where names, positions and easier options come from; the shipped catalogue by default.
    language : str, optional
        The language of the words (name, position, dose, easier option); the plan's own by
        default. In any language but English the same words in English follow at the end
        (``name_en``, ``position_en``, ``dose_en``, ``easier_option_en``).

    Returns
    -------
    pandas.DataFrame
        One row per exercise and run of weeks with the same dose, in plan order, with the
        columns in :data:`TABLE_COLUMNS`. ``weeks`` is the run as text (``"1-2"``), ``dose``
        the same words the printed handout uses.

    Raises
    ------
    PlanError
        When the plan names an exercise the catalogue does not hold.
    LanguageError
        For a language backplan does not ship.

    Examples
    --------
    >>> from backplan import build_plan, load_catalogue
    >>> plan = build_plan(load_catalogue(), "beginners", ["heel-raises"],
    ...                   start_date="2026-01-05", weeks=1, language="pl")
    >>> handout_table(plan)[["name", "dose", "dose_en"]].values.tolist()
    [['Wspięcia na palce', '10 razy, raz dziennie, codziennie', '10 times, once a day, every day']]
    """
    plan, catalogue = plan_argument(plan), catalogue_argument(catalogue)
    w = words_for(plan.language if language is None else language)
    table = _table(plan, catalogue, w)
    if not w.is_english:
        english = _table(plan, catalogue, words_for())
        for column in WORD_COLUMNS:
            table[f"{column}_en"] = english[column]
    return table


def _table(plan: Plan, catalogue: pd.DataFrame | None, w: Words) -> pd.DataFrame:
    rows = exercise_rows(plan, catalogue)
    records = []
    for run in dose_runs(plan):
        p = run.dose
        row = rows[p.exercise]
        side = str(row.get("side") or "side")

        def said(column: str, p: Any = p, row: Any = row, side: str = side) -> str:
            english = "" if pd.isna(row.get(column)) else str(row.get(column) or "")
            text = w.data(f"exercise:{p.exercise}", english) or english
            return w.fill_placeholders(text, [p], side, source=english)

        records.append(
            {
                "weeks": str(run.first) if run.first == run.last else f"{run.first}-{run.last}",
                "week_from": run.first,
                "week_to": run.last,
                "level": run.level,
                "order": run.order,
                "exercise": p.exercise,
                "name": said("name"),
                "position": said("position_detail"),
                "sets": p.sets,
                "reps": p.reps,
                "per_side": p.per_side,
                "hold_s": p.hold_s,
                "sessions_per_day": p.sessions_per_day,
                "days_per_week": p.days_per_week,
                "dose": w.dose_words(p, side),
                "easier_option": said("easier_option"),
            }
        )
    return pd.DataFrame.from_records(records, columns=list(TABLE_COLUMNS))


def md_cell(value: Any) -> str:
    """One Markdown table cell: pipes, HTML characters and line breaks made harmless."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def record_table(
    plan: Plan, catalogue: pd.DataFrame | None = None, language: str | None = None
) -> pd.DataFrame:
    """:func:`handout_table` with ``patient``, ``clinician`` and ``start_date`` columns first."""
    table = handout_table(plan, catalogue, language)
    table.insert(0, "start_date", plan.start_date.isoformat())
    table.insert(0, "clinician", plan.clinician)
    table.insert(0, "patient", plan.patient)
    return table


def to_csv(
    plan: Plan,
    path: str | os.PathLike[str],
    *,
    catalogue: pd.DataFrame | None = None,
    language: str | None = None,
) -> Path:
    """Write the handout table as UTF-8 CSV (with a byte-order mark, so Excel reads accents);
    ``language`` as for :func:`handout_table`.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    target = Path(path)
    table = neutralise_frame(record_table(plan, catalogue, language))
    with atomic_path(target) as tmp:
        # CRLF line ends (RFC 4180) make the writer quote a cell holding a lone CR too.
        table.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return target


#: The Excel handout's column headings, in words a clinic reads (the CSV and Markdown keep
#: the machine names of :func:`record_table`).
XLSX_HEADINGS: dict[str, str] = {
    "patient": "Patient",
    "clinician": "Physio",
    "start_date": "Plan starts",
    "weeks": "Weeks",
    "week_from": "From week",
    "week_to": "To week",
    "level": "Level",
    "order": "Order in the session",
    "exercise": "Exercise code",
    "name": "Exercise",
    "position": "Starting position",
    "sets": "Sets",
    "reps": "Reps",
    "per_side": "Each side",
    "hold_s": "Hold (seconds)",
    "sessions_per_day": "Times a day",
    "days_per_week": "Days a week",
    "dose": "Dose in words",
    "easier_option": "Easier option",
    "clinic": "Clinic",
    "phone": "Clinic phone",
}


def to_xlsx(
    plan: Plan,
    path: str | os.PathLike[str],
    *,
    catalogue: pd.DataFrame | None = None,
    language: str | None = None,
    clinic: str | None = None,
    phone: str | None = None,
    physio: str | None = None,
    settings: ClinicSettings | None = None,
) -> Path:
    """Write the handout table as an Excel workbook (one sheet, ``Exercises``); ``language``
    as for :func:`handout_table`.

    Headings are words (:data:`XLSX_HEADINGS`; a column of English words beside another
    language's says so), "each side" is yes or no, the start date is a real date, and every
    row and the printed page's header carry the clinic's name and phone: ``clinic``,
    ``phone`` and ``physio`` where given, else ``settings``, else the clinic's settings file
    (as the PDF handout does).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> from backplan import build_plan, load_catalogue
    >>> plan = build_plan(load_catalogue(), "beginners", ["heel-slides"], patient="A",
    ...                   start_date="2026-01-05")
    >>> out = to_xlsx(plan, pathlib.Path(tempfile.mkdtemp()) / "h.xlsx",
    ...               clinic="Riverside Physio", phone="01234 567890", physio="")
    >>> sheet = openpyxl.load_workbook(out).active
    >>> heads = [c.value for c in sheet[1]]
    >>> heads[:4], heads[-2:]
    (['Patient', 'Physio', 'Plan starts', 'Weeks'], ['Clinic', 'Clinic phone'])
    >>> [c.value for c in sheet[2]][-2:], sheet["N2"].value, sheet.oddHeader.center.text
    (['Riverside Physio', '01234 567890'], 'yes', 'Riverside Physio · 01234 567890')
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    if settings is None and None in (clinic, phone, physio):
        settings = load_settings()
    settings = settings or ClinicSettings()
    clinic = settings.clinic if clinic is None else clinic
    phone = settings.phone if phone is None else phone
    table = record_table(plan, catalogue, language)
    table["clinic"], table["phone"] = clinic, phone
    if physio and not plan.clinician:
        table["clinician"] = physio
    table["per_side"] = table["per_side"].map({True: "yes", False: "no"})
    headings = XLSX_HEADINGS | {f"{c}_en": f"{XLSX_HEADINGS[c]} (English)" for c in WORD_COLUMNS}
    table = neutralise_frame(table).rename(columns=headings)
    wb = Workbook()
    ws = wb.active
    ws.title = "Exercises"
    ws.append(list(table.columns))
    for row in table.itertuples(index=False):
        ws.append([v.item() if hasattr(v, "item") else v for v in row])
    starts = list(table.columns).index(XLSX_HEADINGS["start_date"]) + 1
    for (cell,) in ws.iter_rows(min_row=2, min_col=starts, max_col=starts):
        cell.value = plan.start_date
        cell.number_format = "d mmm yyyy"
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    for column in ws.columns:
        letter = column[0].column_letter
        widest = max(len(str(c.value or "")) for c in column[1:]) if len(column) > 1 else 0
        ws.column_dimensions[letter].width = min(max(12, widest + 2), 60)
        for c in column[1:]:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str):
                c.data_type = "s"  # never a formula, whatever the text
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    who = " · ".join(x for x in (clinic, phone) if x)
    if who.strip():  # an empty header part makes a header Excel readers cannot parse
        # Header codes start with '&' (a literal one is '&&'); control characters break it.
        ws.oddHeader.center.text = re.sub(r"[\x00-\x1f\x7f]", " ", who).replace("&", "&&")
    ws.oddFooter.right.text = "Page &P of &N"
    target = Path(path)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


def to_markdown(
    plan: Plan,
    path: str | os.PathLike[str],
    *,
    catalogue: pd.DataFrame | None = None,
    language: str | None = None,
) -> Path:
    """Write the handout table as a Markdown table (GitHub style); ``language`` as for
    :func:`handout_table`.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    table = record_table(plan, catalogue, language)
    lines = [
        "| " + " | ".join(md_cell(c) for c in table.columns) + " |",
        "|" + "---|" * len(table.columns),
    ]
    lines += [
        "| " + " | ".join(md_cell(v) for v in row) + " |" for row in table.itertuples(index=False)
    ]
    return write_atomic(Path(path), "\n".join(lines) + "\n")
