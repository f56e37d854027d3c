"""The review decision for the open plan: progress, hold or step back, why, and a button
that applies it as a new revision.

The decision comes from :func:`backplan.review` and is applied by
:func:`backplan.apply_review` (by the physio named in the clinic details); the patient's
sentences come from :func:`backplan.what_changed` and the history from
:func:`backplan.revision_history`. Nothing changes the plan until the physio clicks.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from ..errors import BackplanError
from ..plan.revise import revision_history, what_changed
from ..triage.decide import apply_review, load_review_rules, review
from ._common import plain, status_html

if TYPE_CHECKING:
    from ..plan import Plan
    from ..triage.decide import Review
    from .plan_builder import PlanBuilder

__all__ = ["DecisionPanel"]

#: Evidence a review gives, with the words a physio reads and how to show the number.
_EVIDENCE: dict[str, tuple[str, str]] = {
    "dose_adherence": ("Reps done (of those prescribed)", "percent"),
    "session_adherence": ("Sessions done", "percent"),
    "pain_now": ("Mean pain this week (0-10)", "pain"),
    "pain_week1": ("Mean pain in week 1", "pain"),
    "pain_last_week": ("Mean pain last week", "pain"),
    "pain_rise_week1": ("Change since week 1 (points)", "change"),
    "pain_rise_last_week": ("Change since last week (points)", "change"),
    "pain_scores": ("Pain scores logged", "count"),
    "days_silent": ("Days since the last log", "count"),
}
_SHOWN = {"progress": "PROGRESS", "hold": "HOLD", "step back": "STEP BACK"}


def _number(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not logged"
    if kind == "percent":
        return f"{float(value):.0%}"
    if kind == "pain":
        return f"{float(value):.1f}"
    if kind == "change":
        return f"{float(value):+.1f}"
    return f"{int(value)}"


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, escape=True, border=0, classes="bp-table bp-text")


class DecisionPanel:
    """What the review decided for the open plan, and the button that applies it.

    Attributes
    ----------
    box : ipywidgets.VBox
        The panel (``builder.review.decision``).
    shown, changes : ipywidgets.HTML
        The decision with its evidence and rule; the plan's changes after reviews (what
        the patient is told, and the history).
    apply_button : ipywidgets.Button
        Applies :attr:`result` as a new revision, by the clinic's physio.
    again_button : ipywidgets.Button
        Shown when the plan changed since the review (the review panel reviews again).
    result : Review or None
        The review shown; ``reviewed`` is the plan it was made from.
    """

    def __init__(self, builder: PlanBuilder) -> None:
        self.builder = builder
        self.result: Review | None = None
        self.reviewed: Plan | None = None
        self.shown = plain(w.HTML)
        self.shown.add_class("bp-decision")
        self.changes = plain(w.HTML)
        self.changes.add_class("bp-changes")
        self.apply_button = plain(
            w.Button,
            description="Apply this decision as a new revision",
            icon="check",
            disabled=True,
            layout=w.Layout(width="auto", display="none"),
            tooltip="Makes a new revision of the plan; the old doses stay in its history.",
        )
        self.apply_button.add_class("bp-apply-review")
        self.apply_button.on_click(self.apply)
        self.again_button = plain(
            w.Button,
            description="Review again",
            icon="refresh",
            layout=w.Layout(width="auto", display="none"),
        )
        self.again_button.add_class("bp-review-again")  # the review panel handles clicks
        self.box = plain(
            w.VBox,
            [self.shown, plain(w.HBox, [self.apply_button, self.again_button]), self.changes],
        )
        self.box.add_class("bp-review-decision")
        self.plan_changed()

    def forget(self) -> None:
        """Show no decision (no logs for this plan)."""
        self.result = self.reviewed = None
        self.apply_button.disabled = True
        self.apply_button.layout.display = "none"
        self.again_button.layout.display = "none"
        self.shown.value = ""

    def decide(self, report: Any) -> None:
        """Review the open plan against ``report`` (this patient's adherence) and show it."""
        plan = self.builder.plan
        self.again_button.layout.display = "none"
        try:
            result = review(plan, report, catalogue=self.builder.catalogue)
        except BackplanError as exc:
            self.result = self.reviewed = None
            self.apply_button.disabled = True
            self.shown.value = status_html(f"No review decision yet. {exc}", ok=False)
            return
        self.result, self.reviewed = result, plan
        self.apply_button.layout.display = None
        self.shown.value = self._describe(result)
        self.apply_button.disabled = result.week >= plan.weeks
        if result.week >= plan.weeks:
            self.shown.value += status_html(
                "This was the plan's last week: make a new plan to go on.", ok=False
            )

    def _describe(self, r: Review) -> str:
        rules = {rule.rule: rule for rule in load_review_rules()}
        source = rules[r.rule].source if r.rule in rules else ""
        evidence = pd.DataFrame(
            [
                (label, _number(r.evidence.get(key), kind))
                for key, (label, kind) in _EVIDENCE.items()
            ],
            columns=["Evidence", f"Week {r.week}"],
        )
        per_exercise = r.exercises.rename(
            columns={
                "name": "Exercise",
                "reps_now": "Reps now",
                "reps_next": "Reps next",
                "decision": "Decision",
                "reason": "Why",
            }
        )[["Exercise", "Reps now", "Reps next", "Decision", "Why"]]
        call = " <b>Call the patient.</b>" if r.flag else ""
        parts = [
            f"<p style='font-size:16px'><b>Week {r.week} review: "
            f"{_SHOWN.get(r.decision, r.decision)}</b>{call}</p>",
            f"<p>{html.escape(r.reason)}</p>",
            f"<p><b>Rule:</b> {html.escape(r.rule.replace('-', ' '))}"
            + (f" (source: {html.escape(source)})" if source else "")
            + "</p>",
            _table(evidence),
            "<p><b>Each exercise</b></p>",
            _table(per_exercise),
        ]
        if len(r.rejected):
            parts.append(f"<p>{len(r.rejected)} of this patient's log rows were rejected.</p>")
        return "".join(parts)

    def _physio(self) -> str:
        return self.builder.clinic.settings.physio or self.builder.plan.clinician

    def apply(self, _: Any = None) -> None:
        """Apply the review shown as a new revision and show the revised plan."""
        b = self.builder
        if self.result is None:
            return
        by = self._physio()
        if not by:
            b.say(
                "Not applied. Enter the physio's name under Clinic details (or the plan's "
                "clinician) first: every change records who made it.",
                ok=False,
            )
            return
        try:
            revised = apply_review(b.plan, self.result, by=by, catalogue=b.catalogue)
        except BackplanError as exc:
            b.say(f"Not applied. {exc}", ok=False)
            return
        decision = self.result.decision
        self.result = None  # applied: the revised plan is not a change to warn about
        self.apply_button.disabled = True
        b.apply_plan(revised)
        self.shown.value += status_html(
            f"Applied ({decision}) as revision {revised.revisions[-1].number} by {by}. "
            "Save the plan to keep it.",
            ok=True,
        )
        b.say(
            f"Review applied as revision {revised.revisions[-1].number}: the plan and its "
            "preview now show the new doses. Save to keep them.",
            ok=True,
        )

    def plan_changed(self) -> None:
        """Show the open plan's changes after reviews; a review of an older plan goes stale."""
        plan = self.builder.plan
        if self.result is not None and self.reviewed is not None and plan != self.reviewed:
            self.result = None
            self.apply_button.disabled = True
            self.again_button.layout.display = None
            self.shown.value = status_html(
                "The plan changed since this review: click Review again.", ok=False
            )
        if not plan.revisions:
            self.changes.value = ""
            return
        said = what_changed(plan, catalogue=self.builder.catalogue)
        history = revision_history(plan)
        history["made_at"] = history["made_at"].map(
            lambda t: "" if pd.isna(t) else f"{t:%d %b %Y %H:%M}"
        )
        history = history.rename(
            columns={
                "revision": "Revision",
                "from_week": "From week",
                "decision": "Decision",
                "what": "What changed",
                "why": "Why",
                "by": "By",
                "made_at": "When",
            }
        )
        self.changes.value = (
            "<p><b>What the patient is told changed</b></p><ul>"
            + "".join(f"<li>{html.escape(s)}</li>" for s in said)
            + "</ul><p><b>The plan's history</b></p>"
            + _table(history)
        )
