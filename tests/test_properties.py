"""The seven properties of docs/architecture.md, as Hypothesis properties over generated scenarios."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from sim.core import events as ev
from sim.core.working import fold
from sim.engine.loop import Engine, fork, simulate
from sim.scenario.models import Scenario
from sim.store.sqlite import log_digest
from sim.testing import (
    assert_causality,
    assert_conservation,
    assert_deadlines_hold,
    assert_deterministic,
    assert_fork_exact,
    assert_replays,
    assert_symmetric,
    canonical,
    renamed,
    reversed_sides,
    scenarios,
    with_end,
)
from tests.helpers import small_scenario


@given(scenarios())
def test_generated_scenarios_are_valid_and_round_trip(scenario: Scenario) -> None:
    """The strategy only draws valid scenarios: each survives a JSON round trip unchanged."""
    again = Scenario.model_validate(scenario.model_dump(mode="json"))
    assert again == scenario
    assert again.sha256() == scenario.sha256()


@given(scenarios())
def test_1_conservation(scenario: Scenario) -> None:
    """Arrivals minus departures equals headcount for every mission, never negative."""
    assert_conservation(simulate(scenario).log)


@given(scenarios())
def test_2_deadlines_hold(scenario: Scenario) -> None:
    """After each deadline the measure binds on every following day."""
    assert_deadlines_hold(simulate(scenario).log, scenario.horizon)


@given(scenarios(), st.data())
def test_3_replay_whole_log_and_prefixes(scenario: Scenario, data: st.DataObject) -> None:
    """The stored log folds to the engine's final state, and a prefix through day d folds to
    the final state of the same scenario run only up to day d."""
    engine = simulate(scenario)
    assert_replays(engine.log, engine.state)
    day = data.draw(st.integers(0, scenario.horizon - 1), label="day")
    shorter = simulate(with_end(scenario, day))
    prefix = [event for event in engine.log if event.day <= day]
    assert fold(prefix) == shorter.state
    assert log_digest(prefix) == log_digest(shorter.log)


@given(scenarios())
def test_4_determinism(scenario: Scenario) -> None:
    """Same scenario and seed: byte-identical logs."""
    assert_deterministic(scenario)


@given(scenarios())
def test_5_causality(scenario: Scenario) -> None:
    """Every cause exists and precedes its effect; answers cite acts of the other side."""
    assert_causality(simulate(scenario).log)


@given(scenarios())
def test_6_listing_order_of_sides_changes_nothing(scenario: Scenario) -> None:
    """Swapping the sides' positions in the file changes no side's outcome (SimPy's
    same-time creation order would favour the first-listed side)."""
    assert_symmetric(scenario)


@given(scenarios(symmetric=True, states=(3, 6)), st.randoms(use_true_random=False))
def test_6_symmetric_scenario_of_n_states_permuting_names_permutes_outcome(
    scenario: Scenario, rng: random.Random
) -> None:
    """In a symmetric scenario of three to six states, renaming the states by any permutation
    (positions kept) gives the outcome of listing them in the permuted order: each name's
    missions get what that name's missions got before, whatever position it is listed at."""
    names = [side.name for side in scenario.sides]
    shuffled = rng.sample(names, len(names))
    permutation = dict(zip(names, shuffled, strict=True))
    note(f"renamed by {permutation}")
    assert canonical(simulate(renamed(scenario, permutation)).log) == canonical(simulate(scenario).log)


@given(scenarios(states=(3, 6)))
def test_6_same_day_ties_stay_neutral_across_all_states(scenario: Scenario) -> None:
    """Listing the states (and their missions) in reverse changes no state's outcome: every
    state's work of a day is independent of its position, not only with two."""
    assert_symmetric(scenario)


@given(scenarios(symmetric=True, states=(2, 2)))
def test_6_symmetric_scenario_swapping_names_swaps_outcome(scenario: Scenario) -> None:
    """In a symmetric scenario, swapping the two names swaps the outcome: what the side at
    position 0 gets after the swap is what the side at position 1 got before."""
    a, b = (side.name for side in scenario.sides)
    swapped = scenario.model_copy(
        update={
            "sides": (
                scenario.sides[0].model_copy(update={"name": b}),
                scenario.sides[1].model_copy(update={"name": a}),
            ),
            "acts": tuple(
                act.model_copy(update={"actor": b if act.actor == a else a}) for act in scenario.acts
            ),
        }
    )
    assert canonical(simulate(swapped).log) == canonical(simulate(reversed_sides(scenario)).log)


@given(scenarios(), st.data())
def test_7_fork_at_any_event_reproduces_the_suffix(scenario: Scenario, data: st.DataObject) -> None:
    """Forking the log at event k (at the start of its day) and continuing under the
    unchanged scenario reproduces the original events from there on exactly."""
    engine = simulate(scenario)
    k = data.draw(st.integers(0, len(engine.log) - 1), label="k")
    day = engine.log[k].day
    note(f"fork at event {k}, day {day}")
    assert_fork_exact(scenario, engine.log, day)


def test_fork_day_boundary_is_required() -> None:
    """A prefix that reaches into the fork day is refused rather than silently diverging."""
    scenario = small_scenario()
    engine = simulate(scenario)
    last_day = engine.log[-1].day
    with pytest.raises(ValueError, match="fork day"):
        Engine(scenario).run(engine.log, fork_day=last_day)


EXPEL_B = {"date": "2020-06-01", "actor": "A", "kind": "expel", "size": 4, "deadline_days": 10}


@pytest.mark.parametrize("fork_date", ["2020-03-01", "2020-06-03"])
def test_fork_continues_under_a_changed_policy(fork_date: str) -> None:
    """History with B silent, forked before A's expulsion or between it and B's answer:
    the prefix is kept event for event, and under tit-for-tat B answers in kind 7 days after
    the act, even when the act itself lies in the kept prefix."""
    silent = small_scenario(acts=[EXPEL_B])
    history = simulate(silent)
    tft = small_scenario(
        acts=[EXPEL_B], policies=({"kind": "none"}, {"kind": "tit_for_tat", "delay_days": 7})
    )
    day = tft.day_of(dt.date.fromisoformat(fork_date))
    forked = fork(tft, history.log, day)
    kept = [e for e in history.log if e.day < day]
    assert forked.log[: len(kept)] == kept
    answers = [e for e in forked.log if type(e) is ev.ExpulsionOrdered and e.actor == "B"]
    assert len(answers) == 1
    act = next(e for e in forked.log if type(e) is ev.ExpulsionOrdered and e.actor == "A")
    assert answers[0].cause == act.seq and answers[0].count == 4
    assert answers[0].day == act.day + 7
    assert not any(type(e) is ev.ExpulsionOrdered and e.actor == "B" for e in history.log)


def test_work_that_falls_due_again_the_same_day_is_done_that_day() -> None:
    """A visa request made after the host's desk has run, with a processing time of 0 days,
    is decided that same day; a fork the next day must find nothing overdue (regression: the
    desk was not re-queued, so the original left the request pending and a fork decided it)."""
    mission = {
        "posts": {"embassy": {"diplomat": 0, "admin_technical": 2, "local": 0}},
        "tour_days": {"diplomat": 20, "admin_technical": 20, "local": 20},
        "travel_days": 0,
    }
    scenario = Scenario.model_validate(
        {
            "start": "2000-01-01",
            "end": "2000-01-31",
            "seed": 30,
            "sides": [
                {"name": "US", "mission": mission, "visas": {"policy": "issue", "processing_days": [0, 2]}},
                {
                    "name": "RU",
                    "mission": {**mission, "posts": {"embassy": {"admin_technical": 8}}},
                    "visas": {"policy": "issue", "processing_days": [0, 0]},
                },
            ],
        }
    )
    engine = simulate(scenario)
    overdue = [
        (name, rid)
        for name in engine.state.sides
        for rid, r in engine.state.mission(name).requests.items()
        if r.arrives is None and r.due < scenario.horizon
    ]
    assert overdue == []
    for day in range(20, 31):
        assert_fork_exact(scenario, engine.log, day)


@given(scenarios(sides=("US", "RU"), min_days=100, max_days=120))
def test_the_scenario_strategy_honours_fixed_sides_and_horizon(scenario: Scenario) -> None:
    assert [side.name for side in scenario.sides] == ["US", "RU"]
    assert 100 <= scenario.horizon <= 120


@pytest.mark.parametrize(
    "options", [{"min_days": 0}, {"min_days": 50, "max_days": 40}, {"sides": ("US", "US")}]
)
@given(data=st.data())
def test_the_scenario_strategy_refuses_impossible_options(options: dict[str, Any], data: Any) -> None:
    with pytest.raises(ValueError):
        data.draw(scenarios(**options))
