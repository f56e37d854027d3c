"""Shared look for backplan charts: fills and hatches that survive greyscale printing."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

__all__ = ["GREYS", "HATCHES", "axes", "fill_style"]

#: Fill colours from dark to light: distinct as greys, still pleasant in colour.
GREYS: tuple[str, ...] = (
    "#1b3a5c", "#4f7cac", "#9ab8d8", "#d9e6f2", "#5c5c5c", "#a3a3a3", "#e0e0e0",
)  # fmt: skip
#: Hatches cycled with the colours so neighbouring series differ in texture too.
HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "oo", "--")


def fill_style(i: int) -> dict[str, Any]:
    """Bar/patch keyword arguments for series ``i``: face colour, hatch and a dark edge."""
    return {
        "color": GREYS[i % len(GREYS)],
        "hatch": HATCHES[(i // len(GREYS) + i) % len(HATCHES)],
        "edgecolor": "#222222",
        "linewidth": 0.6,
    }


def axes(ax: Axes | None, figsize: tuple[float, float] = (7.5, 4.0)) -> Axes:
    """Return ``ax``, or the Axes of a new figure of ``figsize`` inches."""
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=figsize, layout="constrained")
    return new
