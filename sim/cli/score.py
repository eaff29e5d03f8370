"""``sim score RUN_DIR|SCENARIO``: the documented figures against simulated staffing, each in
its own scope, over one run or N seeds of a scenario (registered on ``sim.cli.main``)."""

from __future__ import annotations

import csv as csv_module
import io
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sim.cli.app import JsonOption, _check_output_file, _fail, _input_error, _print_json, app
from sim.infra.atomic import write_atomic
from sim.infra.errors import InputError
from sim.infra.paths import write_failure

if TYPE_CHECKING:
    from sim.analysis.score import Score

MAX_SEEDS = 1000


@app.command()
def score(
    target: Annotated[
        Path,
        typer.Argument(help="A run directory written by 'sim run', or a scenario file.", show_default=False),
    ],
    seeds: Annotated[
        int | None,
        typer.Option(help="Seeds to run a scenario with (default 10; a run directory is one run)."),
    ] = None,
    log: Annotated[
        Path | None,
        typer.Option("--log", help="A documented log whose observations to score (default: the prelude's)."),
    ] = None,
    csv: Annotated[Path | None, typer.Option(help="Also write the rows as CSV.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Score each documented observation against the simulated staffing of its posts and roles:
    the median and 10-90% range over the seeds, the error of a count or flow, how many seeds meet
    a bound or a target (a cap is never scored as a count), and the MAPE over counts."""
    from sim.analysis.score import ScoreError

    if seeds is not None and not 1 <= seeds <= MAX_SEEDS:
        _fail([f"--seeds: {seeds} is not between 1 and {MAX_SEEDS}"])
    if csv is not None:
        _check_output_file(csv, "--csv")
    try:
        result, where = _score_target(target, seeds, log)
    except InputError as exc:
        _input_error(exc)
    except ScoreError as exc:
        _fail([f"{where_of(target, log)}: {exc}"])
    if as_json:
        _print_json(result.as_dict())
    else:
        _print_table(result, where)
    if csv is not None:
        try:
            csv.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(csv, rows_csv(result))
        except OSError as exc:
            _fail([f"--csv: {write_failure(csv, exc)}"])
        typer.echo(f"{len(result.rows)} figures -> {csv}", err=as_json)


def where_of(target: Path, log: Path | None) -> str:
    """The file a scoring problem is reported against: the log if given, else the scenario's
    prelude (where its observations are written), else the target."""
    if log is not None:
        return str(log)
    if target.is_file():
        from sim.scenario.loading import load_scenario

        prelude = load_scenario(target).prelude
        if prelude is not None:
            return str(target.parent / prelude)
    return str(target)


def _score_target(target: Path, seeds: int | None, log: Path | None) -> tuple[Score, str]:
    from sim.analysis.score import score_logs, score_scenario
    from sim.scenario.documented import load_seeds

    observations = load_seeds(log).observations if log is not None else None
    if target.is_dir():
        if seeds is not None and seeds > 1:
            _fail([f"--seeds: {target} holds one run; give its scenario file to score {seeds} seeds"])
        from sim.analysis.report_data import ReportError, load_run_data

        try:
            run = load_run_data(target, [])
        except ReportError as exc:
            _fail([str(exc)])
        if observations is None:
            if run.scenario is None:
                name = run.manifest.get("scenario", "?")
                _fail([f"{target}: its scenario ({name}) was not found; give the observations with --log"])
            observations = tuple(run.observations)
        _need(observations, target, log)
        start, end = run.roles.index[0].date(), run.roles.index[-1].date()
        seed = int(run.manifest.get("seed", 0))
        return score_logs([run.log], start, observations, [seed], end), f"{target} (seed {seed})"
    from sim.scenario.loading import load_scenario

    scenario = load_scenario(target)
    if observations is None:
        observations = scenario.prelude_log.observations if scenario.prelude_log is not None else ()
    _need(observations, target, log)
    n = seeds if seeds is not None else 10
    return score_scenario(scenario, observations, n), f"{scenario.name}, {n} seeds from {scenario.seed}"


def _need(observations: Any, target: Path, log: Path | None) -> None:
    if not observations:
        source = log if log is not None else f"{target}'s documented log (its prelude)"
        _fail([f"{source}: no observations to score (give a log that has some with --log)"])


def _print_table(result: Score, where: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from sim.analysis.score import TABLE_COLUMNS, table_rows

    table = Table(title=f"documented figures against {where}")
    for column in TABLE_COLUMNS:
        table.add_column(column, justify="right" if column in ("figure", "median") else "left")
    for row in table_rows(result):
        table.add_row(*row)
    console = Console(width=160)
    console.print(table)
    for kind in ("count", "flow"):
        mape = result.mape(kind)
        n = sum(1 for row in result.rows if row.obs.kind == kind and row.percent_error() is not None)
        typer.echo(f"MAPE over {kind}s: " + ("none scored" if mape is None else f"{mape:.1f}% ({n} {kind}s)"))


def rows_csv(result: Score) -> str:
    """The rows of ``--json`` as CSV (lists joined by ``+``), one line per figure."""
    rows = [row.as_dict() for row in result.rows]
    out = io.StringIO()
    writer = csv_module.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: "+".join(v) if isinstance(v, list) else ("" if v is None else v) for k, v in row.items()}
        )
    return out.getvalue()
