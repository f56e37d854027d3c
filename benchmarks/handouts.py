"""How fast backplan writes printed handouts, against a plain ReportLab table document.

Writes 200 PDF handouts with pictures (200 synthetic patients, 6-week plans that progress and
move to the more advanced level) and, in the same run, 200 "plain ReportLab table"
documents: the same words and diary cells as plain strings in ReportLab tables, with the
same embedded font, no styling, pictures, wrapping or page numbers. Prints milliseconds per
handout and the ratio. Then writes the 200 handouts with ``export_handouts`` in one process
and on every core, and prints the speed-up.

Targets on a 2-core machine: <= 30 ms per handout, ratio <= 2.0, speed-up >= 1.6 on 2 cores.

Then what a bilingual handout costs: the same plans in Polish, Welsh and Arabic (each part
in that language, then in English; Arabic right to left), timed against the English one of
the same plan in the same run, for the report (no target: the handout holds twice the text,
and every Arabic word is shaped by HarfBuzz and drawn glyph by glyph).

Run: ``.venv/bin/python benchmarks/handouts.py [N]``
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import backplan as bp
from backplan.handout.content import Handout, handout_content
from backplan.handout.pdf import BOLD, REGULAR, register_fonts, render_pdf
from backplan.words import TEXT, day_label

TARGET_MS, TARGET_RATIO, TARGET_SPEEDUP = 30.0, 2.0, 1.6
NAMES = ["Zoë Ñúñez-O'Brien", "Siobhán Ní Bhriain", "Ana Lopes", "Tomasz Wiśniewski", "J. Smith"]


def plans(n: int) -> list[bp.Plan]:
    """``n`` synthetic plans: mixed exercise choices and doses, fixed dates (no randomness)."""
    cat = bp.load_catalogue()
    beginners = list(cat.loc[cat.level == "beginners", "id"])
    advanced = list(cat.loc[cat.level == "more advanced", "id"])
    out = []
    for i in range(n):
        exercises = beginners[i % 3 :] if i % 2 else beginners
        rules: list[bp.AddDose | bp.NextLevel] = [
            bp.AddDose(what="reps", amount=1 + i % 2, every_weeks=1 + i % 2, cap=20)
        ]
        if i % 3 == 0:
            rules.append(bp.next_level(cat, 4, exercises=advanced[: 3 + i % 3]))
        out.append(
            bp.build_plan(
                cat,
                "beginners",
                exercises,
                patient=f"{NAMES[i % len(NAMES)]} (synthetic {i:03d})",
                clinician="Synthetic physio",
                start_date=date(2026, 1, 5) + timedelta(days=i % 7),
                weeks=6,
                notes="Synthetic demo plan.",
                progression=rules,
                sessions_per_day=1 + i % 3,
            )
        )
    return out


def plain_table_pdf(h: Handout, path: Path) -> None:
    """The baseline: the handout's words as plain strings in ReportLab tables."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import simpleSplit
    from reportlab.platypus import PageBreak, SimpleDocTemplate, Table

    lines = [TEXT["title"], h.clinic, h.clinician, h.patient, str(h.start), h.notes, *h.credits]
    for section in (*h.safety, *h.advice):
        lines += [section.heading, *section.items]
    for b in (*h.blocks, *h.next_blocks):
        lines += [b.name, b.position, *b.steps, b.dose, b.easier, *b.later]
    width = landscape(A4)[0] - 72 * 2  # SimpleDocTemplate's default 1-inch margins
    cells = [["\n".join(simpleSplit(line, REGULAR, 14, width))] for line in lines]
    story = [Table(cells, style=[("FONT", (0, 0), (-1, -1), REGULAR, 14)])]
    for week in h.diary:
        rows = [
            ["", *(name for _, name in week.exercises), ""],
            ["", *(e for e, _ in week.exercises), ""],
        ]
        rows += [
            [day_label(day), *("☐ " * week.boxes[i][d] for i in range(len(week.exercises))), ""]
            for d, day in enumerate(week.days)
        ]
        story += [PageBreak(), Table(rows, style=[("FONT", (0, 0), (-1, -1), BOLD, 12)])]
    SimpleDocTemplate(str(path), pagesize=landscape(A4), invariant=1).build(story)


def main(n: int = 200) -> int:
    register_fonts()
    contents = [handout_content(p) for p in plans(n)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # warm up both (font loading, caches) so neither pays a one-off cost in the timing
        render_pdf(contents[0], folder / "warm.pdf")
        plain_table_pdf(contents[0], folder / "warm-plain.pdf")
        # interleaved, so that load from other programs falls on both alike
        ours_s, base_s, ours_cpu, base_cpu = [], [], [], []
        for i, (plan, h) in enumerate(zip(plans(n), contents, strict=True)):
            t0, c0 = time.perf_counter(), time.process_time()
            bp.handout.to_pdf(plan, folder / f"handout-{i:03d}.pdf")
            t1, c1 = time.perf_counter(), time.process_time()
            plain_table_pdf(h, folder / f"plain-{i:03d}.pdf")
            t2, c2 = time.perf_counter(), time.process_time()
            ours_s.append(t1 - t0)
            base_s.append(t2 - t1)
            ours_cpu.append(c1 - c0)
            base_cpu.append(c2 - c1)
    ours, base = 1000 * statistics.mean(ours_s), 1000 * statistics.mean(base_s)
    cpu_ours, cpu_base = 1000 * statistics.mean(ours_cpu), 1000 * statistics.mean(base_cpu)
    ratio = ours / base
    speedup, cores, share = parallel_speedup(plans(n))
    print(f"handouts written: {n} (6-week plans with pictures, A4, clear print)")
    print(f"backplan.handout.to_pdf: {ours:.1f} ms per handout (target <= {TARGET_MS:.0f})")
    print(f"baseline 'plain ReportLab table': {base:.1f} ms per handout")
    print(f"ratio: {ratio:.2f} (target <= {TARGET_RATIO:.1f})")
    print(
        f"CPU time (less affected by other programs): {cpu_ours:.1f} vs {cpu_base:.1f} ms, "
        f"ratio {cpu_ours / cpu_base:.2f}"
    )
    print(
        f"export_handouts, {n} PDFs: {speedup:.2f}x faster on {cores} cores than in one "
        f"process (target >= {TARGET_SPEEDUP} on 2 cores); the workers got {share:.2f} "
        f"cores' worth of CPU (the rest went to other programs)"
    )
    fast = speedup >= TARGET_SPEEDUP or cores < 2
    costs = bilingual_cost(plans(max(n // 4, 10)))
    for code, (ms, times, pages) in costs.items():
        print(f"bilingual handout in {code}: {ms:.1f} ms CPU, {times:.2f}x the English one of "
              f"the same plan, {pages:.1f}x its pages")  # fmt: skip
    return 0 if ours <= TARGET_MS and ratio <= TARGET_RATIO and fast else 1


def bilingual_cost(items: list[bp.Plan]) -> dict[str, tuple[float, float, float]]:
    """Per language: ms per bilingual handout, its time over the English one's and its
    pages over the English one's (same plans, interleaved, after a warm-up)."""
    from pypdf import PdfReader

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for code in ("pl", "cy", "ar"):
            bp.handout.to_pdf(items[0], folder / "warm.pdf", language=code)
            ours, english, pages = [], [], []
            for i, plan in enumerate(items):
                t0 = time.process_time()
                a = bp.handout.to_pdf(plan, folder / f"{code}-{i}.pdf", language=code)
                t1 = time.process_time()
                b = bp.handout.to_pdf(plan, folder / f"en-{i}.pdf", language="en")
                t2 = time.process_time()
                ours.append(t1 - t0)
                english.append(t2 - t1)
                pages.append(len(PdfReader(a).pages) / len(PdfReader(b).pages))
            mean = statistics.mean
            out[code] = (1000 * mean(ours), mean(ours) / mean(english), mean(pages))
    return out


def parallel_speedup(items: list[bp.Plan]) -> tuple[float, int, float]:
    """Wall time of export_handouts in one process over its time on every core, and how
    many cores' worth of CPU the run actually got while on every core (other programs
    share the machine)."""
    import os

    from backplan.handout.batch import default_workers

    cores = default_workers()
    times: dict[int, float] = {}
    share = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, cores, 1, cores):  # twice each, alternating; keep the best
            t0, c0 = time.perf_counter(), os.times()
            done = bp.handout.export_handouts(
                items, Path(tmp) / str(workers), progress=False, workers=workers
            )
            elapsed, c1 = time.perf_counter() - t0, os.times()
            assert (done["status"] == "ok").all()
            if elapsed < times.get(workers, float("inf")):
                times[workers] = elapsed
                if workers == cores:
                    used = (c1.children_user + c1.children_system) - (
                        c0.children_user + c0.children_system
                    )
                    share = used / elapsed
    return times[1] / times[cores], cores, share


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
