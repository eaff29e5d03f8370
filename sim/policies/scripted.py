"""``scripted``: the side takes a fixed list of dated acts, whatever the other side does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import Field

from sim.core.dated_acts import DatedAct
from sim.policies.base import Policy, PolicyParams, ScheduledAct


class ScriptedParams(PolicyParams):
    acts: tuple[DatedAct, ...] = Field(default=(), max_length=10_000)


class Scripted(Policy[ScriptedParams]):
    """Acts on the listed dates and ignores the other side: an exogenous shock or a plan.

    The acts enter the log with source ``exogenous`` (a documented act belongs in a seeds log,
    where it carries its citation).
    """

    name = "scripted"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 0,
        "escalatory": False,
        "forgiving": True,
    }
    Params = ScriptedParams
    observes = False

    def scheduled(self, start: dt.date) -> Sequence[ScheduledAct]:
        params = self.params
        return tuple(
            ScheduledAct(day=(act.date - start).days, spec=act.spec(), act_id=act.id) for act in params.acts
        )
