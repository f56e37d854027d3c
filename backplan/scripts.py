"""Which writing system a text is in, and which way it reads.

Pure functions on strings, light to import: the PDF handout picks its fonts and the HTML
handout its ``dir`` and ``lang`` attributes from them, and a later ``language=`` option can
use the same answers.

* :func:`script_of` names the script of one character (``"Arabic"``, ``"Han"``, ...), from
  the Unicode block it sits in; digits, punctuation and spaces of the Latin and general
  blocks are ``"Common"`` and combining marks ``"Inherited"``: they take the script of the
  text around them.
* :func:`direction` is the direction of a text as HTML's ``dir="auto"`` sees it: that of its
  first letter with a strong direction (``"rtl"`` for Arabic and Hebrew letters), or
  ``None`` when it has none.
* :func:`cjk_language` tells Chinese, Japanese and Korean apart (kana, hangul), so the font
  with the right forms of the shared Han characters is used.
* :func:`mixed_script_words` finds words that mix Latin, Greek and Cyrillic letters, as a
  keyboard switched to another language mid-word does ("Аnna" with a Cyrillic "А").

Examples
--------
>>> direction("محمد عبد الله"), direction("Zoë"), direction("12 - 3")
('rtl', 'ltr', None)
>>> [script_of(c) for c in "Aж王ب1"]
['Latin', 'Cyrillic', 'Han', 'Arabic', 'Common']
>>> cjk_language("王小明"), cjk_language("さくら"), cjk_language("김민준"), cjk_language("Ann")
('zh', 'ja', 'ko', None)
>>> mixed_script_words("Аnna Smith")  # the first letter is Cyrillic
[('Аnna', ('Cyrillic', 'Latin'))]
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from typing import Literal

__all__ = [
    "RTL_LANGUAGES",
    "RTL_SCRIPTS",
    "cjk_language",
    "direction",
    "is_rtl",
    "language_direction",
    "mixed_script_words",
    "script_of",
    "scripts_in",
]

#: Scripts written from right to left.
RTL_SCRIPTS = frozenset({"Arabic", "Hebrew"})

# (first code point, script) of consecutive Unicode blocks, by block; a code point takes
# the script of the last start at or below it. "Latin*" and "Greek*": the letters are
# Latin (Greek), every other character Common.
_BLOCKS: tuple[tuple[int, str], ...] = (
    (0x0000, "Latin*"), (0x02B0, "Common"), (0x0300, "Inherited"), (0x0370, "Greek*"),
    (0x0400, "Cyrillic"), (0x0530, "Armenian"), (0x0590, "Hebrew"), (0x0600, "Arabic"),
    (0x0700, "Unknown"), (0x0750, "Arabic"), (0x0780, "Unknown"), (0x0870, "Arabic"),
    (0x0900, "Devanagari"), (0x0980, "Bengali"), (0x0A00, "Gurmukhi"), (0x0A80, "Gujarati"),
    (0x0B00, "Oriya"), (0x0B80, "Tamil"), (0x0C00, "Telugu"), (0x0C80, "Kannada"),
    (0x0D00, "Malayalam"), (0x0D80, "Sinhala"), (0x0E00, "Thai"), (0x0E80, "Lao"),
    (0x0F00, "Unknown"), (0x1000, "Myanmar"), (0x10A0, "Georgian"), (0x1100, "Hangul"),
    (0x1200, "Ethiopic"), (0x13A0, "Unknown"), (0x1780, "Khmer"), (0x1800, "Unknown"),
    (0x1AB0, "Inherited"), (0x1B00, "Unknown"), (0x1C80, "Cyrillic"), (0x1C90, "Georgian"),
    (0x1CC0, "Unknown"), (0x1CD0, "Devanagari"), (0x1D00, "Latin"), (0x1DC0, "Inherited"),
    (0x1E00, "Latin"), (0x1F00, "Greek"), (0x2000, "Common"), (0x20D0, "Inherited"),
    (0x2100, "Common"), (0x2C00, "Unknown"), (0x2C60, "Latin"), (0x2C80, "Unknown"),
    (0x2D00, "Georgian"), (0x2D30, "Unknown"), (0x2DE0, "Cyrillic"), (0x2E00, "Common"),
    (0x2E80, "Han"), (0x2FE0, "Unknown"), (0x3000, "CJK"), (0x3040, "Hiragana"),
    (0x30A0, "Katakana"), (0x3100, "Han"), (0x3130, "Hangul"), (0x3190, "CJK"),
    (0x31F0, "Katakana"), (0x3200, "CJK"), (0x3400, "Han"), (0x4DC0, "Common"),
    (0x4E00, "Han"), (0xA000, "Unknown"), (0xA640, "Cyrillic"), (0xA6A0, "Unknown"),
    (0xA720, "Latin"), (0xA800, "Unknown"), (0xA8E0, "Devanagari"), (0xA900, "Unknown"),
    (0xA960, "Hangul"), (0xA980, "Unknown"), (0xAB30, "Latin"), (0xAB70, "Unknown"),
    (0xAC00, "Hangul"), (0xD800, "Unknown"), (0xF900, "Han"), (0xFB00, "Latin"),
    (0xFB13, "Unknown"), (0xFB1D, "Hebrew"), (0xFB50, "Arabic"), (0xFE00, "Inherited"),
    (0xFE10, "CJK"), (0xFE20, "Inherited"), (0xFE30, "CJK"), (0xFE50, "Common"),
    (0xFE70, "Arabic"), (0xFF00, "CJK"), (0xFFF0, "Common"), (0x10000, "Unknown"),
    (0x1F000, "Common"), (0x1FB00, "Unknown"), (0x20000, "Han"), (0x2FA20, "Unknown"),
)  # fmt: skip
_STARTS = [start for start, _ in _BLOCKS]
_STRONG_LETTERS = ("Latin", "Greek", "Cyrillic")


def script_of(ch: str) -> str:
    """The script of one character: a name such as ``"Latin"``, ``"Arabic"``, ``"Han"``,
    ``"Hiragana"``, ``"Hangul"`` or ``"CJK"`` (CJK punctuation and full-width forms),
    ``"Common"`` (digits, punctuation, spaces, symbols), ``"Inherited"`` (a combining mark)
    or ``"Unknown"`` (a block no shipped font is meant for).

    Examples
    --------
    >>> script_of("é"), script_of("\\u0301"), script_of("Ω"), script_of("ক"), script_of("。")
    ('Latin', 'Inherited', 'Greek', 'Bengali', 'CJK')
    """
    name = _BLOCKS[bisect.bisect_right(_STARTS, ord(ch)) - 1][1]
    if name.endswith("*"):
        return name[:-1] if unicodedata.category(ch).startswith("L") else "Common"
    return name


def scripts_in(text: str) -> set[str]:
    """The scripts of the letters and signs of ``text`` (not Common or Inherited).

    Examples
    --------
    >>> sorted(scripts_in("王小明 (Wang)"))
    ['Han', 'Latin']
    """
    return {s for s in map(script_of, text) if s not in ("Common", "Inherited")}


def _strong(ch: str) -> Literal["ltr", "rtl"] | None:
    kind = unicodedata.bidirectional(ch)
    if kind == "L":
        return "ltr"
    if kind in ("R", "AL"):
        return "rtl"
    return None


def direction(text: str) -> Literal["ltr", "rtl"] | None:
    """The direction of ``text``: that of its first strongly directed letter, as HTML's
    ``dir="auto"`` decides; ``None`` when it has none (digits, punctuation, empty).

    Examples
    --------
    >>> direction("2 × محمد"), direction("Dr. محمد"), direction("")
    ('rtl', 'ltr', None)
    """
    for ch in text:
        found = _strong(ch)
        if found:
            return found
    return None


def is_rtl(text: str) -> bool:
    """Whether ``text`` reads right to left (see :func:`direction`).

    Examples
    --------
    >>> is_rtl("שרה כהן"), is_rtl("Sarah")
    (True, False)
    """
    return direction(text) == "rtl"


def cjk_language(text: str) -> Literal["zh", "ja", "ko"] | None:
    """Chinese, Japanese or Korean, as far as the characters tell: kana make it Japanese,
    hangul Korean, Han characters alone Chinese; ``None`` without any of them.

    Examples
    --------
    >>> cjk_language("山田 はなこ"), cjk_language("李 민수")
    ('ja', 'ko')
    """
    found = scripts_in(text)
    if found & {"Hiragana", "Katakana"}:
        return "ja"
    if "Hangul" in found:
        return "ko"
    if found & {"Han", "CJK"}:
        return "zh"
    return None


#: Languages written right to left (ISO 639-1/-3 codes), for :func:`language_direction`.
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "ug", "ur", "yi"}
)


def language_direction(language: str) -> Literal["ltr", "rtl"]:
    """The direction a language is written in, from its code (``"ur"``, ``"pa-Arab"``,
    ``"en-GB"``): the page direction of a handout in that language.

    Examples
    --------
    >>> language_direction("ur"), language_direction("ar-EG"), language_direction("pl")
    ('rtl', 'rtl', 'ltr')
    >>> language_direction("pa-Arab"), language_direction("pa")  # Shahmukhi, Gurmukhi
    ('rtl', 'ltr')
    """
    parts = language.replace("_", "-").lower().split("-")
    if "arab" in parts[1:] or "hebr" in parts[1:]:
        return "rtl"
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"


_WORD = re.compile(r"\w+")


def mixed_script_words(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Words of ``text`` whose letters mix Latin, Greek and Cyrillic, with those scripts.

    Such a word looks right but is not what it seems: a search for the name fails, and
    it is usually a keyboard set to another language for one key. Other mixes (kanji with
    kana, a Latin initial beside Chinese) are normal and not reported.

    Examples
    --------
    >>> mixed_script_words("Ivan Иванов"), mixed_script_words("Ivаn")  # Cyrillic "а"
    ([], [('Ivаn', ('Cyrillic', 'Latin'))])
    """
    out = []
    for word in _WORD.findall(text):
        found = tuple(sorted(scripts_in(word) & set(_STRONG_LETTERS)))
        if len(found) > 1:
            out.append((word, found))
    return out
