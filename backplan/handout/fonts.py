"""The fonts of the printed handout: one for each script, chosen character by character.

Latin, Greek and Cyrillic print in DejaVu Sans (matplotlib ships it), as before. Every other
script prints in a Noto face from a pip package (SIL Open Font License 1.1; the licences
travel with the packages, see ``LICENSES/fonts.md``):

=======================  ============================================================
``manimgx-fonts``        Noto Sans (Latin, Greek, Cyrillic beyond DejaVu), Arabic (and
                         Urdu), Hebrew, Devanagari, Bengali, Gurmukhi, Gujarati, Tamil;
                         also Armenian, Ethiopic, Georgian, Kannada, Khmer, Lao,
                         Malayalam, Myanmar, Oriya, Sinhala, Telugu, Thai, symbols and
                         emoji (in outline)
``justmytype-intl-cjk``  Noto Sans SC, TC, JP and KR (Chinese, Japanese, Korean)
=======================  ============================================================

The Noto files are variable fonts; each weight the handout uses (regular 400, bold 700) is
cut from them once per process with HarfBuzz's instancer (a few milliseconds; 0.2 s for a
CJK face) when a text first needs it, so ``import backplan`` and a Latin-only handout load
none of them. The PDF embeds only the glyphs it draws.

:func:`font_runs` splits a text into runs of one face: a letter takes the first face of its
script that has it; digits, punctuation and spaces the face of the letters around them; Han
characters the Chinese, Japanese or Korean face that the text's kana or hangul (or
``language``) point to. A character that no face has raises :class:`BackplanError` naming
it and its code point (:func:`check_printable` adds the field).

Examples
--------
>>> font_runs("Zoë 王小明")
[('dejavu', 'Zoë '), ('zh', '王小明')]
>>> font_runs("\\U00013000")  # an Egyptian hieroglyph
Traceback (most recent call last):
...
backplan.errors.BackplanError: cannot print '𓀀' (U+13000 EGYPTIAN HIEROGLYPH A001): none of the fonts backplan ships has it
"""

from __future__ import annotations

import functools
import io
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import BackplanError
from ..scripts import cjk_language, script_of

__all__ = [
    "BOLD",
    "FACES",
    "REGULAR",
    "Face",
    "check_printable",
    "cjk_key",
    "face",
    "font_runs",
    "has_char",
    "missing_char",
    "register_fonts",
]

#: ReportLab names of the handout's Latin, Greek and Cyrillic face (DejaVu Sans).
REGULAR, BOLD = "BackplanSans", "BackplanSans-Bold"


@functools.cache
def register_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (regular and bold) with ReportLab, once per process."""
    import matplotlib
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
    pdfmetrics.registerFont(TTFont(REGULAR, os.path.join(folder, "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, os.path.join(folder, "DejaVuSans-Bold.ttf")))
    for italic in (0, 1):  # no italic face: <i> falls back to upright
        addMapping(REGULAR, 0, italic, REGULAR)
        addMapping(REGULAR, 1, italic, BOLD)
        addMapping(BOLD, 0, italic, BOLD)
        addMapping(BOLD, 1, italic, BOLD)
    return REGULAR, BOLD


_NOTO = "manimgx_fonts"
_CJK = "justmytype_intl_cjk"

_SCRIPTS = (
    "Arabic", "Hebrew", "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Tamil", "Armenian",
    "Ethiopic", "Georgian", "Kannada", "Khmer", "Lao", "Malayalam", "Myanmar", "Oriya",
    "Sinhala", "Telugu", "Thai", "Symbols",
)  # fmt: skip
#: face key -> (pip package, file inside it, variable font?). "dejavu" is matplotlib's
#: DejaVu Sans (static regular and bold files).
FACES: dict[str, tuple[str, str, bool]] = {
    "dejavu": ("matplotlib", "mpl-data/fonts/ttf/DejaVuSans.ttf", False),
    "noto": (_NOTO, "NotoSans[wght].ttf", True),
    **{script.lower(): (_NOTO, f"NotoSans{script}[wght].ttf", True) for script in _SCRIPTS},
    "emoji": (_NOTO, "NotoEmoji[wght].ttf", True),
    "zh": (_CJK, "fonts/ofl/notosanssc/NotoSansSC[wght].ttf", True),
    "zh-hant": (_CJK, "fonts/ofl/notosanstc/NotoSansTC[wght].ttf", True),
    "ja": (_CJK, "fonts/ofl/notosansjp/NotoSansJP[wght].ttf", True),
    "ko": (_CJK, "fonts/ofl/notosanskr/NotoSansKR[wght].ttf", True),
}

_GENERAL = ("dejavu", "noto", "symbols", "emoji")
_CJK_ORDER = {
    "zh": ("zh", "zh-hant", "ja", "ko"),
    "zh-hant": ("zh-hant", "zh", "ja", "ko"),
    "ja": ("ja", "zh", "zh-hant", "ko"),
    "ko": ("ko", "zh", "zh-hant", "ja"),
}
_CJK_SCRIPTS = frozenset({"Han", "CJK", "Hiragana", "Katakana", "Hangul"})


def _chain(script: str, cjk: str) -> tuple[str, ...]:
    """The faces to try, best first, for a character of ``script``."""
    if script in _CJK_SCRIPTS:
        first = {"Hiragana": "ja", "Katakana": "ja", "Hangul": "ko"}.get(script, cjk)
        return _CJK_ORDER[first]
    key = script.lower()
    if key in FACES and key not in _GENERAL:
        return (key, "dejavu", "noto")
    return _GENERAL + _CJK_ORDER[cjk]


def _path(key: str, bold: bool = False) -> str:
    package, name, _ = FACES[key]
    if key == "dejavu":
        import matplotlib

        folder = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
        return os.path.join(folder, "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    from importlib.resources import files

    try:
        return str(files(package) / name)
    except ModuleNotFoundError as err:  # a broken install
        raise BackplanError(
            f"the font package {package.replace('_', '-')} is missing: reinstall backplan "
            "(make .venv/.backplan-installed) so that every script prints"
        ) from err


@functools.cache
def _coverage(key: str) -> frozenset[int]:
    """The code points a face has in both weights (its cmaps, read with HarfBuzz; no font
    is loaded): DejaVu Sans Bold lacks some of the regular face's rarer signs, and a heading
    must print what a line of text prints."""
    import uharfbuzz as hb

    regular, bold = (frozenset(hb.Face(hb.Blob.from_file_path(_path(key, b))).unicodes)
                     for b in (False, True))  # fmt: skip
    return regular & bold


def _private(cp: int) -> bool:
    return 0xE000 <= cp <= 0xF8FF or cp >= 0xF0000


def has_char(key: str, ch: str) -> bool:
    """Whether face ``key`` has a glyph for ``ch`` (private-use characters never count).

    Examples
    --------
    >>> has_char("arabic", "ب"), has_char("dejavu", "王")
    (True, False)
    """
    cp = ord(ch)
    return not _private(cp) and cp in _coverage(key)


def _invisible(ch: str) -> bool:
    """Characters that need no glyph: controls, line breaks and format characters (joiners,
    direction marks), which the shaper handles."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"{ch!r} (U+{ord(ch):04X}{' ' + name if name else ''})"


def _cannot(ch: str) -> BackplanError:
    return BackplanError(f"cannot print {_describe(ch)}: none of the fonts backplan ships has it")


def cjk_key(text: str, language: str | None = None) -> str:
    """The face key (``"zh"``, ``"zh-hant"``, ``"ja"``, ``"ko"``) for Han characters in
    ``text``: from ``language`` when given, else from the text's kana or hangul.

    Examples
    --------
    >>> cjk_key("王小明"), cjk_key("王小明", "ja"), cjk_key("김민준"), cjk_key("臺灣", "zh-TW")
    ('zh', 'ja', 'ko', 'zh-hant')
    """
    if language:
        lang = language.lower()
        if lang in ("zh-hant", "zh-tw", "zh-hk", "zh-mo"):
            return "zh-hant"
        if lang[:2] in ("zh", "ja", "ko"):
            return lang[:2]
    return cjk_language(text) or "zh"


def missing_char(text: str, language: str | None = None) -> str | None:
    """The first character of ``text`` that no shipped font has, or ``None``.

    Examples
    --------
    >>> missing_char("Ann Smith"), missing_char("ok \\ue000")
    (None, '\\ue000')
    """
    if text.isascii():  # DejaVu Sans has every printable ASCII character
        return None
    cjk = cjk_key(text, language)
    for ch in dict.fromkeys(text):
        if not _invisible(ch) and not any(has_char(k, ch) for k in _chain(script_of(ch), cjk)):
            return ch
    return None


def font_runs(text: str, language: str | None = None) -> list[tuple[str, str]]:
    """``text`` cut into ``(face key, part)`` runs, each printable in one face.

    A letter or sign takes the first face of its script that has it; digits, punctuation,
    spaces and combining marks take the face of the letter before them when it has them
    (else the one after, else the first general face that does). ``language`` (``"ja"``,
    ``"zh-Hant"``, ...) picks the face for Han characters; by default kana make them
    Japanese, hangul Korean, else Chinese (simplified forms).

    Raises
    ------
    BackplanError
        Naming the first character no face has, with its code point.

    Examples
    --------
    >>> font_runs("محمد (Mo) 12")
    [('arabic', 'محمد '), ('dejavu', '(Mo) 12')]
    >>> font_runs("山田 はな")  # kana: the Japanese face, also for the kanji
    [('ja', '山田 はな')]
    """
    return [(key, text[a:b]) for key, a, b in runs_of(text, cjk_key(text, language))]


@functools.lru_cache(maxsize=4096)
def runs_of(text: str, cjk: str = "zh") -> tuple[tuple[str, int, int], ...]:
    """``(face key, start, end)`` runs of ``text`` (see :func:`font_runs`)."""
    keys: list[str | None] = []
    for ch in text:
        script = script_of(ch)
        if script in ("Common", "Inherited") or _invisible(ch) or ch.isspace():
            keys.append(None)
            continue
        key = next((k for k in _chain(script, cjk) if has_char(k, ch)), None)
        if key is None:
            raise _cannot(ch)
        keys.append(key)
    _neutrals(text, keys, cjk)
    runs: list[tuple[str, int, int]] = []
    for i, key in enumerate(keys):
        assert key is not None
        if runs and runs[-1][0] == key:
            runs[-1] = (key, runs[-1][1], i + 1)
        else:
            runs.append((key, i, i + 1))
    return tuple(runs)


def _neutrals(text: str, keys: list[str | None], cjk: str) -> None:
    """Give digits, punctuation, spaces and marks the face of their neighbours."""
    before: str | None = None
    for i, ch in enumerate(text):
        if keys[i] is None:
            after = next((k for k in keys[i + 1 :] if k is not None), None)
            near = [k for k in (before, after) if k is not None]
            if _invisible(ch):
                keys[i] = (near or ["dejavu"])[0]
            else:
                keys[i] = next((k for k in near if has_char(k, ch)), None) or next(
                    (k for k in _chain("Common", cjk) if has_char(k, ch)), None
                )
                if keys[i] is None:
                    raise _cannot(ch)
        before = keys[i]


@dataclass(frozen=True)
class Face:
    """One weight of one face, loaded: its ReportLab font name and HarfBuzz font."""

    key: str
    bold: bool
    name: str
    hb: Any
    upem: int

    @property
    def rl(self) -> Any:
        """The ReportLab font."""
        from reportlab.pdfbase.pdfmetrics import getFont

        return getFont(self.name)


def _font_bytes(key: str, bold: bool) -> bytes:
    """The font file's bytes; a variable font pinned to weight 400 or 700 by HarfBuzz."""
    import uharfbuzz as hb

    path = _path(key, bold)
    if not FACES[key][2]:
        with open(path, "rb") as f:
            return f.read()
    source = hb.Face(hb.Blob.from_file_path(path))
    axis = next((a for a in source.axis_infos if a.tag == "wght"), None)
    spec = hb.SubsetInput()
    spec.keep_everything()
    if axis is not None:
        wanted = 700.0 if bold else 400.0
        spec.pin_axis_location(source, "wght", min(max(wanted, axis.min_value), axis.max_value))
    return hb.subset(source, spec).blob.data


@functools.cache
def face(key: str, bold: bool = False) -> Face:
    """Face ``key`` in regular or bold, registered with ReportLab once per process.

    DejaVu Sans keeps the handout's names ``BackplanSans`` and ``BackplanSans-Bold``; the
    others are ``Backplan-<key>`` (and ``-Bold``).

    Examples
    --------
    >>> face("arabic", bold=True).name
    'Backplan-arabic-Bold'
    """
    import uharfbuzz as hb
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    data = _font_bytes(key, bold)
    if key == "dejavu":
        register_fonts()
        name = BOLD if bold else REGULAR
    else:
        name = f"Backplan-{key}{'-Bold' if bold else ''}"
        font = TTFont(name, io.BytesIO(data))
        # a cut variable font keeps its default instance's name (say "-Thin"): give each
        # weight its own, so no two embedded subsets share a name
        font.face.name = name.encode()
        pdfmetrics.registerFont(font)
    hb_face = hb.Face(hb.Blob(data))
    return Face(key, bold, name, hb.Font(hb_face), hb_face.upem)


def check_printable(fields: Iterable[tuple[str, str]], language: str | None = None) -> None:
    """Raise for the first ``(field, text)`` holding a character that no font has.

    Raises
    ------
    BackplanError
        Naming the field, the character and its code point, and what to do.

    Examples
    --------
    >>> check_printable([("patient", "Ann"), ("notes", "smile \\U0001F600")])
    >>> check_printable([("clinic", "A\\ue123")])
    Traceback (most recent call last):
    ...
    backplan.errors.BackplanError: clinic: cannot print '\\ue123' (U+E123): none of the fonts backplan ships has it; remove it or type it another way, then print again
    """
    for field, text in fields:
        ch = missing_char(text, language)
        if ch is not None:
            raise BackplanError(
                f"{field}: cannot print {_describe(ch)}: none of the fonts backplan ships "
                "has it; remove it or type it another way, then print again"
            )
