"""``always_hostile``: expels on a fixed schedule and answers every act with an expulsion.

Source: "ALL D", the unconditional defector of Axelrod's tournaments (Axelrod, *The Evolution
of Cooperation*, 1984), the benchmark every reciprocating strategy is measured against.
Unprovoked, it expels ``size`` people every ``period_days`` from ``first_day`` (``count``
times, or until the longest run a scenario allows); and it answers every act of the other
side, de-escalation included, with an expulsion of ``size``. It never lifts anything. In the
repeated game (``sim.analysis.game``) this is ALL D: hostile in round 0 by its schedule, and in every
later round by its answer to the other's move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import Field

from sim.core.acts import ActSpec
from sim.core.dated_acts import Int
from sim.core.state import Observation
from sim.policies.base import ScheduledAct, SideView
from sim.policies.common import Reactive, ReactiveParams, expel

#: The longest run a scenario allows (``sim.scenario.models.MAX_HORIZON_DAYS``, not imported to keep
#: policies free of the scenario module, which imports them).
_LAST_DAY = 36_525


class AlwaysHostileParams(ReactiveParams):
    size: Int = Field(2, ge=1, le=100_000, description="people expelled by each act")
    first_day: Int = Field(0, ge=0, le=_LAST_DAY, description="day of the first unprovoked expulsion")
    period_days: Int = Field(90, ge=1, le=_LAST_DAY, description="days between unprovoked expulsions")
    count: Int | None = Field(None, ge=0, le=_LAST_DAY, description="unprovoked expulsions [default: no end]")


class AlwaysHostile(Reactive[AlwaysHostileParams]):
    """ALL D: periodic unprovoked expulsions, and an expulsion in answer to anything."""

    name = "always_hostile"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 0,
        "escalatory": True,
        "forgiving": False,
    }
    Params = AlwaysHostileParams

    def scheduled(self, start: dt.date) -> Sequence[ScheduledAct]:
        p = self.params
        days = range(p.first_day, _LAST_DAY + 1, p.period_days)
        if p.count is not None:
            days = days[: p.count]
        spec = expel(p.size, p.deadline_days, p.rule)
        return [ScheduledAct(day=day, spec=spec) for day in days]

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        if history[-1].missed:
            return ()
        p = self.params
        return (expel(p.size, p.deadline_days, p.rule),)
