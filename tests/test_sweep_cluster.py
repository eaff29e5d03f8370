"""The same sweep on a real Dask cluster gives the same rows as one local process and as two.

Needs a running cluster: ``SIM_TEST_SCHEDULER=tcp://HOST:PORT`` (``.ci/run`` starts a
scheduler and two workers on 127.0.0.1 and sets it). Without that variable the tests are
skipped, so a local ``pytest`` stays quick.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from sim.sweep.execute import InlineExecutor, LocalExecutor, run_sweep
from sim.sweep.parts import RESULTS, STAFFING
from sim.sweep.plan import plan_sweep
from tests.cli_runner import sim_inline
from tests.test_sweep import GRID, SCENARIO, axes, sorted_frame

SCHEDULER = os.environ.get("SIM_TEST_SCHEDULER")
pytestmark = pytest.mark.skipif(not SCHEDULER, reason="SIM_TEST_SCHEDULER is not set (no Dask cluster)")


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def test_one_process_two_processes_and_a_dask_cluster_agree(scenario_file: Path, tmp_path: Path) -> None:
    from sim.sweep.execute import DaskExecutor

    plan = plan_sweep(scenario_file, axes(*GRID), seeds=5, sweep_seed=77)
    dask = DaskExecutor(SCHEDULER)  # type: ignore[arg-type]
    assert dask.workers >= 2, dask.name
    outcomes = {
        "inline": run_sweep(plan, tmp_path / "inline", executor=InlineExecutor(), report=False),
        "local": run_sweep(plan, tmp_path / "local", executor=LocalExecutor(2), report=False),
        "dask": run_sweep(plan, tmp_path / "dask", executor=dask, report=False),
    }
    assert {name: o.ran for name, o in outcomes.items()} == {"inline": 20, "local": 20, "dask": 20}
    for name, keys in ((RESULTS, ["run_id"]), (STAFFING, ["run_id", "mission", "day"])):
        reference = sorted_frame(tmp_path / "inline" / name, keys)
        for other in ("local", "dask"):
            pd.testing.assert_frame_equal(reference, sorted_frame(tmp_path / other / name, keys))
    # The cells really differ (a scattered scenario reaches its own tasks, not another cell's).
    results = sorted_frame(tmp_path / "dask" / RESULTS, ["run_id"])
    assert results.groupby("cell")["hostile_acts_B"].median().nunique() > 1


def test_the_command_runs_on_the_cluster(scenario_file: Path, tmp_path: Path) -> None:
    out, local = tmp_path / "out", tmp_path / "local"
    common = ("sweep", scenario_file, "--grid", GRID[0], "--seeds", 4)
    result = sim_inline(*common, "--scheduler", SCHEDULER, "--out", out)
    assert result.code == 0, result.stderr
    result.assert_no_traceback()
    assert f"on Dask at {SCHEDULER}" in result.stdout
    assert sim_inline(*common, "--workers", 1, "--out", local).code == 0
    expected = sorted_frame(local / RESULTS, ["run_id"])
    pd.testing.assert_frame_equal(sorted_frame(out / RESULTS, ["run_id"]), expected)
