"""A staffing review that looks only at the cells people left since the mission's last review
(the engine's usual review, ``Staffing._review``) decides what a review of every cell decides:
the same log, event for event, on generated scenarios of every act kind and visa policy, and on
the bundled scenarios that rotate thousands of people under limits, caps and one-for-one visas.

If a rule ever lets a vacancy grow, or a request outgrow its target, by some event the short
review does not treat as unusual, these fail."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from sim.engine.loop import Engine
from sim.scenario.loading import load_scenario
from sim.scenario.models import Scenario
from sim.store.sqlite import log_digest
from sim.testing import scenarios

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


class WholeReviews(Engine):
    """An engine whose every staffing review looks at every cell of its mission."""

    def _review(self, key: int, midx: int) -> None:
        self._left[midx] = None
        super()._review(key, midx)


def _both(scenario: Scenario) -> tuple[Engine, Engine]:
    usual, whole = Engine(scenario), WholeReviews(scenario)
    usual.run()
    whole.run()
    return usual, whole


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_a_short_review_decides_what_a_whole_review_decides(scenario: Scenario) -> None:
    usual, whole = _both(scenario)
    assert usual.log == whole.log


@pytest.mark.parametrize(
    "name", ["rotation-rule-2021.yaml", "parity-cap.yaml", "escalation-spiral.yaml", "history-2016-2022.yaml"]
)
def test_bundled_scenarios_review_the_same_either_way(name: str) -> None:
    scenario = load_scenario(SCENARIOS / name)
    if scenario.fork_base is not None:  # a fork continues its base's log: compare the base
        scenario = scenario.fork_base
    usual, whole = _both(scenario)
    assert log_digest(usual.log) == log_digest(whole.log)
