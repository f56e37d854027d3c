"""Small pieces every backplan app shares: messages, headings, labels, the page style."""

from __future__ import annotations

import html
from typing import Any, TypeVar

import ipywidgets as w

__all__ = ["STYLE", "heading", "labelled", "plain", "status_html"]

W = TypeVar("W", bound=w.Widget)
# One plain layout (and style) per widget class, shared by every widget that keeps the
# defaults: each is a model the browser must build before the page responds.
_SHARED: dict[type, dict[str, w.Widget]] = {}

# Readable, keyboard-friendly defaults for the apps: a visible focus ring on every control,
# table cells aligned with their headings, invalid fields outlined, labels kept for screen
# readers where the column heading already names the field on screen.
STYLE = """<style>
.bp-app { font-size: 14px; }
.bp-app :focus-visible, .bp-app button:focus, .bp-app input:focus, .bp-app select:focus,
.bp-app textarea:focus, .bp-app a:focus {
  outline: 3px solid #0b57d0 !important; outline-offset: 1px; }
.bp-app .bp-table { border-collapse: collapse; font-size: 13px; }
.bp-app .bp-table th, .bp-app .bp-table td { padding: 2px 8px; border-bottom: 1px solid #ddd; }
.bp-app .bp-table th { text-align: left; vertical-align: bottom; background: #f2f2f2; }
.bp-app .bp-table td:nth-child(n+3), .bp-app .bp-table th:nth-child(n+3) { text-align: right; }
.bp-app .bp-table td:nth-child(5), .bp-app .bp-table th:nth-child(5) { text-align: left; }
.bp-app .bp-table.bp-text td, .bp-app .bp-table.bp-text th { text-align: left; }
.bp-app .bp-invalid input { border: 2px solid #b00020 !important; background: #fff4f4; }
.bp-app .bp-field-error { color: #b00020; font-weight: bold; }
.bp-app .bp-group { border: 1px solid #bbb; border-radius: 4px; padding: 4px 8px;
  margin: 4px 0; }
.bp-app .bp-sr-label .widget-label, .bp-app .bp-sr-label > label {
  position: absolute !important; width: 1px !important; height: 1px !important;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.bp-app .bp-chart img { max-width: none; }
.bp-app .bp-hidden { display: none !important; }
.bp-app .bp-download a { display: inline-block; margin: 2px 6px 2px 0; padding: 4px 10px;
  border: 1px solid #0b57d0; border-radius: 3px; color: #0b57d0; text-decoration: none; }
</style>"""


def plain(cls: type[W], *args: Any, **kwargs: Any) -> W:
    """``cls(*args, **kwargs)`` sharing a default layout and style with its kind.

    Only for widgets whose layout and style are never changed afterwards.
    """
    shared = _SHARED.get(cls)
    if shared is None:
        first = cls()
        shared = {"layout": first.layout}
        if hasattr(first, "style"):
            shared["style"] = first.style
        _SHARED[cls] = shared
    for key, model in shared.items():
        kwargs.setdefault(key, model)
    return cls(*args, **kwargs)


def heading(text: str) -> w.HTML:
    """A section heading (an h3, so screen readers can jump between sections)."""
    return plain(w.HTML, f"<h3 style='margin:10px 0 2px 0'>{html.escape(text)}</h3>")


def status_html(message: str, ok: bool) -> str:
    """A message line: green "Done:" or red "Problem:", the text escaped."""
    colour = "#1b5e20" if ok else "#b00020"
    mark = "Done:" if ok else "Problem:"
    body = html.escape(message).replace("\n", "<br>")
    return f'<div role="status" style="color:{colour}"><b>{mark}</b> {body}</div>'


def labelled(widget: w.Widget, css_class: str) -> w.Widget:
    """Give ``widget`` a CSS hook (for tests and styling) and return it."""
    widget.add_class(css_class)
    return widget
