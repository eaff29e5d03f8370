"""Pieces the policy families share: their timing parameters, what counts as hostile, and the
answers they build from an observation (repeat, scale, lift everything).

Everything here is a pure function of an observation and a ``SideView``: policies stay free of
memory of their own, which is what lets them be cloned, pickled and restarted in a fork.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import Field, Strict

from sim.core.acts import ActSpec
from sim.core.dated_acts import MAX_SIZE, Int, Rule
from sim.core.kinds import CONCILIATORY_KINDS, HOSTILE_KINDS, LIFTED_BY, PEOPLE_KINDS  # noqa: F401
from sim.core.state import Observation
from sim.policies.base import Policy, PolicyParams, SideView

#: A real number that YAML must spell as one (``true`` and ``"0.3"`` are refused).
Float = Annotated[float, Strict()]


class ReactiveParams(PolicyParams):
    """Timing shared by every policy that answers: when, with what deadline, whom it expels."""

    delay_days: Int = Field(7, ge=1, le=3650, description="days from the other's act to the answer")
    deadline_days: Int = Field(30, ge=0, le=3650, description="deadline the answer sets")
    rule: Rule = Field("longest_serving", description="who the answer's expulsions pick")


RP = TypeVar("RP", bound=ReactiveParams)


class Reactive(Policy[RP]):
    """Base of the answering policies: ``reaction_days`` is the ``delay_days`` parameter."""

    Params: ClassVar[type[Any]] = ReactiveParams

    @property
    def reaction_days(self) -> int:
        return self.params.delay_days


def hostile(seen: Observation) -> bool:
    """Whether an observation is a hostile act that was actually perceived."""
    return not seen.missed and seen.kind in HOSTILE_KINDS


def perceived(history: Sequence[Observation]) -> Iterator[Observation]:
    """The observations a side perceived (missed ones left out), newest first.

    Iterating from the newest end keeps memory-1 and memory-2 policies O(1) per decision
    even over a history of a hundred thousand rounds.
    """
    for index in range(len(history) - 1, -1, -1):
        seen = history[index]
        if not seen.missed:
            yield seen


def encroaches(history: Sequence[Observation]) -> bool:
    """Whether the newest observation, a hostile act, does new harm: an expulsion, a threat, a
    closure always does; a measure that stands until lifted does unless the same or a harsher
    one of its kind already stands (a cap no lower, a rotation limit no shorter, a visa freeze
    no milder, a ban or a recall again), by the perceived history. This is how a side tells
    a fresh encroachment from the echo of an exchange: a re-imposed cap changes nothing."""
    seen = history[-1]
    lift = LIFTED_BY.get(seen.kind)
    if lift is None or lift == "reopen_post":
        return hostile(seen)
    earlier = perceived(history)
    next(earlier)
    for before in earlier:
        if before.kind == lift:
            return True  # lifted since: imposing it again is new
        if LIFTED_BY.get(before.kind) == lift:
            if seen.kind in ("cap", "rotation_limit"):
                return seen.size < before.size
            return seen.kind == "visa_deny" and before.kind == "visa_one_for_one"
    return True


def clamp(size: float) -> int:
    """A size rounded half up and kept within what a scenario may hold (no 2**100 spirals)."""
    return max(0, min(MAX_SIZE, math.floor(size + 0.5)))


def with_size(spec: ActSpec, size: int) -> ActSpec:
    """``spec`` with another size (an ``ActSpec`` is frozen)."""
    return dataclasses.replace(spec, size=size)


def expel(size: int, deadline_days: int, rule: str) -> ActSpec:
    """An expulsion of ``size`` (at least 1: an expulsion of nobody is not an act)."""
    return ActSpec(kind="expel", size=max(1, clamp(size)), deadline_days=deadline_days, rule=rule)


def lift_all(view: SideView) -> list[ActSpec]:
    """Every reversal open to this side: lift its cap, limit and ban on the other's mission,
    issue visas again, reopen the posts it closed, send its ambassador back.

    Pending orders are cancelled by the lift of their kind too (see ``sim.core.state``); a pending
    post closure has no post in the view, so it is the one measure this cannot undo.
    """
    lifts: list[ActSpec] = []
    measures = view.my_measures
    for measure, kind in (
        ("cap", "lift_cap"),
        ("rotation_limit", "lift_rotation_limit"),
        ("local_hire_ban", "lift_local_hire_ban"),
    ):
        if measure in measures:
            lifts.append(ActSpec(kind=kind))
    if "visa_policy" in measures:
        lifts.append(ActSpec(kind="visa_policy", visa_policy="issue"))
    lifts.extend(ActSpec(kind="reopen_post", post=post) for post in view.their_closed_posts)
    if not view.my_ambassador_present:
        lifts.append(ActSpec(kind="return_ambassador"))
    return lifts
