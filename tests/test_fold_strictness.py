"""The fold refuses every impossible event: each single-event corruption of a valid log raises
``LogError`` at the corrupted event.

A replay either reproduces the run or says where the log is corrupt; a check dropped from
``apply`` would let a corrupt log replay without complaint, and no engine test would notice
(the engine only writes valid logs). So the corruptions are made here, one field at a time:
a person who is not there, a request that is not open, a post the mission does not have, a
measure that is not pending, an unknown mission, a day out of order, a seq repeated or
skipped. Each is tried on a real log holding every event type (a table), and on logs of
generated scenarios (a property).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.core import events as ev
from sim.core.state import LogError, State, apply
from sim.core.working import fold
from sim.engine.loop import simulate
from sim.testing import scenarios
from tests.test_state import kitchen_sink

_PERSON = (ev.StaffDeparted, ev.StaffReassigned)
_REQUEST = (ev.VisaIssued, ev.VisaDenied, ev.VisaRequestWithdrawn)
_POST = (ev.StaffArrived, ev.StaffReassigned, ev.PostReopened, ev.OwnPostReopened)


def corruptions(event: ev.Event, before: State) -> list[tuple[str, ev.Event]]:
    """Every corruption of ``event`` that cannot follow ``before`` (the state it followed)."""
    swap = ev.replace
    out = [
        ("seq repeated", swap(event, seq=before.last_seq)),
        ("seq skipped", swap(event, seq=before.last_seq + 2)),
        ("a day earlier than the last", swap(event, day=before.day - 1)),
    ]
    if isinstance(event, ev.MissionOpened):
        if before.sides:
            out.append(("a mission opened twice", swap(event, actor=before.sides[0])))
        return out
    field = "concerns" if isinstance(event, ev.DeadlineReached) else event.MISSION_OF
    out.append(("an unknown mission", swap(event, **{field: "Atlantis"})))
    if isinstance(event, _PERSON):
        out.append(("a person who is not there", swap(event, person=event.seq)))
    if isinstance(event, _REQUEST) or (isinstance(event, ev.StaffArrived) and event.request is not None):
        out.append(("a request that is not open", swap(event, request=event.seq)))
    if isinstance(event, _POST):
        out.append(("a post the mission does not have", swap(event, post="atlantis")))
    if isinstance(event, ev.DeadlineReached):
        out.append(("a measure that is not pending", swap(event, measure=event.seq)))
    return out


def _kitchen_sink_cases() -> list[tuple[str, int, ev.Event]]:
    """The first event of each type in the kitchen-sink log, with each of its corruptions."""
    log = kitchen_sink().log
    firsts: dict[type, int] = {}
    for i, event in enumerate(log):
        firsts.setdefault(type(event), i)
    # the second mission's opening, so that "opened twice" has a mission to repeat
    firsts[ev.MissionOpened] = [i for i, e in enumerate(log) if isinstance(e, ev.MissionOpened)][1]
    cases = []
    for cls, i in sorted(firsts.items(), key=lambda item: item[1]):
        for name, bad in corruptions(log[i], fold(log[:i])):
            cases.append((f"{cls.__name__}: {name}", i, bad))
    return cases


CASES = _kitchen_sink_cases()


def test_the_table_covers_every_check() -> None:
    """Each kind of corruption, and each event type, is in the table at least once."""
    names = {case.split(": ")[1] for case, _, _ in CASES}
    assert len(names) == 9
    assert {case.split(": ")[0] for case, _, _ in CASES} == set(ev.EVENT_TYPES)


@pytest.mark.parametrize(("index", "bad"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_corrupted_event_is_refused(index: int, bad: ev.Event) -> None:
    log = kitchen_sink().log
    before = fold(log[:index])
    with pytest.raises(LogError):
        apply(before, bad)
    assert apply(before, log[index]) is not None  # the uncorrupted event fits


@given(scenarios(max_days=300, max_staff=6), st.data())
def test_every_single_event_corruption_of_a_valid_log_is_refused(scenario, data) -> None:  # type: ignore[no-untyped-def]
    log = simulate(scenario).log
    index = data.draw(st.integers(0, len(log) - 1), label="event")
    before = fold(log[:index])
    _, bad = data.draw(st.sampled_from(corruptions(log[index], before)), label="corruption")
    with pytest.raises(LogError):
        fold([*log[:index], bad, *log[index + 1 :]])


# --- the checks one by one, on a small log (each breaks exactly one thing) ------------------------


def _small() -> list[ev.Event]:
    """A with an embassy and a consulate, one diplomat (person 2) and one open request (3)."""
    return [
        ev.MissionOpened(seq=0, day=0, actor="A", target="B", posts=("embassy", "consulate"), targets=()),
        ev.MissionOpened(seq=1, day=0, actor="B", target="A", posts=("embassy",), targets=()),
        ev.StaffArrived(
            seq=2, day=0, actor="A", target="B", role="diplomat", post="embassy", arrived=0, tour_end=9
        ),
        ev.VisaRequested(seq=3, day=0, actor="A", target="B", role="diplomat", post="embassy", due=5),
    ]


FITS = [
    ev.PostReopened(seq=4, day=1, actor="B", target="A", post="consulate"),  # not closed: a no-op
    ev.OwnPostReopened(seq=4, day=1, actor="A", target="B", post="consulate"),
    ev.StaffReassigned(seq=4, day=1, actor="A", target="B", person=2, post="consulate"),
    ev.StaffDeparted(seq=4, day=1, actor="A", target="B", person=2, reason="tour_end"),
    ev.VisaIssued(seq=4, day=1, actor="B", target="A", request=3, arrives=9),
    ev.VisaDenied(seq=4, day=1, actor="B", target="A", request=3),
    ev.VisaRequestWithdrawn(seq=4, day=1, actor="A", target="B", request=3),
]
REFUSED = [
    ("reopening a post A does not have", ev.PostReopened(seq=4, day=1, actor="B", target="A", post="north")),
    (
        "reopening an own post A does not have",
        ev.OwnPostReopened(seq=4, day=1, actor="A", target="B", post="north"),
    ),
    (
        "reassigning someone absent",
        ev.StaffReassigned(seq=4, day=1, actor="A", target="B", person=3, post="consulate"),
    ),
    (
        "reassigning to a post A does not have",
        ev.StaffReassigned(seq=4, day=1, actor="A", target="B", person=2, post="north"),
    ),
    (
        "reassigning B's staff as A's",
        ev.StaffReassigned(seq=4, day=1, actor="B", target="A", person=2, post="embassy"),
    ),
    ("denying a request not open", ev.VisaDenied(seq=4, day=1, actor="B", target="A", request=2)),
    (
        "withdrawing a request not open",
        ev.VisaRequestWithdrawn(seq=4, day=1, actor="A", target="B", request=2),
    ),
    (
        "an arrival at a post A does not have",
        ev.StaffArrived(
            seq=4, day=1, actor="A", target="B", role="local", post="north", arrived=1, tour_end=9
        ),
    ),
]


@pytest.mark.parametrize("event", FITS, ids=lambda e: type(e).__name__)
def test_an_event_that_fits_is_applied(event: ev.Event) -> None:
    after = apply(fold(_small()), event)
    assert after.last_seq == 4 and after.day == 1


@pytest.mark.parametrize("event", [r[1] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_an_event_that_does_not_fit_is_refused(event: ev.Event) -> None:
    with pytest.raises(LogError):
        apply(fold(_small()), event)


def test_a_reassignment_moves_the_person_and_the_counts() -> None:
    after = apply(fold(_small()), FITS[2]).mission("A")
    assert after.staff[2].post == "consulate"
    assert dict(after.counts) == {("embassy", "diplomat"): 0, ("consulate", "diplomat"): 1}
