"""How plan loading scales: a saved plan with many prescriptions against plain ``json.loads``.

Loads one saved plan of N prescriptions (default 40,000; each a distinct exercise id) with
:func:`backplan.plan_from_json` and, in the same run, parses the same text with the
standard library's ``json.loads`` (the baseline: reading without any checks). Prints both
times and the ratio at N and at N/4, so a quadratic step shows as a ratio that grows about
fourfold between the two sizes.

Before issue 10 the duplicate-exercise check used ``list.count`` and 40,000 prescriptions
took about 12 s. Targets: load of 40,000 prescriptions < 2 s, ratio growth N/4 -> N < 2 (4 means quadratic).

Run: ``.venv/bin/python benchmarks/plan_load.py [N]``
"""

from __future__ import annotations

import json
import sys
import time

import backplan as bp

TARGET_S, TARGET_GROWTH = 2.0, 2.0


def _text(n: int) -> str:
    prescriptions = [{"exercise": f"exercise-{i}", "reps": 1 + i % 50} for i in range(n)]
    return json.dumps(
        {
            "schema_version": 1,
            "start_date": "2026-01-05",
            "weeks": 6,
            "prescriptions": prescriptions,
        }
    )


def _best(fn, text: str, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - start)
    return min(times)


def main(n: int) -> int:
    ratios = {}
    for size in (n // 4, n):
        text = _text(size)
        ours, base = _best(bp.plan_from_json, text), _best(json.loads, text)
        ratios[size] = ours / base
        print(
            f"{size:>7} prescriptions: plan_from_json {ours:.3f} s, json.loads {base:.3f} s, ratio {ratios[size]:.1f}"
        )
    growth = ratios[n] / ratios[n // 4]
    print(f"ratio growth {n // 4} -> {n}: {growth:.2f} (target < {TARGET_GROWTH}; 4 = quadratic)")
    ok = growth < TARGET_GROWTH and ours < TARGET_S
    print("OK" if ok else "MISSED TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 40_000))
