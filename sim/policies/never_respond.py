"""``never_respond``: takes note of every act of the other side and never answers.

Source: "ALL C", the unconditional cooperator of Axelrod's tournaments (Axelrod, *The
Evolution of Cooperation*, 1984). Unlike ``none`` (which records no observations at all, for
documented replays) it observes: the log shows each act it saw and let pass, and noise
wrappers apply to it, which is what a comparison of policies under noise needs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sim.policies.common import Reactive, ReactiveParams


class NeverRespondParams(ReactiveParams):
    """The shared timing: when it takes note of an act (it never answers)."""


class NeverRespond(Reactive[NeverRespondParams]):
    """ALL C: observes everything, answers nothing."""

    name = "never_respond"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 0,
        "escalatory": False,
        "forgiving": True,
    }
    Params = NeverRespondParams
