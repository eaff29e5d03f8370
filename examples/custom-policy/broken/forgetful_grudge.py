"""A deliberately broken policy, for docs/custom-policies.md: ``sim check`` must catch it.

``ForgetfulGrudge`` lets the first hostile act pass and answers every later one in kind. It
remembers having forgiven in an attribute on ``self``, which breaks the policy contract: a
policy's decision must depend only on the side's observations and view. A fork (or a resumed
run) rebuilds the policy from the scenario and the log, the attribute is gone, and the forked
run forgives a second time where the original answered; ``sim check`` reports it under "forks".
The correct version reads the past from ``history`` instead (see the docs page).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from sim.policies import (
    ActSpec,
    Observation,
    PolicyParams,
    Reactive,
    ReactiveParams,
    SideView,
    hostile,
    mirror,
)


class ForgetfulGrudgeParams(ReactiveParams):
    """Only the shared timing."""


class ForgetfulGrudge(Reactive[ForgetfulGrudgeParams]):
    """Forgives the first hostile act, answers later ones in kind (memory kept on self: a bug)."""

    name = "forgetful_grudge"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": float("inf"),
        "escalatory": False,
        "forgiving": True,
    }
    Params = ForgetfulGrudgeParams

    def __init__(self, params: PolicyParams | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self.forgiven = False  # THE BUG: state outside the event log

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if not hostile(seen):
            return ()
        if not self.forgiven:
            self.forgiven = True
            return ()
        p = self.params
        answer = mirror(seen, view, p.deadline_days, p.rule)
        return (answer,) if answer is not None else ()
