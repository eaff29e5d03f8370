"""The policy registry: one file per family, one entry here per policy.

Adding a built-in policy is one file plus its test and a line in ``_BUILTIN``; users add
their own through a package entry point or a ``file:`` kind (:mod:`sim.policies.plugins`).
The engine never names a policy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.core import randomness
from sim.core.acts import ActSpec
from sim.core.dated_acts import Int
from sim.core.kinds import HOSTILE_KINDS
from sim.core.state import Observation
from sim.policies.always_hostile import AlwaysHostile
from sim.policies.answer_leader_only import AnswerLeaderOnly
from sim.policies.base import Policy, PolicyParams, ScheduledAct, SideView
from sim.policies.batch_tit_for_tat import BatchTitForTat
from sim.policies.common import PEOPLE_KINDS, Float, Reactive, ReactiveParams, clamp, hostile, with_size
from sim.policies.escalate import Escalate
from sim.policies.generous_tit_for_tat import GenerousTitForTat
from sim.policies.graduated import Graduated
from sim.policies.grim_trigger import GrimTrigger
from sim.policies.grit import Grit
from sim.policies.hold_leader import HoldLeader
from sim.policies.never_respond import NeverRespond
from sim.policies.none import NoPolicy
from sim.policies.parity import Parity
from sim.policies.plugins import (
    BROKEN,
    FILE_KINDS,
    PluginError,
    is_file_kind,
    load_entry_points,
    load_file_policy,
)
from sim.policies.proportional import Proportional
from sim.policies.reverse_if_reversed import ReverseIfReversed
from sim.policies.scripted import Scripted
from sim.policies.threshold import Threshold
from sim.policies.tit_for_tat import TitForTat, mirror
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
    BatchTitForTat,
    HoldLeader,
    AnswerLeaderOnly,
)

#: The built-in policies by name, and installed plugins once :func:`registry` has loaded them.
REGISTRY: dict[str, type[Policy]] = {cls.name: cls for cls in _BUILTIN}
BUILTIN_KINDS: frozenset[str] = frozenset(REGISTRY)
_plugins_loaded = False


def registry() -> dict[str, type[Policy]]:
    """Every usable policy by name: the built-in ones and those of installed plugins.

    Plugins load on first use, not when this module is imported: a plugin module imports
    ``sim.policies`` itself, so loading plugins during that import would be circular (a test
    file that imports its plugin first would find it half-initialised).
    """
    global _plugins_loaded
    if not _plugins_loaded:
        _plugins_loaded = True
        load_entry_points(REGISTRY)
    return REGISTRY


class UnknownPolicy(KeyError):
    """A policy kind that no registered policy has."""


def policy_class(kind: str, base: Path | None = None) -> type[Policy]:
    """The class ``kind`` names: a registered name or ``file:PATH.py:Class`` (``PATH``
    relative to ``base``, the working directory if None). Raises :class:`UnknownPolicy`, or
    :class:`PluginError` for a plugin that cannot be used."""
    if is_file_kind(kind):
        return load_file_policy(kind, base)
    try:
        return registry()[kind]
    except KeyError:
        if kind in BROKEN:
            raise PluginError(BROKEN[kind]) from None
        raise UnknownPolicy(kind) from None


def kind_of(cls: type[Policy]) -> str:
    """What a scenario writes to get ``cls``: its name, or the absolute ``file:`` kind of a
    class loaded from a file."""
    return FILE_KINDS.get(cls, cls.name)


def make_policy(config: dict[str, Any], base: Path | None = None) -> Policy:
    """Build a policy from ``{"kind": name, **params}``; raises ``UnknownPolicy``,
    ``PluginError``, or pydantic's ``ValidationError`` for bad parameters."""
    params = dict(config)
    cls = policy_class(params.pop("kind"), base)
    return cls(cls.Params(**params))


#: Everything a policy author needs comes from here: ``from sim.policies import Reactive, ...``.
__all__ = [
    "BUILTIN_KINDS",
    "HOSTILE_KINDS",
    "PEOPLE_KINDS",
    "REGISTRY",
    "ActSpec",
    "Float",
    "Int",
    "Observation",
    "PluginError",
    "Policy",
    "PolicyParams",
    "Reactive",
    "ReactiveParams",
    "ScheduledAct",
    "SideView",
    "UnknownPolicy",
    "ValidationError",
    "clamp",
    "hostile",
    "kind_of",
    "make_policy",
    "mirror",
    "policy_class",
    "randomness",
    "registry",
    "with_size",
]
