"""A policy in a single file, used by a scenario without installing anything.

A scenario names it as ``kind: "file:my_rules.py:HardLiner"`` (the path relative to the
scenario file); ``sim game``, ``sim check`` and ``sim policies`` take the same
``file:PATH:Class`` form on the command line (relative to the working directory).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import Field

from sim.policies import (
    PEOPLE_KINDS,
    ActSpec,
    Observation,
    Reactive,
    ReactiveParams,
    SideView,
    clamp,
    hostile,
    mirror,
    with_size,
)


class HardLinerParams(ReactiveParams):
    """The shared timing, plus how much harder than the act each answer hits."""

    factor: float = Field(2.0, ge=1.0, le=10.0, description="answers expel/threaten this many times as many")


class HardLiner(Reactive[HardLinerParams]):
    """Answers every hostile act in kind, expulsions multiplied by factor; never lifts first."""

    name = "hard_liner"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 1,
        "escalatory": True,
        "forgiving": False,
    }
    Params = HardLinerParams

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if not hostile(seen):
            return ()  # a hard liner does not answer a concession with one
        p = self.params
        answer = mirror(seen, view, p.deadline_days, p.rule)
        if answer is None:
            return ()
        if seen.kind in PEOPLE_KINDS:
            answer = with_size(answer, max(1, clamp(seen.size * p.factor)))
        return (answer,)


class GrudgeParams(ReactiveParams):
    """Only the shared timing."""


class Grudge(Reactive[GrudgeParams]):
    """Lets the first hostile act pass and answers every later one in kind.

    The corrected form of broken/forgetful_grudge.py (see docs/custom-policies.md): whether the
    first act has been forgiven is read from the side's perceived history, not kept on self,
    so forks and resumed runs decide as the original run did.
    """

    name = "grudge"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": float("inf"),
        "escalatory": False,
        "forgiving": True,
    }
    Params = GrudgeParams

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if not hostile(seen):
            return ()
        if not any(hostile(earlier) for earlier in history[:-1]):
            return ()  # the first hostile act this side perceived: forgiven
        p = self.params
        answer = mirror(seen, view, p.deadline_days, p.rule)
        return (answer,) if answer is not None else ()
