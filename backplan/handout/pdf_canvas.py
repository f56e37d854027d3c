"""The PDF handout's page furniture: the footer drawn on every page once the page count is
known, the page margins, and binary stream output."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from .content import Handout
from .pdf_style import BOLD, MM, REGULAR

__all__ = ["FOOTER_Y", "MARGIN_TOP", "MARGIN_X", "binary_streams", "footer_canvas"]

#: Page margins in points (left/right, top); the bottom margin grows with the footer.
MARGIN_X, MARGIN_TOP = 13 * MM, 13 * MM
FOOTER_Y = 13 * MM


def footer_canvas(h: Handout, contact: list[str], size: float, rtl: bool = False) -> type:
    from reportlab.pdfgen.canvas import Canvas

    from .pdf_text import draw_line, fit_text, text_width

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
            text = h.words.text("page", page=self._pageNumber, pages=total)
            self.setFillColorRGB(0, 0, 0)
            # left to right: contact and patient from the left, the page number on the
            # right; right to left: mirrored
            start, end = (page_w - MARGIN_X, MARGIN_X) if rtl else (MARGIN_X, page_w - MARGIN_X)
            near, far = ("right", "left") if rtl else ("left", "right")
            draw_line(self, end, FOOTER_Y, text, BOLD, size, align=far)
            room = page_w - 2 * MARGIN_X - text_width(text, BOLD, size) - size * 2
            label = fit_text(patient, REGULAR, size, room)
            draw_line(self, start, FOOTER_Y, label, REGULAR, size, align=near)
            for i, line in enumerate(reversed(contact), start=1):
                draw_line(self, start, FOOTER_Y + i * size * 1.25, line, REGULAR, size, near)

    return NumberedCanvas


#: zlib's level for page and font streams: level 3 takes half the time of ReportLab's
#: level 6 for files about 7% larger (measured on 6-week handouts with pictures).
STREAM_LEVEL = 3


@contextlib.contextmanager
def binary_streams() -> Iterator[None]:
    """Write compressed streams as binary, not ASCII85 text (ReportLab's default): smaller
    files, and the encoding is a tenth of the build time without ReportLab's C speed-ups;
    compressed at :data:`STREAM_LEVEL`, not ReportLab's slower default."""
    import zlib

    from reportlab import rl_config
    from reportlab.pdfbase import pdfdoc

    def encode(text: str | bytes) -> bytes:
        return zlib.compress(text.encode("utf8") if isinstance(text, str) else text, STREAM_LEVEL)

    before = rl_config.useA85
    rl_config.useA85 = 0
    pdfdoc.PDFZCompress.encode = encode  # the one compressor every stream uses
    try:
        yield
    finally:
        rl_config.useA85 = before
        vars(pdfdoc.PDFZCompress).pop("encode", None)  # ReportLab's own method again
