"""Delay models: how many days after the acts their first answer came.

- **lognormal**: the delay ``d`` (whole days, 0 for a same-day answer) is a lognormal time
  rounded down, ``P(d) = F(d + 1) - F(d)``, renormalised over the window (an answer later than
  the window is no answer in the table). The policy block's ``delay_days`` is its median.
- **batch**: ``batch_tit_for_tat``'s decision days: the answer comes on the first day ``x``
  with ``(x - offset_days) % every_days == 0`` at least ``delay_days`` after the group's
  latest act (days counted from the episode's first act), give or take a discrete Laplace
  error. The three whole numbers are profiled over a grid.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import optimize, stats

from sim.fitting.likelihood import TINY, PartFit, dl_logpmf, dl_theta, grid_interval, root_interval
from sim.fitting.observations import Group


def _lognormal_ll(days: np.ndarray, window: int, mu: float, sigma: float) -> float:
    upper = stats.norm.cdf((np.log(days + 1.0) - mu) / sigma)
    with np.errstate(divide="ignore"):
        lower = stats.norm.cdf((np.log(days.astype(float)) - mu) / sigma)
    inside = stats.norm.cdf((np.log(window + 1.0) - mu) / sigma)
    return float(np.sum(np.log(np.maximum(upper - lower, 1e-300))) - len(days) * np.log(max(inside, 1e-300)))


def lognormal_part(groups: Sequence[Group], window: int) -> PartFit:
    """``mu`` and ``sigma`` of the log of the delay, by Nelder-Mead from the moments of
    ``log(d + 1)``, with profile intervals (the other parameter maximised again)."""
    days = np.array([g.delay for g in groups], dtype=int)
    logs = np.log(days + 1.0)
    start = [float(logs.mean()), float(np.log(max(logs.std(), 0.3)))]
    found = optimize.minimize(
        lambda v: -_lognormal_ll(days, window, v[0], np.exp(v[1])),
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 4000},
    )
    mu, sigma = float(found.x[0]), float(np.exp(found.x[1]))
    best = float(-found.fun)

    def profile_mu(m: float) -> float:
        inner = optimize.minimize_scalar(
            lambda s: -_lognormal_ll(days, window, m, np.exp(s)), bounds=(-6.0, 4.0), method="bounded"
        )
        return float(-inner.fun)

    def profile_sigma(s: float) -> float:
        inner = optimize.minimize_scalar(
            lambda m: -_lognormal_ll(days, window, m, s), bounds=(-5.0, 10.0), method="bounded"
        )
        return float(-inner.fun)

    intervals = {
        "mu": root_interval(profile_mu, best, mu, mu - 5.0, mu + 5.0),
        "sigma": root_interval(profile_sigma, best, sigma, max(sigma / 50, TINY), sigma * 50),
    }
    median = max(0, int(np.ceil(np.exp(mu))) - 1)
    return PartFit(
        {"mu": mu, "sigma": sigma, "median_days": float(median)}, intervals, best, 2, lambda group: median
    )


def batch_delay(day: np.ndarray, delay_days: int, every: int, offset: int) -> np.ndarray:
    """Days from each group's latest act to the decision day that answers it."""
    earliest = day + delay_days
    wait = (offset - earliest) % every
    return earliest + wait - day


def batch_part(groups: Sequence[Group], max_delay: int = 21, max_every: int = 14) -> PartFit:
    """The decision-day rhythm maximising the likelihood (the error's parameter in closed
    form at each), each whole number's interval from its profile over the grid."""
    day = np.array([g.day for g in groups], dtype=int)
    seen = np.array([g.delay for g in groups], dtype=int)
    table: dict[tuple[int, int, int], float] = {}
    for d in range(1, max_delay + 1):
        for e in range(1, max_every + 1):
            for o in range(e):
                error = seen - batch_delay(day, d, e, o)
                theta = dl_theta(float(np.mean(np.abs(error))))
                table[(d, e, o)] = float(np.sum(dl_logpmf(error, theta)))
    key = max(table, key=lambda k: (table[k], -k[1], -k[0], -k[2]))
    d, e, o = key
    error = seen - batch_delay(day, d, e, o)
    theta = dl_theta(float(np.mean(np.abs(error))))
    intervals = {}
    for index, name in enumerate(("delay_days", "every_days", "offset_days")):
        values = sorted({k[index] for k in table})
        profile = [max(v for k, v in table.items() if k[index] == x) for x in values]
        intervals[name] = grid_interval(values, profile)
    params = {"delay_days": float(d), "every_days": float(e), "offset_days": float(o), "delay_theta": theta}
    return PartFit(
        params, intervals, table[key], 4, lambda group: int(batch_delay(np.array([group.day]), d, e, o)[0])
    )
