"""``grit``: announced unilateral de-escalation steps, kept up without reciprocity, with
proportionate retaliation held in reserve.

Source: Osgood, *An Alternative to War or Surrender* (1962): Graduated and Reciprocated
Initiatives in Tension-reduction. Until ``first_day`` the side answers like tit for tat. On
``first_day`` it announces a programme of conciliatory steps (a statement) and then takes one
every ``interval_days``, ``steps`` times, whether or not the other side reciprocates: lifting in
turn the measures named in ``step_kinds`` (its cap, rotation limit, local-hire ban, visa freeze
on the other's mission, returning its ambassador). Lifting a measure not in force changes
nothing, so list the ones the spiral put in place.

From the announcement on, it keeps the capacity to retaliate, as Osgood asks, but only against
fresh encroachment, and in proportion: an expulsion, a closure, a new or harsher measure is
answered in kind; an act that merely re-imposes a measure already standing (the echo of an
exchange of identical caps or visa freezes) goes unanswered, which is what lets the echo die.
On a step day it does not retaliate at all: the day belongs to the step. De-escalation is
always mirrored. In the repeated game (``sim.analysis.game``), where every hostile move is a fresh
expulsion, this is tit for tat except that the announcement and step rounds are calm whatever
the other side did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field

from sim.core.acts import ActSpec
from sim.core.dated_acts import Int
from sim.core.state import Observation
from sim.policies.base import ScheduledAct, SideView
from sim.policies.common import Reactive, ReactiveParams, encroaches, hostile
from sim.policies.tit_for_tat import mirror

StepKind = Literal[
    "lift_cap", "lift_rotation_limit", "lift_local_hire_ban", "visa_issue", "return_ambassador"
]


class GritParams(ReactiveParams):
    first_day: Int = Field(180, ge=0, le=36_525, description="day of the announcement (from the start)")
    interval_days: Int = Field(60, ge=1, le=3650, description="days between steps")
    steps: Int = Field(3, ge=1, le=100, description="conciliatory steps taken without reciprocity")
    step_kinds: tuple[StepKind, ...] = Field(
        ("lift_cap", "lift_rotation_limit", "visa_issue"),
        min_length=1,
        description="what each step lifts, in turn (cycling if there are more steps)",
    )


def _step_spec(kind: str) -> ActSpec:
    if kind == "visa_issue":
        return ActSpec(kind="visa_policy", visa_policy="issue")
    return ActSpec(kind=kind)


class Grit(Reactive[GritParams]):
    """Osgood's GRIT: tit for tat, then announced conciliatory steps on schedule, answering only
    fresh encroachment meanwhile."""

    name = "grit"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": float("inf"),  # telling fresh encroachment from an echo looks back
        "escalatory": False,
        "forgiving": True,
    }
    Params = GritParams

    def step_days(self) -> range:
        """The announcement day and the step days."""
        p = self.params
        return range(p.first_day, p.first_day + p.steps * p.interval_days + 1, p.interval_days)

    def scheduled(self, start: dt.date) -> Sequence[ScheduledAct]:
        p = self.params
        days = self.step_days()
        plan = ", ".join(p.step_kinds[k % len(p.step_kinds)] for k in range(p.steps))
        note = f"announces {p.steps} unilateral steps, one every {p.interval_days} days: {plan}"
        acts = [ScheduledAct(day=days[0], spec=ActSpec(kind="statement", note=note))]
        for k, day in enumerate(days[1:]):
            acts.append(ScheduledAct(day=day, spec=_step_spec(p.step_kinds[k % len(p.step_kinds)])))
        return acts

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if seen.missed:
            return ()
        p = self.params
        programme = hostile(seen) and view.day >= p.first_day
        if programme and (view.day in self.step_days() or not encroaches(history)):
            return ()
        answer = mirror(seen, view, p.deadline_days, p.rule)
        return (answer,) if answer is not None else ()
