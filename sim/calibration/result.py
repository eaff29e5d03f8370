"""What a calibration reports: the best values, how far they move when the seeds change, and
the score of the fitted figures and of the held-out ones at the best values.

The objective is ``sim score``'s MAPE over the fitted counts: each figure's error is the error
of the median over the seeds, so the calibration score is the MAPE ``sim score SCENARIO
--seeds N`` prints for the scenario with the best values (same seeds).

The spread over seeds is a bootstrap over the seeds: the N seeds are resampled with
replacement, every finished trial is scored again on the resample, and the best trial is
picked; each parameter's 10th, 50th and 90th percentiles over the resamples say how much of
the best value is the seeds' luck (trials tied for the best share a resample, so a flat
objective shows as a wide spread). Beside it, each seed alone: the best trial on that seed's
run, its score and how many trials tie with it. Both reuse the stored runs (no simulation):
a trial's figures per seed are kept in the study.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sim.calibration.runs import Values, score_of
from sim.calibration.study import RESULT, Calibration, Trial
from sim.infra.atomic import write_atomic

RESAMPLES = 1000
OBJECTIVE = "MAPE over the fitted counts of the median over seeds (sim score's MAPE)"
SPREAD = (
    "bootstrap over seeds: seeds resampled with replacement, the best finished trial picked on"
    " each (trials tied for the best share the resample)"
)


def best_trial(trials: Sequence[Trial]) -> Trial:
    """The lowest score; the earliest trial on a tie."""
    return min(trials, key=lambda t: (t.mape, t.number))


def _mapes(cal: Calibration, trials: Sequence[Trial], picks: np.ndarray) -> np.ndarray:
    """Each trial's MAPE on each resample of seeds (``picks``: resamples x seeds, indexes):
    an array of trials x resamples."""
    fitted = list(cal.split.fitted)
    figures = np.array([cal.observations[i].headcount for i in fitted], dtype=float)
    out = np.empty((len(trials), len(picks)))
    for row, trial in enumerate(trials):
        values = np.array(
            [[np.nan if run[i] is None else run[i] for i in fitted] for run in trial.values], dtype=float
        )
        medians = np.nanmedian(values[picks], axis=1)  # resamples x figures
        out[row] = np.mean(100.0 * np.abs(medians - figures) / figures, axis=1)
    return out


def _quantiles(values: Sequence[float], weights: Sequence[float] | None = None) -> dict[str, float]:
    """The 10th, 50th and 90th percentiles (weighted: the first value whose cumulative weight
    reaches the share)."""
    data = np.asarray(values, dtype=float)
    if weights is None:
        low, mid, high = np.quantile(data, [0.1, 0.5, 0.9])
        return {"p10": float(low), "p50": float(mid), "p90": float(high)}
    order = np.argsort(data, kind="stable")
    cumulative = np.cumsum(np.asarray(weights, dtype=float)[order])
    cumulative /= cumulative[-1]
    at = [
        data[order][min(int(np.searchsorted(cumulative, q - 1e-12)), len(data) - 1)] for q in (0.1, 0.5, 0.9)
    ]
    return {"p10": float(at[0]), "p50": float(at[1]), "p90": float(at[2])}


def _tied(column: np.ndarray) -> np.ndarray:
    """The trials whose score equals the lowest (a flat objective ties many)."""
    return np.flatnonzero(np.isclose(column, column.min(), rtol=0.0, atol=1e-9))


def spread(cal: Calibration, trials: Sequence[Trial], resamples: int = RESAMPLES) -> dict[str, Any]:
    """The bootstrap over seeds and the best trial of each seed alone (see the module). Where
    several trials tie for the best on a resample, each counts with an equal share of it:
    a figure that does not tell the values apart widens the spread instead of electing the
    earliest trial."""
    n = len(cal.seeds)
    rng = np.random.default_rng(cal.sampler_seed)
    picks = rng.integers(0, n, size=(resamples, n))
    scores = _mapes(cal, trials, picks)
    best = best_trial(trials).number
    chosen, weights, share = [], [], 0.0
    for b in range(resamples):
        tied = _tied(scores[:, b])
        chosen.extend(int(t) for t in tied)
        weights.extend([1.0 / len(tied)] * len(tied))
        share += float(best in tied) / len(tied)
    per_param = {p.key: _quantiles([trials[i].params[p.key] for i in chosen], weights) for p in cal.params}
    alone = _mapes(cal, trials, np.arange(n).reshape(n, 1))
    per_seed = []
    for s, seed in enumerate(cal.seeds):
        tied = _tied(alone[:, s])
        pick = int(tied[0])
        entry = {"seed": seed, "trial": pick, "params": trials[pick].params, "mape": float(alone[pick, s])}
        per_seed.append({**entry, "tied": len(tied)})
    return {
        "method": SPREAD,
        "resamples": resamples,
        "best_share": share / resamples,
        "tied_with_best": len(_tied(np.array([t.mape for t in trials]))),
        "params": per_param,
        "mape": _quantiles(scores.min(axis=0)),
        "per_seed": per_seed,
    }


def _rows(cal: Calibration, trial: Trial, indexes: Sequence[int]) -> dict[str, Any]:
    score = score_of(cal.observations, trial.values, indexes, cal.seeds)
    rows = [
        {"number": i + 1, "approximate": row.obs.approximate, **row.as_dict()}
        for i, row in zip(indexes, score.rows, strict=True)
    ]
    return {
        "observations": [i + 1 for i in indexes],
        "mape_counts": score.mape(),
        "mape_flows": score.mape("flow"),
        "rows": rows,
    }


def _as_written(cal: Calibration, written: Values) -> dict[str, Any]:
    """The scenario as written, scored as the best trial is."""
    trial = Trial(-1, {}, 0.0, written)
    fitted, validated = _rows(cal, trial, cal.split.fitted), _rows(cal, trial, cal.split.validated)
    return {"calibration": fitted, "validation": validated}


def summarise(cal: Calibration, trials: Sequence[Trial], written: Values) -> dict[str, Any]:
    """The report (``calibration.json``, ``--json``) of the finished ``trials``, beside the
    scenario as written (its figures ``written``, same seeds)."""
    best = best_trial(trials)
    info = spread(cal, trials)
    params = [
        {
            **p.as_dict(),
            "best": best.params[p.key],
            "spread": info["params"][p.key],
            "per_seed": [entry["params"][p.key] for entry in info["per_seed"]],
        }
        for p in cal.params
    ]
    return {
        "scenario": cal.scenario.name,
        "scenario_sha256": cal.scenario.sha256(),
        "seeds": list(cal.seeds),
        "sampler_seed": cal.sampler_seed,
        "trials": len(trials),
        "objective": OBJECTIVE,
        "best_trial": best.number,
        "params": params,
        "calibration": _rows(cal, best, cal.split.fitted),
        "validation": _rows(cal, best, cal.split.validated),
        "as_written": _as_written(cal, written),
        "spread": info,
        "history": [{"trial": t.number, "params": t.params, "mape": t.mape} for t in trials],
    }


def write_result(out: Path, report: dict[str, Any]) -> Path:
    """``DIR/calibration.json``, atomically (a reader sees the old report or the new one)."""
    path = out / RESULT
    write_atomic(path, json.dumps(report, indent=2, sort_keys=False, default=str) + "\n")
    return path
