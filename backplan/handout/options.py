"""The options every printed handout takes, checked once, each error naming its option.

:func:`~backplan.handout.to_pdf` and :func:`~backplan.handout.to_html` (and the command
line) check their options here before any work: an unknown ``page_size`` such as
``"A3"`` is refused, never printed as A4; ``large_print`` is ``True`` or ``False``, not
``"no"`` (which Python would read as true); clinic details are text within the limits of
the clinic settings file (:class:`~backplan.settings.ClinicSettings`), so a handout never
stalls laying out a 10,000-character clinic name.

Examples
--------
>>> handout_options(page_size="letter")["page_size"]
'letter'
>>> handout_options(page_size="A3")
Traceback (most recent call last):
...
backplan.errors.BackplanError: page_size: expected one of A4, letter, got 'A3'
"""

from __future__ import annotations

from typing import Any

from .._io.typed import flag_value
from ..errors import BackplanError, short
from ..settings import ClinicSettings
from .pdf_style import PAGE_SIZES

__all__ = ["CLINIC_LIMITS", "handout_options", "page_size_value"]

#: The longest clinic name, phone and physio a handout takes (the settings file's limits).
CLINIC_LIMITS: dict[str, int] = {
    name: next(m.max_length for m in field.metadata if getattr(m, "max_length", None))
    for name, field in ClinicSettings.model_fields.items()
}


def _refuse(name: str, expected: str, got: object) -> BackplanError:
    shown = repr(short(got)) if isinstance(got, str) else type(got).__name__
    return BackplanError(f"{name}: expected {expected}, got {shown}")


def page_size_value(value: object) -> str:
    """``"A4"`` or ``"letter"`` (any case), else a :class:`BackplanError`.

    >>> page_size_value("LETTER"), page_size_value("a4")
    ('letter', 'A4')
    """
    if isinstance(value, str):
        for size in PAGE_SIZES:
            if value.strip().lower() == size.lower():
                return size
    raise _refuse("page_size", f"one of {', '.join(PAGE_SIZES)}", value)


def handout_options(
    *,
    large_print: object = False,
    page_size: object = "A4",
    clinic: object = None,
    phone: object = None,
    physio: object = None,
    settings: object = None,
) -> dict[str, Any]:
    """The options of a printed handout, checked; a :class:`BackplanError` names the first
    one that is not valid.

    Returns
    -------
    dict
        ``large_print`` (bool), ``page_size`` (``"A4"`` or ``"letter"``), ``clinic``,
        ``phone``, ``physio`` (text or ``None``) and ``settings`` (or ``None``).

    Examples
    --------
    >>> handout_options(large_print="no")
    Traceback (most recent call last):
    ...
    backplan.errors.BackplanError: large_print: expected True or False, got 'no'
    >>> handout_options(clinic="x" * 201)
    Traceback (most recent call last):
    ...
    backplan.errors.BackplanError: clinic: expected text of at most 200 characters, got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxxxxxxxxxxxx (201 characters)'
    """
    try:
        large = flag_value(large_print)
    except ValueError:
        raise _refuse("large_print", "True or False", large_print) from None
    out: dict[str, Any] = {"large_print": large, "page_size": page_size_value(page_size)}
    for name, limit in CLINIC_LIMITS.items():
        value = {"clinic": clinic, "phone": phone, "physio": physio}[name]
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise _refuse(name, f"text of at most {limit} characters", value)
        out[name] = value
    if settings is not None and not isinstance(settings, ClinicSettings):
        raise _refuse("settings", "ClinicSettings (from backplan.settings)", settings)
    out["settings"] = settings
    return out
