"""Reading and editing a store's day rows from outside, as another tool would: plain sqlite3 and
msgspec, none of ``sim.store.sqlite``'s own code, so that a test of the reader does not lean on it.

A row of ``event_days`` holds one day's events (or a part of that day): ``first_seq``,
``last_seq``, ``day``, ``types`` (one byte per event, a code of ``event_types``) and ``events``
(a MessagePack array, one map of fields per event). The edits below rewrite one event inside
its row, which is what a damaged or tampered store looks like now that an event is no longer a
row of its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec

ROW = "SELECT rowid, first_seq, last_seq, types, events FROM event_days"


@contextmanager
def _connected(db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(db)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def _names(conn: sqlite3.Connection) -> dict[int, str]:
    return dict(conn.execute("SELECT code, name FROM event_types").fetchall())


def stored(db: Path) -> list[dict[str, Any]]:
    """Every stored event as a dict of its fields plus ``type``, in seq order."""
    with _connected(db) as conn:
        names = _names(conn)
        out = []
        for _, _, _, types, items in conn.execute(f"{ROW} ORDER BY run_id, first_seq"):
            for code, fields in zip(types, msgspec.msgpack.decode(items), strict=True):
                out.append({**fields, "type": names[code]})
        return out


def _row_of(conn: sqlite3.Connection, seq: int) -> tuple[int, int, int, bytearray, list[Any]]:
    row = conn.execute(f"{ROW} WHERE first_seq <= ? AND last_seq >= ?", (seq, seq)).fetchone()
    assert row is not None, f"no stored row holds seq {seq}"
    rowid, first, last, types, items = row
    return rowid, first, last, bytearray(types), msgspec.msgpack.decode(items)


def edit(db: Path, seq: int, change: Callable[[dict[str, Any]], Any]) -> None:
    """Replace event ``seq`` by ``change(its fields)``: any MessagePack value (a dict with a
    field of the wrong type, a list), or ``msgspec.Raw`` bytes that are no MessagePack."""
    with _connected(db) as conn:
        rowid, first, _, _, items = _row_of(conn, seq)
        items[seq - first] = change(dict(items[seq - first]))
        conn.execute(
            "UPDATE event_days SET events = ? WHERE rowid = ?", (msgspec.msgpack.encode(items), rowid)
        )


def set_field(db: Path, seq: int, name: str, value: Any) -> None:
    """Give event ``seq``'s existing field ``name`` the value ``value``."""

    def change(fields: dict[str, Any]) -> dict[str, Any]:
        assert name in fields, (name, fields)
        return {**fields, name: value}

    edit(db, seq, change)


def set_type(db: Path, seq: int, name: str | int) -> None:
    """Give event ``seq`` the type named ``name`` (registered if new), or the bare code ``name``."""
    with _connected(db) as conn:
        if isinstance(name, str):
            conn.execute(
                "INSERT OR IGNORE INTO event_types (code, name)"
                " VALUES ((SELECT max(code) + 1 FROM event_types), ?)",
                (name,),
            )
            (name,) = conn.execute("SELECT code FROM event_types WHERE name = ?", (name,)).fetchone()
        rowid, first, _, types, _ = _row_of(conn, seq)
        types[seq - first] = name
        conn.execute("UPDATE event_days SET types = ? WHERE rowid = ?", (bytes(types), rowid))


def delete(db: Path, seq: int) -> None:
    """Remove event ``seq`` from the store (its row is cut around it); the events after it keep
    their seqs, so the log has a gap, or a shorter end."""
    with _connected(db) as conn:
        rowid, first, last, types, items = _row_of(conn, seq)
        run_id, day = conn.execute("SELECT run_id, day FROM event_days WHERE rowid = ?", (rowid,)).fetchone()
        conn.execute("DELETE FROM event_days WHERE rowid = ?", (rowid,))
        for low, high in ((first, seq - 1), (seq + 1, last)):
            if low <= high:
                part = slice(low - first, high - first + 1)
                conn.execute(
                    "INSERT INTO event_days (run_id, first_seq, last_seq, day, types, events)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (run_id, low, high, day, bytes(types[part]), msgspec.msgpack.encode(items[part])),
                )


def execute(db: Path, statement: str) -> None:
    """Run one SQL statement on the store and commit it."""
    with _connected(db) as conn:
        conn.execute(statement)
