"""Every sentence a patient reads, in the patient's language: the gateway to the message
catalogue (:mod:`backplan.locales`).

:func:`words_for` gives a :class:`Words` for a language: its fixed words by key
(``w["safety_title"]``), filled in (``w.text("from_week", week=3)``) or counted with the
language's own plural rules (``w.plural("times", 4)``), the translation of a data text
(advice, exercise steps), the dose in words, and dates written as that language writes
them (Babel). Renderers take every word from here and from the data, never from string
literals of their own; English is the default everywhere, and the module-level functions
(``dose_words(p, side)``) are English unless given ``language=``.

Examples
--------
>>> from backplan import Prescription
>>> dose = Prescription(exercise="heel-slides", reps=10, per_side=True, hold_s=5,
...                     sessions_per_day=3)
>>> dose_words(dose, side="leg")
'10 times on each leg, hold each for 5 seconds, 3 times a day, every day'
>>> dose_words(dose, side="leg", language="pl")
'10 razy na każdą nogę, przytrzymaj każde przez 5 sekund, 3 razy dziennie, codziennie'
>>> day_label(date(2026, 1, 5)), day_label(date(2026, 1, 5), language="cy")
('Mon 5 Jan 2026', 'Llun, 5 Ion 2026')
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from .locales.files import DATA_CONTEXTS, STAFF_PREFIX, Messages, language_file, load_english
from .locales.files import load_language_file as _load_file
from .locales.shipped import check_language
from .scripts import language_direction

if TYPE_CHECKING:
    from .plan.rules import Prescription

__all__ = [
    "ADVICE_TITLES",
    "CLINIC_TEXT",
    "TEXT",
    "Words",
    "date_words",
    "day_label",
    "days_a_week",
    "diary_heading",
    "diary_name",
    "dose_short",
    "dose_words",
    "fill_placeholders",
    "footer_lines",
    "hold_words",
    "prescribed_days",
    "times_a_day",
    "week_range",
    "week_span",
    "words_for",
]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_LTR_TEXT = re.compile(r"[^\W_]")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
#: A placeholder with the unit after it in English text (``{hold_s} seconds``).
_WITH_UNIT = re.compile(r"\{(\w+)\}(\s+(?:seconds?|times?)\b)?")
#: The dose numbers a sentence may name (``{side}`` besides: catalogue.STEP_PLACEHOLDERS).
_DOSE_PLACEHOLDERS = frozenset({"reps", "sets", "hold_s", "sessions_per_day", "days_per_week"})
_SIDES = {"leg": "leg", "ankle": "ankle", "side": "side", "": "side"}
#: English dates: Babel patterns that keep the forms backplan has always printed.
_EN_DATES = {"day": "EEE d MMM y", "day_short": "EEE d MMM", "long": "d MMMM y",
             "short": "d MMM", "short_year": "d MMM y", "weekday": "EEEE d MMMM"}  # fmt: skip
#: Other languages: CLDR skeletons, so each writes a date its own way.
_SKELETONS = {"day": "yMMMEd", "day_short": "MMMEd", "short": "MMMd", "short_year": "yMMMd",
              "weekday": "MMMMEEEEd"}  # fmt: skip


class Words:
    """The words of one language (see the module notes).

    Parameters
    ----------
    messages : Messages
        The language's messages (English: the template itself).
    code : str
        The language code (``"pl"``); dates and numbers follow Babel's data for it.
    after : callable, optional
        Applied to every date written (the pseudo-language accents them).
    """

    def __init__(
        self, messages: Messages, code: str, after: Callable[[str], str] | None = None
    ) -> None:
        self.messages, self.code, self._after = messages, code, after
        self.english = load_english()
        self.is_english = code == "en"
        self.direction = language_direction(code)
        #: the ``lang`` attribute of HTML in this language
        self.html_lang = "en-GB" if self.is_english else code
        self._keys = {c: forms for (c, _), forms in self.english.forms.items()}
        # English dates keep the forms backplan has always printed ("Sep", not en-GB "Sept")
        self._locale = "en" if self.is_english or after else code.replace("-", "_")
        self._doses: dict[tuple[Any, ...], str] = {}  # dose words already worked out
        self._texts: dict[tuple[Any, ...], str] = {}  # messages already filled in

    def __repr__(self) -> str:
        return f"Words({self.code!r})"

    # --- messages --------------------------------------------------------------------------

    def _forms(self, key: str) -> tuple[str, ...]:
        english = self._keys[key]
        return self.messages.forms.get((key, english[0]), english)

    def __getitem__(self, key: str) -> str:
        """A fixed message with its placeholders as they are (a label, a heading)."""
        return self._forms(key)[0]

    @functools.cached_property
    def labels(self) -> dict[str, str]:
        """Every fixed message by key, as :meth:`__getitem__` gives it (for templates)."""
        return {key: self[key] for key in self._keys if _fixed(key)}

    def _fill(self, text: str, values: Mapping[str, Any]) -> str:
        def one(m: re.Match[str]) -> str:
            value = values[m.group(1)]
            return self.number(value) if isinstance(value, int) else self.isolate(str(value))

        return _PLACEHOLDER.sub(one, text)

    def isolate(self, value: str) -> str:
        """``value`` kept whole, in its own left-to-right order, inside a right-to-left
        sentence when it holds no right-to-left letter: a phone number (``01234 567890``
        would otherwise show its groups swapped), a clinic's name in Latin letters (whose
        closing bracket would otherwise turn round). Unchanged in any other case.

        Examples
        --------
        >>> words_for("ar").isolate("01234 567890") == "\u202a01234 567890\u202c"
        True
        >>> words_for("pl").isolate("01234 567890"), words_for("ur").isolate("اردو")
        ('01234 567890', 'اردو')
        """
        if self.direction == "rtl" and _LTR_TEXT.search(value) and not _RTL.search(value):
            return f"\u202a{value}\u202c"  # LEFT-TO-RIGHT EMBEDDING ... POP
        return value

    def text(self, key: str, **values: Any) -> str:
        """A fixed message with its placeholders filled (whole numbers as this language
        writes them).

        Examples
        --------
        >>> words_for("pl").text("from_week", week=3)
        'Od tygodnia 3'
        """
        cache = (key, *values.items())
        try:
            found = self._texts.get(cache)
        except TypeError:  # a value that cannot be a key
            return self._fill(self[key], values)
        if found is None:
            found = self._fill(self[key], values)
            if len(self._texts) < 50_000:
                self._texts[cache] = found
        return found

    def plural(self, key: str, n: int, **values: Any) -> str:
        """A message that counts ``n`` (``{n}``), in the form this language's plural rules
        give for ``n``.

        Examples
        --------
        >>> [words_for("pl").plural("times", n) for n in (1, 2, 5, 22)]
        ['1 raz', '2 razy', '5 razy', '22 razy']
        """
        forms = self._forms(key)
        index = (self.messages if forms is not self._keys[key] else self.english).plural(n)
        return self._fill(forms[min(index, len(forms) - 1)], {"n": n, **values})

    def number(self, n: int) -> str:
        """A whole number as this language writes it."""
        return str(n) if self.is_english else _number(n, self._locale)

    def data(self, context: str, english: str) -> str | None:
        """The translation of a data text (``context`` ``advice:<section>`` or
        ``exercise:<id>``),
        or ``None`` when the language file has none (English: the text itself)."""
        if self.is_english:
            return english
        forms = self.messages.forms.get((context, english))
        return forms[0] if forms else None

    def join(self, parts: Sequence[str], key: str = "list_two") -> str:
        """Parts joined two at a time by ``list_two`` (``a, b``) or ``and_two``."""
        out = parts[0]
        for part in parts[1:]:
            out = self.text(key, first=out, second=part)
        return out

    # --- doses ----------------------------------------------------------------------------

    def side_word(self, side: str) -> str:
        if self.is_english or side not in _SIDES:
            return side or "side"
        return self[f"side_{_SIDES[side]}"]

    def dose_short(self, p: Prescription, side: str = "side") -> str:
        """What one session holds (reps, rounds, hold): ``10 times on each leg, hold each
        for 5 seconds``."""
        key = ("short", p.reps, p.per_side, p.sets, p.hold_s, side)
        found = self._doses.get(key)
        if found is None:
            found = self._dose_short(p, side)
            if len(self._doses) < 50_000:
                self._doses[key] = found
        return found

    def _dose_short(self, p: Prescription, side: str) -> str:
        reps = self.plural("times", p.reps)
        if p.per_side:
            key = f"each_{_SIDES[side]}" if side in _SIDES else "each_other"
            reps = self.text(key, times=reps, side=side)
        if p.sets > 1:
            reps = self.plural("rounds", p.sets, times=reps)
        if p.hold_s:
            reps = self.join([reps, self.hold_words(p.hold_s)])
        return reps

    def dose_words(self, p: Prescription, side: str = "side") -> str:
        """The whole dose: what one session holds, times a day, days a week."""
        key = ("whole", p.reps, p.per_side, p.sets, p.hold_s, side, p.sessions_per_day,
               p.days_per_week)  # fmt: skip
        found = self._doses.get(key)
        if found is None:
            parts = [self.dose_short(p, side), self.times_a_day(p.sessions_per_day)]
            found = self.join([*parts, self.days_a_week(p.days_per_week)])
            if len(self._doses) < 50_000:
                self._doses[key] = found
        return found

    def times_a_day(self, n: int) -> str:
        return {1: self["once_a_day"], 2: self["twice_a_day"]}.get(n) or self.plural(
            "times_a_day", n
        )

    def days_a_week(self, n: int) -> str:
        return self["every_day"] if n == 7 else self.plural("days_a_week", n)

    def hold_words(self, seconds: int) -> str:
        return self.plural("hold", seconds) if seconds else self["no_hold"]

    def fill_placeholders(
        self, text: str, doses: Sequence[Prescription], side: str = "side", source: str = ""
    ) -> str:
        """Fill a catalogue text's placeholders from the doses one exercise block covers.

        A number that stays the same in every dose is written in; one that changes from
        week to week points to the dose line instead, so the text never disagrees with
        it. In English a unit after the placeholder (``{hold_s} seconds``) agrees with the
        number; in a translation the placeholder stands for the number and the unit its
        English ``source`` gives it, worded by this language's plural rules.
        """
        source = text if self.is_english else (source or text)
        units = {m.group(1): (m.group(2) or "").strip() for m in _WITH_UNIT.finditer(source)}

        def one(m: re.Match[str]) -> str:
            name = m.group(1)
            if name == "side":
                return self.side_word(side) + (m.group(2) or "" if self.is_english else "")
            if name not in _DOSE_PLACEHOLDERS:
                return m.group(0)
            unit = units.get(name, "")
            values = {int(getattr(d, name)) for d in doses}
            if len(values) != 1:
                if unit:
                    return self["varies_seconds" if unit.startswith("second") else "varies_times"]
                return self["varies_number"]
            (v,) = values
            if name == "hold_s" and v == 0 and unit:
                return self["hold_none"]
            if not unit:
                return self.number(v)
            return self.plural("seconds" if unit.startswith("second") else "times", v)

        return (_WITH_UNIT if self.is_english else _PLACEHOLDER).sub(one, text)

    # --- dates ----------------------------------------------------------------------------

    def _date(self, d: date, form: str) -> str:
        text = _date_text(d, form, self._locale, self.is_english or self._after is not None)
        return self._after(text) if self._after else text

    def date_words(self, d: date) -> str:
        """A date written out: ``5 January 2026``."""
        return self._date(d, "long")

    def day_label(self, d: date, year: bool = True) -> str:
        """A day as patient and clinic both read it without doubt: ``Mon 5 Jan 2026``."""
        return self._date(d, "day" if year else "day_short")

    def weekday_date(self, d: date) -> str:
        """``Monday 19 January`` (what has changed, and from when)."""
        return self._date(d, "weekday")

    def week_span(self, first: date, last: date) -> str:
        """``5 Jan to 11 Jan 2026`` (both years when they differ)."""
        start = self._date(first, "short" if first.year == last.year else "short_year")
        return self.text("span", start=start, end=self._date(last, "short_year"))

    def diary_heading(self, week: Any) -> str:
        """``Week 1: Mon 5 Jan to Sun 11 Jan 2026`` for a diary week."""
        first, last = week.days[0], week.days[-1]
        start = self.day_label(first, year=first.year != last.year)
        span = self.text("span", start=start, end=self.day_label(last))
        return self.text("diary_span", week=week.week, span=span)

    def week_range(self, first: int, last: int) -> str:
        """``week 3`` or ``weeks 1 to 4``."""
        if first == last:
            return self.text("week_one", week=first)
        return self.text("week_range", first=first, last=last)

    def footer_lines(self, h: Any) -> list[str]:
        """The clinic contact line at the foot of every page (empty without details)."""
        parts = [self.isolate(h.clinic)] if h.clinic else []
        if h.phone:
            parts.append(f"{self['phone']}: {self.isolate(h.phone)}")
        physio = h.clinician or h.physio
        if physio:
            parts.append(f"{self['clinician']}: {self.isolate(physio)}")
        if not any(parts):
            return []
        line = " · ".join(p for p in parts if p)
        # a right-to-left handout's footer reads from the right even when it starts with a
        # clinic name in Latin letters (RIGHT-TO-LEFT MARK first)
        return ["\u200f" + line if self.direction == "rtl" else line]


@functools.lru_cache(maxsize=4096)
def _number(n: int, locale: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(n, locale=locale)


@functools.lru_cache(maxsize=16384)
def _date_text(d: date, form: str, locale: str, fixed: bool) -> str:
    from babel.dates import format_date, format_skeleton

    if fixed:
        return format_date(d, _EN_DATES[form], locale=locale)
    if form == "long":
        return format_date(d, "long", locale=locale)
    return format_skeleton(_SKELETONS[form], d, locale=locale)


@functools.cache
def _words(code: str, path: str, mtime: float) -> Words:
    if code == "en":
        return Words(load_english(), "en")
    if code == "en-XA":
        from .locales.pseudo import accent, pseudo_messages

        return Words(pseudo_messages(), code, after=accent)
    return Words(_load_file(path, code), code)


_FOUND: dict[tuple[str, str], Words] = {}


def words_for(language: str | Words = "en") -> Words:
    """The :class:`Words` of a shipped language, its file read and checked once per process
    (and again when ``BACKPLAN_LOCALES`` names another folder).

    Raises
    ------
    LanguageError
        For a language backplan does not ship, or a broken language file (nothing is
        written then).
    """
    if isinstance(language, Words):
        return language
    key = (str(language), os.environ.get("BACKPLAN_LOCALES", ""))
    found = _FOUND.get(key)
    if found is None:
        if language == "en-XA":
            found = _words("en-XA", "", 0.0)
        else:
            code = check_language(language)
            path = language_file(code) if code != "en" else None
            mtime = path.stat().st_mtime if path is not None and path.exists() else 0.0
            found = _words(code, str(path or ""), mtime)
        _FOUND[key] = found
    return found


# --- the English words, as plain mappings and functions -----------------------------------


class _English(Mapping[str, str]):
    """English messages by key, read from the catalogue on first use: ``pick`` chooses
    which keys (and how they are named here)."""

    def __init__(self, pick: Callable[[str], str | None]) -> None:
        self._pick = pick

    @functools.cached_property
    def _data(self) -> dict[str, str]:
        out = {}
        for (context, _), forms in load_english().forms.items():
            name = self._pick(context)
            if name is not None:
                out[name] = forms[-1]
        return out

    def __getitem__(self, key: str) -> str:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def _fixed(context: str) -> str | None:
    return None if context.startswith((STAFF_PREFIX, *DATA_CONTEXTS)) else context


#: Fixed patient-facing words in English, by key (a counted message in its plural form).
TEXT: Mapping[str, str] = _English(_fixed)
#: Words for the clinic, not the patient: English in every handout (the clinic page).
CLINIC_TEXT: Mapping[str, str] = _English(
    lambda c: c.removeprefix(STAFF_PREFIX) if c.startswith(STAFF_PREFIX) else None
)
#: Section titles for the programme advice rows of ``advice.csv``, in English.
ADVICE_TITLES: Mapping[str, str] = _English(
    lambda c: c.removeprefix("advice_") if c.startswith("advice_") else None
)


def dose_words(p: Prescription, side: str = "side", language: str = "en") -> str:
    """The dose of one prescription as a plain sentence (without a full stop).

    Examples
    --------
    >>> from backplan import Prescription
    >>> dose_words(Prescription(exercise="x", sets=2, reps=5, days_per_week=3))
    '2 rounds of 5 times, once a day, on 3 days a week'
    """
    return words_for(language).dose_words(p, side)


def dose_short(p: Prescription, side: str = "side", language: str = "en") -> str:
    """What one session holds, for the diary beside its tick boxes.

    Examples
    --------
    >>> from backplan import Prescription
    >>> dose_short(Prescription(exercise="x", reps=10, per_side=True, hold_s=5), "leg")
    '10 times on each leg, hold each for 5 seconds'
    """
    return words_for(language).dose_short(p, side)


def times_a_day(n: int, language: str = "en") -> str:
    """``once a day``, ``twice a day``, ``3 times a day``."""
    return words_for(language).times_a_day(n)


def days_a_week(n: int, language: str = "en") -> str:
    """``every day`` or ``on 3 days a week``."""
    return words_for(language).days_a_week(n)


def hold_words(seconds: int, language: str = "en") -> str:
    """``hold each for 5 seconds``, or ``no hold`` for 0."""
    return words_for(language).hold_words(seconds)


def fill_placeholders(
    text: str, doses: Sequence[Prescription], side: str = "side", language: str = "en"
) -> str:
    """Fill an English catalogue sentence's placeholders (see
    :meth:`Words.fill_placeholders`).

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
    return words_for(language).fill_placeholders(text, doses, side)


def prescribed_days(days_per_week: int) -> tuple[int, ...]:
    """Which days of a plan week (0 = the week's first day) carry a prescribed session,
    spread as evenly as possible.

    Examples
    --------
    >>> prescribed_days(3), prescribed_days(7)
    ((0, 2, 4), (0, 1, 2, 3, 4, 5, 6))
    """
    n = max(1, min(7, days_per_week))
    return tuple(sorted({(i * 7) // n for i in range(n)}))


def day_label(d: date, year: bool = True, language: str = "en") -> str:
    """A date as a patient and a clinic both read it without doubt: ``Mon 5 Jan 2026``;
    ``year=False`` leaves the year off (the diary prints it once, in the week's title)."""
    return words_for(language).day_label(d, year)


def week_span(first: date, last: date, language: str = "en") -> str:
    """The dates of a diary week: ``5 Jan to 11 Jan 2026`` (both years when they differ).

    Examples
    --------
    >>> week_span(date(2025, 12, 29), date(2026, 1, 4))
    '29 Dec 2025 to 4 Jan 2026'
    """
    return words_for(language).week_span(first, last)


def date_words(d: date, language: str = "en") -> str:
    """A date written out: ``5 January 2026``."""
    return words_for(language).date_words(d)


def diary_heading(week: Any, language: str = "en") -> str:
    """``Week 1: Mon 5 Jan to Sun 11 Jan 2026`` for a :class:`DiaryWeek`.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> days = (date(2025, 12, 29), date(2026, 1, 4))
    >>> diary_heading(SimpleNamespace(week=2, days=days))
    'Week 2: Mon 29 Dec 2025 to Sun 4 Jan 2026'
    """
    return words_for(language).diary_heading(week)


def diary_name(name: str) -> str:
    """An exercise's name without its bracketed part, to keep diary columns narrow.

    Examples
    --------
    >>> diary_name("Tummy squeeze (abdominal contraction)")
    'Tummy squeeze'
    """
    return re.sub(r"\s*\([^)]*\)", "", name).strip() or name


def footer_lines(h: Any, language: str = "en") -> list[str]:
    """The clinic contact line shown at the foot of every page (empty without details)."""
    return words_for(language).footer_lines(h)


def week_range(first: int, last: int, language: str = "en") -> str:
    """``"week 3"`` or ``"weeks 1 to 4"``."""
    return words_for(language).week_range(first, last)
