"""The pen-and-paper diary of the PDF handout, drawn straight onto the canvas.

One grid per plan week, under its title (``Week 1: Mon 5 Jan to Sun 11 Jan 2026``): a row
per day with its date on one line, a column per exercise headed by its name and its dose,
then two pain boxes (0 to 10: pain doing the exercises, and pain the next morning, as the
pain-monitoring model asks) and room for a note. A cell holds one tick box per prescribed
session, laid out in even rows (3 boxes side by side, 4 as 2 + 2, 6 as 3 + 3), or the word
"Rest". A week is never split across pages, and as many weeks share a page as fit. When
a week's boxes cannot fit one page at their full size (large print, many exercises, 4 to
6 sessions a day), its exercises are shared out over "parts" (:func:`week_parts`), each a
whole week from Monday to Sunday; the pain and note columns are on part 1.
:func:`diary_fits` tells the page builder which page shape, box rows and parts work. Every size is worked out here, so text
always stays inside its cell; drawing directly is several times faster than a ReportLab
``Table`` of the same cells.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

from reportlab.platypus import Flowable

from ..scripts import is_rtl
from ..words import Words, diary_name, words_for
from .content import DiaryWeek, box_layout, week_parts
from .pdf_text import draw_line, needs_layout, text_width

__all__ = ["DiaryGrid", "GridLook", "diary_fits", "diary_min_width", "wrap_words"]

PAD = 4.0
#: Clear space around a cell's tick boxes (points), so a pen mark stays in its box.
BOX_PAD = 4.5
BOX_PAD_Y = 4.5
MM = 72 / 25.4


def wrap_words(words: list[str], font: str, size: float, width: float) -> list[str]:
    """Greedy line-wrap of ``words`` to ``width`` points; a word wider than a line is cut."""
    return list(_wrap(tuple(words), font, size, round(width, 2)))


@functools.lru_cache(maxsize=8192)
def _wrap(words: tuple[str, ...], font: str, size: float, width: float) -> tuple[str, ...]:
    lines: list[str] = []
    for word in _fit_words(words, font, size, width):
        if lines and text_width(lines[-1] + " " + word, font, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines)


def _fit_words(words: tuple[str, ...], font: str, size: float, width: float) -> list[str]:
    """Words, with any word wider than ``width`` cut into pieces that fit."""
    out = []
    for word in words:
        while text_width(word, font, size) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and text_width(word[:cut], font, size) > width:
                cut -= 1
            out.append(word[:cut])
            word = word[cut:]
        out.append(word)
    return out


@dataclass(frozen=True)
class GridLook:
    """Fonts and sizes of the grid: text size, tick-box side (points), title size."""

    bold: str
    regular: str
    size: float
    box: float
    title: float
    most: int = 3  # tick boxes a row at most
    gap: float = 0.35  # the space between tick boxes, as a share of a box's side
    rtl: bool = False  # columns in reading order from the right (day column rightmost)
    language: str = "en"  # the words' language
    english: bool = False  # each heading also in English, under it (a bilingual handout)

    @functools.cached_property
    def words(self) -> Words:
        return words_for(self.language)


def _gap(g: GridLook) -> float:
    return g.box * g.gap


def _boxes_width(k: int, g: GridLook) -> float:
    per_row, _ = box_layout(k, g.most)
    return per_row * g.box + (per_row - 1) * _gap(g)


@functools.lru_cache(maxsize=4096)  # the same names and doses every week, every handout
def _longest_word(text: str, font: str, size: float) -> float:
    return max((text_width(w, font, size) for w in text.split()), default=0.0)


def _heads(g: GridLook, key: str) -> list[str]:
    """A column heading in the diary's language, and in English under it when bilingual."""
    out = [g.words[key]]
    if g.english and g.language != "en":
        out.append(words_for()[key])
    return out


def _longest(texts: list[str], font: str, size: float) -> float:
    return max((_longest_word(t, font, size) for t in texts), default=0.0)


@functools.lru_cache(maxsize=512)
def _fixed_widths(g: GridLook) -> tuple[float, float, float]:
    """Day, pain (each of the two pain columns) and (least) note column widths."""
    # the widest date label of any day and month (``Wed 30 May``), so no date leaves its cell
    w = g.words
    day = max(
        text_width(w.day_label(date(2026, m, 20) + timedelta(days=d), year=False), g.bold, g.size)
        for m in range(1, 13)
        for d in range(7)
    )
    day = max(day, _longest(_heads(g, "diary_day"), g.bold, g.size))
    pain = max(
        _longest(_heads(g, "diary_pain"), g.bold, g.size),
        _longest(_heads(g, "diary_morning"), g.bold, g.size),
        10 * MM,  # room for "10" written by a stiff hand
    )
    note = max(_longest(_heads(g, "diary_note"), g.bold, g.size), 16 * MM)
    # a point of slack, so that rounding never cuts a header word ("doin-g")
    return day + 2 * PAD, pain + 2 * PAD + 1.0, note + 2 * PAD + 1.0


@functools.lru_cache(maxsize=512)
def _rest_width(g: GridLook) -> float:
    return text_width(g.words["diary_rest"], g.regular, g.size)


def _least_exercise_width(name: str, dose: str, k: int, g: GridLook) -> float:
    return (
        max(
            _longest_word(name, g.bold, g.size),
            _longest_word(dose, g.regular, g.size),
            _boxes_width(k, g) + 2 * (BOX_PAD - PAD),
            _rest_width(g),  # the word on a rest day
        )
        + 2 * PAD
        + 1.0  # slack, so that rounding never cuts the longest word
    )


def _exercise_columns(
    week: DiaryWeek, english: DiaryWeek | None = None
) -> list[tuple[str, str, int]]:
    """(name, dose, most boxes a day) per exercise column; a bilingual diary's name also
    holds the English one (for the widths: the longest word of either)."""
    doses = week.doses or ("",) * len(week.exercises)
    out = [
        (diary_name(name), dose, max(week.boxes[i]))
        for i, ((_, name), dose) in enumerate(zip(week.exercises, doses, strict=True))
    ]
    if english is None:
        return out
    return [  # the English name only: the dose's numbers are the same in both
        (f"{name} {diary_name(en_name)}", dose, k)
        for (name, dose, k), (_, en_name) in zip(out, english.exercises, strict=True)
    ]


def _least_width(
    week: DiaryWeek, g: GridLook, notes: bool = True, english: DiaryWeek | None = None
) -> float:
    day, pain, note = _fixed_widths(g)
    cols = _exercise_columns(week, english)
    return (
        day
        + (2 * pain + note if notes else 0.0)
        + sum(_least_exercise_width(n, d, max(k, 1), g) for n, d, k in cols)
    )


def diary_min_width(weeks: tuple[DiaryWeek, ...], g: GridLook) -> float:
    """The narrowest page width (points) on which every diary week fits in one part."""
    return max((_least_width(w, g) for w in weeks), default=0.0)


def diary_fits(
    weeks: tuple[DiaryWeek, ...],
    g: GridLook,
    parts: int,
    width: float,
    height: float,
    english: tuple[DiaryWeek, ...] | None = None,
) -> bool:
    """Whether every week, in ``parts`` parts, fits a ``width`` x ``height`` frame whole
    (``english``: the same weeks in English, for a bilingual diary's headings)."""
    for n, week in enumerate(weeks):
        split = week_parts(week, parts)
        en_parts = week_parts(english[n], parts) if english else [None] * len(split)
        for i, (part, en) in enumerate(zip(split, en_parts, strict=True), start=1):
            if _least_width(part, g, i == 1, en) > width:
                return False
            grid = DiaryGrid(part, g, width, height, part=(i, parts), english=en)
            if grid.wrap(width, height)[1] > height:
                return False
    return True


def column_widths(
    week: DiaryWeek,
    g: GridLook,
    width: float,
    notes: bool = True,
    english: DiaryWeek | None = None,
) -> list[float]:
    """Day, one column per exercise, the two pain columns and note (when ``notes``); spare
    room goes to the exercise columns (fewer header lines) and the note."""
    day, pain, note = _fixed_widths(g)
    if not notes:
        pain = note = 0.0
    cols = _exercise_columns(week, english)
    least = [_least_exercise_width(n, d, max(k, 1), g) for n, d, k in cols]
    full = [
        max(text_width(n, g.bold, g.size), text_width(d, g.regular, g.size)) / 2 + 2 * PAD
        for n, d, _ in cols
    ]
    spare = max(width - day - 2 * pain - note - sum(least), 0.0)
    want = [max(f - m, 0.0) for f, m in zip(full, least, strict=True)]
    give = min(spare * 0.8, sum(want)) if notes else spare
    ex = [
        m + (give * w / sum(want) if sum(want) else give / len(want))
        for m, w in zip(least, want, strict=True)
    ]
    return [day, *ex, pain, pain, note + spare - give] if notes else [day, *ex]


class DiaryGrid(Flowable):
    """One diary week (or some of its days, when a week alone is taller than a page)."""

    def __init__(
        self,
        week: DiaryWeek,
        g: GridLook,
        width: float,
        frame_height: float,
        days: tuple[int, ...] = tuple(range(7)),
        part: tuple[int, int] = (1, 1),
        english: DiaryWeek | None = None,
    ) -> None:
        super().__init__()
        self.week, self.g, self.days, self.frame_height = week, g, days, frame_height
        self.part, self.notes, self.english = part, part[0] == 1, english
        self.widths = column_widths(week, g, width, self.notes, english)
        self.lead = g.size * 1.22
        self.head = self._head()
        # the title wraps (never runs off the page); a line more for each line it wraps to;
        # a bilingual diary has its English title under it, in regular type
        full = sum(self.widths)
        self.title_lines = [(g.bold, g.title, t) for t in
                            wrap_words(self._title_words(), g.bold, g.title, full)]  # fmt: skip
        if english is not None:
            words = words_for().diary_heading(english).split()
            self.title_lines += [(g.regular, g.size, t) for t in
                                 wrap_words(words, g.regular, g.size, full)]  # fmt: skip
        self.title_h = g.title * 0.3 + sum(size * 1.2 for _, size, _ in self.title_lines)
        self.head_h = max(len(lines) for _, lines in self.head) * self.lead + 2 * PAD
        box_rows = max((box_layout(max(b), g.most)[1] for b in week.boxes if max(b)), default=1)
        boxes_h = box_rows * g.box + (box_rows - 1) * _gap(g) + 2 * BOX_PAD_Y
        self.row_h = max(boxes_h, self.lead + 2 * PAD, 9 * MM)

    def _inner(self, col: int) -> float:
        return self.widths[col] - 2 * PAD

    def _head(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Each column's heading lines: the patient's language in bold; in a bilingual
        diary the English under it in regular type."""
        g = self.g

        def lines(texts: list[str], width: float, font: str = "") -> list[tuple[str, str]]:
            out = []
            for n, text in enumerate(texts):
                face = font or (g.bold if n == 0 else g.regular)
                out += [(face, t) for t in wrap_words(text.split(), face, g.size, width)]
            return out

        cells = [lines(_heads(g, "diary_day"), self._inner(0))]
        en = _exercise_columns(self.english) if self.english is not None else []
        for i, (name, dose, _) in enumerate(_exercise_columns(self.week), start=1):
            w = self._inner(i)
            cell = lines([name], w, g.bold)
            if en:  # the English name under it (the dose's numbers are the same in both)
                cell += lines([en[i - 1][0]], w, g.regular)
            cell += lines([dose], w, g.regular)
            cells.append(cell)
        keys = ("diary_pain", "diary_morning", "diary_note")[: 3 * self.notes]
        for n, key in enumerate(keys, start=len(cells)):
            cells.append(lines(_heads(g, key), self._inner(n)))
        return [("text", c) for c in cells]

    def _title_words(self) -> list[str]:
        """The title's words; "(part 1 of 2)" and "(continued)" stay whole on one line."""
        w = self.g.words
        words = w.diary_heading(self.week).split()
        if self.part[1] > 1:
            words.append(w.text("diary_part", part=self.part[0], parts=self.part[1]))
        if self.days[0] != 0:
            words.append(w["diary_continued"])
        return words

    def title(self) -> str:
        return " ".join(self._title_words())

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        self.width = sum(self.widths)
        self.height = self.title_h + self.head_h + self.row_h * len(self.days)
        return self.width, self.height

    def split(self, avail_w: float, avail_h: float) -> list[Flowable]:
        """Never split a week that fits on a page: it moves to the next page whole. A week
        taller than a page starts on a fresh page and goes on, whole days at a time, under
        its title and header again."""
        self.wrap(avail_w, avail_h)
        if self.height <= self.frame_height or avail_h < self.frame_height - 1:
            return []
        n = int((avail_h - self.title_h - self.head_h) // self.row_h)
        if n <= 0 or n >= len(self.days):
            return []
        width = sum(self.widths)
        return [
            DiaryGrid(self.week, self.g, width, self.frame_height, d, self.part, self.english)
            for d in (self.days[:n], self.days[n:])
        ]

    def draw(self) -> None:
        c, g = self.canv, self.g
        xs = [0.0]
        for w in self.widths:
            xs.append(xs[-1] + w)
        full = xs[-1]
        # where column i starts on the page: mirrored when the diary reads right to left
        left = [full - xs[i + 1] if g.rtl else xs[i] for i in range(len(self.widths))]
        top = self.height
        t = c.beginText()
        shaped: list[tuple[float, float, str, str, float, str]] = []

        def put(x: float, y: float, text: str, font: str, size: float, right: float) -> None:
            """Plain text goes in one text object; text in other scripts is drawn after,
            shaped (right-aligned in its cell when it reads right to left)."""
            if needs_layout(text):
                rtl = is_rtl(text)
                shaped.append(
                    (right if rtl else x, y, text, font, size, "right" if rtl else "left")
                )
            else:
                t.setFont(font, size)
                t.setTextOrigin(x, y)
                t.textOut(text)

        y = top - g.title
        for font, size, line in self.title_lines:
            if g.rtl and not is_rtl(line):  # a right-to-left page: every title line on the right
                shaped.append((xs[-1], y, line, font, size, "right"))
            else:
                put(0, y, line, font, size, xs[-1])
            y -= size * 1.2
        top -= self.title_h
        for i, (_, lines) in enumerate(self.head):
            for j, (font, line) in enumerate(lines):
                y = top - PAD - g.size * 0.95 - j * self.lead
                put(left[i] + PAD, y, line, font, g.size, left[i] + self.widths[i] - PAD)
        y = top - self.head_h
        row_tops = [top, y]
        boxes: list[tuple[float, float]] = []
        for d in self.days:
            label = g.words.day_label(self.week.days[d], year=False)
            baseline = y - PAD - g.size * 0.95
            put(left[0] + PAD, baseline, label, g.bold, g.size, left[0] + self.widths[0] - PAD)
            for i in range(len(self.week.exercises)):
                k = self.week.boxes[i][d]
                if k:
                    boxes += self._boxes(k, left[i + 1] + BOX_PAD, y - BOX_PAD_Y)
                else:
                    right = left[i + 1] + self.widths[i + 1] - PAD
                    put(
                        left[i + 1] + PAD, baseline, g.words["diary_rest"], g.regular, g.size, right
                    )
            y -= self.row_h
            row_tops.append(y)
        c.drawText(t)
        for x, y, text, font, size, align in shaped:
            draw_line(c, x, y, text, font, size, align)
        c.setStrokeColor("black")
        c.setLineWidth(1)
        c.grid(sorted(full - x for x in xs) if g.rtl else xs, row_tops)
        c.setLineWidth(2)
        c.rect(0, 0, xs[-1], top)
        c.setLineWidth(1.5)
        for x, yb in boxes:
            c.rect(x, yb, g.box, g.box, stroke=1, fill=0)

    def _boxes(self, k: int, x: float, top: float) -> list[tuple[float, float]]:
        per_row, _ = box_layout(k, self.g.most)
        s, gap = self.g.box, _gap(self.g)
        return [
            (x + (n % per_row) * (s + gap), top - s - (n // per_row) * (s + gap)) for n in range(k)
        ]
