"""Dose warnings beside Save and the handout button, and the physio's "I have checked".

The warnings come from :func:`backplan.plan_warnings` (doses a physio would not sign
without a second look: thousands of reps a day, +400% in a week). While a plan has
warnings no one accepted, the app neither saves it nor makes its handouts: the physio reads
them here, in plain words, and ticks "I have checked these doses"; the plan then records
who accepted which warnings and when (:func:`backplan.plan.warnings.accept_warnings`,
``Plan.warnings_accepted``), and the saved file keeps the record. Editing the plan so that
another warning appears clears the tick.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..plan.model import WarningsAccepted
from ..plan.warnings import PlanWarning
from ._common import field_error, plain
from .fold import reveal

__all__ = ["DoseWarnings"]


class DoseWarnings:
    """The list of a plan's dose warnings and the acknowledgement box.

    One widget (:attr:`box`) shown twice: under the toolbar's Save buttons and under the
    handout button, so the warnings are beside both. Hidden while the plan has none.

    Attributes
    ----------
    list, checked, message
        The warnings (HTML), "I have checked these doses" and a message under them.
    """

    def __init__(self, on_tick: Callable[[bool], None]) -> None:
        self.list = plain(w.HTML)
        self.list.add_class("bp-dose-warnings-list")
        self.checked = w.Checkbox(
            value=False,
            description="I have checked these doses",
            indent=False,
            layout=w.Layout(width="auto"),
        )
        self.checked.add_class("bp-doses-checked")
        self.message = plain(w.HTML)
        self.message.add_class("bp-dose-warnings-message")
        # Empty while hidden: its controls are made part of the page when first shown.
        self.box = w.VBox(layout=w.Layout(display="none"))
        self.box.add_class("bp-dose-warnings")
        self._setting = False
        self.checked.observe(self._ticked(on_tick), names="value")

    def _ticked(self, on_tick: Callable[[bool], None]) -> Callable[[dict[str, Any]], None]:
        def run(change: dict[str, Any]) -> None:
            if not self._setting:
                on_tick(bool(change["new"]))

        return run

    def show(self, found: list[PlanWarning], record: WarningsAccepted | None) -> None:
        """Show ``found`` and whether ``record`` (the plan's acceptance) covers them."""
        if not found:
            self.box.layout.display = "none"
            self.list.value = self.message.value = ""
            self._set(False)
            return
        n = len(found)
        items = "".join(f"<li>{html.escape(x.message)}</li>" for x in found)
        if record is None:
            head = (
                f"<b>Check {'this dose' if n == 1 else f'these {n} doses'} before you save or "
                "print:</b>"
            )
        else:
            head = (
                f"<b>Doses checked by {html.escape(record.by)} on "
                f"{record.at:%d %b %Y at %H:%M}</b> ({n} warning{'s' * (n > 1)}):"
            )
        self.list.value = f"<div role='note'>{head}<ul>{items}</ul></div>"
        reveal(self.box, [self.list, self.checked, self.message])
        # Accepted: the toolbar keeps one line (the list stays beside the handout button).
        (self.box.add_class if record is not None else self.box.remove_class)("bp-accepted")
        self._set(record is not None)
        if record is not None:
            self.message.value = ""

    def _set(self, value: bool) -> None:
        self._setting = True
        try:
            self.checked.value = value
        finally:
            self._setting = False

    def refuse(self, doing: str) -> str:
        """Say under the warnings that ``doing`` waits for the tick; return the words."""
        text = (
            f"{doing} Read the dose warnings and tick 'I have checked these doses' "
            "(or change the doses)."
        )
        self.message.value = field_error(text)
        return text

    def need_name(self) -> None:
        """The tick needs a name to record: say so under it and untick."""
        self.message.value = field_error(
            "Type your name in Clinician (or the clinic's Physio) first: the plan records "
            "who checked the doses."
        )
        self._set(False)
