"""Hand-written logs to continue from: the state a staffing rule is tested on, exactly.

A test writes the state it wants as events (missions, people, open requests, measures in
force or pending), then lets the engine continue that log for one day through the public
``fork`` and reads what the engine did on that day. This reaches a single rule (the staffing
review, the visa desk, an arrival) without depending on how the engine got there, so the
tables survive a rebuild of the engine's internals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sim.core import events as ev
from sim.engine.loop import Engine, fork
from sim.scenario.models import Scenario

START = dt.date(2020, 1, 1)
FAR = 10_000  # a day beyond every run here: tours and requests that never come due
TRAVEL, PROCESSING = 14, 10


class LogBuilder:
    """Appends events with consecutive ``seq`` numbers, all on ``day`` (0 unless changed)."""

    def __init__(self) -> None:
        self.events: list[ev.Event] = []
        self.day = 0

    def add(self, cls: type[ev.Event], **fields: Any) -> int:
        seq = len(self.events)
        self.events.append(cls(seq=seq, day=fields.pop("day", self.day), **fields))
        return seq

    def open(self, name: str, other: str, posts: dict[str, dict[str, int]], **terms: Any) -> int:
        """A mission with these targets (``{post: {role: n}}``); nobody on its staff yet."""
        targets = tuple((p, r, n) for p, roles in posts.items() for r, n in roles.items())
        return self.add(
            ev.MissionOpened, actor=name, target=other, posts=tuple(posts), targets=targets, **terms
        )

    def staff(
        self, name: str, other: str, post: str, role: str, n: int = 1, tour_end: int = FAR, arrived: int = -1
    ) -> list[int]:
        return [
            self.add(
                ev.StaffArrived,
                actor=name,
                target=other,
                role=role,
                post=post,
                arrived=arrived,
                tour_end=tour_end,
            )
            for _ in range(n)
        ]

    def request(self, name: str, other: str, post: str, role: str, due: int = FAR) -> int:
        return self.add(ev.VisaRequested, actor=name, target=other, role=role, post=post, due=due)

    def measure(
        self, cls: type[ev.Event], actor: str, target: str, in_force: bool = True, **fields: Any
    ) -> int:
        """A host measure of ``actor`` on ``target``'s mission: in force (its deadline reached)
        or pending (its deadline beyond every run here)."""
        if "deadline" in ev.field_names(cls):
            fields.setdefault("deadline", self.day if in_force else FAR)
        seq = self.add(cls, actor=actor, target=target, **fields)
        if in_force:
            self.add(ev.DeadlineReached, actor=actor, target=target, cause=seq, measure=seq, concerns=target)
        return seq


def side(name: str, visas: dict[str, Any] | None = None) -> dict[str, Any]:
    """A side config: only its tours, travel and visa terms matter to a continued log."""
    return {
        "name": name,
        "mission": {
            "posts": {"embassy": {"diplomat": 1}},
            "tour_days": {"diplomat": 5000, "admin_technical": 5000, "local": 5000},
            "travel_days": TRAVEL,
        },
        "visas": {"policy": "issue", "processing_days": PROCESSING, **(visas or {})},
        "policy": {"kind": "none"},
    }


def continue_log(
    prefix: Sequence[ev.Event], day: int, last_day: int | None = None, acts: Sequence[dict[str, Any]] = ()
) -> Engine:
    """The engine that continued ``prefix`` from ``day`` to ``last_day`` (default: ``day``),
    with the scenario ``acts`` (``{"day": n, "actor": ..., "kind": ..., ...}``) on their days."""
    end = START + dt.timedelta(days=last_day if last_day is not None else day)
    dated = [{**a, "date": (START + dt.timedelta(days=a["day"])).isoformat()} for a in acts]
    for a in dated:
        del a["day"]
    scenario = Scenario.model_validate(
        {
            "start": START.isoformat(),
            "end": end.isoformat(),
            "seed": 1,
            "sides": [side("A"), side("B")],
            "acts": dated,
        }
    )
    return fork(scenario, prefix, day)


def what_happened(engine: Engine, after: int, mission: str = "A") -> list[str]:
    """The staffing moves of ``mission`` in ``engine.log[after:]``, as sorted short strings; a
    withdrawn request is named by its post, role and place among the mission's requests (``#0``
    is the first request in the log)."""
    asked = [e for e in engine.log if e.actor == mission and isinstance(e, ev.VisaRequested)]
    names = {e.seq: f"{e.post} {e.role} #{i}" for i, e in enumerate(asked)}
    out = []
    for e in engine.log[after:]:
        if e.actor == mission and isinstance(e, ev.VisaRequested):
            out.append(f"request {e.post} {e.role}")
        elif e.actor == mission and isinstance(e, ev.StaffArrived):
            out.append(f"arrive {e.post} {e.role}")
        elif e.actor == mission and isinstance(e, ev.VisaRequestWithdrawn):
            out.append(f"withdraw {names[e.request]}")
        elif e.actor == mission and isinstance(e, ev.StaffDeparted):
            out.append(f"depart {e.person} {e.reason}")
    return sorted(out)
