"""A section of the app whose controls reach the page only when the physio opens it.

Every widget on the page is work for the browser before the form answers: the page
creates a model for each widget the kernel holds and a view (elements, styles, layout)
for each one shown. The patient list, the logs review and the clinic details sit below
the plan form, out of view when the page opens, so the app shows each as its heading, a
line saying what it holds and one button; the panel's controls are made (or only shown)
when that button is pressed, or when a skip link leads to the section
(:data:`backplan.ui.page.PAGE_JS` presses the button). Once open a section stays open.

Examples
--------
>>> import ipywidgets as w
>>> made = []
>>> fold = Fold("Clinic details", "bp-section-clinic", "Name and phone on handouts.",
...             "Show clinic details", lambda: made.append(1) or [w.HTML("the fields")])
>>> len(fold.box.children), fold.opened, made
(3, False, [])
>>> fold.open(); fold.open()
>>> len(fold.box.children), fold.opened, made
(2, True, [1])
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as w

from ._common import heading, plain

__all__ = ["Fold", "MadeOnUse", "reveal"]


@functools.cache
def _button_layout() -> w.Layout:
    """One layout for every fold's button: as wide as its words, not the column."""
    return w.Layout(width="auto", align_self="flex-start")


@functools.cache
def _button_style() -> w.ButtonStyle:
    return w.ButtonStyle()


class Fold:
    """A heading, what the section holds and a button that opens it.

    Parameters
    ----------
    title : str
        The section's heading (an h2, shown open or not, so the heading order holds).
    css : str
        The section's CSS class (``bp-section-*``: the skip links and landmarks use it).
    about : str
        One sentence saying what opening the section shows (plain text, escaped).
    button : str
        The button's words, e.g. "Show the patient list".
    build : callable
        Returns the section's widgets under its heading; called once, on first open.

    Attributes
    ----------
    box : ipywidgets.VBox
        The section as shown.
    open_button : ipywidgets.Button
        The button (CSS class ``bp-unfold``).
    opened : bool
        Whether the section was opened.
    """

    def __init__(
        self,
        title: str,
        css: str,
        about: str,
        button: str,
        build: Callable[[], Sequence[w.Widget]],
    ) -> None:
        self._build = build
        self.opened = False
        self.heading = heading(title)
        self.about = plain(w.HTML, f"<p>{html.escape(about)}</p>")
        self.open_button = w.Button(description=button, icon="chevron-down", tooltip=about,
                                    layout=_button_layout(), style=_button_style())  # fmt: skip
        self.open_button.add_class("bp-unfold")
        self.open_button.on_click(lambda _: self.open())
        self.box = plain(w.VBox, [self.heading, self.about, self.open_button])
        self.box.add_class(css)
        self.box.add_class("bp-fold")

    def open(self, _: Any = None) -> None:
        """Show the section's controls (made now, the first time)."""
        if self.opened:
            return
        self.opened = True
        self.box.children = [self.heading, *self._build()]


def reveal(box: w.Box, children: Sequence[w.Widget], display: str = "flex") -> None:
    """Show ``box``, hidden until now, giving it ``children`` the first time.

    A box that starts hidden (a question, the dose warnings) and empty is one view for the
    page to build, not one per control inside it.

    Examples
    --------
    >>> box = w.VBox(layout=w.Layout(display="none"))
    >>> reveal(box, [w.HTML("Replace it?")])
    >>> len(box.children), box.layout.display
    (1, 'flex')
    """
    if not box.children:
        box.children = tuple(children)
    box.layout.display = display


class MadeOnUse:
    """A panel whose folded controls are made the first time one of them is used.

    Subclasses name those controls in ``ON_USE`` and make them in ``_make()``, which must set
    ``made``. Reading one of them (a test setting ``.value``, the fold opening) makes them
    all; until then methods that would update them return early (``if not self.made``),
    and ``_make()`` brings them up to date.

    Examples
    --------
    >>> class Panel(MadeOnUse):
    ...     ON_USE = frozenset({"box"})
    ...     def _make(self):
    ...         self.made, self.box = True, "a control"
    >>> p = Panel()
    >>> p.made, p.box, p.made
    (False, 'a control', True)
    """

    ON_USE: frozenset[str] = frozenset()
    made = False

    def _make(self) -> None:
        raise NotImplementedError

    def __getattr__(self, name: str) -> Any:
        if name in type(self).ON_USE and not self.made:
            self._make()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
