"""A run's output folder: recognising one, and replacing it whole without ever losing data.

``sim run`` replaces its output folder in one step, so it must be sure the folder is one a run
wrote: a folder holding anything else (a thesis, a ``src/`` tree, a ``manifest.json`` of some
other tool) is refused before anything is touched. The swap renames the old folder aside and
the new one in; a crash between the two renames leaves the old outputs aside, and the next run
puts them back before it looks. Every rename is followed by an ``fsync`` of the parent folder,
so the new name survives a power cut, not only a crash.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

from sim.infra.atomic import fsync_dir

GENERATOR = "reciprocity-sim"

#: Every file ``sim run`` writes into its folder.
OUTPUT_FILES = (
    "events.sqlite",
    "events.parquet",
    "staffing.csv",
    "staffing.png",
    "staffing.svg",
    "manifest.json",
)
#: Files ``sim run`` writes only when asked (``--format pdf``), and the escalation graph that
#: ``sim graph`` writes into a run folder by default (derived from the log; the next run of
#: the folder replaces it with the rest).
OPTIONAL_FILES = (
    "staffing.pdf",
    *(f"expulsions.{fmt}" for fmt in ("png", "svg", "pdf")),  # runs of more than two states
    *(f"escalation.{fmt}" for fmt in ("svg", "png", "dot", "graphml", "json")),
)
#: SQLite's companions of the store, which a reader or a killed writer may leave beside it.
_STORE_COMPANIONS = ("events.sqlite-wal", "events.sqlite-shm", "events.sqlite-journal")
#: The keys a manifest written before ``generator`` existed always has.
_LEGACY_KEYS = {"run_id", "scenario_sha256", "log_sha256", "final_state_sha256", "schema_version"}
_ASIDE = ".old-"
#: A run's manifest is a few kilobytes; anything far larger is not one.
MAX_MANIFEST_BYTES = 10_000_000


class OutputDirError(ValueError):
    """The output folder cannot be used (one line, naming it); nothing was touched."""


def resolve_out(out: Path) -> Path:
    """The folder a run really writes: a symbolic link is followed, so the link stays a link
    and its target receives the outputs."""
    return Path(os.path.realpath(out)) if out.is_symlink() else out


def run_dir_problem(out: Path) -> str | None:
    """Why ``out`` is not a folder that a run may replace, or None (missing or empty is fine)."""
    allowed = set(OUTPUT_FILES) | set(OPTIONAL_FILES) | set(_STORE_COMPANIONS)
    return replace_problem(out, "run", allowed, is_run_manifest)


def replace_problem(
    out: Path, command: str, allowed: set[str], is_ours: Callable[[Path], bool]
) -> str | None:
    """Why ``sim COMMAND`` may not replace the folder ``out``, or None (missing or empty is
    fine): it holds a name the command does not write, or no ``manifest.json`` that
    ``is_ours`` recognises. Every command that swaps a folder in whole asks this."""
    if out.name in ("", ".", ".."):
        return f"{out} names no directory of its own (give one, e.g. reports/NAME)"
    if out.exists() and not out.is_dir():
        return f"{out} exists and is not a directory"
    if not out.is_dir():
        return None
    names = {entry.name for entry in out.iterdir()}
    if not names:
        return None
    foreign = sorted(names - allowed)
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        return f"{out} holds files that 'sim {command}' did not write ({shown}); not replacing it"
    if not is_ours(out / "manifest.json"):
        return f"{out} has no manifest.json written by 'sim {command}'; not replacing it"
    return None


def is_run_manifest(path: Path) -> bool:
    """A manifest this project wrote: a JSON object that names the project (or, written
    before it did, has every identity field a run's manifest has)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MANIFEST_BYTES:
            return False  # a FIFO would block the reader, a device would never end
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict):
        return False
    return data.get("generator") == GENERATOR or data.keys() >= _LEGACY_KEYS


def asides(out: Path) -> list[Path]:
    """Old outputs renamed aside by a swap (``.NAME.old-PID``), oldest process first."""
    prefix = f".{out.name}{_ASIDE}"
    if not out.parent.is_dir():
        return []
    return sorted(p for p in out.parent.iterdir() if p.name.startswith(prefix) and p.is_dir())


def recover(out: Path) -> None:
    """Finish what a crashed swap left: with ``out`` gone, its old outputs go back in place;
    with ``out`` present, leftovers aside are old outputs already replaced, and are removed.
    Call it holding the folder's lock."""
    found = asides(out)
    whole = [p for p in found if not run_dir_problem(p)]
    if not out.exists() and whole:
        os.replace(whole.pop(), out)
        fsync_dir(out.parent)
    if not out.exists():
        return
    for stale in found:  # old outputs, whole or half removed by an interrupted clean-up
        if stale.exists() and _only_run_files(stale):
            shutil.rmtree(stale, ignore_errors=True)


def _only_run_files(folder: Path) -> bool:
    """Whether ``folder`` holds nothing but names a run writes (none at all counts)."""
    names = {entry.name for entry in folder.iterdir()}
    return not names - set(OUTPUT_FILES) - set(OPTIONAL_FILES) - set(_STORE_COMPANIONS)


def swap_into(work: Path, out: Path) -> None:
    """Replace ``out`` by ``work``: a crash leaves one whole folder in place or the old one
    aside (which :func:`recover` restores)."""
    aside = None
    if out.exists():
        aside = out.with_name(f".{out.name}{_ASIDE}{os.getpid()}")
        os.replace(out, aside)
        fsync_dir(out.parent)
    os.replace(work, out)
    fsync_dir(out.parent)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
