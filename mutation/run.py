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


def run_one(
    root: Path, name: str, code: object | None, origin: str, tests: list[str], timeout: float
) -> tuple[str, float]:
    """``("killed" | "timeout" | "survived", seconds)`` for one mutant (``code=None``: the original)."""
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        _child(root, name, code, origin, tests)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        elapsed = time.monotonic() - start
        if done:
            break
        if elapsed > timeout:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout", elapsed
        time.sleep(0.02)
    rc = os.waitstatus_to_exitcode(status)
    return ("survived" if rc == 0 else "killed"), elapsed


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def run_module(
    root: Path,
    path: str,
    functions: list[str] | None,
    mutants: list[Mutant],
    tests: list[str],
    timeout: float,
    progress: bool = True,
) -> list[Verdict]:
    name, origin = module_name(path), str(root / path)
    verdicts = []
    for i, m in enumerate(mutants, 1):
        code, changed = mutate(root, m, functions)
        outcome, seconds = run_one(root, name, code, origin, tests, timeout)
        verdicts.append(Verdict(m, outcome, seconds, changed))
        if progress:
            mark = "." if outcome != "survived" else "S"
            print(mark, end="" if i % 80 else f" {i}/{len(mutants)}\n", flush=True)
    if progress:
        print(f" {len(mutants)}/{len(mutants)}", flush=True)
    return verdicts
