"""Each sweep metric on a small hand-made log whose answers are known by heart."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

from sim.analysis.metrics import answer_depths, headcount_series, metric_columns, run_metrics
from sim.core import events as ev
from sim.engine.loop import simulate
from sim.testing import scenarios


class Log:
    """Builds a log with consecutive ``seq`` numbers; ``add`` returns the new event's seq."""

    def __init__(self) -> None:
        self.events: list[ev.Event] = []

    def add(self, cls: type[ev.Event], day: int, actor: str, **fields: object) -> int:
        target = fields.pop("target", "B" if actor == "A" else "A")
        self.events.append(cls(seq=len(self.events), day=day, actor=actor, target=target, **fields))
        return len(self.events) - 1

    def arrive(self, day: int, mission: str, n: int = 1) -> list[int]:
        return [
            self.add(ev.StaffArrived, day, mission, role="diplomat", post="embassy", arrived=day, tour_end=99)
            for _ in range(n)
        ]

    def depart(self, day: int, mission: str, people: list[int], reason: str = "tour_end") -> None:
        for person in people:
            self.add(ev.StaffDeparted, day, mission, person=person, reason=reason)

    def expel(self, day: int, actor: str, count: int, cause: int | None = None) -> int:
        return self.add(
            ev.ExpulsionOrdered,
            day,
            actor,
            cause=cause,
            count=count,
            roles=("diplomat",),
            rule="longest_serving",
            deadline=day + 5,
        )

    def observe(self, day: int, actor: str, act: int) -> int:
        return self.add(ev.ActObserved, day, actor, cause=act, act=act, kind="expel", size=1)


@pytest.fixture
def spiral() -> Log:
    """A (4 staff) and B (2 staff); A expels 2, B answers through an observation, A answers
    B directly (a documented answer), then B lifts nothing and makes a statement on day 30."""
    log = Log()
    a = log.arrive(0, "A", 4)
    b = log.arrive(0, "B", 2)
    first = log.expel(1, "A", 1)  # against B's mission
    seen = log.observe(3, "B", first)
    second = log.expel(3, "B", 2, cause=seen)  # answer through ActObserved
    log.depart(6, "B", b[:1], "expelled")
    third = log.expel(5, "A", 1, cause=second)  # a direct answer
    log.depart(8, "A", a[:2], "expelled")
    log.depart(9, "A", a[2:3])  # a tour ends
    log.arrive(12, "A", 1)
    log.add(ev.StatementMade, 30, "B", cause=third, note="no retaliation for now")
    return log


def test_metric_columns_name_every_value(spiral: Log) -> None:
    metrics = run_metrics(spiral.events, ["A", "B"], horizon=40)
    assert list(metrics) == metric_columns(["A", "B"])


def test_headcount_series_is_a_daily_cumulative_sum(spiral: Log) -> None:
    series = headcount_series(spiral.events, ["A", "B"], horizon=14)
    assert series["A"].tolist() == [4] * 8 + [2, 1, 1, 1, 2, 2, 2]
    assert series["B"].tolist() == [2] * 6 + [1] * 9
    assert series["A"].dtype == np.int64


def test_final_and_minimum_headcount(spiral: Log) -> None:
    m = run_metrics(spiral.events, ["A", "B"], horizon=40)
    assert (m["final_A"], m["min_A"]) == (2, 1)
    assert (m["final_B"], m["min_B"]) == (1, 1)


def test_day_below_half_is_strictly_below(spiral: Log) -> None:
    m = run_metrics(spiral.events, ["A", "B"], horizon=40)
    assert m["below_half_day_A"] == 9  # 2 of 4 on day 8 is half, not below; 1 on day 9 is
    assert m["below_half_day_B"] is None  # 1 of 2 is half, never below


def test_people_expelled_per_mission(spiral: Log) -> None:
    m = run_metrics(spiral.events, ["A", "B"], horizon=40)
    assert (m["expelled_A"], m["expelled_B"]) == (2, 1)  # the tour end on day 9 is no expulsion


def test_hostile_acts_per_side_leave_out_statements(spiral: Log) -> None:
    m = run_metrics(spiral.events, ["A", "B"], horizon=40)
    assert (m["hostile_acts_A"], m["hostile_acts_B"]) == (2, 1)


def test_escalation_rounds_follow_causes_through_observations(spiral: Log) -> None:
    depths = answer_depths(spiral.events)
    acts = [e.seq for e in spiral.events if e.IS_ACT]
    assert [depths[s] for s in acts] == [1, 2, 3, 4]  # the statement answers the third act
    assert run_metrics(spiral.events, ["A", "B"], horizon=40)["escalation_rounds"] == 4


def test_escalation_rounds_is_the_longest_of_several_chains() -> None:
    log = Log()
    log.arrive(0, "A", 1)
    log.arrive(0, "B", 1)
    one = log.expel(1, "A", 1)
    log.expel(2, "B", 1, cause=one)
    log.expel(3, "B", 1)  # a second opening
    departure = log.add(ev.StaffDeparted, 4, "A", person=0, reason="tour_end")
    log.expel(5, "A", 1, cause=departure)  # a false alarm answered: a departure is no act
    assert sorted(answer_depths(log.events).values()) == [1, 1, 1, 2]
    assert run_metrics(log.events, ["A", "B"], horizon=6)["escalation_rounds"] == 2


def test_last_actor_and_day_of_the_last_hostile_act(spiral: Log) -> None:
    m = run_metrics(spiral.events, ["A", "B"], horizon=40)
    assert (m["last_actor"], m["last_hostile_day"]) == ("A", 5)  # B's statement is not hostile


def test_last_actor_is_both_on_a_shared_day() -> None:
    log = Log()
    log.arrive(0, "A", 3)
    log.arrive(0, "B", 3)
    log.expel(2, "B", 1)
    log.expel(2, "A", 1)
    m = run_metrics(log.events, ["A", "B"], horizon=3)
    assert (m["last_actor"], m["last_hostile_day"]) == ("both", 2)


def test_a_quiet_run_has_no_last_actor() -> None:
    log = Log()
    log.arrive(0, "A", 2)
    log.arrive(0, "B", 2)
    log.add(ev.VisaPolicyChanged, 1, "A", policy="issue")  # an act, but not hostile
    m = run_metrics(log.events, ["A", "B"], horizon=3)
    assert (m["hostile_acts_A"], m["escalation_rounds"]) == (0, 1)
    assert (m["last_actor"], m["last_hostile_day"]) == (None, None)
    assert m["events"] == 5


def test_run_metrics_agree_with_the_sim_run_table() -> None:
    from sim.analysis.metrics import mission_metrics
    from sim.analysis.projections import staffing_changes
    from sim.engine.loop import simulate
    from tests.helpers import small_scenario

    scenario = small_scenario(
        {"kind": "tit_for_tat", "delay_days": 5, "deadline_days": 10},
        acts=[{"date": "2020-03-01", "actor": "A", "kind": "expel", "size": 3, "deadline_days": 7}],
    )
    engine = simulate(scenario)
    names = list(engine.names)
    flat = run_metrics(engine.log, names, scenario.horizon)
    changes = staffing_changes(engine.log, names, scenario.start)
    table = mission_metrics(engine.log, changes, names, scenario.start, scenario.horizon)
    for row in table:
        name = row["mission"]
        assert (flat[f"final_{name}"], flat[f"min_{name}"]) == (row["end"], row["minimum"])
        assert flat[f"expelled_{name}"] == row["expelled"]
        assert flat[f"hostile_acts_{name}"] == row["hostile_acts_by_side"]
    assert flat["escalation_rounds"] > 2


@settings(max_examples=20, deadline=None)
@given(scenarios())
def test_the_one_pass_of_a_sweep_gives_the_three_passes_numbers(scenario: Any) -> None:
    """``series_and_counts`` (what a sweep worker computes) against the separate passes."""
    from sim.analysis.metrics import series_and_counts

    engine = simulate(scenario)
    names = list(engine.names)
    series, counts = series_and_counts(engine.log, names, scenario.horizon)
    apart = headcount_series(engine.log, names, scenario.horizon)
    assert all((series[n] == apart[n]).all() for n in names)
    assert counts[3] == answer_depths(engine.log)
    assert run_metrics(engine.log, names, scenario.horizon, series, counts) == run_metrics(
        engine.log, names, scenario.horizon
    )
