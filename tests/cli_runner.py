"""Running the ``sim`` command the three ways tests need: in-process, as a fresh interpreter,
and as the installed console script; each returns what a user would see."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from sim.cli.main import app

ROOT = Path(__file__).parent.parent


@dataclass(frozen=True)
class Outcome:
    """What the user sees: exit code, both streams, and any exception that escaped (in-process)."""

    code: int
    stdout: str
    stderr: str
    escaped: BaseException | None = None

    def assert_no_traceback(self) -> None:
        assert "Traceback" not in self.stderr + self.stdout, self.stderr
        assert self.escaped is None, f"uncaught {self.escaped!r}"


def sim_inline(*args: object) -> Outcome:
    """The Typer app in this process (fast); an exception that escapes the command is kept."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    escaped = result.exception if not isinstance(result.exception, SystemExit) else None
    return Outcome(result.exit_code, result.stdout, result.stderr, escaped)


def sim_process(
    *args: object,
    hash_seed: str | None = None,
    path: Path | None = None,
    cwd: Path = ROOT,
    timeout: float = 120,
) -> Outcome:
    """``python -m sim ARGS`` in a fresh interpreter: real argv parsing and exit codes
    (``path``: a folder put first on ``PYTHONPATH``, e.g. one holding a plugin package)."""
    env = dict(os.environ)
    if hash_seed is not None:
        env["PYTHONHASHSEED"] = hash_seed
    if path is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(path), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def sim_script(*args: object) -> Outcome:
    """The installed ``sim`` console script itself (the entry point users type)."""
    script = Path(sys.executable).parent / "sim"
    assert script.is_file(), f"console script missing at {script}"
    proc = subprocess.run(
        [str(script), *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)
