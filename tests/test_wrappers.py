"""Timing and noise wrappers: any policy can take them; their draws are the run's keyed randomness."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sim.core import events as ev
from sim.core.state import headcounts
from sim.core.working import fold
from sim.engine.loop import simulate
from sim.scenario.models import Scenario


def scenario(b_extra: dict[str, Any], expulsions: int = 12, seed: int = 5) -> Scenario:
    """A expels one of B's staff every 14 days; B answers under tit-for-tat with ``b_extra``."""
    mission = {
        "posts": {"embassy": {"diplomat": 60, "admin_technical": 20, "local": 20}},
        "tour_days": {"diplomat": [200, 400], "admin_technical": [200, 400], "local": [200, 400]},
    }
    start = dt.date(2020, 1, 1)
    acts = [
        {"date": (start + dt.timedelta(days=14 * i)).isoformat(), "actor": "A", "kind": "expel", "size": 1}
        for i in range(expulsions)
    ]
    return Scenario.model_validate(
        {
            "start": "2020-01-01",
            "end": "2022-06-30",
            "seed": seed,
            "acts": acts,
            "sides": [
                {"name": "A", "mission": mission},
                {
                    "name": "B",
                    "mission": mission,
                    "policy": {"kind": "tit_for_tat", "delay_days": 2},
                    **b_extra,
                },
            ],
        }
    )


def answers(log: list[ev.Event]) -> list[ev.Event]:
    return [e for e in log if type(e) is ev.ExpulsionOrdered and e.actor == "B"]


def test_a_side_that_misses_everything_never_answers() -> None:
    log = simulate(scenario({"noise": {"miss": 1.0}})).log
    seen = [e for e in log if type(e) is ev.ActObserved and e.actor == "B"]
    assert len(seen) == 12 and all(e.missed for e in seen)
    assert answers(log) == []


def test_missing_half_the_acts_misses_about_half() -> None:
    """40 acts at p = 0.5: the count missed is Binomial(40, 0.5); 8..32 holds with p > 0.9999."""
    engine = simulate(scenario({"noise": {"miss": 0.5}}, expulsions=40))
    seen = [e for e in engine.log if type(e) is ev.ActObserved and e.actor == "B"]
    missed = sum(e.missed for e in seen)
    assert len(seen) == 40 and 8 <= missed <= 32
    assert len(answers(engine.log)) == 40 - missed
    assert [e.missed for e in seen] == [
        e.missed
        for e in simulate(scenario({"noise": {"miss": 0.5}}, expulsions=40)).log
        if type(e) is ev.ActObserved
    ], "the same seed misses the same acts"


def test_false_alarms_answer_own_departures_at_tour_end() -> None:
    """With false_alarm = 1, every diplomat or technician of B who goes home at tour end is
    taken for an expulsion by A and answered; locals are never taken for one."""
    quiet = scenario({"noise": {"false_alarm": 1.0}}, expulsions=0)
    log = simulate(quiet).log
    alarms = [e for e in log if type(e) is ev.ActObserved and e.actor == "B"]
    home = [
        e
        for e in log
        if type(e) is ev.StaffDeparted
        and e.actor == "B"
        and e.reason == "tour_end"
        and e.day + 2 <= quiet.horizon
    ]
    non_local = [e for e in home if log[e.person].role != "local"]
    assert {a.cause for a in alarms} == {e.seq for e in non_local}
    assert all(a.kind == "expel" and a.size == 1 and "false alarm" in a.detail for a in alarms)
    answered = {e.cause for e in answers(log)}
    assert answered <= {e.seq for e in non_local}
    for alarm in alarms:  # unanswered only when A had no diplomat or technician left to expel
        if alarm.cause not in answered:
            counts = headcounts(fold(log[: alarm.seq + 1]))["A"]
            assert counts["diplomat"] + counts["admin_technical"] == 0, alarm
    assert answered, "some false alarms were answered"


def test_timing_wrapper_sets_delay_range_and_deadline() -> None:
    log = simulate(scenario({"timing": {"delay_days": [3, 9], "deadline_days": 21}}, expulsions=30)).log
    delays = [e.day - log[e.cause].day for e in answers(log)]
    assert len(delays) == 30 and min(delays) >= 3 and max(delays) <= 9 and len(set(delays)) >= 4
    assert {e.deadline - e.day for e in answers(log)} == {21}


def test_generous_forgiveness_is_resampled_by_the_run_seed() -> None:
    """A sweep over seeds must resample a stochastic policy's draws: two seeds forgive
    different acts, the same seed the same ones."""

    def forgiven(seed: int) -> list[int]:
        s = scenario({"policy": {"kind": "generous_tit_for_tat", "g": 0.5, "delay_days": 2}}, 40, seed)
        log = simulate(s).log
        answered = {e.cause for e in answers(log)}
        return [e.act for e in log if type(e) is ev.ActObserved and e.actor == "B" and e.act not in answered]

    one, again, two = forgiven(1), forgiven(1), forgiven(2)
    assert one == again and 8 <= len(one) <= 32
    assert one != two
