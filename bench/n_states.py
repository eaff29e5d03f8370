"""A 30-state scenario against a two-state scenario of the same events (issue 13).

The 30-state run is the shape of the 2018 wave: a hub (``RU``) and 29 states, each pair with
a mission of 100 in each capital (58 missions, 5,800 people), each of the 29 expelling 2 of
the hub's staff on its own day in one coalition, and the hub answering each in kind. The
two-state run has the same people (two missions of 2,900) and the same acts (29 expulsions of 2,
each answered in kind), so both record about the same events; the ratio is the 30-state run's
time per event over the two-state run's, measured in the same process (best of ``repeats``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sim.engine.loop import simulate
from sim.scenario.models import Scenario

STATES = 30
STAFF = {"diplomat": 40, "admin_technical": 30, "local": 30}
TOUR = {"diplomat": [730, 1095], "admin_technical": [730, 1095], "local": [1825, 3650]}


def _mission(scale: int) -> dict[str, Any]:
    return {"posts": {"embassy": {role: n * scale for role, n in STAFF.items()}}, "tour_days": TOUR}


def many_states(states: int = STATES) -> Scenario:
    others = [f"X{i:02d}" for i in range(1, states)]
    answer = {"kind": "tit_for_tat", "delay_days": 3, "deadline_days": 7}
    missions = []
    for other in others:
        missions += [
            {"sender": "RU", "host": other, **_mission(1)},
            {"sender": other, "host": "RU", **_mission(1)},
        ]
    acts = [
        {
            "date": f"2018-{2 + i // 28:02d}-{1 + i % 28:02d}",
            "actor": other,
            "target": "RU",
            "kind": "expel",
            "size": 2,
            "deadline_days": 7,
            "coalition": "wave",
        }
        for i, other in enumerate(others)
    ]
    return Scenario.model_validate(
        {
            "name": f"{states}-states",
            "start": "2018-01-01",
            "end": "2018-12-31",
            "seed": 7,
            "sides": [{"name": "RU", "policy": answer}, *({"name": other} for other in others)],
            "missions": missions,
            "acts": acts,
        }
    )


def two_states(states: int = STATES) -> Scenario:
    """The same people and acts between two sides."""
    acts = [
        {
            "date": f"2018-{2 + i // 28:02d}-{1 + i % 28:02d}",
            "actor": "B",
            "kind": "expel",
            "size": 2,
            "deadline_days": 7,
        }
        for i in range(states - 1)
    ]
    answer = {"kind": "tit_for_tat", "delay_days": 3, "deadline_days": 7}
    return Scenario.model_validate(
        {
            "name": "2-states",
            "start": "2018-01-01",
            "end": "2018-12-31",
            "seed": 7,
            "sides": [
                {"name": "A", "mission": _mission(states - 1), "policy": answer},
                {"name": "B", "mission": _mission(states - 1)},
            ],
            "acts": acts,
        }
    )


def _best(scenario: Scenario, repeats: int) -> tuple[float, int]:
    best, events = float("inf"), 0
    for _ in range(repeats):
        began = time.perf_counter()
        engine = simulate(scenario)
        best = min(best, time.perf_counter() - began)
        events = len(engine.log)
    return best, events


def n_states(quick: bool, emit: Callable[..., None]) -> None:
    repeats = 3 if quick else 7
    many, two = many_states(), two_states()
    for _ in range(2):  # interleaved, so a noisy moment hits both
        many_s, many_events = _best(many, repeats)
        two_s, two_events = _best(two, repeats)
    per_many, per_two = many_s / many_events, two_s / two_events
    emit(
        "n_states_30",
        per_many * 1e6,
        "us/event",
        per_two * 1e6,
        "ratio <= 1.25 (about the time of two states)",
        states=STATES,
        missions=len(many.mission_pairs()),
        events_30=many_events,
        events_2=two_events,
        seconds_30=round(many_s, 4),
        seconds_2=round(two_s, 4),
        baseline_is="the two-state scenario of the same people and acts, per event",
    )
