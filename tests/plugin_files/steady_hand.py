"""A correct plugin policy for the tests: answers every hostile act in kind, at most `most` in a row.

It keeps no memory of its own: how many answers it has given in a row is read from the side's
own acts in the view, as the policy contract asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import Field

from sim.core.acts import ActSpec
from sim.core.state import Observation
from sim.policies import SideView
from sim.policies.common import Reactive, ReactiveParams, hostile
from sim.policies.tit_for_tat import mirror


class SteadyHandParams(ReactiveParams):
    most: int = Field(3, ge=1, le=100, description="answers given before letting acts pass")


class SteadyHand(Reactive):
    """Tit for tat that stops answering after `most` answers."""

    name = "steady_hand"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": float("inf"),
        "escalatory": False,
        "forgiving": True,
    }
    Params = SteadyHandParams

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        p: SteadyHandParams = self.params  # type: ignore[assignment]
        if seen.missed or not hostile(seen) or len(view.my_acts) >= p.most:
            return ()
        answer = mirror(seen, view, p.deadline_days, p.rule)
        return (answer,) if answer is not None else ()
