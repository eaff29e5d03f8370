"""The ``sim`` app and what every command module shares: exit codes, one-line failures, the
options parsed here rather than by Click (whose usage errors fill a box).

Exit codes: 0 success, 1 a check failed, 2 bad input (each problem on one line as
``FILE:LINE:COL: field: message``, never a traceback), 130 interrupted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from sim.core.randomness import seed_problem
from sim.infra.errors import InputError
from sim.infra.paths import output_file_problem, unwritable

app = typer.Typer(
    name="sim",
    help="Event-sourced simulator of tit-for-tat diplomatic escalation between two embassies.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)

EXIT_FAILED, EXIT_INPUT, EXIT_INTERRUPTED = 1, 2, 130

#: ``--json`` on every command that prints a table: the same numbers, one JSON document on
#: standard output (notes and file paths stay on standard error).
JsonOption = Annotated[bool, typer.Option("--json", help="Print the table as JSON instead.")]


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def _show_version(value: bool) -> None:
    if value:
        from sim import __version__

        typer.echo(f"sim (reciprocity-sim) {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Event-sourced simulator of tit-for-tat diplomatic escalation between two embassies."""


def _fail(lines: list[str], code: int = EXIT_INPUT) -> NoReturn:
    for line in lines:
        typer.echo(line, err=True)
    raise typer.Exit(code)


def _input_error(exc: InputError) -> NoReturn:
    _fail([str(problem) for problem in exc.problems])


def _seed_option(text: str) -> int:
    """A ``--seed`` in one line: parsed here, not by Click, whose usage errors fill a box."""
    digits = text.strip().removeprefix("-").removeprefix("+")
    if not (digits.isascii() and digits.isdecimal()):
        _fail([f"--seed: {text[:40]!r} is not a whole number"])
    wrong = seed_problem(int(text))
    if wrong:
        _fail([wrong])
    return int(text)


def _unwritable(path: Path) -> str | None:
    """Why ``path`` (or the directories to be made for it) cannot be written, if it plainly
    cannot: a name too long for the file system, a file in the way, a read-only file system,
    no permission. Checked before any work, so the user hears it at once."""
    return unwritable(path)


def _check_output_file(out: Path, option: str = "--out", run_dirs: Sequence[Path] = ()) -> None:
    """Fail with one line, before any work, if ``option`` names a directory, an unwritable place,
    something that is not a regular file, or a place inside one of ``run_dirs`` (a run folder
    holds only what a run wrote: a file written there would replace its outputs or make the
    folder one that the next run refuses)."""
    wrong = output_file_problem(out)
    if wrong:
        _fail([f"{option}: {wrong}"])
    target = Path(os.path.realpath(out))
    for run_dir in run_dirs:
        if target.parent == Path(os.path.realpath(run_dir)):
            _fail([f"{option}: {out} is inside the run folder {run_dir}; write it elsewhere"])


def _date_option(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail([f"--at: {text!r} is not a date (YYYY-MM-DD)"])
