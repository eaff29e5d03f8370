"""Acts: what a side can do to the other, in one vocabulary shared by documented logs,
scripted scenarios and policies, and its translation to and from events.

An :class:`ActSpec` is an act not yet placed in time; :func:`to_event` places it (day,
seq, deadline) and :func:`describe` reads an act event back as ``(kind, size)``, which is
what the other side's policy observes. ``size`` means: people for ``expel`` and
``threaten``, the ceiling for ``cap``, days for ``rotation_limit``, otherwise 1. The
acts ``close_compound``, ``cut_services`` and ``statement`` move nobody; their ``note`` names
the property, the service or what was said. A visa
change is observed as ``visa_<policy>`` (``visa_deny``, ``visa_one_for_one``, ``visa_issue``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.core import events as ev
from sim.core.kinds import (  # noqa: F401  (the vocabularies, re-exported where acts are read)
    ACT_KINDS,
    DEADLINED,
    DEFAULT_ROLES,
    HOSTILE_KINDS,
    KIND_OF_EVENT,
    KINDS,
    OWN_POST_KINDS,
    POST_KINDS,
    observed_kind,
)

SELECTION_RULES: tuple[str, ...] = ("longest_serving", "newest", "random", "locals_first")


@dataclass(frozen=True, slots=True)
class ActSpec:
    """One act, independent of when it happens. Fields a kind does not use are ignored."""

    kind: str
    size: int = 1
    deadline_days: int = 0
    roles: tuple[str, ...] | None = None
    rule: str = "longest_serving"
    replaceable: bool = False
    post: str | None = None
    visa_policy: str | None = None
    credit: int = 0
    threat: str = "expel"
    note: str = ""
    #: Whom the act is against: ``None`` for the side whose act is being answered (or, in a
    #: scenario of two sides, the other side); a name to answer someone else (a coalition's
    #: leader, say).
    target: str | None = None
    role_caps: tuple[tuple[str, int], ...] = ()  # cap: the ceiling of each role
    local_limit: int = 0  # local_hire_ban: the locals the mission may keep (0: a ban)
    posts: tuple[str, ...] = ()  # expel, rotation_limit: the posts it binds (empty: all)
    processing: tuple[int, int] = (0, 0)  # visa_processing: the host's new days, (min, max)

    def __post_init__(self) -> None:
        if self.kind not in ACT_KINDS:
            raise ValueError(f"unknown act kind {self.kind!r}")


def to_event(
    spec: ActSpec,
    *,
    seq: int,
    day: int,
    actor: str,
    target: str,
    cause: int | None = None,
    source: str = "simulated",
    reference: str | None = None,
    act_id: str | None = None,
) -> ev.Event:
    """The event announcing ``spec`` on ``day``; deadlines are ``day + deadline_days``."""
    base = dict(
        seq=seq,
        day=day,
        actor=actor,
        target=target,
        cause=cause,
        source=source,
        reference=reference,
        act_id=act_id,
    )
    deadline = day + spec.deadline_days
    kind = KINDS[spec.kind]
    roles = spec.roles if spec.roles is not None else (kind.default_roles or ev.ROLES)
    if kind.post and not spec.post:
        raise ValueError(f"{spec.kind} needs a post")
    if kind.event is ev.VisaPolicyChanged and spec.visa_policy not in ev.VISA_POLICIES:
        raise ValueError(f"visa_policy must be one of {', '.join(ev.VISA_POLICIES)}")
    return kind.build(spec, base, deadline, roles)


def describe(event: ev.Event) -> tuple[str, int]:
    """``(kind, size)`` of an act event: the other side's view of it (the kind table's)."""
    return observed_kind(event), KIND_OF_EVENT[type(event)].size(event)


def terms(event: ev.Event) -> dict[str, Any]:
    """The terms of a measure an answer in kind must match, beyond its size and roles: a
    local-hire limit's locals kept, a cap's ceiling per role (empty when it has none)."""
    if type(event) is ev.LocalHireBanImposed and event.limit:
        return {"limit": event.limit}
    if type(event) is ev.StaffCapImposed and event.role_caps:
        return {"role_caps": event.role_caps}
    return {}


def particulars(event: ev.Event) -> tuple[tuple[str, ...], str]:
    """``(roles, detail)`` of an act: the roles it binds, and its post, visa terms or
    threatened kind, so that an answer in kind can match them."""
    roles = tuple(getattr(event, "roles", ()))
    if isinstance(event, ev.ThreatIssued):
        return roles, event.kind
    if isinstance(event, ev.VisaPolicyChanged):
        return roles, event.policy
    if isinstance(event, ev.CompoundClosureOrdered):
        return roles, event.property
    if isinstance(event, ev.ServicesCut):
        return roles, event.service
    return roles, getattr(event, "post", "")
