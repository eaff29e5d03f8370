"""Phases 3 to 6: tours end, hosts decide visas, people arrive, missions fill vacancies.

A mission's open posts are cached per version of its orders (they change with closures and
reopenings only), and its undecided visa requests are indexed by due day, so a visa desk or
a staffing review costs the same on day 1 and day 7,000.
"""

from __future__ import annotations

from typing import Any

from sim.core import events as ev
from sim.core.working import WorkingMission
from sim.engine.calendar import KEY_SHIFT

ROLES = ev.ROLES


class Staffing:
    """Tours, visas, arrivals and reviews (a mixin of :class:`~sim.engine.loop.Engine`)."""

    # --- phase 3: tours -------------------------------------------------------------------

    def _end_tour(self, pid: int, midx: int) -> None:
        mission = self.m[midx]
        person = mission.staff.get(pid)
        if person is None:
            return
        today = self.calendar.today
        limit = mission.rotation_limit
        limit_end = None
        if limit is not None and person.role in limit.roles:
            limit_end = person.arrived + limit.limit_days
        if person.tour_end <= today:
            self._depart(midx, [pid], "tour_end", None)
        elif limit_end is not None and limit_end <= today:
            self._depart(midx, [pid], "rotation_limit", limit.seq)  # type: ignore[union-attr]
        else:
            return
        self._at(today, self._staff_item[midx])  # the mission's staffing review, later today

    # --- phase 4 and 5: visas and arrivals --------------------------------------------------

    def _visa_desk(self, _key: int, midx: int) -> None:
        """The host decides the mission's due requests, oldest first.

        ``deny`` refuses all of them; ``one_for_one`` issues while the host has issued fewer
        visas to the mission's staff than the sender issued to the host's before today (plus
        the credit), and leaves the rest waiting for the next visa the sender issues.
        """
        mission = self.m[midx]
        today = self.calendar.today
        due = mission.due_requests(today)
        if not due:
            return
        name, host = mission.name, mission.host
        allowance = None
        if mission.visa_policy == "one_for_one":
            theirs = self.world.missions[(host, name)]
            ours_then, theirs_then = mission.visa_counted_from
            received = theirs.visas_issued_before(today) - theirs_then
            allowance = received + mission.visa_credit - (mission.visas_issued - ours_then)
        arrives = today + self.travel[midx]
        deny = mission.visa_policy == "deny"
        record, log, arrive_base = self.record, self.log, self._arrive_base[midx]
        issued = 0
        for rid in due:
            if deny:
                record(
                    ev.VisaDenied(seq=len(log), day=today, actor=host, target=name, cause=rid, request=rid)
                )
                continue
            if allowance is not None:
                if allowance <= 0:
                    break
                allowance -= 1
            record(
                ev.VisaIssued(
                    seq=len(log), day=today, actor=host, target=name, cause=rid, request=rid, arrives=arrives
                )
            )
            self._at(arrives, arrive_base | (rid << KEY_SHIFT))
            issued += 1
        if issued and self.world.missions[(host, name)].visa_policy == "one_for_one":
            # The host's own staff waiting for the sender's visas may now be matched.
            self._at(today + 1, self._visa_item[self.midx[(host, name)]])

    def _arrive(self, rid: int, midx: int) -> None:
        mission = self.m[midx]
        request = mission.requests.get(rid)
        today = self.calendar.today
        if request is None or request.arrives is None or request.arrives > today:
            return
        if not self._fits(mission, request.post, request.role):
            self.record(
                ev.VisaRequestWithdrawn(
                    seq=len(self.log),
                    day=today,
                    actor=mission.name,
                    target=mission.host,
                    cause=rid,
                    request=rid,
                )
            )
            return
        self._hire(midx, request.role, request.post, rid)

    def _hire(self, midx: int, role: str, post: str, request: int | None) -> None:
        mission = self.m[midx]
        low, high = self.tours[midx][role]
        tour = self.tour_draws[midx].integer_of(low, high, mission.arrivals)
        today = self.calendar.today
        event = self.record(
            ev.StaffArrived(
                seq=len(self.log),
                day=today,
                actor=mission.name,
                target=mission.host,
                cause=request,
                role=role,
                post=post,
                arrived=today,
                tour_end=today + tour,
                request=request,
            )
        )
        self._schedule_departure(midx, mission, event.seq, mission.staff[event.seq], today)

    # --- phase 6: staffing ------------------------------------------------------------------

    def _open_posts(self, mission: WorkingMission) -> list[str]:
        """Posts neither closed nor ordered closed (an embassy closing takes every post)."""
        cached = self._open_cache.get(id(mission))
        if cached is not None and cached[0] == mission.version:
            return cached[1]
        closing = self._orders_of(mission)[0]
        if "embassy" in closing or "embassy" in mission.closed_posts:
            posts: list[str] = []
        else:
            posts = [p for p in mission.posts if p not in mission.closed_posts and p not in closing]
        self._open_cache[id(mission)] = (mission.version, posts)
        return posts

    @staticmethod
    def _cap_room(mission: WorkingMission) -> int | None:
        """How many more people the cap in force allows, counting requests (``None``: no cap)."""
        cap = mission.cap
        if cap is None:
            return None
        return cap.cap - mission.counted(cap.roles) - mission.requested_of(cap.roles)

    def _fits(self, mission: WorkingMission, post: str, role: str) -> bool:
        """Whether one more arrival of ``role`` at ``post`` is allowed today."""
        if post not in self._open_posts(mission):
            return False
        cap = mission.cap
        return cap is None or role not in cap.roles or mission.counted(cap.roles) < cap.cap

    def _review(self, _key: int, midx: int) -> None:
        """Drop requests that no longer fit (newest first), then fill every fillable vacancy.

        After a review no vacancy that could be filled is left open, so an extra review is a
        no-op: that is what lets a fork schedule one on its first day without changing anything.
        """
        mission = self.m[midx]
        open_posts = self._open_posts(mission)
        room = self._cap_room(mission)
        pending = dict(mission.requested)
        if self._needs_trim(mission, pending, open_posts, room):
            room = self._trim(mission, pending, open_posts, room)
        banned = mission.local_hire_ban or any(
            type(o) is ev.LocalHireBanImposed for o in mission.orders.values()
        )
        cap_roles = mission.cap.roles if mission.cap is not None else ()
        blocked = mission.visa_blocked
        targets, counts = mission.targets, mission.counts
        for post in open_posts:
            for role in ROLES:
                if (role == "local" and banned) or (role != "local" and blocked):
                    continue
                key = (post, role)
                vacancies = targets.get(key, 0) - counts.get(key, 0) - pending.get(key, 0)
                if room is not None and role in cap_roles:
                    vacancies = min(vacancies, room)
                    room -= max(vacancies, 0)
                if vacancies > 0:
                    self._fill(midx, mission, post, role, vacancies)

    def _fill(self, midx: int, mission: WorkingMission, post: str, role: str, vacancies: int) -> None:
        """Hire locals at once; ask the host for a visa for everyone else."""
        if role == "local":
            for _ in range(vacancies):
                self._hire(midx, role, post, None)
            return
        low, high = self.processing[midx]
        draws, today = self.visa_draws[midx], self.calendar.today
        name, host, record, log = mission.name, mission.host, self.record, self.log
        at, desk = self._at, self._visa_item[midx]  # the host decides each request on its due day
        for _ in range(vacancies):
            due = today + draws.integer_of(low, high, mission.requests_made)
            record(
                ev.VisaRequested(
                    seq=len(log), day=today, actor=name, target=host, role=role, post=post, due=due
                )
            )
            at(due, desk)

    def _trim(
        self, mission: WorkingMission, pending: dict[Any, int], open_posts: list[str], room: int | None
    ) -> int | None:
        """Withdraw the requests that no longer fit, newest first; ``pending`` and the cap's
        room follow the withdrawals. Returns the room left."""
        cap_roles = mission.cap.roles if mission.cap is not None else ()
        for rid in sorted(mission.requests, reverse=True):
            request = mission.requests[rid]
            key = (request.post, request.role)
            over_target = mission.counts.get(key, 0) + pending[key] > mission.targets.get(key, 0)
            over_cap = room is not None and room < 0 and request.role in cap_roles
            if request.post in open_posts and not over_target and not over_cap:
                continue
            self.record(
                ev.VisaRequestWithdrawn(
                    seq=len(self.log),
                    day=self.calendar.today,
                    actor=mission.name,
                    target=mission.host,
                    request=rid,
                )
            )
            pending[key] -= 1
            if request.role in cap_roles:
                room += 1  # type: ignore[operator]
        return room

    @staticmethod
    def _needs_trim(
        mission: WorkingMission, pending: dict[Any, int], open_posts: list[str], room: int | None
    ) -> bool:
        """Whether any open request no longer fits: over the cap, over a target, or at a closed post."""
        if room is not None and room < 0:
            return True
        counts, targets = mission.counts, mission.targets
        return any(
            n > 0
            and (post not in open_posts or counts.get((post, role), 0) + n > targets.get((post, role), 0))
            for (post, role), n in pending.items()
        )
