"""Warning signs in what patients write: the red-flag lexicon, and reading one note with it.

A patient's note such as "numb around my bottom since Tues, can't pee properly" describes
signs that nhs.uk says need 999 or A&E now (possible cauda equina syndrome). The lexicon
in ``data/red-flags.csv`` lists such signs as phrase patterns, each with its category
(``"999 now"`` or ``"GP/111 today"``), what it may mean, the nhs.uk wording it stands for
and the source; ``data/red-flag-negations.csv`` lists the words that negate a sign ("no
numbness today") and the phrases that only look like a negation ("not sure if", "can't
tell"). A clinic can copy both files and pass its own (:func:`load_red_flags`).

Pattern notation (one cell of the ``pattern`` column)
-----------------------------------------------------
``numb*|tingl*|pins_and_needles + bum|bottom|between_my_legs``

* parts are joined by `` + ``: every part must be found in one sentence of the note (a
  sentence ends at ``. ; ! ?`` or a new line), in any order, within :data:`WINDOW` words
  of each other;
* a part is one or more slots separated by spaces, matched as words in a row;
* a slot lists alternatives separated by ``|``; ``_`` joins the words of an alternative;
* a word ending in ``*`` matches any ending (``tingl*``: tingle, tingling, tingly);
* apostrophes are ignored (``cant`` matches "can't"), ``cannot`` is ``cant``, ``&`` is
  ``and``, letters typed three or more times count twice ("numbbbb"), accents are dropped;
* a word of :data:`FUZZY_LENGTH` letters or more (or a ``*`` stem of that length) also
  matches a word one typing slip away ("numbnes", "incontinant", "errection").

A part is negated when a negation word stands at most :data:`NEGATION_GAP` words before it
in the same clause (a comma, a colon or "but" ends one), with no "and", "since" or "so"
between ("no numbness", "haven't had
any tingling"); a hypothetical cue ("look out for", "the leaflet says") reaches
:data:`HYPOTHETICAL_GAP` words. A word inside the sign's own match is never its negation
("can't pee"), and a phrase listed as "not a negation" ("not sure", "no feeling") cancels
the cue it starts with. A miss is worse than a false alarm: when in doubt, the sign fires.

A note no one can check by machine (another language or script, only emoji, or more than
:data:`LONG_NOTE` characters) is never passed over: :func:`check_note` says why a person
must read it.

Examples
--------
>>> check_note("numb around my bottom since Tues, can't pee properly").category
'999 now'
>>> [m.stands_for for m in check_note("numb bum and cant wee").matches][:1]
['numbness or tingling around your genitals or buttocks']
>>> check_note("no numbness today").status, check_note("my bum is sore from the bike").status
('clear', 'clear')
>>> check_note("Ból pleców bez zmian").status
'read it'
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .._io.paths import data_dir
from .._io.spreadsheets import read_text_table, spreadsheet_row
from ..errors import Problem, _ProblemsError, short

__all__ = [
    "CATEGORIES",
    "FUZZY_LENGTH",
    "HYPOTHETICAL_GAP",
    "LONG_NOTE",
    "NEGATION_GAP",
    "NEGATION_KINDS",
    "WINDOW",
    "Lexicon",
    "NoteCheck",
    "RedFlag",
    "RedFlagMatch",
    "RedFlagsError",
    "check_note",
    "check_notes",
    "load_red_flags",
]

#: The categories of a sign, most urgent first.
CATEGORIES: tuple[str, ...] = ("999 now", "GP/111 today")
#: What a row of the negations file can be.
NEGATION_KINDS: tuple[str, ...] = ("negation", "hypothetical", "not a negation")
#: The most words a sign's parts may span in one sentence.
WINDOW = 14
#: The most words between a negation and the part it negates.
NEGATION_GAP = 3
#: The most words between a hypothetical cue ("look out for") and the part.
HYPOTHETICAL_GAP = 10
#: A word (or ``*`` stem) this long or longer also matches one typing slip away.
FUZZY_LENGTH = 7
#: A note longer than this (characters) is listed for a person to read in full.
LONG_NOTE = 1000
#: The largest lexicon file read (bytes).
MAX_FILE_BYTES = 2_000_000

_COLUMNS = ("id", "category", "concept", "pattern", "stands_for", "source")
_NEG_COLUMNS = ("kind", "phrase", "why")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PATTERN_CHARS = re.compile(r"^[a-z0-9'&/.\-_*| +]+$")
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*|&")
_SENTENCE = re.compile(r"[.;!?\n\r]+(?:\s|$)|[;!?\n\r]+")
_CLAUSE = re.compile(r"[,:()\[\]]+|\s[-–—]+\s")
#: stands between two clauses of a sentence: it matches no word and ends a negation's reach
BREAK = ","
#: words that end a negation's reach ("no pain and my bum is numb": the numb is not negated)
_SCOPE_ENDS = frozenset(
    [
        "and",
        "since",
        "because",
        "cos",
        "so",
        "then",
        "now",
        "which",
        "who",
        "apart",
        "except",
        "plus",
        "also",
        "still",
        "but",
        "however",
        "although",
        "though",
        "whereas",
        "yet",
        ",",
    ]
)
_RUNS = re.compile(r"(.)\1{2,}")


class RedFlagsError(_ProblemsError):
    """A red-flag lexicon file failed validation (file, row and column named)."""


# --- words -------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case, accents dropped, apostrophes gone, letter runs cut to two."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'").replace("'", "")
    return _RUNS.sub(r"\1\1", text)


def _tokens(text: str) -> list[str]:
    """The words of folded text: ``&`` is "and", "cannot" is "cant"."""
    out = []
    for w in _WORD.findall(text):
        out.append("and" if w == "&" else "cant" if w == "cannot" else w)
    return out


def sentences(text: str) -> list[list[str]]:
    """The note's sentences as lists of folded words, :data:`BREAK` between clauses.

    Examples
    --------
    >>> sentences("No pain today, but my bum's numb! Fine.")
    [['no', 'pain', 'today', ',', 'but', 'my', 'bums', 'numb'], ['fine']]
    """
    out = []
    for sentence in _SENTENCE.split(_fold(text)):
        words: list[str] = []
        for clause in _CLAUSE.split(sentence):
            if t := _tokens(clause):
                words += ([BREAK] if words else []) + t
        if words:
            out.append(words)
    return out


def _within_one(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one typing slip (Damerau-Levenshtein)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                and a[diff[1]] == b[diff[0]])  # fmt: skip
    if la > lb:
        a, b = b, a
    i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
    return a[i:] == b[i + 1 :]


@dataclass(frozen=True)
class _Word:
    text: str
    prefix: bool

    def matches(self, token: str) -> bool:
        t, n = self.text, len(self.text)
        if self.prefix:
            if token.startswith(t):
                return True
            if n >= FUZZY_LENGTH:
                return any(_within_one(token[:k], t) for k in (n - 1, n, n + 1) if k <= len(token))
            return False
        if token == t:
            return True
        return n >= FUZZY_LENGTH and len(token) >= FUZZY_LENGTH - 1 and _within_one(token, t)


Alternative = tuple[_Word, ...]
Slot = tuple[Alternative, ...]
Part = tuple[Slot, ...]


def _phrase(text: str) -> Alternative:
    """One alternative (``pins_and_needles``, ``tingl*``) as words."""
    star = text.endswith("*")
    words = _tokens(_fold(text.rstrip("*").replace("_", " ")))
    return tuple(_Word(w, star and i == len(words) - 1) for i, w in enumerate(words))


def parse_pattern(pattern: str) -> tuple[Part, ...]:
    """A pattern cell as parts of slots of alternatives.

    Raises
    ------
    ValueError
        Saying what is wrong, in words for a clinic's spreadsheet.

    Examples
    --------
    >>> parts = parse_pattern("numb*|tingl* + bum|between_my_legs")
    >>> len(parts), [len(slot) for part in parts for slot in part]
    (2, [2, 2])
    """
    text = pattern.strip().lower()
    if not text:
        raise ValueError("a pattern (it is empty)")
    if not _PATTERN_CHARS.match(text):
        bad = sorted({c for c in text if not _PATTERN_CHARS.match(c)})
        raise ValueError(f"a pattern of letters, digits and ' & / . - _ * | + only "
                         f"(found {' '.join(repr(c) for c in bad[:5])})")  # fmt: skip
    parts = []
    for part_text in text.split(" + "):
        if not part_text.strip() or "+" in part_text:
            raise ValueError("parts joined by ' + ' (a space each side), none of them empty")
        slots = []
        for slot_text in part_text.split():
            alts = []
            for alt in slot_text.split("|"):
                if not alt or alt == "*":
                    raise ValueError("no empty alternative between '|' signs")
                if "*" in alt[:-1]:
                    raise ValueError(f"'*' only at the end of a word ({alt!r})")
                words = _phrase(alt)
                if not words:
                    raise ValueError(f"a word with letters or digits ({alt!r})")
                stem = words[-1].text
                if alt.endswith("*") and len(stem) < (2 if stem.isdigit() else 3):
                    raise ValueError(f"at least 3 letters (or 2 digits) before '*' ({alt!r} "
                                     "would match too many words)")  # fmt: skip
                alts.append(words)
            slots.append(tuple(alts))
        parts.append(tuple(slots))
    if len(parts) > 4:
        raise ValueError("at most 4 parts")
    return tuple(parts)


# --- the lexicon -------------------------------------------------------------------------


@dataclass(frozen=True)
class RedFlag:
    """One row of the lexicon: a warning sign as a phrase pattern."""

    id: str
    category: str
    concept: str
    pattern: str
    stands_for: str
    source: str
    parts: tuple[Part, ...] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Lexicon:
    """Red flags, negation cues and the English words used to tell a readable note."""

    flags: tuple[RedFlag, ...]
    negations: tuple[tuple[str, ...], ...]
    hypotheticals: tuple[tuple[str, ...], ...]
    not_negations: tuple[tuple[str, ...], ...]
    english: frozenset[str]
    source: str = ""

    @functools.cached_property
    def words(self) -> tuple[_Word, ...]:
        """Every distinct word of every pattern."""
        seen = {w: None for f in self.flags for p in f.parts for s in p for a in s for w in a}
        return tuple(seen)

    @functools.cached_property
    def stems(self) -> tuple[str, ...]:
        """The words and stems of the patterns, for telling an English note."""
        return tuple(w.text for w in self.words if len(w.text) >= 3)


@dataclass(frozen=True)
class RedFlagMatch:
    """A warning sign found in a note."""

    id: str
    category: str
    concept: str
    stands_for: str
    source: str
    words: str


@dataclass(frozen=True)
class NoteCheck:
    """What :func:`check_note` found in one note.

    Attributes
    ----------
    text : str
        The note as written.
    status : str
        ``"red flag"`` (a sign was found), ``"read it"`` (a person must read it: see
        ``read_reason``) or ``"clear"``.
    matches : tuple of RedFlagMatch
        The signs found, most urgent first.
    read_reason : str
        Why a machine could not check it all ('' when it could).
    """

    text: str
    status: str
    matches: tuple[RedFlagMatch, ...] = ()
    read_reason: str = ""

    @property
    def category(self) -> str:
        """The most urgent category found ('' when none)."""
        return self.matches[0].category if self.matches else ""


def _check_size(p: Path) -> None:
    try:
        size = p.stat().st_size
    except OSError:
        return  # read_text_table names a missing file
    if size > MAX_FILE_BYTES:
        raise RedFlagsError([Problem(str(p), None, None, f"a file of at most "
                                     f"{MAX_FILE_BYTES:,} bytes", f"{size:,} bytes")])  # fmt: skip


def _missing_columns(table: object, file: str, columns: Sequence[str]) -> list[Problem]:
    have = set(getattr(table, "columns", ()))
    return [Problem(file, 1, c, "this column in the header") for c in columns if c not in have]


def _read_flags(p: Path) -> tuple[list[RedFlag], list[Problem]]:
    _check_size(p)
    table = read_text_table(p, RedFlagsError)
    problems = _missing_columns(table, str(p), _COLUMNS)
    if problems:
        return [], problems
    flags, seen = [], {}
    for index, row in table.iterrows():
        r = spreadsheet_row(int(index))
        cells = {c: str(row[c]).strip() for c in _COLUMNS}
        before = len(problems)
        if not _ID.match(cells["id"]):
            problems.append(Problem(str(p), r, "id", "an id of lower-case letters, digits and "
                                    "hyphens (e.g. 'saddle-numb')", cells["id"]))  # fmt: skip
        elif cells["id"] in seen:
            problems.append(Problem(str(p), r, "id", f"each id once (also in row "
                                    f"{seen[cells['id']]})", cells["id"]))  # fmt: skip
        seen.setdefault(cells["id"], r)
        if cells["category"] not in CATEGORIES:
            problems.append(Problem(str(p), r, "category", f"one of {', '.join(CATEGORIES)}",
                                    cells["category"]))  # fmt: skip
        for c in ("concept", "stands_for", "source"):
            if not cells[c] or len(cells[c]) > 300:
                problems.append(Problem(str(p), r, c, "some text, at most 300 characters",
                                        cells[c]))  # fmt: skip
        parts: tuple[Part, ...] = ()
        try:
            parts = parse_pattern(cells["pattern"])
        except ValueError as exc:
            problems.append(Problem(str(p), r, "pattern", str(exc), cells["pattern"]))
        if len(problems) == before:
            flags.append(RedFlag(**cells, parts=parts))
    if not flags and not problems:
        problems.append(Problem(str(p), 2, None, "at least one red flag below the header row"))
    return flags, problems


def _read_negations(p: Path) -> tuple[dict[str, list[tuple[str, ...]]], list[Problem]]:
    _check_size(p)
    table = read_text_table(p, RedFlagsError)
    problems = _missing_columns(table, str(p), _NEG_COLUMNS[:2])
    out: dict[str, list[tuple[str, ...]]] = {k: [] for k in NEGATION_KINDS}
    if problems:
        return out, problems
    for index, row in table.iterrows():
        r = spreadsheet_row(int(index))
        kind, phrase = str(row["kind"]).strip(), str(row["phrase"]).strip().lower()
        if kind not in NEGATION_KINDS:
            problems.append(Problem(str(p), r, "kind", f"one of {', '.join(NEGATION_KINDS)}", kind))
            continue
        words = tuple(w.text for w in _phrase(phrase)) if "*" not in phrase else ()
        if not words or not _PATTERN_CHARS.match(phrase) or "|" in phrase or "+" in phrase:
            problems.append(Problem(str(p), r, "phrase", "words joined by '_' (no '*', '|' or "
                                    "'+')", phrase))  # fmt: skip
            continue
        out[kind].append(words)
    return out, problems


def _read_english(p: Path) -> frozenset[str]:
    words = []
    for line in p.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            words += _tokens(_fold(line))
    return frozenset(words)


def load_red_flags(
    path: str | os.PathLike[str] | None = None,
    negations: str | os.PathLike[str] | None = None,
) -> Lexicon:
    """Read a red-flag lexicon; the shipped ``data/red-flags.csv`` by default.

    Parameters
    ----------
    path : path-like, optional
        A CSV or Excel file with columns ``id, category, concept, pattern, stands_for,
        source`` (see the module notes for the pattern notation).
    negations : path-like, optional
        A file with columns ``kind`` (negation, hypothetical or not a negation), ``phrase``
        and ``why``; the shipped ``data/red-flag-negations.csv`` by default.

    Raises
    ------
    RedFlagsError
        Naming the file, row and column of every problem; nothing is loaded (the lexicon
        in use stays as it was).

    Examples
    --------
    >>> lex = load_red_flags()
    >>> lex.flags[0].id, lex.flags[0].category
    ('saddle-numb', '999 now')
    """
    if path is None and negations is None:
        return _shipped()
    return _load(
        Path(path) if path is not None else data_dir() / "red-flags.csv",
        Path(negations) if negations is not None else data_dir() / "red-flag-negations.csv",
    )


@functools.cache
def _shipped() -> Lexicon:
    return _load(data_dir() / "red-flags.csv", data_dir() / "red-flag-negations.csv")


def _load(path: Path, negations: Path) -> Lexicon:
    flags, problems = _read_flags(path)
    neg, neg_problems = _read_negations(negations)
    problems += neg_problems
    if problems:
        files = {pr.file for pr in problems}
        raise RedFlagsError(problems, files.pop() if len(files) == 1 else None)
    order = {c: i for i, c in enumerate(CATEGORIES)}
    flags.sort(key=lambda f: order[f.category])  # stable: file order within a category
    english = _read_english(data_dir() / "english-words.txt")
    return Lexicon(tuple(flags), tuple(neg["negation"]), tuple(neg["hypothetical"]),
                   tuple(neg["not a negation"]), english, str(path))  # fmt: skip


# --- matching ----------------------------------------------------------------------------


def _starts(tokens: Sequence[str], phrase: Sequence[str]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(tokens) - n + 1) if tuple(tokens[i : i + n]) == tuple(phrase)]


@functools.lru_cache(maxsize=100_000)
def _token_words(token: str, lex: Lexicon) -> frozenset[_Word]:
    """The pattern words ``token`` matches (worked out once per distinct word)."""
    return frozenset(w for w in lex.words if w.matches(token))


def _alt_at(hits: Sequence[frozenset[_Word]], i: int, alt: Alternative) -> int:
    """The end (exclusive) of ``alt`` matched at word ``i``, or -1."""
    if i + len(alt) > len(hits):
        return -1
    return i + len(alt) if all(w in hits[i + k] for k, w in enumerate(alt)) else -1


def _part_spans(hits: Sequence[frozenset[_Word]], part: Part) -> list[tuple[int, int]]:
    firsts = {alt[0] for alt in part[0]}
    out = []
    for i in range(len(hits)):
        if not firsts & hits[i]:
            continue
        ends = [i]
        for slot in part:
            ends = [e for s in ends for alt in slot if (e := _alt_at(hits, s, alt)) >= 0]
            if not ends:
                break
        out += [(i, max(ends))] if ends else []
    return out


def _cues(tokens: Sequence[str], lex: Lexicon) -> list[tuple[int, int, int]]:
    """(first word, last word, reach) of every negation or hypothetical cue in a sentence."""
    cancelled = {i for phrase in lex.not_negations for i in _starts(tokens, phrase)}
    cues = []
    for phrases, reach in ((lex.negations, NEGATION_GAP), (lex.hypotheticals, HYPOTHETICAL_GAP)):
        for phrase in phrases:
            cues += [(i, i + len(phrase) - 1, reach) for i in _starts(tokens, phrase)
                     if i not in cancelled]  # fmt: skip
    return cues


def _negated(
    tokens: Sequence[str], span: tuple[int, int], cues: list[tuple[int, int, int]],
    covered: set[int],
) -> bool:  # fmt: skip
    start = span[0]
    for first, last, reach in cues:
        if last >= start or start - last - 1 > reach or set(range(first, last + 1)) & covered:
            continue
        if not _SCOPE_ENDS & set(tokens[last + 1 : start]):
            return True
    return False


def _match_sentence(
    tokens: list[str], hits: list[frozenset[_Word]], flag: RedFlag, lex: Lexicon
) -> str | None:
    spans = [_part_spans(hits, part) for part in flag.parts]
    if not all(spans):
        return None
    covered = {k for part in spans for a, b in part for k in range(a, b)}
    cues = _cues(tokens, lex)
    live = [[s for s in part if not _negated(tokens, s, cues, covered)] for part in spans]
    if not all(live):
        return None
    for combo in itertools.islice(itertools.product(*live), 2000):
        lo, hi = min(a for a, _ in combo), max(b for _, b in combo)
        if hi - lo <= WINDOW:
            words = sorted(combo)
            return " ... ".join(" ".join(tokens[a:b]) for a, b in words)
    return None


_NON_LATIN_OK = {"DIGIT", "SPACE"}


def _english(word: str, lex: Lexicon) -> bool:
    """Whether ``word`` is a common English word (or one with an -s, -ed, -ing ending), or
    starts like a word of the lexicon."""
    if word in lex.english or any(word.startswith(s) for s in lex.stems):
        return True
    return any(word.endswith(e) and word[: -len(e)] in lex.english
               for e in ("s", "es", "ed", "d", "ing", "ly", "er", "y"))  # fmt: skip


def _read_reason(text: str, words: list[str], lex: Lexicon) -> str:
    """Why a person must read ``text`` ('' when a machine could check it all)."""
    reasons = []
    letters = [c for c in text if c.isalpha()]
    scripts = sorted({unicodedata.name(c, "OTHER ?").split()[0] for c in letters} - {"LATIN"})
    if scripts:
        names = ", ".join(s if s == "CJK" else s.title() for s in scripts[:3])
        reasons.append(f"written partly in another script ({names})")
    elif not letters and any(not (c.isspace() or c.isdigit() or c.isascii()) for c in text):
        reasons.append("only emoji or symbols, no words")
    elif words:
        known = sum(_english(w, lex) for w in words) / len(words)
        foreign = any(not c.isascii() for c in letters)  # e.g. Polish "ból", Welsh "ŵ"
        if (len(words) >= 2 and known < 0.5) or (foreign and known < 0.8):
            reasons.append("perhaps not in English")
    if len(text) > LONG_NOTE:
        reasons.append(f"a long note ({len(text):,} characters): read it in full")
    return "; ".join(reasons)


def check_note(text: str, lexicon: Lexicon | None = None) -> NoteCheck:
    """Look for warning signs in one free-text note (a log note, a FHIR Observation note).

    Parameters
    ----------
    text : str
        The note as written.
    lexicon : Lexicon, optional
        From :func:`load_red_flags`; the shipped one by default.

    Returns
    -------
    NoteCheck
        Its ``status`` is ``"red flag"`` when a sign was found (the most urgent first in
        ``matches``), ``"read it"`` when a person must read it (``read_reason`` says why),
        else ``"clear"``.

    Examples
    --------
    >>> c = check_note("pins and needles between my legs")
    >>> c.status, c.category, c.matches[0].concept
    ('red flag', '999 now', 'possible cauda equina sign')
    >>> check_note("👍").read_reason
    'only emoji or symbols, no words'
    """
    return _check(str(text), lexicon or _shipped())


@functools.lru_cache(maxsize=20_000)
def _check(text: str, lex: Lexicon) -> NoteCheck:
    parts = sentences(text)
    hits = [[_token_words(t, lex) for t in tokens] for tokens in parts]
    found: dict[str, RedFlagMatch] = {}
    for flag in lex.flags:
        for tokens, sentence_hits in zip(parts, hits, strict=True):
            if not any(sentence_hits):
                continue
            words = _match_sentence(tokens, sentence_hits, flag, lex)
            if words is not None:
                found.setdefault(flag.id, RedFlagMatch(flag.id, flag.category, flag.concept,
                                                       flag.stands_for, flag.source, words))  # fmt: skip
                break
    reason = _read_reason(text, [w for t in parts for w in t if w.isalpha()], lex)
    status = "red flag" if found else "read it" if reason else "clear"
    return NoteCheck(text, status, tuple(found.values()), reason)


def check_notes(texts: Iterable[str], lexicon: Lexicon | None = None) -> list[NoteCheck]:
    """:func:`check_note` for each text (each distinct text is read once)."""
    lex = lexicon or _shipped()
    return [_check(str(t), lex) for t in texts]


def quote(text: str, limit: int = 300) -> str:
    """A note for a one-line quote: new lines as spaces, cut to about ``limit`` characters."""
    return short(" ".join(str(text).split()), limit)
