"""Forks: a scenario that continues another run from a date.

A fork file names its base (``fork: {from: ..., at: ...}``) and says only what differs from
the fork date on: each side's ``policy``, new ``acts`` (on or after the fork date), documented
acts to ``drop`` (also on or after it), and optionally ``name``, ``description``, ``end`` and
``seed``. Everything before the fork date is the base's run, event for event: the engine keeps
the base log's prefix and continues it (``sim.engine.loop.fork``).

The base may be a scenario (forks of forks are fine; a cycle is an error) or a documented log;
a fork of a documented log is a whole scenario whose history is that log replayed with both
policies ``none`` up to the fork date.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.core.dated_acts import Date, Name, Seed, SideAct
from sim.infra.errors import InputError, split_field
from sim.infra.yaml_io import Positions, dotted, parse, read_text, validate
from sim.scenario.documented import SeedsLog, load_seeds
from sim.scenario.models import ForkConfig, Scenario, field_names, path_context, placed
from sim.scenario.sides import policy_config_type


class SideChange(BaseModel):
    """What a fork may change about a side: its policy (terms change through acts)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    policy: policy_config_type()  # type: ignore[valid-type]


class ForkFile(BaseModel):
    """A fork of a scenario: the differences only."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(None, min_length=1, max_length=100)
    description: str = ""
    end: Date | None = None
    seed: Seed | None = None
    fork: ForkConfig
    sides: tuple[SideChange, ...] = Field(default=(), max_length=2)
    acts: tuple[SideAct, ...] = Field(default=(), max_length=10_000)


def load_fork(
    path: Path,
    data: dict[str, Any],
    positions: Positions,
    forking: tuple[Path, ...],
    load_base: Callable[[Path, tuple[Path, ...]], Scenario],
) -> Scenario:
    """The fork in ``path``; its base scenario is loaded with ``load_base`` (the scenario
    loader itself, passed in so that this module need not import the module that imports it)."""
    name = str(path)
    here = path.resolve()
    if here in forking:
        chain = " -> ".join(p.name for p in (*forking, here))
        raise placed(path, positions, ("fork", "from"), f"circular fork: {chain}")
    source_text = data.get("fork", {}).get("from") if isinstance(data.get("fork"), dict) else None
    source = path.parent / str(source_text) if source_text is not None else None
    if source is not None and source.is_dir():
        raise placed(path, positions, ("fork", "from"), f"fork source {source} is a directory, not a file")
    if source is not None and not source.is_file():
        raise placed(path, positions, ("fork", "from"), f"fork source {source} not found")
    if source is not None and _is_documented_log(source):
        return _fork_of_log(path, data, positions, source)
    fork_file = validate(ForkFile, data, positions, name, field_names(), context=path_context(path))
    base = load_base(path.parent / fork_file.fork.source, (*forking, here))
    return _fork_of_scenario(path, positions, fork_file, base)


def _is_documented_log(path: Path) -> bool:
    try:
        data, _ = parse(read_text(path), str(path))
    except InputError:
        return False  # reported when it is loaded as a scenario
    return isinstance(data, dict) and "sides" in data and "acts" in data and "title" in data


def _fork_of_scenario(path: Path, positions: Positions, change: ForkFile, base: Scenario) -> Scenario:
    by_name = {side.name: side for side in base.sides}
    for index, side in enumerate(change.sides):
        if side.name not in by_name:
            raise placed(
                path, positions, ("sides", index, "name"), f"{side.name!r} is not one of {sorted(by_name)}"
            )
        if any(other.name == side.name for other in change.sides[:index]):
            raise placed(path, positions, ("sides", index, "name"), f"side {side.name!r} is changed twice")
    policies = {side.name: side.policy for side in change.sides}
    sides = [
        side.model_copy(update={"policy": policies[side.name]}) if side.name in policies else side
        for side in base.sides
    ]
    update = {
        "name": change.name or path.stem,
        "description": change.description or base.description,
        "end": change.end or base.end,
        "seed": change.seed if change.seed is not None else base.seed,
        "sides": [s.model_dump(mode="json", by_alias=True) for s in sides],
        "acts": [a.model_dump(mode="json") for a in (*base.acts, *change.acts)],
        "fork": change.fork.model_dump(mode="json", by_alias=True),
    }
    merged = {**base.model_dump(mode="json", by_alias=True), **update}
    try:
        scenario = Scenario.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        extra, message = split_field(first["msg"].removeprefix("Value error, "))
        loc = [*first["loc"], *extra]
        if loc[:1] == ["acts"] and len(loc) > 1 and isinstance(loc[1], int):
            loc[1] -= len(base.acts)  # the merged acts are the base's, then the fork's
        if loc[:1] == ["sides"] and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(sides):
            changed = [side.name for side in change.sides]  # the fork lists sides by name
            name = sides[loc[1]].name
            loc[1:2] = [changed.index(name)] if name in changed else []
        key = tuple(loc)
        while key and key not in positions:
            key = key[:-1]
        if key:  # the fork file wrote the value at fault (its end, one of its acts)
            raise placed(path, positions, key, message) from None
        message = f"{dotted(loc)}: {message}" if loc else message
        raise placed(path, positions, ("fork",), f"the fork does not fit its base: {message}") from None
    return _attach(path, positions, scenario, base.prelude_log, base, change.acts)


def _fork_of_log(path: Path, data: dict[str, Any], positions: Positions, source: Path) -> Scenario:
    if "prelude" in data:
        raise placed(
            path, positions, ("prelude",), "a fork of a documented log takes its history from fork.from"
        )
    scenario = validate(Scenario, data, positions, str(path), field_names(), context=path_context(path))
    if "name" not in data:
        scenario = scenario.model_copy(update={"name": path.stem})
    log = load_seeds(source)
    quiet = [
        {**side.model_dump(mode="json", by_alias=True), "policy": {"kind": "none"}} for side in scenario.sides
    ]
    base = Scenario.model_validate(
        {
            **scenario.model_dump(mode="json", by_alias=True),
            "name": f"{source.stem} (documented)",
            "sides": quiet,
            "acts": [],
            "fork": None,
        }
    )
    try:
        base = base.with_prelude(log)
    except ValueError as exc:
        raise placed(path, positions, ("fork", "from"), str(exc)) from None
    return _attach(path, positions, scenario, log, base, scenario.acts)


def _attach(
    path: Path,
    positions: Positions,
    scenario: Scenario,
    log: SeedsLog | None,
    base: Scenario,
    new_acts: tuple[SideAct, ...],
) -> Scenario:
    """Check the fork's dates and drops, then attach the (pruned) documented log and the base."""
    fork = scenario.fork
    assert fork is not None
    if not base.start <= fork.at <= scenario.end:
        raise placed(path, positions, ("fork", "at"), f"{fork.at} is outside {base.start}..{scenario.end}")
    for index, act in enumerate(new_acts):
        if act.date < fork.at:
            raise placed(
                path,
                positions,
                ("acts", index, "date"),
                f"{act.date} is before the fork ({fork.at}): history is fixed",
            )
    documented = {act.id: act for act in (log.acts if log else ()) if act.id}
    for index, act_id in enumerate(fork.drop):
        if act_id not in documented:
            raise placed(path, positions, ("fork", "drop", index), f"no documented act has the id {act_id!r}")
        if documented[act_id].date < fork.at:
            raise placed(
                path,
                positions,
                ("fork", "drop", index),
                f"{act_id} ({documented[act_id].date}) is before the fork",
            )
    names = [side.name for side in base.sides]
    for index, side in enumerate(fork.drop_by):
        if side not in names:
            raise placed(path, positions, ("fork", "drop_by", index), f"{side!r} is not one of {names}")
    if log is not None and (fork.drop or fork.drop_by):
        kept = tuple(
            a
            for a in log.acts
            if a.id not in fork.drop and not (a.actor in fork.drop_by and a.date >= fork.at)
        )
        log = log.model_copy(update={"acts": kept})
    try:
        return scenario.with_prelude(log).with_fork_base(base)
    except ValueError as exc:
        raise placed(path, positions, ("fork",), str(exc)) from None
