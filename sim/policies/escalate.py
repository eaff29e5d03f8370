"""``escalate``: answer each hostile act with a bigger one, optionally a rung up the ladder.

Source: Kahn's escalation ladder (*On Escalation*, 1965) and the "more than tit for tat"
reactions of Richardson's arms-race model (*Arms and Insecurity*, 1960), where a response
coefficient above one makes a spiral explode. An expulsion of n is answered by one of
n x ``multiply`` + ``add``; a threat likewise; a cap of K by a tighter cap of K / ``multiply``
- ``add``. With ``rung_up`` the answer climbs one rung instead: an expulsion is answered by a
cap that takes out as many people (their headcount - the escalated size), a cap by closing one
of their consulates, a closure by closing another. Sizes stop at 100,000 (the scenario limit).
Other hostile acts are answered in kind; de-escalation is mirrored, so an escalator still
follows the other side down.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import Field

from sim.core.acts import ActSpec
from sim.core.dated_acts import Int
from sim.core.state import Observation
from sim.policies.base import SideView
from sim.policies.common import Float, Reactive, ReactiveParams, clamp, with_size
from sim.policies.tit_for_tat import mirror


class EscalateParams(ReactiveParams):
    add: Int = Field(1, ge=0, le=10_000, description="people added to each answer")
    multiply: Float = Field(1.0, ge=1.0, le=100.0, description="each answer's size multiplier")
    rung_up: bool = Field(False, description="answer one rung up: expulsion -> cap -> closure")


class Escalate(Reactive[EscalateParams]):
    """Answers every hostile act with a bigger one (size x multiply + add), or one rung up."""

    name = "escalate"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 1,
        "escalatory": True,
        "forgiving": True,
    }
    Params = EscalateParams

    def bigger(self, size: int) -> int:
        p = self.params
        return clamp(size * p.multiply + p.add)

    def tighter(self, cap: int) -> int:
        p = self.params
        return clamp(cap / p.multiply - p.add)

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if seen.missed:
            return ()
        p = self.params
        if p.rung_up and seen.kind in ("expel", "cap", "close_post"):
            answer = self._rung_up(seen, view)
            if answer is not None:
                return (answer,)
        answer = mirror(seen, view, p.deadline_days, p.rule)
        if answer is None:
            return ()
        if seen.kind in ("expel", "threaten"):
            answer = with_size(answer, self.bigger(seen.size))
        elif seen.kind == "cap":
            answer = with_size(answer, self.tighter(seen.size))
        return (answer,)

    def _rung_up(self, seen: Observation, view: SideView) -> ActSpec | None:
        """One rung above ``seen``; ``None`` when there is no rung left (no consulate to close)."""
        p = self.params
        if seen.kind == "expel":
            cap = max(0, view.their_headcount - self.bigger(seen.size))
            return ActSpec(kind="cap", size=cap, deadline_days=p.deadline_days, rule=p.rule)
        consulates = [post for post in view.their_open_posts if post != "embassy"]
        if not consulates:
            return None
        return ActSpec(kind="close_post", post=consulates[-1], deadline_days=p.deadline_days)
