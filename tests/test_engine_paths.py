"""Engine paths the mechanics tables do not reach: continuing a log (``Engine.run`` with a
prefix), a change of visa terms deciding the waiting requests at once, and a side's view of a
measure in force (what lets tit for tat mirror a lifted local-hire ban)."""

from __future__ import annotations

import pytest

from sim.core import events as ev
from sim.engine.loop import Engine
from tests.prefix_logs import LogBuilder, continue_log
from tests.test_mechanics import act, make, run, side

POSTS = {"embassy": {"diplomat": 2}}


class _Kept:
    """A store that keeps what it is given."""

    def __init__(self) -> None:
        self.events: list[ev.Event] = []

    def append(self, event: ev.Event) -> None:
        self.events.append(event)


def _prefix() -> list[ev.Event]:
    b = LogBuilder()
    b.open("A", "B", POSTS)
    b.open("B", "A", POSTS)
    b.staff("A", "B", "embassy", "diplomat", 2)
    b.staff("B", "A", "embassy", "diplomat", 2)
    return b.events


def test_a_continued_log_is_stored_with_its_prefix_by_default() -> None:
    store = _Kept()
    engine = Engine(make(days=3), store)
    engine.run(_prefix(), fork_day=1)
    assert store.events == engine.log and store.events[: len(_prefix())] == _prefix()


def test_without_a_fork_day_a_log_continues_on_the_day_after_its_last() -> None:
    prefix = [*_prefix(), ev.StatementMade(seq=6, day=2, actor="A", target="B")]
    engine = Engine(make(days=5))
    engine.run(prefix)
    assert engine.now == 6 and engine.log[: len(prefix)] == prefix


def test_a_prefix_reaching_into_the_fork_day_is_refused() -> None:
    prefix = [*_prefix(), ev.StatementMade(seq=6, day=2, actor="A", target="B")]
    with pytest.raises(ValueError, match="on or after the fork day"):
        Engine(make(days=5)).run(prefix, fork_day=2)


def test_new_visa_terms_decide_the_waiting_requests_that_day() -> None:
    """A's two requests wait under B's one-for-one terms (nothing to match); on day 3 B turns
    to `issue` and both are issued that day, without waiting for another due date."""
    b = LogBuilder()
    b.open("A", "B", {"embassy": {"diplomat": 2}}, visa_policy="one_for_one")
    b.open("B", "A", {"embassy": {}})
    waiting = [b.request("A", "B", "embassy", "diplomat", due=0) for _ in range(2)]
    engine = continue_log(
        b.events,
        1,
        last_day=5,
        acts=[{"day": 3, "actor": "B", "kind": "visa_policy", "visa_policy": "issue"}],
    )
    issued = [(e.day, e.request) for e in engine.log if isinstance(e, ev.VisaIssued)]
    assert issued == [(3, waiting[0]), (3, waiting[1])]


def test_tit_for_tat_lifts_its_ban_in_force_when_the_other_lifts_theirs() -> None:
    """B answers A's local-hire ban with its own (in force from the next day); when A lifts
    its ban, B sees its own ban in force and lifts it too."""
    engine = run(
        a=side("A"),
        b=side("B", policy={"kind": "tit_for_tat", "delay_days": 1, "deadline_days": 0}),
        acts=[act(5, "A", "local_hire_ban"), act(30, "A", "lift_local_hire_ban")],
        days=60,
    )
    b_acts = [(e.day, type(e).__name__) for e in engine.log if e.IS_ACT and e.actor == "B"]
    assert b_acts == [(6, "LocalHireBanImposed"), (31, "LocalHireBanLifted")]


def test_an_engine_runs_once() -> None:
    engine = Engine(make(days=3))
    engine.run()
    with pytest.raises(RuntimeError, match="runs once"):
        engine.run()
