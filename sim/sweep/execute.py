"""Sweeps: one scenario over a grid of parameter values and many seeds, in parallel.

The Python API behind ``sim sweep``::

    from sim.sweep.execute import run_sweep
    from sim.sweep.plan import plan_sweep
    from sim.sweep.plan import (
    Chunk,
    Result,
    Run,
    SweepOutcome,
    SweepPlan,
    grid_column_types,
    result_row,
    results_schema,
)
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

import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import BrokenExecutor
from pathlib import Path
from typing import Any

import numpy as np

from sim.scenario.models import Scenario
from sim.sweep.grid import from_spec, to_spec
from sim.sweep.plan import (
    Chunk,
    Result,
    Run,
    SweepOutcome,
    SweepPlan,
    grid_column_types,
    result_row,
    results_schema,
)

FLUSH_SECONDS = 3.0
FLUSH_RUNS = 1_000


class SweepWorkerDied(Exception):
    """A worker process ended without a word; the runs finished before it are stored."""


class SweepConflict(Exception):
    """The output directory holds another sweep (a different scenario, grid or sweep seed)."""


















# --- sweep files ----------------------------------------------------------------------------










# --- running ----------------------------------------------------------------------------------

_SCENARIOS: dict[str, Scenario] = {}


def run_chunk(
    key: str, spec: dict[str, Any], tasks: Sequence[tuple[str, int]], step_days: int
) -> list[tuple[str, dict[str, Any], dict[str, np.ndarray]]]:
    """Worker side: simulate each ``(run_id, seed)`` of one cell and return its metrics and its
    staffing sampled every ``step_days``. The cell's scenario arrives as plain data (``spec``)
    and is rebuilt once per process (cached under ``key``)."""
    from sim.analysis.metrics import run_metrics, series_and_counts
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
        series, counts = series_and_counts(engine.log, names, variant.horizon)
        metrics = run_metrics(engine.log, names, variant.horizon, series, counts)
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
    pending = _Pending(plan, parts)

    if on_progress is not None:
        on_progress(len(done), len(runs), 0)
    if todo:
        if executor is None:
            executor = make_executor(workers, scheduler)
        width = getattr(executor, "workers", workers)
        try:
            for batch in executor.results(plan, chunks(todo, width)):
                pending.add((by_id[result[0]], result) for result in batch)
                ran += len(batch)
                if on_progress is not None:
                    on_progress(len(done) + ran, len(runs), ran)
        except KeyboardInterrupt:
            interrupted = True
        except BrokenExecutor:
            lost = True
        finally:
            executor.close(interrupted or lost)
            pending.flush()
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


class _Pending:
    """Results waiting to be written: a part every ``FLUSH_RUNS`` runs or ``FLUSH_SECONDS``,
    whichever comes first, so a killed sweep loses seconds of work, never a stored part."""

    def __init__(self, plan: SweepPlan, parts: Any) -> None:
        from sim.sweep import parts as store

        self.plan, self.parts, self.staffing_table = plan, parts, store.staffing_table
        self.types = grid_column_types(plan)
        self.items: list[tuple[Run, Result]] = []
        self.last = time.perf_counter()

    def add(self, items: Iterable[tuple[Run, Result]]) -> None:
        self.items.extend(items)
        if len(self.items) >= FLUSH_RUNS or time.perf_counter() - self.last >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        plan, items = self.plan, self.items
        if items:
            rows = [result_row(self.types, plan.cells, run, result) for run, result in items]
            table = self.staffing_table(
                ((run.run_id, run.cell, result[2], plan.days(run.cell)) for run, result in items), plan.sides
            )
            self.parts.append(rows, table)
            items.clear()
        self.last = time.perf_counter()


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










