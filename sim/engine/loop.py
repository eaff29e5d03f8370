"""The discrete-event model: SimPy keeps the calendar, the state decides, events record.

How a run works
---------------
SimPy's clock advances day by day over the days on which something is due. Each day's work
sits in an *agenda* of items ordered by ``(phase, side slot, key)``:

====================  =====================================================================
phase                 what happens
====================  =====================================================================
0 ``ACT``             documented and scripted acts are announced
1 ``REACT``           a side's policy takes note of an act of the other side and answers
2 ``DEADLINE``        deadlines fall: people leave, caps and limits come into force
3 ``TOUR``            tours end (or hit a rotation limit) and people go home
4 ``VISA``            hosts decide the visa requests that are due
5 ``ARRIVE``          people with visas arrive
6 ``STAFF``           each mission fills vacancies (visa requests, local hires) or drops
                      requests that no longer fit
====================  =====================================================================

This replaces SimPy's same-time rule (creation order), which silently favours whichever
side's process was created first. Documented acts are the one exception to the side slot:
they keep their log's order (before either side's scripted acts of the day), since the log
may say that an act answers one the other side took earlier that same day. Within a phase
the two missions' work is independent (a side's act is answered one day later at the
earliest; one-for-one visas count only visas issued before today), so a phase's order
changes ``seq`` numbers, never the outcome.

The engine never changes state. Every item reads the state and emits events through one
path, :meth:`Engine.record`, which appends to the store and folds the event into the state.

Everything still to do is a function of the state and the log: :meth:`Engine._schedule_all`
rebuilds the agenda from them. A fresh run and a fork at day *d* (the log's events before
*d*, continued) therefore take the same path, which is what makes forks exact. Every item
is idempotent: it re-reads the state and does nothing if its work is done.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import simpy

from sim.core import events as ev
from sim.core import randomness as rnd
from sim.core.acts import DEFAULT_ROLES, ActSpec, describe, particulars, to_event
from sim.core.state import Map, Mission, Person, State, apply
from sim.policies import Policy, SideView
from sim.policies.guard import call_policy, check_reaction_days, checked_answer, checked_schedule
from sim.scenario.models import Scenario

ACT, REACT, DEADLINE, TOUR, VISA, ARRIVE, STAFF = range(7)

_ORDER_TYPES = (
    ev.ExpulsionOrdered,
    ev.StaffCapImposed,
    ev.RotationLimitImposed,
    ev.PostClosureOrdered,
    ev.OwnPostClosureOrdered,
    ev.LocalHireBanImposed,
)
_ROLE_RANK = {"local": 0, "admin_technical": 1, "diplomat": 2}


class Store(Protocol):
    """Where recorded events go besides the engine's own list (see ``sim.store.sqlite``)."""

    def append(self, event: ev.Event) -> None: ...


@dataclass(frozen=True, slots=True)
class Planned:
    """An act fixed in advance: documented (from the prelude) or scripted (a policy's plan)."""

    day: int
    actor: str
    target: str
    spec: ActSpec
    source: str
    act_id: str | None
    reference: str | None
    answers: tuple[str, ...]


class Engine:
    """One run of one scenario. ``run()`` once; read ``log`` and ``state`` afterwards."""

    def __init__(
        self, scenario: Scenario, store: Store | None = None, on_day: Callable[[int], None] | None = None
    ) -> None:
        self.scenario = scenario
        self.on_day = on_day  # called at the start of each simulated day (progress bars)
        self.seed = scenario.seed
        self.horizon = scenario.horizon
        self.names: tuple[str, str] = (scenario.sides[0].name, scenario.sides[1].name)
        self.slot = {name: index for index, name in enumerate(self.names)}
        self.other = {self.names[0]: self.names[1], self.names[1]: self.names[0]}
        self.config = {side.name: side for side in scenario.sides}
        self.policies: dict[str, Policy] = {side.name: side.build_policy() for side in scenario.sides}
        for name, policy in self.policies.items():
            check_reaction_days(policy, name)
        self._posts = {
            name: {
                "mine": tuple(self.config[name].mission.posts),
                "theirs": tuple(self.config[other].mission.posts),
            }
            for name, other in self.other.items()
        }
        self.planned = self._planned_acts()
        self.store = store
        self.state = State()
        self.log: list[ev.Event] = []
        self._act_seq: dict[str, int] = {}  # documented/scripted act id -> seq
        self._acts_by: dict[str, list[tuple[int, str, int]]] = {name: [] for name in self.names}
        self._act_number: dict[int, int] = {}  # act seq -> its number among its actor's acts
        self._departure_number: dict[int, int] = {}  # departure seq -> its number in its mission
        self._observed: dict[str, set[int]] = {name: set() for name in self.names}  # acts each side saw
        self._order_summary: dict[str, tuple[Map, frozenset[str], dict[str, set[str]]]] = {}
        self._acts_tuple: dict[str, tuple[tuple[int, str, int], ...]] = {}
        self._agenda: dict[int, list[tuple[Any, ...]]] = {}  # day -> heap of items
        self._queued: dict[int, set[tuple[Any, ...]]] = {}  # day -> items already on it
        self.env = simpy.Environment()

    # --- public ---------------------------------------------------------------------------

    def run(
        self, prefix: Sequence[ev.Event] = (), fork_day: int | None = None, store_prefix: bool = True
    ) -> State:
        """Simulate to the scenario's end; with ``prefix``, continue that log from ``fork_day``.

        ``prefix`` must hold exactly the events before ``fork_day`` (a day boundary: a day's
        events are simultaneous, so a fork keeps or re-decides a day as a whole). When the
        store already holds the prefix (resuming an interrupted run), ``store_prefix=False``
        folds it in without appending it again.
        """
        if self.log:
            raise RuntimeError("an Engine runs once; make a new one")
        start = 0
        if prefix:
            start = fork_day if fork_day is not None else prefix[-1].day + 1
            if prefix[-1].day >= start:
                raise ValueError(f"the prefix has events on or after the fork day {start}")
            store, self.store = self.store, (self.store if store_prefix else None)
            for event in prefix:
                self.record(event)
            self.store = store
            self.env = simpy.Environment(initial_time=start)
        else:
            self._open_missions()
        self._schedule_all(start)
        self.env.run(until=self.horizon + 1)  # run(until=N) stops before day N's events
        return self.state

    def record(self, event: ev.Event) -> ev.Event:
        """The one path by which anything changes: store the event and fold it in."""
        self.state = apply(self.state, event)
        self.log.append(event)
        if self.store is not None:
            self.store.append(event)
        if event.act_id is not None:
            self._act_seq[event.act_id] = event.seq
        if type(event) is ev.StaffDeparted:
            self._departure_number[event.seq] = self.state.missions[event.actor].departures - 1
        elif type(event) is ev.ActObserved:
            self._observed[event.actor].add(event.act)
        if event.IS_ACT:
            self._act_number[event.seq] = len(self._acts_by[event.actor])
            self._acts_by[event.actor].append((event.day, *describe(event)))
        return event

    # --- the agenda ---------------------------------------------------------------------

    def _at(
        self,
        day: int,
        phase: int,
        side: str | None,
        key: tuple[Any, ...],
        work: Callable[..., None],
        *args: Any,
    ) -> None:
        """Put ``work(*args)`` on ``day``'s agenda (once per ``(day, phase, side, key)``).

        ``side=None`` is side-neutral work that goes before both sides' work of its phase,
        ordered by ``key`` alone: documented acts, which keep their log's order whoever acted,
        because a later act may answer an earlier one of the other side on the same day.
        """
        if day > self.horizon:
            return
        bucket = self._agenda.get(day)
        if bucket is None:  # the first item of that day: wake SimPy's clock for it
            bucket = self._agenda[day] = []
            self._queued[day] = set()
            timer = self.env.timeout(day - self.env.now)
            timer.callbacks.append(self._run_day)
        ident = (phase, -1 if side is None else self.slot[side], key)
        if ident in self._queued[day]:
            return
        self._queued[day].add(ident)
        heapq.heappush(bucket, (*ident, work, args))

    def _run_day(self, _timer: simpy.Event) -> None:
        day = int(self.env.now)
        if self.on_day is not None:
            self.on_day(day)
        bucket = self._agenda[day]
        queued = self._queued[day]
        while bucket:  # items may add items for today; the heap keeps the phase order
            phase, slot, key, work, args = heapq.heappop(bucket)
            queued.discard((phase, slot, key))  # once run, the same work may be queued again today
            work(*args)
        del self._agenda[day], self._queued[day]

    def _emit(self, cls: type[ev.Event], **fields: Any) -> ev.Event:
        return self.record(cls(seq=len(self.log), day=int(self.env.now), **fields))

    # --- setting up and rebuilding the agenda -------------------------------------------------

    def _planned_acts(self) -> list[Planned]:
        planned: list[Planned] = []
        log = self.scenario.prelude_log
        if log is not None:
            for act in log.acts:
                planned.append(
                    Planned(
                        day=self.scenario.day_of(act.date),
                        actor=act.actor,
                        target=act.target,
                        spec=act.spec(),
                        source="documented",
                        act_id=act.id,
                        reference=act.source,
                        answers=act.in_response_to,
                    )
                )
        for act in self.scenario.acts:
            planned.append(
                Planned(
                    day=self.scenario.day_of(act.date),
                    actor=act.actor,
                    target=self.other[act.actor],
                    spec=act.spec(),
                    source="exogenous",
                    act_id=act.id,
                    reference=act.source,
                    answers=(),
                )
            )
        for name in self.names:
            policy = self.policies[name]
            for item in checked_schedule(policy, name, self.scenario.start, self._posts[name]):
                planned.append(
                    Planned(
                        day=item.day,
                        actor=name,
                        target=self.other[name],
                        spec=item.spec,
                        source="exogenous",
                        act_id=item.act_id,
                        reference=item.reference,
                        answers=(),
                    )
                )
        return planned

    def _open_missions(self) -> None:
        for name in self.names:
            host = self.other[name]
            mission = self.config[name].mission
            terms = self.config[host].visas
            targets = tuple(
                (post, role, n)
                for post in mission.posts
                for role, n in mission.target(post).by_role().items()
            )
            self._emit(
                ev.MissionOpened,
                actor=name,
                target=host,
                source="exogenous",
                posts=tuple(mission.posts),
                targets=targets,
                visa_policy=terms.policy,
                visa_credit=terms.credit,
            )
            for post, staffing in mission.posts.items():
                for role, count in staffing.by_role().items():
                    low, high = mission.tour_days[role]
                    for _ in range(count):
                        number = self.state.missions[name].arrivals
                        tour = rnd.integer(low, high, self.seed, "tour", name, number)
                        served = rnd.integer(0, tour - 1, self.seed, "tenure", name, number)
                        self._emit(
                            ev.StaffArrived,
                            actor=name,
                            target=host,
                            source="exogenous",
                            role=role,
                            post=post,
                            arrived=-served,
                            tour_end=tour - served,
                        )

    def _schedule_all(self, today: int) -> None:
        """Put everything the state and log still owe on the agenda (fresh run or fork)."""
        for index, plan in enumerate(self.planned):
            if plan.day >= today:
                side = None if plan.source == "documented" else plan.actor
                self._at(plan.day, ACT, side, (index,), self._announce_planned, plan)
        for name in self.names:
            mission = self.state.missions[name]
            for seq, order in mission.orders.items():
                self._at(max(order.deadline, today), DEADLINE, name, (seq,), self._deadline, name, seq)
            for pid, person in mission.staff.items():
                self._schedule_departure(name, mission, pid, person, today)
            for rid, request in mission.requests.items():
                if request.arrives is None:
                    self._at(max(request.due, today), VISA, self.other[name], (), self._visa_desk, name)
                else:
                    self._at(max(request.arrives, today), ARRIVE, name, (rid,), self._arrive, name, rid)
            self._at(today, STAFF, name, (), self._review, name)
        for event in self.log:
            if event.IS_ACT:
                observer = event.target
            elif type(event) is ev.StaffDeparted and self._false_alarm(event):
                observer = event.actor
            else:
                continue
            # A policy that took over at a fork answers what is still due, not the past.
            pending = self.policies[observer].observes and event.seq not in self._observed[observer]
            if pending and event.day + self._delay(observer, event) >= today:
                self._schedule_reaction(observer, event)

    def _perceived_key(self, event: ev.Event) -> tuple[Any, ...]:
        """A side-neutral, fork-stable key for draws about how ``event`` is perceived."""
        if type(event) is ev.StaffDeparted:
            return ("departure", event.actor, self._departure_number[event.seq])
        return ("act", event.actor, self._act_number[event.seq])

    def _delay(self, observer: str, event: ev.Event) -> int:
        """Days from ``event`` to ``observer``'s reaction: the side's timing, else its policy's."""
        timing = self.config[observer].timing
        if timing.delay_days is None:
            return self.policies[observer].reaction_days
        low, high = timing.delay_days
        return rnd.integer(low, high, self.seed, "delay", observer, *self._perceived_key(event))

    def _false_alarm(self, event: ev.StaffDeparted) -> bool:
        """Whether a diplomat's or technician's departure at tour end is taken by its own side
        for an expulsion (locals are the host's nationals: nobody expels them)."""
        if event.reason != "tour_end" or self.log[event.person].role == "local":  # type: ignore[attr-defined]
            return False
        q = self.config[event.actor].noise.false_alarm
        return rnd.chance(q, self.seed, "false_alarm", *self._perceived_key(event))

    def _schedule_departure(self, name: str, mission: Mission, pid: int, person: Person, today: int) -> None:
        self._at(max(person.tour_end, today), TOUR, name, (pid,), self._end_tour, name, pid)
        limit = mission.rotation_limit
        if limit is not None and person.role in limit.roles:
            self._at(
                max(person.arrived + limit.limit_days, today), TOUR, name, (pid,), self._end_tour, name, pid
            )

    def _schedule_reaction(self, observer: str, act: ev.Event) -> None:
        due = act.day + self._delay(observer, act)
        self._at(due, REACT, observer, (act.seq,), self._react, observer, act.seq)

    # --- phase 0 and 1: acts ----------------------------------------------------------------

    def _announce_planned(self, plan: Planned) -> None:
        answered = [self._act_seq[a] for a in plan.answers if a in self._act_seq]
        self._announce(
            plan.spec,
            plan.actor,
            cause=max(answered) if answered else None,
            source=plan.source,
            reference=plan.reference,
            act_id=plan.act_id,
        )

    def _announce(
        self,
        spec: ActSpec,
        actor: str,
        *,
        cause: int | None,
        source: str = "simulated",
        reference: str | None = None,
        act_id: str | None = None,
    ) -> None:
        target = self.other[actor]
        event = to_event(
            spec,
            seq=len(self.log),
            day=int(self.env.now),
            actor=actor,
            target=target,
            cause=cause,
            source=source,
            reference=reference,
            act_id=act_id,
        )
        if isinstance(event, ev.VisaPolicyChanged):  # one-for-one counts from this day on
            event = ev.replace(
                event,
                issued_to_target=self.state.missions[target].visas_issued,
                issued_to_actor=self.state.missions[actor].visas_issued,
            )
        self.record(event)
        today = event.day
        if isinstance(event, _ORDER_TYPES):
            self._at(
                event.deadline,
                DEADLINE,
                event.mission,
                (event.seq,),
                self._deadline,
                event.mission,
                event.seq,
            )
        if isinstance(event, ev.VisaPolicyChanged):
            self._at(today, VISA, actor, (), self._visa_desk, target)
        self._at(today, STAFF, event.mission, (), self._review, event.mission)
        if self.policies[target].observes:
            self._schedule_reaction(target, event)

    def _react(self, observer: str, act_seq: int) -> None:
        """``observer`` takes note of an act (or takes a departure for one) and answers it."""
        if act_seq in self._observed[observer]:
            return
        act = self.log[act_seq]
        if type(act) is ev.StaffDeparted:  # a false alarm: one's own diplomat went home
            kind, size, roles, detail, missed = "expel", 1, (), "false alarm: a tour ended", False
        else:
            kind, size = describe(act)
            roles, detail = particulars(act)
            miss = self.config[observer].noise.miss
            missed = rnd.chance(miss, self.seed, "miss", observer, *self._perceived_key(act))
        self._emit(
            ev.ActObserved,
            actor=observer,
            target=self.other[observer],
            cause=act_seq,
            act=act_seq,
            kind=kind,
            size=size,
            roles=roles,
            detail=detail,
            missed=missed,
        )
        if missed:
            return
        history = self.state.missions[observer].observed
        deadline = self.config[observer].timing.deadline_days
        for spec in self._answer(observer, history):
            if deadline is not None:
                spec = dataclasses.replace(spec, deadline_days=deadline)
            spec = self._within_reach(observer, spec)
            if spec is not None:
                self._announce(spec, observer, cause=act_seq)

    def _answer(self, observer: str, history: Sequence[Any]) -> list[ActSpec]:
        """The policy's answer, checked against the rules a scenario's acts obey (a broken
        plugin stops the run with one line before anything invalid is recorded)."""
        policy = self.policies[observer]
        when = f"on {self.scenario.date_of(int(self.env.now))}"
        view = self._view(observer)
        answer = call_policy(policy, observer, when, lambda: policy.respond(history, view))
        return checked_answer(answer, policy, observer, when, self._posts[observer])

    def _within_reach(self, actor: str, spec: ActSpec) -> ActSpec | None:
        """An answer's expulsion names only people the other mission has of those roles on the
        day it is announced: cut to them, and no expulsion at all when there is nobody."""
        if spec.kind != "expel":
            return spec
        roles = spec.roles if spec.roles is not None else DEFAULT_ROLES["expel"]
        present = self._counted(self.state.missions[self.other[actor]].counts, roles)
        if present <= 0:
            return None
        return spec if spec.size <= present else dataclasses.replace(spec, size=present)

    def _view(self, me: str) -> SideView:
        other = self.other[me]
        mine = self.state.missions[me]
        theirs = self.state.missions[other]
        closing, pending = self._orders_of(theirs)
        measures = set(pending.get(me, ()))
        if theirs.cap is not None:
            measures.add("cap")
        if theirs.rotation_limit is not None:
            measures.add("rotation_limit")
        if theirs.local_hire_ban:
            measures.add("local_hire_ban")
        if theirs.visa_policy != "issue":
            measures.add("visa_policy")
        return SideView(
            day=int(self.env.now),
            me=me,
            other=other,
            my_headcount=mine.headcount,
            their_headcount=theirs.headcount,
            their_open_posts=tuple(
                p for p in theirs.posts if p not in theirs.closed_posts and p not in closing
            ),
            their_closed_posts=tuple(p for p in theirs.posts if p in theirs.closed_by_host),
            my_measures=frozenset(measures),
            my_ambassador_present=mine.ambassador_present,
            my_acts=self._my_acts(me),
            run_seed=self.seed,
        )

    def _my_acts(self, me: str) -> tuple[tuple[int, str, int], ...]:
        """``me``'s acts so far as a tuple, copied again only when it has acted since."""
        acts = self._acts_by[me]
        cached = self._acts_tuple.get(me, ())
        if len(cached) != len(acts):
            cached = self._acts_tuple[me] = tuple(acts)
        return cached

    def _orders_of(self, mission: Mission) -> tuple[frozenset[str], dict[str, set[str]]]:
        """The posts ``mission`` has been ordered to close, and the kinds of the orders pending
        against it by actor. Read again only when the mission's orders changed: the
        ``orders`` map is immutable, so the same object means the same orders (in a spiral a
        side observes thousands of acts between two changes, and a scan per act is quadratic)."""
        name, orders = mission.name, mission.orders
        cached = self._order_summary.get(name)
        if cached is not None and cached[0] is orders:
            return cached[1], cached[2]
        closing: set[str] = set()
        pending: dict[str, set[str]] = {}
        for order in orders.values():
            if isinstance(order, (ev.PostClosureOrdered, ev.OwnPostClosureOrdered)):
                closing.add(order.post)
            pending.setdefault(order.actor, set()).add(describe(order)[0])
        summary = (orders, frozenset(closing), pending)
        self._order_summary[name] = summary
        return summary[1], summary[2]

    # --- phase 2: deadlines -------------------------------------------------------------------

    def _deadline(self, name: str, seq: int) -> None:
        mission = self.state.missions[name]
        order = mission.orders.get(seq)
        if order is None:  # lifted before its deadline, or already done
            return
        today = int(self.env.now)
        if isinstance(order, ev.ExpulsionOrdered):
            leaving = self._pick(mission, order.roles, order.count, order.rule)
            self._depart(name, leaving, "expelled", seq)
        elif isinstance(order, ev.StaffCapImposed):
            counted = [pid for pid, p in mission.staff.items() if p.role in order.roles]
            excess = len(counted) - order.cap
            if excess > 0:
                self._depart(name, self._pick(mission, order.roles, excess, order.rule), "cap", seq)
        elif isinstance(order, ev.RotationLimitImposed):
            past = sorted(
                pid
                for pid, p in mission.staff.items()
                if p.role in order.roles and today - p.arrived >= order.limit_days
            )
            self._depart(name, past, "rotation_limit", seq)
        elif isinstance(order, (ev.PostClosureOrdered, ev.OwnPostClosureOrdered)):
            self._close_post(name, mission, order.post, seq)
        elif isinstance(order, ev.LocalHireBanImposed):
            locals_ = sorted(pid for pid, p in mission.staff.items() if p.role == "local")
            self._depart(name, locals_, "local_hire_ban", seq)
        self._emit(
            ev.DeadlineReached,
            actor=order.actor,
            target=order.target,
            cause=seq,
            measure=seq,
            concerns=name,
        )
        mission = self.state.missions[name]
        if isinstance(order, ev.RotationLimitImposed):
            for pid, person in mission.staff.items():
                self._schedule_departure(name, mission, pid, person, today)
        self._at(today, STAFF, name, (), self._review, name)

    def _close_post(self, name: str, mission: Mission, post: str, cause: int) -> None:
        """Locals at ``post`` are let go; the others move to the embassy if it is still open,
        else they go home too. Closing the embassy closes the mission: everyone goes home."""
        host = self.other[name]
        if post == "embassy":
            self._depart(name, sorted(mission.staff), "post_closed", cause)
            return
        embassy_open = "embassy" in self._open_posts(mission)
        for pid in sorted(pid for pid, p in mission.staff.items() if p.post == post):
            if embassy_open and mission.staff[pid].role != "local":
                self._emit(
                    ev.StaffReassigned, actor=name, target=host, cause=cause, person=pid, post="embassy"
                )
            else:
                self._depart(name, [pid], "post_closed", cause)

    def _pick(self, mission: Mission, roles: Iterable[str], count: int, rule: str) -> list[int]:
        """Who leaves under ``rule``: a side-neutral order with the person id as tie-break.

        ``random`` ranks people by a draw keyed by mission, day and the person's arrival
        number, never by ``seq``, so listing the sides in the other order changes nothing.
        """
        day = int(self.env.now)
        roles = set(roles)
        pool = [(pid, p) for pid, p in mission.staff.items() if p.role in roles]
        keys: dict[str, Callable[[tuple[int, Person]], Any]] = {
            "longest_serving": lambda item: (item[1].arrived, item[0]),
            "newest": lambda item: (-item[1].arrived, -item[0]),
            "random": lambda item: (
                rnd.uniform(self.seed, "pick", mission.name, day, item[1].number),
                item[0],
            ),
            "locals_first": lambda item: (_ROLE_RANK[item[1].role], item[1].arrived, item[0]),
        }
        pool.sort(key=keys[rule])
        return [pid for pid, _ in pool[: max(count, 0)]]

    def _depart(self, name: str, people: Iterable[int], reason: str, cause: int | None) -> None:
        host = self.other[name]
        for pid in people:
            event = self._emit(
                ev.StaffDeparted, actor=name, target=host, cause=cause, person=pid, reason=reason
            )
            if self.policies[name].observes and self._false_alarm(event):  # type: ignore[arg-type]
                self._schedule_reaction(name, event)

    # --- phase 3: tours -------------------------------------------------------------------------

    def _end_tour(self, name: str, pid: int) -> None:
        mission = self.state.missions[name]
        person = mission.staff.get(pid)
        if person is None:
            return
        today = int(self.env.now)
        limit = mission.rotation_limit
        limit_end = None
        if limit is not None and person.role in limit.roles:
            limit_end = person.arrived + limit.limit_days
        if person.tour_end <= today:
            self._depart(name, [pid], "tour_end", None)
        elif limit_end is not None and limit_end <= today:
            self._depart(name, [pid], "rotation_limit", limit.seq)
        else:
            return
        self._at(today, STAFF, name, (), self._review, name)

    # --- phase 4 and 5: visas and arrivals ----------------------------------------------------

    def _visa_desk(self, name: str) -> None:
        """The host decides ``name``'s due requests, oldest first.

        ``deny`` refuses all of them; ``one_for_one`` issues while the host has issued fewer
        visas to ``name``'s staff than ``name`` issued to the host's before today (plus the
        credit), and leaves the rest waiting for the next visa ``name`` issues.
        """
        mission = self.state.missions[name]
        host = self.other[name]
        today = int(self.env.now)
        due = sorted(rid for rid, r in mission.requests.items() if r.arrives is None and r.due <= today)
        if not due:
            return
        allowance = None
        if mission.visa_policy == "one_for_one":
            theirs = self.state.missions[host]
            ours_then, theirs_then = mission.visa_counted_from
            received = theirs.visas_issued_before(today) - theirs_then
            allowance = received + mission.visa_credit - (mission.visas_issued - ours_then)
        travel = self.config[name].mission.travel_days
        issued = 0
        for rid in due:
            if mission.visa_policy == "deny":
                self._emit(ev.VisaDenied, actor=host, target=name, cause=rid, request=rid)
                continue
            if allowance is not None:
                if allowance <= 0:
                    break
                allowance -= 1
            self._emit(ev.VisaIssued, actor=host, target=name, cause=rid, request=rid, arrives=today + travel)
            self._at(today + travel, ARRIVE, name, (rid,), self._arrive, name, rid)
            issued += 1
        if issued and self.state.missions[host].visa_policy == "one_for_one":
            # The host's own staff waiting for the other side's visas may now be matched.
            self._at(today + 1, VISA, name, (), self._visa_desk, host)

    def _arrive(self, name: str, rid: int) -> None:
        mission = self.state.missions[name]
        request = mission.requests.get(rid)
        today = int(self.env.now)
        if request is None or request.arrives is None or request.arrives > today:
            return
        host = self.other[name]
        if not self._fits(mission, request.post, request.role):
            self._emit(ev.VisaRequestWithdrawn, actor=name, target=host, cause=rid, request=rid)
            return
        self._hire(name, request.role, request.post, rid)

    def _hire(self, name: str, role: str, post: str, request: int | None) -> None:
        low, high = self.config[name].mission.tour_days[role]
        number = self.state.missions[name].arrivals
        tour = rnd.integer(low, high, self.seed, "tour", name, number)
        today = int(self.env.now)
        event = self._emit(
            ev.StaffArrived,
            actor=name,
            target=self.other[name],
            cause=request,
            role=role,
            post=post,
            arrived=today,
            tour_end=today + tour,
            request=request,
        )
        mission = self.state.missions[name]
        self._schedule_departure(name, mission, event.seq, mission.staff[event.seq], today)

    # --- phase 6: staffing ------------------------------------------------------------------

    def _open_posts(self, mission: Mission) -> list[str]:
        """Posts neither closed nor ordered closed (an embassy closing takes every post)."""
        closing = self._orders_of(mission)[0]
        if "embassy" in closing or "embassy" in mission.closed_posts:
            return []
        return [p for p in mission.posts if p not in mission.closed_posts and p not in closing]

    @staticmethod
    def _counted(counter: Map, roles: Iterable[str]) -> int:
        """Sum of a ``(post, role) -> n`` counter over ``roles``."""
        return sum(n for (_, role), n in counter.items() if role in roles)

    def _cap_room(self, mission: Mission) -> int | None:
        """How many more people the cap in force allows, counting requests (``None``: no cap)."""
        cap = mission.cap
        if cap is None:
            return None
        return (
            cap.cap - self._counted(mission.counts, cap.roles) - self._counted(mission.requested, cap.roles)
        )

    def _fits(self, mission: Mission, post: str, role: str) -> bool:
        """Whether one more arrival of ``role`` at ``post`` is allowed today."""
        if post not in self._open_posts(mission):
            return False
        cap = mission.cap
        return cap is None or role not in cap.roles or self._counted(mission.counts, cap.roles) < cap.cap

    def _review(self, name: str) -> None:
        """Drop requests that no longer fit (newest first), then fill every fillable vacancy.

        After a review no vacancy that could be filled is left open, so an extra review is a
        no-op: that is what lets a fork schedule one on its first day without changing anything.
        """
        host = self.other[name]
        mission = self.state.missions[name]
        open_posts = self._open_posts(mission)
        cap_roles = mission.cap.roles if mission.cap is not None else ()
        room = self._cap_room(mission)
        pending = dict(mission.requested.items())
        if self._needs_trim(mission, pending, open_posts, room):
            for rid in sorted(mission.requests, reverse=True):
                request = mission.requests[rid]
                key = (request.post, request.role)
                over_target = mission.counts.get(key, 0) + pending[key] > mission.targets.get(key, 0)
                over_cap = room is not None and room < 0 and request.role in cap_roles
                if request.post in open_posts and not over_target and not over_cap:
                    continue
                self._emit(ev.VisaRequestWithdrawn, actor=name, target=host, request=rid)
                pending[key] -= 1
                if request.role in cap_roles:
                    room += 1  # type: ignore[operator]
            mission = self.state.missions[name]
        banned = mission.local_hire_ban or any(
            isinstance(o, ev.LocalHireBanImposed) for o in mission.orders.values()
        )
        low, high = self.config[host].visas.processing_days
        today = int(self.env.now)
        for post in open_posts:
            for role in ev.ROLES:
                if (role == "local" and banned) or (role != "local" and mission.visa_blocked):
                    continue
                key = (post, role)
                vacancies = mission.targets.get(key, 0) - mission.counts.get(key, 0) - pending.get(key, 0)
                if room is not None and role in cap_roles:
                    vacancies = min(vacancies, room)
                    room -= max(vacancies, 0)
                for _ in range(vacancies):
                    if role == "local":
                        self._hire(name, role, post, None)
                        continue
                    number = self.state.missions[name].requests_made
                    due = today + rnd.integer(low, high, self.seed, "visa", name, number)
                    self._emit(ev.VisaRequested, actor=name, target=host, role=role, post=post, due=due)
                    self._at(due, VISA, host, (), self._visa_desk, name)

    @staticmethod
    def _needs_trim(
        mission: Mission, pending: dict[Any, int], open_posts: list[str], room: int | None
    ) -> bool:
        """Whether any open request no longer fits: over the cap, over a target, or at a closed post."""
        if room is not None and room < 0:
            return True
        return any(
            n > 0
            and (
                post not in open_posts
                or mission.counts.get((post, role), 0) + n > mission.targets.get((post, role), 0)
            )
            for (post, role), n in pending.items()
        )


def simulate(
    scenario: Scenario, store: Store | None = None, on_day: Callable[[int], None] | None = None
) -> Engine:
    """Run ``scenario`` to its end and return the finished engine (its ``log`` and ``state``).

    A fork (``scenario.fork_base``) runs its base first and continues that log from the fork
    day, so everything before the fork is the base's run, event for event.
    """
    base = scenario.fork_base
    if base is not None and scenario.fork_day is not None:
        return fork(scenario, simulate(base).log, scenario.fork_day, store, on_day)
    engine = Engine(scenario, store, on_day)
    engine.run()
    return engine


def fork(
    scenario: Scenario,
    log: Sequence[ev.Event],
    day: int,
    store: Store | None = None,
    on_day: Callable[[int], None] | None = None,
) -> Engine:
    """Keep ``log``'s events before ``day`` and continue under ``scenario`` from ``day``."""
    engine = Engine(scenario, store, on_day)
    prefix = [event for event in log if event.day < day]
    if prefix:
        engine.run(prefix, fork_day=day)
    else:
        engine.run()
    return engine
