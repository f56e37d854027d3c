"""Text in any script on the PDF page: shaped by HarfBuzz, ordered by the Unicode bidi rules.

ReportLab draws Latin, Greek and Cyrillic text well, and the handout keeps using its
``Paragraph`` for such text (fast, and its line breaks are cached). For anything else (a
text that needs another font, reads right to left, or carries combining marks) this module
does the work itself, because ReportLab 5.1's own shaping falls short here: its
right-to-left support needs ``rlbidi``, which is not on PyPI; a word in two fonts is shaped
with the first font's glyph numbers; and glyphs that have no character of their own (Arabic
joining forms and ligatures, Indic conjuncts) get private-use codes, so the text cannot be
read back from the PDF.

How a text is laid out (:class:`Laid`):

1. :func:`~backplan.handout.fonts.font_runs` splits it into runs of one face; bold spans
   split it further.
2. python-bidi's implementation of the Unicode bidirectional algorithm gives every
   character its embedding level (the paragraph's direction is that of its first strong
   letter, as HTML's ``dir="auto"``), and runs split where the level changes.
3. HarfBuzz (``uharfbuzz``) shapes each run in its direction: joining, ligatures, mark
   positions, Indic reordering, mirrored brackets.
4. Lines break after spaces and between CJK characters (not before closing or after
   opening punctuation), never inside a cluster.
5. Each line's runs are put in visual order (rule L2) and the line is aligned right when
   the paragraph reads right to left.

Drawing keeps the text readable by machines: a glyph that stands for exactly its own
character is written as that character; any other cluster (a ligature, a conjunct, a
joining form without a code point of its own) is wrapped in a ``/Span`` with its text as
``/ActualText``, so ``pdftotext`` and screen readers get the words back in logical order.

Examples
--------
>>> laid = Laid.of("محمد عبد الله", 14)
>>> laid.rtl, round(laid.width(0, len(laid.text)), 1) > 0
(True, True)
>>> [laid.text[a:b] for a, b in laid.lines(60)]
['محمد عبد', 'الله']
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import unescape

from ..errors import BackplanError
from ..scripts import direction, script_of
from .fonts import Face, cjk_key, face, has_char, runs_of

__all__ = [
    "Laid",
    "ScriptParagraph",
    "draw_line",
    "fit_text",
    "needs_layout",
    "spans_of",
    "text_width",
]

#: Faces whose marks reach far above or below the line: their lines get more leading.
TALL_FACES = frozenset(
    {
        "arabic", "devanagari", "bengali", "gurmukhi", "gujarati", "tamil", "kannada",
        "malayalam", "oriya", "sinhala", "telugu", "thai", "khmer", "lao", "myanmar",
    }
)  # fmt: skip
#: no line starts with these, and none ends with the opening ones (CJK line breaking)
_NO_START = set(
    "、。，．,.!?！？)）]」』】〕〉》ゝゞーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ・：；:;"
)
_NO_END = set("(（[「『【〔〈《")
_BREAK_ANYWHERE = frozenset({"Han", "CJK", "Hiragana", "Katakana"})
_AS_SPACE = {
    cp: " "
    for cp in range(0x3001)
    if (chr(cp).isspace() or unicodedata.category(chr(cp)) == "Cc")
    and chr(cp) not in "\u00a0\u2007\u202f"
}


@functools.lru_cache(maxsize=8192)
def needs_layout(text: str) -> bool:
    """Whether ``text`` needs this module rather than a plain ReportLab string in DejaVu
    Sans: a character DejaVu lacks or that belongs to another script, a right-to-left
    character, or a combining mark (placed by the shaper).

    Examples
    --------
    >>> needs_layout("Zoë Ñúñez-O'Brien"), needs_layout("Αλέξανδρος"), needs_layout("王")
    (False, False, True)
    >>> needs_layout("Zoe\\u0308"), needs_layout("Ann محمد")
    (True, True)
    """
    if text.isascii():
        return False
    for ch in text:
        if ch.isascii():
            continue
        if (
            script_of(ch) not in ("Latin", "Greek", "Cyrillic", "Common")
            or unicodedata.bidirectional(ch) in ("R", "AL", "AN")
            or unicodedata.category(ch) in ("Mn", "Me")
            or not has_char("dejavu", ch)
        ):
            return True
    return False


def _levels(text: str, rtl: bool) -> list[int]:
    """The embedding level of each character (Unicode bidi rules up to I2, by
    python-bidi); characters the rules set aside (X9) take the level before them."""
    from bidi import algorithm as uba

    store = uba.get_empty_storage()
    store["base_level"] = int(rtl)
    store["base_dir"] = "R" if rtl else "L"
    uba.get_embedding_levels(text, store)
    chars = list(store["chars"])
    uba.explicit_embed_and_overrides(store)
    uba.resolve_weak_types(store)
    uba.resolve_neutral_types(store, False)
    uba.resolve_implicit_levels(store, False)
    kept = {id(c) for c in store["chars"]}
    levels, last = [], int(rtl)
    for c in chars:
        last = c["level"] if id(c) in kept else last
        levels.append(last)
    if len(levels) != len(text):  # a character outside the BMP on a narrow build
        return [int(rtl)] * len(text)
    return levels


@functools.lru_cache(maxsize=8192)
def _shape(
    key: str, bold: bool, text: str, rtl: bool, language: str | None
) -> tuple[tuple[int, int, float, float, float], ...]:
    """HarfBuzz glyphs of ``text`` in one face: ``(glyph id, cluster, advance, x offset,
    y offset)``, distances in em, in visual order (left to right)."""
    import uharfbuzz as hb

    f = face(key, bold)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.direction = "rtl" if rtl else "ltr"
    if language:
        buf.language = language
    hb.shape(f.hb, buf, {})
    for info in buf.glyph_infos:  # an empty box ("notdef"), never drawn
        if info.codepoint == 0 and not text[info.cluster].isspace():
            raise BackplanError(
                f"cannot print {text[info.cluster]!r} (U+{ord(text[info.cluster]):04X}) in "
                f"{key}: the font has no glyph for it"
            )
    em = 1.0 / f.upem
    return tuple(
        (info.codepoint, info.cluster, pos.x_advance * em, pos.x_offset * em, pos.y_offset * em)
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True)
    )


@dataclass(frozen=True)
class _Run:
    """Part of a text in one face, weight and embedding level, with its glyphs (clusters
    counted from the start of the whole text)."""

    face: Face
    start: int
    end: int
    level: int
    glyphs: tuple[tuple[int, int, float, float, float], ...]


_TAG = re.compile(r"(</?b>)")


def spans_of(markup: str, bold: bool = False) -> tuple[tuple[str, bool], ...]:
    """``(text, bold)`` spans of the handout's small markup: escaped text and ``<b>``.

    Examples
    --------
    >>> spans_of("<b>Dose:</b> 2 &amp; 3")
    (('Dose:', True), (' 2 & 3', False))
    """
    out, strong = [], bold
    for part in _TAG.split(markup):
        if part == "<b>":
            strong = True
        elif part == "</b>":
            strong = bold
        elif part:
            out.append((unescape(part), strong))
    return tuple(out)


class Laid:
    """A text shaped once at one size: its runs, each character's advance, its lines."""

    def __init__(
        self,
        spans: Sequence[tuple[str, bool]],
        size: float,
        rtl: bool | None = None,
        language: str | None = None,
    ) -> None:
        # every breaking space, tab, line break or control character lays out as a space (as
        # in ReportLab's Paragraph); no-break spaces stay
        text = "".join(t for t, _ in spans).translate(_AS_SPACE)
        self.text, self.size = text, size
        self.rtl = direction(text) == "rtl" if rtl is None else rtl
        bolds = [b for t, b in spans for _ in t]
        cjk = language if language in ("zh", "zh-hant", "ja", "ko") else None
        faces = [""] * len(text)
        for key, a, b in runs_of(text, cjk_key(text, cjk)):
            faces[a:b] = [key] * (b - a)
        levels = _levels(text, self.rtl) if self.rtl or self._bidi(text) else [0] * len(text)
        self.levels = levels
        self.runs: list[_Run] = []
        self.advance = [0.0] * len(text)  # em; a cluster's width on its first character
        self.starts = [False] * (len(text) + 1)
        self.starts[len(text)] = True
        i = 0
        while i < len(text):
            j = i + 1
            while j < len(text) and (faces[j], bolds[j], levels[j]) == (
                faces[i], bolds[i], levels[i]
            ):  # fmt: skip
                j += 1
            glyphs = tuple(
                (g, c + i, adv, dx, dy)
                for g, c, adv, dx, dy in _shape(
                    faces[i], bolds[i], text[i:j], levels[i] % 2 == 1, language
                )
            )
            for _, c, adv, _, _ in glyphs:
                self.advance[c] += adv
                self.starts[c] = True
            self.runs.append(_Run(face(faces[i], bolds[i]), i, j, levels[i], glyphs))
            i = j
        self.tall = any(r.face.key in TALL_FACES for r in self.runs)

    @staticmethod
    def _bidi(text: str) -> bool:
        return any(unicodedata.bidirectional(ch) in ("R", "AL", "AN") for ch in text)

    @classmethod
    def of(cls, text: str, size: float, bold: bool = False) -> Laid:
        """A one-span text (cached)."""
        return _laid(((text, bold),), size)

    def width(self, a: int, b: int) -> float:
        """Width in points of characters ``a`` to ``b``."""
        return sum(self.advance[a:b]) * self.size

    def _breaks(self) -> list[int]:
        """Where a line may start: after spaces, and between CJK characters."""
        text, out = self.text, []
        for i in range(1, len(text)):
            if not self.starts[i] or text[i] == " ":
                continue
            before, here = text[i - 1], text[i]
            if before == " " or (
                (script_of(before) in _BREAK_ANYWHERE or script_of(here) in _BREAK_ANYWHERE)
                and here not in _NO_START
                and before not in _NO_END
            ):
                out.append(i)
        return out

    def lines(self, width: float | Sequence[float]) -> list[tuple[int, int]]:
        """``(start, end)`` of each line (spaces at a line's end left out), filled greedily
        to ``width`` points (a list: the width of each line, the last repeating); a word
        longer than a line is cut between clusters."""
        widths = [width] if isinstance(width, int | float) else list(width)
        text, n = self.text, len(self.text)
        out: list[tuple[int, int]] = []
        start = 0
        while start < n and text[start] == " ":
            start += 1
        cuts = [b for b in self._breaks() if b > start] + [n]
        while start < n:
            room = widths[min(len(out), len(widths) - 1)]
            end = None
            for cut in cuts:
                if cut <= start:
                    continue
                stop = self._trim(start, cut)
                if end is not None and self.width(start, stop) > room:
                    break
                end = cut
                if self.width(start, stop) > room:  # one word wider than the line
                    end = self._cut_word(start, cut, room)
                    break
            assert end is not None
            out.append((start, self._trim(start, end)))
            start = end
            while start < n and text[start] == " ":
                start += 1
        return out

    def _trim(self, a: int, b: int) -> int:
        while b > a and self.text[b - 1] == " ":
            b -= 1
        return b

    def _cut_word(self, a: int, b: int, room: float) -> int:
        """The last cluster start after ``a`` at which the text fits ``room`` (at least
        one cluster)."""
        best = next((i for i in range(a + 1, b + 1) if self.starts[i]), b)
        for i in range(a + 1, b):
            if self.starts[i] and self.width(a, i) <= room:
                best = i
        return best

    def visual(
        self, a: int, b: int
    ) -> list[tuple[_Run, list[tuple[int, int, float, float, float]]]]:
        """The runs of characters ``a`` to ``b`` in visual order, each with its glyphs."""
        pieces = []
        for run in self.runs:
            if run.end <= a or run.start >= b:
                continue
            glyphs = [g for g in run.glyphs if a <= g[1] < b]
            if glyphs:
                pieces.append((run, glyphs))
        levels = [run.level for run, _ in pieces]
        if levels:
            top, low = max(levels), min((lv for lv in levels if lv % 2), default=None)
            for level in range(top, (low if low is not None else top + 1) - 1, -1):
                i = 0
                while i < len(pieces):
                    if levels[i] < level:
                        i += 1
                        continue
                    j = i
                    while j < len(pieces) and levels[j] >= level:
                        j += 1
                    pieces[i:j], levels[i:j] = pieces[i:j][::-1], levels[i:j][::-1]
                    i = j
        return pieces

    def draw(
        self, canvas: Any, x: float, y: float, a: int, b: int, actual_text: bool = True
    ) -> None:
        """Draw characters ``a`` to ``b`` (one line) with the left end of its baseline at
        ``(x, y)``. Clusters that are their own text at their natural width go out as
        strings; any other cluster glyph by glyph (see :meth:`_cluster`), in a span giving
        its text unless ``actual_text`` is false (inside a span that gives the text of the
        whole, such as a picture's description: a reader takes the innermost span)."""
        size = self.size
        for run, glyphs in self.visual(a, b):
            rl = run.face.rl.face
            ends = sorted({g[1] for g in run.glyphs} | {run.end})
            plain: list[str] = []
            plain_x = x
            for cluster in _clusters(glyphs):
                c = cluster[0][1]
                source = self.text[c : ends[ends.index(c) + 1]]
                codes = [_code(rl, g[0], source) for g in cluster]
                exact = len(cluster) == 1 and codes[0] == source
                g = cluster[0]
                if (
                    exact
                    and abs(g[3]) < 1e-6
                    and abs(g[4]) < 1e-6
                    and abs(g[2] * 1000 - rl.charWidths.get(ord(codes[0]), 0)) < 0.5
                ):
                    if not plain:
                        plain_x = x
                    plain.append(codes[0])
                    x += g[2] * size
                    continue
                if plain:
                    _text(canvas, run.face.name, size, plain_x, y, "".join(plain))
                    plain = []
                x = self._cluster(canvas, run.face, x, y, cluster, codes, source,
                                  exact or not actual_text)  # fmt: skip
            if plain:
                _text(canvas, run.face.name, size, plain_x, y, "".join(plain))

    def _cluster(
        self, canvas: Any, f: Face, x: float, y: float, cluster: list, codes: list[str],
        source: str, exact: bool,
    ) -> float:  # fmt: skip
        """Draw one cluster glyph by glyph; returns the pen position after it.

        A cluster that is not its own text is a ``/Span`` with ``/ActualText``. Readers
        take such a span to run from its first glyph's origin to its last glyph's end, so
        glyphs that advance go first and the last one drawn is given the width that ends
        the span where the cluster ends (else a mark placed inside the cluster would end the
        span early, and ``pdftotext`` would break the word there)."""
        size, rl = self.size, f.rl.face
        pen, placed = x, []
        for g, code in zip(cluster, codes, strict=True):
            placed.append((g, code, pen + g[3] * size, y + g[4] * size))
            pen += g[2] * size
        placed.sort(key=lambda p: p[0][2] == 0)
        if not exact:
            canvas.addLiteral(_actual_text(source))
        for k, (g, code, gx, gy) in enumerate(placed):
            if not exact and k == len(placed) - 1:
                code = _sized(rl, g[0], code, (pen - gx) / size * 1000)
            _text(canvas, f.name, size, gx, gy, code)
        if not exact:
            canvas.addLiteral("EMC")
        return pen


def _sized(rl: Any, gid: int, code: str, width: float) -> str:
    """``code``, or a private-use code for the same glyph whose width in the PDF is
    ``width`` (thousandths of an em)."""
    if abs(rl.charWidths.get(ord(code), 0) - width) < 0.5:
        return code
    variants = rl.__dict__.setdefault("_backplan_widths", {})
    key = (gid, round(width))
    if key not in variants:
        new = _free_code(rl)
        rl.charToGlyph[new] = gid
        rl.charWidths[new] = round(width)
        variants[key] = chr(new)
    return variants[key]


def _free_code(rl: Any) -> int:
    code = rl.__dict__.get("_backplan_next", 0xE000)
    while code in rl.charToGlyph:
        code += 1
    rl._backplan_next = code + 1
    return code


def _clusters(
    glyphs: list[tuple[int, int, float, float, float]],
) -> list[list[tuple[int, int, float, float, float]]]:
    out: list[list[tuple[int, int, float, float, float]]] = []
    for g in glyphs:
        if out and out[-1][0][1] == g[1]:
            out[-1].append(g)
        else:
            out.append([g])
    return out


def _code(rl: Any, gid: int, source: str) -> str:
    """The character that stands for glyph ``gid`` in the PDF: the source character when
    the font maps it to that glyph, else one the font maps to it, else a private-use code
    given to it (its cluster then carries ActualText)."""
    if len(source) == 1 and rl.charToGlyph.get(ord(source)) == gid:
        return source
    chars = rl.glyphToChar.get(gid)
    if chars:
        return chr(chars[0])
    code = _free_code(rl)
    rl.charToGlyph[code] = gid
    rl.glyphToChar.setdefault(gid, []).append(code)
    rl.charWidths[code] = (
        rl.hmetrics[gid][0] * 1000 / rl.unitsPerEm if gid < len(rl.hmetrics) else 0
    )
    return chr(code)


def _actual_text(text: str) -> str:
    """The operator that opens a marked-content span whose text is ``text``."""
    return f"/Span <</ActualText <FEFF{text.encode('utf-16-be').hex().upper()}> >> BDC"


def _text(canvas: Any, font: str, size: float, x: float, y: float, text: str) -> None:
    t = canvas.beginText()
    t.setFont(font, size)
    t.setTextOrigin(x, y)
    t.textOut(text)
    canvas.drawText(t)


@functools.lru_cache(maxsize=4096)
def _laid(spans: tuple[tuple[str, bool], ...], size: float, rtl: bool | None = None) -> Laid:
    return Laid(spans, size, rtl)


def text_width(text: str, font: str, size: float) -> float:
    """The width in points of ``text`` on one line in the handout's regular or bold font
    (``font`` is :data:`~backplan.handout.pdf_style.REGULAR` or ``BOLD``).

    Examples
    --------
    >>> from backplan.handout.pdf_style import REGULAR
    >>> round(text_width("Ann", REGULAR, 10), 2), text_width("王小明", REGULAR, 10)
    (19.52, 30.0)
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from .fonts import BOLD, register_fonts

    if not needs_layout(text):
        register_fonts()
        return stringWidth(text, font, size)
    laid = Laid.of(text, size, font == BOLD)
    return laid.width(0, len(text))


def draw_line(
    canvas: Any, x: float, y: float, text: str, font: str, size: float, align: str = "left",
    actual_text: bool = True,
) -> None:  # fmt: skip
    """Draw ``text`` as one line with its baseline at ``y``: starting at ``x``
    (``align="left"``) or ending there (``"right"``); shaped and in visual order
    (``actual_text``: see :meth:`Laid.draw`)."""
    from .fonts import BOLD

    if not needs_layout(text):
        canvas.setFont(font, size)
        (canvas.drawRightString if align == "right" else canvas.drawString)(x, y, text)
        return
    laid = Laid.of(text, size, font == BOLD)
    n = len(text)
    left = x - laid.width(0, n) if align == "right" else x
    laid.draw(canvas, left, y, 0, n, actual_text)


def fit_text(text: str, font: str, size: float, width: float, end: str = "…") -> str:
    """``text``, or as much of it as fits ``width`` points followed by ``end``, cut
    between whole characters as the reader sees them (never inside a cluster).

    Examples
    --------
    >>> from backplan.handout.pdf_style import REGULAR
    >>> fit_text("Bartholomew Maximilian", REGULAR, 12, 60)
    'Barthol…'
    """
    if text_width(text, font, size) <= width:
        return text
    if needs_layout(text):
        laid = Laid.of(text, size)
        cuts = [i for i in range(len(text), 0, -1) if laid.starts[i]]
    else:
        cuts = list(range(len(text), 0, -1))
    for cut in cuts:
        shown = text[:cut].rstrip() + end
        if text_width(shown, font, size) <= width:
            return shown
    return end


@functools.cache
def _paragraph_class() -> type:
    from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
    from reportlab.platypus import Flowable

    class ScriptParagraphImpl(Flowable):
        """A paragraph in any script (see the module notes): wrapped to the frame, right
        aligned when it reads right to left (its bullet and indent then on the right)."""

        def __init__(
            self,
            spans: tuple[tuple[str, bool], ...],
            style: Any,
            bulletText: str | None = None,
            rtl: bool | None = None,
            _lines: list[tuple[int, int]] | None = None,
        ) -> None:
            super().__init__()
            self.spans, self.style, self.bulletText = spans, style, bulletText
            self.text = "".join(t for t, _ in spans)
            self.laid = _laid(spans, style.fontSize, rtl)
            self.rtl = self.laid.rtl
            self.spaceBefore, self.spaceAfter = style.spaceBefore, style.spaceAfter
            self.leading = (
                max(style.leading, style.fontSize * 1.6) if self.laid.tall else style.leading
            )
            self._fixed = _lines
            self._lines: list[tuple[int, int]] = []

        def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
            s = self.style
            self.width = availWidth
            room = availWidth - s.leftIndent - s.rightIndent
            if self._fixed is not None:
                self._lines = self._fixed
            else:
                first = room - s.firstLineIndent
                self._lines = _lines_cached(self.laid, (first, room))
            self.height = max(len(self._lines), 1) * self.leading
            return availWidth, self.height

        def split(self, availWidth: float, availHeight: float) -> list[Any]:
            self.wrap(availWidth, availHeight)
            n = int(availHeight // self.leading)
            if n <= 0 or n >= len(self._lines):
                return []
            cls = type(self)
            head = cls(self.spans, self.style, self.bulletText, self.rtl, self._lines[:n])
            tail = cls(self.spans, self.style, None, self.rtl, self._lines[n:])
            head.spaceAfter, tail.spaceBefore = 0, 0
            return [head, tail]

        def draw(self) -> None:
            s, c = self.style, self.canv
            ascent = getAscentDescent(s.fontName, s.fontSize)[0]
            y = self.height - ascent - (self.leading - s.leading) / 2
            c.setFillColor(s.textColor)
            for n, (a, b) in enumerate(self._lines):
                indent = s.leftIndent + (s.firstLineIndent if n == 0 else 0)
                w = self.laid.width(a, b)
                x = self.width - indent - w if self.rtl else indent
                self.laid.draw(c, x, y, a, b)
                if n == 0 and self.bulletText:
                    font, size = s.bulletFontName, s.bulletFontSize
                    if self.rtl:
                        bx = self.width - s.bulletIndent - text_width(self.bulletText, font, size)
                    else:
                        bx = s.bulletIndent
                    draw_line(c, bx, y, self.bulletText, font, size)
                y -= self.leading

        def minWidth(self) -> float:
            return stringWidth("M", self.style.fontName, self.style.fontSize)

    return ScriptParagraphImpl


@functools.lru_cache(maxsize=8192)
def _lines_cached(laid: Laid, widths: tuple[float, float]) -> list[tuple[int, int]]:
    return laid.lines([round(w, 2) for w in widths])


def ScriptParagraph(
    spans: tuple[tuple[str, bool], ...], style: Any, bulletText: str | None = None
) -> Any:
    """A paragraph flowable for text in any script (:func:`spans_of` makes ``spans``)."""
    return _paragraph_class()(spans, style, bulletText)
