"""Sweeps: one scenario over a grid of parameter values and many seeds, in parallel.

The Python API behind ``sim sweep``::

    from sim.sweep.execute import plan_sweep, run_sweep
    from sim.sweep.grid import Axis

    plan = plan_sweep("scenarios/tit-for-tat-spiral.yaml",
                      [Axis("sides.B.policy.delay_days", (1, 7, 30))], seeds=50)
    outcome = run_sweep(plan, "reports/spiral-sweep", workers=2)
    outcome.results      # pandas: one row per run (grid values, seed, metrics)

A run is identified by its grid cell (the values it takes) and its replicate number; its seed
and its id are hashes of those and the sweep seed, never of the order runs happen to be
started or finish in. Whatever executes the runs (this process, local worker processes, a
Dask cluster) and however many workers it has, each run is the same run and the results are
the same rows.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import sim
from sim.infra.errors import InputError
from sim.scenario.models import Scenario, load_scenario
from sim.sweep.grid import Axis, Origin, check_axes, from_spec, to_spec

STEP_DAYS = 7
MAX_SEEDS = 1_000_000
MAX_RUNS = 10_000_000
#: Each grid cell is a validated scenario held in memory (~3 KB): 100,000 cells is ~300 MB.
MAX_CELLS = 100_000
FLUSH_SECONDS = 3.0
FLUSH_RUNS = 1_000


class SweepWorkerDied(Exception):
    """A worker process ended without a word; the runs finished before it are stored."""


class SweepConflict(Exception):
    """The output directory holds another sweep (a different scenario, grid or sweep seed)."""


@dataclass(frozen=True, slots=True)
class Run:
    run_id: str
    cell: int
    replicate: int
    seed: int


def run_key(cell: dict[str, Any], replicate: int) -> str:
    """The canonical text of a run's place in the grid (what its seed and id derive from)."""
    return json.dumps({"cell": cell, "replicate": replicate}, sort_keys=True, separators=(",", ":"))


def run_seed(sweep_seed: int, cell: dict[str, Any], replicate: int) -> int:
    """A 63-bit seed from the sweep seed and the run's grid key alone."""
    text = f"{sweep_seed}\x1fseed\x1f{run_key(cell, replicate)}"
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") >> 1


def run_id(scenario_sha256: str, sweep_seed: int, cell: dict[str, Any], replicate: int) -> str:
    text = f"{scenario_sha256}\x1f{sweep_seed}\x1f{run_key(cell, replicate)}"
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


@dataclass
class SweepPlan:
    """Everything a sweep will do, checked: the base scenario, the axes, one validated
    scenario per grid cell, the number of seeds per cell and the sweep seed."""

    scenario: Scenario
    axes: list[Axis]
    variants: list[Scenario]
    seeds: int
    sweep_seed: int
    scenario_file: str | None = None
    step_days: int = STEP_DAYS
    _runs: list[Run] | None = field(default=None, repr=False)

    @property
    def keys(self) -> list[str]:
        return [axis.key for axis in self.axes]

    @property
    def cells(self) -> list[dict[str, Any]]:
        from sim.sweep.grid import cells

        return cells(self.axes)

    @property
    def sides(self) -> list[str]:
        return [side.name for side in self.scenario.sides]

    def days(self, cell: int) -> np.ndarray:
        """The staffing series' day grid for a cell (its horizon may differ from the base's)."""
        return np.arange(0, self.variants[cell].horizon + 1, self.step_days)

    def runs(self) -> list[Run]:
        if self._runs is None:
            sha = self.scenario.sha256()
            self._runs = [
                Run(run_id(sha, self.sweep_seed, cell, r), index, r, run_seed(self.sweep_seed, cell, r))
                for index, cell in enumerate(self.cells)
                for r in range(self.seeds)
            ]
        return self._runs

    def manifest(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "scenario_file": self.scenario_file,
            "scenario_sha256": self.scenario.sha256(),
            "grid": {axis.key: list(axis.values) for axis in self.axes},
            "cells": len(self.variants),
            "seeds": self.seeds,
            "sweep_seed": self.sweep_seed,
            "step_days": self.step_days,
            "sides": self.sides,
            "version": sim.__version__,
        }

    def cell_label(self, cell: int, short: bool = True) -> str:
        from sim.sweep.report import cell_label

        return cell_label(self, cell, short)


def plan_sweep(
    scenario: Scenario | Path | str,
    axes: Sequence[Axis] = (),
    seeds: int = 10,
    sweep_seed: int | None = None,
    step_days: int = STEP_DAYS,
) -> SweepPlan:
    """Check the grid against the scenario and build the plan (raises ``GridError`` or
    ``InputError`` with one line per problem; ``ValueError`` for bad counts)."""
    scenario_file = None
    if not isinstance(scenario, Scenario):
        scenario_file = str(scenario)
        scenario = load_scenario(scenario)
    if not 1 <= seeds <= MAX_SEEDS:
        raise ValueError(f"--seeds: {seeds} is not between 1 and {MAX_SEEDS:,}")
    if sweep_seed is None:
        sweep_seed = scenario.seed
    if not 0 <= sweep_seed < 2**63:
        raise ValueError(f"--seed: {sweep_seed} is not between 0 and 2**63 - 1")
    count = math.prod(len(axis.values) for axis in axes)  # counted, not built: a huge grid is
    if count > MAX_CELLS:  # refused before it takes the memory
        raise ValueError(
            f"--grid: {count:,} grid cells is more than {MAX_CELLS:,} (the limit); use fewer values"
        )
    if count * seeds > MAX_RUNS:
        raise ValueError(f"{count:,} cells x {seeds:,} seeds is more than {MAX_RUNS:,} runs")
    _, variants = check_axes(scenario, list(axes))
    return SweepPlan(scenario, list(axes), variants, seeds, sweep_seed, scenario_file, step_days)


def plugin_kinds(plan: SweepPlan) -> list[str]:
    """The policy kinds of the plan's cells that are not built in (users' code)."""
    from sim.policies import BUILTIN_KINDS

    kinds = {side.policy.kind for variant in plan.variants for side in variant.sides}
    return sorted(kind for kind in kinds if kind not in BUILTIN_KINDS)


def determinism_problem(plan: SweepPlan) -> str | None:
    """Why the plan's users' policies cannot be swept, if one is not deterministic: each cell
    that plays one is run twice in this process with its first run's seed. A policy that keeps
    state on its class (or anywhere outside the log) answers differently the second time,
    and a sweep of it would give different results on 1 and 2 workers. Each users' policy is
    probed in one cell: two runs, however large the sweep."""
    from sim.engine.loop import simulate
    from sim.store.sqlite import log_digest

    plugins = set(plugin_kinds(plan))
    if not plugins:
        return None
    first_run = {run.cell: run for run in reversed(plan.runs())}
    for cell, variant in enumerate(plan.variants):
        kinds = {side.policy.kind for side in variant.sides} & plugins
        if not kinds:
            continue  # each users' policy is probed once, in the first cell that plays it
        plugins -= kinds
        probe = variant.model_copy(update={"seed": first_run[cell].seed})
        if log_digest(simulate(probe).log) != log_digest(simulate(probe).log):
            kind = sorted(kinds)[0]
            return (
                f"policy {kind}: the same scenario and seed gave two different logs (it keeps state"
                f" between runs?); its sweep would depend on the workers; 'sim check {kind}' shows where"
            )
    return None


# --- sweep files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepFile:
    """What a sweep YAML file says (``sim sweep sweep.yaml``); paths already resolved."""

    scenario: Path
    axes: list[Axis]
    seeds: int | None
    seed: int | None
    out: str | None
    workers: int | None
    scheduler: str | None


def is_sweep_file(path: Path) -> bool:
    """A sweep file names a ``scenario`` and has no ``sides`` (a scenario file has them)."""
    from sim.infra.yaml_io import parse, read_text

    try:
        data, _ = parse(read_text(path), str(path))
    except InputError:
        return False
    return isinstance(data, dict) and "scenario" in data and "sides" not in data and "fork" not in data


def load_sweep_file(path: Path) -> SweepFile:
    """Read and check a sweep file; problems raise :class:`InputError` (``FILE:LINE:COL``)."""
    from pydantic import BaseModel, ConfigDict, Field

    from sim.core.dated_acts import Int
    from sim.infra.yaml_io import load_model

    class SweepModel(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

        scenario: str = Field(min_length=1, description="the scenario file, relative to this file")
        grid: dict[str, list[Any]] = Field(default_factory=dict)
        seeds: Int | None = Field(None, ge=1, le=MAX_SEEDS)
        seed: Int | None = Field(None, ge=0, lt=2**63)
        out: str | None = None
        workers: Int | None = Field(None, ge=1, le=1024)
        scheduler: str | None = None

    vocabulary = list(SweepModel.model_fields)
    model, _, positions = load_model(path, SweepModel, vocabulary)
    name = str(path)
    axes = []
    for key, values in model.grid.items():
        if not values:
            line, column = positions.get(("grid", key), (1, 1))
            raise InputError.at(name, "give at least one value", line, column, f"grid.{key}")
        origin = Origin(
            file=name,
            key_at=positions.get(("grid", key), (1, 1)),
            values_at=tuple(positions.get(("grid", key, i), (1, 1)) for i in range(len(values))),
        )
        axes.append(Axis(str(key), tuple(_file_kinds_from(path.parent, key, values)), origin))
    scenario = path.parent / model.scenario
    if not scenario.is_file():
        line, column = positions.get(("scenario",), (1, 1))
        raise InputError.at(name, f"scenario file {scenario} not found", line, column, "scenario")
    return SweepFile(scenario, axes, model.seeds, model.seed, model.out, model.workers, model.scheduler)


def _file_kinds_from(folder: Path, key: str, values: list[Any]) -> list[Any]:
    """``file:`` policy kinds in a sweep file are relative to it, as in a scenario file."""
    from sim.policies.plugins import PluginError, absolute_file_kind, is_file_kind

    if not str(key).endswith("policy.kind"):
        return values
    out = []
    for value in values:
        try:
            out.append(absolute_file_kind(value, folder.resolve()) if is_file_kind(value) else value)
        except PluginError:
            out.append(value)  # malformed: validating the variant says how
    return out


# --- running ----------------------------------------------------------------------------------

_SCENARIOS: dict[str, Scenario] = {}


def run_chunk(
    key: str, spec: dict[str, Any], tasks: Sequence[tuple[str, int]], step_days: int
) -> list[tuple[str, dict[str, Any], dict[str, np.ndarray]]]:
    """Worker side: simulate each ``(run_id, seed)`` of one cell and return its metrics and its
    staffing sampled every ``step_days``. The cell's scenario arrives as plain data (``spec``)
    and is rebuilt once per process (cached under ``key``)."""
    from sim.analysis.metrics import headcount_series, run_metrics
    from sim.engine.loop import simulate

    scenario = _SCENARIOS.get(key)
    if scenario is None:
        if len(_SCENARIOS) > 64:
            _SCENARIOS.clear()
        scenario = _SCENARIOS[key] = from_spec(spec)
    out = []
    for rid, seed in tasks:
        variant = scenario.model_copy(update={"seed": seed})
        engine = simulate(variant)
        names = list(engine.names)
        series = headcount_series(engine.log, names, variant.horizon)
        metrics = run_metrics(engine.log, names, variant.horizon, series)
        out.append((rid, metrics, {name: series[name][::step_days].astype(np.int32) for name in names}))
    return out


def _quiet_worker() -> None:
    """Local workers leave Ctrl-C to the parent, which stops them, and end when the parent
    dies (killed with SIGKILL, it stops nobody): the kernel sends them SIGTERM where it can
    (Linux), and a watch on the parent's id covers the rest."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    _die_with_parent()
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _die_with_parent() -> None:
    """``prctl(PR_SET_PDEATHSIG, SIGTERM)`` on Linux; nothing elsewhere."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


Chunk = tuple[int, list[Run]]
Result = tuple[str, dict[str, Any], dict[str, np.ndarray]]


def chunks(runs: Sequence[Run], workers: int, most: int = 20) -> list[Chunk]:
    """Runs grouped by cell into chunks small enough to balance ``workers`` and report
    progress often, large enough that sending them costs little."""
    size = max(1, min(most, len(runs) // max(1, workers * 16)))
    out: list[Chunk] = []
    by_cell: dict[int, list[Run]] = {}
    for run in runs:
        by_cell.setdefault(run.cell, []).append(run)
    for cell, items in by_cell.items():
        out.extend((cell, items[i : i + size]) for i in range(0, len(items), size))
    return out


class Executor:
    """Runs chunks and yields their results as they finish; ``close`` stops everything."""

    name = "?"

    def results(self, plan: SweepPlan, work: list[Chunk]) -> Iterator[list[Result]]:
        raise NotImplementedError

    def close(self, interrupted: bool = False) -> None:
        pass


def _specs(plan: SweepPlan) -> list[tuple[str, dict[str, Any]]]:
    return [(variant.sha256(), to_spec(variant)) for variant in plan.variants]


class InlineExecutor(Executor):
    """This process, one run after another (``--workers 1``)."""

    name = "1 process"

    def results(self, plan: SweepPlan, work: list[Chunk]) -> Iterator[list[Result]]:
        specs = _specs(plan)
        for cell, runs in work:
            key, spec = specs[cell]
            yield run_chunk(key, spec, [(r.run_id, r.seed) for r in runs], plan.step_days)


class LocalExecutor(Executor):
    """Local worker processes (``concurrent.futures``); every chunk is submitted at once."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.name = f"{workers} local processes"
        self.pool: Any = None
        self.futures: list[Any] = []

    def results(self, plan: SweepPlan, work: list[Chunk]) -> Iterator[list[Result]]:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        specs = _specs(plan)
        self.pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_quiet_worker)
        self.futures = [
            self.pool.submit(run_chunk, *specs[cell], [(r.run_id, r.seed) for r in runs], plan.step_days)
            for cell, runs in work
        ]
        for future in as_completed(self.futures):
            yield future.result()

    def close(self, interrupted: bool = False) -> None:
        if self.pool is None:
            return
        for future in self.futures:
            future.cancel()
        if interrupted:  # the workers ignore Ctrl-C: stop the ones this sweep started
            for process in list(getattr(self.pool, "_processes", {}).values()):
                if process.is_alive():
                    process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = None


class DaskExecutor(Executor):
    """A Dask distributed cluster at ``address`` (``--scheduler tcp://HOST:PORT``)."""

    def __init__(self, address: str, timeout: float = 15.0) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise SweepSetupError(
                "--scheduler: Dask is not installed; pip install 'reciprocity-sim[cluster]'"
            ) from None
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SweepSetupError(f"--scheduler: cannot connect to {address} ({exc})") from None
        self.address = address
        self.futures: list[Any] = []
        workers = self.client.nthreads()
        self.workers = max(1, sum(workers.values()))
        self.name = f"Dask at {address} ({len(workers)} workers, {self.workers} threads)"

    def results(self, plan: SweepPlan, work: list[Chunk]) -> Iterator[list[Result]]:
        from distributed import as_completed

        specs = _specs(plan)
        # A list, not the dict itself: scattering a dict scatters each value under its key.
        scattered = {cell: self.client.scatter([specs[cell][1]], broadcast=True)[0] for cell, _ in work}
        self.futures = [
            self.client.submit(
                run_chunk,
                specs[cell][0],
                scattered[cell],
                [(r.run_id, r.seed) for r in runs],
                plan.step_days,
                pure=False,
            )
            for cell, runs in work
        ]
        for future in as_completed(self.futures, loop=self.client.loop):
            yield future.result()

    def close(self, interrupted: bool = False) -> None:
        if self.futures:
            self.client.cancel(self.futures)
            self.futures = []
        self.client.close()


class SweepSetupError(Exception):
    """The executor cannot start (no Dask, no scheduler at that address)."""


def make_executor(workers: int, scheduler: str | None) -> Executor:
    if scheduler is not None:
        return DaskExecutor(scheduler)
    if workers <= 1:
        return InlineExecutor()
    return LocalExecutor(workers)


@dataclass
class SweepOutcome:
    out: Path
    total: int
    skipped: int
    ran: int
    seconds: float
    interrupted: bool
    executor: str
    results: Any = None  # pandas DataFrame of this plan's runs (after the report)
    summary: Any = None
    charts: list[Path] = field(default_factory=list)


def run_sweep(
    plan: SweepPlan,
    out: Path | str,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    force: bool = False,
    executor: Executor | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
    report: bool = True,
    on_wait: Callable[[], None] | None = None,
) -> SweepOutcome:
    """Run every run of ``plan`` not yet stored in ``out`` and write the report.

    ``on_progress(done, total, ran_now)`` is called after each finished chunk. Ctrl-C stops
    the workers, keeps every finished run, and returns with ``interrupted`` set. One sweep
    at a time writes to ``out``: another one waits for it (``on_wait`` is called first), then
    finds its runs done.
    """
    from sim.sweep import parts as store

    out = Path(out)
    with store.sweep_lock(out, on_wait):
        return _run_locked(plan, out, workers, scheduler, force, executor, on_progress, report)


def _run_locked(
    plan: SweepPlan,
    out: Path,
    workers: int,
    scheduler: str | None,
    force: bool,
    executor: Executor | None,
    on_progress: Callable[[int, int, int], None] | None,
    report: bool,
) -> SweepOutcome:
    from sim.sweep import parts as store

    manifest = plan.manifest()
    _prepare(out, manifest, force)
    runs = plan.runs()
    by_id = {run.run_id: run for run in runs}
    parts = store.PartStore(out, results_schema(plan), store.STAFFING_SCHEMA)
    done = parts.open() & by_id.keys()
    todo = [run for run in runs if run.run_id not in done]
    started = time.perf_counter()
    ran = 0
    interrupted = lost = False
    cells = plan.cells
    types = grid_column_types(plan)
    pending: list[tuple[Run, Result]] = []
    last_flush = time.perf_counter()

    def flush() -> None:
        nonlocal last_flush
        if pending:
            rows = [result_row(types, cells, run, result) for run, result in pending]
            table = store.staffing_table(
                ((run.run_id, run.cell, result[2], plan.days(run.cell)) for run, result in pending),
                plan.sides,
            )
            parts.append(rows, table)
            pending.clear()
        last_flush = time.perf_counter()

    if on_progress is not None:
        on_progress(len(done), len(runs), 0)
    if todo:
        if executor is None:
            executor = make_executor(workers, scheduler)
        width = getattr(executor, "workers", workers)
        try:
            for batch in executor.results(plan, chunks(todo, width)):
                for result in batch:
                    pending.append((by_id[result[0]], result))
                ran += len(batch)
                if len(pending) >= FLUSH_RUNS or time.perf_counter() - last_flush >= FLUSH_SECONDS:
                    flush()
                if on_progress is not None:
                    on_progress(len(done) + ran, len(runs), ran)
        except KeyboardInterrupt:
            interrupted = True
        except BrokenExecutor:
            lost = True
        finally:
            executor.close(interrupted or lost)
            flush()
        if lost:
            raise SweepWorkerDied(
                f"a worker process died (killed, out of memory, or a policy ended its process);"
                f" {len(done) + ran:,} of {len(runs):,} runs are stored in {out}/;"
                " run the same command to resume"
            )
    elapsed = time.perf_counter() - started
    outcome = SweepOutcome(
        out, len(runs), len(done), ran, elapsed, interrupted, executor.name if executor else "none"
    )
    if report and not interrupted:
        from sim.sweep.report import write_report

        write_report(plan, outcome)
    return outcome


def _prepare(out: Path, manifest: dict[str, Any], force: bool) -> None:
    from sim.sweep import parts as store
    from sim.sweep.report import REPORT_FILES

    if out.exists() and not out.is_dir():
        raise SweepConflict(f"--out: {out} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    if force:
        store.clear(out, REPORT_FILES)
    old = store.read_manifest(out)
    if old is None and (out / store.RESULTS).exists():
        raise SweepConflict(
            f"--out: {out} holds results but no {store.MANIFEST}; use --force to start over"
        )
    if old is None:  # not a sweep's folder: never overwrite or delete the user's files there
        taken = sorted(p.name for name in (*REPORT_FILES, store.STAFFING) for p in out.glob(name))
        if taken:
            shown = ", ".join(taken[:3]) + (f" and {len(taken) - 3} more" if len(taken) > 3 else "")
            raise SweepConflict(
                f"--out: {out} holds {shown}, which 'sim sweep' did not write (no {store.MANIFEST});"
                " choose another --out, or --force to replace them"
            )
    if old is not None:
        for field_name, what in (
            ("scenario_sha256", "another scenario (or the scenario file changed)"),
            ("grid", "another grid"),
            ("sweep_seed", "another sweep seed"),
            ("step_days", "another staffing step"),
        ):
            if old.get(field_name) != manifest[field_name]:
                raise SweepConflict(
                    f"--out: {out} holds a sweep of {what}; use --force to start over or another --out"
                )
    store.write_manifest(out, manifest)


# --- rows -------------------------------------------------------------------------------------


def grid_column_types(plan: SweepPlan) -> dict[str, str]:
    """Each grid key's column type: ``bool``, ``int``, ``float`` or ``str`` (JSON for lists)."""
    types = {}
    for axis in plan.axes:
        values = axis.values
        if all(isinstance(v, bool) for v in values):
            types[axis.key] = "bool"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            types[axis.key] = "int"
        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            types[axis.key] = "float"
        else:
            types[axis.key] = "str"
    return types


def grid_value(kind: str, value: Any) -> Any:
    if kind == "float":
        return float(value)
    if kind == "str" and not isinstance(value, str):
        return json.dumps(value, sort_keys=True)
    return value


def results_schema(plan: SweepPlan) -> Any:
    import pyarrow as pa

    from sim.analysis.metrics import metric_columns

    arrow = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "str": pa.string()}
    fields = [
        ("run_id", pa.string()),
        ("cell", pa.int32()),
        ("replicate", pa.int32()),
        ("seed", pa.int64()),
    ]
    fields += [(key, arrow[kind]) for key, kind in grid_column_types(plan).items()]
    for column in metric_columns(plan.sides):
        fields.append((column, pa.string() if column == "last_actor" else pa.int64()))
    return pa.schema(fields)


def result_row(
    types: dict[str, str], cells: list[dict[str, Any]], run: Run, result: Result
) -> dict[str, Any]:
    """One results row: the run's identity, its grid values and its metrics."""
    row: dict[str, Any] = {"run_id": run.run_id, "cell": run.cell}
    row.update(replicate=run.replicate, seed=run.seed)
    for key, value in cells[run.cell].items():
        row[key] = grid_value(types[key], value)
    row.update(result[1])
    return row


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
