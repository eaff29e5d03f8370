"""Sweeps: grid keys and values checked before anything runs, seeds keyed by the grid, results
identical with any number of local workers, resumable storage, and the command end to end.

Every sweep here runs a small scenario of a few months (milliseconds a run). The Dask
executor's test is in ``test_sweep_cluster.py``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.infra.errors import InputError
from sim.sweep.execute import (
    BATCH_RUNS,
    LEAST_RUNS,
    Executor,
    InlineExecutor,
    LocalExecutor,
    SweepConflict,
    chunks,
    run_sweep,
)
from sim.sweep.grid import Axis, GridError, parse_option, to_spec
from sim.sweep.parts import RESULTS, STAFFING
from sim.sweep.plan import plan_sweep, run_seed
from sim.sweep.worker import run_chunk
from tests.cli_runner import ROOT, sim_inline
from tests.helpers import BUNDLED

SCENARIO = """\
name: small-spiral
start: 2021-01-01
end: 2021-09-30
seed: 5
acts:
  - {date: 2021-02-01, actor: A, kind: expel, size: 2, deadline_days: 7}
sides:
  - name: A
    mission:
      posts: {embassy: {diplomat: 12, admin_technical: 6, local: 8}}
      tour_days: {diplomat: [60, 200], admin_technical: [60, 200]}
    visas: {policy: issue, processing_days: [5, 40]}
    policy: {kind: tit_for_tat, delay_days: 7, deadline_days: 10}
  - name: B
    mission:
      posts: {embassy: {diplomat: 12, admin_technical: 6, local: 8}}
      tour_days: {diplomat: [60, 200], admin_technical: [60, 200]}
    visas: {policy: issue, processing_days: [5, 40]}
    policy: {kind: tit_for_tat, delay_days: 7, deadline_days: 10}
    noise: {miss: 0.2}
"""

GRID = ("sides.B.policy.delay_days=3,20", "sides.A.noise.miss=0,0.5")


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def axes(*options: str) -> list[Axis]:
    return [parse_option(text) for text in options]


def sorted_frame(path: Path, keys: list[str]) -> pd.DataFrame:
    return pd.read_parquet(path).sort_values(keys).reset_index(drop=True)


# --- the grid option --------------------------------------------------------------------------


def test_grid_option_values_are_yaml_and_brackets_keep_their_commas() -> None:
    axis = parse_option("sides.RU.visas.processing_days=7,[1, 30],x, 0.5,true")
    assert axis.key == "sides.RU.visas.processing_days"
    assert axis.values == (7, [1, 30], "x", 0.5, True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sides.A.policy.delay_days", "is not KEY=VALUE"),
        ("sides.A.policy.delay_days=", "no values after '='"),
        ("sides.A.policy.delay_days=1,,2", "an empty value"),
        ("sides.A.policy.delay_days=[1,", "YAML"),
    ],
)
def test_bad_grid_option_is_one_line(text: str, message: str) -> None:
    with pytest.raises(GridError) as caught:
        parse_option(text)
    assert len(caught.value.lines) == 1
    assert caught.value.lines[0].startswith("--grid: ")
    assert message in caught.value.lines[0]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("sides.C.policy.delay_days=1", "no side named 'C' (sides: A, B)"),
        ("sides.2.noise.miss=0.1", "sides has 2 items; index 2 is past the end"),
        ("sides.A.noise.mis=0.1", "did you mean 'miss'?"),
        ("sides.A.policy.delay_dayz=1", "policy kind 'tit_for_tat' has no parameter 'delay_dayz'"),
        ("sides.A.policy.delay_days=0", "delay_days=0: Input should be greater than or equal to 1"),
        ("sides.A.policy.kind=tit_for_tatt", "unknown kind 'tit_for_tatt'"),
        ("sides.A.visas.processing_days=[9, 2]", "runs backwards"),
        ("sides.A.name=Z", "a side's name cannot vary"),
        ("seed=1,2", "each run's seed comes from the sweep"),
        ("end=2020-01-01", "is not after start"),
        ("sides.A.noise.miss=0.1,0.1", "listed twice"),
        ("start.year=2020", "is a single value"),
    ],
)
def test_bad_grid_key_or_value_is_placed_before_anything_runs(
    scenario_file: Path, option: str, message: str
) -> None:
    with pytest.raises(GridError) as caught:
        plan_sweep(scenario_file, axes(option), seeds=2)
    assert any(message in line for line in caught.value.lines), caught.value.lines
    assert all(line.startswith("--grid: ") and "\n" not in line for line in caught.value.lines)


def test_a_side_is_addressed_by_name_or_by_index(scenario_file: Path) -> None:
    by_name = plan_sweep(scenario_file, axes("sides.B.timing.delay_days=4"), seeds=1)
    by_index = plan_sweep(scenario_file, axes("sides.1.timing.delay_days=4"), seeds=1)
    assert by_name.variants[0].sides[1].timing.delay_days == (4, 4)
    assert by_name.variants[0].sha256() == by_index.variants[0].sha256()


def test_changing_a_policy_kind_starts_its_parameters_afresh(scenario_file: Path) -> None:
    plan = plan_sweep(
        scenario_file, axes("sides.A.policy.kind=none,tit_for_tat", "sides.B.policy.delay_days=2"), seeds=1
    )
    kinds = [v.sides[0].policy.kind for v in plan.variants]
    assert kinds == ["none", "tit_for_tat"]
    assert plan.variants[1].sides[0].policy.delay_days == 7  # kept: the kind did not change
    assert plan.variants[0].sides[1].policy.delay_days == 2
    with pytest.raises(GridError, match=r"policy kind 'none' has no parameter 'delay_days'.*never answers"):
        plan_sweep(scenario_file, axes("sides.A.policy.kind=none", "sides.A.policy.delay_days=2"), seeds=1)


def test_variants_keep_the_documented_prelude() -> None:
    scenario = ROOT / "scenarios" / "rotation-rule-2021.yaml"
    plan = plan_sweep(scenario, axes("sides.US.noise.miss=0,0.5"), seeds=1)
    assert all(v.prelude_log is not None and v.prelude_log.acts for v in plan.variants)
    assert plan.variants[0].prelude_log == plan.scenario.prelude_log


# --- seeds and chunks -----------------------------------------------------------------------


def test_run_seeds_come_from_the_sweep_seed_and_the_grid_key_alone(scenario_file: Path) -> None:
    plan = plan_sweep(scenario_file, axes(*GRID), seeds=3, sweep_seed=42)
    swapped = plan_sweep(scenario_file, axes(*reversed(GRID)), seeds=3, sweep_seed=42)
    seeds = {(json.dumps(plan.cells[r.cell], sort_keys=True), r.replicate): r.seed for r in plan.runs()}
    again = {(json.dumps(swapped.cells[r.cell], sort_keys=True), r.replicate): r.seed for r in swapped.runs()}
    assert seeds == again  # the axes' order (and so the run order) changes nothing
    assert len(set(seeds.values())) == len(seeds)
    other = plan_sweep(scenario_file, axes(*GRID), seeds=3, sweep_seed=43)
    assert not {r.seed for r in plan.runs()} & {r.seed for r in other.runs()}
    assert run_seed(42, {"k": 1}, 0) == run_seed(42, {"k": 1}, 0) < 2**63


def test_chunks_cover_every_run_once_and_never_mix_cells(scenario_file: Path) -> None:
    plan = plan_sweep(scenario_file, axes(*GRID), seeds=37)
    for batch in (None, 1, 5, 100):
        work = chunks(plan.runs(), workers=2, batch=batch)
        ids = [run.run_id for _, runs in work for run in runs]
        assert ids == [r.run_id for r in plan.runs()]  # every run once, in plan order
        assert all(all(run.cell == cell for run in runs) for cell, runs in work)
        if batch is not None:
            assert all(len(runs) == min(batch, 37) or runs[-1].replicate == 36 for _, runs in work)


def test_batches_are_large_while_much_is_left_and_shrink_towards_the_end(scenario_file: Path) -> None:
    plan = plan_sweep(scenario_file, seeds=10_000)
    sizes = [len(runs) for _, runs in chunks(plan.runs(), workers=2)]
    assert sum(sizes) == 10_000 and max(sizes) == BATCH_RUNS
    assert sizes[:50] == [BATCH_RUNS] * 50
    assert sizes[-1] <= LEAST_RUNS and sizes == sorted(sizes, reverse=True)
    assert len(sizes) < 10_000 / BATCH_RUNS + 60


def test_a_chunk_is_the_same_in_any_process(scenario_file: Path) -> None:
    plan = plan_sweep(scenario_file, axes(*GRID), seeds=2)
    variant = plan.variants[3]
    tasks = [(r.run_id, r.seed) for r in plan.runs() if r.cell == 3]
    first = run_chunk("k1", to_spec(variant), tasks, 7)
    second = run_chunk("k2", json.loads(json.dumps(to_spec(variant))), tasks, 7)
    assert [(rid, m) for rid, m, _ in first] == [(rid, m) for rid, m, _ in second]


def test_a_batch_leaves_the_garbage_collector_as_it_found_it(
    scenario_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers hold the collector off while they simulate (sim.sweep.worker); the same
    function runs in this process for --workers 1, whose collector must come back as it was,
    after a batch and after a run that fails."""
    import gc

    from sim.sweep.worker import run_batch

    plan = plan_sweep(scenario_file, seeds=3)
    variant = plan.variants[0]
    tasks = [(r.run_id, r.seed) for r in plan.runs()]
    assert gc.isenabled()
    first = run_batch("gc-k", to_spec(variant), tasks, 7)
    assert gc.isenabled()
    gc.disable()
    try:
        again = run_batch("gc-k", to_spec(variant), tasks, 7)
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert first.metrics == again.metrics and (first.staffing == again.staffing).all()
    import sim.engine.loop

    def failing(scenario: object) -> None:
        raise RuntimeError("a policy failed")

    monkeypatch.setattr(sim.engine.loop, "simulate", failing)
    with pytest.raises(RuntimeError, match="a policy failed"):
        run_batch("gc-k", to_spec(variant), tasks, 7)
    assert gc.isenabled()


# --- running and storing --------------------------------------------------------------------


def test_results_are_identical_with_one_or_two_local_workers(scenario_file: Path, tmp_path: Path) -> None:
    plan = plan_sweep(scenario_file, axes(*GRID), seeds=6)
    one = run_sweep(plan, tmp_path / "one", executor=InlineExecutor(), report=False)
    two = run_sweep(plan, tmp_path / "two", executor=LocalExecutor(2), report=False)
    assert one.ran == two.ran == 24
    for name, keys in ((RESULTS, ["run_id"]), (STAFFING, ["run_id", "mission", "day"])):
        a = sorted_frame(tmp_path / "one" / name, keys)
        b = sorted_frame(tmp_path / "two" / name, keys)
        pd.testing.assert_frame_equal(a, b)
    results = sorted_frame(tmp_path / "one" / RESULTS, ["run_id"])
    assert results["run_id"].is_unique and len(results) == 24
    assert results.groupby("cell")["hostile_acts_A"].nunique().max() > 1  # seeds differ within a cell


def test_results_rows_hold_grid_values_seed_and_metrics(scenario_file: Path, tmp_path: Path) -> None:
    plan = plan_sweep(scenario_file, axes(*GRID), seeds=2)
    outcome = run_sweep(plan, tmp_path, executor=InlineExecutor())
    frame = outcome.results
    assert list(frame.columns[:6]) == [
        "run_id",
        "cell",
        "replicate",
        "seed",
        "sides.B.policy.delay_days",
        "sides.A.noise.miss",
    ]
    metrics = {"final_A", "min_B", "below_half_day_A", "expelled_B", "hostile_acts_A", "escalation_rounds"}
    assert metrics <= set(frame.columns)
    assert frame["sides.A.noise.miss"].dtype == float
    staffing = pd.read_parquet(tmp_path / STAFFING)
    days = sorted(staffing["day"].unique())
    assert days[:3] == [0, 7, 14] and days[-1] <= plan.scenario.horizon
    assert len(staffing) == 8 * 2 * len(days)
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert list(summary["runs"]) == [2, 2, 2, 2]
    for chart in ("fan.png", "metrics.png"):
        assert (tmp_path / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_rerunning_skips_stored_runs_and_more_seeds_extend(scenario_file: Path, tmp_path: Path) -> None:
    plan = plan_sweep(scenario_file, axes(*GRID), seeds=2)
    assert run_sweep(plan, tmp_path, executor=InlineExecutor(), report=False).ran == 8
    again = run_sweep(plan, tmp_path, executor=InlineExecutor(), report=False)
    assert (again.ran, again.skipped) == (0, 8)
    more = plan_sweep(scenario_file, axes(*GRID), seeds=3)
    extended = run_sweep(more, tmp_path, executor=InlineExecutor(), report=False)
    assert (extended.ran, extended.skipped) == (4, 8)
    results = pd.read_parquet(tmp_path / RESULTS)
    assert len(results) == 12 and results["run_id"].is_unique
    assert pd.read_parquet(tmp_path / STAFFING).groupby("run_id").ngroups == 12


class Crashing(Executor):
    """Yields the first ``keep`` chunks of a real inline run, then Ctrl-C."""

    name = "crashing"

    def __init__(self, keep: int) -> None:
        self.keep = keep

    def results(self, plan, work):  # type: ignore[no-untyped-def]
        for number, batch in enumerate(InlineExecutor().results(plan, work)):
            if number == self.keep:
                raise KeyboardInterrupt
            yield batch


def test_an_interrupted_sweep_keeps_finished_runs_and_resumes(scenario_file: Path, tmp_path: Path) -> None:
    plan = plan_sweep(scenario_file, axes(*GRID), seeds=5)
    broken = run_sweep(plan, tmp_path / "resumed", executor=Crashing(keep=2))
    assert broken.interrupted and broken.ran > 0
    stored = pd.read_parquet(tmp_path / "resumed" / RESULTS)
    assert len(stored) == broken.ran
    assert not (tmp_path / "resumed" / "fan.png").exists()
    finished = run_sweep(plan, tmp_path / "resumed", executor=InlineExecutor(), report=False)
    assert finished.skipped == broken.ran and finished.ran == 20 - broken.ran
    whole = run_sweep(plan, tmp_path / "whole", executor=InlineExecutor(), report=False)
    assert whole.ran == 20
    pd.testing.assert_frame_equal(
        sorted_frame(tmp_path / "resumed" / RESULTS, ["run_id"]).drop(columns=[]),
        sorted_frame(tmp_path / "whole" / RESULTS, ["run_id"]),
    )


def test_batch_size_changes_no_output_row_or_its_order(scenario_file: Path, tmp_path: Path) -> None:
    """Batches of 1, of 7 and as sized by default, inline and on two local workers: the same
    datasets row for row (batches are written in plan order, whichever finishes first) and the
    same summary."""
    plan = plan_sweep(scenario_file, axes(*GRID), seeds=9)
    cases = {
        "one-inline": (InlineExecutor(), 1),
        "one-local": (LocalExecutor(2), 1),
        "seven-local": (LocalExecutor(2), 7),
        "default-local": (LocalExecutor(2), None),
    }
    for name, (executor, batch) in cases.items():
        outcome = run_sweep(plan, tmp_path / name, executor=executor, batch=batch)
        assert outcome.ran == 36, name
    for dataset in (RESULTS, STAFFING, "summary.csv"):
        read = pd.read_csv if dataset.endswith(".csv") else pd.read_parquet
        reference = read(tmp_path / "one-inline" / dataset)
        for name in cases:
            pd.testing.assert_frame_equal(read(tmp_path / name / dataset), reference, obj=f"{name} {dataset}")
    order = list(pd.read_parquet(tmp_path / "seven-local" / RESULTS)["run_id"])
    assert order == [r.run_id for r in plan.runs()]


class Reversed(Executor):
    """An inline run that hands its batches back last first (workers finish in any order)."""

    name = "reversed"

    def results(self, plan, work):  # type: ignore[no-untyped-def]
        yield from reversed(list(InlineExecutor().results(plan, work)))


def test_batches_finishing_out_of_order_are_written_in_plan_order(
    scenario_file: Path, tmp_path: Path
) -> None:
    plan = plan_sweep(scenario_file, axes(*GRID), seeds=4)
    run_sweep(plan, tmp_path / "reversed", executor=Reversed(), report=False, batch=3)
    run_sweep(plan, tmp_path / "inline", executor=InlineExecutor(), report=False, batch=3)
    for dataset in (RESULTS, STAFFING):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "reversed" / dataset), pd.read_parquet(tmp_path / "inline" / dataset)
        )


def test_a_sweep_stopped_in_the_middle_of_batches_resumes_to_the_same_output(
    scenario_file: Path, tmp_path: Path
) -> None:
    """Ctrl-C (here: from the progress callback) after the first batch, while both workers are
    in the middle of the next ones: what finished is kept, the batches cut short are run again
    on resume (in other batch sizes), and the outputs equal an uninterrupted sweep's."""
    plan = plan_sweep(scenario_file, axes(*GRID), seeds=30)

    def stop(done: int, total: int, ran: int) -> None:
        if ran:
            raise KeyboardInterrupt

    broken = run_sweep(plan, tmp_path / "resumed", executor=LocalExecutor(2), on_progress=stop, batch=8)
    assert broken.interrupted and 0 < broken.ran < 120
    stored = pd.read_parquet(tmp_path / "resumed" / RESULTS)
    assert len(stored) == broken.ran and stored["run_id"].is_unique
    finished = run_sweep(plan, tmp_path / "resumed", executor=LocalExecutor(2), batch=5)
    assert (finished.skipped, finished.ran) == (broken.ran, 120 - broken.ran)
    run_sweep(plan, tmp_path / "whole", executor=LocalExecutor(2))
    for name, keys in ((RESULTS, ["run_id"]), (STAFFING, ["run_id", "mission", "day"])):
        pd.testing.assert_frame_equal(
            sorted_frame(tmp_path / "resumed" / name, keys), sorted_frame(tmp_path / "whole" / name, keys)
        )
    for report in ("summary.csv",):
        assert (tmp_path / "resumed" / report).read_bytes() == (tmp_path / "whole" / report).read_bytes()


def test_an_inline_sweep_stopped_between_batches_resumes_row_for_row(
    scenario_file: Path, tmp_path: Path
) -> None:
    """Stopped between batches, a sweep has written a prefix of the plan; resumed, it writes the
    rest in plan order, so its datasets equal an uninterrupted sweep's row for row."""
    plan = plan_sweep(scenario_file, axes(*GRID), seeds=5)
    run_sweep(plan, tmp_path / "resumed", executor=Crashing(keep=3), batch=2)
    run_sweep(plan, tmp_path / "resumed", executor=InlineExecutor(), report=False, batch=4)
    run_sweep(plan, tmp_path / "whole", executor=InlineExecutor(), report=False)
    for dataset in (RESULTS, STAFFING):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "resumed" / dataset), pd.read_parquet(tmp_path / "whole" / dataset)
        )


def test_what_a_crash_leaves_is_cleared(scenario_file: Path, tmp_path: Path) -> None:
    plan = plan_sweep(scenario_file, axes(*GRID), seeds=2)
    run_sweep(plan, tmp_path, executor=InlineExecutor(), report=False)
    orphan = tmp_path / STAFFING / "part-000099.parquet"  # its results part never landed
    orphan.write_bytes((tmp_path / STAFFING / "part-000000.parquet").read_bytes())
    (tmp_path / RESULTS / ".part-000100.parquet.tmp").write_bytes(b"half a file")
    again = run_sweep(plan, tmp_path, executor=InlineExecutor(), report=False)
    assert again.ran == 0
    assert not orphan.exists()
    assert not list((tmp_path / RESULTS).glob(".*"))
    assert pq.read_table(tmp_path / STAFFING).num_rows == pq.read_table(tmp_path / STAFFING).num_rows


def test_another_sweep_in_the_same_directory_needs_force(scenario_file: Path, tmp_path: Path) -> None:
    first = plan_sweep(scenario_file, axes(*GRID), seeds=1)
    run_sweep(first, tmp_path, executor=InlineExecutor(), report=False)
    other = plan_sweep(scenario_file, axes("sides.B.policy.delay_days=4"), seeds=1)
    with pytest.raises(SweepConflict, match="another grid"):
        run_sweep(other, tmp_path, executor=InlineExecutor(), report=False)
    forced = run_sweep(other, tmp_path, executor=InlineExecutor(), force=True, report=False)
    assert forced.ran == 1 and len(pd.read_parquet(tmp_path / RESULTS)) == 1


# --- the command ----------------------------------------------------------------------------


def test_sweep_command_end_to_end(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    grid = [arg for option in GRID for arg in ("--grid", option)]
    result = sim_inline("sweep", scenario_file, *grid, "--seeds", 3, "--workers", 1, "--out", out)
    assert result.code == 0, result.stderr
    result.assert_no_traceback()
    assert "B.delay_days=20, A.miss=0.5" in result.stdout
    assert "12 runs in" in result.stdout
    assert "12/12" in result.stderr  # the progress bar's last state
    written = {RESULTS, STAFFING, "sweep.json", "summary.csv", "fan.png", "metrics.png"}
    assert {p.name for p in out.iterdir()} >= written
    again = sim_inline(
        "sweep", scenario_file, *grid, "--seeds", 3, "--workers", 1, "--out", out, "--no-progress"
    )
    assert again.code == 0 and "12 already done" in again.stdout


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (("--grid", "sides.Q.noise.miss=0.1"), "--grid: sides.Q.noise.miss: no side named 'Q'"),
        (("--grid", "sides.A.noise.miss=7"), "--grid: sides.A.noise.miss=7: Input should be less than"),
        (("--seeds", "0"), "--seeds: 0 is not between 1"),
        (("--workers", "0"), "--workers: 0 is not between 1 and 1,024"),
        (("--workers", "99999999999999999999"), "--workers: 99999999999999999999 is not between 1 and 1,024"),
        (("--scheduler", "localhost"), "--scheduler: 'localhost' is not tcp://HOST:PORT"),
    ],
)
def test_bad_sweep_options_exit_2_before_anything_runs(
    scenario_file: Path, tmp_path: Path, args: tuple[str, ...], first: str
) -> None:
    out = tmp_path / "never"
    result = sim_inline("sweep", scenario_file, *args, "--out", out)
    assert result.code == 2, result.stdout
    result.assert_no_traceback()
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(first), lines
    assert not out.exists()


def test_unreachable_scheduler_is_one_line() -> None:
    pytest.importorskip("distributed")
    import socket

    from sim.sweep.execute import DaskExecutor, SweepSetupError

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SweepSetupError) as caught:
        DaskExecutor(f"tcp://127.0.0.1:{port}", timeout=1)
    message = str(caught.value)
    assert message.startswith(f"--scheduler: cannot connect to tcp://127.0.0.1:{port}")
    assert "\n" not in message


def write_sweep_file(directory: Path, scenario_file: Path, grid: str) -> Path:
    path = directory / "sweep.yaml"
    path.write_text(
        f"scenario: {os.path.relpath(scenario_file, directory)}\nseeds: 2\nseed: 9\nworkers: 1\n"
        f"grid:\n{grid}",
        encoding="utf-8",
    )
    return path


def test_a_sweep_file_names_scenario_grid_and_seeds(scenario_file: Path, tmp_path: Path) -> None:
    sweep = write_sweep_file(tmp_path, scenario_file, "  sides.B.policy.delay_days: [3, 20]\n")
    result = sim_inline("sweep", sweep, "--out", tmp_path / "out", "--no-progress")
    assert result.code == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "sweep.json").read_text())
    assert manifest["grid"] == {"sides.B.policy.delay_days": [3, 20]}
    assert (manifest["seeds"], manifest["sweep_seed"]) == (2, 9)


def test_a_bad_value_in_a_sweep_file_is_placed_at_its_line(scenario_file: Path, tmp_path: Path) -> None:
    sweep = write_sweep_file(tmp_path, scenario_file, "  sides.B.policy.delay_days: [3, -1]\n")
    result = sim_inline("sweep", sweep, "--out", tmp_path / "out")
    assert result.code == 2
    line = result.stderr.strip()
    assert line == (
        f"{sweep}:6:34: grid.sides.B.policy.delay_days[1]: Input should be greater than or equal to 1"
    ), line
    with pytest.raises(InputError, match="unknown field 'seed_count'"):
        from sim.sweep.plan import load_sweep_file

        bad = tmp_path / "bad.yaml"
        bad.write_text(f"scenario: {scenario_file}\nseed_count: 3\n", encoding="utf-8")
        load_sweep_file(bad)


def test_ctrl_c_stops_the_workers_and_the_same_command_resumes(scenario_file: Path, tmp_path: Path) -> None:
    """A real process: SIGINT while two workers run, exit 130, then a rerun finishes the rest."""
    # 6,000 runs: with the rebuilt engine 600 could all finish before the Ctrl-C a second in.
    out = tmp_path / "out"
    args = [sys.executable, "-m", "sim", "sweep", str(scenario_file), "--grid", GRID[0], "--seeds", "3000"]
    args += ["--workers", "2", "--out", str(out), "--no-progress"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 60
    while proc.poll() is None and not (out / "sweep.json").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(1.0)  # the workers are running by now
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "run the same command again to resume" in stderr, stderr
    stored = len(pd.read_parquet(out / RESULTS)) if list((out / RESULTS).glob("part-*")) else 0
    assert stored < 6000  # (on a very slow machine no chunk may have finished: 0 is fine)
    rerun = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    if stored:
        assert f"{stored:,} already done" in rerun.stdout
    results = pd.read_parquet(out / RESULTS)
    assert len(results) == 6000 and results["run_id"].is_unique


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_bundled_scenario_travels_to_a_worker_and_back(path: Path) -> None:
    """What a sweep ships to a worker (pickled) reads back as the same scenario: the same hash
    and, for a fork, the same documented log (what-if-mirror-2016 keeps acts that answered
    the acts it drops, which read back as data its log's check refused)."""
    import pickle

    from sim.scenario.loading import load_scenario
    from sim.sweep.grid import from_spec, to_spec

    scenario = load_scenario(path)
    back = from_spec(pickle.loads(pickle.dumps(to_spec(scenario))))
    assert back.sha256() == scenario.sha256()
    assert back.prelude_log == scenario.prelude_log
