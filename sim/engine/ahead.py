"""Phase 6: replacements asked for ahead of a tour's end (``request_lead_days``).

A tour within its role's lead makes its person due to be replaced; each staffing review asks
for the replacements of those due wherever one may be asked for now, and a replacement
arrives no earlier than the one it replaces is due to leave (a handover). The replaced person
counts as gone for vacancies (:class:`~sim.core.working_mission.WorkingMission`'s ``counts``)
but serves to the end of the tour.
"""

from __future__ import annotations

from sim.core.state import Person
from sim.core.working import WorkingMission
from sim.engine.calendar import KEY_SHIFT
from sim.engine.staffing import departure_day, role_rooms


class Ahead:
    """Requests made ahead (a mixin of :class:`~sim.engine.loop.Engine`)."""

    def _queue_ahead(self, midx: int, pid: int, person: Person, departs: int, today: int) -> None:
        """The day ``person``'s replacement may be asked for (today if that day has passed)."""
        lead = self.leads[midx].get(person.role)
        if lead is not None and departs - lead <= self.horizon:
            day = departs - lead
            self._at(day if day > today else today, self._ahead_base[midx] | (pid << KEY_SHIFT))

    def _ahead(self, pid: int, midx: int) -> None:
        """A tour is within its lead: the mission's review today asks for its replacement
        (``_ask_ahead`` checks the person is still there and still due)."""
        self._due_ahead[midx].add(pid)
        self._review_soon(midx)

    def _ask_ahead(self, midx: int, mission: WorkingMission, open_posts: tuple[str, ...]) -> None:
        """Ask for the replacements of those due to be replaced, where one may be asked for now
        (their post open, no visa refused, their cell not over its target, room under a cap);
        the rest stay due, and every review tries them again, so a fork's first review asks
        for exactly what the run's reviews would have asked for."""
        due, staff, today = self._due_ahead[midx], mission.staff, self.calendar.today
        for pid in sorted(due):
            person = staff.get(pid)
            if person is None or pid in mission.replacing:
                due.discard(pid)
                continue
            departs = departure_day(person, mission.rotation_limit)
            asked = departs - self.leads[midx][person.role]
            if asked > today:  # a lifted limit put the departure later: its item comes back then
                due.discard(pid)
                self._queue_ahead(midx, pid, person, departs, today)
            elif person.post in open_posts and not mission.visa_blocked and _may_replace(mission, person):
                due.discard(pid)
                self._request_visas(midx, mission, person.post, person.role, 1, pid, asked)

    def _handover_day(self, midx: int, mission: WorkingMission, rid: int, pid: int) -> int:
        """When a replacement asked for ahead arrives: when the visa and the journey allow,
        but not before the one they replace is due to leave (a handover, not a second
        posting: the mission stays at its target, and a lead longer than a tour cannot make
        replacements pile up). A request in flight at the start, decided before the run (its
        due day is before day 0), travels from that day."""
        today, travel = self.calendar.today, self.travel[midx]
        due = mission.requests[rid].due
        arrives = today + travel if due >= 0 else max(due + travel, today)
        departs = departure_day(mission.staff[pid], mission.rotation_limit)
        return departs if departs > arrives else arrives


def _may_replace(mission: WorkingMission, person: Person) -> bool:
    """Whether counting ``person`` as gone opens a vacancy that may be asked for now: their
    cell is not over its target (else they leave unreplaced, as the cell shrinks to it), and a
    cap on their role has room for one more present or asked for (a cap counts them until
    they leave, so a full cap replaces them only when they have gone)."""
    key, role = (person.post, person.role), person.role
    if mission.targets.get(key, 0) - mission.counts.get(key, 0) - mission.requested.get(key, 0) < 0:
        return False
    cap = mission.cap
    if cap is None or role not in cap.roles:
        return True
    if cap.cap - mission.counted(cap.roles) - mission.requested_of(cap.roles) < 1:
        return False
    return role_rooms(mission, None).get(role, 1) >= 1
