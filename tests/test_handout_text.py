"""The words on a handout: dose sentences, diary days, and reading age 9-11 throughout."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

import backplan as bp
from backplan.words import ADVICE_TITLES, TEXT, day_label, dose_words, prescribed_days, week_span


def test_dose_in_words_matches_the_issue_example() -> None:
    p = bp.Prescription(
        exercise="heel-slides", reps=10, per_side=True, hold_s=5, sessions_per_day=3
    )
    assert dose_words(p, "leg") == (
        "10 times on each leg, hold each for 5 seconds, 3 times a day, every day"
    )


@pytest.mark.parametrize(
    ("dose", "words"),
    [
        ({"reps": 1, "hold_s": 1}, "1 time, hold each for 1 second, once a day, every day"),
        (
            {"reps": 8, "sets": 2, "sessions_per_day": 2},
            "2 rounds of 8 times, twice a day, every day",
        ),
        ({"reps": 5, "days_per_week": 1}, "5 times, once a day, on 1 day a week"),
        (
            {"reps": 5, "days_per_week": 3, "per_side": True},
            "5 times on each side, once a day, on 3 days a week",
        ),
    ],
)
def test_dose_words_cover_sets_holds_and_days(dose: dict, words: str) -> None:
    assert dose_words(bp.Prescription(exercise="x", **dose)) == words


def test_dose_words_agree_with_the_numbers_in_the_handout_table(catalogue) -> None:
    plan = bp.build_plan(
        catalogue,
        "beginners",
        start_date=date(2026, 1, 5),
        weeks=5,
        progression=[bp.AddDose(what="hold_s", amount=2, every_weeks=2, cap=9)],
    )
    table = bp.handout.handout_table(plan)
    for row in table.itertuples():
        assert row.dose.startswith(f"{row.reps} times")
        assert (f"hold each for {row.hold_s} second" in row.dose) == (row.hold_s > 0)
        assert (" on each " in row.dose) == row.per_side


def test_prescribed_days_spread_through_the_week() -> None:
    assert [len(prescribed_days(n)) for n in range(1, 8)] == list(range(1, 8))
    assert prescribed_days(2) == (0, 3)
    assert prescribed_days(7) == tuple(range(7))


def test_diary_dates_cannot_be_misread() -> None:
    assert day_label(date(2026, 2, 1)) == "Sun 1 Feb 2026"
    assert day_label(date(2026, 2, 1), year=False) == "Sun 1 Feb"
    assert week_span(date(2026, 1, 26), date(2026, 2, 1)) == "26 Jan to 1 Feb 2026"


# --- reading age --------------------------------------------------------------------------


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1] in ".!?:" else text + "."


def patient_sentences(catalogue: pd.DataFrame) -> list[str]:
    """Everything a patient reads on a handout made from the shipped data."""
    parts: list[str] = []
    for column in ("steps", "easier_option", "position_detail"):
        for cell in catalogue[column]:
            parts += bp.split_steps(cell)
    parts += list(bp.load_advice()["text"])
    sample = {
        "week": 3,
        "weeks": 6,
        "start": "5 January 2026",
        "end": "15 February 2026",
        "page": 1,
        "pages": 9,
        "span": "5 Jan to 11 Jan 2026",
        "dose": "10 times, once a day, every day",
        "source": "NHS Choices",
        "reviewed": "6 September 2008",
        "date": "15 March 2026",
        "part": 1,
        "parts": 2,
        "phone": "01234 567890",
        "number": 3,
        # dose words and "what has changed", built from parts (see backplan.words)
        "n": 3,
        "times": "10 times",
        "side": "arm",
        "first": "10 times",
        "second": "once a day",
        "last": 4,
        "when": "From week 3 (Monday 19 January)",
        "name": "Heel slides",
        "before": "10 times",
    }
    parts += [t.format(**sample) for t in TEXT.values()]
    parts += list(ADVICE_TITLES.values())
    plan = bp.build_plan(catalogue, "beginners", start_date=date(2026, 1, 5))
    for p in plan.prescriptions:
        parts.append(dose_words(p, "leg"))
    revised = bp.revise(  # a reprinted handout's "What has changed" box
        plan, 3, {"heel-slides": {"reps": 8}, "wall-squats": {}}, stop=["heel-raises"],
        why="Pain went up.", by="Physio", catalogue=catalogue,
    )  # fmt: skip
    parts += bp.what_changed(revised, catalogue=catalogue)
    return [_sentence(p) for p in parts if p.strip()]


@pytest.fixture()
def offline_textstat(monkeypatch: pytest.MonkeyPatch):
    """textstat 0.7.13 counts English syllables with the CMU dictionary, which it downloads
    through nltk the first time. A handout tool must not reach the network, so the download
    is made to fail loudly and the dictionary lookup is switched off: textstat then counts
    syllables with the Pyphen hyphenation dictionaries that ship inside the pyphen wheel."""
    import nltk
    import textstat
    import textstat.backend.counts._count_syllables as counting

    def refuse(*args, **kwargs):
        raise AssertionError("textstat tried to download data at run time")

    monkeypatch.setattr(nltk, "download", refuse)
    monkeypatch.setattr(counting, "get_cmudict", lambda lang: None)
    return textstat


def _vowel_group_syllables(text: str) -> int:
    words = re.findall(r"[A-Za-z']+", text)
    return sum(max(1, len(re.findall(r"[aeiouy]+", w.lower()))) for w in words)


def test_patient_text_reads_at_age_11_or_younger(catalogue, offline_textstat) -> None:
    """Reading age 9-11 (NHS style) is about US grade 4-6.

    Bound: Flesch reading ease >= 70 ("fairly easy" or easier) and Flesch-Kincaid grade
    <= 6 over all the patient text together, with textstat's own formulas and its offline
    (Pyphen) syllable counts. Pyphen can miss a syllable in short words, which flatters the
    score, so the same bounds must also hold when every vowel group counts as a syllable
    (which over-counts silent e's) - a deliberately harsh second reading. No sentence may
    run past 20 words.
    """
    textstat = offline_textstat
    sentences = patient_sentences(catalogue)
    assert len(sentences) > 80
    text = " ".join(sentences)
    assert textstat.flesch_reading_ease(text) >= 70
    assert textstat.flesch_kincaid_grade(text) <= 6
    words, n = textstat.lexicon_count(text), textstat.sentence_count(text)
    syllables = _vowel_group_syllables(text)
    harsh_ease = 206.835 - 1.015 * words / n - 84.6 * syllables / words
    harsh_grade = 0.39 * words / n + 11.8 * syllables / words - 15.59
    assert harsh_ease >= 70 and harsh_grade <= 6, (harsh_ease, harsh_grade)
    long = [s for s in sentences for part in re.split(r"(?<=[.!?])\s", s) if len(part.split()) > 20]
    assert long == []


def test_the_plan_dates_on_page_one_are_never_split_across_lines() -> None:
    """Large print's narrow column wrapped "10 / January 2027": each date is held together."""
    from backplan.handout.content import handout_content, length_words

    plan = bp.build_plan(bp.load_catalogue(), "beginners", ["heel-raises"], patient="P",
                         start_date="2026-12-14", weeks=4)  # fmt: skip
    text = length_words(handout_content(plan))
    assert "14\u00a0December\u00a02026" in text and "10\u00a0January\u00a02027" in text
    assert text.replace("\u00a0", " ") == "4 weeks, from 14 December 2026 to 10 January 2027"
