"""``sim policies`` and ``sim game``: the policy library and the repeated game on the command line.

Registered on the main app by the one import at the bottom of ``sim/cli/main.py``. The policy
modules and the game are imported inside the commands, so ``sim --help`` stays quick.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from sim.cli.app import EXIT_INPUT, app


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(EXIT_INPUT)


def _format(value: Any) -> str:
    if isinstance(value, float):
        return "inf" if value == float("inf") else f"{value:.4g}"
    if isinstance(value, tuple):
        return "[" + ",".join(map(str, value)) + "]"
    return str(value)


@app.command()
def policies(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Python files whose policy classes to list too (use them as kind: file:PATH:Class).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list instead of a table.")] = False,
) -> None:
    """List every reciprocity policy (built-in, from installed plugins, and in FILES): its
    classifier, its parameters with their defaults, and where it comes from."""
    from sim.policies import BROKEN, registry
    from sim.policies.plugins import PluginError, origin, policies_in_file

    classes = dict(registry())
    for path in files or ():
        try:
            classes.update(policies_in_file(path))
        except PluginError as exc:
            _fail(str(exc))
    rows = [_row(kind, cls, origin(cls).where) for kind, cls in classes.items()]
    if as_json:
        safe = json.loads(json.dumps(rows, default=_format).replace("Infinity", '"inf"'))
        safe.extend({"name": name, "broken": message} for name, message in sorted(BROKEN.items()))
        typer.echo(json.dumps(safe, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title="Reciprocity policies (use as kind: NAME in a scenario, or NAME:key=value in sim game)"
    )
    for column in ("policy", "stochastic", "memory", "escalatory", "forgiving", "parameters (defaults)"):
        table.add_column(column, overflow="fold")
    for row in rows:
        c = row["classifier"]
        params = ", ".join(f"{k}={_format(v)}" for k, v in row["parameters"].items())
        source = "" if row["source"] == "built-in" else f"\n[dim]from {row['source']}[/dim]"
        table.add_row(
            f"[bold]{row['name']}[/bold]\n{row['summary']}{source}",
            _format(c.get("stochastic")),
            _format(c.get("memory_depth")),
            _format(c.get("escalatory")),
            _format(c.get("forgiving")),
            params or "-",
        )
    console = Console(width=140)
    console.print(table)
    for name, message in sorted(BROKEN.items()):
        typer.echo(f"plugin {name!r} is not usable: {message}", err=True)


def _row(kind: str, cls: type[Any], source: str) -> dict[str, Any]:
    """One policy as ``sim policies`` shows it; a parameter without a default shows as
    ``required``."""
    defaults = {
        name: "required" if field.is_required() else field.get_default(call_default_factory=True)
        for name, field in cls.Params.model_fields.items()
    }
    return {
        "name": kind,
        "summary": (cls.__doc__ or "").strip().splitlines()[0].replace("``", "") if cls.__doc__ else "",
        "classifier": {k: cls.classifier.get(k) for k in sorted(cls.classifier)},
        "parameters": defaults,
        "source": source,
    }


@app.command()
def game(
    policy_a: Annotated[str, typer.Argument(help="Side A's policy, e.g. tit_for_tat.", show_default=False)],
    policy_b: Annotated[
        str, typer.Argument(help="Side B's policy, e.g. generous_tit_for_tat:g=0.3.", show_default=False)
    ],
    rounds: Annotated[int, typer.Option(help="Rounds to play.")] = 200,
    noise: Annotated[float, typer.Option(help="Chance that each move is flipped, 0 to 1.")] = 0.0,
    seed: Annotated[
        int, typer.Option(help="Seed of the game (>= 0): the noise draws and the policies' own draws.")
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Play the repeated game (payoffs R, S, T, P = 3, 0, 5, 1) between two policies.

    Prints each side's average payoff per round and share of hostile moves, and the longest
    retaliation echo (consecutive rounds with exactly one side hostile). Give parameters as
    NAME:key=value,key=value; see 'sim policies' for the names and their parameters.
    """
    from sim.analysis.game import MAX_ROUNDS, PolicySpecError, make, play
    from sim.core.randomness import seed_problem
    from sim.policies.guard import PolicyError

    if not 1 <= rounds <= MAX_ROUNDS:
        _fail(f"--rounds: {rounds} is not between 1 and {MAX_ROUNDS:,}")
    if not 0.0 <= noise <= 1.0:
        _fail(f"--noise: {noise} is not between 0 and 1")
    wrong = seed_problem(seed)
    if wrong:
        _fail(wrong)
    built = []
    for label, text in (("POLICY_A", policy_a), ("POLICY_B", policy_b)):
        try:
            built.append(make(text))
        except PolicySpecError as exc:
            _fail(f"{label}: {exc}")
    try:
        result = play(built[0], built[1], rounds=rounds, noise=noise, seed=seed)
    except PolicyError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result.summary()))
        return
    typer.echo(f"{rounds:,} rounds, noise {noise:g}, seed {seed}")
    width = max(len(policy_a), len(policy_b), 6)
    typer.echo(f"{'side':<4}  {'policy':<{width}}  {'payoff':>7}  {'hostile':>7}")
    for side, text, payoff, rate in (
        ("A", policy_a, result.payoff_a, result.hostile_rate_a),
        ("B", policy_b, result.payoff_b, result.hostile_rate_b),
    ):
        typer.echo(f"{side:<4}  {text:<{width}}  {payoff:>7.3f}  {rate:>7.1%}")
    typer.echo(f"longest retaliation echo: {result.longest_echo} rounds ({len(result.echoes)} echoes)")
