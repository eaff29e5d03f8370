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
from hypothesis.errors import Flaky, HypothesisException

from sim.core import events as ev
from sim.engine.loop import fork, simulate
from sim.infra.atomic import atomic_path
from sim.policies import Policy, kind_of
from sim.policies.guard import PolicyError
from sim.policies.plugins import is_file_kind, relative_file_kind
from sim.scenario.models import Scenario
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


def _middle_day(log: Any) -> int:
    """Where the forks property cuts a run: the day of the middle event of its log."""
    return log[len(log) // 2].day


def fork_day(s: Scenario) -> int:
    return _middle_day(simulate(s).log)


def _fork(s: Scenario) -> None:
    engine = simulate(s)
    assert_fork_exact(s, engine.log, _middle_day(engine.log))


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
    fork: Path | None = None  # for the forks property: a fork of the counterexample that differs


def policy_config(policy: Policy) -> dict[str, Any]:
    """What a scenario writes to give a side ``policy`` (a plugin from a file by its absolute
    ``file:`` kind, so generated scenarios mean the same wherever they are validated)."""
    return {"kind": kind_of(type(policy)), **json.loads(policy.params.model_dump_json())}


def check(
    policy: Policy,
    examples: int = 50,
    seed: int = 0,
    out_dir: Path = Path("."),
    only: tuple[str, ...] = (),
) -> list[Outcome]:
    """Run every property with ``policy`` on one side (the other side draws any built-in
    policy) and on both sides; a failure's shrunk scenario is written to ``out_dir``."""
    config = policy_config(policy)
    mine = st.just(config)
    either = st.one_of(mine, policies())
    drawn = scenarios(side_policies=either, max_days=500)
    outcomes = []
    plays = drawn.filter(lambda s: any(side.policy.kind == config["kind"] for side in s.sides))
    for name, prop in PROPERTIES.items():
        if only and name not in only:
            continue
        failing: list[Scenario] = []
        try:
            _search(prop, plays, failing, examples, seed)()
        except Flaky as exc:
            outcomes.append(_flaky(policy, name, exc, failing, out_dir))
        except HypothesisException:
            raise  # a misuse of the search itself, not a finding about the policy
        except Exception as exc:
            outcomes.append(_failed(policy, name, exc, failing, out_dir))
        else:
            outcomes.append(Outcome(name, True))
    return outcomes


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _failed(policy: Policy, name: str, exc: Exception, failing: list[Scenario], out_dir: Path) -> Outcome:
    """A property that failed: its message, and the shrunk scenario written as a file."""
    path = out_dir / f"check-{policy.name}-{name}.yaml"
    fork_path = None
    message = _first_line(exc)
    if failing:
        write_scenario(failing[-1], path)
        if name == "forks" and not isinstance(exc, PolicyError):
            fork_path = path.with_name(f"{path.stem}-fork.yaml")
            write_fork(failing[-1], path, fork_path)
            message = f"{message}: {divergence(failing[-1])}"
    return Outcome(name, False, message[:200], path if failing else None, fork_path)


def _flaky(policy: Policy, name: str, exc: Flaky, failing: list[Scenario], out_dir: Path) -> Outcome:
    """A failure that did not repeat on the same scenario: the policy's answers depend on
    something outside the run (state kept on the policy or its class, the clock, a global).
    Still a failed property, with the scenario that failed first."""
    inner = getattr(exc, "exceptions", ())
    cause = f"{type(inner[0]).__name__}: {_first_line(inner[0])}" if inner else _first_line(exc)
    message = (
        f"failed once and passed when repeated on the same scenario ({cause}); "
        "the policy keeps state between calls or runs"
    )
    path = out_dir / f"check-{policy.name}-{name}.yaml"
    if failing:
        write_scenario(failing[0], path)
    return Outcome(name, False, message[:300], path if failing else None)


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
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["name"] = path.stem
    for side in data["sides"]:
        policy = side["policy"]
        kind = policy.pop("kind")
        if is_file_kind(kind):  # relative to the file, as scenarios write it
            kind = relative_file_kind(kind, path.parent)
        side["policy"] = {"kind": kind, **policy}
    _write_yaml(data, path, "A counterexample found and shrunk by `sim check`; run it with `sim run`.")


def write_fork(scenario: Scenario, source: Path, path: Path) -> None:
    """A fork of the counterexample at ``source`` on the day the forks property cut it: the
    two runs should be identical and are not."""
    at = scenario.date_of(fork_day(scenario)).isoformat()
    data = {"name": path.stem, "fork": {"from": source.name, "at": at}}
    comment = f"Forks {source.name} at {at}; `sim run` both: {divergence(scenario)}."
    _write_yaml(data, path, comment)


def divergence(scenario: Scenario) -> str:
    """The first event in which the fork of ``scenario``'s run differs from the run itself."""
    original = simulate(scenario).log
    forked = fork(scenario, original, _middle_day(original)).log
    for index in range(max(len(original), len(forked))):
        mine = original[index] if index < len(original) else None
        theirs = forked[index] if index < len(forked) else None
        if mine is None or theirs is None or ev.to_json(mine) != ev.to_json(theirs):
            day = (mine or theirs).day  # type: ignore[union-attr]
            return f"from {scenario.date_of(day)} the run has {_event(mine)}, the fork has {_event(theirs)}"
    return "the two logs are identical"


def _event(event: ev.Event | None) -> str:
    if event is None:
        return "nothing"
    ends = (getattr(event, "actor", None), getattr(event, "target", None))
    parties = " -> ".join(str(end) for end in ends if end)
    return f"{type(event).__name__} ({parties})" if parties else type(event).__name__


def _write_yaml(data: dict[str, Any], path: Path, comment: str) -> None:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.default_flow_style = None
    yaml.width = 4096
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as handle:
        handle.write(f"# {comment}\n")
        yaml.dump(data, handle)
