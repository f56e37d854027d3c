"""Benchmark: adherence from the clinic's own files (CSV, Parquet) against DuckDB SQL.

The path a clinic takes: a log file on disk -> every row checked -> sums -> the report's
tables. The baseline is DuckDB SQL reading the same file and doing the same checks (known
patient and exercise, a real date inside the plan, whole counts 0-10000, both or neither
of sets and reps, pain 0-10), listing the rejected rows with a reason and making the same
sums (sessions and reps per prescription row, adherence per patient). The two sides take
turns, so a busy machine slows both alike, DuckDB in a forked child process (see
``_child.py`` for why); numbers must agree.

Four cases: CSV and Parquet, all rows good and 10% bad rows.

Run: ``.venv/bin/python benchmarks/adherence_files.py [--patients 3000] [--repeat 9]``
Targets: ours / DuckDB <= 1.5 for each file; 10% bad <= 1.2 x all good (ours).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from _child import Child
from adherence import build

import backplan as bp

SQL = """
WITH raw AS (
    SELECT * FROM {source}),
rx AS (
    SELECT patient, exercise, week, start_date::DATE AS start_date, sets, reps,
           sessions_per_day * days_per_week AS p_sessions,
           sets * reps * sessions_per_day * days_per_week AS p_reps
    FROM rx_frame),
plans AS (SELECT patient, min(start_date) AS start_date, max(week) AS weeks FROM rx GROUP BY 1),
known AS (SELECT unnest($exercises) AS exercise),
typed AS (
    SELECT r.patient, r.exercise, p.start_date, p.weeks,
           {day} AS day,
           {blank_sets} AS sets_blank, {blank_reps} AS reps_blank, {blank_pain} AS pain_blank,
           TRY_CAST(r.sets_done AS DOUBLE) AS sets_done,
           TRY_CAST(r.reps_done AS DOUBLE) AS reps_done,
           TRY_CAST(r.pain AS DOUBLE) AS pain,
           k.exercise IS NOT NULL AS known_exercise
    FROM raw r LEFT JOIN plans p ON p.patient = r.patient
               LEFT JOIN known k ON k.exercise = r.exercise),
checked AS (
    SELECT *, date_diff('day', start_date, day) AS offset,
        CASE
          WHEN patient IS NULL OR exercise IS NULL OR day IS NULL THEN 'missing or bad value'
          WHEN NOT known_exercise THEN 'unknown exercise'
          WHEN start_date IS NULL THEN 'unknown patient'
          WHEN sets_blank <> reps_blank THEN 'only one of sets_done and reps_done'
          WHEN NOT sets_blank AND (sets_done IS NULL OR sets_done < 0 OR sets_done > 10000
               OR sets_done <> floor(sets_done)) THEN 'bad count'
          WHEN NOT reps_blank AND (reps_done IS NULL OR reps_done < 0 OR reps_done > 10000
               OR reps_done <> floor(reps_done)) THEN 'bad count'
          WHEN NOT pain_blank AND (pain IS NULL OR pain < 0 OR pain > 10) THEN 'bad pain'
          WHEN date_diff('day', start_date, day) < 0 THEN 'date before plan start'
          WHEN date_diff('day', start_date, day) >= 7 * weeks THEN 'date after plan end'
        END AS reason
    FROM typed),
matched AS MATERIALIZED (
    SELECT c.*, rx.week AS rx_week, rx.sets AS rx_sets, rx.reps AS rx_reps
    FROM checked c LEFT JOIN rx ON rx.patient = c.patient AND rx.exercise = c.exercise
         AND rx.week = c.offset // 7 + 1 AND c.reason IS NULL),
rejected AS (
    SELECT patient, exercise, day, coalesce(reason, 'exercise not prescribed that week') AS reason
    FROM matched WHERE reason IS NOT NULL OR rx_week IS NULL),
done AS (
    SELECT patient, rx_week AS week, exercise, count(*) AS sessions_done,
           sum(CASE WHEN sets_blank THEN rx_sets * rx_reps ELSE sets_done * reps_done END)
             AS reps_done
    FROM matched WHERE reason IS NULL AND rx_week IS NOT NULL GROUP BY ALL),
ex AS (
    SELECT rx.patient, rx.week, rx.start_date,
           least(1.0, coalesce(done.reps_done, 0) / rx.p_reps) AS dose_adherence
    FROM rx LEFT JOIN done USING (patient, week, exercise)),
wk AS (
    SELECT patient, week, avg(dose_adherence) AS adherence,
           any_value(start_date) + CAST(7 * week - 1 AS INTEGER) <= $as_of AS ended
    FROM ex GROUP BY patient, week)
SELECT patient, avg(adherence) FILTER (WHERE ended) AS adherence,
       (SELECT count(*) FROM rejected) AS rejected
FROM wk GROUP BY patient ORDER BY patient
"""


def _sql(path: Path) -> str:
    if path.suffix == ".csv":
        source = f"read_csv('{path}', all_varchar = true, header = true)"
        day = "try_strptime(r.date, '%Y-%m-%d')::DATE"

        def blank(c: str) -> str:
            return f"coalesce(trim(r.{c}), '') = ''"
    else:
        source = f"read_parquet('{path}')"
        day = "r.date::DATE"

        def blank(c: str) -> str:
            return f"r.{c} IS NULL"

    return SQL.format(source=source, day=day, blank_sets=blank("sets_done"),
                      blank_reps=blank("reps_done"), blank_pain=blank("pain"))  # fmt: skip


def duckdb_files(path: Path, rx: pd.DataFrame, as_of: object, exercises: list[str]) -> pd.DataFrame:
    con = duckdb.connect()
    con.register("rx_frame", rx)
    return con.execute(_sql(path), {"as_of": as_of, "exercises": exercises}).df()


def spoil(logs: pd.DataFrame, share: float, seed: int = 3) -> pd.DataFrame:
    """A copy with ``share`` of the rows made bad in one of several ways."""
    rng = np.random.default_rng(seed)
    out = logs.copy()
    bad = np.flatnonzero(rng.random(len(out)) < share)
    kind = rng.integers(0, 5, len(bad))
    for k, column, value in (
        (0, "exercise", "no-such-exercise"),
        (1, "pain", 11.0),
        (2, "reps_done", -3),
        (3, "patient", "SYN-NOPLAN"),
    ):
        rows = bad[kind == k]
        if column in ("exercise", "patient"):
            out[column] = out[column].cat.add_categories([value])
        out.loc[rows, column] = value
    out.loc[bad[kind == 4], "date"] = pd.Timestamp("2030-01-01")
    return out


def write(logs: pd.DataFrame, folder: Path, name: str) -> tuple[Path, Path]:
    csv = folder / f"{name}.csv"
    text = logs.assign(date=logs["date"].dt.strftime("%Y-%m-%d"))
    text.to_csv(csv, index=False)
    parquet = folder / f"{name}.parquet"
    logs.assign(date=logs["date"].astype("datetime64[s]"),
                patient=logs["patient"].astype(str),
                exercise=logs["exercise"].astype(str)).to_parquet(parquet, index=False)  # fmt: skip
    return csv, parquet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)
    rx, logs = build(args.patients)
    rx = bp.prescription_table(rx)
    as_of = logs["date"].max()
    exercises = bp.load_catalogue()["id"].tolist()
    print(f"{args.patients} patients, {len(rx):,} prescription rows, {len(logs):,} log rows")
    ok = True
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for label, frame in (("all good", logs), ("10% bad", spoil(logs, 0.10))):
            csv, parquet = write(frame, Path(tmp), label.replace(" ", "_").replace("%", ""))
            files[f"CSV, {label}"] = csv
            files[f"Parquet, {label}"] = parquet
        best: dict[str, list[float]] = {name: [float("inf")] * 2 for name in files}
        results: dict[str, tuple] = {}
        duckdb_side = Child(lambda path: duckdb_files(path, rx, as_of.date(), exercises))
        for _ in range(args.repeat):  # every case and both sides alternate, round by round
            for name, path in files.items():
                report = duck = None  # free the last case's results outside the timings
                t0 = time.perf_counter()
                report = bp.adherence(path, rx, as_of=as_of)
                ours_s = time.perf_counter() - t0
                duck_s, duck = duckdb_side(path)
                best[name] = [min(best[name][0], ours_s), min(best[name][1], duck_s)]
                results[name] = (report, duck)
        duckdb_side.close()
        for name, (report, duck) in results.items():
            ours_s, duck_s = best[name]
            ours = report.by_patient.set_index("patient")["adherence"]
            theirs = duck.set_index("patient")["adherence"].reindex(ours.index).to_numpy(float)
            agree = np.allclose(ours.to_numpy(), theirs, rtol=0, atol=1e-12, equal_nan=True)
            agree &= int(duck["rejected"].iloc[0]) == len(report.rejected)
            ok &= bool(agree)
            times[name] = ours_s
            print(f"{name:22s} rows {report.rows_read:,} rejected {len(report.rejected):,}: "
                  f"ours {ours_s:.2f} s, DuckDB {duck_s:.2f} s, ratio {ours_s / duck_s:.2f} "
                  f"(target <= 1.5); numbers agree: {agree}")  # fmt: skip
    for kind in ("CSV", "Parquet"):
        ratio = times[f"{kind}, 10% bad"] / times[f"{kind}, all good"]
        print(f"{kind}: 10% bad / all good (ours) = {ratio:.2f} (target <= 1.2)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
