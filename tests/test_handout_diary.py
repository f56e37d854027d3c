"""The pen diary's round trip: what the patient ticks, typed in as the clinic page says, is
read back by ``read_logs`` against the plan with every row accepted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from pypdf import PdfReader

import backplan as bp
from backplan.handout.content import handout_content
from backplan.words import CLINIC_TEXT


def test_ticked_diary_typed_back_is_accepted_by_read_logs(tmp_path: Path) -> None:
    cat = bp.load_catalogue()
    plan = bp.build_plan(
        cat,
        "beginners",
        ["heel-slides", "wall-squats"],
        patient="Synthetic patient D",
        start_date=date(2026, 1, 5),
        weeks=2,
        per_exercise={"heel-slides": {"sessions_per_day": 2}, "wall-squats": {"days_per_week": 3}},
    )
    pdf = bp.handout.to_pdf(plan, tmp_path / "h.pdf")
    clinic_page = PdfReader(pdf).pages[-1].extract_text()
    h = handout_content(plan)
    # the clinic page names every column the log file needs, in plain words
    for column in ("patient", "date", "exercise", "sets_done and reps_done", "pain", "note"):
        assert f"{column}:" in " ".join(clinic_page.split())
    rows = []
    for week in h.diary:  # the patient ticked every box and wrote pain 3 and a note
        for e, (code, _) in enumerate(week.exercises):
            for d, day in enumerate(week.days):
                for _ in range(week.boxes[e][d]):
                    rows.append(
                        {
                            "patient": h.patient,
                            "date": day.isoformat(),
                            "exercise": code,
                            "sets_done": "",
                            "reps_done": "",
                            "pain": 3,
                            "note": "stiff" if d == 0 else "",
                        }
                    )
    typed = tmp_path / "diary.csv"
    pd.DataFrame(rows).to_csv(typed, index=False)
    logs = bp.read_logs(typed, [plan])
    assert logs.rejected.empty
    assert len(logs.accepted) == len(rows) == 2 * (7 * 2 + 3)  # 2 weeks: 14 + 3 ticks
    assert CLINIC_TEXT["page_title"] in clinic_page
