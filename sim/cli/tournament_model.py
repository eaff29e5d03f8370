"""``sim tournament --model SCENARIO``: the command's model half (see ``sim.games.tournament_model``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from sim.cli.options import bar_for, check_out, fail, guarded, print_ranking, whole, write_files
from sim.cli.options import executor as make_executor

MODEL_FILES = ("games.parquet", "games.csv", "ranking.csv", "matrix.png", "scores.png")


def model_tournament(
    scenario: Path,
    policies: list[str],
    seeds: str | None,
    metric: str | None,
    seed: int,
    workers: str | None,
    scheduler: str | None,
    out: Path | None,
    progress: bool,
    as_json: bool,
) -> None:
    """Check, run, write and print a model tournament; every problem is one line."""
    from sim.games.tournament import TournamentError
    from sim.games.tournament_model import DEFAULT_SEEDS, MAX_SEEDS, plan_model_tournament
    from sim.infra.errors import InputError

    count = whole("--seeds", seeds, 1, MAX_SEEDS) if seeds is not None else DEFAULT_SEEDS
    try:
        plan = plan_model_tournament(scenario, policies or None, count, seed, metric or "final_staffing")
    except InputError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(2) from None
    except TournamentError as exc:
        raise fail(str(exc)) from None
    target = out if out is not None else Path("reports") / f"{scenario.stem}-tournament"
    check_out(target, "tournament", MODEL_FILES)
    pool = make_executor(workers, scheduler)
    runs = len(plan.variants) * len(plan.seeds)
    typer.echo(
        f"{plan.scenario.name}: {len(plan.players)} policies, {len(plan.variants)} pairs x"
        f" {len(plan.seeds)} seeds = {runs:,} runs on {pool.name} -> {target}/",
        err=True,
    )
    from sim.games.tournament_model import play_model_tournament

    result = guarded(lambda: play_model_tournament(plan, pool, bar_for(progress, "pairs")), pool)
    files = write_files(lambda: write_model(result, target), target)
    if as_json:
        typer.echo(json.dumps({"tournament": plan.manifest(), "ranking": result.summary()}, indent=2))
        return
    print_model_ranking(result)
    typer.echo("files -> " + ", ".join(str(path) for path in files))


def title(plan: Any) -> str:
    return (
        f"Tournament in the model: {plan.scenario.name}, {len(plan.players)} policies,"
        f" {len(plan.seeds)} seeds per pair; ranked by {plan.metric}"
    )


def print_model_ranking(result: Any) -> None:
    columns = (
        ("rank", "rank", "d"),
        ("policy", "policy", "s"),
        ("mean", f"mean {result.plan.metric}", ".1f"),
        ("sd", "sd", ".1f"),
        ("wins", "wins", "d"),
        ("final_staffing", "final staffing", ".1f"),
        ("hostile_acts", "hostile acts taken", ".1f"),
        ("opponent_hostile_acts", "hostile acts suffered", ".1f"),
    )
    from sim.games.tournament_model import METRICS

    print_ranking(result.ranking, title(result.plan), columns)
    typer.echo(
        f"{result.plan.metric}: {METRICS[result.plan.metric][2]}, averaged over games against the others"
    )


def write_model(result: Any, out: Path) -> list[Path]:
    from sim.games.charts import box_figure, matrix_figure
    from sim.games.files import csv_writer, figure_writer, parquet_writer
    from sim.games.tournament_model import METRICS
    from sim.infra.result_dir import write_result_dir

    plan = result.plan
    what = METRICS[plan.metric][2]
    settings = f"{plan.scenario.name}, {len(plan.seeds)} seeds per pair"
    decimals = {"mean": 2, "sd": 2, "final_staffing": 2, "hostile_acts": 2, "opponent_hostile_acts": 2}
    writers = {
        "games.parquet": parquet_writer(result.games),
        "games.csv": csv_writer(result.games, {}),
        "ranking.csv": csv_writer(result.ranking, decimals),
        "matrix.png": figure_writer(
            matrix_figure,
            result.matrix,
            title=f"Mean {plan.metric} ({what}) of the row policy against the column policy\n{settings}",
            label=plan.metric,
            decimals=0 if result.matrix.abs().max().max() >= 100 else 1,
        ),
        "scores.png": figure_writer(
            box_figure,
            result.scores[list(result.ranking["policy"])],
            title=f"Each policy's mean {plan.metric} against the others, one dot per seed\n{settings}",
            label=f"{plan.metric} ({what})",
        ),
    }
    return write_result_dir(out, "tournament", writers, {**plan.manifest(), "ranking": result.summary()})
