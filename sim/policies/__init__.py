"""The policy registry: one file per family, one entry here per policy.

Adding a policy is one file plus its test and a line in ``_BUILTIN``; the engine never
names a policy.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from sim.policies.always_hostile import AlwaysHostile
from sim.policies.base import Policy, PolicyParams, ScheduledAct, SideView
from sim.policies.escalate import Escalate
from sim.policies.generous_tit_for_tat import GenerousTitForTat
from sim.policies.graduated import Graduated
from sim.policies.grim_trigger import GrimTrigger
from sim.policies.grit import Grit
from sim.policies.never_respond import NeverRespond
from sim.policies.none import NoPolicy
from sim.policies.parity import Parity
from sim.policies.proportional import Proportional
from sim.policies.reverse_if_reversed import ReverseIfReversed
from sim.policies.scripted import Scripted
from sim.policies.threshold import Threshold
from sim.policies.tit_for_tat import TitForTat
from sim.policies.tit_for_two_tats import TitForTwoTats
from sim.policies.win_stay_lose_shift import WinStayLoseShift

_BUILTIN: tuple[type[Policy], ...] = (
    NoPolicy,
    Scripted,
    TitForTat,
    Proportional,
    Escalate,
    TitForTwoTats,
    GenerousTitForTat,
    GrimTrigger,
    WinStayLoseShift,
    Graduated,
    Grit,
    Parity,
    Threshold,
    ReverseIfReversed,
    AlwaysHostile,
    NeverRespond,
)

REGISTRY: dict[str, type[Policy]] = {cls.name: cls for cls in _BUILTIN}


class UnknownPolicy(KeyError):
    """A policy kind that no registered policy has."""


def policy_class(kind: str) -> type[Policy]:
    try:
        return REGISTRY[kind]
    except KeyError:
        raise UnknownPolicy(kind) from None


def make_policy(config: dict[str, Any]) -> Policy:
    """Build a policy from ``{"kind": name, **params}``; raises ``UnknownPolicy`` or
    pydantic's ``ValidationError`` for bad parameters."""
    params = dict(config)
    cls = policy_class(params.pop("kind"))
    return cls(cls.Params(**params))


__all__ = [
    "REGISTRY",
    "Policy",
    "PolicyParams",
    "ScheduledAct",
    "SideView",
    "UnknownPolicy",
    "ValidationError",
    "make_policy",
    "policy_class",
]
