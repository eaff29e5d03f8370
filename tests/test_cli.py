"""End-to-end tests of the ``sim`` command line: real processes, real files, real exit codes.

One run of ``tit-for-tat-spiral`` (module fixture, in a subprocess) is shared by every test
that only reads its outputs; tests that write to the store work on a copy of it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pyarrow.parquet as pq
import pytest

import sim
from tests import store_rows
from tests.cli_runner import sim_inline, sim_process, sim_script

ROOT = Path(__file__).resolve().parent.parent
SPIRAL = ROOT / "scenarios" / "tit-for-tat-spiral.yaml"
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))
OUTPUT_FILES = {
    "events.sqlite",
    "events.parquet",
    "staffing.csv",
    "staffing.png",
    "staffing.svg",
    "manifest.json",
}
ROLES = ("diplomat", "admin_technical", "local")
SIDES = {"A", "B"}  # the side names in tit-for-tat-spiral.yaml
STARTING_STAFF = {"diplomat": 60, "admin_technical": 30, "local": 60}  # each side's embassy there
SPIRAL_SEED = 11
SPIRAL_START = dt.date(2022, 1, 1)
SPIRAL_END = dt.date(2024, 12, 31)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Run:
    out: Path
    stdout: str
    manifest: dict[str, Any]


def _run(out: Path, *extra: object, hash_seed: str | None = None) -> Run:
    outcome = sim_process("run", SPIRAL, "--out", out, *extra, hash_seed=hash_seed)
    assert outcome.code == 0, outcome.stderr
    outcome.assert_no_traceback()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return Run(out, outcome.stdout, manifest)


@pytest.fixture(scope="module")
def spiral(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The one shared run (hash seed pinned so a second run can use a different one)."""
    return _run(tmp_path_factory.mktemp("spiral") / "x", hash_seed="1")


@pytest.fixture(scope="module")
def spiral_again(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Same scenario and seed, another process with another hash seed: must not matter."""
    return _run(tmp_path_factory.mktemp("spiral-again") / "x", hash_seed="2")


@pytest.fixture
def run_copy(spiral: Run, tmp_path: Path) -> Path:
    """A private copy of the shared run directory, for tests that open or tamper with the store."""
    target = tmp_path / "run"
    shutil.copytree(spiral.out, target)
    return target


def _rows(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _csv_rows(path: Path) -> tuple[str, list[dict[str, str]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0]
    names = header.split(",")
    return header, [dict(zip(names, line.split(","), strict=True)) for line in lines[1:]]


def _headcounts_on(rows: list[dict[str, str]], day: int) -> dict[str, dict[str, int]]:
    """Headcount per mission and role at the end of ``day``, read off staffing.csv."""
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        if int(row["day"]) <= day:
            out.setdefault(row["mission"], {})[row["role"]] = int(row["headcount"])
    return out


def _replay_line(date: dt.date, mission: str, roles: dict[str, int]) -> str:
    parts = ", ".join(f"{role} {roles[role]}" for role in ROLES)
    return f"{date}  {mission}: {sum(roles.values())} ({parts})"


# --- sim run: the files it writes -------------------------------------------------------------


def test_run_writes_exactly_the_six_outputs_and_no_leftovers(spiral: Run) -> None:
    """The atomic write must leave the six files and nothing else (no temp or aside dirs)."""
    assert {p.name for p in spiral.out.iterdir()} == OUTPUT_FILES
    assert [p.name for p in spiral.out.parent.iterdir()] == [spiral.out.name]
    assert spiral.manifest["files"] == sorted(OUTPUT_FILES)


def test_run_prints_a_summary_naming_the_log_hash(spiral: Run) -> None:
    """The console summary must agree with the manifest it just wrote."""
    m = spiral.manifest
    assert f"{m['events']:,} events, log sha256 {m['log_sha256'][:16]}" in spiral.stdout
    assert f"seed {SPIRAL_SEED}" in spiral.stdout


def test_manifest_records_provenance(spiral: Run) -> None:
    """The manifest is how a result is traced back to its input, seed and code version."""
    m = spiral.manifest
    for key in ("scenario_sha256", "seed", "version", "events", "log_sha256"):
        assert key in m, key
    assert HEX64.match(m["scenario_sha256"])
    assert HEX64.match(m["log_sha256"])
    assert m["seed"] == SPIRAL_SEED
    assert m["version"] == sim.__version__
    assert isinstance(m["events"], int) and m["events"] > 0
    assert (m["start"], m["end"]) == (SPIRAL_START.isoformat(), SPIRAL_END.isoformat())
    assert set(m["final_headcounts"]) == SIDES
    for roles in m["final_headcounts"].values():
        assert set(roles) == set(ROLES)


def test_sqlite_store_schema_mode_and_run_row(spiral: Run, run_copy: Path) -> None:
    """The store must be WAL, have both tables, and a finished runs row matching the manifest."""
    db = run_copy / "events.sqlite"
    m = spiral.manifest
    tables = {r[0] for r in _rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"runs", "event_types", "event_days"}
    assert _rows(db, "PRAGMA journal_mode") == [("wal",)]
    runs = _rows(
        db,
        "SELECT seed, scenario_sha256, package_version, schema_version, finished, events, log_sha256"
        " FROM runs",
    )
    assert runs == [
        (
            SPIRAL_SEED,
            m["scenario_sha256"],
            m["version"],
            m["schema_version"],
            1,
            m["events"],
            m["log_sha256"],
        )
    ]
    seqs = [event["seq"] for event in store_rows.stored(db)]
    assert seqs == list(range(m["events"])), "seq must run 0..n-1 without gaps"
    days = _rows(db, "SELECT first_seq, last_seq, day FROM event_days ORDER BY first_seq")
    assert [first for first, _, _ in days[1:]] == [last + 1 for _, last, _ in days[:-1]]
    assert len({day for _, _, day in days}) == len(days), "one row per day (a run written in one go)"


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO event_days SELECT * FROM event_days WHERE first_seq = 0",
        "INSERT INTO event_days SELECT run_id, last_seq, last_seq, day, X'00', X'90' FROM event_days"
        " WHERE first_seq = 0",
        "INSERT INTO event_days SELECT run_id, 1, 1, day, X'00', X'90' FROM event_days WHERE first_seq = 0",
    ],
    ids=["same-row", "its-last-seq", "inside-a-row"],
)
def test_sqlite_store_refuses_a_duplicate_seq(run_copy: Path, sql: str) -> None:
    """No seq of a run is stored twice (what makes the log append-only per run); the database
    enforces it for any writer, also for a row that only overlaps another."""
    conn = sqlite3.connect(run_copy / "events.sqlite")
    try:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(sql)
    finally:
        conn.close()


def test_parquet_has_one_row_per_event(spiral: Run) -> None:
    """The parquet export is the same log as the store, row for row."""
    table = pq.read_table(spiral.out / "events.parquet", columns=["seq"])
    assert table.num_rows == spiral.manifest["events"]
    assert table.column("seq").to_pylist() == list(range(spiral.manifest["events"]))


def test_staffing_csv_shape_and_final_headcounts(spiral: Run) -> None:
    """staffing.csv is the table people plot: right header, names, dates, and end state."""
    header, rows = _csv_rows(spiral.out / "staffing.csv")
    assert header == "date,day,mission,role,headcount"
    assert {r["mission"] for r in rows} == SIDES
    assert {r["role"] for r in rows} == set(ROLES)
    for row in rows:
        assert dt.date.fromisoformat(row["date"]) == SPIRAL_START + dt.timedelta(days=int(row["day"]))
        assert int(row["headcount"]) >= 0
    days = [int(r["day"]) for r in rows]
    assert days == sorted(days), "rows must be in day order"
    assert _headcounts_on(rows, 0) == {side: STARTING_STAFF for side in SIDES}
    last_day = (SPIRAL_END - SPIRAL_START).days
    assert _headcounts_on(rows, last_day) == spiral.manifest["final_headcounts"]


def test_staffing_csv_agrees_with_the_stored_events(spiral: Run, run_copy: Path) -> None:
    """Every row's headcount is the running sum of arrivals minus departures in the store."""
    db = run_copy / "events.sqlite"
    role_of: dict[int, tuple[str, str]] = {}
    delta: dict[tuple[str, str, int], int] = {}
    for data in store_rows.stored(db):
        seq, day, kind, actor = data["seq"], data["day"], data["type"], data["actor"]
        if kind not in ("StaffArrived", "StaffDeparted"):
            continue
        if kind == "StaffArrived":
            role_of[seq] = (actor, data["role"])
            key, step = (actor, data["role"], day), 1
        else:
            mission, role = role_of[data["person"]]
            key, step = (mission, role, day), -1
        delta[key] = delta.get(key, 0) + step
    _, rows = _csv_rows(spiral.out / "staffing.csv")
    running: dict[tuple[str, str], int] = {}
    expected: dict[tuple[str, str, int], int] = {}
    for mission, role, day in sorted(delta, key=lambda k: k[2]):
        running[mission, role] = running.get((mission, role), 0) + delta[mission, role, day]
        expected[mission, role, day] = running[mission, role]
    got = {(r["mission"], r["role"], int(r["day"])): int(r["headcount"]) for r in rows}
    assert len(got) == len(rows), "one row per mission, role and day"
    assert got == {k: v for k, v in expected.items() if k[2] == 0 or delta[k] != 0}


def test_chart_files_are_real_images(spiral: Run) -> None:
    """A PNG with the magic bytes and real content (not an empty figure), and an SVG."""
    png = (spiral.out / "staffing.png").read_bytes()
    assert png.startswith(PNG_MAGIC)
    assert len(png) > 10_000
    svg = (spiral.out / "staffing.svg").read_text(encoding="utf-8")
    assert "<svg" in svg


# --- determinism -------------------------------------------------------------------------------


def test_same_seed_gives_the_same_log(spiral: Run, spiral_again: Run) -> None:
    """Reproducibility: same scenario and seed, different process and hash seed, same log."""
    assert spiral_again.manifest["log_sha256"] == spiral.manifest["log_sha256"]
    assert spiral_again.manifest["final_state_sha256"] == spiral.manifest["final_state_sha256"]
    query = "SELECT * FROM event_days ORDER BY run_id, first_seq"
    assert _rows(spiral_again.out / "events.sqlite", query) == _rows(spiral.out / "events.sqlite", query)
    assert (spiral_again.out / "staffing.csv").read_bytes() == (spiral.out / "staffing.csv").read_bytes()


def test_another_seed_gives_another_log(spiral: Run, tmp_path: Path) -> None:
    """--seed must reach the randomness (and be recorded), or seeds would be decoration."""
    out = tmp_path / "other"
    outcome = sim_inline("run", SPIRAL, "--seed", SPIRAL_SEED + 1, "--out", out)
    assert outcome.code == 0, outcome.stderr
    outcome.assert_no_traceback()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == SPIRAL_SEED + 1
    assert manifest["log_sha256"] != spiral.manifest["log_sha256"]
    assert _rows(out / "events.sqlite", "SELECT seed FROM runs") == [(SPIRAL_SEED + 1,)]


# --- sim replay -------------------------------------------------------------------------------


def test_replay_prints_final_headcounts_and_leaves_the_store_alone(spiral: Run, run_copy: Path) -> None:
    """Replay folds the stored log: exit 0, the recorded end state, and a read-only visit."""
    db = run_copy / "events.sqlite"
    before = db.read_bytes()
    outcome = sim_process("replay", run_copy)
    assert outcome.code == 0, outcome.stderr
    outcome.assert_no_traceback()
    lines = outcome.stdout.splitlines()
    for mission, roles in spiral.manifest["final_headcounts"].items():
        assert _replay_line(SPIRAL_END, mission, roles) in lines
    assert lines[-1] == f"replay ok: {spiral.manifest['events']:,} events fold to the recorded final state"
    assert db.read_bytes() == before
    assert {p.name for p in run_copy.iterdir()} == OUTPUT_FILES


def test_replay_at_a_date_prints_that_dates_headcounts(spiral: Run) -> None:
    """--at folds a prefix of the log; it must agree with staffing.csv on that date."""
    date = dt.date(2023, 1, 1)
    outcome = sim_inline("replay", spiral.out, "--at", date.isoformat())
    assert outcome.code == 0, outcome.stderr
    outcome.assert_no_traceback()
    _, rows = _csv_rows(spiral.out / "staffing.csv")
    expected = _headcounts_on(rows, (date - SPIRAL_START).days)
    lines = outcome.stdout.splitlines()
    assert [line for line in lines if line.startswith(f"{date}  ")] == [
        _replay_line(date, mission, expected[mission]) for mission in ("A", "B")
    ]
    assert not any(line.startswith(f"{SPIRAL_END}  ") for line in lines)


@pytest.mark.parametrize(
    ("value", "hint"),
    [("2023-13-01", "not a date"), ("yesterday", "not a date"), ("2030-01-01", "outside the run")],
    ids=["month-13", "word", "after-the-end"],
)
def test_replay_rejects_a_bad_at(spiral: Run, value: str, hint: str) -> None:
    """A bad --at is the user's input: exit 2, one line naming the value, no headcounts."""
    outcome = sim_inline("replay", spiral.out, "--at", value)
    assert outcome.code == 2
    outcome.assert_no_traceback()
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("--at: ") and value in lines[0] and hint in lines[0]
    assert outcome.stdout == ""


def test_replay_of_a_directory_without_a_store(tmp_path: Path) -> None:
    """Pointing replay at the wrong directory is bad input (2), said in one line."""
    outcome = sim_inline("replay", tmp_path)
    assert outcome.code == 2
    outcome.assert_no_traceback()
    assert outcome.stderr.strip() == f"{tmp_path}: no events.sqlite here (is it a run directory?)"


def _first_arrival(db: Path) -> int:
    return next(event["seq"] for event in store_rows.stored(db) if event["type"] == "StaffArrived")


TAMPERING: list[Any] = [
    pytest.param(lambda db: store_rows.delete(db, len(store_rows.stored(db)) - 1), id="delete-last-event"),
    pytest.param(
        lambda db: store_rows.set_field(db, _first_arrival(db), "role", "local"), id="edit-payload-role"
    ),
    pytest.param(lambda db: store_rows.execute(db, "UPDATE runs SET finished = 0"), id="run-not-finished"),
    pytest.param(lambda db: store_rows.delete(db, 100), id="delete-middle-event"),
    pytest.param(lambda db: store_rows.edit(db, 500, lambda e: {**e, "day": e["day"] + 1}), id="edit-day"),
    pytest.param(
        lambda db: store_rows.edit(db, 50, lambda e: msgspec.Raw(b"not msgpack")), id="payload-not-msgpack"
    ),
    pytest.param(lambda db: store_rows.edit(db, 50, lambda e: {}), id="payload-emptied"),
    pytest.param(lambda db: store_rows.set_type(db, 50, "Bogus"), id="unknown-event-type"),
]


@pytest.mark.parametrize("tamper", TAMPERING)
def test_replay_detects_a_tampered_store(run_copy: Path, tamper: Any) -> None:
    """Any edit to the stored log must fail replay (1 or 2) with a one-line message, no traceback."""
    db = run_copy / "events.sqlite"
    before = _rows(db, "SELECT * FROM event_days ORDER BY first_seq") + _rows(db, "SELECT * FROM runs")
    tamper(db)
    after = _rows(db, "SELECT * FROM event_days ORDER BY first_seq") + _rows(db, "SELECT * FROM runs")
    assert after != before, "the tampering must change something"
    outcome = sim_process("replay", run_copy)
    outcome.assert_no_traceback()
    assert outcome.code in (1, 2), (outcome.code, outcome.stdout, outcome.stderr)
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, lines
    assert str(run_copy) in lines[0], "the message must say which run is broken"
    assert "replay ok" not in outcome.stdout


# --- schema, validate, help -------------------------------------------------------------------


def test_schema_is_json_describing_a_scenario() -> None:
    """Editors consume this output; it must be pure JSON with the scenario's top-level fields."""
    outcome = sim_process("schema")
    assert outcome.code == 0, outcome.stderr
    schema = json.loads(outcome.stdout)
    assert schema["anyOf"] == [{"$ref": "#/$defs/Scenario"}, {"$ref": "#/$defs/ForkFile"}]
    whole = schema["$defs"]["Scenario"]
    assert {"sides", "start", "end", "seed"} <= set(whole["properties"])
    assert "start" in whole["required"] and "sides" in whole["required"]
    assert schema["$defs"]["ForkFile"]["required"] == ["fork"]


def test_validate_accepts_every_bundled_scenario() -> None:
    """The shipped examples must pass the shipped validator, one 'ok' line each."""
    assert BUNDLED, "no bundled scenarios found"
    outcome = sim_process("validate", *BUNDLED)
    assert outcome.code == 0, outcome.stderr
    assert outcome.stdout.splitlines() == [f"{path}: ok" for path in BUNDLED]
    assert outcome.stderr == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--help",), ("run", "validate", "schema", "replay")),
        (("run", "--help"), ("--seed", "--out", "SCENARIO")),
        (("replay", "--help"), ("--at", "RUN_DIR")),
    ],
    ids=["sim", "run", "replay"],
)
def test_help_through_the_console_script(args: tuple[str, ...], expected: tuple[str, ...]) -> None:
    """The installed entry point starts and documents each command."""
    outcome = sim_script(*args)
    assert outcome.code == 0, outcome.stderr
    for word in expected:
        assert word in outcome.stdout, word
