"""``sim moran``: Moran processes over the policy library, fixation probabilities measured
beside the neutral (and, for two policies, the exact) value.

Registered on the ``sim`` app by the imports at the bottom of ``sim/cli/main.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from sim.cli.app import app
from sim.cli.options import bar_for, check_out, fail, guarded, print_ranking, real, whole, write_files
from sim.cli.options import executor as make_executor

MORAN_FILES = ("fixation.csv", "runs.csv", "fixation.png", "population.png")


@app.command()
def moran(
    population: Annotated[
        list[str] | None,
        typer.Argument(
            help="The starting population: POLICY (one individual) or 'K*POLICY' (K of them); "
            "default: one of each policy of the library.",
            show_default=False,
        ),
    ] = None,
    rounds: Annotated[str, typer.Option(metavar="INTEGER", help="Rounds per match.")] = "200",
    noise: Annotated[str, typer.Option(metavar="FLOAT", help="Chance that each move is flipped.")] = "0",
    repetitions: Annotated[
        str, typer.Option(metavar="INTEGER", help="Independent processes, each run to fixation.")
    ] = "1000",
    samples: Annotated[
        str,
        typer.Option(
            metavar="INTEGER", help="Matches played per pair of stochastic policies (or under noise)."
        ),
    ] = "20",
    seed: Annotated[
        str, typer.Option(metavar="INTEGER", help="Seed of the matches and the processes.")
    ] = "0",
    workers: Annotated[
        str | None, typer.Option(metavar="INTEGER", help="Local worker processes (default: CPUs, at most 8).")
    ] = None,
    scheduler: Annotated[str | None, typer.Option(help="Run on the Dask cluster at tcp://HOST:PORT.")] = None,
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("reports/moran"),
    progress: Annotated[bool, typer.Option(help="Show the progress bar.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the fixation table as JSON.")] = False,
) -> None:
    """Run Moran processes (birth by fitness, death at random, as the Axelrod library's) to
    fixation, and tabulate how often each policy takes over the population.

    Fitness is an individual's summed payoff per round against every other individual. The
    table shows each policy's measured fixation probability with its 95% interval, its
    initial share (the neutral value: what drift alone gives) and, for two deterministic
    policies, the exact value.

    Writes fixation.csv, runs.csv (each process's winner and steps), fixation.png and
    population.png (the first process).
    """
    from sim.games.moran import plan_moran, play_moran
    from sim.games.tournament import TournamentError

    try:
        plan = plan_moran(
            population or None,
            rounds=whole("--rounds", rounds, 1, 10**7),
            noise=real("--noise", noise, 0.0, 1.0),
            repetitions=whole("--repetitions", repetitions, 1, 1_000_000),
            seed=whole("--seed", seed, 0, 2**63 - 1),
            samples=whole("--samples", samples, 1, 1000),
        )
    except TournamentError as exc:
        raise fail(str(exc)) from None
    check_out(out, "moran", MORAN_FILES)
    from sim.games.tournament import nondeterministic, plan_tournament

    probe = plan_tournament(list(plan.specs), rounds=plan.rounds, repetitions=1, noise=plan.noise)
    wrong = guarded(lambda: nondeterministic(probe))
    if wrong:
        raise fail(wrong)
    pool = make_executor(workers, scheduler)
    typer.echo(
        f"a population of {plan.population}: {plan.repetitions:,} processes on {pool.name} -> {out}/",
        err=True,
    )
    result = guarded(lambda: play_moran(plan, pool, bar_for(progress, "processes")), pool)
    files = write_files(lambda: write_moran(result, out), out)
    if as_json:
        typer.echo(json.dumps({"moran": plan.manifest(), "fixation": result.summary()}, indent=2))
        return
    print_fixation(result)
    typer.echo("files -> " + ", ".join(str(path) for path in files))


def print_fixation(result: Any) -> None:
    plan = result.plan
    title = (
        f"Moran process: a population of {plan.population}, {plan.repetitions:,} processes, "
        f"{plan.rounds:,} rounds per match, noise {plan.noise:g}, seed {plan.seed}"
    )
    table = result.fixation.assign(
        interval=[
            f"{lo:.3f} - {hi:.3f}"
            for lo, hi in zip(result.fixation["ci_low"], result.fixation["ci_high"], strict=True)
        ],
        exact=[
            "-" if value is None or value != value else f"{value:.3f}"
            for value in result.fixation["analytic"]
        ],
    )
    columns = (
        ("policy", "policy", "s"),
        ("initial", "initial", "d"),
        ("fixations", "fixations", "d"),
        ("probability", "fixation probability", ".3f"),
        ("interval", "95% interval", "s"),
        ("neutral", "neutral (k/N)", ".3f"),
        ("exact", "exact", "s"),
    )
    print_ranking(table, title, columns)
    unfixed = int(result.runs["winner"].isna().sum())
    if unfixed:
        typer.echo(f"note: {unfixed:,} processes had not fixed after the step limit", err=True)


def write_moran(result: Any, out: Path) -> list[Path]:
    """fixation.csv, runs.csv and the two figures, swapped in whole."""
    from sim.games.charts import fixation_figure, population_figure
    from sim.games.files import csv_writer, figure_writer
    from sim.infra.result_dir import write_result_dir

    plan = result.plan
    settings = f"a population of {plan.population}, {plan.rounds:,} rounds per match, noise {plan.noise:g}"
    decimals = {"probability": 4, "ci_low": 4, "ci_high": 4, "neutral": 4, "analytic": 4, "mean_steps": 1}
    writers = {
        "fixation.csv": csv_writer(result.fixation, decimals),
        "runs.csv": csv_writer(result.runs, {}),
        "fixation.png": figure_writer(
            fixation_figure,
            result.fixation,
            title=f"How often each policy takes over: {plan.repetitions:,} Moran processes\n{settings}",
        ),
        "population.png": figure_writer(
            population_figure,
            result.history,
            title=f"One Moran process (the first of {plan.repetitions:,}), {settings}",
        ),
    }
    manifest = {**plan.manifest(), "fixation": result.summary()}
    return write_result_dir(out, "moran", writers, manifest)
