"""Print-safe layout, read back from the PDF with pypdf: blocks kept whole, the safety box on
page 1, no near-empty page, a picture beside every exercise, one tick box of the right size
per prescribed session, and a diary week never split."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

import backplan as bp
from backplan._io.paths import data_dir
from backplan.handout.content import handout_content
from backplan.handout.pdf_style import MM, look
from backplan.settings import ClinicSettings
from backplan.words import TEXT, diary_heading, diary_name

SETTINGS = ClinicSettings(clinic="Riverside Physio", phone="01234 567890", physio="A. Physio")
VARIANTS = [
    ("beginners", 1, "A4", False),
    ("beginners", 3, "A4", True),  # Letter large print at 3 a day: see the 1-6 test below
    ("more advanced", 3, "A4", False),
    ("more advanced", 1, "letter", True),
]
LINE = re.compile(rb"[\d.\-]+ [\d.\-]+ m [\d.\-]+ [\d.\-]+ l S")
FILLED = re.compile(rb"[\d.\-]+ [\d.\-]+ l h B")  # a filled, outlined shape
RECT = re.compile(rb"([\d.\-]+) ([\d.\-]+) ([\d.\-]+) ([\d.\-]+) re")


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module", params=VARIANTS, ids=lambda v: "-".join(map(str, v)))
def handout(request, tmp_path_factory) -> tuple[bp.Plan, Path, bool]:
    level, sessions, size, large = request.param
    cat = bp.load_catalogue()
    plan = bp.build_plan(
        cat,
        level,
        patient="Zoë Ñúñez-O'Brien",
        clinician="Siobhán Ní Bhriain",
        start_date=date(2026, 3, 9),
        weeks=4,
        notes=" ".join(["Go gently at first and stop if the pain spreads down a leg."] * 6),
        sessions_per_day=sessions,
        per_exercise={cat.loc[cat.level == level, "id"].iloc[0]: {"days_per_week": 3}},
        progression=[bp.AddDose(what="reps", amount=1, every_weeks=2, cap=20)],
    )
    path = tmp_path_factory.mktemp("layout") / "h.pdf"
    bp.handout.to_pdf(plan, path, page_size=size, large_print=large, settings=SETTINGS)
    return plan, path, large


def _pages(path: Path) -> list[tuple[str, bytes]]:
    return [(_words(p.extract_text()), p.get_contents().get_data()) for p in PdfReader(path).pages]


def test_safety_box_is_whole_on_page_one(handout) -> None:
    _, path, _ = handout
    first = _pages(path)[0][0]
    advice = bp.load_advice()
    safety = advice.loc[advice.section.isin(["stop", "emergency", "urgent"]), "text"]
    for line in safety:
        assert _words(line) in first, line


def test_every_exercise_block_is_on_one_page_with_its_picture(handout) -> None:
    plan, path, _ = handout
    pages = _pages(path)
    h = handout_content(plan, settings=SETTINGS)
    for b in (*h.blocks, *h.next_blocks):
        heading = f"{b.number}. {b.name}"
        where = next(i for i, (text, _) in enumerate(pages) if heading in text)
        text, stream = pages[where]
        for part in (*b.steps, b.dose, *b.later):
            assert _words(part) in text, (heading, part)  # heading, steps, dose: one page
        assert len(FILLED.findall(stream)) >= 10, heading  # the picture's filled body parts
        if b.easier:  # with the steps, or (large print, no room for two pictures) whole
            apart = TEXT["easier_title"].format(number=b.number, name=b.name)  # on the next
            on = [i for i, (t, _) in enumerate(pages) if _words(b.easier) in t]
            assert on == [where] or (on == [where + 1] and apart in pages[where + 1][0]), on
            assert len(FILLED.findall(pages[on[0]][1])) >= 20, heading  # with its picture


def test_no_page_is_near_empty(handout) -> None:
    """Every page carries real content, not just a footer or a continuation line."""
    _, path, _ = handout
    footer = re.compile(r"Page \d+ of \d+")
    for i, (text, _) in enumerate(_pages(path), start=1):
        body = footer.sub("", text)
        for bit in ("Riverside Physio", "Phone: 01234 567890", "Siobhán Ní Bhriain", "Zoë"):
            body = body.replace(bit, "")
        assert len(body.split()) >= 40, f"page {i} holds almost nothing: {body[:80]!r}"


def _lowest_text(page) -> float:
    """The height (points from the bottom) of the lowest line above the footer."""
    ys: list[float] = []

    def visit(text, cm, tm, font, size):
        y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
        if text.strip() and y > 40 * MM:  # above the footer's three lines
            ys.append(y)

    page.extract_text(visitor_text=visit)
    return min(ys, default=float(page.mediabox.height))


def _used(page) -> float:
    """How full a page is: from the top margin down to its lowest line above the footer."""
    height = float(page.mediabox.height)
    return (height - 13 * MM - _lowest_text(page)) / (height - 13 * MM - 40 * MM)


def test_every_page_is_at_least_a_quarter_full(handout) -> None:
    """No page holds only a footer line or a scrap of text carried over."""
    _, path, _ = handout
    for i, page in enumerate(PdfReader(path).pages, start=1):
        used = _used(page)
        assert used >= 0.25, f"page {i} is {used:.0%} full"


@pytest.mark.parametrize(
    ("level", "count", "large", "size"),
    [("beginners", 6, True, "A4"), ("more advanced", 4, False, "A4"),
     ("more advanced", 5, True, "letter")],
    ids=["beginners-6-large", "advanced-4-clear", "advanced-5-large-letter"],
)  # fmt: skip
def test_no_page_but_the_last_is_under_a_third_full(level, count, large, size, tmp_path) -> None:
    """The advice never strands on a page of its own: once "If you are not getting better"
    had page 3 to itself in large print (the exercise blocks fill their pages), and in
    clear print the "more advanced" advice had page 2 (its first exercise too tall to
    follow it). Nor is a page left blank before a diary week that fills its page (Letter,
    large print). Read back from the PDF: the lowest line of text on each page."""
    cat = bp.load_catalogue()
    ids = [*cat.loc[cat.level == level, "id"], *cat.loc[cat.level != level, "id"]]
    plan = bp.build_plan(cat, level, ids[:count], patient="Zoë Ñúñez-O'Brien",
                         clinician="A. Physio", start_date=date(2026, 3, 9), weeks=6,
                         progression=[bp.AddDose(what="reps", amount=1, every_weeks=2, cap=20)])  # fmt: skip
    path = tmp_path / "h.pdf"
    # this clinic's name gives the frame height at which a full diary week once left a blank page
    clinic = SETTINGS.model_copy(update={"clinic": "Riverside Physio (synthetic)"})
    bp.handout.to_pdf(plan, path, large_print=large, page_size=size, settings=clinic)
    pages = PdfReader(path).pages
    full = [_used(page) for page in pages[:-1]]
    sparse = [f"page {i} is {f:.0%} full" for i, f in enumerate(full, start=1) if f < 1 / 3]
    assert not sparse, (sparse, f"of {len(pages)}")


def test_one_tick_box_per_prescribed_session_of_the_promised_size(handout) -> None:
    plan, path, large = handout
    side = (7.5 if large else 6.0) * MM
    assert side >= (7 if large else 5) * MM
    h = handout_content(plan, settings=SETTINGS)
    boxes = 0
    for text, stream in _pages(path):
        if any(diary_heading(w) in text for w in h.diary):
            rects = [tuple(map(float, m)) for m in RECT.findall(stream)]
            boxes += sum(
                1 for _, _, w, hh in rects if abs(w - side) < 0.01 and abs(hh - side) < 0.01
            )
    expected = sum(sum(sum(row) for row in week.boxes) for week in h.diary)
    assert boxes == expected > 0


def test_a_diary_week_is_never_split_and_dates_never_wrap(handout) -> None:
    plan, path, _ = handout
    pages = [t for t, _ in _pages(path)]
    for week in handout_content(plan, settings=SETTINGS).diary:
        # one page, or (large print with two pain columns) parts that are each a whole week
        on = [p for p in pages if diary_heading(week) in p]
        assert 1 <= len(on) <= 2 and all("(continued)" not in p for p in on)
        for day in week.days:
            label = f"{day:%a} {day.day} {day:%b}"
            assert all(label in page for page in on)  # the whole date on one line
        for dose in week.doses:
            assert any(dose in page for page in on)


def test_clinic_contact_and_credits_are_printed(handout) -> None:
    _, path, _ = handout
    pages = [t for t, _ in _pages(path)]
    assert all("01234 567890" in p and "Riverside Physio" in p for p in pages)
    text = " ".join(pages)
    assert "NHS Choices" in text and "medical review 6 September 2008" in text
    assert "Safety advice: from NHS advice on back pain" in text
    assert "sets_done" not in " ".join(pages[:-1])  # clinic words only on the clinic page


def test_a_step_longer_than_a_page_flows_on_without_a_crash(tmp_path: Path) -> None:
    table = pd.read_csv(data_dir() / "back-exercises.csv", dtype=str).fillna("")
    table.loc[0, "steps"] = " | ".join(["Lift your toes up and put them down slowly."] * 120)
    source = tmp_path / "clinic.csv"
    table.to_csv(source, index=False)
    cat = bp.load_catalogue(source)
    plan = bp.build_plan(cat, "beginners", ["ankle-lifts"], start_date="2026-01-05", weeks=1)
    out = bp.handout.to_pdf(plan, tmp_path / "long.pdf", catalogue=cat, large_print=True)
    text = _words(" ".join(p.extract_text() for p in PdfReader(out).pages))
    assert text.count("Lift your toes up and put them down slowly.") == 120


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, beginner_plan: bp.Plan) -> None:
    target = tmp_path / "h.pdf"
    target.write_bytes(b"old handout")
    broken = beginner_plan.model_copy(
        update={"prescriptions": (bp.Prescription(exercise="cartwheels", reps=5),)}
    )
    with pytest.raises(bp.PlanError):
        bp.handout.to_pdf(broken, target)
    assert target.read_bytes() == b"old handout"
    assert [p.name for p in tmp_path.iterdir()] == ["h.pdf"]  # no temporary file left


def test_a_500_character_name_wraps_and_is_never_clipped(tmp_path: Path) -> None:
    """The plan refuses a patient label over 200 characters with a clear error, and so does a
    handout a clinic name over 200 (the clinic settings' limit; issue 21: a 10,000-character
    one once took a minute and failed); a clinic name of 200 characters wraps in the footer,
    every word on every page."""
    cat = bp.load_catalogue()
    with pytest.raises(bp.PlanError, match="at most 200 characters"):
        bp.build_plan(cat, "beginners", patient="N" * 500, start_date="2026-01-05")
    plan = bp.build_plan(cat, "beginners", ["heel-raises"], start_date="2026-01-05", weeks=1)
    with pytest.raises(bp.BackplanError, match="clinic: expected text of at most 200"):
        bp.handout.to_pdf(plan, tmp_path / "c.pdf", clinic=" ".join(["Riverside"] * 50))
    clinic = " ".join(["Riverside"] * 50)[:200]
    out = bp.handout.to_pdf(plan, tmp_path / "c.pdf", clinic=clinic, large_print=True)
    for page in PdfReader(out).pages:
        assert _words(page.extract_text()).count("Riverside") == clinic.count("Riverside")


def test_clinic_details_come_from_the_settings_file_and_arguments_win(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backplan.settings import save_settings

    monkeypatch.setenv("BACKPLAN_SETTINGS", str(tmp_path / "clinic.json"))
    save_settings(ClinicSettings(clinic="Hilltop Physio", phone="0800 000 111", physio="B. Physio"))
    plan = bp.build_plan(bp.load_catalogue(), "beginners", ["heel-raises"], start_date="2026-01-05")
    out = bp.handout.to_pdf(plan, tmp_path / "s.pdf", phone="0800 999 999")
    for page in PdfReader(out).pages:
        text = _words(page.extract_text())
        assert "Hilltop Physio" in text and "0800 999 999" in text and "B. Physio" in text


@pytest.mark.parametrize("size", ["A4", "letter"])
@pytest.mark.parametrize("large", [False, True], ids=["clear", "large"])
def test_diary_fits_the_page_at_1_to_6_sessions_a_day(size: str, large: bool, tmp_path) -> None:
    """The grid inside the page margins and every box drawn, at full size. A week never
    splits across pages: it is whole on one page (every clear-print week, and large print
    up to 2 a day), or, when its boxes cannot fit one page at full size (large print, six
    exercises and two pain columns, 3 to 6 a day), its exercises are shared out over parts, each part on one
    page with all seven days; never a week "(continued)" over days."""
    from backplan.handout.pdf import _diary_layout
    from backplan.handout.pdf_diary import diary_fits

    cat = bp.load_catalogue()
    for sessions in range(1, 7):
        plan = bp.build_plan(
            cat, "beginners", start_date="2026-01-05", weeks=2, sessions_per_day=sessions
        )
        h = handout_content(plan, settings=SETTINGS)
        path = bp.handout.to_pdf(
            plan, tmp_path / f"{sessions}.pdf", page_size=size, large_print=large, settings=SETTINGS
        )
        pages = _pages(path)
        assert not any("(continued)" in t for t, _ in pages), sessions
        for week in h.diary:
            on = [t for t, _ in pages if diary_heading(week) in t]
            assert len(on) == 1 if not large or sessions <= 2 else len(on) >= 2, (sessions, on)
            for i, text in enumerate(on, start=1):
                if len(on) > 1:
                    assert f"{diary_heading(week)} (part {i} of {len(on)})" in text
                rows = text.replace(diary_heading(week), "")
                for day in week.days:
                    assert rows.count(f"{day:%a} {day.day} {day:%b}") == 1  # all 7 days
            for (_, name), dose in zip(week.exercises, week.doses, strict=True):
                assert sum(f"{diary_name(name)} {dose}" in t for t in on) == 1, name
            assert sum(t.count("(0") >= 2 for t in on) == 1  # both pains and note once a week
        margin = 40 * MM if large else 30 * MM  # the footer's lines, at most
        portrait = bp.handout.pdf._page_size(size)
        page, g, parts = _diary_layout(h, look(large), portrait, margin)
        assert diary_fits(h.diary, g, parts, page[0] - 26 * MM, page[1] - 13 * MM - margin)
        side = (7.5 if large else 6.0) * MM
        drawn = sum(
            1
            for _, stream in pages
            for *_, w, hh in (tuple(map(float, m)) for m in RECT.findall(stream))
            if abs(w - side) < 0.01 and abs(hh - side) < 0.01
        )
        assert drawn == 2 * 7 * 6 * sessions


@pytest.mark.parametrize("large", [False, True], ids=["clear", "large"])
def test_every_date_of_the_year_fits_the_day_column(large: bool) -> None:
    """ "Wed 30 May" is wider than "Wed 30 Sep": no date may run over its cell's edge."""
    from datetime import timedelta

    from reportlab.pdfbase.pdfmetrics import stringWidth

    from backplan.handout.pdf import _grid_look
    from backplan.handout.pdf_diary import PAD, _fixed_widths
    from backplan.words import day_label

    g = _grid_look(look(large))
    room = _fixed_widths(g)[0] - 2 * PAD
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(366)]
    widest = max(stringWidth(day_label(d, year=False), g.bold, g.size) for d in days)
    assert widest <= room
