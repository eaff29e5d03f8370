"""The kernel rebuild's yardsticks (issue 12): the engine against three baselines, in one run.

Why in one run: wall times on a shared machine drift by 5-10% between runs (see RESULTS.md), so a
ratio is only meaningful between numbers taken side by side. Each round times the current
engine, the raw-SimPy model and the heapq model once, in that order, after a garbage
collection, then today's engine (``aaac934``) in a subprocess from an extracted copy
(:mod:`bench.reference_engine`; best of two runs there, so each round has a warm one); the best
of the rounds is kept for each. Interleaving the subprocess matters: timed in one block after
the others, identical code (today's engine is the reference until the rebuild lands) came out
1.2 x apart on a loaded machine. Engine time is ``sim.engine.loop.simulate(scenario)`` alone: no
store, no charts.

The targets: the rebuilt engine at most 0.8 x the raw-SimPy model (it must beat the obvious
hand-written design), at most 2 x the heapq model (the pure-Python limit), and at least 4 x
faster than today's engine.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import heapq_model, simpy_model
from bench.model_common import headcounts
from bench.reference_engine import REFERENCE_COMMIT, time_reference
from sim.scenario.models import Scenario

TARGET = "ratio_vs_simpy <= 0.8, ratio_vs_heapq <= 2, speedup_vs_reference >= 4"


def _engine(scenario: Scenario) -> tuple[int, dict[str, int]]:
    from sim.engine.loop import simulate

    engine = simulate(scenario)
    return len(engine.log), {name: engine.state.mission(name).headcount for name in engine.state.sides}


def _model(simulate: Callable[[Scenario], Any]) -> Callable[[Scenario], tuple[int, dict[str, int]]]:
    def run(scenario: Scenario) -> tuple[int, dict[str, int]]:
        world = simulate(scenario)
        return len(world.events), headcounts(world)

    return run


CONTENDERS: dict[str, Callable[[Scenario], tuple[int, dict[str, int]]]] = {
    "engine": _engine,
    "simpy_model": _model(simpy_model.simulate),
    "heapq_model": _model(heapq_model.simulate),
}


def best_of(
    scenario: Scenario, repeats: int, reference: Callable[[], dict[str, Any] | str]
) -> tuple[dict[str, dict[str, Any]], dict[str, Any] | str]:
    """Best wall time of each contender over ``repeats`` interleaved rounds, with its event
    count and final headcounts (from the last round: every round is the same run), and the
    reference's best result (or why there is none, after which it is not asked again)."""
    out: dict[str, dict[str, Any]] = {name: {"seconds": float("inf")} for name in CONTENDERS}
    ref: dict[str, Any] | str = {"seconds": float("inf")}
    for _ in range(repeats):
        for name, run in CONTENDERS.items():
            gc.collect()
            started = time.perf_counter()
            events, heads = run(scenario)
            seconds = time.perf_counter() - started
            out[name].update(seconds=min(seconds, out[name]["seconds"]), events=events, headcounts=heads)
        if isinstance(ref, dict):
            got = reference()
            ref = got if isinstance(got, str) or got["seconds"] < ref["seconds"] else ref
    return out, ref


def compare(
    name: str,
    scenario: Scenario,
    copy: Path | str,
    emit: Callable[..., None],
    repeats: int,
    reference: dict[str, Any],
) -> None:
    """Measure everything for one scenario and emit one benchmark line. ``reference`` is how the
    old engine gets the scenario: ``{"path": file}`` or ``{"data": mapping}``."""
    times, ref = best_of(scenario, repeats, lambda: time_reference(copy, 2, **reference))
    engine_s = times["engine"]["seconds"]
    simpy_s, heapq_s = times["simpy_model"]["seconds"], times["heapq_model"]["seconds"]
    detail: dict[str, Any] = {
        "simpy_model_s": round(simpy_s, 4),
        "heapq_model_s": round(heapq_s, 4),
        "reference_engine_s": None,
        "ratio_vs_simpy": round(engine_s / simpy_s, 3),
        "ratio_vs_heapq": round(engine_s / heapq_s, 3),
        "speedup_vs_reference": None,
    }
    events = {f"{who}_events": times[who]["events"] for who in CONTENDERS}
    heads = {who: times[who]["headcounts"] for who in CONTENDERS}
    if isinstance(ref, dict):
        detail.update(reference_engine_s=round(ref["seconds"], 4))
        detail.update(speedup_vs_reference=round(ref["seconds"] / engine_s, 3))
        events["reference_engine_events"] = ref["events"]
        heads["reference_engine"] = ref["headcounts"]
    else:
        detail["reference_engine_error"] = ref
    per_event = {who: round(times[who]["seconds"] / times[who]["events"] * 1e6, 2) for who in CONTENDERS}
    emit(
        name, engine_s, "s", simpy_s, TARGET, **detail, **events, us_per_event=per_event,
        headcounts=heads, repeats=repeats, reference_commit=REFERENCE_COMMIT,
        baseline_is="the raw-SimPy model (bench/simpy_model.py), best of the same interleaved rounds",
    )  # fmt: skip
