"""``answer_leader_only``: answer a coalition's leader in kind and ignore the states that joined it.

Source: one of the two readings of Russia's choice in March 2018 that it did not make (it
answered all 29 states, SKR18-043 to SKR18-072 of the shipped expulsions_pre2022.csv): a target
of a joint announcement may treat the followers' acts as symbolic and answer only the state
that organised it, to avoid a quarrel with each. Acts outside any coalition are answered in
kind, as by ``tit_for_tat``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from sim.core.acts import ActSpec
from sim.core.state import Observation
from sim.policies.base import SideView
from sim.policies.common import Reactive, ReactiveParams
from sim.policies.tit_for_tat import mirror


class AnswerLeaderOnlyParams(ReactiveParams):
    """Only the shared timing."""


def followed(seen: Observation, view: SideView) -> bool:
    """Whether ``seen`` is a follower's part of a coalition a third side led (not the actor,
    and not the observer itself: a coalition one's own first act began is no one to answer)."""
    leader = seen.leader
    return seen.coalition is not None and leader is not None and leader not in (view.other, view.me)


class AnswerLeaderOnly(Reactive[AnswerLeaderOnlyParams]):
    """Answers in kind the leader's acts and acts outside coalitions; followers get nothing."""

    name = "answer_leader_only"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 1,
        "escalatory": False,
        "forgiving": True,
    }
    Params = AnswerLeaderOnlyParams

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if seen.missed or followed(seen, view):
            return ()
        answer = mirror(seen, view, self.params.deadline_days, self.params.rule)
        return (answer,) if answer is not None else ()
