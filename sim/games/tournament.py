"""Round-robin tournaments of the repeated game, as Axelrod ran them (``sim tournament``).

Every policy meets every other and a twin of itself (self-play) ``repetitions`` times, each
match ``rounds`` rounds of :func:`sim.analysis.game.play` with move noise ``noise``. The conventions
are the Axelrod library's (``axelrod.Tournament`` and its ``ResultSet``), so that the two
can be checked against each other (``tests/test_tournament_axelrod.py``):

- a player's **mean payoff** is its payoff per round averaged over its matches against the
  *others*, then over repetitions (the library's "normalised scores"); self-play is played
  and shown on the payoff matrix's diagonal, but not counted in a player's own numbers;
- a **win** is a match in which its total payoff is strictly higher than the opponent's (a
  draw is nobody's win); **wins** counts them over every repetition;
- the **cooperation rate** is the share of its moves that are calm (not hostile) against
  the others; the **longest echo** is the longest retaliation echo of its matches against
  the others (``sim.analysis.game``);
- the payoff matrix holds the row policy's mean payoff per round against the column policy,
  over repetitions (the diagonal averages both twins).

The ranking sorts by mean payoff (the library ranks by the median over repetitions, which
is the same order for deterministic policies without noise); policies whose mean payoffs
agree to 1e-9 share a rank.

Seeds: each match's seed is a hash of the tournament seed, the two policies and the
repetition, never of the order in which matches run or of the other entrants, so a pair
meets the same noise in any tournament with that seed, and ``sim game A B --rounds R
--noise E --seed S`` with a row's ``seed`` replays that match exactly. The pair is played
in the order of its policies' names, whatever order the command line gives them in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.game import MAX_ROUNDS, PolicySpecError, make, play, split_spec
from sim.sweep.tasks import TaskExecutor, run_tasks

DEFAULT_ROUNDS = 200
DEFAULT_REPETITIONS = 10
MAX_REPETITIONS = 100_000
MAX_PLAYERS = 200
MAX_MATCHES = 10_000_000
#: Built-in kinds left out of the default library: ``none`` plays as ``never_respond`` in the
#: game (it does not even observe), and ``scripted`` needs acts written for a scenario. The
#: coalition policies differ from ``tit_for_tat`` only in coalitions or in when they answer,
#: neither of which a two-player repeated game has: as entrants they would be three more
#: copies of tit for tat, weighing on every ranking and Moran process (name them to play them).
NOT_IN_LIBRARY = frozenset({"none", "scripted", "batch_tit_for_tat", "answer_leader_only", "hold_leader"})
CHUNK = 25  # matches per task: small enough to balance two workers, large enough to be cheap

#: The columns of the match table (two rows per match, one per player).
MATCH_COLUMNS = (
    "match", "repetition", "player", "opponent", "side", "seed", "rounds", "noise",
    "score", "opponent_score", "win", "cooperation", "opponent_cooperation",
    "cc", "cd", "dc", "dd", "longest_echo", "echoes",
)  # fmt: skip


def library() -> list[str]:
    """The built-in policies that answer (registry order): the default entrants."""
    from sim.policies import BUILTIN_KINDS, REGISTRY

    return [name for name in REGISTRY if name in BUILTIN_KINDS and name not in NOT_IN_LIBRARY]


class TournamentError(ValueError):
    """A tournament that cannot be played as asked (one line, naming the option)."""


def check_players(texts: Sequence[str], base: Path | None = None) -> tuple[list[str], list[str]]:
    """The entrants as typed (labels) and as workers can build them (``file:`` kinds made
    absolute); raises :class:`TournamentError` for an unknown policy, bad parameters, a
    policy listed twice, or fewer than two."""
    from sim.policies.plugins import PluginError, absolute_file_kind, is_file_kind

    labels, specs = [], []
    for text in texts:
        try:
            make(text, base)
        except PolicySpecError as exc:
            raise TournamentError(f"POLICY: {exc}") from None
        name, rest = split_spec(text)
        if is_file_kind(name):
            try:
                name = absolute_file_kind(name, (base or Path.cwd()).resolve())
            except PluginError as exc:
                raise TournamentError(f"POLICY: {exc}") from None
        spec = f"{name}:{rest}" if rest else name
        if spec in specs:
            raise TournamentError(f"POLICY: {text} is listed twice")
        labels.append(text.strip())
        specs.append(spec)
    if len(specs) < 2:
        raise TournamentError("POLICY: a tournament needs at least two policies")
    if len(specs) > MAX_PLAYERS:
        raise TournamentError(f"POLICY: {len(specs)} policies is more than {MAX_PLAYERS}")
    return labels, specs


def match_seed(seed: int, first: str, second: str, repetition: int) -> int:
    """A 63-bit seed from the tournament seed, the pair (in play order) and the repetition."""
    text = f"{seed}\x1fmatch\x1f{first}\x1f{second}\x1f{repetition}"
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") >> 1


@dataclass(frozen=True)
class TournamentPlan:
    """What a tournament will play, checked (build it with :func:`plan_tournament`)."""

    players: tuple[str, ...]  # as typed: the labels of every table and figure
    specs: tuple[str, ...]  # what workers build (file: kinds absolute)
    rounds: int = DEFAULT_ROUNDS
    repetitions: int = DEFAULT_REPETITIONS
    noise: float = 0.0
    seed: int = 0

    def pairs(self) -> list[tuple[int, int]]:
        """Every unordered pair with self-play, each in its play order (by spec)."""
        n = len(self.specs)
        out = []
        for i in range(n):
            for j in range(i, n):
                out.append((i, j) if self.specs[i] <= self.specs[j] else (j, i))
        return out

    def matches(self) -> list[tuple[int, int, int, int]]:
        """``(first, second, repetition, seed)`` for every match, pair by pair."""
        return [
            (i, j, r, match_seed(self.seed, self.specs[i], self.specs[j], r))
            for i, j in self.pairs()
            for r in range(self.repetitions)
        ]

    def manifest(self) -> dict[str, Any]:
        return {
            "players": list(self.players),
            "rounds": self.rounds,
            "repetitions": self.repetitions,
            "noise": self.noise,
            "seed": self.seed,
            "matches": len(self.pairs()) * self.repetitions,
        }


def plan_tournament(
    players: Sequence[str] | None = None,
    rounds: int = DEFAULT_ROUNDS,
    repetitions: int = DEFAULT_REPETITIONS,
    noise: float = 0.0,
    seed: int = 0,
    base: Path | None = None,
) -> TournamentPlan:
    """Check everything before a match is played; :class:`TournamentError` says what is wrong."""
    if not 1 <= rounds <= MAX_ROUNDS:
        raise TournamentError(f"--rounds: {rounds} is not between 1 and {MAX_ROUNDS:,}")
    if not 1 <= repetitions <= MAX_REPETITIONS:
        raise TournamentError(f"--repetitions: {repetitions} is not between 1 and {MAX_REPETITIONS:,}")
    if not 0.0 <= noise <= 1.0:
        raise TournamentError(f"--noise: {noise} is not between 0 and 1")
    if not 0 <= seed < 2**63:
        raise TournamentError(f"--seed: {seed} is not between 0 and 2**63 - 1")
    labels, specs = check_players(list(players) if players else library(), base)
    n = len(specs)
    if n * (n + 1) // 2 * repetitions > MAX_MATCHES:
        raise TournamentError(f"more than {MAX_MATCHES:,} matches; use fewer policies or repetitions")
    return TournamentPlan(tuple(labels), tuple(specs), rounds, repetitions, float(noise), seed)


# --- playing ------------------------------------------------------------------------------------


def play_chunk(task: tuple[tuple[str, ...], int, float, list[tuple[int, int, int, int]]]) -> list[tuple]:
    """Worker side: play each ``(first, second, repetition, seed)`` match and return its
    numbers (policies are built afresh for every match, so none carries anything over)."""
    specs, rounds, noise, items = task
    out = []
    for i, j, repetition, seed in items:
        game = play(make(specs[i]), make(specs[j]), rounds=rounds, noise=noise, seed=seed)
        a, b = game.moves_a, game.moves_b
        states = [0, 0, 0, 0]  # CC, CD, DC, DD from the first player's side
        for x, y in zip(a, b, strict=True):
            states[(2 if x else 0) + (1 if y else 0)] += 1
        out.append(
            (i, j, repetition, seed, game.payoff_a, game.payoff_b, 1 - game.hostile_rate_a,
             1 - game.hostile_rate_b, *states, game.longest_echo, len(game.echoes))
        )  # fmt: skip
    return out


@dataclass
class TournamentResult:
    """A played tournament: every match (two rows each), the ranking and the payoff matrix."""

    plan: TournamentPlan
    matches: pd.DataFrame
    ranking: pd.DataFrame = field(init=False)
    payoff_matrix: pd.DataFrame = field(init=False)
    scores: pd.DataFrame = field(init=False)  # mean payoff per repetition (rows) and player

    def __post_init__(self) -> None:
        self.scores = repetition_scores(self.matches, self.plan.players)
        self.ranking = rank_table(self.matches, self.scores)
        order = list(self.ranking["policy"])
        self.payoff_matrix = payoff_matrix(self.matches, order)

    def summary(self) -> list[dict[str, Any]]:
        """The ranking as JSON-ready rows (what ``sim tournament --json`` prints)."""
        return rounded(self.ranking).to_dict(orient="records")


def play_tournament(
    plan: TournamentPlan,
    executor: TaskExecutor | None = None,
    on_done: Callable[[int, int], None] | None = None,
) -> TournamentResult:
    """Play every match of ``plan`` (on ``executor``: this process if None); ``on_done(done,
    total)`` counts matches. Raises ``PolicyError`` for a policy that breaks the rules."""
    matches = plan.matches()
    tasks = [
        (plan.specs, plan.rounds, plan.noise, matches[k : k + CHUNK]) for k in range(0, len(matches), CHUNK)
    ]
    sizes = [len(task[3]) for task in tasks]

    def counted(done: int, total: int) -> None:
        if on_done is not None:
            on_done(sum(sizes[:done]) if done < total else len(matches), len(matches))

    chunks = run_tasks(play_chunk, tasks, executor, counted if on_done else None)
    return TournamentResult(plan, match_table(plan, [row for chunk in chunks for row in chunk]))


def match_table(plan: TournamentPlan, rows: Sequence[tuple]) -> pd.DataFrame:
    """Two rows per match, one from each player's side (self-play too, as in the library)."""
    records = []
    for number, row in enumerate(rows):
        i, j, repetition, seed, pay_a, pay_b, coop_a, coop_b, cc, cd, dc, dd, echo, echoes = row
        rounds = plan.rounds
        for side, (me, other, mine, theirs, my_coop, their_coop, states) in (
            ("A", (i, j, pay_a, pay_b, coop_a, coop_b, (cc, cd, dc, dd))),
            ("B", (j, i, pay_b, pay_a, coop_b, coop_a, (cc, dc, cd, dd))),
        ):
            records.append(
                (number, repetition, plan.players[me], plan.players[other], side, seed, rounds,
                 plan.noise, mine, theirs, mine > theirs, my_coop, their_coop,
                 *(s / rounds for s in states), echo, echoes)
            )  # fmt: skip
    frame = pd.DataFrame.from_records(records, columns=list(MATCH_COLUMNS))
    return frame.astype({"win": bool, "seed": "int64", "longest_echo": "int64", "echoes": "int64"})


def _others(matches: pd.DataFrame) -> pd.DataFrame:
    return matches[matches["player"] != matches["opponent"]]


def repetition_scores(matches: pd.DataFrame, players: Sequence[str]) -> pd.DataFrame:
    """Each player's mean payoff per round against the others, per repetition."""
    per = _others(matches).groupby(["repetition", "player"], sort=False)["score"].mean().unstack()
    return per.reindex(columns=list(players))


def rank_table(matches: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """One row per player, best first: rank, mean (and median, sd) payoff, wins, cooperation
    rate and longest echo against the others (see the module's conventions)."""
    others = _others(matches).groupby("player", sort=False)
    table = pd.DataFrame(
        {
            "mean_payoff": scores.mean(),
            "median_payoff": scores.median(),
            "sd_payoff": scores.std(ddof=1) if len(scores) > 1 else scores.mean() * 0.0,
            "wins": others["win"].sum(),
            "matches": others["win"].size(),
            "cooperation": others["cooperation"].mean(),
            "longest_echo": others["longest_echo"].max(),
        }
    )
    table.index.name = "policy"
    key = table["mean_payoff"].round(9)
    table["rank"] = key.rank(method="min", ascending=False).astype("int64")
    table = table.reset_index()
    table = table.assign(_key=-key.to_numpy()).sort_values(["_key", "policy"], kind="stable")
    columns = ["rank", "policy", "mean_payoff", "median_payoff", "sd_payoff", "wins", "matches"]
    return table[[*columns, "cooperation", "longest_echo"]].astype({"wins": "int64"}).reset_index(drop=True)


def payoff_matrix(matches: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    """Row policy's mean payoff per round against the column policy."""
    matrix = matches.groupby(["player", "opponent"])["score"].mean().unstack()
    return matrix.reindex(index=list(order), columns=list(order))


#: Decimal places a person reads each number with (CSV files, JSON, printed tables).
DECIMALS = {
    "mean_payoff": 3, "median_payoff": 3, "sd_payoff": 3, "cooperation": 3, "score": 3,
    "opponent_score": 3, "opponent_cooperation": 3, "cc": 3, "cd": 3, "dc": 3, "dd": 3,
}  # fmt: skip


def rounded(frame: pd.DataFrame, decimals: dict[str, int] | None = None) -> pd.DataFrame:
    """``frame`` with its real-valued columns rounded for reading (Parquet keeps them whole)."""
    places = DECIMALS if decimals is None else decimals
    return frame.round({k: v for k, v in places.items() if k in frame.columns})


def nondeterministic(plan: TournamentPlan) -> str | None:
    """Why a users' policy of the plan cannot be played in parallel, if it is plainly not
    deterministic. Each is played against ``tit_for_tat`` under noise, then again after short
    games against ``always_hostile`` (2, 3 and 5 rounds): a policy that keeps state between
    games (on its class, in a global) plays differently after them, and its results would
    depend on which worker played which match before. A probe, not a proof."""
    from sim.policies import BUILTIN_KINDS

    for label, spec in zip(plan.players, plan.specs, strict=True):
        if split_spec(spec)[0] in BUILTIN_KINDS:
            continue
        rounds, noise = min(plan.rounds, 200), max(plan.noise, 0.1)
        first = play(make(spec), make("tit_for_tat"), rounds=rounds, noise=noise, seed=1)
        for extra in (2, 3, 5):
            play(make(spec), make("always_hostile"), rounds=extra)
            if play(make(spec), make("tit_for_tat"), rounds=rounds, noise=noise, seed=1) != first:
                return (
                    f"policy {label}: the same game and seed gave two different games (it keeps"
                    " state between games?); its tournament would depend on the workers"
                )
    return None
