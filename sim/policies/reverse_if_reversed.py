"""``reverse_if_reversed``: answer in kind, and lift everything once the other side lifts.

Source: Russia's offer of December 2021 to the United States (the "zero option" put by its
foreign ministry and its ambassador in Washington): lift all restrictions on both missions
together, if the other side lifts its own. Hostile acts are answered in kind. A reversal by
the other side (a lifted cap, limit or ban, visas issued again, a post reopened, an ambassador
back) is answered by reversing *every* measure this side has in force, not just the matching
one. With ``condition: all`` it waits until the other side has reversed all of its reversible
measures, as read from the history (a cap it imposed and has not lifted, and so on).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field

from sim.core.acts import ActSpec
from sim.core.state import Observation
from sim.policies.base import SideView
from sim.policies.common import CONCILIATORY_KINDS, LIFTED_BY, Reactive, ReactiveParams, lift_all
from sim.policies.tit_for_tat import mirror


def their_measures_in_force(history: Sequence[Observation]) -> int:
    """How many reversible measures of the other side stand, by the perceived history: each
    closed post needs its own reopening; any other measure stands until its lift."""
    standing: Counter[str] = Counter()  # the reversing kind -> measures it would reverse
    for seen in history:
        if seen.missed:
            continue
        lift = LIFTED_BY.get(seen.kind)
        if lift == "reopen_post":
            standing[lift] += 1
        elif lift is not None:
            standing[lift] = 1
        elif seen.kind in standing:
            standing[seen.kind] = max(0, standing[seen.kind] - 1) if seen.kind == "reopen_post" else 0
    return sum(standing.values())


class ReverseIfReversedParams(ReactiveParams):
    condition: Literal["any", "all"] = Field(
        "any", description="lift everything on any reversal of theirs, or once they reversed all"
    )


class ReverseIfReversed(Reactive[ReverseIfReversedParams]):
    """Tit for tat whose answer to any reversal is to reverse all of its own measures."""

    name = "reverse_if_reversed"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": float("inf"),  # with condition: all; 1 with condition: any
        "escalatory": False,
        "forgiving": True,
    }
    Params = ReverseIfReversedParams

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if seen.missed:
            return ()
        p = self.params
        if seen.kind in CONCILIATORY_KINDS:
            if p.condition == "all" and their_measures_in_force(history):
                return ()
            return tuple(lift_all(view))
        answer = mirror(seen, view, p.deadline_days, p.rule)
        return (answer,) if answer is not None else ()
