"""Benchmark: the clinic's whole path, as a user runs it, against DuckDB on the same files.

``backplan adherence LOGS -p PLANS_DIR -o report.html|.xlsx`` is run as a command (a new
process each time: start-up, imports, reading 5,000 saved plans, reading and checking
about a million log rows, the measures and the report), from a CSV and from a Parquet
log. The baseline, in the same run: loading the same plan JSON files (``json.loads``) plus
DuckDB SQL doing the same checks and sums from the same log file (see
``adherence_files.py``), in a forked child process. Peak memory is each command's own
(``wait4``). The paths users take with small data are timed too: one patient's small file
with no plans (``read_logs``), and the report of a small clinic to every format.

Run: ``.venv/bin/python benchmarks/clinic_path.py [--patients 5000] [--repeat 3]``
Targets: .html <= 2 x baseline; .xlsx under 15 s; peak memory under 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from _child import Child
from adherence_files import duckdb_files, write

import backplan as bp

BIN = Path(sys.executable).with_name("backplan")


def run_cli(*args: str) -> tuple[float, float]:
    """Seconds and peak resident MB of one ``backplan`` command (it must succeed)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(BIN), *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"backplan {' '.join(args)} failed: {err}")
    return seconds, usage.ru_maxrss / 1024


def load_plan_json(folder: Path) -> int:
    """The baseline's share of reading plans: every file read and parsed as JSON."""
    return sum(len(json.loads(p.read_bytes())["prescriptions"]) for p in folder.glob("*.json"))


def small_paths(tmp: Path) -> None:
    """The paths users take with small data: one patient's own file, no plans; a small
    clinic's report to every format."""
    plans, logs = bp.synthetic_cohort(n_patients=24, weeks=8, seed=1)
    own = logs[logs["patient"] == logs["patient"].iloc[0]]
    path = tmp / "one.csv"
    own.to_csv(path, index=False)
    t0 = time.perf_counter()
    table = bp.read_logs(path)
    print(f"one patient's file ({table.rows_read} rows), no plans: "
          f"{1000 * (time.perf_counter() - t0):.0f} ms")  # fmt: skip
    t0 = time.perf_counter()
    report = bp.adherence(bp.read_logs(logs, plans), plans)
    print(f"24 patients, read_logs then adherence: {1000 * (time.perf_counter() - t0):.0f} ms")
    for name, write_it in (("html", lambda: report.to_html(tmp / "r.html")),
                           ("xlsx", lambda: report.to_xlsx(tmp / "r.xlsx")),
                           ("csv", lambda: report.to_csv(tmp / "r-csv"))):  # fmt: skip
        t0 = time.perf_counter()
        write_it()
        print(f"24 patients, to_{name}: {1000 * (time.perf_counter() - t0):.0f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=5_000)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    ok = True
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        small_paths(tmp)
        plans, logs = bp.synthetic_cohort(n_patients=args.patients, weeks=args.weeks, seed=7)
        folder = tmp / "plans"
        folder.mkdir()
        for plan in plans:
            bp.save_plan(plan, folder / f"{plan.patient}.json")
        t0 = time.perf_counter()
        grid = bp.logs.prescriptions.prescription_grid(plans)
        print(f"\n{len(plans):,} plans x {args.weeks} weeks expanded to "
              f"{len(grid.table):,} rows in {time.perf_counter() - t0:.3f} s "
              "(target well under 0.2 s)")  # fmt: skip
        rx = bp.prescription_table(plans)
        logs = logs.assign(patient=logs["patient"].astype("category"),
                           exercise=logs["exercise"].astype("category"),
                           date=pd.to_datetime(logs["date"]))  # fmt: skip
        csv, parquet = write(logs, tmp, "logs")
        as_of = logs["date"].max().date()
        exercises = bp.load_catalogue()["id"].tolist()
        print(f"{len(plans):,} saved plans, {len(logs):,} log rows\n")
        print(f"{'command':58s} {'ours':>7s} {'baseline':>9s} {'ratio':>6s} {'peak MB':>8s}")
        duck = Child(lambda path: duckdb_files(path, rx, as_of, exercises))
        for source in (csv, parquet):
            best = {"html": (float("inf"), 0.0), "xlsx": (float("inf"), 0.0)}
            base = float("inf")
            for _ in range(args.repeat):  # ours and the baseline take turns
                for kind in best:
                    out = tmp / f"report.{kind}"
                    seconds, peak = run_cli("adherence", str(source), "-p", str(folder),
                                            "-o", str(out), "--as-of", str(as_of))  # fmt: skip
                    best[kind] = min(best[kind], (seconds, peak))
                t0 = time.perf_counter()
                load_plan_json(folder)
                plans_s = time.perf_counter() - t0
                duck_s, _ = duck(source)
                base = min(base, plans_s + duck_s)
            for kind, (seconds, peak) in best.items():
                command = f"backplan adherence {source.name} -p plans/ -o report.{kind}"
                print(f"{command:58s} {seconds:6.2f}s {base:8.2f}s {seconds / base:6.2f} "
                      f"{peak:8.0f}")  # fmt: skip
                ok &= peak < 1536
                ok &= seconds / base <= 2.0 if kind == "html" else seconds < 15
        duck.close()
    print("\ntargets: .html <= 2.0 x baseline, .xlsx < 15 s, peak < 1536 MB:",
          "met" if ok else "NOT met")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
