"""What the engine reads of a scenario, compiled once: missions by ``(sender, host)`` with
plain numbers for the hot path (tours, travel, visa processing, keyed random streams), each
side's policy, timing and noise, and the acts fixed in advance.

The pydantic models are read here and nowhere else in the engine: a run asks "what is this
mission's tour range for diplomats" tens of thousands of times, and a tuple in a list answers
faster than a validated model's attribute chain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.core import events as ev
from sim.core.acts import ActSpec
from sim.core.randomness import Stream
from sim.engine.calendar import MAX_MISSIONS
from sim.policies import Policy
from sim.policies.guard import check_reaction_days, checked_delay, checked_schedule

if TYPE_CHECKING:
    from sim.core.working import WorkingMission
    from sim.scenario.documented import SeedsLog
    from sim.scenario.models import Scenario


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
    coalition: str | None = None


#: The documented acts as planned, by (documented log, start): the same for every run of a
#: sweep, whose seeds share the scenario's log (each act's ``spec()`` reads a pydantic model).
_DOCUMENTED: dict[tuple[int, object], tuple[SeedsLog, tuple[Planned, ...]]] = {}


def documented_acts(scenario: Scenario) -> tuple[Planned, ...]:
    """The acts of ``scenario``'s documented log, each on its day of the run."""
    log = scenario.prelude_log
    if log is None:
        return ()
    key = (id(log), scenario.start)
    cached = _DOCUMENTED.get(key)
    if cached is not None and cached[0] is log:  # the log itself, not one at a reused id
        return cached[1]
    planned = tuple(
        Planned(
            scenario.day_of(act.date),
            act.actor,
            act.target,
            act.spec(),
            "documented",
            act.id,
            act.source,
            act.in_response_to,
            act.coalition,
        )
        for act in log.acts
    )
    if len(_DOCUMENTED) >= 16:
        _DOCUMENTED.clear()
    _DOCUMENTED[key] = (log, planned)
    return planned


class Setup:
    """The engine's compiled scenario (a mixin of :class:`~sim.engine.loop.Engine`)."""

    m: list[WorkingMission]

    def _compile(self, scenario: Scenario) -> None:
        self.seed, self.horizon = scenario.seed, scenario.horizon
        self.names: tuple[str, ...] = tuple(side.name for side in scenario.sides)
        self.slot = {name: index for index, name in enumerate(self.names)}
        #: More than two sides: a sender may have several missions, so draws and answers name
        #: the host, and a policy's view carries every mission it sends or hosts.
        self.many_sides = len(self.names) > 2
        config = {side.name: side for side in scenario.sides}
        self.policies: dict[str, Policy] = {side.name: side.build_policy() for side in scenario.sides}
        for name, policy in self.policies.items():
            check_reaction_days(policy, name)
        self._policy_delay = {name: checked_delay(policy, name) for name, policy in self.policies.items()}
        self._compile_missions(scenario)
        self.delay_range = {name: config[name].timing.delay_days for name in self.names}
        self.answer_deadline = {name: config[name].timing.deadline_days for name in self.names}
        self.delay_draws = {name: Stream(self.seed, "delay", name) for name in self.names}
        self.miss_chance = {name: config[name].noise.miss for name in self.names}
        self.miss_draws = {name: Stream(self.seed, "miss", name) for name in self.names}
        self.false_alarm_chance = {name: config[name].noise.false_alarm for name in self.names}
        self.false_alarm_draws = Stream(self.seed, "false_alarm")
        #: Whether each mission's sender may take one of its departures for an expulsion (its
        #: policy observes and its noise has false alarms): else a departure draws nothing.
        self.watches_departures = [
            self.policies[sender].observes and self.false_alarm_chance[sender] > 0 for sender in self.senders
        ]
        log = scenario.prelude_log
        #: Coalition leaders the documented log names; any other coalition is led by the
        #: actor of its first act.
        self.declared_leaders = {name: c.leader for name, c in (log.coalitions if log else {}).items()}
        self.planned = self._planned_acts(scenario)
        self.m = []

    def _compile_missions(self, scenario: Scenario) -> None:
        """Each mission's plain numbers, by its index in ``mission_keys``: tours, travel,
        request leads, the host's processing times, and its keyed random streams."""
        self.mission_keys = scenario.mission_pairs()
        if len(self.mission_keys) > MAX_MISSIONS:
            raise ValueError(f"at most {MAX_MISSIONS} missions in one run")
        self.midx = {key: index for index, key in enumerate(self.mission_keys)}
        #: Each mission's counterpart: the host's own mission in the sender's capital.
        self.facing = [self.midx[(host, sender)] for sender, host in self.mission_keys]
        self.senders = [sender for sender, _ in self.mission_keys]
        self.hosts = [host for _, host in self.mission_keys]
        missions = [scenario.mission_config(*key) for key in self.mission_keys]
        self.tours = [dict(mission.tour_days) for mission in missions]
        self.travel = [mission.travel_days for mission in missions]
        #: Per role, how many days before a tour ends its replacement is asked for (empty:
        #: when the post falls vacant), and who is due to be replaced now, for the next review.
        self.leads = [dict(mission.request_lead_days) for mission in missions]
        self._due_ahead: list[set[int]] = [set() for _ in missions]
        self._ahead_of: dict[int, tuple[int, int]] = {}  # open request made ahead -> (mission, person)
        self.processing = [
            tuple(scenario.visa_terms(host, sender).processing_days) for sender, host in self.mission_keys
        ]
        #: A host's own time for some posts of a mission (empty for most missions).
        self.processing_by_post = [
            dict(scenario.visa_terms(host, sender).processing_days_by_post)
            for sender, host in self.mission_keys
        ]
        #: A mission's key in its random streams: the sender alone with two sides (so two-sided
        #: runs draw what they always drew), ``(sender, host)`` with more, since a sender then
        #: has several missions.
        self.draw_keys = [
            (sender, host) if self.many_sides else (sender,) for sender, host in self.mission_keys
        ]
        self.tour_draws = [Stream(self.seed, "tour", *key) for key in self.draw_keys]
        self.visa_draws = [Stream(self.seed, "visa", *key) for key in self.draw_keys]
        self.pick_draws = [Stream(self.seed, "pick", *key) for key in self.draw_keys]
        self.posts_of = {
            (sender, host): {
                "mine": tuple(mission.posts),
                "theirs": tuple(scenario.mission_config(host, sender).posts),
            }
            for (sender, host), mission in zip(self.mission_keys, missions, strict=True)
        }

    def _planned_acts(self, scenario: Scenario) -> list[Planned]:
        planned = list(documented_acts(scenario))
        for act in scenario.acts:
            target = act.target if act.target is not None else scenario.counterpart(act.actor)
            planned.append(
                Planned(
                    scenario.day_of(act.date),
                    act.actor,
                    target,
                    act.spec(),
                    "exogenous",
                    act.id,
                    act.source,
                    (),
                    act.coalition,
                )
            )
        for sender in self.names:
            plan = checked_schedule(self.policies[sender], sender, scenario.start, self._posts_for(sender))
            hosts = [host for one, host in self.mission_keys if one == sender]
            for it in plan:
                # With more than two sides, a planned act that names no target is taken
                # against every side the sender keeps a mission with (grit's unilateral steps).
                for host in [it.spec.target] if it.spec.target is not None else hosts:
                    planned.append(
                        Planned(it.day, sender, host, it.spec, "exogenous", it.act_id, it.reference, ())
                    )
        return planned

    def _posts_for(self, side: str) -> Callable[[str | None], dict[str, tuple[str, ...]] | None]:
        """The posts an act of ``side`` against a target may name (``None``: the other side
        of two), or ``None`` for a target ``side`` keeps no missions with."""

        def posts(target: str | None) -> dict[str, tuple[str, ...]] | None:
            if target is None and self.many_sides:
                return {"mine": (), "theirs": ()}  # an act against every side names no post
            if target is None:
                target = next(name for name in self.names if name != side)
            return self.posts_of.get((side, target))

        return posts

    def _open_missions(self) -> None:
        """Day 0: every mission opens with its targets, then its staff, who arrived uniformly
        within their tours before day 0."""
        scenario = self.scenario  # type: ignore[attr-defined]
        for midx, (sender, host) in enumerate(self.mission_keys):
            mission, terms = scenario.mission_config(sender, host), scenario.visa_terms(host, sender)
            targets = tuple(
                (post, role, n)
                for post in mission.posts
                for role, n in mission.target(post).by_role().items()
            )
            self.record(  # type: ignore[attr-defined]
                ev.MissionOpened(
                    seq=len(self.log),  # type: ignore[attr-defined]
                    day=self.calendar.today,  # type: ignore[attr-defined]
                    actor=sender,
                    target=host,
                    source="exogenous",
                    posts=tuple(mission.posts),
                    targets=targets,
                    visa_policy=terms.policy,
                    visa_credit=terms.credit,
                )
            )
            for post, staffing in mission.posts.items():
                for role, count in staffing.by_role().items():
                    self._open_staff(midx, post, role, count)
        self._bind_missions()

    def _open_staff(self, midx: int, post: str, role: str, count: int) -> None:
        """``count`` people of ``role`` at ``post`` present on day 0, each with a tour drawn as a
        hire's is and the part of it already served drawn in ``tenure`` (both keyed by the
        person's number in the mission, as ``integer_of`` would draw them).

        The hundreds of day-0 arrivals were a sixth of a short run's instructions: their draws
        come in one call a stream (``Stream.fractions_of``), not a call a draw."""
        sender, host = self.mission_keys[midx]
        log, today = self.log, self.calendar.today  # type: ignore[attr-defined]
        opened = self.world.missions[(sender, host)]  # type: ignore[attr-defined]
        record, fold = self._record_in, self._fold_arrived  # type: ignore[attr-defined]
        low, high = self.tours[midx][role]
        numbers = range(opened.arrivals, opened.arrivals + count)
        span = high - low + 1
        tours = (
            [low + int(f * span) for f in self.tour_draws[midx].fractions_of(numbers)]
            if low < high
            else [low] * count
        )
        tenure = Stream(self.seed, "tenure", *self.draw_keys[midx]).fractions_of(numbers)
        for tour, served_part in zip(tours, tenure, strict=True):
            served = int(served_part * tour) if tour > 1 else 0  # integer_of(0, tour - 1, number)
            record(
                opened,
                fold,
                ev.StaffArrived(
                    seq=len(log),
                    day=today,
                    actor=sender,
                    target=host,
                    source="exogenous",
                    role=role,
                    post=post,
                    arrived=-served,
                    tour_end=tour - served,
                ),
            )

    def _bind_missions(self) -> None:
        """The working missions by index, once they are open (fresh run or prefix)."""
        self.m = [self.world.missions[key] for key in self.mission_keys]  # type: ignore[attr-defined]
