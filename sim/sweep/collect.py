"""The parent side of a sweep: finished batches put back in plan order, joined into the two
datasets' tables and written as parts.

Batches finish in whatever order the workers happen to finish them; they are written in the
order they were planned (a batch that finishes early waits, in memory, for the ones before
it), so that a sweep's datasets read back row for row the same whatever the number of
workers or the batch size. A run counts as done once its results row is in a part, so a
sweep stopped at any moment keeps every written part and, when it is stopped, writes what
had finished (in order among themselves) before it returns.

Everything here is per batch or per part, not per run: the parent shares the cores with the
workers, so its time per run is taken from theirs.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pyarrow as pa

from sim.sweep.parts import STAFFING_SCHEMA, PartStore
from sim.sweep.plan import Run, SweepPlan, grid_column_types, grid_value
from sim.sweep.worker import Batch

FLUSH_SECONDS = 3.0
FLUSH_RUNS = 1_000


class InOrder:
    """Batches handed in by their index in the plan's work list (``add``), passed on to
    ``writer`` in index order; ``drain`` passes on the rest (a stopped sweep keeps them)."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.next = 0
        self.waiting: dict[int, tuple[list[Run], Batch]] = {}

    def add(self, index: int, runs: list[Run], batch: Batch) -> None:
        self.waiting[index] = (runs, batch)
        while self.next in self.waiting:
            self.writer.add(*self.waiting.pop(self.next))
            self.next += 1

    def drain(self) -> None:
        for index in sorted(self.waiting):
            self.writer.add(*self.waiting.pop(index))
        self.writer.flush()


class Writer:
    """Batches waiting to be written: a part every ``FLUSH_RUNS`` runs or ``FLUSH_SECONDS``,
    whichever comes first, so a killed sweep loses seconds of work, never a stored part."""

    def __init__(self, plan: SweepPlan, parts: PartStore) -> None:
        self.plan, self.parts = plan, parts
        self.types = grid_column_types(plan)
        self.items: list[tuple[list[Run], Batch]] = []
        self.count = 0
        self.last = time.perf_counter()

    def add(self, runs: list[Run], batch: Batch) -> None:
        if [run.run_id for run in runs] != batch.run_ids:
            raise ValueError("a batch's results are not those of its runs")
        if not runs:
            return
        self.items.append((runs, batch))
        self.count += len(runs)
        if self.count >= FLUSH_RUNS or time.perf_counter() - self.last >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.items:
            results = results_table(self.plan, self.types, self.items, self.parts.results_schema)
            self.parts.append(results, staffing_table(self.plan, self.items))
            self.items.clear()
            self.count = 0
        self.last = time.perf_counter()


def results_table(
    plan: SweepPlan, types: dict[str, str], items: list[tuple[list[Run], Batch]], schema: pa.Schema
) -> pa.Table:
    """One row per run: its identity, its cell's grid values and its metrics, built column by
    column (the same rows as ``pa.Table.from_pylist`` of a dict per run, without the dicts)."""
    runs = [run for batch_runs, _ in items for run in batch_runs]
    columns: dict[str, list[Any]] = {
        "run_id": [run.run_id for run in runs],
        "cell": [run.cell for run in runs],
        "replicate": [run.replicate for run in runs],
        "seed": [run.seed for run in runs],
    }
    cells = plan.cells
    for key, kind in types.items():
        columns[key] = [grid_value(kind, cells[run.cell][key]) for run in runs]
    for name in schema.names[len(columns) :]:
        columns[name] = [value for _, batch in items for value in batch.metrics[name]]
    return pa.table(
        {name: pa.array(columns[name], schema.field(name).type) for name in schema.names}, schema=schema
    )


def staffing_table(plan: SweepPlan, items: list[tuple[list[Run], Batch]]) -> pa.Table:
    """Long form (run_id, cell, mission, day, headcount) of the batches' sampled series: per
    run, per mission, its days in order. Repeated strings are taken by index from one array of
    each (Arrow's take), never built as a string per row."""
    if not items:
        return STAFFING_SCHEMA.empty_table()
    run_ids: list[str] = []
    run_index, mission_index, cells, days, counts = [], [], [], [], []
    for runs, batch in items:  # a batch's runs are of one cell, so of one day grid
        n, missions, width = batch.staffing.shape
        first = len(run_ids)
        run_ids.extend(batch.run_ids)
        run_index.append(np.repeat(np.arange(first, first + n), missions * width))
        mission_index.append(np.tile(np.repeat(np.arange(missions), width), n))
        cells.append(np.full(n * missions * width, runs[0].cell, dtype=np.int32))
        days.append(np.tile(plan.days(runs[0].cell).astype(np.int32), n * missions))
        counts.append(batch.staffing.reshape(-1))
    return pa.table(
        {
            "run_id": pa.array(run_ids, pa.string()).take(pa.array(np.concatenate(run_index))),
            "cell": pa.array(np.concatenate(cells)),
            "mission": pa.array(plan.sides, pa.string()).take(pa.array(np.concatenate(mission_index))),
            "day": pa.array(np.concatenate(days)),
            "headcount": pa.array(np.concatenate(counts).astype(np.int32)),
        },
        schema=STAFFING_SCHEMA,
    )
