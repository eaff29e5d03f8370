"""``tit_for_tat``: answer each hostile act of the other side with an act of the same kind and size.

Source: Rapoport's entry in Axelrod's tournaments (Axelrod, *The Evolution of Cooperation*,
1984), carried over from moves to diplomatic acts: an expulsion of n is answered with an
expulsion of n, a cap of K with a cap of K, a rotation limit of D days with the same limit, a
closed post with a closed post, a visa freeze with a visa freeze, a recalled ambassador with
a recalled ambassador. Like its namesake it also mirrors de-escalation: a lifted measure is
answered by lifting the same measure if this side has it in force, a returned ambassador by
returning its own, a reopened post by reopening one of theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from sim.core.acts import ActSpec
from sim.core.kinds import REVERSES_MEASURE
from sim.core.state import Observation
from sim.policies.base import SideView
from sim.policies.common import Reactive, ReactiveParams

#: De-escalating kinds and the measure (in ``SideView.my_measures``) each one lifts.
#: An observed lift, and the measure of one's own that answering it in kind lifts.
_REVERSALS = REVERSES_MEASURE


class TitForTatParams(ReactiveParams):
    """Only the shared timing: an answer in kind needs nothing else."""


def mirror(seen: Observation, view: SideView, deadline_days: int, rule: str) -> ActSpec | None:
    """The act of the same kind and size as ``seen``, or ``None`` when there is no mirror.

    Shared by every policy that answers in kind; ``None`` for acts with no counterpart
    available (no post of theirs left to close, no ambassador of mine to recall).
    """
    kind, size = seen.kind, seen.size
    if kind in ("expel", "cap", "rotation_limit"):
        roles = seen.roles or None
        return ActSpec(
            kind=kind,
            size=size,
            roles=roles,
            deadline_days=deadline_days,
            rule=rule,
            role_caps=seen.role_caps,
        )
    if kind == "threaten":
        return ActSpec(kind=kind, size=size, threat=seen.detail or "expel", deadline_days=deadline_days)
    if kind == "local_hire_ban":  # a limit answered by the same limit, a ban by a ban
        return ActSpec(kind=kind, deadline_days=deadline_days, local_limit=seen.limit)
    if kind == "close_compound":
        return ActSpec(kind=kind, note=f"a property (answering: {seen.detail})", deadline_days=deadline_days)
    if kind == "cut_services":
        return ActSpec(kind=kind, note=seen.detail)
    if kind == "close_post":
        consulates = [p for p in view.their_open_posts if p != "embassy"]
        if not consulates:
            return None
        return ActSpec(kind="close_post", post=consulates[-1], deadline_days=deadline_days)
    if kind in ("visa_deny", "visa_one_for_one"):
        return ActSpec(kind="visa_policy", visa_policy=kind.removeprefix("visa_"))
    if kind == "recall_ambassador":
        return ActSpec(kind=kind) if view.my_ambassador_present else None
    if kind == "return_ambassador":
        return None if view.my_ambassador_present else ActSpec(kind=kind)
    if kind == "reopen_post":
        return (
            ActSpec(kind="reopen_post", post=view.their_closed_posts[-1]) if view.their_closed_posts else None
        )
    if kind in _REVERSALS and _REVERSALS[kind] in view.my_measures:
        if kind == "visa_issue":
            return ActSpec(kind="visa_policy", visa_policy="issue")
        return ActSpec(kind=kind)
    return None


class TitForTat(Reactive[TitForTatParams]):
    """Answers each act with its mirror image after ``delay_days``, with its own deadline."""

    name = "tit_for_tat"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 1,
        "escalatory": False,
        "forgiving": True,
    }
    Params = TitForTatParams

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if seen.missed:
            return ()
        p = self.params
        answer = mirror(seen, view, p.deadline_days, p.rule)
        return (answer,) if answer is not None else ()
