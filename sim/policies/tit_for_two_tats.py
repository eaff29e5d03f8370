"""``tit_for_two_tats``: answer only the second of two hostile acts in a row.

Source: John Maynard Smith's entry in Axelrod's second tournament (Axelrod, *The Evolution of
Cooperation*, 1984): it would have won the first tournament, because one defection, perhaps
a mistake, does not set off an echo. Here a hostile act is answered in kind only when the
act perceived before it was hostile too; a lone act is let pass. Acts the side missed (noise)
do not count either way. De-escalation is mirrored at once, as under tit for tat.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from sim.core.acts import ActSpec
from sim.core.state import Observation
from sim.policies.base import SideView
from sim.policies.common import Reactive, ReactiveParams, hostile, perceived
from sim.policies.tit_for_tat import mirror


class TitForTwoTatsParams(ReactiveParams):
    """Only the shared timing."""


class TitForTwoTats(Reactive[TitForTwoTatsParams]):
    """Lets a lone hostile act pass; answers in kind when two come in a row."""

    name = "tit_for_two_tats"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 2,
        "escalatory": False,
        "forgiving": True,
    }
    Params = TitForTwoTatsParams

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if seen.missed:
            return ()
        if hostile(seen):
            recent = perceived(history)
            next(recent)  # ``seen`` itself
            before = next(recent, None)
            if before is None or not hostile(before):
                return ()
        p = self.params
        answer = mirror(seen, view, p.deadline_days, p.rule)
        return (answer,) if answer is not None else ()
