"""Properties: no level-up, revision or review ever breaks a plan's restrictions or dose bounds."""

from __future__ import annotations

import functools
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import backplan as bp
import backplan.plan.revise as revise_module
from backplan.plan.restrictions import breaks
from backplan.plan.rules import DOSE_BOUNDS

CAT = bp.load_catalogue()
START = date(2026, 1, 5)
EQUIPMENT = ["wall", "chair"]
TARGETS = sorted({t for cell in CAT["targets"] for t in bp.split_list(cell)})


@st.composite
def restrictions(draw: st.DrawFn) -> bp.Restrictions:
    return bp.Restrictions(
        avoid_positions=draw(st.lists(st.sampled_from(bp.POSITIONS), max_size=2, unique=True)),
        equipment=draw(st.none() | st.lists(st.sampled_from(EQUIPMENT), unique=True)),
        lacks_equipment=draw(st.lists(st.sampled_from(EQUIPMENT), unique=True)),
        avoid_targets=draw(st.lists(st.sampled_from(TARGETS), max_size=2, unique=True)),
    )


def dose(draw: st.DrawFn, wide: bool = False) -> dict[str, int]:
    """A dose override; ``wide`` also draws values just outside the bounds."""
    out = {}
    for field in draw(st.lists(st.sampled_from(list(DOSE_BOUNDS)), unique=True, max_size=3)):
        lo, hi = DOSE_BOUNDS[field]
        out[field] = draw(st.integers(lo - 1, hi + 1) if wide else st.integers(lo, hi))
    return out


@functools.cache
def _breaks(exercise: str, limits: bp.Restrictions) -> str | None:
    """:func:`breaks` on the shipped catalogue, once per exercise and restrictions (a
    catalogue look-up each time was a quarter of these properties' run time)."""
    return breaks(CAT, exercise, limits)


def assert_safe(plan: bp.Plan) -> None:
    """Every week's doses are within bounds and keep to the plan's restrictions."""
    for week in range(1, plan.weeks + 1):
        for p in bp.dose_in_week(plan, week):
            assert _breaks(p.exercise, plan.restrictions) is None, (week, p)
            for field, (lo, hi) in DOSE_BOUNDS.items():
                assert lo <= getattr(p, field) <= hi, (week, p, field)


@st.composite
def safe_plans(draw: st.DrawFn) -> bp.Plan | None:
    limits = draw(restrictions())
    if bp.allowed_exercises(CAT, limits, "beginners").empty:
        return None
    weeks = draw(st.integers(2, 10))
    rules: list = []
    if draw(st.booleans()):
        what = draw(st.sampled_from(["reps", "hold_s"]))
        rules.append(bp.AddDose(what=what, amount=draw(st.integers(1, 5)),
                                cap=draw(st.integers(1, DOSE_BOUNDS[what][1]))))  # fmt: skip
    if draw(st.booleans()) and not bp.allowed_exercises(CAT, limits, "more advanced").empty:
        rules.append(bp.next_level(CAT, draw(st.integers(2, weeks)), **dose(draw)))
    try:
        return bp.build_plan(CAT, "beginners", start_date=START, weeks=weeks,
                             restrictions=limits, progression=rules, **dose(draw))  # fmt: skip
    except bp.PlanError as exc:  # e.g. a cap below a drawn dose: refused, never unsafe
        assert "cap" in str(exc)
        return None


@settings(max_examples=80, deadline=None)
@given(plan=safe_plans(), data=st.data())
def test_level_ups_and_revisions_never_break_restrictions_or_bounds(plan, data) -> None:
    if plan is None:
        return
    assert_safe(plan)
    for _ in range(data.draw(st.integers(1, 3))):
        week = data.draw(st.integers(1, plan.weeks))
        exercise = data.draw(st.sampled_from(list(CAT["id"])))
        fields = data.draw(st.fixed_dictionaries({}, optional={
            f: st.integers(lo - 1, hi + 1) for f, (lo, hi) in DOSE_BOUNDS.items()}))  # fmt: skip
        before = plan
        try:
            plan = bp.revise(plan, week, {exercise: fields}, why="property", by="test")
        except bp.PlanError:
            assert plan is before  # refused; the plan is left as it was
            continue
        assert_safe(plan)
        assert len(plan.revisions) == len(before.revisions) + 1


def logs_for(plan: bp.Plan, weeks: int, done: list[float], pain: list[int | None]) -> pd.DataFrame:
    rows = []
    for week in range(1, weeks + 1):
        for day in range(7):
            for p in bp.dose_in_week(plan, week):
                if (day + 1) / 7 > done[week - 1] + 1e-9:
                    continue
                rows.append((plan.patient, (START + timedelta(days=7 * (week - 1) + day)).isoformat(),
                             p.exercise, p.sets, p.reps, pain[week - 1]))  # fmt: skip
    cols = ["patient", "date", "exercise", "sets_done", "reps_done", "pain"]
    out = pd.DataFrame.from_records(rows, columns=cols)
    out["pain"] = out["pain"].astype("Float64")
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=safe_plans(), data=st.data())
def test_reviews_applied_never_break_restrictions_or_bounds(plan, data) -> None:
    if plan is None or plan.weeks < 3:
        return
    plan = plan.model_copy(update={"patient": "P1"})
    done = data.draw(st.lists(st.sampled_from([0.0, 3 / 7, 5 / 7, 1.0]), min_size=2, max_size=2))
    pain = data.draw(st.lists(st.none() | st.integers(0, 10), min_size=2, max_size=2))
    if not any(done):
        done[0] = 1.0
    logs = logs_for(plan, 2, done, pain)
    r = bp.review(plan, logs, week=2)
    new = bp.apply_review(plan, r, by="test")
    assert_safe(new)
    now = {p.exercise: p.reps for p in bp.dose_in_week(plan, 2)}
    nxt = {p.exercise: p.reps for p in bp.dose_in_week(new, 3)}
    if r.decision != "progress":  # no move up to the next level after a hold or step back
        assert bp.level_in_week(new, 3) == bp.level_in_week(plan, 2)
    if bp.level_in_week(new, 3) != bp.level_in_week(plan, 2):
        assert r.decision == "progress"
        return
    for ex, reps in nxt.items():
        direction = {"progress": 1, "hold": 0, "step back": -1}[
            r.exercises.set_index("exercise").at[ex, "decision"]]  # fmt: skip
        assert (reps - now[ex]) * direction >= 0 and (direction or reps == now[ex])
    assert [bp.dose_in_week(new, w) for w in (1, 2)] == [bp.dose_in_week(plan, w) for w in (1, 2)]


@pytest.mark.parametrize("week", [1, 2])
def test_earlier_weeks_never_change(week: int) -> None:
    plan = bp.build_plan(CAT, "beginners", ["heel-raises"], start_date=START, weeks=4,
                         progression=[bp.AddDose(what="reps", amount=2, cap=20)])  # fmt: skip
    new = bp.revise(plan, 3, {"heel-raises": {"reps": 5}}, why="x", by="y")
    assert bp.dose_in_week(new, week) == bp.dose_in_week(plan, week)


# --- sequences of revisions and reviews: what they say is what happens -----------------------

NAMES = dict(zip(CAT["name"], CAT["id"], strict=True))


def levels_of(plan: bp.Plan) -> dict[str, set[str]]:
    out = {plan.level: {p.exercise for p in plan.prescriptions}}
    for rule in plan.progression:
        if isinstance(rule, bp.NextLevel):
            out[rule.level] = {p.exercise for p in rule.prescriptions}
    return out


def doses(plan: bp.Plan, week: int) -> dict[str, bp.Prescription]:
    return {p.exercise: p for p in bp.dose_in_week(plan, week)}


def assert_revisions_hold(plan: bp.Plan) -> None:
    """Every revision's doses are done from its week on, until a later revision changes them.

    A revised exercise of one level is done in every week at that level (a planned level-up
    ends it); one of no level is done every week. A later revision that names the exercise
    or moves the level in a week takes over from that week.
    """
    lists = levels_of(plan)
    phased = set().union(*lists.values())
    for i, rev in enumerate(plan.revisions):
        upto = plan.model_copy(update={"revisions": plan.revisions[: i + 1]})
        for p in rev.prescriptions:
            shown = []
            for week in range(rev.from_week, plan.weeks + 1):
                level = bp.level_in_week(upto, week)
                belongs = p.exercise in lists[level] or p.exercise not in phased
                got = doses(upto, week).get(p.exercise)
                assert got == (p if belongs else None), (rev.number, week, p, got)
                shown.append(got is not None)
                later = [r for r in plan.revisions[i + 1 :] if r.from_week <= week and (
                    p.exercise in r.stop or p.exercise in {q.exercise for q in r.prescriptions})]  # fmt: skip
                if not later and bp.level_in_week(plan, week) == level:
                    assert doses(plan, week).get(p.exercise) == got, (rev.number, week, p)
            waiting = p.exercise in set().union(*(lists[lv] for lv in lists if lv != plan.level))
            assert any(shown) or waiting, f"revision {rev.number} is never done: {p}"


def assert_words_are_true(before: bp.Plan, after: bp.Plan) -> None:
    """The latest revision's ``what`` and :func:`what_changed` name only real changes."""
    rev = after.revisions[-1]
    week = rev.from_week
    new = doses(after, week)
    last = doses(before, week - 1) if week > 1 else doses(before, week)
    planned = doses(before, week)
    levels = [
        (bp.level_in_week(before, w), bp.level_in_week(after, w))
        for w in range(week, after.weeks + 1)
    ]
    moved = any(was != now for was, now in levels)
    said = any(w in rev.what for w in ("stays at", "moves to", "the move to"))
    assert moved == said or rev.what.startswith(f"moves to {levels[0][1]} as planned"), rev.what
    named = {p.exercise for p in rev.prescriptions} | set(rev.stop)
    for old in before.revisions:
        touched = named & ({p.exercise for p in old.prescriptions} | set(old.stop))
        said = f"replaces revision {old.number} (from week {old.from_week})" in rev.what
        assert said == (old.from_week > week and bool(touched)), rev.what
    for part in rev.what.split("; "):
        if part.startswith(("stays at", "moves to", "the move to", "doses ", "replaces")):
            continue
        name, change = part.rsplit(": ", 1)
        ex = NAMES[name]
        if change == "added":
            assert ex in new and (ex not in last or ex not in planned), rev.what
        elif change == "stopped":
            assert ex not in new and (ex in last or ex in planned), rev.what
        elif " (at " in change:  # a dose set ahead for the next level: not in force yet
            given = {p.exercise: p for p in rev.prescriptions}
            assert ex in given and ex not in new, rev.what
            for item in change.split(" (at ")[0].split(", "):
                field = {v: k for k, v in revise_module._LABELS.items()}[item.rsplit(" ", 3)[0]]
                assert getattr(given[ex], field) == int(item.rsplit(" ", 1)[1]), rev.what
        else:
            for item in change.split(", "):
                field = {v: k for k, v in revise_module._LABELS.items()}[item.rsplit(" ", 3)[0]]
                old, _, value = item.rsplit(" ", 3)[1:]
                assert getattr(new[ex], field) == int(value), rev.what
                assert int(old) in {getattr(d[ex], field) for d in (last, planned) if ex in d}
    if rev.what.startswith("doses kept"):  # each dose named is the one it would have had
        for p in rev.prescriptions:
            done = [w for w in range(week, after.weeks + 1) if p.exercise in doses(after, w)]
            if done and done[0] > week:  # set ahead: the same as the plan had for then
                assert doses(before, done[0]).get(p.exercise, p) == p, rev.what
    if (
        week > 1
        and new == last
        and bp.level_in_week(after, week - 1) == bp.level_in_week(after, week)
    ):
        now = [part for part in rev.what.split("; ") if " (at " not in part]  # not set ahead
        assert not any(w in part for part in now for w in ("added", "stopped", "->")), rev.what
        assert bp.what_changed(after) == [bp.what_changed(after)[0]]
        assert "keep doing your exercises" in bp.what_changed(after)[0]
    for sentence in bp.what_changed(after):
        for name, ex in NAMES.items():
            if f"start doing {name}:" in sentence:
                assert ex in new and ex not in last, sentence
            if f"stop doing {name}." in sentence:
                assert ex not in new and (ex in last or ex in planned), sentence


@st.composite
def level_up_plans(draw: st.DrawFn) -> bp.Plan | None:
    """Plans with a level-up (often), so holds and moves meet revisions."""
    weeks = draw(st.integers(3, 8))
    base = draw(st.lists(st.sampled_from(["heel-slides", "wall-squats", "heel-raises",
                                          "straight-leg-raises"]), min_size=1, max_size=3, unique=True))  # fmt: skip
    rules: list = []
    if draw(st.integers(0, 3)):
        up = draw(st.lists(st.sampled_from(["knee-to-chest", "heel-slides", "half-sit-ups"]),
                           min_size=1, max_size=2, unique=True))  # fmt: skip
        rules.append(bp.next_level(CAT, draw(st.integers(2, weeks)), exercises=up))
    if draw(st.booleans()):
        rules.append(bp.AddDose(what="reps", amount=draw(st.integers(1, 3)), cap=30))
    return bp.build_plan(CAT, "beginners", base, patient="P1", start_date=START, weeks=weeks,
                         progression=rules)  # fmt: skip


def one_step(plan: bp.Plan, data: st.DataObject) -> bp.Plan:
    if data.draw(st.booleans(), label="review"):
        week = data.draw(st.integers(1, plan.weeks - 1), label="reviewed week")
        done = data.draw(st.lists(st.sampled_from([3 / 7, 1.0]), min_size=week, max_size=week))
        pain = data.draw(st.lists(st.none() | st.integers(0, 8), min_size=week, max_size=week))
        r = bp.review(plan, logs_for(plan, week, done, pain), week=week)
        return bp.apply_review(plan, r, by="test")
    week = data.draw(st.integers(1, plan.weeks), label="week")
    known = sorted({p.exercise for p in plan.all_prescriptions()} | {"ankle-lifts"})
    named = data.draw(st.lists(st.sampled_from(known), max_size=2, unique=True), label="named")
    given = {ex: data.draw(st.fixed_dictionaries({}, optional={
        "reps": st.integers(1, 30), "sessions_per_day": st.integers(1, 3)})) for ex in named}  # fmt: skip
    stop = data.draw(st.lists(st.sampled_from(known), max_size=1), label="stop")
    return bp.revise(plan, week, given, stop=stop, why="property", by="test",
                     hold_level=data.draw(st.booleans(), label="hold_level"))  # fmt: skip


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=level_up_plans() | safe_plans(), data=st.data())
def test_revisions_and_reviews_do_what_they_say(plan, data) -> None:
    if plan is None:
        return
    plan = plan.model_copy(update={"patient": "P1"})
    for _ in range(data.draw(st.integers(1, 4), label="steps")):
        before = plan
        try:
            plan = one_step(plan, data)
        except (bp.PlanError, bp.LogError) as exc:
            assert plan is before and str(exc)  # refused with a reason; the plan is unchanged
            event(f"refused: {str(exc).splitlines()[-1][:60]}")
            continue
        event("applied")
        assert_safe(plan)
        assert_revisions_hold(plan)
        assert_words_are_true(before, plan)
        text = bp.plan_to_json(plan)
        again = bp.plan_from_json(text)
        assert again == plan and bp.plan_to_json(again) == text
