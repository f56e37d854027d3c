"""The exercise catalogue: its schema, loading, validation and filters.

A catalogue is a CSV (or Excel) file with one row per exercise. The shipped one holds the
eleven NHS Choices back exercises; a clinic can copy it, edit it in a spreadsheet and load
its own copy with ``load_catalogue(path)``.

Columns
-------
id                 stable id: lower-case letters, digits and hyphens, unique
name               display name
level              ``beginners`` or ``more advanced``
position           one of :data:`POSITIONS`
position_detail    the starting position in plain words
targets            body areas, separated by ``;`` (e.g. ``back;hip``)
equipment          ``none`` or items separated by ``;`` (e.g. ``wall``, ``chair``)
sets, reps         default dose (whole numbers)
per_side           ``true`` when the reps are done on each side
side               which side is counted (``leg``, ``ankle``); needed when per_side is true
hold_min_s/max_s   hold in seconds (a range where the source gives one; 0 = no hold)
sessions_per_day   default times a day
easier_option      an easier version, if there is one (may be empty)
steps              patient-facing steps, separated by ``|``
source_dose        the source's dose in short words (may be empty)
source             where the exercise comes from
source_reviewed    the source's review date (YYYY-MM-DD)
image              optional: a PNG, JPEG or SVG picture of the exercise, path relative to
                   the catalogue file
unsuitable_for     optional: precautions (:func:`load_precautions`) this exercise does not
                   suit, separated by ``;`` (e.g. ``hip replacement`` for knees to chest)

A wall is not equipment (every home has one): a patient with no equipment can still do
wall squats; ``lacks_equipment=["wall"]`` rules them out where no wall is free.

Steps, the easier option and the position may hold placeholders that the handout fills
from the dose in force, so the words never disagree with it: ``{reps}``, ``{sets}``,
``{hold_s}``, ``{sessions_per_day}``, ``{days_per_week}`` and ``{side}`` (see
:data:`STEP_PLACEHOLDERS`). Plain text without placeholders works too.

Examples
--------
>>> cat = load_catalogue()
>>> len(cat), list(cat.level.cat.categories)
(11, ['beginners', 'more advanced'])
>>> list(rows_matching(cat, level="beginners", equipment=[]).id)[:2]
['ankle-lifts', 'heel-slides']
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ._io.dates import DATE_TEXT, date_days, parse_iso_date
from ._io.numbers import parse_whole, parse_whole_series
from ._io.paths import data_dir
from ._io.spreadsheets import read_text_table, schema_problems, spreadsheet_row, whole_number
from .errors import CatalogueError, PlanError, Problem

if TYPE_CHECKING:  # pandera loads when a catalogue is first checked, not with backplan
    import pandera.pandas as pa

__all__ = [
    "ADVICE_SECTIONS",
    "COLUMNS",
    "LEVELS",
    "NOT_EQUIPMENT",
    "POSITIONS",
    "STEP_PLACEHOLDERS",
    "catalogue_argument",
    "exercise",
    "load_advice",
    "load_catalogue",
    "load_precautions",
    "rows_matching",
    "split_list",
    "split_steps",
]

LEVELS: tuple[str, ...] = ("beginners", "more advanced")
POSITIONS: tuple[str, ...] = (
    "lying on back",
    "lying on stomach",
    "lying on side",
    "on hands and knees",
    "kneeling",
    "sitting",
    "standing",
)
ADVICE_SECTIONS: tuple[str, ...] = (
    "breathing",
    "activity",
    "gp",
    "review",
    "stop",
    "emergency",
    "urgent",
)
_INT_COLUMNS = {
    "sets": (1, 10),
    "reps": (1, 50),
    "hold_min_s": (0, 120),
    "hold_max_s": (0, 120),
    "sessions_per_day": (1, 6),
}
#: Things an exercise may need that every home has: never counted as equipment to own.
NOT_EQUIPMENT: tuple[str, ...] = ("wall",)
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_WORDS = re.compile(r"^[a-z][a-z &-]*(;[a-z][a-z &-]*)*$")
_BOOLEAN = ("true", "false")


def _text(required: bool = True) -> pa.Column:
    import pandera.pandas as pa

    checks = [pa.Check.str_length(min_value=1, error="some text (it is empty)")] if required else []
    return pa.Column(str, checks)


def _pattern(regex: re.Pattern[str], what: str) -> pa.Check:
    import pandera.pandas as pa

    return pa.Check(lambda v: bool(regex.match(v)), element_wise=True, error=what)


#: The columns every catalogue must have, in the shipped order.
COLUMNS: tuple[str, ...] = (
    "id", "name", "level", "position", "position_detail", "targets", "equipment", "sets",
    "reps", "per_side", "side", "hold_min_s", "hold_max_s", "sessions_per_day",
    "easier_option", "steps", "source_dose", "source", "source_reviewed",
)  # fmt: skip


@functools.cache
def catalogue_schema() -> pa.DataFrameSchema:
    """The pandera schema of a catalogue's cells, as text (:data:`COLUMNS`)."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "id": pa.Column(
                str,
                _pattern(
                    _ID, "an id of lower-case letters, digits and hyphens (e.g. 'wall-squats')"
                ),
                unique=True,
            ),
            "name": _text(),
            "level": pa.Column(str, pa.Check.isin(LEVELS, error=f"one of {', '.join(LEVELS)}")),
            "position": pa.Column(
                str, pa.Check.isin(POSITIONS, error=f"one of {', '.join(POSITIONS)}")
            ),
            "position_detail": _text(),
            "targets": pa.Column(
                str, _pattern(_WORDS, "body areas separated by ';' (e.g. 'back;hip')")
            ),
            "equipment": pa.Column(
                str, _pattern(_WORDS, "'none' or items separated by ';' (e.g. 'wall' or 'chair')")
            ),
            "sets": pa.Column(str, whole_number(*_INT_COLUMNS["sets"])),
            "reps": pa.Column(str, whole_number(*_INT_COLUMNS["reps"])),
            "per_side": pa.Column(
                str,
                pa.Check(
                    lambda v: v.strip().lower() in _BOOLEAN,
                    element_wise=True,
                    error="true or false",
                ),
            ),
            "side": _text(required=False),
            "hold_min_s": pa.Column(str, whole_number(*_INT_COLUMNS["hold_min_s"])),
            "hold_max_s": pa.Column(str, whole_number(*_INT_COLUMNS["hold_max_s"])),
            "sessions_per_day": pa.Column(str, whole_number(*_INT_COLUMNS["sessions_per_day"])),
            "easier_option": _text(required=False),
            "steps": _text(),
            "source_dose": _text(required=False),
            "source": _text(),
            "source_reviewed": pa.Column(
                str,
                pa.Check(
                    lambda v: parse_iso_date(v) is not None, element_wise=True, error=DATE_TEXT
                ),
            ),
        },
        strict=False,
        name="exercise catalogue",
    )


def _cross_column_problems(table: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    for idx, row in table.iterrows():
        r = spreadsheet_row(idx)
        lo, hi = row.get("hold_min_s", ""), row.get("hold_max_s", "")
        low, high = (parse_whole(v, *_INT_COLUMNS["hold_min_s"]) for v in (lo, hi))
        if low is not None and high is not None and low > high:
            problems.append(Problem(file, r, "hold_max_s", f"at least hold_min_s ({lo})", hi))
        if _is_true(row.get("per_side", "")) and not row.get("side"):
            problems.append(
                Problem(
                    file, r, "side", "which side is counted (e.g. 'leg') when per_side is true", ""
                )
            )
        known = load_precautions()
        for word in split_list(row.get("unsuitable_for", "")):
            if word not in known:
                problems.append(Problem(file, r, "unsuitable_for", f"precautions from "
                                        f"{', '.join(known)} separated by ';'", word))  # fmt: skip
        equipment = split_list(row.get("equipment", ""))
        if "none" in equipment and len(equipment) > 1:
            problems.append(
                Problem(
                    file,
                    r,
                    "equipment",
                    "'none' on its own, or a list without 'none'",
                    row["equipment"],
                )
            )
    return problems


def _is_true(text: str) -> bool:
    return text.strip().lower() == "true"


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    """The validated text table with typed columns (every cell already passed its check)."""
    out = table.copy()
    for col, (low, high) in _INT_COLUMNS.items():
        out[col] = parse_whole_series(out[col], low, high).astype("int64")
    out["per_side"] = out["per_side"].map(_is_true).astype(bool)
    out["level"] = pd.Categorical(out["level"], categories=list(LEVELS), ordered=True)
    out["source_reviewed"] = pd.to_datetime(date_days(out["source_reviewed"]), unit="D")
    return out.reset_index(drop=True)


def load_catalogue(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Load and validate an exercise catalogue.

    Parameters
    ----------
    path : path-like, optional
        A CSV or Excel file in the catalogue format. By default the shipped catalogue of
        eleven back exercises.

    Returns
    -------
    pandas.DataFrame
        One row per exercise in file order. ``level`` is an ordered categorical, doses are
        ``int64``, ``per_side`` is boolean. Extra columns a clinic added are kept as text.

    Raises
    ------
    CatalogueError
        Listing every problem found, each with file, spreadsheet row and column.

    Examples
    --------
    >>> cat = load_catalogue()
    >>> cat.set_index("id").loc["wall-squats", ["reps", "hold_min_s", "equipment"]].to_dict()
    {'reps': 10, 'hold_min_s': 5, 'equipment': 'wall'}
    """
    if path is None:
        return _shipped("back-exercises.csv").copy()
    return _load_catalogue(Path(path))


@functools.cache
def _shipped(name: str) -> pd.DataFrame:
    """A shipped table, read and validated once per process (callers get copies)."""
    loader = _load_catalogue if name == "back-exercises.csv" else _load_advice
    return loader(data_dir() / name)


def _load_catalogue(p: Path) -> pd.DataFrame:
    table = read_text_table(p, CatalogueError)
    problems = schema_problems(table, catalogue_schema(), str(p))
    if table.empty and not problems:
        problems.append(Problem(str(p), 2, None, "at least one exercise below the header row"))
    if not any(pr.row == 1 for pr in problems):
        problems += _cross_column_problems(table, str(p))
    problems += placeholder_problems(table, str(p)) + image_problems(table, str(p), p.parent)
    if problems:
        raise CatalogueError(sorted(problems, key=lambda pr: (pr.row or 0, pr.column or "")))
    return _with_image_paths(_typed(table), p.parent)


# --- placeholders in patient text and pictures (handout issue 9) ---------------------------

#: Placeholders a catalogue's text may use; the handout fills them from the dose in force.
STEP_PLACEHOLDERS: dict[str, str] = {
    "reps": "times (or times on each side)",
    "sets": "rounds",
    "hold_s": "seconds to hold",
    "sessions_per_day": "times a day",
    "days_per_week": "days a week",
    "side": "what one side is called (the 'side' column, e.g. leg)",
}
#: Columns whose text may hold placeholders.
PLACEHOLDER_COLUMNS: tuple[str, ...] = ("position_detail", "steps", "easier_option")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
#: Picture files a clinic catalogue may give, and the largest accepted.
IMAGE_TYPES: dict[str, bytes] = {
    ".png": b"\x89PNG\r\n\x1a\n",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".svg": b"",
}
IMAGE_MAX_BYTES = 2_000_000
IMAGE_MAX_PIXELS = 4000


def placeholder_problems(table: pd.DataFrame, file: str) -> list[Problem]:
    """Unknown placeholders and stray braces in the text columns, by row and column.

    Examples
    --------
    >>> t = pd.DataFrame({"steps": ["Do {reps} times.", "Hold {hold}."]})
    >>> [(p.row, p.column, p.got) for p in placeholder_problems(t, "c.csv")]
    [(3, 'steps', '{hold}')]
    """
    allowed = ", ".join(f"{{{k}}}" for k in STEP_PLACEHOLDERS)
    problems = []
    for col in PLACEHOLDER_COLUMNS:
        if col not in table.columns:
            continue
        for idx, text in table[col].items():
            text = "" if pd.isna(text) else str(text)
            for name in _PLACEHOLDER.findall(text):
                if name not in STEP_PLACEHOLDERS:
                    expected = f"placeholders from {allowed}"
                    problems.append(
                        Problem(file, spreadsheet_row(idx), col, expected, f"{{{name}}}")
                    )
            if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
                problems.append(
                    Problem(file, spreadsheet_row(idx), col, f"braces only around {allowed}", text)
                )
    return problems


def _image_problem(path: Path) -> str | None:
    """Why ``path`` is not a usable picture, or ``None`` when it is."""
    kind = path.suffix.lower()
    if kind not in IMAGE_TYPES:
        return "a picture file ending .png, .jpg, .jpeg or .svg"
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(512)
    except OSError:
        return "a picture file that exists and can be read"
    if size > IMAGE_MAX_BYTES:
        return f"a picture file of at most {IMAGE_MAX_BYTES // 1_000_000} MB (it has {size} bytes)"
    if kind == ".svg":
        if b"<svg" not in _svg_head(path):
            return "an SVG picture (no <svg> element found)"
        from .pictures.pdf import svg_problem  # the PDF draws it: check it can be drawn

        return svg_problem(path)
    name = "PNG" if kind == ".png" else "JPEG"
    if not head.startswith(IMAGE_TYPES[kind]):
        return f"a {name} picture (the file is not one)"
    try:
        from PIL import Image

        with Image.open(path) as img:
            img.verify()
            w, h = img.size
    except Exception:  # any decoder failure means a damaged picture
        return f"a {name} picture that can be opened (the file is damaged)"
    if max(w, h) > IMAGE_MAX_PIXELS:
        return f"a picture at most {IMAGE_MAX_PIXELS} pixels wide and high (it is {w}x{h})"
    return None


def _svg_head(path: Path) -> bytes:
    try:
        return path.read_bytes()[:4096]
    except OSError:
        return b""


def image_problems(table: pd.DataFrame, file: str, folder: Path) -> list[Problem]:
    """Missing, unreadable or oversized pictures in the optional ``image`` column."""
    if "image" not in table.columns:
        return []
    problems = []
    for idx, cell in table["image"].items():
        name = "" if pd.isna(cell) else str(cell).strip()
        if name:
            why = _image_problem(folder / name)
            if why:
                problems.append(Problem(file, spreadsheet_row(idx), "image", why, name))
    return problems


def _with_image_paths(table: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """The ``image`` column as absolute paths (empty where an exercise has no picture)."""
    if "image" in table.columns:
        table["image"] = [
            str((folder / str(c).strip()).resolve()) if str(c).strip() else ""
            for c in table["image"].fillna("")
        ]
    return table


@functools.cache
def _advice_schema() -> pa.DataFrameSchema:
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "section": pa.Column(
                str, pa.Check.isin(ADVICE_SECTIONS, error=f"one of {', '.join(ADVICE_SECTIONS)}")
            ),
            "role": pa.Column(str, pa.Check.isin(["heading", "item"], error="heading or item")),
            "text": _text(),
        },
        strict=False,
        name="programme advice",
    )


def load_advice(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Load the programme-wide advice and safety text that every handout carries.

    Parameters
    ----------
    path : path-like, optional
        A CSV with columns ``section``, ``role`` (heading or item) and ``text``. By default
        the shipped ``advice.csv``.

    Returns
    -------
    pandas.DataFrame
        The rows in file order. Every section in :data:`ADVICE_SECTIONS` is present.

    Examples
    --------
    >>> advice = load_advice()
    >>> advice.loc[advice.section == "emergency", "text"].iloc[0]
    'Call 999 or go to A&E now if you have:'
    """
    if path is None:
        return _shipped("advice.csv").copy()
    return _load_advice(Path(path))


def _load_advice(p: Path) -> pd.DataFrame:
    table = read_text_table(p, CatalogueError)
    problems = schema_problems(table, _advice_schema(), str(p))
    if not problems:
        missing = [s for s in ADVICE_SECTIONS if s not in set(table["section"])]
        problems += [
            Problem(str(p), None, "section", f"at least one row for '{s}'") for s in missing
        ]
    if problems:
        raise CatalogueError(problems)
    return table.reset_index(drop=True)


@functools.cache
def _precautions() -> tuple[tuple[str, tuple[str, str]], ...]:
    table = read_text_table(data_dir() / "precautions.csv", CatalogueError)
    return tuple((r["id"].strip(), (r["means"].strip(), r["source"].strip()))
                 for _, r in table.iterrows())  # fmt: skip


def load_precautions() -> dict[str, tuple[str, str]]:
    """Precautions a plan can record (``data/precautions.csv``): ``{id: (means, source)}``.

    Examples
    --------
    >>> load_precautions()["hip replacement"][0]
    'no bending the hip past 90 degrees (so knees to chest is out)'
    """
    return dict(_precautions())


def split_list(text: str) -> list[str]:
    """Split a ``;``-separated catalogue cell into its items.

    Examples
    --------
    >>> split_list("back;hip")
    ['back', 'hip']
    """
    return [item.strip() for item in str(text).split(";") if item.strip()]


def split_steps(text: str) -> list[str]:
    """Split a catalogue ``steps`` cell into its steps.

    Examples
    --------
    >>> split_steps("Lie down. | Lift one leg.")
    ['Lie down.', 'Lift one leg.']
    """
    return [step.strip() for step in str(text).split("|") if step.strip()]


def catalogue_argument(value: object, name: str = "catalogue") -> pd.DataFrame:
    """``value`` when it is a loaded catalogue (the shipped one for ``None``), else a
    :class:`~backplan.PlanError` naming the argument.

    >>> catalogue_argument("back-exercises.csv")
    Traceback (most recent call last):
    ...
    backplan.errors.PlanError: The plan: 1 problem
      - column 'catalogue': expected a catalogue from load_catalogue() (a DataFrame), got 'back-exercises.csv'
    """
    if value is None:
        return load_catalogue()
    if not isinstance(value, pd.DataFrame):
        expected, got = "a catalogue from load_catalogue() (a DataFrame)", value
    else:
        missing = [c for c in COLUMNS if c not in value.columns]
        if not missing and isinstance(value["level"].dtype, pd.CategoricalDtype):
            return value
        expected = "a catalogue from load_catalogue() (its columns and levels)"
        got = ", ".join(missing) or "level"
    raise PlanError([Problem("<plan>", None, name, expected, got)], "<plan>")


def _text_argument(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise CatalogueError([Problem("<catalogue>", None, name, "text", value)])
    return value


def exercise(catalogue: pd.DataFrame, exercise_id: str) -> pd.Series:
    """Return one exercise's row; an unknown id is a :class:`CatalogueError` listing the ids.

    Examples
    --------
    >>> exercise(load_catalogue(), "heel-raises")["name"]
    'Heel raises'
    """
    catalogue = catalogue_argument(catalogue)
    match = catalogue.loc[catalogue["id"] == _text_argument(exercise_id, "exercise_id")]
    if match.empty:
        known = ", ".join(catalogue["id"])
        raise CatalogueError([Problem("<catalogue>", None, "id", f"one of {known}", exercise_id)])
    return match.iloc[0]


def _check_choices(name: str, values: Iterable[str], allowed: Iterable[str]) -> list[str]:
    values, allowed = list(values), sorted(set(allowed))
    unknown = [v for v in values if v not in allowed]
    if unknown:
        expected = f"known values (allowed values are {allowed})"
        raise CatalogueError([Problem("<filter>", None, name, expected, unknown)])
    return values


def _as_list(value: str | Iterable[str] | None, name: str) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        out = list(value)
        if all(isinstance(v, str) for v in out):
            return out
    raise CatalogueError([Problem("<filter>", None, name, "text or a list of texts", value)])


def rows_matching(
    catalogue: pd.DataFrame,
    *,
    level: str | Iterable[str] | None = None,
    avoid_positions: str | Iterable[str] = (),
    equipment: Iterable[str] | None = None,
    targets: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Keep the exercises that suit a patient.

    Parameters
    ----------
    catalogue : pandas.DataFrame
        A loaded catalogue.
    level : str or list of str, optional
        Keep only these levels.
    avoid_positions : str or list of str
        Positions the patient cannot take, e.g. ``"lying on stomach"``.
    equipment : list of str, optional
        Equipment the patient has (``[]`` = nothing). Exercises that need anything else
        are left out; ``None`` means no filter.
    targets : str or list of str, optional
        Keep exercises that work at least one of these body areas.

    Returns
    -------
    pandas.DataFrame
        The matching rows, in catalogue order.

    Examples
    --------
    >>> cat = load_catalogue()
    >>> list(rows_matching(cat, avoid_positions="lying on stomach", targets="back").id)
    ['abdominal-contraction', 'back-leg-swing', 'knee-to-chest']
    """
    catalogue = catalogue_argument(catalogue)
    keep = pd.Series(True, index=catalogue.index)
    levels = _as_list(level, "level")
    if levels is not None:
        _check_choices("level", levels, catalogue["level"].cat.categories)
        keep &= catalogue["level"].isin(levels)
    avoid = _check_choices("avoid_positions", _as_list(avoid_positions, "avoid_positions") or [],
                           POSITIONS)  # fmt: skip
    keep &= ~catalogue["position"].isin(avoid)
    if equipment is not None:
        have = {"none", *NOT_EQUIPMENT, *(_as_list(equipment, "equipment") or [])}
        keep &= catalogue["equipment"].map(lambda e: set(split_list(e)) <= have)
    wanted = _as_list(targets, "targets")
    if wanted is not None:
        all_targets = {t for cell in catalogue["targets"] for t in split_list(cell)}
        _check_choices("targets", wanted, all_targets)
        keep &= catalogue["targets"].map(lambda t: bool(set(split_list(t)) & set(wanted)))
    return catalogue.loc[keep]
