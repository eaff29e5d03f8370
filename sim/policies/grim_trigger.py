"""``grim_trigger``: after the first hostile act, hostile to everything, forever.

Source: Friedman's entry in Axelrod's first tournament (Axelrod, *The Evolution of
Cooperation*, 1984), the "grim trigger" of Friedman, "A non-cooperative equilibrium for
supergames", *Review of Economic Studies* 38 (1971). Until the other side's first perceived
hostile act it answers like tit for tat (de-escalation in kind). From then on it answers every
act of the other side, conciliatory ones included, with a hostile one: a hostile act in kind,
anything else with the answer to the act that triggered it (an expulsion of that act's size
when neither has a counterpart left). It never lifts a measure: the lock-in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from sim.core.acts import ActSpec
from sim.core.state import Observation
from sim.policies.base import SideView
from sim.policies.common import Reactive, ReactiveParams, expel, hostile
from sim.policies.tit_for_tat import mirror


class GrimTriggerParams(ReactiveParams):
    """Only the shared timing."""


def trigger(history: Sequence[Observation]) -> Observation | None:
    """The first perceived hostile act, or ``None``. Scans from the oldest end, so once the
    trigger is early in a long history the scan stops early too."""
    return next((seen for seen in history if hostile(seen)), None)


class GrimTrigger(Reactive[GrimTriggerParams]):
    """Answers in kind until the first hostile act; after it, answers everything with hostility."""

    name = "grim_trigger"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": float("inf"),
        "escalatory": False,
        "forgiving": False,
    }
    Params = GrimTriggerParams

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if seen.missed:
            return ()
        p = self.params
        first = trigger(history)
        if first is None:
            answer = mirror(seen, view, p.deadline_days, p.rule)
            return (answer,) if answer is not None else ()
        for act in (seen, first) if hostile(seen) else (first,):
            answer = mirror(act, view, p.deadline_days, p.rule)
            if answer is not None:
                return (answer,)
        return (expel(first.size, p.deadline_days, p.rule),)
