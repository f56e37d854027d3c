"""Property tests: whatever a saved-plan file holds, loading it gives a Plan or a BackplanError.

Every property runs 100 generated documents in ``make test`` and 1,000 or more in
``make fuzz`` (plan loading takes well under a millisecond; generating the documents
takes most of the time).
"""

from __future__ import annotations

import contextlib
import json
from datetime import date
from pathlib import Path

import pytest
from fuzz_inputs import fuzz, text
from hypothesis import example, given
from hypothesis import strategies as st

import backplan as bp
from backplan._io.dates import FIRST_DATE, LAST_DATE

GOOD = {
    "schema_version": 1,
    "patient": "A.B.",
    "clinician": "C.D.",
    "start_date": "2026-01-05",
    "weeks": 4,
    "notes": "",
    "level": "beginners",
    "prescriptions": [
        {"exercise": "heel-raises", "sets": 1, "reps": 10},
        {"exercise": "wall-squats", "sets": 1, "reps": 8, "hold_s": 5},
    ],
    "progression": [{"kind": "add", "what": "reps", "amount": 2, "every_weeks": 1, "cap": 14}],
}

# Any JSON value, nested a little.
json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=False, allow_infinity=False),
        text,
        st.sampled_from(["2026-01-05", "9999-12-31", "0001-01-01", "2008-02-30", "beginners"]),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)

FIELDS = [*GOOD, "prescriptions.0.exercise", "prescriptions.0.reps", "progression.0.cap"]


@st.composite
def plan_documents(draw: st.DrawFn) -> str | bytes:
    """A good plan with some fields replaced or removed, as JSON text or raw bytes."""
    doc = json.loads(json.dumps(GOOD))
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=3)):
        *path, key = field.split(".")
        target: object = doc
        for part in path:
            if isinstance(target, list) and target:
                target = target[0]
            elif isinstance(target, dict):
                target = target.get(part)
        if isinstance(target, dict):
            if draw(st.booleans()):
                target[key] = draw(json_value)
            else:
                target.pop(key, None)
    raw = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    how = draw(st.sampled_from(["text", "bytes", "cut", "latin-1", "garble"]))
    if how == "bytes":
        return raw.encode("utf-8")
    if how == "cut":
        return raw[: draw(st.integers(0, len(raw)))]
    if how == "latin-1":
        return raw.encode("latin-1", "replace") + draw(st.binary(max_size=4))
    if how == "garble":
        at = draw(st.integers(0, len(raw)))
        return (
            raw[:at]
            + draw(st.sampled_from(["[" * 5000, "NaN", "1" * 5000, "\\ud800", '"']))
            + raw[at:]
        )
    return raw


def _use(plan: bp.Plan) -> None:
    """What a loaded plan is used for next: every week's dose, a schedule, JSON again."""
    assert FIRST_DATE <= plan.start_date <= LAST_DATE
    for week in range(1, plan.weeks + 1):
        bp.dose_in_week(plan, week)
    with contextlib.suppress(bp.BackplanError):  # e.g. an exercise not in the catalogue
        bp.schedule(plan)  # dates up to the last day: never an OverflowError
    assert bp.plan_from_json(bp.plan_to_json(plan)) == plan


@fuzz(100)
@given(plan_documents())
@example(b"\xff\xfe{}")
@example('{"schema_version": 1, "start_date": "2026-01-05", "prescriptions": null}')
@example("[" * 100_000)
@example('{"schema_version": 1, "weeks": ' + "9" * 5000 + "}")
@example(json.dumps({**GOOD, "start_date": "9999-12-31"}))
@example(json.dumps({**GOOD, "weeks": True}))
@example('{"schema_version": 1, "schema_version": 1}')
def test_loading_any_document_gives_a_plan_or_a_backplan_error(doc: str | bytes) -> None:
    try:
        plan = bp.plan_from_json(doc, "fuzz.json")
    except bp.BackplanError as exc:
        message = str(exc)
        assert message.startswith("fuzz.json")
        assert len(message) < 5000
        return
    _use(plan)


@fuzz(100)
@given(
    patient=text,
    notes=text,
    start=st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    weeks=st.integers(-5, 60),
)
def test_built_plans_are_in_range_or_refused(patient, notes, start, weeks) -> None:
    try:
        plan = bp.Plan(
            patient=patient[:200],
            notes=notes,
            start_date=start,
            weeks=weeks,
            prescriptions=[bp.Prescription(exercise="heel-raises", reps=10)],
        )
    except Exception as exc:  # pydantic's ValidationError is a ValueError
        assert isinstance(exc, ValueError)
        assert not (FIRST_DATE <= start <= LAST_DATE and 1 <= weeks <= 52)
        return
    _use(plan)


def test_a_huge_note_gives_a_short_message() -> None:
    doc = json.dumps({**GOOD, "notes": "x" * 5_000_000})
    with pytest.raises(bp.PlanError) as info:
        bp.plan_from_json(doc, "big.json")
    assert "notes" in str(info.value) and len(str(info.value)) < 400


def test_every_file_failure_is_a_plan_error(tmp_path: Path) -> None:
    (tmp_path / "folder.json").mkdir()
    for path in [tmp_path / "missing.json", tmp_path / "folder.json"]:
        with pytest.raises(bp.PlanError, match=path.name):
            bp.load_plan(path)


def test_forty_thousand_prescriptions_load_in_linear_time() -> None:
    """Behaviour only (the timing target is benchmarks/plan_load.py): duplicates are named."""
    rows = [{"exercise": f"ex-{i}", "reps": 5} for i in range(40_000)]
    rows += [{"exercise": "ex-7", "reps": 5}]
    doc = json.dumps({**GOOD, "prescriptions": rows, "progression": []})
    with pytest.raises(bp.PlanError, match="more than once: ex-7"):
        bp.plan_from_json(doc)


# --- the quick parse of backplan._io.json never accepts what the careful parse refuses ----

_KEYS = st.sampled_from(["a", "b", "a:b", ":", "\\u003a", "\\u003A", '\\"', "k\\\\", "é"])
_STRINGS = st.sampled_from(["", "x:y", "10:30", "\\u003a", "\\ud800", "\\udfff", "\\ud83d\\ude00",
                            '\\":', "\\\\u003a", "\\\\ud800", "[[[", "]]]", "{", "}", "é", "\\n"])  # fmt: skip
_NUMBERS = st.sampled_from(["0", "-0", "7", str(10**18 - 1), str(-(10**18 - 1)), str(10**18),
                            str(-(10**18)), "9" * 40, "1.5", "1e400", "-1e400", "1E2", "NaN",
                            "Infinity", "-Infinity", "true", "null"])  # fmt: skip


@st.composite
def json_texts(draw: st.DrawFn, depth: int = 0) -> str:
    """JSON text as a person or another program may write it: repeated keys, spaces around
    colons, escapes of colons and surrogates, long integers, deep nesting."""
    space = draw(st.sampled_from(["", " ", "\n  "]))
    kind = draw(st.sampled_from(["object", "list", "string", "number"] if depth < 3
                                else ["string", "number"]))  # fmt: skip
    if kind == "object":
        members = draw(st.lists(st.tuples(_KEYS, json_texts(depth + 1)), max_size=4))
        before = draw(st.sampled_from(["", "", " "]))
        return "{" + ",".join(f'{space}"{k}"{before}:{space}{v}' for k, v in members) + "}"
    if kind == "list":
        return "[" + f",{space}".join(draw(st.lists(json_texts(depth + 1), max_size=3))) + "]"
    if kind == "string":
        return '"' + draw(_STRINGS) + '"'
    return draw(_NUMBERS)


@fuzz(100)
@given(json_texts(), st.integers(0, 36), st.booleans())
@example('{"a": 1, "a": 2}', 0, False)
@example('{"a" : 1, "a": 2}', 0, False)
@example('{"a": "x:y", "a": 2}', 0, False)
@example('{"a": 1, "\\u003a": 2, "a": 3}', 0, False)
@example('{"a": "\\ud800"}', 0, False)
@example("[1]", 31, False)
@example("[1]", 32, False)
@example(str(10**18 - 1), 0, False)
@example(str(10**18), 0, False)
def test_the_quick_parse_agrees_with_the_careful_one(text: str, nest: int, raw: bool) -> None:
    from backplan._io import json as jsonio

    text = "[" * nest + text + "]" * nest
    if raw:
        text = text.replace("\\ud800", "\ud800")  # a lone surrogate in text given as str
    quick = jsonio._quick(text)
    try:
        careful = jsonio._careful(text)
        careful_ok = True
    except jsonio._Refused:
        careful_ok = False
    if quick is not jsonio._CAREFUL:  # accepted quickly: the careful parse gives the same
        assert careful_ok
        assert repr(quick) == repr(careful)  # types too: 1, 1.0 and True differ in repr


@fuzz(100, shrink=False)
@given(st.lists(plan_documents(), min_size=1, max_size=8))
@example([json.dumps(GOOD)] * 3 + [json.dumps({**GOOD, "weeks": 0})])
def test_a_folder_reads_each_plan_as_it_reads_alone(documents: list[str | bytes]) -> None:
    # a folder validates each distinct dose once and reuses it: every plan and every
    # refusal must be what reading that file alone gives
    import tempfile

    from backplan.plan.store import read_plan_folder

    alone: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for i, doc in enumerate(documents):
            path = folder / f"plan-{i:02d}.json"
            path.write_bytes(
                doc if isinstance(doc, bytes) else doc.encode("utf-8", "surrogatepass")
            )
            try:
                alone[path.name] = bp.load_plan(path)
            except bp.BackplanError as exc:
                alone[path.name] = str(exc).replace(str(path), path.name)
        try:
            found = read_plan_folder(folder)
        except bp.PlanError:
            assert all(isinstance(v, str) for v in alone.values())
            return
    together = dict(zip(found.files, found.plans, strict=True)) | dict(found.unreadable)
    assert together == alone
