"""The state's counters (headcount and open requests per post and role) never drift from the
records they summarise: the engine decides from the counters, so a drift would be a wrong
decision, not just a wrong report."""

from __future__ import annotations

from collections import Counter

from hypothesis import given

from sim.core.state import State, apply
from sim.engine.loop import simulate
from sim.scenario.models import Scenario
from sim.testing import scenarios


@given(scenarios())
def test_counters_match_the_records_after_every_event(scenario: Scenario) -> None:
    state = State()
    for event in simulate(scenario).log:
        state = apply(state, event)
        for m in state.missions.values():
            staff = Counter((p.post, p.role) for p in m.staff.values())
            requests = Counter((r.post, r.role) for r in m.requests.values())
            assert {k: n for k, n in m.counts.items() if n} == dict(staff), f"seq {event.seq}: counts drift"
            assert {k: n for k, n in m.requested.items() if n} == dict(requests), (
                f"seq {event.seq}: requests drift"
            )
