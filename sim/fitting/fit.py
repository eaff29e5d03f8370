"""Fitting a family to a table, and the record of the fit.

A fit has no randomness: its parts are grid searches and deterministic optimisers started
from the data's moments, over observations in the table's order. So a fit is a function of
the table's digest alone (the record carries it), and the same logs give the same record on
any machine with the same scipy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sim.fitting import parts
from sim.fitting.families import FAMILIES, Family
from sim.fitting.likelihood import PartFit
from sim.fitting.observations import Act, Data, Group, observations
from sim.fitting.table import Table

#: The fewest answer groups with a size that a fit needs (fewer: no estimate worth printing).
MIN_ANSWERS = 3


class TooFewAnswers(ValueError):
    """The logs hold too few answers for a family's parameters."""


class UnknownFamily(ValueError):
    """A ``--policy`` that is not one of :data:`FAMILIES`."""


@dataclass
class FamilyFit:
    """One family fitted: its parts, their estimates and intervals, and how well it fits."""

    family: Family
    parts: dict[str, PartFit]
    n: int

    @property
    def params(self) -> dict[str, float]:
        return {k: v for part in self.parts.values() for k, v in part.params.items()}

    @property
    def intervals(self) -> dict[str, tuple[float, float]]:
        return {k: v for part in self.parts.values() for k, v in part.intervals.items()}

    @property
    def loglik(self) -> float:
        return sum(part.loglik for part in self.parts.values())

    @property
    def k(self) -> int:
        return sum(part.k for part in self.parts.values())

    @property
    def aic(self) -> float:
        return 2 * self.k - 2 * self.loglik

    @property
    def bic(self) -> float:
        return self.k * math.log(max(self.n, 1)) - 2 * self.loglik

    def policy(self) -> dict[str, Any]:
        """The policy block (``policy: {...}`` in a scenario), checked against the
        registered policy's parameters so that a scenario can use it as is."""
        from sim.policies import make_policy

        block = self.family.block(self.params)
        make_policy(block)  # raises if the block would not validate: a bug here, not bad input
        return block

    def answers(self, act: Act) -> bool:
        return bool(self.parts["answered"].predict(act))

    def delay(self, group: Group) -> int:
        return int(self.parts["delay"].predict(group))

    def size(self, group: Group) -> int | None:
        return None if group.size_in is None else int(self.parts["size"].predict(group.size_in))

    def record(self) -> dict[str, Any]:
        return {
            "family": self.family.name,
            "about": self.family.about,
            "params": {k: round(v, 6) for k, v in self.params.items()},
            "intervals_95": {k: [round(lo, 6), round(hi, 6)] for k, (lo, hi) in self.intervals.items()},
            "loglik": round(self.loglik, 6),
            "k": self.k,
            "n": self.n,
            "aic": round(self.aic, 6),
            "bic": round(self.bic, 6),
            "policy": self.policy(),
        }


def family(name: str) -> Family:
    if name not in FAMILIES:
        raise UnknownFamily(f"--policy: {name!r} is not a family sim fit knows ({', '.join(FAMILIES)})")
    return FAMILIES[name]


def fit_data(data: Data, chosen: Family) -> FamilyFit:
    """Fit ``chosen`` to ``data``; :class:`TooFewAnswers` if it has under :data:`MIN_ANSWERS`
    answers with a size."""
    if len(data.sized) < MIN_ANSWERS:
        raise TooFewAnswers(
            f"{chosen.name}: {len(data.sized)} answers with a size in these logs; "
            f"a fit needs at least {MIN_ANSWERS}"
        )
    fitted = {
        "answered": chosen.answered(data),
        "whom": parts.whom_part(data.acts, chosen.to_leader),
        "delay": chosen.delay(data),
        "size": chosen.size(data),
    }
    n = (
        len(data.acts)
        + len(data.groups)
        + len(data.sized)
        + sum(a.follower and a.answered for a in data.acts)
    )
    return FamilyFit(chosen, fitted, n)


def fit_table(table: Table, name: str) -> FamilyFit:
    return fit_data(observations(table), family(name))
