"""The calendar: a slot per day up to the horizon, and each day's work as plain ints in order.

An item packs ``(phase, side slot, key, mission)`` into one int whose order is the order of
that tuple, so a day pops its work in phase order, then side order (documented acts, slot 0,
first), then by key (a seq, a person or request id, a plan index): the same order the day
agenda always had, at the cost of an int comparison. Queueing the same item twice on a day is
a no-op until it has run (then it may be queued again), which is what lets every mechanic
schedule work without asking whether it already did.

A day still to come is a set of items in its slot; it becomes a heap (a sorted list) the moment
it starts. Most work is queued for a later day (a tour's end, a visa's due day, an arrival), and
adding to a set is cheaper than keeping a heap in order for a day nobody looks at yet; the day
being run keeps a heap and the set of what is queued on it, since its work queues more for
today. Days are slots of a list rather than a heap of days: walking the horizon's few thousand
slots costs less than a heap push and pop per day with work. Work is never queued for a day
gone by (every mechanic queues today or later); the calendar refuses it rather than run it late.

SimPy kept this calendar before; it added a timeout object and a callback per day and ~5%
of the run time, and nothing the design uses (no process waits on another).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence

ACT, REACT, DEADLINE, TOUR, VISA, ARRIVE, AHEAD, STAFF = range(8)

PHASE_SHIFT, SLOT_SHIFT, KEY_SHIFT = 60, 50, 10
SLOT_MASK, KEY_MASK, MISSION_MASK = (1 << 10) - 1, (1 << 40) - 1, (1 << 10) - 1
MAX_MISSIONS = 1 << 10


def item(phase: int, slot: int, key: int, mission: int) -> int:
    """One work item; ``slot`` -1 is side-neutral work that goes before both sides' work."""
    return (phase << PHASE_SHIFT) | ((slot + 1) << SLOT_SHIFT) | (key << KEY_SHIFT) | mission


class Calendar:
    """Days with work on them; ``run`` hands each item to ``work[phase](key, mission)``."""

    __slots__ = ("_buckets", "_heap", "_queued", "_running", "horizon", "today")

    def __init__(self, horizon: int, today: int = 0) -> None:
        self.horizon, self.today = horizon, today
        self._buckets: list[set[int] | None] = [None] * (horizon + 1)  # day to come -> its items
        self._running: int | None = None  # the day being run, whose items are in _heap
        self._heap: list[int] = []
        self._queued: set[int] = set()  # the items in _heap

    def at(self, day: int, work: int) -> None:
        """Queue ``work`` on ``day`` (nothing after the horizon; nothing twice while queued)."""
        if day == self._running:
            queued = self._queued
            if work not in queued:
                queued.add(work)
                heapq.heappush(self._heap, work)
        elif day <= self.horizon:
            if day < self.today:
                raise ValueError(f"work queued for day {day}, before today ({self.today})")
            bucket = self._buckets[day]
            if bucket is None:
                self._buckets[day] = {work}
            else:
                bucket.add(work)

    def at_all(self, work: Iterable[tuple[int, int]]) -> None:
        """``at`` for each ``(day, item)`` of ``work``: a mission's tour items are queued all
        at once (at the start and whenever a rotation limit comes into force), hundreds of
        them, and one call for all saves a Python call an item."""
        running, horizon, today, buckets = self._running, self.horizon, self.today, self._buckets
        for day, item_ in work:
            if day == running or day < today:
                self.at(day, item_)  # today's heap, or the refusal of a day gone by
            elif day <= horizon:
                bucket = buckets[day]
                if bucket is None:
                    buckets[day] = {item_}
                else:
                    bucket.add(item_)

    def run(self, work: Sequence[Callable[[int, int], None]], on_day: Callable[[int], None] | None) -> None:
        """Run every day's work in order; work may queue more work for today or later."""
        buckets, pop = self._buckets, heapq.heappop
        phase_shift, key_shift, key_mask, mission_mask = PHASE_SHIFT, KEY_SHIFT, KEY_MASK, MISSION_MASK
        for day in range(self.today, self.horizon + 1):
            queued = buckets[day]
            if queued is None:
                continue
            buckets[day] = None
            self.today = day
            if on_day is not None:
                on_day(day)
            heap = sorted(queued)  # a sorted list is a heap
            self._running, self._heap, self._queued = day, heap, queued
            while heap:
                item_ = pop(heap)
                queued.discard(item_)
                work[item_ >> phase_shift]((item_ >> key_shift) & key_mask, item_ & mission_mask)
        self._running = None
