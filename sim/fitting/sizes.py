"""Size models: the answers' size ``y`` (people) against the acts' size ``s``, over the groups
that have such a pair. Each is a whole centre and a discrete Laplace error renormalised over
``y >= 1`` (parameter ``theta``: the chance of one more person off falls by ``theta``), except
the log-ratio model:

- **mirror**: centre ``s``;
- **offset**: centre ``s + offset`` (a whole number from -30 to 30);
- **linear ratio** (``proportional``): centre ``round(factor * s)``;
- **escalate**: centre ``round(multiply * s) + add`` (``multiply >= 1``, ``add >= 0``);
- **log ratio** (``mirror_ratio``): ``log y - log s - log(factor)`` Laplace with scale ``b``,
  read at whole ``y`` (``P(y) = F(log(y + 1/2)) - F(log(y - 1/2))``).

Factors and multipliers are profiled over a grid (1/20ths from 1 to 3 for ``multiply``, 0 to 20
for ``add``, steps of 2^(1/24) from 1/8 to 8 for ``factor``), fine enough that the grid is not
what limits the interval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import optimize, stats

from sim.fitting.likelihood import PartFit, best_theta, dl_positive_loglik, grid_interval
from sim.fitting.observations import Group

FACTORS = tuple(float(2 ** (k / 24)) for k in range(-72, 73))
MULTIPLIERS = tuple(1 + k / 20 for k in range(0, 41))
ADDS = tuple(range(0, 21))
OFFSETS = tuple(range(-30, 31))


def _pairs(groups: Sequence[Group]) -> tuple[np.ndarray, np.ndarray]:
    sized = [g for g in groups if g.size_in is not None]
    return (
        np.array([g.size_in for g in sized], dtype=float),
        np.array([g.size_out for g in sized], dtype=float),
    )


def _centred(s: np.ndarray, y: np.ndarray, centre: Callable[[np.ndarray], np.ndarray]) -> tuple[float, float]:
    c = centre(s)
    return best_theta(lambda t: dl_positive_loglik(y, c, t))


def mirror_part(groups: Sequence[Group]) -> PartFit:
    s, y = _pairs(groups)
    theta, ll = _centred(s, y, lambda x: x)
    return PartFit({"size_theta": theta}, {}, ll, 1, lambda size: size)


def _grid_part(
    groups: Sequence[Group],
    names: tuple[str, ...],
    grid: list[tuple[float, ...]],
    centre: Callable[[np.ndarray, tuple[float, ...]], np.ndarray],
) -> PartFit:
    """The grid point maximising the likelihood (``theta`` maximised at each) and each
    parameter's interval from its profile over the grid."""
    s, y = _pairs(groups)
    fits = [_centred(s, y, lambda x, v=v: centre(x, v)) for v in grid]
    best = max(range(len(grid)), key=lambda i: (round(fits[i][1], 9), -sum(abs(x - 1) for x in grid[i])))
    point = grid[best]
    params = dict(zip(names, (float(v) for v in point), strict=True))
    params["size_theta"] = fits[best][0]
    intervals = {}
    for index, name in enumerate(names):
        values = sorted({v[index] for v in grid})
        profile = [max(f[1] for v, f in zip(grid, fits, strict=True) if v[index] == x) for x in values]
        intervals[name] = grid_interval(values, profile, continuous=name in ("factor", "multiply"))

    def predict(size: int) -> int:
        return max(1, int(centre(np.array([float(size)]), point)[0]))

    return PartFit(params, intervals, fits[best][1], len(names) + 1, predict)


def offset_part(groups: Sequence[Group]) -> PartFit:
    return _grid_part(groups, ("offset",), [(k,) for k in OFFSETS], lambda x, v: x + v[0])


def linear_ratio_part(groups: Sequence[Group]) -> PartFit:
    return _grid_part(groups, ("factor",), [(f,) for f in FACTORS], lambda x, v: np.rint(x * v[0]))


def escalate_part(groups: Sequence[Group]) -> PartFit:
    grid = [(m, a) for m in MULTIPLIERS for a in ADDS]
    return _grid_part(groups, ("multiply", "add"), grid, lambda x, v: np.rint(x * v[0]) + v[1])


def _log_ratio_ll(s: np.ndarray, y: np.ndarray, factor: float, scale: float) -> float:
    centre = np.log(s * factor)
    upper = stats.laplace.cdf(np.log(y + 0.5), centre, scale)
    lower = stats.laplace.cdf(np.log(y - 0.5), centre, scale)
    return float(np.sum(np.log(np.maximum(upper - lower, 1e-300))))


def log_ratio_part(groups: Sequence[Group]) -> PartFit:
    """``factor`` on its grid, the Laplace scale ``b`` maximised at each."""
    s, y = _pairs(groups)
    fits = []
    for factor in FACTORS:
        found = optimize.minimize_scalar(
            lambda z, f=factor: -_log_ratio_ll(s, y, f, np.exp(z)), bounds=(-9.0, 3.0), method="bounded"
        )
        fits.append((float(np.exp(found.x)), float(-found.fun)))
    best = max(range(len(FACTORS)), key=lambda i: (round(fits[i][1], 9), -abs(np.log(FACTORS[i]))))
    factor = FACTORS[best]
    params = {"factor": factor, "b": fits[best][0]}
    intervals = {"factor": grid_interval(FACTORS, [f[1] for f in fits], continuous=True)}
    return PartFit(params, intervals, fits[best][1], 2, lambda size: max(1, round(size * factor)))
