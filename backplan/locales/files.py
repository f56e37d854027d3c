"""Language files read and checked: the English template and one translation per language.

The message catalogue is gettext's: ``messages.pot`` holds every message in English, each
under a key (its ``msgctxt``), and ``<code>.po`` its translation into one language, read
with Babel. A message that depends on a number (``{n} times``) has a plural, and each
language gives as many forms as its plural rules ask (Babel's rules: Polish 3, Welsh and
Arabic 6).

A language file is checked as a whole when it is first used, so a broken file stops a
handout before anything is written. It must give every fixed message (not the staff
words, which print in English), with the same placeholders as the English (``{phone}``,
``{week}``, ``{n}``: the numbers a patient reads are the same in every language; the one
exception is ``{side}`` in exercise text, a word the translation may write out in its own
grammar), the language's number of plural forms, and a review status in its header::

    "X-Backplan-Status: draft\\n"          (or reviewed)
    "X-Backplan-Reviewed-By: \\n"          (who reviewed it; needed for reviewed)
    "X-Backplan-Reviewed-On: \\n"          (YYYY-MM-DD; needed for reviewed)
    "X-Backplan-Drafted-By: ...\\n"        (who or what made the draft)
    "X-Backplan-Drafted-On: 2026-12-07\\n"

Examples
--------
>>> english = load_english()
>>> english.forms[("pain_stop", "Over 5: stop that exercise and call your physio.")]
('Over 5: stop that exercise and call your physio.',)
>>> placeholders("From week {week}: {dose}.")
('dose', 'week')
"""

from __future__ import annotations

import functools
import gettext
import io
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .._io.paths import data_dir
from ..errors import BackplanError, problem_list, short

__all__ = [
    "DATA_CONTEXTS",
    "STAFF_PREFIX",
    "STATUSES",
    "WORD_PLACEHOLDERS",
    "LanguageError",
    "Messages",
    "Status",
    "UntranslatedWarning",
    "check_messages",
    "language_file",
    "load_english",
    "load_language_file",
    "placeholders",
    "template_path",
]

#: Review statuses a language file may record.
STATUSES = ("draft", "reviewed")
#: Keys of staff words (the clinic page): printed in English whatever the language.
STAFF_PREFIX = "clinic:"
#: Contexts of text that comes from the data files (``advice.csv``, the catalogue, the
#: pictures' ``poses.json``), not from code: ``advice:<section>``, ``exercise:<id>`` and
#: ``picture:<id>`` (a picture's captions, labels and description).
DATA_CONTEXTS = ("advice:", "exercise:", "picture:")
#: Placeholders that stand for a word, not a number: a translation may write the word out.
WORD_PLACEHOLDERS = frozenset({"side"})

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_HEADER = re.compile(r"^X-Backplan-([\w-]+):[ \t]*(.*)$", re.MULTILINE)


class UntranslatedWarning(UserWarning):
    """A handout text (a clinic's own catalogue or advice) has no translation in the
    patient's language, so it prints in English only."""


class LanguageError(BackplanError):
    """A language is unknown, or its file is broken; lists every problem found.

    ``problems`` holds one line per problem (the message shows at most 50)."""

    def __init__(self, source: str, problems: Iterable[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(problem_list(source, self.problems))


@dataclass(frozen=True)
class Status:
    """The review status a language file records about itself."""

    status: str = "draft"
    reviewed_by: str = ""
    reviewed_on: date | None = None
    drafted_by: str = ""
    drafted_on: date | None = None


@dataclass(frozen=True, eq=False)
class Messages:
    """One language's messages: ``forms[(context, english)]`` is the translation's forms
    (one, or one per plural form), ``plural(n)`` picks the form for ``n``."""

    code: str
    source: str
    forms: Mapping[tuple[str, str], tuple[str, ...]]
    plural: Callable[[int], int]
    nplurals: int
    status: Status = Status()
    lines: Mapping[tuple[str, str], int] = field(default_factory=dict)
    #: the English plural of each plural message, by (context, English singular)
    plurals: Mapping[tuple[str, str], str] = field(default_factory=dict)


def placeholders(text: str) -> tuple[str, ...]:
    """The names of the ``{name}`` placeholders in ``text``, sorted, each once."""
    return tuple(sorted(set(_PLACEHOLDER.findall(text))))


def template_path() -> Path:
    """The English template of every message, ``data/locales/messages.pot``."""
    return data_dir() / "locales" / "messages.pot"


def language_file(code: str) -> Path:
    """Where language ``code``'s file is: ``$BACKPLAN_LOCALES/<code>.po`` when that folder
    holds one (a clinic's own, reviewed copy), else the shipped ``data/locales/<code>.po``."""
    own = os.environ.get("BACKPLAN_LOCALES")
    if own and (Path(own) / f"{code}.po").is_file():
        return Path(own) / f"{code}.po"
    return data_dir() / "locales" / f"{code}.po"


def _read(path: Path) -> tuple[Any, str]:
    from babel.messages.pofile import read_po

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LanguageError(str(path), [f"cannot read the file ({exc.strerror or exc})"]) from exc
    try:
        text = raw.decode("utf-8")
        return read_po(io.BytesIO(raw), abort_invalid=True), text
    except Exception as exc:  # Babel's PoFileError, a bad encoding, a bad header
        raise LanguageError(path.name, [f"not a readable gettext .po file: {exc}"]) from exc


@functools.cache
def _english(path: Path, mtime: float) -> Messages:
    catalog, _ = _read(path)
    forms: dict[tuple[str, str], tuple[str, ...]] = {}
    lines, plurals = {}, {}
    for m in catalog:
        if not m.id:
            continue
        key = (m.context or "", m.id[0] if isinstance(m.id, tuple) else m.id)
        forms[key] = tuple(m.id) if isinstance(m.id, tuple) else (m.id,)
        if isinstance(m.id, tuple):
            plurals[key] = m.id[1]
        lines[key] = m.lineno
    return Messages("en", path.name, forms, lambda n: int(n != 1), 2, Status("reviewed"),
                    lines, plurals)  # fmt: skip


def load_english() -> Messages:
    """The English messages (``messages.pot``), read once per process."""
    path = template_path()
    return _english(path, path.stat().st_mtime)


def _status(text: str, problems: list[str]) -> Status:
    head = text.split("\n\n", 1)[0].replace('"\n"', "").replace("\\n", "\n")
    fields = {k.lower(): v.strip().strip('"').strip() for k, v in _HEADER.findall(head)}
    status = fields.get("status", "")
    if status not in STATUSES:
        problems.append(
            f"header 'X-Backplan-Status': expected one of {', '.join(STATUSES)}, got {status!r}"
        )

    def day(name: str) -> date | None:
        value = fields.get(name, "")
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            problems.append(f"header 'X-Backplan-{name.title()}': expected a date written "
                            f"YYYY-MM-DD, got {value!r}")  # fmt: skip
            return None

    out = Status(status or "draft", fields.get("reviewed-by", ""), day("reviewed-on"),
                 fields.get("drafted-by", ""), day("drafted-on"))  # fmt: skip
    if status == "reviewed" and not (out.reviewed_by and out.reviewed_on):
        problems.append("header: a file marked 'reviewed' must say who reviewed it and when "
                        "(X-Backplan-Reviewed-By, X-Backplan-Reviewed-On)")  # fmt: skip
    return out


def _plural_rule(code: str, problems: list[str], declared: int) -> tuple[Callable, int]:
    from babel.core import UnknownLocaleError
    from babel.messages.plurals import get_plural

    try:
        rule = get_plural(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        problems.append(f"header 'Language': expected a language Babel knows, got {code!r}")
        return (lambda n: 0), 1
    if declared != rule.num_plurals:
        problems.append(
            f"header 'Plural-Forms': expected nplurals={rule.num_plurals} "
            f"({rule.plural_expr}), as Babel's rules for {code!r} give, got {declared}"
        )
    return gettext.c2py(rule.plural_expr), rule.num_plurals


@functools.cache
def _language(path: Path, mtime: float, code: str) -> Messages:
    catalog, text = _read(path)
    problems: list[str] = []
    status = _status(text, problems)
    found = str(catalog.locale or "").replace("_", "-")
    if found.lower() != code.lower():
        problems.append(f"header 'Language': expected {code!r}, got {found or None!r}")
    plural, nplurals = _plural_rule(code, problems, catalog.num_plurals)
    forms: dict[tuple[str, str], tuple[str, ...]] = {}
    lines: dict[tuple[str, str], int] = {}
    for m in catalog:
        if not m.id:
            continue
        key = (m.context or "", m.id[0] if isinstance(m.id, tuple) else m.id)
        lines[key] = m.lineno
        strings = tuple(m.string) if isinstance(m.string, tuple | list) else (m.string,)
        if m.fuzzy or not all(strings):
            continue  # untranslated (or marked fuzzy): reported by check_messages
        forms[key] = strings
    messages = Messages(code, path.name, forms, plural, nplurals, status, lines)
    problems += check_messages(messages, load_english(), complete=False)
    if problems:
        raise LanguageError(path.name, problems)
    return messages


def load_language_file(path: str | os.PathLike[str], code: str | None = None) -> Messages:
    """Read and check one language file (``code`` from its name by default).

    Raises
    ------
    LanguageError
        Naming the file, and for each problem the line and message: a placeholder that
        differs from the English, a wrong number of plural forms, a missing or misspelt
        review status, a fixed message with no translation.

    Examples
    --------
    >>> load_language_file(language_file("pl")).status.status
    'draft'
    """
    p = Path(path)
    return _language(p.resolve(), p.stat().st_mtime if p.exists() else 0.0, code or p.stem)


def _where(messages: Messages, key: tuple[str, str]) -> str:
    line = messages.lines.get(key)
    what = key[0] if not key[0].startswith(DATA_CONTEXTS) else f"{key[0]} {short(key[1], 40)!r}"
    return f"line {line}, message {what!r}" if line else f"message {what!r}"


def _is_data(context: str) -> bool:
    return context.startswith(DATA_CONTEXTS)


def check_messages(messages: Messages, english: Messages, complete: bool = True) -> list[str]:
    """Every problem of a language's messages against the English, one line each.

    ``complete=True`` also asks for every text of the data files (advice, exercises) to be
    translated, as the shipped languages must; a clinic's own file may leave them (they
    then print in English).
    """
    problems = []
    for key, en in english.forms.items():
        context, msgid = key
        if context.startswith(STAFF_PREFIX):
            continue
        got = messages.forms.get(key)
        if got is None:
            if complete or not _is_data(context):
                problems.append(f"{_where(messages, key)}: expected a translation of "
                                f"{short(msgid, 60)!r}, got none")  # fmt: skip
            continue
        want_n = messages.nplurals if len(en) > 1 else 1
        if len(got) != want_n:
            problems.append(f"{_where(messages, key)}: expected {want_n} form(s), got {len(got)}")
            continue
        want = set(placeholders(en[-1]))
        for i, form in enumerate(got):
            names = set(placeholders(form))
            if _is_data(context):
                names |= want & WORD_PLACEHOLDERS
            stray = _PLACEHOLDER.sub("", form)
            if names != want or "{" in stray or "}" in stray:
                shown = " ".join(f"{{{n}}}" for n in sorted(want)) or "none"
                which = f" (form {i})" if len(got) > 1 else ""
                problems.append(
                    f"{_where(messages, key)}{which}: expected the placeholders {shown} as "
                    f"in the English, got {short(form, 80)!r}"
                )
                break
    return problems
