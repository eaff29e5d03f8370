"""Moran processes over the policy library (``sim moran``), as the Axelrod library runs them.

A population of N individuals, each playing one policy, evolves one step at a time (the
library's ``MoranProcess`` in its default birth-death mode, without mutation):

1. every individual plays a match of the repeated game against every *other* individual;
   its fitness is the sum of its payoffs per round over those N - 1 matches;
2. one individual is chosen to reproduce with probability proportional to its fitness (at
   random if every fitness is 0), and one to die uniformly among all N (the parent
   included); the dead one's place takes the parent's policy;
3. the process stops when one policy has taken over the whole population (fixation).

Matches are not replayed at every step: each pair of policies plays ``samples`` matches up
front (one when neither policy is stochastic and there is no noise: all its matches are the
same) and every match of the process draws one of them, as the library's
``ApproximateMoranProcess`` does. Each repetition's draws come from its own generator,
seeded from the process seed and the repetition number, so any executor gives the same
fixations.

With all fitnesses equal (the neutral case) a policy starting with k of the N individuals
takes over with probability k/N, whatever the game; with two policies,
:func:`fixation_probability` gives the exact value of the birth-death chain for any
payoffs (Nowak 2006, ch. 6). ``tests/test_moran.py`` checks the process against both.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.game import make
from sim.games.tournament import CHUNK, TournamentError, check_players, library, match_seed, play_chunk
from sim.sweep.tasks import TaskExecutor, run_tasks

DEFAULT_REPETITIONS = 1000
DEFAULT_SAMPLES = 20
MAX_POPULATION = 1000
MAX_STEPS = 1_000_000  # per repetition; a process still mixed then counts as not fixed


@dataclass(frozen=True)
class MoranPlan:
    """A checked Moran process: the policies, how many individuals start with each, the match
    settings, and how many independent repetitions to run (:func:`plan_moran`)."""

    players: tuple[str, ...]
    specs: tuple[str, ...]
    counts: tuple[int, ...]
    rounds: int = 200
    noise: float = 0.0
    repetitions: int = DEFAULT_REPETITIONS
    seed: int = 0
    samples: int = DEFAULT_SAMPLES

    @property
    def population(self) -> int:
        return sum(self.counts)

    def manifest(self) -> dict[str, Any]:
        return {
            "population": dict(zip(self.players, self.counts, strict=True)),
            "rounds": self.rounds,
            "noise": self.noise,
            "repetitions": self.repetitions,
            "seed": self.seed,
            "samples": self.samples,
        }


def parse_population(texts: Sequence[str]) -> tuple[list[str], list[int]]:
    """``["9*tit_for_tat", "always_hostile"]`` -> (policies, counts); a policy named twice
    adds up, as the library's list of players does."""
    names: list[str] = []
    counts: list[int] = []
    for text in texts:
        head, star, rest = text.partition("*")
        count, name = (
            (head.strip(), rest.strip()) if star and head.strip().isdecimal() else ("1", text.strip())
        )
        if not name:
            raise TournamentError(f"POLICY: {text!r} names no policy")
        if not 1 <= int(count) <= MAX_POPULATION:
            raise TournamentError(f"POLICY: {text}: a count between 1 and {MAX_POPULATION:,}")
        if name in names:
            counts[names.index(name)] += int(count)
        else:
            names.append(name)
            counts.append(int(count))
    return names, counts


def plan_moran(
    population: Sequence[str] | None = None,
    rounds: int = 200,
    noise: float = 0.0,
    repetitions: int = DEFAULT_REPETITIONS,
    seed: int = 0,
    samples: int = DEFAULT_SAMPLES,
) -> MoranPlan:
    """Check everything before a match is played (``population``: policies, each optionally
    ``K*POLICY``; default one of each policy of the library)."""
    from sim.games.tournament import plan_tournament

    names, counts = parse_population(list(population) if population else library())
    if sum(counts) > MAX_POPULATION:
        raise TournamentError(f"POLICY: a population of {sum(counts):,} is more than {MAX_POPULATION:,}")
    if not 1 <= repetitions <= 1_000_000:
        raise TournamentError(f"--repetitions: {repetitions} is not between 1 and 1,000,000")
    if not 1 <= samples <= 1000:
        raise TournamentError(f"--samples: {samples} is not between 1 and 1,000")
    plan_tournament(names, rounds=rounds, repetitions=1, noise=noise, seed=seed)  # the same checks
    labels, specs = check_players(names)
    return MoranPlan(
        tuple(labels), tuple(specs), tuple(counts), rounds, float(noise), repetitions, seed, samples
    )


# --- the matches ---------------------------------------------------------------------------------


def _stochastic(spec: str) -> bool:
    return bool(make(spec).classifier.get("stochastic", True))


def match_pool(plan: MoranPlan, executor: TaskExecutor | None = None) -> np.ndarray:
    """``pool[a, b, s]``: policy a's payoff per round against b in sample match s (every
    sample the same when neither is stochastic and there is no noise)."""
    n = len(plan.specs)
    random = [_stochastic(spec) or plan.noise > 0 for spec in plan.specs]
    tasks = []
    for a in range(n):
        for b in range(a, n):
            first, second = (a, b) if plan.specs[a] <= plan.specs[b] else (b, a)
            count = plan.samples if random[a] or random[b] else 1
            for s in range(count):
                tasks.append(
                    (first, second, s, match_seed(plan.seed, plan.specs[first], plan.specs[second], s))
                )
    chunks = [
        (plan.specs, plan.rounds, plan.noise, tasks[k : k + CHUNK]) for k in range(0, len(tasks), CHUNK)
    ]
    pool = np.full((n, n, plan.samples), np.nan)
    for chunk in run_tasks(play_chunk, chunks, executor, keep_open=True):
        for first, second, s, _, pay_first, pay_second, *_ in chunk:
            pool[first, second, s], pool[second, first, s] = pay_first, pay_second
    for a in range(n):  # a deterministic pair: its one match stands for every sample
        for b in range(n):
            if np.isnan(pool[a, b, 1:]).all():
                pool[a, b, 1:] = pool[a, b, 0]
    return pool


# --- the process ---------------------------------------------------------------------------------


def repetition_rng(seed: int, repetition: int) -> np.random.Generator:
    text = f"{seed}\x1fmoran\x1f{repetition}"
    return np.random.default_rng(
        int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
    )


def fitness(population: np.ndarray, pool: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each individual's summed payoff per round against every other individual, each pair's
    match drawn from the pool (the same draw gives both players their payoffs)."""
    size = len(population)
    samples = pool.shape[2]
    if samples == 1:
        scores = pool[population[:, None], population[None, :], 0]
    else:
        draws = rng.integers(0, samples, size=(size, size))
        draws = np.triu(draws, 1) + np.triu(draws, 1).T  # one match per pair, seen from both sides
        scores = pool[population[:, None], population[None, :], draws]
    np.fill_diagonal(scores, 0.0)
    return scores.sum(axis=1)


def run_process(
    counts: Sequence[int], pool: np.ndarray, rng: np.random.Generator, history: bool = False
) -> tuple[int | None, int, list[list[int]]]:
    """One process to fixation: (the winning policy's index or None, steps, and the counts
    per policy at every step when ``history``)."""
    population = np.repeat(np.arange(len(counts)), counts)
    size = len(population)
    tally = np.bincount(population, minlength=len(counts))
    seen = [tally.tolist()] if history else []
    steps = 0
    while tally.max() < size and steps < MAX_STEPS:
        scores = fitness(population, pool, rng)
        total = scores.sum()
        parent = (
            int(rng.integers(size))
            if total <= 0
            else int(np.searchsorted(np.cumsum(scores), rng.random() * total, side="left"))
        )
        dead = int(rng.integers(size))
        tally[population[dead]] -= 1
        population[dead] = population[min(parent, size - 1)]
        tally[population[dead]] += 1
        steps += 1
        if history:
            seen.append(tally.tolist())
    winner = int(np.argmax(tally)) if tally.max() == size else None
    return winner, steps, seen


def moran_chunk(
    task: tuple[tuple[int, ...], np.ndarray, int, list[int]],
) -> list[tuple[int, int | None, int, list]]:
    """Worker side: run the given repetitions; the first repetition keeps its history."""
    counts, pool, seed, repetitions = task
    out = []
    for repetition in repetitions:
        winner, steps, seen = run_process(
            counts, pool, repetition_rng(seed, repetition), history=repetition == 0
        )
        out.append((repetition, winner, steps, seen))
    return out


@dataclass
class MoranResult:
    """Every repetition's outcome, the fixation table and one process's population."""

    plan: MoranPlan
    runs: pd.DataFrame  # repetition, winner (None if not fixed), steps
    history: pd.DataFrame  # repetition 0: counts per policy (columns) at each step (rows)
    pool: np.ndarray = field(repr=False)
    fixation: pd.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        self.fixation = fixation_table(self.plan, self.runs, self.pool)

    def summary(self) -> list[dict[str, Any]]:
        return self.fixation.round(4).to_dict(orient="records")


def play_moran(
    plan: MoranPlan, executor: TaskExecutor | None = None, on_done: Callable[[int, int], None] | None = None
) -> MoranResult:
    """Play the pool of matches, then every repetition of the process (on ``executor``)."""
    pool = match_pool(plan, executor)
    step = max(1, min(50, plan.repetitions // 8))
    tasks = [
        (plan.counts, pool, plan.seed, list(range(k, min(k + step, plan.repetitions))))
        for k in range(0, plan.repetitions, step)
    ]
    rows = [row for chunk in run_tasks(moran_chunk, tasks, executor, on_done) for row in chunk]
    runs = pd.DataFrame(
        [(r, plan.players[w] if w is not None else None, s) for r, w, s, _ in rows],
        columns=["repetition", "winner", "steps"],
    )
    first = next(seen for r, _, _, seen in rows if r == 0)
    history = pd.DataFrame(first, columns=list(plan.players)).rename_axis("step")
    return MoranResult(plan, runs, history, pool)


# --- the numbers ---------------------------------------------------------------------------------


def wilson(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion (95% by default)."""
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def fixation_probability(payoffs: np.ndarray, size: int, start: int) -> float:
    """Exact chance that policy A, starting with ``start`` of ``size`` individuals, takes over
    from policy B, for the 2x2 matrix ``payoffs[x][y]`` (x's payoff per round against y; A is
    0). Solves the birth-death chain of this module's rules (birth by fitness, death
    uniform): with i of A, T+ = i f / (i f + (N-i) g) * (N-i)/N and T- likewise."""
    (aa, ab), (ba, bb) = np.asarray(payoffs, dtype=float)
    matrix = np.zeros((size + 1, size + 1))
    rhs = np.zeros(size + 1)
    matrix[0, 0] = matrix[size, size] = 1.0
    rhs[size] = 1.0
    for i in range(1, size):
        f = (i - 1) * aa + (size - i) * ab  # one A's fitness
        g = i * ba + (size - i - 1) * bb  # one B's fitness
        total = i * f + (size - i) * g
        born_a = i * f / total if total > 0 else i / size
        up = born_a * (size - i) / size
        down = (1 - born_a) * i / size
        matrix[i, i - 1], matrix[i, i], matrix[i, i + 1] = -down, up + down, -up
    return float(np.linalg.solve(matrix, rhs)[start])


def fixation_table(plan: MoranPlan, runs: pd.DataFrame, pool: np.ndarray) -> pd.DataFrame:
    """Per policy: its initial count, fixations, the measured probability with its 95%
    interval, the neutral value (its initial share) and, for two deterministic policies, the
    exact value."""
    trials = len(runs)
    size = plan.population
    exact = len(plan.players) == 2 and np.allclose(pool, pool[:, :, :1])
    rows = []
    for index, (policy, count) in enumerate(zip(plan.players, plan.counts, strict=True)):
        won = int((runs["winner"] == policy).sum())
        low, high = wilson(won, trials)
        analytic = None
        if exact:
            order = [index, 1 - index]
            analytic = fixation_probability(pool[np.ix_(order, order, [0])][:, :, 0], size, count)
        steps = runs.loc[runs["winner"] == policy, "steps"]
        rows.append(
            {"policy": policy, "initial": count, "fixations": won, "probability": won / trials,
             "ci_low": low, "ci_high": high, "neutral": count / size, "analytic": analytic,
             "mean_steps": float(steps.mean()) if len(steps) else None}
        )  # fmt: skip
    table = pd.DataFrame(rows)
    return table.sort_values(["probability", "policy"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )
