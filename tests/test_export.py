"""``sim export``: the stored log as JSON Lines (its sha256 is the run's log_sha256) or CSV,
checked against the run's record first, written atomically or to standard output."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.app.runner import run_scenario
from sim.core import events as ev
from sim.store.replay import load_replay
from tests import store_rows
from tests.cli_runner import ROOT, sim_inline


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "spiral"
    run_scenario(ROOT / "scenarios" / "tit-for-tat-spiral.yaml", out)
    return out


def _manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "manifest.json").read_text())


def _stored(run_dir: Path) -> list[ev.Event]:
    return load_replay(run_dir).log


def test_json_lines_hash_to_the_manifest_s_log_sha256_and_read_back_as_the_log(run_dir: Path) -> None:
    outcome = sim_inline("export", run_dir)
    assert outcome.code == 0, outcome.stderr
    outcome.assert_no_traceback()
    text = outcome.stdout
    assert hashlib.sha256(text.encode()).hexdigest() == _manifest(run_dir)["log_sha256"]
    lines = text.splitlines()
    assert len(lines) == _manifest(run_dir)["events"]
    assert [ev.from_dict(json.loads(line)) for line in lines] == _stored(run_dir)


def test_csv_has_one_row_per_event_with_dates_and_payloads(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "events.csv"
    outcome = sim_inline("export", run_dir, "--format", "csv", "--out", out)
    assert outcome.code == 0, outcome.stderr
    assert outcome.stdout == "" and f"-> {out}" in outcome.stderr
    frame = pd.read_csv(out)
    log = _stored(run_dir)
    assert len(frame) == len(log)
    assert list(frame.columns[:4]) == ["seq", "day", "date", "type"]
    assert frame["type"].tolist() == [type(e).__name__ for e in log]
    assert frame["date"].iloc[0] == _manifest(run_dir)["start"]
    assert json.loads(frame["payload"].iloc[0]) == ev.payload(log[0])
    assert sorted(p.name for p in out.parent.iterdir()) == ["events.csv"]  # no stray temporary


def test_the_csv_is_the_parquet_file_s_table(run_dir: Path) -> None:
    """Two exports of one table: the CSV holds what events.parquet holds."""
    outcome = sim_inline("export", run_dir, "--format", "csv")
    from_csv = pd.read_csv(io.StringIO(outcome.stdout))
    from_parquet = pd.read_parquet(run_dir / "events.parquet")
    assert from_csv["payload"].tolist() == from_parquet["payload"].tolist()
    assert from_csv["seq"].tolist() == from_parquet["seq"].tolist()


def test_a_tampered_store_is_not_exported(run_dir: Path, tmp_path: Path) -> None:
    """One stored event edited after the run: exit 1, one line, and no output file."""
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    store_rows.set_field(copy / "events.sqlite", 3, "reference", "edited")
    out = tmp_path / "events.jsonl"
    outcome = sim_inline("export", copy, "--out", out)
    assert outcome.code == 1
    assert outcome.stderr.strip().endswith(
        "log_sha256 of the stored log differs from the store's record; nothing exported"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "xml"), "--format: 'xml' is not one of jsonl, csv"),
        (("--out", "."), "--out: . is a directory"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(run_dir: Path, args: tuple[str, ...], message: str) -> None:
    outcome = sim_inline("export", run_dir, *args)
    assert outcome.code == 2 and outcome.stderr.strip() == message
    outcome.assert_no_traceback()


def test_a_directory_that_is_not_a_run(tmp_path: Path) -> None:
    outcome = sim_inline("export", tmp_path)
    assert outcome.code == 2 and "no events.sqlite here" in outcome.stderr
