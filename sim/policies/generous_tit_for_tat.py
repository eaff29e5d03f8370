"""``generous_tit_for_tat``: tit for tat that lets a hostile act pass with probability ``g``.

Source: Nowak & Sigmund, "Tit for tat in heterogeneous populations", *Nature* 355 (1992):
under noise, tit for tat locks two players into echoes of retaliation; forgiving a defection
with probability g breaks them. The largest generosity that still leaves exploiting it
unprofitable is g = min(1 - (T-R)/(R-S), (R-P)/(T-P)), 1/3 with the payoffs 3, 0, 5, 1 (the
default; ``sim.analysis.game.generosity`` computes it for other payoffs).

Each forgiveness is a draw keyed by this side's name, the act observed (its place in the
side's history, its day, kind and size), the run's seed (so a sweep over seeds resamples the
forgiveness) and the ``seed`` parameter (``sim.core.randomness``), never
a shared generator: the same history always gets the same answer, so forks and same-seed runs
are exact. Two sides with the same seed still draw independently (the side's name is in the
key). The key holds nothing that depends on the order in which a scenario lists its sides
(an event's ``seq`` does), so listing them the other way round changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import Field

from sim.core import randomness as rnd
from sim.core.acts import ActSpec
from sim.core.dated_acts import Seed
from sim.core.state import Observation
from sim.policies.base import SideView
from sim.policies.common import Float, Reactive, ReactiveParams, hostile
from sim.policies.tit_for_tat import mirror

#: Nowak & Sigmund's generosity for R, S, T, P = 3, 0, 5, 1.
DEFAULT_GENEROSITY = 1 / 3


class GenerousTitForTatParams(ReactiveParams):
    g: Float = Field(DEFAULT_GENEROSITY, ge=0.0, le=1.0, description="chance of letting a hostile act pass")
    seed: Seed = Field(0, description="key of this side's forgiveness draws")


class GenerousTitForTat(Reactive[GenerousTitForTatParams]):
    """Answers in kind, but forgives each hostile act with probability ``g`` (a keyed draw)."""

    name = "generous_tit_for_tat"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": True,
        "memory_depth": 1,
        "escalatory": False,
        "forgiving": True,
    }
    Params = GenerousTitForTatParams

    def forgives(self, history: Sequence[Observation], view: SideView) -> bool:
        """The keyed draw for ``history[-1]``: a pure function of the act, the side and the seed."""
        p = self.params
        seen = history[-1]
        key = (view.me, len(history), seen.day, seen.kind, seen.size)
        return rnd.chance(p.g, p.seed, "generous_tit_for_tat", view.run_seed, *key)

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if seen.missed or (hostile(seen) and self.forgives(history, view)):
            return ()
        p = self.params
        answer = mirror(seen, view, p.deadline_days, p.rule)
        return (answer,) if answer is not None else ()
