"""A pseudo-language for finding words that skip the catalogue (``en-XA``, as Android and
Chrome call theirs).

Every English message becomes the same text with each letter swapped for an accented look-
alike (``Stay safe`` -> ``Šŧȧẏ šȧƒḗ``), placeholders kept. A handout printed in it shows,
at a glance or to a test, any word still plain ASCII: a word a renderer holds itself
instead of taking it from the catalogue.

Examples
--------
>>> accent("Call your physio on {phone}.")
'Ƈȧŀŀ ẏǿŭř ƥħẏşīǿ ǿƞ {phone}.'
>>> pseudo_messages().forms[("title", "Your back exercises")]
('Ẏǿŭř ƀȧƈķ ḗẋḗřƈīşḗş',)
"""

from __future__ import annotations

import functools
import re

from .files import Messages, load_english

__all__ = ["PSEUDO", "accent", "pseudo_messages"]

#: The pseudo-language's code.
PSEUDO = "en-XA"

_PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ACCENTED = "ȧƀƈḓḗƒɠħīĵķŀḿƞǿƥɋřşŧŭṽẇẋẏẑȦƁƇḒḖƑƓĦĪĴĶĿḾȠǾƤɊŘŠŦŬṼẆẊẎẐ"
_TABLE = str.maketrans(_PLAIN, _ACCENTED)
_KEEP = re.compile(r"(\{\w+\})")


def accent(text: str) -> str:
    """``text`` with every ASCII letter accented, placeholders (``{name}``) left as they are."""
    parts = _KEEP.split(text)
    return "".join(p if _KEEP.fullmatch(p) else p.translate(_TABLE) for p in parts)


@functools.cache
def pseudo_messages() -> Messages:
    """The English catalogue with every text accented (see :func:`accent`)."""
    english = load_english()
    forms = {key: tuple(accent(f) for f in value) for key, value in english.forms.items()}
    return Messages(PSEUDO, "pseudo", forms, english.plural, english.nplurals)
