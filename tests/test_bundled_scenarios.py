"""Every bundled scenario validates and runs."""

from pathlib import Path

import pytest

from sim.core.working import fold
from tests.helpers import BUNDLED as SCENARIOS
from tests.helpers import bundled_run


def test_scenarios_are_bundled() -> None:
    names = {path.stem for path in SCENARIOS}
    assert {"baseline", "rotation-rule-2021", "tit-for-tat-spiral"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_bundled_scenario_runs_and_replays(path: Path) -> None:
    engine = bundled_run(path)
    assert engine.log, "a run records events"
    assert fold(engine.log) == engine.state
