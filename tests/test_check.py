"""`sim check`: passes a sound policy, catches a broken one and writes a runnable counterexample."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from sim.policies.tit_for_tat import TitForTat
from tests.cli_runner import sim_inline


def test_a_sound_policy_passes_every_property(tmp_path: Path) -> None:
    outcome = sim_inline("check", "tit_for_tat:delay_days=3", "--examples", "8", "--out", tmp_path)
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    lines = outcome.stdout.splitlines()
    names = ["conservation", "deadlines", "replay", "determinism", "causality", "symmetry", "forks"]
    assert [line.split()[0] for line in lines] == names and all(line.endswith("passed") for line in lines)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE") != "ci" and os.environ.get("SIM_SLOW") != "1",
    reason="slow (about a minute of shrinking): runs under HYPOTHESIS_PROFILE=ci or SIM_SLOW=1",
)
def test_a_policy_that_decides_by_a_shared_generator_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A policy that answers when an unseeded generator says so is not a function of what it
    observed: the same scenario and seed give different logs. `sim check` says so, exits 1 and
    writes the shrunk scenario, which `sim validate` accepts as a scenario file."""
    original = TitForTat.respond
    monkeypatch.setattr(
        TitForTat, "respond", lambda self, h, v: original(self, h, v) if random.random() < 0.5 else ()
    )
    outcome = sim_inline("check", "tit_for_tat", "--examples", "40", "--out", tmp_path)
    assert outcome.code == 1
    status = {
        line.split()[0]: line.split()[1].rstrip(":")
        for line in outcome.stdout.splitlines()
        if line[:1] != " "
    }
    assert status["determinism"] == "FAILED"
    counterexample = tmp_path / "check-tit_for_tat-determinism.yaml"
    assert f"counterexample: {counterexample}" in outcome.stdout
    monkeypatch.setattr(TitForTat, "respond", original)
    validated = sim_inline("validate", counterexample)
    assert validated.code == 0, validated.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no_such_policy"], "POLICY: unknown policy"),
        (["tit_for_tat", "--examples", "0"], "--examples"),
        (["tit_for_tat", "--only", "speed"], "--only: 'speed' is not one of"),
    ],
)
def test_bad_check_arguments_are_one_line(args: list[str], message: str) -> None:
    outcome = sim_inline("check", *args)
    assert outcome.code == 2 and outcome.stderr.startswith(message) and len(outcome.stderr.splitlines()) == 1
