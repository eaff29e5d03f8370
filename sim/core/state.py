"""The projection: ``apply(state, event) -> state``, the only place where state changes.

``apply`` is pure (the input state is never touched; persistent maps from ``immutables``
share what did not change, so a step costs O(log n), not a copy of the mission) and total
over the event vocabulary: every event type has exactly one handler. An event that does not
fit the state it is applied to (a departure of someone absent, a gap in ``seq``) is a corrupt
log, and ``apply`` says so with :class:`LogError` instead of guessing.

Replaying a log is ``fold(events)``; the engine builds its state the same way, one
``record`` at a time, which is why a stored log replays to exactly the engine's final state.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from immutables import Map

from sim.core import events as ev


class LogError(ValueError):
    """An event does not fit the state it is applied to: the log is corrupt or out of order."""


class Person(NamedTuple):
    role: str
    post: str
    arrived: int
    tour_end: int
    number: int  # the mission's n-th arrival: a side-neutral key for random draws


class Request(NamedTuple):
    """A visa request: ``arrives`` is ``None`` until the host issues the visa."""

    role: str
    post: str
    due: int
    arrives: int | None


class Observation(NamedTuple):
    """One entry of a side's memory: what it saw of the other side's acts, and when."""

    act: int
    day: int
    kind: str
    size: int
    roles: tuple[str, ...]
    detail: str
    missed: bool
    #: The coalition the act was part of (``None``: the actor alone), how many other actors
    #: joined it, and who led it: what coalition-aware policies answer.
    coalition: str | None = None
    partners: int = 0
    leader: str | None = None
    limit: int = 0  # a local-hire limit's locals kept (0: a ban)
    role_caps: tuple[tuple[str, int], ...] = ()  # a cap's ceiling per role


class Mission(NamedTuple):
    """The sending side ``name``'s mission in ``host``'s capital.

    A named tuple rather than a frozen dataclass: ``_replace`` on it is five times faster
    than ``dataclasses.replace``, and every event replaces a mission.
    """

    name: str
    host: str
    posts: tuple[str, ...]
    targets: Map = Map()  # (post, role) -> wanted headcount
    staff: Map = Map()  # person id -> Person
    counts: Map = Map()  # (post, role) -> present headcount
    requests: Map = Map()  # request id -> Request
    requested: Map = Map()  # (post, role) -> open requests (kept beside `requests` for speed)
    orders: Map = Map()  # measure seq -> announced act awaiting its deadline
    arrivals: int = 0
    departures: int = 0
    requests_made: int = 0
    visa_policy: str = "issue"
    visa_credit: int = 0
    visa_blocked: bool = False
    visas_issued: int = 0  # visas the host issued to this mission's staff, all time
    visas_issued_day: int = -1  # the last day on which the host issued one
    visas_issued_that_day: int = 0
    visa_counted_from: tuple[int, int] = (0, 0)  # (issued to us, issued by us) when the terms changed
    cap: ev.StaffCapImposed | None = None
    rotation_limit: ev.RotationLimitImposed | None = None
    local_hire_ban: bool = False
    closed_posts: frozenset[str] = frozenset()
    closed_by_host: frozenset[str] = frozenset()  # the part of closed_posts the host closed
    ambassador_present: bool = True
    threats_received: int = 0
    compounds_closed: tuple[str, ...] = ()  # properties of this mission its host closed
    services_cut: tuple[str, ...] = ()  # services this mission stopped giving
    observed: tuple[Observation, ...] = ()  # this side's memory of the other side's acts
    local_limit: int = 0  # the locals it may keep while local_hire_ban stands (0: a ban)
    processing: Map = Map()  # post ("" for every post) -> (min, max) days the host now takes
    replacing: Map = Map()  # person id -> the request made ahead of their tour's end for them

    @property
    def headcount(self) -> int:
        return len(self.staff)

    def role_count(self, role: str) -> int:
        return sum(n for (_, r), n in self.counts.items() if r == role)

    def visas_issued_before(self, day: int) -> int:
        """Visas issued to this mission before ``day``: the side-neutral basis of one-for-one."""
        if self.visas_issued_day == day:
            return self.visas_issued - self.visas_issued_that_day
        return self.visas_issued


class State(NamedTuple):
    day: int = 0
    last_seq: int = -1
    missions: Map = Map()  # (sender, host) -> Mission
    sides: tuple[str, ...] = ()  # senders in the order their missions opened

    def mission(self, sender: str, host: str | None = None) -> Mission:
        """The mission of ``sender`` in ``host``'s capital; without ``host``, the sender's one
        mission (``KeyError`` if it has none, ``ValueError`` if it has several)."""
        if host is not None:
            return self.missions[(sender, host)]
        found = [m for (s, _), m in self.missions.items() if s == sender]
        if len(found) != 1:
            if not found:
                raise KeyError(sender)
            raise ValueError(f"{sender} has {len(found)} missions: name the host")
        return found[0]

    def mission_list(self) -> list[Mission]:
        """Every mission, senders in the order their missions opened."""
        order = {name: index for index, name in enumerate(self.sides)}
        return sorted(self.missions.values(), key=lambda m: (order[m.name], m.host))


#: What joins a mission's sender and host in its label when a sender has several missions
#: ("UK>RU"): ``>`` is in no side's name, so a label splits back (``split_label``).
PAIR = ">"


def pair_label(sender: str, host: str) -> str:
    """The label of ``sender``'s mission in ``host``'s capital in tables and charts."""
    return f"{sender}{PAIR}{host}"


def mission_key(event: ev.Event) -> tuple[str, str]:
    """``(sender, host)`` of the mission ``event`` concerns: the mission's sender is
    ``event.mission``, its host the other party of the event."""
    sender = event.mission
    return (sender, event.target if sender == event.actor else event.actor)


def apply(state: State, event: ev.Event) -> State:
    """Return the state after ``event``; raise :class:`LogError` if it does not fit."""
    if event.seq != state.last_seq + 1:
        raise LogError(f"event seq {event.seq} follows seq {state.last_seq}: the log has a gap")
    if event.day < state.day:
        raise LogError(f"event seq {event.seq} on day {event.day} precedes day {state.day}")
    handler = _HANDLERS[type(event)]
    if isinstance(event, ev.MissionOpened):
        return handler(state, event)
    key = mission_key(event)
    if key not in state.missions:
        raise LogError(f"event seq {event.seq} concerns unknown mission {key[0]!r}")
    mission = handler(state.missions[key], event)
    return state._replace(day=event.day, last_seq=event.seq, missions=state.missions.set(key, mission))


def fold_pure(events: Iterable[ev.Event], state: State | None = None) -> State:
    """Replay ``events`` from ``state`` (default: the empty world) with the pure ``apply``: the
    oracle of :func:`sim.core.working.fold`, which replays use."""
    current = state if state is not None else State()
    for event in events:
        current = apply(current, event)
    return current


# --- handlers: (mission, event) -> mission -------------------------------------------------


def _opened(state: State, e: ev.MissionOpened) -> State:
    key = (e.actor, e.target)
    if e.actor == e.target:
        raise LogError(f"event seq {e.seq}: mission {e.actor!r} cannot be hosted by its own side")
    if key in state.missions:
        raise LogError(f"event seq {e.seq}: mission {e.actor!r} is already open")
    targets = Map({(post, role): n for post, role, n in e.targets})
    mission = Mission(
        name=e.actor,
        host=e.target,
        posts=tuple(e.posts),
        targets=targets,
        visa_policy=e.visa_policy,
        visa_credit=e.visa_credit,
    )
    sides = state.sides if e.actor in state.sides else (*state.sides, e.actor)
    return state._replace(day=e.day, last_seq=e.seq, missions=state.missions.set(key, mission), sides=sides)


def _bump(counts: Map, key: tuple[str, str], delta: int) -> Map:
    return counts.set(key, counts.get(key, 0) + delta)


def _arrived(m: Mission, e: ev.StaffArrived) -> Mission:
    if e.post not in m.posts:
        raise LogError(f"event seq {e.seq}: {m.name} has no post {e.post!r}")
    requests, requested = m.requests, m.requested
    if e.request is not None:
        if e.request not in requests:
            raise LogError(f"event seq {e.seq}: arrival fills unknown request {e.request}")
        filled = requests[e.request]
        requests = requests.delete(e.request)
        requested = _bump(requested, (filled.post, filled.role), -1)
    person = Person(e.role, e.post, e.arrived, e.tour_end, m.arrivals)
    return m._replace(
        staff=m.staff.set(e.seq, person),
        counts=_bump(m.counts, (e.post, e.role), 1),
        requests=requests,
        requested=requested,
        arrivals=m.arrivals + 1,
    )


def _departed(m: Mission, e: ev.StaffDeparted) -> Mission:
    person = _present(m, e.person, e.seq)
    targets = m.targets
    order = m.orders.get(e.cause) if e.cause is not None else None
    if isinstance(order, ev.ExpulsionOrdered) and not order.replaceable:
        key = (person.post, person.role)
        targets = targets.set(key, max(0, targets.get(key, 0) - 1))
    replacing = m.replacing.delete(e.person) if e.person in m.replacing else m.replacing
    return m._replace(
        staff=m.staff.delete(e.person),
        counts=_bump(m.counts, (person.post, person.role), -1),
        targets=targets,
        departures=m.departures + 1,
        replacing=replacing,
    )


def _reassigned(m: Mission, e: ev.StaffReassigned) -> Mission:
    person = _present(m, e.person, e.seq)
    if e.post not in m.posts:
        raise LogError(f"event seq {e.seq}: {m.name} has no post {e.post!r}")
    counts = _bump(_bump(m.counts, (person.post, person.role), -1), (e.post, person.role), 1)
    return m._replace(staff=m.staff.set(e.person, person._replace(post=e.post)), counts=counts)


def _present(m: Mission, person: int, seq: int) -> Person:
    try:
        return m.staff[person]
    except KeyError:
        raise LogError(f"event seq {seq}: person {person} is not on {m.name}'s staff") from None


def _requested(m: Mission, e: ev.VisaRequested) -> Mission:
    request = Request(e.role, e.post, e.due, None)
    replacing = m.replacing
    if e.replaces is not None:
        check_replaces(m, e)
        replacing = replacing.set(e.replaces, e.seq)
    return m._replace(
        requests=m.requests.set(e.seq, request),
        requested=_bump(m.requested, (e.post, e.role), 1),
        requests_made=m.requests_made + 1,
        replacing=replacing,
    )


def check_replaces(m: Mission | Any, e: ev.VisaRequested) -> None:
    """A request made ahead replaces someone present, not already replaced, in its own cell
    (both folds ask it: a working mission has the same ``staff`` and ``replacing``)."""
    person = _present(m, e.replaces, e.seq)  # type: ignore[arg-type]
    if e.replaces in m.replacing:
        raise LogError(f"event seq {e.seq}: person {e.replaces} is already being replaced")
    if (person.post, person.role) != (e.post, e.role):
        raise LogError(f"event seq {e.seq}: person {e.replaces} is not a {e.role} at {e.post}")


def _request(m: Mission, request: int, seq: int) -> Request:
    try:
        return m.requests[request]
    except KeyError:
        raise LogError(f"event seq {seq}: no open visa request {request}") from None


def _issued(m: Mission, e: ev.VisaIssued) -> Mission:
    request = _request(m, e.request, e.seq)
    same_day = m.visas_issued_day == e.day
    return m._replace(
        requests=m.requests.set(e.request, request._replace(arrives=e.arrives)),
        visas_issued=m.visas_issued + 1,
        visas_issued_day=e.day,
        visas_issued_that_day=(m.visas_issued_that_day + 1) if same_day else 1,
    )


def _closed_request(m: Mission, request: int, seq: int) -> Mission:
    """``m`` without open request ``request`` (denied, withdrawn)."""
    closed = _request(m, request, seq)
    # A request made ahead that will not be filled: the person it replaced counts again.
    replaced = [pid for pid, rid in m.replacing.items() if rid == request]
    return m._replace(
        requests=m.requests.delete(request),
        requested=_bump(m.requested, (closed.post, closed.role), -1),
        replacing=m.replacing.delete(replaced[0]) if replaced else m.replacing,
    )


def _denied(m: Mission, e: ev.VisaDenied) -> Mission:
    return _closed_request(m, e.request, e.seq)._replace(visa_blocked=True)


def _withdrawn(m: Mission, e: ev.VisaRequestWithdrawn) -> Mission:
    return _closed_request(m, e.request, e.seq)


def _ordered(m: Mission, e: ev.Event) -> Mission:
    return m._replace(orders=m.orders.set(e.seq, e))


def _deadline(m: Mission, e: ev.DeadlineReached) -> Mission:
    order = m.orders.get(e.measure)
    if order is None:
        raise LogError(f"event seq {e.seq}: measure {e.measure} is not awaiting a deadline")
    m = m._replace(orders=m.orders.delete(e.measure))
    if isinstance(order, ev.StaffCapImposed):
        return m._replace(cap=order)
    if isinstance(order, ev.RotationLimitImposed):
        return m._replace(rotation_limit=order)
    if isinstance(order, ev.LocalHireBanImposed):
        return m._replace(local_hire_ban=True, local_limit=order.limit)
    if isinstance(order, (ev.PostClosureOrdered, ev.OwnPostClosureOrdered)):
        # Closing the embassy closes the mission: every post shuts with it.
        shut = frozenset(m.posts) if order.post == "embassy" else frozenset({order.post})
        by_host = m.closed_by_host | shut if isinstance(order, ev.PostClosureOrdered) else m.closed_by_host
        return m._replace(closed_posts=m.closed_posts | shut, closed_by_host=by_host)
    return m


def _without_orders(m: Mission, kind: type, keep: Callable[[Any], bool] = lambda o: False) -> Map:
    """``m.orders`` less the pending orders of ``kind`` (a lift cancels them too)."""
    orders = m.orders
    for seq, order in m.orders.items():
        if isinstance(order, kind) and not keep(order):
            orders = orders.delete(seq)
    return orders


def _expulsions_lifted(m: Mission, e: ev.ExpulsionsLifted) -> Mission:
    return m._replace(orders=_without_orders(m, ev.ExpulsionOrdered))


def _cap_lifted(m: Mission, e: ev.StaffCapLifted) -> Mission:
    return m._replace(cap=None, orders=_without_orders(m, ev.StaffCapImposed))


def _limit_lifted(m: Mission, e: ev.RotationLimitLifted) -> Mission:
    return m._replace(rotation_limit=None, orders=_without_orders(m, ev.RotationLimitImposed))


def _ban_lifted(m: Mission, e: ev.LocalHireBanLifted) -> Mission:
    return m._replace(local_hire_ban=False, local_limit=0, orders=_without_orders(m, ev.LocalHireBanImposed))


def _reopened(m: Mission, e: ev.PostReopened) -> Mission:
    if e.post not in m.posts:
        raise LogError(f"event seq {e.seq}: {m.name} has no post {e.post!r}")
    closures = (ev.PostClosureOrdered, ev.OwnPostClosureOrdered)
    orders = _without_orders(m, closures, keep=lambda o: o.post != e.post)
    return m._replace(
        closed_posts=m.closed_posts - {e.post}, closed_by_host=m.closed_by_host - {e.post}, orders=orders
    )


def _own_reopened(m: Mission, e: ev.OwnPostReopened) -> Mission:
    if e.post not in m.posts:
        raise LogError(f"event seq {e.seq}: {m.name} has no post {e.post!r}")
    if e.post in m.closed_by_host:
        return m  # the host closed it too: only the host can let it reopen
    orders = _without_orders(m, ev.OwnPostClosureOrdered, keep=lambda o: o.post != e.post)
    return m._replace(closed_posts=m.closed_posts - {e.post}, orders=orders)


def _processing_changed(m: Mission, e: ev.VisaProcessingChanged) -> Mission:
    """The host's new processing time: for every post (replacing each post's own), or for
    the posts named."""
    for post in e.posts:
        if post not in m.posts:
            raise LogError(f"event seq {e.seq}: {m.name} has no post {post!r}")
    if not e.posts:
        return m._replace(processing=Map({"": (e.low, e.high)}))
    return m._replace(processing=m.processing.update({post: (e.low, e.high) for post in e.posts}))


def _visa_policy(m: Mission, e: ev.VisaPolicyChanged) -> Mission:
    return m._replace(
        visa_policy=e.policy,
        visa_credit=e.credit,
        visa_blocked=False,
        visa_counted_from=(e.issued_to_target, e.issued_to_actor),
    )


def _recalled(m: Mission, e: ev.AmbassadorRecalled) -> Mission:
    return m._replace(ambassador_present=False)


def _returned(m: Mission, e: ev.AmbassadorReturned) -> Mission:
    return m._replace(ambassador_present=True)


def _threat(m: Mission, e: ev.ThreatIssued) -> Mission:
    return m._replace(threats_received=m.threats_received + 1)


def _compound(m: Mission, e: ev.CompoundClosureOrdered) -> Mission:
    return m._replace(compounds_closed=(*m.compounds_closed, e.property))


def _services(m: Mission, e: ev.ServicesCut) -> Mission:
    return m._replace(services_cut=(*m.services_cut, e.service))


def _statement(m: Mission, e: ev.StatementMade) -> Mission:
    return m


def observation(e: ev.ActObserved) -> Observation:
    """The memory entry an ``ActObserved`` leaves (both folds keep it)."""
    return Observation(
        e.act,
        e.day,
        e.kind,
        e.size,
        e.roles,
        e.detail,
        e.missed,
        e.coalition,
        e.partners,
        e.leader,
        e.limit,
        e.role_caps,
    )


def _observed(m: Mission, e: ev.ActObserved) -> Mission:
    return m._replace(observed=(*m.observed, observation(e)))


_HANDLERS: dict[type, Callable[[Any, Any], Any]] = {
    ev.MissionOpened: _opened,
    ev.StaffArrived: _arrived,
    ev.StaffDeparted: _departed,
    ev.StaffReassigned: _reassigned,
    ev.VisaRequested: _requested,
    ev.VisaIssued: _issued,
    ev.VisaDenied: _denied,
    ev.VisaRequestWithdrawn: _withdrawn,
    ev.ExpulsionOrdered: _ordered,
    ev.StaffCapImposed: _ordered,
    ev.RotationLimitImposed: _ordered,
    ev.PostClosureOrdered: _ordered,
    ev.OwnPostClosureOrdered: _ordered,
    ev.LocalHireBanImposed: _ordered,
    ev.StaffCapLifted: _cap_lifted,
    ev.ExpulsionsLifted: _expulsions_lifted,
    ev.RotationLimitLifted: _limit_lifted,
    ev.LocalHireBanLifted: _ban_lifted,
    ev.PostReopened: _reopened,
    ev.OwnPostReopened: _own_reopened,
    ev.VisaPolicyChanged: _visa_policy,
    ev.VisaProcessingChanged: _processing_changed,
    ev.AmbassadorRecalled: _recalled,
    ev.AmbassadorReturned: _returned,
    ev.ThreatIssued: _threat,
    ev.CompoundClosureOrdered: _compound,
    ev.ServicesCut: _services,
    ev.StatementMade: _statement,
    ev.DeadlineReached: _deadline,
    ev.ActObserved: _observed,
}


# --- summaries ----------------------------------------------------------------------------


def headcounts(state: State) -> dict[str, dict[str, int]]:
    """``{mission: {role: n}}`` for every mission, every role listed (zeros included); a
    mission is named by its sender, or ``SENDER>HOST`` when a sender has several missions."""
    missions = state.mission_list()
    several = len({m.name for m in missions}) < len(missions)
    return {
        (pair_label(m.name, m.host) if several else m.name): {role: m.role_count(role) for role in ev.ROLES}
        for m in missions
    }


def to_dict(state: State) -> dict[str, Any]:
    """A canonical, JSON-ready picture of the whole state (for digests and debugging)."""

    def mission(m: Mission) -> dict[str, Any]:
        picture = _mission_picture(m)
        if m.local_limit:  # added after schema 1: only when set, so older states digest as they did
            picture["local_limit"] = m.local_limit
        if m.processing:
            picture["processing"] = sorted([post, *days] for post, days in m.processing.items())
        if m.replacing:
            picture["replacing"] = sorted([pid, rid] for pid, rid in m.replacing.items())
        return picture

    return {
        "day": state.day,
        "last_seq": state.last_seq,
        "missions": [mission(m) for m in state.mission_list()],
    }


def _mission_picture(m: Mission) -> dict[str, Any]:
    """A mission's part of :func:`to_dict`, as it was at schema 1."""
    return {
        "name": m.name,
        "host": m.host,
        "posts": list(m.posts),
        "targets": sorted([p, r, n] for (p, r), n in m.targets.items()),
        "staff": sorted([pid, *person] for pid, person in m.staff.items()),
        "requests": sorted([rid, *req] for rid, req in m.requests.items()),
        "orders": sorted(m.orders.keys()),
        "arrivals": m.arrivals,
        "departures": m.departures,
        "requests_made": m.requests_made,
        "visa": [m.visa_policy, m.visa_credit, m.visa_blocked, m.visas_issued, list(m.visa_counted_from)],
        "cap": m.cap.seq if m.cap else None,
        "rotation_limit": m.rotation_limit.seq if m.rotation_limit else None,
        "local_hire_ban": m.local_hire_ban,
        "closed_posts": sorted(m.closed_posts),
        "closed_by_host": sorted(m.closed_by_host),
        "ambassador_present": m.ambassador_present,
        "threats_received": m.threats_received,
        "compounds_closed": list(m.compounds_closed),
        "services_cut": list(m.services_cut),
        "observed": [_observation(o) for o in m.observed],
    }


def _observation(seen: Observation) -> list[object]:
    """An observation as a list; its coalition fields (added after the first schema) only
    when set, so a state without coalitions digests as it always did."""
    out: list[object] = [*seen[:4], list(seen.roles), *seen[5:7]]
    if seen.coalition is not None:
        out += [seen.coalition, seen.partners, seen.leader]
    if seen.limit or seen.role_caps:
        out += [seen.limit, [list(pair) for pair in seen.role_caps]]
    return out


def digest(state: State) -> str:
    """SHA-256 of :func:`to_dict`: equal digests mean equal states."""
    text = json.dumps(to_dict(state), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
