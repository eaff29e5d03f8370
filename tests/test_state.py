"""Tests of the projection ``sim.core.state.apply``: total, pure, strict about corrupt logs.

A "kitchen-sink" run (every act kind, a tit-for-tat side that observes them, turnover, denied
and withdrawn visas) gives a real log holding every event type; small hand-written logs give
the corrupt cases, so each ``LogError`` test breaks exactly one thing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from functools import cache
from typing import Any

import pytest

from sim.core import events as ev
from sim.core import state as st
from sim.core.state import LogError, State, apply, digest
from sim.core.working import fold
from sim.engine.loop import Engine, simulate
from sim.scenario.models import Scenario

START = dt.date(2020, 1, 1)
TOURS = {"diplomat": 300, "admin_technical": 300, "local": 300}
POSTS = {
    "embassy": {"diplomat": 10, "admin_technical": 5, "local": 5},
    "consulate": {"diplomat": 4, "admin_technical": 2, "local": 3},
}


def _date(day: int) -> str:
    return (START + dt.timedelta(days=day)).isoformat()


def _act(day: int, actor: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {"date": _date(day), "actor": actor, "kind": kind, **fields}


@cache
def kitchen_sink() -> Engine:
    """One run whose log holds every event type (cached: several tests read it)."""
    side = {
        "mission": {"posts": POSTS, "tour_days": TOURS, "travel_days": 14},
        "visas": {"policy": "issue", "processing_days": 10},
    }
    # B wants one diplomat more than it has, so it asks for a visa on day 0 (denied on day 10).
    b_mission = {
        **side["mission"],
        "targets": {"embassy": {"diplomat": 11, "admin_technical": 5, "local": 5}},
    }
    scenario = Scenario.model_validate(
        {
            "start": START.isoformat(),
            "end": _date(360),
            "seed": 3,
            "sides": [
                {"name": "A", **side, "policy": {"kind": "none"}},
                {
                    "name": "B",
                    **side,
                    "mission": b_mission,
                    "policy": {"kind": "tit_for_tat", "delay_days": 3, "deadline_days": 5},
                },
            ],
            "acts": [
                _act(5, "A", "visa_policy", visa_policy="deny"),
                _act(40, "A", "visa_policy", visa_policy="issue"),
                _act(50, "A", "expel", size=2, deadline_days=5),
                _act(60, "A", "cap", size=20, deadline_days=5),
                _act(100, "A", "lift_cap"),
                _act(110, "A", "rotation_limit", size=200, deadline_days=10),
                _act(150, "A", "lift_rotation_limit"),
                _act(160, "A", "close_post", post="consulate", deadline_days=10),
                _act(200, "A", "reopen_post", post="consulate"),
                _act(210, "A", "local_hire_ban", deadline_days=10),
                _act(250, "A", "lift_local_hire_ban"),
                _act(270, "A", "recall_ambassador"),
                _act(280, "A", "return_ambassador"),
                _act(290, "A", "threaten", size=5),
                _act(300, "B", "close_own_post", post="consulate", deadline_days=5),
                _act(320, "B", "reopen_own_post", post="consulate"),
                _act(330, "A", "close_compound", note="a dacha"),
                _act(333, "A", "expel", size=2, deadline_days=30),
                _act(334, "A", "lift_expulsions"),
                _act(331, "B", "cut_services", note="non-immigrant visas"),
                _act(332, "A", "statement", note="no retaliation for now"),
                _act(335, "A", "visa_processing", processing_days=[20, 40], posts=["consulate"]),
            ],
        }
    )
    return simulate(scenario)


def _base() -> list[ev.Event]:
    """A tiny valid log: both missions open, one diplomat of A's present (person 2)."""
    return [
        ev.MissionOpened(
            seq=0, day=0, actor="A", target="B", posts=("embassy",), targets=(("embassy", "diplomat", 1),)
        ),
        ev.MissionOpened(
            seq=1, day=0, actor="B", target="A", posts=("embassy",), targets=(("embassy", "diplomat", 1),)
        ),
        ev.StaffArrived(
            seq=2, day=0, actor="A", target="B", role="diplomat", post="embassy", arrived=-5, tour_end=100
        ),
    ]


def _base_state() -> State:
    return fold(_base())


# --- totality ---------------------------------------------------------------------------------


def test_the_kitchen_sink_log_holds_every_event_type() -> None:
    """The real log used below covers the whole vocabulary (else the next tests prove less)."""
    seen = {type(e).__name__ for e in kitchen_sink().log}
    assert seen == set(ev.EVENT_TYPES)


def test_every_event_type_has_exactly_one_handler() -> None:
    """The handler table and the event registry list the same classes."""
    assert set(st._HANDLERS) == set(ev.EVENT_TYPES.values())


def test_folding_a_real_log_gives_the_engine_state() -> None:
    """Replay: a fold of the log (every event type applied) equals the engine's final state."""
    engine = kitchen_sink()
    assert fold(engine.log) == engine.state
    assert digest(fold(engine.log)) == digest(engine.state)


def test_apply_advances_day_and_last_seq() -> None:
    """After an event the state's ``last_seq`` is its seq and ``day`` its day."""
    event = ev.StaffDeparted(seq=3, day=7, actor="A", target="B", person=2, reason="tour_end")
    after = apply(_base_state(), event)
    assert (after.last_seq, after.day) == (3, 7)
    assert after.mission("A").headcount == 0
    assert after.mission("A").departures == 1


# --- purity -----------------------------------------------------------------------------------


def test_apply_never_mutates_its_input_state() -> None:
    """Every state along a real log keeps its digest after later events are applied to it."""
    states: list[tuple[State, str]] = []
    current = State()
    for event in kitchen_sink().log:
        before = digest(current)
        following = apply(current, event)
        assert digest(current) == before, f"applying seq {event.seq} changed its input"
        assert following is not current
        states.append((current, before))
        current = following
    # No later step reached back into an earlier state either (shared structure stays intact).
    assert all(digest(state) == expected for state, expected in states)


def test_a_rejected_event_leaves_the_state_unchanged() -> None:
    """A ``LogError`` mid-fold does not half-apply: the input state is as it was."""
    state = _base_state()
    before = digest(state)
    with pytest.raises(LogError):
        apply(state, ev.StaffDeparted(seq=3, day=1, actor="A", target="B", person=99, reason="tour_end"))
    assert digest(state) == before


# --- corrupt logs -----------------------------------------------------------------------------


def test_a_gap_in_seq_raises() -> None:
    """Seq 4 after seq 2: an event is missing."""
    event = ev.AmbassadorRecalled(seq=4, day=1, actor="A", target="B")
    with pytest.raises(LogError, match="gap"):
        apply(_base_state(), event)


def test_a_repeated_seq_raises() -> None:
    """Seq 2 after seq 2: an event applied twice."""
    event = ev.AmbassadorRecalled(seq=2, day=1, actor="A", target="B")
    with pytest.raises(LogError):
        apply(_base_state(), event)


def test_an_event_before_the_current_day_raises() -> None:
    """Day 3 after day 5: the log is out of order."""
    state = apply(_base_state(), ev.AmbassadorRecalled(seq=3, day=5, actor="A", target="B"))
    with pytest.raises(LogError):
        apply(state, ev.AmbassadorReturned(seq=4, day=3, actor="A", target="B"))


def test_a_departure_of_someone_absent_raises() -> None:
    """Person 99 never arrived, so cannot leave."""
    event = ev.StaffDeparted(seq=3, day=1, actor="A", target="B", person=99, reason="tour_end")
    with pytest.raises(LogError, match="not on"):
        apply(_base_state(), event)


def test_a_second_departure_of_the_same_person_raises() -> None:
    """Person 2 left on day 1 and cannot leave again on day 2."""
    state = apply(
        _base_state(), ev.StaffDeparted(seq=3, day=1, actor="A", target="B", person=2, reason="tour_end")
    )
    with pytest.raises(LogError):
        apply(state, ev.StaffDeparted(seq=4, day=2, actor="A", target="B", person=2, reason="expelled"))


def test_a_departure_from_the_wrong_mission_raises() -> None:
    """Person 2 serves in A's mission, not in B's."""
    event = ev.StaffDeparted(seq=3, day=1, actor="B", target="A", person=2, reason="tour_end")
    with pytest.raises(LogError):
        apply(_base_state(), event)


def test_an_event_for_an_unknown_mission_raises() -> None:
    """An arrival in mission C, which was never opened."""
    event = ev.StaffArrived(
        seq=3, day=1, actor="C", target="A", role="diplomat", post="embassy", arrived=1, tour_end=9
    )
    with pytest.raises(LogError, match="unknown mission"):
        apply(_base_state(), event)


def test_a_host_measure_against_an_unknown_mission_raises() -> None:
    """A's expulsion order against C: a host measure concerns the target's mission, which does not exist."""
    event = ev.ExpulsionOrdered(
        seq=3, day=1, actor="A", target="C", count=1, roles=("diplomat",), rule="newest", deadline=5
    )
    with pytest.raises(LogError, match="unknown mission"):
        apply(_base_state(), event)


def test_opening_a_mission_twice_raises() -> None:
    """A's mission is already open."""
    event = ev.MissionOpened(seq=3, day=1, actor="A", target="B", posts=("embassy",), targets=())
    with pytest.raises(LogError):
        apply(_base_state(), event)


def test_an_arrival_at_an_unknown_post_raises() -> None:
    """A's mission has no consulate."""
    event = ev.StaffArrived(
        seq=3, day=1, actor="A", target="B", role="local", post="consulate", arrived=1, tour_end=9
    )
    with pytest.raises(LogError):
        apply(_base_state(), event)


def test_an_arrival_filling_an_unknown_request_raises() -> None:
    """Request 77 was never made."""
    event = ev.StaffArrived(
        seq=3,
        day=1,
        actor="A",
        target="B",
        role="diplomat",
        post="embassy",
        arrived=1,
        tour_end=9,
        request=77,
    )
    with pytest.raises(LogError):
        apply(_base_state(), event)


def test_a_visa_decision_on_an_unknown_request_raises() -> None:
    """B cannot issue a visa for a request A never made."""
    event = ev.VisaIssued(seq=3, day=1, actor="B", target="A", request=77, arrives=15)
    with pytest.raises(LogError):
        apply(_base_state(), event)


def test_a_deadline_of_a_measure_not_pending_raises() -> None:
    """No measure with seq 1 awaits a deadline in B's mission."""
    event = ev.DeadlineReached(seq=3, day=1, actor="A", target="B", measure=1, concerns="B")
    with pytest.raises(LogError):
        apply(_base_state(), event)


# --- serialisation ----------------------------------------------------------------------------


def _one_of_each(log: Sequence[ev.Event]) -> dict[str, ev.Event]:
    found: dict[str, ev.Event] = {}
    for event in log:
        found.setdefault(type(event).__name__, event)
    return found


def test_to_dict_from_dict_round_trips_every_event_in_a_real_log() -> None:
    """``from_dict(to_dict(e)) == e`` for every event of the kitchen-sink log, tuples included."""
    log = kitchen_sink().log
    for event in log:
        back = ev.from_dict(ev.to_dict(event))
        assert back == event
        assert type(back) is type(event)
    assert set(_one_of_each(log)) == set(ev.EVENT_TYPES)


def test_json_text_round_trips_every_event_type() -> None:
    """Through canonical JSON text and back, each event type (one instance of each) is unchanged."""
    for name, event in _one_of_each(kitchen_sink().log).items():
        back = ev.from_dict(json.loads(ev.to_json(event)))
        assert back == event, name
        assert ev.to_json(back) == ev.to_json(event)


def test_to_dict_names_the_type_first_and_keeps_every_field() -> None:
    """The dict starts with ``type`` and holds one key per field (a field added after the
    first schema only while it is set: see the next test)."""
    for name, event in _one_of_each(kitchen_sink().log).items():
        data = ev.to_dict(event)
        assert next(iter(data)) == "type" and data["type"] == name
        assert set(data) - {"type"} == set(ev.field_names(event)) - set(type(event).ADDED)


def test_a_later_field_is_written_only_when_set_so_older_logs_keep_their_digest() -> None:
    """``coalition`` (and an observation's coalition fields) came after schema 1: unset, no
    writer mentions them, so every log written before keeps its bytes; set, all do, and the
    event reads back whole."""
    plain = ev.ExpulsionOrdered(
        seq=3, day=1, actor="A", target="B", count=2, roles=("diplomat",), rule="newest", deadline=8
    )
    joined = ev.replace(plain, coalition="wave-1")
    for writer in (ev.to_json, ev.payload_json):
        assert "coalition" not in writer(plain)
        assert '"coalition":"wave-1"' in writer(joined)
    assert "coalition" not in ev.to_dict(plain) and ev.to_dict(joined)["coalition"] == "wave-1"
    assert ev.from_dict(ev.to_dict(joined)) == joined and ev.from_dict(ev.to_dict(plain)) == plain
    seen = ev.ActObserved(seq=4, day=2, actor="B", target="A", act=3, kind="expel", size=2)
    assert not {"coalition", "partners", "leader"} & set(ev.to_dict(seen))
    told = ev.replace(seen, coalition="wave-1", partners=22, leader="UK")
    assert ev.to_dict(told)["partners"] == 22 and ev.from_dict(ev.to_dict(told)) == told


def test_fast_json_writers_equal_the_plain_dict_encoding_for_every_event_type() -> None:
    """``to_json`` and ``payload_json`` (cached field lists, one reused encoder) write exactly
    what ``json.dumps`` of ``to_dict`` / ``payload`` writes: the log digest and the store's
    payload column do not depend on which writer produced them."""
    canonical = {"sort_keys": True, "separators": (",", ":")}
    for name, event in _one_of_each(kitchen_sink().log).items():
        assert ev.to_json(event) == json.dumps(ev.to_dict(event), **canonical), name
        assert ev.payload_json(event) == json.dumps(ev.payload(event), **canonical), name
        assert json.loads(ev.payload_json(event)) == {
            k: v for k, v in ev.to_dict(event).items() if k not in ev.BASE_FIELDS and k != "type"
        }, name
