"""Pseudonyms for sharing: patient labels replaced by a keyed hash (HMAC-SHA256).

The same key always gives the same pseudonym, so logs, prescription tables and reports
pseudonymised with one key still join up. Keep the key outside the notebook and the data
(for example in a password manager): without it a pseudonym cannot be traced back, but with
it anyone can re-create the mapping. Pseudonymised data is still personal data under UK
GDPR (article 4(5)).

A label is replaced wherever it appears: the patient column, and inside every other text
(notes, reasons, file names, a plan's notes, its revisions' reasons and a plan id that holds
the name). Labels are compared by the one identity rule
(:func:`~backplan.identity.patient_key`: NFC, case-folded), so "ANN SMITH" and "Ann Smith"
get one pseudonym and "WEISS" in a note is found for the label "Weiß". Inside text a label
counts as a whole word, in any case and spacing ("ann  smith" for "Ann Smith"), never as
part of a longer word or number ("P1" is not replaced inside "P10"); in file names and plan
ids its words may be joined by ``-``, ``_`` or ``.`` and written without accents, as
backplan names plan files ("ann-smith_2026-01-05.json"). A label with no
letter at all (``"11"``) is replaced only where it is a whole cell or a whole file name,
because inside text it cannot be told from a dose or a date ("11 Jan 2026" stays as it
is): give patients labels with a letter (``P-011``) if notes may name them.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"patient": ["Ann", "Bob", "Ann"],
...                       "note": ["", "saw Ann on 11 Jan", "Annie rang"]})
>>> out = pseudonymise(table, key="a long secret kept somewhere safe")
>>> out["patient"].nunique(), out["patient"].str.startswith("PSN-").all()
(2, np.True_)
>>> out["note"].tolist()[1:] == [f"saw {out['patient'][0]} on 11 Jan", "Annie rang"]
True
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, TypeVar

import pandas as pd

from .errors import BackplanError
from .identity import file_stem, patient_key

__all__ = ["MIN_KEY_BYTES", "pseudonym", "pseudonymise"]

#: Shortest key accepted, in bytes (128 bits).
MIN_KEY_BYTES = 16
_PREFIX = "PSN-"
#: Table columns that hold file names (a letterless label may be a whole file name there).
_FILE_COLUMNS = frozenset({"file", "same_as_file"})
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
T = TypeVar("T")


def _key_bytes(key: bytes | str) -> bytes:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, bytes):
        raise BackplanError(f"key: expected bytes or text, got {type(key).__name__}")
    if len(key) < MIN_KEY_BYTES:
        raise BackplanError(
            f"key must be at least {MIN_KEY_BYTES} bytes long (got {len(key)}); a short key "
            "can be guessed, which would undo the pseudonyms"
        )
    return key


def pseudonym(label: str, key: bytes | str) -> str:
    """The pseudonym of one label: ``PSN-`` and the first 16 hex digits of HMAC-SHA256 of
    the label's :func:`~backplan.identity.patient_key` (NFC, case-folded, spaces folded),
    so labels that name one patient ("Ann Smith", "ANN  SMITH") get one pseudonym.

    Examples
    --------
    >>> pseudonym("SYN-0001", b"0123456789abcdef") == pseudonym("syn-0001", "0123456789abcdef")
    True
    """
    text = patient_key(str(label))
    digest = hmac.new(_key_bytes(key), text.encode("utf-8"), hashlib.sha256).hexdigest()
    return _PREFIX + digest[:16]


def _mapper(key: bytes) -> Callable[[Any], Any]:
    cache: dict[Any, Any] = {}

    def one(label: Any) -> Any:
        if label is None or (not isinstance(label, str) and pd.isna(label)):
            return label
        if label not in cache:
            cache[label] = pseudonym(str(label), key)
        return cache[label]

    return one


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _folded(text: str) -> tuple[str, str, list[int] | None]:
    """``(nfc, folded, where)``: ``text`` in NFC, then case-folded as
    :func:`~backplan.identity.patient_key` folds it; ``where[i]`` is the place in ``nfc``
    of folded character ``i`` (``None`` when the two line up one to one)."""
    nfc = unicodedata.normalize("NFC", text)
    folded = nfc.casefold()
    if len(folded) == len(nfc):  # casefold never shortens a character: one to one
        return nfc, folded, None
    where = [i for i, ch in enumerate(nfc) for _ in ch.casefold()]
    return nfc, folded, where


#: What joins the words of a name inside an identifier or a file name ("ann-smith_...").
_ID_JOIN = r"[\s._-]+"
#: A word inside an identifier or a file name, where "_" joins words.
_ID_WORD = re.compile(r"[^\W_]+")


class _Labels:
    """Finds patient labels inside text (see the module notes) and replaces them.

    Text and labels are compared by the identity rule (:func:`~backplan.identity.
    patient_key`: NFC, case-folded), so "WEISS" and "Weiß" are one name. Each label is
    looked up by its first word, so text is scanned once whatever the number of labels;
    the label's full form is then checked at that place. In identifiers and file names
    (``ids=True``) a name's words may also be joined by ``-``, ``_`` or ``.`` and written
    without accents, as :func:`~backplan.identity.file_stem` writes them
    ("ann-smith_2026-01-05.json", "jose-o-neil").
    """

    def __init__(self, labels: Iterable[str], one: Callable[[Any], Any]) -> None:
        self.by_key: dict[str, str] = {}  # patient_key -> pseudonym
        self.by_word: dict[bool, dict[str, list[tuple[int, int, re.Pattern[str], bool, str]]]]
        self.by_word = {False: {}, True: {}}
        for label in sorted({str(v) for v in labels if str(v).strip()}):
            key = patient_key(label)
            self.by_key.setdefault(key, one(label))
            if not _has_letter(label) or _WORD.search(key) is None:
                continue  # letterless: whole cells and file names only
            alias = self.by_key[key]
            self._add(False, key, r"\s+", alias)
            for form in {key, file_stem(label)}:
                self._add(True, form, _ID_JOIN, alias)
        for words in self.by_word.values():
            for found in words.values():
                found.sort(key=lambda x: -x[0])  # the longest label first ("Ann Smith", "Ann")

    def _add(self, ids: bool, form: str, join: str, alias: str) -> None:
        first = (_ID_WORD if ids else _WORD).search(form)
        if first is None:
            return
        pieces = _SPACES.split(form) if not ids else [w for w in re.split(_ID_JOIN, form) if w]
        full = re.compile(join.join(re.escape(piece) for piece in pieces))
        # a label starting with punctuation ("(Ann)") is looked up by its first word,
        # then checked from that many characters before it
        entry = (len(form), first.start(), full, _WORD.match(form[-1]) is not None, alias)
        self.by_word[ids].setdefault(first.group(), []).append(entry)

    def __bool__(self) -> bool:
        return bool(self.by_key)

    def cell(self, text: str) -> str | None:
        """The pseudonym when the whole of ``text`` is a label, else ``None``."""
        return self.by_key.get(patient_key(text))

    def text(self, text: str, ids: bool = False) -> str:
        """``text`` with every label in it (as a whole word) replaced."""
        whole = self.cell(text)
        if whole is not None:
            return whole
        table = self.by_word[ids]
        if not table:
            return text
        nfc, folded, where = _folded(text)
        words = _ID_WORD if ids else _WORD
        out, done = [], 0
        for word in words.finditer(folded):
            for _, before, full, word_end, alias in table.get(word.group(), ()):
                start = word.start() - before
                if start < 0 or _at(where, start) < done:
                    continue
                match = full.match(folded, start)
                if match is None or (word_end and not self._ends_word(folded, match.end(), ids)):
                    continue
                first, end = _at(where, start), _at(where, match.end() - 1) + 1
                out += [nfc[done:first], alias]
                done = end
                break
        # no label found: the text comes back exactly as it was (not even normalised)
        return text if not out else "".join([*out, nfc[done:]])

    @staticmethod
    def _ends_word(text: str, end: int, ids: bool) -> bool:
        if end >= len(text):
            return True
        after = text[end]
        if ids and after == "_":
            return True
        return not (_WORD.match(after) or unicodedata.category(after).startswith("M"))

    def contains(self, text: str) -> bool:
        """True when an identifier holds a label (its words joined by ``-``, ``_`` or
        ``.``, or the whole identifier)."""
        return self.text(text, ids=True) != text

    def path(self, text: str) -> str:
        """A file name or path: labels in it, and a part or stem that is a label."""
        parts = re.split(r"([/\\])", self.text(text, ids=True))
        for i, part in enumerate(parts):
            stem, dot, suffix = part.rpartition(".") if "." in part else (part, "", "")
            alias = self.cell(part) or (self.cell(stem) if stem else None)
            if alias is not None:
                parts[i] = alias if self.cell(part) else alias + dot + suffix
        return "".join(parts)


def _at(where: list[int] | None, i: int) -> int:
    """The place in the NFC text of folded character ``i``."""
    return i if where is None else where[i]


def _frame(table: pd.DataFrame, column: str, one: Callable[[Any], Any]) -> pd.DataFrame:
    """``table`` with its patient column replaced, label by label."""
    if column not in table.columns:
        return table
    out = table.copy()
    s = out[column]
    if isinstance(s.dtype, pd.CategoricalDtype):
        out[column] = s.cat.rename_categories([one(c) for c in s.cat.categories])
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        mapped = pd.Index([one(u) for u in uniques], dtype=object)
        out[column] = pd.Series(mapped.take(codes, allow_fill=True), index=s.index, dtype=s.dtype)
    return out


def _replace_in(values: pd.Series, change: Callable[[str], str]) -> pd.Series:
    """A text column with ``change`` applied to each distinct text (other values kept)."""
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists): value by value
        return values.map(lambda v: change(v) if isinstance(v, str) else v)
    mapped = [change(u) if isinstance(u, str) else u for u in uniques]
    if all(m is u for m, u in zip(mapped, uniques, strict=True)):
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.rename_categories(mapped) if len(set(mapped)) == len(mapped) else (
            pd.Series(pd.Index(mapped, dtype=object).take(codes, allow_fill=True),
                      index=values.index, dtype=object))  # fmt: skip
    out = pd.Index(mapped, dtype=object).take(codes, allow_fill=True, fill_value=None)
    return pd.Series(out, index=values.index, dtype=object)


def _is_text(s: pd.Series) -> bool:
    kind = s.dtype
    return not (
        pd.api.types.is_numeric_dtype(kind)
        or pd.api.types.is_bool_dtype(kind)
        or pd.api.types.is_datetime64_any_dtype(kind)
    )


def _table(
    table: pd.DataFrame, column: str, one: Callable[[Any], Any], labels: _Labels
) -> pd.DataFrame:
    """``table`` with labels replaced in the patient column and in every text cell."""
    out = _frame(table, column, one)
    if not labels:
        return out
    for c in out.columns:
        if c != column and _is_text(out[c]):
            change = labels.path if c in _FILE_COLUMNS else labels.text
            out[c] = _replace_in(out[c], change)
    return out


def _labels_in(tables: Iterable[pd.DataFrame], column: str) -> set[str]:
    found: set[str] = set()
    for value in tables:
        if column in value.columns:
            found.update(str(v) for v in pd.unique(value[column].dropna()))
    return found


def _everywhere(data: Any, column: str, one: Callable[[Any], Any]) -> Any:
    """A LogTable or report with labels replaced in every table, cell and file name.

    A label can sit outside the patient column: in a file name (``logs/P1.csv``), in a
    rejected row's other cells, in a problem's ``got``. Every text cell of every table is
    searched for every label.
    """
    tables = {n: v for n, v in vars(data).items() if isinstance(v, pd.DataFrame)}
    labels = _Labels(_labels_in(tables.values(), column), one)
    changes: dict[str, Any] = {n: _table(v, column, one, labels) for n, v in tables.items()}
    if hasattr(data, "sources"):
        changes["sources"] = tuple(labels.path(s) for s in data.sources)
    return replace(data, **changes)


def _fitted(model: Any, field: str, text: str, where: str) -> str:
    """``text`` when it fits ``model.field``'s length limit, else a PlanError saying so."""
    from .errors import PlanError, Problem

    limit = next((m.max_length for m in type(model).model_fields[field].metadata
                  if getattr(m, "max_length", None) is not None), None)  # fmt: skip
    if limit is not None and len(text) > limit:
        expected = (f"text of at most {limit} characters once its patient labels are "
                    "pseudonyms (20 characters each)")  # fmt: skip
        raise PlanError([Problem(where, None, field, expected, text)], where)
    return text


def _plans(plans: Iterable[Any], one: Callable[[Any], Any]) -> list[Any]:
    """Plans with the patient replaced, and every label in their free text too (notes,
    the clinician, each revision's summary, reason and author)."""
    plans = list(plans)
    labels = _Labels((p.patient for p in plans), one)
    out = []
    for plan in plans:
        patient = one(plan.patient) if plan.patient.strip() else plan.patient
        where = f"<plan of {patient or 'no name'}>"

        def texts(model: Any, fields: tuple[str, ...], where: str = where) -> dict[str, str]:
            return {f: _fitted(model, f, labels.text(getattr(model, f)), where) for f in fields}

        revisions = tuple(
            r.model_copy(update=texts(r, ("what", "why", "by"))) for r in plan.revisions
        )
        update = {"patient": patient, **texts(plan, ("notes", "clinician")), "revisions": revisions}
        if labels.contains(plan.plan_id):  # e.g. "ann-smith-2026-01": a pseudonym fits its pattern
            update["plan_id"] = one(plan.plan_id)
        out.append(plan.model_copy(update=update))
    return out


def pseudonymise(data: T, key: bytes | str, column: str = "patient") -> T:
    """Replace patient labels with keyed-hash pseudonyms, everywhere in ``data``.

    Parameters
    ----------
    data : DataFrame, LogTable, AdherenceReport, Plan, or list of Plan
        Logs, a prescription table, a report (every table in it), or plans.
    key : bytes or str
        The secret, at least 16 bytes. It is used, never stored.
    column : str
        The label column in DataFrames.

    Returns
    -------
    The same kind of object, with new labels; the input is not changed. Labels are
    replaced in the patient column and inside all other text (see the module notes).

    Raises
    ------
    BackplanError
        For an empty or short key, a ``column`` that is not text, or ``data`` of another
        kind; a :class:`~backplan.PlanError` when a plan's text with pseudonyms would be
        longer than its field allows (a pseudonym has 20 characters).
    """
    one = _mapper(_key_bytes(key))
    if not isinstance(column, str):
        raise BackplanError(f"column: expected the name of a column, got {type(column).__name__}")
    from .logs import AdherenceReport, LogTable
    from .plan.model import Plan

    if isinstance(data, pd.DataFrame):
        labels = _Labels(_labels_in([data], column), one)
        return _table(data, column, one, labels)  # type: ignore[return-value]
    if isinstance(data, Plan):
        return _plans([data], one)[0]  # type: ignore[return-value]
    if isinstance(data, list | tuple) and all(isinstance(p, Plan) for p in data):
        return type(data)(_plans(data, one))  # type: ignore[return-value]
    if isinstance(data, LogTable | AdherenceReport):
        return _everywhere(data, column, one)  # type: ignore[return-value]
    raise BackplanError(
        "data: pseudonymise takes a DataFrame, a LogTable, an AdherenceReport, a Plan or a "
        f"list of plans, got {type(data).__name__}"
    )
