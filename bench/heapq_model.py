"""The engine's job as a bare heapq loop: the pure-Python limit for the kernel rebuild (issue 12).

Why it exists: it is as little machinery as the job allows. One heap of ``(day, seq, kind,
args)`` work items, popped in order and dispatched on ``kind``; no SimPy, no pydantic, no
persistent state in the loop. A person's tour end is one item; an item whose work was done
by something else (a person expelled before their tour ended) finds nothing to do and is
skipped, so nothing is ever cancelled. Same-day items run in push order (``seq``). The
mechanics are the ones the raw-SimPy model uses (:mod:`bench.model_common`), so the two differ
only in how they schedule.

    from bench.heapq_model import simulate
    world = simulate(load_scenario("scenarios/rotation-rule-2021.yaml"))
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from bench.model_common import Mission, World
from bench.model_input import ORDERS, Act, plain
from sim.scenario.models import Scenario

TOUR, VISA, ARRIVE, WAKE, ACT, DEADLINE, REACT = range(7)


class HeapModel:
    """One run: ``run()`` once, then read ``world`` (the event records and the missions)."""

    def __init__(self, scenario: Scenario) -> None:
        self.world = World(plain(scenario))
        self.heap: list[tuple[int, int, int, tuple[Any, ...]]] = []
        self.pushed = 0
        self.wake_days: set[tuple[str, int]] = set()
        self.handlers: dict[int, Callable[..., None]] = {
            TOUR: self.tour_end,
            VISA: self.visa,
            ARRIVE: self.arrive,
            WAKE: self.wake,
            ACT: self.announce,
            DEADLINE: self.deadline,
            REACT: self.react,
        }

    def push(self, day: int, kind: int, *args: Any) -> None:
        self.pushed += 1
        heapq.heappush(self.heap, (day, self.pushed, kind, args))

    def run(self) -> World:
        world, heap, handlers = self.world, self.heap, self.handlers
        for m, pid in world.open():
            self.push(world.due_day(m, pid), TOUR, m, pid)
        for act in world.plain.acts:
            self.push(act.day, ACT, act)
        horizon = world.horizon
        while heap:
            day, _, kind, args = heapq.heappop(heap)
            if day > horizon:
                break
            handlers[kind](day, *args)
        return world

    def start(self, m: Mission, hired: list[int], asked: list[tuple[int, int]]) -> None:
        """Put the tour ends of the people just hired and the requests just made on the heap."""
        world = self.world
        for pid in hired:
            self.push(world.due_day(m, pid), TOUR, m, pid)
        for rid, due in asked:
            self.push(due, VISA, m, rid)

    # --- people and visas -------------------------------------------------------------------

    def tour_end(self, day: int, m: Mission, pid: int) -> None:
        world = self.world
        reason = world.leaving(m, pid, day)
        if reason is None:  # gone already, or an item of a tour that was re-aimed
            return
        role, post, _, _ = m.staff[pid]
        world.depart(day, m, pid, reason)
        self.start(m, *world.fill(day, m, ((post, role),)))

    def visa(self, day: int, m: Mission, rid: int) -> None:
        """A request falls due: the host decides it, or holds it back (one-for-one)."""
        if rid not in m.requests:
            return
        if m.visa_policy == "deny":
            self.world.deny(day, m, rid)
            return
        allowance = self.world.allowance(m, day)
        if allowance is not None and allowance <= 0:
            m.waiting.append(rid)
            return
        self.grant(day, m, rid)

    def grant(self, day: int, m: Mission, rid: int) -> None:
        world = self.world
        self.push(world.issue(day, m, rid), ARRIVE, m, rid)
        theirs = world.matched(m)
        if theirs is not None and (theirs.name, day + 1) not in self.wake_days:
            self.wake_days.add((theirs.name, day + 1))
            self.push(day + 1, WAKE, theirs)

    def wake(self, day: int, m: Mission) -> None:
        """Decide the held-back requests again in the order they were held back (new terms, or
        visas matched): first come, first served, as SimPy resumes the processes waiting on one
        event (the engine serves the oldest request first instead)."""
        waiting, m.waiting = m.waiting, []
        for rid in waiting:
            self.visa(day, m, rid)

    def arrive(self, day: int, m: Mission, rid: int) -> None:
        if rid not in m.requests:
            return
        role, post = m.requests[rid]
        if not self.world.fits(m, post, role):
            self.world.withdraw(day, m, rid)
            return
        self.start(m, [self.world.hire(day, m, role, post, rid)], [])

    # --- acts, deadlines, reactions -----------------------------------------------------------

    def announce(self, day: int, act: Act) -> None:
        world = self.world
        m, seq = world.announce(day, act)
        if act.kind in ORDERS:
            self.push(act.deadline, DEADLINE, m, seq, act)
        elif act.kind == "visa_policy":
            self.wake(day, m)
        self.start(m, *world.review(day, m))
        if world.missions[act.target].side.reacts:
            self.push(day + world.missions[act.target].side.delay, REACT, act.target, seq, act)

    def deadline(self, day: int, m: Mission, seq: int, act: Act) -> None:
        world = self.world
        world.enforce(day, m, seq)
        if act.kind == "rotation_limit":  # each person of those roles now leaves at the limit too
            for pid, person in m.staff.items():
                if person[0] in act.roles:
                    self.push(max(person[2] + act.size, day), TOUR, m, pid)
        self.start(m, *world.review(day, m))

    def react(self, day: int, observer: str, seq: int, act: Act) -> None:
        answer = self.world.observe(day, observer, seq, act)
        if answer is not None:
            self.announce(day, answer)


def simulate(scenario: Scenario) -> World:
    """Run ``scenario`` through the heapq model; the finished books."""
    return HeapModel(scenario).run()
