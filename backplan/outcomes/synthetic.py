"""Synthetic (made-up) outcome scores and STarT Back answers for the demo cohort.

Scores follow the cohort's own logs, so the demo tells one story: the pain score at
baseline is near the patient's logged pain in week 1 and the last one near their logged
pain at the end; disability (ODI or RMDQ, one per patient, as a clinic picks one), MSK-HQ
and PSFS move with the pain and, a little, with how much of the plan was done. Some
patients have no follow-up yet (their plan is still running, or they stopped logging), as
in a real service. Every row's ``note`` says ``synthetic``; patients are the cohort's
``SYN-`` labels. Item wording of licensed questionnaires is never made up or shipped: the
STarT Back file holds the nine 0/1 item scores only.

Examples
--------
>>> import backplan as bp
>>> plans, logs = bp.synthetic_cohort(n_patients=3, weeks=4, seed=1)
>>> scores, groups = synthetic_outcomes(plans, logs, seed=1, as_of=bp.demo.demo_as_of(4))
>>> sorted(set(scores["note"])), list(groups.columns[:3])
(['synthetic'], ['patient', 'date', 'item_1'])
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from ..plan import Plan, dose_in_week

__all__ = ["ACTIVITIES", "synthetic_outcomes"]

#: Everyday activities a patient might choose for the PSFS (the PSFS is free to use).
ACTIVITIES: tuple[str, ...] = (
    "walking for 30 minutes", "putting on socks and shoes", "sitting at work for an hour",
    "carrying the shopping", "getting out of bed", "gardening", "lifting a child",
)  # fmt: skip
_GROUPS = ("low", "medium", "high")


def _done_share(plan: Plan, logs: pd.DataFrame, until: date) -> float:
    """Sessions logged / sessions prescribed up to ``until``: a rough adherence."""
    end = min(until, plan.start_date + timedelta(days=7 * plan.weeks - 1))
    prescribed = 0.0
    for week in range(1, plan.weeks + 1):
        first = plan.start_date + timedelta(days=7 * (week - 1))
        days = min(7, (end - first).days + 1)
        if days <= 0:
            break
        per_day = sum(d.sessions_per_day * d.days_per_week / 7 for d in dose_in_week(plan, week))
        prescribed += per_day * days
    return min(1.0, len(logs) / prescribed) if prescribed else 0.0


def _pain(logs: pd.DataFrame, plan: Plan, first: bool) -> float:
    pain = logs.dropna(subset=["pain"])
    if pain.empty:
        return 5.0
    week = (pd.to_datetime(pain["date"]) - pd.Timestamp(plan.start_date)).dt.days // 7
    pick = week == (week.min() if first else week.max())
    return float(pain.loc[pick, "pain"].astype(float).mean())


def _answers(rng: np.random.Generator, group: str) -> list[int]:
    """Nine 0/1 item scores that put the patient in ``group``."""
    if group == "high":
        psych = int(rng.integers(4, 6))
        physical = int(rng.integers(0, 5))
    elif group == "medium":
        psych = int(rng.integers(0, 4))
        physical = int(rng.integers(max(0, 4 - psych), 5))
    else:
        total = int(rng.integers(0, 4))
        psych = int(rng.integers(0, total + 1))
        physical = total - psych
    items = [1] * physical + [0] * (4 - physical)
    late = [1] * psych + [0] * (5 - psych)
    return [int(v) for v in rng.permutation(items)] + [int(v) for v in rng.permutation(late)]


def _clip(value: float, low: float, high: float, step: float = 1.0) -> float:
    return float(min(high, max(low, step * round(value / step))))


def _patient(
    rng: np.random.Generator, plan: Plan, logs: pd.DataFrame, as_of: date
) -> tuple[list, list]:
    """One patient's outcome rows and STarT Back answers."""
    start, end = plan.start_date, plan.start_date + timedelta(days=7 * plan.weeks - 1)
    group = str(rng.choice(_GROUPS, p=[0.4, 0.35, 0.25]))
    answers = _answers(rng, group)
    done = _done_share(plan, logs, as_of)
    last_log = pd.to_datetime(logs["date"]).max().date() if len(logs) else start
    p0, p1 = _pain(logs, plan, True), _pain(logs, plan, False)
    days = [start]
    middle = start + timedelta(days=27)
    if middle <= as_of and last_log >= middle - timedelta(days=7) and rng.random() < 0.5:
        days.append(middle)
    stopped = last_log < min(end, as_of) - timedelta(days=14)
    if end <= as_of and not (stopped and rng.random() < 0.7):
        days.append(end)
    disability = "odi" if rng.random() < 0.6 else "rmdq"
    activities = list(rng.choice(ACTIVITIES, 3, replace=False)) if rng.random() < 0.7 else []
    psfs0 = [int(rng.integers(2, 6)) for _ in activities]
    goals = [int(rng.integers(7, 9)) for _ in activities]
    nprs0 = _clip(p0 + rng.normal(0, 0.8), 0, 10)
    odi0 = _clip(7 * nprs0 + rng.normal(0, 7), 4, 80, 2)
    rmdq0 = _clip(1.6 * nprs0 + rng.normal(0, 2), 1, 22)
    msk0 = _clip(48 - 3 * nprs0 + rng.normal(0, 4), 8, 52)
    rows: list[tuple[Any, ...]] = []
    for i, day in enumerate(days):
        f = i / (len(days) - 1) if len(days) > 1 else 0.0  # 0 at baseline, 1 at the last
        nprs = nprs0 if i == 0 else _clip(p0 + (p1 - p0) * f + rng.normal(0, 0.8), 0, 10)
        gain = f * ((nprs0 - nprs) / 10 + 0.6 * done - 0.2) + (rng.normal(0, 0.08) if i else 0)
        when, tp = day.isoformat(), ("baseline" if i == 0 else "discharge" if day == end else
                                     "follow-up")  # fmt: skip
        rows.append((when, "nprs", "", nprs, "", tp))
        if disability == "odi":
            rows.append((when, "odi", "", _clip(odi0 * (1 - gain), 0, 100, 2), "", tp))
        else:
            rows.append((when, "rmdq", "", _clip(rmdq0 * (1 - gain), 0, 24), "", tp))
        rows.append((when, "msk-hq", "", _clip(msk0 + (56 - msk0) * gain, 0, 56), "", tp))
        for activity, score, goal in zip(activities, psfs0, goals, strict=True):
            value = _clip(score + (10 - score) * gain + (rng.normal(0, 0.6) if i else 0), 0, 10)
            rows.append((when, "psfs", activity, value, goal if i == 0 else "", tp))
    return rows, [start.isoformat(), *answers]


def synthetic_outcomes(
    plans: list[Plan], logs: pd.DataFrame, *, seed: int, as_of: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Outcome rows and STarT Back answers for a synthetic cohort, reproducibly from ``seed``.

    Parameters
    ----------
    plans, logs
        A cohort from :func:`backplan.synthetic_cohort`.
    seed : int
        Random seed (the same seed, plans and logs always give the same scores).
    as_of : datetime.date
        The last day scores can be taken (the day the cohort's logs end).

    Returns
    -------
    outcomes : pandas.DataFrame
        ``patient, date, measure, item, score, goal, timepoint, note`` for
        :func:`backplan.read_outcomes`.
    start_back : pandas.DataFrame
        ``patient, date, item_1 ... item_9`` (0/1 item scores, no item wording).
    """
    rng = np.random.default_rng(seed)
    out, groups = [], []
    by_patient = dict(tuple(logs.groupby("patient", sort=False)))
    for plan in plans:
        mine = by_patient.get(plan.patient, logs.iloc[:0])
        rows, answers = _patient(rng, plan, mine, as_of)
        out += [(plan.patient, *r, "synthetic") for r in rows]
        groups.append((plan.patient, *answers))
    outcomes = pd.DataFrame(out, columns=["patient", "date", "measure", "item", "score", "goal",
                                          "timepoint", "note"])  # fmt: skip
    outcomes["score"] = [f"{v:g}" for v in outcomes["score"]]
    start_back = pd.DataFrame(
        groups, columns=["patient", "date", *(f"item_{i}" for i in range(1, 10))]
    )
    return outcomes, start_back
