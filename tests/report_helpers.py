"""Helpers shared by the figure, graph, report and code tests: the CLI in-process, and runs
written once per module into a temporary reports directory."""

from __future__ import annotations

from pathlib import Path

from tests.cli_runner import ROOT, sim_inline


def sim(*args: object) -> tuple[int, str, str]:
    """Run ``sim ARGS`` in this process; an exception escaping the command fails the test."""
    outcome = sim_inline(*args)
    outcome.assert_no_traceback()
    return outcome.code, outcome.stdout, outcome.stderr


def run_into(root: Path, scenario: str, *options: object) -> Path:
    """``sim run scenarios/SCENARIO.yaml --out ROOT/SCENARIO`` and the directory it wrote."""
    out = root / scenario
    code, _, err = sim("run", ROOT / "scenarios" / f"{scenario}.yaml", "--out", out, *options)
    assert code == 0, err
    return out
