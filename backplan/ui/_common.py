"""Small pieces every backplan app shares: messages, headings, labels, the page style."""

from __future__ import annotations

import functools
import html
import os
import re
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import ipywidgets as w

__all__ = [
    "STYLE",
    "field_error",
    "guarded",
    "heading",
    "labelled",
    "plain",
    "plain_words",
    "status_html",
    "subheading",
]

W = TypeVar("W", bound=w.Widget)
F = TypeVar("F", bound=Callable[..., Any])
# One plain layout (and style) per widget class, shared by every widget that keeps the
# defaults: each is a model the browser must build before the page responds.
_SHARED: dict[type, dict[str, w.Widget]] = {}

# Readable, keyboard-friendly defaults for the apps: a visible focus ring on every control,
# table cells aligned with their headings, invalid fields outlined, labels kept for screen
# readers where the column heading already names the field on screen.
STYLE = """<style>
.bp-app { font-size: 14px; }
.bp-app h2.bp-h2 { font-size: 19px; margin: 14px 0 4px 0; }
.bp-app h3.bp-h3 { font-size: 16px; margin: 10px 0 2px 0; }
.bp-app :focus-visible, .bp-app button:focus, .bp-app input:focus, .bp-app select:focus,
.bp-app textarea:focus, .bp-app a:focus {
  outline: 3px solid #0b57d0 !important; outline-offset: 1px; }
.bp-app .widget-html-content { line-height: 1.35; }
.bp-app .widget-checkbox .widget-label-basic span { white-space: normal; overflow: visible;
  line-height: 1.2; }
.bp-app .widget-checkbox { height: auto; min-height: var(--jp-widgets-inline-height); }
.bp-app .bp-table { border-collapse: collapse; font-size: 13px; line-height: 1.3; }
.bp-app .bp-table th, .bp-app .bp-table td { padding: 2px 5px; border-bottom: 1px solid #ddd; }
.bp-app .bp-table th { text-align: left; vertical-align: bottom; background: #f2f2f2; }
.bp-app .bp-table td:nth-child(n+3), .bp-app .bp-table th:nth-child(n+3) { text-align: right; }
.bp-app .bp-table td:nth-child(5), .bp-app .bp-table th:nth-child(5) { text-align: left; }
.bp-app .bp-table.bp-text td, .bp-app .bp-table.bp-text th { text-align: left; }
.bp-app .bp-invalid input, .bp-app .bp-invalid textarea, .bp-app input.bp-invalid {
  border: 2px solid #b00020 !important; background: #fff4f4; }
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
.bp-app .widget-button { width: auto; min-width: 0; padding: 0 10px; }
.bp-app .bp-skip { font-size: 13px; margin: 0 0 4px 0; }
.bp-app .bp-skip a { color: #0b57d0; }
.bp-app .bp-toolbar { position: sticky; top: 0; z-index: 20; background: #fff;
  border-bottom: 2px solid #bbb; padding: 4px 0 2px 0; }
.bp-app .bp-dose-warnings { border-left: 4px solid #8a4b00; background: #fff8e1;
  padding: 2px 8px; margin: 4px 0; }
.bp-app .bp-dose-warnings ul { margin: 2px 0; padding-left: 18px; max-height: 8.5em;
  overflow-y: auto; }
.bp-app .bp-toolbar .bp-dose-warnings ul { max-height: 4.2em; }
.bp-app .bp-toolbar .bp-dose-warnings.bp-accepted ul { display: none; }
.bp-app .bp-unsaved { color: #8a4b00; font-weight: bold; margin-left: 8px; }
.bp-app .bp-columns { display: grid !important; grid-template-columns: 700px minmax(0, 1fr);
  column-gap: 24px; align-items: start; }
.bp-app .bp-side { position: sticky; top: var(--bp-toolbar-height, 96px);
  max-height: calc(100vh - var(--bp-toolbar-height, 96px)); overflow-y: auto; }
/* A section reached by a skip link starts below the sticky toolbar, not under it. */
.bp-app [id^="bp-section"] { scroll-margin-top: calc(var(--bp-toolbar-height, 96px) + 8px); }
.bp-app .bp-preview-note { margin: 2px 0 4px 0; font-size: 13px; }
.bp-app .bp-plans select { font-size: 13px; }
.bp-app, .bp-app .bp-columns, .jp-OutputArea-output:has(.bp-app),
.jp-OutputArea-child:has(.bp-app), .jp-OutputArea:has(.bp-app),
.jp-Cell-outputWrapper:has(.bp-app), .jp-Cell:has(.bp-app) {
  overflow: visible !important; }
.bp-app .widget-box { overflow: visible; }
/* The side column scrolls inside itself (a sticky column taller than the screen would hide
   its lower part, the handout button, until the end of the page). */
.bp-app .bp-side.widget-box { overflow-y: auto; }
.bp-app .bp-side .bp-table th, .bp-app .bp-side .bp-table td { padding: 2px 3px; }
@media (max-width: 1100px) {
  .bp-app .bp-columns { grid-template-columns: minmax(0, 1fr); }
  .bp-app .bp-side { position: static; max-height: none; }
}
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
    """A section heading (an h2 under the page's h1, so screen readers can jump between
    sections and the heading order has no gaps)."""
    return plain(w.HTML, f"<h2 class='bp-h2'>{html.escape(text)}</h2>")


def subheading(text: str) -> w.HTML:
    """A heading inside a section (an h3)."""
    return plain(w.HTML, f"<h3 class='bp-h3'>{html.escape(text)}</h3>")


def field_error(message: str) -> str:
    """One message shown beside its control (red, bold), escaped."""
    return f"<div class='bp-field-error'>{html.escape(message)}</div>"


def status_html(message: str, ok: bool) -> str:
    """A message line: green "Done:" or red "Problem:", the text escaped."""
    colour = "#1b5e20" if ok else "#b00020"
    mark = "Done:" if ok else "Problem:"
    body = html.escape(message).replace("\n", "<br>")
    return f'<div class="bp-message" style="color:{colour}"><b>{mark}</b> {body}</div>'


# Developer phrases in errors from libraries, and the words a physio reads instead.
_PLAIN = [
    (re.compile(r"String should have at most (\d+) characters?"), r"at most \1 characters"),
    (re.compile(r"String should have at least 1 character"), "cannot be empty"),
    (re.compile(r"Expecting (?:value|property name[^:]*)[: ].*"), "the file is not JSON text"),
    (re.compile(r"Input should be (?:a valid )?"), "expected "),
    (re.compile(r"Value error, "), ""),
    (re.compile(r"<(?:plan|DataFrame)>: ?"), ""),
    (re.compile(r"^The (?:plan|table)(?:, revision \d+)?: (?=\d+ problem)"), ""),
]
_PATH = re.compile(r"(?:/[^\s/:'\"]+)+/")


def plain_words(exc: BaseException, *hide: str | os.PathLike[str]) -> str:
    """An error as a physio should read it: no server path, no developer phrases.

    Examples
    --------
    >>> plain_words(OSError(36, "File name too long", "/tmp/x/" + "日" * 105 + ".csv"))
    'File name too long'
    >>> plain_words(ValueError("/srv/plans/a.json: Expecting value: line 1 column 1 (char 0)"))
    'a.json: the file is not JSON text'
    """
    if isinstance(exc, OSError):
        return exc.strerror or "the file could not be read or written"
    if type(exc).__name__ == "ValidationError" and hasattr(exc, "errors"):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        text = f"{where}: {first.get('msg', '')}" if where else str(first.get("msg", ""))
    else:
        text = str(exc)
    for folder in hide:
        text = text.replace(f"{folder}{os.sep}", "").replace(str(folder), "")
    text = _PATH.sub("", text)
    for pattern, words in _PLAIN:
        text = pattern.sub(words, text)
    return text.strip() or "an unexpected problem"


def guarded(show: Callable[[str], object], doing: str) -> Callable[[F], F]:
    """Wrap a button or upload handler so that no error escapes it unseen.

    An error of any kind is shown by ``show`` ("Could not <doing>: <plain words>"), beside
    the control that was used; the full traceback goes to the server's log for developers.
    """

    def wrap(handler: F) -> F:
        @functools.wraps(handler)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return handler(*args, **kwargs)
            except Exception as exc:
                traceback.print_exc(file=sys.stderr)
                show(f"Could not {doing}. {plain_words(exc)}")
                return None

        return run  # type: ignore[return-value]

    return wrap


def labelled(widget: w.Widget, css_class: str) -> w.Widget:
    """Give ``widget`` a CSS hook (for tests and styling) and return it."""
    widget.add_class(css_class)
    return widget
