"""The languages backplan ships: codes, names, scripts, directions and review status.

``data/locales/languages.csv`` lists them, most spoken first after English and Welsh, with
the 2021 Census figure each is chosen by; the status (``draft`` or ``reviewed``, by whom,
when) comes from each language's own file (:mod:`backplan.locales.files`).

Examples
--------
>>> check_language("PL"), check_language("pa-Guru")
('pl', 'pa')
>>> check_language("fr")
Traceback (most recent call last):
...
backplan.locales.files.LanguageError: language: 1 problem
  - expected one of en (English), cy (Welsh), pl (Polish), ro (Romanian), pa (Panjabi), ur (Urdu), pt (Portuguese), es (Spanish), ar (Arabic), bn (Bengali), got 'fr'
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from datetime import date
from typing import Any

from .._io.paths import data_dir
from ..scripts import language_direction
from .files import LanguageError, language_file, load_language_file

__all__ = [
    "Language",
    "check_language",
    "known_languages",
    "language_choices",
    "language_codes",
    "language_info",
    "languages",
]

#: Codes that mean the same shipped language (the script a code names explicitly).
_ALIASES = {"en-gb": "en", "en-uk": "en", "pa-guru": "pa", "pa-in": "pa", "bn-bd": "bn",
            "bn-in": "bn", "ur-pk": "ur", "pt-pt": "pt", "pt-br": "pt", "es-es": "es",
            "cy-gb": "cy", "pl-pl": "pl", "ro-ro": "ro"}  # fmt: skip


@dataclass(frozen=True)
class Language:
    """One language a handout prints in."""

    code: str
    name: str
    native: str
    script: str
    direction: str
    status: str
    reviewed_by: str
    reviewed_on: date | None
    speakers_2021: int | None
    census: str


@functools.cache
def _table() -> tuple[dict[str, str], ...]:
    with open(data_dir() / "locales" / "languages.csv", encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def language_codes() -> tuple[str, ...]:
    """The codes of the shipped languages, English first.

    Examples
    --------
    >>> language_codes()[:3]
    ('en', 'cy', 'pl')
    """
    return tuple(row["code"] for row in _table())


def check_language(code: Any) -> str:
    """The shipped language ``code`` stands for (case and ``_`` or ``-`` do not matter),
    or a :class:`LanguageError` listing the languages there are."""
    text = str(code).strip().replace("_", "-").lower() if isinstance(code, str) else ""
    text = _ALIASES.get(text, text)
    if text in language_codes():
        return text
    raise LanguageError("language", [f"expected {known_languages()}, got {code!r}"])


def known_languages() -> str:
    """``one of en (English), cy (Welsh), ...``: the shipped languages, for messages."""
    return "one of " + ", ".join(f"{row['code']} ({row['name']})" for row in _table())


def _native(code: str) -> str:
    from babel import Locale

    name = Locale.parse(code).display_name or code
    return name[:1].upper() + name[1:]


@functools.cache
def language_info(code: str) -> Language:
    """What there is to know about one shipped language (its file is read and checked).

    Examples
    --------
    >>> info = language_info("ur")
    >>> info.native, info.script, info.direction, info.status
    ('اردو', 'Arabic', 'rtl', 'draft')
    """
    code = check_language(code)
    row = next(r for r in _table() if r["code"] == code)
    if code == "en":
        status, by, on = "source", "", None  # the English every translation is made from
    else:
        st = load_language_file(language_file(code), code).status
        status, by, on = st.status, st.reviewed_by, st.reviewed_on
    speakers = row["speakers_2021"].replace(",", "")
    return Language(code, row["name"], _native(code), row["script"], language_direction(code),
                    status, by, on, int(speakers) if speakers else None, row["census"])  # fmt: skip


def languages() -> Any:
    """The shipped languages as a table: ``code``, ``name``, ``native``, ``script``,
    ``direction``, ``status``, ``reviewed_by``, ``reviewed_on``, ``speakers_2021``,
    ``census`` (what the figure counts), English first.

    Examples
    --------
    >>> table = languages()
    >>> table.loc[table.code == "pl", ["native", "status"]].values.tolist()
    [['Polski', 'draft']]
    """
    import pandas as pd

    rows = [language_info(code).__dict__ for code in language_codes()]
    return pd.DataFrame(rows, columns=list(Language.__dataclass_fields__))


def language_choices() -> list[tuple[str, str]]:
    """``(label, code)`` pairs for a language picker (an ipywidgets ``Dropdown`` takes
    them as ``options``): the name in the language itself, the English name, and
    ``draft`` for a translation no one has reviewed.

    Examples
    --------
    >>> language_choices()[:2]
    [('English', 'en'), ('Cymraeg (Welsh, draft)', 'cy')]
    """
    out = []
    for code in language_codes():
        info = language_info(code)
        if code == "en":
            out.append((info.name, code))
            continue
        tail = ", draft" if info.status == "draft" else ""
        out.append((f"{info.native} ({info.name}{tail})", code))
    return out
