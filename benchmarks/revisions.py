"""How ``revise`` scales with a plan's revision history, against reading the same plan back.

Builds a 52-week plan with a move to the next level, then adds N revisions (default 999,
the most a plan can hold), out of order (later weeks first) and every third one holding the
patient at their level, as a busy year of weekly reviews would. At N/4 and at N it times
one more :func:`backplan.revise` and, in the same run, ``json.loads`` of the same plan's
saved text (the baseline: one pass over the whole plan, linear in its size). A revise that
is linear in the history keeps the ratio about level between the two sizes; a quadratic
one grows it about fourfold.

Before issue 21, 999 such revisions took 276 s in all, and every revise after the 121st
failed (its summary outgrew its own 5,000-character field). Targets: the ratio grows less
than 2x from N/4 to N, and all N revisions are made in under 60 s.

Run: ``.venv/bin/python benchmarks/revisions.py [N]``
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime

from review import best  # the same best-of-N timer as the review benchmark

import backplan as bp

TARGET_GROWTH, TARGET_TOTAL_S = 2.0, 60.0
WHEN = datetime(2026, 1, 5, 9, 0)


def _step(plan: bp.Plan, i: int, cat) -> bp.Plan:
    return bp.revise(plan, 39 - i % 35, {"heel-raises": {"reps": 5 + i % 20}}, why="review",
                     by="A. Physio", when=WHEN, hold_level=i % 3 == 0, catalogue=cat)  # fmt: skip


def main(n: int) -> int:
    cat = bp.load_catalogue()
    plan = bp.build_plan(cat, "beginners", ["heel-raises", "wall-squats"], patient="Bench",
                         start_date="2026-01-05", weeks=52,
                         progression=[bp.next_level(cat, 40)])  # fmt: skip
    ratios = {}
    start = time.perf_counter()
    for i in range(n):
        if i + 1 in (n // 4, n):
            text = bp.plan_to_json(plan)
            ours = best(lambda p=plan, i=i: _step(p, i, cat), 3)
            base = best(lambda t=text: json.loads(t), 3)
            ratios[i + 1] = ours / base
            print(f"{i:>5} revisions: one more revise {ours * 1000:.1f} ms, json.loads "
                  f"{base * 1000:.1f} ms, ratio {ratios[i + 1]:.2f}")  # fmt: skip
        plan = _step(plan, i, cat)
    total = time.perf_counter() - start
    growth = ratios[n] / ratios[n // 4]
    longest = max(len(r.what) for r in plan.revisions)
    print(f"{n} revisions in {total:.1f} s (target < {TARGET_TOTAL_S:.0f} s; was 276 s); "
          f"longest summary {longest} characters")  # fmt: skip
    missed = [what for what, bad in (("ratio growth", growth >= TARGET_GROWTH),
                                     ("total time", total >= TARGET_TOTAL_S)) if bad]  # fmt: skip
    print(f"ratio growth {n // 4} -> {n}: {growth:.2f} (target < {TARGET_GROWTH}; 4 = quadratic)")
    print(f"MISSED TARGET: {', '.join(missed)}" if missed else "OK")
    return int(bool(missed))


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 999))
