"""The working state: the fold the engine records into and a replay folds with, one mutable
handler per event type, then :func:`freeze` into the persistent :class:`~sim.core.state.State`.

The pure ``apply`` of :mod:`sim.core.state` builds a new persistent state per event (O(log n)
with shared structure, but an allocation of every level it touches); the engine applies
~10^4-10^6 events per run and reads the state between them, so here a mission is a plain
object with dicts, changed in place, and the persistent snapshot is taken only when someone
reads it (a finished run, a replay, a test). The handlers are the same rules as ``apply``'s,
with the same :class:`~sim.core.state.LogError` for an event that cannot follow the state;
``apply`` stays as the oracle a property compares them with (``fold(log) == fold_pure(log)``).

Missions are keyed by ``(sender, host)``; a working mission (:mod:`sim.core.working_mission`)
keeps, beside what the persistent state holds, indexes that are functions of it.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from typing import Any

from immutables import Map

from sim.core import events as ev
from sim.core.state import LogError, Mission, Person, Request, State, check_replaces, mission_key, observation
from sim.core.working_mission import WorkingMission

_tuple = tuple.__new__  # a named tuple from a tuple of its fields, without its Python-level __new__


class World:
    """Every mission's working state, in the order the missions opened."""

    __slots__ = ("day", "last_seq", "missions", "sides")

    def __init__(self) -> None:
        self.day, self.last_seq = 0, -1
        self.missions: dict[tuple[str, str], WorkingMission] = {}
        self.sides: list[str] = []

    def record(self, event: ev.Event) -> None:
        """Fold ``event`` in, or raise :class:`LogError` if it cannot follow the state.

        One table lookup routes an event to its handler and tells which party sends the
        mission it concerns (every event passes here, so this is the fold's per-event cost).
        """
        seq, day = event.seq, event.day
        if seq != self.last_seq + 1:
            raise LogError(f"event seq {seq} follows seq {self.last_seq}: the log has a gap")
        if day < self.day:
            raise LogError(f"event seq {seq} on day {day} precedes day {self.day}")
        cls = type(event)
        route = _ROUTES.get(cls)
        if route is not None:
            handler, sender_is_actor = route
            key = (event.actor, event.target) if sender_is_actor else (event.target, event.actor)
        elif cls is ev.MissionOpened:
            _opened(self, event)  # type: ignore[arg-type]
            self.day, self.last_seq = day, seq
            return
        else:  # the mission is named by a field (DeadlineReached)
            handler, key = HANDLERS.get(cls), mission_key(event)
        mission = self.missions.get(key)
        if mission is None:
            raise LogError(f"event seq {seq} concerns unknown mission {key[0]!r}")
        if handler is None:
            raise KeyError(cls)  # not an event class of the vocabulary
        handler(mission, event)
        self.day, self.last_seq = day, seq


def fold(events: Iterable[ev.Event]) -> State:
    """Replay ``events`` from the empty world: the working handlers, then one freeze."""
    world = World()
    record = world.record
    for event in events:
        record(event)
    return freeze(world)


def freeze(world: World) -> State:
    """The persistent snapshot of ``world`` (what ``fold_pure`` of the same log returns)."""
    missions = {key: _frozen(m) for key, m in world.missions.items()}
    return State(day=world.day, last_seq=world.last_seq, missions=Map(missions), sides=tuple(world.sides))


def _frozen(m: WorkingMission) -> Mission:
    return Mission(
        name=m.name,
        host=m.host,
        posts=m.posts,
        targets=Map(m.targets),
        staff=Map(m.staff),
        counts=Map(m.present_counts()),
        requests=Map(m.requests),
        requested=Map(m.requested),
        orders=Map(m.orders),
        arrivals=m.arrivals,
        departures=m.departures,
        requests_made=m.requests_made,
        visa_policy=m.visa_policy,
        visa_credit=m.visa_credit,
        visa_blocked=m.visa_blocked,
        visas_issued=m.visas_issued,
        visas_issued_day=m.visas_issued_day,
        visas_issued_that_day=m.visas_issued_that_day,
        visa_counted_from=m.visa_counted_from,
        cap=m.cap,
        rotation_limit=m.rotation_limit,
        local_hire_ban=m.local_hire_ban,
        closed_posts=m.closed_posts,
        closed_by_host=m.closed_by_host,
        ambassador_present=m.ambassador_present,
        threats_received=m.threats_received,
        compounds_closed=tuple(m.compounds_closed),
        services_cut=tuple(m.services_cut),
        observed=tuple(m.observed),
        local_limit=m.local_limit,
        processing=Map(m.processing),
        replacing=Map(m.replacing),
    )


# --- handlers: (mission, event) -> None, each beside the rule it keeps ---------------------


def _opened(world: World, e: ev.MissionOpened) -> None:
    key = (e.actor, e.target)
    if e.actor == e.target:
        raise LogError(f"event seq {e.seq}: mission {e.actor!r} cannot be hosted by its own side")
    if key in world.missions:
        raise LogError(f"event seq {e.seq}: mission {e.actor!r} is already open")
    world.missions[key] = WorkingMission(e)
    if e.actor not in world.sides:
        world.sides.append(e.actor)


def _bump(counts: dict[Any, int], key: Any, delta: int) -> None:
    counts[key] = counts.get(key, 0) + delta


def _arrived(m: WorkingMission, e: ev.StaffArrived) -> None:
    # The busiest handlers (arrivals, departures, requests, visas) spell ``_bump`` out and
    # build their named tuples with ``tuple.__new__``: the same values, without a Python-level
    # call for each (a named tuple's constructor is one).
    post, role = e.post, e.role
    if post not in m.posts:
        raise LogError(f"event seq {e.seq}: {m.name} has no post {post!r}")
    if e.request is not None:
        filled = m.requests.pop(e.request, None)
        if filled is None:
            raise LogError(f"event seq {e.seq}: arrival fills unknown request {e.request}")
        requested, key = m.requested, (filled.post, filled.role)
        requested[key] = requested.get(key, 0) - 1
        m._ready.discard(e.request)
        if m.replaced_by:  # a replacement made ahead arrived: the one it replaces stays leaving
            m.replaced_by.pop(e.request, None)
    m.staff[e.seq] = _tuple(Person, (role, post, e.arrived, e.tour_end, m.arrivals))
    counts, key = m.counts, (post, role)
    counts[key] = counts.get(key, 0) + 1
    m.arrivals += 1


def _departed(m: WorkingMission, e: ev.StaffDeparted) -> None:
    try:
        person = m.staff[e.person]
    except KeyError:
        raise LogError(f"event seq {e.seq}: person {e.person} is not on {m.name}'s staff") from None
    key = (person.post, person.role)
    if e.cause is not None:
        order = m.orders.get(e.cause)
        if type(order) is ev.ExpulsionOrdered and not order.replaceable:
            m.targets[key] = max(0, m.targets.get(key, 0) - 1)
    del m.staff[e.person]
    if m.replacing and e.person in m.replacing:
        m.replaced_by.pop(m.replacing.pop(e.person), None)
        m.leaving[key] -= 1
    else:
        counts = m.counts
        counts[key] = counts.get(key, 0) - 1
    m.departures += 1


def _reassigned(m: WorkingMission, e: ev.StaffReassigned) -> None:
    person = _present(m, e.person, e.seq)
    if e.post not in m.posts:
        raise LogError(f"event seq {e.seq}: {m.name} has no post {e.post!r}")
    counts = m.leaving if e.person in m.replacing else m.counts
    _bump(counts, (person.post, person.role), -1)
    _bump(counts, (e.post, person.role), 1)
    m.staff[e.person] = person._replace(post=e.post)


def _present(m: WorkingMission, person: int, seq: int) -> Person:
    try:
        return m.staff[person]
    except KeyError:
        raise LogError(f"event seq {seq}: person {person} is not on {m.name}'s staff") from None


def _requested(m: WorkingMission, e: ev.VisaRequested) -> None:
    key = (e.post, e.role)
    m.requests[e.seq] = _tuple(Request, (e.role, e.post, e.due, None))
    requested = m.requested
    requested[key] = requested.get(key, 0) + 1
    m.requests_made += 1
    heapq.heappush(m._due, (e.due, e.seq))
    if e.replaces is not None:
        _replace_ahead(m, e)


def _replace_ahead(m: WorkingMission, e: ev.VisaRequested) -> None:
    """The person a request made ahead replaces counts as leaving (see ``WorkingMission.counts``)."""
    check_replaces(m, e)
    pid = e.replaces
    key = (e.post, e.role)
    m.replacing[pid] = e.seq  # type: ignore[index]
    m.replaced_by[e.seq] = pid  # type: ignore[assignment]
    m.counts[key] -= 1
    _bump(m.leaving, key, 1)


def _request(m: WorkingMission, request: int, seq: int) -> Request:
    try:
        return m.requests[request]
    except KeyError:
        raise LogError(f"event seq {seq}: no open visa request {request}") from None


def _issued(m: WorkingMission, e: ev.VisaIssued) -> None:
    request = _request(m, e.request, e.seq)
    m.requests[e.request] = _tuple(Request, (request.role, request.post, request.due, e.arrives))
    m._ready.discard(e.request)
    same_day = m.visas_issued_day == e.day
    m.visas_issued += 1
    m.visas_issued_day = e.day
    m.visas_issued_that_day = (m.visas_issued_that_day + 1) if same_day else 1


def _closed_request(m: WorkingMission, request: int, seq: int) -> None:
    """``m`` without open request ``request`` (denied, withdrawn)."""
    closed = _request(m, request, seq)
    del m.requests[request]
    requested, key = m.requested, (closed.post, closed.role)
    requested[key] = requested.get(key, 0) - 1
    m._ready.discard(request)
    if m.replaced_by and request in m.replaced_by:  # the person it replaced counts again
        pid = m.replaced_by.pop(request)
        del m.replacing[pid]
        person = m.staff[pid]
        _bump(m.leaving, (person.post, person.role), -1)
        _bump(m.counts, (person.post, person.role), 1)


def _denied(m: WorkingMission, e: ev.VisaDenied) -> None:
    _closed_request(m, e.request, e.seq)
    m.visa_blocked = True


def _withdrawn(m: WorkingMission, e: ev.VisaRequestWithdrawn) -> None:
    _closed_request(m, e.request, e.seq)


def _ordered(m: WorkingMission, e: ev.Event) -> None:
    m.orders[e.seq] = e
    m.version += 1


def _deadline(m: WorkingMission, e: ev.DeadlineReached) -> None:
    order = m.orders.pop(e.measure, None)
    if order is None:
        raise LogError(f"event seq {e.seq}: measure {e.measure} is not awaiting a deadline")
    m.version += 1
    cls = type(order)
    if cls is ev.StaffCapImposed:
        m.cap = order  # type: ignore[assignment]
    elif cls is ev.RotationLimitImposed:
        m.rotation_limit = order  # type: ignore[assignment]
    elif cls is ev.LocalHireBanImposed:
        m.local_hire_ban = True
        m.local_limit = order.limit  # type: ignore[attr-defined]
    elif cls is ev.PostClosureOrdered or cls is ev.OwnPostClosureOrdered:
        # Closing the embassy closes the mission: every post shuts with it.
        post = order.post  # type: ignore[attr-defined]
        shut = frozenset(m.posts) if post == "embassy" else frozenset({post})
        m.closed_posts = m.closed_posts | shut
        if cls is ev.PostClosureOrdered:
            m.closed_by_host = m.closed_by_host | shut


def _drop_orders(
    m: WorkingMission, kinds: tuple[type, ...], keep: Callable[[Any], bool] = lambda o: False
) -> None:
    """Cancel the pending orders of ``kinds`` (a lift cancels them too)."""
    for seq in [s for s, o in m.orders.items() if isinstance(o, kinds) and not keep(o)]:
        del m.orders[seq]
    m.version += 1


def _expulsions_lifted(m: WorkingMission, e: ev.ExpulsionsLifted) -> None:
    _drop_orders(m, (ev.ExpulsionOrdered,))


def _cap_lifted(m: WorkingMission, e: ev.StaffCapLifted) -> None:
    m.cap = None
    _drop_orders(m, (ev.StaffCapImposed,))


def _limit_lifted(m: WorkingMission, e: ev.RotationLimitLifted) -> None:
    m.rotation_limit = None
    _drop_orders(m, (ev.RotationLimitImposed,))


def _ban_lifted(m: WorkingMission, e: ev.LocalHireBanLifted) -> None:
    m.local_hire_ban, m.local_limit = False, 0
    _drop_orders(m, (ev.LocalHireBanImposed,))


def _reopened(m: WorkingMission, e: ev.PostReopened) -> None:
    if e.post not in m.posts:
        raise LogError(f"event seq {e.seq}: {m.name} has no post {e.post!r}")
    _drop_orders(m, (ev.PostClosureOrdered, ev.OwnPostClosureOrdered), keep=lambda o: o.post != e.post)
    m.closed_posts = m.closed_posts - {e.post}
    m.closed_by_host = m.closed_by_host - {e.post}


def _own_reopened(m: WorkingMission, e: ev.OwnPostReopened) -> None:
    if e.post not in m.posts:
        raise LogError(f"event seq {e.seq}: {m.name} has no post {e.post!r}")
    if e.post in m.closed_by_host:
        return  # the host closed it too: only the host can let it reopen
    _drop_orders(m, (ev.OwnPostClosureOrdered,), keep=lambda o: o.post != e.post)
    m.closed_posts = m.closed_posts - {e.post}


def _processing_changed(m: WorkingMission, e: ev.VisaProcessingChanged) -> None:
    for post in e.posts:
        if post not in m.posts:
            raise LogError(f"event seq {e.seq}: {m.name} has no post {post!r}")
    if not e.posts:
        m.processing = {"": (e.low, e.high)}
    else:
        m.processing.update({post: (e.low, e.high) for post in e.posts})


def _visa_policy(m: WorkingMission, e: ev.VisaPolicyChanged) -> None:
    m.visa_policy, m.visa_credit, m.visa_blocked = e.policy, e.credit, False
    m.visa_counted_from = (e.issued_to_target, e.issued_to_actor)


def _recalled(m: WorkingMission, e: ev.AmbassadorRecalled) -> None:
    m.ambassador_present = False


def _returned(m: WorkingMission, e: ev.AmbassadorReturned) -> None:
    m.ambassador_present = True


def _threat(m: WorkingMission, e: ev.ThreatIssued) -> None:
    m.threats_received += 1


def _compound(m: WorkingMission, e: ev.CompoundClosureOrdered) -> None:
    m.compounds_closed.append(e.property)


def _services(m: WorkingMission, e: ev.ServicesCut) -> None:
    m.services_cut.append(e.service)


def _statement(m: WorkingMission, e: ev.StatementMade) -> None:
    return None


def _observed(m: WorkingMission, e: ev.ActObserved) -> None:
    m.observed.append(observation(e))


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
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


#: Each class's handler and whether its events concern the actor's own mission (True) or the
#: target's (False); classes whose mission is named by a field (``DeadlineReached``) are left out.
_ROUTES: dict[type, tuple[Callable[[Any, Any], None], bool]] = {
    cls: (handler, cls.MISSION_OF == "actor")
    for cls, handler in HANDLERS.items()
    if cls.mission is ev.Event.mission
}
