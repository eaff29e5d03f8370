"""``parity``: answer hostility by capping the other's mission at the size of one's own.

Source: the Czech Republic's cap of April-May 2021 (Russia's embassy in Prague cut to the
size of the Czech embassy in Moscow after the Vrbětice expulsions) and Bulgaria's cap of
July 2022 (Russia's mission limited to the size of Bulgaria's in Moscow): rather than answer
act for act, the side restores parity once and holds it. Each hostile act is answered by a cap
on the other's whole mission at this side's own headcount when the answer is made (give
``delay_days`` past the other's deadlines so that the act's effect is counted), unless a cap of
this side is already in force and their mission is already no bigger than its own. Lifts are
mirrored, so a lifted cap on its own mission lifts the cap on theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from sim.core.acts import ActSpec
from sim.core.state import Observation
from sim.policies.base import SideView
from sim.policies.common import Reactive, ReactiveParams, hostile
from sim.policies.tit_for_tat import mirror


class ParityParams(ReactiveParams):
    """Only the shared timing."""


class Parity(Reactive[ParityParams]):
    """Caps the other side's mission at the size of its own whenever parity is broken."""

    name = "parity"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 1,
        "escalatory": False,
        "forgiving": True,
    }
    Params = ParityParams

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if seen.missed:
            return ()
        p = self.params
        if not hostile(seen):
            answer = mirror(seen, view, p.deadline_days, p.rule)
            return (answer,) if answer is not None else ()
        if "cap" in view.my_measures and view.their_headcount <= view.my_headcount:
            return ()  # parity holds
        return (ActSpec(kind="cap", size=view.my_headcount, deadline_days=p.deadline_days, rule=p.rule),)
