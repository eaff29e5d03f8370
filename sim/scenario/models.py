"""Scenario files: YAML in, a validated :class:`Scenario` out, or errors that name the place.

A scenario fixes everything a run depends on: dates, seed, the two sides (each side's
mission abroad, how it treats the other's visa requests, its policy) and an optional
documented prelude. ``scenario_sha256`` hashes the validated content (not the file's
formatting), so two files that say the same thing have the same hash.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    SerializationInfo,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    create_model,
    field_validator,
    model_validator,
)

from sim.core.acts import OWN_POST_KINDS
from sim.core.dated_acts import MAX_SIZE, Date, Int, Name, Role, Seed, SideAct, VisaPolicy, posts_problem
from sim.core.events import ROLES
from sim.infra.errors import InputError, Problem, field_error
from sim.infra.yaml_io import Positions, dotted
from sim.policies import (
    BUILTIN_KINDS,
    REGISTRY,
    PluginError,
    Policy,
    PolicyParams,
    UnknownPolicy,
    policy_class,
    registry,
)
from sim.policies.plugins import absolute_file_kind, is_file_kind, origin, parse_file_kind
from sim.scenario.documented import SeedsLog
from sim.scenario.documented import field_names as seeds_field_names

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2200, 12, 31)
MAX_HORIZON_DAYS = 36_525  # a century
#: Posts in one mission: the largest real ones have a few dozen (embassy, consulates, offices).
MAX_POSTS = 200
#: People in one mission, counting every post (the largest missions in history held a few
#: thousand; 100,000 runs, slowly, and fits in memory).
MAX_MISSION_STAFF = 100_000
#: Events one run may record: ~350 bytes each in memory, so ~9 GB at the limit.
MAX_EVENTS = 25_000_000
EVENT_BYTES = 350

def _as_range(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    return value


#: Days as one number or ``[min, max]`` (a number n means [n, n]).
DayRange = Annotated[
    tuple[Int, Int],
    BeforeValidator(_as_range),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer"},
                {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "integer"}], "minItems": 2,
                 "maxItems": 2},
            ]
        }
    ),
]


def _check_range(value: tuple[int, int], low: int = 0) -> tuple[int, int]:
    if value[0] < low or value[1] > MAX_HORIZON_DAYS:
        raise ValueError(f"days must lie between {low} and {MAX_HORIZON_DAYS}")
    if value[0] > value[1]:
        raise ValueError(f"range [{value[0]}, {value[1]}] runs backwards")
    return value


class Staffing(BaseModel):
    """Headcount by role at one post."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    diplomat: Int = Field(0, ge=0, le=MAX_SIZE)
    admin_technical: Int = Field(0, ge=0, le=MAX_SIZE)
    local: Int = Field(0, ge=0, le=MAX_SIZE)

    def by_role(self) -> dict[str, int]:
        return {role: getattr(self, role) for role in ROLES}


_DEFAULT_TOURS = {"diplomat": (730, 1095), "admin_technical": (730, 1095), "local": (1825, 3650)}


class MissionConfig(BaseModel):
    """A side's mission in the other's capital: posts, staff, targets and tours."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    posts: dict[Name, Staffing] = Field(
        description="staff present on the start date, per post", max_length=MAX_POSTS
    )
    targets: dict[Name, Staffing] | None = Field(
        None, description="wanted staffing per post (default: the starting staff)", max_length=MAX_POSTS
    )
    tour_days: dict[Role, DayRange] = Field(
        default_factory=lambda: dict(_DEFAULT_TOURS),
        description="tour length per role, a number or [min, max] drawn uniformly",
    )
    travel_days: Int = Field(14, ge=0, le=365, description="from visa to arrival")

    @field_validator("tour_days")
    @classmethod
    def _tours(cls, value: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        for role in value:
            try:
                _check_range(value[role], low=1)
            except ValueError as exc:
                raise field_error(role, str(exc)) from None
        return {**_DEFAULT_TOURS, **value}

    @model_validator(mode="after")
    def _posts(self) -> MissionConfig:
        if "embassy" not in self.posts:
            raise field_error("posts", "posts must include 'embassy'")
        if self.targets is not None:
            unknown = set(self.targets) - set(self.posts)
            if unknown:
                raise field_error("targets", f"targets name posts that do not exist: {sorted(unknown)}")
        for field in ("posts", "targets"):
            total = sum(sum(staff.by_role().values()) for staff in (getattr(self, field) or {}).values())
            if total > MAX_MISSION_STAFF:
                message = f"{total:,} people in one mission; the limit is {MAX_MISSION_STAFF:,}"
                raise field_error(field, message)
        return self

    def expected_events(self, days: int) -> int:
        """About how many events this mission records over ``days``: each person's arrival and
        departure, and a replacement (request, visa, arrival, departure) per tour that ends."""
        total = 0.0
        for role in ROLES:
            people = max(sum(getattr(self.target(post), role) for post in self.posts), 0)
            low, high = self.tour_days[role]
            total += people * (2 + 4 * days / max((low + high) / 2, 1))
        return int(total)

    def target(self, post: str) -> Staffing:
        if self.targets is not None and post in self.targets:
            return self.targets[post]
        return self.posts[post]


class VisaConfig(BaseModel):
    """How this side answers the other side's visa requests."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    policy: VisaPolicy = "issue"
    credit: Int = Field(0, ge=0, le=MAX_SIZE, description="one_for_one: visas granted in advance")
    processing_days: DayRange = Field((30, 60), description="days to decide, [min, max]")

    @field_validator("processing_days")
    @classmethod
    def _processing(cls, value: tuple[int, int]) -> tuple[int, int]:
        return _check_range(value)


@cache
def config_model(cls: type[Policy], kind: str) -> type[PolicyParams]:
    """``cls``'s parameters plus ``kind: Literal[kind]``: what a scenario's ``policy:`` holds.
    The model knows its policy class (``policy_class``), so building the policy needs no
    second lookup (and a ``file:`` policy no second import)."""
    model = create_model(
        f"{cls.__name__}Config",
        __base__=cls.Params,
        __doc__=(cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else None,
        kind=(Literal[kind], ...),
    )
    model.policy_class = cls  # type: ignore[attr-defined]
    return model


def _plugin_policies(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    """Policies the tagged union of built-in ones cannot know in advance.

    Installed plugins are looked up when a scenario names one (they load on first use);
    ``file:`` kinds are loaded here, the path relative to the scenario's folder (passed as the
    ``base_dir`` context), and stored with an absolute path, so the validated scenario means
    the same from any directory. A plugin that failed to load says why.
    """
    kind = value.get("kind") if isinstance(value, dict) else None
    if not isinstance(kind, str) or kind in BUILTIN_KINDS:
        return handler(value)
    base = (info.context or {}).get("base_dir")
    try:
        cls = policy_class(kind, base)
    except UnknownPolicy:
        known = ", ".join(repr(name) for name in registry())
        guess = difflib.get_close_matches(kind, list(registry()), n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        raise field_error("kind", f"unknown kind {kind!r} (known: {known}){hint}") from None
    except PluginError as exc:
        raise field_error("kind", str(exc)) from None
    if is_file_kind(kind):
        kind = absolute_file_kind(kind, base)
    return config_model(cls, kind).model_validate({**value, "kind": kind})


@cache
def policy_config_type() -> Any:
    """A tagged union of every registered policy's parameters, keyed by ``kind``, that also
    takes ``file:PATH.py:Class`` kinds."""
    members = [config_model(cls, name) for name, cls in REGISTRY.items() if name in BUILTIN_KINDS]
    return Annotated[
        Union[tuple(members)],  # noqa: UP007
        Field(discriminator="kind"),
        WrapValidator(_plugin_policies),
        PlainSerializer(_dump_policy),
    ]


def _dump_policy(value: BaseModel, info: SerializationInfo) -> dict[str, Any]:
    """Each policy's parameters dumped by its own model (the union above does not list the
    models of ``file:`` policies, so its serializer would guess)."""
    return value.model_dump(
        mode=info.mode,
        by_alias=bool(info.by_alias),
        exclude_none=info.exclude_none,
        exclude_defaults=info.exclude_defaults,
        exclude_unset=info.exclude_unset,
    )


class Timing(BaseModel):
    """When this side answers, whatever its policy: overrides the policy's own timing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    delay_days: DayRange | None = Field(
        None, description="days from the other's act to the answer: a number or [min, max] (>= 1)"
    )
    deadline_days: Int | None = Field(None, ge=0, le=3650, description="deadline the answers set")

    @field_validator("delay_days")
    @classmethod
    def _delay(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        return None if value is None else _check_range(value, low=1)


class Noise(BaseModel):
    """Misperception: draws come from the run's keyed randomness, never from the policy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    miss: float = Field(0.0, ge=0.0, le=1.0, description="chance an act of the other side goes unnoticed")
    false_alarm: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="chance one's own diplomat leaving at tour end is taken for an expulsion",
    )


class SideConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    mission: MissionConfig = Field(description="this side's mission in the other's capital")
    visas: VisaConfig = Field(default_factory=VisaConfig)
    policy: policy_config_type() = Field(  # type: ignore[valid-type]
        default_factory=lambda: {"kind": "none"}, validate_default=True
    )
    timing: Timing = Field(default_factory=Timing)
    noise: Noise = Field(default_factory=Noise)

    def build_policy(self) -> Policy:
        cls: type[Policy] = type(self.policy).policy_class
        return cls(cls.Params(**self.policy.model_dump(exclude={"kind"})))


class ForkConfig(BaseModel):
    """Continue another run from a date: everything before ``at`` is that run, event for event."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: str = Field(
        alias="from", description="the scenario (or documented log) to fork, relative to this file"
    )
    at: Date = Field(description="the first day that may differ")
    drop: tuple[str, ...] = Field(
        default=(), description="ids of documented acts on or after `at` that do not happen in this fork"
    )


def _two_sides(value: Any) -> Any:
    """Say plainly that a scenario has two sides (pydantic would say "at most 2 items")."""
    if isinstance(value, (list, tuple)) and len(value) != 2:
        raise ValueError(
            "a scenario has exactly two sides for now (more than two states are planned);"
            f" this one lists {len(value)}"
        )
    return value


class Scenario(BaseModel):
    """Everything one run depends on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field("scenario", min_length=1, max_length=100)
    description: str = ""
    start: Date
    end: Date
    seed: Seed = 0
    prelude: str | None = Field(None, description="a documented log (seeds/*.yaml), relative to this file")
    sides: Annotated[tuple[SideConfig, SideConfig], BeforeValidator(_two_sides)]
    acts: tuple[SideAct, ...] = Field(
        default=(), max_length=10_000, description="exogenous shocks: acts that happen whatever the policies"
    )

    fork: ForkConfig | None = Field(None, description="continue another scenario's run from a date")

    _prelude_log: SeedsLog | None = PrivateAttr(default=None)
    _fork_base: Scenario | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        for field in ("start", "end"):
            day = getattr(self, field)
            if not EARLIEST <= day <= LATEST:
                raise field_error(field, f"{day} lies outside {EARLIEST}..{LATEST}")
        if self.end <= self.start:
            raise field_error("end", f"end {self.end} is not after start {self.start}")
        if (self.end - self.start).days > MAX_HORIZON_DAYS:
            raise field_error("end", f"the run spans more than {MAX_HORIZON_DAYS} days")
        if self.sides[0].name == self.sides[1].name:
            raise field_error("sides[1].name", "the two sides need different names")
        self._check_size()
        for me, other in ((0, 1), (1, 0)):
            side = self.sides[me]
            for index, act in enumerate(getattr(side.policy, "acts", ())):
                where = f"sides[{me}].policy.acts[{index}]"
                if not self.start <= act.date <= self.end:
                    raise field_error(f"{where}.date", f"{act.date} is outside {self.start}..{self.end}")
                self._check_post(act.kind, act.post, self.sides[me], self.sides[other], where)
        by_name = {side.name: side for side in self.sides}
        for index, act in enumerate(self.acts):
            where = f"acts[{index}]"
            if act.actor not in by_name:
                raise field_error(f"{where}.actor", f"{act.actor!r} is not one of {sorted(by_name)}")
            if not self.start <= act.date <= self.end:
                raise field_error(f"{where}.date", f"{act.date} is outside {self.start}..{self.end}")
            target = next(side for side in self.sides if side.name != act.actor)
            self._check_post(act.kind, act.post, by_name[act.actor], target, where)
        return self

    def _check_size(self) -> None:
        """Refuse, before anything runs, a run whose log cannot fit in memory."""
        days = (self.end - self.start).days
        events = [side.mission.expected_events(days) for side in self.sides]
        if sum(events) > MAX_EVENTS:
            largest = events.index(max(events))
            gigabytes = sum(events) * EVENT_BYTES / 1e9
            raise field_error(
                f"sides[{largest}].mission.posts",
                f"this run would record about {sum(events):,} events (~{gigabytes:.0f} GB of memory);"
                f" the limit is {MAX_EVENTS:,}: shorten the run or make the missions smaller",
            )

    @model_validator(mode="after")
    def _check_scoped_posts(self) -> Scenario:
        """The posts an expulsion or a rotation limit names are the target mission's."""
        for me in (0, 1):
            for index, act in enumerate(getattr(self.sides[me].policy, "acts", ())):
                wrong = posts_problem(act, list(self.sides[1 - me].mission.posts))
                if wrong:
                    raise field_error(f"sides[{me}].policy.acts[{index}].posts", wrong)
        for index, act in enumerate(self.acts):
            target = next((side for side in self.sides if side.name != act.actor), None)
            wrong = posts_problem(act, list(target.mission.posts)) if target is not None else None
            if wrong:
                raise field_error(f"acts[{index}].posts", wrong)
        return self

    @staticmethod
    def _check_post(kind: str, post: str | None, actor: SideConfig, target: SideConfig, where: str) -> None:
        if post is None:
            return
        owner = actor if kind in OWN_POST_KINDS else target
        if post not in owner.mission.posts:
            raise field_error(f"{where}.post", f"{owner.name}'s mission has no post {post!r}")

    # --- derived ---------------------------------------------------------------------

    @property
    def prelude_log(self) -> SeedsLog | None:
        return self._prelude_log

    @property
    def fork_base(self) -> Scenario | None:
        """The scenario this one forks (``None`` for a scenario that starts from scratch)."""
        return self._fork_base

    @property
    def fork_day(self) -> int | None:
        return self.day_of(self.fork.at) if self.fork is not None else None

    def with_fork_base(self, base: Scenario) -> Scenario:
        copy = self.model_copy()
        copy._prelude_log = self._prelude_log
        copy._fork_base = base
        return copy

    def with_prelude(self, log: SeedsLog | None) -> Scenario:
        """This scenario with its documented log attached (after checking they fit)."""
        if log is not None:
            names = {side.name for side in self.sides}
            if set(log.sides) != names:
                raise ValueError(f"the prelude's sides {list(log.sides)} are not {sorted(names)}")
            by_name = {side.name: side for side in self.sides}
            for index, act in enumerate(log.acts):
                where = f"prelude act {act.id or index}"
                if not self.start <= act.date <= self.end:
                    raise ValueError(f"{where}: date {act.date} is outside {self.start}..{self.end}")
                try:
                    self._check_post(act.kind, act.post, by_name[act.actor], by_name[act.target], where)
                except ValueError as exc:
                    raise ValueError(str(exc).removeprefix("@")) from None
                wrong = posts_problem(act, list(by_name[act.target].mission.posts))
                if wrong:
                    raise ValueError(f"{where}: posts: {wrong}")
        copy = self.model_copy()
        copy._prelude_log = log
        copy._fork_base = self._fork_base
        return copy

    def day_of(self, date: dt.date) -> int:
        return (date - self.start).days

    def mission_pairs(self) -> tuple[tuple[str, str], ...]:
        """``(sender, host)`` of every mission, in the order the sides are listed: each side's
        mission in the other's capital (the engine knows missions only by these pairs)."""
        first, second = self.sides[0].name, self.sides[1].name
        return ((first, second), (second, first))

    def counterpart(self, name: str) -> str:
        """Whom a scripted act of side ``name`` is directed at: with two sides, the other one."""
        first, second = self.sides[0].name, self.sides[1].name
        return second if name == first else first

    def date_of(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=day)

    @property
    def horizon(self) -> int:
        """The last simulated day (the end date, inclusive)."""
        return self.day_of(self.end)

    def sha256(self) -> str:
        """The hash of what the run depends on. A plugin policy counts by the content of its
        source file, not by where the file lies: moving a checkout keeps the hash, editing the
        policy changes it."""
        scenario = self.model_dump(mode="json")
        sources = {}
        for index, side in enumerate(self.sides):
            where = origin(type(side.policy).policy_class)
            if where.source_sha256 is not None:
                sources[side.name] = where.source_sha256
                if is_file_kind(side.policy.kind):
                    path, cls = parse_file_kind(side.policy.kind)
                    scenario["sides"][index]["policy"]["kind"] = f"file:{Path(path).name}:{cls}"
        content = {
            "scenario": scenario,
            "prelude": self._prelude_log.model_dump(mode="json") if self._prelude_log else None,
            "fork_base": self._fork_base.sha256() if self._fork_base else None,
        }
        if sources:  # absent for built-in policies, so their hashes stay what they were
            content["policy_sources"] = sources
        text = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def field_names() -> set[str]:
    """Every field name a scenario may contain (for "did you mean" hints)."""
    names = set(Scenario.model_fields) | set(SideConfig.model_fields)
    names |= set(MissionConfig.model_fields) | set(VisaConfig.model_fields) | set(Staffing.model_fields)
    names |= set(SideAct.model_fields) | set(Timing.model_fields) | set(Noise.model_fields)
    for cls in registry().values():
        names |= set(cls.Params.model_fields) | {"kind"}
    names |= {"from", "at", "drop"}
    return names | seeds_field_names()


def path_context(path: Path) -> dict[str, Any]:
    """The validation context of a scenario read from ``path``: ``file:`` policy kinds in it
    are relative to its folder."""
    return {"base_dir": path.parent.resolve()}








def placed(path: Path, positions: Positions, key: tuple[Any, ...], message: str) -> InputError:
    """An :class:`InputError` at ``key``'s position in ``path``."""
    return _at(path, positions, key, message)


def _at(path: Path, positions: Positions, key: tuple[Any, ...], message: str) -> InputError:
    line, column = positions.get(key, (1, 1))
    return InputError([Problem(str(path), line, column, dotted(key), message)])
