"""``--json`` on every command that prints a table: one JSON document on standard output
holding the table's numbers (notes stay on standard error), and the numbers people read in
summary.csv rounded as they would read them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.cli_runner import sim_inline, sim_process

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "bad_inputs" / "valid" / "base.yaml"
SPIRAL = ROOT / "scenarios" / "tit-for-tat-spiral.yaml"


def as_json(*args: object) -> object:
    outcome = sim_inline(*args, "--json")
    assert outcome.code == 0, outcome.stderr
    outcome.assert_no_traceback()
    return json.loads(outcome.stdout)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("runs")
    for name, seed in (("one", 1), ("two", 2)):
        assert sim_inline("run", SMALL, "--seed", seed, "--out", root / name).code == 0
    return root / "one", root / "two"


def test_run(tmp_path: Path) -> None:
    data = as_json("run", SMALL, "--out", tmp_path / "r")
    assert data["run"]["events"] == json.loads((tmp_path / "r" / "manifest.json").read_text())["events"]
    assert [row["mission"] for row in data["metrics"]] == ["A", "B"]


def test_replay(runs: tuple[Path, Path]) -> None:
    data = as_json("replay", runs[0], "--at", "2022-06-01")
    assert data["replay_ok"] is True and data["events"] > 0
    assert {row["mission"] for row in data["headcounts"]} == {"A", "B"}
    assert all(row["headcount"] == sum(row["roles"].values()) for row in data["headcounts"])


def test_compare(runs: tuple[Path, Path], tmp_path: Path) -> None:
    data = as_json("compare", *runs, "--out", tmp_path / "c.png")
    row = data["differences"][0]
    assert set(row) == {"date", "mission", "one", "two", "two - one"}
    assert row["two - one"] == row["two"] - row["one"]


def test_history() -> None:
    data = as_json("history", ROOT / "seeds" / "us-russia-2021-12.yaml")
    assert data["title"].startswith("US-Russia") and any(act["id"] == "A42" for act in data["acts"])


def test_check(tmp_path: Path) -> None:
    data = as_json("check", "tit_for_tat", "--examples", 2, "--only", "replay", "--out", tmp_path)
    assert data == [
        {"property": "replay", "passed": True, "message": None, "counterexample": None, "fork": None}
    ]


def test_sweep_and_its_rounded_summary(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    data = as_json("sweep", SPIRAL, "--grid", "sides.B.policy.delay_days=1,3", "--seeds", 3, "--workers", 1,
                   "--out", out, "--no-progress")  # fmt: skip
    assert data["sweep"]["runs"] == 6 and len(data["summary"]) == 2
    summary = pd.read_csv(out / "summary.csv")
    assert [row["runs"] for row in data["summary"]] == list(summary["runs"])
    text = (out / "summary.csv").read_text().splitlines()[1:]
    for line in text:
        for cell in line.split(","):
            if cell.replace(".", "", 1).isdigit() and "." in cell:
                assert len(cell.split(".")[1]) <= 3, cell


def test_version_and_completion() -> None:
    from sim import __version__

    assert sim_process("--version").stdout.strip() == f"sim (reciprocity-sim) {__version__}"
    shown = sim_process("--show-completion", "bash")
    assert shown.code == 0 and "complete" in shown.stdout.lower()
