"""The Python API behind ``sim run``: simulate a scenario and write its outputs atomically.

All outputs are written into a temporary sibling directory first; only when every file is
complete does it replace the output directory (the old one is renamed aside, the new one
renamed in, the old one removed). A run that fails or is killed midway leaves the previous
outputs, or none, never a half-written file.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

import sim
from sim import events as ev
from sim.engine import simulate
from sim.metrics import mission_metrics
from sim.projections import events_frame, staffing_changes
from sim.scenario import Scenario, load_scenario
from sim.state import State, digest, headcounts
from sim.store import RunInfo, SQLiteStore, log_digest

OUTPUT_FILES = (
    "events.sqlite",
    "events.parquet",
    "staffing.csv",
    "staffing.png",
    "staffing.svg",
    "manifest.json",
)


@dataclass(frozen=True)
class RunResult:
    out_dir: Path
    manifest: dict[str, Any]
    metrics: list[dict[str, Any]]
    log: list[ev.Event]
    state: State


def run_id_for(scenario: Scenario) -> str:
    """Deterministic: the same scenario content and seed always make the same run id."""
    return f"{scenario.name}-{scenario.sha256()[:12]}-s{scenario.seed}"


def run_scenario(
    scenario: Scenario | Path | str, out_dir: Path | str | None = None, seed: int | None = None
) -> RunResult:
    """Simulate and write ``events.sqlite``, ``events.parquet``, ``staffing.csv``,
    ``staffing.png``/``.svg`` and ``manifest.json`` into ``out_dir``."""
    if not isinstance(scenario, Scenario):
        path = Path(scenario)
        scenario = load_scenario(path)
        default_out = Path("reports") / path.stem
    else:
        default_out = Path("reports") / scenario.name
    if seed is not None:
        scenario = scenario.model_copy(update={"seed": seed})
    out = Path(out_dir) if out_dir is not None else default_out
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        result = _write_run(scenario, work)
        _swap_into(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return RunResult(out, result.manifest, result.metrics, result.log, result.state)


def _write_run(scenario: Scenario, work: Path) -> RunResult:
    from sim.charts import staffing_chart  # matplotlib is slow to import: only when drawing

    run_id = run_id_for(scenario)
    store = SQLiteStore(work / "events.sqlite")
    store.begin_run(
        RunInfo(
            run_id=run_id,
            scenario_name=scenario.name,
            scenario_sha256=scenario.sha256(),
            seed=scenario.seed,
            start_date=scenario.start.isoformat(),
            end_date=scenario.end.isoformat(),
            package_version=sim.__version__,
            schema_version=ev.SCHEMA_VERSION,
        )
    )
    engine = simulate(scenario, store)
    state = engine.state
    log = engine.log
    log_sha = log_digest(log)
    store.finish_run(len(log), log_sha, digest(state))
    store.close()

    missions = list(engine.names)
    events_frame(log, scenario.start).to_parquet(work / "events.parquet", index=False)
    changes = staffing_changes(log, missions, scenario.start)
    changes.to_csv(work / "staffing.csv", index=False, lineterminator="\n")
    observations = scenario.prelude_log.observations if scenario.prelude_log else ()
    fig = staffing_chart(
        changes,
        log,
        missions,
        scenario.start,
        scenario.horizon,
        title=(
            f"{scenario.name}: staffing of both missions, "
            f"{scenario.start} to {scenario.end} (seed {scenario.seed})"
        ),
        observations=observations,
        paths=[work / "staffing.png", work / "staffing.svg"],
    )
    import matplotlib.pyplot as plt

    plt.close(fig)
    metrics = mission_metrics(log, changes, missions, scenario.start, scenario.horizon)
    manifest = {
        "run_id": run_id,
        "scenario": scenario.name,
        "scenario_sha256": scenario.sha256(),
        "seed": scenario.seed,
        "start": scenario.start.isoformat(),
        "end": scenario.end.isoformat(),
        "version": sim.__version__,
        "schema_version": ev.SCHEMA_VERSION,
        "events": len(log),
        "log_sha256": log_sha,
        "final_state_sha256": digest(state),
        "final_headcounts": headcounts(state),
        "metrics": metrics,
        "files": sorted(OUTPUT_FILES),
        "fork": _fork_info(scenario),
    }
    _write_atomic(work / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return RunResult(work, manifest, metrics, log, state)


def _fork_info(scenario: Scenario) -> dict[str, Any] | None:
    base = scenario.fork_base
    if base is None or scenario.fork is None:
        return None
    return {
        "from": scenario.fork.source,
        "at": scenario.fork.at.isoformat(),
        "drop": list(scenario.fork.drop),
        "base_scenario": base.name,
        "base_scenario_sha256": base.sha256(),
    }


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _swap_into(work: Path, out: Path) -> None:
    """Replace ``out`` by ``work`` so that a crash leaves one whole directory or the old one aside."""
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} exists and is not a directory")
    aside = None
    if out.exists():
        aside = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, aside)
    os.replace(work, out)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def summary_frame(metrics: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(metrics).set_index("mission")
