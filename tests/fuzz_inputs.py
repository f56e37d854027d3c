"""Hypothesis strategies shared by the tests/test_fuzz_*.py property tests.

The text strategies mix known-hostile pieces (formula starts, CSV line tricks, script and
event-handler markup, non-ASCII digits, numbers Python reads but a clinic does not mean)
with arbitrary Unicode, control characters and line breaks.

Each property test states its own example count. Where one call is slow (a catalogue
validated by pandera, a PDF laid out by ReportLab), one example carries a batch of
generated values (rows, or text fields) and the test counts the values it checked, so
every property sees at least 1,000 generated inputs per run.
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

#: Values a spreadsheet, a browser or ``int()`` would treat as more than text.
HOSTILE = (
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
    "\n=1",
    'Ann\r=HYPERLINK("http://x")',
    "Ann\n-1",
    "Ann\r\n@x",
    "  =1",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    "javascript:alert(1)",
    "²",
    "١٠",
    "５",
    "inf",
    "-inf",
    "NaN",
    "1e400",
    "9" * 25,
    "9223372036854775808",
    " 10 ",
    "10.0",
    "-0",
    "TRUE",
    "false",
    "2008-02-30",
    "9999-12-31",
    "01/02/2026",
    "\x00\x07\x0b\x1b\x7f",
    "\u202e",
    "\ufeff",
    "|",
    "&amp;",
    "",
)

_CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F)
_ANY = st.characters(blacklist_categories=("Cs",))

#: One piece of user text: hostile pieces, arbitrary Unicode and control characters joined.
text = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(_ANY, max_size=6), st.text(_CONTROL, max_size=2)),
    max_size=4,
).map("".join)

#: A character ``str.strip`` keeps (whitespace is category Z* or Cc).
_SOLID = st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"))
#: A piece that is never blank: a hostile piece with something in it, or solid characters.
_SOLID_PIECE = st.one_of(
    st.sampled_from([h for h in HOSTILE if h.strip()]), st.text(_SOLID, min_size=1, max_size=6)
)

#: Non-blank user text (for fields that must hold something): user text around a piece
#: that is never blank, built so (not filtered, which rejected many of a handout's 36 draws).
some_text = st.tuples(text, _SOLID_PIECE, text).map("".join)

#: A cell value as a clinic's file could hold it.
cell = st.one_of(
    text,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1", "3", "10", "0", "12"]),
)


def fuzz(examples: int, *, shrink: bool = True) -> settings:
    """Hypothesis settings: ``examples`` examples (at least ``BACKPLAN_FUZZ_EXAMPLES``, which
    ``make fuzz`` sets to 1,000 or more), no deadline (CI machines are slow and
    shared), no example database (runs do not depend on earlier runs' files).

    ``shrink=False`` for tests where one example takes a tenth of a second or more:
    shrinking a failure there can take many minutes, so the failing case is shown as found.
    """
    phases = [Phase.explicit, Phase.generate, *([Phase.shrink] if shrink else [])]
    examples = max(examples, int(os.environ.get("BACKPLAN_FUZZ_EXAMPLES", "0") or 0))
    return settings(
        max_examples=examples,
        phases=phases,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


_FORMULA_LINE = re.compile(r"(?:\A|[\r\n]) *[=+\-@\t]")


def formula_line(value: str) -> bool:
    """True when any line inside ``value`` starts (after spaces) with a formula character."""
    return bool(_FORMULA_LINE.search(value))
