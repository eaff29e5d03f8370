"""The engine's job written the way a competent user would write it in raw SimPy.

Why it exists: the kernel rebuild (issue 12) has to beat this. It is the obvious design the
engine's docs say they replaced: every person is a SimPy process whose tour is a timeout that a
deadline can interrupt (expelled, over a cap, past a rotation limit, a post closed), every visa
request is a process (the host's processing delay, a wait while a one-for-one host holds it
back, the journey), every deadline and every reaction is a process, and the documented and
scripted acts are one process walking the calendar. Same-day work runs in SimPy's creation
order; the mechanics (who leaves, how many visas one-for-one allows) are shared with the heapq
model in :mod:`bench.model_common`, so the two differ only in how they schedule.

    from bench.simpy_model import simulate
    world = simulate(load_scenario("scenarios/rotation-rule-2021.yaml"))
    world.events, world.missions["US"].counts
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from bench.model_common import Mission, World
from bench.model_input import ORDERS, Act, plain
from sim.scenario.models import Scenario

GONE = "gone"  # interrupt cause: the interrupter has already recorded the departure
RECHECK = "recheck"  # interrupt cause: a rotation limit came into force, the tour may end sooner

Proc = Generator[simpy.Event, Any, None]


class SimPyModel:
    """One run: ``run()`` once, then read ``world`` (the event records and the missions)."""

    def __init__(self, scenario: Scenario) -> None:
        self.world = World(plain(scenario))
        self.env = simpy.Environment()
        self.tours: dict[int, simpy.Process] = {}  # person id -> their tour
        # Fired when a one-for-one host may let more of a mission's requests through.
        self.wake = {name: self.env.event() for name in self.world.missions}
        self.wake_days: set[tuple[str, int]] = set()

    def run(self) -> World:
        for m, pid in self.world.open():
            self.tours[pid] = self.env.process(self.tour(m, pid))
        self.env.process(self.calendar())
        self.env.run(until=self.world.horizon + 1)  # the last day's events included
        return self.world

    # --- people -----------------------------------------------------------------------------

    def tour(self, m: Mission, pid: int) -> Proc:
        """A person's stay: a timeout to the tour's end, re-aimed when a rotation limit starts."""
        env, world = self.env, self.world
        while True:
            try:
                yield env.timeout(max(world.due_day(m, pid) - env.now, 0))
                break
            except simpy.Interrupt as stop:
                if stop.cause != RECHECK:
                    return
        day = int(env.now)
        role, post, _, _ = m.staff[pid]
        world.depart(day, m, pid, world.leaving(m, pid, day) or "tour_end")
        del self.tours[pid]
        self.start(m, *world.fill(day, m, ((post, role),)))

    def start(self, m: Mission, hired: list[int], asked: list[tuple[int, int]]) -> None:
        """Start the tours of the people just hired and the processes of the requests just made."""
        for pid in hired:
            self.tours[pid] = self.env.process(self.tour(m, pid))
        for rid, due in asked:
            self.env.process(self.visa(m, rid, due))

    def send_home(self, gone: list[int]) -> None:
        for pid in gone:
            self.tours.pop(pid).interrupt(GONE)

    # --- visas ------------------------------------------------------------------------------

    def visa(self, m: Mission, rid: int, due: int) -> Proc:
        """A request: the host's processing, a wait under one-for-one, the journey, the arrival."""
        env, world = self.env, self.world
        yield env.timeout(due - env.now)
        while rid in m.requests:
            day = int(env.now)
            if m.visa_policy == "deny":
                world.deny(day, m, rid)
                return
            allowance = world.allowance(m, day)
            if allowance is None or allowance > 0:
                arrives = world.issue(day, m, rid)
                self.matched(m, day)
                yield env.timeout(arrives - day)
                self.arrive(m, rid)
                return
            yield self.wake[m.name]

    def matched(self, m: Mission, day: int) -> None:
        """A visa to ``m`` lets the other mission's held-back requests through from tomorrow."""
        theirs = self.world.matched(m)
        if theirs is not None and (theirs.name, day + 1) not in self.wake_days:
            self.wake_days.add((theirs.name, day + 1))
            self.env.timeout(1).callbacks.append(lambda _event: self.notify(theirs.name))

    def notify(self, name: str) -> None:
        fired, self.wake[name] = self.wake[name], self.env.event()
        fired.succeed()

    def arrive(self, m: Mission, rid: int) -> None:
        if rid not in m.requests:
            return
        day = int(self.env.now)
        role, post = m.requests[rid]
        if not self.world.fits(m, post, role):
            self.world.withdraw(day, m, rid)
            return
        self.start(m, [self.world.hire(day, m, role, post, rid)], [])

    # --- acts, deadlines, reactions -----------------------------------------------------------

    def calendar(self) -> Proc:
        """The documented and scripted acts, each on its day, in the engine's order."""
        env = self.env
        for act in self.world.plain.acts:
            if act.day > env.now:
                yield env.timeout(act.day - env.now)
            self.announce(act)

    def announce(self, act: Act) -> None:
        env, world = self.env, self.world
        day = int(env.now)
        m, seq = world.announce(day, act)
        if act.kind in ORDERS:
            env.process(self.deadline(m, seq, act))
        elif act.kind == "visa_policy":
            self.notify(m.name)  # held-back requests are decided again under the new terms
        self.start(m, *world.review(day, m))
        if world.missions[act.target].side.reacts:
            env.process(self.react(act.target, seq, act))

    def deadline(self, m: Mission, seq: int, act: Act) -> Proc:
        env, world = self.env, self.world
        yield env.timeout(act.deadline - env.now)
        day = int(env.now)
        self.send_home(world.enforce(day, m, seq))
        if act.kind == "rotation_limit":
            for pid, person in m.staff.items():
                if person[0] in act.roles:
                    self.tours[pid].interrupt(RECHECK)
        self.start(m, *world.review(day, m))

    def react(self, observer: str, seq: int, act: Act) -> Proc:
        env = self.env
        yield env.timeout(self.world.missions[observer].side.delay)
        answer = self.world.observe(int(env.now), observer, seq, act)
        if answer is not None:
            self.announce(answer)


def simulate(scenario: Scenario) -> World:
    """Run ``scenario`` through the raw-SimPy model; the finished books."""
    return SimPyModel(scenario).run()
