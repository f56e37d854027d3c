"""Reading JSON documents (saved plans) so that every failure is one clear PlanError.

Python's ``json`` module lets many failures escape as other exceptions: bytes that are not
UTF-8 (``UnicodeDecodeError``), deep nesting (``RecursionError``), an integer of thousands
of digits (``ValueError`` from the int-conversion limit), ``NaN``/``Infinity`` (accepted
although JSON has no such values), and a key given twice (the last one silently wins).
:func:`load_json` refuses each of them with a :class:`~backplan.errors.PlanError` naming
the source and the problem, and checks that text is valid Unicode (no lone surrogates,
which cannot be written back out as UTF-8). Everything it does is linear in the size of
the input.

Speed: a document is first parsed by :func:`json.loads` with only the hooks that cost
nothing on a plan (floats and the ``NaN``/``Infinity`` constants), then its containers
(not its strings) are walked once, for depth, long integers and repeated keys (see
:func:`_quick`). Anything that fails or looks unusual is parsed again the careful way,
every value through a hook, so a refused file always gets the same message.

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
import re
from typing import Any, NoReturn

from ..errors import PlanError, Problem
from .files import ReadError, read_capped

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
    if not isinstance(text, str | bytes | bytearray):
        _fail(source, "JSON text (str or bytes)", type(text).__name__)
    if len(text) > MAX_BYTES:
        _fail(source, f"a plan file of at most {MAX_BYTES // 2**20} MB")
    raw = None
    if isinstance(text, bytes | bytearray):
        try:
            raw, text = bytes(text), bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            bad = exc.start
        else:
            bad = None
        if bad is not None:
            _fail(source, f"text in UTF-8 (byte {bad} is not UTF-8)")
    data = _quick(text, raw)
    if data is not _CAREFUL:
        return data
    try:
        return _careful(text)
    except _Refused as exc:
        _fail(source, exc.expected, exc.got)


def _careful(text: str) -> Any:
    """``text`` parsed with every value through a hook and every node checked; each
    failure is a :class:`_Refused` saying what was expected."""
    try:
        data = json.loads(
            text,
            parse_int=_int,
            parse_float=_float,
            parse_constant=_constant,
            object_pairs_hook=_object,
        )
        _check_tree(data)
    except json.JSONDecodeError as exc:
        raise _Refused(f"JSON text ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise _Refused(f"objects and lists nested at most {MAX_DEPTH} deep") from None
    return data


#: What :func:`_quick` returns for a document it leaves to the careful parse.
_CAREFUL = object()
#: Escapes the quick parse cannot account for: surrogates (perhaps lone) and the colon.
_ODD_ESCAPE = re.compile(r"\\u(?:[dD][89a-fA-F]|003[aA])")
#: Bytes with every ASCII digit made ``0`` and everything else ``.``.
_DIGITS = bytes(48 if 48 <= b <= 57 else 46 for b in range(256))
_LONG = b"0" * (MAX_INT_DIGITS + 1)
_LEAVES = frozenset({str, int, float, bool, type(None)})
#: ``json.loads`` with these hooks makes a decoder each call; one is made here, once.
_DECODER = json.JSONDecoder(parse_float=_float, parse_constant=_constant)


def _quick(text: str, raw: bytes | None = None) -> Any:
    """``text`` (whose UTF-8 bytes are ``raw``, when known) parsed by :func:`json.loads`
    when it is plainly within every rule of :func:`load_json`; otherwise
    :data:`_CAREFUL` (never an exception).

    Whenever a value is returned it equals the careful parse's: floats and constants go
    through the same hooks, and what the careful parse checks value by value is checked
    in bulk. Integers: no run of more than :data:`MAX_INT_DIGITS` digits anywhere in the
    text. Depth: containers are walked (objects and lists holding only numbers and text
    are not looked into). Repeated keys: every member of an object is written with one
    colon, so the text's colons are the members of the parsed objects (fewer when a key
    was repeated) plus the colons inside strings, which are counted only when there are
    more colons than members. Text that could hold a lone surrogate, or writes a colon
    as ``\\u003a``, is left to the careful parse.
    """
    if "\\u" in text and _ODD_ESCAPE.search(text):
        return _CAREFUL
    try:
        if raw is None:
            raw = text.encode("utf-8")  # fails on a lone surrogate in text given as str
        if _LONG in raw.translate(_DIGITS):
            return _CAREFUL  # perhaps an integer of too many digits
        data = _DECODER.decode(text)
    except (_Refused, ValueError, RecursionError, UnicodeEncodeError):
        return _CAREFUL  # JSONDecodeError is a ValueError; so is a 5,000-digit integer
    members = 0
    stack = [(data, 0)] if type(data) is dict or type(data) is list else []
    dicts = []
    while stack:
        node, depth = stack.pop()
        if depth >= MAX_DEPTH:
            return _CAREFUL
        if type(node) is dict:
            members += len(node)
            dicts.append(node)
            values = node.values()
        else:
            values = node
        if _LEAVES.issuperset(map(type, values)):
            continue  # numbers and text only (looked at by type in C)
        for value in values:
            if type(value) is dict or type(value) is list:
                stack.append((value, depth + 1))
    colons = text.count(":")
    if colons != members and colons != members + _colons_in_strings(data, dicts):
        return _CAREFUL  # a key given twice (the careful parse names it)
    return data


def _colons_in_strings(data: Any, dicts: list[dict[str, Any]]) -> int:
    """Colons inside the keys and text values of ``data`` (whose objects are ``dicts``)."""
    found = sum(key.count(":") for d in dicts for key in d)
    stack = [data]
    while stack:
        node = stack.pop()
        for value in node.values() if type(node) is dict else node:
            kind = type(value)
            if kind is str:
                found += value.count(":")
            elif kind is dict or kind is list:
                stack.append(value)
    return found


def read_bytes(path: str | os.PathLike[str], source: str | None = None) -> bytes:
    """A JSON file's bytes, for :func:`load_json`; a missing, unreadable or oversized file
    (or a folder, device or pipe) is a :class:`PlanError` naming it (as ``source``, the
    path by default)."""
    name = str(path) if source is None else source
    try:
        return read_capped(path, MAX_BYTES, "plan file", name)
    except ReadError as exc:
        _fail(name, exc.expected)


def _fail(source: str, expected: str, got: object = None) -> NoReturn:
    raise PlanError([Problem(source, None, None, expected, got)], source) from None
