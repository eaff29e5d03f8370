"""``sim sweep``: a scenario over a parameter grid and many seeds, locally or on a Dask cluster.

Registered on the ``sim`` app by importing this module (see the bottom of ``sim.cli.main``). Only
Typer is imported here; the sweep machinery loads when the command runs, so ``sim --help``
stays quick.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import typer

from sim.cli.app import EXIT_INPUT, EXIT_INTERRUPTED, _fail, _input_error, _seed_option, _unwritable, app
from sim.infra.errors import InputError
from sim.infra.paths import write_failure

MAX_WORKERS = 1024  # as in a sweep file
_ADDRESS = re.compile(r"^(tcp|tls)://[^\s:/]+:\d{1,5}$")


@app.command()
def sweep(
    target: Annotated[
        Path, typer.Argument(help="A scenario YAML file, or a sweep YAML file.", show_default=False)
    ],
    grid: Annotated[
        list[str] | None,
        typer.Option(
            "--grid",
            help="KEY=V1,V2,... with KEY a dotted path into the scenario "
            "(sides.RU.policy.delay_days, sides.0.visas.processing_days); repeatable.",
            show_default=False,
        ),
    ] = None,
    seeds: Annotated[
        int | None, typer.Option(help="Runs per grid cell (default: the sweep file's, else 10).")
    ] = None,
    seed: Annotated[
        str | None,
        typer.Option(help="Sweep seed, from which every run's seed derives (default: the scenario's)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Local worker processes (default: the number of CPUs).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Run on the Dask cluster at tcp://HOST:PORT instead of local processes."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: reports/<file stem>-sweep/).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Start over: delete this directory's sweep results first.")
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show the progress bar.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary table as JSON.")] = False,
) -> None:
    """Run a scenario over a parameter grid and many seeds, in parallel.

    Writes results.parquet (a row per run), staffing.parquet, summary.csv, fan.png and metrics.png.

    Runs already stored in OUT are skipped: rerun the same command to resume; --force starts over.

    Each run's seed derives from the sweep seed and its grid key: any executor gives the same results.
    """
    settings = _settings(target, seeds, seed, workers, scheduler, out)
    plan = _plan(settings, grid)
    _run(plan, settings, force, progress, as_json)


class _Settings(NamedTuple):
    """The options, with the sweep file's values where the command line gave none."""

    scenario: Path
    file_axes: list[Any]
    seeds: int
    seed: int | None
    workers: int
    scheduler: str | None
    out: Path


def _settings(
    target: Path,
    seeds: int | None,
    seed: str | None,
    workers: int | None,
    scheduler: str | None,
    out: Path | None,
) -> _Settings:
    """Read a sweep file if ``target`` is one, then check every option in one line each."""
    from sim.sweep.plan import is_sweep_file, load_sweep_file

    scenario_path = target
    file_axes: list[Any] = []
    defaults: dict[str, Any] = {}
    try:
        if target.is_file() and is_sweep_file(target):
            spec = load_sweep_file(target)
            scenario_path, file_axes = spec.scenario, spec.axes
            defaults = {
                "seeds": spec.seeds,
                "seed": spec.seed,
                "out": spec.out,
                "workers": spec.workers,
                "scheduler": spec.scheduler,
            }
    except InputError as exc:
        _input_error(exc)
    chosen_seed = _seed_option(seed) if seed is not None else defaults.get("seed")
    workers = workers if workers is not None else (defaults.get("workers") or os.cpu_count() or 1)
    scheduler = scheduler if scheduler is not None else defaults.get("scheduler")
    if out is None:
        out = Path(defaults["out"]) if defaults.get("out") else Path("reports") / f"{target.stem}-sweep"
    _check_out(out)
    if not 1 <= workers <= MAX_WORKERS:
        _fail([f"--workers: {workers} is not between 1 and {MAX_WORKERS:,}"])
    if scheduler is not None and not _ADDRESS.match(scheduler):
        _fail([f"--scheduler: {scheduler!r} is not tcp://HOST:PORT"])
    count = seeds if seeds is not None else (defaults.get("seeds") or 10)
    return _Settings(scenario_path, file_axes, count, chosen_seed, workers, scheduler, out)


def _check_out(out: Path) -> None:
    if out.name in ("", ".", ".."):
        _fail([f"--out: {out} names no directory of its own (give one, e.g. reports/NAME-sweep)"])
    unwritable = _unwritable(out)
    if unwritable:
        _fail([f"--out: {unwritable}"])
    if out.exists() and not out.is_dir():
        _fail([f"--out: {out} exists and is not a directory"])


def _plan(settings: _Settings, grid: list[str] | None) -> Any:
    """The sweep's plan: the file's axes, those of ``--grid`` replacing any with the same key."""
    from sim.policies.guard import PolicyError
    from sim.sweep.grid import GridError, parse_option
    from sim.sweep.plan import determinism_problem, plan_sweep

    try:
        cli_axes = [parse_option(text) for text in grid or []]
        replaced = {axis.key for axis in cli_axes}
        axes = [axis for axis in settings.file_axes if axis.key not in replaced] + cli_axes
        plan = plan_sweep(settings.scenario, axes, seeds=settings.seeds, sweep_seed=settings.seed)
    except InputError as exc:
        _input_error(exc)
    except GridError as exc:
        _fail(exc.lines)
    except ValueError as exc:
        _fail([str(exc)])
    _check_out(settings.out)
    try:
        not_deterministic = determinism_problem(plan)
    except PolicyError as exc:
        _fail([str(exc)])
    if not_deterministic:
        _fail([not_deterministic])
    return plan


def _run(plan: Any, settings: _Settings, force: bool, progress: bool, as_json: bool = False) -> None:
    """Run the plan into ``out`` on the chosen executor; a Ctrl-C says how to resume."""
    from sim.policies.guard import PolicyError
    from sim.sweep.execute import SweepConflict, SweepSetupError, SweepWorkerDied, make_executor, run_sweep
    from sim.sweep.parts import SweepDamaged

    out = settings.out
    try:
        executor = make_executor(settings.workers, settings.scheduler)
    except SweepSetupError as exc:
        _fail([str(exc)])
    runs = len(plan.variants) * plan.seeds
    typer.echo(
        f"{plan.scenario.name}: {len(plan.variants)} grid cells x {plan.seeds} seeds = {runs:,} runs"
        f" on {executor.name} -> {out}/",
        err=True,
    )
    bar = _Bar() if progress else None
    try:
        outcome = run_sweep(
            plan,
            out,
            force=force,
            executor=executor,
            on_progress=bar.update if bar is not None else None,
            on_wait=lambda: typer.echo(f"waiting: another sweep is writing to {out}/", err=True),
        )
    except (SweepConflict, SweepDamaged, PolicyError, SweepWorkerDied) as exc:
        executor.close()
        _fail([str(exc)], EXIT_INPUT)
    except OSError as exc:
        executor.close()
        _fail([f"--out: {write_failure(out, exc)}"])
    except KeyboardInterrupt:  # before the workers started, or while the report was drawn
        executor.close(interrupted=True)
        typer.echo(f"interrupted: the runs finished so far are stored in {out}/; "
                   "run the same command again to resume", err=True)  # fmt: skip
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        if bar is not None:
            bar.stop()
    if outcome.interrupted:
        typer.echo(
            f"interrupted: {outcome.skipped + outcome.ran:,} of {outcome.total:,} runs are stored in {out}/; "
            "run the same command again to resume",
            err=True,
        )
        raise typer.Exit(EXIT_INTERRUPTED)
    if as_json:
        _print_json_report(plan, outcome, out)
        return
    _print_report(plan, outcome)


def _print_json_report(plan: Any, outcome: Any, out: Path) -> None:
    import json

    from sim.sweep.report import readable

    summary = json.loads(readable(outcome.summary, plan.keys).to_json(orient="records"))
    counts = {"runs": outcome.total, "ran": outcome.ran, "already_done": outcome.skipped}
    report = {"sweep": {**plan.manifest(), **counts, "out": str(out)}, "summary": summary}
    typer.echo(json.dumps(report, indent=2))


class _Bar:
    """A Rich progress bar on stderr: runs (or ``unit``) done, per second, time left."""

    def __init__(self, unit: str = "runs") -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn(unit),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} " + unit + "/s  ETA {task.fields[eta]}  elapsed"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            auto_refresh=False,
        )
        self.unit = unit
        self.task: Any = None
        self.started = time.perf_counter()
        self.shown = 0.0

    def update(self, done: int, total: int, ran: int) -> None:
        now = time.perf_counter()
        if self.task is None:
            self.progress.start()
            self.task = self.progress.add_task(self.unit, total=total, rate="-", eta="-")
            self.started = now
        elapsed = now - self.started
        rate = ran / elapsed if ran and elapsed > 0 else 0.0
        left = total - done
        eta = _duration(left / rate) if rate > 0 else ("0:00:00" if left == 0 else "-")
        self.progress.update(self.task, completed=done, rate=f"{rate:,.1f}", eta=eta)
        if now - self.shown >= 0.1 or done == total:
            self.progress.refresh()
            self.shown = now

    def stop(self) -> None:
        if self.task is not None:
            self.progress.refresh()
            self.progress.stop()


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _print_report(plan: Any, outcome: Any) -> None:
    from rich.console import Console

    from sim.sweep.report import summary_table

    console = Console(width=200)
    title = (
        f"{plan.scenario.name}: {len(plan.cells)} grid cells x {plan.seeds} seeds "
        f"(sweep seed {plan.sweep_seed}); medians over runs"
    )
    console.print(summary_table(plan, outcome.summary, title))
    rate = outcome.ran / outcome.seconds if outcome.seconds > 0 else 0.0
    ran = f"{outcome.ran:,} runs in {outcome.seconds:.1f} s ({rate:.1f} runs/s) on {outcome.executor}"
    kept = f", {outcome.skipped:,} already done" if outcome.skipped else ""
    console.print(f"{ran}{kept}")
    out = outcome.out
    console.print(f"results -> {out}/results.parquet ({len(outcome.results):,} rows), {out}/summary.csv")
    dropped = outcome.results.attrs.get("duplicates_dropped", 0)
    if dropped:
        console.print(f"note: {dropped:,} duplicate rows (a run id stored twice) were read once each")
    console.print(f"staffing every {plan.step_days} days -> {out}/staffing.parquet")
    console.print("charts -> " + ", ".join(str(path) for path in outcome.charts))
