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

from sim.core import events as ev

ACT_KINDS: tuple[str, ...] = (
    "expel",
    "lift_expulsions",
    "cap",
    "lift_cap",
    "rotation_limit",
    "lift_rotation_limit",
    "close_post",
    "reopen_post",
    "close_own_post",
    "reopen_own_post",
    "local_hire_ban",
    "lift_local_hire_ban",
    "visa_policy",
    "recall_ambassador",
    "return_ambassador",
    "threaten",
    "close_compound",
    "cut_services",
    "statement",
)

#: Kinds that need a deadline after the announcement (the rest take effect at once).
DEADLINED: frozenset[str] = frozenset(
    {"expel", "cap", "rotation_limit", "close_post", "close_own_post", "local_hire_ban"}
)

#: Kinds that name a post (of the target for close/reopen, of the actor for the *_own_* ones).
POST_KINDS: frozenset[str] = frozenset({"close_post", "reopen_post", "close_own_post", "reopen_own_post"})
#: The post kinds that name a post of the actor's own mission (the rest name the target's).
OWN_POST_KINDS: frozenset[str] = frozenset({"close_own_post", "reopen_own_post"})

SELECTION_RULES: tuple[str, ...] = ("longest_serving", "newest", "random", "locals_first")

DEFAULT_ROLES: dict[str, tuple[str, ...]] = {
    "expel": ("diplomat", "admin_technical"),
    "cap": ev.ROLES,
    "rotation_limit": ("diplomat", "admin_technical"),
}


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
    roles = spec.roles if spec.roles is not None else DEFAULT_ROLES.get(spec.kind, ev.ROLES)
    kind = spec.kind
    if kind == "expel":
        return ev.ExpulsionOrdered(
            **base,
            count=spec.size,
            roles=roles,
            rule=spec.rule,
            deadline=deadline,
            replaceable=spec.replaceable,
        )
    if kind == "cap":
        return ev.StaffCapImposed(**base, cap=spec.size, roles=roles, rule=spec.rule, deadline=deadline)
    if kind == "rotation_limit":
        return ev.RotationLimitImposed(**base, limit_days=spec.size, roles=roles, deadline=deadline)
    if kind in POST_KINDS and not spec.post:
        raise ValueError(f"{kind} needs a post")
    if kind == "close_post":
        return ev.PostClosureOrdered(**base, post=spec.post, deadline=deadline)
    if kind == "close_own_post":
        return ev.OwnPostClosureOrdered(**base, post=spec.post, deadline=deadline)
    if kind == "reopen_post":
        return ev.PostReopened(**base, post=spec.post)
    if kind == "reopen_own_post":
        return ev.OwnPostReopened(**base, post=spec.post)
    if kind == "local_hire_ban":
        return ev.LocalHireBanImposed(**base, deadline=deadline)
    if kind == "visa_policy":
        if spec.visa_policy not in ev.VISA_POLICIES:
            raise ValueError(f"visa_policy must be one of {', '.join(ev.VISA_POLICIES)}")
        return ev.VisaPolicyChanged(**base, policy=spec.visa_policy, credit=spec.credit)
    if kind == "threaten":
        return ev.ThreatIssued(
            **base,
            kind=spec.threat,
            count=spec.size,
            deadline=deadline if spec.deadline_days else None,
            note=spec.note,
        )
    if kind == "close_compound":
        return ev.CompoundClosureOrdered(
            **base, property=spec.note or "a compound", deadline=deadline if spec.deadline_days else None
        )
    if kind == "cut_services":
        return ev.ServicesCut(**base, service=spec.note or "services")
    if kind == "statement":
        return ev.StatementMade(**base, note=spec.note)
    simple = {
        "lift_expulsions": ev.ExpulsionsLifted,
        "lift_cap": ev.StaffCapLifted,
        "lift_rotation_limit": ev.RotationLimitLifted,
        "lift_local_hire_ban": ev.LocalHireBanLifted,
        "recall_ambassador": ev.AmbassadorRecalled,
        "return_ambassador": ev.AmbassadorReturned,
    }
    return simple[kind](**base)


def describe(event: ev.Event) -> tuple[str, int]:
    """``(kind, size)`` of an act event: the other side's view of it."""
    if isinstance(event, ev.ExpulsionOrdered):
        return "expel", event.count
    if isinstance(event, ev.StaffCapImposed):
        return "cap", event.cap
    if isinstance(event, ev.RotationLimitImposed):
        return "rotation_limit", event.limit_days
    if isinstance(event, ev.ThreatIssued):
        return "threaten", event.count
    if isinstance(event, ev.VisaPolicyChanged):
        return f"visa_{event.policy}", 1
    kinds = {
        ev.ExpulsionsLifted: "lift_expulsions",
        ev.StaffCapLifted: "lift_cap",
        ev.RotationLimitLifted: "lift_rotation_limit",
        ev.PostClosureOrdered: "close_post",
        ev.OwnPostClosureOrdered: "close_own_post",
        ev.PostReopened: "reopen_post",
        ev.OwnPostReopened: "reopen_own_post",
        ev.LocalHireBanImposed: "local_hire_ban",
        ev.CompoundClosureOrdered: "close_compound",
        ev.ServicesCut: "cut_services",
        ev.StatementMade: "statement",
        ev.LocalHireBanLifted: "lift_local_hire_ban",
        ev.AmbassadorRecalled: "recall_ambassador",
        ev.AmbassadorReturned: "return_ambassador",
    }
    return kinds[type(event)], 1


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


#: Observed kinds that count as hostile (what ``describe`` returns for hostile acts).
HOSTILE_KINDS: frozenset[str] = frozenset(
    {
        "expel",
        "cap",
        "rotation_limit",
        "close_post",
        "local_hire_ban",
        "visa_deny",
        "visa_one_for_one",
        "recall_ambassador",
        "threaten",
        "close_compound",
        "cut_services",
    }
)
