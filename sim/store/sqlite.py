"""The SQLite event store, and the log's digest.

One row per day of a run (``event_days``): the day, the ``seq`` of its first and last event,
one byte per event naming its type (a code of the ``event_types`` table, so that the codes
mean the same whatever becomes of the classes), and the events themselves as one MessagePack
array written by :func:`encode_events` and read back one by one by :func:`decode_event`.
Beside it the ``runs`` table says what produced each run (seed, scenario hash, versions),
whether it finished, and its digests.

Why a day: with one row per event SQLite alone (an index entry, eleven bound values and a
JSON text per event) ran slower than the store had to append, before any Python work; with a
row per day its share is small (``bench/RESULTS.md``). And a day is what a run decides at
once: a resumed run deletes its last stored day whole (:meth:`SQLiteStore.truncate`), so a
row is never cut in two. No seq of a run is stored twice: a trigger refuses a row that
overlaps another, as ``UNIQUE(run_id, seq)`` did for rows of one event.

Appends are buffered and written in batches, each batch in one transaction (a batch may end
inside a day; that day then has two rows), in WAL mode: a reader never sees half a batch,
and a crash loses at most the unwritten batch, never the store.

Stores written before day rows (one row per event in a table ``events``, a JSON payload) are
read as they are; one opened for writing (a partial store of an interrupted run) is converted
first, in one transaction.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import cast

import msgspec

from sim.core import events as ev
from sim.store.legacy import decode_row

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
CREATE TABLE IF NOT EXISTS event_types (
    code INTEGER PRIMARY KEY CHECK (code BETWEEN 0 AND 255),
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS event_days (
    run_id TEXT NOT NULL REFERENCES runs (run_id),
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    day INTEGER NOT NULL,
    types BLOB NOT NULL,
    events BLOB NOT NULL,
    UNIQUE (run_id, first_seq),
    CHECK (length(types) = last_seq - first_seq + 1)
);
-- What UNIQUE(run_id, seq) was for rows of one event: no seq of a run is stored twice. Rows
-- never overlap, so the row starting last at or before the new row's end is the only one
-- that can (an index lookup per row, not a scan).
CREATE TRIGGER IF NOT EXISTS event_days_seq_once BEFORE INSERT ON event_days
WHEN (
    SELECT last_seq FROM event_days
    WHERE run_id = NEW.run_id AND first_seq <= NEW.last_seq ORDER BY first_seq DESC LIMIT 1
) >= NEW.first_seq
BEGIN
    SELECT RAISE(ABORT, 'UNIQUE constraint failed: an event of this run with this seq is stored');
END;
"""

_INSERT_DAY = (
    "INSERT INTO event_days (run_id, first_seq, last_seq, day, types, events) VALUES (?, ?, ?, ?, ?, ?)"
)


def log_digest(events: Iterable[ev.Event]) -> str:
    """SHA-256 of the log as JSON Lines (one canonical JSON object per line, each line ending
    in a newline): equal digests, identical logs. It is the digest of ``sim export``'s JSON
    Lines file too, so ``sha256sum`` checks an exported log against the run's manifest."""
    digest = hashlib.sha256()
    for event in events:
        digest.update(ev.to_json(event).encode())
        digest.update(b"\n")
    return digest.hexdigest()


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


# --- one event as bytes: the only place that knows how -------------------------------------------

_ENCODER = msgspec.msgpack.Encoder()
#: A day row's ``events``: an array whose items stay undecoded until their types are known.
_ITEMS = msgspec.msgpack.Decoder(list[msgspec.Raw])


@cache
def _decoder(cls: type[ev.Event]) -> msgspec.msgpack.Decoder[ev.Event]:
    return msgspec.msgpack.Decoder(type=cls)


@cache
def _field_count(cls: type[ev.Event]) -> int:
    """How many fields ``cls`` has (a dataclass or a ``msgspec.Struct``)."""
    return len(msgspec.inspect.type_info(cls).fields)  # type: ignore[union-attr]


def encode_events(events: Sequence[ev.Event]) -> bytes:
    """``events`` as one MessagePack array, each item its event with every field by name.
    msgspec writes a dataclass and a ``msgspec.Struct`` alike (a Struct as its own options
    say), so the events can become Structs without a change here; each item is decoded on
    its own by :func:`decode_event` once its type is known."""
    return _ENCODER.encode(events)


def decode_event(cls: type[ev.Event], data: bytes | msgspec.Raw) -> ev.Event:
    """The ``cls`` event in ``data``, decoded strictly against the class's annotations (a text
    ``day``, a bool for an int, a list of ints for a tuple of roles, a missing field: each a
    ``msgspec.ValidationError`` naming the field); ``msgspec.DecodeError`` for bytes that are
    no MessagePack. msgspec ignores keys a dataclass does not have, which the JSON reader
    refused, so a map of more entries than ``cls`` has fields is refused here (a Struct with
    ``forbid_unknown_fields`` would refuse them itself)."""
    stored = _map_entries(memoryview(data))
    if stored > _field_count(cls):
        raise msgspec.ValidationError(f"{stored} fields stored, {cls.__name__} has {_field_count(cls)}")
    return _decoder(cls).decode(data)


def _map_entries(data: memoryview) -> int:
    """How many entries the MessagePack map at the start of ``data`` says it has (0 if it is
    no map: the decoder then says what it is)."""
    if not data:
        return 0
    if 0x80 <= data[0] <= 0x8F:
        return data[0] & 0x0F
    if data[0] in (0xDE, 0xDF):
        return int.from_bytes(data[1 : 3 if data[0] == 0xDE else 5], "big")
    return 0


_DAY = attrgetter("day")


def _day_rows(
    run_id: str, events: Iterable[ev.Event], codes: dict[type, int]
) -> Iterator[tuple[str, int, int, int, bytes, bytes]]:
    """``events`` (in seq order) as rows of ``event_days``: one per run of events of one day."""
    for day, group in groupby(events, _DAY):
        same_day = list(group)
        types = bytes(map(codes.__getitem__, map(type, same_day)))
        yield run_id, same_day[0].seq, same_day[-1].seq, day, types, encode_events(same_day)


_DAY_COLUMNS: tuple[tuple[str, type], ...] = (
    ("first_seq", int),
    ("last_seq", int),
    ("day", int),
    ("types", bytes),
    ("events", bytes),
)


def _decode_day(
    run_id: str, row: tuple[object, ...], classes: dict[int, type[ev.Event] | str]
) -> list[ev.Event]:
    """The events of one ``event_days`` row; ``ValueError`` naming the run and the seq when the
    row is damaged (a column of the wrong type, counts that disagree, bytes that are no
    MessagePack array, an unknown type, a field of the wrong type, an event whose seq or day
    is not the row's), so a reader reports a damaged store instead of failing later."""
    where = f"run {run_id}, events seq {row[0]!r} to {row[1]!r}"
    for (name, kind), value in zip(_DAY_COLUMNS, row, strict=True):
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ValueError(f"{where}: column {name} holds {value!r}")
    first, last, day, types, items = cast(tuple[int, int, int, bytes, bytes], row)
    try:
        raws = _ITEMS.decode(items)
    except msgspec.DecodeError as exc:
        raise ValueError(f"{where}: its events are not MessagePack items in an array ({exc})") from None
    if not len(raws) == len(types) == last - first + 1:
        raise ValueError(f"{where}: the row holds {len(raws)} events and {len(types)} type codes")
    out = []
    for seq, code, raw in zip(range(first, last + 1), types, raws, strict=True):
        cls = classes.get(code, f"code {code}")
        if isinstance(cls, str):
            raise ValueError(f"run {run_id}, event seq {seq}: unknown event type {cls}")
        try:
            event = decode_event(cls, raw)
        except msgspec.DecodeError as exc:
            raise ValueError(f"run {run_id}, event seq {seq}: {exc}") from None
        if event.seq != seq or event.day != day:
            raise ValueError(f"run {run_id}, event seq {seq}: it holds seq {event.seq} of day {event.day}")
        out.append(event)
    return out


class SQLiteStore:
    """An SQLite event store; ``append`` buffers, ``flush`` writes a batch in one transaction."""

    def __init__(self, path: Path | str, batch: int = BATCH, readonly: bool = False) -> None:
        self.path = Path(path)
        self.batch = batch
        self.run_id: str | None = None
        self._buffer: list[ev.Event] = []
        self._codes: dict[type, int] = {}
        if readonly:
            # With no -wal file beside it, no writer is active: "immutable" then reads the
            # file without creating -wal/-shm files (a read-only visit leaves no trace).
            quiet = "&immutable=1" if not self.path.with_name(self.path.name + "-wal").exists() else ""
            self.conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro{quiet}", uri=True)
            return
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.executescript(_SCHEMA)
            self._codes = self._register_types()
            if "events" in self._tables():
                self._convert_old_layout()
        except BaseException:
            self.conn.close()
            raise

    @classmethod
    def open_readonly(cls, path: Path | str) -> SQLiteStore:
        """For readers (replay, exports): never creates or alters anything in the file."""
        return cls(path, readonly=True)

    # --- writing -------------------------------------------------------------------------

    def begin_run(self, info: RunInfo) -> None:
        """Register a run (unfinished until :meth:`finish_run`)."""
        self.flush()  # what is buffered belongs to the run before
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
        """Buffer ``event`` (a reference: it is encoded when its batch is written)."""
        if self.run_id is None:
            raise RuntimeError("begin_run before appending events")
        self._buffer.append(event)
        if len(self._buffer) >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Write the buffered events as one batch, in one transaction."""
        if not self._buffer:
            return
        assert self.run_id is not None
        with self._transaction():
            self.conn.executemany(_INSERT_DAY, _day_rows(self.run_id, self._buffer, self._codes))
        self._buffer.clear()

    def clear(self) -> None:
        """Forget every run (a partial store left by a different scenario or seed)."""
        self._buffer.clear()
        with self._transaction():
            self.conn.execute("DELETE FROM event_days")
            self.conn.execute("DELETE FROM runs")
        self.run_id = None

    def truncate(self, run_id: str, day: int) -> None:
        """Delete ``run_id``'s events on or after ``day`` (one transaction): what a resumed
        run re-decides, since a day's events are simultaneous and may be stored in part.
        Each row holds events of one day, so this deletes whole rows."""
        with self._transaction():
            self.conn.execute("DELETE FROM event_days WHERE run_id = ? AND day >= ?", (run_id, day))

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

    def _register_types(self) -> dict[type, int]:
        """Give every event type a code (kept once given: codes in stored rows never change
        meaning, whatever the order or the number of classes in ``sim.core.events``)."""
        with self._transaction():
            self.conn.executemany(
                "INSERT OR IGNORE INTO event_types (code, name) VALUES"
                " ((SELECT coalesce(max(code) + 1, 0) FROM event_types), ?)",
                [(name,) for name in ev.EVENT_TYPES],
            )
        names = dict(self.conn.execute("SELECT name, code FROM event_types"))
        return {cls: names[name] for name, cls in ev.EVENT_TYPES.items()}

    def _convert_old_layout(self) -> None:
        """Rewrite a store of one row per event (the table ``events``) as day rows, in one
        transaction (a crash midway leaves the old table as it was). A damaged old row makes
        this a damaged database: ``sqlite3.DatabaseError`` naming the run and the seq."""
        with self._transaction():
            for (run_id,) in self.conn.execute("SELECT DISTINCT run_id FROM events").fetchall():
                try:
                    self.conn.executemany(
                        _INSERT_DAY, _day_rows(run_id, self._old_events(run_id), self._codes)
                    )
                except ValueError as exc:
                    raise sqlite3.DatabaseError(f"{self.path}: damaged store: {exc}") from None
            self.conn.execute("DROP TABLE events")

    # --- reading -------------------------------------------------------------------------

    def runs(self) -> list[RunInfo]:
        rows = self.conn.execute(
            "SELECT run_id, scenario_name, scenario_sha256, seed, start_date, end_date, package_version,"
            " schema_version, finished, events, log_sha256, final_state_sha256 FROM runs ORDER BY rowid"
        ).fetchall()
        return [RunInfo(*row[:8], bool(row[8]), *row[9:]) for row in rows]

    def events(self, run_id: str) -> Iterator[ev.Event]:
        """``run_id``'s events in seq order, decoded strictly (``ValueError`` naming the run and
        the seq of a damaged one), from the day rows or from a store of the old layout."""
        if "event_days" not in self._tables():
            yield from self._old_events(run_id)
            return
        classes = self._classes()
        cursor = self.conn.execute(
            "SELECT first_seq, last_seq, day, types, events FROM event_days"
            " WHERE run_id = ? ORDER BY first_seq",
            (run_id,),
        )
        for row in cursor:
            yield from _decode_day(run_id, row, classes)

    def _tables(self) -> set[str]:
        return {name for (name,) in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def _classes(self) -> dict[int, type[ev.Event] | str]:
        """Each stored type code's class, or its name in quotes if no class has that name."""
        rows = self.conn.execute("SELECT code, name FROM event_types").fetchall()
        return {code: ev.EVENT_TYPES.get(name, repr(name)) for code, name in rows}  # type: ignore[call-overload]

    def _old_events(self, run_id: str) -> Iterator[ev.Event]:
        """The events of a store written before day rows: one row per event, a JSON payload."""
        cursor = self.conn.execute(
            "SELECT seq, day, type, actor, target, cause, source, reference, act_id, payload"
            " FROM events WHERE run_id = ? ORDER BY seq",
            (run_id,),
        )
        for row in cursor:
            try:
                yield decode_row(row)
            except ValueError as exc:
                raise ValueError(f"run {run_id}, {exc}") from None


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (or ``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        self.conn.execute("COMMIT" if kind is None else "ROLLBACK")
