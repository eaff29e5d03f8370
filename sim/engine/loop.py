"""The discrete-event model: a calendar of days, each day's work in phase order, events record.

How a run works
---------------
The calendar (:mod:`sim.engine.calendar`) advances day by day over the days on which
something is due. Each day's work is ordered by ``(phase, side slot, key)``:

====================  =====================================================================
phase                 what happens
====================  =====================================================================
0 ``ACT``             documented and scripted acts are announced
1 ``REACT``           a side's policy takes note of an act of the other side and answers
2 ``DEADLINE``        deadlines fall: people leave, caps and limits come into force
3 ``TOUR``            tours end (or hit a rotation limit) and people go home
4 ``VISA``            hosts decide the visa requests that are due
5 ``ARRIVE``          people with visas arrive
6 ``AHEAD``           a tour comes within its role's request lead (``request_lead_days``):
                      its replacement may be asked for at the day's review
7 ``STAFF``           each mission fills vacancies (visa requests, local hires) or drops
                      requests that no longer fit, and asks for the replacements due ahead
====================  =====================================================================

Documented acts are the one exception to the side slot: they keep their log's order (before
either side's scripted acts of the day), since the log may say that an act answers one the
other side took earlier that same day. Within a phase the missions' work is independent (a
side's act is answered one day later at the earliest; one-for-one visas count only visas
issued before today), so a phase's order changes ``seq`` numbers, never the outcome.

The engine changes nothing directly. Every item reads the working state and emits events
through :meth:`Engine.record`, which folds the event into the working state with the same
handlers a replay uses (:mod:`sim.core.working`) and appends it to the store; the four
commonest classes (arrivals, departures, requests, visas: nine events in ten) go through
:meth:`Engine._record_in`, the same fold and append with the routing the engine already knows
left out. The persistent :class:`~sim.core.state.State` is a snapshot taken when someone reads
``state``.

Everything still to do is a function of the state and the log: :meth:`Engine._schedule_all`
rebuilds the calendar from them. A fresh run, a fork at day *d* and a resumed run (the log's
events before *d*, continued) take the same path, which is what makes forks exact. Every item
is idempotent: it re-reads the state and does nothing if its work is done.

The mechanics live beside this loop, one module each: acts and answers
(:mod:`sim.engine.perception`), deadlines (:mod:`sim.engine.deadlines`), tours, visas and
staffing (:mod:`sim.engine.staffing`); :mod:`sim.engine.setup` compiles the scenario into the
plain numbers the hot path reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from sim.core import events as ev
from sim.core.acts import describe
from sim.core.state import State
from sim.core.working import HANDLERS, World, freeze
from sim.core.working_mission import WorkingMission
from sim.engine.ahead import Ahead
from sim.engine.calendar import (
    ACT,
    AHEAD,
    ARRIVE,
    DEADLINE,
    KEY_SHIFT,
    PHASE_SHIFT,
    REACT,
    SLOT_SHIFT,
    STAFF,
    TOUR,
    VISA,
    Calendar,
)
from sim.engine.deadlines import Deadlines
from sim.engine.perception import Perception
from sim.engine.setup import Setup
from sim.engine.staffing import USUAL_STAFFING, Plan, Staffing, departure_day
from sim.scenario.models import Scenario


class Store(Protocol):
    """Where recorded events go besides the engine's own list (see ``sim.store``)."""

    def append(self, event: ev.Event) -> None: ...


class Engine(Perception, Deadlines, Staffing, Ahead, Setup):
    """One run of one scenario. ``run()`` once; read ``log`` and ``state`` afterwards."""

    def __init__(
        self, scenario: Scenario, store: Store | None = None, on_day: Callable[[int], None] | None = None
    ) -> None:
        self.scenario = scenario
        self.on_day = on_day  # called at the start of each simulated day (progress bars)
        self.store = store
        self.world = World()
        self._fold = self.world.record
        # The handlers of the hot path's four event classes, for ``_record_in``.
        self._fold_arrived, self._fold_departed = HANDLERS[ev.StaffArrived], HANDLERS[ev.StaffDeparted]
        self._fold_requested, self._fold_issued = HANDLERS[ev.VisaRequested], HANDLERS[ev.VisaIssued]
        self.log: list[ev.Event] = []
        self._append = self.log.append
        self.calendar = Calendar(scenario.horizon)
        self._compile(scenario)
        # A departure's number in its mission keys the draws about how it is perceived; only
        # false alarms (a departure taken for an expulsion) draw about departures.
        self._number_departures = any(q > 0 for q in self.false_alarm_chance.values())
        self._note_notes()
        self._act_seq: dict[str, int] = {}  # documented/scripted act id -> seq
        #: Each coalition's actors so far, and its first act's (day, actor): the leader, unless
        #: the documented log names one (same-day acts by name, so no side's position counts).
        self._coalition_actors: dict[str, set[str]] = {}
        self._coalition_first: dict[str, tuple[int, str]] = {}
        #: Each side's acts against each other side (what its policy sees as its own acts).
        self._acts_against: dict[tuple[str, str], list[tuple[int, str, int]]] = {}
        self._act_number: dict[int, int] = {}  # act seq -> its number among its actor's acts on its target
        self._departure_number: dict[int, int] = {}  # departure seq -> its number in its mission
        self._observed: dict[str, set[int]] = {name: set() for name in self.names}  # acts each side saw
        self._frozen: tuple[int, State] = (-1, State())
        self._history_cache: dict[tuple[str, str], tuple[object, ...]] = {}  # a side's memory, by mission
        self._acts_tuple: dict[tuple[str, str], tuple[object, ...]] = {}
        self._order_summary: dict[int, tuple[int, frozenset[str], dict[str, set[str]]]] = {}
        self._plans: list[Plan] = [(-1, (), (), False)] * len(self.mission_keys)  # staffing, by version
        self._local_limits: list[int | None] = [None] * len(self.mission_keys)  # made with each plan
        self._review_whole()  # every mission's first review looks at all its cells
        self._at = self.calendar.at  # (day, item): the engine queues work through this alone
        self._item_bases()
        # The work of each phase, called with an item's key and mission (sim.engine.calendar).
        self._work = (
            self._act_item,
            self._react_item,
            self._deadline,
            self._end_tour,
            self._visa_desk,
            self._arrive,
            self._ahead,
            self._review,
        )

    # --- public ---------------------------------------------------------------------------

    @property
    def state(self) -> State:
        """The persistent snapshot of the working state (taken again only after new events)."""
        seen, state = self._frozen
        if seen != len(self.log):
            state = freeze(self.world)
            self._frozen = (len(self.log), state)
        return state

    @property
    def now(self) -> int:
        """The day the engine is at: the day after the horizon once the run is over."""
        return self.calendar.today

    def run(
        self, prefix: Sequence[ev.Event] = (), fork_day: int | None = None, store_prefix: bool = True
    ) -> None:
        """Simulate to the scenario's end; with ``prefix``, continue that log from ``fork_day``.
        The state is frozen when ``state`` is read, not here: a sweep's run reads only the log.

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
            self.calendar.today = start
            self._bind_missions()
        else:
            self._open_missions()
        self._schedule_all(start)
        self.calendar.run(self._work, self.on_day)
        self.calendar.today = self.horizon + 1  # the run is over: every day up to the horizon was run

    def record(self, event: ev.Event) -> ev.Event:
        """The one path by which anything changes: fold the event in and store it.

        Callers build the event themselves (``ev.X(seq=len(self.log), day=today, ...)``): a
        helper taking ``**fields`` cost a dict and msgspec's slow keyword path, ~0.5 us an event.
        """
        self._fold(event)
        self._append(event)
        if self.store is not None:
            self.store.append(event)
        if event.act_id is not None:
            self._act_seq[event.act_id] = event.seq
        note = self._notes.get(type(event))  # what the engine indexes of this class, if anything
        if note is not None:
            note(event)
        return event

    def _record_in(
        self, mission: WorkingMission, fold: Callable[[WorkingMission, ev.Event], None], event: ev.Event
    ) -> ev.Event:
        """``record`` for an event the engine made about ``mission`` with ``fold``, its class's
        handler (arrivals, departures, requests, visas: nine events in ten).

        The same fold without ``World.record``'s routing, a Python call and a table lookup an
        event: the caller knows the mission and the class. ``World.record``'s checks cannot fail
        here (the engine numbers its events ``len(log)`` and dates them today), and these
        classes carry no act id; the handler still refuses what cannot follow the state. Nor do
        they have notes, but departures' (``_note_departure``), which ``_depart`` takes itself.
        """
        fold(mission, event)
        world = self.world
        world.day, world.last_seq = event.day, event.seq
        self._append(event)
        if self.store is not None:
            self.store.append(event)
        return event

    def _note_notes(self) -> None:
        """The indexes ``record`` keeps beside the state, by event class (one lookup an event:
        arrivals, requests and visas, most of a log, need none). An event of a class outside
        ``USUAL_STAFFING`` has every mission's next review look at all its cells."""
        self._notes: dict[type, Callable[[ev.Event], None]] = {}
        for cls in ev.EVENT_TYPES.values():
            if cls.IS_ACT:
                self._notes[cls] = self._note_act
            elif cls not in USUAL_STAFFING:
                self._notes[cls] = self._note_unusual
        self._notes[ev.ActObserved] = self._note_observed
        # A request that closes unfilled may free room under a cap, and one made ahead gives
        # its person back to be replaced: the mission's review today looks again.
        self._notes[ev.VisaDenied] = self._notes[ev.VisaRequestWithdrawn] = self._note_request_closed
        if self._number_departures:
            self._notes[ev.StaffDeparted] = self._note_departure
        # ``_record_in`` looks up no note: a note for one of its classes would go unseen.
        if {ev.StaffArrived, ev.VisaRequested, ev.VisaIssued} & self._notes.keys():
            raise RuntimeError("_record_in takes no notes for arrivals, requests and visas")

    def _note_act(self, event: ev.Event) -> None:
        entry = (event.day, *describe(event))
        against = self._acts_against.setdefault((event.actor, event.target), [])
        # An act's number keys the draws about how it is perceived: among its actor's acts
        # against its target (with two sides, all the actor's acts), so the acts one actor
        # takes against several others on one day do not number each other.
        self._act_number[event.seq] = len(against)
        against.append(entry)
        if event.coalition is not None:  # an act may answer a coalition: its newest act so far
            self._act_seq[event.coalition] = event.seq
            actors = self._coalition_actors.setdefault(event.coalition, set())
            actors.add(event.actor)
            first = self._coalition_first.get(event.coalition)
            if first is None or (event.day, event.actor) < first:  # earliest day, then by name:
                self._coalition_first[event.coalition] = (event.day, event.actor)  # not by position
        self._review_whole()

    def _note_unusual(self, event: ev.Event) -> None:
        self._review_whole()

    def _note_request_closed(self, event: ev.Event) -> None:
        """A request denied or withdrawn: every review looks at all its cells, and this
        mission's runs today, since the request's place under a cap is free again (a fork's
        first review would fill it, so the run must too). A request made ahead gives its
        person back to the mission's due replacements."""
        self._review_whole()
        sender = event.mission
        host = event.actor if sender == event.target else event.target
        self._review_soon(self.midx[(sender, host)])
        ahead = self._ahead_of.pop(event.request, None)  # type: ignore[attr-defined]
        if ahead is not None and ahead[1] in self.m[ahead[0]].staff:
            self._due_ahead[ahead[0]].add(ahead[1])

    def _note_observed(self, event: ev.Event) -> None:
        self._observed[event.actor].add(event.act)  # type: ignore[attr-defined]

    def _note_departure(self, event: ev.Event) -> None:
        mission = self.world.missions[(event.actor, event.target)]
        self._departure_number[event.seq] = mission.departures - 1

    # --- the calendar -----------------------------------------------------------------------

    def _item_bases(self) -> None:
        """Each mission's work items of each phase, less the key (an item is ``base | key <<
        KEY_SHIFT``): queueing work is then an OR and one call, not a packing per item.

        A reaction's "mission" field holds the observer's slot, which is how its item names
        the observer (the field is below the key, so it changes no order).
        """

        def base(phase: int, side: str, low: int = 0) -> int:
            return (phase << PHASE_SHIFT) | ((self.slot[side] + 1) << SLOT_SHIFT) | low

        self._deadline_base = [base(DEADLINE, sender, m) for m, sender in enumerate(self.senders)]
        self._tour_base = [base(TOUR, sender, m) for m, sender in enumerate(self.senders)]
        self._visa_item = [base(VISA, host, m) for m, host in enumerate(self.hosts)]
        self._arrive_base = [base(ARRIVE, sender, m) for m, sender in enumerate(self.senders)]
        self._staff_item = [base(STAFF, sender, m) for m, sender in enumerate(self.senders)]
        self._ahead_base = [base(AHEAD, sender, m) for m, sender in enumerate(self.senders)]
        self._react_base = {name: base(REACT, name, slot) for name, slot in self.slot.items()}

    def _act_item(self, index: int, _mission: int) -> None:
        self._announce_planned(self.planned[index])

    def _react_item(self, act_seq: int, observer_slot: int) -> None:
        self._react(self.names[observer_slot], act_seq)

    def _schedule_all(self, today: int) -> None:
        """Put everything the state and log still owe on the calendar (fresh run or fork)."""
        at = self._at
        for index, plan in enumerate(self.planned):
            if plan.day >= today:
                # Documented acts go before both sides' work of the phase, in the log's order.
                slot = 0 if plan.source == "documented" else self.slot[plan.actor] + 1
                at(plan.day, (ACT << PHASE_SHIFT) | (slot << SLOT_SHIFT) | (index << KEY_SHIFT))
        for midx, mission in enumerate(self.m):
            for seq, order in mission.orders.items():
                at(max(order.deadline, today), self._deadline_base[midx] | (seq << KEY_SHIFT))  # type: ignore[attr-defined]
            self._schedule_departures(midx, mission, today)
            for pid, rid in mission.replacing.items():
                if rid in mission.requests:
                    self._ahead_of[rid] = (midx, pid)
            for rid, request in mission.requests.items():
                if request.arrives is None:
                    at(max(request.due, today), self._visa_item[midx])
                else:
                    at(max(request.arrives, today), self._arrive_base[midx] | (rid << KEY_SHIFT))
            at(today, self._staff_item[midx])
        # What may still be answered: acts, and departures when a side may take one for an
        # expulsion (record indexes both), in log order; the rest of the log owes nothing.
        for seq in sorted([*self._act_number, *self._departure_number]):
            event = self.log[seq]
            if event.IS_ACT:
                observer = event.target
            elif type(event) is ev.StaffDeparted and self._false_alarm(event):  # type: ignore[arg-type]
                observer = event.actor
            else:
                continue
            # A policy that took over at a fork answers what is still due, not the past.
            pending = self.policies[observer].observes and event.seq not in self._observed[observer]
            if pending and event.day + self._delay(observer, event) >= today:
                self._schedule_reaction(observer, event)

    def _schedule_reaction(self, observer: str, act: ev.Event) -> None:
        self._at(act.day + self._delay(observer, act), self._react_base[observer] | (act.seq << KEY_SHIFT))

    def _schedule_departures(self, midx: int, mission: object, today: int) -> None:
        """Everyone's tour item: on the day their tour ends or, if a rotation limit binds their
        role and comes first, the day they reach it (conditionals, not ``max``: this runs for
        every person). One item a person is enough: an item that finds its person not due (the
        limit was lifted) queues the next one (``_end_tour``), and a limit coming into force
        queues everyone's again, so each leaves on the day a tour-end and a limit item would say."""
        base, horizon = self._tour_base[midx], self.horizon
        limit = mission.rotation_limit  # type: ignore[attr-defined]
        roles, limit_days = (limit.roles, limit.limit_days) if limit is not None else ((), 0)
        posts = limit.posts if limit is not None else ()
        items = []
        for pid, person in mission.staff.items():  # type: ignore[attr-defined]
            day = person.tour_end
            if (
                person.role in roles
                and person.arrived + limit_days < day
                and (not posts or person.post in posts)
            ):
                day = person.arrived + limit_days
            if day <= horizon:  # most locals' tours end after it
                items.append((day if day > today else today, base | (pid << KEY_SHIFT)))
        self.calendar.at_all(items)
        if self.leads[midx]:
            replacing = mission.replacing  # type: ignore[attr-defined]
            for pid, person in mission.staff.items():  # type: ignore[attr-defined]
                if pid not in replacing:
                    self._queue_ahead(midx, pid, person, departure_day(person, limit), today)

    def _review_soon(self, midx: int) -> None:
        """The mission's staffing review, today (after the day's other work)."""
        self._at(self.calendar.today, self._staff_item[midx])

    def _deadline_on(self, day: int, midx: int, seq: int) -> None:
        self._at(day, self._deadline_base[midx] | (seq << KEY_SHIFT))


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
    store_prefix: bool = True,
) -> Engine:
    """Keep ``log``'s events before ``day`` and continue under ``scenario`` from ``day``.

    A resumed run is a fork of its own stored log at the day it stopped on, with
    ``store_prefix=False`` (the store holds the prefix already).
    """
    engine = Engine(scenario, store, on_day)
    prefix = [event for event in log if event.day < day]
    if prefix:
        engine.run(prefix, fork_day=day, store_prefix=store_prefix)
    else:
        engine.run()
    return engine
