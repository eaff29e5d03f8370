"""`sim compare` and `sim history` end to end."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli.main import app
from sim.core.acts import ACT_KINDS
from sim.core.codes import CODES

ROOT = Path(__file__).parent.parent
SPIRAL = ROOT / "scenarios" / "tit-for-tat-spiral.yaml"
SEEDS = ROOT / "seeds" / "us-russia-2021-12.yaml"


def sim(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The spiral and a fork of it in which B stops answering on 2022-03-10."""
    root = tmp_path_factory.mktemp("compare")
    fork = root / "b-stops.yaml"
    fork.write_text(
        f"fork: {{from: {SPIRAL}, at: 2022-03-10}}\nsides:\n  - {{name: B, policy: {{kind: none}}}}\n"
    )
    for scenario, out in ((SPIRAL, root / "spiral"), (fork, root / "b-stops")):
        code, _, err = sim("run", scenario, "--out", out)
        assert code == 0, err
    return root / "spiral", root / "b-stops"


def headcount(run: Path, mission: str, date: str) -> int:
    """The total from staffing.csv at the end of ``date`` (an independent reading)."""
    frame = pd.read_csv(run / "staffing.csv")
    rows = frame[(frame["mission"] == mission) & (frame["date"] <= date)]
    return int(rows.groupby("role")["headcount"].last().sum())


def test_compare_tabulates_differences_and_draws(runs: tuple[Path, Path], tmp_path: Path) -> None:
    base, fork = runs
    out = tmp_path / "cmp.png"
    code, stdout, err = sim("compare", base, fork, "--out", out, "--at", "2022-09-01")
    assert code == 0, err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000
    lines = stdout.splitlines()
    assert lines[0].split() == ["date", "mission", "spiral", "b-stops", "b-stops", "-", "spiral"]
    for mission in ("A", "B"):
        row = next(line.split() for line in lines if line.split()[:2] == ["2022-09-01", mission])
        a, b = headcount(base, mission, "2022-09-01"), headcount(fork, mission, "2022-09-01")
        assert [int(x) for x in row[2:]] == [a, b, b - a]
        assert b - a > 20, "the spiral has cut the base mission by then"


def test_compare_defaults_to_the_fork_date_and_the_end(runs: tuple[Path, Path], tmp_path: Path) -> None:
    code, stdout, _ = sim("compare", *runs, "--out", tmp_path / "c.svg")
    assert code == 0
    dates = {line.split()[0] for line in stdout.splitlines()[1:] if line[:1].isdigit()}
    assert dates == {"2022-03-10", "2024-12-31"}
    assert (tmp_path / "c.svg").read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ONE"], "at least two run directories"),
        (["ONE", "NOWHERE"], "manifest.json not found"),
        (["ONE", "ONE", "--out", "x.jpg"], "must end in .png, .svg or .pdf"),
        (["ONE", "ONE", "--at", "2022-13-01"], "is not a date"),
    ],
)
def test_compare_bad_input_is_one_line(
    runs: tuple[Path, Path], tmp_path: Path, args: list[str], message: str
) -> None:
    args = [str(runs[0]) if a == "ONE" else str(tmp_path / "nowhere") if a == "NOWHERE" else a for a in args]
    code, _, err = sim("compare", *args)
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err


def test_history_prints_every_act_and_exports_codes(tmp_path: Path) -> None:
    out = tmp_path / "acts.csv"
    code, stdout, err = sim("history", SEEDS, "--csv", out)
    assert code == 0, err
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 16 and f"16 acts -> {out}" in stdout
    by_id = {row["id"]: row for row in rows}
    assert (by_id["A20"]["cameo"], by_id["A20"]["plover"], by_id["A20"]["plover_mode"]) == (
        "166",
        "SANCTION",
        "expel",
    )
    assert (by_id["A23"]["plover"], by_id["A23"]["plover_mode"]) == ("SANCTION", "withdraw")
    assert (by_id["A33t"]["cameo"], by_id["A33t"]["plover"]) == ("1313", "THREATEN")
    assert by_id["A27"]["cameo"] == "050"
    assert by_id["A21"]["answers"] == "A20" and by_id["A33"]["deadline"] == "2022-01-31"
    assert by_id["A17"]["source"].startswith("REPORT para 8")
    for act_id in by_id:
        assert act_id in stdout


def test_every_act_kind_has_codes() -> None:
    """A new act kind without CAMEO/PLOVER codes would break the export: fail here first."""
    kinds = {k for k in ACT_KINDS if k != "visa_policy"} | {"visa_issue", "visa_deny", "visa_one_for_one"}
    assert kinds <= set(CODES)


def test_history_of_a_broken_log_is_a_placed_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "title: t\nsides: [A, B]\nacts:\n"
        "  - {id: X, date: 2020-01-01, actor: A, target: C, kind: statement, source: s}\n"
    )
    code, _, err = sim("history", bad)
    assert code == 2 and err.startswith(f"{bad}:4:41: acts[0].target:")  # the 'target' key
