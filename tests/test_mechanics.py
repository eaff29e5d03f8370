"""Example-based tests of each engine mechanic, one behaviour per test.

Every test runs a small hand-written scenario (two sides, a few dozen people) and checks
concrete numbers in the log and the folded state. Tours and visa processing are fixed where
randomness would blur the picture; the initial tenures are still drawn, so the assertions
never depend on *which* initial tour happens to end when (they filter departures by reason).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from sim.core import events as ev
from sim.core.state import Mission, State, apply
from sim.core.working import fold
from sim.engine.loop import Engine, simulate
from sim.scenario.models import Scenario

START = dt.date(2020, 1, 1)
FIXED_TOURS: dict[str, int] = {"diplomat": 5000, "admin_technical": 5000, "local": 5000}
SHORT_TOURS: dict[str, int] = {"diplomat": 300, "admin_technical": 300, "local": 300}
EMBASSY: dict[str, dict[str, int]] = {"embassy": {"diplomat": 10, "admin_technical": 5, "local": 5}}
WITH_CONSULATE: dict[str, dict[str, int]] = {
    "embassy": {"diplomat": 10, "admin_technical": 5, "local": 5},
    "consulate": {"diplomat": 4, "admin_technical": 2, "local": 3},
}
TRAVEL = 14
PROCESSING = 10


# --- helpers ----------------------------------------------------------------------------------


def date(day: int) -> str:
    """The ISO date of scenario day ``day`` (acts are written with dates)."""
    return (START + dt.timedelta(days=day)).isoformat()


def side(
    name: str,
    *,
    posts: dict[str, dict[str, int]] | None = None,
    tours: dict[str, Any] | None = None,
    visas: dict[str, Any] | None = None,
    policy: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One side's config with fixed tours and a fixed 10-day visa processing time."""
    return {
        "name": name,
        "mission": {
            "posts": posts or EMBASSY,
            "tour_days": tours or FIXED_TOURS,
            "travel_days": TRAVEL,
        },
        "visas": {"policy": "issue", "processing_days": PROCESSING, **(visas or {})},
        "policy": policy or {"kind": "none"},
    }


def act(day: int, actor: str, kind: str, **fields: Any) -> dict[str, Any]:
    """A scenario-level (exogenous) act on scenario day ``day``."""
    return {"date": date(day), "actor": actor, "kind": kind, **fields}


def make(
    *,
    a: dict[str, Any] | None = None,
    b: dict[str, Any] | None = None,
    acts: Sequence[dict[str, Any]] = (),
    days: int = 200,
    seed: int = 1,
) -> Scenario:
    """A scenario of sides A and B over ``days`` days (day ``days`` is the last one)."""
    return Scenario.model_validate(
        {
            "start": START.isoformat(),
            "end": date(days),
            "seed": seed,
            "sides": [a or side("A"), b or side("B")],
            "acts": list(acts),
        }
    )


def run(**kwargs: Any) -> Engine:
    """Build the scenario with :func:`make` and simulate it."""
    return simulate(make(**kwargs))


def day_states(log: Sequence[ev.Event], last_day: int) -> Iterator[tuple[int, State]]:
    """``(day, state at the end of that day)`` for every day 0..last_day, folding once."""
    state = State()
    index = 0
    for day in range(last_day + 1):
        while index < len(log) and log[index].day <= day:
            state = apply(state, log[index])
            index += 1
        yield day, state


def state_at(log: Sequence[ev.Event], day: int) -> State:
    """The state at the end of ``day`` (a fold of the log's prefix)."""
    return fold(e for e in log if e.day <= day)


def state_before(log: Sequence[ev.Event], seq: int) -> State:
    """The state just before event ``seq``."""
    return fold(log[:seq])


def of(log: Sequence[ev.Event], cls: type[ev.Event], **match: Any) -> list[Any]:
    """The events of type ``cls`` whose fields equal ``match``."""
    return [e for e in log if type(e) is cls and all(getattr(e, k) == v for k, v in match.items())]


def only(log: Sequence[ev.Event], cls: type[ev.Event], **match: Any) -> Any:
    """The one event of type ``cls`` matching ``match`` (fails if there are 0 or several)."""
    found = of(log, cls, **match)
    assert len(found) == 1, f"expected one {cls.__name__} matching {match}, found {len(found)}"
    return found[0]


def role_counts(mission: Mission) -> dict[str, int]:
    """Present headcount by role."""
    return {role: mission.role_count(role) for role in ev.ROLES}


def target_total(mission: Mission) -> int:
    """The mission's wanted headcount over all posts and roles."""
    return sum(mission.targets.values())


def departures(log: Sequence[ev.Event], mission: str, reason: str | None = None) -> list[ev.StaffDeparted]:
    """``mission``'s departures, optionally only those for ``reason``."""
    return [e for e in of(log, ev.StaffDeparted, actor=mission) if reason is None or e.reason == reason]


def acts_by(log: Sequence[ev.Event], actor: str) -> list[ev.Event]:
    """Every act (announced measure) ``actor`` took."""
    return [e for e in log if e.IS_ACT and e.actor == actor]


# --- expulsions -------------------------------------------------------------------------------


def test_expulsion_removes_exactly_count_on_the_deadline() -> None:
    """An expulsion of 5 with a 7-day deadline takes out 5 people, on the deadline day, for it."""
    engine = run(acts=[act(30, "A", "expel", size=5, deadline_days=7)], days=60)
    order = only(engine.log, ev.ExpulsionOrdered)
    assert (order.day, order.deadline, order.target) == (30, 37, "B")
    expelled = departures(engine.log, "B", "expelled")
    assert len(expelled) == 5
    assert {e.day for e in expelled} == {37}
    assert {e.cause for e in expelled} == {order.seq}
    assert departures(engine.log, "A", "expelled") == []


def test_expulsion_removes_nobody_before_its_deadline() -> None:
    """Between announcement and deadline the only departures are ordinary tour ends."""
    engine = run(acts=[act(30, "A", "expel", size=5, deadline_days=7)], days=60)
    before = [e for e in departures(engine.log, "B") if e.day < 37]
    assert all(e.reason == "tour_end" for e in before)
    on_36 = state_at(engine.log, 36).mission("B")
    on_37 = state_at(engine.log, 37).mission("B")
    tour_ends_37 = len([e for e in departures(engine.log, "B", "tour_end") if e.day == 37])
    arrivals_37 = len([e for e in of(engine.log, ev.StaffArrived, actor="B") if e.day == 37])
    assert on_36.headcount - on_37.headcount == 5 + tour_ends_37 - arrivals_37


def test_expulsion_with_a_role_filter_takes_only_that_role() -> None:
    """``roles: [admin_technical]`` expels 3 admin-technical staff and no diplomat or local."""
    engine = run(acts=[act(30, "A", "expel", size=3, roles=["admin_technical"], deadline_days=7)], days=40)
    order = only(engine.log, ev.ExpulsionOrdered)
    before = state_before(engine.log, order.seq + 1).mission("B")
    expelled = departures(engine.log, "B", "expelled")
    assert len(expelled) == 3
    assert {before.staff[e.person].role for e in expelled} == {"admin_technical"}


def test_expulsion_rule_longest_serving_picks_the_earliest_arrivals() -> None:
    """Rule longest_serving expels the people with the smallest ``arrived`` among those eligible."""
    engine = run(acts=[act(30, "A", "expel", size=5, deadline_days=7, rule="longest_serving")], days=40)
    first = departures(engine.log, "B", "expelled")[0]
    mission = state_before(engine.log, first.seq).mission("B")
    eligible = sorted(
        (p.arrived, pid) for pid, p in mission.staff.items() if p.role in ("diplomat", "admin_technical")
    )
    expected = {pid for _, pid in eligible[:5]}
    assert {e.person for e in departures(engine.log, "B", "expelled")} == expected


def test_expulsion_rule_newest_picks_the_latest_arrivals() -> None:
    """Rule newest expels the people with the largest ``arrived`` among those eligible."""
    engine = run(acts=[act(30, "A", "expel", size=5, deadline_days=7, rule="newest")], days=40)
    first = departures(engine.log, "B", "expelled")[0]
    mission = state_before(engine.log, first.seq).mission("B")
    eligible = sorted(
        ((p.arrived, pid) for pid, p in mission.staff.items() if p.role in ("diplomat", "admin_technical")),
        reverse=True,
    )
    expected = {pid for _, pid in eligible[:5]}
    assert {e.person for e in departures(engine.log, "B", "expelled")} == expected


def test_non_replaceable_expulsion_lowers_targets_and_is_not_refilled() -> None:
    """Expelled posts are abolished: targets drop by 5 and no visa is asked for those slots."""
    engine = run(acts=[act(30, "A", "expel", size=5, deadline_days=7)], days=150)
    b = engine.state.mission("B")
    assert target_total(b) == 20 - 5
    # Every request B makes after the deadline replaces an ordinary tour end, nothing more.
    requests = [e for e in of(engine.log, ev.VisaRequested, actor="B") if e.day >= 37]
    tour_ends = [
        e
        for e in departures(engine.log, "B", "tour_end")
        if e.day >= 37 and fold(engine.log[: e.seq]).mission("B").staff[e.person].role != "local"
    ]
    assert len(requests) == len(tour_ends)
    assert b.headcount <= 15


def test_replaceable_expulsion_keeps_targets_and_refills_through_visas() -> None:
    """``replaceable: true`` keeps the targets, so 5 visa requests go out on the deadline day."""
    engine = run(acts=[act(30, "A", "expel", size=5, deadline_days=7, replaceable=True)], days=80)
    b = engine.state.mission("B")
    assert target_total(b) == 20
    on_deadline = [e for e in of(engine.log, ev.VisaRequested, actor="B") if e.day == 37]
    other_gaps = [
        e
        for e in departures(engine.log, "B", "tour_end")
        if e.day == 37 and fold(engine.log[: e.seq]).mission("B").staff[e.person].role != "local"
    ]
    assert len(on_deadline) == 5 + len(other_gaps)
    assert {e.due for e in on_deadline} == {37 + PROCESSING}
    arrivals = [
        e for e in of(engine.log, ev.StaffArrived, actor="B") if e.request in {r.seq for r in on_deadline}
    ]
    assert [e.day for e in arrivals] == [37 + PROCESSING + TRAVEL] * len(on_deadline)


# --- staff caps -------------------------------------------------------------------------------

CAP_SIDE_B = side(
    "B", posts={"embassy": {"diplomat": 20, "admin_technical": 10, "local": 10}}, tours=SHORT_TOURS
)


def test_cap_brings_the_mission_to_the_cap_on_the_deadline() -> None:
    """On the deadline day the excess leaves (reason cap, cause the order) and the mission is at 25."""
    engine = run(b=CAP_SIDE_B, acts=[act(30, "A", "cap", size=25, deadline_days=14)], days=60)
    order = only(engine.log, ev.StaffCapImposed)
    before = state_at(engine.log, 43).mission("B").headcount
    assert before >= 35
    capped = departures(engine.log, "B", "cap")
    assert len(capped) == before - 25
    assert {e.day for e in capped} == {44}
    assert {e.cause for e in capped} == {order.seq}
    assert state_at(engine.log, 44).mission("B").headcount <= 25


def test_cap_holds_for_the_rest_of_the_run_as_tours_end() -> None:
    """After the deadline the mission never exceeds the cap, though tours end and visas are sought."""
    engine = run(b=CAP_SIDE_B, acts=[act(30, "A", "cap", size=25, deadline_days=14)], days=700)
    after = [(d, s.mission("B").headcount) for d, s in day_states(engine.log, 700) if d >= 44]
    assert max(n for _, n in after) == 25
    # The cap was tested: many tours ended and many replacements were requested meanwhile.
    assert len([e for e in departures(engine.log, "B", "tour_end") if e.day > 44]) >= 30
    assert len([e for e in of(engine.log, ev.VisaRequested, actor="B") if e.day > 44]) >= 15


def test_lifting_a_cap_lets_the_mission_refill() -> None:
    """After ``lift_cap`` the mission fills back to its 40 target."""
    engine = run(
        b=CAP_SIDE_B,
        acts=[act(30, "A", "cap", size=25, deadline_days=14), act(100, "A", "lift_cap")],
        days=200,
    )
    assert state_at(engine.log, 99).mission("B").headcount <= 25
    assert engine.state.mission("B").cap is None
    refill = [
        s.mission("B").headcount for d, s in day_states(engine.log, 200) if d >= 100 + PROCESSING + TRAVEL
    ]
    assert max(refill) >= 38


def test_a_cap_on_one_role_counts_only_that_role() -> None:
    """A cap of 6 diplomats holds diplomats at <= 6; admin staff and locals still refill to target."""
    engine = run(
        b=CAP_SIDE_B, acts=[act(30, "A", "cap", size=6, roles=["diplomat"], deadline_days=14)], days=400
    )
    capped = departures(engine.log, "B", "cap")
    before = state_at(engine.log, 43).mission("B")
    assert len(capped) == before.role_count("diplomat") - 6
    assert {before.staff[e.person].role for e in capped} == {"diplomat"}
    peaks = Counter[str]()
    for day, state in day_states(engine.log, 400):
        if day >= 44:
            counts = role_counts(state.mission("B"))
            assert counts["diplomat"] <= 6, f"day {day}"
            for role, n in counts.items():
                peaks[role] = max(peaks[role], n)
    assert peaks == Counter({"diplomat": 6, "admin_technical": 10, "local": 10})


# --- rotation limits --------------------------------------------------------------------------


def test_rotation_limit_removes_everyone_past_it_at_the_deadline() -> None:
    """At the deadline everyone (of the limited roles) who served >= 1000 days leaves, for the limit."""
    engine = run(acts=[act(30, "A", "rotation_limit", size=1000, deadline_days=30)], days=60)
    order = only(engine.log, ev.RotationLimitImposed)
    gone = departures(engine.log, "B", "rotation_limit")
    mission = state_before(engine.log, gone[0].seq).mission("B")
    expected = {
        pid
        for pid, p in mission.staff.items()
        if p.role in ("diplomat", "admin_technical") and 60 - p.arrived >= 1000
    }
    assert len(expected) >= 5  # the scenario really tests something
    assert {e.person for e in gone} == expected
    assert {e.day for e in gone} == {60}
    assert {e.cause for e in gone} == {order.seq}


def test_rotation_limit_is_never_exceeded_after_its_deadline() -> None:
    """After the deadline no one of the limited roles is present having served >= the limit."""
    limit = 400
    engine = run(acts=[act(20, "A", "rotation_limit", size=limit, deadline_days=10)], days=900)
    for day, state in day_states(engine.log, 900):
        if day < 30:
            continue
        over = [
            pid
            for pid, p in state.mission("B").staff.items()
            if p.role != "local" and day - p.arrived >= limit
        ]
        assert over == [], f"day {day}: {over} served past the limit"
    later = [e for e in departures(engine.log, "B", "rotation_limit") if e.day > 30]
    assert len(later) >= 5  # replacements' tours were cut short too


def test_lifting_a_rotation_limit_stops_it() -> None:
    """After ``lift_rotation_limit`` nobody leaves for the limit and people serve past it."""
    limit = 200
    engine = run(
        acts=[
            act(20, "A", "rotation_limit", size=limit, deadline_days=10),
            act(100, "A", "lift_rotation_limit"),
        ],
        days=600,
    )
    assert len(departures(engine.log, "B", "rotation_limit")) >= 5
    assert [e for e in departures(engine.log, "B", "rotation_limit") if e.day >= 100] == []
    b = engine.state.mission("B")
    assert b.rotation_limit is None
    veterans = [pid for pid, p in b.staff.items() if p.role != "local" and 600 - p.arrived >= limit]
    assert len(veterans) >= 5


# --- visas ------------------------------------------------------------------------------------


def _issued_so_far(log: Sequence[ev.Event], host: str, upto_seq: int, before_day: int | None = None) -> int:
    return len(
        [
            e
            for e in of(log, ev.VisaIssued, actor=host)
            if e.seq <= upto_seq and (before_day is None or e.day < before_day)
        ]
    )


@pytest.mark.parametrize("host", ["A", "B"], ids=["host-listed-first", "host-listed-second"])
def test_one_for_one_host_issues_no_more_than_it_received_plus_credit(host: str) -> None:
    """A one_for_one host (credit 2) never has issued more visas than it received before that day, +2.

    The host's own mission is small (it receives few visas) and the other's large, so the rule
    binds. Both listing orders are run: same-day visas of the other side must not count,
    whichever side's desk the agenda happens to run first.
    """
    credit = 2
    sender = "B" if host == "A" else "A"
    configs = {
        host: side(
            host,
            tours=SHORT_TOURS,
            visas={"policy": "one_for_one", "credit": credit},
            posts={"embassy": {"diplomat": 4, "admin_technical": 2}},
        ),
        sender: side(sender, tours=SHORT_TOURS),
    }
    engine = run(a=configs["A"], b=configs["B"], days=700)
    by_host = of(engine.log, ev.VisaIssued, actor=host)
    assert len(by_host) >= 5
    tight = 0
    for visa in by_host:
        mine = _issued_so_far(engine.log, host, visa.seq)
        theirs = _issued_so_far(engine.log, sender, visa.seq, before_day=visa.day)
        assert mine <= theirs + credit, f"visa seq {visa.seq}: {mine} issued vs {theirs} received"
        tight += mine == theirs + credit
    assert tight >= 3  # the allowance was used to the full, again and again
    # The sender's staff waited: its mission ends below target while the host's stays filled.
    assert engine.state.mission(sender).headcount < target_total(engine.state.mission(sender))


def test_one_for_one_on_both_sides_without_credit_issues_nothing() -> None:
    """Both sides one_for_one with credit 0: neither moves first, so no visa is ever issued."""
    engine = run(
        a=side("A", tours=SHORT_TOURS, visas={"policy": "one_for_one"}),
        b=side("B", tours=SHORT_TOURS, visas={"policy": "one_for_one"}),
        days=400,
    )
    assert of(engine.log, ev.VisaIssued) == []
    assert len(of(engine.log, ev.VisaRequested)) >= 20
    for name in ("A", "B"):
        assert role_counts(engine.state.mission(name))["diplomat"] < 10


def test_one_for_one_with_credit_one_on_one_side_alternates() -> None:
    """A grants B one visa in advance: the sides then issue visas in turn, A, B, A, B, ..."""
    engine = run(
        a=side("A", tours=SHORT_TOURS, visas={"policy": "one_for_one", "credit": 1}),
        b=side("B", tours=SHORT_TOURS, visas={"policy": "one_for_one"}),
        days=400,
    )
    issuers = [e.actor for e in of(engine.log, ev.VisaIssued)]
    assert len(issuers) >= 10
    assert issuers == ["A", "B"] * (len(issuers) // 2) + ["A"] * (len(issuers) % 2)


def test_deny_refuses_and_the_sender_stops_asking_until_the_terms_change() -> None:
    """B denies A's requests: after the first refusal A asks for nothing until B's visa_policy act."""
    engine = run(
        a=side("A", tours=SHORT_TOURS),
        b=side("B", tours=SHORT_TOURS, visas={"policy": "deny"}),
        acts=[act(200, "B", "visa_policy", visa_policy="issue")],
        days=260,
    )
    denied = of(engine.log, ev.VisaDenied, actor="B")
    assert denied
    first = denied[0].day
    asked = [e.day for e in of(engine.log, ev.VisaRequested, actor="A")]
    assert [d for d in asked if first <= d < 200] == []
    assert engine.state.mission("A").visa_blocked is False
    # Terms changed on day 200: A asks again that very day, and gets the visas.
    resumed = [e for e in of(engine.log, ev.VisaRequested, actor="A") if e.day == 200]
    assert len(resumed) >= 5
    issued = {e.request for e in of(engine.log, ev.VisaIssued, actor="B")}
    assert {e.seq for e in resumed} <= issued
    assert state_at(engine.log, 199).mission("A").visa_blocked is True


# --- local-hire ban ---------------------------------------------------------------------------

LOCAL_SIDE_B = side(
    "B", posts={"embassy": {"diplomat": 5, "admin_technical": 5, "local": 20}}, tours=SHORT_TOURS
)


def test_local_hire_ban_sends_all_locals_home_at_its_deadline() -> None:
    """At the deadline every local leaves, reason local_hire_ban, cause the ban."""
    engine = run(b=LOCAL_SIDE_B, acts=[act(30, "A", "local_hire_ban", deadline_days=14)], days=60)
    ban = only(engine.log, ev.LocalHireBanImposed)
    present = role_counts(state_at(engine.log, 43).mission("B"))["local"]
    gone = departures(engine.log, "B", "local_hire_ban")
    assert present >= 15
    assert len(gone) == present
    assert {e.day for e in gone} == {44}
    assert {e.cause for e in gone} == {ban.seq}
    assert role_counts(state_at(engine.log, 44).mission("B"))["local"] == 0


def test_no_local_is_hired_while_a_ban_is_in_force() -> None:
    """From the ban's announcement to its lifting, B hires no local, though local tours end."""
    engine = run(
        b=LOCAL_SIDE_B,
        acts=[act(30, "A", "local_hire_ban", deadline_days=14), act(200, "A", "lift_local_hire_ban")],
        days=250,
    )
    hired = [e.day for e in of(engine.log, ev.StaffArrived, actor="B", role="local") if e.day > 0]
    assert [d for d in hired if 30 <= d < 200] == []
    assert len([d for d in hired if d < 30]) >= 1  # before the ban, ended local tours were refilled


def test_lifting_a_local_hire_ban_lets_locals_be_hired_again() -> None:
    """On the day the ban is lifted B hires its 20 locals back (local hires need no visa)."""
    engine = run(
        b=LOCAL_SIDE_B,
        acts=[act(30, "A", "local_hire_ban", deadline_days=14), act(200, "A", "lift_local_hire_ban")],
        days=250,
    )
    assert role_counts(state_at(engine.log, 199).mission("B"))["local"] == 0
    assert role_counts(state_at(engine.log, 200).mission("B"))["local"] == 20
    assert engine.state.mission("B").local_hire_ban is False


# --- closing posts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "kind"),
    [("A", "close_post"), ("B", "close_own_post")],
    ids=["host-closes", "own-closure"],
)
def test_closing_a_consulate_lets_locals_go_and_moves_the_rest_to_the_embassy(actor: str, kind: str) -> None:
    """At the deadline the consulate's locals leave and its diplomats and admin staff move to the embassy."""
    engine = run(
        b=side("B", posts=WITH_CONSULATE),
        acts=[act(30, actor, kind, post="consulate", deadline_days=14)],
        days=60,
    )
    order = only(engine.log, ev.PostClosureOrdered if kind == "close_post" else ev.OwnPostClosureOrdered)
    before = state_at(engine.log, 43).mission("B")
    at_consulate = {pid: p for pid, p in before.staff.items() if p.post == "consulate"}
    locals_ = {pid for pid, p in at_consulate.items() if p.role == "local"}
    others = {pid for pid, p in at_consulate.items() if p.role != "local"}
    closed = departures(engine.log, "B", "post_closed")
    moved = of(engine.log, ev.StaffReassigned, actor="B")
    assert {e.person for e in closed} == locals_ and len(locals_) >= 2
    assert {e.person for e in moved} == others and len(others) >= 5
    assert {e.post for e in moved} == {"embassy"}
    assert {e.cause for e in [*closed, *moved]} == {order.seq}
    assert {e.day for e in [*closed, *moved]} == {44}
    after = state_at(engine.log, 60).mission("B")
    assert [p for p in after.staff.values() if p.post == "consulate"] == []
    assert "consulate" in after.closed_posts


def test_closing_the_embassy_removes_everyone() -> None:
    """Closing a one-post mission's embassy sends all 20 home and nobody comes back while closed."""
    engine = run(acts=[act(30, "A", "close_post", post="embassy", deadline_days=14)], days=200)
    gone = departures(engine.log, "B", "post_closed")
    assert len(gone) == state_at(engine.log, 43).mission("B").headcount >= 18
    assert {e.day for e in gone} == {44}
    for day, state in day_states(engine.log, 200):
        if day >= 44:
            assert state.mission("B").headcount == 0, f"day {day}"


def test_closing_the_embassy_removes_consulate_staff_too() -> None:
    """With the embassy closed the mission is gone: its consulates' staff leave too."""
    engine = run(
        b=side("B", posts=WITH_CONSULATE),
        acts=[act(30, "A", "close_post", post="embassy", deadline_days=14)],
        days=60,
    )
    assert engine.state.mission("B").headcount == 0


def test_nobody_is_reassigned_to_a_closed_embassy() -> None:
    """Embassy closed on day 44 (the whole mission with it), consulate ordered closed later:
    nobody is ever reassigned, the consulate's staff went home on day 44, and nobody returns."""
    engine = run(
        b=side("B", posts=WITH_CONSULATE),
        acts=[
            act(30, "A", "close_post", post="embassy", deadline_days=14),
            act(60, "A", "close_post", post="consulate", deadline_days=14),
        ],
        days=120,
    )
    b = engine.state.mission("B")
    assert b.closed_posts == {"embassy", "consulate"}
    assert of(engine.log, ev.StaffReassigned) == []
    assert b.headcount == 0
    at_consulate = [p for p in state_at(engine.log, 43).mission("B").staff.values() if p.post == "consulate"]
    assert len(at_consulate) >= 7
    gone = departures(engine.log, "B", "post_closed")
    assert {e.day for e in gone} == {44}
    assert state_at(engine.log, 44).mission("B").headcount == 0


def test_reopening_a_post_lets_it_refill() -> None:
    """After ``reopen_post`` the closed consulate gets its 9 people back (locals at once, others by visa)."""
    engine = run(
        b=side("B", posts=WITH_CONSULATE),
        acts=[
            act(30, "A", "close_post", post="consulate", deadline_days=14),
            act(100, "A", "reopen_post", post="consulate"),
        ],
        days=160,
    )

    def at_consulate(state: State) -> Counter[str]:
        return Counter(p.role for p in state.mission("B").staff.values() if p.post == "consulate")

    assert sum(at_consulate(state_at(engine.log, 99)).values()) == 0
    assert at_consulate(state_at(engine.log, 100))["local"] == 3
    assert at_consulate(state_at(engine.log, 100 + PROCESSING + TRAVEL)) == Counter(
        {"diplomat": 4, "admin_technical": 2, "local": 3}
    )
    assert "consulate" not in engine.state.mission("B").closed_posts


# --- ambassadors and threats ------------------------------------------------------------------


def _staff_moves(log: Sequence[ev.Event]) -> Counter[tuple[Any, ...]]:
    """Staff movements without ids (ids are seqs, which an extra act shifts)."""
    moves: Counter[tuple[Any, ...]] = Counter()
    for e in log:
        if isinstance(e, ev.StaffArrived):
            moves[(e.day, e.actor, "arrived", e.role, e.post)] += 1
        elif isinstance(e, ev.StaffDeparted):
            moves[(e.day, e.actor, "departed", e.reason)] += 1
    return moves


def test_recall_and_return_flip_ambassador_present() -> None:
    """B recalls its ambassador on day 30 and sends them back on day 60."""
    engine = run(acts=[act(30, "B", "recall_ambassador"), act(60, "B", "return_ambassador")], days=90)
    assert state_at(engine.log, 29).mission("B").ambassador_present is True
    assert state_at(engine.log, 30).mission("B").ambassador_present is False
    assert state_at(engine.log, 59).mission("B").ambassador_present is False
    assert state_at(engine.log, 60).mission("B").ambassador_present is True
    assert state_at(engine.log, 90).mission("A").ambassador_present is True


def test_recall_and_return_change_no_headcount() -> None:
    """A recall and a return move nobody: the staff movements equal those of a run without them."""
    quiet = run(days=300, b=side("B", tours=SHORT_TOURS))
    recalled = run(
        days=300,
        b=side("B", tours=SHORT_TOURS),
        acts=[act(30, "B", "recall_ambassador"), act(60, "B", "return_ambassador")],
    )
    assert _staff_moves(recalled.log) == _staff_moves(quiet.log)
    assert len(_staff_moves(quiet.log)) > 20


def test_threat_changes_no_headcount() -> None:
    """A threat of expelling 10 moves nobody; it is counted on the target's mission."""
    quiet = run(days=300, b=side("B", tours=SHORT_TOURS))
    threatened = run(
        days=300,
        b=side("B", tours=SHORT_TOURS),
        acts=[act(30, "A", "threaten", size=10, threat="expel", deadline_days=7)],
    )
    assert _staff_moves(threatened.log) == _staff_moves(quiet.log)
    assert threatened.state.mission("B").threats_received == 1
    assert threatened.state.mission("B").headcount == quiet.state.mission("B").headcount


# --- baseline ---------------------------------------------------------------------------------


def test_baseline_headcounts_stay_near_target_for_years() -> None:
    """Peaceful rotation with visas issued keeps each mission a few percent under its 100 for 6 years.

    Each diplomat or admin post is empty for processing (30-60) plus travel (14) days per
    2-3 year tour, about 6% of 60 people; locals are rehired at once. So yearly means sit
    near 96, never above 100, and do not drift.
    """
    posts = {"embassy": {"diplomat": 40, "admin_technical": 20, "local": 40}}
    tours = {"diplomat": [730, 1095], "admin_technical": [730, 1095], "local": [1825, 3650]}
    years = 6
    engine = run(
        a=side("A", posts=posts, tours=tours, visas={"processing_days": [30, 60]}),
        b=side("B", posts=posts, tours=tours, visas={"processing_days": [30, 60]}),
        days=years * 365,
        seed=7,
    )
    series: dict[str, list[int]] = {"A": [], "B": []}
    for _, state in day_states(engine.log, years * 365):
        for name, counts in series.items():
            counts.append(state.mission(name).headcount)
    for name, counts in series.items():
        yearly = [sum(counts[y * 365 : (y + 1) * 365]) / 365 for y in range(years)]
        assert all(93.0 <= mean <= 99.0 for mean in yearly), (name, yearly)
        assert max(counts) == 100, name
        assert min(counts) >= 85, name
    assert len(of(engine.log, ev.StaffArrived)) > 200 + 300  # years of real rotation


# --- tit for tat ------------------------------------------------------------------------------

TFT = {"kind": "tit_for_tat", "delay_days": 5, "deadline_days": 10}


def _answer(engine: Engine, to: ev.Event) -> ev.Event:
    """B's one act, checked to answer ``to`` exactly 5 days later."""
    answers = acts_by(engine.log, "B")
    assert len(answers) == 1, answers
    answer = answers[0]
    assert (answer.day, answer.cause, answer.target) == (to.day + 5, to.seq, "A")
    return answer


def test_tit_for_tat_answers_an_expulsion_with_the_same_expulsion() -> None:
    """An expulsion of 4 is answered 5 days later by an expulsion of 4 with a 10-day deadline."""
    engine = run(b=side("B", policy=TFT), acts=[act(30, "A", "expel", size=4, deadline_days=7)], days=80)
    order = only(engine.log, ev.ExpulsionOrdered, actor="A")
    answer = _answer(engine, order)
    assert isinstance(answer, ev.ExpulsionOrdered)
    assert (answer.count, answer.deadline) == (4, 35 + 10)
    assert len(departures(engine.log, "A", "expelled")) == 4
    seen = only(engine.log, ev.ActObserved, actor="B")
    assert (seen.day, seen.act, seen.kind, seen.size) == (35, order.seq, "expel", 4)


def test_tit_for_tat_answers_a_cap_with_a_cap_of_the_same_size() -> None:
    """A cap of 17 is answered by a cap of 17."""
    engine = run(b=side("B", policy=TFT), acts=[act(30, "A", "cap", size=17, deadline_days=7)], days=80)
    answer = _answer(engine, only(engine.log, ev.StaffCapImposed, actor="A"))
    assert isinstance(answer, ev.StaffCapImposed)
    assert (answer.cap, answer.deadline) == (17, 45)
    assert engine.state.mission("A").headcount <= 17


def test_tit_for_tat_answers_a_rotation_limit_with_the_same_limit() -> None:
    """A 900-day rotation limit is answered by a 900-day rotation limit."""
    engine = run(
        b=side("B", policy=TFT), acts=[act(30, "A", "rotation_limit", size=900, deadline_days=7)], days=80
    )
    answer = _answer(engine, only(engine.log, ev.RotationLimitImposed, actor="A"))
    assert isinstance(answer, ev.RotationLimitImposed)
    assert (answer.limit_days, answer.deadline) == (900, 45)


@pytest.mark.parametrize("policy", ["deny", "one_for_one"])
def test_tit_for_tat_answers_a_visa_freeze_with_the_same_visa_policy(policy: str) -> None:
    """A's change of visa terms to ``policy`` is answered by B's change to the same terms."""
    engine = run(b=side("B", policy=TFT), acts=[act(30, "A", "visa_policy", visa_policy=policy)], days=80)
    answer = _answer(engine, only(engine.log, ev.VisaPolicyChanged, actor="A"))
    assert isinstance(answer, ev.VisaPolicyChanged)
    assert answer.policy == policy
    assert engine.state.mission("A").visa_policy == policy


def test_tit_for_tat_mirrors_a_lifted_cap() -> None:
    """A caps B, B caps A back; A lifts its cap on day 100 and B lifts its own on day 105."""
    engine = run(
        b=side("B", policy=TFT),
        acts=[act(30, "A", "cap", size=12, deadline_days=7), act(100, "A", "lift_cap")],
        days=160,
    )
    lifted = only(engine.log, ev.StaffCapLifted, actor="A")
    answer = only(engine.log, ev.StaffCapLifted, actor="B")
    assert (answer.day, answer.cause) == (105, lifted.seq)
    assert engine.state.mission("A").cap is None


def test_tit_for_tat_mirrors_the_roles_a_cap_counts() -> None:
    """A cap of 8 diplomats is answered in kind: a cap of 8 diplomats, not of 8 people in all."""
    engine = run(
        b=side("B", policy=TFT),
        acts=[act(30, "A", "cap", size=8, roles=["diplomat"], deadline_days=7)],
        days=80,
    )
    answer = _answer(engine, only(engine.log, ev.StaffCapImposed, actor="A"))
    assert isinstance(answer, ev.StaffCapImposed)
    assert answer.roles == ("diplomat",)


def test_tit_for_tat_mirrors_a_reopened_post() -> None:
    """A closes B's consulate and B closes A's; when A reopens B's, B reopens A's 5 days later."""
    engine = run(
        a=side("A", posts=WITH_CONSULATE),
        b=side("B", posts=WITH_CONSULATE, policy=TFT),
        acts=[
            act(30, "A", "close_post", post="consulate", deadline_days=7),
            act(100, "A", "reopen_post", post="consulate"),
        ],
        days=160,
    )
    assert only(engine.log, ev.PostClosureOrdered, actor="B").post == "consulate"
    reopened = only(engine.log, ev.PostReopened, actor="A")
    answer = only(engine.log, ev.PostReopened, actor="B")
    assert (answer.day, answer.cause, answer.post) == (105, reopened.seq, "consulate")


def test_tit_for_tat_mirrors_what_a_threat_threatens() -> None:
    """A threat to cap (size 3) is answered by a threat to cap, not by a threat to expel."""
    engine = run(b=side("B", policy=TFT), acts=[act(30, "A", "threaten", size=3, threat="cap")], days=60)
    answer = _answer(engine, only(engine.log, ev.ThreatIssued, actor="A"))
    assert isinstance(answer, ev.ThreatIssued)
    assert (answer.kind, answer.count) == ("cap", 3)


def test_none_policy_never_answers() -> None:
    """A `none` side faced with every hostile act takes no act and records no observation."""
    engine = run(
        a=side("A", posts=WITH_CONSULATE),
        b=side("B", posts=WITH_CONSULATE),
        acts=[
            act(10, "A", "expel", size=3, deadline_days=7),
            act(20, "A", "cap", size=15, deadline_days=7),
            act(30, "A", "rotation_limit", size=900, deadline_days=7),
            act(40, "A", "close_post", post="consulate", deadline_days=7),
            act(50, "A", "local_hire_ban", deadline_days=7),
            act(60, "A", "visa_policy", visa_policy="deny"),
            act(70, "A", "recall_ambassador"),
            act(80, "A", "threaten", size=5),
        ],
        days=150,
    )
    assert len(acts_by(engine.log, "A")) == 8
    assert acts_by(engine.log, "B") == []
    assert of(engine.log, ev.ActObserved) == []


def test_lifting_expulsions_before_the_deadline_sends_nobody_home() -> None:
    """A orders 5 of B's staff out with 30 days' notice, then withdraws the order on day 20:
    on the deadline nobody leaves and no DeadlineReached is recorded for it."""
    engine = run(
        acts=[
            act(10, "A", "expel", size=5, deadline_days=30),
            act(20, "A", "lift_expulsions"),
        ],
        days=120,
    )
    assert departures(engine.log, "B", "expelled") == []
    order = next(e for e in engine.log if type(e) is ev.ExpulsionOrdered)
    assert not [e for e in engine.log if type(e) is ev.DeadlineReached and e.measure == order.seq]
    assert len(engine.state.mission("B").orders) == 0


def test_tit_for_tat_mirrors_lifted_expulsions() -> None:
    """A orders 4 of B out with a long deadline; B answers in kind; A then withdraws its order
    and B, by tit for tat, withdraws its own: nobody on either side is expelled."""
    engine = run(
        b=side("B", policy={"kind": "tit_for_tat", "delay_days": 3, "deadline_days": 60}),
        acts=[
            act(10, "A", "expel", size=4, deadline_days=60),
            act(20, "A", "lift_expulsions"),
        ],
        days=120,
    )
    lifted = [e for e in engine.log if type(e) is ev.ExpulsionsLifted]
    assert [(e.actor, e.day) for e in lifted] == [("A", 20), ("B", 23)]
    assert departures(engine.log, "A", "expelled") == [] and departures(engine.log, "B", "expelled") == []
