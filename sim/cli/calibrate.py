"""``sim calibrate SCENARIO --param PATH=LO:HI ... --seeds N``: scenario parameters no source
gives fitted by simulation to the documented figures of its log (``sim.calibration``).

Every failure a user can cause is one line and exit 2 before the folder is touched; Ctrl-C
keeps the finished trials (exit 130) and the same command resumes them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from sim.cli.app import EXIT_INTERRUPTED, JsonOption, _fail, _input_error, _print_json, _unwritable, app
from sim.cli.options import bar_for, executor, whole
from sim.infra.errors import InputError
from sim.infra.interrupts import RECEIVED
from sim.infra.paths import write_failure

ObsOption = Annotated[list[str] | None, typer.Option(show_default=False)]


@app.command()
def calibrate(
    scenario: Annotated[Path, typer.Argument(help="A scenario file.", show_default=False)],
    param: Annotated[
        list[str],
        typer.Option(
            "--param",
            help="PATH=LO:HI, PATH a dotted path into the scenario (sides.0.visas.processing_days; "
            "a (min, max) pair is set to one value, PATH.0 / PATH.1 fit one end); repeatable.",
            show_default=False,
        ),
    ],
    seeds: Annotated[str, typer.Option(help="Seeds per trial (the scenario's and the ones after).")] = "10",
    trials: Annotated[
        str, typer.Option(help="Trials to have finished (a resumed study runs the rest).")
    ] = "30",
    sampler_seed: Annotated[str, typer.Option("--sampler-seed", help="The TPE sampler's seed.")] = "0",
    against: Annotated[
        list[str] | None,
        typer.Option(
            help="Observations to fit, by number in 'sim score' (1,2 or repeated; default: every count "
            "not validated).",
            show_default=False,
        ),
    ] = None,
    validate: Annotated[
        list[str] | None,
        typer.Option(
            help="Observations held out and reported as validation, never fitted.", show_default=False
        ),
    ] = None,
    log: Annotated[
        Path | None,
        typer.Option("--log", help="A documented log whose observations to use (default: the prelude's)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="The study's folder (default: reports/<stem>-calibration/).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Start over: delete this folder's study first.")
    ] = False,
    workers: Annotated[
        str | None, typer.Option(help="Local worker processes (default: CPUs, at most 8).")
    ] = None,
    scheduler: Annotated[str | None, typer.Option(help="Run on the Dask cluster at tcp://HOST:PORT.")] = None,
    progress: Annotated[bool, typer.Option(help="Show progress on standard error.")] = True,
    as_json: JsonOption = False,
) -> None:
    """Fit scenario parameters to the documented counts of its log through 'sim score', with
    optuna's TPE sampler: the best values, their spread over seeds (a bootstrap), and the
    score of the fitted figures and of the held-out (--validate) ones at the best values.
    Writes OUT/study.db (SQLite), OUT/manifest.json and OUT/calibration.json; rerun to resume."""
    from sim.calibration.calibrate import setup
    from sim.calibration.study import check_folder

    n_seeds = whole("--seeds", seeds, 1, 1000)
    n_trials = whole("--trials", trials, 1, 100_000)
    chosen_seed = whole("--sampler-seed", sampler_seed, 0, 2**32 - 1)
    loaded, observations, source = _load(scenario, log)
    folder = out if out is not None else Path("reports") / f"{scenario.stem}-calibration"
    _check_out(folder)
    cal = _checked(
        lambda: setup(loaded, observations, param, n_seeds, against, validate, chosen_seed, source)
    )
    _checked(lambda: check_folder(folder, cal.manifest(), force))
    pool = executor(workers, scheduler)
    report = _run(cal, folder, n_trials, pool, force, progress and not as_json)
    if as_json:
        _print_json(report)
    else:
        _print_report(report)


def _load(scenario: Path, log: Path | None) -> tuple[Any, tuple[Any, ...], str]:
    from sim.scenario.documented import load_seeds
    from sim.scenario.loading import load_scenario

    try:
        loaded = load_scenario(scenario)
        if log is not None:
            return loaded, tuple(load_seeds(log).observations), str(log)
    except InputError as exc:
        _input_error(exc)
    prelude = loaded.prelude_log
    where = str(scenario.parent / loaded.prelude) if loaded.prelude else f"{scenario} (no documented log)"
    return loaded, tuple(prelude.observations) if prelude is not None else (), where


def _check_out(out: Path) -> None:
    if out.name in ("", ".", ".."):
        _fail([f"--out: {out} names no directory of its own (give one, e.g. reports/NAME-calibration)"])
    wrong = _unwritable(out)
    if wrong:
        _fail([f"--out: {wrong}"])


def _checked(work: Any) -> Any:
    from sim.calibration.problem import CalibrationError

    try:
        return work()
    except CalibrationError as exc:
        _fail(exc.lines)


def _run(cal: Any, out: Path, trials: int, pool: Any, force: bool, show: bool) -> dict[str, Any]:
    """The trials on ``pool``; Ctrl-C says how to resume, a broken policy or worker is one line."""
    from sim.calibration.calibrate import calibrate
    from sim.calibration.problem import CalibrationError
    from sim.policies.guard import PolicyError
    from sim.sweep.tasks import SweepWorkerDied

    bar = bar_for(show, "runs")
    if show:
        typer.echo(
            f"{cal.scenario.name}: {len(cal.params)} parameters, up to {trials} trials x {len(cal.seeds)}"
            f" seeds on {pool.name} -> {out}/",
            err=True,
        )
    on_trial = _trial_line if show and bar is None else None
    try:
        return calibrate(cal, out, trials, pool, force, on_trial, bar, lambda: _waiting(out))
    except CalibrationError as exc:
        _fail(exc.lines)
    except (PolicyError, SweepWorkerDied) as exc:
        _fail([str(exc)])
    except OSError as exc:
        _fail([f"--out: {write_failure(out, exc)}"])
    except KeyboardInterrupt:
        _interrupted(out)
    except Exception:
        if RECEIVED:  # Ctrl-C inside a C extension (SQLite's commit) can come out as another error
            _interrupted(out)
        raise
    finally:
        pool.close()


def _interrupted(out: Path) -> NoReturn:
    typer.echo(
        f"interrupted: the finished trials are stored in {out}/; run the same command to resume", err=True
    )
    raise typer.Exit(EXIT_INTERRUPTED) from None


def _waiting(out: Path) -> None:
    typer.echo(f"waiting: another calibration is working in {out}/", err=True)


def _trial_line(trial: Any, done: list[Any]) -> None:
    """Progress where no bar can be drawn (standard error is not a terminal): a line a trial."""
    best = min(done, key=lambda t: (t.mape, t.number))
    values = ", ".join(f"{k}={_num(v)}" for k, v in trial.params.items())
    typer.echo(
        f"trial {trial.number + 1}: MAPE {trial.mape:.2f}% at {values} (best {best.mape:.2f}%, trial"
        f" {best.number + 1})",
        err=True,
    )
    sys.stderr.flush()


def _num(value: Any, whole: bool = False) -> str:
    """A whole number with thousands separators (a median of whole values may end in .5)."""
    if isinstance(value, int) or (whole and float(value).is_integer()):
        return f"{int(value):,}"
    return f"{value:,.1f}" if whole else f"{value:.4g}"


def _print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    spread = report["spread"]
    title = (
        f"{report['scenario']}: best of {report['trials']} trials (trial {report['best_trial'] + 1}),"
        f" {len(report['seeds'])} seeds from {report['seeds'][0]}"
    )
    table = Table(title=title)
    for column in ("parameter", "range", "best", "bootstrap 10-50-90%", "best per seed"):
        table.add_column(column, justify="left" if column in ("parameter", "range") else "right")
    for p in report["params"]:
        q = spread["params"][p["path"]]
        per_seed = p["per_seed"]
        table.add_row(
            p["path"],
            f"{_num(p['low'])}:{_num(p['high'])}",
            _num(p["best"]),
            " / ".join(_num(q[k], p["integer"]) for k in ("p10", "p50", "p90")),
            f"{_num(min(per_seed))}..{_num(max(per_seed))}",
        )
    console.print(table)
    _print_rows(console, "fitted", report["calibration"])
    if report["validation"]["rows"]:
        _print_rows(console, "validation (never fitted)", report["validation"])
    q = spread["mape"]
    fitted = report["calibration"]
    console.print(
        f"calibration MAPE {fitted['mape_counts']:.2f}% over {len(fitted['rows'])}"
        f" counts (bootstrap over seeds {q['p10']:.2f}-{q['p90']:.2f}%; the best trial best in"
        f" {spread['best_share']:.0%} of {spread['resamples']} resamples)"
    )
    if spread["tied_with_best"] > 1:
        console.print(
            f"{spread['tied_with_best']} of {report['trials']} trials tie at the best score: the fitted"
            " figures do not tell their values apart"
        )
    written = report["as_written"]
    console.print(f"the scenario as written: calibration MAPE {written['calibration']['mape_counts']:.2f}%")
    validation = report["validation"]
    for kind, key in (("counts", "mape_counts"), ("flows", "mape_flows")):
        if validation[key] is not None:
            before = written["validation"][key]
            console.print(f"validation MAPE over {kind}: {validation[key]:.2f}% (as written: {before:.2f}%)")
    ran = f"{report['ran']} trials run now" if report["ran"] else "no new trials"
    console.print(f"{ran}; report -> {report['out']}/calibration.json, study -> {report['out']}/study.db")


def _print_rows(console: Any, title: str, part: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=title)
    for column in ("#", "date", "mission", "kind", "figure", "scope", "median", "10-90%", "result"):
        table.add_column(column, justify="right" if column in ("#", "figure", "median") else "left")
    for row in part["rows"]:
        when = f"{row['since']}..{row['date']}" if row["since"] else row["date"]
        spread = "" if row["p10"] is None else f"{row['p10']:,.0f}-{row['p90']:,.0f}"
        median = "" if row["median"] is None else f"{row['median']:,.0f}"
        result = _result(row)
        table.add_row(
            str(row["number"]),
            when,
            row["mission"],
            row["kind"],
            f"{'~' if row['approximate'] else ''}{row['figure']:,}",
            row["scope"],
            median,
            spread,
            result,
        )
    console.print(table)


def _result(row: dict[str, Any]) -> str:
    """``sim score``'s last column for a row of the report."""
    if row["error"] is not None:
        error, percent = row["error"], row["percent_error"]
        return f"{error:+,.0f}" + ("" if percent is None else f" ({percent:+.1f}%)")
    if row["satisfied"] is not None:
        word = "met" if row["kind"] == "target" else "satisfied"
        return f"{word} in {row['satisfied']}/{row['seeds']}"
    return "outside the run"
