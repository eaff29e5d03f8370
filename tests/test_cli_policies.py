"""``sim policies`` and ``sim game`` from the command line."""

from __future__ import annotations

import json

import pytest

from sim.policies import REGISTRY
from tests.cli_runner import sim_inline, sim_script


def test_policies_lists_every_policy_with_classifier_and_parameters() -> None:
    outcome = sim_inline("policies", "--json")
    outcome.assert_no_traceback()
    assert outcome.code == 0
    rows = {row["name"]: row for row in json.loads(outcome.stdout)}
    assert set(rows) == set(REGISTRY)
    assert rows["generous_tit_for_tat"]["classifier"]["stochastic"] is True
    assert rows["generous_tit_for_tat"]["parameters"]["g"] == pytest.approx(1 / 3)
    assert rows["grim_trigger"]["classifier"]["memory_depth"] == "inf"
    table = sim_inline("policies")
    assert table.code == 0
    for name in REGISTRY:
        assert name in table.stdout


def test_game_json_is_one_object_with_the_five_keys() -> None:
    """TFT vs ALL D over 200 rounds: 199 and 204 points, i.e. 0.995 and 1.02 a round (through the
    installed console script: ``python -m sim.cli.main`` does not see commands registered from other
    modules, since the module then runs as ``__main__``, apart from the ``sim.cli.main`` they import)."""
    outcome = sim_script("game", "tit_for_tat", "always_hostile", "--rounds", "200", "--json")
    assert outcome.code == 0, outcome.stderr
    assert json.loads(outcome.stdout) == {
        "payoff_a": 0.995,
        "payoff_b": 1.02,
        "hostile_rate_a": 0.995,
        "hostile_rate_b": 1.0,
        "longest_echo": 1,
    }


def test_game_takes_parameters_noise_and_seed() -> None:
    args = ("game", "tit_for_tat", "generous_tit_for_tat:g=0.3,seed=4", "--noise", "0.1", "--seed", "2")
    first = sim_inline(*args, "--json")
    assert first.code == 0 and first.stdout == sim_inline(*args, "--json").stdout
    assert first.stdout != sim_inline(*args[:-1], "3", "--json").stdout
    text = sim_inline(*args)
    assert text.code == 0
    assert "generous_tit_for_tat:g=0.3,seed=4" in text.stdout and "longest retaliation echo" in text.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("titfortat", "tit_for_tat"), "POLICY_A: unknown policy 'titfortat'"),
        (("tit_for_tat", "generous_tit_for_tat:g=1.5"), "POLICY_B: generous_tit_for_tat: g: Input should be"),
        (("tit_for_tat", "grit:steps"), "POLICY_B: grit: 'steps' is not key=value"),
        (
            ("tit_for_tat", "escalate:multiply=x"),
            "POLICY_B: escalate: multiply: Input should be a valid number",
        ),
        (("tit_for_tat", "tit_for_tat", "--noise", "1.5"), "--noise: 1.5 is not between 0 and 1"),
        (("tit_for_tat", "tit_for_tat", "--rounds", "0"), "--rounds: 0 is not between 1"),
        (("tit_for_tat", "tit_for_tat", "--seed", "-1"), "--seed: -1 is not between 0"),
    ],
)
def test_game_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], message: str) -> None:
    outcome = sim_inline("game", *args)
    outcome.assert_no_traceback()
    assert outcome.code == 2
    assert outcome.stderr.startswith(message), outcome.stderr
    assert len(outcome.stderr.strip().splitlines()) == 1
