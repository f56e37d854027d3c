"""The handout's own words: dose sentences, dates and every fixed sentence a patient reads.

Everything a patient reads that does not come from the catalogue or ``advice.csv`` lives in
:data:`TEXT`, so one readability test can score it all. Renderers take their words from
here and from the data, never from string literals of their own.

Examples
--------
>>> from backplan import Prescription
>>> dose_words(Prescription(exercise="heel-slides", reps=10, per_side=True, hold_s=5,
...                         sessions_per_day=3), side="leg")
'10 times on each leg, hold each for 5 seconds, 3 times a day, every day'
>>> day_label(date(2026, 1, 5))
'Mon 5 Jan 2026'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .plan.rules import Prescription

__all__ = [
    "ADVICE_TITLES",
    "CLINIC_TEXT",
    "TEXT",
    "date_words",
    "day_label",
    "days_a_week",
    "diary_heading",
    "diary_name",
    "diary_title",
    "dose_short",
    "dose_words",
    "fill_placeholders",
    "footer_lines",
    "hold_words",
    "prescribed_days",
    "times_a_day",
    "week_range",
    "week_span",
]

#: Fixed patient-facing words, looked up by key. ``{week}`` etc. are filled in by renderers.
TEXT: dict[str, str] = {
    "title": "Your back exercises",
    "intro": "Your physio chose these exercises for you. Do them in the order shown here.",
    "clinic": "Clinic",
    "clinician": "Physio",
    "patient": "For",
    "start": "Start date",
    "length": "How long",
    "length_value": "{weeks} weeks, from {start} to {end}",
    "length_value_one": "1 week, from {start} to {end}",
    "notes": "Notes from your physio",
    "safety_title": "Stay safe",
    "advice_title": "Good to know",
    "exercises_title": "Your exercises",
    "position": "Start like this:",
    "steps": "What to do:",
    "dose": "How much:",
    "easier": "Easier way:",
    "easier_title": "{number}. {name}: the easier way",
    "later": "Later weeks:",
    "later_dose": "From week {week}: {dose}. Only if last week felt OK.",
    "from_week": "From week {week}",
    "until_week": "Do this until the end of week {week}. Then move on to your new exercises.",
    "new_exercises": "New exercises from week {week}",
    "new_exercises_intro": (
        "Start these in week {week}, only if last week felt OK. "
        "They take the place of your first exercises."
    ),
    "diary_title": "Your diary: week {week}",
    "diary_dates": "({span})",
    "diary_help": (
        "Tick a box each time you do an exercise. Write your pain each day as a number. "
        "0 is no pain. 10 is the worst pain you can think of."
    ),
    "pain_title": "How much pain is OK",
    "pain_scale_intro": "Score your pain from 0 to 10. 0 is no pain. 10 is the worst pain you can think of.",
    "pain_ok": "0 to 3: fine. Carry on.",
    "pain_settle": "4 or 5: OK, if it has settled by the next morning.",
    "pain_stop": "Over 5: stop that exercise and call your physio.",
    "pain_more": "Do not do more until a week has felt OK.",
    "call_physio": "Call your physio on {phone}.",
    "call_physio_no_phone": "Call your physio. Write their phone number here: ______________",
    "diary_day": "Day",
    "diary_week": "Week {week}",
    "diary_pain": "Pain doing them (0 to 10)",
    "diary_morning": "Pain next day (0 to 10)",
    "diary_rest": "Rest",
    "page": "Page {page} of {pages}",
    "varies_times": 'the number of times shown in "How much"',
    "varies_seconds": 'the number of seconds shown in "How much"',
    "varies_number": 'the number shown in "How much"',
    "hold_none": "a moment",
    "phone": "Phone",
    "credits_title": "Where this comes from",
    "credit_exercises": "Exercises: {source}, medical review {reviewed}.",
    "credit_exercises_undated": "Exercises: {source}.",
    "credit_pictures": "Pictures: drawn for backplan from its own body-position data.",
    "credit_safety": (
        "Safety advice: from NHS advice on back pain (nhs.uk and NHS inform), in our own words."
    ),
    "diary_intro_title": "Your diary",
    "diary_how": (
        "Each time you do an exercise, tick one box for that day. "
        "Each day, write your pain while you exercise as a number from 0 to 10. "
        "The next morning, write how your pain is then, in the 'next day' box. "
        "0 is no pain. 10 is the worst pain you can think of. "
        "Use the note space for anything you want to tell your physio. "
        "Write pain and notes on days you miss too."
    ),
    "diary_exercise": "Exercise and how much",
    "diary_note": "Note",
    "diary_span": "Week {week}: {span}",
    "diary_continued": "(continued)",
    "diary_part": "(part {part} of {parts})",
    "changed_title": "What has changed",
    "changed_intro": "Your physio changed your plan on {date}.",
    "stop_week": "Do this until the end of week {week}. Then stop doing it.",
}

#: Section titles for the programme advice rows of ``advice.csv``.
ADVICE_TITLES: dict[str, str] = {
    "breathing": "Breathing",
    "activity": "Keep active",
    "gp": "Before you start",
    "review": "If you are not getting better",
}

#: Words for the clinic, not the patient (printed small under each diary).
CLINIC_TEXT: dict[str, str] = {
    "diary_footnote": (
        "For the clinic, to type this diary in: one log row per ticked box with patient, "
        "date (YYYY-MM-DD; the year is in the title), exercise (the code under its name), "
        "sets_done and reps_done blank "
        "(a tick means the prescribed dose), pain_during and pain_next_morning (that day's "
        "0-10) and note; a day with no tick but a pain score or note: one row, sets_done 0 "
        "and reps_done 0."
    ),
    "page_title": "For the clinic: typing this diary back in",
    "page_intro": (
        "This page is for the clinic. When the patient brings the diary back, type one line "
        "into the log file (CSV or Excel) for every ticked box. Fill the columns like this:"
    ),
    "page_columns": (
        "patient: the name at the top of this handout, written the same way each time.|"
        "date: the day of the tick, as year-month-day, e.g. 2026-01-05.|"
        "exercise: the code from the table below.|"
        "sets_done and reps_done: leave empty. A tick means the full dose was done.|"
        "pain_during: the 'pain doing them' number for that day (0 to 10), or leave "
        "empty.|"
        "pain_next_morning: the 'pain next day' number written on that day's line (0 to "
        "10), or leave empty.|"
        "note: the patient's note for that day, or leave empty. backplan reads every note "
        "for warning signs.|"
        "A day with no tick but a pain score or a note: type one line with sets_done 0 and "
        "reps_done 0, and the pain and note, so they are not lost."
    ),
    "page_after": (
        "Then open the patient's plan in the backplan app and press Upload logs, under "
        "Review this patient's logs: the app shows how much was done each week, any "
        "warning signs and the suggested next step, and lists every line it could not use, "
        "with its row and the reason. Without the app, read the file with "
        "backplan.read_logs in Python, or run 'backplan adherence' on the command line."
    ),
    "page_code": "Code",
    "page_exercise": "Exercise",
    "start_back": "STarT Back risk group: {group} (Keele STarT Back Screening Tool).",
    "start_back_high": (
        "High risk: the weekly review raises the dose on a timetable, not when pain allows, "
        "and asks for a call when pain goes up (time-based rules for psychologically informed "
        "physiotherapy)."
    ),
    "start_back_usual": (
        "The weekly review uses the usual rules: the dose goes up only when the week's "
        "exercises were done and pain stayed at an acceptable level."
    ),
}

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def dose_words(p: Prescription, side: str = "side") -> str:
    """The dose of one prescription as a plain sentence (without a full stop).

    Parameters
    ----------
    p : Prescription
        The dose in force.
    side : str
        What one side is called for per-side exercises (the catalogue's ``side``: ``leg``,
        ``ankle``).

    Examples
    --------
    >>> from backplan import Prescription
    >>> dose_words(Prescription(exercise="x", sets=2, reps=5, days_per_week=3))
    '2 rounds of 5 times, once a day, on 3 days a week'
    """
    return ", ".join([dose_short(p, side), times_a_day(p.sessions_per_day),
                      days_a_week(p.days_per_week)])  # fmt: skip


def times_a_day(n: int) -> str:
    """``once a day``, ``twice a day``, ``3 times a day``."""
    return f"{_times(n)} a day"


def days_a_week(n: int) -> str:
    """``every day`` or ``on 3 days a week``."""
    return "every day" if n == 7 else f"on {n} day{'s' if n != 1 else ''} a week"


_FILL = re.compile(r"\{(\w+)\}(\s+(?:seconds?|times?)\b)?")
#: The dose numbers a sentence may name (``{side}`` besides: catalogue.STEP_PLACEHOLDERS).
_DOSE_PLACEHOLDERS = frozenset({"reps", "sets", "hold_s", "sessions_per_day", "days_per_week"})


def fill_placeholders(text: str, doses: Sequence[Prescription], side: str = "side") -> str:
    """Fill a catalogue sentence's placeholders from the doses one exercise block covers.

    A number that stays the same in every dose is written in; one that changes from week to
    week points to the dose line instead, so the sentence can never disagree with it. A
    unit after the placeholder (``seconds``, ``times``) agrees with the number. Braces
    around any other word are kept as written (:func:`backplan.load_catalogue` refuses them,
    naming the row and column; a table passed in directly is printed as it is).

    Examples
    --------
    >>> from backplan import Prescription
    >>> p = Prescription(exercise="x", reps=1, hold_s=5, per_side=True)
    >>> fill_placeholders("Do {reps} times with each {side}. Hold {hold_s} seconds.", [p], "leg")
    'Do 1 time with each leg. Hold 5 seconds.'
    >>> fill_placeholders("Hold {hold_s} seconds.", [p, p.model_copy(update={"hold_s": 8})])
    'Hold the number of seconds shown in "How much".'
    >>> fill_placeholders("Press {ü} or {0} or {exercise}.", [p])
    'Press {ü} or {0} or {exercise}.'
    """

    def one(m: re.Match[str]) -> str:
        name, unit = m.group(1), (m.group(2) or "").strip()
        if name == "side":
            return (side or "side") + (m.group(2) or "")
        if name not in _DOSE_PLACEHOLDERS:
            return m.group(0)
        values = {int(getattr(d, name)) for d in doses}
        if len(values) != 1:
            if unit:
                return TEXT["varies_seconds" if unit.startswith("second") else "varies_times"]
            return TEXT["varies_number"]
        (v,) = values
        if name == "hold_s" and v == 0 and unit:
            return TEXT["hold_none"]
        if not unit:
            return str(v)
        return f"{v} {unit.rstrip('s')}{'' if v == 1 else 's'}"

    return _FILL.sub(one, text)


def dose_short(p: Prescription, side: str = "side") -> str:
    """What one session holds (reps, rounds, hold), for the diary beside its tick boxes.

    Examples
    --------
    >>> from backplan import Prescription
    >>> dose_short(Prescription(exercise="x", reps=10, per_side=True, hold_s=5), "leg")
    '10 times on each leg, hold each for 5 seconds'
    """
    reps = f"{p.reps} time{'s' if p.reps != 1 else ''}"
    if p.per_side:
        reps += f" on each {side or 'side'}"
    if p.sets > 1:
        reps = f"{p.sets} rounds of {reps}"
    if p.hold_s:
        reps += f", {hold_words(p.hold_s)}"
    return reps


def hold_words(seconds: int) -> str:
    """``hold each for 5 seconds``, or ``no hold`` for 0."""
    return f"hold each for {seconds} second{'s' if seconds != 1 else ''}" if seconds else "no hold"


def prescribed_days(days_per_week: int) -> tuple[int, ...]:
    """Which days of a plan week (0 = the week's first day) carry a prescribed session.

    The days are spread as evenly as possible through the week.

    Examples
    --------
    >>> prescribed_days(3), prescribed_days(7)
    ((0, 2, 4), (0, 1, 2, 3, 4, 5, 6))
    """
    n = max(1, min(7, days_per_week))
    return tuple(sorted({(i * 7) // n for i in range(n)}))


def day_label(d: date, year: bool = True) -> str:
    """A date as a patient and a clinic both read it without doubt: ``Mon 5 Jan 2026``.

    ``year=False`` leaves the year off (the diary prints it once, in the week's title).
    """
    label = f"{_DAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1][:3]}"
    return f"{label} {d.year}" if year else label


def week_span(first: date, last: date) -> str:
    """The dates of a diary week: ``5 Jan to 11 Jan 2026`` (both years when they differ).

    Examples
    --------
    >>> week_span(date(2025, 12, 29), date(2026, 1, 4))
    '29 Dec 2025 to 4 Jan 2026'
    """
    start = f"{first.day} {_MONTHS[first.month - 1][:3]}"
    if first.year != last.year:
        start += f" {first.year}"
    return f"{start} to {last.day} {_MONTHS[last.month - 1][:3]} {last.year}"


def date_words(d: date) -> str:
    """A date written out: ``5 January 2026``."""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def diary_title(week: Any) -> str:
    """``Your diary: week 1 (5 Jan to 11 Jan 2026)`` for a :class:`DiaryWeek`."""
    span = week_span(week.days[0], week.days[-1])
    return f"{TEXT['diary_title'].format(week=week.week)} {TEXT['diary_dates'].format(span=span)}"


def diary_heading(week: Any) -> str:
    """``Week 1: Mon 5 Jan to Sun 11 Jan 2026`` for a :class:`DiaryWeek` (the diary's title).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> days = (date(2025, 12, 29), date(2026, 1, 4))
    >>> diary_heading(SimpleNamespace(week=2, days=days))
    'Week 2: Mon 29 Dec 2025 to Sun 4 Jan 2026'
    """
    first, last = week.days[0], week.days[-1]
    span = week_span(first, last)
    start, end = span.split(" to ")
    span = f"{_DAYS[first.weekday()]} {start} to {_DAYS[last.weekday()]} {end}"
    return TEXT["diary_span"].format(week=week.week, span=span)


def diary_name(name: str) -> str:
    """An exercise's name without its bracketed part, to keep diary columns narrow.

    Examples
    --------
    >>> diary_name("Tummy squeeze (abdominal contraction)")
    'Tummy squeeze'
    """
    return re.sub(r"\s*\([^)]*\)", "", name).strip() or name


def footer_lines(h: Any) -> list[str]:
    """The clinic contact line shown at the foot of every page (empty without details)."""
    parts = [h.clinic]
    if h.phone:
        parts.append(f"{TEXT['phone']}: {h.phone}")
    physio = h.clinician or h.physio
    if physio:
        parts.append(f"{TEXT['clinician']}: {physio}")
    return [" · ".join(p for p in parts if p)] if any(parts) else []


def week_range(first: int, last: int) -> str:
    """``"week 3"`` or ``"weeks 1 to 4"``."""
    return f"week {first}" if first == last else f"weeks {first} to {last}"
