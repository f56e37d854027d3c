"""Weekly-volume charts, checked through their artists: bar heights are the table's numbers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

import backplan as bp
from backplan.charts import compare_plans, plot_weekly_volume
from backplan.charts._style import fill_style
from backplan.charts.volume import redraw_weekly_volume

START = date(2026, 1, 5)


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def progressing(catalogue: pd.DataFrame) -> bp.Plan:
    return bp.build_plan(
        catalogue,
        "beginners",
        ["heel-slides", "wall-squats", "straight-leg-raises"],
        start_date=START,
        weeks=5,
        progression=[
            bp.AddDose(what="reps", amount=2, every_weeks=2, cap=14),
            bp.next_level(catalogue, 4, exercises=["knee-to-chest", "half-sit-ups"]),
        ],
    )


@pytest.mark.parametrize("metric", ["reps", "hold_seconds", "sessions"])
def test_stacked_bars_are_the_volume_table(progressing, catalogue, metric: str) -> None:
    volume = bp.weekly_volume(progressing, catalogue)
    ax = plot_weekly_volume(volume, metric=metric)
    # every exercise with something to show (none without a bar), the largest at the bottom
    shown = volume.groupby("name")[metric].sum()
    names = [n for n in dict.fromkeys(volume["name"]) if shown[n] > 0]
    names.sort(key=lambda n: -shown[n])
    assert [c.get_label() for c in ax.containers] == names
    weeks = list(range(1, 6))
    bottom = np.zeros(5)
    for container, name in zip(ax.containers, names, strict=True):
        rows = volume[volume.name == name].set_index("week")[metric]
        expected = rows.reindex(weeks, fill_value=0).to_numpy(dtype=float)
        assert [p.get_height() for p in container] == expected.tolist()
        assert [p.get_y() for p in container] == bottom.tolist()  # stacked
        assert [round(p.get_x() + p.get_width() / 2) for p in container] == weeks
        bottom += expected
    totals = bp.weekly_volume(progressing, catalogue, by=None)[metric].to_numpy(dtype=float)
    assert bottom.tolist() == totals.tolist()
    unit = bp.METRICS[metric]
    assert ax.get_ylabel().lower() == unit
    assert ax.get_xlabel() == "Week of the plan"
    # the legend reads top to bottom as the bars are stacked
    assert [t.get_text() for t in ax.get_legend().get_texts()] == names[::-1]
    first, last = int(totals[0]), int(totals[-1])
    assert f"{first:,} in week 1" in ax.get_title() or f"{first:,} every week" in ax.get_title()
    assert f"{last:,}" in ax.get_title()


def test_parts_differ_in_greyscale_print(progressing, catalogue) -> None:
    ax = plot_weekly_volume(bp.weekly_volume(progressing, catalogue))
    looks = []
    for i, container in enumerate(ax.containers):
        patch = container.patches[0]
        style = fill_style(i)
        assert patch.get_facecolor() == to_rgba(style["color"])
        assert (patch.get_hatch() or "") == style["hatch"]
        r, g, b, _ = patch.get_facecolor()
        looks.append((round(0.299 * r + 0.587 * g + 0.114 * b, 2), patch.get_hatch()))
    assert len(set(looks)) == len(looks)  # no two parts share a grey and a hatch


def test_by_target_and_whole_plan(progressing, catalogue) -> None:
    by_target = bp.weekly_volume(progressing, catalogue, by="target")
    ax = plot_weekly_volume(by_target, by="target")
    assert ax.get_legend().get_title().get_text() == "Body area"
    legs = by_target[by_target.target == "legs"]["reps"].tolist()
    container = ax.containers[[c.get_label() for c in ax.containers].index("legs")]
    assert [p.get_height() for p in container][: len(legs)] == legs
    _, whole = plt.subplots()
    assert plot_weekly_volume(by_target, by=None, ax=whole) is whole
    totals = bp.weekly_volume(progressing, catalogue, by=None)
    # Body areas count each rep once: their bars add up to the plan's weekly totals.
    tops = [sum(c[i].get_height() for c in ax.containers) for i in range(len(totals))]
    assert tops == totals["reps"].tolist()
    exercise_total = plot_weekly_volume(bp.weekly_volume(progressing, catalogue), by=None)
    assert [p.get_height() for p in exercise_total.containers[0]] == totals["reps"].tolist()


def test_bad_arguments_say_what_is_allowed(beginner_plan, catalogue) -> None:
    volume = bp.weekly_volume(beginner_plan, catalogue)
    with pytest.raises(ValueError, match="reps, hold_seconds, sessions"):
        plot_weekly_volume(volume, metric="minutes")
    with pytest.raises(ValueError, match="by='target'"):
        plot_weekly_volume(volume, by="target")
    with pytest.raises(ValueError, match="'exercise', 'target' or None"):
        plot_weekly_volume(volume, by="muscle")


def test_compare_plans_puts_weekly_totals_side_by_side(progressing, catalogue) -> None:
    plain = bp.build_plan(catalogue, "beginners", start_date=START, weeks=5)
    ax = compare_plans({"Beginners": plain, "With progression": progressing}, catalogue=catalogue)
    assert [c.get_label() for c in ax.containers] == ["Beginners", "With progression"]
    for container, plan in zip(ax.containers, [plain, progressing], strict=True):
        totals = bp.weekly_volume(plan, catalogue, by=None)["reps"].tolist()
        assert [p.get_height() for p in container] == totals
    first, second = ([p.get_x() for p in c] for c in ax.containers)
    assert all(a < b for a, b in zip(first, second, strict=True))  # side by side, not stacked
    assert ax.get_ylabel() == "Repetitions per week"
    held = compare_plans([plain, progressing], labels=["A", "B"], metric="hold_seconds")
    assert [p.get_height() for p in held.containers[0]] == bp.weekly_volume(plain, by=None)[
        "hold_seconds"
    ].tolist()
    assert [c.get_label() for c in compare_plans([plain, plain]).containers] == [
        "Plan 1",
        "Plan 2",
    ]


def test_compare_plans_needs_two_plans_and_matching_labels(beginner_plan) -> None:
    with pytest.raises(ValueError, match="two or more"):
        compare_plans([beginner_plan])
    with pytest.raises(ValueError, match="2 plans"):
        compare_plans([beginner_plan, beginner_plan], labels=["only one"])


def test_redraw_resizes_bars_in_place_or_draws_afresh(catalogue) -> None:
    one = bp.build_plan(catalogue, "beginners", ["heel-raises"], start_date=START, weeks=3)
    two = bp.build_plan(catalogue, "beginners", ["heel-raises"], start_date=START, weeks=3, reps=12)
    _, ax = plt.subplots()
    redraw_weekly_volume(bp.weekly_volume(one), "reps", "exercise", ax)
    patches = list(ax.patches)
    redraw_weekly_volume(bp.weekly_volume(two), "reps", "exercise", ax)
    assert list(ax.patches) == patches
    assert [p.get_height() for p in ax.patches] == [84.0] * 3
    longer = bp.build_plan(catalogue, "beginners", ["heel-raises"], start_date=START, weeks=4)
    redraw_weekly_volume(bp.weekly_volume(longer), "reps", "exercise", ax)
    assert len(ax.containers) == 1 and [p.get_height() for p in ax.patches] == [70.0] * 4


def test_body_areas_add_up_to_the_plan_and_list_only_areas_with_bars(catalogue) -> None:
    """Issue 27: the form's chart jumped from 588 to 1,176 reps when split by body area,
    and its legend listed 'ankles' with no bar."""
    plan = bp.build_plan(catalogue, "beginners", start_date="2026-01-05", weeks=4)
    whole = bp.weekly_volume(plan, catalogue, by=None).set_index("week")
    by_area = bp.weekly_volume(plan, catalogue, by="target")
    for metric in ("reps", "hold_seconds", "sessions"):
        summed = by_area.groupby("week")[metric].sum()
        assert summed.tolist() == whole[metric].tolist(), metric
        ax = plot_weekly_volume(by_area, metric=metric, by="target")
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        shown = by_area.groupby("target")[metric].sum()
        assert set(labels) == set(shown[shown > 0].index), metric
        plt.close(ax.figure)
