"""Numbers and executors from the command line, each problem one line naming its option.

Options are taken as text and parsed here (as ``sim run --seed`` does), so that ``--rounds
abc`` is ``--rounds: 'abc' is not a whole number`` and exit 2, never Click's usage box.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import typer

from sim.cli.app import EXIT_INPUT, EXIT_INTERRUPTED

MAX_WORKERS = 1024  # as in a sweep file
_ADDRESS = re.compile(r"^(tcp|tls)://[^\s:/]+:\d{1,5}$")


def fail(line: str, code: int = EXIT_INPUT) -> typer.Exit:
    """Print ``line`` on standard error and return the exit to raise."""
    typer.echo(line, err=True)
    return typer.Exit(code)


def whole(name: str, text: str, low: int, high: int) -> int:
    """``text`` as a whole number in ``low..high``, or one line and exit 2."""
    digits = text.strip().removeprefix("-").removeprefix("+")
    if not (digits.isascii() and digits.isdecimal()):
        raise fail(f"{name}: {text[:40]!r} is not a whole number")
    if len(digits) > 19 or not low <= int(text) <= high:
        top = "2**63 - 1" if high == 2**63 - 1 else f"{high:,}"
        raise fail(f"{name}: {text[:40]} is not between {low:,} and {top}")
    return int(text)


def real(name: str, text: str, low: float, high: float) -> float:
    """``text`` as a number in ``low..high``, or one line and exit 2."""
    try:
        value = float(text)
    except ValueError:
        raise fail(f"{name}: {text[:40]!r} is not a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise fail(f"{name}: {text[:40]} is not between {low:g} and {high:g}")
    return value


def executor(workers: str | None, scheduler: str | None) -> Any:
    """The executor the options name (``sim.sweep.tasks``): local processes (default: one per
    CPU, at most 8) or the Dask scheduler at tcp://HOST:PORT; one line when it cannot start."""
    from sim.sweep.tasks import SweepSetupError, make_task_executor

    count = (
        whole("--workers", workers, 1, MAX_WORKERS) if workers is not None else min(os.cpu_count() or 1, 8)
    )
    if scheduler is not None and not _ADDRESS.match(scheduler):
        raise fail(f"--scheduler: {scheduler!r} is not tcp://HOST:PORT")
    try:
        return make_task_executor(count, scheduler)
    except SweepSetupError as exc:
        raise fail(str(exc)) from None


def check_out(target: Path, command: str, names: tuple[str, ...]) -> None:
    """One line, before any work, when ``target`` cannot take this command's files."""
    from sim.infra.paths import unwritable
    from sim.infra.result_dir import result_dir_problem

    wrong = unwritable(target) or result_dir_problem(target, command, set(names))
    if wrong:
        raise fail(f"--out: {wrong}")


def bar_for(progress: bool, unit: str) -> Any:
    import sys

    return _Bar(unit) if progress and sys.stderr.isatty() else None


def guarded(work: Any, pool: Any = None) -> Any:
    """Run ``work()``; a policy that breaks the rules, a dead worker or Ctrl-C is one line."""
    from sim.policies.guard import PolicyError
    from sim.sweep.tasks import SweepWorkerDied

    try:
        return work()
    except (PolicyError, SweepWorkerDied) as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        if pool is not None:
            pool.close(interrupted=True)
        raise fail("interrupted: nothing was written", EXIT_INTERRUPTED) from None


def write_files(write: Any, target: Path) -> list[Path]:
    from sim.infra.paths import write_failure

    try:
        return write()
    except ValueError as exc:
        raise fail(f"--out: {exc}") from None
    except OSError as exc:
        raise fail(f"--out: {write_failure(target, exc)}") from None
    except KeyboardInterrupt:
        raise fail(f"interrupted: {target}/ is as it was", EXIT_INTERRUPTED) from None


def print_ranking(ranking: Any, title: str, columns: tuple[tuple[str, str, str], ...] | None = None) -> None:
    """The ranking as a table: ``columns`` are (field, heading, format)."""
    from rich.console import Console
    from rich.table import Table

    columns = columns or (
        ("rank", "rank", "d"),
        ("policy", "policy", "s"),
        ("mean_payoff", "mean payoff", ".3f"),
        ("sd_payoff", "sd", ".3f"),
        ("wins", "wins", "d"),
        ("cooperation", "cooperation", ".1%"),
        ("longest_echo", "longest echo", "d"),
    )
    table = Table(title=title)
    for _, heading, kind in columns:
        table.add_column(heading, justify="left" if kind == "s" else "right")
    for row in ranking.to_dict(orient="records"):
        cells = []
        for key, _, kind in columns:
            value = row[key]
            cells.append(
                f"{value:,}" if kind == "d" else (str(value) if kind == "s" else format(value, kind))
            )
        table.add_row(*cells)
    Console(width=160).print(table)


class _Bar:
    """The sweep's progress bar, counting matches or runs: ``on_done(done, total)``."""

    def __init__(self, unit: str) -> None:
        from sim.cli.sweep import _Bar as SweepBar

        self.bar = SweepBar(unit)

    def __call__(self, done: int, total: int) -> None:
        self.bar.update(done, total, done)
        if done == total:
            self.bar.stop()
