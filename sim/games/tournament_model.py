"""The tournament played in the embassy model itself (``sim tournament --model SCENARIO``).

Each ordered pair of policies (self-play included) takes the two sides of one scenario, whose
two sides must be alike apart from their names and policies (missions, visas, timing, noise):
a symmetric scenario, so that a policy's numbers reflect the policy, not a bigger mission.
Both orders of a pair are played, so an exogenous act that hits one side (the opening
expulsion of ``tit-for-tat-spiral.yaml``) hits each policy once. Every pair runs the same
seeds (common random numbers: differences between policies are not differences of luck).

A policy is ranked by a stated metric of its own side, averaged over its games against the
*other* policies and the seeds (self-play is run and shown on the matrix, as in the game):

- ``final_staffing``: its own mission's headcount on the last day (more is better);
- ``min_staffing``: its own mission's lowest headcount over the run (more is better);
- ``hostile_acts``: hostile acts its side took (fewer is better).

A *win* is a game in which its metric is strictly better than the opponent's.
Entrants keep their own parameters (``tit_for_tat`` answers after its default 7 days); the
scenario's policies are replaced whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.games.tournament import TournamentError, check_players, library
from sim.scenario.loading import load_scenario
from sim.scenario.models import Scenario
from sim.sweep.tasks import TaskExecutor, run_tasks

#: metric -> (column pattern of ``sim.analysis.metrics.run_metrics``, more is better, what it is)
METRICS: dict[str, tuple[str, bool, str]] = {
    "final_staffing": ("final_{}", True, "own mission's headcount on the last day"),
    "min_staffing": ("min_{}", True, "own mission's lowest headcount"),
    "hostile_acts": ("hostile_acts_{}", False, "hostile acts taken"),
}
DEFAULT_SEEDS = 10
MAX_SEEDS = 10_000
GAME_COLUMNS = (
    "game", "seed", "policy", "opponent", "side", "final_staffing", "min_staffing", "hostile_acts",
    "expelled", "opponent_final_staffing", "opponent_hostile_acts", "win",
)  # fmt: skip


def symmetry_problem(scenario: Scenario) -> str | None:
    """Why the scenario's two sides are not alike apart from names and policies, or None."""
    if scenario.prelude_log is not None or scenario.fork_base is not None:
        return "a model tournament needs a scenario of its own (no prelude, no fork)"
    dumped = [side.model_dump(mode="json", exclude={"name", "policy"}) for side in scenario.sides]
    for part in dumped[0]:
        if dumped[0][part] != dumped[1][part]:
            return f"the two sides' {part} differ: a model tournament needs a symmetric scenario"
    return None


def policy_config(spec: str, base: Path | None = None) -> dict[str, Any]:
    """A policy as written in a scenario (``{kind, **params}``), from its command-line text."""
    from sim.analysis.game import make
    from sim.policies import kind_of

    policy = make(spec, base)
    return {"kind": kind_of(type(policy)), **policy.params.model_dump(mode="json")}


@dataclass(frozen=True)
class ModelPlan:
    """A checked model tournament: one scenario per ordered pair, the seeds and the metric."""

    scenario: Scenario
    scenario_file: str
    players: tuple[str, ...]
    pairs: tuple[tuple[int, int], ...]
    variants: tuple[Scenario, ...]
    seeds: tuple[int, ...]
    metric: str

    def manifest(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "scenario_file": self.scenario_file,
            "scenario_sha256": self.scenario.sha256(),
            "players": list(self.players),
            "seeds": list(self.seeds),
            "metric": self.metric,
            "runs": len(self.variants) * len(self.seeds),
        }


def plan_model_tournament(
    scenario: Path | str,
    players: Sequence[str] | None = None,
    seeds: int = DEFAULT_SEEDS,
    seed: int | None = None,
    metric: str = "final_staffing",
) -> ModelPlan:
    """Load and check the scenario, the entrants, the seeds and the metric (raises
    ``InputError`` for a bad scenario file, :class:`TournamentError` for the rest)."""
    from sim.sweep.grid import build_variant, scenario_data
    from sim.sweep.plan import run_seed

    if metric not in METRICS:
        raise TournamentError(f"--metric: {metric!r} is not one of {', '.join(METRICS)}")
    if not 1 <= seeds <= MAX_SEEDS:
        raise TournamentError(f"--seeds: {seeds} is not between 1 and {MAX_SEEDS:,}")
    base = load_scenario(scenario)
    wrong = symmetry_problem(base)
    if wrong:
        raise TournamentError(f"--model: {scenario}: {wrong}")
    labels, specs = check_players(list(players) if players else library())
    configs = [policy_config(spec) for spec in specs]
    data = scenario_data(base)
    pairs, variants = [], []
    for i in range(len(specs)):
        for j in range(len(specs)):
            cell = {
                **data,
                "sides": [
                    dict(data["sides"][0], policy=configs[i]),
                    dict(data["sides"][1], policy=configs[j]),
                ],
            }
            try:
                variants.append(build_variant(base, cell))
            except ValueError as exc:  # pydantic's ValidationError too: one line
                first = str(exc).splitlines()
                raise TournamentError(
                    f"--model: {labels[i]} against {labels[j]}: {first[-1].strip()}"
                ) from None
            pairs.append((i, j))
    sweep_seed = base.seed if seed is None else seed
    replicates = tuple(run_seed(sweep_seed, {"tournament": True}, r) for r in range(seeds))
    return ModelPlan(base, str(scenario), tuple(labels), tuple(pairs), tuple(variants), replicates, metric)


def model_chunk(task: tuple[str, dict[str, Any], list[int]]) -> list[dict[str, Any]]:
    """Worker side: run one pair's scenario over the given seeds; its metrics per run."""
    from sim.sweep.worker import run_chunk

    key, spec, seeds = task
    return [metrics for _, metrics, _ in run_chunk(key, spec, [(str(s), s) for s in seeds], 10**6)]


@dataclass
class ModelResult:
    """Every game (two rows each: one per side), the ranking, the matrix and the scores."""

    plan: ModelPlan
    games: pd.DataFrame
    ranking: pd.DataFrame = field(init=False)
    matrix: pd.DataFrame = field(init=False)
    scores: pd.DataFrame = field(init=False)  # the metric per seed (rows) and policy

    def __post_init__(self) -> None:
        more = METRICS[self.plan.metric][1]
        name = self.plan.metric
        others = self.games[self.games["policy"] != self.games["opponent"]]
        self.scores = others.groupby(["seed", "policy"], sort=False)[name].mean().unstack()
        self.scores = self.scores.reindex(columns=list(self.plan.players))
        groups = others.groupby("policy", sort=False)
        table = pd.DataFrame(
            {
                "mean": self.scores.mean(),
                "sd": self.scores.std(ddof=1) if len(self.scores) > 1 else self.scores.mean() * 0.0,
                "wins": groups["win"].sum(),
                "games": groups["win"].size(),
                "final_staffing": groups["final_staffing"].mean(),
                "hostile_acts": groups["hostile_acts"].mean(),
                "opponent_hostile_acts": groups["opponent_hostile_acts"].mean(),
            }
        ).rename_axis("policy")
        key = table["mean"].round(9) * (1 if more else -1)
        table["rank"] = key.rank(method="min", ascending=False).astype("int64")
        table = (
            table.reset_index().assign(_key=-key.to_numpy()).sort_values(["_key", "policy"], kind="stable")
        )
        columns = ["rank", "policy", "mean", "sd", "wins", "games", "final_staffing", "hostile_acts"]
        self.ranking = table[[*columns, "opponent_hostile_acts"]].reset_index(drop=True)
        order = list(self.ranking["policy"])
        matrix = self.games.groupby(["policy", "opponent"])[name].mean().unstack()
        self.matrix = matrix.reindex(index=order, columns=order)

    def summary(self) -> list[dict[str, Any]]:
        return self.ranking.round(2).to_dict(orient="records")


def play_model_tournament(
    plan: ModelPlan, executor: TaskExecutor | None = None, on_done: Callable[[int, int], None] | None = None
) -> ModelResult:
    """Run every pair's scenario over the seeds; ``on_done(done, total)`` counts pairs."""
    from sim.sweep.grid import to_spec

    tasks = [(variant.sha256(), to_spec(variant), list(plan.seeds)) for variant in plan.variants]
    results = run_tasks(model_chunk, tasks, executor, on_done)
    return ModelResult(plan, game_table(plan, results))


def game_table(plan: ModelPlan, results: Sequence[list[dict[str, Any]]]) -> pd.DataFrame:
    """Two rows per game, one from each side's policy."""
    metric, more, _ = METRICS[plan.metric]
    names = [side.name for side in plan.scenario.sides]
    rows = []
    number = 0
    for (i, j), runs in zip(plan.pairs, results, strict=True):
        for seed, metrics in zip(plan.seeds, runs, strict=True):
            for me, other, policy, opponent in ((0, 1, i, j), (1, 0, j, i)):
                mine, theirs = metrics[metric.format(names[me])], metrics[metric.format(names[other])]
                side, against = names[me], names[other]
                rows.append(
                    (number, seed, plan.players[policy], plan.players[opponent], side,
                     metrics[f"final_{side}"], metrics[f"min_{side}"], metrics[f"hostile_acts_{side}"],
                     metrics[f"expelled_{side}"], metrics[f"final_{against}"],
                     metrics[f"hostile_acts_{against}"], mine > theirs if more else mine < theirs)
                )  # fmt: skip
            number += 1
    return pd.DataFrame.from_records(rows, columns=list(GAME_COLUMNS))
