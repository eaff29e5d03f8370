"""Hypothesis strategies and invariant checks, for this project's tests and for users'.

The checks are plain functions that raise ``AssertionError`` with a message saying which
event or day broke which rule, so they compose into any property:

    @given(scenarios())
    def test_my_rule(scenario):
        engine = simulate(scenario)
        assert_conservation(engine.log)
        assert_deadlines_hold(engine.log, scenario.horizon)

The strategies draw only valid scenarios (every draw passes ``Scenario`` validation), small
enough that a run takes milliseconds, with the mechanics mixed in: caps, limits, closures,
bans, visa terms, tit-for-tat and scripted sides.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from sim import events as ev
from sim.acts import ACT_KINDS, SELECTION_RULES
from sim.engine import Engine, fork, simulate
from sim.scenario import Scenario
from sim.state import Mission, State, apply, fold
from sim.store import log_digest

SIDE_NAMES = ("US", "RU", "A", "B", "Alpha", "Zulu")
CONSULATES = ("north", "south")
_DEADLINED = ("expel", "cap", "rotation_limit", "close_post", "close_own_post", "local_hire_ban")


# --- strategies ---------------------------------------------------------------------------


@st.composite
def missions(draw: st.DrawFn, max_staff: int = 12) -> dict[str, Any]:
    """A mission: an embassy and up to two consulates, short tours so rotations happen."""
    posts = ["embassy", *draw(st.lists(st.sampled_from(CONSULATES), max_size=2, unique=True))]
    staff = st.integers(0, max_staff)
    tour = st.tuples(st.integers(20, 400), st.integers(0, 300)).map(lambda t: [t[0], t[0] + t[1]])
    return {
        "posts": {
            p: {"diplomat": draw(staff), "admin_technical": draw(staff), "local": draw(staff)} for p in posts
        },
        "tour_days": {"diplomat": draw(tour), "admin_technical": draw(tour), "local": draw(tour)},
        "travel_days": draw(st.integers(0, 30)),
    }


def visa_terms() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "policy": st.sampled_from(("issue", "issue", "deny", "one_for_one")),
            "credit": st.integers(0, 3),
            "processing_days": st.tuples(st.integers(0, 40), st.integers(0, 40)).map(
                lambda t: [t[0], t[0] + t[1]]
            ),
        }
    )


@st.composite
def acts(
    draw: st.DrawFn, start: dt.date, horizon: int, actor_posts: Sequence[str], target_posts: Sequence[str]
) -> dict[str, Any]:
    """One act of any kind on a day within the run, with fields that fit its kind."""
    kind = draw(st.sampled_from(ACT_KINDS))
    act: dict[str, Any] = {"date": start + dt.timedelta(days=draw(st.integers(0, horizon))), "kind": kind}
    if kind in ("expel", "threaten"):
        act["size"] = draw(st.integers(1, 8))
    elif kind == "cap":
        act["size"] = draw(st.integers(0, 40))
    elif kind == "rotation_limit":
        act["size"] = draw(st.integers(30, 500))
    if kind in ("close_post", "reopen_post"):
        act["post"] = draw(st.sampled_from(list(target_posts)))
    elif kind in ("close_own_post", "reopen_own_post"):
        act["post"] = draw(st.sampled_from(list(actor_posts)))
    elif kind == "visa_policy":
        act["visa_policy"] = draw(st.sampled_from(("issue", "deny", "one_for_one")))
        act["credit"] = draw(st.integers(0, 2))
    if kind in _DEADLINED:
        act["deadline_days"] = draw(st.integers(0, 60))
    if kind in ("expel", "cap"):
        act["rule"] = draw(st.sampled_from(SELECTION_RULES))
    if kind == "expel":
        act["replaceable"] = draw(st.booleans())
    return act


def timings() -> st.SearchStrategy[dict[str, Any]]:
    """The timing wrapper: none, or a reaction delay (fixed or a range) and a deadline."""
    return st.one_of(
        st.just({}),
        st.fixed_dictionaries(
            {
                "delay_days": st.tuples(st.integers(1, 30), st.integers(0, 20)).map(
                    lambda t: [t[0], t[0] + t[1]]
                ),
                "deadline_days": st.integers(0, 30),
            }
        ),
    )


def noises() -> st.SearchStrategy[dict[str, Any]]:
    """The noise wrapper: chances of missing an act and of a false alarm."""
    chance = st.sampled_from((0.0, 0.0, 0.2, 0.5, 1.0))
    return st.fixed_dictionaries({"miss": chance, "false_alarm": chance})


def policies() -> st.SearchStrategy[dict[str, Any]]:
    """A policy configuration of any built-in kind, with its timing and its own parameters
    drawn too (a grit programme that starts within the run, an always-hostile period that
    acts a few times, escalation by addition, multiplication or a rung up)."""
    return st.one_of(
        st.just({"kind": "none"}),
        st.just({"kind": "never_respond"}),
        _reactive("tit_for_tat"),
        _reactive("tit_for_two_tats"),
        _reactive("grim_trigger"),
        _reactive("win_stay_lose_shift"),
        _reactive("parity"),
        _reactive(
            "proportional",
            scale=st.sampled_from(("factor", "mission_ratio")),
            factor=st.sampled_from((0.5, 1.0, 2.0)),
        ),
        _reactive(
            "escalate",
            add=st.integers(0, 3),
            multiply=st.sampled_from((1.0, 1.5, 2.0)),
            rung_up=st.booleans(),
        ),
        _reactive("generous_tit_for_tat", g=st.sampled_from((0.0, 1 / 3, 1.0)), seed=st.integers(0, 5)),
        _reactive("graduated", calm=st.integers(0, 3)),
        _reactive("threshold", min_size=st.integers(1, 6)),
        _reactive("reverse_if_reversed", condition=st.sampled_from(("any", "all"))),
        _reactive(
            "grit", first_day=st.integers(0, 400), interval_days=st.integers(1, 90), steps=st.integers(1, 5)
        ),
        _reactive(
            "always_hostile",
            first_day=st.integers(0, 200),
            period_days=st.integers(20, 200),
            size=st.integers(1, 5),
        ),
    )


def _reactive(kind: str, **params: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """``kind`` with the shared timing parameters and ``params``."""
    return st.fixed_dictionaries(
        {
            "kind": st.just(kind),
            "delay_days": st.integers(1, 45),
            "deadline_days": st.integers(0, 45),
            "rule": st.sampled_from(SELECTION_RULES),
            **params,
        }
    )


@st.composite
def scenarios(
    draw: st.DrawFn,
    max_days: int = 900,
    max_acts: int = 5,
    max_staff: int = 12,
    side_policies: st.SearchStrategy[dict[str, Any]] | None = None,
    symmetric: bool = False,
) -> Scenario:
    """Valid scenarios; ``symmetric=True`` gives both sides the same mission, terms, policy,
    and mirrored acts (each act also taken by the other side on the same day)."""
    names = draw(st.lists(st.sampled_from(SIDE_NAMES), min_size=2, max_size=2, unique=True))
    start = draw(st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)))
    horizon = draw(st.integers(30, max_days))
    policy = side_policies if side_policies is not None else policies()
    configs = [
        {
            "timing": draw(timings()),
            "noise": draw(noises()),
            "name": names[0],
            "mission": draw(missions(max_staff)),
            "visas": draw(visa_terms()),
            "policy": draw(policy),
        }
    ]
    if symmetric:
        configs.append({**configs[0], "name": names[1]})
    else:
        configs.append(
            {
                "timing": draw(timings()),
                "noise": draw(noises()),
                "name": names[1],
                "mission": draw(missions(max_staff)),
                "visas": draw(visa_terms()),
                "policy": draw(policy),
            }
        )
    posts = [list(c["mission"]["posts"]) for c in configs]
    shocks = []
    for _ in range(draw(st.integers(0, max_acts))):
        me = draw(st.integers(0, 1))
        act = draw(acts(start, horizon, posts[me], posts[1 - me]))
        shocks.append({**act, "actor": names[me]})
        if symmetric:
            shocks.append({**act, "actor": names[1 - me]})
    data = {
        "name": "generated",
        "start": start,
        "end": start + dt.timedelta(days=horizon),
        "seed": draw(st.integers(0, 2**32)),
        "sides": configs,
        "acts": shocks,
    }
    return Scenario.model_validate(data)


def observations() -> st.SearchStrategy[tuple[Any, ...]]:
    """Histories a policy may see: (act seq, day, kind, size, missed) tuples, oldest first."""
    from sim.acts import HOSTILE_KINDS
    from sim.state import Observation

    kinds = sorted(HOSTILE_KINDS | {"lift_cap", "lift_rotation_limit", "return_ambassador", "visa_issue"})
    one = st.builds(
        Observation,
        act=st.integers(0, 10_000),
        day=st.integers(0, 3650),
        kind=st.sampled_from(kinds),
        size=st.integers(0, 500),
        roles=st.sampled_from(((), ("diplomat",), ("diplomat", "admin_technical"))),
        detail=st.sampled_from(("", "embassy", "expel")),
        missed=st.booleans(),
    )
    return st.lists(one, min_size=1, max_size=12).map(lambda xs: tuple(sorted(xs, key=lambda o: o.day)))


@st.composite
def policy_inputs(draw: st.DrawFn, max_history: int = 12) -> tuple[tuple[Any, ...], Any]:
    """``(history, view)`` as a policy's ``respond`` receives them: observations of every kind
    (hostile, conciliatory, a statement, the repeated game's ``none``), oldest first, the newest
    perceived; and a ``SideView`` on or after the newest observation's day, whose ``my_acts``
    (the side's own acts) all lie before it."""
    from sim.acts import HOSTILE_KINDS
    from sim.policies import SideView
    from sim.state import Observation

    kinds = sorted(
        HOSTILE_KINDS
        | {"lift_cap", "lift_rotation_limit", "lift_local_hire_ban", "visa_issue", "reopen_post"}
        | {"return_ambassador", "statement", "none"}
    )
    length = draw(st.integers(1, max_history))
    days = sorted(draw(st.lists(st.integers(0, 3650), min_size=length, max_size=length)))
    history = tuple(
        Observation(
            act=index,
            day=day,
            kind=draw(st.sampled_from(kinds)),
            size=draw(st.integers(0, 200)),
            roles=draw(st.sampled_from(((), ("diplomat",), ("diplomat", "admin_technical")))),
            detail=draw(st.sampled_from(("", "embassy", "expel"))),
            missed=draw(st.booleans()) if index < length - 1 else False,
        )
        for index, day in enumerate(days)
    )
    today = days[-1] + draw(st.integers(0, 30))
    own_days = sorted(draw(st.lists(st.integers(0, today), max_size=8)))
    my_acts = tuple((day, draw(st.sampled_from(kinds)), draw(st.integers(1, 50))) for day in own_days)
    posts = ("embassy", *draw(st.lists(st.sampled_from(CONSULATES), max_size=2, unique=True)))
    closed = draw(st.lists(st.sampled_from(posts[1:]), unique=True)) if len(posts) > 1 else []
    view = SideView(
        day=today,
        me=draw(st.sampled_from(("A", "B"))),
        other="other",
        my_headcount=draw(st.integers(0, 300)),
        their_headcount=draw(st.integers(0, 300)),
        their_open_posts=tuple(p for p in posts if p not in closed),
        their_closed_posts=tuple(closed),
        my_measures=frozenset(
            draw(
                st.lists(st.sampled_from(("cap", "rotation_limit", "local_hire_ban", "visa_policy", "expel")))
            )
        ),
        my_ambassador_present=draw(st.booleans()),
        my_acts=my_acts,
    )
    return history, view


# --- transformations ---------------------------------------------------------------------


def reversed_sides(scenario: Scenario) -> Scenario:
    """The same scenario with its two sides listed in the other order."""
    return scenario.model_copy(update={"sides": (scenario.sides[1], scenario.sides[0])})


def with_end(scenario: Scenario, day: int) -> Scenario:
    """The same scenario stopped after ``day`` (acts planned later are dropped)."""
    end = scenario.date_of(day)
    kept = tuple(a for a in scenario.acts if a.date <= end)
    return scenario.model_copy(update={"end": end, "acts": kept})


# --- invariant checks ----------------------------------------------------------------------


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
        for name in state.sides:
            m = state.missions[name]
            assert m.arrivals - m.departures == len(m.staff) >= 0, (
                f"seq {event.seq}: {name} arrivals {m.arrivals} - departures {m.departures}"
                f" != headcount {len(m.staff)}"
            )
            counted = Counter((p.post, p.role) for p in m.staff.values())
            assert all(m.counts.get(k, 0) == n for k, n in counted.items()), f"seq {event.seq}: counts drift"
            assert all(n >= 0 for n in m.counts.values()), f"seq {event.seq}: a negative headcount"


def assert_deadlines_hold(log: Sequence[ev.Event], horizon: int | None = None) -> None:
    """Deadlines bind: when a measure's deadline is reached, exactly the people it orders out
    have gone; and on every day after, the mission is within its cap, nobody has served past
    a rotation limit, no local works under a ban, nobody works at a closed post, and no
    measure waits past its deadline."""
    _check_at_deadlines(log)
    for day, state in _day_ends(log, horizon):
        for name in state.sides:
            _check_measures_in_force(state.missions[name], day)


def _check_at_deadlines(log: Sequence[ev.Event]) -> None:
    departed: Counter[int] = Counter()
    state = State()
    for event in log:
        state = apply(state, event)
        if type(event) is ev.StaffDeparted and event.cause is not None:
            departed[event.cause] += 1
        if type(event) is not ev.DeadlineReached:
            continue
        order, m = log[event.measure], state.missions[event.concerns]
        assert event.day == order.deadline, f"seq {event.seq}: measure {order.seq} enforced on the wrong day"
        if type(order) is ev.ExpulsionOrdered:
            gone = departed[order.seq]
            left = sum(1 for p in m.staff.values() if p.role in order.roles)
            assert gone == order.count or (gone < order.count and left == 0), (
                f"seq {order.seq}: expelled {gone} of {order.count} with {left} eligible still present"
            )
        elif type(order) is ev.StaffCapImposed:
            counted = sum(1 for p in m.staff.values() if p.role in order.roles)
            assert counted <= order.cap, f"seq {order.seq}: {counted} > cap {order.cap} at its deadline"
        elif type(order) is ev.RotationLimitImposed:
            _check_limit(m, order, event.day)
        elif type(order) is ev.LocalHireBanImposed:
            assert not any(p.role == "local" for p in m.staff.values()), f"seq {order.seq}: locals stay"
        elif type(order) in (ev.PostClosureOrdered, ev.OwnPostClosureOrdered):
            assert not any(p.post == order.post for p in m.staff.values()), f"seq {order.seq}: post staffed"


def _check_limit(m: Mission, limit: ev.RotationLimitImposed, day: int) -> None:
    over = [
        pid for pid, p in m.staff.items() if p.role in limit.roles and day - p.arrived >= limit.limit_days
    ]
    assert not over, f"day {day}: {m.name} staff {over[:5]} served {limit.limit_days} days or more"


def _check_measures_in_force(m: Mission, day: int) -> None:
    late = [seq for seq, order in m.orders.items() if order.deadline < day]
    assert not late, f"day {day}: {m.name}'s measures {late} passed their deadline unenforced"
    if m.cap is not None:
        counted = sum(1 for p in m.staff.values() if p.role in m.cap.roles)
        assert counted <= m.cap.cap, f"day {day}: {m.name} has {counted} > cap {m.cap.cap}"
    if m.rotation_limit is not None:
        _check_limit(m, m.rotation_limit, day)
    if m.local_hire_ban:
        assert not any(p.role == "local" for p in m.staff.values()), f"day {day}: locals under a ban"
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
        fields = tuple(
            (f.name, getattr(event, f.name)) for f in dataclasses.fields(event) if f.name not in ids
        )
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
