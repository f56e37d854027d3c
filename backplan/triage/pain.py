"""Pain as the pain-monitoring model measures it: during exercise and the next morning,
the worst day as well as the mean.

The model (Silbernagel 2007, a trial in Achilles tendinopathy; adapted here for backs)
allows pain during exercise up to 5 out of 10, if it settles by the next morning and does
not rise week on week. So the review looks at each day, not only at the week's mean: the
worst score during exercise, and the days on which next-morning pain was higher than the
morning before.

Log columns (see :mod:`backplan.logs`): ``pain_during`` (an older ``pain`` column is read as
pain during) and ``pain_next_morning``, each 0-10 or blank.

Examples
--------
>>> import pandas as pd
>>> from datetime import date
>>> rows = pd.DataFrame({"date": pd.to_datetime(["2026-01-05", "2026-01-06", "2026-01-07"]),
...                      "pain_during": [2, 9, 2], "pain_next_morning": [2, 3, 4]})
>>> m = pain_measures(rows, date(2026, 1, 5), date(2026, 1, 11))
>>> m["pain_worst"], m["pain_now"], m["morning_rises"], m["pain_scores"]
(9.0, 4.333333333333333, 2.0, 6)
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

__all__ = ["pain_columns", "pain_measures"]


def pain_columns(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Pain during exercise and pain next morning of ``rows`` as floats (NaN when blank)."""
    nan = pd.Series(np.nan, index=rows.index)
    during = rows["pain_during"] if "pain_during" in rows else rows.get("pain", nan)
    morning = rows.get("pain_next_morning", nan)
    return (pd.to_numeric(during, errors="coerce").astype(float),
            pd.to_numeric(morning, errors="coerce").astype(float))  # fmt: skip


def pain_measures(rows: pd.DataFrame, first: date, last: date) -> dict[str, float]:
    """Pain measures of the days ``first`` to ``last`` from one patient's accepted log rows.

    Returns
    -------
    dict
        ``pain_now`` (mean pain during exercise), ``pain_worst`` (the highest), ``pain_scores``
        (how many scores, during and next morning), ``morning_rises`` (days whose
        next-morning pain was higher than the morning before; the morning before may be in
        the week before) and ``morning_days`` (days with a next-morning score). NaN where
        nothing was scored.
    """
    if not len(rows):
        return {"pain_now": math.nan, "pain_worst": math.nan, "pain_scores": 0,
                "morning_rises": math.nan, "morning_days": 0}  # fmt: skip
    day = pd.to_datetime(rows["date"]).dt.date
    during, morning = pain_columns(rows)
    week = ((day >= first) & (day <= last)).to_numpy()
    d = during[week].dropna()
    mornings = morning[(day <= last).to_numpy()].groupby(day[(day <= last).to_numpy()]).max()
    mornings = mornings.dropna().sort_index()
    rises = [b > a for (_, a), (when, b) in zip(mornings.items(), list(mornings.items())[1:],
                                               strict=False) if when >= first]  # fmt: skip
    in_week = int(sum(1 for when in mornings.index if when >= first))
    return {
        "pain_now": float(d.mean()) if len(d) else math.nan,
        "pain_worst": float(d.max()) if len(d) else math.nan,
        "pain_scores": int(len(d) + morning[week].notna().sum()),
        "morning_rises": float(sum(rises)) if in_week else math.nan,
        "morning_days": in_week,
    }
