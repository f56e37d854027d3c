"""Tables for people: the one formatter of every table a notebook or report page shows.

The API's DataFrames keep their machine columns (``share_adherent`` 0.8333, ``True``,
``NaT``, exercise codes); :func:`readable_table` turns any of them into what a physio reads:
human headers, percentages ("83%"), rounded numbers, written dates ("5 Jan 2026"), exercise
names instead of codes, "yes"/"no" instead of ``True``/``False``, a dash for a blank, and text
kept whole (never cut with "..."). The meeting page (:mod:`backplan.pages.meeting`) uses the
same headers and cell formats, so a notebook and the printed report say the same thing.

Examples
--------
>>> import pandas as pd
>>> import backplan as bp
>>> cohort = pd.DataFrame({"week": [1, 2], "patients": [24, 17],
...                        "share_adherent": [0.8333, float("nan")],
...                        "week_start": pd.to_datetime(["2026-01-05", "2026-01-12"])})
>>> bp.readable_table(cohort)
 Week  Patients with the week ended  Reached target  Week starts
    1                            24             83%   5 Jan 2026
    2                            17               –  12 Jan 2026
>>> bp.readable_table(pd.DataFrame({"exercise": ["heel-slides"], "adherent": [True]}))
   Exercise  Reached target
Heel slides             yes
"""

from __future__ import annotations

import html
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from ..catalogue import catalogue_argument
from ..errors import Problem, TableError, argument_value

__all__ = [
    "BLANK",
    "COLUMNS",
    "ReadableTable",
    "count",
    "day",
    "file_name",
    "number",
    "percent",
    "readable_table",
    "yes_no",
]

#: What a blank cell shows (an en dash: never ``NaN``, ``NaT`` or ``<NA>``).
BLANK = "–"


def _missing(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float):  # the usual cells, answered without pandas
        return bool(v != v)
    if isinstance(v, str | int):
        return False
    try:
        return bool(np.ndim(v) == 0 and pd.isna(v))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def percent(v: object, blank: str = "") -> str:
    """A share as a whole percentage: ``0.8333`` -> ``"83%"``.

    >>> percent(0.8333), percent(1.05), percent(None)
    ('83%', '105%', '')
    """
    return blank if _missing(v) else f"{float(v):.0%}"  # type: ignore[arg-type]


def number(v: object, digits: int = 1, blank: str = "") -> str:
    """A decimal rounded to ``digits`` places: ``5.857`` -> ``"5.9"``.

    >>> number(5.857), number(2, 0), number(float("nan"), blank="–")
    ('5.9', '2', '–')
    """
    return blank if _missing(v) else f"{float(v):,.{digits}f}"  # type: ignore[arg-type]


def count(v: object, blank: str = "") -> str:
    """A whole number with thousands separated: ``3558`` -> ``"3,558"``.

    >>> count(3558), count(7.0)
    ('3,558', '7')
    """
    return blank if _missing(v) else f"{int(v):,}"  # type: ignore[call-overload]


def day(v: object, blank: str = "") -> str:
    """A date written out, ``"5 Jan 2026"``; a time of day other than midnight is added.

    >>> day("2026-01-05"), day(datetime(2026, 2, 2, 9, 0)), day(pd.NaT, blank="–")
    ('5 Jan 2026', '2 Feb 2026, 09:00', '–')
    """
    if _missing(v):
        return blank
    try:
        stamp = pd.Timestamp(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):  # a date as a patient typed it ("2026-01-32"): as found
        return str(v)
    text = f"{stamp:%d %b %Y}".lstrip("0")
    if (stamp.hour, stamp.minute) != (0, 0):
        text += f", {stamp:%H:%M}"
    return text


def yes_no(v: object, blank: str = "") -> str:
    """``"yes"`` or ``"no"`` for a truth value (a count above 0 is yes).

    >>> yes_no(True), yes_no(0), yes_no(None)
    ('yes', 'no', '')
    """
    return blank if _missing(v) else ("yes" if v else "no")


def file_name(v: object, blank: str = "") -> str:
    """A file's name without the folders above it (a table is shared; a path tells where a
    clinic keeps its data, and may hold a patient's name).

    >>> file_name("/clinic/ann smith/logs.csv")
    'logs.csv'
    """
    return blank if _missing(v) else re.split(r"[/\\]", str(v))[-1]


def _text(v: object, blank: str = "") -> str:
    if isinstance(v, list | tuple | set | frozenset):
        return "; ".join(_text(x) for x in v) or blank
    if _missing(v):
        return blank
    if isinstance(v, bool | np.bool_):
        return yes_no(v)
    if isinstance(v, datetime | date | pd.Timestamp):
        return day(v)
    if isinstance(v, numbers.Integral):
        return count(v)
    if isinstance(v, numbers.Real):
        return count(v) if float(v).is_integer() else number(v, 2)
    return str(v)


Formatter = Callable[..., str]

#: Column -> (header, cell format, kind): the kind is ``"n"`` for a number (right-aligned),
#: ``"d"`` for a date (kept on one line) or ``""`` for text. The meeting page uses these too.
COLUMNS: dict[str, tuple[str, Formatter, str]] = {
    "patient": ("Patient", _text, "d"),
    "row": ("Row", count, "n"),
    "start_date": ("Plan start", day, "d"),
    "end_date": ("Plan end", day, "d"),
    "weeks_ended": ("Weeks ended", count, "n"),
    "adherence": ("Dose done", percent, "n"),
    "session_adherence": ("Sessions done", percent, "n"),
    "dose_adherence": ("Dose done", percent, "n"),
    "dose_ratio": ("Dose done (not capped)", percent, "n"),
    "plan_adherence": ("Dose done, plan so far", percent, "n"),
    "adherent": ("Reached target", yes_no, ""),
    "last_log": ("Last log", day, "d"),
    "pain_score_week1": ("Pain during exercise, week 1 (0-10)", number, "n"),
    "pain_score_latest": ("Latest pain during exercise (0-10)", number, "n"),
    "week_of_latest_pain": ("Week of latest pain score", count, "n"),
    "pain_mean": ("Mean pain during exercise (0-10)", number, "n"),
    "pain_during": ("Pain during exercise (0-10)", number, "n"),
    "pain_n": ("Pain scores", count, "n"),
    "pain_next_morning_mean": ("Mean pain next morning (0-10)", number, "n"),
    "pain_next_morning_n": ("Next-morning pain scores", count, "n"),
    "start_back": ("STarT Back risk", _text, ""),
    "hold_min_s": ("Shortest hold (s)", count, "n"),
    "hold_max_s": ("Longest hold (s)", count, "n"),
    "flags": ("To call", yes_no, ""),
    "week": ("Week", count, "n"),
    "week_start": ("Week starts", day, "d"),
    "week_end": ("Week ends", day, "d"),
    "date": ("Date", day, "d"),
    "ended": ("Week over", yes_no, ""),
    "patients": ("Patients with the week ended", count, "n"),
    "mean": ("Mean", percent, "n"),
    "median": ("Median", percent, "n"),
    "q1": ("Lower quartile", percent, "n"),
    "q3": ("Upper quartile", percent, "n"),
    "share_adherent": ("Reached target", percent, "n"),
    "exercise": ("Exercise", _text, ""),
    "exercises": ("Exercises", count, "n"),
    "sets": ("Sets", count, "n"),
    "reps": ("Reps", count, "n"),
    "per_side": ("Each side", yes_no, ""),
    "hold_s": ("Hold (s)", count, "n"),
    "hold_seconds": ("Seconds held", count, "n"),
    "sessions": ("Sessions", count, "n"),
    "sessions_per_day": ("Sessions a day", count, "n"),
    "days_per_week": ("Days a week", count, "n"),
    "weekly_reps": ("Reps a week", count, "n"),
    "prescribed_sessions": ("Sessions prescribed", count, "n"),
    "sessions_prescribed": ("Sessions prescribed", count, "n"),
    "prescribed_reps": ("Reps prescribed", count, "n"),
    "reps_prescribed": ("Reps prescribed", count, "n"),
    "sessions_done": ("Sessions logged", count, "n"),
    "reps_done": ("Reps logged", count, "n"),
    "reps_now": ("Reps now", count, "n"),
    "reps_next": ("Reps next week", count, "n"),
    "target": ("Body area", _text, ""),
    "level": ("Level", _text, ""),
    "position": ("Position", _text, ""),
    "equipment": ("Needs", _text, ""),
    "rank": ("#", count, "n"),
    "flag": ("For", _text, ""),
    "detail": ("Why (evidence)", _text, ""),
    "action": ("What to do", _text, ""),
    "decision": ("Review", _text, ""),
    "revision": ("Revision", count, "n"),
    "from_week": ("From week", count, "n"),
    "what": ("What changed", _text, ""),
    "why": ("Why", _text, ""),
    "by": ("By", _text, ""),
    "made_at": ("Made", day, "d"),
    "rule": ("Rule", _text, ""),
    "column": ("Column", _text, ""),
    "reason": ("Reason", _text, ""),
    "file": ("File", file_name, ""),
    "same_as_file": ("Same as file", file_name, ""),
    "same_as_row": ("Same as row", count, "n"),
    # the evidence of a weekly review (``Review.evidence``)
    "pain_now": ("Pain during exercise, mean this week (0-10)", number, "n"),
    "pain_worst": ("Pain during exercise, worst day (0-10)", number, "n"),
    "morning_rises": ("Days next-morning pain rose", count, "n"),
    "pain_week1": ("Pain during exercise, week 1 (0-10)", number, "n"),
    "pain_last_week": ("Pain during exercise, last week (0-10)", number, "n"),
    "pain_rise_week1": ("Pain change since week 1 (points)", number, "n"),
    "pain_rise_last_week": ("Pain change since last week (points)", number, "n"),
    "pain_scores": ("Pain scores this week", count, "n"),
    "pain_scores_after_week1": ("Pain scores after week 1", count, "n"),
    "days_silent": ("Days with no log", count, "n"),
    "term": ("Term", _text, ""),
    "definition": ("Definition", _text, ""),
}


def _exercise_names(catalogue: pd.DataFrame | None) -> dict[str, str]:
    if catalogue is None:
        from ..catalogue import load_catalogue

        catalogue = load_catalogue()
    return dict(zip(catalogue["id"].astype(str), catalogue["name"].astype(str), strict=True))


def _guess(name: str, values: pd.Series) -> tuple[str, Formatter, str]:
    """Header, format and kind of a column no table of :data:`COLUMNS` names."""
    header = name.replace("_", " ").strip().capitalize() if isinstance(name, str) else str(name)
    kind = values.dtype
    present = values[~values.map(_missing)] if _texts(values) else values.dropna()
    if pd.api.types.is_bool_dtype(kind) or (
        len(present) and present.map(lambda v: isinstance(v, bool | np.bool_)).all()
    ):
        return header, yes_no, ""
    if pd.api.types.is_datetime64_any_dtype(kind) or (
        len(present) and present.map(lambda v: isinstance(v, date)).all()
    ):
        return header, day, "d"
    if isinstance(name, str) and ("adherence" in name or "share" in name):
        return header, percent, "n"
    if pd.api.types.is_integer_dtype(kind):
        return header, count, "n"
    if pd.api.types.is_float_dtype(kind):
        whole = bool(np.all(np.mod(present.to_numpy(float), 1) == 0))
        return header, (count if whole else number), "n"
    return header, _text, ""


class ReadableTable:
    """A table formatted for people: ``frame`` holds the cell texts under human headers.

    Shows as an HTML table in a notebook (numbers right-aligned, dates on one line, text
    whole and escaped) and as aligned plain text elsewhere. Made by :func:`readable_table`.
    """

    def __init__(self, frame: pd.DataFrame, kinds: Sequence[str]) -> None:
        self.frame = frame
        self.kinds = tuple(kinds)

    def __repr__(self) -> str:
        if self.frame.empty:
            return "(no rows)"
        return self.frame.to_string(index=False)

    def __len__(self) -> int:
        return len(self.frame)

    def to_html(self) -> str:
        """The table as escaped HTML with its own inline style (no script, no id)."""

        def style(kind: str, head: bool = False) -> str:
            align = "right" if kind == "n" else "left"
            # headers wrap (a long one must not widen its column); numbers and dates do not
            wrap = "nowrap" if kind in ("n", "d") and not head else "normal"
            extra = "; border-bottom: 1px solid #666" if head else ""
            return f' style="text-align: {align}; white-space: {wrap}; vertical-align: top{extra}"'

        head = "".join(f"<th{style(k, True)}>{html.escape(str(h))}</th>"
                       for h, k in zip(self.frame.columns, self.kinds, strict=True))  # fmt: skip
        body = "".join(
            "<tr>" + "".join(f"<td{style(k)}>{html.escape(v)}</td>"
                             for v, k in zip(row, self.kinds, strict=True)) + "</tr>"
            for row in self.frame.itertuples(index=False)
        )  # fmt: skip
        if self.frame.empty:
            body = f'<tr><td colspan="{len(self.kinds)}">(no rows)</td></tr>'
        return (f'<table class="backplan-table"><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")  # fmt: skip

    def _repr_html_(self) -> str:
        return self.to_html()


def readable_table(
    table: pd.DataFrame | pd.Series | Mapping[str, Any],
    catalogue: pd.DataFrame | None = None,
    *,
    columns: Mapping[str, str] | Sequence[str] | None = None,
    index: bool | None = None,
    blank: str = BLANK,
) -> ReadableTable:
    """``table`` as people read it; the table itself is not changed.

    Parameters
    ----------
    table : pandas.DataFrame, pandas.Series or mapping
        Any table of the API (a Series shows as one column); a mapping such as a review's
        ``evidence`` shows as two columns, what and value, each value in its own format.
    catalogue : pandas.DataFrame, optional
        Where exercise names come from (the shipped catalogue by default): an
        ``exercise`` column, and an index of exercise codes, show names.
    columns : mapping or sequence, optional
        The columns to show, in order; a mapping gives each its header.
    index : bool, optional
        Show the index as the first column (default: when it is named or holds labels, not
        row numbers).
    blank : str
        What an empty cell shows (a dash).

    Returns
    -------
    ReadableTable
        ``.frame`` holds the texts under their headers.

    Examples
    --------
    >>> import pandas as pd
    >>> week = pd.DataFrame({"exercise": ["knee-to-chest"], "dose_adherence": [0.906],
    ...                      "ended": [True], "pain_mean": [float("nan")]})
    >>> readable_table(week).frame.to_dict("records")
    [{'Exercise': 'Knees to chest (eases strain)', 'Dose done': '91%', 'Week over': 'yes', 'Mean pain during exercise (0-10)': '–'}]
    """
    _check_arguments(table, catalogue, columns, index, blank)
    if isinstance(table, Mapping):
        return _two_columns(table, blank)
    frame = table.to_frame() if isinstance(table, pd.Series) else table
    if index is None:  # a named index, or labels; never row numbers (0, 1, 4, ...)
        index = (frame.index.nlevels > 1 or any(n is not None for n in frame.index.names)
                 or not pd.api.types.is_integer_dtype(frame.index.dtype))  # fmt: skip
    shown_index: list[Any] = []
    if index:
        shown_index = [n if n is not None else "" for n in frame.index.names]
        frame = frame.reset_index(names=shown_index)
    if columns is not None:
        frame = frame[shown_index + list(columns)]
    headers = dict(columns) if isinstance(columns, Mapping) else {}
    names = None
    texts, kinds, shown = {}, [], []
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]
        title, fmt, kind = COLUMNS.get(column) or _guess(column, values)
        title = headers.get(column, title)
        if column == "exercise" or (position < len(shown_index) and _all_codes(values, catalogue)):
            names = _exercise_names(catalogue) if names is None else names
            values = values.map(lambda v, n=names: n.get(str(v), v) if not _missing(v) else v)
            title = headers.get(column, "Exercise" if column in ("exercise", "") else title)
        if column == "name" and "exercise" not in frame.columns:
            title = headers.get(column, "Exercise")
        texts[position] = [fmt(v, blank=blank) if fmt is not _text else _text(v, blank)
                           for v in values.tolist()]  # fmt: skip
        kinds.append(kind)
        shown.append(title)
    out = pd.DataFrame({i: texts[i] for i in range(len(shown))})
    out.columns = shown
    return ReadableTable(out, kinds)


def _check_arguments(
    table: object, catalogue: object, columns: object, index: object, blank: object
) -> None:
    """A :class:`~backplan.errors.BackplanError` naming the first argument of
    :func:`readable_table` that is not of its kind."""
    problems = []
    if not isinstance(table, pd.DataFrame | pd.Series | Mapping):
        problems.append(("table", "a DataFrame, Series or mapping", table))
    if catalogue is not None:
        catalogue_argument(catalogue)
    if columns is not None:
        names = list(columns) if isinstance(columns, Mapping | Sequence) else None
        if isinstance(columns, str) or names is None:
            problems.append(("columns", "a list of column names or a mapping to headers",
                             columns))  # fmt: skip
        elif isinstance(table, pd.DataFrame) and (
            gone := [c for c in names if c not in table.columns]
        ):
            problems.append(("columns", "columns of the table", ", ".join(map(str, gone))))
    if index is not None and not isinstance(index, bool):
        problems.append(("index", "True, False or None", index))
    if not isinstance(blank, str):
        problems.append(("blank", "text", blank))
    if problems:
        raise TableError([Problem("<table>", None, name, expected, argument_value(got))
                          for name, expected, got in problems], "<table>")  # fmt: skip


def _two_columns(values: Mapping[str, Any], blank: str) -> ReadableTable:
    """A mapping as rows of what and value (each value in its key's format)."""
    rows = []
    for key, value in values.items():
        title, fmt, _ = COLUMNS.get(key) or _guess(key, pd.Series([value], dtype=object))
        rows.append((title, fmt(value, blank=blank)))
    return ReadableTable(pd.DataFrame(rows, columns=["What", "Value"]), ["", "n"])


def _texts(values: pd.Series) -> bool:
    """Whether a column holds Python objects or text (not numbers, dates or truth values)."""
    return pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype)


def _all_codes(values: pd.Series, catalogue: pd.DataFrame | None) -> bool:
    """Whether every value is an exercise code of the catalogue."""
    if not _texts(values) or not len(values):
        return False
    present = values[~values.map(_missing)]
    if not len(present) or not present.map(lambda v: isinstance(v, str) and "-" in v).all():
        return False
    return set(present) <= set(_exercise_names(catalogue))
