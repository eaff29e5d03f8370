"""One tour item a person (on the earlier of the tour's end and the rotation limit, queued again
when it finds its person not due) decides what a tour-end item and a limit item for everyone
decided: the same log on generated scenarios (limits imposed, lifted and imposed again), on a
lift in the middle of a run, and on the bundled rotation-rule scenario."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings

from sim.engine.calendar import KEY_SHIFT
from sim.engine.loop import Engine
from sim.scenario.loading import load_scenario
from sim.scenario.models import Scenario
from sim.store.sqlite import log_digest
from sim.testing import scenarios
from tests.test_mechanics import act, departures, run, side

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


class TwoTourItems(Engine):
    """Queues a tour-end item and, where a limit binds, a limit item for every person."""

    def _schedule_departures(self, midx: int, mission: object, today: int) -> None:
        super()._schedule_departures(midx, mission, today)
        for pid in mission.staff:  # type: ignore[attr-defined]
            self._both(midx, pid, today)

    def _hire(self, midx: int, role: str, post: str, request: int | None) -> None:
        super()._hire(midx, role, post, request)
        self._both(midx, len(self.log) - 1, self.calendar.today)

    def _both(self, midx: int, pid: int, today: int) -> None:
        mission = self.m[midx]
        person, work = mission.staff[pid], self._tour_base[midx] | (pid << KEY_SHIFT)
        self._at(max(person.tour_end, today), work)
        limit = mission.rotation_limit
        if limit is not None and person.role in limit.roles:
            self._at(max(person.arrived + limit.limit_days, today), work)


def _same(scenario: Scenario) -> None:
    one, two = Engine(scenario), TwoTourItems(scenario)
    one.run()
    two.run()
    assert log_digest(one.log) == log_digest(two.log)


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_one_tour_item_decides_what_two_decided(scenario: Scenario) -> None:
    _same(scenario)


def test_after_a_lift_people_leave_when_their_tours_end() -> None:
    """B's diplomats serve 250-400 days; A limits them to 200 from day 30 and lifts the limit
    on day 100. Those hired in between reach 200 days after the lift: their items find them
    not due, and they leave when their tours end instead."""
    tours = {"diplomat": [250, 400], "admin_technical": 5000, "local": 5000}
    acts = [act(20, "A", "rotation_limit", size=200, deadline_days=10), act(100, "A", "lift_rotation_limit")]
    engine = run(b=side("B", tours=tours), acts=acts, days=900)
    ends = [e for e in departures(engine.log, "B", "tour_end") if e.day > 100]
    assert len(ends) >= 5
    for e in ends:
        assert engine.log[e.person].tour_end == e.day  # type: ignore[attr-defined]
    _same(engine.scenario)


def test_rotation_rule_decides_the_same_either_way() -> None:
    _same(load_scenario(SCENARIOS / "rotation-rule-2021.yaml"))
