"""The one table of act kinds: what each kind of act is, in one entry.

An entry says which event announces the act and how it is built from an
:class:`~sim.core.acts.ActSpec`, what its ``size`` is when the other side observes it,
whether it is hostile, whether it waits for a deadline and which roles it binds by default,
whether it names a post (the target's or the actor's own), what it reverses, whether it
stands until lifted, whether its size counts people, and its CAMEO code. Every other
vocabulary (the acts a scenario may hold, the kinds policies scale, mirror or lift, the
codes of ``sim export --codes``, the checks of ``sim.testing``) is read from this table.

Adding a kind: its event class in :mod:`sim.core.events` with its handlers (pure in
:mod:`sim.core.state`, working in :mod:`sim.core.working`), one entry here, its deadline
mechanic in :mod:`sim.engine.deadlines` if it has a deadline, and a row in the
mechanics tests; docs/architecture.md lists the same steps.

Visa acts are one kind (``visa_policy``) observed under three names (``visa_issue``,
``visa_deny``, ``visa_one_for_one``): their entries are the ``VISA_TERMS`` below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.core import events as ev

Build = Callable[[Any, dict[str, Any], int, tuple[str, ...]], ev.Event]


@dataclass(frozen=True, slots=True)
class ActKind:
    """One kind of act (see the module's docstring for what each field means)."""

    name: str
    event: type[ev.Event]
    build: Build  # (spec, shared event fields, deadline day, roles) -> the announcing event
    size: Callable[[Any], int] = lambda event: 1  # the size the other side observes
    hostile: bool = False
    deadlined: bool = False
    default_roles: tuple[str, ...] | None = None
    post: str | None = None  # "target" or "own" for kinds that name a post
    reverses: str | None = None  # the kind this act undoes
    standing: bool = False  # stands until lifted (caps, limits, bans, closures, recalls)
    people: bool = False  # its size counts people (the kinds a policy can scale)
    cameo: str = "010"
    #: The optional fields of a dated act only this kind takes: ``posts`` (the posts it
    #: binds), ``caps`` (a ceiling per role), ``limit`` (the locals a mission may keep),
    #: ``processing_days`` (a host's new visa processing time).
    takes: tuple[str, ...] = ()


def _when(spec: Any, deadline: int) -> int | None:
    return deadline if spec.deadline_days else None


_PEOPLE = ("diplomat", "admin_technical")

KINDS: dict[str, ActKind] = {
    kind.name: kind
    for kind in (
        ActKind(
            "expel",
            ev.ExpulsionOrdered,
            lambda s, b, deadline, roles: ev.ExpulsionOrdered(
                **b,
                count=s.size,
                roles=roles,
                rule=s.rule,
                deadline=deadline,
                replaceable=s.replaceable,
                posts=s.posts,
            ),
            size=lambda e: e.count,
            hostile=True,
            deadlined=True,
            default_roles=_PEOPLE,
            people=True,
            cameo="166",
            takes=("posts",),
        ),
        ActKind(
            "lift_expulsions",
            ev.ExpulsionsLifted,
            lambda s, b, d, r: ev.ExpulsionsLifted(**b),
            reverses="expel",
            cameo="050",
        ),
        ActKind(
            "cap",
            ev.StaffCapImposed,
            lambda s, b, d, roles: ev.StaffCapImposed(
                **b, cap=s.size, roles=roles, rule=s.rule, deadline=d, role_caps=s.role_caps
            ),
            size=lambda e: e.cap,
            hostile=True,
            deadlined=True,
            default_roles=ev.ROLES,
            standing=True,
            cameo="161",
            takes=("caps",),
        ),
        ActKind(
            "lift_cap",
            ev.StaffCapLifted,
            lambda s, b, d, r: ev.StaffCapLifted(**b),
            reverses="cap",
            cameo="050",
        ),
        ActKind(
            "rotation_limit",
            ev.RotationLimitImposed,
            lambda s, b, d, roles: ev.RotationLimitImposed(
                **b, limit_days=s.size, roles=roles, deadline=d, posts=s.posts
            ),
            size=lambda e: e.limit_days,
            hostile=True,
            deadlined=True,
            default_roles=_PEOPLE,
            standing=True,
            cameo="161",
            takes=("posts",),
        ),
        ActKind(
            "lift_rotation_limit",
            ev.RotationLimitLifted,
            lambda s, b, d, r: ev.RotationLimitLifted(**b),
            reverses="rotation_limit",
            cameo="050",
        ),
        ActKind(
            "close_post",
            ev.PostClosureOrdered,
            lambda s, b, d, r: ev.PostClosureOrdered(**b, post=s.post, deadline=d),
            hostile=True,
            deadlined=True,
            post="target",
            standing=True,
            cameo="161",
        ),
        ActKind(
            "reopen_post",
            ev.PostReopened,
            lambda s, b, d, r: ev.PostReopened(**b, post=s.post),
            post="target",
            reverses="close_post",
            cameo="054",
        ),
        ActKind(
            "close_own_post",
            ev.OwnPostClosureOrdered,
            lambda s, b, d, r: ev.OwnPostClosureOrdered(**b, post=s.post, deadline=d),
            deadlined=True,
            post="own",
            cameo="161",
        ),
        ActKind(
            "reopen_own_post",
            ev.OwnPostReopened,
            lambda s, b, d, r: ev.OwnPostReopened(**b, post=s.post),
            post="own",
            reverses="close_own_post",
            cameo="054",
        ),
        ActKind(
            "local_hire_ban",
            ev.LocalHireBanImposed,
            lambda s, b, d, r: ev.LocalHireBanImposed(**b, deadline=d, limit=s.local_limit),
            hostile=True,
            deadlined=True,
            standing=True,
            cameo="161",
            takes=("limit",),
        ),
        ActKind(
            "lift_local_hire_ban",
            ev.LocalHireBanLifted,
            lambda s, b, d, r: ev.LocalHireBanLifted(**b),
            reverses="local_hire_ban",
            cameo="050",
        ),
        ActKind(
            "visa_policy",
            ev.VisaPolicyChanged,
            lambda s, b, d, r: ev.VisaPolicyChanged(**b, policy=s.visa_policy, credit=s.credit),
            cameo="161",  # by its terms: see VISA_TERMS
        ),
        ActKind(
            "visa_processing",
            ev.VisaProcessingChanged,
            lambda s, b, d, r: ev.VisaProcessingChanged(
                **b, low=s.processing[0], high=s.processing[1], posts=s.posts
            ),
            cameo="161",  # a visa restriction when slower; not answered in kind (no mirror of its days)
            takes=("posts", "processing_days"),
        ),
        ActKind(
            "recall_ambassador",
            ev.AmbassadorRecalled,
            lambda s, b, d, r: ev.AmbassadorRecalled(**b),
            hostile=True,
            standing=True,
            cameo="161",
        ),
        ActKind(
            "return_ambassador",
            ev.AmbassadorReturned,
            lambda s, b, d, r: ev.AmbassadorReturned(**b),
            reverses="recall_ambassador",
            cameo="050",
        ),
        ActKind(
            "threaten",
            ev.ThreatIssued,
            lambda s, b, d, r: ev.ThreatIssued(
                **b, kind=s.threat, count=s.size, deadline=_when(s, d), note=s.note
            ),
            size=lambda e: e.count,
            hostile=True,
            people=True,
            cameo="1313",
        ),
        ActKind(
            "close_compound",
            ev.CompoundClosureOrdered,
            lambda s, b, d, r: ev.CompoundClosureOrdered(
                **b, property=s.note or "a compound", deadline=_when(s, d)
            ),
            hostile=True,
            cameo="161",
        ),
        ActKind(
            "cut_services",
            ev.ServicesCut,
            lambda s, b, d, r: ev.ServicesCut(**b, service=s.note or "services"),
            hostile=True,
            cameo="161",
        ),
        ActKind("statement", ev.StatementMade, lambda s, b, d, r: ev.StatementMade(**b, note=s.note)),
    )
}

#: The visa act as observed, by its new terms: (hostile, CAMEO code, the kind that lifts it).
VISA_TERMS: dict[str, tuple[bool, str, str | None]] = {
    "visa_issue": (False, "050", None),
    "visa_deny": (True, "161", "visa_issue"),
    "visa_one_for_one": (True, "161", "visa_issue"),
}

#: Event class -> its act kind.
KIND_OF_EVENT: dict[type[ev.Event], ActKind] = {kind.event: kind for kind in KINDS.values()}


def observed_kind(event: ev.Event) -> str:
    """The kind the other side sees (visa acts by their terms: ``visa_deny``...)."""
    kind = KIND_OF_EVENT[type(event)]
    if kind.event is ev.VisaPolicyChanged:
        return f"visa_{event.policy}"  # type: ignore[attr-defined]
    return kind.name


def is_hostile(event: ev.Event) -> bool:
    """True for acts a reciprocating side answers (a visa change counts unless it is ``issue``)."""
    kind = KIND_OF_EVENT.get(type(event))
    if kind is None:
        return False
    if kind.event is ev.VisaPolicyChanged:
        return VISA_TERMS[observed_kind(event)][0]
    return kind.hostile


# --- the vocabularies the rest of the package reads, all derived from the table ------------

ACT_KINDS: tuple[str, ...] = tuple(KINDS)
DEADLINED: frozenset[str] = frozenset(k for k, v in KINDS.items() if v.deadlined)
POST_KINDS: frozenset[str] = frozenset(k for k, v in KINDS.items() if v.post)
OWN_POST_KINDS: frozenset[str] = frozenset(k for k, v in KINDS.items() if v.post == "own")
DEFAULT_ROLES: dict[str, tuple[str, ...]] = {k: v.default_roles for k, v in KINDS.items() if v.default_roles}
#: Observed kinds that count as hostile.
HOSTILE_KINDS: frozenset[str] = frozenset(
    [k for k, v in KINDS.items() if v.hostile] + [k for k, (hostile, _, _) in VISA_TERMS.items() if hostile]
)
#: Kinds whose ``size`` counts people: the ones a policy can scale.
PEOPLE_KINDS: frozenset[str] = frozenset(k for k, v in KINDS.items() if v.people)
#: Each optional field of a dated act (``ActKind.takes``) and the kinds that take it.
TAKEN_BY: dict[str, tuple[str, ...]] = {
    name: tuple(k for k, v in KINDS.items() if name in v.takes)
    for name in ("posts", "caps", "limit", "processing_days")
}
#: Hostile kinds that stand until lifted, and the observed kind that lifts each.
LIFTED_BY: dict[str, str] = {
    **{v.reverses: k for k, v in KINDS.items() if v.reverses and KINDS[v.reverses].standing},
    **{k: lift for k, (_, _, lift) in VISA_TERMS.items() if lift},
}
#: De-escalating observed kinds (what lifts a standing measure).
CONCILIATORY_KINDS: frozenset[str] = frozenset(LIFTED_BY.values())


def _is_host_measure(kind: ActKind) -> bool:
    """A hostile measure on the other mission with a deadline and no post (what a side keeps
    in ``my_measures`` by kind)."""
    return kind.hostile and kind.deadlined and not kind.post


#: Observed kinds that lift a host measure of the observer's own, and that measure's kind
#: (what answering a lift in kind lifts).
REVERSES_MEASURE: dict[str, str] = {
    **{k: v.reverses for k, v in KINDS.items() if v.reverses and _is_host_measure(KINDS[v.reverses])},
    "visa_issue": "visa_policy",
}
#: CAMEO code of every observed kind.
CAMEO: dict[str, str] = {
    **{k: v.cameo for k, v in KINDS.items() if k != "visa_policy"},
    **{k: code for k, (_, code, _) in VISA_TERMS.items()},
}
