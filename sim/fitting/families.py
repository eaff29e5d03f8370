"""The reactive families ``sim fit`` knows: each is an observation model (which acts it
answers, whom, with what delay and size) and the registered policy its estimates become.

Every family models the same observations (each act answered or not, whom an answered
follower's act was answered against, each group's delay, each sized group's size), so their
log-likelihoods, AIC and BIC compare.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.fitting import delays, parts, sizes
from sim.fitting.likelihood import PartFit
from sim.fitting.observations import Data


@dataclass(frozen=True)
class Family:
    """``answered``, ``whom``, ``delay`` and ``size`` fit the four parts; ``block`` turns
    the estimates into the registered policy's parameters."""

    name: str
    kind: str
    about: str
    answered: Callable[[Data], PartFit]
    to_leader: bool
    delay: Callable[[Data], PartFit]
    size: Callable[[Data], PartFit]
    block: Callable[[dict[str, float]], dict[str, Any]]


def _all(data: Data) -> PartFit:
    return parts.answered_part(data.acts, parts.answers_all)


def _leaders(data: Data) -> PartFit:
    return parts.answered_part(data.acts, parts.answers_leaders)


def _threshold(data: Data) -> PartFit:
    return parts.threshold_part(data.acts)


def _lognormal(data: Data) -> PartFit:
    return delays.lognormal_part(data.groups, data.window)


def _batch(data: Data) -> PartFit:
    return delays.batch_part(data.groups)


def _delay(p: dict[str, float]) -> int:
    """A policy's ``delay_days`` (at least 1: a policy cannot answer on the act's own day)."""
    return max(1, int(p.get("median_days", p.get("delay_days", 7))))


def _mirror_offset_block(p: dict[str, float]) -> dict[str, Any]:
    # escalate adds whole people; no policy subtracts, so a negative offset becomes tit for tat
    if p["offset"] <= 0:
        return {"kind": "tit_for_tat", "delay_days": _delay(p)}
    return {"kind": "escalate", "add": int(p["offset"]), "multiply": 1.0, "delay_days": _delay(p)}


def _factor_block(p: dict[str, float]) -> dict[str, Any]:
    return {
        "kind": "proportional",
        "scale": "factor",
        "factor": round(p["factor"], 4),
        "delay_days": _delay(p),
    }


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family(
            "tit_for_tat",
            "tit_for_tat",
            "exact mirror, lognormal delay",
            _all,
            False,
            _lognormal,
            lambda d: sizes.mirror_part(d.groups),
            lambda p: {"kind": "tit_for_tat", "delay_days": _delay(p)},
        ),
        Family(
            "mirror_offset",
            "escalate",
            "mirror + a whole offset, discrete Laplace error",
            _all,
            False,
            _lognormal,
            lambda d: sizes.offset_part(d.groups),
            _mirror_offset_block,
        ),
        Family(
            "mirror_ratio",
            "proportional",
            "mirror x factor, Laplace error of the log ratio",
            _all,
            False,
            _lognormal,
            lambda d: sizes.log_ratio_part(d.groups),
            _factor_block,
        ),
        Family(
            "proportional",
            "proportional",
            "round(factor x size), discrete Laplace error",
            _all,
            False,
            _lognormal,
            lambda d: sizes.linear_ratio_part(d.groups),
            _factor_block,
        ),
        Family(
            "escalate",
            "escalate",
            "round(multiply x size) + add, discrete Laplace error",
            _all,
            False,
            _lognormal,
            lambda d: sizes.escalate_part(d.groups),
            lambda p: {
                "kind": "escalate",
                "add": int(p["add"]),
                "multiply": p["multiply"],
                "delay_days": _delay(p),
            },
        ),
        Family(
            "threshold",
            "threshold",
            "mirror of expulsions of min_size or more",
            _threshold,
            False,
            _lognormal,
            lambda d: sizes.mirror_part(d.groups),
            lambda p: {"kind": "threshold", "min_size": int(p["min_size"]), "delay_days": _delay(p)},
        ),
        Family(
            "batch_tit_for_tat",
            "batch_tit_for_tat",
            "mirror on decision days",
            _all,
            False,
            _batch,
            lambda d: sizes.mirror_part(d.groups),
            lambda p: {
                "kind": "batch_tit_for_tat",
                "delay_days": int(p["delay_days"]),
                "every_days": int(p["every_days"]),
                "offset_days": int(p["offset_days"]),
            },
        ),
        Family(
            "answer_leader_only",
            "answer_leader_only",
            "mirror of leaders' acts only",
            _leaders,
            False,
            _lognormal,
            lambda d: sizes.mirror_part(d.groups),
            lambda p: {"kind": "answer_leader_only", "delay_days": _delay(p)},
        ),
        Family(
            "hold_leader",
            "hold_leader",
            "mirror, followers' acts against the leader",
            _all,
            True,
            _lognormal,
            lambda d: sizes.mirror_part(d.groups),
            lambda p: {"kind": "hold_leader", "answer": "mirror", "delay_days": _delay(p)},
        ),
    )
}
