"""The second round of trust fixes: what an adversarial pass over the first round still broke.

Each test failed before its fix: a sweep deleted a user's ``fan-2019.png``; ``export --out``
replaced a device, a FIFO or a symlink by a file, or the run's own store; ``scheduled()`` acts
went into the log unchecked; ``sim check`` of a raising policy and a parameter check raising
``RuntimeError`` gave tracebacks; damaged ``runs`` rows, payload types, ``-wal`` companions,
``staffing.csv`` files and sweep parts gave tracebacks; a dead worker gave
``BrokenProcessPool``; a FIFO as ``manifest.json`` hung; a damaged partial store locked the
folder out; a full standard output gave a traceback; a policy's ``print`` broke ``--json``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.infra.outdir import recover
from sim.sweep.parts import RESULTS, STAFFING
from tests import store_rows
from tests.cli_runner import Outcome, sim_inline, sim_process

ROOT = Path(__file__).resolve().parent.parent
SPIRAL = ROOT / "scenarios" / "tit-for-tat-spiral.yaml"
MISBEHAVING = ROOT / "tests" / "plugin_files" / "misbehaving.py"
GRID = ("--grid", "sides.1.noise.miss=0,0.1")


def _sweep_error(outcome: Outcome, code: int) -> str:
    """A sweep's error: the plan's line, then one line."""
    assert outcome.code == code, (outcome.code, outcome.stderr)
    outcome.assert_no_traceback()
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) <= 2, lines
    return lines[-1]


def _one_line(outcome: Outcome, code: int) -> str:
    assert outcome.code == code, (outcome.code, outcome.stderr)
    outcome.assert_no_traceback()
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("more") / "run"
    assert sim_inline("run", SPIRAL, "--out", out).code == 0
    return out


@pytest.fixture
def copy(run_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(run_dir, tmp_path / "run"))


def _plugin_scenario(tmp_path: Path, cls: str) -> Path:
    text = SPIRAL.read_text(encoding="utf-8")
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip().startswith("policy:"))
    lines[first] = f'    policy: {{kind: "file:{MISBEHAVING}:{cls}"}}'
    path = tmp_path / "plugin.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- data loss --------------------------------------------------------------------------------


def test_a_sweep_leaves_a_folder_of_the_users_alone(tmp_path: Path) -> None:
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "fan-2019.png").write_bytes(b"my figure")
    (out / "summary.csv").write_text("mine\n")
    outcome = sim_inline(
        "sweep", SPIRAL, *GRID, "--seeds", "1", "--out", out, "--workers", "1", "--no-progress"
    )
    assert "which 'sim sweep' did not write" in _sweep_error(outcome, 2)
    assert (out / "fan-2019.png").read_bytes() == b"my figure" and (
        out / "summary.csv"
    ).read_text() == "mine\n"
    assert sorted(p.name for p in out.iterdir()) == ["fan-2019.png", "summary.csv"]


def test_an_output_file_that_is_a_fifo_is_refused_and_a_symlink_stays_a_link(
    run_dir: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    assert "not a regular file" in _one_line(sim_inline("export", run_dir, "--out", fifo), 2)
    target = tmp_path / "target.jsonl"
    target.write_text("old\n")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)
    assert sim_inline("export", run_dir, "--out", link).code == 0
    assert link.is_symlink() and target.read_text().startswith('{"')


@pytest.mark.parametrize("command", ["export", "compare"])
def test_an_output_inside_a_run_folder_is_refused(copy: Path, run_dir: Path, command: str) -> None:
    before = (copy / "events.sqlite").read_bytes()
    if command == "export":
        outcome = sim_inline("export", copy, "--out", copy / "events.sqlite")
    else:
        outcome = sim_inline("compare", run_dir, copy, "--out", copy / "staffing.png")
    assert "is inside the run folder" in _one_line(outcome, 2)
    assert (copy / "events.sqlite").read_bytes() == before


# --- users' policies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "fault"),
    [
        ("ScheduleRaises", "raised RuntimeError: boom in scheduled"),
        ("ScheduleJunk", "returned 1; each must be a ScheduledAct"),
        ("ScheduleBackwards", "an act on day -3"),
        ("ScheduleNoSuchPost", "names post 'atlantis'"),
    ],
)
def test_scheduled_acts_are_checked_like_answers(tmp_path: Path, cls: str, fault: str) -> None:
    line = _one_line(sim_process("run", _plugin_scenario(tmp_path, cls), "--out", tmp_path / "out"), 2)
    assert "in scheduled()" in line and fault in line
    assert not (tmp_path / "out").exists()


def test_sim_check_of_a_raising_policy_fails_its_properties_without_a_traceback(tmp_path: Path) -> None:
    outcome = sim_process(
        "check", f"file:{MISBEHAVING}:Raises", "--examples", "3", "--only", "forks", "--out", tmp_path
    )
    assert outcome.code == 1
    outcome.assert_no_traceback()
    assert outcome.stdout.startswith("forks         FAILED: policy 'raises'")


def test_a_parameter_check_that_raises_anything_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    kind = f"file:{ROOT / 'tests' / 'plugin_files' / 'raising_params.py'}:RaisingCheck"
    path.write_text(
        _plugin_scenario(tmp_path, "Raises").read_text().replace(f"file:{MISBEHAVING}:Raises", kind)
    )
    path.write_text(path.read_text().replace(f'kind: "{kind}"', f'kind: "{kind}", x: 2'))
    assert "validation raised RuntimeError" in _one_line(sim_process("validate", path), 2)
    line = _one_line(sim_inline("game", f"{kind}:x=3", "tit_for_tat"), 2)
    assert "raised RuntimeError" in line


def test_a_policys_print_does_not_break_json_output() -> None:
    outcome = sim_process("game", f"file:{MISBEHAVING}:Talks", "tit_for_tat", "--rounds", "20", "--json")
    assert outcome.code == 0, outcome.stderr
    json.loads(outcome.stdout)
    assert "thinking about" in outcome.stderr


def test_a_worker_that_dies_is_one_line_and_the_stored_runs_stay(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    scenario = _plugin_scenario(tmp_path, "DiesInWorkers")
    outcome = sim_process(
        "sweep", scenario, *GRID, "--seeds", "4", "--workers", "2", "--out", out, "--no-progress"
    )
    line = _sweep_error(outcome, 2)
    assert "a worker process died" in line and "resume" in line


# --- damaged stores and run folders ----------------------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    [
        lambda db: store_rows.execute(db, "UPDATE runs SET start_date = 'garbage'"),
        lambda db: store_rows.execute(db, "UPDATE runs SET end_date = '2024-13-01'"),
        lambda db: store_rows.set_field(db, 2, "role", 7),
    ],
    ids=["start-date", "end-date", "payload-type"],
)
@pytest.mark.parametrize("command", ["replay", "export"])
def test_damaged_records_and_payload_types_are_named(
    copy: Path, damage: Callable[[Path], None], command: str
) -> None:
    damage(copy / "events.sqlite")
    assert "damaged store" in _one_line(sim_inline(command, copy), 1)


def test_a_wal_that_is_a_directory(copy: Path) -> None:
    (copy / "events.sqlite-wal").mkdir()
    assert "cannot read the store" in _one_line(sim_inline("replay", copy), 2)


def test_a_fifo_as_manifest_does_not_hang(copy: Path) -> None:
    (copy / "manifest.json").unlink()
    os.mkfifo(copy / "manifest.json")
    for command in ("replay", "export"):
        _one_line(sim_process(command, copy, timeout=30), 2)


@pytest.mark.parametrize(
    "damage",
    [
        lambda folder: (folder / "staffing.csv").write_text(
            (folder / "staffing.csv").read_text().replace("headcount", "people", 1)
        ),
        lambda folder: (folder / "staffing.csv").write_text(
            (folder / "staffing.csv").read_text().replace("\n", "\n2022-01-05,A,diplomat,1e400\n", 1)
        ),
        lambda folder: (folder / "manifest.json").write_text(
            json.dumps({**json.loads((folder / "manifest.json").read_text()), "fork": {"at": "garbage"}})
        ),
    ],
    ids=["header", "huge-number", "fork-date"],
)
def test_compare_names_a_damaged_run(copy: Path, run_dir: Path, tmp_path: Path, damage: object) -> None:
    damage(copy)  # type: ignore[operator]
    line = _one_line(sim_inline("compare", run_dir, copy, "--out", tmp_path / "c.png"), 2)
    assert "damaged" in line
    assert not (tmp_path / "c.png").exists()


def test_a_damaged_partial_store_is_rebuilt(tmp_path: Path) -> None:
    partial = tmp_path / ".run.partial"
    partial.mkdir()
    (partial / "events.sqlite").write_bytes(b"this is not a database" * 100)
    assert sim_inline("run", SPIRAL, "--out", tmp_path / "run").code == 0
    assert sim_inline("replay", tmp_path / "run").code == 0


def test_a_half_deleted_aside_is_removed_once_the_new_outputs_are_in(run_dir: Path, tmp_path: Path) -> None:
    out = Path(shutil.copytree(run_dir, tmp_path / "run"))
    aside = tmp_path / ".run.old-4242"
    aside.mkdir()
    shutil.copy(out / "staffing.csv", aside / "staffing.csv")  # the rest was already deleted
    recover(out)
    assert not aside.exists() and (out / "manifest.json").is_file()


# --- sweeps ---------------------------------------------------------------------------------------


def _sweep(out: Path, seeds: int = 1) -> Outcome:
    return sim_inline("sweep", SPIRAL, *GRID, "--seeds", str(seeds), "--out", out, "--workers", "1")


def test_a_foreign_results_part_is_named(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    assert _sweep(out).code == 0
    part = sorted((out / RESULTS).glob("part-*.parquet"))[0]
    pq.write_table(pa.table({"run_id": [1, 2]}), part)
    outcome = _sweep(out, 2)
    assert outcome.code == 2
    outcome.assert_no_traceback()
    assert "not a part of this sweep" in outcome.stderr.strip().splitlines()[-1]


def test_a_staffing_part_that_is_gone_makes_its_runs_run_again(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    assert _sweep(out, 2).code == 0
    shutil.rmtree(out / STAFFING)
    outcome = _sweep(out, 2)
    assert outcome.code == 0, outcome.stderr
    assert "4 runs in" in outcome.stdout and "already done" not in outcome.stdout
    assert len(pq.read_table(out / RESULTS)) == 4


# --- standard output --------------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize("args", [("export",), ("replay",)])
def test_a_full_standard_output_is_one_line(run_dir: Path, args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "sim", *args, str(run_dir)], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "cannot write to standard output: no space left on the device"
    ]


def test_a_policy_file_that_is_a_directory_or_holds_a_nul_byte(tmp_path: Path) -> None:
    folder = tmp_path / "rules.py"
    folder.mkdir()
    assert "is not a regular file" in _one_line(sim_inline("game", f"file:{folder}:A", "tit_for_tat"), 2)
    nul = tmp_path / "nul.py"
    nul.write_bytes(b"x = 1\0\n")
    line = _one_line(sim_inline("game", f"file:{nul}:A", "tit_for_tat"), 2)
    assert f"{nul}: cannot load the policy file" in line and "None" not in line


def test_an_interrupt_while_the_report_is_drawn_leaves_the_old_report_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.sweep import report as sweep_report
    from sim.sweep.execute import run_sweep
    from sim.sweep.grid import parse_option
    from sim.sweep.plan import plan_sweep

    out = tmp_path / "sweep"
    assert _sweep(out).code == 0
    before = {name: (out / name).read_bytes() for name in ("summary.csv", "metrics.png", "fan.png")}

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_report, "metrics_chart", interrupted)
    plan = plan_sweep(SPIRAL, [parse_option(GRID[1])], seeds=2)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(plan, out, workers=1)
    assert {name: (out / name).read_bytes() for name in before} == before
    assert not list(out.glob(".report.*"))


def test_ctrl_c_before_the_workers_start_still_says_how_to_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI found it: a SIGINT that lands after sweep.json is written but before the executor's
    loop (a loaded machine) ended with only 'interrupted', not how to resume."""
    import sim.sweep.execute

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.sweep.execute, "run_sweep", interrupted)
    outcome = sim_inline("sweep", SPIRAL, *GRID, "--seeds", "1", "--out", tmp_path / "s", "--workers", "1")
    assert outcome.code == 130
    assert "run the same command again to resume" in outcome.stderr
