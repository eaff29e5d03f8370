"""Small hand-written scenarios shared by tests."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.engine.loop import Engine, simulate
from sim.scenario.loading import load_scenario
from sim.scenario.models import Scenario

#: The scenario files shipped in ``scenarios/``.
BUNDLED = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))


@functools.cache
def bundled_run(path: Path) -> Engine:
    """The finished run of a bundled scenario, simulated once per test session (several test
    modules check the same runs; nothing may modify the engine returned)."""
    return simulate(load_scenario(path))


def small_scenario(
    policy: dict[str, Any] | None = None,
    acts: list[dict[str, Any]] | None = None,
    policies: tuple[dict[str, Any], dict[str, Any]] | None = None,
    **extra: Any,
) -> Scenario:
    """Two sides A and B, each 20 diplomats, 10 admin-technical and 20 locals, over two
    years; ``policy`` for both sides or ``policies`` for each."""
    first, second = policies or (policy or {"kind": "none"}, policy or {"kind": "none"})
    mission = {
        "posts": {"embassy": {"diplomat": 20, "admin_technical": 10, "local": 20}},
        "tour_days": {"diplomat": [300, 700], "admin_technical": [300, 700], "local": [800, 1500]},
    }
    side = {"mission": mission, "visas": {"policy": "issue", "processing_days": [10, 30]}}
    data: dict[str, Any] = {
        "name": "small",
        "start": "2020-01-01",
        "end": "2021-12-31",
        "seed": 3,
        "sides": [
            {"name": "A", **side, "policy": first},
            {"name": "B", **side, "policy": second},
        ],
        "acts": acts or [],
        **extra,
    }
    return Scenario.model_validate(data)


@pytest.fixture(autouse=True)
def class_memory_as_it_was() -> Iterator[None]:
    """The plugin ``class_memory`` keeps a counter on its class (the bug it stands for): a
    module that runs it imports this fixture, which puts the counter back after each test, so
    that other tests of it (tests/test_trust_plugins.py) see the state they expect."""
    from sim.policies import policy_class

    cls = policy_class(f"file:{Path(__file__).parent / 'plugin_files' / 'class_memory.py'}:ClassMemory")
    calls = cls.calls
    yield
    cls.calls = calls
