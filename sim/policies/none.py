"""``none``: the side never acts and never answers (the control case, and documented replay)."""

from __future__ import annotations

from typing import Any, ClassVar

from sim.policies.base import Policy, PolicyParams


class NoPolicy(Policy[PolicyParams]):
    """Does nothing, ever. With documented acts alone this replays history as it happened."""

    name = "none"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 0,
        "escalatory": False,
        "forgiving": True,
    }
    observes = False
