"""The optimiser and its folder: an optuna study in ``DIR/study.db`` (SQLite), resumable.

Optuna's TPE sampler searches the box of ranges, whole numbers as whole numbers. Trials run
one after another (each trial's seeds run in parallel on the executor), and trial ``n`` is
asked with a sampler seeded by ``(sampler seed, n)`` alone: what it proposes depends only on
the trials before it, never on how many processes ran or whether the study was stopped and
resumed between them, so ``--trials 3`` then ``--trials 6`` gives the six trials one
``--trials 6`` gives. A trial is stored when it has finished (SQLite's transaction); one
interrupted half-way is marked failed, which the sampler and the count of trials ignore.

``DIR/manifest.json`` says what the study is a calibration of (the scenario's hash, the
observations' hash, the parameters, the seeds, the split and the sampler seed): re-running the
same command continues it, any other command on that folder is refused unless ``--force``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.calibration.problem import CalibrationError, Param, Split, observations_sha256
from sim.calibration.runs import Values, evaluate, score_of, variant
from sim.core.dated_acts import Observation
from sim.infra.atomic import write_atomic
from sim.infra.outdir import GENERATOR
from sim.scenario.models import Scenario
from sim.sweep.tasks import TaskExecutor

STUDY_DB, MANIFEST, RESULT = "study.db", "manifest.json", "calibration.json"
OURS = frozenset({STUDY_DB, MANIFEST, RESULT})
STUDY_NAME = "calibration"
#: Random proposals before TPE models the scores: optuna's default, fixed so that a study
#: resumed with more ``--trials`` proposes what one run would have.
STARTUP_TRIALS = 10


@dataclass(frozen=True)
class Calibration:
    """Everything a study depends on: what is fitted, to what, with which seeds."""

    scenario: Scenario
    observations: tuple[Observation, ...]
    params: tuple[Param, ...]
    split: Split
    seeds: tuple[int, ...]
    sampler_seed: int = 0

    def manifest(self) -> dict[str, Any]:
        return {
            "generator": GENERATOR,
            "command": "calibrate",
            "scenario": self.scenario.name,
            "scenario_sha256": self.scenario.sha256(),
            "observations_sha256": observations_sha256(self.observations),
            "params": [p.as_dict() for p in self.params],
            "seeds": list(self.seeds),
            "split": self.split.as_dict(),
            "sampler_seed": self.sampler_seed,
            "startup_trials": STARTUP_TRIALS,
        }


@dataclass(frozen=True)
class Trial:
    """A finished trial: its number among the finished ones, its values, score and figures."""

    number: int
    params: dict[str, Any]
    mape: float
    values: list[list[int | None]]


_WHAT = {
    "scenario_sha256": "another scenario (or the scenario file changed)",
    "observations_sha256": "other observations (or the documented log changed)",
    "params": "other parameters or ranges",
    "seeds": "other seeds",
    "split": "another split of the observations (--against, --validate)",
    "sampler_seed": "another sampler seed",
}


def check_folder(out: Path, manifest: dict[str, Any], force: bool) -> None:
    """One line if ``out`` cannot be this calibration's folder; nothing is written."""
    if out.exists() and not out.is_dir():
        raise CalibrationError([f"--out: {out} exists and is not a directory"])
    old = _read_manifest(out)
    if old is None and out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in OURS and not p.name.startswith("."))
        if foreign or (out / STUDY_DB).exists():
            shown = ", ".join((foreign or [STUDY_DB])[:3])
            raise CalibrationError(
                [
                    f"--out: {out} holds {shown}, which 'sim calibrate' did not write (no {MANIFEST});"
                    " choose another --out"
                ]
            )
    if old is not None and not force:
        for key, what in _WHAT.items():
            if old.get(key) != manifest[key]:
                raise CalibrationError(
                    [
                        f"--out: {out} holds a calibration of {what};"
                        " use --force to start over or another --out"
                    ]
                )


def prepare(out: Path, manifest: dict[str, Any], force: bool) -> None:
    """Make ``out`` this calibration's folder (with ``force``, its old study removed), or one
    line why not."""
    check_folder(out, manifest, force)
    old = _read_manifest(out)
    if old is not None and force:
        for name in OURS:
            (out / name).unlink(missing_ok=True)
        for journal in out.glob(f"{STUDY_DB}-*"):  # SQLite's -journal, -wal, -shm
            journal.unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _read_manifest(out: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and data.get("generator") == GENERATOR and data.get("command") == "calibrate":
        return data
    return None


def open_study(out: Path) -> Any:
    """The folder's study, made on first use (a real SQLite file, ``DIR/study.db``)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.create_study(
        storage=f"sqlite:///{(out / STUDY_DB).resolve()}",
        study_name=STUDY_NAME,
        direction="minimize",
        load_if_exists=True,
    )


def finished(study: Any) -> list[Trial]:
    """The study's finished trials, in the order they were run (numbered from 0)."""
    from optuna.trial import TrialState

    done = sorted(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)), key=lambda t: t.number)
    return [Trial(i, dict(t.params), float(t.value), t.user_attrs["values"]) for i, t in enumerate(done)]


def _fail_trial(study: Any, number: int) -> None:
    """Mark a trial failed on the way out of an error or Ctrl-C, as far as the storage lets
    (a Ctrl-C inside SQLite's commit may have stored it already, or left it running): the
    error that stopped the trial is the one to report, not this one's."""
    from optuna.trial import TrialState

    with contextlib.suppress(Exception):
        study.tell(number, state=TrialState.FAIL, skip_if_finished=True)


def _fail_stale(study: Any) -> None:
    """Trials left running by a process that was killed (the folder's lock says none runs
    now) are marked failed, so that neither the count nor the sampler sees them."""
    from optuna.trial import TrialState

    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        _fail_trial(study, trial.number)


def _distributions(params: Sequence[Param]) -> dict[str, Any]:
    from optuna.distributions import FloatDistribution, IntDistribution

    return {
        p.key: IntDistribution(int(p.low), int(p.high)) if p.integer else FloatDistribution(p.low, p.high)
        for p in params
    }


def _sampler_seed(seed: int, number: int) -> int:
    digest = hashlib.sha256(f"calibrate:{seed}:{number}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def run_trials(
    cal: Calibration,
    out: Path,
    trials: int,
    executor: TaskExecutor | None,
    on_trial: Callable[[Trial, list[Trial]], None] | None = None,
    on_runs: Callable[[int, int], None] | None = None,
) -> tuple[list[Trial], int, Values]:
    """Run the trials ``out``'s study lacks to have ``trials`` finished; returns them all, how
    many ran now, and the figures of the scenario as written (:func:`as_written`).

    ``on_trial(trial, all so far)`` after each trial, ``on_runs(done, total)`` after each run
    of the trials still to do. Ctrl-C marks the running trial failed and propagates.
    """
    from optuna.samplers import TPESampler

    study = open_study(out)
    _fail_stale(study)
    done = finished(study)
    todo = max(0, trials - len(done))
    runs, n_seeds = todo * len(cal.seeds), len(cal.seeds)
    if on_runs is not None and todo:
        on_runs(0, runs)
    for step in range(todo):
        number = len(done)
        study.sampler = TPESampler(
            seed=_sampler_seed(cal.sampler_seed, number), n_startup_trials=STARTUP_TRIALS, constant_liar=False
        )
        trial = study.ask(_distributions(cal.params))
        try:
            values = evaluate(
                variant(cal.scenario, cal.params, trial.params),
                cal.observations,
                cal.seeds,
                executor,
                None if on_runs is None else lambda d, _t, base=step * n_seeds: on_runs(base + d, runs),
            )
            mape = score_of(cal.observations, values, cal.split.fitted, cal.seeds).mape()
            if mape is None:
                raise CalibrationError(["no fitted figure could be scored in these runs"])
            trial.set_user_attr("values", values)
            study.tell(trial, mape)
        except BaseException:
            _fail_trial(study, trial.number)
            raise
        done.append(Trial(number, dict(trial.params), mape, values))
        if on_trial is not None:
            on_trial(done[-1], done)
    return done, todo, as_written(study, cal, executor)


def as_written(study: Any, cal: Calibration, executor: TaskExecutor | None) -> Values:
    """The scenario as written, run on the same seeds once per study (kept in it): the score
    the calibration is to beat, and what the held-out figures were before it."""
    stored = study.user_attrs.get("as_written")
    if stored is None:
        stored = evaluate(cal.scenario, cal.observations, cal.seeds, executor)
        study.set_user_attr("as_written", stored)
    return stored
