"""Benchmark: ``backplan review`` (the clinic-meeting page) against the adherence report.

The path a clinic takes: a folder of saved plans and a logs CSV on disk, to the finished
HTML page. A synthetic cohort (``backplan.synthetic_cohort``) is written to a temporary
folder; the baseline is ``report_from_files`` (what ``backplan adherence`` does on the same
files); ours is ``write_review_meeting`` (what ``backplan review`` does), which reviews every
patient's latest week on top of one adherence report.

Run: ``.venv/bin/python benchmarks/review.py [--patients N] [--repeat R]``
Target: ratio ours / baseline <= 2.0 (reviewing must not cost more than a second report).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import backplan as bp
from backplan.demo import write_demo
from backplan.logs import report_from_files
from backplan.triage.cohort import write_review_meeting


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_demo(Path(tmp) / "cohort", n_patients=args.patients, weeks=8, seed=3)
        logs, plans = folder / "logs.csv", folder / "plans"
        rows = sum(1 for _ in logs.open()) - 1
        base = best(lambda: report_from_files(logs, plans, Path(tmp) / "report.html"), args.repeat)
        ours = best(
            lambda: write_review_meeting(logs, plans, Path(tmp) / "review.html"), args.repeat
        )
        table = write_review_meeting(logs, plans, Path(tmp) / "review.html")
    print(f"backplan {bp.__version__}: {args.patients} patients, {rows} log rows (synthetic)")
    print(f"baseline report_from_files (backplan adherence): {base:.2f} s")
    print(f"ours write_review_meeting (backplan review):     {ours:.2f} s")
    print(f"ratio ours / baseline: {ours / base:.2f} (target <= 2.0)")
    print("decisions:", table["decision"].value_counts().to_dict())


if __name__ == "__main__":
    main()
