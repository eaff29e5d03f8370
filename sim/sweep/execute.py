"""Sweeps: one scenario over a grid of parameter values and many seeds, in parallel.

The Python API behind ``sim sweep``::

    from sim.sweep.execute import run_sweep
    from sim.sweep.grid import Axis
    from sim.sweep.plan import plan_sweep

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

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import BrokenExecutor
from pathlib import Path
from typing import Any

from sim.sweep.grid import to_spec
from sim.sweep.plan import Chunk, Run, SweepOutcome, SweepPlan, results_schema
from sim.sweep.worker import Batch, quiet_worker, run_batch

#: The most runs a batch sends to a worker (rotation-rule-2021: ~1 s of work), and the fewest
#: the last batches shrink to so that both workers finish together.
BATCH_RUNS = 100
LEAST_RUNS = 4


class SweepWorkerDied(Exception):
    """A worker process ended without a word; the runs finished before it are stored."""


class SweepConflict(Exception):
    """The output directory holds another sweep (a different scenario, grid or sweep seed)."""


def chunks(runs: Sequence[Run], workers: int, batch: int | None = None) -> list[Chunk]:
    """Runs grouped by cell into batches, in plan order.

    With ``batch`` every batch holds that many runs (a cell's last one fewer). Without it,
    batches are as large as ``BATCH_RUNS`` while much is left, so the parent wakes, unpickles
    and writes seldom, and shrink towards ``LEAST_RUNS`` as the end nears (a fraction of
    what is left per worker), so no worker is left with a long batch while the other idles.
    """
    by_cell: dict[int, list[Run]] = {}
    for run in runs:
        by_cell.setdefault(run.cell, []).append(run)
    out: list[Chunk] = []
    left = len(runs)
    for cell, items in by_cell.items():
        start = 0
        while start < len(items):
            size = batch or max(LEAST_RUNS, min(BATCH_RUNS, left // (4 * max(1, workers))))
            out.append((cell, items[start : start + size]))
            left -= len(out[-1][1])
            start += size
    return out


class Executor:
    """Runs batches and yields ``(index in work, Batch)`` as they finish; ``close`` stops
    everything."""

    name = "?"

    def results(self, plan: SweepPlan, work: list[Chunk]) -> Iterator[tuple[int, Batch]]:
        raise NotImplementedError

    def close(self, interrupted: bool = False) -> None:
        pass


def _specs(plan: SweepPlan) -> list[tuple[str, dict[str, Any]]]:
    return [(variant.sha256(), to_spec(variant)) for variant in plan.variants]


def _tasks(runs: list[Run]) -> list[tuple[str, int]]:
    return [(run.run_id, run.seed) for run in runs]


class InlineExecutor(Executor):
    """This process, one run after another (``--workers 1``)."""

    name = "1 process"

    def results(self, plan: SweepPlan, work: list[Chunk]) -> Iterator[tuple[int, Batch]]:
        specs = _specs(plan)
        for index, (cell, runs) in enumerate(work):
            yield index, run_batch(*specs[cell], _tasks(runs), plan.step_days)


class LocalExecutor(Executor):
    """Local worker processes (``concurrent.futures``); every chunk is submitted at once."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.name = f"{workers} local processes"
        self.pool: Any = None
        self.futures: list[Any] = []

    def results(self, plan: SweepPlan, work: list[Chunk]) -> Iterator[tuple[int, Batch]]:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        specs = _specs(plan)
        self.pool = ProcessPoolExecutor(max_workers=self.workers, initializer=quiet_worker)
        self.futures = [
            self.pool.submit(run_batch, *specs[cell], _tasks(runs), plan.step_days) for cell, runs in work
        ]
        where = {future: index for index, future in enumerate(self.futures)}
        for future in as_completed(self.futures):
            yield where[future], future.result()

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

    def results(self, plan: SweepPlan, work: list[Chunk]) -> Iterator[tuple[int, Batch]]:
        from distributed import as_completed

        specs = _specs(plan)
        # A list, not the dict itself: scattering a dict scatters each value under its key.
        scattered = {cell: self.client.scatter([specs[cell][1]], broadcast=True)[0] for cell, _ in work}
        self.futures = [
            self.client.submit(
                run_batch, specs[cell][0], scattered[cell], _tasks(runs), plan.step_days, pure=False
            )
            for cell, runs in work
        ]
        where = {future.key: index for index, future in enumerate(self.futures)}
        for future in as_completed(self.futures, loop=self.client.loop):
            yield where[future.key], future.result()

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
    batch: int | None = None,
) -> SweepOutcome:
    """Run every run of ``plan`` not yet stored in ``out`` and write the report.

    ``on_progress(done, total, ran_now)`` is called after each finished batch (``batch``
    runs each if given, else sized by :func:`chunks`; the outputs are the same either way).
    Ctrl-C stops the workers, keeps every finished run, and returns with ``interrupted`` set.
    One sweep at a time writes to ``out``: another one waits for it (``on_wait`` is called
    first), then finds its runs done.
    """
    from sim.sweep import parts as store

    if batch is not None and batch < 1:
        raise ValueError(f"batch: {batch} is not a positive number of runs")
    out = Path(out)
    with store.sweep_lock(out, on_wait):
        executor, outcome = _run_locked(plan, out, workers, scheduler, force, executor, on_progress, batch)
    if report and not outcome.interrupted:
        from sim.sweep.report import write_report

        write_report(plan, outcome)
    return outcome


def _run_locked(
    plan: SweepPlan,
    out: Path,
    workers: int,
    scheduler: str | None,
    force: bool,
    executor: Executor | None,
    on_progress: Callable[[int, int, int], None] | None,
    batch: int | None,
) -> tuple[Executor | None, SweepOutcome]:
    from sim.sweep import parts as store

    _prepare(out, plan.manifest(), force)
    runs = plan.runs()
    parts = store.PartStore(out, results_schema(plan), store.STAFFING_SCHEMA)
    done = parts.open() & {run.run_id for run in runs}
    todo = [run for run in runs if run.run_id not in done]
    started = time.perf_counter()
    ran, interrupted = 0, False

    def progress(now: int) -> None:
        if on_progress is not None:
            on_progress(len(done) + now, len(runs), now)

    progress(0)
    if todo:
        executor = executor or make_executor(workers, scheduler)
        work = chunks(todo, getattr(executor, "workers", workers), batch)
        ran, interrupted, lost = _execute(plan, executor, work, parts, progress)
        if lost:
            raise SweepWorkerDied(
                f"a worker process died (killed, out of memory, or a policy ended its process);"
                f" {len(done) + ran:,} of {len(runs):,} runs are stored in {out}/;"
                " run the same command to resume"
            )
    elapsed = time.perf_counter() - started
    name = executor.name if executor else "none"
    return executor, SweepOutcome(out, len(runs), len(done), ran, elapsed, interrupted, name)


def _execute(
    plan: SweepPlan, executor: Executor, work: list[Chunk], parts: Any, progress: Callable[[int], None]
) -> tuple[int, bool, bool]:
    """Run ``work`` on ``executor``, writing batches in plan order as they finish; returns the
    runs that finished, whether Ctrl-C stopped it and whether a worker died. Whatever
    finished is written before this returns, however it ends."""
    from sim.sweep.collect import InOrder, Writer

    ordered = InOrder(Writer(plan, parts))
    ran, interrupted, lost = 0, False, False
    try:
        for index, batch in executor.results(plan, work):
            ordered.add(index, work[index][1], batch)
            ran += len(batch)
            progress(ran)
    except KeyboardInterrupt:
        interrupted = True
    except BrokenExecutor:
        lost = True
    finally:
        executor.close(interrupted or lost)
        ordered.drain()
    return ran, interrupted, lost


def _prepare(out: Path, manifest: dict[str, Any], force: bool) -> None:
    from sim.sweep import parts as store
    from sim.sweep.parts import REPORT_FILES

    if out.exists() and not out.is_dir():
        raise SweepConflict(f"--out: {out} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    if force:
        store.clear(out, REPORT_FILES)
    old = store.read_manifest(out)
    if old is None and (out / store.RESULTS).exists():
        raise SweepConflict(f"--out: {out} holds results but no {store.MANIFEST}; use --force to start over")
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
