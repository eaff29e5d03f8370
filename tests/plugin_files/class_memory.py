"""A policy that keeps state on its class (a bug): every call flips a class attribute, so the
same scenario gets different answers on each run. ``sim check`` must report it as a failed
property with a counterexample (Hypothesis calls it flaky), and a sweep must not silently give
different results on 1 and 2 workers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from sim.core.acts import ActSpec
from sim.core.state import Observation
from sim.policies import SideView
from sim.policies.common import Reactive, ReactiveParams, hostile
from sim.policies.tit_for_tat import mirror


class ClassMemoryParams(ReactiveParams):
    """Only the shared timing."""


class ClassMemory(Reactive):
    """Answers every other hostile act it is ever shown, counted across all runs (a bug)."""

    name = "class_memory"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": float("inf"),
        "escalatory": False,
        "forgiving": True,
    }
    Params = ClassMemoryParams
    calls: ClassVar[int] = 0

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if not hostile(seen):
            return ()
        type(self).calls += 1
        if type(self).calls % 2:
            return ()
        p: ClassMemoryParams = self.params  # type: ignore[assignment]
        answer = mirror(seen, view, p.deadline_days, p.rule)
        return (answer,) if answer is not None else ()
