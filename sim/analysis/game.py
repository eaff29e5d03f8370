"""The repeated game: two policies play rounds of "hostile act of size s" or "none".

This is the prisoner's dilemma of Axelrod's tournaments, played by the simulator's own
policies, so that they can be checked against the classic results (docs/policies.md) and against
the Axelrod library, and compared quickly without missions, visas and deadlines.

How a policy plays a round
--------------------------
Round ``t`` (0, 1, ...) is day ``t`` (from :data:`GAME_START`, for ``scheduled``). In each
round each side makes one move:

1. If the side is still carrying out an earlier answer of several acts, the next of those acts
   is its answer this round and its policy is not asked (an answer of k acts takes k rounds:
   this is how ``graduated`` punishes n times, then calms, as Beaufils' Gradual does).
2. Otherwise, from round 1 on, its policy answers the other's move of round ``t - 1`` with
   ``respond(history, view)``: ``history`` holds the other's moves of rounds 0 .. t-1 as
   :class:`~sim.core.state.Observation` (``act`` = the round, ``day`` = the round after it,
   when it is observed; kind ``"expel"`` with the move's size, or kind ``"none"`` with size 0).
   The first act of the answer is played now, the rest queued for the next rounds.
3. Acts the policy ``scheduled`` for day ``t`` are played too (``always_hostile``'s round-0
   expulsion, ``grit``'s announced steps).

The move is hostile if any of the round's acts is hostile (``sim.core.acts.HOSTILE_KINDS``); its size
is that act's size when it counts people (an expulsion, a threat), else the game's ``size``.
``view`` is a :class:`~sim.policies.SideView` with no missions behind it: both headcounts are
:data:`HEADCOUNT`, no measures are in force, the ambassador is present, and ``my_acts`` holds
the side's own hostile moves as ``(round, "expel", size)``. ``history`` and ``my_acts`` are
read-only views of the game's lists, not copies, so a game of n rounds costs O(n) for memory-1
policies. A policy's ``reaction_days`` does not matter here: every answer comes one round later.

Noise and payoffs
-----------------
With noise ``e`` each move is flipped after it is chosen, as in the Axelrod library (a hostile
move becomes none, none becomes a hostile act of ``size``), by a keyed draw of
``sim.core.randomness`` (seed, ``"game_noise"``, side name, round): the same seed gives the same
game, and two pairs of policies played with one seed meet the same flips. The seed is also
the policies' ``run_seed``, as in a simulated run, so a stochastic policy's own draws (generous
tit for tat's forgiveness) change with it too. Both sides see the
move as played. Payoffs per round are R, S, T, P = 3, 0, 5, 1 (none/none R each; hostile
against none T for the hostile side and S for the other; hostile/hostile P each).

A *retaliation echo* is a run of consecutive rounds in which exactly one side is hostile: the
alternation that one flipped move sets off between two tit-for-tat players (Axelrod 1984; its
mean length is 1 / (2e(1-e))). ``longest_echo`` is the longest such run.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, overload

from sim.core import randomness as rnd
from sim.core.acts import HOSTILE_KINDS, ActSpec
from sim.core.state import Observation
from sim.infra.commas import split_top_level
from sim.policies import PluginError, Policy, SideView, UnknownPolicy, ValidationError, policy_class
from sim.policies.guard import call_policy, checked_answer, checked_schedule
from sim.policies.plugins import is_file_kind

GAME_START = dt.date(2000, 1, 1)
HEADCOUNT = 100
MAX_ROUNDS = 10_000_000
_PEOPLE = frozenset({"expel", "threaten"})
_NOTHING: frozenset[str] = frozenset()
_GAME_POSTS = {"mine": ("embassy",), "theirs": ("embassy",)}


class Payoffs(NamedTuple):
    """One round's payoffs: mutual calm R, sucker S, temptation T, mutual punishment P."""

    R: float = 3.0
    S: float = 0.0
    T: float = 5.0
    P: float = 1.0


PAYOFFS = Payoffs()


def generosity(payoffs: Payoffs = PAYOFFS) -> float:
    """Nowak & Sigmund's largest safe generosity, min(1 - (T-R)/(R-S), (R-P)/(T-P)): 1/3 for
    3, 0, 5, 1 (the default ``g`` of ``generous_tit_for_tat``)."""
    R, S, T, P = payoffs.R, payoffs.S, payoffs.T, payoffs.P
    return min(1 - (T - R) / (R - S), (R - P) / (T - P))


def richardson(
    a: float, b: float, g: float, h: float, x: float, y: float, steps: int
) -> list[tuple[float, float]]:
    """Richardson's linear response, x' = a*y + g, y' = b*x + h, iterated ``steps`` times from
    (x, y): each side's next act sized by the other's last. It converges (to the fixed point
    ((a*h + g) / (1 - a*b), (b*g + h) / (1 - a*b))) iff a*b < 1 for a, b >= 0, and blows up
    otherwise; two ``proportional`` policies with factors a and b are its g = h = 0 case."""
    path = [(x, y)]
    for _ in range(steps):
        x, y = a * y + g, b * x + h
        path.append((x, y))
    return path


class _View(Sequence[Any]):
    """The first ``n`` items of a list, read-only and without a copy."""

    __slots__ = ("_items", "_n")

    def __init__(self, items: list[Any], n: int) -> None:
        self._items = items
        self._n = n

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Any, ...]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return tuple(self._items[i] for i in range(*index.indices(self._n)))
        if index < 0:
            index += self._n
        if not 0 <= index < self._n:
            raise IndexError("game history index out of range")
        return self._items[index]

    def __iter__(self) -> Iterator[Any]:
        items = self._items
        for i in range(self._n):
            yield items[i]


@dataclass(frozen=True)
class GameResult:
    """A finished game: the moves as played (0 = none, else the hostile act's size) and metrics."""

    rounds: int
    noise: float
    seed: int
    moves_a: tuple[int, ...]
    moves_b: tuple[int, ...]
    payoff_a: float
    payoff_b: float
    hostile_rate_a: float
    hostile_rate_b: float
    echoes: tuple[int, ...]  # the length of every retaliation echo, in order

    @property
    def longest_echo(self) -> int:
        return max(self.echoes, default=0)

    @property
    def mean_echo(self) -> float:
        return sum(self.echoes) / len(self.echoes) if self.echoes else 0.0

    @property
    def actions_a(self) -> str:
        """A's moves as the Axelrod library writes them: C for none, D for hostile."""
        return "".join("D" if m else "C" for m in self.moves_a)

    @property
    def actions_b(self) -> str:
        return "".join("D" if m else "C" for m in self.moves_b)

    def summary(self) -> dict[str, Any]:
        """What ``sim game --json`` prints."""
        return {
            "payoff_a": self.payoff_a,
            "payoff_b": self.payoff_b,
            "hostile_rate_a": self.hostile_rate_a,
            "hostile_rate_b": self.hostile_rate_b,
            "longest_echo": self.longest_echo,
        }


class _Side:
    """One side's part of a game: its policy, the plan it scheduled, what it has seen and done."""

    __slots__ = ("history", "me", "my_acts", "other", "plan", "policy", "queue", "seed")

    def __init__(self, policy: Policy, me: str, other: str, rounds: int, seed: int = 0) -> None:
        self.policy = policy
        self.me, self.other = me, other
        self.seed = seed  # the game's seed is the policies' run seed, as in the engine
        self.plan: dict[int, list[ActSpec]] = {}
        for item in checked_schedule(policy, me, GAME_START, _GAME_POSTS):
            if item.day < rounds:
                self.plan.setdefault(item.day, []).append(item.spec)
        self.queue: list[ActSpec] = []  # the rest of an answer of several acts, next first
        self.history: list[Observation] = []
        self.my_acts: list[tuple[int, str, int]] = []

    def acts(self, t: int) -> list[ActSpec]:
        """The acts this side takes in round ``t`` (before noise)."""
        planned = self.plan.get(t)
        acts = list(planned) if planned else []
        if self.queue:
            acts.append(self.queue.pop())
        elif t and self.policy.observes:
            view = SideView(
                day=t,
                me=self.me,
                other=self.other,
                my_headcount=HEADCOUNT,
                their_headcount=HEADCOUNT,
                their_open_posts=("embassy",),
                their_closed_posts=(),
                my_measures=_NOTHING,
                my_ambassador_present=True,
                my_acts=_View(self.my_acts, len(self.my_acts)),  # type: ignore[arg-type]
                run_seed=self.seed,
            )
            when = f"in round {t}"
            seen = _View(self.history, t)
            answer = call_policy(self.policy, self.me, when, lambda: self.policy.respond(seen, view))
            answer = checked_answer(answer, self.policy, self.me, when, _GAME_POSTS)
            if answer:
                acts.append(answer[0])
                if len(answer) > 1:
                    self.queue = list(reversed(answer[1:]))
        return acts


def move(acts: Sequence[ActSpec], size: int) -> int:
    """The size of the hostile move these acts make, 0 if none of them is hostile."""
    for spec in acts:
        kind = f"visa_{spec.visa_policy}" if spec.kind == "visa_policy" else spec.kind
        if kind in HOSTILE_KINDS:
            return max(spec.size, 1) if spec.kind in _PEOPLE else size
    return 0


def play(
    a: Policy | str,
    b: Policy | str,
    rounds: int = 200,
    noise: float = 0.0,
    seed: int = 0,
    *,
    size: int = 1,
    shock: int = 0,
    payoffs: Payoffs = PAYOFFS,
    names: tuple[str, str] = ("A", "B"),
) -> GameResult:
    """Play ``rounds`` rounds between ``a`` and ``b`` (policies, or specs like
    ``"generous_tit_for_tat:g=0.3"``). ``shock`` > 0 makes A's round-0 move a hostile act of
    that size whatever its policy says (an exogenous shock, as in a scenario)."""
    if not 1 <= rounds <= MAX_ROUNDS:
        raise ValueError(f"rounds must be between 1 and {MAX_ROUNDS:,}")
    if not 0.0 <= noise <= 1.0:
        raise ValueError("noise must be between 0 and 1")
    if size < 1:
        raise ValueError("size must be at least 1")
    first = _Side(make(a) if isinstance(a, str) else a, names[0], names[1], rounds, seed)
    second = _Side(make(b) if isinstance(b, str) else b, names[1], names[0], rounds, seed)
    moves_a: list[int] = []
    moves_b: list[int] = []
    for t in range(rounds):
        move_a = move(first.acts(t), size)
        move_b = move(second.acts(t), size)
        if t == 0 and shock:
            move_a = shock
        if noise and rnd.chance(noise, seed, "game_noise", names[0], t):
            move_a = 0 if move_a else size
        if noise and rnd.chance(noise, seed, "game_noise", names[1], t):
            move_b = 0 if move_b else size
        moves_a.append(move_a)
        moves_b.append(move_b)
        first.history.append(Observation(t, t + 1, "expel" if move_b else "none", move_b, (), "", False))
        second.history.append(Observation(t, t + 1, "expel" if move_a else "none", move_a, (), "", False))
        if move_a:
            first.my_acts.append((t, "expel", move_a))
        if move_b:
            second.my_acts.append((t, "expel", move_b))
    return _result(moves_a, moves_b, rounds, noise, seed, payoffs)


def _result(
    moves_a: list[int], moves_b: list[int], rounds: int, noise: float, seed: int, payoffs: Payoffs
) -> GameResult:
    R, S, T, P = payoffs.R, payoffs.S, payoffs.T, payoffs.P
    total_a = total_b = 0.0
    hostile_a = hostile_b = 0
    echoes: list[int] = []
    run = 0
    for x, y in zip(moves_a, moves_b, strict=True):
        if x and y:
            total_a += P
            total_b += P
        elif x:
            total_a += T
            total_b += S
        elif y:
            total_a += S
            total_b += T
        else:
            total_a += R
            total_b += R
        hostile_a += bool(x)
        hostile_b += bool(y)
        if bool(x) != bool(y):
            run += 1
        elif run:
            echoes.append(run)
            run = 0
    if run:
        echoes.append(run)
    return GameResult(
        rounds=rounds,
        noise=noise,
        seed=seed,
        moves_a=tuple(moves_a),
        moves_b=tuple(moves_b),
        payoff_a=total_a / rounds,
        payoff_b=total_b / rounds,
        hostile_rate_a=hostile_a / rounds,
        hostile_rate_b=hostile_b / rounds,
        echoes=tuple(echoes),
    )


# --- policies from text ----------------------------------------------------------------------


class PolicySpecError(ValueError):
    """A policy written as text (``name:key=value,...``) that names no policy or bad parameters."""


def make(text: str, base: Path | None = None) -> Policy:
    """The policy ``text`` names: ``"tit_for_tat"``, ``"generous_tit_for_tat:g=0.3,seed=2"``,
    or a policy in a file, ``"file:my_rules.py:HardLiner"`` (relative to ``base``, the working
    directory if None), optionally followed by ``:key=value,...``.

    Values are read as JSON where they parse (numbers, ``true``, lists such as
    ``step_kinds=["lift_cap"]``) and as text otherwise (``rule=newest``). Raises
    :class:`PolicySpecError` with a one-line message.
    """
    name, rest = split_spec(text)
    try:
        cls = policy_class(name, base)
    except UnknownPolicy:
        from sim.policies import registry

        guess = difflib.get_close_matches(name, list(registry()), n=1, cutoff=0.6)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        raise PolicySpecError(f"unknown policy {name!r}{hint} (known: {', '.join(registry())})") from None
    except PluginError as exc:
        raise PolicySpecError(str(exc)) from None
    params: dict[str, Any] = {}
    for item in _split(rest):
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise PolicySpecError(f"{name}: {item!r} is not key=value")
        params[key.strip()] = _value(value.strip())
    try:
        return cls(cls.Params(**params))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or name
            problems.append(f"{where}: {error['msg']}")
        raise PolicySpecError(f"{name}: " + "; ".join(problems)) from None
    except Exception as exc:  # a plugin's own parameter check or constructor that raised
        raise PolicySpecError(f"{name}: building the policy raised {type(exc).__name__}: {exc}") from None


def split_spec(text: str) -> tuple[str, str]:
    """``"NAME:params"`` -> ``("NAME", "params")``; a ``file:PATH.py:Class`` kind keeps its
    own colons (``"file:a.py:HardLiner:step=2"`` -> ``("file:a.py:HardLiner", "step=2")``)."""
    text = text.strip()
    if is_file_kind(text):
        match = re.match(r"^(file:.+?\.py:[A-Za-z_][A-Za-z0-9_]*)(?::(.*))?$", text, re.DOTALL)
        if match is not None:
            return match[1], match[2] or ""
        return text, ""  # malformed: policy_class says how
    name, _, rest = text.partition(":")
    return name.strip(), rest


def _split(text: str) -> list[str]:
    """``text`` split at the commas outside brackets; empty pieces dropped."""
    return [item for item in (piece.strip() for piece in split_top_level(text)) if item]


def _value(text: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return tuple(value) if isinstance(value, list) else value
