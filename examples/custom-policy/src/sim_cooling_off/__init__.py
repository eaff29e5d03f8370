"""``cooling_off``: answer in kind, but never twice within a cooling-off period.

An example of a user's own policy, installed as a plugin (see this package's pyproject.toml).
The rule: a hostile act of the other side is answered with its mirror image, unless this side
already took a hostile act of its own less than ``cooling_days`` before the answer would go
out; steps that de-escalate are mirrored at once. Foreign ministries often pace their answers
this way so that one exchange does not turn into a volley of same-week measures.

Like every policy it keeps no memory on ``self``: when it last acted is read from the side's
own acts in the ``SideView`` (``view.my_acts``), which the engine derives from the event log,
so a fork, a resumed run and a clone all see the same past.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import Field

from sim.policies import (
    HOSTILE_KINDS,
    ActSpec,
    Int,
    Observation,
    Reactive,
    ReactiveParams,
    SideView,
    hostile,
    mirror,
)

__all__ = ["CoolingOff", "CoolingOffParams"]


class CoolingOffParams(ReactiveParams):
    """The shared timing, plus the length of the cooling-off period."""

    cooling_days: Int = Field(
        90, ge=0, le=3650, description="days after a hostile act of its own before another"
    )


class CoolingOff(Reactive[CoolingOffParams]):
    """Answers in kind, but takes no hostile act within cooling_days of its previous one."""

    name = "cooling_off"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": float("inf"),  # it looks back at its own acts, however long ago
        "escalatory": False,
        "forgiving": True,
    }
    Params = CoolingOffParams

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if seen.missed:
            return ()
        p = self.params
        if hostile(seen) and self.cooling(view, p.cooling_days):
            return ()
        answer = mirror(seen, view, p.deadline_days, p.rule)
        return (answer,) if answer is not None else ()

    @staticmethod
    def cooling(view: SideView, cooling_days: int) -> bool:
        """Whether this side's last hostile act is less than ``cooling_days`` old."""
        last = max((day for day, kind, _ in view.my_acts if kind in HOSTILE_KINDS), default=None)
        return last is not None and view.day - last < cooling_days
