"""Policies that break the contract in every way a user's code can, one class each; the
engine must stop each with one line naming the policy, the side, the day and the fault,
recording nothing invalid (tests/test_trust_plugins.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from sim.core.acts import ActSpec
from sim.core.state import Observation
from sim.policies import SideView
from sim.policies.base import ScheduledAct
from sim.policies.common import Reactive, ReactiveParams


class _Params(ReactiveParams):
    """Only the shared timing."""


class _Broken(Reactive):
    classifier: ClassVar[dict[str, Any]] = {"stochastic": False, "memory_depth": 1}
    Params = _Params


class Raises(_Broken):
    name = "raises"

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        raise ValueError("no idea what to do")


class ReturnsNone(_Broken):
    name = "returns_none"

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        return None  # type: ignore[return-value]


class ReturnsJunk(_Broken):
    name = "returns_junk"

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        return [1, "x"]  # type: ignore[list-item]


class BadVisa(_Broken):
    name = "bad_visa"

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        return [ActSpec(kind="visa_policy", visa_policy="maybe")]


class NegativeExpulsion(_Broken):
    name = "negative_expulsion"

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        return [ActSpec(kind="expel", size=-5, deadline_days=7)]


class NoSuchPost(_Broken):
    name = "no_such_post"

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        return [ActSpec(kind="close_post", post="atlantis", deadline_days=7)]


class Exits(_Broken):
    name = "exits"

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        sys.exit(7)


class Recurses(_Broken):
    name = "recurses"

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        return self.respond(history, view)


class Floods(_Broken):
    name = "floods"

    def respond(self, history: Sequence[Observation], view: SideView) -> Iterator[ActSpec]:  # type: ignore[override]
        return (ActSpec(kind="statement", note=str(n)) for n in range(200_000))


class ReactsAtOnce(_Broken):
    name = "reacts_at_once"

    @property
    def reaction_days(self) -> int:
        return 0


class ReactsBackwards(_Broken):
    name = "reacts_backwards"

    @property
    def reaction_days(self) -> int:
        return -3


class ReactsInHalfDays(_Broken):
    name = "reacts_in_half_days"

    @property
    def reaction_days(self) -> int:
        return 1.5  # type: ignore[return-value]


class ScheduleRaises(_Broken):
    name = "schedule_raises"

    def scheduled(self, start: Any) -> Sequence[ScheduledAct]:
        raise RuntimeError("boom in scheduled")


class ScheduleJunk(_Broken):
    name = "schedule_junk"

    def scheduled(self, start: Any) -> Sequence[ScheduledAct]:
        return [1, "x"]  # type: ignore[list-item]


class ScheduleBackwards(_Broken):
    name = "schedule_backwards"

    def scheduled(self, start: Any) -> Sequence[ScheduledAct]:
        return [ScheduledAct(day=-3, spec=ActSpec(kind="expel", size=2, deadline_days=7))]


class ScheduleNoSuchPost(_Broken):
    name = "schedule_no_such_post"

    def scheduled(self, start: Any) -> Sequence[ScheduledAct]:
        return [ScheduledAct(day=5, spec=ActSpec(kind="close_post", post="atlantis", deadline_days=7))]


class Talks(_Broken):
    """Prints while it decides: the output must not mix with the command's own."""

    name = "talks"

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        print("thinking about", history[-1].kind)
        return ()


class DiesInWorkers(_Broken):
    """Ends its process in a sweep's worker (as the out-of-memory killer would)."""

    name = "dies_in_workers"

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        import multiprocessing
        import os

        if multiprocessing.parent_process() is not None:
            os._exit(3)
        return ()
