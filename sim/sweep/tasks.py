"""Many small, independent, seeded tasks on the sweep's three executors.

``sim sweep`` runs scenarios on this process, on local worker processes or on a Dask cluster
(``sim.sweep.execute``); tournaments and Moran processes play matches of the repeated game instead.
This module gives those executors one more method, :meth:`map`, that runs any picklable
top-level function over a list of arguments: the executors keep their own start-up (the
Dask connection and its one-line errors), their quiet workers (Ctrl-C is the parent's) and
their ``close`` (which stops the workers of an interrupted run).

Results come back in the order of the arguments, whatever order the workers finish in, and
each task carries its own seed: the same work gives the same results on any executor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import BrokenExecutor
from typing import Any

from sim.sweep.execute import (
    DaskExecutor,
    InlineExecutor,
    LocalExecutor,
    SweepSetupError,
    SweepWorkerDied,
)
from sim.sweep.worker import quiet_worker

__all__ = ["SweepSetupError", "SweepWorkerDied", "TaskExecutor", "make_task_executor", "run_tasks"]


class TaskExecutor:
    """What :func:`run_tasks` needs of an executor: a name, a width, ``map`` and ``close``."""

    name: str
    workers: int

    def map(self, fn: Callable[[Any], Any], args: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        raise NotImplementedError

    def close(self, interrupted: bool = False) -> None:
        raise NotImplementedError


class _Inline(InlineExecutor, TaskExecutor):
    workers = 1

    def map(self, fn: Callable[[Any], Any], args: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        for index, arg in enumerate(args):
            yield index, fn(arg)


class _Local(LocalExecutor, TaskExecutor):
    def map(self, fn: Callable[[Any], Any], args: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        if self.pool is None:  # kept between calls of one command (run_tasks' keep_open)
            self.pool = ProcessPoolExecutor(max_workers=self.workers, initializer=quiet_worker)
        self.futures = [self.pool.submit(fn, arg) for arg in args]
        where = {future: i for i, future in enumerate(self.futures)}
        for future in as_completed(self.futures):
            yield where[future], future.result()


class _Dask(DaskExecutor, TaskExecutor):
    def map(self, fn: Callable[[Any], Any], args: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed

        self.futures = [self.client.submit(fn, arg, pure=False) for arg in args]
        where = {future.key: i for i, future in enumerate(self.futures)}
        for future in as_completed(self.futures, loop=self.client.loop):
            yield where[future.key], future.result()


def make_task_executor(workers: int = 1, scheduler: str | None = None) -> TaskExecutor:
    """This process (``workers`` 1), local processes, or the Dask cluster at ``scheduler``
    (raises :class:`SweepSetupError` with one line when it cannot connect)."""
    if scheduler is not None:
        return _Dask(scheduler)
    if workers <= 1:
        return _Inline()
    return _Local(workers)


def run_tasks(
    fn: Callable[[Any], Any],
    args: Sequence[Any],
    executor: TaskExecutor | None = None,
    on_done: Callable[[int, int], None] | None = None,
    keep_open: bool = False,
) -> list[Any]:
    """``[fn(arg) for arg in args]`` on ``executor`` (this process if None), in order.

    ``on_done(done, total)`` is called after each task. Ctrl-C stops the workers and raises
    ``KeyboardInterrupt``; a worker process that dies raises :class:`SweepWorkerDied`.
    The executor is closed on the way out (after an error only, with ``keep_open``, for a
    command that has more work for it).
    """
    executor = executor or _Inline()
    results: list[Any] = [None] * len(args)
    done = 0
    interrupted = lost = False
    if on_done is not None:
        on_done(0, len(args))
    try:
        for index, result in executor.map(fn, args):
            results[index] = result
            done += 1
            if on_done is not None:
                on_done(done, len(args))
    except KeyboardInterrupt:
        interrupted = True
        raise
    except BrokenExecutor:
        lost = True
    finally:
        if interrupted or lost or not keep_open:
            executor.close(interrupted or lost)
    if lost:
        raise SweepWorkerDied(
            "a worker process died (killed, out of memory, or a policy ended its process);"
            " nothing was written"
        )
    return results
