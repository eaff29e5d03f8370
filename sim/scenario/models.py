"""Scenario files: YAML in, a validated :class:`Scenario` out, or errors that name the place.

A scenario fixes everything a run depends on: dates, seed, the sides (two or more states:
each one's policy, timing, noise and visa terms), their missions in each other's capitals
(with two sides written inside each side, with more listed as ``(sender, host)`` pairs) and
an optional documented prelude. ``scenario_sha256`` hashes the validated content (not the file's
formatting), so two files that say the same thing have the same hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    model_validator,
)

from sim.core.acts import OWN_POST_KINDS
from sim.core.dated_acts import Date, Name, Seed, SideAct, posts_problem
from sim.core.kinds import KINDS
from sim.core.state import pair_label
from sim.infra.errors import InputError, Problem, field_error
from sim.infra.later_fields import HASHING, WithLaterFields
from sim.infra.yaml_io import Positions, dotted
from sim.policies import (
    registry,
)
from sim.policies.plugins import is_file_kind, origin, parse_file_kind
from sim.scenario.documented import MAX_STATES, SeedsLog
from sim.scenario.documented import field_names as seeds_field_names
from sim.scenario.missions import (  # noqa: F401  (re-exported: the scenario's parts in one place)
    MAX_HORIZON_DAYS,
    MAX_MISSION_STAFF,
    MAX_MISSIONS,
    MAX_POSTS,
    DayRange,
    MissionConfig,
    MissionEntry,
    Staffing,
    VisaConfig,
    _check_range,
)
from sim.scenario.sides import Noise, SideConfig, Timing, config_model  # noqa: F401  (re-exported)

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2200, 12, 31)
#: Events one run may record: ~350 bytes each in memory, so ~9 GB at the limit.
MAX_EVENTS = 25_000_000
EVENT_BYTES = 350


class ForkConfig(WithLaterFields):
    """Continue another run from a date: everything before ``at`` is that run, event for event."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    LATER = frozenset({"drop_by"})

    source: str = Field(
        alias="from", description="the scenario (or documented log) to fork, relative to this file"
    )
    at: Date = Field(description="the first day that may differ")
    drop: tuple[str, ...] = Field(
        default=(), description="ids of documented acts on or after `at` that do not happen in this fork"
    )
    drop_by: tuple[Name, ...] = Field(
        default=(),
        description="sides whose documented acts on or after `at` do not happen (their policies answer)",
    )


def _side_count(value: Any) -> Any:
    """Say plainly how many sides a scenario may have (pydantic would count "items")."""
    if isinstance(value, (list, tuple)) and not 2 <= len(value) <= MAX_STATES:
        raise ValueError(f"a scenario has 2 to {MAX_STATES} sides; this one lists {len(value)}")
    return value


class Scenario(WithLaterFields):
    """Everything one run depends on."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    LATER = frozenset({"missions"})

    name: str = Field("scenario", min_length=1, max_length=100)
    description: str = ""
    start: Date
    end: Date
    seed: Seed = 0
    prelude: str | None = Field(None, description="a documented log (seeds/*.yaml), relative to this file")
    sides: Annotated[tuple[SideConfig, ...], BeforeValidator(_side_count)]
    missions: tuple[MissionEntry, ...] | None = Field(
        None,
        max_length=MAX_MISSIONS,
        description="with more than two sides: each mission, a sender's in a host's capital",
    )
    acts: tuple[SideAct, ...] = Field(
        default=(), max_length=10_000, description="exogenous shocks: acts that happen whatever the policies"
    )

    fork: ForkConfig | None = Field(None, description="continue another scenario's run from a date")

    _prelude_log: SeedsLog | None = PrivateAttr(default=None)
    _fork_base: Scenario | None = PrivateAttr(default=None)
    _pair_cache: tuple[Any, Any, dict[tuple[str, str], Any]] | None = PrivateAttr(default=None)

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
        for index, side in enumerate(self.sides):
            if any(other.name == side.name for other in self.sides[:index]):
                raise field_error(
                    f"sides[{index}].name", f"{side.name!r} is listed twice: sides need different names"
                )
        self._check_missions()
        self._check_size()
        for me, side in enumerate(self.sides):
            for index, act in enumerate(getattr(side.policy, "acts", ())):
                where = f"sides[{me}].policy.acts[{index}]"
                if not self.start <= act.date <= self.end:
                    raise field_error(f"{where}.date", f"{act.date} is outside {self.start}..{self.end}")
                target = self._target_of(side.name, getattr(act, "target", None), f"{where}.target")
                self._check_act(act.kind, act.post, side.name, target, where)
        for index, act in enumerate(self.acts):
            where = f"acts[{index}]"
            if act.actor not in self._names():
                raise field_error(f"{where}.actor", f"{act.actor!r} is not one of {sorted(self._names())}")
            if not self.start <= act.date <= self.end:
                raise field_error(f"{where}.date", f"{act.date} is outside {self.start}..{self.end}")
            target = self._target_of(act.actor, act.target, f"{where}.target")
            self._check_act(act.kind, act.post, act.actor, target, where)
        return self

    def _names(self) -> list[str]:
        return [side.name for side in self.sides]

    def _check_missions(self) -> None:
        """Two sides write their missions inside the sides; more list them under ``missions``,
        each pair once, between listed sides, and each with its counterpart (a mission's host
        keeps a mission in the sender's capital: answers and one-for-one visas need both)."""
        if self.missions is None:
            if len(self.sides) > 2:
                message = f"with {len(self.sides)} sides, list the missions (sender, host) under missions:"
                raise field_error("sides", message)
            for index, side in enumerate(self.sides):
                if side.mission is None:
                    raise field_error(f"sides[{index}].mission", "needs a mission (or list missions:)")
            return
        for index, side in enumerate(self.sides):
            if side.mission is not None:
                raise field_error(
                    f"sides[{index}].mission", "list the missions under missions:, not in a side"
                )
        names, pairs = self._names(), set()
        for index, entry in enumerate(self.missions):
            for field in ("sender", "host"):
                if getattr(entry, field) not in names:
                    raise field_error(
                        f"missions[{index}].{field}", f"{getattr(entry, field)!r} is not one of the sides"
                    )
            if entry.sender == entry.host:
                raise field_error(f"missions[{index}].host", "a side keeps no mission in its own capital")
            if (entry.sender, entry.host) in pairs:
                raise field_error(
                    f"missions[{index}]", f"lists {entry.sender}'s mission in {entry.host} twice"
                )
            pairs.add((entry.sender, entry.host))
        for index, entry in enumerate(self.missions):
            if (entry.host, entry.sender) not in pairs:
                message = f"{entry.host} has no mission in {entry.sender}'s capital: list its counterpart too"
                raise field_error(f"missions[{index}]", message)

    def _target_of(self, actor: str, target: str | None, where: str) -> str:
        """Whom an act of ``actor`` is against: ``target``, or with two sides the other one."""
        if target is None:
            if len(self.sides) > 2:
                raise field_error(where, "with more than two sides, say whom the act is against (target:)")
            return self.counterpart(actor)
        if target not in self._names() or target == actor:
            raise field_error(where, f"{target!r} is not one of the other sides")
        if (actor, target) not in self._mission_index():
            raise field_error(where, f"{actor} and {target} keep no missions with each other")
        return target

    def _check_size(self) -> None:
        """Refuse, before anything runs, a run whose log cannot fit in memory."""
        days = (self.end - self.start).days
        pairs = self.mission_pairs()
        events = [self.mission_config(*pair).expected_events(days) for pair in pairs]
        if sum(events) > MAX_EVENTS:
            largest = events.index(max(events))
            gigabytes = sum(events) * EVENT_BYTES / 1e9
            field = (
                f"sides[{self._names().index(pairs[largest][0])}].mission.posts"
                if self.missions is None
                else f"missions[{largest}].posts"
            )
            raise field_error(
                field,
                f"this run would record about {sum(events):,} events (~{gigabytes:.0f} GB of memory);"
                f" the limit is {MAX_EVENTS:,}: shorten the run or make the missions smaller",
            )

    @model_validator(mode="after")
    def _check_scoped_posts(self) -> Scenario:
        """The posts an expulsion or a rotation limit names are the target mission's (its
        mission in the actor's capital)."""
        for me, side in enumerate(self.sides):
            for index, act in enumerate(getattr(side.policy, "acts", ())):
                target = self._target_of(
                    side.name, getattr(act, "target", None), f"sides[{me}].policy.acts[{index}].target"
                )
                wrong = posts_problem(act, list(self.mission_config(target, side.name).posts))
                if wrong:
                    raise field_error(f"sides[{me}].policy.acts[{index}].posts", wrong)
        for index, act in enumerate(self.acts):
            target = self._target_of(act.actor, act.target, f"acts[{index}].target")
            wrong = posts_problem(act, list(self.mission_config(target, act.actor).posts))
            if wrong:
                raise field_error(f"acts[{index}].posts", wrong)
        return self

    @model_validator(mode="after")
    def _check_processing_posts(self) -> Scenario:
        """A host's time for some posts names posts of every mission its terms apply to."""
        for sender, host in self.mission_pairs():
            terms = self.visa_terms(host, sender)
            missing = sorted(
                set(terms.processing_days_by_post) - set(self.mission_config(sender, host).posts)
            )
            if missing:
                own = getattr(self.mission_config(sender, host), "visas", None) is not None
                where = self._terms_field(sender, host) if own else f"sides[{self._slot(host)}].visas"
                message = f"{sender}'s mission in {host} has no post {missing[0]!r}"
                raise field_error(f"{where}.processing_days_by_post", message)
        return self

    def _slot(self, name: str) -> int:
        return next(index for index, side in enumerate(self.sides) if side.name == name)

    def _terms_field(self, sender: str, host: str) -> str:
        """Where a mission's own visa terms are written (``missions[k].visas``)."""
        entries = self.missions or ()
        index = next(i for i, m in enumerate(entries) if (m.sender, m.host) == (sender, host))
        return f"missions[{index}].visas"

    def _check_act(self, kind: str, post: str | None, actor: str, target: str, where: str) -> None:
        """The act's post exists in the mission it names (the target's, or the actor's own)."""
        if post is None:
            return
        owner, host = (actor, target) if kind in OWN_POST_KINDS else (target, actor)
        if post not in self.mission_config(owner, host).posts:
            raise field_error(f"{where}.post", f"{owner}'s mission in {host} has no post {post!r}")

    def concerned_mission(self, kind: str, actor: str, target: str) -> tuple[str, str]:
        """``(sender, host)`` of the mission an act of ``kind`` binds: the target's in the
        actor's capital for a host's measure, the actor's own for its own posts and envoy."""
        own = KINDS[kind].event.MISSION_OF == "actor"
        return (actor, target) if own else (target, actor)

    # --- derived ---------------------------------------------------------------------

    # A private attribute read as ``self._name`` goes through pydantic's ``__getattr__``,
    # which asks the attribute's descriptor for ``__get__`` and builds an AttributeError
    # (~10 us); a sweep's engine asks these a dozen times a run, so they read the dict.

    @property
    def prelude_log(self) -> SeedsLog | None:
        return self.__pydantic_private__["_prelude_log"]  # type: ignore[index]

    @property
    def fork_base(self) -> Scenario | None:
        """The scenario this one forks (``None`` for a scenario that starts from scratch)."""
        return self.__pydantic_private__["_fork_base"]  # type: ignore[index]

    @property
    def fork_day(self) -> int | None:
        return self.day_of(self.fork.at) if self.fork is not None else None

    def with_fork_base(self, base: Scenario) -> Scenario:
        copy = self.model_copy()
        copy._prelude_log = self._prelude_log
        copy._fork_base = base
        return copy

    def with_prelude(self, log: SeedsLog | None) -> Scenario:
        """This scenario with its documented log attached (after checking they fit: its sides
        are the scenario's, each act in the run's dates, between sides that keep missions with
        each other, naming posts that exist)."""
        if log is not None:
            names = self._names()
            if not set(log.sides) <= set(names) or (len(names) == 2 and set(log.sides) != set(names)):
                raise ValueError(f"the prelude's sides {list(log.sides)} are not {names}")
            missions = self._mission_index()
            for index, act in enumerate(log.acts):
                where = f"prelude act {act.id or index}"
                if not self.start <= act.date <= self.end:
                    raise ValueError(f"{where}: date {act.date} is outside {self.start}..{self.end}")
                if (act.actor, act.target) not in missions:
                    raise ValueError(
                        f"{where}: {act.actor} and {act.target} keep no missions with each other"
                    )
                try:
                    self._check_act(act.kind, act.post, act.actor, act.target, where)
                except ValueError as exc:
                    raise ValueError(str(exc).removeprefix("@")) from None
                wrong = posts_problem(act, list(self.mission_config(act.target, act.actor).posts))
                if wrong:
                    raise ValueError(f"{where}: posts: {wrong}")
        copy = self.model_copy()
        copy._prelude_log = log
        copy._fork_base = self._fork_base
        return copy

    def day_of(self, date: dt.date) -> int:
        return (date - self.start).days

    def mission_pairs(self) -> tuple[tuple[str, str], ...]:
        """``(sender, host)`` of every mission: with two sides each side's mission in the
        other's capital, in the order the sides are listed; with more, the missions list's
        order (the engine knows missions only by these pairs)."""
        if self.missions is None:
            first, second = self.sides[0].name, self.sides[1].name
            return ((first, second), (second, first))
        return tuple((entry.sender, entry.host) for entry in self.missions)

    def _mission_index(self) -> dict[tuple[str, str], MissionConfig]:
        """Missions by ``(sender, host)``, built once per (sides, missions): the cache keeps the
        objects it was built from, so a copy with other sides or missions builds its own."""
        cached = self.__pydantic_private__["_pair_cache"]  # type: ignore[index]
        if cached is not None and cached[0] is self.sides and cached[1] is self.missions:
            return cached[2]
        if self.missions is None:
            first, second = self.sides
            index = {(first.name, second.name): first.mission, (second.name, first.name): second.mission}
        else:
            index = {(entry.sender, entry.host): entry for entry in self.missions}
        self._pair_cache = (self.sides, self.missions, index)
        return index

    def mission_config(self, sender: str, host: str) -> MissionConfig:
        """``sender``'s mission in ``host``'s capital (``KeyError`` if there is none)."""
        return self._mission_index()[(sender, host)]

    def visa_terms(self, host: str, sender: str) -> VisaConfig:
        """How ``host`` answers ``sender``'s visa requests: the mission's own terms if it has
        them, else the host's."""
        mission = self.mission_config(sender, host)
        own = getattr(mission, "visas", None)
        return own if own is not None else self.side(host).visas

    def mission_labels(self) -> list[str]:
        """Each mission's name in tables and charts: its sender with two sides (as always),
        ``SENDER>HOST`` with more (``>`` is in no side's name, so a label splits back)."""
        if len(self.sides) == 2:
            return [sender for sender, _ in self.mission_pairs()]
        return [pair_label(sender, host) for sender, host in self.mission_pairs()]

    def side(self, name: str) -> SideConfig:
        return next(side for side in self.sides if side.name == name)

    def counterpart(self, name: str) -> str:
        """Whom a scripted act of side ``name`` is directed at: with two sides, the other one."""
        if len(self.sides) != 2:
            raise ValueError("with more than two sides an act names its target")
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
        scenario = self.model_dump(mode="json", context=HASHING)
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
            "prelude": self._prelude_log.model_dump(mode="json", context=HASHING)
            if self._prelude_log
            else None,
            "fork_base": self._fork_base.sha256() if self._fork_base else None,
        }
        if sources:  # absent for built-in policies, so their hashes stay what they were
            content["policy_sources"] = sources
        text = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def field_names() -> set[str]:
    """Every field name a scenario may contain (for "did you mean" hints)."""
    names = set(Scenario.model_fields) | set(SideConfig.model_fields)
    names |= set(MissionEntry.model_fields) | set(VisaConfig.model_fields) | set(Staffing.model_fields)
    names |= set(SideAct.model_fields) | set(Timing.model_fields) | set(Noise.model_fields)
    for cls in registry().values():
        names |= set(cls.Params.model_fields) | {"kind"}
    names |= {"from", "at", "drop", "drop_by"}
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
