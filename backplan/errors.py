"""One family of errors whose messages say where the problem is and what was expected.

Every error raised on bad input is a :class:`BackplanError`. Errors about tables carry a
list of :class:`Problem` records, each naming the file, the row as a person counts it in a
spreadsheet (the header is row 1, the first data row is row 2) and the column.

Examples
--------
>>> err = CatalogueError([Problem("cat.csv", 3, "reps", "a whole number from 1 to 50", "ten")])
>>> print(err)
cat.csv: 1 problem
  - row 3, column 'reps': expected a whole number from 1 to 50, got 'ten'

Messages stay short whatever the input: a value is shown up to :data:`MAX_VALUE_CHARS`
characters and at most :data:`MAX_LISTED` problems are listed (the ``problems`` attribute
keeps them all).

>>> print(Problem("plan.json", None, "notes", "at most 5000 characters", "x" * 5_000_000))
column 'notes': expected at most 5000 characters, got 'xxxxxxxx...xxxxxxxx' (5000000 characters)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Real

__all__ = [
    "MAX_LISTED",
    "MAX_VALUE_CHARS",
    "BackplanError",
    "CatalogueError",
    "LogError",
    "PlanError",
    "PlanVersionError",
    "Problem",
    "TableError",
    "argument_value",
    "problem_list",
    "short",
]

#: The longest shown form of one bad value in a message.
MAX_VALUE_CHARS = 60
#: The most problems an error message lists (the ``problems`` attribute holds all).
MAX_LISTED = 50


def short(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """``text`` cut to about ``limit`` characters, keeping its start and end.

    Examples
    --------
    >>> short("abcdefghijklmnopqrstuvwxyz", 10)
    'abc...xyz (26 characters)'
    >>> short("fine")
    'fine'
    """
    if len(text) <= limit:
        return text
    keep = max((limit - 3) // 2, 1)
    return f"{text[:keep]}...{text[-keep:]} ({len(text)} characters)"


def _shown(value: object) -> str:
    """``repr(value)``, shortened without building a huge repr first."""
    if isinstance(value, str | bytes) and len(value) > MAX_VALUE_CHARS:
        keep = max((MAX_VALUE_CHARS - 3) // 2, 1)
        cut = repr(value[:keep])[:-1] + "..." + repr(value[-keep:])[1:]
        return f"{cut} ({len(value)} characters)"
    try:
        return short(repr(value))
    except Exception:  # a value whose repr fails still gets a message
        return f"<{type(value).__name__}>"


def argument_value(value: object) -> object:
    """What an error shows of a wrong argument: text, a number or ``None`` as it is,
    anything else by its type's name (never a whole table or plan).

    >>> argument_value("x.csv"), argument_value(5), argument_value([1, 2])
    ('x.csv', 5, 'list')
    """
    return value if isinstance(value, str | Real | None) else type(value).__name__


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or one row, or one column) of an input.

    Attributes
    ----------
    file : str
        The file (or a label such as ``"<DataFrame>"``) the value came from.
    row : int or None
        The spreadsheet row: 1 is the header, 2 the first data row. ``None`` when the
        problem concerns a whole column (e.g. a missing column).
    column : str or None
        The column (or plan field) at fault.
    expected : str
        What a valid value looks like.
    got : object
        The value that was found; omitted from the message when ``None``.
    label : str or None
        Words shown after the row number, e.g. the exercise a plan row prescribes.
    """

    file: str
    row: int | None
    column: str | None
    expected: str
    got: object = None
    label: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}" + (f" ({self.label})" if self.label else ""))
        if self.column is not None:
            where.append(f"column {self.column!r}")
        place = ", ".join(where) or "whole file"
        text = f"{place}: expected {self.expected}"
        if self.got is not None:
            text += f", got {_shown(self.got)}"
        return text


#: Words for the labels that stand for an input with no file name (a table or a plan in memory).
_LABELS = {"DataFrame": "the table", "fhir": "the FHIR data", "plans": "the plans",
           "plan": "the plan", "STarT Back": "the STarT Back answers"}  # fmt: skip


def source_words(source: str) -> str:
    """How an error's heading names its input: a file as it is, a label such as
    ``"<DataFrame>"`` or ``"<plan, revision 3>"`` in words.

    >>> source_words("logs.csv"), source_words("<DataFrame>"), source_words("<plan, revision 3>")
    ('logs.csv', 'The table', 'The plan, revision 3')
    """
    if not (source.startswith("<") and source.endswith(">")) or len(source) < 3:
        return source
    inner = source[1:-1]
    head = re.match(r"STarT Back|[A-Za-z]+", inner)
    word = head.group(0) if head else ""
    said = _LABELS.get(word, f"the {word}" if word else "the input") + inner[len(word) :]
    return said[0].upper() + said[1:]


class BackplanError(ValueError):
    """Base class of every backplan input error."""


class _ProblemsError(BackplanError):
    """An error listing every problem found in one input, not just the first."""

    def __init__(self, problems: Iterable[Problem], source: str | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        files = {p.file for p in self.problems}
        self.source = source or (files.pop() if len(files) == 1 else "input")
        super().__init__(problem_list(str(self.source), [str(p) for p in self.problems]))


def problem_list(source: str, problems: list[str]) -> str:
    """The message of an error listing problems: a title line, then at most
    :data:`MAX_LISTED` problems, each cut to a readable length.

    Examples
    --------
    >>> print(problem_list("pl.po", ["line 3: expected {phone}"]))
    pl.po: 1 problem
      - line 3: expected {phone}
    """
    n = len(problems)
    lines = [f"{short(source_words(source), 200)}: {n} problem{'s' if n != 1 else ''}"]
    lines += [f"  - {short(p, 400)}" for p in problems[:MAX_LISTED]]
    if n > MAX_LISTED:
        lines.append(f"  - ... and {n - MAX_LISTED} more (see the error's .problems)")
    return "\n".join(lines)


class CatalogueError(_ProblemsError):
    """An exercise catalogue (or its advice table) failed validation."""


class PlanError(_ProblemsError):
    """A plan, or a change to one, is not valid. ``row`` is the prescription number."""


class PlanVersionError(BackplanError):
    """A saved plan was written with a schema version this backplan cannot read."""


class TableError(_ProblemsError):
    """A table given to a function, or an option for showing it, is not of its kind."""


class LogError(_ProblemsError):
    """An exercise log could not be read at all (rows with problems are reported instead)."""
