"""Deadlines, rotation limits and who is picked to leave, as tables over hand-written logs.

Each row writes A's staff (role, arrival day) and a measure of B's whose deadline falls on day 1,
and lists who leaves. The rows sit on the bounds: a cap one over, a person who has served
exactly the limit, two people who arrived on the same day (the tie-break), an expulsion of
nobody.
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.core import events as ev
from tests.prefix_logs import LogBuilder, continue_log

POSTS = {
    "embassy": {"diplomat": 9, "admin_technical": 9, "local": 9},
    "north": {"diplomat": 9, "admin_technical": 9, "local": 9},
}


def departures(
    staff: list[tuple[Any, ...]], cls: type[ev.Event] | None, last_day: int = 1, **fields: Any
) -> list[str]:
    """Who leaves or moves (by their place in ``staff``, ``#0`` first), in log order, when B's
    measure ``cls(**fields)`` reaches its deadline on day 1 (``deadline`` marks the
    ``DeadlineReached`` event: the measure's own departures come before it). ``staff`` is A's
    people as (role, arrival day[, post[, tour end]])."""
    b = LogBuilder()
    b.open("A", "B", POSTS)
    b.open("B", "A", {"embassy": {}})
    people = []
    for role, day, *rest in staff:
        post = rest[0] if rest else "embassy"
        people += b.staff(
            "A", "B", post, role, arrived=day, **({"tour_end": rest[1]} if len(rest) > 1 else {})
        )
    if cls is not None:
        fields.setdefault("deadline", 1)
        b.add(cls, actor="B", target="A", **fields)
    engine = continue_log(b.events, 1, last_day)
    name = {pid: f"#{i}" for i, pid in enumerate(people)}
    out = []
    for e in engine.log[len(b.events) :]:
        if isinstance(e, ev.StaffDeparted):
            out.append(f"day {e.day} {name[e.person]} {e.reason}")
        elif isinstance(e, ev.StaffReassigned):
            out.append(f"day {e.day} {name[e.person]} to {e.post}")
        elif isinstance(e, ev.DeadlineReached):
            out.append(f"day {e.day} deadline")
    return out


D, T, L = "diplomat", "admin_technical", "local"
EXPEL = dict(roles=(D, T), rule="longest_serving")

ROWS = [
    # (A's staff, the measure, who leaves on day 1)
    ("a cap one over", [(D, -9), (D, -5), (D, -1)], ev.StaffCapImposed,
     dict(cap=2, roles=(D,), rule="newest"), ["#2 cap"]),
    ("a cap exactly met", [(D, -9), (D, -5)], ev.StaffCapImposed, dict(cap=2, roles=(D,), rule="newest"), []),
    ("a cap counts its roles only", [(D, -9), (T, -5), (L, -1)], ev.StaffCapImposed,
     dict(cap=1, roles=(D, T), rule="longest_serving"), ["#0 cap"]),
    ("a rotation limit: past it, exactly at it, short of it", [(D, -200), (D, -99), (D, -98)],
     ev.RotationLimitImposed, dict(limit_days=100, roles=(D,)), ["#0 rotation_limit", "#1 rotation_limit"]),
    ("a rotation limit binds its roles only", [(L, -500), (T, -500)], ev.RotationLimitImposed,
     dict(limit_days=100, roles=(T,)), ["#1 rotation_limit"]),
    ("a local-hire ban", [(L, -5), (D, -5), (L, -1)], ev.LocalHireBanImposed, {},
     ["#0 local_hire_ban", "#2 local_hire_ban"]),
    ("longest serving, ties by arrival order", [(D, -5), (T, -5), (D, -9)], ev.ExpulsionOrdered,
     dict(count=2, **EXPEL), ["#2 expelled", "#0 expelled"]),
    ("newest, ties by the latest arrival", [(T, -5), (D, -5), (D, -9)], ev.ExpulsionOrdered,
     dict(count=1, roles=(D, T), rule="newest"), ["#1 expelled"]),
    ("locals first, then longest serving", [(D, -9), (L, -1), (T, -5), (L, -3)], ev.ExpulsionOrdered,
     dict(count=3, roles=(D, T, L), rule="locals_first"), ["#3 expelled", "#1 expelled", "#2 expelled"]),
    ("locals first, ties by arrival order", [(L, -3, "embassy", 900), (L, -3, "embassy", 800)],
     ev.ExpulsionOrdered, dict(count=1, roles=(L,), rule="locals_first"), ["#0 expelled"]),
    # a keyed draw (seed, "pick", mission, day, arrival number): pinned, since forks and stored
    # runs depend on the same person being drawn
    ("random", [(D, -9), (D, -5), (D, -1), (D, -3)], ev.ExpulsionOrdered,
     dict(count=2, roles=(D,), rule="random"), ["#1 expelled", "#0 expelled"]),
    ("closing a consulate: locals go, the rest move to the embassy",
     [(L, -9, "north"), (D, -5, "north"), (D, -5, "embassy")], ev.PostClosureOrdered, dict(post="north"),
     ["#0 post_closed", "#1 to embassy"]),
    ("closing the embassy: everyone goes", [(D, -5, "north"), (L, -5, "embassy")], ev.PostClosureOrdered,
     dict(post="embassy"), ["#0 post_closed", "#1 post_closed"]),
    ("an expulsion of nobody", [(D, -9)], ev.ExpulsionOrdered, dict(count=0, **EXPEL), []),
    ("an expulsion of the roles named only", [(L, -9), (D, -1)], ev.ExpulsionOrdered, dict(count=1, **EXPEL),
     ["#1 expelled"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("staff", "cls", "fields", "leaving"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_who_leaves_at_a_deadline(
    staff: list[tuple[str, int]], cls: type[ev.Event], fields: dict[str, Any], leaving: list[str]
) -> None:
    assert departures(staff, cls, **fields) == [f"day 1 {who}" for who in [*leaving, "deadline"]]


@pytest.mark.parametrize(("tour_end", "leaves"), [(5, ["day 5 #0 tour_end"]), (7, [])])
def test_a_tour_ends_on_its_day(tour_end: int, leaves: list[str]) -> None:
    assert departures([(D, -5, "embassy", tour_end)], None, last_day=6) == leaves


def test_after_a_rotation_limit_each_person_leaves_on_reaching_it() -> None:
    """Served 51 days on day 1 under a limit of 100: leaves on day 50, not before, not after."""
    got = departures([(D, -50)], ev.RotationLimitImposed, last_day=60, limit_days=100, roles=(D,))
    assert got == ["day 1 deadline", "day 50 #0 rotation_limit"]


def test_a_limit_replaced_by_a_longer_one_is_not_applied() -> None:
    """A limit of 100 days comes into force on day 1; on day 10 it is lifted and one of 300 days
    imposed. The person who would have reached 100 days on day 50 stays."""
    b = LogBuilder()
    b.open("A", "B", POSTS)
    b.open("B", "A", {"embassy": {}})
    b.staff("A", "B", "embassy", D, arrived=-50)
    acts = [
        {"day": 1, "actor": "B", "kind": "rotation_limit", "size": 100, "roles": [D]},
        {"day": 10, "actor": "B", "kind": "lift_rotation_limit"},
        {"day": 10, "actor": "B", "kind": "rotation_limit", "size": 300, "roles": [D]},
    ]
    engine = continue_log(b.events, 1, last_day=60, acts=acts)
    assert [e for e in engine.log if isinstance(e, ev.StaffDeparted)] == []
    assert engine.state.mission("A").rotation_limit.limit_days == 300  # type: ignore[union-attr]
