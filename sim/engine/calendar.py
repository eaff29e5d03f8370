"""The calendar: a heap of days, and for each day a heap of work items that are plain ints.

An item packs ``(phase, side slot, key, mission)`` into one int whose order is the order of
that tuple, so a day's heap pops work in phase order, then side order (documented acts,
slot -1, first), then by key (a seq, a person or request id, a plan index): the same order
the day agenda always had, at the cost of an int comparison. Queueing the same item twice
on a day is a no-op until it has run (then it may be queued again), which is what lets every
mechanic schedule work without asking whether it already did.

SimPy kept this calendar before; it added a timeout object and a callback per day and ~5%
of the run time, and nothing the design uses (no process waits on another).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence

ACT, REACT, DEADLINE, TOUR, VISA, ARRIVE, STAFF = range(7)

PHASE_SHIFT, SLOT_SHIFT, KEY_SHIFT = 60, 50, 10
SLOT_MASK, KEY_MASK, MISSION_MASK = (1 << 10) - 1, (1 << 40) - 1, (1 << 10) - 1
MAX_MISSIONS = 1 << 10


def item(phase: int, slot: int, key: int, mission: int) -> int:
    """One work item; ``slot`` -1 is side-neutral work that goes before both sides' work."""
    return (phase << PHASE_SHIFT) | ((slot + 1) << SLOT_SHIFT) | (key << KEY_SHIFT) | mission


class Calendar:
    """Days with work on them, each day's work in a heap; ``run`` hands each item to
    ``work[phase](slot, key, mission)``."""

    __slots__ = ("_buckets", "_days", "horizon", "today")

    def __init__(self, horizon: int, today: int = 0) -> None:
        self.horizon, self.today = horizon, today
        self._days: list[int] = []
        self._buckets: dict[int, tuple[list[int], set[int]]] = {}

    def at(self, day: int, work: int) -> None:
        """Queue ``work`` on ``day`` (nothing after the horizon; nothing twice while queued)."""
        if day > self.horizon:
            return
        bucket = self._buckets.get(day)
        if bucket is None:
            bucket = self._buckets[day] = ([], set())
            heapq.heappush(self._days, day)
        heap, queued = bucket
        if work not in queued:
            queued.add(work)
            heapq.heappush(heap, work)

    def run(
        self, work: Sequence[Callable[[int, int, int], None]], on_day: Callable[[int], None] | None
    ) -> None:
        """Run every day's work in order; work may queue more work for today or later."""
        days, buckets, pop = self._days, self._buckets, heapq.heappop
        while days:
            day = pop(days)
            self.today = day
            if on_day is not None:
                on_day(day)
            heap, queued = buckets[day]
            while heap:
                item_ = pop(heap)
                queued.discard(item_)
                work[item_ >> PHASE_SHIFT](
                    ((item_ >> SLOT_SHIFT) & SLOT_MASK) - 1,
                    (item_ >> KEY_SHIFT) & KEY_MASK,
                    item_ & MISSION_MASK,
                )
            del buckets[day]
