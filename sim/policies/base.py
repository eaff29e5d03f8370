"""The policy interface: how one side answers the other's acts.

A policy is a small object whose decision is a pure function of what its side has observed
(``history``, oldest first, the newest observation last) and a read-only ``SideView`` of the
present. It holds only its validated parameters, never memory of its own: the memory is the
side's observation history in the state, so a policy can be cloned, pickled, reset and
restarted in a fork without losing anything.

The engine asks a policy three things:

* ``scheduled(start)``: acts it takes on fixed days whatever happens (scripted policies);
* ``reaction_days``: how long after the other side's act it reacts (>= 1 day, so two
  reacting sides never answer each other within one day, and same-day order cannot favour
  either side), or ``delay_after(day)`` for a policy whose delay depends on the act's day
  (decision days);
* ``respond(history, view)``: its acts on the day it reacts to ``history[-1]`` (at most
  ``MAX_ACTS_PER_ANSWER``; each is checked against the rules of a scenario's acts, and an answer
  that breaks them, or an exception, stops the run with one line naming the policy).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from sim.core.acts import ActSpec
from sim.core.state import Observation


class PolicyParams(BaseModel):
    """Parameters every policy accepts; subclasses add their own fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True, slots=True)
class SideView:
    """What a side knows of the present when it decides (read from the state)."""

    day: int
    me: str
    other: str
    my_headcount: int  # my mission in their capital
    their_headcount: int  # their mission in my capital
    their_open_posts: tuple[str, ...]  # their posts I have not closed or ordered closed
    their_closed_posts: tuple[str, ...]  # their posts that I closed
    my_measures: frozenset[str]  # kinds I have in force or pending against their mission
    my_ambassador_present: bool
    my_acts: tuple[tuple[int, str, int], ...] = ()  # my own acts against them so far: (day, kind, size)
    run_seed: int = 0  # the run's seed: stochastic policies key their draws with it too
    #: With more than two sides: the headcount of every mission I send or host, by
    #: ``(sender, host)`` (empty with two sides: ``my_headcount`` and ``their_headcount`` say it).
    headcounts: Mapping[tuple[str, str], int] = field(default_factory=dict)
    #: With more than two sides: the kinds I have in force or pending against each side's
    #: mission in my capital, by side (``my_measures`` is the entry of ``other``).
    measures: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScheduledAct:
    """An act a policy takes on a fixed day (a scripted act), with its citation if any."""

    day: int
    spec: ActSpec
    act_id: str | None = None
    reference: str | None = None


#: The most acts one answer may hold (graduated's longest answer fits); a policy that returns
#: more is stopped with an error, as it would flood the log.
MAX_ACTS_PER_ANSWER = 10_000


P = TypeVar("P", bound=PolicyParams)


class Policy(Generic[P]):
    """Base class: never acts. Subclasses set ``name``, ``classifier`` and ``Params``, and name
    their parameter class in the base (``class Mine(Reactive[MyParams])``), so that
    ``self.params`` is typed as it is."""

    name: ClassVar[str] = ""
    classifier: ClassVar[dict[str, Any]] = {}
    Params: ClassVar[type[Any]] = PolicyParams
    #: False for policies that never react: the engine then records no observations for them.
    observes: ClassVar[bool] = True

    def __init__(self, params: P | None = None, **kwargs: Any) -> None:
        self.params: P = params if params is not None else self.Params(**kwargs)

    @property
    def reaction_days(self) -> int:
        return 1

    def delay_after(self, day: int) -> int:
        """Days from an act on ``day`` to this side's reaction: ``reaction_days`` unless the
        policy decides on fixed days (a function of ``day`` alone, so forks agree; >= 1)."""
        return self.reaction_days

    def scheduled(self, start: dt.date) -> Sequence[ScheduledAct]:
        return ()

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        return ()

    def clone(self) -> Policy[P]:
        return type(self)(self.params)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Policy) and type(other) is type(self) and other.params == self.params

    def __hash__(self) -> int:
        return hash((type(self), self.params))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.model_dump().items())
        return f"{type(self).__name__}({args})"
