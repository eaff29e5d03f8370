"""The kernel rebuild's hand-written baselines (``bench/simpy_model.py``, ``bench/heapq_model.py``)
really do the engine's job.

Why: ``bench/run.py --only engine_rotation_rule`` holds the rebuilt engine to ratios against
these models. A model that skipped work (no one-for-one gate, no rotation limit, nobody
answering an expulsion) would be faster for the wrong reason and make the targets meaningless,
so each mechanic the benchmark scenarios use is checked here on the models' own event records,
and the outcome against the engine's, computed here on the same scenario. The models draw from
one sequential random stream (not the engine's keyed draws) and break same-day ties in
scheduling order, so their runs are not the engine's: over 30 seeds of rotation-rule-2021 the
three agree on the mean final headcount within 0.5 person, and one seed lies within ~7%.
A final headcount alone would not notice a missing one-for-one gate (it does not bind by 2025)
or a missing rotation limit (+4%): those have their own checks. Nothing here is timed.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from bench import heapq_model, simpy_model
from bench.model_common import World, headcounts
from bench.model_input import plain
from sim.engine.loop import simulate
from sim.scenario.loading import load_scenario
from sim.scenario.models import Scenario
from tests.helpers import small_scenario

ROTATION_RULE = Path(__file__).parent.parent / "scenarios" / "rotation-rule-2021.yaml"
MODELS: dict[str, Callable[[Scenario], World]] = {
    "simpy": simpy_model.simulate,
    "heapq": heapq_model.simulate,
}
TOLERANCE = 0.10  # final headcount per mission, relative to the engine's

ECHO = {"kind": "tit_for_tat", "delay_days": 7, "deadline_days": 14}  # answers every act, misses none
OPENING = [{"date": "2020-03-01", "actor": "A", "kind": "expel", "size": 3, "deadline_days": 7}]


@functools.cache
def rotation_rule() -> Scenario:
    return load_scenario(ROTATION_RULE)


@functools.cache
def model_run(model: str) -> World:
    return MODELS[model](rotation_rule())


def stays(world: World) -> dict[int, tuple[str, str, int, int, int | None]]:
    """Every person from the records: ``pid -> (mission, role, arrived, last day present, left)``
    (``left`` is the departure day, ``None`` for people still there at the end)."""
    people: dict[int, tuple[str, str, int, int, int | None]] = {}
    for seq, day, kind, mission, subject, detail in world.events:
        if kind == "StaffArrived":
            people[seq] = (mission, detail[0], detail[2], world.horizon, None)
        elif kind == "StaffDeparted":
            mission_, role, arrived, _, _ = people[subject]
            people[subject] = (mission_, role, arrived, day - 1, day)
    return people


@pytest.mark.parametrize("model", MODELS)
def test_conservation(model: str) -> None:
    """Arrivals minus departures is the headcount, per mission and per (post, role) (people moved
    to the embassy counted there), and never negative on the way."""
    world = model_run(model)
    at: dict[int, tuple[str, str, str]] = {}  # pid -> (mission, post, role)
    present: Counter[tuple[str, str, str]] = Counter()
    for seq, _, kind, mission, subject, detail in world.events:
        if kind == "StaffArrived":
            at[seq] = (mission, detail[1], detail[0])
            present[at[seq]] += 1
        elif kind == "StaffDeparted":
            present[at.pop(subject)] -= 1
        elif kind == "StaffReassigned":
            present[at[subject]] -= 1
            at[subject] = (mission, detail, at[subject][2])
            present[at[subject]] += 1
        else:
            continue
        assert min(present.values()) >= 0, f"seq {seq}: a negative headcount"
    for name, m in world.missions.items():
        assert sum(m.counts.values()) == len(m.staff) == sum(1 for k, _, _ in at.values() if k == name)
        assert all(m.counts[post, role] == present[name, post, role] for post, role in m.keys)
    assert set(at) == {pid for m in world.missions.values() for pid in m.staff}


@pytest.mark.parametrize("model", MODELS)
def test_nobody_serves_past_a_rotation_limit(model: str) -> None:
    """From a rotation limit's deadline on, nobody of the limited roles is present at the end of
    a day on which they have served the limit or more (the engine's deadline property)."""
    world = model_run(model)
    acts = {seq: detail for seq, _, kind, _, _, detail in world.events if kind == "rotation_limit"}
    limits = [(day, mission, acts[subject]) for _, day, kind, mission, subject, _ in world.events
              if kind == "DeadlineReached" and subject in acts]  # fmt: skip
    assert len(limits) == 2, "rotation-rule-2021 has a rotation limit on each side"
    people = stays(world)
    for since, name, limit in limits:
        for pid, (mission, role, arrived, last, _) in people.items():
            if mission == name and role in limit.roles and last >= since:
                assert last - arrived < limit.size, f"{name} person {pid} served {last - arrived} days"
    reasons = Counter(detail for _, _, kind, _, _, detail in world.events if kind == "StaffDeparted")
    assert reasons["rotation_limit"] > 50, "the limits sent people home (the check above is not vacuous)"


@pytest.mark.parametrize("model", MODELS)
def test_one_for_one_never_issues_ahead(model: str) -> None:
    """Under one-for-one terms a host issues a mission's staff no more visas (since the terms
    changed) than that mission's side issued to the host's staff before that day."""
    world = model_run(model)
    issued: Counter[str] = Counter()
    before: dict[str, Counter[int]] = {name: Counter() for name in world.missions}  # day -> visas
    terms: dict[str, tuple[int, int, int]] = {}  # mission -> (credit, ours then, theirs then)
    other = {m.name: m.host for m in world.missions.values()}
    held = 0
    for _, day, kind, mission, _, detail in world.events:
        if kind == "visa_policy" and detail.visa_policy == "one_for_one":
            terms[mission] = (detail.credit, issued[mission], issued[other[mission]])
        elif kind == "VisaIssued":
            issued[mission] += 1
            before[mission][day] += 1
            if mission in terms:
                credit, ours_then, theirs_then = terms[mission]
                theirs = issued[other[mission]] - before[other[mission]][day] - theirs_then
                assert issued[mission] - ours_then <= theirs + credit, f"day {day}: {mission} got ahead"
                held += 1
    assert terms.keys() == {"US"} and held > 100, "Russia's one-for-one terms bound many US visas"


@pytest.mark.parametrize("model", MODELS)
def test_final_headcounts_near_the_engine(model: str) -> None:
    engine = simulate(rotation_rule())
    expected = {name: engine.state.mission(name).headcount for name in engine.state.sides}
    got = headcounts(model_run(model))
    for name, n in expected.items():
        assert abs(got[name] - n) <= TOLERANCE * n, f"{name}: {got[name]} people, the engine {n}"
    locals_ = {name: sum(n for (_, role), n in m.counts.items() if role == "local")
               for name, m in model_run(model).missions.items()}  # fmt: skip
    assert locals_["US"] == 0, "no locals under Russia's local-hire ban"


@pytest.mark.parametrize("model", MODELS)
def test_tit_for_tat_answers_like_the_engine(model: str) -> None:
    """The big scenario's mechanic: each expulsion answered in kind ``delay_days`` later, until
    the other side has nobody of those roles left; the same answers and the same people
    expelled as the engine (its REACT phase runs before same-day deadlines, so it announces
    two more answers against missions about to be emptied; they expel nobody)."""
    scenario = small_scenario(policy=ECHO, acts=OPENING)
    engine = simulate(scenario)
    expected = [(e.day, e.actor, e.count) for e in engine.log if type(e).__name__ == "ExpulsionOrdered"]
    gone = Counter(e.actor for e in engine.log if getattr(e, "reason", None) == "expelled")
    world = MODELS[model](scenario)
    answers = [(day, actor, act.size) for _, day, kind, _, actor, act in world.events if kind == "expel"]
    assert len(answers) >= 20 and answers == expected[: len(answers)]
    left = Counter(
        m for _, _, kind, m, _, why in world.events if kind == "StaffDeparted" and why == "expelled"
    )
    assert left == gone


def test_the_models_refuse_what_they_do_not_model() -> None:
    """A scenario outside the models' scope is refused up front, never run differently."""
    lift = [*OPENING, {"date": "2020-06-01", "actor": "A", "kind": "lift_expulsions"}]
    with pytest.raises(NotImplementedError, match="lift_expulsions"):
        plain(small_scenario(acts=lift))
    with pytest.raises(NotImplementedError, match="grim_trigger"):
        plain(small_scenario(policy={"kind": "grim_trigger"}))
