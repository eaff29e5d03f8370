"""``threshold``: tit for tat that lets small expulsions and threats pass.

Source: the "threshold of provocation" of deterrence theory (Schelling, *Arms and Influence*,
1966; Snyder & Diesing, *Conflict Among Nations*, 1977): a side does not answer every
pinprick, only acts that cross a line. An expulsion (or a threat) of fewer than ``min_size``
people is ignored; a larger one is answered in kind, and so is every other act (a cap, a
closure, a visa freeze, de-escalation), whose size does not count people.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import Field

from sim.core.acts import ActSpec
from sim.core.dated_acts import Int
from sim.core.state import Observation
from sim.policies.base import SideView
from sim.policies.common import PEOPLE_KINDS, Reactive, ReactiveParams
from sim.policies.tit_for_tat import mirror


class ThresholdParams(ReactiveParams):
    min_size: Int = Field(3, ge=1, le=100_000, description="smallest expulsion or threat answered")


class Threshold(Reactive[ThresholdParams]):
    """Ignores expulsions and threats of fewer than ``min_size`` people; answers the rest in kind."""

    name = "threshold"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 1,
        "escalatory": False,
        "forgiving": True,
    }
    Params = ThresholdParams

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        p = self.params
        if seen.missed or (seen.kind in PEOPLE_KINDS and seen.size < p.min_size):
            return ()
        answer = mirror(seen, view, p.deadline_days, p.rule)
        return (answer,) if answer is not None else ()
