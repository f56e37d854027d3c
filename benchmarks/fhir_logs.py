"""Benchmark: reading exercise logs from a FHIR Bundle file, against bare R4B validation.

The synthetic demo cohort's accepted log rows are written as a Bundle of Observations (and
the patients' Patients) to a JSON file. We time the path a user takes,
``bp.fhir.logs_from_fhir(path, plans)`` (read, validate every entry with the R4B models and
R4's required codes, check modifiers, units and the patient reference, check every row),
against the baseline of only loading the same file and validating each resource with
``fhir.resources`` (the floor the validation requirement sets). It prints seconds for each
and the ratio ours / baseline.

Run: ``.venv/bin/python benchmarks/fhir_logs.py [--patients N]``
Target: ratio <= 2.0 (checking rows and mapping paths adds at most as much again).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from fhir.resources.R4B import get_fhir_model_class

import backplan as bp


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=24)
    args = parser.parse_args()
    cohort = bp.synthetic_cohort(n_patients=args.patients)
    rows = bp.read_logs(cohort.logs, cohort.plans).accepted
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "logs.json"
        path.write_text(json.dumps(bp.fhir.logs_to_fhir(rows, cohort.plans)))
        start = time.perf_counter()
        for entry in json.loads(path.read_text())["entry"]:
            get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(
                entry["resource"]
            )
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        table = bp.fhir.logs_from_fhir(path, cohort.plans)
        ours = time.perf_counter() - start
    assert len(table.accepted) == len(rows), table
    ratio = ours / baseline
    print(f"{len(rows)} Observations (SYNTHETIC), from a JSON file")
    print(f"baseline (load + fhir.resources R4B validation only): {baseline:.2f} s")
    print(f"bp.fhir.logs_from_fhir (validate + read_logs + paths): {ours:.2f} s")
    print(f"ratio ours / baseline: {ratio:.2f} (target <= 2.0)")
    return 0 if ratio <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
