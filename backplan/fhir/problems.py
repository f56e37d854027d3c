"""What can be wrong with FHIR, and where: one problem per element path, one error for many.

Examples
--------
>>> print(FhirProblem("Observation.status", "a code", 5))
Observation.status: expected a code, got 5
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import MAX_LISTED, BackplanError, short, source_words

__all__ = ["FhirError", "FhirProblem"]


@dataclass(frozen=True)
class FhirProblem:
    """One thing wrong at one FHIR element.

    Attributes
    ----------
    path : str
        FHIRPath-like location, e.g. ``Bundle.entry[0].resource.activity[2].detail.quantity``.
    expected : str
        What a valid value looks like.
    got : object
        The value found (left out of the message when ``None``).
    """

    path: str
    expected: str
    got: object = None

    def __str__(self) -> str:
        text = f"{self.path}: expected {self.expected}"
        if self.got is not None:
            text += f", got {_short(self.got)}"
        return text


def _short(value: object) -> str:
    if isinstance(value, str | bytes) and len(value) > 80:
        value = value[:80]  # a long text is cut before repr, not after
    try:
        text = repr(value)
    except Exception:  # a value whose repr fails (or nests too deep) still gets a message
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 80 else text[:77] + "..."


class FhirError(BackplanError):
    """FHIR that is not valid, or not a shape backplan can read; names each element path.

    Examples
    --------
    >>> err = FhirError([FhirProblem("CarePlan.status", "a code", 5)], "plan.json")
    >>> print(err)
    plan.json: 1 FHIR problem
      - CarePlan.status: expected a code, got 5
    >>> err.first_line()
    'plan.json: CarePlan.status: expected a code, got 5'

    At most :data:`~backplan.errors.MAX_LISTED` problems are listed (``problems`` keeps
    them all):

    >>> many = FhirError([FhirProblem(f"CarePlan.activity[{i}]", "a status") for i in range(60)])
    >>> str(many).splitlines()[-1]
    "  - ... and 10 more (see the error's .problems)"
    """

    def __init__(self, problems: Iterable[FhirProblem], source: str = "<fhir>") -> None:
        self.problems = list(problems)
        self.source = source
        n = len(self.problems)
        lines = [f"{short(source_words(source), 200)}: {n} FHIR problem{'s' if n != 1 else ''}"]
        lines += [f"  - {short(str(p), 400)}" for p in self.problems[:MAX_LISTED]]
        if n > MAX_LISTED:  # a 2,000-activity CarePlan once gave a 250 KB message
            lines.append(f"  - ... and {n - MAX_LISTED} more (see the error's .problems)")
        super().__init__("\n".join(lines))

    def first_line(self) -> str:
        """The first problem on one line (and how many more there are)."""
        more = len(self.problems) - 1
        tail = f" (and {more} more problem{'s' if more != 1 else ''})" if more > 0 else ""
        return f"{source_words(self.source)}: {self.problems[0]}{tail}"
