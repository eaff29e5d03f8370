"""Golden files: what each bundled scenario produces must not change by accident.

A run is reproducible byte for byte from its scenario and seed, so a change in the log's
digest means the model (or the canonical JSON the digest is taken over) changed. That may be
intended (a fixed mechanic); then regenerate with ``SIM_UPDATE_GOLDEN=1 pytest
tests/test_golden.py`` and say in the commit why the numbers moved. Performance work must
leave these files untouched.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sim.core import events as ev
from sim.core.state import digest, headcounts
from sim.store.sqlite import log_digest
from tests.helpers import BUNDLED as SCENARIOS
from tests.helpers import bundled_run

GOLDEN = Path(__file__).parent / "golden"


def _observed(path: Path) -> dict[str, object]:
    engine = bundled_run(path)
    by_type: dict[str, int] = {}
    for event in engine.log:
        name = type(event).__name__
        by_type[name] = by_type.get(name, 0) + 1
    return {
        "events": len(engine.log),
        "log_sha256": log_digest(engine.log),
        "final_state_sha256": digest(engine.state),
        "final_headcounts": headcounts(engine.state),
        "events_by_type": dict(sorted(by_type.items())),
        "first_events": [ev.to_json(event) for event in engine.log[:3]],
        "first_payloads": [ev.payload_json(event) for event in engine.log[:3]],
    }


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_bundled_scenario_matches_its_golden_file(path: Path) -> None:
    golden = GOLDEN / f"{path.stem}.json"
    observed = _observed(path)
    if os.environ.get("SIM_UPDATE_GOLDEN") == "1":
        golden.write_text(json.dumps(observed, indent=2, sort_keys=True) + "\n")
    assert golden.exists(), f"no golden file for {path.name}: run with SIM_UPDATE_GOLDEN=1"
    expected = json.loads(golden.read_text())
    assert observed == expected


def test_every_golden_file_has_its_scenario() -> None:
    """A renamed or removed scenario must take its golden file with it."""
    assert {p.stem for p in GOLDEN.glob("*.json")} == {p.stem for p in SCENARIOS}
