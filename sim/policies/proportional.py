"""``proportional``: answer in kind, with the size scaled by a factor or by the missions' ratio.

Source: proportionality in reprisal, the customary-law rule that a countermeasure be
"commensurate with the injury suffered" (ILC Articles on State Responsibility, 2001, art. 51),
and the "proportional tit for tat" of the repeated-game literature (e.g. Axelrod 1984, ch. 8,
on retaliating in measure). With ``scale: factor`` an expulsion of n is answered by one of
round(n x factor): factor 1 is tit for tat, above 1 it over-answers, below 1 it under-answers.
With ``scale: mission_ratio`` the answer takes the same *share* of the other's mission as the
act took of one's own: n of my m people is answered by n x (their headcount / m), so a small
mission expelling from a large one is answered by a small expulsion (the ratio is read when the
answer is made: give ``delay_days`` past the other side's deadlines to count the act's effect).
Only acts whose size counts people (expulsions, threats) are scaled; under ``mission_ratio`` a cap
of K is answered by a cap at the same share of the other's mission. Everything else is answered
in kind, de-escalation included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field

from sim.core.acts import ActSpec
from sim.core.state import Observation
from sim.policies.base import SideView
from sim.policies.common import PEOPLE_KINDS, Float, Reactive, ReactiveParams, clamp, with_size
from sim.policies.tit_for_tat import mirror


class ProportionalParams(ReactiveParams):
    scale: Literal["factor", "mission_ratio"] = Field(
        "factor", description="scale sizes by `factor`, or by their mission over mine"
    )
    factor: Float = Field(1.0, gt=0.0, le=100.0, description="size multiplier (scale: factor)")


class Proportional(Reactive[ProportionalParams]):
    """Answers each act in kind, its size (people) scaled by a factor or by the missions' ratio."""

    name = "proportional"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 1,
        "escalatory": False,  # True when factor > 1
        "forgiving": True,
    }
    Params = ProportionalParams

    def ratio(self, view: SideView) -> float:
        """How much bigger the answer is than the act."""
        p = self.params
        if p.scale == "factor":
            return p.factor
        return view.their_headcount / max(view.my_headcount, 1)

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if seen.missed:
            return ()
        p = self.params
        answer = mirror(seen, view, p.deadline_days, p.rule)
        if answer is None:
            return ()
        if seen.kind in PEOPLE_KINDS:
            size = clamp(seen.size * self.ratio(view))
            if size < 1:
                return ()  # scaled to nobody: no act
            answer = with_size(answer, size)
        elif seen.kind == "cap" and p.scale == "mission_ratio":
            answer = with_size(answer, clamp(seen.size * self.ratio(view)))
        return (answer,)
