"""What every part of a fit shares: the discrete Laplace error, profile intervals, and the
result of fitting one part (its estimates, intervals, log-likelihood and free parameters).

Intervals are profile likelihood intervals at 95 %: the values whose profile log-likelihood
is within ``chi2(1).ppf(0.95) / 2`` of the best (nuisance parameters of the same part
maximised again at each value). The parts' parameters are disjoint and their likelihoods
multiply, so profiling within a part is profiling the whole fit. A parameter on a grid (whole
numbers, decision-day rhythms) has as interval the least and greatest grid values inside.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, stats

#: Half the 95 % quantile of chi-squared with one degree of freedom.
DROP = float(stats.chi2.ppf(0.95, 1) / 2)
#: Bounds that keep probabilities and scales away from 0 and 1 (a log of 0 is no estimate).
TINY = 1e-6


@dataclass
class PartFit:
    """One part's fit: ``params`` the estimates, ``intervals`` their 95 % profile intervals."""

    params: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    loglik: float
    k: int
    predict: Callable[..., object] = field(repr=False, default=lambda *a: None)


def dl_logpmf(error: np.ndarray, theta: float) -> np.ndarray:
    """Discrete Laplace (two-sided geometric): P(e) = (1 - t) / (1 + t) t^|e|."""
    return np.log((1 - theta) / (1 + theta)) + np.abs(error) * np.log(theta)


def dl_theta(mean_abs: float) -> float:
    """The discrete Laplace parameter whose mean |e| is ``mean_abs`` (its MLE)."""
    if mean_abs <= 0:
        return TINY
    return float(np.clip((np.sqrt(1 + mean_abs**2) - 1) / mean_abs, TINY, 1 - TINY))


def dl_positive_loglik(y: np.ndarray, centre: np.ndarray, theta: float) -> float:
    """Log-likelihood of sizes ``y >= 1`` around whole ``centre``, the discrete Laplace
    renormalised over 1, 2, ... (a size of 0 is no act)."""
    above = np.where(
        centre >= 1,
        1 - theta ** np.maximum(centre, 1) / (1 + theta),
        theta ** (1 - np.minimum(centre, 0)) / (1 + theta),
    )
    return float(np.sum(dl_logpmf(y - centre, theta) - np.log(above)))


def best_theta(loglik: Callable[[float], float]) -> tuple[float, float]:
    """The ``theta`` in (0, 1) maximising ``loglik`` and the maximum."""
    found = optimize.minimize_scalar(
        lambda z: -loglik(1 / (1 + np.exp(-z))), bounds=(-14.0, 14.0), method="bounded"
    )
    theta = float(1 / (1 + np.exp(-found.x)))
    return theta, float(-found.fun)


def grid_interval(
    values: Sequence[float], profile: Sequence[float], continuous: bool = False
) -> tuple[float, float]:
    """The least and greatest grid values whose profile is within :data:`DROP` of the best;
    for a ``continuous`` parameter read on a grid, out to the grid values next to those (the
    true value may lie between two grid points)."""
    best = max(profile)
    inside = [i for i, ll in enumerate(profile) if ll >= best - DROP]
    low, high = min(inside), max(inside)
    if continuous:
        low, high = max(low - 1, 0), min(high + 1, len(values) - 1)
    return float(values[low]), float(values[high])


def root_interval(
    profile: Callable[[float], float], best: float, at: float, low: float, high: float
) -> tuple[float, float]:
    """The 95 % profile interval of a continuous parameter estimated at ``at`` in
    ``[low, high]``: where ``profile`` falls :data:`DROP` below ``best`` on either side (the
    bound itself if it never does)."""

    def gap(x: float) -> float:
        return profile(x) - (best - DROP)

    ends = []
    for bound in (low, high):
        if abs(bound - at) < 1e-12 or gap(bound) >= 0:
            ends.append(bound)
        else:
            ends.append(float(optimize.brentq(gap, min(at, bound), max(at, bound), xtol=1e-6)))
    return ends[0], ends[1]


def bernoulli(successes: int, trials: int) -> tuple[float, float, tuple[float, float]]:
    """A probability's MLE, its log-likelihood and its profile interval."""
    if trials == 0:
        return 0.5, 0.0, (0.0, 1.0)

    def ll(p: float) -> float:
        p = min(max(p, TINY), 1 - TINY)
        return successes * np.log(p) + (trials - successes) * np.log(1 - p)

    p_hat = successes / trials
    best = float(ll(p_hat))
    return p_hat, best, root_interval(ll, best, p_hat, 0.0, 1.0)
