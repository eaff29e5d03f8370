"""What a sweep is before anything runs: its cells, runs, seeds and ids, the sweep file, and the
schema of its result rows. Ids and seeds are functions of the scenario's hash, the sweep seed,
the cell and the replicate, so a resumed or re-run sweep finds the same runs."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import sim
from sim.core.dated_acts import Seed
from sim.core.randomness import seed_problem
from sim.infra.errors import InputError
from sim.scenario.loading import load_scenario
from sim.scenario.models import Scenario
from sim.sweep.grid import Axis, Origin, check_axes

STEP_DAYS = 7
MAX_SEEDS = 1_000_000
MAX_RUNS = 10_000_000
#: Each grid cell is a validated scenario held in memory (~3 KB): 100,000 cells is ~300 MB.
MAX_CELLS = 100_000


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
        """The missions a sweep's tables have columns for: the sides with two (each side's one
        mission), ``SENDER>HOST`` labels with more."""
        return self.scenario.mission_labels()

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
    wrong = seed_problem(sweep_seed)
    if wrong:
        raise ValueError(wrong)
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
        seed: Seed | None = None
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


def short_keys(keys: list[str]) -> dict[str, str]:
    """The shortest unambiguous name of each grid key: its last steps, with the side's name
    for a side's parameter (``sides.RU.policy.delay_days`` -> ``RU.delay_days``)."""
    names = {}
    for key in keys:
        parts = key.split(".")
        n = next(
            (n for n in range(1, len(parts)) if sum(o.split(".")[-n:] == parts[-n:] for o in keys) == 1),
            len(parts),
        )
        tail = parts[-n:]
        if parts[0] == "sides" and len(parts) > 2 and n < len(parts) - 1:
            tail = [parts[1], *tail]
        names[key] = ".".join(tail)
    return names


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def cell_label(plan: SweepPlan, cell: int, short: bool = True) -> str:
    values = plan.cells[cell]
    if not values:
        return "all runs"
    names = short_keys(list(values)) if short else {k: k for k in values}
    return ", ".join(f"{names[k]}={_show(v)}" for k, v in values.items())


Chunk = tuple[int, list[Run]]


Result = tuple[str, dict[str, Any], dict[str, np.ndarray]]
