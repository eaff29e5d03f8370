"""``sim check POLICY``: the invariant suite with the user's policy (registered on ``sim.cli.main``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.app import EXIT_FAILED, JsonOption, _fail, _print_json, _seed_option, app


@app.command()
def check(
    policy: Annotated[
        str,
        typer.Argument(
            help="NAME[:key=value,...] of a registered policy, or file:PATH.py:Class[:key=value,...].",
            show_default=False,
        ),
    ],
    examples: Annotated[int, typer.Option(help="Generated scenarios per property.")] = 50,
    seed: Annotated[
        str, typer.Option(help="Seed of the search (the same seed finds the same examples).")
    ] = "0",
    out: Annotated[Path, typer.Option(help="Where counterexample scenarios are written.")] = Path("."),
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Check only this property; repeatable (default: all).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check conservation, deadlines, replay, determinism, causality, symmetry and forks over
    generated scenarios in which POLICY plays one side or both; exit 1 and write the shrunk
    counterexample as a scenario file if any property fails."""
    from sim.analysis.game import PolicySpecError, make
    from sim.testing.check import PROPERTIES
    from sim.testing.check import check as run_checks

    if not 1 <= examples <= 100_000:
        _fail([f"--examples: {examples} is not between 1 and 100000"])
    search_seed = _seed_option(seed)
    unknown = sorted(set(only or ()) - set(PROPERTIES))
    if unknown:
        _fail([f"--only: {unknown[0]!r} is not one of {', '.join(PROPERTIES)}"])
    if not out.is_dir():
        _fail([f"--out: {out} is not a directory"])
    try:
        chosen = make(policy)
    except PolicySpecError as exc:
        _fail([f"POLICY: {exc}"])
    outcomes = run_checks(chosen, examples=examples, seed=search_seed, out_dir=out, only=tuple(only or ()))
    if as_json:
        fields = ("message", "counterexample", "fork")
        rows = [
            {"property": o.name, "passed": o.passed, **{k: getattr(o, k) or None for k in fields}}
            for o in outcomes
        ]
        _print_json(rows)
    for outcome in [] if as_json else outcomes:
        status = "passed" if outcome.passed else "FAILED"
        line = f"{outcome.name:<13} {status}"
        if not outcome.passed:
            line += f": {outcome.message}"
            if outcome.counterexample is not None:
                line += f"\n{'':<14}counterexample: {outcome.counterexample} (sim run it)"
            if outcome.fork is not None:
                line += f"\n{'':<14}its fork:       {outcome.fork} (sim run both and compare their events)"
        typer.echo(line)
    if not all(outcome.passed for outcome in outcomes):
        raise typer.Exit(EXIT_FAILED)
