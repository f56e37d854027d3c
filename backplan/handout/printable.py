"""Checks run before a handout is written, so that a bad name never half-prints.

* :func:`check_names`: a name (patient, physio, clinic) with a word that mixes Latin, Greek
  and Cyrillic letters ("Ivаn" typed with a Cyrillic "а") is refused, naming the field and
  the word: it looks right on paper but is not the name the clinic searches for.
* :func:`check_fonts`: a character that none of the shipped fonts has (see
  :mod:`backplan.handout.fonts`) is refused, naming the field, the character and its code
  point, instead of printing an empty box.

Examples
--------
>>> from types import SimpleNamespace
>>> h = SimpleNamespace(patient="Ivаn Petrov", clinician="", clinic="", physio="")
>>> check_names(h)
Traceback (most recent call last):
...
backplan.errors.BackplanError: patient: the word 'Ivаn' mixes Cyrillic and Latin letters, so it looks right but is not the name as typed elsewhere; retype it in one alphabet
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import BackplanError
from ..scripts import mixed_script_words

__all__ = ["check_fonts", "check_names", "text_fields"]

_NAMES = ("patient", "clinician", "physio", "clinic")


def check_names(h: Any) -> None:
    """Refuse a name whose words mix Latin, Greek and Cyrillic letters."""
    for field in _NAMES:
        for word, found in mixed_script_words(getattr(h, field, "") or ""):
            raise BackplanError(
                f"{field}: the word {word!r} mixes {' and '.join(found)} letters, so it looks "
                "right but is not the name as typed elsewhere; retype it in one alphabet"
            )


def text_fields(h: Any) -> Iterator[tuple[str, str]]:
    """``(field, text)`` for every text a handout prints, named as a person would find it
    (``"exercise 2 (Knee rolls), step 3"``)."""
    for field in ("patient", "clinician", "physio", "clinic", "phone", "notes"):
        yield field, getattr(h, field, "") or ""
    for blocks in (h.blocks, h.next_blocks):
        for b in blocks:
            where = f"exercise {b.number} ({b.exercise})"
            yield f"{where}, name", b.name
            yield f"{where}, position", b.position
            yield from ((f"{where}, step {i}", s) for i, s in enumerate(b.steps, start=1))
            yield f"{where}, dose", b.dose
            yield f"{where}, easier way", b.easier
            yield from ((f"{where}, later weeks", s) for s in b.later)
    for section in (*h.safety, *h.advice):
        yield f"advice '{section.key}'", section.heading
        yield from ((f"advice '{section.key}'", item) for item in section.items)
    yield from (("credits", c) for c in h.credits)
    yield from (("what has changed", c) for c in h.changes)


def check_fonts(h: Any) -> None:
    """Refuse a handout with a character that no shipped font has (see
    :func:`backplan.handout.fonts.check_printable`)."""
    from .fonts import check_printable

    check_printable(text_fields(h))
