"""Run each mutant against its tests in a forked process, and report per module.

Why fork: the parent imports pytest, Hypothesis and the heavy libraries once (never
``sim``); each child puts one mutated module in front of the import system, runs pytest
with ``-x`` and exits with its code. A mutant costs only its tests, nothing is written into
the tree, and a mutant that loops forever is killed at a timeout (counted as killed: the
tests noticed). Hypothesis runs derandomized and without its example database, so a run's
verdicts depend on the code and tests only, not on what an earlier run found.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from mutation.mutants import Mutant, mutate

_HEAVY = ("pytest", "hypothesis", "pandas", "numpy", "pydantic", "simpy", "immutables", "ruamel.yaml")


@dataclass
class Verdict:
    mutant: Mutant
    outcome: str  # "killed", "timeout", "survived"
    seconds: float
    changed: str


class _MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the mutated code for one module name; every other import is untouched."""

    def __init__(self, name: str, code: object, origin: str) -> None:
        self.name, self.code, self.origin = name, code, origin

    def find_spec(self, fullname, path=None, target=None):  # type: ignore[no-untyped-def]
        if fullname != self.name:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=self.origin)

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return None

    def exec_module(self, module) -> None:  # type: ignore[no-untyped-def]
        module.__file__ = self.origin
        exec(self.code, module.__dict__)


def prepare() -> None:
    """Import the heavy libraries once, and the Hypothesis profile every child uses."""
    for name in _HEAVY:
        __import__(name)
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "mutation",
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def _child(root: Path, name: str, code: object | None, origin: str, tests: list[str]) -> None:
    os.setpgrp()  # one process group, so that a timeout also ends any subprocess
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.chdir(root)
    os.environ["HYPOTHESIS_PROFILE"] = "mutation"
    if code is not None:
        sys.meta_path.insert(0, _MutantFinder(name, code, origin))
    import pytest

    args = ["-x", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--no-header", *tests]
    try:
        code_ = int(pytest.main(args))
    except BaseException:
        code_ = 99
    os._exit(code_)


def _start(root: Path, name: str, code: object | None, origin: str, tests: list[str]) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        _child(root, name, code, origin, tests)
    return pid


def _finish(pid: int, status: int) -> str:
    return "survived" if os.waitstatus_to_exitcode(status) == 0 else "killed"


def _stop(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def run_one(
    root: Path, name: str, code: object | None, origin: str, tests: list[str], timeout: float
) -> tuple[str, float]:
    """``("killed" | "timeout" | "survived", seconds)`` for one mutant (``code=None``: the original)."""
    start = time.monotonic()
    pid = _start(root, name, code, origin, tests)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        elapsed = time.monotonic() - start
        if done:
            return _finish(pid, status), elapsed
        if elapsed > timeout:
            _stop(pid)
            return "timeout", elapsed
        time.sleep(0.02)


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def run_all(
    root: Path,
    plan: list[tuple[str, list[str] | None, list[Mutant]]],
    tests: list[str],
    timeout: float,
    jobs: int = 1,
) -> list[Verdict]:
    """Every mutant of ``plan``, up to ``jobs`` at a time; verdicts in the plan's order."""
    tasks = [(path, functions, m) for path, functions, found in plan for m in found]
    verdicts: dict[int, Verdict] = {}
    running: dict[int, tuple[int, float, Mutant, str]] = {}  # pid -> (task, start, mutant, line)
    queue = list(enumerate(tasks))
    while queue or running:
        while queue and len(running) < jobs:
            i, (path, functions, m) = queue.pop(0)
            code, changed = mutate(root, m, functions)
            pid = _start(root, module_name(path), code, str(root / path), tests)
            running[pid] = (i, time.monotonic(), m, changed)
        time.sleep(0.02)
        for pid, (i, start, m, changed) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            elapsed = time.monotonic() - start
            if done:
                outcome = _finish(pid, status)
            elif elapsed > timeout:
                _stop(pid)
                outcome = "timeout"
            else:
                continue
            del running[pid]
            verdicts[i] = Verdict(m, outcome, elapsed, changed)
            print(
                "S" if outcome == "survived" else ".", end="\n" if len(verdicts) % 80 == 0 else "", flush=True
            )
    print(f" {len(verdicts)} mutants", flush=True)
    return [verdicts[i] for i in range(len(tasks))]
