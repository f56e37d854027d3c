"""The web page around the app when Voila serves it: landmarks, skip links, the live status
line, the unsaved-edits prompt and the kernel's shutdown when the page closes.

Widgets cannot set ARIA roles or listen to the page closing, so the app notebook shows
:func:`page_script` once, before the builder. The script only arranges the page; it
computes nothing and sends nothing anywhere but the app's own server:

* landmarks and names: the cells are the page's ``main``; each section (``bp-section-*``)
  becomes a named region that the skip links at the top jump to (a link to a folded
  section, :class:`~backplan.ui.fold.Fold`, opens it too); the status line
  (``bp-status``) is a polite live region, so screen readers announce each message;
* unsaved edits (the builder shows ``data-unsaved="1"`` while there are some): closing or
  reloading the page asks first (``beforeunload``); while it asks, Voila's own handler is
  held back so the page's kernel keeps running if the physio stays (this needs the first
  listener of the page, so the notebook's first cell carries :data:`BEFORE_UNLOAD_STUB`);
* the kernel stops when the page goes: Voila's handler posts the shutdown request with the
  ``_xsrf`` cookie, which a pre-rendered Voila page never receives (every request was
  refused with 403), so the script sets one for this page (the double-submit pattern the
  server checks); when the page is left after the prompt, or closed without a
  ``beforeunload`` event, the script sends the request itself on ``pagehide``.

Examples
--------
>>> "__backplanBeforeUnload" in PAGE_JS and "_xsrf" in PAGE_JS and "'role', 'main'" in PAGE_JS
True
>>> SKIP_LINKS.startswith('<nav aria-label="Parts of the plan builder"')
True
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BEFORE_UNLOAD_STUB",
    "PAGE_JS",
    "SECTIONS",
    "SKIP_LINKS",
    "page_script",
    "wait_for_request",
]

#: The one line the app notebook's first (Markdown) cell carries: rendered into the page
#: before Voila's scripts start, it registers the first ``beforeunload`` listener, which
#: hands the event to this module's script (Voila's own listener, registered later, would
#: stop the kernel even when the physio chooses to stay).
BEFORE_UNLOAD_STUB = (
    '<script>window.addEventListener("beforeunload", function (e) { '
    "if (window.__backplanBeforeUnload) { window.__backplanBeforeUnload(e); } }, true);"
    "</script>"
)

#: CSS class of each section -> the name its landmark and skip link carry.
SECTIONS: dict[str, str] = {
    "bp-section-form": "Plan form",
    "bp-side": "Preview and handouts",
    "bp-section-patients": "Patients and templates",
    "bp-section-review": "Review logs",
    "bp-section-clinic": "Clinic details",
}

SKIP_LINKS = (
    '<nav aria-label="Parts of the plan builder" class="bp-skip">Go to: '
    + " · ".join(f'<a href="#{css}">{name}</a>' for css, name in SECTIONS.items())
    + "</nav>"
)

PAGE_JS = r"""
(function () {
  if (window.__backplanPage) { return; }
  window.__backplanPage = true;
  var SECTIONS = %SECTIONS%;
  // The double-submit XSRF cookie Voila's shutdown request needs (pre-rendered pages
  // never get one from the server).
  if (!/(?:^|;\s*)_xsrf=/.test(document.cookie)) {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var token = Array.prototype.map.call(bytes, function (b) {
      return ('0' + b.toString(16)).slice(-2); }).join('');
    document.cookie = '_xsrf=' + token + '; path=/; SameSite=Strict';
  }
  var unfolding = null;  // a folded section being opened
  function arrange() {
    if (unfolding && !unfolding.querySelector('button.bp-unfold')) {
      unfolding.focus({preventScroll: true});
      unfolding = null;
    }
    if (!document.documentElement.lang) { document.documentElement.lang = 'en'; }
    var cells = document.getElementById('rendered_cells');
    if (cells && !cells.getAttribute('role')) { cells.setAttribute('role', 'main'); }
    Object.keys(SECTIONS).forEach(function (css) {
      var el = document.querySelector('.bp-app .' + css);
      if (el && !el.id) {
        el.id = css;
        el.setAttribute('role', 'region');
        el.setAttribute('aria-label', SECTIONS[css]);
        el.setAttribute('tabindex', '-1');
      }
    });
    var bar = document.querySelector('.bp-app .bp-toolbar');
    if (bar && bar.offsetHeight) {
      document.documentElement.style.setProperty('--bp-toolbar-height',
                                                 (bar.offsetHeight + 4) + 'px');
    }
    var status = document.querySelector('.bp-app .bp-status');
    if (status && !status.getAttribute('aria-live')) {
      status.setAttribute('role', 'status');
      status.setAttribute('aria-live', 'polite');
    }
    document.querySelectorAll('.bp-app [title="null"], .bp-app [title="undefined"]')
      .forEach(function (el) { el.removeAttribute('title'); });
  }
  new MutationObserver(arrange).observe(document.documentElement,
                                        {childList: true, subtree: true});
  arrange();
  // A folded section (bp-fold) opens with its button, or with a skip link to it (which
  // presses the button); once its controls are there, focus goes to the section, so Tab
  // goes on into it (the button it had is gone).
  document.addEventListener('click', function (event) {
    if (!event.target.closest) { return; }
    var link = event.target.closest('.bp-skip a');
    var section = link ? document.getElementById(link.hash.slice(1)) : null;
    var button = section ? section.querySelector('button.bp-unfold')
                         : event.target.closest('button.bp-unfold');
    if (!button) { return; }
    unfolding = button.closest('.bp-fold');
    if (link) { button.click(); }
  });
  function unsaved() {
    return document.querySelector('.bp-app [data-unsaved="1"]') !== null;
  }
  var heldBack = false, voilaSends = false;
  // Called by the app notebook's first cell (BEFORE_UNLOAD_STUB), whose listener is
  // registered before Voila's, so that holding Voila's back works.
  window.__backplanBeforeUnload = function (event) {
    heldBack = false;
    if (!unsaved()) { voilaSends = true; return; }  // Voila's handler follows and sends
    heldBack = true;  // Voila's handler would stop the kernel even if the physio stays
    event.stopImmediatePropagation();
    event.preventDefault();
    event.returnValue = '';
    return '';
  };
  // The page is really going (closed, reloaded, left): stop its kernel unless Voila's
  // handler did (it did not when held back, nor when the browser skipped beforeunload).
  window.addEventListener('pagehide', function () {
    if (voilaSends && !heldBack) { return; }
    var config = document.getElementById('jupyter-config-data');
    if (!config) { return; }
    var page = JSON.parse(config.textContent);
    var token = (document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/) || [])[1] || '';
    var form = new FormData();
    form.append('_xsrf', token);
    navigator.sendBeacon(page.baseUrl + 'voila/api/shutdown/' + page.kernelId, form);
  });
})();
"""


def _script() -> str:
    import json

    return PAGE_JS.replace("%SECTIONS%", json.dumps(SECTIONS))


def page_script() -> Any:
    """The page's script as an ``IPython.display.HTML`` object, to show once in the app
    notebook before the builder."""
    from IPython.display import HTML

    return HTML(f"<script>{_script()}</script>")


def wait_for_request() -> None:
    """In a kernel Voila started ahead of time (``--preheat_kernel``), wait until a page
    takes this kernel, then put that request's details in ``os.environ``; elsewhere return
    at once.

    It does what ``voila.utils.wait_for_request`` does without importing Voila, whose
    import loads Jupyter Server and its JSON schemas: about 2.5 s of CPU in every kernel
    the app starts (measured on a 2-core machine), before a physio sees the form.

    Examples
    --------
    >>> wait_for_request()  # not a kernel started ahead of time: nothing to wait for
    """
    import json
    import os

    env = os.environ
    if env.get("VOILA_PREHEAT", "False") == "False":
        return
    from websockets.sync.client import connect

    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    host = f"{env.get('VOILA_APP_IP', '127.0.0.1')}:{env.get('VOILA_APP_PORT', '8866')}"
    url = f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{host}{base}voila/query/"
    try:
        with connect(url + env.get("VOILA_KERNEL_ID", ""), open_timeout=5) as socket:
            request = socket.recv()
    except (TimeoutError, OSError) as err:  # as Voila: the page still works, without them
        import warnings

        warnings.warn(f"no request details from {url}: {err}", stacklevel=2)
        return
    env.update(json.loads(request))
