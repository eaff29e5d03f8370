"""The scenario as plain data for the two hand-written baselines (``simpy_model``, ``heapq_model``).

Why a separate step: the baselines must not touch pydantic while they run, so the validated
:class:`~sim.scenario.models.Scenario` is read once, up front, into frozen dataclasses of ints, strings
and tuples. It is also where the baselines say what they do not model: the acts neither bench
scenario uses (lifts, reopenings), the policies other than ``none``, ``scripted`` and
``tit_for_tat``, the timing wrapper and false alarms raise ``NotImplementedError`` here instead
of running something else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.core.acts import DEFAULT_ROLES
from sim.core.events import ROLES
from sim.scenario.models import Scenario

#: Acts that take effect on a deadline (the rest take effect when announced).
ORDERS = frozenset({"expel", "cap", "rotation_limit", "close_post", "close_own_post", "local_hire_ban"})
#: Acts that concern the actor's own mission (the rest concern the target's).
OWN = frozenset({"close_own_post", "recall_ambassador", "return_ambassador", "cut_services", "statement"})
SUPPORTED = ORDERS | OWN | {"visa_policy", "threaten", "close_compound"}
POLICIES = ("none", "scripted", "tit_for_tat")


@dataclass(frozen=True, slots=True)
class Act:
    """An act placed in time: ``deadline`` is a day; ``roles`` are resolved (never ``None``)."""

    day: int
    actor: str
    target: str
    kind: str
    size: int = 1
    deadline: int = 0
    roles: tuple[str, ...] = ()
    rule: str = "longest_serving"
    replaceable: bool = False
    post: str | None = None
    visa_policy: str | None = None
    credit: int = 0


@dataclass(frozen=True, slots=True)
class Side:
    """One side's mission abroad, the host's visa terms for it, and how the side answers acts."""

    name: str
    host: str
    posts: tuple[str, ...]
    staff: dict[tuple[str, str], int]  # (post, role) -> people there on day 0
    targets: dict[tuple[str, str], int]
    tours: dict[str, tuple[int, int]]
    travel: int
    processing: tuple[int, int]  # the host's days to decide this side's visa requests
    visa_policy: str
    credit: int
    reacts: bool
    delay: int
    deadline_days: int
    rule: str
    miss: float


@dataclass(frozen=True, slots=True)
class Plain:
    seed: int
    horizon: int
    sides: tuple[Side, Side]
    acts: tuple[Act, ...]  # in the engine's order: by day, documented acts first


def plain(scenario: Scenario) -> Plain:
    """The scenario as plain data; ``NotImplementedError`` for what the baselines do not model."""
    sides = (_side(scenario, 0), _side(scenario, 1))
    slot = {sides[0].name: 0, sides[1].name: 1}
    keyed: list[tuple[tuple[int, int, int], Act]] = []
    if scenario.prelude_log is not None:
        for index, doc in enumerate(scenario.prelude_log.acts):
            act = _act(scenario.day_of(doc.date), doc.actor, doc.target, doc.spec())
            keyed.append(((act.day, -1, index), act))
    other = {sides[0].name: sides[1].name, sides[1].name: sides[0].name}
    dated = [(scenario.day_of(a.date), a.actor, a.spec()) for a in scenario.acts]
    for config in scenario.sides:
        scheduled = config.build_policy().scheduled(scenario.start)
        dated += [(item.day, config.name, item.spec) for item in scheduled]
    for index, (day, actor, spec) in enumerate(dated):
        act = _act(day, actor, other[actor], spec)
        keyed.append(((day, slot[actor], index), act))
    keyed.sort(key=lambda item: item[0])
    return Plain(scenario.seed, scenario.horizon, sides, tuple(act for _, act in keyed))


def _side(scenario: Scenario, index: int) -> Side:
    config, host = scenario.sides[index], scenario.sides[1 - index]
    policy, mission = config.policy, config.mission
    if policy.kind not in POLICIES:
        raise NotImplementedError(f"the bench models know the policies {POLICIES}, not {policy.kind!r}")
    if config.timing.delay_days is not None or config.timing.deadline_days is not None:
        raise NotImplementedError("the bench models do not model the timing wrapper")
    if config.noise.false_alarm:
        raise NotImplementedError("the bench models do not model false alarms")
    by_post = {post: mission.target(post).by_role() for post in mission.posts}
    return Side(
        name=config.name,
        host=host.name,
        posts=tuple(mission.posts),
        staff={(p, r): n for p, s in mission.posts.items() for r, n in s.by_role().items()},
        targets={(p, r): n for p, roles in by_post.items() for r, n in roles.items()},
        tours={role: tuple(days) for role, days in mission.tour_days.items()},  # type: ignore[misc]
        travel=mission.travel_days,
        processing=tuple(host.visas.processing_days),  # type: ignore[arg-type]
        visa_policy=host.visas.policy,
        credit=host.visas.credit,
        reacts=policy.kind == "tit_for_tat",
        delay=getattr(policy, "delay_days", 1),
        deadline_days=getattr(policy, "deadline_days", 0),
        rule=getattr(policy, "rule", "longest_serving"),
        miss=config.noise.miss,
    )


def _act(day: int, actor: str, target: str, spec: Any) -> Act:
    if spec.kind not in SUPPORTED:
        raise NotImplementedError(f"the bench models do not model {spec.kind!r} acts")
    roles = spec.roles if spec.roles is not None else DEFAULT_ROLES.get(spec.kind, ROLES)
    return Act(
        day, actor, target, spec.kind, spec.size, day + spec.deadline_days, tuple(roles), spec.rule,
        spec.replaceable, spec.post, spec.visa_policy, spec.credit,
    )  # fmt: skip
