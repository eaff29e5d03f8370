"""Bad options get the same treatment as bad files: one line naming the option, exit 2, no
traceback, and nothing created (no output directory, no temporary sibling, no chart).

Commands run in-process with the working directory set to an empty scratch directory that
must still be empty afterwards; ``--seed abc`` also runs through a real interpreter, where
Click would otherwise print its usage box.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli_runner import Outcome, sim_inline, sim_process

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
SCENARIO = CORPUS / "valid" / "base.yaml"  # 2022-01-01 .. 2022-12-31, a few people: runs fast


def assert_one_line(outcome: Outcome, start: str, contains: str = "") -> None:
    outcome.assert_no_traceback()
    assert outcome.code == 2, (outcome.code, outcome.stdout, outcome.stderr)
    assert outcome.stdout == ""
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, outcome.stderr
    assert lines[0].startswith(start), lines[0]
    assert contains in lines[0], lines[0]


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "scratch"
    directory.mkdir()
    monkeypatch.chdir(directory)
    return directory


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two small finished runs, for replay and compare."""
    root = tmp_path_factory.mktemp("runs")
    for name, seed in (("one", "1"), ("two", "2")):
        outcome = sim_inline("run", SCENARIO, "--seed", seed, "--out", root / name)
        assert outcome.code == 0, outcome.stderr
    return root / "one", root / "two"


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        ("-1", "--seed: -1 is not between 0 and 2**63 - 1"),
        ("9223372036854775808", "--seed: 9223372036854775808 is not between 0 and 2**63 - 1"),
        ("1" + "0" * 40, "is not between 0 and 2**63 - 1"),
        ("abc", "--seed: 'abc' is not a whole number"),
        ("1.5", "--seed: '1.5' is not a whole number"),
        ("0x10", "--seed: '0x10' is not a whole number"),
        ("", "--seed: '' is not a whole number"),
        ("²", "is not a whole number"),
    ],
)
def test_bad_seed(scratch: Path, seed: str, message: str) -> None:
    outcome = sim_inline("run", SCENARIO, "--seed", seed, "--out", scratch / "out")
    assert_one_line(outcome, "--seed: ", message)
    assert list(scratch.iterdir()) == []


def test_bad_seed_through_a_real_process(tmp_path: Path) -> None:
    """Click would answer a non-integer INTEGER option with a usage box of six lines."""
    outcome = sim_process("run", SCENARIO, "--seed", "abc", "--out", tmp_path / "out")
    assert_one_line(outcome, "--seed: 'abc' is not a whole number")
    assert list(tmp_path.iterdir()) == []


def test_out_is_a_file(scratch: Path) -> None:
    (scratch / "taken").write_text("a file\n")
    outcome = sim_inline("run", SCENARIO, "--out", scratch / "taken")
    assert_one_line(outcome, "--out: ", "exists and is not a directory")
    assert [p.name for p in scratch.iterdir()] == ["taken"]


def test_out_under_a_file(scratch: Path) -> None:
    (scratch / "taken").write_text("a file\n")
    outcome = sim_inline("run", SCENARIO, "--out", scratch / "taken" / "deeper" / "out")
    assert_one_line(outcome, "--out: ", "taken is a file, not a directory")
    assert [p.name for p in scratch.iterdir()] == ["taken"]


@pytest.mark.parametrize("out", [".", ".."])
def test_out_names_no_directory_of_its_own(scratch: Path, out: str) -> None:
    """``--out .`` used to crash in pathlib (the run replaces the directory it names)."""
    outcome = sim_inline("run", SCENARIO, "--out", out)
    assert_one_line(outcome, f"--out: {out} names no directory of its own")
    assert list(scratch.iterdir()) == []
    assert [p.name for p in scratch.parent.iterdir()] == ["scratch"]


def test_out_that_holds_other_files_is_not_replaced(scratch: Path) -> None:
    """A run replaces its output directory whole: pointing --out at one's notes must not delete them."""
    notes = scratch / "notes"
    notes.mkdir()
    (notes / "draft.txt").write_text("keep me\n")
    outcome = sim_inline("run", SCENARIO, "--out", notes)
    assert_one_line(outcome, "--out: ", "not replacing it")
    assert [p.name for p in notes.iterdir()] == ["draft.txt"]
    assert [p.name for p in scratch.iterdir()] == ["notes"]


def test_out_in_a_location_that_cannot_be_written(scratch: Path) -> None:
    """A read-only directory; as root (CI), where permissions are not enforced, a path below a
    regular file instead, which nobody can create."""
    if os.geteuid() != 0:
        parent = scratch / "read-only"
        parent.mkdir(mode=0o500)
        expected = "not writable (permission denied)"
    else:
        parent = scratch / "a-file"
        parent.write_text("")
        expected = "is a file, not a directory"
    try:
        outcome = sim_inline("run", SCENARIO, "--out", parent / "out")
        assert_one_line(outcome, "--out: cannot write to ", expected)
        assert [p.name for p in scratch.iterdir()] == [parent.name]
        if parent.is_dir():
            assert list(parent.iterdir()) == []
    finally:
        if parent.is_dir():
            parent.chmod(0o700)


def test_a_device_is_not_read_at_all(scratch: Path) -> None:
    """``/dev/zero`` is refused from its stat, never opened (it would never end)."""
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    outcome = sim_inline("run", "/dev/zero", "--out", scratch / "out")
    assert_one_line(outcome, "/dev/zero:1:1: is a device, not a regular file")
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("tomorrow", "--at: 'tomorrow' is not a date (YYYY-MM-DD)"),
        ("2022-02-30", "--at: '2022-02-30' is not a date (YYYY-MM-DD)"),
        ("2023-01-01", "--at: 2023-01-01 is outside the run (2022-01-01 to 2022-12-31)"),
        ("2021-12-31", "--at: 2021-12-31 is outside the run"),
    ],
)
def test_replay_bad_at(runs: tuple[Path, Path], scratch: Path, at: str, message: str) -> None:
    assert_one_line(sim_inline("replay", runs[0], "--at", at), message)
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize(
    ("extra", "start", "contains"),
    [
        (["--out", "chart.jpg"], "--out: chart.jpg must end in .png, .svg or .pdf", ""),
        (["--out", ".png"], "--out: .png must end in .png, .svg or .pdf", ""),
        (["--out", "dir.png"], "--out: dir.png is a directory", ""),
        (["--out", "a-file/chart.png"], "--out: cannot write to a-file/chart.png", "a-file is a file"),
        (["--at", "2022-13-01"], "--at: '2022-13-01' is not a date (YYYY-MM-DD)", ""),
        (["--at", "2030-01-01"], "--at: 2030-01-01 is outside the runs (2022-01-01 to 2022-12-31)", ""),
    ],
)
def test_compare_bad_options(
    runs: tuple[Path, Path], scratch: Path, extra: list[str], start: str, contains: str
) -> None:
    (scratch / "dir.png").mkdir()
    (scratch / "a-file").write_text("")
    args = extra if "--out" in extra else [*extra, "--out", "chart.png"]
    outcome = sim_inline("compare", *runs, *args)
    assert_one_line(outcome, start, contains)
    assert sorted(p.name for p in scratch.iterdir()) == ["a-file", "dir.png"]
    assert list((scratch / "dir.png").iterdir()) == []


def test_compare_a_run_that_is_a_file(runs: tuple[Path, Path], scratch: Path) -> None:
    (scratch / "not-a-run").write_text("")
    outcome = sim_inline("compare", runs[0], "not-a-run", "--out", "chart.png")
    assert_one_line(outcome, "not-a-run: ")
    assert [p.name for p in scratch.iterdir()] == ["not-a-run"]


def test_compare_chart_that_cannot_be_written(runs: tuple[Path, Path], scratch: Path) -> None:
    """A chart in a directory that cannot be made (here: inside /proc) is one line, not a traceback."""
    if not Path("/proc/self").exists():
        pytest.skip("no /proc here")
    outcome = sim_inline("compare", *runs, "--out", "/proc/no-such-dir/chart.png")
    assert_one_line(outcome, "--out: cannot write ")
    assert list(scratch.iterdir()) == []
