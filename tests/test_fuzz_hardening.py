"""Property tests for issue 21: hostile input gives the package's own errors (or, at the
command line, exit 2 with one line), never a guessed value, and never changes an input.

Example counts are modest here; ``make fuzz`` runs each with 1,000 or more.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from fuzz_inputs import HOSTILE, cell, fuzz, text
from hypothesis import event, example, given
from hypothesis import strategies as st

import backplan as bp
from backplan._io.dates import parse_iso_date
from backplan._io.typed import moment_value
from backplan.cli import main
from backplan.handout.options import handout_options
from backplan.plan.rules import WHAT_CHARS
from backplan.settings import ClinicSettings, SettingsError, load_settings

KEY = b"a key of more than sixteen bytes"
WHEN = datetime(2026, 1, 10, 9, 0)

#: Values of every JSON kind and then some: what a hand-edited file or a careless call holds.
anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
    st.sampled_from(["2026-01-05", "2026-01-05T09:00:00Z", "2026", "10", "true", "12.0"]),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from(["reps", "x"]), st.integers(0, 60), max_size=2),
    st.dates(min_value=date(1, 1, 1)),
    st.datetimes(min_value=datetime(1, 1, 1)),
)


@pytest.fixture(scope="module")
def plan(catalogue: pd.DataFrame) -> bp.Plan:
    first = bp.build_plan(catalogue, "beginners", ["heel-raises", "wall-squats"], patient="A.B.",
                          start_date="2026-01-05", weeks=8)  # fmt: skip
    return bp.revise(first, 2, {"heel-raises": {"reps": 8}}, why="x", by="y", when=WHEN)


# --- class 5: a saved plan means what it says -------------------------------------------------

#: field path -> how a value that was accepted must relate to the value written
FIELDS = {
    ("weeks",): "whole",
    ("start_date",): "day",
    ("patient",): "text",
    ("schema_version",): "whole",
    ("prescriptions", 0, "reps"): "whole",
    ("prescriptions", 0, "per_side"): "flag",
    ("prescriptions", 1, "hold_s"): "whole",
    ("revisions", 0, "from_week"): "whole",
    ("revisions", 0, "made_at"): "moment",
    ("revisions", 0, "hold_level"): "flag",
    ("revisions", 0, "why"): "text",
}


def _same_meaning(kind: str, written: object, read: object) -> bool:
    if kind == "whole":
        return type(written) in (int, float) and type(read) is int and read == written
    if kind == "flag":
        return type(written) is bool and read is written
    if kind == "day":
        return isinstance(written, str) and parse_iso_date(written) == read
    if kind == "moment":
        return isinstance(written, str) and moment_value(written) == read
    return isinstance(written, str) and read == written


@fuzz(150)
@given(field=st.sampled_from(sorted(FIELDS)), value=anything)
@example(field=("prescriptions", 0, "reps"), value=True)
@example(field=("revisions", 0, "made_at"), value=2026)
@example(field=("start_date",), value=2026)
def test_a_loaded_plan_holds_exactly_what_was_written(plan, field, value) -> None:
    """Accepted only when the value read means what was written: ``true`` is never 1 rep,
    2026 never a moment in 1970, "10" never a number."""
    data = json.loads(bp.plan_to_json(plan))
    *path, last = field
    target = data
    for part in path:
        target = target[part]
    target[last] = value.isoformat() if isinstance(value, date) else value
    written = target[last]
    try:
        loaded = bp.plan_from_json(json.dumps(data), "fuzz.json")
    except bp.BackplanError as exc:
        assert str(exc).startswith("fuzz.json") and len(str(exc)) < 5000
        return
    read = loaded.model_dump()
    for part in field:
        read = read[part]
    assert _same_meaning(FIELDS[field], written, read), (written, read)


# --- class 8: wrong arguments are named -------------------------------------------------------


def _revise_with(plan: bp.Plan, name: str, value: object) -> bp.Plan:
    kwargs = {"from_week": 3, "doses": {"heel-raises": {"reps": 7}}, "why": "review",
              "by": "A. Physio", "when": WHEN}  # fmt: skip
    kwargs[name] = value
    return bp.revise(plan, **kwargs)


@fuzz(100)
@given(
    name=st.sampled_from(
        ["from_week", "doses", "why", "by", "stop", "decision", "hold_level", "when", "catalogue"]
    ),
    value=anything,
)
def test_revise_gives_a_plan_or_a_backplan_error(plan, name, value) -> None:
    try:
        new = _revise_with(plan, name, value)
    except bp.BackplanError:
        return
    rev = new.revisions[-1]
    if name == "from_week":
        assert type(rev.from_week) is int and rev.from_week == value
    if name == "hold_level":
        assert rev.hold_level is value
    assert len(rev.what) <= WHAT_CHARS


@fuzz(60)
@given(
    name=st.sampled_from(
        [
            "level",
            "exercises",
            "patient",
            "start_date",
            "weeks",
            "notes",
            "reps",
            "sets",
            "per_exercise",
            "progression",
            "restrictions",
        ]
    ),
    value=anything,
)
def test_build_plan_gives_a_plan_or_a_backplan_error(catalogue, name, value) -> None:
    kwargs = {"start_date": "2026-01-05", name: value}
    level = kwargs.pop("level", "beginners")
    exercises = kwargs.pop("exercises", ["heel-raises"])
    with contextlib.suppress(bp.BackplanError):
        built = bp.build_plan(catalogue, level, exercises, **kwargs)
        if name in {"weeks", "reps", "sets"}:
            got = built.weeks if name == "weeks" else getattr(built.prescriptions[0], name)
            assert type(got) is int and got == value and type(value) is not bool


# --- class 9: revisions stay within their limits ----------------------------------------------


@fuzz(20, shrink=False)
@given(st.lists(st.tuples(st.integers(1, 8), st.integers(0, 60), st.booleans()), max_size=40))
def test_any_run_of_revisions_keeps_every_summary_within_its_field(plan, steps) -> None:
    for week, reps, hold in steps:
        with contextlib.suppress(bp.BackplanError):  # e.g. 0 or 60 reps: out of bounds
            plan = bp.revise(plan, week, {"wall-squats": {"reps": reps}}, why="review",
                             by="A. Physio", hold_level=hold, when=WHEN)  # fmt: skip
    assert all(len(r.what) <= WHAT_CHARS for r in plan.revisions)
    assert bp.plan_from_json(bp.plan_to_json(plan)) == plan


# --- class 10 and 6: handout options and settings files ---------------------------------------


@fuzz(150)
@given(
    large_print=st.one_of(st.booleans(), anything),
    page_size=st.one_of(st.sampled_from(["A4", "a4", "letter", "LETTER", "A3", "A5"]), anything),
    clinic=st.one_of(st.none(), text, st.text(min_size=190, max_size=260), anything),
    phone=st.one_of(st.none(), text, anything),
)
def test_handout_options_are_taken_as_given_or_refused_by_name(
    large_print, page_size, clinic, phone
) -> None:
    try:
        got = handout_options(large_print=large_print, page_size=page_size, clinic=clinic,
                              phone=phone)  # fmt: skip
    except bp.BackplanError as exc:
        assert str(exc).split(":")[0] in {"large_print", "page_size", "clinic", "phone"}
        assert "\n" not in str(exc) and len(str(exc)) < 400
        return
    assert got["large_print"] is bool(large_print) and type(large_print) is bool
    assert got["page_size"].lower() == page_size.strip().lower()
    assert got["clinic"] is clinic and got["phone"] is phone


@fuzz(100)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.dictionaries(
            st.sampled_from(["clinic", "phone", "physio", "fax"]), anything, max_size=3
        ).map(lambda d: json.dumps(d, default=str).encode()),
    )
)
@example(b"[" * 100_000)
@example(b'{"clinic": "a", "clinic": "b"}')
def test_any_settings_file_gives_settings_or_a_settings_error(tmp_path_factory, raw) -> None:
    path = tmp_path_factory.mktemp("settings") / "clinic.json"
    path.write_bytes(raw)
    try:
        found = load_settings(path)
    except SettingsError as exc:
        assert str(exc).startswith(str(path))
        return
    assert isinstance(found, ClinicSettings)
    assert path.read_bytes() == raw


# --- class 4: pseudonyms everywhere, as whole words -------------------------------------------

_LETTERS = "abcdefghijkAZéëЖ"
#: Patient labels: a letter then letters, digits, spaces, dots and hyphens (never "PSN-",
#: which pseudonyms start with), or a number as some clinics use.
label = st.one_of(
    st.builds(
        lambda first, rest: (first + rest).strip(),
        st.sampled_from(_LETTERS),
        st.text(_LETTERS + "0123456789 .-", max_size=7),
    ),
    st.integers(1, 20).map(str),
)


def _word_pattern(name: str) -> re.Pattern[str]:
    """An independent oracle: ``name`` as a whole word, any case, any run of spaces."""
    body = r"\s+".join(re.escape(w) for w in name.split())
    end = r"(?!\w)" if re.match(r"\w", name[-1]) else ""
    return re.compile(rf"(?<!\w){body}{end}", re.IGNORECASE)


@fuzz(100)
@given(
    labels=st.lists(label, min_size=1, max_size=5, unique_by=lambda s: s.strip().lower()),
    pieces=st.lists(
        st.one_of(text, st.sampled_from(["11 Jan 2026", "did 12 reps", "x"]), st.integers(0, 4)),
        max_size=6,
    ),
)
@example(labels=[str(i) for i in range(1, 13)], pieces=["11 Jan 2026"])
def test_no_label_is_left_in_any_text_and_other_text_is_kept(labels, pieces) -> None:
    note = " ".join(labels[p % len(labels)].upper() if isinstance(p, int) else p for p in pieces)
    table = pd.DataFrame({"patient": labels, "note": [note] * len(labels)})
    out = bp.pseudonymise(table, KEY)
    assert not set(out["patient"]) & set(labels)
    shared = out["note"].iloc[0]
    for name in labels:
        if any(ch.isalpha() for ch in name):  # letterless labels stay inside text
            assert not _word_pattern(name).search(shared), (name, shared)
    if not any(_word_pattern(n).search(note) for n in labels) and note.strip() not in labels:
        assert shared == note  # no label in it: not a character changed


# --- class 2: the command line -----------------------------------------------------------------


@pytest.fixture(scope="module")
def plan_text(catalogue) -> str:
    plan = bp.build_plan(catalogue, "beginners", ["heel-raises"], patient="Ann", weeks=2,
                         start_date="2026-01-05")  # fmt: skip
    return bp.plan_to_json(plan)


def _workspace(plan_text: str) -> Path:
    """A fresh folder of inputs, links to them and logs, for one invocation."""
    root = Path(tempfile.mkdtemp(prefix="backplan-cli-"))
    saved = root / "plans" / "ann.json"
    saved.parent.mkdir()
    saved.write_text(plan_text)
    (root / "link.json").symlink_to(saved)
    os.link(saved, root / "hard.json")
    pd.DataFrame({"patient": ["Ann"] * 3, "date": ["2026-01-05", "2026-01-06", "2026-01-07"],
                  "exercise": "heel-raises", "sets_done": 1, "reps_done": 10,
                  "pain": 2}).to_csv(root / "logs.csv", index=False)  # fmt: skip
    (root / "sub").mkdir()
    os.mkfifo(root / "pipe")
    return root


def _inputs(args: list[str]) -> dict[str, bytes]:
    """The bytes of every file an invocation reads: each file or folder it names, the
    output aside (unless the output is also named as an input)."""
    out = args.index("-o") + 1 if "-o" in args else -1
    found = {}
    for i, arg in enumerate(args):
        path = Path(arg)
        if i == out or len(arg) > 255 or not (path.is_file() or path.is_dir()):
            continue
        for f in [path] if path.is_file() else [q for q in path.iterdir() if q.is_file()]:
            found[os.path.realpath(f)] = f.read_bytes()
    return found


#: Paths an invocation may name, in the workspace: inputs, links to them, a path through
#: "..", a folder, a named pipe, new files. Never a real device: run as root, a bug that
#: wrote over one would break the machine (it happened: /dev/zero became a FHIR Bundle).
PATHS = ["plans/ann.json", "link.json", "hard.json", "sub/../plans/ann.json", "logs.csv",
         "plans", "sub", "missing.json", "pipe", "out.md", "out.csv", "out.json",
         "r.xlsx", "x" * 300]  # fmt: skip
#: A sensible invocation of each subcommand, which the test then bends.
BASE = {
    "handout": ["plans/ann.json", "-o", "out.md"],
    "handouts": ["plans", "-o", "sub/handouts", "--format", "md"],
    "fhir": ["plans/ann.json", "-o", "out.json"],
    "adherence": ["logs.csv", "-p", "plans", "-o", "r.xlsx"],
    "review": ["logs.csv", "-p", "plans", "-o", "r.html"],
}
OPTIONS = st.sampled_from(["--clinic", "--phone", "--physio", "--as-of", "--threshold",
                           "--page-size", "--format", "--rules", "-p", "--large-print"])  # fmt: skip
VALUES = st.one_of(st.sampled_from(PATHS), cell, text, st.sampled_from(HOSTILE))


@fuzz(50, shrink=False)
@given(
    command=st.sampled_from([*BASE, "nope"]),
    source=st.one_of(st.none(), st.sampled_from(PATHS)),
    output=st.one_of(st.none(), st.sampled_from(PATHS)),
    options=st.lists(st.tuples(OPTIONS, VALUES), max_size=2),
)
def test_any_invocation_ends_well_or_in_one_line_and_leaves_inputs(
    plan_text, command, source, output, options
) -> None:
    """Exit 0, or exit 2 with one line on stderr; no file the invocation reads changes
    (outputs include the inputs themselves, links to them and paths through ``..``)."""
    workspace = _workspace(plan_text)

    def where(name: str) -> str:
        return str(workspace / name) if name in PATHS else name

    args = [command, *BASE.get(command, ["plans/ann.json", "-o", "out.md"])]
    if source is not None:
        args[1] = source
    if output is not None:
        args[args.index("-o") + 1] = output
    for option, value in options:
        args += [option] if option == "--large-print" else [option, value]
    args = [where(a) for a in args]
    before = _inputs(args)
    stderr = io.StringIO()
    try:  # in the workspace: a relative output the test did not map lands there too
        with (contextlib.chdir(workspace), contextlib.redirect_stdout(io.StringIO()),
              contextlib.redirect_stderr(stderr)):  # fmt: skip
            try:
                code = main(args)
            except SystemExit as exc:  # argparse: usage errors
                code = exc.code
        err = stderr.getvalue().splitlines()
        event(f"exit {code}")
        assert code in (0, 2), (args, code, err)
        if code == 2:
            assert len(err) == 1 and err[0].startswith("backplan"), (args, err)
        assert {f: Path(f).read_bytes() for f in before} == before, args
    finally:
        shutil.rmtree(workspace)
