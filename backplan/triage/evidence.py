"""The week's evidence for every patient at once, and the review rules applied to it.

One table of measures per patient (:func:`evidence`) and one rule evaluation
(:func:`evaluate`) serve both the weekly review (:func:`backplan.review`, ``backplan
review``) and the adherence report's call list (``report.flags``), so the two always say
the same thing about the same patient.

The measures of a patient's reviewed week (their latest ended week unless one is asked
for) are those the rules compare (:data:`backplan.triage.rules.MEASURES`):

* pain, from the log rows day by day when they are given, over the reviewed week and, when
  it is the latest ended week, the days since up to the review day (a patient in severe
  pain on Wednesday is not left until next week's review; notes are read from the same
  first day): the mean and worst score
  during exercise, week 1's and last week's means, the rises, how many scores, and the
  days whose next-morning pain was higher than the morning before; without rows (a Dask
  report) the adherence report's week means over the same weeks, and no worst day or
  mornings;
* ``days_silent``: days from the last log to the review day, or to the plan's last day if
  the plan has ended (so a patient who stopped a fortnight before the end is still found
  after it);
* ``dose_adherence`` and ``session_adherence`` of the week (per exercise when the rules are
  applied), and ``plan_adherence``: the mean over the plan's ended weeks.

Nothing here reads files or imports the adherence engine: it works on the report's tables.

Examples
--------
>>> import pandas as pd
>>> from backplan.triage.rules import ReviewRule
>>> rules = (ReviewRule(rule="sore", measure="pain_worst", op=">", value=5,
...                     decision="step back", flag=True, says="Pain {got:.0f}."),
...          ReviewRule(rule="ok", measure="always", decision="progress", says="Fine."))
>>> fired, chosen = evaluate(rules, pd.DataFrame({"pain_worst": [8.0, 2.0, float("nan")]}))
>>> chosen.tolist(), fired[:, 0].tolist()
([0, 1, 1], [True, False, False])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from .._io.dates import NO_DAY, date_days
from ..identity import patient_key
from ..plan.rules import DECISIONS
from .rules import _OPS, ReviewRule

__all__ = ["EVIDENCE_COLUMNS", "evaluate", "evidence", "exercise_measures", "latest_weeks"]

#: The columns of :func:`evidence` (besides the ``patient`` index).
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "week", "first_day", "last_day", "start_date", "plan_end", "plan_ended", "last_log",
    "pain_now", "pain_worst", "morning_rises", "pain_week1", "pain_last_week",
    "pain_rise_week1", "pain_rise_last_week", "pain_scores", "pain_scores_after_week1",
    "days_silent", "dose_adherence", "session_adherence", "plan_adherence", "weeks_ended",
)  # fmt: skip
_NONE = NO_DAY


def _days(values: Any) -> np.ndarray:
    """Dates, datetimes or ``YYYY-MM-DD`` text as int64 days since 1970-01-01
    (:data:`~backplan._io.dates.NO_DAY` where missing); each distinct text parsed once."""
    s = pd.Series(values)
    if s.dtype == object and len(s) and all(isinstance(v, date) or v is None for v in s[:50]):
        s = pd.to_datetime(s, errors="coerce")
    return date_days(s)


def _as_dates(days: np.ndarray) -> list[date | None]:
    """Day numbers as :class:`datetime.date` (``None`` where missing)."""
    days = np.asarray(days, dtype=np.int64)
    out = np.where(days == _NONE, 0, days).astype("datetime64[D]").astype(object)
    return [None if d == _NONE else day for d, day in zip(days, out, strict=True)]


def latest_weeks(by_week: pd.DataFrame) -> pd.Series:
    """Each patient's latest ended week (patients with no ended week are left out).

    Examples
    --------
    >>> weeks = pd.DataFrame({"patient": ["A", "A", "B"], "week": [1, 2, 1],
    ...                       "ended": [True, False, False]})
    >>> latest_weeks(weeks).to_dict()
    {'A': 1}
    """
    ended = by_week.loc[by_week["ended"].to_numpy(bool)]
    return ended.groupby(ended["patient"].astype(str).to_numpy(), sort=False)["week"].max()


def _window(
    code: np.ndarray, keep: np.ndarray, score: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per patient code: the mean, the highest and the number of ``score`` in the rows
    ``keep`` marks (NaN scores left out)."""
    keep = keep & ~np.isnan(score)
    c, s = code[keep], score[keep]
    count = np.bincount(c, minlength=n)
    total = np.bincount(c, weights=s, minlength=n)
    worst = np.full(n, np.nan)
    if len(c):
        order = np.lexsort((s, c))  # by patient, then score: each patient's last is the highest
        c, s = c[order], s[order]
        last = np.r_[c[1:] != c[:-1], True]
        worst[c[last]] = s[last]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    return mean, worst, count


def _morning_rises(
    code: np.ndarray, day: np.ndarray, morning: np.ndarray, until: np.ndarray,
    first: np.ndarray, n: int,
) -> np.ndarray:  # fmt: skip
    """Per patient code: days from ``first`` whose next-morning pain (the day's highest) was
    higher than on the scored day before (which may be before ``first``), among the rows
    ``until`` marks; NaN when no such day has a next-morning score."""
    keep = ~np.isnan(morning) & until
    frame = pd.DataFrame({"code": code[keep], "day": day[keep], "score": morning[keep]})
    daily = frame.groupby(["code", "day"], sort=True)["score"].max().reset_index()
    c, d, s = (daily[k].to_numpy() for k in ("code", "day", "score"))
    same = np.r_[False, c[1:] == c[:-1]]
    rise = same & (s > np.r_[np.nan, s[:-1]])
    in_week = d >= first[c]
    rises = np.bincount(c[in_week & rise], minlength=n).astype(float)
    scored = np.bincount(c[in_week], minlength=n)
    return np.where(scored > 0, rises, np.nan)


def _last_day(first: np.ndarray, end: np.ndarray, as_of_day: int) -> np.ndarray:
    """The last day whose pain counts: the reviewed week's last day, or, when it is the
    latest ended week, the review day (the days of the week under way count too)."""
    latest = as_of_day < first + 13  # the week after the reviewed one has not ended
    return np.where(latest, np.maximum(first + 6, np.minimum(as_of_day, end)), first + 6)


def _scores(rows: pd.DataFrame, *names: str) -> np.ndarray:
    """The first of ``names`` that ``rows`` has, as floats (NaN when blank or absent)."""
    for name in names:
        if name in rows.columns:
            return pd.to_numeric(rows[name], errors="coerce").to_numpy(float)
    return np.full(len(rows), np.nan)


def _rows_pain(
    rows: pd.DataFrame, patients: pd.Index, week: np.ndarray, start: np.ndarray,
    end: np.ndarray, as_of_day: int,
) -> dict[str, np.ndarray]:  # fmt: skip
    """Pain measures of every patient's reviewed week and the days since (and of week 1,
    and the week before) from their accepted log rows, matched to the plans' labels by
    :func:`patient_key`."""
    n = len(patients)
    found, labels = pd.factorize(rows["patient"])  # each label looked up once
    lookup = np.append(patients.get_indexer(pd.Index(labels, dtype=object)), -1)
    if (lookup[:-1] < 0).any():  # a label written otherwise: matched as patient_key does
        keys = {patient_key(p): i for i, p in enumerate(patients.tolist())}
        for j in np.flatnonzero(lookup[:-1] < 0):
            lookup[j] = keys.get(patient_key(str(labels[j])), -1)
    code = lookup[found].astype(np.int64)  # factorize gives -1 for a blank: the last entry
    during = _scores(rows, "pain_during", "pain")
    morning = _scores(rows, "pain_next_morning")
    # only rows of a known patient with a pain score say anything: their dates are read
    mine = np.flatnonzero((code >= 0) & ~(np.isnan(during) & np.isnan(morning)))
    day = _days(rows["date"].iloc[mine])
    ok = day != _NONE
    code, day = code[mine][ok], day[ok]
    during, morning = during[mine][ok], morning[mine][ok]
    first = start + 7 * (week - 1)
    last = _last_day(first, end, as_of_day)
    week_of_row = (day - start[code]) // 7 + 1  # each row's plan week
    reviewed = week[code]
    until = day <= last[code]
    now = (week_of_row >= reviewed) & until
    out: dict[str, np.ndarray] = {}
    out["pain_now"], out["pain_worst"], scores = _window(code, now, during, n)
    out["pain_scores"] = scores + _window(code, now, morning, n)[2]
    out["pain_week1"] = _window(code, week_of_row == 1, during, n)[0]
    out["pain_last_week"] = _window(code, week_of_row == reviewed - 1, during, n)[0]
    out["morning_rises"] = _morning_rises(code, day, morning, until, first, n)
    return out


def evidence(
    by_week: pd.DataFrame,
    by_patient: pd.DataFrame,
    as_of: date,
    weeks: pd.Series | None = None,
    rows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The measures of each patient's reviewed week, one row per patient.

    Parameters
    ----------
    by_week, by_patient : pandas.DataFrame
        The adherence report's tables (:func:`~backplan.adherence`).
    as_of : datetime.date
        The review day.
    weeks : pandas.Series, optional
        Patient -> the week to review; each patient's latest ended week by default
        (:func:`latest_weeks`). Patients without one are left out.
    rows : pandas.DataFrame, optional
        Accepted log rows (``patient``, ``date``, ``pain_during``, ``pain_next_morning``),
        for pain day by day; without them the report's week means are used.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``patient``; :data:`EVIDENCE_COLUMNS`.
    """
    weeks = latest_weeks(by_week) if weeks is None else weeks
    patients = pd.Index(weeks.index.astype(str), name="patient")
    week = weeks.to_numpy(np.int64)
    info = by_patient.assign(patient=by_patient["patient"].astype(str)).set_index("patient")
    info = info.reindex(patients)
    start = _days(info["start_date"].to_numpy())
    end = _days(info["end_date"].to_numpy())
    table = by_week.assign(patient=by_week["patient"].astype(str)).set_index(["patient", "week"])

    def at(w: np.ndarray, column: str) -> np.ndarray:
        index = pd.MultiIndex.from_arrays([patients, w])
        return table[column].reindex(index).to_numpy(float)

    out = pd.DataFrame(index=patients)
    out["week"] = week
    first = start + 7 * (week - 1)
    as_of_day = int(_days([as_of])[0])
    out["first_day"] = _as_dates(first)
    out["last_day"] = _as_dates(_last_day(first, end, as_of_day))
    out["start_date"], out["plan_end"] = _as_dates(start), _as_dates(end)
    out["plan_ended"] = end < as_of_day
    if rows is not None:
        pain = _rows_pain(rows, patients, week, start, end, as_of_day)
    else:  # the week means of the reviewed week and the week under way, if it is the latest
        under_way = np.where(as_of_day < first + 13, week + 1, 0)  # week 0: no row
        now = np.nan_to_num(at(week, "pain_n")), np.nan_to_num(at(under_way, "pain_n"))
        sums = (np.nan_to_num(at(week, "pain_mean")) * now[0]
                + np.nan_to_num(at(under_way, "pain_mean")) * now[1])  # fmt: skip
        morning = np.nan_to_num(at(week, "pain_next_morning_n"))
        morning += np.nan_to_num(at(under_way, "pain_next_morning_n"))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(now[0] + now[1] > 0, sums / (now[0] + now[1]), np.nan)
        pain = {"pain_now": mean, "pain_worst": np.full(len(week), np.nan),
                "pain_scores": now[0] + now[1] + morning,
                "pain_week1": at(np.ones_like(week), "pain_mean"),
                "pain_last_week": at(np.maximum(week - 1, 1), "pain_mean"),
                "morning_rises": np.full(len(week), np.nan)}  # fmt: skip
    later = week > 1
    for name in ("pain_now", "pain_worst", "morning_rises", "pain_week1"):
        out[name] = pain[name]
    out["pain_last_week"] = np.where(later, pain["pain_last_week"], np.nan)
    out["pain_rise_week1"] = np.where(later, pain["pain_now"] - pain["pain_week1"], np.nan)
    out["pain_rise_last_week"] = np.where(later, pain["pain_now"] - out["pain_last_week"], np.nan)
    out["pain_scores"] = pain["pain_scores"].astype(np.int64)
    out["pain_scores_after_week1"] = np.where(later, out["pain_scores"], np.nan)
    # silence counts up to the review day, or to the plan's last day if it has ended
    until = np.minimum(as_of_day, end)
    last = _days(info["last_log"].to_numpy())
    out["days_silent"] = np.where(last == _NONE, until - start + 1, np.maximum(0, until - last))
    out["last_log"] = _as_dates(last)
    out["dose_adherence"] = at(week, "adherence")
    out["session_adherence"] = at(week, "session_adherence")
    out["plan_adherence"] = info["adherence"].to_numpy(float)
    out["weeks_ended"] = info["weeks_ended"].to_numpy(np.int64)
    return out[list(EVIDENCE_COLUMNS)]


def exercise_measures(
    found: pd.DataFrame, by_exercise: pd.DataFrame, exercises: Sequence[str] | None = None
) -> pd.DataFrame:
    """One row per patient and exercise of their reviewed week: the patient's measures with
    that exercise's ``dose_adherence`` and ``session_adherence``.

    ``found`` is :func:`evidence`; ``exercises`` (for one patient) gives the order.
    """
    weeks = dict(zip(found.index, found["week"], strict=True))
    codes, labels = pd.factorize(by_exercise["patient"])  # each label looked up once
    labels = [str(label) for label in labels]
    reviewed = np.array([weeks.get(label, -1) for label in labels] + [-1])[codes]
    at = np.flatnonzero(by_exercise["week"].to_numpy(np.int64) == reviewed)
    ex = by_exercise.iloc[at].assign(patient=np.array([*labels, ""], dtype=object)[codes[at]])
    if exercises is not None:
        order = {e: i for i, e in enumerate(exercises)}
        ex = ex.assign(_order=ex["exercise"].map(order)).sort_values("_order", kind="stable")
    measures = found.drop(columns=["dose_adherence", "session_adherence"])
    out = ex[["patient", "exercise", "dose_adherence", "session_adherence"]].join(
        measures, on="patient"
    )
    return out.reset_index(drop=True)


def evaluate(rules: Sequence[ReviewRule], measures: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Every rule applied to every row of ``measures`` at once.

    Returns
    -------
    fired : numpy.ndarray of bool, rows x rules
        Whether each rule fires for each row (a missing measure never fires).
    chosen : numpy.ndarray of int
        Per row, the rule that decides: the first in file order among those with the most
        cautious decision (step back over hold over progress); ``-1`` when none fires.
    """
    fired = np.zeros((len(measures), len(rules)), dtype=bool)
    for j, rule in enumerate(rules):
        if rule.measure == "always":
            fired[:, j] = True
            continue
        if rule.measure not in measures or rule.value is None or not rule.op:
            continue
        got = pd.to_numeric(measures[rule.measure], errors="coerce").to_numpy(float)
        with np.errstate(invalid="ignore"):
            fired[:, j] = _OPS[rule.op](got, rule.value) & ~np.isnan(got)
    rank = np.array([DECISIONS.index(r.decision) for r in rules], dtype=np.int64)
    score = np.where(fired, rank, -1) if len(rules) else np.full((len(measures), 1), -1)
    worst = score.max(axis=1) if len(measures) else np.zeros(0, np.int64)
    chosen = np.where(worst >= 0, np.argmax(score == worst[:, None], axis=1), -1)
    return fired, chosen


def measures_of(row: pd.Series) -> dict[str, float]:
    """One row of :func:`exercise_measures` as the dict a rule's words are filled from."""
    out = {}
    for key, value in row.items():
        try:
            out[str(key)] = float(value)
        except (TypeError, ValueError):
            continue
    return {k: (math.nan if v != v else v) for k, v in out.items()}
