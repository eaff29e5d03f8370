"""A calibration from start to end, for the command and the Python API alike: check the input,
prepare the folder, run the missing trials, write the report.

Every check that can fail on the user's input runs before the folder is touched, so a refused
command leaves no manifest, study or ``calibration.json`` behind: the parameters and their
ranges, the observation split, and each figure's scope in the scenario's runs (one run of the
scenario as written, inline, as ``sim score`` would score it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sim.analysis.score import ScoreError, score_logs
from sim.calibration.problem import (
    CalibrationError,
    check_params,
    parse_numbers,
    parse_param,
    seeds_of,
    split_observations,
)
from sim.calibration.result import summarise, write_result
from sim.calibration.study import Calibration, Trial, prepare, run_trials
from sim.core.dated_acts import Observation
from sim.scenario.models import Scenario
from sim.sweep.tasks import TaskExecutor


def setup(
    scenario: Scenario,
    observations: Sequence[Observation],
    params: Sequence[str],
    seeds: int,
    against: Sequence[str] | None = None,
    validate: Sequence[str] | None = None,
    sampler_seed: int = 0,
    source: str = "the scenario's documented log",
) -> Calibration:
    """The calibration these options describe, or :class:`CalibrationError` (one line each)."""
    if not observations:
        raise CalibrationError([f"{source}: no observations to calibrate against (give a log with --log)"])
    specs = [parse_param(text) for text in params]
    checked = check_params(scenario, specs)
    count = len(observations)
    split = split_observations(
        scenario,
        observations,
        parse_numbers("--against", against, count),
        parse_numbers("--validate", validate, count),
    )
    _check_scopes(scenario, observations, source)
    chosen = seeds_of(scenario, seeds)
    return Calibration(scenario, tuple(observations), tuple(checked), split, tuple(chosen), sampler_seed)


def _check_scopes(scenario: Scenario, observations: Sequence[Observation], source: str) -> None:
    """A figure naming a post or mission the runs do not have, a users' policy that breaks the
    rules or answers differently to the same seed (its trials would depend on the workers, as
    ``sim sweep`` refuses too) is refused now, not in a worker."""
    from sim.engine.loop import simulate
    from sim.policies import BUILTIN_KINDS
    from sim.policies.guard import PolicyError
    from sim.store.sqlite import log_digest

    try:
        log = simulate(scenario).log
        plugins = sorted({side.policy.kind for side in scenario.sides} - set(BUILTIN_KINDS))
        if plugins and log_digest(simulate(scenario).log) != log_digest(log):
            raise CalibrationError(
                [
                    f"policy {plugins[0]}: the same scenario and seed gave two different logs (it keeps"
                    f" state between runs?); 'sim check {plugins[0]}' shows where"
                ]
            )
        score_logs([log], scenario.start, observations, [scenario.seed], scenario.end)
    except ScoreError as exc:
        raise CalibrationError([f"{source}: {exc}"]) from None
    except PolicyError as exc:
        raise CalibrationError([str(exc)]) from None


def calibrate(
    cal: Calibration,
    out: Path,
    trials: int,
    executor: TaskExecutor | None,
    force: bool = False,
    on_trial: Callable[[Trial, list[Trial]], None] | None = None,
    on_runs: Callable[[int, int], None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Run the trials ``out`` lacks (resuming its study), then write and return the report.

    One calibration at a time works in ``out`` (the sweep's kernel lock on the folder): a
    second one waits (``on_wait`` is called first), then finds the first one's trials done.
    """
    from sim.sweep.parts import sweep_lock

    with sweep_lock(out, on_wait):
        prepare(out, cal.manifest(), force)
        done, ran, written = run_trials(cal, out, trials, executor, on_trial, on_runs)
        report = summarise(cal, done, written)
        report.update(ran=ran, executor=getattr(executor, "name", "1 process"), out=str(out))
        write_result(out, report)
    return report
