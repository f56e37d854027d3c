"""Review one patient: upload their logs, see adherence by week, the flags and the decision.

Uses the public :func:`backplan.read_logs`, :func:`backplan.adherence` and (through
:class:`~backplan.ui.decision_panel.DecisionPanel`) :func:`backplan.review`. Only rows for
the open plan's patient are counted (labels compared by
:func:`backplan.identity.patient_key`); rows the reader rejects are counted and each reason
is said. Every problem is shown under the upload button, in plain words, naming the file
as the physio chose it and never a server path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from ..errors import BackplanError
from ..identity import patient_key
from ..logs import LOG_COLUMNS, adherence, read_logs
from ._common import guarded, plain, plain_words, status_html
from .decision_panel import DecisionPanel
from .transfer import on_upload, uploaded_file

if TYPE_CHECKING:
    from .plan_builder import PlanBuilder

__all__ = ["ReviewPanel"]

_WEEK_COLUMNS = {
    "week": "Week",
    "adherence": "Dose done",
    "session_adherence": "Sessions done",
    "pain_mean": "Mean pain (0-10)",
}


def _reasons(rejected: pd.DataFrame, limit: int = 5) -> str:
    """Why rows were rejected, most common reason first, with example rows.

    Examples
    --------
    >>> rows = pd.DataFrame({"row": [3, 4, 9], "reason": ["pain above 10", "pain above 10",
    ...                                                    "unknown exercise"]})
    >>> print(_reasons(rows))
    <BLANKLINE>
    Rows not used: pain above 10 (2 rows: 3, 4); unknown exercise (1 row: 9).
    """
    if rejected.empty:
        return ""
    parts = []
    for reason, rows in rejected.groupby("reason", sort=False)["row"]:
        n = len(rows)
        examples = ", ".join(str(r) for r in rows.head(3))
        parts.append(f"{reason} ({n} row{'s' if n != 1 else ''}: {examples}"
                     + (", …" if n > 3 else "") + ")")  # fmt: skip
    parts.sort(key=lambda p: -int(p.split("(")[-1].split(" ")[0]))
    more = f"; and {len(parts) - limit} more reasons" if len(parts) > limit else ""
    return "\nRows not used: " + "; ".join(parts[:limit]) + more + "."


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
            accept=".csv,.xlsx,.parquet",
            multiple=False,
            description="Upload logs…",
            tooltip="Choose the patient's exercise logs on this computer",
            layout=w.Layout(width="auto"),
        )
        self.upload_logs.add_class("bp-upload-logs")
        self.result = plain(w.HTML)
        self.result.add_class("bp-review")
        self.decider = DecisionPanel(builder)
        self.decision = self.decider.box
        self.report: Any = None
        # file name, this patient's rows, their rejected rows, the patient
        self.logs: tuple[str, pd.DataFrame, pd.DataFrame, str] | None = None
        # the uploaded file (name, bytes): the review reads it again against the plan, so
        # every note (rejected rows' too) and each day's pain reach the decision
        self.upload: tuple[str, bytes] | None = None
        self.decider.again_button.on_click(lambda _: self.recheck())
        on_upload(self.upload_logs, guarded(self._problem, "read the logs")(self.review))

    def _problem(self, message: str) -> None:
        self.result.value = status_html(message, ok=False)
        self.logs = None
        self.decider.forget()

    def forget(self) -> None:
        """No logs under review (a new patient)."""
        self.logs = self.report = self.upload = None
        self.result.value = ""
        self.decider.forget()

    def review(self, name: str, data: bytes) -> None:
        """Read the log file ``name`` (its bytes) and show the open plan's adherence."""
        shown = name if len(name) <= 60 else name[:57] + "…"
        plan = self.builder.plan
        with uploaded_file(name, data) as path:
            try:
                logs = read_logs(path)
            except (BackplanError, OSError, ValueError) as exc:
                words = plain_words(exc, path.parent).replace(path.name, shown)
                self._problem(f"Could not read {shown}. {words}")
                return
        label = plan.patient
        key = patient_key(label)
        mine = logs.accepted[logs.accepted["patient"].astype(str).map(patient_key) == key]
        rejected = logs.rejected[logs.rejected["patient"].astype(str).map(patient_key) == key]
        rejected = rejected.assign(file=shown)
        if mine.empty:
            self._problem(
                f"{shown} has no usable log rows for {label or '(no name)'} "
                f"({logs.rows_read} rows read). The plan's patient name must match the "
                "logs' patient column." + _reasons(rejected)
            )
            return
        self.logs = (shown, mine[list(LOG_COLUMNS)], rejected, label)
        self.upload = (name, data)
        self.recheck()

    def recheck(self) -> None:
        """Adherence and the review decision of the open plan, from the logs uploaded."""
        if self.logs is None:
            return
        name, mine, rejected, _ = self.logs
        self.report = adherence(mine, [self.builder.plan])
        self.result.value = self._summary(name, len(mine), rejected)
        if self.upload is None:
            self.decider.decide(self.report)
            return
        with uploaded_file(*self.upload) as path:  # the logs themselves: notes, daily pain
            self.decider.decide(path)

    def plan_changed(self) -> None:
        """Called by the builder whenever the plan shown changes: logs of another patient
        are put away, and a review of an older plan goes stale."""
        if self.logs is not None and patient_key(self.builder.plan.patient) != patient_key(
            self.logs[3]
        ):
            self.logs = self.report = None
            self.result.value = ""
            self.decider.forget()
        self.decider.plan_changed()

    def _summary(self, name: str, accepted: int, rejected: pd.DataFrame) -> str:
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
            + (f", {len(rejected)} rejected" if len(rejected) else "")
            + (f", up to {r.as_of.day} {r.as_of:%b %Y}" if r.as_of else "")
            + ".</p>"
            + html.escape(_reasons(rejected)).replace("\n", "<br>"),
            f"<p><b>Adherence over ended weeks: {_percent(row['adherence'])}</b> "
            f"({'adherent' if row['adherent'] else 'below the target'}).</p>",
            weeks.to_html(index=False, escape=True, border=0, classes="bp-table"),
            "<p><b>Flags</b></p>",
            flags.to_html(index=False, escape=True, border=0, classes="bp-table")
            if len(flags)
            else "<p>No flags.</p>",
        ]
        return "".join(parts)

    #: The section's heading (the builder shows it, open or folded).
    title = "Review this patient's logs"

    def rows(self) -> list[w.Widget]:
        """The section's controls under its heading: upload, adherence and the decision."""
        return [
            plain(w.HTML, "Upload the patient's exercise logs (CSV, Excel or Parquet)."),
            plain(w.HBox, [self.upload_logs]),
            self.result,
            self.decision,
        ]
