"""The Python API in one module, for notebooks and scripts (documented in docs/api.md).

::

    from sim import api

    scenario = api.load("scenarios/rotation-rule-2021.yaml")
    run = api.simulate(scenario)
    run.staffing                      # headcount per mission, one row per day (a DatetimeIndex)
    what_if = run.fork("2021-12-02", {"sides.RU.policy.kind": "tit_for_tat"})
    api.compare(run, what_if, at=["2022-12-31"])

Every function takes and returns plain objects: scenarios (``sim.scenario.models.Scenario``), runs
(:class:`Run`) and pandas frames whose index is a date wherever the rows are days. Changes
are written as the sweep's grid keys are (``sides.RU.policy.delay_days``; ``sim.sweep.grid``),
or as nested dicts that spell the same paths; a bad change is a ``ValueError`` whose message
has one line per problem, as on the command line. Nothing here writes a file unless asked.

:func:`score` is ``sim score`` (documented figures against runs, in their scope),
:func:`responses` and :func:`fit` are ``sim responses`` and ``sim fit`` (the act-response
table of documented logs; reactive families fitted by maximum likelihood, scored leave one
episode out), :func:`calibrate` is ``sim calibrate``: scenario parameters fitted by simulation
to the documented counts of its log (``sim.calibration``).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.core import events as ev
from sim.core.kinds import is_hostile
from sim.scenario.loading import load_scenario
from sim.scenario.models import Scenario

__all__ = [
    "Calibration",
    "Run",
    "SweepResult",
    "calibrate",
    "change",
    "compare",
    "fit",
    "fork",
    "game",
    "load",
    "model_tournament",
    "moran",
    "responses",
    "score",
    "simulate",
    "sweep",
    "tournament",
]

Changes = Mapping[str, Any]


def load(path: Path | str) -> Scenario:
    """A scenario (or fork) file, validated; problems raise ``sim.infra.errors.InputError``, whose
    ``problems`` are the ``FILE:LINE:COL`` lines ``sim validate`` prints."""
    return load_scenario(path)


def _flatten(changes: Changes, prefix: str = "") -> dict[str, Any]:
    """``{"sides": {"RU": {"policy": {"delay_days": 7}}}}`` -> ``{"sides.RU.policy.delay_days": 7}``."""
    flat: dict[str, Any] = {}
    for key, value in changes.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def change(scenario: Scenario, changes: Changes | None = None, **by_key: Any) -> Scenario:
    """``scenario`` with ``changes`` applied and the whole checked again.

    Keys are dotted paths as in ``sim sweep --grid`` (``"sides.RU.policy.delay_days"``,
    ``"sides.0.visas.processing_days"``, ``"end"``), or nested dicts of the same paths;
    setting a side's ``policy.kind`` starts that policy afresh. Keyword arguments are plain
    top-level fields (``change(s, end="2023-12-31")``). Raises ``ValueError`` (one line per
    problem) for a path that does not exist or a value the scenario does not accept.
    """
    from sim.sweep.grid import Axis, GridError, check_axes

    flat = {**_flatten(changes or {}), **by_key}
    if not flat:
        return scenario
    axes = [Axis(key, (value,)) for key, value in flat.items()]
    try:
        _, variants = check_axes(scenario, axes)
    except GridError as exc:
        lines = [line.removeprefix("--grid: ").replace("the cell ", "the change ") for line in exc.lines]
        raise ValueError("\n".join(lines)) from None
    return variants[0]


@dataclass
class Run:
    """A finished simulation: its scenario, event log and final state, and pandas views of them."""

    scenario: Scenario
    log: list[ev.Event] = field(repr=False)
    state: Any = field(repr=False)

    @property
    def missions(self) -> list[str]:
        """The missions' labels: senders with two sides, ``SENDER>HOST`` with more."""
        return self.scenario.mission_labels()

    @property
    def staffing(self) -> pd.DataFrame:
        """Total headcount of each mission (columns) at the end of every day (a DatetimeIndex)."""
        from sim.analysis.projections import totals_by_day

        totals = totals_by_day(self._changes(), self.scenario.horizon)
        return self._dated(totals[self.missions])

    @property
    def roles(self) -> pd.DataFrame:
        """Headcount by (mission, role) columns at the end of every day."""
        from sim.analysis.projections import roles_by_day

        roles = roles_by_day(self._changes(), self.scenario.horizon)
        return self._dated(
            roles[[column for name in self.missions for column in roles.columns if column[0] == name]]
        )

    @property
    def events(self) -> pd.DataFrame:
        """One row per event, indexed by date: the common fields, then each event type's own
        fields as columns (empty where a type has no such field)."""
        rows = []
        for e in self.log:
            row = {name: getattr(e, name) for name in ev.BASE_FIELDS}
            row["type"] = type(e).__name__
            row.update(ev.payload(e))
            rows.append(row)
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        frame.insert(0, "date", pd.to_datetime([self.scenario.date_of(day) for day in frame["day"]]))
        frame["cause"] = frame["cause"].astype("Int64")
        return frame.set_index("date")

    @property
    def acts(self) -> pd.DataFrame:
        """Every act (documented, scripted or a policy's), indexed by date: who did what to
        whom, its size, whether it is hostile, where it came from, and the act it answers."""
        from sim.core.acts import describe

        by_seq = {e.seq: e for e in self.log}
        rows = []
        for e in self.log:
            if not e.IS_ACT:
                continue
            kind, size = describe(e)
            cause = by_seq.get(e.cause) if e.cause is not None else None
            answers = cause.act if isinstance(cause, ev.ActObserved) else e.cause  # type: ignore[attr-defined]
            rows.append(
                {"date": pd.Timestamp(self.scenario.date_of(e.day)), "seq": e.seq, "actor": e.actor,
                 "target": e.target, "kind": kind, "size": size, "hostile": is_hostile(e),
                 "source": e.source, "act_id": e.act_id, "answers": answers}
            )  # fmt: skip
        columns = ["date", "seq", "actor", "target", "kind", "size", "hostile", "source", "act_id", "answers"]
        frame = pd.DataFrame(rows, columns=columns)
        frame["answers"] = frame["answers"].astype("Int64")
        return frame.set_index("date")

    @property
    def metrics(self) -> pd.DataFrame:
        """The table ``sim run`` prints: one row per mission."""
        from sim.analysis.metrics import mission_metrics

        rows = mission_metrics(
            self.log, self._changes(), self.missions, self.scenario.start, self.scenario.horizon
        )
        return pd.DataFrame(rows).set_index("mission")

    def fork(self, at: dt.date | str, changes: Changes | None = None, **by_key: Any) -> Run:
        """This run up to the day before ``at``, then continued under the changed scenario
        (everything before ``at`` stays event for event). See :func:`fork`."""
        return fork(self, at, changes, **by_key)

    def _changes(self) -> pd.DataFrame:
        from sim.analysis.projections import staffing_changes

        return staffing_changes(self.log, self.missions, self.scenario.start)

    def _dated(self, frame: pd.DataFrame) -> pd.DataFrame:
        dated = frame.copy()
        dated.index = pd.date_range(self.scenario.start, periods=len(frame), freq="D", name="date")
        dated.columns.name = frame.columns.name
        return dated


def simulate(scenario: Scenario | Path | str, seed: int | None = None) -> Run:
    """Run a scenario (or a file's) to its end, in memory; ``seed`` overrides its seed."""
    from sim.engine.loop import simulate as run_engine

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if seed is not None:
        if not 0 <= seed < 2**63:
            raise ValueError(f"seed: {seed} is not between 0 and 2**63 - 1")
        scenario = scenario.model_copy(update={"seed": seed})
    engine = run_engine(scenario)
    return Run(scenario, engine.log, engine.state)


def _date(value: dt.date | str, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


def fork(run: Run, at: dt.date | str, changes: Changes | None = None, **by_key: Any) -> Run:
    """A counterfactual: ``run``'s events before ``at`` kept, the rest decided again under
    ``run.scenario`` with ``changes`` (same paths as :func:`change`). A change that
    contradicts what already happened before ``at`` (a smaller mission) raises ``ValueError``."""
    from sim.core.state import LogError
    from sim.engine.loop import fork as fork_engine

    when = _date(at, "at")
    scenario = run.scenario
    if not scenario.start < when <= scenario.end:
        raise ValueError(
            f"at: {when} is not after the start {scenario.start} and on or before the end {scenario.end}"
        )
    changed = change(scenario, changes, **by_key)
    try:
        engine = fork_engine(changed, run.log, changed.day_of(when))
    except LogError as exc:
        raise ValueError(f"the change does not fit what happened before {when}: {exc}") from None
    return Run(changed, engine.log, engine.state)


def compare(
    *runs: Run, labels: Sequence[str] | None = None, at: Sequence[dt.date | str] | None = None
) -> pd.DataFrame:
    """Each run's daily headcount side by side, columns (mission, label), and each later
    run's difference from the first as (mission, "LABEL - FIRST"); ``at`` keeps those dates."""
    if len(runs) < 2:
        raise ValueError("compare needs at least two runs")
    names = list(labels) if labels is not None else ["base", *(f"run {i}" for i in range(1, len(runs)))]
    if len(names) != len(runs) or len(set(names)) != len(names):
        raise ValueError("labels: give one distinct label per run")
    frames = {name: run.staffing for name, run in zip(names, runs, strict=True)}
    columns = {}
    for mission in runs[0].missions:
        for name in names:
            columns[(mission, name)] = frames[name][mission]
        for name in names[1:]:
            columns[(mission, f"{name} - {names[0]}")] = frames[name][mission] - frames[names[0]][mission]
    table = pd.DataFrame(columns)
    table.columns = pd.MultiIndex.from_tuples(table.columns, names=["mission", "run"])
    table.index.name = "date"
    if at is not None:
        table = table.loc[pd.to_datetime([_date(day, "at") for day in at])]
    return table


@dataclass
class SweepResult:
    """A finished sweep: one row per run, the staffing series and the per-cell summary."""

    results: pd.DataFrame  # grid values, seed and metrics, one row per run
    staffing: pd.DataFrame  # indexed by date: run_id, cell, mission, headcount (every 7 days)
    summary: pd.DataFrame  # one row per grid cell: medians and 10th/90th percentiles


def sweep(
    scenario: Scenario | Path | str,
    grid: Mapping[str, Sequence[Any]],
    seeds: int = 10,
    seed: int | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    out: Path | str | None = None,
) -> SweepResult:
    """``sim sweep`` from Python: every combination of the grid's values, ``seeds`` runs
    each, on ``workers`` local processes or the Dask cluster at ``scheduler``. With ``out``
    the sweep's folder is written there (resumable, with its charts); without, it is kept
    in a temporary folder and removed."""
    from sim.sweep.execute import run_sweep
    from sim.sweep.grid import Axis, GridError
    from sim.sweep.plan import plan_sweep
    from sim.sweep.report import load_results, load_staffing, summarise

    try:
        axes = [Axis(key, tuple(values)) for key, values in grid.items()]
        plan = plan_sweep(scenario, axes, seeds=seeds, sweep_seed=seed)
    except GridError as exc:
        raise ValueError("\n".join(line.removeprefix("--grid: ") for line in exc.lines)) from None
    with tempfile.TemporaryDirectory(prefix="sim-sweep-") as scratch:
        folder = Path(out) if out is not None else Path(scratch) / "sweep"
        run_sweep(plan, folder, workers=workers, scheduler=scheduler, report=out is not None)
        results = load_results(plan, folder)
        staffing = load_staffing(plan, folder)
    starts = {cell: variant.start for cell, variant in enumerate(plan.variants)}
    dates = [
        starts[cell] + dt.timedelta(days=int(day))
        for cell, day in zip(staffing["cell"], staffing["day"], strict=True)
    ]
    staffing = staffing.assign(date=pd.to_datetime(dates)).sort_values(["date", "cell", "run_id", "mission"])
    staffing = staffing.set_index("date")[["run_id", "cell", "mission", "day", "headcount"]]
    return SweepResult(results, staffing, summarise(plan, results))


@dataclass
class Calibration:
    """What :func:`calibrate` returns: the best values, the trials, and the whole report."""

    best: dict[str, Any]  # each parameter's best value, by path
    history: pd.DataFrame  # a row per finished trial: its values and its MAPE
    report: dict[str, Any] = field(repr=False)  # what calibration.json and --json hold


def score(scenario: Scenario | Path | str, seeds: int = 1, log: Path | str | None = None) -> pd.DataFrame:
    """``sim score``: each documented observation of the scenario's log (or of ``log``)
    against ``seeds`` runs (the scenario's seed and the ones after it), one row per figure
    with its scope, the simulated median and 10-90% range, and the error (counts and flows)
    or the seeds meeting the bound (caps are targets, never scored as counts)."""
    from sim.analysis.score import score_scenario
    from sim.scenario.documented import load_seeds

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if not 1 <= seeds <= 1000:
        raise ValueError(f"seeds must lie between 1 and 1000, not {seeds}")
    documented = load_seeds(Path(log)) if log is not None else scenario.prelude_log
    observations = tuple(documented.observations) if documented is not None else ()
    if not observations:
        raise ValueError("no documented observations to score (the log lists none)")
    rows = [row.as_dict() for row in score_scenario(scenario, observations, seeds).rows]
    frame = pd.DataFrame(rows)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.set_index("date")


def responses(logs: Sequence[Path | str], window: int = 90) -> pd.DataFrame:
    """``sim responses``: one row per act someone answered or could have answered in the
    documented ``logs`` (one episode each), with its answer within ``window`` days, if any."""
    from sim.fitting.table import frame

    return frame(_table(logs, window))


def _table(logs: Sequence[Path | str], window: int) -> Any:  # -> sim.fitting.table.Table
    """The act-response table of ``logs``; a bad log or a repeated episode is a ``ValueError``."""
    from sim.fitting.table import RepeatedEpisode, load_table
    from sim.infra.errors import InputError

    try:
        return load_table([Path(p) for p in logs], window)
    except (InputError, RepeatedEpisode) as exc:
        raise ValueError(str(exc)) from None


def fit(
    logs: Sequence[Path | str],
    families: Sequence[str] = ("mirror_offset",),
    test: Sequence[Path | str] = (),
    window: int = 90,
) -> dict[str, Any]:
    """``sim fit``: the reactive ``families`` fitted to the documented ``logs`` by maximum
    likelihood; the record ``sim fit --json`` prints (estimates with 95% intervals, AIC and
    BIC, a policy block each, leave-one-episode-out scores beside the baseline, and scores on
    the ``test`` logs' episodes, which the fit never sees). Too few answers or an unknown
    family raise ``ValueError``."""
    from sim.fitting.fit import TooFewAnswers, UnknownFamily, fit_table
    from sim.fitting.record import record_of

    table = _table(logs, window)
    held = _table(test, window) if test else None
    try:
        return record_of(table, [fit_table(table, name) for name in families], held)
    except (TooFewAnswers, UnknownFamily) as exc:
        raise ValueError(str(exc).removeprefix("--policy: ")) from None


def calibrate(
    scenario: Scenario | Path | str,
    params: Mapping[str, tuple[float, float]],
    seeds: int = 10,
    trials: int = 30,
    against: Sequence[int] | None = None,
    validate: Sequence[int] | None = None,
    sampler_seed: int = 0,
    log: Path | str | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    out: Path | str | None = None,
    force: bool = False,
) -> Calibration:
    """``sim calibrate`` from Python: ``params`` maps dotted paths to ``(low, high)``;
    ``against`` and ``validate`` number the observations as ``sim score`` does (from 1).
    With ``out`` the study is kept there (resumable); without, it lives in a temporary
    folder. Bad input raises ``ValueError``, one line per problem, as on the command line."""
    from sim.calibration.calibrate import calibrate as run_calibration
    from sim.calibration.calibrate import setup
    from sim.calibration.problem import CalibrationError
    from sim.scenario.documented import load_seeds
    from sim.sweep.tasks import make_task_executor

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    documented = load_seeds(Path(log)) if log is not None else scenario.prelude_log
    observations = tuple(documented.observations) if documented is not None else ()
    texts = [f"{key}={low}:{high}" for key, (low, high) in params.items()]
    numbers = [None if x is None else [str(n) for n in x] for x in (against, validate)]
    source = str(log) if log is not None else "the scenario's documented log"
    try:
        cal = setup(scenario, observations, texts, seeds, numbers[0], numbers[1], sampler_seed, source)
    except CalibrationError as exc:
        raise ValueError("\n".join(line.removeprefix("--param: ") for line in exc.lines)) from None
    pool = make_task_executor(workers, scheduler)
    with tempfile.TemporaryDirectory(prefix="sim-calibrate-") as scratch:
        folder = Path(out) if out is not None else Path(scratch) / "calibration"
        try:
            report = run_calibration(cal, folder, trials, pool, force)
        finally:
            pool.close()
    rows = [{"trial": t["trial"], **t["params"], "mape": t["mape"]} for t in report["history"]]
    best = {p["path"]: p["best"] for p in report["params"]}
    return Calibration(best, pd.DataFrame(rows).set_index("trial"), report)


def tournament(
    policies: Sequence[str] | None = None,
    rounds: int = 200,
    repetitions: int = 10,
    noise: float = 0.0,
    seed: int = 0,
    workers: int = 1,
) -> Any:
    """The round robin of ``sim tournament``: a ``sim.games.tournament.TournamentResult`` with
    ``ranking``, ``matches``, ``payoff_matrix`` and ``scores`` (per repetition)."""
    from sim.games.tournament import plan_tournament, play_tournament
    from sim.sweep.tasks import make_task_executor

    plan = plan_tournament(policies, rounds=rounds, repetitions=repetitions, noise=noise, seed=seed)
    return play_tournament(plan, make_task_executor(workers))


def model_tournament(
    scenario: Path | str,
    policies: Sequence[str] | None = None,
    seeds: int = 10,
    metric: str = "final_staffing",
    seed: int | None = None,
    workers: int = 1,
) -> Any:
    """``sim tournament --model``: a ``sim.games.tournament_model.ModelResult`` (``ranking``,
    ``games``, ``matrix``, ``scores``)."""
    from sim.games.tournament_model import plan_model_tournament, play_model_tournament
    from sim.sweep.tasks import make_task_executor

    plan = plan_model_tournament(scenario, policies, seeds=seeds, seed=seed, metric=metric)
    return play_model_tournament(plan, make_task_executor(workers))


def moran(
    population: Sequence[str] | None = None,
    rounds: int = 200,
    noise: float = 0.0,
    repetitions: int = 1000,
    seed: int = 0,
    workers: int = 1,
) -> Any:
    """``sim moran``: a ``sim.games.moran.MoranResult`` (``fixation``, ``runs``, ``history``)."""
    from sim.games.moran import plan_moran, play_moran
    from sim.sweep.tasks import make_task_executor

    plan = plan_moran(population, rounds=rounds, noise=noise, repetitions=repetitions, seed=seed)
    return play_moran(plan, make_task_executor(workers))


def game(a: str, b: str, rounds: int = 200, noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """``sim game`` round by round: each side's move (``True`` hostile) and payoff."""
    from sim.analysis.game import PAYOFFS, play

    result = play(a, b, rounds=rounds, noise=noise, seed=seed)
    frame = pd.DataFrame(
        {"hostile_a": [bool(m) for m in result.moves_a], "hostile_b": [bool(m) for m in result.moves_b]}
    )
    table = {(False, False): (PAYOFFS.R, PAYOFFS.R), (True, False): (PAYOFFS.T, PAYOFFS.S),
             (False, True): (PAYOFFS.S, PAYOFFS.T), (True, True): (PAYOFFS.P, PAYOFFS.P)}  # fmt: skip
    pays = [table[(x, y)] for x, y in zip(frame["hostile_a"], frame["hostile_b"], strict=True)]
    frame["payoff_a"] = [p for p, _ in pays]
    frame["payoff_b"] = [q for _, q in pays]
    frame.index.name = "round"
    return frame
