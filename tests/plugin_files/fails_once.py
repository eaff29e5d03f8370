"""A policy that fails the first time it is ever asked in a process, then never again (state
kept on its class: a bug). Replaying the failing example passes, which Hypothesis reports as
a flaky failure; ``sim check`` must still say which property failed, with its scenario."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from sim.core.acts import ActSpec
from sim.core.state import Observation
from sim.policies import SideView
from sim.policies.common import Reactive, ReactiveParams


class FailsOnceParams(ReactiveParams):
    """Only the shared timing."""


class FailsOnce(Reactive):
    """Raises on its first call in a process, answers nothing afterwards."""

    name = "fails_once"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 0,
        "escalatory": False,
        "forgiving": True,
    }
    Params = FailsOnceParams
    failed: ClassVar[bool] = False

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        if not type(self).failed:
            type(self).failed = True
            raise RuntimeError("first call in this process")
        return ()
