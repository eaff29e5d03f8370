"""Crashes, interruptions and concurrent writers lose nothing and duplicate nothing.

These tests start real ``sim run`` processes and kill them, so they take tens of seconds:
they run under the ``ci`` Hypothesis profile (what ``.ci/run`` selects) or with SIM_SLOW=1.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.app.runner import OUTPUT_FILES, run_scenario

LONG = Path(__file__).parent / "data" / "long-run.yaml"
SLOW = os.environ.get("HYPOTHESIS_PROFILE") == "ci" or os.environ.get("SIM_SLOW") == "1"
pytestmark = pytest.mark.skipif(not SLOW, reason="slow: runs under HYPOTHESIS_PROFILE=ci or SIM_SLOW=1")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The manifest of an uninterrupted run (in this process)."""
    out = tmp_path_factory.mktemp("reference") / "long"
    return run_scenario(LONG, out).manifest


def start(out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", "run", str(LONG), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 60.0) -> None:
    """Block until ``path`` exists (the run has got past its imports and started writing)."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def check_store(path: Path) -> tuple[int, bool]:
    """Integrity ok, whole batches only (seq 0..n-1 without gaps), and the finished flag."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        runs = conn.execute("SELECT run_id, finished, events FROM runs").fetchall()
        assert len(runs) <= 1
        if not runs:
            return 0, False
        run_id, finished, recorded = runs[0]
        count, top = conn.execute(
            "SELECT coalesce(sum(last_seq - first_seq + 1), 0), coalesce(max(last_seq), -1) FROM event_days"
            " WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        assert count == top + 1, f"gaps in seq: {count} events up to seq {top}"
        if finished:
            assert recorded == count
        return count, bool(finished)
    finally:
        conn.close()


def check_outputs(out: Path, reference: dict[str, object]) -> None:
    """The output directory is absent or whole: never a half-written set of files."""
    if not out.exists():
        return
    assert {p.name for p in out.iterdir()} == set(OUTPUT_FILES)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["log_sha256"] == reference["log_sha256"]


def stored_events(path: Path) -> int:
    """How many events the store holds now (0 while it is being created), read from outside."""
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.OperationalError:
        return 0
    try:
        return conn.execute("SELECT coalesce(max(last_seq), -1) + 1 FROM event_days").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0
    finally:
        conn.close()


def test_kill_9_at_twenty_moments_then_finish(tmp_path: Path, reference: dict[str, object]) -> None:
    """Kill -9 at 20 random moments while events are being written: each one once the store
    has passed a random point of the log (the points spread over the whole run, each resumed
    run going further) and a random few milliseconds more, so that kills land inside batch
    computations and commits alike. After each, the store is sound, holds whole batches only
    and is marked unfinished; the next start resumes; the end result equals the reference."""
    out = tmp_path / "long"
    partial = tmp_path / ".long.partial" / "events.sqlite"
    total = int(reference["events"])  # type: ignore[call-overload]
    draws = random.Random(20261128)
    points = [int(total * (k + draws.uniform(0.1, 0.9)) / 21) for k in range(20)]
    survived: list[tuple[int, int]] = []  # (point, events stored when killed)
    for point in points:
        proc = start(out)
        deadline = time.monotonic() + 120
        while stored_events(partial) < point:
            assert proc.poll() is None, f"the run ended before event {point}: {proc.communicate()[1]}"
            assert time.monotonic() < deadline, f"event {point} was never stored"
            time.sleep(0.002)
        time.sleep(draws.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        count, finished = check_store(partial)
        assert not finished and point <= count < total, (point, count, finished)
        assert not out.exists()
        survived.append((point, count))
    assert len(survived) == 20
    proc = start(out)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    check_outputs(out, reference)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["log_sha256"] == reference["log_sha256"] and manifest["events"] == reference["events"]
    assert not (tmp_path / ".long.partial").exists()


def test_kill_9_at_random_times_outside_the_event_writing(
    tmp_path: Path, reference: dict[str, object]
) -> None:
    """Kills at random wall-clock moments also land in start-up and while the charts, CSV and
    manifest are written: the output directory is then absent or whole, never half-written."""
    out = tmp_path / "long"
    partial = tmp_path / ".long.partial" / "events.sqlite"
    moments = random.Random(20261129)
    for _ in range(6):
        proc = start(out)
        time.sleep(moments.uniform(0.2, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if partial.exists():
            check_store(partial)
        check_outputs(out, reference)
    proc = start(out)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    check_outputs(out, reference)


def test_four_concurrent_runs_into_one_directory(tmp_path: Path, reference: dict[str, object]) -> None:
    """Four writers at once: they take turns; every event is stored exactly once."""
    out = tmp_path / "long"
    procs = [start(out) for _ in range(4)]
    for proc in procs:
        _, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr
    check_outputs(out, reference)
    count, finished = check_store(out / "events.sqlite")
    assert finished and count == reference["events"]


def test_ctrl_c_stops_cleanly_and_the_rerun_resumes(tmp_path: Path, reference: dict[str, object]) -> None:
    """SIGINT: a short message, exit 130, no traceback; the next run completes identically."""
    out = tmp_path / "long"
    proc = start(out)
    wait_for(tmp_path / ".long.partial", proc)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the run finished before the interrupt landed")
    assert proc.returncode == 130 and "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == "interrupted"
    proc = start(out)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    check_outputs(out, reference)


def test_ctrl_c_during_startup_is_as_clean_as_mid_run(tmp_path: Path) -> None:
    """An interrupt that lands while the heavy modules are still importing: the same one line
    and exit 130, no traceback, and no output directory."""
    maps = Path("/proc")
    if not maps.is_dir():
        pytest.skip("needs /proc to see when the interpreter is importing numpy")
    out = tmp_path / "long"
    proc = start(out)
    # Numpy's extension is mapped only once ``sim.__main__`` has installed its handler and is
    # importing the command modules: the window this test is about. (Before that, CPython's own
    # start-up owns SIGINT; that window is a few milliseconds.)
    deadline = time.monotonic() + 60
    while "_multiarray_umath" not in (maps / str(proc.pid) / "maps").read_text():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[1]
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines()[-1] == "interrupted"
    assert not out.exists()
