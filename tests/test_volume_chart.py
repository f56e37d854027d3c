"""VolumeChart: the live weekly-volume chart of the plan builder."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

import backplan as bp
from backplan.charts import VolumeChart


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=int)


def test_fast_redraw_looks_the_same_as_a_fresh_chart(catalogue) -> None:
    plan = bp.build_plan(catalogue, "beginners", start_date="2026-01-05", weeks=4)
    more = bp.build_plan(
        catalogue,
        "beginners",
        start_date="2026-01-05",
        weeks=4,
        per_exercise={"heel-raises": {"reps": 11}},
    )
    live = VolumeChart()
    live.update(bp.weekly_volume(plan, catalogue))
    fast = live.update(bp.weekly_volume(more, catalogue))  # only bar heights change
    fresh = VolumeChart().update(bp.weekly_volume(more, catalogue))
    differ = np.abs(_pixels(fast) - _pixels(fresh)) > 40
    assert differ.mean() < 0.002  # the same picture, up to anti-aliasing at bar edges
    heights = [p.get_height() for c in live.axes.containers for p in c]
    assert sum(heights) == bp.weekly_volume(more, catalogue)["reps"].sum()


def test_legend_and_axis_text_are_at_least_11_px_on_screen(catalogue) -> None:
    plan = bp.build_plan(catalogue, "beginners", start_date="2026-01-05", weeks=3)
    chart = VolumeChart()
    png = chart.update(bp.weekly_volume(plan, catalogue, by="target"), by="target")
    width, _ = Image.open(io.BytesIO(png)).size
    assert width == 760  # shown at natural size, so points at 72 dpi are pixels
    legend = chart.axes.get_legend()
    sizes = [t.get_fontsize() * chart.figure.dpi / 72 for t in legend.get_texts()]
    sizes += [chart.axes.xaxis.label.get_fontsize(), legend.get_title().get_fontsize()]
    assert min(sizes) >= 11
    assert [t.get_text() for t in legend.get_texts()] == list(
        dict.fromkeys(bp.weekly_volume(plan, catalogue, by="target")["target"])
    )
