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
