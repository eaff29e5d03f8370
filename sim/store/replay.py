"""Replaying a stored run: fold its log, check it against the store's record and the manifest.

A run folder holds two records of the run: the store's ``runs`` row and ``manifest.json``.
Either can be edited or damaged on its own (a store whose last event was deleted and whose
row was re-hashed agrees with itself), so a replay checks the log against both. Reading is
read-only in the strict sense: no ``-wal`` or ``-shm`` file appears in the run folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.core import events as ev
from sim.core.state import LogError, State, apply, digest, headcounts
from sim.infra.outdir import is_run_manifest
from sim.store.sqlite import RunInfo, SQLiteStore, log_digest


class ReplayError(ValueError):
    """The run directory holds no readable, finished run (``code`` 2), or its stored log
    does not fold or does not match its records (``code`` 1: the check failed)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Replay:
    info: RunInfo
    log: list[ev.Event]
    final: State
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def start(self) -> dt.date:
        return dt.date.fromisoformat(self.info.start_date)

    def mismatch(self) -> str | None:
        """What differs between the folded log and the run's records (the store's row and the
        manifest), or None when the log is the one the run recorded."""
        folded = {
            "run_id": self.info.run_id,
            "events": len(self.log),
            "log_sha256": log_digest(self.log),
            "final_state_sha256": digest(self.final),
        }
        store = {
            "run_id": self.info.run_id,
            "events": self.info.events,
            "log_sha256": self.info.log_sha256,
            "final_state_sha256": self.info.final_state_sha256,
        }
        for record, values in (("the store's record", store), ("manifest.json", self.manifest)):
            for key, value in folded.items():
                if values.get(key) != value:
                    return f"{key} of the stored log differs from {record}"
        return None

    def matches_record(self) -> bool:
        """The folded log gives the state (and log) the run recorded when it finished."""
        return self.mismatch() is None

    def headcounts_at(self, date: dt.date) -> dict[str, dict[str, int]]:
        """Headcounts at the end of ``date``: the fold of the log's prefix up to that day."""
        day = (date - self.start).days
        state = State()
        for event in self.log:
            if event.day > day:
                break
            state = apply(state, event)
        return headcounts(state)


def load_replay(run_dir: Path) -> Replay:
    """Read the last finished run of ``run_dir/events.sqlite`` (read-only) and fold it."""
    run_dir = Path(run_dir)
    path = run_dir / "events.sqlite"
    if not path.is_file():
        raise ReplayError(f"{run_dir}: no events.sqlite here (is it a run directory?)")
    manifest_path = run_dir / "manifest.json"
    if not is_run_manifest(manifest_path):
        what = "damaged" if manifest_path.is_file() else "missing"
        raise ReplayError(f"{manifest_path}: {what} (a finished 'sim run' writes it; run it again)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    info, log = _read_store(path)
    final = State()
    try:
        for event in log:
            final = apply(final, event)
    except LogError as exc:
        raise ReplayError(f"{path}: the stored log does not fold: {exc}", code=1) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ReplayError(f"{path}: damaged store, an event cannot be folded ({exc!r})", code=1) from None
    return Replay(info, log, final, manifest)


def _read_store(path: Path) -> tuple[RunInfo, list[ev.Event]]:
    with _quiet_copy(path) as readable:
        try:
            store = SQLiteStore.open_readonly(readable)
        except sqlite3.Error as exc:
            raise ReplayError(f"{path}: not a readable event store ({exc})") from None
        try:
            return _last_finished(path, store)
        except sqlite3.Error as exc:
            raise ReplayError(f"{path}: not a readable event store ({exc})") from None
        finally:
            store.conn.close()


def _last_finished(path: Path, store: SQLiteStore) -> tuple[RunInfo, list[ev.Event]]:
    runs = store.runs()
    finished = [info for info in runs if info.finished]
    if not finished:
        if runs:
            raise ReplayError(f"{path}: its run never finished (interrupted?); 'sim run' again resumes it")
        raise ReplayError(f"{path}: no run in this store")
    info = finished[-1]
    wrong = _record_problem(info)
    if wrong:
        raise ReplayError(f"{path}: damaged store: the run's record {wrong}", code=1)
    try:
        return info, list(store.events(info.run_id))
    except (KeyError, TypeError, ValueError) as exc:
        raise ReplayError(f"{path}: damaged store: {exc}", code=1) from None


def _record_problem(info: RunInfo) -> str | None:
    """What is wrong with the store's ``runs`` row, if anything (dates that are not dates, a
    start after the end, counts that are not numbers)."""
    try:
        start = dt.date.fromisoformat(str(info.start_date))
        end = dt.date.fromisoformat(str(info.end_date))
    except ValueError:
        return f"has dates {info.start_date!r} and {info.end_date!r}"
    if end < start:
        return f"ends ({end}) before it starts ({start})"
    for name in ("seed", "events"):
        value = getattr(info, name)
        if isinstance(value, bool) or not isinstance(value, int):
            return f"has {name} {value!r}"
    return None


@contextlib.contextmanager
def _quiet_copy(path: Path) -> Iterator[Path]:
    """``path`` itself when it can be read without a trace (no ``-wal`` beside it: SQLite's
    immutable mode); otherwise a private copy of the store and its ``-wal``, so that reading
    what a killed or live writer left creates no ``-shm`` in the run folder."""
    wal = path.with_name(path.name + "-wal")
    if not wal.exists():
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="sim-replay-") as folder:
        copy = Path(folder) / path.name
        try:
            shutil.copyfile(path, copy)
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        except OSError as exc:
            raise ReplayError(f"{path}: cannot read the store and its -wal ({exc.strerror or exc})") from None
        yield copy
