"""Step 5, report: :class:`AdherenceReport` holds every table and exports them.

``to_html`` is the page for a clinic meeting (see :mod:`backplan.pages.meeting`);
``to_xlsx`` and ``to_csv`` hold every table in full, cells guarded against formulas.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from .._io.cells import neutralise_frame
from .._io.files import atomic_path
from ..errors import BackplanError, short
from ..pages.tables import day
from .flags import FLAGS
from .measures import DEFINITIONS
from .read import REASONS
from .workbook import write_workbook

__all__ = ["TABLES", "AdherenceReport"]

#: The report's tables, in the order exports show them.
TABLES: tuple[str, ...] = (
    "definitions",
    "by_patient",
    "flags",
    "cohort",
    "by_week",
    "by_exercise",
    "rejected",
    "duplicates",
    "unreadable_plans",
)
#: Page sizes the meeting page prints on.
PAGE_SIZES: tuple[str, ...] = ("A4", "letter")


def page_name(page_size: object) -> str:
    """``page_size`` as one of :data:`PAGE_SIZES` (any case), or a :class:`BackplanError`."""
    sizes = {s.lower(): s for s in PAGE_SIZES}
    if not isinstance(page_size, str) or page_size.lower() not in sizes:
        raise BackplanError(f"page_size: expected one of {', '.join(PAGE_SIZES)}, "
                            f"got {short(repr(page_size))}")  # fmt: skip
    return sizes[page_size.lower()]


def write_page(text: str, path: str | os.PathLike[str] | None) -> str:
    """``text``, written whole to ``path`` first when one is given."""
    if path is not None:
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return text


@dataclass
class AdherenceReport:
    """Adherence tables for a set of plans and logs.

    Attributes
    ----------
    by_exercise : pandas.DataFrame
        One row per patient x week x exercise: the prescription, ``sessions_done``,
        ``reps_done``, ``session_adherence``, ``dose_adherence``, ``dose_ratio`` (uncapped)
        and ``ended``.
    by_week : pandas.DataFrame
        One row per patient x week: totals, ``adherence`` (mean dose adherence),
        ``session_adherence``, ``pain_mean``, ``pain_n`` and ``ended``.
    by_patient : pandas.DataFrame
        One row per patient: ``adherence`` over ended weeks, ``adherent``, the pain scores
        ``pain_score_week1`` and ``pain_score_latest`` (0-10) and ``week_of_latest_pain``
        (a week number), the last log date, ``start_back`` (the plan's STarT Back group,
        when the plans carry one) and ``flags`` (1 for a patient on the call list).
    cohort : pandas.DataFrame
        Per plan week, over patients whose week has ended: ``patients``, ``mean``,
        ``median``, ``q1``, ``q3`` and ``share_adherent``.
    flags : pandas.DataFrame
        Who to call this week, one row per patient, most urgent first: the weekly review's
        call list (:mod:`backplan.logs.flags`, :data:`backplan.triage.calls.CALL_COLUMNS`):
        ``patient``, ``rank``, ``priority`` (1 warning sign, 2 pain, 3 silent, 4 low
        adherence), ``flag`` (the group in words), ``detail`` (why, with the numbers),
        ``action`` (what to do), ``decision`` (the review's), ``week`` (reviewed),
        ``severity`` (what ranks a patient within the group), ``rules`` (the review rules
        that asked for the call) and ``note`` (a warning sign's note, quoted).
    rejected : pandas.DataFrame
        Rejected log rows with file, row, column and reason.
    duplicates : pandas.DataFrame
        Exact duplicate rows: ``file, row, same_as_file, same_as_row``.
    unreadable_plans : pandas.DataFrame
        ``file, reason``: plan files of a folder that could not be read (their patients'
        logs are rejected as "unknown patient").
    """

    by_exercise: pd.DataFrame
    by_week: pd.DataFrame
    by_patient: pd.DataFrame
    cohort: pd.DataFrame
    flags: pd.DataFrame
    rejected: pd.DataFrame
    as_of: date | None
    rows_read: int
    rows_accepted: int
    settings: dict[str, float] = field(default_factory=dict)
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)
    unreadable_plans: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["file", "reason"], dtype=object)
    )

    def summary(self) -> str:
        """Counts and settings in one line."""
        t = self.settings.get("threshold", 0.8)
        return (
            f"As of {day(self.as_of, blank='no date')}: {len(self.by_patient)} patients, "
            f"{self.rows_read:,} log rows read ({self.rows_accepted:,} accepted, "
            f"{len(self.rejected):,} rejected, {len(self.duplicates):,} exact duplicates); "
            f"adherent means at least {t:.0%}; {len(self.flags)} patients to call this week"
        )

    def __repr__(self) -> str:
        return f"AdherenceReport({self.summary()})"

    def definitions(self) -> pd.DataFrame:
        """Every term and flag rule, with this report's thresholds filled in."""
        calls = [(f"call: {k}", v) for k, v in FLAGS.items()]
        return pd.DataFrame(list(DEFINITIONS) + calls, columns=["term", "definition"])

    def tables(self) -> dict[str, pd.DataFrame]:
        """The report's tables by name (:data:`TABLES`), definitions first, all in full."""
        return {
            name: self.definitions() if name == "definitions" else getattr(self, name)
            for name in TABLES
        }

    def to_html(self, path: str | os.PathLike[str] | None = None, *, page_size: str = "A4") -> str:
        """The page for a clinic meeting, made to print on A4 (or US ``"letter"``); every
        user string escaped.

        Page 1 sums the cohort up in words with one chart; then the patients to call this
        week (``flags``), most urgent first, with why and what to do; then patients, weeks
        and rejected rows (summarised by reason, at most 20 examples: ``to_xlsx`` and
        ``to_csv`` have them all). Writes the page to ``path`` too when given. With outcome
        scores, :func:`backplan.meeting_page` adds an "Adherence and outcome" section.

        Raises
        ------
        BackplanError
            For a page size other than ``"A4"`` or ``"letter"``.
        """
        from ..pages.meeting import meeting_html

        return write_page(meeting_html(self, REASONS, page_size=page_name(page_size)), path)

    def _repr_html_(self) -> str:
        from ..pages.meeting import table_html

        return f"<p>{html.escape(self.summary())}</p>" + table_html(self.by_patient.head(20))

    def to_xlsx(self, path: str | os.PathLike[str]) -> Path:
        """Write every table in full to its own sheet; formula-like text cells are neutralised.

        A table longer than a sheet allows (1,048,575 data rows) continues on sheets named
        ``"by_exercise (2)"`` and so on. The file is replaced only when it is complete.
        Written column by column (:mod:`backplan.logs.workbook`): a million rows take
        seconds, not minutes.
        """
        target = Path(path)
        with atomic_path(target) as tmp:
            write_workbook(tmp, self.tables())
        return target

    def to_csv(self, folder: str | os.PathLike[str]) -> dict[str, Path]:
        """Write every table in full as ``folder/<name>.csv``; formula-like cells neutralised.

        Returns the paths by table name.
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = {}
        for name, table in self.tables().items():
            target = out / f"{name}.csv"
            with atomic_path(target) as tmp:
                neutralise_frame(table).to_csv(tmp, index=False)
            written[name] = target
        return written
