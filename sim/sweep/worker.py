"""The worker side of a sweep: runs of one grid cell simulated and summed up where they ran.

A sweep's parent process shares the machine's cores with its workers, so whatever it does
per run is time the workers do not get. A worker therefore returns a whole batch of runs in
the form the parent writes: the metrics as columns and the sampled staffing series as one
``(runs, missions, days)`` integer array (:class:`Batch`), and the parent only joins batches
and writes parts (``sim.sweep.parts``), never a row per run.

Local workers leave Ctrl-C to the parent and die with it (:func:`quiet_worker`).
"""

from __future__ import annotations

import gc
import os
import signal
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.scenario.models import Scenario
from sim.sweep.grid import from_spec
from sim.sweep.plan import Result

_SCENARIOS: dict[str, Scenario] = {}


@dataclass(frozen=True, slots=True)
class Batch:
    """The results of runs of one cell, in the order they were asked for: ``metrics`` holds
    one list per metric column (``run_metrics``' keys, in order), ``staffing`` each run's
    headcount per mission, sampled every ``step_days`` (int32, ``(runs, missions, days)``)."""

    run_ids: list[str]
    metrics: dict[str, list[Any]]
    staffing: np.ndarray

    def __len__(self) -> int:
        return len(self.run_ids)


def scenario_of(key: str, spec: dict[str, Any]) -> Scenario:
    """The cell's scenario, rebuilt from plain data once per process (cached under ``key``)."""
    scenario = _SCENARIOS.get(key)
    if scenario is None:
        if len(_SCENARIOS) > 64:
            _SCENARIOS.clear()
        scenario = _SCENARIOS[key] = from_spec(spec)
    return scenario


def _simulated(
    scenario: Scenario, seeds: Sequence[int], step_days: int
) -> Iterator[tuple[dict[str, Any], np.ndarray]]:
    """Each seed's run metrics and its staffing sampled every ``step_days``, ``(missions, days)``.

    An engine is a graph of reference cycles (its bound methods, its world), which only the
    cyclic garbage collector frees; left to itself, the collector walked each run's growing
    log and staff again and again while it ran. So the collector is held off during a batch,
    and a finished engine's attributes are emptied, which breaks its cycles: reference
    counting frees it at once, and the young generation collected after each run (anything
    else cyclic) is nearly empty (bench/RESULTS.md has the measurements).
    """
    from sim.analysis.metrics import run_metrics, series_and_counts
    from sim.engine.loop import simulate

    with _collector_held() as collect:
        for seed in seeds:
            variant = scenario.model_copy(update={"seed": seed})
            engine = simulate(variant)
            names = variant.mission_labels()  # the sides with two, SENDER>HOST with more
            series, counts = series_and_counts(engine.log, names, variant.horizon)
            metrics = run_metrics(engine.log, names, variant.horizon, series, counts)
            sampled = np.stack([series[name][::step_days] for name in names]).astype(np.int32)
            engine.__dict__.clear()
            del engine, series, counts
            collect()
            yield metrics, sampled


@contextmanager
def _collector_held() -> Iterator[Any]:
    """Automatic collection off inside, ``collect()`` (the youngest generation) between runs;
    the collector is left as it was found."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield lambda: gc.collect(0)
    finally:
        if was_enabled:
            gc.enable()


def run_batch(key: str, spec: dict[str, Any], tasks: Sequence[tuple[str, int]], step_days: int) -> Batch:
    """Worker side of a sweep: simulate each ``(run_id, seed)`` of one cell (its scenario as
    plain data, ``spec``) and return the batch's metrics and sampled staffing."""
    scenario = scenario_of(key, spec)
    columns: dict[str, list[Any]] = {}
    series: list[np.ndarray] = []
    for metrics, sampled in _simulated(scenario, [seed for _, seed in tasks], step_days):
        if not columns:
            columns = {name: [] for name in metrics}
        for name, value in metrics.items():
            columns[name].append(value)
        series.append(sampled)
    missions = len(scenario.mission_pairs())
    days = len(range(0, scenario.horizon + 1, step_days))
    staffing = np.stack(series) if series else np.zeros((0, missions, days), dtype=np.int32)
    return Batch([rid for rid, _ in tasks], columns, staffing)


def run_chunk(
    key: str, spec: dict[str, Any], tasks: Sequence[tuple[str, int]], step_days: int
) -> list[Result]:
    """Each ``(run_id, seed)``'s ``(run_id, metrics, {mission: sampled staffing})``, one tuple a
    run (what the embassy-model tournament reads; sweeps use :func:`run_batch`)."""
    scenario = scenario_of(key, spec)
    names = scenario.mission_labels()
    out = []
    for (rid, _), (metrics, sampled) in zip(
        tasks, _simulated(scenario, [s for _, s in tasks], step_days), strict=True
    ):
        out.append((rid, metrics, dict(zip(names, sampled, strict=True))))
    return out


def quiet_worker() -> None:
    """Local workers leave Ctrl-C to the parent, which stops them, and end when the parent
    dies (killed with SIGKILL, it stops nobody): the kernel sends them SIGTERM where it can
    (Linux), and a watch on the parent's id covers the rest. What the worker inherited from
    the parent is frozen out of the collector's generations (it lives as long as the worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()
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
