"""The fold's bookkeeping, value by value: the canonical picture (``to_dict``) and its digest,
the same-day visa count behind one-for-one, what closing the embassy closes, what a reopening
cancels, and how far a non-replaceable expulsion lowers a target.

``to_dict`` and ``digest`` are a format: golden files and every stored run's
``state_digest`` depend on them, so the picture of a small state is pinned here whole (the
golden files pin it too, but only after minutes of simulation).
"""

from __future__ import annotations

import pytest

from sim.core import events as ev
from sim.core.state import digest, to_dict
from sim.core.working import fold

SMALL = [
    ev.MissionOpened(
        seq=0,
        day=0,
        actor="A",
        target="B",
        posts=("embassy", "north"),
        targets=(("embassy", "diplomat", 2), ("north", "local", 1)),
        visa_policy="one_for_one",
        visa_credit=1,
    ),
    ev.MissionOpened(seq=1, day=0, actor="B", target="A", posts=("embassy",), targets=()),
    ev.StaffArrived(
        seq=2, day=0, actor="A", target="B", role="diplomat", post="embassy", arrived=-3, tour_end=40
    ),
    ev.VisaRequested(seq=3, day=1, actor="A", target="B", role="diplomat", post="embassy", due=5),
    ev.VisaIssued(seq=4, day=5, actor="B", target="A", request=3, arrives=9),
    ev.StaffCapImposed(
        seq=5, day=6, actor="B", target="A", cap=3, roles=("diplomat",), rule="newest", deadline=6
    ),
    ev.DeadlineReached(seq=6, day=6, actor="B", target="A", measure=5, concerns="A"),
    ev.ActObserved(
        seq=7, day=7, actor="A", target="B", act=5, kind="cap", size=3, roles=("diplomat",), detail="d"
    ),
]

_UNTOUCHED = {
    "orders": [],
    "departures": 0,
    "rotation_limit": None,
    "local_hire_ban": False,
    "closed_posts": [],
    "closed_by_host": [],
    "ambassador_present": True,
    "threats_received": 0,
    "compounds_closed": [],
    "services_cut": [],
}
PICTURE = {
    "day": 7,
    "last_seq": 7,
    "missions": [
        {
            "name": "A",
            "host": "B",
            "posts": ["embassy", "north"],
            "targets": [["embassy", "diplomat", 2], ["north", "local", 1]],
            "staff": [[2, "diplomat", "embassy", -3, 40, 0]],
            "requests": [[3, "diplomat", "embassy", 5, 9]],
            "arrivals": 1,
            "requests_made": 1,
            "visa": ["one_for_one", 1, False, 1, [0, 0]],
            "cap": 5,
            "observed": [[5, 7, "cap", 3, ["diplomat"], "d", False]],
            **_UNTOUCHED,
        },
        {
            "name": "B",
            "host": "A",
            "posts": ["embassy"],
            "targets": [],
            "staff": [],
            "requests": [],
            "arrivals": 0,
            "requests_made": 0,
            "visa": ["issue", 0, False, 0, [0, 0]],
            "cap": None,
            "observed": [],
            **_UNTOUCHED,
        },
    ],
}


def test_the_picture_of_a_small_state() -> None:
    assert to_dict(fold(SMALL)) == PICTURE


def test_the_digest_of_a_small_state() -> None:
    """SHA-256 of the picture as sorted, compact JSON (a changed encoding changes every stored digest)."""
    assert digest(fold(SMALL)) == "0696a1e144939ee148b98e0fcdaf1b733fb01d349c08791bfb91f08cd56b35d9"


def _issued(seq: int, day: int, request: int) -> ev.VisaIssued:
    return ev.VisaIssued(seq=seq, day=day, actor="B", target="A", request=request, arrives=day + 9)


def _visa_log(days: list[int]) -> list[ev.Event]:
    """A's mission with one request per entry of ``days``, each issued on that day."""
    log = list(SMALL[:2])
    for _ in days:
        log.append(
            ev.VisaRequested(
                seq=len(log), day=0, actor="A", target="B", role="diplomat", post="embassy", due=0
            )
        )
    first = 2
    for i, day in enumerate(days):
        log.append(_issued(len(log), day, first + i))
    return log


@pytest.mark.parametrize(
    ("days", "on", "before"),
    [
        ([], 3, 0),
        ([3], 3, 0),
        ([3], 4, 1),
        ([2, 3, 3], 3, 1),  # two today do not count yet, yesterday's does
        ([3, 3, 3], 3, 0),
        ([3, 3, 3], 4, 3),
        ([1, 2], 2, 1),
    ],
)
def test_visas_issued_before_a_day(days: list[int], on: int, before: int) -> None:
    mission = fold(_visa_log(days)).mission("A")
    assert mission.visas_issued == len(days)
    assert mission.visas_issued_before(on) == before


def test_closing_the_embassy_closes_every_post() -> None:
    order = ev.PostClosureOrdered(seq=2, day=1, actor="B", target="A", post="embassy", deadline=1)
    done = ev.DeadlineReached(seq=3, day=1, actor="B", target="A", measure=2, concerns="A")
    mission = fold([*SMALL[:2], order, done]).mission("A")
    assert mission.closed_posts == {"embassy", "north"}
    assert mission.closed_by_host == {"embassy", "north"}


def test_closing_a_consulate_closes_that_post_only() -> None:
    order = ev.OwnPostClosureOrdered(seq=2, day=1, actor="A", target="B", post="north", deadline=1)
    done = ev.DeadlineReached(seq=3, day=1, actor="A", target="B", measure=2, concerns="A")
    mission = fold([*SMALL[:2], order, done]).mission("A")
    assert (mission.closed_posts, mission.closed_by_host) == ({"north"}, frozenset())


def test_a_reopening_cancels_the_pending_closures_of_that_post_only() -> None:
    host = ev.PostClosureOrdered(seq=2, day=1, actor="B", target="A", post="north", deadline=9)
    other = ev.PostClosureOrdered(seq=3, day=1, actor="B", target="A", post="embassy", deadline=9)
    own = ev.OwnPostClosureOrdered(seq=4, day=1, actor="A", target="B", post="north", deadline=9)
    own_other = ev.OwnPostClosureOrdered(seq=5, day=1, actor="A", target="B", post="embassy", deadline=9)
    log = [*SMALL[:2], host, other, own, own_other]
    reopened = fold([*log, ev.PostReopened(seq=6, day=2, actor="B", target="A", post="north")])
    assert set(reopened.mission("A").orders) == {3, 5}
    own_reopened = fold([*log, ev.OwnPostReopened(seq=6, day=2, actor="A", target="B", post="north")])
    assert set(own_reopened.mission("A").orders) == {2, 3, 5}


def test_a_post_the_host_closed_stays_closed_when_its_mission_reopens_it() -> None:
    order = ev.PostClosureOrdered(seq=2, day=1, actor="B", target="A", post="north", deadline=1)
    done = ev.DeadlineReached(seq=3, day=1, actor="B", target="A", measure=2, concerns="A")
    log = [*SMALL[:2], order, done]
    kept = fold([*log, ev.OwnPostReopened(seq=4, day=2, actor="A", target="B", post="north")]).mission("A")
    assert (kept.closed_posts, kept.closed_by_host) == ({"north"}, {"north"})
    freed = fold([*log, ev.PostReopened(seq=4, day=2, actor="B", target="A", post="north")]).mission("A")
    assert (freed.closed_posts, freed.closed_by_host) == (frozenset(), frozenset())


def test_an_own_closure_is_lifted_by_its_own_reopening() -> None:
    order = ev.OwnPostClosureOrdered(seq=2, day=1, actor="A", target="B", post="north", deadline=1)
    done = ev.DeadlineReached(seq=3, day=1, actor="A", target="B", measure=2, concerns="A")
    reopen = ev.OwnPostReopened(seq=4, day=2, actor="A", target="B", post="north")
    assert fold([*SMALL[:2], order, done, reopen]).mission("A").closed_posts == frozenset()


@pytest.mark.parametrize(("replaceable", "target"), [(False, 1), (True, 2)])
def test_an_expulsion_lowers_the_target_unless_replaceable(replaceable: bool, target: int) -> None:
    order = ev.ExpulsionOrdered(
        seq=3, day=1, actor="B", target="A", count=1, roles=("diplomat",), rule="newest", deadline=2,
        replaceable=replaceable,
    )  # fmt: skip
    gone = ev.StaffDeparted(seq=4, day=2, actor="A", target="B", cause=3, person=2, reason="expelled")
    assert fold([*SMALL[:3], order, gone]).mission("A").targets[("embassy", "diplomat")] == target


def test_a_target_expelled_to_zero_stays_at_zero() -> None:
    """The last local at the north post expelled: that target goes from 1 to 0, not below."""
    arrive = ev.StaffArrived(
        seq=2, day=0, actor="A", target="B", role="local", post="north", arrived=0, tour_end=9
    )
    order = ev.ExpulsionOrdered(
        seq=3, day=1, actor="B", target="A", count=1, roles=("local",), rule="newest", deadline=2
    )
    gone = ev.StaffDeparted(seq=4, day=2, actor="A", target="B", cause=3, person=2, reason="expelled")
    again = ev.StaffArrived(
        seq=5, day=3, actor="A", target="B", role="local", post="north", arrived=3, tour_end=9
    )
    gone_again = ev.StaffDeparted(seq=6, day=4, actor="A", target="B", cause=3, person=5, reason="expelled")
    targets = fold([*SMALL[:2], arrive, order, gone, again, gone_again]).mission("A").targets
    assert targets[("north", "local")] == 0
