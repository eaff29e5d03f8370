"""Invariant checks: plain functions that raise ``AssertionError`` saying which event or day
broke which of the seven properties, so they compose into any Hypothesis property (see
:mod:`sim.testing`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sim.core import events as ev
from sim.core.state import Mission, State, apply
from sim.core.working import fold
from sim.engine.loop import Engine, fork, simulate
from sim.scenario.models import Scenario
from sim.store.sqlite import log_digest
from sim.testing.strategies import reversed_sides


def _day_ends(log: Sequence[ev.Event], horizon: int | None) -> list[tuple[int, State]]:
    """(day, state) at the last day each state holds: the day before the next event's day."""
    out: list[tuple[int, State]] = []
    state = State()
    for index, event in enumerate(log):
        state = apply(state, event)
        following = log[index + 1].day if index + 1 < len(log) else None
        if following is None:
            out.append((max(event.day, horizon if horizon is not None else event.day), state))
        elif following > event.day:
            out.append((event.day, state))
            if following - 1 > event.day:
                out.append((following - 1, state))
    return out


def assert_conservation(log: Sequence[ev.Event]) -> None:
    """Every mission: arrivals - departures == headcount >= 0 after every event, and the
    per-post counters agree with the staff list."""
    state = State()
    for event in log:
        state = apply(state, event)
        for (name, host), m in state.missions.items():
            assert m.arrivals - m.departures == len(m.staff) >= 0, (
                f"seq {event.seq}: {name} in {host} arrivals {m.arrivals} - departures {m.departures}"
                f" != headcount {len(m.staff)}"
            )
            counted = Counter((p.post, p.role) for p in m.staff.values())
            assert all(m.counts.get(k, 0) == n for k, n in counted.items()), f"seq {event.seq}: counts drift"
            assert all(n >= 0 for n in m.counts.values()), f"seq {event.seq}: a negative headcount"


def assert_deadlines_hold(log: Sequence[ev.Event], horizon: int | None = None) -> None:
    """Deadlines bind: when a measure's deadline is reached, exactly the people it orders out
    have gone; and on every day after, the mission is within its cap and each role within its
    own ceiling, nobody has served past a rotation limit (at the posts it binds), no more
    locals work than a local limit allows (none under a ban), nobody works at a closed post, and no
    measure waits past its deadline."""
    _check_at_deadlines(log)
    for day, state in _day_ends(log, horizon):
        for m in state.missions.values():
            _check_measures_in_force(m, day)


def _check_at_deadlines(log: Sequence[ev.Event]) -> None:
    departed: Counter[int] = Counter()
    state = State()
    for event in log:
        state = apply(state, event)
        if type(event) is ev.StaffDeparted and event.cause is not None:
            departed[event.cause] += 1
        if type(event) is not ev.DeadlineReached:
            continue
        order = log[event.measure]
        host = order.actor if order.target == event.concerns else order.target
        m = state.mission(event.concerns, host)
        assert event.day == order.deadline, f"seq {event.seq}: measure {order.seq} enforced on the wrong day"
        if type(order) is ev.ExpulsionOrdered:
            gone = departed[order.seq]
            left = sum(
                1
                for p in m.staff.values()
                if p.role in order.roles and (not order.posts or p.post in order.posts)
            )
            assert gone == order.count or (gone < order.count and left == 0), (
                f"seq {order.seq}: expelled {gone} of {order.count} with {left} eligible still present"
            )
        elif type(order) is ev.StaffCapImposed:
            _check_cap(m, order, f"seq {order.seq} at its deadline")
        elif type(order) is ev.RotationLimitImposed:
            _check_limit(m, order, event.day)
        elif type(order) is ev.LocalHireBanImposed:
            locals_ = sum(1 for p in m.staff.values() if p.role == "local")
            assert locals_ <= order.limit, f"seq {order.seq}: {locals_} locals stay, limit {order.limit}"
        elif type(order) in (ev.PostClosureOrdered, ev.OwnPostClosureOrdered):
            assert not any(p.post == order.post for p in m.staff.values()), f"seq {order.seq}: post staffed"


def _check_cap(m: Mission, cap: ev.StaffCapImposed, when: str) -> None:
    """The cap over its roles, and each role's own ceiling."""
    counted = sum(1 for p in m.staff.values() if p.role in cap.roles)
    assert counted <= cap.cap, f"{when}: {m.name} has {counted} > cap {cap.cap}"
    for role, ceiling in cap.role_caps:
        n = sum(1 for p in m.staff.values() if p.role == role)
        assert n <= ceiling, f"{when}: {m.name} has {n} {role} staff > their cap {ceiling}"


def _check_limit(m: Mission, limit: ev.RotationLimitImposed, day: int) -> None:
    over = [
        pid
        for pid, p in m.staff.items()
        if p.role in limit.roles
        and (not limit.posts or p.post in limit.posts)
        and day - p.arrived >= limit.limit_days
    ]
    assert not over, f"day {day}: {m.name} staff {over[:5]} served {limit.limit_days} days or more"


def _check_measures_in_force(m: Mission, day: int) -> None:
    late = [seq for seq, order in m.orders.items() if order.deadline < day]
    assert not late, f"day {day}: {m.name}'s measures {late} passed their deadline unenforced"
    if m.cap is not None:
        _check_cap(m, m.cap, f"day {day}")
    if m.rotation_limit is not None:
        _check_limit(m, m.rotation_limit, day)
    if m.local_hire_ban:
        locals_ = sum(1 for p in m.staff.values() if p.role == "local")
        assert locals_ <= m.local_limit, f"day {day}: {locals_} locals under a limit of {m.local_limit}"
    at_closed = [pid for pid, p in m.staff.items() if p.post in m.closed_posts]
    assert not at_closed, f"day {day}: {m.name} staff {at_closed[:5]} at a closed post"


def assert_replays(log: Sequence[ev.Event], state: State) -> None:
    """Folding the stored log gives exactly ``state``."""
    folded = fold(log)
    assert folded == state, "the folded log differs from the engine's final state"


def assert_causality(log: Sequence[ev.Event]) -> None:
    """Every cause exists, precedes its effect in seq and in time; answers cite acts."""
    for event in log:
        if event.cause is None:
            continue
        assert 0 <= event.cause < event.seq, f"seq {event.seq}: cause {event.cause} is not earlier"
        cause = log[event.cause]
        assert cause.day <= event.day, (
            f"seq {event.seq} (day {event.day}) precedes its cause (day {cause.day})"
        )
        if type(event) is ev.ActObserved or (event.IS_ACT and event.source == "simulated"):
            false_alarm = type(cause) is ev.StaffDeparted and cause.actor == event.actor
            answers_other = cause.IS_ACT and cause.actor != event.actor
            assert answers_other or false_alarm, (
                f"seq {event.seq} answers {event.cause}: no act of the other side"
            )


def assert_deterministic(scenario: Scenario) -> str:
    """Two runs of the same scenario and seed give byte-identical logs; returns the digest."""
    first = log_digest(simulate(scenario).log)
    second = log_digest(simulate(scenario).log)
    assert first == second, "the same scenario and seed gave two different logs"
    return first


def canonical(log: Sequence[ev.Event]) -> Counter[tuple[Any, ...]]:
    """The log as a multiset of (day, type, side-specific fields), without seqs and ids:
    what must not change when only the order of the sides changes."""
    ids = {"seq", "cause", "person", "request", "measure", "act"}
    out: Counter[tuple[Any, ...]] = Counter()
    for event in log:
        fields = tuple((name, getattr(event, name)) for name in ev.field_names(event) if name not in ids)
        out[(type(event).__name__, *fields)] += 1
    return out


def assert_symmetric(scenario: Scenario) -> None:
    """Listing the sides in the other order changes no side's outcome: same-day events are
    ordered side-neutrally, and random draws are keyed by side name, not by position."""
    ours = simulate(scenario)
    theirs = simulate(reversed_sides(scenario))
    assert canonical(ours.log) == canonical(theirs.log), "the order of the sides changed the outcome"


def assert_fork_exact(scenario: Scenario, log: Sequence[ev.Event], day: int) -> Engine:
    """Forking ``log`` at ``day`` and continuing under ``scenario`` reproduces it exactly."""
    forked = fork(scenario, log, day)
    assert log_digest(forked.log) == log_digest(log), f"a fork at day {day} diverged from the original"
    return forked
