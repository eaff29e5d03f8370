"""``batch_tit_for_tat``: answer each act in kind, but only on decision days, so that the acts of
a window are answered together.

Source: Russia's answers to the Salisbury wave of 2018. Twenty-three states announced
expulsions on 26-27 March and the United States on 26 March; Russia answered the United States
on 29 March and the twenty-three together on 30 March, each in kind and one for one, and the
late joiners on 2, 4 and 13 April (rows SKR18-043 to SKR18-072 of the shipped
expulsions_pre2022.csv). A foreign ministry decides in sittings, not act by act: every
``every_days`` days (counted from the run's start plus ``offset_days``) it answers, in kind,
every act at least ``delay_days`` old that it has not answered yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import Field

from sim.core.acts import ActSpec
from sim.core.dated_acts import Int
from sim.core.state import Observation
from sim.policies.base import SideView
from sim.policies.common import Reactive, ReactiveParams
from sim.policies.tit_for_tat import mirror


class BatchTitForTatParams(ReactiveParams):
    """The shared timing (``delay_days`` is the least time before an act is answered) and the
    rhythm of decision days."""

    delay_days: Int = Field(3, ge=1, le=3650, description="the least days from an act to its answer")
    every_days: Int = Field(7, ge=1, le=365, description="days between two decision days")
    offset_days: Int = Field(0, ge=0, le=364, description="the first decision day, counted from the start")


class BatchTitForTat(Reactive[BatchTitForTatParams]):
    """Answers in kind on decision days: a window's acts are answered together."""

    name = "batch_tit_for_tat"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 1,
        "escalatory": False,
        "forgiving": True,
    }
    Params = BatchTitForTatParams

    def delay_after(self, day: int) -> int:
        """Days from an act on ``day`` to the first decision day at least ``delay_days`` later."""
        p = self.params
        earliest = day + p.delay_days
        wait = (p.offset_days - earliest) % p.every_days
        return p.delay_days + wait

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if seen.missed:
            return ()
        answer = mirror(seen, view, self.params.deadline_days, self.params.rule)
        return (answer,) if answer is not None else ()
