"""A policy whose parameter check raises RuntimeError (pydantic passes anything but
ValueError and AssertionError through): loading it must still be one line."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import field_validator

from sim.policies.common import Reactive, ReactiveParams


class RaisingParams(ReactiveParams):
    x: int = 1

    @field_validator("x")
    @classmethod
    def _x(cls, value: int) -> int:
        raise RuntimeError("the check itself is broken")


class RaisingCheck(Reactive):
    name = "raising_check"
    classifier: ClassVar[dict[str, Any]] = {"stochastic": False, "memory_depth": 1}
    Params = RaisingParams
