"""Tests of the cooling_off plugin, written the way a user of the simulator would write them:
a table of decisions, the simulator's own invariants through ``sim.testing``, and one property
of the rule itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sim_cooling_off import CoolingOff

from sim.core import events as ev
from sim.core.kinds import is_hostile
from sim.core.state import Observation
from sim.engine.loop import simulate
from sim.policies import REGISTRY, SideView
from sim.policies.plugins import origin
from sim.scenario.loading import load_scenario
from sim.scenario.models import Scenario
from sim.testing import (
    assert_causality,
    assert_conservation,
    assert_deadlines_hold,
    assert_deterministic,
    assert_fork_exact,
    assert_replays,
    assert_symmetric,
    policies,
    scenarios,
)

HERE = Path(__file__).parent.parent
COOLING = st.builds(
    lambda delay, cooling, deadline: {
        "kind": "cooling_off",
        "delay_days": delay,
        "cooling_days": cooling,
        "deadline_days": deadline,
    },
    st.integers(1, 30),
    st.integers(0, 200),
    st.integers(0, 60),
)
#: Scenarios in which cooling_off plays one side or both, against any built-in policy.
PLAYED = scenarios(side_policies=st.one_of(COOLING, policies()), max_days=600).filter(
    lambda s: any(side.policy.kind == "cooling_off" for side in s.sides)
)


def test_the_entry_point_registers_it() -> None:
    assert REGISTRY["cooling_off"] is CoolingOff
    assert origin(CoolingOff).where.startswith("package sim-cooling-off ")


# --- the decision, as a table --------------------------------------------------------------


def view(day: int, my_acts: tuple[tuple[int, str, int], ...] = ()) -> SideView:
    return SideView(
        day=day,
        me="US",
        other="RU",
        my_headcount=100,
        their_headcount=100,
        their_open_posts=("embassy",),
        their_closed_posts=(),
        my_measures=frozenset({"cap"}),
        my_ambassador_present=True,
        my_acts=my_acts,
    )


def seen(kind: str, size: int = 1, missed: bool = False) -> Observation:
    return Observation(act=0, day=0, kind=kind, size=size, roles=(), detail="", missed=missed)


@pytest.mark.parametrize(
    ("observed", "today", "my_acts", "answer"),
    [
        (seen("expel", 4), 50, (), ("expel", 4)),  # nothing of mine yet: answer in kind
        (seen("expel", 4), 50, ((0, "expel", 2),), None),  # my expulsion 50 days ago: cooling
        (seen("expel", 4), 90, ((0, "expel", 2),), ("expel", 4)),  # 90 days: cooled off
        (seen("expel", 4), 50, ((0, "statement", 1),), ("expel", 4)),  # a statement is not hostile
        (seen("cap", 30), 10, ((5, "cap", 40),), None),  # any hostile act of mine counts
        (seen("lift_cap"), 10, ((5, "cap", 40),), ("lift_cap", 1)),  # concessions at once
        (seen("expel", 4, missed=True), 50, (), None),  # what it did not see, it cannot answer
    ],
)
def test_decisions(
    observed: Observation,
    today: int,
    my_acts: tuple[tuple[int, str, int], ...],
    answer: tuple[str, int] | None,
) -> None:
    policy = CoolingOff(cooling_days=90)
    acts = policy.respond([observed], view(today, my_acts))
    assert [(a.kind, a.size) for a in acts] == ([answer] if answer else [])


def test_parameters_are_validated() -> None:
    with pytest.raises(ValueError, match="cooling_days"):
        CoolingOff(cooling_days=-1)


# --- the simulator's invariants, with this policy on one side or both ------------------------


@settings(max_examples=40)
@given(PLAYED)
def test_runs_keep_every_invariant(scenario: Scenario) -> None:
    engine = simulate(scenario)
    assert_conservation(engine.log)
    assert_deadlines_hold(engine.log, scenario.horizon)
    assert_causality(engine.log)
    assert_replays(engine.log, engine.state)


@settings(max_examples=20)
@given(PLAYED)
def test_runs_are_deterministic_and_fork_exactly(scenario: Scenario) -> None:
    assert_deterministic(scenario)
    engine = simulate(scenario)
    assert_fork_exact(scenario, engine.log, engine.log[len(engine.log) // 2].day)


@settings(max_examples=20)
@given(scenarios(side_policies=COOLING, symmetric=True, max_days=600))
def test_mirrored_sides_fare_alike(scenario: Scenario) -> None:
    assert_symmetric(scenario)


# --- the rule itself -------------------------------------------------------------------------


@settings(max_examples=40)
@given(scenarios(side_policies=COOLING, sides=("US", "RU"), max_days=600))
def test_no_answer_comes_within_the_cooling_off_period(scenario: Scenario) -> None:
    """Every hostile act the policy takes comes at least cooling_days after the side's previous
    hostile act (its own answers, and the scenario's acts on its behalf alike)."""
    cooling = {side.name: side.policy.cooling_days for side in scenario.sides}
    last: dict[str, int] = {}
    for event in simulate(scenario).log:
        if not getattr(event, "IS_ACT", False) or not is_hostile(event):
            continue
        if event.source == "simulated" and event.actor in last:
            assert event.day - last[event.actor] >= cooling[event.actor], event
        last[event.actor] = event.day


def test_the_bundled_scenario_runs() -> None:
    scenario = load_scenario(HERE / "scenarios" / "cooling-off.yaml")
    log = simulate(scenario).log
    us_expelled = sum(e.count for e in log if isinstance(e, ev.ExpulsionOrdered) and e.actor == "RU")
    assert us_expelled == 10 + 8 + 16  # the hard liner doubles each US expulsion it answers
