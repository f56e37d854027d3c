"""Public names replaced in the layout of this release; each still works for one release
and warns with what to use instead.

Examples
--------
>>> import warnings
>>> import backplan as bp
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     rows = filter_exercises(bp.load_catalogue(), level="beginners", equipment=[])
>>> "allowed_exercises" in str(caught[0].message), len(rows)
(True, 5)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from .catalogue import rows_matching
from .plan.choices import exercise_ids
from .plan.restrictions import Restrictions

__all__ = ["filter_exercises", "suitable_exercises"]


def _warn(old: str, new: str) -> None:
    warnings.warn(f"bp.{old} is deprecated and will be removed; use {new}",
                  DeprecationWarning, stacklevel=3)  # fmt: skip


def filter_exercises(catalogue: pd.DataFrame, **filters: Any) -> pd.DataFrame:
    """Deprecated: use ``bp.allowed_exercises(catalogue, bp.Restrictions(...), level=...,
    targets=...)``."""
    _warn("filter_exercises", "bp.allowed_exercises(catalogue, bp.Restrictions(...), level)")
    return rows_matching(catalogue, **filters)


def suitable_exercises(
    catalogue: pd.DataFrame,
    level: str,
    *,
    restrictions: Restrictions | None = None,
    avoid_positions: Iterable[str] = (),
    missing_equipment: Iterable[str] = (),
    order: Sequence[str] | None = None,
) -> list[str]:
    """Deprecated: use ``bp.allowed_exercises(catalogue, restrictions, level)["id"]``."""
    _warn("suitable_exercises", 'bp.allowed_exercises(catalogue, restrictions, level)["id"]')
    return exercise_ids(catalogue, level, restrictions=restrictions,
                        avoid_positions=avoid_positions, missing_equipment=missing_equipment,
                        order=order)  # fmt: skip
