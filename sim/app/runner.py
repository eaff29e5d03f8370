"""The Python API behind ``sim run``: simulate a scenario and write its outputs atomically.

All outputs are written into a hidden sibling directory (``.NAME.partial``) first; only when
every file is complete does it replace the output directory (the old one is renamed aside,
the new one renamed in, the old one removed). A run that fails or is killed midway leaves the
previous outputs, or none, never a half-written file; its partial event store stays behind
and the next run of the same scenario and seed resumes from it (see ``_simulate_into``).
Concurrent runs into the same reports directory take turns (a lock on the directory).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sim
from sim.analysis.metrics import mission_metrics
from sim.analysis.projections import events_frame, staffing_changes, staffing_csv
from sim.core import events as ev
from sim.core.state import State, digest, headcounts
from sim.core.working import fold
from sim.engine.loop import fork, simulate
from sim.infra.atomic import TMP_SUFFIX, write_atomic
from sim.infra.outdir import (
    GENERATOR,
    OUTPUT_FILES,
    OutputDirError,
    recover,
    resolve_out,
    run_dir_problem,
    swap_into,
)
from sim.scenario.loading import load_scenario
from sim.scenario.models import Scenario
from sim.store.sqlite import RunInfo, SQLiteStore, log_digest

#: Events per transaction while a run is written: an interrupted run loses at most this many.
RUN_BATCH = 1_000


@dataclass(frozen=True)
class RunResult:
    out_dir: Path
    manifest: dict[str, Any]
    metrics: list[dict[str, Any]]
    log: list[ev.Event]
    state: State


def run_id_for(scenario: Scenario) -> str:
    """Deterministic: the same scenario content and seed always make the same run id."""
    return run_identity(scenario).run_id


def run_identity(scenario: Scenario) -> RunInfo:
    """What produced a run, in one place: the store's ``runs`` row and the manifest's identity
    fields (:func:`manifest_identity`) are both this record."""
    sha = scenario.sha256()
    return RunInfo(
        run_id=f"{scenario.name}-{sha[:12]}-s{scenario.seed}",
        scenario_name=scenario.name,
        scenario_sha256=sha,
        seed=scenario.seed,
        start_date=scenario.start.isoformat(),
        end_date=scenario.end.isoformat(),
        package_version=sim.__version__,
        schema_version=ev.SCHEMA_VERSION,
    )


def manifest_identity(info: RunInfo) -> dict[str, Any]:
    """The identity fields of ``manifest.json``, under the names the manifest has always used."""
    return {
        "run_id": info.run_id,
        "scenario": info.scenario_name,
        "scenario_sha256": info.scenario_sha256,
        "seed": info.seed,
        "start": info.start_date,
        "end": info.end_date,
        "version": info.package_version,
        "schema_version": info.schema_version,
    }


def run_scenario(
    scenario: Scenario | Path | str,
    out_dir: Path | str | None = None,
    seed: int | None = None,
    on_day: Callable[[int], None] | None = None,
    figure: Any = None,
) -> RunResult:
    """Simulate and write ``events.sqlite``, ``events.parquet``, ``staffing.csv``,
    ``staffing.png``/``.svg`` and ``manifest.json`` into ``out_dir``: ``on_day(day)`` is called
    as each simulated day starts (a progress bar); ``figure`` is a
    ``sim.analysis.figure_style.FigureOptions`` (formats, dpi, window, font scale, title) for the chart."""
    if not isinstance(scenario, Scenario):
        path = Path(scenario)
        scenario = load_scenario(path)
        default_out = Path("reports") / path.stem
    else:
        default_out = Path("reports") / scenario.name
    if seed is not None:
        scenario = scenario.model_copy(update={"seed": seed})
    out = resolve_out(Path(out_dir) if out_dir is not None else default_out)
    wrong = run_dir_problem(out)
    if wrong:
        raise OutputDirError(wrong)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.parent / f".{out.name}.partial"
    with _exclusive(out.parent):
        recover(out)
        wrong = run_dir_problem(out)  # again, under the lock: another process may have written
        if wrong:
            raise OutputDirError(wrong)
        work.mkdir(exist_ok=True)
        for stray in work.glob(f".*{TMP_SUFFIX}"):  # a killed run's half-written file (we hold the lock)
            stray.unlink(missing_ok=True)
        result = _write_run(scenario, work, on_day, figure)
        swap_into(work, out)
    return RunResult(out, result.manifest, result.metrics, result.log, result.state)


@contextlib.contextmanager
def _exclusive(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` (a kernel lock: it dies with the process), so
    that concurrent runs writing there take turns instead of mixing their files."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _simulate_into(
    scenario: Scenario, identity: RunInfo, store: SQLiteStore, on_day: Callable[[int], None] | None = None
) -> tuple[list[ev.Event], State]:
    """Run ``scenario`` into ``store``, resuming what an interrupted run left there.

    A finished run of the same scenario and seed is read back, not recomputed. An unfinished
    one is continued from the last day it stored: that day's events are deleted (a day is
    decided whole) and the engine forks the stored log there, which reproduces exactly what
    an uninterrupted run would have written.
    """
    run_id = identity.run_id
    known = {info.run_id: info for info in store.runs()}
    if set(known) - {run_id}:
        store.clear()
        known = {}
    info = known.get(run_id)
    if info is not None and info.finished:
        log = list(store.events(run_id))
        state = fold(log)
        if log_digest(log) == info.log_sha256 and digest(state) == info.final_state_sha256:
            return log, state
        store.clear()
        info = None
    if info is None:
        store.begin_run(identity)
        engine = simulate(scenario, store, on_day)
    else:
        store.run_id = run_id
        stored = list(store.events(run_id))
        resume_day = stored[-1].day if stored else 0
        store.truncate(run_id, resume_day)
        engine = fork(scenario, stored, resume_day, store, on_day, store_prefix=False)
    store.finish_run(len(engine.log), log_digest(engine.log), digest(engine.state))
    return engine.log, engine.state


def _output_files(figure: Any, many: bool = False) -> list[str]:
    """OUTPUT_FILES with the chart formats asked for (default png and svg), and with more
    than two states (``many``) the who-expelled-whom matrix in the same formats."""
    formats = figure.formats if figure is not None else ("png", "svg")
    kept = [name for name in OUTPUT_FILES if name not in ("staffing.png", "staffing.svg")]
    charts = ("staffing", "expulsions") if many else ("staffing",)
    return sorted(kept + [f"{chart}.{fmt}" for chart in charts for fmt in formats])


def _chart_paths(work: Path, figure: Any) -> list[Path]:
    """The chart files to write; any other format left in ``work`` by an earlier try is removed."""
    wanted = set(_output_files(figure))
    for name in ("staffing.png", "staffing.svg", "staffing.pdf"):
        if name not in wanted:
            (work / name).unlink(missing_ok=True)
    return [work / name for name in _output_files(figure) if name.rsplit(".", 1)[-1] in ("png", "svg", "pdf")]


def _open_partial(path: Path) -> SQLiteStore:
    """The hidden partial store a run resumes from; one that is damaged (not a database, a
    broken table) is this program's own cache, so it is deleted and the run starts afresh."""
    store = None
    try:
        store = SQLiteStore(path, batch=RUN_BATCH)
        store.runs()
        return store
    except sqlite3.DatabaseError as exc:
        if store is not None:
            store.conn.close()
        if "full" in str(exc) or "readonly" in str(exc):
            raise
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm", f"{path.name}-journal"):
        (path.parent / name).unlink(missing_ok=True)
    return SQLiteStore(path, batch=RUN_BATCH)


def _write_run(
    scenario: Scenario, work: Path, on_day: Callable[[int], None] | None = None, figure: Any = None
) -> RunResult:
    identity = run_identity(scenario)  # hashed once: the store's row and the manifest both read it
    store = _open_partial(work / "events.sqlite")
    try:
        log, state = _simulate_into(scenario, identity, store, on_day)
    except BaseException:
        store.close(quietly=True)  # keep what was stored for resuming; the first error is the one
        raise
    store.close()
    log_sha = log_digest(log)

    missions = scenario.mission_labels()
    events_frame(log, scenario.start).to_parquet(work / "events.parquet", index=False)
    changes = staffing_changes(log, missions, scenario.start)
    staffing_csv(changes).to_csv(work / "staffing.csv", index=False, lineterminator="\n")
    _draw_charts(scenario, log, changes, missions, work, figure)
    metrics = mission_metrics(log, changes, missions, scenario.start, scenario.horizon)
    manifest = {
        "generator": GENERATOR,
        **manifest_identity(identity),
        "events": len(log),
        "log_sha256": log_sha,
        "final_state_sha256": digest(state),
        "final_headcounts": headcounts(state),
        "metrics": metrics,
        "files": _output_files(figure, many=len(scenario.sides) > 2),
        "fork": _fork_info(scenario),
    }
    write_atomic(work / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return RunResult(work, manifest, metrics, log, state)


def _draw_charts(
    scenario: Scenario, log: Sequence[ev.Event], changes: Any, missions: list[str], work: Path, figure: Any
) -> None:
    """The staffing figure; with more than two states, small multiples of the pairs of states
    and the who-expelled-whom matrix (``expulsions.*``) instead of one axis of every mission."""
    import matplotlib.pyplot as plt

    from sim.analysis.charts import staffing_chart  # matplotlib is slow to import: only when drawing

    dates = f"{scenario.start} to {scenario.end} (seed {scenario.seed})"
    paths = _chart_paths(work, figure)
    if len(scenario.sides) == 2:
        observations = scenario.prelude_log.observations if scenario.prelude_log else ()
        figs = [
            staffing_chart(
                changes,
                log,
                missions,
                scenario.start,
                scenario.horizon,
                title=f"{scenario.name}: staffing of both missions, {dates}",
                observations=observations,
                paths=paths,
                fork_day=scenario.fork_day,
                options=figure,
            )
        ]
    else:
        from sim.analysis.charts_many import expulsion_matrix, expulsion_matrix_chart, many_missions_chart

        title = f"{scenario.name}: {len(scenario.sides)} states, {dates}"
        matrix = expulsion_matrix(log, [side.name for side in scenario.sides])
        figs = [
            many_missions_chart(changes, scenario.start, scenario.horizon, title, paths, figure),
            expulsion_matrix_chart(matrix, title, [p.with_stem("expulsions") for p in paths], figure),
        ]
    for fig in figs:
        plt.close(fig)


def _fork_info(scenario: Scenario) -> dict[str, Any] | None:
    base = scenario.fork_base
    if base is None or scenario.fork is None:
        return None
    return {
        "from": scenario.fork.source,
        "at": scenario.fork.at.isoformat(),
        "drop": list(scenario.fork.drop),
        **({"drop_by": list(scenario.fork.drop_by)} if scenario.fork.drop_by else {}),
        "base_scenario": base.name,
        "base_scenario_sha256": base.sha256(),
    }
