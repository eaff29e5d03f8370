"""Output folders of ``sim tournament`` and ``sim moran``: written whole, replaced whole, and
only when the command itself wrote them.

As with ``sim run`` (``sim.infra.outdir``), everything is written into a hidden sibling folder first
and swapped in at the end, so an interrupted command leaves the previous results or none,
never a mix; a folder holding anything else (a user's files, another command's results) is
refused before any work. A sibling left by a killed process is removed by the next one.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sim.infra.atomic import is_alive, write_atomic
from sim.infra.outdir import GENERATOR, MAX_MANIFEST_BYTES, replace_problem, swap_into

MANIFEST = "manifest.json"
_PARTIAL = ".partial-"
_ASIDE = ".old-"


def result_dir_problem(out: Path, command: str, names: set[str]) -> str | None:
    """Why ``sim COMMAND`` may not replace ``out`` (missing or empty is fine), or None."""
    return replace_problem(out, command, names | {MANIFEST}, lambda path: _ours(path, command))


def _ours(path: Path, command: str) -> bool:
    try:
        if not path.is_file() or path.stat().st_size > MAX_MANIFEST_BYTES:
            return False
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("generator") == GENERATOR and data.get("command") == command


def _tidy(out: Path, command: str) -> None:
    """Remove the hidden folders of dead writers; put back old results a crash left aside."""
    if not out.parent.is_dir():
        return
    for entry in out.parent.iterdir():
        name = entry.name
        if not name.startswith(f".{out.name}") or not entry.is_dir():
            continue
        tail = name[len(out.name) + 1 :]
        for marker in (_PARTIAL, _ASIDE):
            if not tail.startswith(marker):
                continue
            pid = tail[len(marker) :].split("-")[0]
            if pid.isdecimal() and not is_alive(int(pid)):
                if marker == _ASIDE and not out.exists() and _ours(entry / MANIFEST, command):
                    os.replace(entry, out)
                else:
                    shutil.rmtree(entry, ignore_errors=True)


def write_result_dir(
    out: Path, command: str, writers: Mapping[str, Callable[[Path], None]], manifest: dict[str, Any]
) -> list[Path]:
    """Write each file (``writers[name](path)``) and ``manifest.json`` into a hidden sibling
    of ``out``, then swap it in; returns the paths written in ``out``. Raises ``ValueError``
    with one line when ``out`` holds anything else, ``OSError`` when writing fails."""
    wrong = result_dir_problem(out, command, set(writers))
    if wrong:
        raise ValueError(wrong)
    out.parent.mkdir(parents=True, exist_ok=True)
    _tidy(out, command)
    work = out.parent / f".{out.name}{_PARTIAL}{os.getpid()}-{secrets.token_hex(3)}"
    work.mkdir()
    try:
        for name, writer in writers.items():
            writer(work / name)
        record = {"generator": GENERATOR, "command": command, **manifest, "files": sorted(writers)}
        write_atomic(work / MANIFEST, json.dumps(record, indent=2, sort_keys=True) + "\n")
        swap_into(work, out)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return [out / name for name in writers]
