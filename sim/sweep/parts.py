"""A sweep's results on disk: Parquet datasets written as numbered, atomically renamed parts.

``results.parquet/`` and ``staffing.parquet/`` are directories of ``part-NNNNNN.parquet``
files; pandas and pyarrow read each directory as one table (``pd.read_parquet(dir)``). A part
is written under a hidden temporary name (readers skip names starting with ``.``), synced and
renamed into place, so a reader or a resumed sweep sees whole parts or nothing. Part *n* of
the staffing series is renamed in before part *n* of the results, and a run counts as done
when its results row exists: a crash between the two leaves a staffing part with no results
part, which :meth:`PartStore.open` removes (its runs are run again).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sim.infra.atomic import is_alive, write_atomic, writer_pid

RESULTS = "results.parquet"
STAFFING = "staffing.parquet"
MANIFEST = "sweep.json"
#: What the report writes (``sim.sweep.report``), named here so a sweep can clear or guard them
#: without importing the report's plotting before its workers start.
REPORT_FILES = ("summary.csv", "fan.png", "fan-*.png", "metrics.png")
_PART = re.compile(r"^part-(\d{6})\.parquet$")


def part_files(directory: Path) -> dict[int, Path]:
    if not directory.is_dir():
        return {}
    return {int(m.group(1)): p for p in directory.iterdir() if (m := _PART.match(p.name))}


class PartStore:
    """Appends runs to a sweep's two datasets; one :meth:`append` call makes one part of each."""

    def __init__(self, out: Path, results_schema: pa.Schema, staffing_schema: pa.Schema) -> None:
        self.out = out
        self.results_dir = out / RESULTS
        self.staffing_dir = out / STAFFING
        self.results_schema = results_schema
        self.staffing_schema = staffing_schema
        self.next_part = 0

    def open(self) -> set[str]:
        """Create the directories, clear what a crash left behind, and return the ids of the
        runs already stored. Call it holding the sweep's lock (:func:`sweep_lock`); even so,
        a temporary file of a writer that is still alive is never removed."""
        for stage in self.out.glob(".report.*"):  # a report drawn by a process that died
            pid = stage.name.rsplit(".", 1)[-1]
            if stage.is_dir() and pid.isdecimal() and not is_alive(int(pid)):
                shutil.rmtree(stage, ignore_errors=True)
        for directory in (self.results_dir, self.staffing_dir):
            directory.mkdir(parents=True, exist_ok=True)
            for stray in directory.glob(".*.tmp"):
                pid = writer_pid(stray)
                if pid is None or not is_alive(pid):
                    stray.unlink(missing_ok=True)
        results = part_files(self.results_dir)
        staffing = part_files(self.staffing_dir)
        for number, path in staffing.items():
            if number not in results:
                path.unlink()  # its results part never landed: those runs are not done
        for number in sorted(set(results) - set(staffing)):  # its series are gone: run them again
            results.pop(number).unlink()
        self.next_part = max(results, default=-1) + 1
        done: set[str] = set()
        for path in sorted(results.values()):
            ids = read_part(path, ["run_id"]).column("run_id")
            if not pa.types.is_string(ids.type):
                raise SweepDamaged(f"{path}: not a part of this sweep (run_id is {ids.type}); use --force")
            done.update(ids.to_pylist())
        return done

    def append(self, results: pa.Table, staffing: pa.Table) -> None:
        """Write one part of each dataset (staffing first, then the results that mark the
        runs done), under a number no part has yet."""
        if not results.num_rows:
            return
        taken = set(part_files(self.results_dir)) | set(part_files(self.staffing_dir))
        while self.next_part in taken:
            self.next_part += 1
        name = f"part-{self.next_part:06d}.parquet"
        _write_table(staffing.cast(self.staffing_schema), self.staffing_dir / name)
        _write_table(results.cast(self.results_schema), self.results_dir / name)
        self.next_part += 1


class SweepDamaged(ValueError):
    """A file of the sweep's output cannot be read; the message names it and what to do."""


def read_part(path: Path, columns: list[str] | None = None) -> pa.Table:
    """One part, or :class:`SweepDamaged` naming it (a truncated or foreign file)."""
    try:
        return pq.read_table(path, columns=columns)
    except (pa.ArrowException, OSError) as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise SweepDamaged(
            f"{path}: damaged sweep part ({reason}); delete it to run its runs again, or use --force"
        ) from None


@contextlib.contextmanager
def sweep_lock(out: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on the folder ``out`` itself (a kernel lock: it dies with its
    process, and no lock file is left among the user's files), so that two sweeps into one
    folder take turns: the second finds the first one's runs done."""
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write_table(table: pa.Table, path: Path) -> None:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    write_atomic(path, sink.getvalue().to_pybytes())


STAFFING_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("cell", pa.int32()),
        ("mission", pa.string()),
        ("day", pa.int32()),
        ("headcount", pa.int32()),
    ]
)


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The sweep's ``sweep.json``, None if there is none, :class:`SweepDamaged` if it is not
    the JSON object a sweep writes."""
    path = out / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SweepDamaged(f"{path}: damaged ({exc}); use --force to start over or another --out") from None
    if not isinstance(data, dict):
        raise SweepDamaged(f"{path}: damaged (not a JSON object); use --force to start over or another --out")
    return data


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    write_atomic(out / MANIFEST, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())


def clear(out: Path, extra: Iterable[str] = ()) -> None:
    """Remove a sweep's own outputs from ``out`` (``--force``), leaving anything else there."""
    for name in (RESULTS, STAFFING):
        shutil.rmtree(out / name, ignore_errors=True)
    for name in (MANIFEST, *extra):
        for path in out.glob(name):
            if path.is_file():
                path.unlink()
