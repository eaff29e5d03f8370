"""Phases 3 to 6: tours end, hosts decide visas, people arrive, missions fill vacancies.

What a review reads that changes only with a mission's orders (its open posts, their cells in
review order, whether a local-hire ban stands or is pending) is kept per version of those
orders, and undecided visa requests are indexed by due day, so a visa desk or a staffing
review costs the same on day 1 and day 7,000. A review runs after nearly every departure, so
it reads the mission's counters in place rather than copying them.
"""

from __future__ import annotations

from sim.core import events as ev
from sim.core.state import Person
from sim.core.working import WorkingMission
from sim.engine.calendar import KEY_SHIFT

ROLES = ev.ROLES

#: The events after which a mission's next review need look only at the cells people left
#: (see ``Staffing._review``): they change a cell's vacancy only by a departure, and a request
#: only by filling it. Departures for other reasons than these may abolish posts.
USUAL_STAFFING = frozenset(
    {ev.StaffArrived, ev.VisaRequested, ev.VisaIssued, ev.StaffDeparted, ev.ActObserved}
)
USUAL_DEPARTURES = frozenset({"tour_end", "rotation_limit"})

#: A mission's staffing plan: (orders version, open posts, cells, local-hire ban), where a
#: cell is ((post, role), post, role, is_local) in review order.
Plan = tuple[int, tuple[str, ...], tuple[tuple[tuple[str, str], str, str, bool], ...], bool]


def binds(limit: ev.RotationLimitImposed | None, role: str, post: str) -> bool:
    """Whether a rotation limit binds someone of ``role`` at ``post`` (a limit that names
    posts binds only there)."""
    return limit is not None and role in limit.roles and (not limit.posts or post in limit.posts)


def departure_day(person: Person, limit: ev.RotationLimitImposed | None) -> int:
    """The day ``person`` leaves by today's rules: their tour's end, or the rotation limit's
    if it binds them and comes first."""
    if binds(limit, person.role, person.post) and person.arrived + limit.limit_days < person.tour_end:  # type: ignore[union-attr]
        return person.arrived + limit.limit_days  # type: ignore[union-attr]
    return person.tour_end


class Staffing:
    """Tours, visas, arrivals and reviews (a mixin of :class:`~sim.engine.loop.Engine`)."""

    # --- phase 3: tours -------------------------------------------------------------------

    def _end_tour(self, pid: int, midx: int) -> None:
        mission = self.m[midx]
        person = mission.staff.get(pid)
        if person is None:
            return
        today = self.calendar.today
        if person.tour_end <= today:
            reason, cause = "tour_end", None
        else:
            limit = mission.rotation_limit
            if not binds(limit, person.role, person.post) or person.arrived + limit.limit_days > today:  # type: ignore[union-attr]
                # Not due: the limit this item was for was lifted (or has changed). The next
                # day this person may leave, today's rules say (later than today).
                self._at(departure_day(person, limit), self._tour_base[midx] | (pid << KEY_SHIFT))
                return
            reason, cause = "rotation_limit", limit.seq  # type: ignore[union-attr]
        self._depart(midx, (pid,), reason, cause)
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
        ready = mission.ready_requests(today)
        if not ready:
            return
        name, host = mission.name, mission.host
        allowance = None
        if mission.visa_policy == "one_for_one":
            theirs = self.m[self.facing[midx]]
            ours_then, theirs_then = mission.visa_counted_from
            received = theirs.visas_issued_before(today) - theirs_then
            allowance = received + mission.visa_credit - (mission.visas_issued - ours_then)
            if allowance <= 0:  # nothing to match yet: every request waits
                return
        if mission.visa_policy == "deny":
            for rid in sorted(ready):
                self.record(
                    ev.VisaDenied(
                        seq=len(self.log), day=today, actor=host, target=name, cause=rid, request=rid
                    )
                )
            return
        # Oldest first; a one-for-one host that can match only some of them needs only those.
        if allowance is not None and allowance < len(ready):  # a few dozen waiting at most:
            issuing = [min(ready)] if allowance == 1 else sorted(ready)[:allowance]  # C, not heapq's loop
        else:
            issuing = sorted(ready)
        travelled = today + self.travel[midx]
        record, fold, log, arrive_base = self._record_in, self._fold_issued, self.log, self._arrive_base[midx]
        replaced_by = mission.replaced_by
        for rid in issuing:
            arrives = travelled
            if replaced_by and rid in replaced_by:
                arrives = self._handover_day(midx, mission, rid, replaced_by[rid])
            record(
                mission,
                fold,
                ev.VisaIssued(
                    seq=len(log), day=today, actor=host, target=name, cause=rid, request=rid, arrives=arrives
                ),
            )
            self._at(arrives, arrive_base | (rid << KEY_SHIFT))
        facing = self.facing[midx]
        if self.m[facing].visa_policy == "one_for_one":
            # The host's own staff waiting for the sender's visas may now be matched.
            self._at(today + 1, self._visa_item[facing])

    def _arrive(self, rid: int, midx: int) -> None:
        mission = self.m[midx]
        request = mission.requests.get(rid)
        today = self.calendar.today
        if request is None or request.arrives is None or request.arrives > today:
            return
        post, role = request.post, request.role
        cap = mission.cap
        plan = self._plans[midx]
        if plan[0] != mission.version:
            plan = self._plan(midx)
        fits = post in plan[1] and (
            cap is None
            or role not in cap.roles
            or (mission.counted(cap.roles) < cap.cap and _under_role_cap(mission, cap, role))
        )
        if not fits:
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
        self._hire(midx, role, post, rid)

    def _hire(self, midx: int, role: str, post: str, request: int | None) -> None:
        mission = self.m[midx]
        low, high = self.tours[midx][role]
        tour = self.tour_draws[midx].integer_of(low, high, mission.arrivals)
        today = self.calendar.today
        seq = len(self.log)
        self._record_in(
            mission,
            self._fold_arrived,
            ev.StaffArrived(
                seq=seq,
                day=today,
                actor=mission.name,
                target=mission.host,
                cause=request,
                role=role,
                post=post,
                arrived=today,
                tour_end=today + tour,
                request=request,
            ),
        )
        # Their tour item, as _schedule_departures queues it for the staff already there.
        day, limit = today + tour, mission.rotation_limit
        if limit is not None and limit.limit_days < tour and binds(limit, role, post):
            day = today + limit.limit_days
        self._at(day if day > today else today, self._tour_base[midx] | (seq << KEY_SHIFT))
        if self.leads[midx] and role in self.leads[midx]:
            self._queue_ahead(midx, seq, mission.staff[seq], day, today)

    # --- phase 7: staffing ------------------------------------------------------------------

    def _plan(self, midx: int) -> Plan:
        """The mission's staffing plan, made again only when its orders changed (its version).

        Open posts are those neither closed nor ordered closed (an embassy closing takes every
        post); a ban stands once in force and binds while pending (no local is hired then).
        """
        mission = self.m[midx]
        plan = self._plans[midx]
        if plan[0] == mission.version:
            return plan
        closing = self._orders_of(mission)[0]
        if "embassy" in closing or "embassy" in mission.closed_posts:
            posts: tuple[str, ...] = ()
        else:
            posts = tuple(p for p in mission.posts if p not in mission.closed_posts and p not in closing)
        cells = tuple(((post, role), post, role, role == "local") for post in posts for role in ROLES)
        limit = _local_limit(mission)
        self._local_limits[midx] = limit
        plan = self._plans[midx] = (mission.version, posts, cells, limit == 0)
        return plan

    def _review_whole(self) -> None:
        """Have every mission's next review look at all its cells (after an unusual event)."""
        self._left: list[set[tuple[str, str]] | None] = [None] * len(self.mission_keys)

    def _review(self, _key: int, midx: int) -> None:
        """Drop requests that no longer fit (newest first), then fill every fillable vacancy.

        After a review no vacancy that could be filled is left open, so an extra review is a
        no-op: that is what lets a fork schedule one on its first day without changing anything.

        That is also why most reviews need look only at the cells people left since the last
        one: while nothing but ``USUAL_STAFFING`` happens and no cap stands, no request comes
        to exceed its target or its post's closing (nothing to trim), and a cell's vacancy
        grows only by a departure from it. ``_left`` holds those cells (``None``: look at all).
        """
        mission = self.m[midx]
        plan = self._plans[midx]
        if plan[0] != mission.version:
            plan = self._plan(midx)
        left = self._left[midx]
        cap = mission.cap
        if left is not None and cap is None and not self._local_limits[midx]:
            self._left[midx] = set()
            self._refill(midx, mission, plan, left)
            if self._due_ahead[midx]:
                self._ask_ahead(midx, mission, plan[1])
            return
        room = None if cap is None else cap.cap - mission.counted(cap.roles) - mission.requested_of(cap.roles)
        rooms = role_rooms(mission, self._local_limits[midx])
        over, fillable = self._vacancies(mission, plan)
        if over or (room is not None and room < 0) or any(n < 0 for n in rooms.values()):
            room = self._trim(mission, plan[1], room, rooms)
            over, fillable = self._vacancies(mission, plan)
        cap_roles = cap.roles if cap is not None else ()
        for post, role, vacancies in fillable:
            if room is not None and role in cap_roles:
                vacancies = min(vacancies, room)
            if role in rooms:
                vacancies = min(vacancies, rooms[role])
                rooms[role] -= max(vacancies, 0)
            if room is not None and role in cap_roles:
                room -= max(vacancies, 0)
            if vacancies > 0:
                self._fill(midx, mission, post, role, vacancies)
        self._left[midx] = set()
        if self._due_ahead[midx]:
            self._ask_ahead(midx, mission, plan[1])

    def _refill(self, midx: int, mission: WorkingMission, plan: Plan, left: set[tuple[str, str]]) -> None:
        """The review of the cells in ``left`` alone, in the plan's order (no cap stands).

        Most reviews follow one departure (or none): one cell, which needs no order, only its
        post open (the plan's cells are its open posts' cells, every role of each), not a walk
        of them all.
        """
        _, open_posts, cells, banned = plan
        targets, counts, requested, blocked = (
            mission.targets,
            mission.counts,
            mission.requested,
            mission.visa_blocked,
        )
        if len(left) < 2:
            for key in left:
                post, role = key
                if post in open_posts and not (banned if role == "local" else blocked):
                    vacancies = targets.get(key, 0) - counts.get(key, 0) - requested.get(key, 0)
                    if vacancies > 0:
                        self._fill(midx, mission, post, role, vacancies)
            return
        for key, post, role, is_local in cells:
            if key in left and not (banned if is_local else blocked):
                vacancies = targets.get(key, 0) - counts.get(key, 0) - requested.get(key, 0)
                if vacancies > 0:
                    self._fill(midx, mission, post, role, vacancies)

    @staticmethod
    def _vacancies(mission: WorkingMission, plan: Plan) -> tuple[bool, list[tuple[str, str, int]]]:
        """Whether an open request no longer fits (over its target, or at a post not open), and
        the open cells with vacancies that may be filled (not banned, not blocked), in order.

        One pass over the cells answers both (a review runs after nearly every departure):
        a request over its target is a cell with requests and a negative vacancy; a request at a
        post not open is looked for only when some post is not open. The open requests are read
        in place: filling a cell changes that cell alone, which the review does not read again.
        """
        _, open_posts, cells, banned = plan
        targets, counts, requested = mission.targets, mission.counts, mission.requested
        blocked, over = mission.visa_blocked, False
        fillable = []
        for key, post, role, is_local in cells:
            n = requested.get(key, 0)
            vacancies = targets.get(key, 0) - counts.get(key, 0) - n
            if vacancies > 0:
                if not (banned if is_local else blocked):
                    fillable.append((post, role, vacancies))
            elif vacancies < 0 and n > 0:
                over = True
        if not over and len(open_posts) < len(mission.posts):
            over = any(n > 0 and post not in open_posts for (post, _), n in requested.items())
        return over, fillable

    def _fill(self, midx: int, mission: WorkingMission, post: str, role: str, vacancies: int) -> None:
        """Hire locals at once; ask the host for a visa for everyone else."""
        if role == "local":
            for _ in range(vacancies):
                self._hire(midx, role, post, None)
            return
        self._request_visas(midx, mission, post, role, vacancies)

    def _request_visas(
        self,
        midx: int,
        mission: WorkingMission,
        post: str,
        role: str,
        count: int,
        replaces: int | None = None,
        asked: int = 0,
    ) -> None:
        """Ask the host for ``count`` visas; the host decides each on its due day. A request
        made ahead names the person it ``replaces`` (who hands over on leaving: see
        ``_handover_day``). On the run's first day it is one already in flight, asked for on the
        day its lead began (``asked``, before the run): its decision is due that many days
        sooner, before the run if so (the host decides it on the first day), so the pipeline
        opens in the state it runs in."""
        low, high = self.processing[midx]
        by_post = self.processing_by_post[midx]
        if by_post and post in by_post:  # the host's own time for this post (a UN mission)
            low, high = by_post[post]
        if mission.processing:  # a dated act changed the host's time, for this post or all
            low, high = mission.processing.get(post) or mission.processing.get("") or (low, high)
        draws, today = self.visa_draws[midx], self.calendar.today
        name, host, record, fold, log = (
            mission.name,
            mission.host,
            self._record_in,
            self._fold_requested,
            self.log,
        )
        at, desk = self._at, self._visa_item[midx]
        for _ in range(count):
            due = today + draws.integer_of(low, high, mission.requests_made)
            if replaces is not None:
                if today == 0 and asked < 0:
                    due += asked
                self._ahead_of[len(log)] = (midx, replaces)
            record(
                mission,
                fold,
                ev.VisaRequested(
                    seq=len(log),
                    day=today,
                    actor=name,
                    target=host,
                    role=role,
                    post=post,
                    due=due,
                    replaces=replaces,
                ),
            )
            at(due if due > today else today, desk)

    def _trim(
        self,
        mission: WorkingMission,
        open_posts: tuple[str, ...],
        room: int | None,
        rooms: dict[str, int] | None = None,
    ) -> int | None:
        """Withdraw the requests that no longer fit, newest first (each withdrawal lowers the
        mission's open requests as it is recorded); the cap's room and each role's room
        (``rooms``, changed in place) follow. Returns the cap's room left."""
        rooms = {} if rooms is None else rooms
        cap_roles = mission.cap.roles if mission.cap is not None else ()
        requests, counts, targets, pending = (
            mission.requests,
            mission.counts,
            mission.targets,
            mission.requested,
        )
        for rid in sorted(requests, reverse=True):
            request = requests[rid]
            key = (request.post, request.role)
            over_target = counts.get(key, 0) + pending[key] > targets.get(key, 0)
            over_cap = room is not None and room < 0 and request.role in cap_roles
            over_role = rooms.get(request.role, 0) < 0
            if request.post in open_posts and not over_target and not over_cap and not over_role:
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
            if request.role in cap_roles:
                room += 1  # type: ignore[operator]
            if request.role in rooms:
                rooms[request.role] += 1
        return room


def _under_role_cap(mission: WorkingMission, cap: ev.StaffCapImposed, role: str) -> bool:
    """Whether one more of ``role`` stays within the cap's ceiling for that role, if it has one."""
    return all(r != role or mission.counted((r,)) < n for r, n in cap.role_caps)


def _local_limit(mission: WorkingMission) -> int | None:
    """The locals the mission may keep: the lowest limit in force or pending (a pending one
    binds hiring already, as a pending ban always has), ``None`` if there is none."""
    limits = [o.limit for o in mission.orders.values() if type(o) is ev.LocalHireBanImposed]  # type: ignore[attr-defined]
    if mission.local_hire_ban:
        limits.append(mission.local_limit)
    return min(limits) if limits else None


def role_rooms(mission: WorkingMission, local_limit: int | None) -> dict[str, int]:
    """How many more of each role with a ceiling the mission may have (present and asked
    for): the cap's per-role ceilings, and a local limit above 0 (a limit of 0 is a ban, which
    the plan keeps)."""
    rooms: dict[str, int] = {}
    cap = mission.cap
    if cap is not None:
        for role, ceiling in cap.role_caps:
            rooms[role] = ceiling - mission.counted((role,)) - mission.requested_of((role,))
    if local_limit:
        room = local_limit - mission.counted(("local",))
        rooms["local"] = min(rooms.get("local", room), room)
    return rooms
