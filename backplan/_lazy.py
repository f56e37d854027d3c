"""Module-level ``__getattr__`` that imports a public name's submodule on first use.

Keeps ``import backplan`` quick: matplotlib, ipywidgets, ReportLab and dask load only when
a chart, widget, handout or Dask path is first touched.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_getattr"]


def lazy_getattr(
    package: str, where: Mapping[str, str], submodules: Iterable[str] = ()
) -> Callable[[str], Any]:
    """Return a ``__getattr__`` for ``package`` that finds ``name`` in ``where[name]`` (a
    module path relative to ``package``), or imports the submodule ``name`` when it is one
    of ``submodules``.

    Examples
    --------
    >>> get = lazy_getattr("backplan", {"split_steps": "catalogue"})
    >>> get("split_steps")("a | b")
    ['a', 'b']
    """

    subs = frozenset(submodules)

    def __getattr__(name: str) -> Any:
        if name in subs:
            return importlib.import_module(f".{name}", package)
        if name in where:
            module = where[name] if where[name].startswith(".") else f".{where[name]}"
            return getattr(importlib.import_module(module, package), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
