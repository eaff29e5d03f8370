"""The SQLite event store: what it gives back, how strictly it decodes, how it truncates and
survives a crash, and the stores of the layout before day rows (read as they are, converted
when written to).

The CLI's view of a damaged store is in ``test_trust_store.py``; these tests hold the store to
its own promises.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import shutil
import sqlite3
import tracemalloc
from pathlib import Path
from typing import Any

import msgspec
import pytest

from sim.analysis.export import to_csv, to_jsonl
from sim.app.runner import run_scenario
from sim.core import events as ev
from sim.store import sqlite as st
from sim.store.replay import load_replay
from sim.store.sqlite import RunInfo, SQLiteStore, decode_event, encode_events, log_digest
from tests import store_rows
from tests.cli_runner import ROOT, sim_inline
from tests.helpers import bundled_run
from tests.test_state import kitchen_sink

SPIRAL = ROOT / "scenarios" / "tit-for-tat-spiral.yaml"
INFO = RunInfo("run-1", "kitchen", "0" * 64, 3, "2020-01-01", "2020-12-26", "0.1.0", ev.SCHEMA_VERSION)


def _log() -> list[ev.Event]:
    return kitchen_sink().log


def _write(path: Path, log: list[ev.Event], batch: int = st.BATCH, info: RunInfo = INFO) -> SQLiteStore:
    store = SQLiteStore(path, batch=batch)
    store.begin_run(info)
    for event in log:
        store.append(event)
    return store


def _read(path: Path, run_id: str = INFO.run_id) -> list[ev.Event]:
    store = SQLiteStore.open_readonly(path)
    try:
        return list(store.events(run_id))
    finally:
        store.conn.close()


# --- what is written is what is read -------------------------------------------------------------


def test_every_event_type_reads_back_as_written(tmp_path: Path) -> None:
    log = _log()
    assert {type(e) for e in log} == set(ev.EVENT_TYPES.values())
    _write(tmp_path / "e.sqlite", log, batch=97).close()
    back = _read(tmp_path / "e.sqlite")
    assert back == log and [type(e) for e in back] == [type(e) for e in log]
    assert all(isinstance(e.roles, tuple) for e in back if hasattr(e, "roles"))
    assert log_digest(back) == log_digest(log)


def test_one_row_per_day_and_a_day_split_by_a_batch_is_two_rows(tmp_path: Path) -> None:
    log = _log()
    _write(tmp_path / "whole.sqlite", log).close()
    _write(tmp_path / "split.sqlite", log, batch=50).close()
    days = _days(tmp_path / "whole.sqlite")
    assert [day for _, _, day in days] == sorted({e.day for e in log})
    split = _days(tmp_path / "split.sqlite")
    assert len(split) > len(days) and sorted({day for _, _, day in split}) == [d for _, _, d in days]
    assert [first for first, _, _ in split[1:]] == [last + 1 for _, last, _ in split[:-1]]


def _days(path: Path) -> list[tuple[int, int, int]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT first_seq, last_seq, day FROM event_days ORDER BY first_seq").fetchall()


def test_the_codec_takes_msgspec_structs_as_well_as_dataclasses() -> None:
    """The events are to become frozen Structs: the one encoder and decoder need no change."""

    class Departed(msgspec.Struct, frozen=True, kw_only=True):
        seq: int
        day: int
        person: int
        roles: tuple[str, ...] = ()

    events = [Departed(seq=0, day=1, person=4, roles=("local",)), Departed(seq=1, day=1, person=5)]
    items = msgspec.msgpack.Decoder(list[msgspec.Raw]).decode(encode_events(events))  # type: ignore[arg-type]
    assert [decode_event(Departed, item) for item in items] == events  # type: ignore[arg-type]
    with pytest.raises(msgspec.ValidationError, match="5 fields stored"):
        decode_event(Departed, msgspec.msgpack.encode({"seq": 0, "day": 1, "person": 4, "x": 1, "y": 2}))  # type: ignore[arg-type]


def _first(cls: type[ev.Event]) -> ev.Event:
    return next(e for e in _log() if type(e) is cls)


#: One wrong value for each kind of annotation the events use (the checks of the JSON reader).
WRONG: list[tuple[type[ev.Event], str, Any]] = [
    (ev.StaffArrived, "role", 7),  # str
    (ev.StaffArrived, "day", "abc"),  # int
    (ev.StaffArrived, "day", True),  # int, not a bool
    (ev.StaffArrived, "day", 1.0),  # int, not a float
    (ev.ExpulsionOrdered, "replaceable", 1),  # bool
    (ev.StaffArrived, "cause", "x"),  # int | None
    (ev.StaffArrived, "reference", 5),  # str | None
    (ev.ExpulsionOrdered, "roles", ["diplomat", 3]),  # tuple[str, ...]
    (ev.ExpulsionOrdered, "roles", "diplomat"),  # tuple[str, ...], not a str
    (ev.MissionOpened, "targets", [["embassy", "diplomat", "3"]]),  # tuple[tuple[str, str, int], ...]
    (ev.MissionOpened, "targets", [["embassy", "diplomat"]]),  # a triple
]


@pytest.mark.parametrize(
    ("cls", "name", "value"), WRONG, ids=[f"{c.__name__}.{n}={v!r}" for c, n, v in WRONG]
)
def test_a_field_of_the_wrong_type_is_refused_naming_the_field(
    cls: type[ev.Event], name: str, value: Any
) -> None:
    fields = msgspec.msgpack.decode(encode_events([_first(cls)]))[0]
    assert decode_event(cls, msgspec.msgpack.encode(fields)) == _first(cls)
    with pytest.raises(msgspec.ValidationError, match=rf"\$\.{name}"):
        decode_event(cls, msgspec.msgpack.encode({**fields, name: value}))


def test_a_field_the_class_does_not_have_is_refused_and_a_defaulted_one_may_be_missing() -> None:
    event = _first(ev.StaffArrived)
    fields = msgspec.msgpack.decode(encode_events([event]))[0]
    with pytest.raises(msgspec.ValidationError, match="14 fields stored, StaffArrived has 13"):
        decode_event(ev.StaffArrived, msgspec.msgpack.encode({**fields, "nope": 1}))
    del fields["request"]  # a default, as a JSON payload without it was read before
    assert decode_event(ev.StaffArrived, msgspec.msgpack.encode(fields)) == event


def test_a_damaged_row_is_a_value_error_naming_the_run_and_seq(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite"
    _write(path, _log()).close()
    store_rows.set_field(path, 7, "day", "abc")
    with pytest.raises(
        ValueError, match=r"^run run-1, event seq 7: Expected `int`, got `str` - at `\$\.day`$"
    ):
        _read(path)


# --- writing: batches, truncation, clearing, the type codes ----------------------------------------


def test_a_crash_loses_at_most_the_unwritten_batch(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite"
    log = _log()
    store = _write(path, log[:250], batch=100)
    store.conn.close()  # the process dies: nothing more is flushed
    assert _read(path) == log[:200]


def test_truncate_deletes_the_days_from_that_day_on_even_a_day_split_by_a_batch(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite"
    log = _log()
    busy = max({e.day for e in log}, key=[e.day for e in log].count)
    store = _write(path, log, batch=7)
    store.flush()
    assert len([1 for _, _, day in _days(path) if day == busy]) > 1
    store.truncate(INFO.run_id, busy)
    store.close()
    assert _read(path) == [e for e in log if e.day < busy]


def test_truncate_and_clear_touch_only_what_they_say(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite"
    log = _log()
    other = dataclasses.replace(INFO, run_id="run-2")
    store = _write(path, log)
    store.begin_run(other)  # writes what run-1 buffered first
    for event in log[:10]:
        store.append(event)
    store.flush()
    store.truncate("run-2", 0)
    store.close()
    assert _read(path) == log and _read(path, "run-2") == []
    store = SQLiteStore(path)
    store.clear()
    assert store.runs() == [] and list(store.events("run-1")) == []
    store.close()


def test_type_codes_once_given_keep_their_meaning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Codes live in the store, so reordering or adding classes in ``sim.core.events`` cannot make a
    stored row name another type."""
    path = tmp_path / "e.sqlite"
    log = _log()
    _write(path, log).close()
    with sqlite3.connect(path) as conn:
        before = conn.execute("SELECT code, name FROM event_types ORDER BY code").fetchall()

    class BrandNew(ev.Event, kw_only=True):
        pass

    monkeypatch.setattr(ev, "EVENT_TYPES", {"BrandNew": BrandNew, **dict(reversed(ev.EVENT_TYPES.items()))})
    store = _write(
        path, [BrandNew(seq=0, day=0, actor="A", target="B")], info=dataclasses.replace(INFO, run_id="r")
    )
    store.close()
    with sqlite3.connect(path) as conn:
        after = conn.execute("SELECT code, name FROM event_types ORDER BY code").fetchall()
    assert after == [*before, (len(before), "BrandNew")]
    assert _read(path) == log and _read(path, "r") == [BrandNew(seq=0, day=0, actor="A", target="B")]


def test_memory_per_event_does_not_grow(tmp_path: Path) -> None:
    """Reading: the events it returns cost no more than the one-row-per-event reader's did (a
    day's bytes at a time, not the run's); writing: the buffer holds references, not rows."""
    log = bundled_run(ROOT / "scenarios" / "baseline.yaml").log
    _write_old_layout(tmp_path / "old.sqlite", log)
    _write(tmp_path / "new.sqlite", log).close()
    assert _read(tmp_path / "old.sqlite") == _read(tmp_path / "new.sqlite") == log  # warm: decoders made
    old, new = (_peak(lambda p=p: _read(tmp_path / p)) for p in ("old.sqlite", "new.sqlite"))
    assert new <= old, (new / len(log), old / len(log))
    store = SQLiteStore(tmp_path / "w.sqlite", batch=len(log) + 1)
    store.begin_run(INFO)
    buffered = _peak(lambda: [store.append(event) for event in log])
    assert buffered / len(log) < 20  # a reference and the list's spare room (a row was ~300 bytes)
    store.close()


def _peak(work: Any) -> int:
    """The peak of Python's allocations while ``work()`` runs and its result is still held."""
    gc.collect()
    tracemalloc.start()
    try:
        kept = work()
        peak = tracemalloc.get_traced_memory()[1]
        del kept
        return peak
    finally:
        tracemalloc.stop()


# --- the layout before day rows ---------------------------------------------------------------------

#: The DDL and rows of the store up to 2026-11 (one row per event, a JSON payload), kept here
#: so that the reader of that layout stays tested.
OLD_SCHEMA = """
CREATE TABLE runs (
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
CREATE TABLE events (
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


def _old_row(event: ev.Event, run_id: str) -> tuple[object, ...]:
    base = (event.seq, event.day, type(event).__name__, event.actor, event.target, event.cause)
    return (run_id, *base, event.source, event.reference, event.act_id, ev.payload_json(event))


def _write_old_layout(path: Path, log: list[ev.Event], info: RunInfo = INFO) -> None:
    """A store as ``sim run`` wrote it before day rows: WAL, checkpointed on close."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(OLD_SCHEMA)
    with conn:
        conn.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", dataclasses.astuple(info)
        )
        conn.executemany(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [_old_row(e, info.run_id) for e in log],
        )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _as_old_run_folder(run_dir: Path, target: Path) -> Path:
    """A copy of ``run_dir`` whose store is in the old layout (the same runs row and events)."""
    shutil.copytree(run_dir, target)
    replay = load_replay(run_dir)
    (target / "events.sqlite").unlink()
    _write_old_layout(target / "events.sqlite", replay.log, replay.info)
    return target


@pytest.fixture(scope="module")
def spiral_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("store") / "spiral"
    run_scenario(SPIRAL, out)
    return out


def test_an_old_store_reads_as_it_is_without_being_changed(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    log = _log()
    _write_old_layout(path, log)
    before = path.read_bytes()
    assert _read(path) == log
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["old.sqlite"]


def test_replay_and_exports_of_an_old_run_folder_are_byte_for_byte_the_same(
    spiral_run: Path, tmp_path: Path
) -> None:
    old = _as_old_run_folder(spiral_run, tmp_path / "old")
    with sqlite3.connect(old / "events.sqlite") as conn:
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} == {
            "runs",
            "events",
        }
    for args in (("export",), ("export", "--format", "csv"), ("replay",)):
        then, now = sim_inline(*args, old), sim_inline(*args, spiral_run)
        assert then.code == now.code == 0, then.stderr
        assert then.stdout == now.stdout, args
    replay = load_replay(old)
    assert to_jsonl(replay.log) == to_jsonl(load_replay(spiral_run).log)
    assert to_csv(replay.log, replay.start) == to_csv(load_replay(spiral_run).log, replay.start)


def test_a_damaged_old_row_names_the_run_and_seq(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _write_old_layout(path, _log())
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE events SET day = 'abc' WHERE seq = 5")
    with pytest.raises(ValueError, match=r"^run run-1, event seq 5: column day holds 'abc'$"):
        _read(path)
    with pytest.raises(sqlite3.DatabaseError, match=r"damaged store: run run-1, event seq 5: column day"):
        SQLiteStore(path)
    with sqlite3.connect(path) as conn:  # the failed conversion left the store as it was
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (len(_log()),)


def test_an_old_store_opened_for_writing_is_converted_in_one_go(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    log = _log()
    _write_old_layout(path, log)
    store = SQLiteStore(path)
    assert store.runs() == [INFO] and list(store.events(INFO.run_id)) == log
    store.close()
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"runs", "event_types", "event_days"}
    assert [ev.from_dict(json.loads(ev.to_json(e))) for e in _read(path)] == log


def test_a_run_resumes_from_an_old_partial_store(spiral_run: Path, tmp_path: Path) -> None:
    """An interrupted run of an older version: the next ``sim run`` converts its partial store
    and resumes it, writing what an uninterrupted run writes."""
    reference = json.loads((spiral_run / "manifest.json").read_text())
    replay = load_replay(spiral_run)
    unfinished = dataclasses.replace(
        replay.info, finished=False, events=None, log_sha256=None, final_state_sha256=None
    )
    partial = tmp_path / ".spiral.partial"
    partial.mkdir()
    half = [e for e in replay.log if e.day <= replay.log[-1].day // 2]
    _write_old_layout(partial / "events.sqlite", half, unfinished)
    assert sim_inline("run", SPIRAL, "--out", tmp_path / "spiral").code == 0
    manifest = json.loads((tmp_path / "spiral" / "manifest.json").read_text())
    assert manifest["log_sha256"] == reference["log_sha256"] and manifest["events"] == reference["events"]


def test_a_damaged_old_partial_store_is_rebuilt(spiral_run: Path, tmp_path: Path) -> None:
    partial = tmp_path / ".spiral.partial"
    partial.mkdir()
    replay = load_replay(spiral_run)
    _write_old_layout(
        partial / "events.sqlite", replay.log[:100], dataclasses.replace(replay.info, finished=False)
    )
    with sqlite3.connect(partial / "events.sqlite") as conn:
        conn.execute("UPDATE events SET payload = '[1]' WHERE seq = 50")
    outcome = sim_inline("run", SPIRAL, "--out", tmp_path / "spiral")
    assert outcome.code == 0, outcome.stderr
    manifest = json.loads((tmp_path / "spiral" / "manifest.json").read_text())
    assert manifest["log_sha256"] == json.loads((spiral_run / "manifest.json").read_text())["log_sha256"]
