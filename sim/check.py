"""``sim check``: the project's invariant suite, run over generated scenarios in which one
side (or both) plays the policy under test.

Each property is a Hypothesis search; a failure is shrunk to a small scenario, which is
written as a YAML file the user can run with ``sim run``. The checks themselves are the
public ones in :mod:`sim.testing`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException

from sim.engine import simulate
from sim.policies import Policy
from sim.scenario import Scenario
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


def _replays(s: Scenario) -> None:
    engine = simulate(s)
    assert_replays(engine.log, engine.state)


def _fork(s: Scenario) -> None:
    engine = simulate(s)
    assert_fork_exact(s, engine.log, engine.log[len(engine.log) // 2].day)


PROPERTIES: dict[str, Callable[[Scenario], Any]] = {
    "conservation": lambda s: assert_conservation(simulate(s).log),
    "deadlines": lambda s: assert_deadlines_hold(simulate(s).log, s.horizon),
    "replay": _replays,
    "determinism": assert_deterministic,
    "causality": lambda s: assert_causality(simulate(s).log),
    "symmetry": assert_symmetric,
    "forks": _fork,
}


@dataclass(frozen=True)
class Outcome:
    name: str
    passed: bool
    message: str = ""
    counterexample: Path | None = None


def policy_config(policy: Policy) -> dict[str, Any]:
    return {"kind": policy.name, **json.loads(policy.params.model_dump_json())}


def check(
    policy: Policy,
    examples: int = 50,
    seed: int = 0,
    out_dir: Path = Path("."),
    only: tuple[str, ...] = (),
) -> list[Outcome]:
    """Run every property with ``policy`` on one side (the other side draws any built-in
    policy) and on both sides; a failure's shrunk scenario is written to ``out_dir``."""
    mine = st.just(policy_config(policy))
    either = st.one_of(mine, policies())
    drawn = scenarios(side_policies=either, max_days=500)
    outcomes = []
    plays = drawn.filter(lambda s: any(side.policy.kind == policy.name for side in s.sides))
    for name, prop in PROPERTIES.items():
        if only and name not in only:
            continue
        failing: list[Scenario] = []
        try:
            _search(prop, plays, failing, examples, seed)()
        except HypothesisException:
            raise  # a misuse of the search itself, not a finding about the policy
        except Exception as exc:
            path = out_dir / f"check-{policy.name}-{name}.yaml"
            if failing:
                write_scenario(failing[-1], path)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            outcomes.append(Outcome(name, False, first[:200], path if failing else None))
        else:
            outcomes.append(Outcome(name, True))
    return outcomes


def _search(
    prop: Callable[[Scenario], Any],
    drawn: st.SearchStrategy[Scenario],
    failing: list[Scenario],
    examples: int,
    seed: int,
) -> Callable[[], None]:
    """A Hypothesis search for a scenario that breaks ``prop``; failures land in ``failing``
    (the last one is the shrunk example Hypothesis reports)."""

    @hypothesis_seed(seed)
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(drawn)
    def search(scenario: Scenario) -> None:
        try:
            prop(scenario)
        except Exception:
            failing.append(scenario)
            raise

    return search


def write_scenario(scenario: Scenario, path: Path) -> None:
    """``scenario`` as a YAML file ``sim run`` accepts (written atomically)."""
    from ruamel.yaml import YAML

    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["name"] = path.stem
    yaml = YAML()
    yaml.default_flow_style = None
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write("# A counterexample found and shrunk by `sim check`; run it with `sim run`.\n")
        yaml.dump(data, handle)
    tmp.replace(path)
