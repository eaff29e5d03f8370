"""Event stores: in memory, and SQLite; plus the log's digest.

The SQLite store is an append-only table of events keyed ``UNIQUE(run_id, seq)`` beside a
``runs`` table that says what produced each run (seed, scenario hash, versions) and whether
it finished. Appends are buffered and written in batches, each batch in one transaction, in
WAL mode: a reader never sees half a batch, and a crash loses at most the unwritten batch,
never the store.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sim.core import events as ev

BATCH = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    scenario_name TEXT NOT NULL,
    scenario_sha256 TEXT NOT NULL,
    seed INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    package_version TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0,
    events INTEGER,
    log_sha256 TEXT,
    final_state_sha256 TEXT
);
CREATE TABLE IF NOT EXISTS events (
    run_id TEXT NOT NULL REFERENCES runs (run_id),
    seq INTEGER NOT NULL,
    day INTEGER NOT NULL,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    target TEXT NOT NULL,
    cause INTEGER,
    source TEXT NOT NULL,
    reference TEXT,
    act_id TEXT,
    payload TEXT NOT NULL,
    UNIQUE (run_id, seq)
);
"""


def log_digest(events: Iterable[ev.Event]) -> str:
    """SHA-256 of the log as JSON Lines (one canonical JSON object per line, each line ending
    in a newline): equal digests, identical logs. It is the digest of ``sim export``'s JSON
    Lines file too, so ``sha256sum`` checks an exported log against the run's manifest."""
    digest = hashlib.sha256()
    for event in events:
        digest.update(ev.to_json(event).encode())
        digest.update(b"\n")
    return digest.hexdigest()


class MemoryStore:
    """A list, for notebooks and tests."""

    def __init__(self) -> None:
        self.events: list[ev.Event] = []

    def append(self, event: ev.Event) -> None:
        self.events.append(event)


@dataclass(frozen=True, slots=True)
class RunInfo:
    run_id: str
    scenario_name: str
    scenario_sha256: str
    seed: int
    start_date: str
    end_date: str
    package_version: str
    schema_version: int
    finished: bool = False
    events: int | None = None
    log_sha256: str | None = None
    final_state_sha256: str | None = None


def _row(event: ev.Event, run_id: str) -> tuple[object, ...]:
    return (
        run_id,
        event.seq,
        event.day,
        type(event).__name__,
        event.actor,
        event.target,
        event.cause,
        event.source,
        event.reference,
        event.act_id,
        ev.payload_json(event),
    )


class SQLiteStore:
    """An SQLite event store; ``append`` buffers, ``flush`` writes a batch in one transaction."""

    def __init__(self, path: Path | str, batch: int = BATCH, readonly: bool = False) -> None:
        self.path = Path(path)
        self.batch = batch
        self.run_id: str | None = None
        self._buffer: list[tuple[object, ...]] = []
        if readonly:
            # With no -wal file beside it, no writer is active: "immutable" then reads the
            # file without creating -wal/-shm files (a read-only visit leaves no trace).
            quiet = "&immutable=1" if not self.path.with_name(self.path.name + "-wal").exists() else ""
            self.conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro{quiet}", uri=True)
            return
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.executescript(_SCHEMA)

    @classmethod
    def open_readonly(cls, path: Path | str) -> SQLiteStore:
        """For readers (replay, exports): never creates or alters anything in the file."""
        return cls(path, readonly=True)

    # --- writing -------------------------------------------------------------------------

    def begin_run(self, info: RunInfo) -> None:
        """Register a run (unfinished until :meth:`finish_run`)."""
        with self._transaction():
            self.conn.execute(
                "INSERT INTO runs (run_id, scenario_name, scenario_sha256, seed, start_date, end_date,"
                " package_version, schema_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    info.run_id,
                    info.scenario_name,
                    info.scenario_sha256,
                    info.seed,
                    info.start_date,
                    info.end_date,
                    info.package_version,
                    info.schema_version,
                ),
            )
        self.run_id = info.run_id

    def append(self, event: ev.Event) -> None:
        if self.run_id is None:
            raise RuntimeError("begin_run before appending events")
        self._buffer.append(_row(event, self.run_id))
        if len(self._buffer) >= self.batch:
            self.flush()

    def append_many(self, events: Iterable[ev.Event]) -> None:
        for event in events:
            self.append(event)

    def flush(self) -> None:
        """Write the buffered events as one batch, in one transaction."""
        if not self._buffer:
            return
        with self._transaction():
            self.conn.executemany(
                "INSERT INTO events (run_id, seq, day, type, actor, target, cause, source, reference,"
                " act_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self._buffer,
            )
        self._buffer.clear()

    def clear(self) -> None:
        """Forget every run (a partial store left by a different scenario or seed)."""
        self._buffer.clear()
        with self._transaction():
            self.conn.execute("DELETE FROM events")
            self.conn.execute("DELETE FROM runs")
        self.run_id = None

    def truncate(self, run_id: str, day: int) -> None:
        """Delete ``run_id``'s events on or after ``day`` (one transaction): what a resumed
        run re-decides, since a day's events are simultaneous and may be stored in part."""
        with self._transaction():
            self.conn.execute("DELETE FROM events WHERE run_id = ? AND day >= ?", (run_id, day))

    def finish_run(self, events: int, log_sha256: str, final_state_sha256: str) -> None:
        self.flush()
        with self._transaction():
            self.conn.execute(
                "UPDATE runs SET finished = 1, events = ?, log_sha256 = ?, final_state_sha256 = ?"
                " WHERE run_id = ?",
                (events, log_sha256, final_state_sha256, self.run_id),
            )

    def close(self, quietly: bool = False) -> None:
        """Write what is buffered and close. ``quietly`` (on the way out of a failure, such
        as a full disk): keep what can still be written, raise nothing, close anyway."""
        try:
            self.flush()
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            if not quietly:
                raise
        finally:
            self._buffer.clear()
            self.conn.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self.conn)

    # --- reading -------------------------------------------------------------------------

    def runs(self) -> list[RunInfo]:
        rows = self.conn.execute(
            "SELECT run_id, scenario_name, scenario_sha256, seed, start_date, end_date, package_version,"
            " schema_version, finished, events, log_sha256, final_state_sha256 FROM runs ORDER BY rowid"
        ).fetchall()
        return [RunInfo(*row[:8], bool(row[8]), *row[9:]) for row in rows]

    def events(self, run_id: str) -> Iterator[ev.Event]:
        cursor = self.conn.execute(
            "SELECT seq, day, type, actor, target, cause, source, reference, act_id, payload"
            " FROM events WHERE run_id = ? ORDER BY seq",
            (run_id,),
        )
        for row in cursor:
            yield decode_row(row)


_ROW_TYPES: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("seq", (int,)),
    ("day", (int,)),
    ("type", (str,)),
    ("actor", (str,)),
    ("target", (str,)),
    ("cause", (int, type(None))),
    ("source", (str,)),
    ("reference", (str, type(None))),
    ("act_id", (str, type(None))),
)


def decode_row(row: tuple[object, ...]) -> ev.Event:
    """One stored row as its event; ``ValueError`` naming the row's ``seq`` and the column
    when the row is damaged (a text ``day``, an unknown type, a payload that is no object),
    so a reader reports a damaged store instead of failing later on a wrong type."""
    *columns, payload = row
    fields = dict(zip((name for name, _ in _ROW_TYPES), columns, strict=True))
    for name, types in _ROW_TYPES:
        if not isinstance(fields[name], types) or isinstance(fields[name], bool):
            raise ValueError(f"event seq {fields['seq']!r}: column {name} holds {fields[name]!r}")
    if fields["type"] not in ev.EVENT_TYPES:
        raise ValueError(f"event seq {fields['seq']}: unknown event type {fields['type']!r}")
    try:
        extra = json.loads(payload) if isinstance(payload, str) else None
    except ValueError:
        extra = None
    if not isinstance(extra, dict):
        raise ValueError(f"event seq {fields['seq']}: its payload is not a JSON object")
    try:
        event = ev.from_dict({**fields, **extra})
    except TypeError as exc:
        raise ValueError(f"event seq {fields['seq']}: {exc}") from None
    for name, check in _field_checks(type(event)):
        if not check(getattr(event, name)):
            raise ValueError(f"event seq {fields['seq']}: field {name} holds {getattr(event, name)!r}")
    return event


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


#: What each annotation of the event classes admits (the payload is JSON: a field can hold
#: any JSON value after damage, and the fold would fail later on the wrong type).
_CHECKS: dict[str, Callable[[object], bool]] = {
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "int": _is_int,
    "int | None": lambda v: v is None or _is_int(v),
    "str | None": lambda v: v is None or isinstance(v, str),
    "tuple[str, ...]": lambda v: isinstance(v, tuple) and all(isinstance(x, str) for x in v),
    "tuple[tuple[str, str, int], ...]": lambda v: (
        isinstance(v, tuple)
        and all(
            isinstance(x, tuple)
            and len(x) == 3
            and isinstance(x[0], str)
            and isinstance(x[1], str)
            and _is_int(x[2])
            for x in v
        )
    ),
}


@cache
def _field_checks(cls: type) -> tuple[tuple[str, Callable[[object], bool]], ...]:
    """The payload fields of ``cls`` with the check of their annotation (base fields are
    checked from their columns)."""
    base = {name for name, _ in _ROW_TYPES}
    return tuple(
        (name, _CHECKS.get(annotation, lambda v: True))
        for name, annotation in ev.annotations(cls).items()
        if name not in base
    )


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (or ``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        self.conn.execute("COMMIT" if kind is None else "ROLLBACK")
