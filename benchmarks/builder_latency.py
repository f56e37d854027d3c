"""How long the plan builder takes to answer a change, against the 100 ms budget.

About 100 ms is the limit within which people perceive a response as instant (Card, Moran
and Newell; Nielsen's response-time limits). This script changes one control of a
:class:`backplan.ui.PlanBuilder` at a time, in process, and times each change until the
preview table and the weekly-volume chart have both been rendered again (the refresh runs
synchronously inside the change). It prints the median of 50 changes as a ratio of that
budget: 1.0 or less meets the target.

Run: ``.venv/bin/python benchmarks/builder_latency.py``
"""

from __future__ import annotations

import statistics
import time
from datetime import date

import matplotlib

matplotlib.use("Agg")

import backplan as bp
from backplan.ui import PlanBuilder

BUDGET_S = 0.100
BASELINE = "100 ms perceptual budget"
CHANGES = 50


def _time_change(builder: PlanBuilder, control: object, value: object) -> tuple[float, float]:
    """Wall and CPU seconds from setting ``control.value`` until the preview shows it."""
    before = (builder.preview_table.value, builder.chart.value)
    start, cpu = time.perf_counter(), time.process_time()
    control.value = value  # type: ignore[attr-defined]
    elapsed = (time.perf_counter() - start, time.process_time() - cpu)
    after = (builder.preview_table.value, builder.chart.value)
    if builder.problem is not None or after[0] == before[0] or after[1] == before[1]:
        raise SystemExit(f"setting {value!r} did not refresh the preview: {builder.problem}")
    return elapsed


def main() -> None:
    cat = bp.load_catalogue()
    plan = bp.build_plan(cat, "beginners", start_date=date(2026, 1, 5), weeks=6)
    builder = PlanBuilder(cat, plan)
    ids = [p.exercise for p in plan.prescriptions]
    fields = ("reps", "sets", "sessions_per_day")
    # Dose changes, the common case: each exercise's reps, sets or sessions a day goes one
    # up, then back down on its next turn. The first five warm caches and are not counted.
    times = []
    for i in range(CHANGES + 5):
        field = fields[(i // len(ids)) % len(fields)]
        box = builder.dose[ids[i % len(ids)]][field]
        start = getattr(plan.prescriptions[i % len(ids)], field)
        times.append(_time_change(builder, box, start + 1 if box.value == start else start))
    times = times[5:]
    wall = statistics.median(t[0] for t in times)
    cpu = statistics.median(t[1] for t in times)
    # A longer or shorter plan reshapes the chart, which is then drawn from scratch.
    reshape = [_time_change(builder, builder.weeks, 7 if i % 2 == 0 else 6) for i in range(10)]
    print(
        f"builder refresh after a dose change: median {wall * 1000:.1f} ms of {len(times)} "
        f"(CPU time {cpu * 1000:.1f} ms; more wall than CPU time means a busy machine)"
    )
    print(
        "builder refresh after a weeks change (chart drawn afresh): median "
        f"{statistics.median(t[0] for t in reshape) * 1000:.1f} ms of {len(reshape)}"
    )
    print(
        f"ratio to the {BASELINE} ({BUDGET_S * 1000:.0f} ms): {wall / BUDGET_S:.2f} (target <= 1.0)"
    )


if __name__ == "__main__":
    main()
