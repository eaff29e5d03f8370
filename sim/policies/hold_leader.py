"""``hold_leader``: hold a coalition's leader responsible for what the whole coalition did.

Source: Russia's order of 30 March 2018 that the United Kingdom, which had led the Salisbury
wave, cut its missions in Russia to the size of Russia's in the UK, "a little over 50" more
people (SKR18-045 of the shipped expulsions_pre2022.csv), beside its one-for-one answers. This
policy makes the leader pay instead of the followers: each follower's act is answered against
the leader, either in kind (``answer: mirror``: the leader loses what the coalition took, the
coalition's total) or by one cap on the leader's diplomats and technical staff at the size of
one's own mission in the leader's capital (``answer: parity_cap``; not repeated while a cap of
its stands and parity holds). The leader's own acts, acts outside coalitions, and acts of a
coalition whose leader it keeps no mission with (nothing to hold it by) are answered in kind.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field

from sim.core.acts import ActSpec
from sim.core.state import Observation
from sim.policies.answer_leader_only import followed
from sim.policies.base import SideView
from sim.policies.common import PEOPLE_KINDS, Reactive, ReactiveParams
from sim.policies.tit_for_tat import mirror

#: Whom a parity cap counts: the diplomats and technical staff a parity order is about (local
#: staff are the host's own people; Russia's 2018 order on the UK counted "diplomatic and
#: technical staff", SKR18-045).
PARITY_ROLES = ("diplomat", "admin_technical")


class HoldLeaderParams(ReactiveParams):
    """The shared timing and how the leader pays."""

    answer: Literal["mirror", "parity_cap"] = Field(
        "mirror", description="the followers' acts in kind against the leader, or one parity cap on it"
    )


class HoldLeader(Reactive[HoldLeaderParams]):
    """Answers a follower's act against the coalition's leader (in kind, or a parity cap)."""

    name = "hold_leader"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 1,
        "escalatory": True,
        "forgiving": True,
    }
    Params = HoldLeaderParams

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        p = self.params
        if seen.missed:
            return ()
        if not followed(seen, view) or (view.me, seen.leader) not in view.headcounts:
            # Outside a coalition, its leader's own act, or a leader it keeps no mission with
            # (nothing to hold it by): the act is answered in kind.
            answer = mirror(seen, view, p.deadline_days, p.rule)
            return (answer,) if answer is not None else ()
        leader = seen.leader
        assert leader is not None  # followed() says so
        if p.answer == "mirror":
            answer = mirror(seen, view, p.deadline_days, p.rule)
            if answer is None or seen.kind not in PEOPLE_KINDS:
                return ()  # a closure or a recall names the follower's posts and envoy, not the leader's
            return (dataclasses.replace(answer, target=leader),)
        mine = view.headcounts.get((view.me, leader))
        theirs = view.headcounts.get((leader, view.me))
        if mine is None or theirs is None or theirs <= mine:
            return ()  # parity holds (or there is no mission to cap)
        if "cap" in view.measures.get(leader, frozenset()):
            return ()  # a cap of mine on the leader stands already
        return (
            ActSpec(
                kind="cap",
                size=mine,
                roles=PARITY_ROLES,
                deadline_days=p.deadline_days,
                rule=p.rule,
                target=leader,
            ),
        )
