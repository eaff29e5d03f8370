"""Sweeps into one folder never lose or duplicate a run, and a damaged file is named.

Before the sweep lock, two ``sim sweep`` processes into one ``--out`` both exited 0 with runs
lost and others stored twice (one trial: 900 rows, 860 run ids); a truncated part broke a
resume with pyarrow's traceback; a corrupt ``sweep.json`` was reported as missing; a killed
sweep left its worker processes running.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from sim.sweep.parts import RESULTS, PartStore
from tests.cli_runner import sim_inline

ROOT = Path(__file__).resolve().parent.parent
SPIRAL = ROOT / "scenarios" / "tit-for-tat-spiral.yaml"
GRID = ("--grid", "sides.1.noise.miss=0,0.1,0.2")


def _sweep(out: Path, seeds: int = 2, *extra: str) -> list[str]:
    return [sys.executable, "-m", "sim", "sweep", str(SPIRAL), *GRID, "--seeds", str(seeds),
            "--out", str(out), "--no-progress", *extra]  # fmt: skip


def test_two_sweeps_at_once_into_one_folder_store_every_run_once(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    first = subprocess.Popen(
        _sweep(out, 12, "--workers", "1"), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    time.sleep(0.5)
    second = subprocess.Popen(
        _sweep(out, 12, "--workers", "1"), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    outputs = [proc.communicate(timeout=300) for proc in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    for stdout, stderr in outputs:
        assert b"Traceback" not in stdout + stderr
    results = pd.read_parquet(out / RESULTS)
    assert len(results) == 36 and results["run_id"].is_unique
    assert not list((out / RESULTS).glob(".*.tmp"))


def test_a_part_stored_twice_is_read_once_and_said(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    assert sim_inline("sweep", SPIRAL, *GRID, "--seeds", "1", "--out", out, "--workers", "1").code == 0
    part = sorted((out / RESULTS).glob("part-*.parquet"))[0]
    shutil.copy(part, part.with_name("part-000077.parquet"))
    shutil.copy(out / "staffing.parquet" / part.name, out / "staffing.parquet" / "part-000077.parquet")
    outcome = sim_inline("sweep", SPIRAL, *GRID, "--seeds", "1", "--out", out, "--workers", "1")
    assert outcome.code == 0, outcome.stderr
    assert "3 runs" in outcome.stdout.replace("results.parquet (3 rows)", "3 runs")
    assert "3 duplicate rows" in outcome.stdout
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["runs"]) == {1}


def test_a_truncated_part_is_named_on_resume(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    assert sim_inline("sweep", SPIRAL, *GRID, "--seeds", "1", "--out", out, "--workers", "1").code == 0
    part = sorted((out / RESULTS).glob("part-*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:100])
    outcome = sim_inline("sweep", SPIRAL, *GRID, "--seeds", "2", "--out", out, "--workers", "1")
    assert outcome.code == 2
    outcome.assert_no_traceback()
    header, error = outcome.stderr.splitlines()  # the plan's line, then the one error
    assert "grid cells" in header
    assert error.startswith(f"{part}: damaged sweep part")


def test_a_corrupt_sweep_json_is_called_damaged_not_missing(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    assert sim_inline("sweep", SPIRAL, *GRID, "--seeds", "1", "--out", out, "--workers", "1").code == 0
    (out / "sweep.json").write_text('{"scenario": "tit-for-tat-spi')
    outcome = sim_inline("sweep", SPIRAL, *GRID, "--seeds", "1", "--out", out, "--workers", "1")
    assert outcome.code == 2
    outcome.assert_no_traceback()
    assert "sweep.json: damaged" in outcome.stderr and "no sweep.json" not in outcome.stderr


def test_clean_up_keeps_a_live_writers_temporary_and_removes_a_dead_ones(tmp_path: Path) -> None:
    import pyarrow as pa

    store = PartStore(tmp_path, pa.schema([("run_id", pa.string())]), pa.schema([("run_id", pa.string())]))
    (tmp_path / RESULTS).mkdir()
    live = tmp_path / RESULTS / f".part-000003.parquet.{os.getpid()}-00aa.tmp"
    dead_pid = _dead_pid()
    dead = tmp_path / RESULTS / f".part-000003.parquet.{dead_pid}-00bb.tmp"
    live.write_bytes(b"in progress")
    dead.write_bytes(b"left by a crash")
    store.open()
    assert live.exists() and not dead.exists()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _is_worker(process: psutil.Process) -> bool:
    """A pool worker (not multiprocessing's resource tracker, not a process already gone)."""
    try:
        return "resource_tracker" not in " ".join(process.cmdline())
    except psutil.Error:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_the_workers_of_a_killed_sweep_exit(tmp_path: Path) -> None:
    proc = subprocess.Popen(_sweep(tmp_path / "sweep", 400, "--workers", "2"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 60
    workers: list[psutil.Process] = []
    while time.monotonic() < deadline and len(workers) < 2:
        workers = [p for p in parent.children(recursive=True) if _is_worker(p)]
        time.sleep(0.2)
    assert len(workers) >= 2, "the sweep never started its workers"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, f"workers still running after their parent died: {alive}"
