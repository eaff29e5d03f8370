"""The books the two hand-written baselines keep, and every mechanic they share.

The baselines (``simpy_model``: one SimPy process per person; ``heapq_model``: a bare heap of
work items) exist to say how fast the engine's job can be done by hand. They must differ from
each other only in how they schedule work, so the mechanics live here once: who is hired, who
leaves at a deadline, how many visas one-for-one allows. Everything here is plain Python (dicts,
lists, tuples, slotted objects, one ``random.Random``); the scenario arrives as plain data
(:mod:`bench.model_input`).

What the models keep per event is what the engine keeps at the least: one record appended to a
list, ``(seq, day, kind, mission, subject, detail)``, and headcounts per ``(post, role)``. What
they leave out on purpose: persistent state (no fold, no replay), keyed draws (one Mersenne
Twister consumed in order, so no fork-exact or side-neutral randomness), and the day agenda's
phase order (same-day work runs in scheduling order).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable
from typing import Any

from bench.model_input import ORDERS, OWN, Act, Plain, Side
from sim.core.events import ROLES

_RANK = {"local": 0, "admin_technical": 1, "diplomat": 2}

Record = tuple[int, int, str, str, Any, Any]  # (seq, day, kind, mission, subject, detail)


class Mission:
    """One side's mission in the other's capital: plain dicts the models change in place."""

    __slots__ = (
        "ambassador", "ban", "ban_pending", "blocked", "cap", "closed", "closing", "counted_from",
        "counts", "credit", "host", "keys", "limit", "name", "open_now", "orders", "pending", "posts",
        "requests", "side", "staff", "targets", "visa_policy", "visas", "visas_day", "visas_that_day",
        "waiting",
    )  # fmt: skip

    def __init__(self, side: Side) -> None:
        self.name, self.host, self.side, self.posts = side.name, side.host, side, side.posts
        self.keys = tuple((post, role) for post in side.posts for role in ROLES)
        self.staff: dict[int, tuple[str, str, int, int]] = {}  # pid -> (role, post, arrived, tour_end)
        self.counts: dict[tuple[str, str], int] = dict.fromkeys(self.keys, 0)
        self.pending: dict[tuple[str, str], int] = dict.fromkeys(self.keys, 0)  # open visa requests
        self.targets = {key: side.targets.get(key, 0) for key in self.keys}
        self.requests: dict[int, tuple[str, str]] = {}  # rid -> (role, post)
        self.waiting: list[int] = []  # requests a one-for-one host holds back (heapq model)
        self.orders: dict[int, Act] = {}  # seq -> act awaiting its deadline
        self.closed: set[str] = set()
        self.closing: dict[str, int] = {}  # post -> closure orders pending
        self.open_now = side.posts  # neither closed nor ordered closed (kept by World.reopen)
        self.cap: Act | None = None
        self.limit: Act | None = None
        self.ban, self.ban_pending, self.blocked, self.ambassador = False, 0, False, True
        self.visa_policy, self.credit, self.counted_from = side.visa_policy, side.credit, (0, 0)
        self.visas, self.visas_day, self.visas_that_day = 0, -1, 0


class World:
    """The books of one run: the event list, both missions, the draws, and every mechanic."""

    def __init__(self, spec: Plain) -> None:
        self.plain, self.horizon = spec, spec.horizon
        self.events: list[Record] = []
        self.missions = {side.name: Mission(side) for side in spec.sides}
        self.rng = random.Random(spec.seed)

    def record(self, day: int, kind: str, mission: str, subject: Any = None, detail: Any = None) -> int:
        seq = len(self.events)
        self.events.append((seq, day, kind, mission, subject, detail))
        return seq

    def draw(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low + 1))

    def open(self) -> list[tuple[Mission, int]]:
        """Day 0: both missions open with their staff, each mid-tour; the people to schedule."""
        people = []
        for m in self.missions.values():
            self.record(0, "MissionOpened", m.name, m.host)
            for (post, role), n in m.side.staff.items():
                low, high = m.side.tours[role]
                for _ in range(n):
                    tour = self.draw(low, high)
                    served = self.draw(0, tour - 1)
                    people.append((m, self.hire(0, m, role, post, arrived=-served, tour_end=tour - served)))
        return people

    # --- people ---------------------------------------------------------------------------------

    def hire(
        self, day: int, m: Mission, role: str, post: str, request: int | None = None,
        arrived: int | None = None, tour_end: int | None = None,
    ) -> int:  # fmt: skip
        if tour_end is None:
            low, high = m.side.tours[role]
            arrived, tour_end = day, day + self.draw(low, high)
        pid = self.record(day, "StaffArrived", m.name, request, (role, post, arrived, tour_end))
        m.staff[pid] = (role, post, arrived, tour_end)  # type: ignore[assignment]
        m.counts[post, role] += 1
        if request is not None:
            del m.requests[request]
            m.pending[post, role] -= 1
        return pid

    def depart(self, day: int, m: Mission, pid: int, reason: str, order: Act | None = None) -> None:
        role, post, _, _ = m.staff.pop(pid)
        m.counts[post, role] -= 1
        self.record(day, "StaffDeparted", m.name, pid, reason)
        if order is not None and order.kind == "expel" and not order.replaceable:
            m.targets[post, role] = max(0, m.targets[post, role] - 1)  # the post is abolished

    def due_day(self, m: Mission, pid: int) -> int:
        """The day ``pid`` goes home: the tour's end, or sooner under a rotation limit in force."""
        role, _, arrived, tour_end = m.staff[pid]
        limit = m.limit
        if limit is not None and role in limit.roles:
            return min(tour_end, arrived + limit.size)
        return tour_end

    def leaving(self, m: Mission, pid: int, day: int) -> str | None:
        """Why ``pid`` leaves today of their own accord (``None``: they stay)."""
        person = m.staff.get(pid)
        if person is None:
            return None
        if person[3] <= day:
            return "tour_end"
        limit = m.limit
        if limit is not None and person[0] in limit.roles and person[2] + limit.size <= day:
            return "rotation_limit"
        return None

    def pick(self, day: int, m: Mission, roles: Iterable[str], count: int, rule: str) -> list[int]:
        """Who leaves under ``rule`` (the person id breaks ties)."""
        pool = [(pid, p) for pid, p in m.staff.items() if p[0] in roles]
        if rule == "newest":
            pool.sort(key=lambda item: (-item[1][2], -item[0]))
        elif rule == "random":
            ranks = {pid: self.rng.random() for pid, _ in pool}
            pool.sort(key=lambda item: (ranks[item[0]], item[0]))
        elif rule == "locals_first":
            pool.sort(key=lambda item: (_RANK[item[1][0]], item[1][2], item[0]))
        else:
            pool.sort(key=lambda item: (item[1][2], item[0]))
        return [pid for pid, _ in pool[: max(count, 0)]]

    # --- staffing -------------------------------------------------------------------------------

    @staticmethod
    def open_posts(m: Mission) -> tuple[str, ...]:
        return m.open_now

    @staticmethod
    def reopen(m: Mission) -> None:
        """Work out the open posts again after a closure was ordered or carried out (an embassy
        closing takes every post): they are read on every hire, so they are kept, not derived."""
        if "embassy" in m.closed or m.closing.get("embassy"):
            m.open_now = ()
        else:
            m.open_now = tuple(p for p in m.posts if p not in m.closed and not m.closing.get(p))

    @staticmethod
    def counted(counter: dict[tuple[str, str], int], roles: Iterable[str]) -> int:
        return sum(n for (_, role), n in counter.items() if role in roles)

    def cap_room(self, m: Mission) -> int | None:
        """How many more people the cap in force allows, counting open requests."""
        cap = m.cap
        if cap is None:
            return None
        return cap.size - self.counted(m.counts, cap.roles) - self.counted(m.pending, cap.roles)

    def fits(self, m: Mission, post: str, role: str) -> bool:
        """Whether one more arrival of ``role`` at ``post`` is allowed today."""
        if post not in self.open_posts(m):
            return False
        cap = m.cap
        return cap is None or role not in cap.roles or self.counted(m.counts, cap.roles) < cap.size

    def fill(
        self, day: int, m: Mission, keys: Iterable[tuple[str, str]]
    ) -> tuple[list[int], list[tuple[int, int]]]:
        """Fill every fillable vacancy among ``keys``: locals are hired on the spot, the others
        asked for (a visa request each). Returns the hired and the ``(request, due day)`` pairs."""
        hired: list[int] = []
        asked: list[tuple[int, int]] = []
        posts = self.open_posts(m)
        banned = m.ban or m.ban_pending > 0
        room = self.cap_room(m)
        cap_roles = m.cap.roles if m.cap is not None else ()
        for post, role in keys:
            if post not in posts or (role == "local" and banned) or (role != "local" and m.blocked):
                continue
            n = m.targets[post, role] - m.counts[post, role] - m.pending[post, role]
            if room is not None and role in cap_roles:
                n = min(n, room)
                room -= max(n, 0)
            for _ in range(n):
                if role == "local":
                    hired.append(self.hire(day, m, role, post))
                else:
                    asked.append(self.ask(day, m, role, post))
        return hired, asked

    def review(self, day: int, m: Mission) -> tuple[list[int], list[tuple[int, int]]]:
        """After an act or a deadline: withdraw requests that no longer fit, then fill all posts."""
        posts = self.open_posts(m)
        room = self.cap_room(m)
        cap_roles = m.cap.roles if m.cap is not None else ()
        for rid in sorted(m.requests, reverse=True):
            role, post = m.requests[rid]
            over_target = m.counts[post, role] + m.pending[post, role] > m.targets[post, role]
            over_cap = room is not None and room < 0 and role in cap_roles
            if post in posts and not over_target and not over_cap:
                continue
            self.withdraw(day, m, rid)
            if room is not None and role in cap_roles:
                room += 1
        return self.fill(day, m, m.keys)

    # --- visas ----------------------------------------------------------------------------------

    def ask(self, day: int, m: Mission, role: str, post: str) -> tuple[int, int]:
        due = day + self.draw(*m.side.processing)
        rid = self.record(day, "VisaRequested", m.name, None, (role, post, due))
        m.requests[rid] = (role, post)
        m.pending[post, role] += 1
        return rid, due

    def withdraw(self, day: int, m: Mission, rid: int) -> None:
        role, post = m.requests.pop(rid)
        m.pending[post, role] -= 1
        self.record(day, "VisaRequestWithdrawn", m.name, rid)

    def deny(self, day: int, m: Mission, rid: int) -> None:
        role, post = m.requests.pop(rid)
        m.pending[post, role] -= 1
        m.blocked = True  # no more requests until the terms change
        self.record(day, "VisaDenied", m.name, rid)

    def allowance(self, m: Mission, day: int) -> int | None:
        """Visas a one-for-one host may still issue to ``m`` today (``None``: no such limit):
        those ``m``'s side issued to the host's staff before today, since the terms changed."""
        if m.visa_policy != "one_for_one":
            return None
        theirs = self.missions[m.host]
        before = theirs.visas - (theirs.visas_that_day if theirs.visas_day == day else 0)
        return before - m.counted_from[1] + m.credit - (m.visas - m.counted_from[0])

    def issue(self, day: int, m: Mission, rid: int) -> int:
        """Issue ``rid``'s visa; returns the arrival day."""
        arrives = day + m.side.travel
        self.record(day, "VisaIssued", m.name, rid, arrives)
        m.visas += 1
        m.visas_that_day = m.visas_that_day + 1 if m.visas_day == day else 1
        m.visas_day = day
        return arrives

    def matched(self, m: Mission) -> Mission | None:
        """The mission whose one-for-one allowance a visa to ``m`` raises (from tomorrow), if any."""
        theirs = self.missions[m.host]
        return theirs if theirs.visa_policy == "one_for_one" else None

    # --- acts -----------------------------------------------------------------------------------

    def announce(self, day: int, act: Act) -> tuple[Mission, int]:
        """Record ``act`` and its immediate effects; returns the mission it concerns and its seq."""
        m = self.missions[act.actor if act.kind in OWN else act.target]
        seq = self.record(day, act.kind, m.name, act.actor, act)
        kind = act.kind
        if kind in ORDERS:
            m.orders[seq] = act
            if kind in ("close_post", "close_own_post"):
                m.closing[act.post] = m.closing.get(act.post, 0) + 1  # type: ignore[index]
                self.reopen(m)
            elif kind == "local_hire_ban":
                m.ban_pending += 1
        elif kind == "visa_policy":
            m.visa_policy, m.credit, m.blocked = act.visa_policy, act.credit, False  # type: ignore[assignment]
            m.counted_from = (m.visas, self.missions[act.actor].visas)
        elif kind in ("recall_ambassador", "return_ambassador"):
            m.ambassador = kind == "return_ambassador"
        return m, seq

    def enforce(self, day: int, m: Mission, seq: int) -> list[int]:
        """The deadline of order ``seq``: who it sends home (they are gone when this returns)."""
        act = m.orders.pop(seq)
        kind, reason = act.kind, {"expel": "expelled", "cap": "cap"}.get(act.kind, act.kind)
        if kind == "expel":
            gone = self.pick(day, m, act.roles, act.size, act.rule)
        elif kind == "cap":
            gone = self.pick(day, m, act.roles, self.counted(m.counts, act.roles) - act.size, act.rule)
            m.cap = act
        elif kind == "rotation_limit":
            gone = sorted(pid for pid, p in m.staff.items() if p[0] in act.roles and day - p[2] >= act.size)
            m.limit = act
        elif kind == "local_hire_ban":
            gone = sorted(pid for pid, p in m.staff.items() if p[0] == "local")
            m.ban, m.ban_pending = True, m.ban_pending - 1
        else:
            gone, reason = self._close(day, m, act.post), "post_closed"  # type: ignore[arg-type]
            m.closing[act.post] -= 1  # type: ignore[index]
            m.closed |= set(m.posts) if act.post == "embassy" else {act.post}  # type: ignore[arg-type]
            self.reopen(m)
        for pid in gone:
            self.depart(day, m, pid, reason, act)
        self.record(day, "DeadlineReached", m.name, seq)
        return gone

    def _close(self, day: int, m: Mission, post: str) -> list[int]:
        """Locals at ``post`` go; the others move to the embassy if it stays open, else go too."""
        if post == "embassy":
            return sorted(m.staff)
        embassy_open = "embassy" in self.open_posts(m)
        gone = []
        for pid in sorted(pid for pid, p in m.staff.items() if p[1] == post):
            role, _, arrived, tour_end = m.staff[pid]
            if embassy_open and role != "local":
                m.staff[pid] = (role, "embassy", arrived, tour_end)
                m.counts[post, role] -= 1
                m.counts["embassy", role] += 1
                self.record(day, "StaffReassigned", m.name, pid, "embassy")
            else:
                gone.append(pid)
        return gone

    def observe(self, day: int, observer: str, seq: int, act: Act) -> Act | None:
        """``observer`` takes note of act ``seq`` (or misses it) and answers it in kind."""
        me = self.missions[observer]
        missed = me.side.miss > 0 and self.rng.random() < me.side.miss
        self.record(day, "ActObserved", observer, seq, missed)
        return None if missed else self._mirror(day, me, act)

    def _mirror(self, day: int, me: Mission, seen: Act) -> Act | None:
        """Tit for tat's answer: the same kind, size and roles, with the answering side's deadline."""
        side, theirs, kind = me.side, self.missions[me.host], seen.kind
        answer = Act(day, me.name, me.host, kind, seen.size, day + side.deadline_days, seen.roles, side.rule)
        if kind == "expel":
            present = self.counted(theirs.counts, seen.roles)
            return None if present <= 0 else _with(answer, size=min(seen.size, present))
        if kind in ("cap", "rotation_limit", "local_hire_ban", "threaten", "close_compound", "cut_services"):
            return answer
        if kind == "close_post":
            consulates = [p for p in self.open_posts(theirs) if p != "embassy"]
            return _with(answer, post=consulates[-1]) if consulates else None
        if kind == "visa_policy" and (seen.visa_policy != "issue" or theirs.visa_policy != "issue"):
            return _with(answer, visa_policy=seen.visa_policy, credit=0, deadline=day)
        recall = kind == "recall_ambassador"
        if (recall or kind == "return_ambassador") and me.ambassador == recall:
            return _with(answer, deadline=day)  # recall only a present ambassador, return only an absent one
        return None


def _with(act: Act, **changes: Any) -> Act:
    return dataclasses.replace(act, **changes)


def headcounts(world: World) -> dict[str, int]:
    """People present per mission at the end of the run."""
    return {name: len(m.staff) for name, m in world.missions.items()}
