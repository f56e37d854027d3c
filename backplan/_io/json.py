"""Reading JSON documents (saved plans) so that every failure is one clear PlanError.

Python's ``json`` module lets many failures escape as other exceptions: bytes that are not
UTF-8 (``UnicodeDecodeError``), deep nesting (``RecursionError``), an integer of thousands
of digits (``ValueError`` from the int-conversion limit), ``NaN``/``Infinity`` (accepted
although JSON has no such values), and a key given twice (the last one silently wins).
:func:`load_json` refuses each of them with a :class:`~backplan.errors.PlanError` naming
the source and the problem, and checks that text is valid Unicode (no lone surrogates,
which cannot be written back out as UTF-8). Everything it does is linear in the size of
the input.

Examples
--------
>>> load_json('{"weeks": 6}', "plan.json")
{'weeks': 6}
>>> load_json(b'{"weeks": 6, "weeks": 7}', "plan.json")
Traceback (most recent call last):
...
backplan.errors.PlanError: plan.json: 1 problem
  - whole file: expected each key once in an object, got 'weeks'
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, NoReturn

from ..errors import PlanError, Problem

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_INT_DIGITS", "load_json", "read_bytes"]

#: The largest JSON document read (a plan with 50,000 prescriptions is about 10 MB).
MAX_BYTES = 64 * 1024 * 1024
#: The deepest nesting of objects and lists accepted (a plan needs 5).
MAX_DEPTH = 32
#: The most digits an integer may have (nothing in a plan needs more than a few).
MAX_INT_DIGITS = 18


class _Refused(Exception):
    """Raised inside json's hooks; turned into a PlanError by :func:`load_json`."""

    def __init__(self, expected: str, got: object = None) -> None:
        super().__init__(expected)
        self.expected, self.got = expected, got


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(f"whole numbers of at most {MAX_INT_DIGITS} digits", text)
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused("a finite number", text)
    return value


def _constant(name: str) -> Any:
    raise _Refused("standard JSON (NaN and Infinity are not JSON values)", name)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused("each key once in an object", key)
        out[key] = value
    return out


def _check_tree(data: Any) -> None:
    """Depth and text checks, iteratively (no recursion, linear time)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = [*node.keys(), *node.values()]
        elif isinstance(node, list):
            children = node
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                raise _Refused("valid Unicode text (a lone surrogate escape was found)") from None
            continue
        else:
            continue
        if depth >= MAX_DEPTH:
            raise _Refused(f"objects and lists nested at most {MAX_DEPTH} deep")
        stack.extend((child, depth + 1) for child in children)


def load_json(text: str | bytes, source: str = "<plan>") -> Any:
    """Parse JSON ``text`` (or UTF-8 bytes); every failure is a :class:`PlanError`.

    Parameters
    ----------
    text : str or bytes
        The document. Bytes must be UTF-8 (a leading byte-order mark is allowed).
    source : str
        The file name (or label) that messages name.

    Returns
    -------
    object
        The parsed value (a ``dict`` for a plan).

    Raises
    ------
    PlanError
        For bytes that are not UTF-8, malformed JSON, nesting deeper than
        :data:`MAX_DEPTH`, integers longer than :data:`MAX_INT_DIGITS` digits, ``NaN`` or
        ``Infinity``, a key given twice, lone surrogates, or more than :data:`MAX_BYTES`.

    Examples
    --------
    >>> load_json(b"\\xff\\xfe", "p.json")
    Traceback (most recent call last):
    ...
    backplan.errors.PlanError: p.json: 1 problem
      - whole file: expected text in UTF-8 (byte 0 is not UTF-8)
    >>> load_json('{"weeks": ' + "9" * 5000 + "}", "p.json")
    Traceback (most recent call last):
    ...
    backplan.errors.PlanError: p.json: 1 problem
      - whole file: expected whole numbers of at most 18 digits, got '9999999999999999999999999999...9999999999999999999999999999' (5000 characters)
    """
    if len(text) > MAX_BYTES:
        _fail(source, f"a plan file of at most {MAX_BYTES // 2**20} MB")
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            bad = exc.start
        else:
            bad = None
        if bad is not None:
            _fail(source, f"text in UTF-8 (byte {bad} is not UTF-8)")
    refused: _Refused | None = None
    try:
        data = json.loads(
            text,
            parse_int=_int,
            parse_float=_float,
            parse_constant=_constant,
            object_pairs_hook=_object,
        )
        _check_tree(data)
    except _Refused as exc:
        refused = exc
    except json.JSONDecodeError as exc:
        refused = _Refused(f"JSON text ({exc.msg} at line {exc.lineno}, column {exc.colno})")
    except RecursionError:
        refused = _Refused(f"objects and lists nested at most {MAX_DEPTH} deep")
    if refused is not None:
        _fail(source, refused.expected, refused.got)
    return data


def read_bytes(path: str | os.PathLike[str], source: str | None = None) -> bytes:
    """A JSON file's bytes, for :func:`load_json`; a missing, unreadable or oversized file
    (or a folder) is a :class:`PlanError` naming it (as ``source``, the path by default)."""
    p = Path(path)
    name = str(p) if source is None else source
    try:
        if p.stat().st_size > MAX_BYTES:
            _fail(name, f"a plan file of at most {MAX_BYTES // 2**20} MB")
        return p.read_bytes()
    except OSError as exc:
        _fail(name, f"a readable plan file ({exc.strerror or type(exc).__name__})")


def _fail(source: str, expected: str, got: object = None) -> NoReturn:
    raise PlanError([Problem(source, None, None, expected, got)], source) from None
