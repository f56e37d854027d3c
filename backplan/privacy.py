"""Pseudonyms for sharing: patient labels replaced by a keyed hash (HMAC-SHA256).

The same key always gives the same pseudonym, so logs, prescription tables and reports
pseudonymised with one key still join up. Keep the key outside the notebook and the data
(for example in a password manager): without it a pseudonym cannot be traced back, but with
it anyone can re-create the mapping. Pseudonymised data is still personal data under UK
GDPR (article 4(5)).

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"patient": ["Ann", "Bob", "Ann"]})
>>> out = pseudonymise(table, key="a long secret kept somewhere safe")
>>> out["patient"].nunique(), out["patient"].str.startswith("PSN-").all()
(2, np.True_)
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import pandas as pd

__all__ = ["MIN_KEY_BYTES", "pseudonym", "pseudonymise"]

#: Shortest key accepted, in bytes (128 bits).
MIN_KEY_BYTES = 16
_PREFIX = "PSN-"
T = TypeVar("T")


def _key_bytes(key: bytes | str) -> bytes:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, bytes):
        raise TypeError(f"key must be bytes or str, got {type(key).__name__}")
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(
            f"key must be at least {MIN_KEY_BYTES} bytes long (got {len(key)}); a short key "
            "can be guessed, which would undo the pseudonyms"
        )
    return key


def pseudonym(label: str, key: bytes | str) -> str:
    """The pseudonym of one label: ``PSN-`` and the first 16 hex digits of HMAC-SHA256.

    Examples
    --------
    >>> pseudonym("SYN-0001", b"0123456789abcdef") == pseudonym("SYN-0001", "0123456789abcdef")
    True
    """
    digest = hmac.new(_key_bytes(key), str(label).encode("utf-8"), hashlib.sha256).hexdigest()
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


def _frame(table: pd.DataFrame, column: str, one: Callable[[Any], Any]) -> pd.DataFrame:
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


def _ids(data: Any, column: str) -> list[str]:
    """Every patient label in the tables of ``data``, longest first ("P10" before "P1")."""
    found: set[str] = set()
    for value in vars(data).values():
        if isinstance(value, pd.DataFrame) and column in value.columns:
            found.update(str(v) for v in pd.unique(value[column].dropna()) if str(v).strip())
    return sorted(found, key=len, reverse=True)


def _replace_ids(
    values: pd.Series, pattern: re.Pattern[str], one: Callable[[Any], Any]
) -> pd.Series:
    """Text with every patient label inside it (a file name, a note) replaced."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = [pattern.sub(lambda m: one(m.group(0)), u) if isinstance(u, str) else u
              for u in uniques]  # fmt: skip
    out = pd.Index(mapped, dtype=object).take(codes, allow_fill=True, fill_value=None)
    return pd.Series(out, index=values.index, dtype=object)


def _is_text(s: pd.Series) -> bool:
    kind = s.dtype
    return not (pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_datetime64_any_dtype(kind))


def _everywhere(data: Any, column: str, one: Callable[[Any], Any]) -> Any:
    """A LogTable or report with labels replaced in every table, cell and file name.

    A label can sit outside the patient column: in a file name (``logs/P1.csv``), in a
    rejected row's other cells, in a problem's ``got``. Every text cell of every table is
    searched for every label. A LogTable's checked rows are dropped (they hold the
    original labels); ``adherence`` then checks its accepted rows against the plans.
    """
    ids = _ids(data, column)
    pattern = re.compile("|".join(re.escape(i) for i in ids)) if ids else None
    changes: dict[str, Any] = {}
    for name, value in vars(data).items():
        if not isinstance(value, pd.DataFrame):
            continue
        table = _frame(value, column, one)
        if pattern is not None:
            for c in table.columns:
                if c != column and _is_text(table[c]):
                    table[c] = _replace_ids(table[c], pattern, one)
        changes[name] = table
    if hasattr(data, "sources"):
        changes["sources"] = tuple(
            pattern.sub(lambda m: one(m.group(0)), s) if pattern else s for s in data.sources
        )
        changes["checked"] = None
        changes["checked_against"] = None
    return replace(data, **changes)


def pseudonymise(data: T, key: bytes | str, column: str = "patient") -> T:
    """Replace patient labels with keyed-hash pseudonyms, everywhere in ``data``.

    Parameters
    ----------
    data : DataFrame, LogTable, AdherenceReport, or list of Plan
        Logs, a prescription table, a report (every table in it), or plans.
    key : bytes or str
        The secret, at least 16 bytes. It is used, never stored.
    column : str
        The label column in DataFrames.

    Returns
    -------
    The same kind of object, with new labels; the input is not changed.

    Raises
    ------
    ValueError
        For an empty or short key.
    """
    one = _mapper(_key_bytes(key))
    if isinstance(data, pd.DataFrame):
        return _frame(data, column, one)  # type: ignore[return-value]
    if isinstance(data, list | tuple) and all(hasattr(p, "patient") for p in data):
        return type(data)(p.model_copy(update={"patient": one(p.patient)}) for p in data)  # type: ignore[return-value]
    from .logs import AdherenceReport, LogTable

    if isinstance(data, LogTable | AdherenceReport):
        return _everywhere(data, column, one)  # type: ignore[return-value]
    raise TypeError(
        "pseudonymise takes a DataFrame, a LogTable, an AdherenceReport or a list of plans, "
        f"got {type(data).__name__}"
    )
