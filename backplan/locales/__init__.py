"""The languages a handout prints in, and the message catalogue behind every word of it.

Every sentence a patient reads comes from one gettext catalogue under ``data/locales/``:
``messages.pot`` is the English (each message under a key), ``<code>.po`` a translation,
read with Babel, with the language's plural rules and a review status (``draft`` or
``reviewed``, by whom, when) in its header. The shipped translations are machine-made
drafts that no speaker has checked: every file says ``draft``. A clinic that has a
translation reviewed puts its copy in the folder named by ``BACKPLAN_LOCALES`` (same file
name); it is checked like the shipped one and used instead. See ``docs/languages.md``.

:func:`backplan.words.words_for` turns a language into the words a handout uses;
here are the list of languages (for a picker: :func:`language_choices`) and the checks.

Examples
--------
>>> [code for code, *_ in languages()[["code"]].values][:4]
['en', 'cy', 'pl', 'ro']
>>> language_info("ar").direction
'rtl'
"""

from __future__ import annotations

from .files import LanguageError, Status, UntranslatedWarning, load_language_file
from .shipped import (
    Language,
    check_language,
    known_languages,
    language_choices,
    language_codes,
    language_info,
    languages,
)

__all__ = [
    "Language",
    "LanguageError",
    "Status",
    "UntranslatedWarning",
    "check_language",
    "known_languages",
    "language_choices",
    "language_codes",
    "language_info",
    "languages",
    "load_language_file",
]
