"""Hypothesis strategies and invariant checks, for this project's tests and for users'.

The checks are plain functions that raise ``AssertionError`` with a message saying which
event or day broke which rule, so they compose into any property::

    @given(scenarios())
    def test_my_rule(scenario):
        engine = simulate(scenario)
        assert_conservation(engine.log)
        assert_deadlines_hold(engine.log, scenario.horizon)

The strategies (:mod:`sim.testing.strategies`) draw only valid scenarios, small enough that a
run takes milliseconds, with the mechanics mixed in; the checks live in
:mod:`sim.testing.invariants`; ``sim check`` (:mod:`sim.testing.check`) runs them over a
user's policy.
"""

from sim.testing.invariants import (
    assert_causality,
    assert_conservation,
    assert_deadlines_hold,
    assert_deterministic,
    assert_fork_exact,
    assert_replays,
    assert_symmetric,
    canonical,
)
from sim.testing.logs import documented_logs, scenario_with_log
from sim.testing.strategies import (
    CONSULATES,
    SIDE_NAMES,
    acts,
    missions,
    noises,
    observations,
    policies,
    policy_inputs,
    renamed,
    reversed_sides,
    scenarios,
    timings,
    visa_terms,
    with_end,
)

__all__ = [
    "CONSULATES",
    "SIDE_NAMES",
    "acts",
    "assert_causality",
    "assert_conservation",
    "assert_deadlines_hold",
    "assert_deterministic",
    "assert_fork_exact",
    "assert_replays",
    "assert_symmetric",
    "canonical",
    "documented_logs",
    "missions",
    "noises",
    "observations",
    "policies",
    "policy_inputs",
    "renamed",
    "reversed_sides",
    "scenario_with_log",
    "scenarios",
    "timings",
    "visa_terms",
    "with_end",
]
