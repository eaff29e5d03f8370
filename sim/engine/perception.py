"""Acts and answers: announcing an act, a side taking note of the other's act (or taking one
of its own departures for one), and asking its policy for an answer.

Who answers whom is read from the act itself: the observer answers the act's other party
(for a false alarm, the host of its own mission), never "the other side" of a two-entry map.
Draws about perception (delays, missed acts, false alarms) are keyed by the act's actor and
its number among that actor's acts, or by the mission and its departure number: side-neutral
and the same in a fork.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sim.core import events as ev
from sim.core.acts import DEFAULT_ROLES, ActSpec, describe, particulars, terms, to_event
from sim.core.state import Observation
from sim.core.working import WorkingMission
from sim.policies import SideView
from sim.policies.guard import call_policy, checked_answer

_ORDER_TYPES = (
    ev.ExpulsionOrdered,
    ev.StaffCapImposed,
    ev.RotationLimitImposed,
    ev.PostClosureOrdered,
    ev.OwnPostClosureOrdered,
    ev.LocalHireBanImposed,
)


class Perception:
    """Phases 0 and 1 (a mixin of :class:`~sim.engine.loop.Engine`)."""

    # --- phase 0: acts ----------------------------------------------------------------------

    def _announce_planned(self, plan: Any) -> None:
        answered = [self._act_seq[a] for a in plan.answers if a in self._act_seq]
        self._announce(
            plan.spec,
            plan.actor,
            plan.target,
            cause=max(answered) if answered else None,
            source=plan.source,
            reference=plan.reference,
            act_id=plan.act_id,
            coalition=plan.coalition,
        )

    def _announce(
        self,
        spec: ActSpec,
        actor: str,
        target: str,
        *,
        cause: int | None,
        source: str = "simulated",
        reference: str | None = None,
        act_id: str | None = None,
        coalition: str | None = None,
    ) -> None:
        today = self.calendar.today
        event = to_event(
            spec,
            seq=len(self.log),
            day=today,
            actor=actor,
            target=target,
            cause=cause,
            source=source,
            reference=reference,
            act_id=act_id,
        )
        if coalition is not None:
            event = ev.replace(event, coalition=coalition)
        if type(event) is ev.VisaPolicyChanged:  # one-for-one counts from this day on
            event = ev.replace(
                event,
                issued_to_target=self.world.missions[(target, actor)].visas_issued,
                issued_to_actor=self.world.missions[(actor, target)].visas_issued,
            )
        self.record(event)
        sender = event.mission
        midx = self.midx[(sender, target if sender == actor else actor)]
        if isinstance(event, _ORDER_TYPES):
            self._deadline_on(event.deadline, midx, event.seq)  # type: ignore[attr-defined]
        if type(event) is ev.VisaPolicyChanged:
            self._at(today, self._visa_item[self.midx[(target, actor)]])
        self._review_soon(midx)
        if self.policies[target].observes:
            self._schedule_reaction(target, event)

    # --- phase 1: reactions -----------------------------------------------------------------

    def _react(self, observer: str, act_seq: int) -> None:
        """``observer`` takes note of an act (or takes a departure for one) and answers it."""
        if act_seq in self._observed[observer]:
            return
        act = self.log[act_seq]
        other = act.target if act.actor == observer else act.actor
        if type(act) is ev.StaffDeparted:  # a false alarm: one's own diplomat went home
            kind, size, roles, detail, missed = "expel", 1, (), "false alarm: a tour ended", False
        else:
            kind, size = describe(act)
            roles, detail = particulars(act)
            missed = self.miss_draws[observer].chance(self.miss_chance[observer], *self._perceived_key(act))
        seen = ev.ActObserved(
            seq=len(self.log),
            day=self.calendar.today,
            actor=observer,
            target=other,
            cause=act_seq,
            act=act_seq,
            kind=kind,
            size=size,
            roles=roles,
            detail=detail,
            missed=missed,
        )
        measured = terms(act)
        if measured:  # a limit's locals kept, a cap per role: what an answer in kind matches
            seen = ev.replace(seen, **measured)
        coalition = getattr(act, "coalition", None)
        if coalition is not None:  # who joined it so far (a prefix of the run knows the same)
            actors = self._coalition_actors[coalition]
            leader = self.declared_leaders.get(coalition) or self._coalition_first[coalition][1]
            seen = ev.replace(seen, coalition=coalition, partners=len(actors) - 1, leader=leader)
        self.record(seen)
        if missed:
            return
        history = self._history(self.world.missions[(observer, other)])
        deadline = self.answer_deadline[observer]
        for spec in self._answer(observer, other, history):
            if deadline is not None:
                spec = dataclasses.replace(spec, deadline_days=deadline)
            target = spec.target if spec.target is not None else other
            reachable = self._within_reach(observer, target, spec)
            if reachable is not None:
                self._announce(reachable, observer, target, cause=act_seq)

    def _history(self, mission: WorkingMission) -> tuple[Observation, ...]:
        """The side's memory of this mission's counterpart, as a tuple."""
        return _as_tuple(self._history_cache, (mission.name, mission.host), mission.observed)

    def _answer(self, observer: str, other: str, history: Sequence[Any]) -> list[ActSpec]:
        """The policy's answer, checked against the rules a scenario's acts obey (a broken
        plugin stops the run with one line before anything invalid is recorded)."""
        policy = self.policies[observer]
        today = self.calendar.today

        def when() -> str:  # built only for an error message
            return f"on {self.scenario.date_of(today)}"

        view = self._view(observer, other)
        answer = call_policy(policy, observer, when, lambda: policy.respond(history, view))
        if not self.many_sides:
            return checked_answer(answer, policy, observer, when, self.posts_of[(observer, other)])

        def posts(target: str | None) -> dict[str, tuple[str, ...]] | None:
            return self.posts_of.get((observer, target if target is not None else other))

        return checked_answer(answer, policy, observer, when, posts)

    def _within_reach(self, actor: str, target: str, spec: ActSpec) -> ActSpec | None:
        """An answer's expulsion names only people the other mission has of those roles on the
        day it is announced: cut to them, and no expulsion at all when there is nobody."""
        if spec.kind != "expel":
            return spec
        roles = spec.roles if spec.roles is not None else DEFAULT_ROLES["expel"]
        mission = self.world.missions.get((target, actor))
        if mission is None:
            return None
        present = mission.counted(roles)
        if present <= 0:
            return None
        return spec if spec.size <= present else dataclasses.replace(spec, size=present)

    def _measures_against(self, me: str, theirs: WorkingMission) -> set[str]:
        """The kinds ``me`` has in force or pending against ``theirs``, a mission in its capital."""
        _, pending = self._orders_of(theirs)
        measures = set(pending.get(me, ()))
        if theirs.cap is not None:
            measures.add("cap")
        if theirs.rotation_limit is not None:
            measures.add("rotation_limit")
        if theirs.local_hire_ban:
            measures.add("local_hire_ban")
        if theirs.visa_policy != "issue":
            measures.add("visa_policy")
        return measures

    def _measures_of(self, me: str) -> dict[str, frozenset[str]]:
        missions = self.world.missions
        return {
            sender: frozenset(self._measures_against(me, missions[(sender, host)]))
            for sender, host in self.mission_keys
            if host == me
        }

    def _view(self, me: str, other: str) -> SideView:
        mine = self.world.missions[(me, other)]
        theirs = self.world.missions[(other, me)]
        closing, _ = self._orders_of(theirs)
        measures = self._measures_against(me, theirs)
        return SideView(
            day=self.calendar.today,
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
            my_acts=self._my_acts(me, other),
            run_seed=self.seed,
            headcounts=self._headcounts_of(me) if self.many_sides else {},
            measures=self._measures_of(me) if self.many_sides else {},
        )

    def _my_acts(self, me: str, other: str) -> tuple[tuple[int, str, int], ...]:
        """``me``'s acts against ``other`` so far, as a tuple (with two sides: all of them)."""
        return _as_tuple(self._acts_tuple, (me, other), self._acts_against.setdefault((me, other), []))

    def _headcounts_of(self, me: str) -> dict[tuple[str, str], int]:
        """The headcount of every mission ``me`` sends or hosts, by ``(sender, host)``: what a
        policy that answers a third side (a coalition's leader) needs to know of it."""
        missions = self.world.missions
        return {key: missions[key].headcount for key in self.mission_keys if me in key}

    def _orders_of(self, mission: WorkingMission) -> tuple[frozenset[str], dict[str, set[str]]]:
        """The posts ``mission`` has been ordered to close, and the kinds of the orders pending
        against it by actor; read again only when the mission's orders changed (its version)."""
        cached = self._order_summary.get(id(mission))
        if cached is not None and cached[0] == mission.version:
            return cached[1], cached[2]
        closing: set[str] = set()
        pending: dict[str, set[str]] = {}
        for order in mission.orders.values():
            if isinstance(order, (ev.PostClosureOrdered, ev.OwnPostClosureOrdered)):
                closing.add(order.post)
            pending.setdefault(order.actor, set()).add(describe(order)[0])
        summary = (mission.version, frozenset(closing), pending)
        self._order_summary[id(mission)] = summary
        return summary[1], summary[2]

    # --- draws about perception ---------------------------------------------------------------

    def _perceived_key(self, event: ev.Event) -> tuple[Any, ...]:
        """A side-neutral, fork-stable key for draws about how ``event`` is perceived."""
        if type(event) is ev.StaffDeparted:
            if self.many_sides:  # a sender has several missions, numbered each on its own
                return ("departure", event.actor, event.target, self._departure_number[event.seq])
            return ("departure", event.actor, self._departure_number[event.seq])
        if self.many_sides:
            return ("act", event.actor, event.target, self._act_number[event.seq])
        return ("act", event.actor, self._act_number[event.seq])

    def _delay(self, observer: str, event: ev.Event) -> int:
        """Days from ``event`` to ``observer``'s reaction: the side's timing, else its policy's."""
        delay = self.delay_range[observer]
        if delay is None:
            return self._policy_delay[observer](event.day)
        low, high = delay
        return self.delay_draws[observer].integer(low, high, *self._perceived_key(event))

    def _false_alarm(self, event: ev.StaffDeparted) -> bool:
        """Whether a diplomat's or technician's departure at tour end is taken by its own side
        for an expulsion (locals are the host's nationals: nobody expels them)."""
        if event.reason != "tour_end" or self.log[event.person].role == "local":  # type: ignore[attr-defined]
            return False
        q = self.false_alarm_chance[event.actor]
        if q <= 0.0:  # no draw, so no departure number needed (they are kept only when q > 0)
            return False
        return self.false_alarm_draws.chance(q, *self._perceived_key(event))


def _as_tuple(cache: dict[Any, tuple[Any, ...]], key: Any, items: list[Any]) -> tuple[Any, ...]:
    """``items`` (a list that only grows) as a tuple, copied again only when it has grown: a
    policy gets an immutable view, and a side that observes thousands of acts between two of
    its own does not copy its list each time."""
    cached = cache.get(key)
    if cached is None or len(cached) != len(items):
        cached = cache[key] = tuple(items)
    return cached
