"""``sim import``: an expulsions CSV to a documented log (:mod:`sim.scenario.import_log`).

The log is written atomically (a reader sees the old file or the new one, never half of
one) and only where nothing else would be lost: a file already at ``--out`` is replaced if
a previous ``sim import`` wrote it (its first line says so), otherwise only with ``--force``,
since a documented log edited by hand holds work the CSV does not.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.app import JsonOption, _check_output_file, _fail, _input_error, _print_json, app
from sim.cli.options import whole
from sim.infra.errors import InputError
from sim.infra.paths import write_failure


def _replace_problem(out: Path, csv: Path, force: bool) -> str | None:
    """Why ``out`` must not be replaced: it is the CSV itself, or a file sim import did not write."""
    from sim.scenario.import_log import MARK

    if os.path.realpath(out) == os.path.realpath(csv):
        return f"{out} is the CSV being imported"
    if force or not out.is_file():
        return None
    try:
        with out.open("rb") as handle:
            first = handle.read(len(MARK.encode()))
    except OSError as exc:
        return write_failure(out, exc)
    if first != MARK.encode():
        return f"{out} exists and was not written by sim import; not replacing it (--force replaces it)"
    return None


@app.command("import")
def import_(
    csv: Annotated[
        Path,
        typer.Argument(help="A CSV in the columns of expulsions_pre2022.csv.", show_default=False),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="The documented log to write (atomically).", show_default=False)
    ],
    episode: Annotated[
        str | None, typer.Option(help="Import this episode only (default: every row).")
    ] = None,
    coalition_days: Annotated[
        str, typer.Option("--coalition-days", help="Days between the acts of one coalition; 0 infers none.")
    ] = "14",
    deadline_days: Annotated[
        str, typer.Option("--deadline-days", help="Deadline of an order whose source gives none, in days.")
    ] = "7",
    force: Annotated[
        bool, typer.Option("--force", help="Replace --out even if sim import did not write it.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import CSV (one act per row) as a documented log: sides, acts, answers, sources,
    deadlines, inferred coalitions, and a resolution wherever a vague value was made exact."""
    from sim.infra.atomic import write_atomic
    from sim.scenario.import_log import import_csv
    from sim.scenario.importer import EpisodeError, Options

    options = Options(
        episode=episode,
        coalition_days=whole("--coalition-days", coalition_days, 0, 3650),
        deadline_days=whole("--deadline-days", deadline_days, 0, 3650),
    )
    _check_output_file(out)
    wrong = _replace_problem(out, csv, force)
    if wrong:
        _fail([f"--out: {wrong}"])
    try:
        imported = import_csv(csv, options)
    except InputError as exc:
        _input_error(exc)
    except EpisodeError as exc:
        _fail([f"--episode: {exc}"])
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, imported.text)
    except OSError as exc:
        _fail([f"--out: {write_failure(out, exc)}"])
    summary = imported.summary
    if as_json:
        _print_json({**summary, "out": str(out)})
        return
    typer.echo(
        f"{summary['acts']} acts between {len(summary['sides'])} sides, {len(summary['coalitions'])} "
        f"coalitions, {summary['resolutions']} acts with a resolution -> {out}"
    )
