"""``sim calibrate``: a processing time recovered from figures simulated with it, the same
answer on every executor and after a resume, and every bad input refused in one line.

The synthetic scenario's replacements wait for visas, so the processing time sets how many
of B's diplomats are at post at each date; its documented log holds the medians that the
scenario gives over the calibration's own seeds at ``TRUE_DAYS``, so the objective is 0 there.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_runner import sim_inline
from tests.helpers import class_memory_as_it_was  # noqa: F401  (an autouse fixture)

TRUE_DAYS = 90
SEEDS = 5
PARAM = "sides.0.visas.processing_days=20:200"
SCENARIO = """\
name: synth-processing
description: Tours end and replacements wait for visas; the wait sets the headcount.
start: 2020-01-01
end: 2020-12-31
seed: 11
{prelude}
sides:
  - name: A
    mission:
      posts:
        embassy: {{diplomat: 60}}
      tour_days: {{diplomat: [30, 330]}}
      travel_days: 0
    visas: {{policy: issue, processing_days: [10, 10]}}
    policy: {{kind: none}}
  - name: B
    mission:
      posts:
        embassy: {{diplomat: 60}}
      tour_days: {{diplomat: [30, 330]}}
      travel_days: 0
    visas: {{policy: issue, processing_days: [10, 10]}}
    policy: {{kind: none}}
"""
DATES = ("2020-05-01", "2020-07-01", "2020-09-01", "2020-11-01")


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scenario, with a log of four counts simulated at ``TRUE_DAYS`` (observations 1-4),
    a bound (5) and a flow (6)."""
    from sim import api

    folder = tmp_path_factory.mktemp("synth")
    bare = folder / "bare.yaml"
    bare.write_text(SCENARIO.format(prelude=""), encoding="utf-8")
    truth = api.change(api.load(bare), {"sides.0.visas.processing_days": [TRUE_DAYS, TRUE_DAYS]})
    runs = [api.simulate(truth, seed=truth.seed + i).staffing["B"] for i in range(SEEDS)]
    lines = ["title: figures simulated at processing_days 90", "sides: [A, B]", "acts: []", "observations:"]
    for date in DATES:
        median = int(sorted(run.loc[date] for run in runs)[SEEDS // 2])
        lines.append(
            f"  - {{date: {date}, mission: B, headcount: {median}, approximate: false, source: sim}}"
        )
    lines.append("  - {date: 2020-06-01, mission: B, kind: at_least, headcount: 10, source: a bound}")
    lines.append(
        "  - {date: 2020-12-01, since: 2020-01-01, mission: B, kind: flow, headcount: 60, source: x}"
    )
    (folder / "log.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = folder / "synth.yaml"
    path.write_text(SCENARIO.format(prelude="prelude: log.yaml"), encoding="utf-8")
    return path


def calibrate(scenario: Path, out: Path, *extra: object, trials: int = 4, workers: int = 1) -> dict:
    result = sim_inline(
        "calibrate",
        scenario,
        "--param",
        PARAM,
        "--seeds",
        SEEDS,
        "--trials",
        trials,
        "--workers",
        workers,
        "--out",
        out,
        "--json",
        *extra,
    )
    assert result.code == 0, result.stderr
    result.assert_no_traceback()
    return json.loads(result.stdout)


def history(report: dict) -> list[tuple[int, float]]:
    return [(t["params"]["sides.0.visas.processing_days"], t["mape"]) for t in report["history"]]


def trial_states(out: Path) -> dict[str, int]:
    with sqlite3.connect(out / "study.db") as db:
        return dict(db.execute("SELECT state, COUNT(*) FROM trials GROUP BY state").fetchall())


def test_recovers_the_processing_time_the_figures_were_simulated_with(synth: Path, tmp_path: Path) -> None:
    report = calibrate(synth, tmp_path / "out", "--validate", "5,6", trials=25)
    (param,) = report["params"]
    assert param["integer"] and param["pair"]
    assert abs(param["best"] - TRUE_DAYS) <= 12, report["history"]
    assert report["calibration"]["observations"] == [1, 2, 3, 4]
    assert report["calibration"]["mape_counts"] < 5
    # as written (visas in 10 days) the figures are far off: the calibration is what fits them
    assert report["as_written"]["calibration"]["mape_counts"] > 20
    assert report["validation"]["observations"] == [5, 6]
    bound, flow = report["validation"]["rows"]
    assert bound["satisfied"] == SEEDS and flow["median"] is not None and flow["error"] is not None
    spread = param["spread"]
    assert spread["p10"] <= param["best"] <= spread["p90"] or report["spread"]["best_share"] < 0.5
    assert json.loads((tmp_path / "out" / "calibration.json").read_text()) == report


def test_the_same_command_gives_the_same_trials_on_one_process_and_two(synth: Path, tmp_path: Path) -> None:
    one = calibrate(synth, tmp_path / "one", trials=12)
    two = calibrate(synth, tmp_path / "two", trials=12, workers=2)
    assert history(one) == history(two)
    assert one["params"] == two["params"] and one["spread"] == two["spread"]
    other = calibrate(synth, tmp_path / "other", "--sampler-seed", 5, trials=12)
    assert history(other) != history(one)


def test_a_resumed_study_runs_only_the_missing_trials_and_matches_one_run(
    synth: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = calibrate(synth, out, trials=3)
    assert (first["ran"], trial_states(out)) == (3, {"COMPLETE": 3})
    resumed = calibrate(synth, out, trials=6)
    assert (resumed["ran"], trial_states(out)) == (3, {"COMPLETE": 6})
    assert history(resumed)[:3] == history(first)
    assert history(resumed) == history(calibrate(synth, tmp_path / "whole", trials=6))
    again = calibrate(synth, out, trials=6)
    assert again["ran"] == 0 and trial_states(out) == {"COMPLETE": 6}


def test_an_interrupted_study_keeps_its_trials_and_resumes(
    synth: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.calibration import study

    real, calls = study.evaluate, []

    def interrupted_third(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    out = tmp_path / "out"
    monkeypatch.setattr(study, "evaluate", interrupted_third)
    result = sim_inline("calibrate", synth, "--param", PARAM, "--seeds", SEEDS, "--trials", 5, "--out", out)
    assert result.code == 130 and "run the same command to resume" in result.stderr
    assert trial_states(out) == {"COMPLETE": 2, "FAIL": 1}
    assert not (out / "calibration.json").exists()
    monkeypatch.setattr(study, "evaluate", real)
    resumed = calibrate(synth, out, trials=5)
    assert resumed["ran"] == 3 and resumed["trials"] == 5
    assert history(resumed) == history(calibrate(synth, tmp_path / "whole", trials=5))


def test_a_trial_left_running_by_a_killed_process_is_not_counted(synth: Path, tmp_path: Path) -> None:
    from sim.calibration.study import open_study

    out = tmp_path / "out"
    calibrate(synth, out, trials=2)
    open_study(out).ask()  # what a process killed mid-trial (SIGKILL) leaves behind
    assert trial_states(out) == {"COMPLETE": 2, "RUNNING": 1}
    resumed = calibrate(synth, out, trials=4)
    assert trial_states(out) == {"COMPLETE": 4, "FAIL": 1} and resumed["ran"] == 2
    assert history(resumed) == history(calibrate(synth, tmp_path / "whole", trials=4))


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            (PARAM, "--against", "1,2", "--validate", "2"),
            "observation 2 is both fitted (--against) and validated",
        ),
        (("sides.0.visa.processing_days=20:200",), "--param: sides.0.visa.processing_days: sides[0] has no"),
        (("sides.0.visas.processing_days=200:20",), "the range 200:20 is empty (LO must be below HI)"),
        (
            ("sides.0.visas.processing_days=-5:20",),
            "--param: sides.0.visas.processing_days=[-5, -5]: days must",
        ),
        (("sides.0.visas.processing_days=2.5:20",), "2.5 is not a whole number"),
        (("sides.0.visas.processing_days.0=20:200",), "--param: sides.0.visas.processing_days.0=20: range"),
        ((PARAM, "--validate", "9"), "--validate: no observation 9 (the log has 6"),
        ((PARAM, "--validate", "1,2,3,4"), "no count observation left to fit"),
        ((PARAM, "--against", "5"), "--against: observation 5 is a bound (at_least); only counts are fitted"),
    ],
)
def test_bad_input_is_one_line_before_the_folder_is_touched(
    synth: Path, tmp_path: Path, args: tuple[str, ...], line: str
) -> None:
    out = tmp_path / "out"
    result = sim_inline("calibrate", synth, "--param", *args, "--trials", 2, "--out", out)
    assert result.code == 2, result.stderr
    result.assert_no_traceback()
    assert result.stderr.count("\n") == 1 and line in result.stderr, result.stderr
    assert not out.exists()


def test_a_scenario_without_observations_is_refused(tmp_path: Path) -> None:
    scenario = tmp_path / "bare.yaml"
    scenario.write_text(SCENARIO.format(prelude=""), encoding="utf-8")
    result = sim_inline("calibrate", scenario, "--param", PARAM, "--out", tmp_path / "out")
    assert result.code == 2 and "no observations to calibrate against" in result.stderr
    assert result.stderr.count("\n") == 1 and not (tmp_path / "out").exists()


def test_another_command_on_the_folder_is_refused_unless_forced(synth: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    calibrate(synth, out, trials=2)
    other = (
        "calibrate",
        synth,
        "--param",
        "sides.0.visas.processing_days=20:150",
        "--trials",
        2,
        "--out",
        out,
    )
    refused = sim_inline(*other)
    assert refused.code == 2 and "holds a calibration of other parameters or ranges" in refused.stderr
    assert refused.stderr.count("\n") == 1
    forced = sim_inline(*other, "--seeds", SEEDS, "--force", "--json")
    assert forced.code == 0, forced.stderr
    assert json.loads(forced.stdout)["params"][0]["high"] == 150 and trial_states(out) == {"COMPLETE": 2}
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("x")
    foreign = sim_inline("calibrate", synth, "--param", PARAM, "--out", tmp_path / "mine")
    assert foreign.code == 2 and "which 'sim calibrate' did not write" in foreign.stderr


def test_json_shape_and_the_table(synth: Path, tmp_path: Path) -> None:
    report = calibrate(synth, tmp_path / "out", "--validate", "5")
    assert set(report) >= {
        "scenario",
        "seeds",
        "trials",
        "objective",
        "best_trial",
        "params",
        "calibration",
        "validation",
        "as_written",
        "spread",
        "history",
        "ran",
        "out",
    }
    assert report["seeds"] == [11, 12, 13, 14, 15] and report["trials"] == 4
    assert set(report["params"][0]) >= {"path", "low", "high", "best", "spread", "per_seed"}
    assert set(report["spread"]) >= {"method", "resamples", "best_share", "params", "mape", "per_seed"}
    assert len(report["spread"]["per_seed"]) == SEEDS
    table = sim_inline(
        "calibrate",
        synth,
        "--param",
        PARAM,
        "--seeds",
        SEEDS,
        "--trials",
        4,
        "--validate",
        "5",
        "--out",
        tmp_path / "out",
    )
    assert table.code == 0, table.stderr
    assert "validation (never fitted)" in table.stdout and "calibration MAPE" in table.stdout
    assert "no new trials" in table.stdout


def test_the_api_gives_what_the_command_gives(synth: Path, tmp_path: Path) -> None:
    from sim import api

    result = api.calibrate(synth, {"sides.0.visas.processing_days": (20, 200)}, seeds=SEEDS, trials=4)
    command = calibrate(synth, tmp_path / "out")
    assert result.best == {"sides.0.visas.processing_days": command["params"][0]["best"]}
    assert list(result.history["mape"]) == [t["mape"] for t in command["history"]]
    with pytest.raises(ValueError, match="is empty"):
        api.calibrate(synth, {"sides.0.visas.processing_days": (200, 20)})


# --- a real Dask scheduler ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """``SIM_TEST_SCHEDULER`` if the CI started a cluster, else a ``dask scheduler`` process and
    one ``dask worker`` started here (stopped by their own ids at the end)."""
    pytest.importorskip("distributed")
    given = os.environ.get("SIM_TEST_SCHEDULER")
    if given:
        yield given
        return
    address = f"tcp://127.0.0.1:{_free_port()}"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    port = address.rsplit(":", 1)[1]
    procs = [
        subprocess.Popen(
            [*dask, "--host", "127.0.0.1", "--port", port, "--dashboard-address", ":0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    worker = [
        sys.executable,
        "-m",
        "distributed.cli.dask_worker",
        address,
        "--nworkers",
        "1",
        "--nthreads",
        "2",
    ]
    procs.append(
        subprocess.Popen(
            [*worker, "--dashboard-address", ":0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    )
    try:
        _wait_for_workers(address)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_for_workers(address: str) -> None:
    from distributed import Client

    deadline = time.monotonic() + 30
    while True:
        try:
            with Client(address, timeout=5, set_as_default=False) as client:
                client.wait_for_workers(1, timeout=max(1.0, deadline - time.monotonic()))
                return
        except (OSError, TimeoutError):
            if time.monotonic() > deadline:
                pytest.skip(f"no Dask cluster came up at {address}")
            time.sleep(0.5)


def test_the_trials_run_on_a_dask_cluster(synth: Path, tmp_path: Path, scheduler: str) -> None:
    on_dask = calibrate(synth, tmp_path / "dask", "--scheduler", scheduler)
    assert on_dask["executor"].startswith(f"Dask at {scheduler}")
    assert history(on_dask) == history(calibrate(synth, tmp_path / "local"))


def test_a_documented_log_with_a_cap_reaches_the_workers_as_it_was_read() -> None:
    """The sweep's plain-data form of a scenario once wrote a cap's default size into its log,
    which the log's own check refuses: czech-russia-2021 could not be swept or calibrated."""
    from sim import api
    from sim.sweep.grid import from_spec, to_spec

    for name in ("czech-russia-2021", "uk-russia-2018"):
        scenario = api.load(f"scenarios/{name}.yaml")
        assert from_spec(to_spec(scenario)).sha256() == scenario.sha256()


def test_a_policy_that_answers_differently_to_the_same_seed_is_refused(tmp_path: Path) -> None:
    from tests.test_trust_plugins import FILES
    from tests.test_trust_plugins import SCENARIO as PLUGIN_SCENARIO

    path = tmp_path / "scenario.yaml"
    kind = f"file:{FILES / 'class_memory.py'}:ClassMemory"
    path.write_text(PLUGIN_SCENARIO.format(kind=kind).replace("kind: none", "kind: tit_for_tat"))
    log = tmp_path / "log.yaml"
    log.write_text(
        "title: one figure\nsides: [US, RU]\nacts: []\nobservations:\n"
        "  - {date: 2021-05-01, mission: US, headcount: 30, source: x}\n"
    )
    out = tmp_path / "out"
    outcome = sim_inline(
        "calibrate", path, "--param", "sides.1.policy.delay_days=1:30", "--log", log, "--out", out
    )
    assert outcome.code == 2, outcome.stderr
    outcome.assert_no_traceback()
    assert "gave two different logs" in outcome.stderr and outcome.stderr.count("\n") == 1
    assert not out.exists()
