"""Phase 2: deadlines fall. People ordered out leave, caps and limits come into force, posts
close; the order's ``DeadlineReached`` then puts the measure in force (or ends it)."""

from __future__ import annotations

from collections.abc import Iterable

from sim.core import events as ev
from sim.core.working import WorkingMission
from sim.engine.calendar import KEY_SHIFT
from sim.engine.staffing import USUAL_DEPARTURES, binds

_ROLE_RANK = {"local": 0, "admin_technical": 1, "diplomat": 2}


class Deadlines:
    """What each kind of order does on its deadline (a mixin of :class:`~sim.engine.loop.Engine`)."""

    def _deadline(self, seq: int, midx: int) -> None:
        mission = self.m[midx]
        order = mission.orders.get(seq)
        if order is None:  # lifted before its deadline, or already done
            return
        today = self.calendar.today
        cls = type(order)
        if cls is ev.ExpulsionOrdered:
            leaving = self._pick(midx, mission, order.roles, order.count, order.rule, order.posts)
            self._depart(midx, leaving, "expelled", seq)
        elif cls is ev.StaffCapImposed:
            self._enforce_cap(midx, mission, order)
        elif cls is ev.RotationLimitImposed:
            limit = order.limit_days
            past = sorted(
                pid
                for pid, p in mission.staff.items()
                if binds(order, p.role, p.post) and today - p.arrived >= limit
            )
            self._depart(midx, past, "rotation_limit", seq)
        elif cls is ev.PostClosureOrdered or cls is ev.OwnPostClosureOrdered:
            self._close_post(midx, mission, order.post, seq)
        elif cls is ev.LocalHireBanImposed:
            locals_ = sorted(pid for pid, p in mission.staff.items() if p.role == "local")
            if order.limit:  # a limit keeps that many, the newest: the longest-serving go first
                locals_ = self._pick(midx, mission, ("local",), len(locals_) - order.limit, "longest_serving")
            self._depart(midx, locals_, "local_hire_ban", seq)
        self.record(
            ev.DeadlineReached(
                seq=len(self.log),
                day=today,
                actor=order.actor,
                target=order.target,
                cause=seq,
                measure=seq,
                concerns=mission.name,
            )
        )
        if cls is ev.RotationLimitImposed:
            self._schedule_departures(midx, mission, today)
        self._review_soon(midx)

    def _enforce_cap(self, midx: int, mission: WorkingMission, order: ev.StaffCapImposed) -> None:
        """People beyond each role's ceiling leave by the order's rule, then those beyond the
        whole cap (none, when the cap is the sum of the ceilings)."""
        for role, ceiling in order.role_caps:
            excess = mission.counted((role,)) - ceiling
            if excess > 0:
                self._depart(midx, self._pick(midx, mission, (role,), excess, order.rule), "cap", order.seq)
        excess = mission.counted(order.roles) - order.cap
        if excess > 0:
            self._depart(midx, self._pick(midx, mission, order.roles, excess, order.rule), "cap", order.seq)

    def _close_post(self, midx: int, mission: WorkingMission, post: str, cause: int) -> None:
        """Locals at ``post`` are let go; the others move to the embassy if it is still open,
        else they go home too. Closing the embassy closes the mission: everyone goes home."""
        if post == "embassy":
            self._depart(midx, sorted(mission.staff), "post_closed", cause)
            return
        embassy_open = "embassy" in self._plan(midx)[1]
        for pid in sorted(pid for pid, p in mission.staff.items() if p.post == post):
            if embassy_open and mission.staff[pid].role != "local":
                if mission.rotation_limit is not None and mission.rotation_limit.posts:
                    # Their tour item again: the limit may bind them at the embassy.
                    self._at(self.calendar.today, self._tour_base[midx] | (pid << KEY_SHIFT))
                self.record(
                    ev.StaffReassigned(
                        seq=len(self.log),
                        day=self.calendar.today,
                        actor=mission.name,
                        target=mission.host,
                        cause=cause,
                        person=pid,
                        post="embassy",
                    )
                )
            else:
                self._depart(midx, [pid], "post_closed", cause)

    def _pick(
        self,
        midx: int,
        mission: WorkingMission,
        roles: Iterable[str],
        count: int,
        rule: str,
        posts: tuple[str, ...] = (),
    ) -> list[int]:
        """Who leaves under ``rule``: a side-neutral order with the person id as tie-break,
        among the people of ``roles`` at ``posts`` (all posts when empty): an expulsion that
        names posts takes nobody from any other.

        ``random`` ranks people by a draw keyed by mission, day and the person's arrival
        number, never by ``seq``, so listing the sides in the other order changes nothing.
        """
        day, draws, wanted = self.calendar.today, self.pick_draws[midx], set(roles)
        people = [
            (pid, p)
            for pid, p in mission.staff.items()
            if p.role in wanted and (not posts or p.post in posts)
        ]
        # Each person's sort key, built in one comprehension (a key function is a Python call a
        # person, and an expulsion ranks a whole mission); every key ends in the person's id,
        # or its negative, so keys are distinct and the order is the keys' order alone.
        if rule == "longest_serving":
            ranked = sorted([(p.arrived, pid) for pid, p in people])
        elif rule == "newest":
            ranked = sorted([(-p.arrived, -pid) for pid, p in people])
        elif rule == "random":
            ranked = sorted([(draws.uniform(day, p.number), pid) for pid, p in people])
        elif rule == "locals_first":
            ranked = sorted([(_ROLE_RANK[p.role], p.arrived, pid) for pid, p in people])
        else:
            raise KeyError(rule)
        return [abs(key[-1]) for key in ranked[: max(count, 0)]]

    def _depart(self, midx: int, people: Iterable[int], reason: str, cause: int | None) -> None:
        name, host = self.senders[midx], self.hosts[midx]
        watched = self.watches_departures[midx]  # may the sender take a departure for an expulsion?
        numbered = self._number_departures  # the note record would take (_record_in takes none)
        record, fold, log, today = self._record_in, self._fold_departed, self.log, self.calendar.today
        if reason not in USUAL_DEPARTURES:  # targets may shrink: the next review looks at every cell
            self._left[midx] = None
        left, mission = self._left[midx], self.m[midx]
        staff = mission.staff
        for pid in people:
            if left is not None:  # the cell this person leaves, for the mission's next review
                person = staff[pid]
                left.add((person.post, person.role))
            event = record(
                mission,
                fold,
                ev.StaffDeparted(
                    seq=len(log), day=today, actor=name, target=host, cause=cause, person=pid, reason=reason
                ),
            )
            if numbered:
                self._note_departure(event)
            if watched and self._false_alarm(event):  # type: ignore[arg-type]
                self._schedule_reaction(name, event)
