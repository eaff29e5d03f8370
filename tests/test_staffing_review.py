"""The staffing review and arrivals, as tables: a state written as a log, one day continued.

Mission A (in B's capital) wants, at the embassy, 2 diplomats, 1 technician and 1 local, and
at the consulate 1 diplomat and 1 local. Each row writes who is there, which requests are
open and which measures stand, and lists every staffing move A makes on the next day:
``request POST ROLE`` (a visa request), ``arrive POST ROLE`` (a local hire or a visa holder
arriving), ``withdraw REQUEST``. Rows sit exactly at a bound (at the target, at the cap, one
over) because that is where a flipped comparison shows.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sim.core import events as ev
from tests.prefix_logs import LogBuilder, continue_log, what_happened

POSTS = {
    "embassy": {"diplomat": 2, "admin_technical": 1, "local": 1},
    "consulate": {"diplomat": 1, "local": 1},
}


def world(
    missing: dict[tuple[str, str], int] | None = None,
    extra: Callable[[LogBuilder], object] | None = None,
) -> LogBuilder:
    """A's mission at its targets less ``missing`` people, then whatever ``extra`` adds."""
    b = LogBuilder()
    b.open("A", "B", POSTS)
    b.open("B", "A", {"embassy": {}})
    for post, roles in POSTS.items():
        for role, n in roles.items():
            b.staff("A", "B", post, role, n - (missing or {}).get((post, role), 0))
    if extra is not None:
        extra(b)
    return b


def next_day(b: LogBuilder) -> list[str]:
    return what_happened(continue_log(b.events, 1), len(b.events))


def cap(k: int, roles: tuple[str, ...] = ("diplomat",), in_force: bool = True) -> Callable[[LogBuilder], int]:
    return lambda b: b.measure(ev.StaffCapImposed, "B", "A", in_force, cap=k, roles=roles, rule="newest")


def closure(post: str, in_force: bool = True) -> Callable[[LogBuilder], int]:
    return lambda b: b.measure(ev.PostClosureOrdered, "B", "A", in_force, post=post)


def requests(*keys: tuple[str, str]) -> Callable[[LogBuilder], list[int]]:
    return lambda b: [b.request("A", "B", post, role) for post, role in keys]


def both(*steps: Callable[[LogBuilder], object]) -> Callable[[LogBuilder], None]:
    def run(b: LogBuilder) -> None:
        for step in steps:
            step(b)

    return run


EMB_D, EMB_A, EMB_L = ("embassy", "diplomat"), ("embassy", "admin_technical"), ("embassy", "local")
CON_D, CON_L = ("consulate", "diplomat"), ("consulate", "local")


REVIEW = [
    ("at target", {}, None, []),
    ("one short", {EMB_D: 1}, None, ["request embassy diplomat"]),
    ("one short, its request open", {EMB_D: 1}, requests(EMB_D), []),
    ("at target with a request open", {}, requests(EMB_D), ["withdraw embassy diplomat #0"]),
    ("one short, two requests open", {EMB_D: 1}, requests(EMB_D, EMB_D), ["withdraw embassy diplomat #1"]),
    (
        "two short, three requests open",
        {EMB_D: 2},
        requests(EMB_D, EMB_D, EMB_D),
        ["withdraw embassy diplomat #2"],
    ),
    (
        "a request where there is no target",
        {},
        requests(("consulate", "admin_technical")),
        ["withdraw consulate admin_technical #0"],
    ),
    ("a local short", {EMB_L: 1}, None, ["arrive embassy local"]),
    (
        "a local-hire ban in force",
        {EMB_L: 1, CON_L: 1},
        lambda b: b.measure(ev.LocalHireBanImposed, "B", "A"),
        [],
    ),
    (
        "a local-hire ban pending",
        {EMB_L: 1},
        lambda b: b.measure(ev.LocalHireBanImposed, "B", "A", False),
        [],
    ),
    (
        "a denied visa blocks requests, not local hires",
        {EMB_D: 1, EMB_L: 1},
        lambda b: b.add(ev.VisaDenied, actor="B", target="A", request=b.request("A", "B", *EMB_D)),
        ["arrive embassy local"],
    ),
    ("a vacancy at a closed consulate", {CON_D: 1, CON_L: 1}, closure("consulate"), []),
    ("a vacancy at a consulate ordered closed", {CON_D: 1, CON_L: 1}, closure("consulate", False), []),
    (
        "a request at a closed consulate",
        {CON_D: 1},
        both(closure("consulate"), requests(CON_D)),
        ["withdraw consulate diplomat #0"],
    ),
    (
        "a request at a consulate ordered closed, one fitting at the embassy",
        {EMB_D: 1, CON_D: 1},
        both(requests(EMB_D), closure("consulate", False), requests(CON_D)),
        ["withdraw consulate diplomat #1"],
    ),
    ("vacancies everywhere, the embassy ordered closed", {EMB_D: 2, CON_L: 1}, closure("embassy", False), []),
    ("vacancies everywhere, the embassy closed", {EMB_D: 2, CON_L: 1}, closure("embassy"), []),
    (
        "the embassy closed, a consulate reopened: the mission stays shut",
        {EMB_D: 2, CON_D: 1, CON_L: 1},
        both(closure("embassy"), lambda b: b.add(ev.PostReopened, actor="B", target="A", post="consulate")),
        [],
    ),
    # a cap on diplomats (A has 3 at target: 2 at the embassy, 1 at the consulate)
    ("at the cap, a diplomat short", {EMB_D: 1}, cap(2), []),
    ("at the cap, a technician short", {EMB_A: 1}, cap(3), ["request embassy admin_technical"]),
    ("one under the cap, a diplomat short", {EMB_D: 1}, cap(3), ["request embassy diplomat"]),
    ("room for one, three short", {EMB_D: 2, CON_D: 1}, cap(1), ["request embassy diplomat"]),
    ("room for one, only the consulate short", {CON_D: 1}, cap(3), ["request consulate diplomat"]),
    ("room for two, three short", {EMB_D: 2, CON_D: 1}, cap(2), ["request embassy diplomat"] * 2),
    (
        "a cap on technicians does not bind diplomats",
        {EMB_D: 1},
        cap(0, ("admin_technical",)),
        ["request embassy diplomat"],
    ),
    ("a cap pending binds nothing yet", {EMB_D: 1}, cap(0, in_force=False), ["request embassy diplomat"]),
    (
        "one over the cap with two requests open",
        {EMB_D: 2},
        both(cap(2), requests(EMB_D, EMB_D)),
        ["withdraw embassy diplomat #1"],
    ),
    (
        "one over the cap, the newest request not counted by it",
        {EMB_D: 2, EMB_A: 1},
        both(cap(2), requests(EMB_D, EMB_D, EMB_A)),
        ["withdraw embassy diplomat #1"],
    ),
    (
        "two over the cap",
        {EMB_D: 2},
        both(cap(1), requests(EMB_D, EMB_D)),
        ["withdraw embassy diplomat #0", "withdraw embassy diplomat #1"],
    ),
]


@pytest.mark.parametrize(("missing", "extra", "moves"), [r[1:] for r in REVIEW], ids=[r[0] for r in REVIEW])
def test_staffing_review(
    missing: dict[tuple[str, str], int], extra: Callable[[LogBuilder], object] | None, moves: list[str]
) -> None:
    assert next_day(world(missing, extra)) == sorted(moves)


def arriving(post: str = "embassy", role: str = "diplomat", day: int = 1) -> Callable[[LogBuilder], None]:
    """A request of A's whose visa B issued, its holder due to arrive on ``day``."""

    def add(b: LogBuilder) -> None:
        rid = b.request("A", "B", post, role)
        b.add(ev.VisaIssued, actor="B", target="A", request=rid, arrives=day)

    return add


ARRIVALS = [
    ("a vacancy", {EMB_D: 1}, arriving(), ["arrive embassy diplomat"]),
    ("not due until tomorrow", {EMB_D: 1}, arriving(day=2), []),
    (
        "at a closed consulate",
        {CON_D: 1},
        both(closure("consulate"), arriving("consulate")),
        ["withdraw consulate diplomat #0"],
    ),
    (
        "at a consulate ordered closed",
        {CON_D: 1},
        both(closure("consulate", False), arriving("consulate")),
        ["withdraw consulate diplomat #0"],
    ),
    ("at the cap", {EMB_D: 1}, both(cap(2), arriving()), ["withdraw embassy diplomat #0"]),
    ("one under the cap", {EMB_D: 1}, both(cap(3), arriving()), ["arrive embassy diplomat"]),
    (
        "a cap on other roles only",
        {EMB_D: 1},
        both(cap(0, ("admin_technical",)), arriving()),
        ["arrive embassy diplomat"],
    ),
]


@pytest.mark.parametrize(
    ("missing", "extra", "moves"), [r[1:] for r in ARRIVALS], ids=[r[0] for r in ARRIVALS]
)
def test_arrival(
    missing: dict[tuple[str, str], int], extra: Callable[[LogBuilder], object], moves: list[str]
) -> None:
    """A visa holder arrives unless the post closed or the cap filled meanwhile (then the request
    is withdrawn)."""
    assert next_day(world(missing, extra)) == sorted(moves)


def test_an_arrival_due_tomorrow_comes_tomorrow() -> None:
    b = world({EMB_D: 1}, arriving(day=2))
    engine = continue_log(b.events, 1, last_day=2)
    arrived = [e for e in engine.log[len(b.events) :] if isinstance(e, ev.StaffArrived)]
    assert [(e.day, e.post, e.arrived) for e in arrived] == [(2, "embassy", 2)]
