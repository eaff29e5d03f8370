"""CAMEO and PLOVER codes: the official correspondence, and ``sim export --codes`` for any run."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from sim.core.codes import CAMEO, CAMEO_TO_PLOVER, CODES
from tests.helpers import bundled_run
from tests.report_helpers import run_into, sim


def test_every_code_pair_is_one_row_of_the_official_table() -> None:
    """The PLOVER columns are read from the CAMEO code's row, never set beside it by hand."""
    for kind, (_cameo, plover, mode) in CODES.items():
        assert CAMEO_TO_PLOVER[CAMEO[kind]][:2] == (plover, mode), kind


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("expel", ("166", "SANCTION", "expel")),  # 166: expel or withdraw
        ("cap", ("161", "SANCTION", "withdraw")),  # 161: reduce or break diplomatic relations
        ("recall_ambassador", ("161", "SANCTION", "withdraw")),
        ("return_ambassador", ("050", "SUPPORT", "")),  # 050 is SUPPORT, not RETREAT
        ("reopen_post", ("054", "SUPPORT", "")),
        ("threaten", ("1313", "THREATEN", "relations")),
        ("statement", ("010", "", "")),  # PLOVER codes no statements
    ],
)
def test_codes_follow_the_correspondence(kind: str, expected: tuple[str, str, str]) -> None:
    assert CODES[kind] == expected


@pytest.fixture(scope="module")
def spiral(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_into(tmp_path_factory.mktemp("runs"), "tit-for-tat-spiral")


def test_export_codes_for_a_simulated_run(spiral: Path) -> None:
    code, text, err = sim("export", spiral, "--format", "csv", "--codes")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {row["source"] for row in rows} >= {"simulated"}
    assert {"note", "post", "cameo", "plover", "plover_mode"} <= set(rows[0])
    for row in rows:
        assert (row["cameo"], row["plover"], row["plover_mode"]) == CODES[row["kind"]]
    answered = [row for row in rows if row["answers"]]
    seqs = {row["seq"] for row in rows}
    assert answered and all(row["answers"] in seqs for row in answered)


def test_export_codes_jsonl_has_no_size_for_statements_and_closures() -> None:
    run = bundled_run(Path("scenarios/history-2016-2022.yaml").resolve())
    from sim.analysis.coded import coded_jsonl

    rows = [json.loads(line) for line in coded_jsonl(run.log, run.scenario.start).splitlines()]
    kinds = {row["kind"] for row in rows}
    assert {"statement", "close_post", "expel"} <= kinds
    for row in rows:
        if row["kind"] in ("statement", "close_post", "close_compound", "close_own_post"):
            assert row["size"] is None, row
        if row["kind"] == "expel":
            assert row["size"] > 0 and row["cameo"] == "166"
    statements = [row for row in rows if row["kind"] == "statement"]
    assert any(row["note"] for row in statements)
    closures = [row for row in rows if row["kind"] == "close_post"]
    assert all(row["post"] for row in closures)
