"""One rule for who a patient is: how labels are compared and how they become file names.

A patient label is typed by people, on keyboards and phones that store the same name in
different ways: "Zoë" as one character or as "o" plus a combining diaeresis (NFC and NFD),
"ANN SMITH" and "Ann Smith", two spaces or one. Everywhere backplan asks "is this the same
patient?" (logs against plans, a plan saved over another, a search), it compares
:func:`patient_key`: the label in Unicode NFC, case-folded, with runs of white space made
one space and none at the ends. The label itself is kept exactly as typed for display.

A file name must be safe on every system and readable by a person. :func:`file_stem`
keeps the Latin letters and digits of a name (accents dropped); a name written in another
script, which has no such letters, gets ``patient-`` and 10 hex digits of a hash of its key,
so two different names never share a stem by accident of script. Two labels can still
share a stem ("Zoe Adams" and "Zoë Adams"): the plan library never replaces a file that
holds another patient's plan without asking, whatever the stem.

Examples
--------
>>> patient_key("  Zoe\\u0308  ADAMS ") == patient_key("Zoë Adams")
True
>>> file_stem("../José O'Neil"), file_stem("王小明"), file_stem("")
('jose-o-neil', 'patient-acf979cc58', '')
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["file_stem", "patient_key", "same_patient"]

_SPACE = re.compile(r"\s+")


def patient_key(label: str) -> str:
    """The form of a patient label that comparisons use (NFC, case-folded, spaces folded)."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", label).casefold()).strip()


def same_patient(a: str, b: str) -> bool:
    """True when two labels name the same patient by :func:`patient_key`.

    Examples
    --------
    >>> same_patient("ANN SMITH", "Ann  Smith"), same_patient("Ann Smith", "Anne Smith")
    (True, False)
    """
    return patient_key(a) == patient_key(b)


def file_stem(label: str, limit: int = 60) -> str:
    """A safe, readable file-name stem for a patient label ('' for an empty label)."""
    key = patient_key(label)
    if not key:
        return ""
    ascii_text = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:limit].strip("-")
    if stem:
        return stem
    return "patient-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
