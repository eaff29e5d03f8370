"""Times today's engine (commit ``aaac934``, before the kernel rebuild) in a subprocess.

Why a subprocess from an extracted copy: the rebuild (issue 12) moves every module of ``sim/``,
and its target is a speed-up over the engine as it is now. Extracting that commit's ``sim/``
(``git archive aaac934 sim``) into a temporary folder and running it there with
``PYTHONPATH`` pointing at the copy keeps the old engine measurable after the rebuild, with the
same interpreter and the installed dependencies. The child checks that the ``sim`` it imported is
the copy (an editable install or the working directory could otherwise shadow it) and prints
one JSON line; the parent returns it as a dict, or one line saying why the reference could not
be measured (no git, no such commit, the old engine refusing a scenario).

    with reference_copy(ROOT) as copy:
        result = time_reference(copy, repeats=5, path=ROOT / "scenarios/rotation-rule-2021.yaml")

Run as a script, this file is the child (``--sim-dir``, ``--repeats`` and ``--path`` or ``--data``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REFERENCE_COMMIT = "aaac934"


@contextlib.contextmanager
def reference_copy(root: Path, commit: str = REFERENCE_COMMIT) -> Iterator[Path | str]:
    """A temporary folder holding ``commit``'s ``sim/``, or the reason there is none (a string)."""
    with tempfile.TemporaryDirectory(prefix="reference-engine-") as tmp:
        try:
            archive = subprocess.run(
                ["git", "-C", str(root), "archive", "--format=tar", commit, "sim"],
                capture_output=True,
                check=False,
            )
        except OSError as exc:
            yield f"reference engine unavailable: cannot run git ({exc.strerror})"
            return
        if archive.returncode != 0:
            reason = archive.stderr.decode(errors="replace").strip().splitlines() or ["no output"]
            yield f"reference engine unavailable: git archive {commit} sim failed: {reason[-1]}"
            return
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp)


def time_reference(
    copy: Path | str, repeats: int, path: Path | None = None, data: dict[str, Any] | None = None
) -> dict[str, Any] | str:
    """Best-of-``repeats`` seconds of the old engine on a scenario file (``path``) or a scenario
    mapping (``data``, validated by the old ``Scenario``); a string says why there is no number."""
    if isinstance(copy, str):
        return copy
    args = [sys.executable, str(Path(__file__).resolve()), "--sim-dir", str(copy), "--repeats", str(repeats)]
    if path is not None:
        args += ["--path", str(Path(path).resolve())]
    else:
        spec = copy / "scenario.json"
        spec.write_text(json.dumps(data))
        args += ["--data", str(spec)]
    env = {**os.environ, "PYTHONPATH": str(copy)}
    child = subprocess.run(args, cwd=copy, env=env, capture_output=True, text=True, check=False)
    if child.returncode != 0:
        last = (child.stderr.strip().splitlines() or ["no output"])[-1]
        return f"reference engine failed (exit {child.returncode}): {last}"
    return json.loads(child.stdout.strip().splitlines()[-1])


def _child(argv: list[str] | None = None) -> None:
    """In the subprocess: import the copy's engine, run the scenario, print one JSON line."""
    parser = argparse.ArgumentParser(description="time the reference engine (used by the parent)")
    parser.add_argument("--sim-dir", required=True, type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--path", type=Path)
    parser.add_argument("--data", type=Path)
    args = parser.parse_args(argv)
    import sim
    from sim.engine import simulate
    from sim.scenario import Scenario, load_scenario

    where = Path(sim.__file__).resolve()
    if args.sim_dir.resolve() not in where.parents:
        raise SystemExit(f"imported sim from {where}, not from the reference copy {args.sim_dir}")
    if args.path is not None:
        scenario = load_scenario(args.path)
    else:
        scenario = Scenario.model_validate(json.loads(args.data.read_text()))
    best, engine = float("inf"), None
    for _ in range(args.repeats):
        gc.collect()
        started = time.perf_counter()
        engine = simulate(scenario)
        best = min(best, time.perf_counter() - started)
    assert engine is not None
    headcounts = {name: engine.state.missions[name].headcount for name in engine.state.sides}
    result = {"seconds": best, "events": len(engine.log), "headcounts": headcounts, "sim": str(where)}
    print(json.dumps(result))


if __name__ == "__main__":
    _child()
