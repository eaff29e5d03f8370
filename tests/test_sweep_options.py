"""Bad `sim sweep` options: one line, exit 2, nothing written (``--out /`` once wrote into /)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_runner import sim_inline

SPIRAL = Path(__file__).parent.parent / "scenarios" / "tit-for-tat-spiral.yaml"


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--out", "/"], "--out: / names no directory of its own"),
        (["--out", "."], "--out: . names no directory of its own"),
        (["--seed", "abc"], "--seed: 'abc' is not a whole number"),
        (["--seed", "-1"], "--seed: -1 is not between 0 and 2**63 - 1"),
    ],
)
def test_bad_sweep_options_are_one_line(
    option: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = sim_inline("sweep", SPIRAL, "--grid", "sides.1.noise.miss=0,0.2", "--seeds", "1", *option)
    outcome.assert_no_traceback()
    assert outcome.code == 2 and outcome.stderr.startswith(message)
    assert len(outcome.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_sweep_out_under_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    outcome = sim_inline("sweep", SPIRAL, "--grid", "sides.1.noise.miss=0,0.2", "--out", blocker / "sweep")
    assert outcome.code == 2 and "is a file, not a directory" in outcome.stderr


ANSWERED = SPIRAL.with_name("rotation-rule-2021-answered.yaml")
ISSUE_GRID = (
    "--grid", "sides.RU.policy.delay_days=1,7,30",
    "--grid", "sides.US.policy.kind=tit_for_tat,generous_tit_for_tat",
)  # fmt: skip


def test_the_sweeps_issue_grid_on_the_seed_scenario_says_why_it_cannot_run(tmp_path: Path) -> None:
    """rotation-rule-2021 has no answering side: one line that says so, nothing written."""
    seed_scenario = SPIRAL.with_name("rotation-rule-2021.yaml")
    outcome = sim_inline("sweep", seed_scenario, *ISSUE_GRID, "--seeds", "2", "--out", tmp_path / "s")
    assert outcome.code == 2 and "that side never answers" in outcome.stderr
    assert not (tmp_path / "s").exists()


def test_the_sweeps_issue_grid_runs_on_the_answered_fork(tmp_path: Path) -> None:
    """The same grid on rotation-rule-2021-answered: 6 cells; tit for tat on both sides echoes
    the exchange far longer than a generous US side lets it run."""
    import pandas as pd

    out = tmp_path / "s"
    outcome = sim_inline(
        "sweep", ANSWERED, *ISSUE_GRID, "--seeds", "2", "--workers", "1", "--out", out, "--no-progress"
    )
    assert outcome.code == 0, outcome.stderr
    results = pd.read_parquet(out / "results.parquet")
    assert len(results) == 12
    acts = results.groupby("sides.US.policy.kind")["hostile_acts_US"].median()
    assert acts["tit_for_tat"] > 5 * acts["generous_tit_for_tat"]
