"""Every bundled scenario validates and runs."""

from pathlib import Path

import pytest

from sim.engine import simulate
from sim.scenario import load_scenario
from sim.state import fold

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))


def test_scenarios_are_bundled() -> None:
    names = {path.stem for path in SCENARIOS}
    assert {"baseline", "rotation-rule-2021", "tit-for-tat-spiral"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_bundled_scenario_runs_and_replays(path: Path) -> None:
    scenario = load_scenario(path)
    engine = simulate(scenario)
    assert engine.log, "a run records events"
    assert fold(engine.log) == engine.state
