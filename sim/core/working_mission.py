"""A working mission: the sender's mission in the host's capital as the working fold keeps it,
plain slots and dicts changed in place by the handlers of :mod:`sim.core.working`.

Beside what the persistent :class:`~sim.core.state.Mission` holds, it keeps indexes that are
functions of it (undecided visa requests by due day, a version of its orders): they are what
makes the engine's questions cheap. Each costs every event that moves it, so only what the hot
path asks is indexed (headcounts per role are summed when a cap or an expulsion asks, from the
few (post, role) counts).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from sim.core import events as ev
from sim.core.state import Observation, Person, Request


class WorkingMission:
    """The sender's mission in the host's capital, changed in place by the handlers below."""

    __slots__ = (
        "_due",
        "_ready",
        "ambassador_present",
        "arrivals",
        "cap",
        "closed_by_host",
        "closed_posts",
        "compounds_closed",
        "counts",
        "departures",
        "host",
        "leaving",
        "local_hire_ban",
        "local_limit",
        "name",
        "observed",
        "orders",
        "posts",
        "processing",
        "replaced_by",
        "replacing",
        "requested",
        "requests",
        "requests_made",
        "rotation_limit",
        "services_cut",
        "staff",
        "targets",
        "threats_received",
        "version",
        "visa_blocked",
        "visa_counted_from",
        "visa_credit",
        "visa_policy",
        "visas_issued",
        "visas_issued_day",
        "visas_issued_that_day",
    )  # fmt: skip

    def __init__(self, e: ev.MissionOpened) -> None:
        self.name, self.host, self.posts = e.actor, e.target, tuple(e.posts)
        self.targets: dict[tuple[str, str], int] = {(post, role): n for post, role, n in e.targets}
        self.staff: dict[int, Person] = {}
        #: People present per (post, role), less those whose replacement was requested ahead
        #: of their tour's end (``leaving``): the count a staffing review fills against.
        self.counts: dict[tuple[str, str], int] = {}
        self.leaving: dict[tuple[str, str], int] = {}
        self.replacing: dict[int, int] = {}  # person id -> the request made ahead for them
        self.replaced_by: dict[int, int] = {}  # that request, while open -> the person
        self.requests: dict[int, Request] = {}
        self.requested: dict[tuple[str, str], int] = {}
        self.orders: dict[int, ev.Event] = {}
        self.arrivals = self.departures = self.requests_made = 0
        self.visa_policy, self.visa_credit, self.visa_blocked = e.visa_policy, e.visa_credit, False
        self.visas_issued, self.visas_issued_day, self.visas_issued_that_day = 0, -1, 0
        self.visa_counted_from = (0, 0)
        self.cap: ev.StaffCapImposed | None = None
        self.rotation_limit: ev.RotationLimitImposed | None = None
        self.local_hire_ban = False
        self.local_limit = 0  # the locals it may keep while local_hire_ban stands (0: a ban)
        self.processing: dict[str, tuple[int, int]] = {}  # post ("": all) -> the host's (min, max) days
        self.closed_posts: frozenset[str] = frozenset()
        self.closed_by_host: frozenset[str] = frozenset()
        self.ambassador_present = True
        self.threats_received = 0
        self.compounds_closed: list[str] = []
        self.services_cut: list[str] = []
        self.observed: list[Observation] = []
        self.version = 0  # bumped whenever the orders or the closed posts change
        self._due: list[tuple[int, int]] = []  # (due day, request id) of undecided requests
        self._ready: set[int] = set()  # undecided requests whose due day has come

    @property
    def headcount(self) -> int:
        return len(self.staff)

    def counted(self, roles: Iterable[str]) -> int:
        """People present of ``roles``: a sum over the mission's few (post, role) counts, asked
        only under caps and expulsions (a per-role index cost every arrival and departure more).
        Those already replaced are present: a cap counts them until they leave."""
        present = sum(n for (_, role), n in self.counts.items() if role in roles)
        if self.leaving:
            present += sum(n for (_, role), n in self.leaving.items() if role in roles)
        return present

    def present_counts(self) -> dict[tuple[str, str], int]:
        """People present per (post, role), those already replaced included."""
        if not self.leaving:
            return self.counts
        present = dict(self.counts)
        for key, n in self.leaving.items():
            present[key] = present.get(key, 0) + n
        return present

    def requested_of(self, roles: Iterable[str]) -> int:
        """Open visa requests of ``roles`` (asked only under a cap)."""
        return sum(n for (_, role), n in self.requested.items() if role in roles)

    def visas_issued_before(self, day: int) -> int:
        """Visas issued to this mission before ``day``: the side-neutral basis of one-for-one."""
        if self.visas_issued_day == day:
            return self.visas_issued - self.visas_issued_that_day
        return self.visas_issued

    def ready_requests(self, today: int) -> set[int]:
        """Undecided visa requests due on or before ``today`` (the caller sorts them, oldest
        first, only when it decides some: a one-for-one host often has nothing to match)."""
        due, ready, requests, pop = self._due, self._ready, self.requests, heapq.heappop
        while due and due[0][0] <= today:
            _, rid = pop(due)
            request = requests.get(rid)
            if request is not None and request.arrives is None:
                ready.add(rid)
        return ready
