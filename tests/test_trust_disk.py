"""A full disk, a read-only file system and names too long: one line, exit 2, nothing lost.

The disk is real: a small tmpfs mounted for the test (the suite runs as root in CI; on a
machine where mounting is not allowed the two tests that need it skip, and CI fails them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_runner import sim_inline, sim_process

ROOT = Path(__file__).resolve().parent.parent
SPIRAL = ROOT / "scenarios" / "tit-for-tat-spiral.yaml"
LONG = "x" * 300


def _mount(point: Path, size: str) -> bool:
    point.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)], capture_output=True
    )
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 96 KiB file system: room to start a run, not to finish it."""
    point = Path("/tmp") / f"sim-small-disk-{uuid.uuid4().hex[:8]}"
    if not _mount(point, "96k"):
        shutil.rmtree(point, ignore_errors=True)
        if os.environ.get("CI"):
            pytest.fail("CI runs as root and must be able to mount a tmpfs for the disk tests")
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)
        shutil.rmtree(point, ignore_errors=True)


def test_disk_full_during_a_run_is_one_line_and_leaves_no_output(small_disk: Path) -> None:
    out = small_disk / "run"
    outcome = sim_process("run", SPIRAL, "--out", out)
    assert outcome.code == 2, outcome.stderr
    outcome.assert_no_traceback()
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("--out: ")
    assert "full" in lines[0] or "no space" in lines[0]
    assert not out.exists()  # no half-written output folder; the hidden partial store may stay


def test_a_read_only_file_system_is_named_as_such(small_disk: Path) -> None:
    (small_disk / "reports").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    outcome = sim_inline("run", SPIRAL, "--out", small_disk / "reports" / "run")
    assert outcome.code == 2
    outcome.assert_no_traceback()
    assert "read-only file system" in outcome.stderr and "permission" not in outcome.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("run", SPIRAL, "--out", f"reports/{LONG}"),
        (
            "sweep",
            SPIRAL,
            "--grid",
            "sides.0.policy.delay_days=1,2",
            "--seeds",
            "1",
            "--out",
            f"reports/{LONG}",
        ),
        ("compare", "reports/a", "reports/b", "--out", f"{LONG}/c.png"),
        ("history", ROOT / "seeds" / "us-russia-2021-12.yaml", "--csv", f"{LONG}.csv"),
    ],
    ids=["run", "sweep", "compare", "history"],
)
def test_a_name_over_255_bytes_is_refused_before_any_work(args: tuple[object, ...], tmp_path: Path) -> None:
    outcome = sim_inline(*args)
    assert outcome.code == 2, outcome.stderr
    outcome.assert_no_traceback()
    assert "too long" in outcome.stderr and "255" in outcome.stderr
    assert outcome.stderr.count("\n") == 1


def test_export_to_a_name_over_255_bytes(tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert sim_inline("run", ROOT / "scenarios" / "baseline.yaml", "--out", run).code == 0
    outcome = sim_inline("export", run, "--out", tmp_path / f"{LONG}.jsonl")
    assert outcome.code == 2
    outcome.assert_no_traceback()
    assert "too long" in outcome.stderr
