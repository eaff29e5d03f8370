"""``sim run``, ``validate``, ``schema``, ``replay``, ``export``, ``compare`` and ``history``: the
commands over one scenario or stored run. Heavy libraries (pandas, matplotlib) are imported
inside the commands that need them, so ``sim --help`` stays quick."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.app import (
    EXIT_FAILED,
    EXIT_INPUT,
    JsonOption,
    _check_output_file,
    _date_option,
    _fail,
    _input_error,
    _print_json,
    _seed_option,
    _unwritable,
    app,
)
from sim.cli.figures import (
    DpiOption,
    FontScaleOption,
    FormatOption,
    FromOption,
    TitleOption,
    ToOption,
    figure_options,
)
from sim.infra.errors import InputError
from sim.infra.outdir import OutputDirError
from sim.infra.paths import write_failure


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)],
    seed: Annotated[
        str | None, typer.Option(metavar="INTEGER", help="Override the scenario's seed (>= 0).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: reports/<scenario file stem>/).")
    ] = None,
    progress: Annotated[
        bool, typer.Option(help="Show a progress bar of simulated days (only on a terminal).")
    ] = True,
    fmt: FormatOption = None,
    dpi: DpiOption = "200",
    date_from: FromOption = None,
    date_to: ToOption = None,
    font_scale: FontScaleOption = "1",
    title: TitleOption = None,
    as_json: JsonOption = False,
) -> None:
    """Simulate SCENARIO and write the event log, staffing table, chart and manifest.

    Writes events.sqlite, events.parquet, staffing.csv, staffing.png, staffing.svg and
    manifest.json, all at once: an interrupted run leaves the previous outputs untouched.
    """
    from sim.app.runner import run_scenario
    from sim.infra.progress import day_bar
    from sim.policies.guard import PolicyError
    from sim.scenario.loading import load_scenario

    seed_value = _seed_option(seed) if seed is not None else None
    figure = figure_options(fmt, dpi, date_from, date_to, font_scale, title)
    try:
        loaded = load_scenario(scenario)
    except InputError as exc:
        _input_error(exc)
    target = out if out is not None else Path("reports") / scenario.stem
    wrong = _unwritable(target)  # run_scenario itself refuses a folder no run wrote, before any work
    if wrong:
        _fail([f"--out: {wrong}"])
    bar = day_bar(loaded.horizon, loaded.name, progress)
    try:
        result = run_scenario(loaded, target, seed=seed_value, on_day=bar.day if bar else None, figure=figure)
    except (OutputDirError, PolicyError) as exc:
        _fail([f"--out: {exc}" if isinstance(exc, OutputDirError) else str(exc)])
    except (OSError, sqlite3.Error) as exc:
        _fail([f"--out: {write_failure(target, exc)}"])
    finally:
        if bar is not None:
            bar.stop()
    if as_json:
        keys = ("scenario", "seed", "start", "end", "events", "log_sha256", "final_headcounts")
        summary = {k: result.manifest[k] for k in keys}
        _print_json({"run": summary, "metrics": result.metrics, "out": str(result.out_dir)})
        return
    _print_summary(result)


def _print_summary(result: object) -> None:
    from rich.console import Console
    from rich.table import Table

    manifest = result.manifest  # type: ignore[attr-defined]
    table = Table(
        title=f"{manifest['scenario']}  {manifest['start']} to {manifest['end']}  seed {manifest['seed']}"
    )
    columns = [
        ("mission", "mission"),
        ("start", "start"),
        ("end", "end"),
        ("minimum", "min"),
        ("minimum_date", "min on"),
        ("arrivals", "arrived"),
        ("departures", "left"),
        ("expelled", "expelled"),
        ("left_under_rotation_limit", "rotation limit"),
        ("hostile_acts_by_side", "hostile acts"),
    ]
    for _, title in columns:
        table.add_column(title, justify="right" if title != "mission" else "left")
    rows = list(result.metrics)  # type: ignore[attr-defined]
    shown, hidden = _one_screen(rows)
    for row in shown:
        table.add_row(*(str(row[key]) for key, _ in columns))
    if len(rows) > 2:  # more than two states: the whole run's totals, and what was left out
        if hidden:
            table.add_row(f"... {hidden} more", *([""] * (len(columns) - 1)), style="dim")
        summed = {"start", "end", "arrivals", "departures", "expelled", "left_under_rotation_limit"}
        totals = [str(sum(row[key] for row in rows)) if key in summed else "" for key, _ in columns[1:]]
        totals[-1] = str(sum(row["hostile_acts_by_side"] for row in rows))
        table.add_row(f"all {len(rows)} missions", *totals, style="bold", end_section=True)
    console = Console(width=120)
    console.print(table)
    console.print(
        f"{manifest['events']:,} events, log sha256 {manifest['log_sha256'][:16]}... -> {result.out_dir}/"  # type: ignore[attr-defined]
    )


#: Missions listed by ``sim run`` before the rest are summed up (one screen of a terminal).
SUMMARY_ROWS = 15


def _one_screen(rows: list[dict[str, object]]) -> tuple[list[dict[str, object]], int]:
    """The missions to list and how many are left out: with more than two states, the most
    expelled first (then by name), at most ``SUMMARY_ROWS``; two missions as they are."""
    if len(rows) <= 2:
        return rows, 0
    ordered = sorted(rows, key=lambda row: (-int(row["expelled"]), -int(row["start"]), str(row["mission"])))  # type: ignore[call-overload]
    return ordered[:SUMMARY_ROWS], max(0, len(ordered) - SUMMARY_ROWS)


@app.command()
def validate(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Scenario files or documented logs (YAML).", show_default=False)
    ],
) -> None:
    """Check scenario files and documented logs; print 'ok' per valid file, FILE:LINE:COL lines
    otherwise (exit 2). A documented log (title, sides, acts) is recognised and checked as one."""
    from sim.scenario.documented import is_documented_log, load_seeds
    from sim.scenario.loading import load_scenario

    failed = False
    for path in scenarios:
        log = is_documented_log(path)
        try:
            load_seeds(path) if log else load_scenario(path)
        except InputError as exc:
            failed = True
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
            continue
        typer.echo(f"{path}: ok (documented log)" if log else f"{path}: ok")
    if failed:
        raise typer.Exit(EXIT_INPUT)


@app.command()
def schema(
    log: Annotated[bool, typer.Option("--log", help="The documented log's schema instead.")] = False,
) -> None:
    """Print the scenario JSON Schema, or a documented log's (for editors that validate YAML as you type)."""
    from sim.scenario.schema import log_schema, scenario_schema

    typer.echo(json.dumps(log_schema() if log else scenario_schema(), indent=2, sort_keys=True))


@app.command()
def replay(
    run_dir: Annotated[Path, typer.Argument(help="A directory written by 'sim run'.", show_default=False)],
    at: Annotated[
        list[str] | None,
        typer.Option("--at", help="Date (YYYY-MM-DD) to report; repeatable (default: the end)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Fold RUN_DIR's stored log and print headcounts; exit 1 if it differs from the recorded state."""
    from sim.store.replay import ReplayError, load_replay

    dates: list[dt.date] = []
    for text in at or []:
        try:
            dates.append(dt.date.fromisoformat(text))
        except ValueError:
            _fail([f"--at: {text!r} is not a date (YYYY-MM-DD)"])
    try:
        replayed = load_replay(run_dir)
    except ReplayError as exc:
        _fail([str(exc)], exc.code)
    start = replayed.start
    end = dt.date.fromisoformat(replayed.info.end_date)
    for date in dates:
        if not start <= date <= end:
            _fail([f"--at: {date} is outside the run ({start} to {end})"])
    wrong = replayed.mismatch()
    if as_json:
        rows = [
            {"date": date.isoformat(), "mission": mission, "headcount": sum(roles.values()), "roles": roles}
            for date in dates or [end]
            for mission, roles in replayed.headcounts_at(date).items()
        ]
        _print_json({"headcounts": rows, "events": len(replayed.log), "replay_ok": not wrong})
    for date in [] if as_json else dates or [end]:
        counts = replayed.headcounts_at(date)
        for mission, roles in counts.items():
            parts = ", ".join(f"{role} {n}" for role, n in roles.items())
            typer.echo(f"{date}  {mission}: {sum(roles.values())} ({parts})")
    if wrong:
        typer.echo(f"{run_dir}: replay failed: {wrong}", err=True)
        raise typer.Exit(EXIT_FAILED)
    if not as_json:
        typer.echo(f"replay ok: {len(replayed.log):,} events fold to the recorded final state")


@app.command()
def export(
    run_dir: Annotated[Path, typer.Argument(help="A directory written by 'sim run'.", show_default=False)],
    fmt: Annotated[
        str, typer.Option("--format", help="jsonl (the canonical log: its sha256 is log_sha256) or csv.")
    ] = "jsonl",
    out: Annotated[
        Path | None, typer.Option(help="File to write (atomically); default: standard output.")
    ] = None,
    codes: Annotated[
        bool, typer.Option("--codes", help="One row per act with its CAMEO and PLOVER codes.")
    ] = False,
) -> None:
    """Export RUN_DIR's stored event log as JSON Lines or CSV, after checking it against the run's record."""
    from sim.analysis.export import FORMATS, export_text
    from sim.infra.atomic import write_atomic
    from sim.store.replay import ReplayError, load_replay

    if fmt not in FORMATS:
        _fail([f"--format: {fmt!r} is not one of {', '.join(FORMATS)}"])
    if out is not None:
        _check_output_file(out, "--out", [run_dir])
    try:
        replayed = load_replay(run_dir)
    except ReplayError as exc:
        _fail([str(exc)], exc.code)
    wrong = replayed.mismatch()
    if wrong:
        _fail([f"{run_dir}: {wrong}; nothing exported"], EXIT_FAILED)
    text = export_text(replayed.log, replayed.start, fmt, codes)
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, text)
    except OSError as exc:
        _fail([f"--out: {write_failure(out, exc)}"])
    typer.echo(f"{len(replayed.log):,} events -> {out}", err=True)


@app.command()
def compare(
    run_dirs: Annotated[
        list[Path], typer.Argument(help="Two or more 'sim run' directories.", show_default=False)
    ],
    out: Annotated[Path, typer.Option(help="Chart file (.png, .svg or .pdf).")] = Path("reports/compare.png"),
    at: Annotated[
        list[str] | None,
        typer.Option(
            "--at", help="Date (YYYY-MM-DD) for the table; repeatable (default: the fork dates and the end)."
        ),
    ] = None,
    fmt: FormatOption = None,
    dpi: DpiOption = "200",
    date_from: FromOption = None,
    date_to: ToOption = None,
    font_scale: FontScaleOption = "1",
    title: TitleOption = None,
    as_json: JsonOption = False,
) -> None:
    """Overlay the staffing of several runs (fork dates marked) and tabulate their differences."""
    from sim.analysis.charts_compare import compare_chart
    from sim.analysis.compare import CompareError, default_dates, differences, load_run, unrelated

    if len(run_dirs) < 2:
        _fail(["compare needs at least two run directories"])
    figure = figure_options(fmt, dpi, date_from, date_to, font_scale, title)
    out = out.with_suffix(f".{fmt}") if fmt else out
    if out.suffix not in (".png", ".svg", ".pdf"):
        _fail([f"--out: {out} must end in .png, .svg or .pdf (a file name such as compare.png)"])
    _check_output_file(out, "--out", list(run_dirs))
    dates = [_date_option(text) for text in at or []]
    runs = []
    for run_dir in run_dirs:
        try:
            runs.append(load_run(run_dir))
        except CompareError as exc:
            _fail([str(exc)])
        except OSError as exc:
            _fail([f"{run_dir}: cannot read its outputs ({exc.strerror or exc})"])
    first = min(run.totals.index[0] for run in runs).date()
    last = max(run.totals.index[-1] for run in runs).date()
    for date in dates:
        if not first <= date <= last:
            _fail([f"--at: {date} is outside the runs ({first} to {last})"])
    table = differences(runs, dates or default_dates(runs))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        compare_chart(runs, out, figure)
    except OSError as exc:
        _fail([f"--out: {write_failure(out, exc)}"])
    for line in unrelated(runs):
        typer.echo(line, err=True)
    if as_json:
        _print_json({"differences": json.loads(table.to_json(orient="records")), "chart": str(out)})
        return
    typer.echo(table.to_string(index=False))
    typer.echo(f"chart -> {out}")


@app.command()
def history(
    seeds_log: Annotated[Path, typer.Argument(help="A documented log (seeds/*.yaml).", show_default=False)],
    csv: Annotated[
        Path | None, typer.Option(help="Also export the table, with CAMEO and PLOVER codes.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Print a documented log's acts (date, actor, kind, size, deadline, answered act, source)."""
    from rich.console import Console
    from rich.table import Table

    from sim.analysis.history import history_frame, write_csv
    from sim.scenario.documented import load_seeds

    if csv is not None:
        _check_output_file(csv, "--csv")
    try:
        log = load_seeds(seeds_log)
    except InputError as exc:
        _input_error(exc)
    frame = history_frame(log)
    if as_json:
        acts = json.loads(frame.to_json(orient="records", date_format="iso"))
        _print_json({"title": log.title, "acts": acts})
    table = Table(title=log.title)
    for column in ("id", "date", "actor", "kind", "size", "deadline", "answers", "cameo", "source"):
        table.add_column(column, overflow="fold", max_width=60 if column == "source" else None)
    for row in frame.itertuples(index=False):
        table.add_row(
            *(
                str(getattr(row, c))
                for c in ("id", "date", "actor", "kind", "size", "deadline", "answers", "cameo", "source")
            )
        )
    if not as_json:
        Console(width=160).print(table)
    if csv is not None:
        try:
            write_csv(frame, csv)
        except OSError as exc:
            _fail([f"--csv: {write_failure(csv, exc)}"])
        typer.echo(f"{len(frame)} acts -> {csv}", err=as_json)
