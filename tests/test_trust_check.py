"""``sim check`` on a policy that keeps state between calls, and after a plain install.

Before: a failure that did not repeat (Hypothesis's ``FlakyFailure``) ended in an 86-line
traceback, and ``sim check`` after ``pip install -e .`` (no test extra) ended in
``ModuleNotFoundError: hypothesis``.
"""

from __future__ import annotations

import re
from importlib.metadata import requires
from pathlib import Path

from tests.cli_runner import sim_process

ROOT = Path(__file__).resolve().parent.parent


def test_a_flaky_failure_is_a_failed_property_with_its_scenario(tmp_path: Path) -> None:
    kind = f"file:{ROOT / 'tests' / 'plugin_files' / 'fails_once.py'}:FailsOnce"
    outcome = sim_process("check", kind, "--examples", "10", "--only", "conservation", "--out", tmp_path)
    assert outcome.code == 1, outcome.stderr
    outcome.assert_no_traceback()
    assert outcome.stdout.startswith("conservation  FAILED: failed once and passed when repeated")
    assert "keeps state between calls" in outcome.stdout
    written = tmp_path / "check-fails_once-conservation.yaml"
    assert f"counterexample: {written}" in outcome.stdout and written.is_file()
    assert sim_process("validate", written).code == 0


def test_hypothesis_is_installed_with_the_package_itself() -> None:
    """``sim check`` and ``sim.testing`` need Hypothesis: it is a dependency without extras."""
    plain = [r for r in requires("reciprocity-sim") or [] if "extra ==" not in r]
    assert any(re.match(r"hypothesis\b", r) for r in plain), plain
