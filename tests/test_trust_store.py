"""A damaged or edited store: one line, a defined exit code, nothing exported, nothing created.

Before these checks a text ``day`` gave a ``TypeError`` traceback from both ``replay`` and
``export``; an unfinished run exited 1 though its own message is bad input (2); a
``manifest.json`` that is a JSON list crashed ``compare``; a store with its last event
deleted and its row re-hashed exported with exit 0; and reading a store with a ``-wal``
beside it created ``events.sqlite-shm`` in the run folder.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest

from sim.core.state import digest
from sim.core.working import fold
from sim.store.replay import load_replay
from sim.store.sqlite import log_digest
from tests import store_rows as rows
from tests.cli_runner import sim_inline

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("store") / "run"
    assert sim_inline("run", BASELINE, "--out", out).code == 0
    return out


@pytest.fixture
def copy(run_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "run"
    shutil.copytree(run_dir, target)
    return target


def _sql(folder: Path, *statements: str) -> None:
    conn = sqlite3.connect(folder / "events.sqlite")
    with conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


def _one_line(outcome: object, code: int) -> str:
    assert outcome.code == code, outcome.stderr  # type: ignore[attr-defined]
    outcome.assert_no_traceback()  # type: ignore[attr-defined]
    lines = outcome.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("command", ["replay", "export"])
def test_a_text_day_is_a_damaged_store(copy: Path, command: str) -> None:
    rows.set_field(copy / "events.sqlite", 5, "day", "abc")
    line = _one_line(sim_inline(command, copy), 1)
    assert "damaged store" in line and "seq 5" in line and "day" in line


def test_a_text_day_column_names_the_row(copy: Path) -> None:
    _sql(copy, "UPDATE event_days SET day = 'abc' WHERE first_seq = 0")
    line = _one_line(sim_inline("export", copy), 1)
    assert "damaged store" in line and "events seq 0 to" in line and "column day holds 'abc'" in line


def _raw(data: bytes) -> Callable[[dict[str, Any]], msgspec.Raw]:
    return lambda fields: msgspec.Raw(data)


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda db: rows.set_type(db, 2, "Nonsense"), "seq 2: unknown event type 'Nonsense'"),
        (lambda db: rows.set_type(db, 2, 200), "seq 2: unknown event type code 200"),
        (lambda db: rows.edit(db, 2, lambda fields: [1, 2]), "seq 2: Expected `object`, got `array`"),
        (lambda db: rows.edit(db, 2, lambda fields: {"nope": 1}), "seq 2: Object missing required field"),
        (lambda db: rows.edit(db, 2, lambda fields: {**fields, "nope": 1}), "seq 2: 14 fields stored"),
        (lambda db: rows.edit(db, 2, _raw(b"\xc1")), "events seq 0 to 901: its events are not MessagePack"),
        (lambda db: rows.set_field(db, 2, "cause", "x"), "seq 2: Expected `int | null`, got `str`"),
        (lambda db: rows.set_field(db, 2, "seq", 3), "seq 2: it holds seq 3 of day 0"),
        (lambda db: rows.set_field(db, 2, "day", 1), "seq 2: it holds seq 2 of day 1"),
        (lambda db: rows.set_field(db, 2, "role", 7), "seq 2: Expected `str`, got `int` - at `$.role`"),
        (
            lambda db: _sql(db.parent, "UPDATE event_days SET events = X'C1' WHERE first_seq = 0"),
            "its events are not MessagePack",
        ),
        (
            lambda db: _sql(db.parent, "UPDATE event_days SET events = X'90' WHERE first_seq = 0"),
            "the row holds 0 events and",
        ),
    ],
    ids=[
        "unknown-name",
        "unknown-code",
        "not-a-map",
        "missing-fields",
        "unknown-field",
        "not-msgpack",
        "text-cause",
        "wrong-seq",
        "wrong-day",
        "field-of-another-type",
        "row-not-msgpack",
        "row-of-no-events",
    ],
)
def test_other_damaged_rows_are_one_line_naming_the_run_and_seq(
    copy: Path, damage: Callable[[Path], None], said: str
) -> None:
    damage(copy / "events.sqlite")
    line = _one_line(sim_inline("export", copy), 1)
    run_id = json.loads((copy / "manifest.json").read_text())["run_id"]
    assert f"damaged store: run {run_id}, event" in line and said in line, line


def test_an_unfinished_run_is_bad_input_with_a_hint(copy: Path) -> None:
    _sql(copy, "UPDATE runs SET finished = 0")
    line = _one_line(sim_inline("replay", copy), 2)
    assert "never finished" in line and "resumes" in line


def test_a_manifest_that_is_a_list(copy: Path, run_dir: Path, tmp_path: Path) -> None:
    (copy / "manifest.json").write_text("[1, 2]\n")
    assert "manifest.json: damaged" in _one_line(
        sim_inline("compare", run_dir, copy, "--out", tmp_path / "c.png"), 2
    )
    assert "manifest.json: damaged" in _one_line(sim_inline("replay", copy), 2)
    assert not (tmp_path / "c.png").exists()


def test_a_manifest_that_disagrees_with_the_store_is_not_exported(copy: Path, tmp_path: Path) -> None:
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["log_sha256"] = "0" * 64
    (copy / "manifest.json").write_text(json.dumps(manifest))
    out = tmp_path / "log.jsonl"
    line = _one_line(sim_inline("export", copy, "--out", out), 1)
    assert "differs from manifest.json" in line
    assert not out.exists()


def test_a_store_whose_last_event_was_deleted_and_rehashed_is_caught(copy: Path, tmp_path: Path) -> None:
    replay = load_replay(copy)
    shortened = replay.log[:-1]
    rows.delete(copy / "events.sqlite", replay.log[-1].seq)
    _sql(
        copy,
        f"UPDATE runs SET events = {len(shortened)}, log_sha256 = '{log_digest(shortened)}',"
        f" final_state_sha256 = '{digest(fold(shortened))}'",
    )
    for command in ("export", "replay"):
        line = _one_line(sim_inline(command, copy), 1)
        assert "manifest.json" in line


def test_reading_a_store_with_a_wal_beside_it_creates_nothing_in_the_run_folder(
    copy: Path, tmp_path: Path
) -> None:
    """A writer's WAL left beside the store (a run killed while a reader looked): replay reads
    it, and the folder holds the same files afterwards."""
    live = tmp_path / "live"
    shutil.copytree(copy, live)
    conn = sqlite3.connect(live / "events.sqlite")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    with conn:
        conn.execute("CREATE TABLE scratch (a)")  # a write that lands in the -wal only
    shutil.copyfile(live / "events.sqlite", copy / "events.sqlite")
    shutil.copyfile(live / "events.sqlite-wal", copy / "events.sqlite-wal")
    conn.close()
    before = sorted(p.name for p in copy.iterdir())
    assert "events.sqlite-wal" in before and "events.sqlite-shm" not in before
    outcome = sim_inline("replay", copy)
    assert outcome.code == 0, outcome.stderr
    assert sorted(p.name for p in copy.iterdir()) == before
