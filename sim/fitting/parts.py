"""The parts of a family's likelihood, each with its own parameters:

- **answered or not**: an act the policy answers is answered with probability ``p``; one it
  ignores (a follower's act for ``answer_leader_only``, an expulsion under ``min_size`` for
  ``threshold``) with probability ``lapse``;
- **whom**: an answered follower's act is answered against the party the policy names (its
  actor, or the leader for ``hold_leader``) with probability ``1 - MISDIRECT``, a fixed
  assumption (a free chance would fit either way perfectly and tell the families apart not
  at all);
- **delay** (:mod:`sim.fitting.delays`) and **size** (:mod:`sim.fitting.sizes`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from sim.fitting.likelihood import PartFit, bernoulli, grid_interval
from sim.fitting.observations import Act

Rule = Callable[[Act], bool]
#: Kinds ``threshold`` weighs by size (sim/policies/threshold.py): expulsions and threats.
THRESHOLD_KINDS = ("expel", "threaten")


def answers_all(act: Act) -> bool:
    return True


def answers_leaders(act: Act) -> bool:
    return not act.follower


def answered_part(acts: Sequence[Act], rule: Rule) -> PartFit:
    """``p`` over the acts ``rule`` answers and ``lapse`` over the others (if any)."""
    answered = [a for a in acts if rule(a)]
    ignored = [a for a in acts if not rule(a)]
    p, ll, p_ci = bernoulli(sum(a.answered for a in answered), len(answered))
    params, intervals, k = {"p": p}, {"p": p_ci}, 1
    if ignored:
        lapse, ll_lapse, lapse_ci = bernoulli(sum(a.answered for a in ignored), len(ignored))
        params["lapse"], intervals["lapse"] = lapse, lapse_ci
        ll += ll_lapse
        k += 1
    lapse = params.get("lapse", 0.0)
    return PartFit(params, intervals, ll, k, lambda act: (p if rule(act) else lapse) >= 0.5)


def threshold_part(acts: Sequence[Act]) -> PartFit:
    """``answered_part`` for every ``min_size`` from 1 to one above the largest size seen,
    profiled over the grid (a whole number: its interval is the grid values inside)."""
    top = max([a.size for a in acts if a.kind in THRESHOLD_KINDS] + [1]) + 1
    grid = list(range(1, top + 1))
    fits = [answered_part(acts, _over(m)) for m in grid]
    best = max(range(len(grid)), key=lambda i: (fits[i].loglik, -grid[i]))
    fit = fits[best]
    fit.params["min_size"] = float(grid[best])
    fit.intervals["min_size"] = grid_interval(grid, [f.loglik for f in fits])
    fit.k += 1
    return fit


def _over(min_size: int) -> Rule:
    return lambda act: act.kind not in THRESHOLD_KINDS or act.size >= min_size


#: The chance that an answer goes to another party than the one the policy names.
MISDIRECT = 0.05


def whom_part(acts: Sequence[Act], to_leader: bool) -> PartFit:
    """Whom answered followers' acts were answered against, under the family's rule (no free
    parameter: ``MISDIRECT`` is fixed)."""
    seen = [a for a in acts if a.follower and a.answered]
    wrong = sum(a.to_leader != to_leader for a in seen)
    ll = wrong * math.log(MISDIRECT) + (len(seen) - wrong) * math.log(1 - MISDIRECT)
    return PartFit({}, {}, ll, 0)
