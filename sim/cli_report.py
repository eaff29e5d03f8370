"""``sim graph`` and ``sim report``: the escalation graph of a run, and the self-contained
HTML report of one run or a fork with its base. Registered on ``sim.cli.app``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sim.cli import EXIT_INPUT, _fail, app

if TYPE_CHECKING:
    from sim.replay import Replay

from sim.figure_cli import DpiOption, FontScaleOption, FromOption, TitleOption, ToOption, figure_options


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
    from sim import graph as graphs
    from sim.atomic import write_atomic

    if fmt not in graphs.FORMATS:
        _fail([f"--format: {fmt!r} is not one of {', '.join(graphs.FORMATS)}"])
    figure = figure_options(None, dpi, date_from, date_to, font_scale, title)
    replayed = _load(run_dir)
    target = out if out is not None else run_dir / f"escalation.{fmt}"
    if target.is_dir():
        _fail([f"--out: {target} is a directory"])
    built = graphs.build_graph(replayed.log, replayed.start)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if fmt in ("png", "svg"):
            import matplotlib.pyplot as plt

            from sim.graph_draw import draw_graph

            name = replayed.info.scenario_name
            fig = draw_graph(built, [target], f"{name}: who answered whom", figure)
            plt.close(fig)
        else:
            writer = {"dot": graphs.to_dot, "graphml": graphs.to_graphml, "json": graphs.to_json}[fmt]
            write_atomic(target, writer(built))
    except OSError as exc:
        _fail([f"--out: cannot write {target} ({exc.strerror or exc})"])
    typer.echo(graphs.summary(built))
    typer.echo(f"graph -> {target}")


def _load(run_dir: Path) -> Replay:
    from sim.replay import ReplayError, load_replay

    if not run_dir.is_dir():
        _fail([f"{run_dir}: no such run directory"])
    try:
        return load_replay(run_dir)
    except ReplayError as exc:
        _fail([str(exc)], exc.code)
    except OSError as exc:
        _fail([f"{run_dir}: cannot read its event store ({exc.strerror or exc})"], EXIT_INPUT)
