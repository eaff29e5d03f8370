"""Benchmarks: one JSON object per line with name, value, unit, baseline, ratio (and target).

    python bench/run.py            # the full sizes of issue 5 (about 15 minutes on 2 cores)
    python bench/run.py --quick    # smaller sizes, scaled where the issue says so (~3 minutes)
    python bench/run.py --only cli_startup --only store_append
    python bench/run.py --profile engine_vs_simpy   # cProfile the measured code, top 25 to stderr

Every value and its baseline are measured in the same process run; nothing here is asserted.
``ratio`` is ``value / baseline``; ``target`` says which side of it the issue wants.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.scenario.models import Scenario  # noqa: E402

PROFILE: str | None = None


def emit(name: str, value: float, unit: str, baseline: float, target: str, **detail: Any) -> None:
    ratio = value / baseline if baseline else float("nan")
    line = {
        "name": name,
        "value": round(value, 4),
        "unit": unit,
        "baseline": round(baseline, 4),
        "ratio": round(ratio, 4),
        "target": target,
        **detail,
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(line), flush=True)


def profiled(name: str, fn: Callable[[], Any]) -> Any:
    """Run ``fn``, under cProfile when ``--profile name`` asked for it (top 25 to stderr)."""
    if name != PROFILE:
        return fn()
    profiler = cProfile.Profile()
    result = profiler.runcall(fn)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
    print(text.getvalue(), file=sys.stderr)
    return result


# --- scenarios ---------------------------------------------------------------------------------


def big_scenario(years: int, staff: tuple[int, int, int] = (500, 300, 400), tours: Any = None) -> Scenario:
    """Two missions of 1,200 staff, ``years`` long: rotations, visas, a tit-for-tat exchange
    (both sides tit-for-tat, one opening expulsion; misperception ends the echo sooner or later)."""
    diplomats, technicians, locals_ = staff
    mission: dict[str, Any] = {
        "posts": {"embassy": {"diplomat": diplomats, "admin_technical": technicians, "local": locals_}}
    }
    if tours is not None:
        mission["tour_days"] = tours
    side = {
        "mission": mission,
        "visas": {"policy": "issue", "processing_days": [30, 90]},
        "policy": {"kind": "tit_for_tat", "delay_days": 14, "deadline_days": 30},
        "noise": {"miss": 0.25},
    }
    return Scenario.model_validate(
        {
            "name": f"bench-{years}y",
            "start": "2000-01-01",
            "end": f"{1999 + years}-12-31",
            "seed": 7,
            "acts": [{"date": "2001-03-01", "actor": "A", "kind": "expel", "size": 10, "deadline_days": 14}],
            "sides": [{"name": "A", **side}, {"name": "B", **side}],
        }
    )


SHORT = {
    "name": "bench-short",
    "start": "2022-01-01",
    "end": "2024-12-31",
    "seed": 11,
    "acts": [{"date": "2022-03-01", "actor": "A", "kind": "expel", "size": 5, "deadline_days": 7}],
    "sides": [
        {
            "name": name,
            "mission": {"posts": {"embassy": {"diplomat": 60, "admin_technical": 30, "local": 60}}},
            "visas": {"policy": "issue", "processing_days": [30, 60]},
            "policy": {"kind": "tit_for_tat", "delay_days": 7, "deadline_days": 14},
            "noise": {"miss": 0.3},
        }
        for name in ("A", "B")
    ],
}


# --- 1. engine vs a bare SimPy loop ------------------------------------------------------------


def bare_simpy(timeouts: int, processes: int = 100) -> float:
    """Wall time of SimPy alone: ``processes`` processes yielding ``timeouts`` timeouts in all."""
    import simpy

    env = simpy.Environment()
    each = timeouts // processes

    def proc(offset: int) -> Any:
        for i in range(each):
            yield env.timeout(1 + (i + offset) % 7)

    for p in range(processes):
        env.process(proc(p))
    started = time.perf_counter()
    env.run()
    return time.perf_counter() - started


def engine_vs_simpy(quick: bool) -> None:
    from sim.engine.loop import Engine

    years = 5 if quick else 20
    scenario = big_scenario(years)
    items = [0]

    class Counting(Engine):
        def _at(self, *args: Any) -> None:  # count the work the engine puts on its calendar
            items[0] += 1
            super()._at(*args)

    started = time.perf_counter()
    engine = profiled("engine_vs_simpy", lambda: _run(Engine(scenario)))
    seconds = time.perf_counter() - started
    counting = Counting(scenario)
    counting.run()
    events = len(engine.log)
    baseline = min(bare_simpy(events) for _ in range(3))
    emit(
        "engine_vs_simpy",
        seconds,
        "s",
        baseline,
        "ratio <= 2",
        events=events,
        events_per_s=round(events / seconds),
        agenda_items=items[0],
        simpy_timeouts=events,
        years=years,
        staff_per_mission=1200,
    )


def _run(engine: Any) -> Any:
    engine.run()
    return engine


# --- 2 and 3. sweeps ------------------------------------------------------------------------------


def sweep_parallel_efficiency(quick: bool) -> None:
    from sim.sweep.execute import InlineExecutor, LocalExecutor, run_sweep
    from sim.sweep.plan import plan_sweep

    scenario = Scenario.model_validate(SHORT)
    plan = plan_sweep(scenario, seeds=400, sweep_seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        one = run_sweep(plan, Path(tmp) / "one", executor=InlineExecutor(), report=False)
        two = run_sweep(plan, Path(tmp) / "two", executor=LocalExecutor(2), report=False)
    one_rate = one.ran / one.seconds
    two_rate = two.ran / two.seconds
    emit(
        "sweep_parallel_efficiency",
        two_rate,
        "runs/s",
        2 * one_rate,
        "ratio >= 0.9",
        runs=plan.seeds,
        one_worker_s=round(one.seconds, 3),
        two_workers_s=round(two.seconds, 3),
    )


def sweep_10k(quick: bool) -> None:
    """10,000 runs of rotation-rule-2021 on 2 local workers against 10,000 engine runs in this
    process split over 2; with the CPU time of the workers (per run) and of this process (the
    parent), which tell contention from work when other jobs share the cores."""
    import resource

    from sim.engine.loop import simulate
    from sim.scenario.loading import load_scenario
    from sim.sweep.execute import LocalExecutor, chunks, run_sweep
    from sim.sweep.plan import plan_sweep

    runs = 1_000 if quick else 10_000
    scenario = load_scenario(ROOT / "scenarios" / "rotation-rule-2021.yaml")
    plan = plan_sweep(scenario, seeds=runs, sweep_seed=2021)
    sample = plan.runs()[:20]
    started = time.perf_counter()
    for run in sample:
        simulate(plan.variants[0].model_copy(update={"seed": run.seed}))
    per_run = (time.perf_counter() - started) / len(sample)
    if PROFILE == "sweep_10k":
        _unprofiled_workers()
    children, parent = resource.RUSAGE_CHILDREN, resource.RUSAGE_SELF
    before = (_cpu(children), _cpu(parent))
    with tempfile.TemporaryDirectory() as tmp:
        outcome = profiled(
            "sweep_10k", lambda: run_sweep(plan, Path(tmp), executor=LocalExecutor(2), report=False)
        )
    workers_cpu, parent_cpu = _cpu(children) - before[0], _cpu(parent) - before[1]
    scale = 10_000 / runs
    value = outcome.seconds * scale
    baseline = per_run * 10_000 / 2  # the engine alone, perfectly split over 2 workers
    emit(
        "sweep_10k",
        value,
        "s",
        baseline,
        "value <= 60 s",
        runs_measured=runs,
        scaled_by=scale,
        runs_per_s=round(outcome.ran / outcome.seconds, 2),
        engine_s_per_run=round(per_run, 4),
        worker_cpu_ms_per_run=round(workers_cpu / outcome.ran * 1000, 2),
        parent_cpu_s=round(parent_cpu, 2),
        batches=len(chunks(plan.runs(), 2)),
        baseline_is="10,000 x one engine run (this process) / 2 workers",
    )


def _cpu(who: int) -> float:
    import resource

    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _unprofiled_workers() -> None:
    """Forked workers inherit this process's profiler, which slowed them ~2.6x: ``--profile
    sweep_10k`` profiles the parent alone, so its workers switch it off first."""
    import sim.sweep.execute as execute

    quiet = execute.quiet_worker

    def unprofiled() -> None:
        sys.setprofile(None)
        quiet()

    execute.quiet_worker = unprofiled


# --- 4 and 5. a large log: fold and store -----------------------------------------------------


def large_log(events: int) -> list[Any]:
    """An engine log of at least ``events`` events (short tours make rotations frequent)."""
    from sim.engine.loop import simulate

    tours = {"diplomat": [60, 180], "admin_technical": [60, 180], "local": [200, 400]}
    years = 10
    while True:
        log = simulate(big_scenario(years, tours=tours)).log
        if len(log) >= events:
            return log[: _cut(log, events)]
        years = int(years * events / len(log)) + 2


def _cut(log: list[Any], events: int) -> int:
    """Cut at a day boundary at or after ``events`` (a fold of whole days stays valid)."""
    n = events
    while n < len(log) and log[n].day == log[n - 1].day:
        n += 1
    return n


def replay_fold(quick: bool, log: list[Any]) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from sim.analysis.metrics import headcount_series, series_from_columns
    from sim.analysis.projections import events_frame
    from sim.core import events as ev
    from sim.core.working import fold

    missions = ["A", "B"]
    horizon = log[-1].day
    table = pa.Table.from_pandas(
        events_frame(log, dt.date(2000, 1, 1))[["seq", "day", "type", "actor"]], preserve_index=False
    )

    def series_from_table() -> dict[str, Any]:
        arrived = pc.equal(table["type"], "StaffArrived")
        moved = pc.or_(arrived, pc.equal(table["type"], "StaffDeparted"))
        rows = pc.index_in(pc.filter(table["actor"], moved), value_set=pa.array(missions))
        days = pc.filter(table["day"], moved)
        signs = np.where(pc.filter(arrived, moved).to_numpy(zero_copy_only=False), 1, -1)
        return series_from_columns(
            rows.to_numpy(zero_copy_only=False).astype(np.int64), days.to_numpy(), signs, missions, horizon
        )

    def best(fn: Callable[[], Any], times: int) -> float:
        out = []
        for _ in range(times):
            started = time.perf_counter()
            fn()
            out.append(time.perf_counter() - started)
        return min(out)

    vectorised = best(series_from_table, 5)
    from_objects = best(lambda: headcount_series(log, missions, horizon), 3)
    started = time.perf_counter()
    state = profiled("replay_fold", lambda: fold(log))
    full = time.perf_counter() - started
    check = series_from_table()
    assert all(int(check[m][-1]) == state.mission(m).headcount for m in missions)
    assert type(log[0]) is ev.MissionOpened
    n = len(log)
    emit(
        "replay_fold",
        n / vectorised,
        "events/s",
        n / full,
        "value >= 10,000,000 events/s",
        events=n,
        series_from_columns_s=round(vectorised, 4),
        series_from_event_objects_per_s=round(n / from_objects),
        full_state_fold_per_s=round(n / full),
        baseline_is="the pure full-state fold (sim.core.state.fold_pure)",
    )


def fold_working(quick: bool, log: list[Any]) -> None:
    """Replay's fold (the working handlers plus one freeze) against the pure full-state fold
    it replaced, on the same log, in this run (issue 12: at least 3x)."""
    from sim.core.state import digest, fold_pure
    from sim.core.working import fold

    n = len(log)
    times = 2 if quick else 3
    working = min(_timed(lambda: fold(log)) for _ in range(times))
    pure = min(_timed(lambda: fold_pure(log)) for _ in range(times))
    assert digest(fold(log)) == digest(fold_pure(log))
    emit(
        "fold_working",
        n / working,
        "events/s",
        n / pure,
        "ratio >= 3",
        events=n,
        working_s=round(working, 3),
        pure_s=round(pure, 3),
        baseline_is="the pure full-state fold (sim.core.state.fold_pure), same log",
    )


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _old_row(event: Any, run_id: str) -> tuple[object, ...]:
    """What the store wrote per event before day rows (one row per event, a JSON payload):
    the baseline's rows, kept so that the ratio stays comparable with earlier results."""
    from sim.core import events as ev

    return (
        run_id,
        event.seq,
        event.day,
        type(event).__name__,
        event.actor,
        event.target,
        event.cause,
        event.source,
        event.reference,
        event.act_id,
        ev.payload_json(event),
    )


def _bare_sqlite(path: Path, create: str, insert: str, batches: list[list[Any]]) -> float:
    """Seconds for bare sqlite3 to insert pre-serialised rows, one transaction per batch, with
    the store's pragmas."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(create)
    started = time.perf_counter()
    for rows in batches:
        conn.execute("BEGIN")
        conn.executemany(insert, rows)
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def store_append(quick: bool, log: list[Any]) -> None:
    import sim
    from sim.core import events as ev
    from sim.store.sqlite import BATCH, RunInfo, SQLiteStore, _day_rows

    version = (sim.__version__, ev.SCHEMA_VERSION)
    info = RunInfo("bench", "bench", "0" * 64, 7, "2000-01-01", "2030-12-31", *version)
    with tempfile.TemporaryDirectory(dir=ROOT / "bench") as tmp:
        store = SQLiteStore(Path(tmp) / "events.sqlite")
        store.begin_run(info)
        started = time.perf_counter()

        def append_all() -> None:
            for event in log:
                store.append(event)
            store.flush()

        profiled("store_append", append_all)
        seconds = time.perf_counter() - started
        codes = dict(store._codes)
        store.close()
        raw = _bare_sqlite(
            Path(tmp) / "raw.sqlite",
            "CREATE TABLE events (run_id TEXT, seq INTEGER, day INTEGER, type TEXT, actor TEXT, target TEXT,"
            " cause INTEGER, source TEXT, reference TEXT, act_id TEXT, payload TEXT, UNIQUE (run_id, seq))",
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[_old_row(event, "bench") for event in log[i : i + BATCH]] for i in range(0, len(log), BATCH)],
        )
        day_rows = [list(_day_rows("bench", log[i : i + BATCH], codes)) for i in range(0, len(log), BATCH)]
        lean = _bare_sqlite(
            Path(tmp) / "lean.sqlite",
            "CREATE TABLE event_days (run_id TEXT, first_seq INTEGER, last_seq INTEGER, day INTEGER,"
            " types BLOB, events BLOB, UNIQUE (run_id, first_seq))",
            "INSERT INTO event_days VALUES (?, ?, ?, ?, ?, ?)",
            day_rows,
        )
    n = len(log)
    emit(
        "store_append",
        n / seconds,
        "events/s",
        n / raw,
        "value >= 500,000 events/s",
        events=n,
        day_rows=sum(map(len, day_rows)),
        bare_sqlite_day_rows_events_per_s=round(n / lean),
        baseline_is=(
            "bare sqlite3 executemany of pre-serialised rows of the previous layout (one row per event,"
            " 11 columns, UNIQUE(run_id, seq), JSON payload), same batches and pragmas; the store"
            " writes one row per day since 2026-12-01"
        ),
    )


# --- 6. cli startup ------------------------------------------------------------------------------


def cli_startup(quick: bool) -> None:
    script = Path(sys.executable).parent / "sim"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "sim.cli.main"]

    def wall(args: list[str]) -> float:
        started = time.perf_counter()
        subprocess.run(args, capture_output=True, check=True, cwd=ROOT)
        return time.perf_counter() - started

    wall([*command, "--help"])  # warm the file cache
    runs = 5 if quick else 11
    value = statistics.median(wall([*command, "--help"]) for _ in range(runs))
    baseline = statistics.median(wall([sys.executable, "-c", "pass"]) for _ in range(runs))
    emit("cli_startup", value, "s", baseline, "value <= 0.3 s", runs=runs, baseline_is="python -c pass")


# --- 7. the kernel rebuild's baselines (issue 12) -------------------------------------------------


def engine_rotation_rule(quick: bool) -> None:
    """The engine on rotation-rule-2021, then on the big scenario, against the raw-SimPy and
    heapq models and the engine before the rebuild (aaac934), all in this run: one line each
    (bench/baselines.py)."""
    from bench.baselines import compare
    from bench.reference_engine import reference_copy
    from sim.scenario.loading import load_scenario

    path = ROOT / "scenarios" / "rotation-rule-2021.yaml"
    years = 5 if quick else 20
    big = big_scenario(years)
    with reference_copy(ROOT) as copy:
        if isinstance(copy, str):
            print(copy, file=sys.stderr)
        compare("engine_rotation_rule", load_scenario(path), copy, emit, 5 if quick else 15, {"path": path})
        data = big.model_dump(mode="json", exclude_defaults=True)
        compare(f"engine_big_{years}y", big, copy, emit, 3 if quick else 5, {"data": data})


BENCHMARKS = (
    "engine_vs_simpy",
    "sweep_parallel_efficiency",
    "sweep_10k",
    "replay_fold",
    "fold_working",
    "store_append",
    "cli_startup",
    "engine_rotation_rule",
    "n_states",
)


def n_states(quick: bool) -> None:
    from bench.n_states import n_states as measure

    measure(quick, emit)


def main() -> None:
    global PROFILE
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (scaled where stated)")
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="run only these (repeatable)")
    parser.add_argument("--profile", choices=BENCHMARKS, help="cProfile this benchmark's measured code")
    args = parser.parse_args()
    PROFILE = args.profile
    chosen = args.only or list(BENCHMARKS)
    print(
        json.dumps(
            {
                "name": "machine",
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "quick": args.quick,
                "date": time.strftime("%Y-%m-%d"),
            }
        ),
        flush=True,
    )
    log: list[Any] | None = None
    for name in chosen:
        if name in ("replay_fold", "fold_working", "store_append"):
            if log is None:
                log = large_log(200_000 if args.quick else 1_000_000)
            globals()[name](args.quick, log)
        else:
            globals()[name](args.quick)


if __name__ == "__main__":
    main()
