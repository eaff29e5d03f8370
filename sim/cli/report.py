"""``sim graph`` and ``sim report``: the escalation graph of a run, and the self-contained
HTML report of one run or a fork with its base. Registered on ``sim.cli.main.app``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sim.cli.app import EXIT_INPUT, _check_output_file, _fail, app
from sim.infra.paths import output_file_problem, write_failure

if TYPE_CHECKING:
    from sim.analysis.figure_style import FigureOptions
    from sim.store.replay import Replay

from sim.cli.figures import (
    DpiOption,
    FontScaleOption,
    FormatOption,
    FromOption,
    TitleOption,
    ToOption,
    figure_options,
)


@app.command()
def graph(
    run_dir: Annotated[Path, typer.Argument(help="A directory written by 'sim run'.", show_default=False)],
    fmt: Annotated[str, typer.Option("--format", help="svg, png, dot, graphml or json.")] = "svg",
    out: Annotated[
        Path | None, typer.Option(help="File to write (default: RUN_DIR/escalation.FORMAT).")
    ] = None,
    dpi: DpiOption = "200",
    date_from: FromOption = None,
    date_to: ToOption = None,
    font_scale: FontScaleOption = "1",
    title: TitleOption = None,
) -> None:
    """The escalation graph: acts as nodes, answers as edges (from each act's cause); chains and depth."""
    from sim.analysis import graph as graphs
    from sim.infra.atomic import write_atomic

    if fmt not in graphs.FORMATS:
        _fail([f"--format: {fmt!r} is not one of {', '.join(graphs.FORMATS)}"])
    figure = figure_options(None, dpi, date_from, date_to, font_scale, title)
    replayed = _load(run_dir)
    target = out if out is not None else run_dir / f"escalation.{fmt}"
    wrong = output_file_problem(target)
    if wrong:
        _fail([f"--out: {wrong}"])
    built = graphs.build_graph(replayed.log, replayed.start)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if fmt in ("png", "svg"):
            import matplotlib.pyplot as plt

            from sim.analysis.graph_draw import draw_graph

            name = replayed.info.scenario_name
            fig = draw_graph(built, [target], f"{name}: who answered whom", figure)
            plt.close(fig)
        else:
            writer = {"dot": graphs.to_dot, "graphml": graphs.to_graphml, "json": graphs.to_json}[fmt]
            write_atomic(target, writer(built))
    except OSError as exc:
        _fail([f"--out: {write_failure(target, exc)}"])
    typer.echo(graphs.summary(built))
    typer.echo(f"graph -> {target}")


def _load(run_dir: Path) -> Replay:
    from sim.store.replay import ReplayError, load_replay

    if not run_dir.is_dir():
        _fail([f"{run_dir}: no such run directory"])
    try:
        return load_replay(run_dir)
    except ReplayError as exc:
        _fail([str(exc)], exc.code)
    except OSError as exc:
        _fail([f"{run_dir}: cannot read its event store ({exc.strerror or exc})"], EXIT_INPUT)


@app.command()
def report(
    run_dirs: Annotated[
        list[Path],
        typer.Argument(help="One run, or a fork and its base ('sim run' directories).", show_default=False),
    ],
    out: Annotated[Path, typer.Option(help="The HTML file to write (atomically).")] = Path("report.html"),
    scenario: Annotated[
        list[Path] | None,
        typer.Option("--scenario", help="A run's scenario file, if not scenarios/NAME.yaml; repeatable."),
    ] = None,
    fmt: FormatOption = None,
    dpi: DpiOption = "200",
    date_from: FromOption = None,
    date_to: ToOption = None,
    font_scale: FontScaleOption = "1",
    title: TitleOption = None,
) -> None:
    """One self-contained HTML report (works offline): scenario, interactive staffing, acts with
    their sources, escalation graph, summary tables. With --format, also the staffing figure
    of each run beside the report (REPORT-RUN.FORMAT)."""
    from sim.analysis.report import render
    from sim.analysis.report_data import ReportError, load_run_data, order_runs
    from sim.infra.atomic import write_atomic

    figure = figure_options(fmt, dpi, date_from, date_to, font_scale, title)
    if out.is_dir() or out.suffix.lower() not in (".html", ".htm"):
        _fail([f"--out: {out} must be an .html file"])
    _check_output_file(out, "--out", run_dirs)
    runs = []
    for run_dir in run_dirs:
        try:
            runs.append(load_run_data(run_dir, list(scenario or [])))
        except ReportError as exc:
            _fail([str(exc)])
    labels = [run.label for run in runs]
    if len(set(labels)) != len(labels):
        _fail(["report: two run directories have the same name; give each run its own directory name"])
    runs = order_runs(runs)
    page = render(runs, title)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, page)
        if fmt is not None:
            _figures(runs, out, figure)
    except OSError as exc:
        _fail([f"--out: {write_failure(out, exc)}"])
    typer.echo(f"{len(runs)} run{'s' if len(runs) > 1 else ''}, {len(page) / 1e6:.1f} MB -> {out}")


def _figures(runs: list, out: Path, figure: FigureOptions) -> None:
    """The paper figure of each run, next to the report (``--format``)."""
    import matplotlib.pyplot as plt

    from sim.analysis.charts import staffing_chart
    from sim.analysis.charts_many import many_missions_chart
    from sim.analysis.projections import paired, staffing_changes

    for run in runs:
        missions = run.missions
        changes = staffing_changes(run.log, missions, run.start)
        end = run.roles.index[-1].date()
        horizon = (end - run.start).days
        fork_day = (run.fork_date - run.start).days if run.fork_date else None
        path = out.with_name(f"{out.stem}-{run.label}.{figure.formats[0]}")
        name = run.manifest.get("scenario", run.label)
        if paired(missions):  # more than two states: a panel per pair, as sim run draws them
            dates = f"{run.start} to {end} (seed {run.manifest['seed']})"
            fig = many_missions_chart(changes, run.start, horizon, f"{name}: {dates}", [path], figure)
            plt.close(fig)
            typer.echo(f"figure -> {path}")
            continue
        fig = staffing_chart(
            changes,
            run.log,
            missions,
            run.start,
            horizon,
            title=f"{name}: staffing of both missions, {run.start} to {end} (seed {run.manifest['seed']})",
            observations=run.observations,
            paths=[path],
            fork_day=fork_day,
            options=figure,
        )
        plt.close(fig)
        typer.echo(f"figure -> {path}")
