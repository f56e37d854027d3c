"""Review one patient: upload their logs, see adherence by week, the flags and the decision.

Uses the public :func:`backplan.read_logs`, :func:`backplan.adherence` and (through
:class:`~backplan.ui.decision_panel.DecisionPanel`) :func:`backplan.review`. Only rows for
the open plan's patient are counted; rows the reader rejects are counted and explained.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from ..errors import BackplanError
from ..logs import LOG_COLUMNS, adherence, read_logs
from ._common import heading, plain, status_html
from .decision_panel import DecisionPanel
from .transfer import hide_folder, on_upload, uploaded_file

if TYPE_CHECKING:
    from .plan_builder import PlanBuilder

__all__ = ["ReviewPanel"]

_WEEK_COLUMNS = {
    "week": "Week",
    "adherence": "Dose done",
    "session_adherence": "Sessions done",
    "pain_mean": "Mean pain (0-10)",
}


def _percent(x: object) -> str:
    return "" if pd.isna(x) else f"{float(x):.0%}"  # type: ignore[arg-type]


class ReviewPanel:
    """Logs upload, this patient's adherence and flags, and the review decision.

    Attributes
    ----------
    decision : ipywidgets.VBox
        The review decision, its evidence and rule, the "apply as a new revision" button
        and the plan's changes after reviews (see ``decider``, a
        :class:`~backplan.ui.decision_panel.DecisionPanel`).
    """

    def __init__(self, builder: PlanBuilder) -> None:
        self.builder = builder
        self.upload_logs = w.FileUpload(
            accept=".csv,.xlsx,.parquet", multiple=False, description="Upload logs…"
        )
        self.upload_logs.add_class("bp-upload-logs")
        self.result = plain(w.HTML)
        self.result.add_class("bp-review")
        self.decider = DecisionPanel(builder)
        self.decision = self.decider.box
        self.report: Any = None
        # file name, this patient's rows, how many rejected, the patient
        self.logs: tuple[str, pd.DataFrame, int, str] | None = None
        self.decider.again_button.on_click(lambda _: self.recheck())
        on_upload(self.upload_logs, self.review)

    def review(self, name: str, data: bytes) -> None:
        """Read the log file ``name`` (its bytes) and show the open plan's adherence."""
        plan = self.builder.plan
        with uploaded_file(name, data) as path:
            try:
                logs = read_logs(path)
            except (BackplanError, OSError, ValueError) as exc:
                self.result.value = status_html(hide_folder(str(exc), path.parent), ok=False)
                self.logs = None
                self.decider.forget()
                return
        label = plan.patient
        mine = logs.accepted[logs.accepted["patient"] == label]
        rejected = logs.rejected[logs.rejected["patient"].astype(str) == label]
        if mine.empty:
            self.result.value = status_html(
                f"{name} has no accepted log rows for {label or '(no name)'} "
                f"({logs.rows_read} rows read). The plan's patient label must match the "
                "logs' patient column.",
                ok=False,
            )
            self.logs = None
            self.decider.forget()
            return
        self.logs = (name, mine[list(LOG_COLUMNS)], len(rejected), label)
        self.recheck()

    def recheck(self) -> None:
        """Adherence and the review decision of the open plan, from the logs uploaded."""
        if self.logs is None:
            return
        name, mine, rejected, _ = self.logs
        self.report = adherence(mine, [self.builder.plan])
        self.result.value = self._summary(name, len(mine), rejected)
        self.decider.decide(self.report)

    def plan_changed(self) -> None:
        """Called by the builder whenever the plan shown changes: logs of another patient
        are put away, and a review of an older plan goes stale."""
        if self.logs is not None and self.builder.plan.patient != self.logs[3]:
            self.logs = self.report = None
            self.result.value = ""
            self.decider.forget()
        self.decider.plan_changed()

    def _summary(self, name: str, accepted: int, rejected: int) -> str:
        import html

        r = self.report
        row = r.by_patient.iloc[0]
        weeks = r.by_week.loc[r.by_week["ended"], list(_WEEK_COLUMNS)].rename(columns=_WEEK_COLUMNS)
        for col in ("Dose done", "Sessions done"):
            weeks[col] = weeks[col].map(_percent)
        weeks["Mean pain (0-10)"] = weeks["Mean pain (0-10)"].map(
            lambda x: "" if pd.isna(x) else f"{x:.1f}"
        )
        flags = r.flags[["flag", "detail"]].rename(columns={"flag": "Flag", "detail": "Why"})
        parts = [
            f"<p><b>{html.escape(name)}</b>: {accepted} rows for this patient"
            + (f", {rejected} rejected" if rejected else "")
            + f", up to {r.as_of}.</p>",
            f"<p><b>Adherence over ended weeks: {_percent(row['adherence'])}</b> "
            f"({'adherent' if row['adherent'] else 'below the target'}).</p>",
            weeks.to_html(index=False, escape=True, border=0, classes="bp-table"),
            "<p><b>Flags</b></p>",
            flags.to_html(index=False, escape=True, border=0, classes="bp-table")
            if len(flags)
            else "<p>No flags.</p>",
        ]
        return "".join(parts)

    def layout(self) -> w.VBox:
        return plain(
            w.VBox,
            [
                heading("Review this patient's logs"),
                plain(w.HTML, "Upload the patient's exercise logs (CSV, Excel or Parquet)."),
                self.upload_logs,
                self.result,
                self.decision,
            ],
        )
