"""Documented logs (``seeds/*.yaml``): real acts with their citations, and reported figures.

A documented log is what happened, written down once and replayed by any scenario that
names it as its ``prelude``. Each act keeps its id, its source and the ids of the acts it
answered, which become the ``cause`` links of the events it produces.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.core.dated_acts import DocumentedAct, Name, Observation
from sim.infra.errors import InputError, field_error
from sim.infra.later_fields import WithLaterFields
from sim.infra.yaml_io import load_model, regular_file_problem

#: States in one scenario or log: the 2018 Salisbury wave had 30 (28 states, NATO, Russia).
MAX_STATES = 64


class Coalition(BaseModel):
    """A joint announcement: who led it, and what it was (its acts name it by its id)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    leader: Name = Field(description="the state that led it (default: the actor of its first act)")
    note: str = ""
    source: str | None = None


class SeedsLog(WithLaterFields):
    """A sourced list of acts between two or more sides, oldest first."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    LATER = frozenset({"coalitions"})

    title: str = Field(min_length=1)
    sides: tuple[Name, ...]
    description: str = ""
    coalitions: dict[Name, Coalition] = Field(default_factory=dict, max_length=10_000)
    acts: tuple[DocumentedAct, ...] = Field(default=(), max_length=10_000)
    observations: tuple[Observation, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> SeedsLog:
        if not 2 <= len(self.sides) <= MAX_STATES:  # here, so a bad name is reported first
            raise field_error(
                "sides", f"a documented log has 2 to {MAX_STATES} sides; this one lists {len(self.sides)}"
            )
        for index, name in enumerate(self.sides):
            if name in self.sides[:index]:
                raise field_error(f"sides[{index}]", f"{name!r} is listed twice: sides need different names")
        for name, coalition in self.coalitions.items():
            if coalition.leader not in self.sides:
                raise field_error(
                    f"coalitions.{name}.leader", f"{coalition.leader!r} is not one of {list(self.sides)}"
                )
        seen: dict[str, int] = {}
        for index, act in enumerate(self.acts):
            self._check_act(index, act, seen)
        for index, obs in enumerate(self.observations):
            self._check_observation(index, obs)
        return self

    def _check_act(self, index: int, act: DocumentedAct, seen: dict[str, int]) -> None:
        """One act against the sides, the date order and the ids before it (``seen`` holds
        the act ids and coalition ids so far: an act may answer either)."""
        for field in ("actor", "target"):
            who = getattr(act, field)
            if who not in self.sides:
                raise field_error(f"acts[{index}].{field}", f"{who!r} is not one of {list(self.sides)}")
        if act.actor == act.target:
            raise field_error(f"acts[{index}].target", "actor and target are the same side")
        if index and act.date < self.acts[index - 1].date:
            raise field_error(f"acts[{index}].date", f"{act.date} is out of date order")
        for answered in act.in_response_to:
            if answered not in seen:
                raise field_error(
                    f"acts[{index}].in_response_to",
                    f"{answered!r} is not the id of an earlier act or coalition",
                )
        if act.id is not None:
            if act.id in seen or act.id in self.coalitions:
                raise field_error(f"acts[{index}].id", f"repeats the id {act.id!r}")
            seen[act.id] = index
        if act.coalition is not None:
            seen.setdefault(act.coalition, index)

    def _check_observation(self, index: int, obs: Observation) -> None:
        if obs.mission not in self.sides:
            raise field_error(
                f"observations[{index}].mission", f"{obs.mission!r} is not one of {list(self.sides)}"
            )
        if obs.host is None and len(self.sides) > 2:
            raise field_error(
                f"observations[{index}].host", "with more than two sides, say the mission's host"
            )
        if obs.host is not None and (obs.host not in self.sides or obs.host == obs.mission):
            raise field_error(
                f"observations[{index}].host",
                f"{obs.host!r} is not one of the other sides {[s for s in self.sides if s != obs.mission]}",
            )

    def leader_of(self, coalition: str) -> str | None:
        """Who led ``coalition``: its entry's leader, else the actor of its first act."""
        if coalition in self.coalitions:
            return self.coalitions[coalition].leader
        return next((act.actor for act in self.acts if act.coalition == coalition), None)


def field_names() -> set[str]:
    """Every field a seeds log may contain (for "did you mean" hints)."""
    names = set(SeedsLog.model_fields) | set(DocumentedAct.model_fields) | set(Observation.model_fields)
    return names | set(Coalition.model_fields)


def is_documented_log(path: Path) -> bool:
    """Whether ``path`` reads as a documented log rather than a scenario: a mapping with a
    ``title`` and none of a scenario's ``start``, ``fork`` or ``name``."""
    from sim.infra.yaml_io import parse, read_text

    try:
        data, _ = parse(read_text(path), str(path))
    except InputError:
        return False
    return isinstance(data, dict) and "title" in data and not {"start", "fork", "name"} & data.keys()


def load_seeds(path: Path) -> SeedsLog:
    """Load and validate a documented log; errors name the log file itself.

    Parsed logs are cached by the file's content (a fork chain reads one log several times);
    a modification time would miss a rewrite within one timestamp tick.
    """
    return _load_cached(str(path), _content_digest(path))


def _content_digest(path: Path) -> str:
    """The file's SHA-256, read only once it is known to be a regular file within the size
    limit (a FIFO would block here, a 1.5 GB file would be read whole before refusal)."""
    if regular_file_problem(path):
        return ""  # the loader reports what is wrong without reading the file
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""  # the loader reports the missing or unreadable file


@lru_cache(maxsize=32)
def _load_cached(path: str, digest: str) -> SeedsLog:
    log, _, _ = load_model(Path(path), SeedsLog, field_names())
    return log


__all__ = ["InputError", "SeedsLog", "load_seeds"]
