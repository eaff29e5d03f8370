"""``sim tournament``: round robins of the repeated game, or of the embassy model itself.

Registered on the ``sim`` app by the imports at the bottom of ``sim/cli/main.py``. The machinery
loads when the command runs, so ``sim --help`` stays quick.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from sim.cli.app import app
from sim.cli.options import bar_for, check_out, fail, guarded, print_ranking, real, whole, write_files
from sim.cli.options import executor as make_executor

ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        metavar="SCENARIO",
        help="Play the tournament in the embassy model: each ordered pair of policies on this "
        "symmetric scenario, over --seeds seeds.",
    ),
]


@app.command()
def tournament(
    policies: Annotated[
        list[str] | None,
        typer.Argument(
            help="Policies (NAME, NAME:key=value,..., file:PATH.py:Class); default: the built-in library.",
            show_default=False,
        ),
    ] = None,
    rounds: Annotated[
        str | None, typer.Option(metavar="INTEGER", help="Rounds per match (default: 200).")
    ] = None,
    repetitions: Annotated[
        str | None, typer.Option(metavar="INTEGER", help="Times each match is played (default: 10).")
    ] = None,
    noise: Annotated[
        str | None, typer.Option(metavar="FLOAT", help="Chance that each move is flipped (default: 0).")
    ] = None,
    seed: Annotated[
        str, typer.Option(metavar="INTEGER", help="Tournament seed; every match's derives from it.")
    ] = "0",
    model: ModelOption = None,
    seeds: Annotated[
        str | None, typer.Option(metavar="INTEGER", help="--model: seeds per pair (default: 10).")
    ] = None,
    metric: Annotated[
        str | None,
        typer.Option(help="--model: final_staffing (default), min_staffing or hostile_acts."),
    ] = None,
    workers: Annotated[
        str | None, typer.Option(metavar="INTEGER", help="Local worker processes (default: CPUs, at most 8).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Play on the Dask cluster at tcp://HOST:PORT instead.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Output directory (default: reports/tournament/, or reports/<SCENARIO>-tournament/)."
        ),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show the progress bar.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the ranking as JSON.")] = False,
) -> None:
    """Play every policy against every other and itself; rank them.

    The repeated game (as the Axelrod library's Tournament): mean payoff per round against
    the others, wins, cooperation rate, longest retaliation echo. With --model SCENARIO,
    each ordered pair of policies runs the scenario over seeds, ranked by --metric.

    Writes matches.parquet and matches.csv (every match; games.* with --model),
    ranking.csv, payoffs.png (matrix.png with --model) and scores.png (a boxplot).
    """
    seed_value = whole("--seed", seed, 0, 2**63 - 1)
    if model is not None:
        for name, given in (("--rounds", rounds), ("--repetitions", repetitions), ("--noise", noise)):
            if given is not None:
                raise fail(f"{name}: only for the repeated game; with --model, runs are whole scenarios")
        from sim.cli.tournament_model import model_tournament

        model_tournament(
            model, policies or [], seeds, metric, seed_value, workers, scheduler, out, progress, as_json
        )
        return
    for name, given in (("--seeds", seeds), ("--metric", metric)):
        if given is not None:
            raise fail(f"{name}: only with --model SCENARIO (the repeated game has --repetitions)")
    plan = _game_plan(policies or None, rounds, repetitions, noise, seed_value)
    play_game_tournament(plan, workers, scheduler, out, progress, as_json)


def _game_plan(
    policies: list[str] | None, rounds: str | None, repetitions: str | None, noise: str | None, seed: int
) -> Any:
    from sim.games.tournament import TournamentError, plan_tournament

    try:
        return plan_tournament(
            policies,
            rounds=whole("--rounds", rounds, 1, 10**7) if rounds is not None else 200,
            repetitions=whole("--repetitions", repetitions, 1, 100_000) if repetitions is not None else 10,
            noise=real("--noise", noise, 0.0, 1.0) if noise is not None else 0.0,
            seed=seed,
        )
    except TournamentError as exc:
        raise fail(str(exc)) from None


def play_game_tournament(
    plan: Any, workers: str | None, scheduler: str | None, out: Path | None, progress: bool, as_json: bool
) -> None:
    """Check the folder and the users' policies, play, write, print: the repeated game's half."""
    target = out if out is not None else Path("reports") / "tournament"
    from sim.games.files import TOURNAMENT_FILES

    check_out(target, "tournament", TOURNAMENT_FILES)
    from sim.games.tournament import nondeterministic

    wrong = guarded(lambda: nondeterministic(plan))
    if wrong:
        raise fail(wrong)
    pool = make_executor(workers, scheduler)
    count = len(plan.pairs()) * plan.repetitions
    typer.echo(f"{len(plan.players)} policies: {count:,} matches on {pool.name} -> {target}/", err=True)
    from sim.games.tournament import play_tournament

    result = guarded(lambda: play_tournament(plan, pool, bar_for(progress, "matches")), pool)
    from sim.games.files import write_tournament

    files = write_files(lambda: write_tournament(result, target), target)
    if as_json:
        typer.echo(json.dumps({"tournament": plan.manifest(), "ranking": result.summary()}, indent=2))
        return
    print_ranking(result.ranking, game_title(plan))
    typer.echo("files -> " + ", ".join(str(path) for path in files))


def game_title(plan: Any) -> str:
    from sim.games.files import settings_text

    settings = settings_text(plan.rounds, plan.repetitions, plan.noise, plan.seed)
    return f"Tournament of the repeated game: {len(plan.players)} policies, {settings}"
