"""One trial's runs on the sweep's executors: a task per seed, each returning only that run's
simulated value of every figure (a few integers), never its log.

The task is a top-level function of plain arguments (the variant as the sweep ships it,
``sim.sweep.grid.to_spec``, its hash as the worker's cache key, the seed, the observations), so
it runs the same in this process, in local worker processes and on a Dask cluster; every
trial uses the same seeds (common random numbers), so two parameter values are compared on
the same draws and the difference between their scores is the parameters', not the luck's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sim.analysis.score import Score, ScoreRow, score_logs
from sim.calibration.problem import CalibrationError, Param
from sim.core.dated_acts import Observation
from sim.scenario.models import Scenario
from sim.sweep.grid import Axis, apply_cell, build_variant, resolve, scenario_data, to_spec
from sim.sweep.tasks import TaskExecutor, run_tasks
from sim.sweep.worker import scenario_of

#: ``(variant hash, variant spec, seed, observations)``: what one task is given.
Task = tuple[str, dict[str, Any], int, tuple[Observation, ...]]
#: Per seed, per observation: the simulated value (None: the figure's date is outside the run).
Values = list[list[int | None]]


def figure_values(task: Task) -> list[int | None]:
    """Worker side: simulate the variant with one seed and return each figure's simulated value,
    exactly as ``sim score`` reads it from the run's log."""
    from sim.engine.loop import simulate

    key, spec, seed, observations = task
    scenario = scenario_of(key, spec)
    engine = simulate(scenario.model_copy(update={"seed": seed}))
    score = score_logs([engine.log], scenario.start, observations, [seed], scenario.end)
    engine.__dict__.clear()  # an engine is a graph of cycles: emptied, it is freed at once
    return [row.values[0] if row.values else None for row in score.rows]


def variant(base: Scenario, params: Sequence[Param], values: dict[str, float]) -> Scenario:
    """The base scenario with the trial's values set at the parameters' paths."""
    from pydantic import ValidationError

    data = scenario_data(base)
    paths = {p.key: resolve(data, Axis(p.key, ())) for p in params}
    cell = {p.key: p.scenario_value(values[p.key]) for p in params}
    try:
        return build_variant(base, apply_cell(data, paths, cell))
    except (ValidationError, ValueError) as exc:
        shown = ", ".join(f"{k}={v}" for k, v in cell.items())
        raise CalibrationError(
            [f"--param: the scenario refuses {shown}: {str(exc).splitlines()[0]}"]
        ) from None


def evaluate(
    scenario: Scenario,
    observations: Sequence[Observation],
    seeds: Sequence[int],
    executor: TaskExecutor | None,
    on_done: Callable[[int, int], None] | None = None,
) -> Values:
    """Every figure's simulated value in each seed's run of ``scenario``, run on ``executor``
    (kept open for the next trial)."""
    key, spec = scenario.sha256(), to_spec(scenario)
    tasks: list[Task] = [(key, spec, seed, tuple(observations)) for seed in seeds]
    return run_tasks(figure_values, tasks, executor, on_done, keep_open=True)


def score_of(
    observations: Sequence[Observation], values: Values, indexes: Sequence[int], seeds: Sequence[int]
) -> Score:
    """``sim score``'s score of the figures at ``indexes`` from the seeds' values: each row's
    median over the seeds, and the MAPE over counts (the error of the median, as ``sim score``)."""
    rows = []
    for index in indexes:
        column = [run[index] for run in values]
        rows.append(ScoreRow(observations[index], [v for v in column if v is not None]))
    return Score(rows, list(seeds))
