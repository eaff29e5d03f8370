"""The policy registry: one file per family, one entry here per policy.

Adding a policy is one file plus its test and a line in ``_BUILTIN``; the engine never
names a policy.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from sim.policies.base import Policy, PolicyParams, ScheduledAct, SideView
from sim.policies.none import NoPolicy
from sim.policies.scripted import Scripted
from sim.policies.tit_for_tat import TitForTat

_BUILTIN: tuple[type[Policy], ...] = (NoPolicy, Scripted, TitForTat)

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
