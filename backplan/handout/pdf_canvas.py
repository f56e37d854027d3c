"""The PDF handout's page furniture: the footer drawn on every page once the page count is
known, the page margins, and binary stream output."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ..words import TEXT
from .content import Handout
from .pdf_style import BOLD, MM, REGULAR

__all__ = ["FOOTER_Y", "MARGIN_TOP", "MARGIN_X", "binary_streams", "footer_canvas"]

#: Page margins in points (left/right, top); the bottom margin grows with the footer.
MARGIN_X, MARGIN_TOP = 13 * MM, 13 * MM
FOOTER_Y = 13 * MM


def footer_canvas(h: Handout, contact: list[str], size: float) -> type:
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    patient = h.patient

    class NumberedCanvas(Canvas):
        """Draws the clinic contact, the patient and "Page x of y" at the foot of each page."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = REGULAR  # no stray Helvetica reference on any page
            kwargs["initialFontSize"] = size
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._draw_footer(total)
                super().showPage()
            super().save()

        def _draw_footer(self, total: int) -> None:
            page_w = self._pagesize[0]
            text = TEXT["page"].format(page=self._pageNumber, pages=total)
            text_w = stringWidth(text, BOLD, size)
            self.setFillColor("black")
            self.setFont(BOLD, size)
            self.drawRightString(page_w - MARGIN_X, FOOTER_Y, text)
            room = page_w - 2 * MARGIN_X - text_w - size * 2
            label = patient
            while label and stringWidth(label, REGULAR, size) > room:
                label = label[:-2] + "…"
            self.setFont(REGULAR, size)
            self.drawString(MARGIN_X, FOOTER_Y, label)
            for i, line in enumerate(reversed(contact), start=1):
                self.drawString(MARGIN_X, FOOTER_Y + i * size * 1.25, line)

    return NumberedCanvas


@contextlib.contextmanager
def binary_streams() -> Iterator[None]:
    """Write compressed streams as binary, not ASCII85 text (ReportLab's default): smaller
    files, and the encoding is a tenth of the build time without ReportLab's C speed-ups."""
    from reportlab import rl_config

    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = before
