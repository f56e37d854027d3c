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
from .flags import FLAGS
from .measures import DEFINITIONS
from .read import REASONS

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
)
_SHEET_ROWS = 1_048_575  # data rows under the header row


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
        (a week number), the last log date and the number of flags.
    cohort : pandas.DataFrame
        Per plan week, over patients whose week has ended: ``patients``, ``mean``,
        ``median``, ``q1``, ``q3`` and ``share_adherent``.
    flags : pandas.DataFrame
        ``patient, priority, flag, detail, action``: who needs a call, most urgent first.
    rejected : pandas.DataFrame
        Rejected log rows with file, row, column and reason.
    duplicates : pandas.DataFrame
        Exact duplicate rows: ``file, row, same_as_file, same_as_row``.
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

    def summary(self) -> str:
        """Counts and settings in one line."""
        t = self.settings.get("threshold", 0.8)
        return (
            f"as of {self.as_of}: {len(self.by_patient)} patients, {self.rows_read} log rows read "
            f"({self.rows_accepted} accepted, {len(self.rejected)} rejected, "
            f"{len(self.duplicates)} exact duplicates); adherent means at least {t:.0%}; "
            f"{self.flags['patient'].nunique()} patients flagged"
        )

    def __repr__(self) -> str:
        return f"AdherenceReport({self.summary()})"

    def definitions(self) -> pd.DataFrame:
        """Every term and flag rule, with this report's thresholds filled in."""
        t, r, d = (self.settings.get(k) for k in ("threshold", "pain_rise", "quiet_days"))
        flags = [(f"flag: {k}", v.format(t=t, r=r, d=int(d or 7))) for k, v in FLAGS.items()]
        return pd.DataFrame(list(DEFINITIONS) + flags, columns=["term", "definition"])

    def tables(self) -> dict[str, pd.DataFrame]:
        """The report's tables by name (:data:`TABLES`), definitions first, all in full."""
        return {
            name: self.definitions() if name == "definitions" else getattr(self, name)
            for name in TABLES
        }

    def to_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """The page for a clinic meeting, made to print on A4; every user string escaped.

        Page 1 sums the cohort up in words with one chart; then the flagged patients, most
        urgent first, with evidence and a suggested action; then patients, weeks and
        rejected rows (summarised by reason, at most 20 examples: ``to_xlsx`` and
        ``to_csv`` have them all). Writes the page to ``path`` too when given.
        """
        from ..pages.meeting import meeting_html  # the page layer, loaded when asked for

        text = meeting_html(self, REASONS)
        if path is not None:
            with atomic_path(path) as tmp:
                tmp.write_text(text, encoding="utf-8")
        return text

    def _repr_html_(self) -> str:
        from ..pages.meeting import table_html

        return f"<p>{html.escape(self.summary())}</p>" + table_html(self.by_patient.head(20))

    def to_xlsx(self, path: str | os.PathLike[str]) -> Path:
        """Write every table in full to its own sheet; formula-like text cells are neutralised.

        A table longer than a sheet allows (1,048,575 data rows) continues on sheets named
        ``"by_exercise (2)"`` and so on. The file is replaced only when it is complete.
        """
        target = Path(path)
        with atomic_path(target) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, table in self.tables().items():
                safe = neutralise_frame(table)
                for part, start in enumerate(range(0, max(len(safe), 1), _SHEET_ROWS), 1):
                    sheet = name if part == 1 else f"{name} ({part})"
                    chunk = safe.iloc[start : start + _SHEET_ROWS]
                    chunk.to_excel(writer, sheet_name=sheet, index=False)
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
