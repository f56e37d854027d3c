"""The tick-box diary grid of the PDF handout, drawn straight onto the canvas.

One grid per plan week: a row per day (its real date; the year is in the week's title), a
column per exercise (name, and its catalogue id in small print for the clinic), then a pain
column. A cell holds one square per prescribed session, or the word "Rest". Drawing the grid directly is several
times faster than a ReportLab ``Table`` of the same cells, and every size is worked out
here, so text always stays inside its cell.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from .content import DiaryWeek
from .text import TEXT, day_label

__all__ = ["DiaryGrid", "GridLook", "wrap_words"]

PAD = 6.0


def wrap_words(words: list[str], font: str, size: float, width: float) -> list[str]:
    """Greedy line-wrap of ``words`` to ``width`` points; a word wider than a line is cut."""
    return list(_wrap(tuple(words), font, size, round(width, 2)))


@functools.lru_cache(maxsize=4096)
def _wrap(words: tuple[str, ...], font: str, size: float, width: float) -> tuple[str, ...]:
    lines: list[str] = []
    for word in _fit_words(words, font, size, width):
        if lines and stringWidth(lines[-1] + " " + word, font, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines)


def _fit_words(words: tuple[str, ...], font: str, size: float, width: float) -> list[str]:
    """Words, with any word wider than ``width`` cut into pieces that fit."""
    out = []
    for word in words:
        while stringWidth(word, font, size) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and stringWidth(word[:cut], font, size) > width:
                cut -= 1
            out.append(word[:cut])
            word = word[cut:]
        out.append(word)
    return out


@dataclass(frozen=True)
class GridLook:
    """Fonts and sizes of the grid."""

    bold: str
    body_font: str
    regular: str
    size: float
    box: float
    small: float


def column_widths(week: DiaryWeek, g: GridLook, width: float) -> list[float]:
    """Day column, one column per exercise, pain column.

    The exercise columns share the room so that the longest name needs as few lines as
    possible; what is left over is shared in proportion.
    """
    names = tuple(name for _, name in week.exercises)
    return list(_widths(names, g.bold, g.size, round(width, 2)))


@functools.lru_cache(maxsize=256)
def _widths(names: tuple[str, ...], font: str, size: float, width: float) -> tuple[float, ...]:
    day_w = max(stringWidth(w, font, size) for w in (TEXT["diary_day"], "Wed 30 Sep")) + 2 * PAD
    pain_w = max(stringWidth(w, font, size) for w in TEXT["diary_pain"].split()) + 2 * PAD
    pain_w = max(pain_w, stringWidth("00", font, size) * 2 + 2 * PAD)
    room = width - day_w - pain_w
    full = [stringWidth(n, font, size) + 2 * PAD for n in names]
    for lines in range(1, 9):
        need = [_least_width(n, font, size, lines) + 2 * PAD for n in names]
        if sum(need) <= room:
            spare = room - sum(need)
            extra = [max(f - n, 1.0) for f, n in zip(full, need, strict=True)]
            cols = [n + spare * e / sum(extra) for n, e in zip(need, extra, strict=True)]
            return (day_w, *cols, pain_w)
    return (day_w, *([room / len(names)] * len(names)), pain_w)


def _least_width(name: str, font: str, size: float, lines: int) -> float:
    """The narrowest text width at which ``name`` wraps onto at most ``lines`` lines."""
    words = tuple(name.split())
    lo = max(stringWidth(w, font, size) for w in words)
    width = lo
    while len(_wrap(words, font, size, round(width, 2))) > lines:
        width += 2
    return width


class DiaryGrid(Flowable):
    """One diary week (or some of its days, after a page split) as a grid."""

    def __init__(
        self, week: DiaryWeek, g: GridLook, width: float, days: tuple[int, ...] = tuple(range(7))
    ) -> None:
        super().__init__()
        self.week, self.g, self.days = week, g, days
        self.widths = column_widths(week, g, width)
        self.lead = g.size * 1.25
        self.box_side = g.box * 0.8
        self.head = self._head()
        self.row_cells = [self._row(d) for d in days]
        self.head_h = self._height(self.head) + PAD + g.small * 1.3
        self.row_h = [max(self._height(cells), g.size * 2.0) for cells in self.row_cells]

    # layout ---------------------------------------------------------------------------
    def _inner(self, col: int) -> float:
        return self.widths[col] - 2 * PAD

    def _head(self) -> list[Any]:
        g = self.g
        names = [TEXT["diary_day"], *(n for _, n in self.week.exercises), TEXT["diary_pain"]]
        cells = [
            ("text", wrap_words(n.split(), g.bold, g.size, self._inner(i)))
            for i, n in enumerate(names)
        ]
        week = TEXT["diary_week"].format(week=self.week.week)
        cells[0] = (
            "text",
            [*wrap_words(week.split(), g.bold, g.size, self._inner(0)), *cells[0][1]],
        )
        return cells

    def _row(self, d: int) -> list[Any]:
        g = self.g
        cells: list[Any] = [
            (
                "text",
                wrap_words(
                    day_label(self.week.days[d], year=False).split(), g.bold, g.size, self._inner(0)
                ),
            )
        ]
        for i in range(len(self.week.exercises)):
            k = self.week.boxes[i][d]
            if k:
                per_line = max(
                    1, int((self._inner(i + 1) + self.box_side * 0.6) // (self.box_side * 1.6))
                )
                cells.append(("boxes", k, per_line))
            else:
                words = TEXT["diary_rest"].split()
                cells.append(("rest", wrap_words(words, g.body_font, g.size, self._inner(i + 1))))
        cells.append(("text", []))
        return cells

    def _height(self, cells: list[Any]) -> float:
        tallest = 0.0
        for cell in cells:
            if cell[0] == "boxes":
                rows = math.ceil(cell[1] / cell[2])
                h = rows * self.box_side + (rows - 1) * self.box_side * 0.6
            else:
                h = len(cell[1]) * self.lead
            tallest = max(tallest, h)
        return tallest + 2 * PAD

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        self.width = sum(self.widths)
        self.height = self.head_h + sum(self.row_h)
        return self.width, self.height

    def split(self, avail_w: float, avail_h: float) -> list[Flowable]:
        room, n = avail_h - self.head_h, 0
        while n < len(self.days) and room >= self.row_h[n]:
            room -= self.row_h[n]
            n += 1
        if n == 0 or n == len(self.days):
            return []
        width = sum(self.widths)
        return [
            DiaryGrid(self.week, self.g, width, self.days[:n]),
            DiaryGrid(self.week, self.g, width, self.days[n:]),
        ]

    # drawing --------------------------------------------------------------------------
    def _text(self, t: Any, lines: list[str], font: str, x: float, top: float) -> None:
        t.setFont(font, self.g.size)
        for j, line in enumerate(lines):
            t.setTextOrigin(x + PAD, top - PAD - self.g.size * 0.95 - j * self.lead)
            t.textOut(line)

    def draw(self) -> None:
        c, g = self.canv, self.g
        xs = [0.0]
        for w in self.widths:
            xs.append(xs[-1] + w)
        top = self.height
        t = c.beginText()
        # header: names, then each exercise id in small print (shrunk to fit its column)
        for i, cell in enumerate(self.head):
            self._text(t, cell[1], g.bold, xs[i], top)
        id_y = top - self.head_h + PAD * 0.6
        for i, (ex, _) in enumerate(self.week.exercises, start=1):
            size = min(g.small, self._inner(i) / max(stringWidth(ex, g.regular, 1), 1e-6))
            t.setFont(g.regular, size)
            t.setTextOrigin(xs[i] + PAD, id_y)
            t.textOut(ex)
        y = top - self.head_h
        row_tops = [top, y]
        for cells, h in zip(self.row_cells, self.row_h, strict=True):
            for i, cell in enumerate(cells):
                if cell[0] == "boxes":
                    self._boxes(cell[1], cell[2], xs[i] + PAD, y - PAD)
                else:
                    self._text(t, cell[1], g.bold if i == 0 else g.body_font, xs[i], y)
            y -= h
            row_tops.append(y)
        c.drawText(t)
        c.setStrokeColor("black")
        c.setLineWidth(1)
        c.grid(xs, row_tops)
        c.setLineWidth(2)
        c.rect(0, 0, xs[-1], top)

    def _boxes(self, k: int, per_line: int, x: float, top: float) -> None:
        c, s = self.canv, self.box_side
        c.setLineWidth(1.2)
        for n in range(k):
            row, col = divmod(n, per_line)
            c.rect(x + col * s * 1.6, top - s - row * s * 1.6, s, s, stroke=1, fill=0)
