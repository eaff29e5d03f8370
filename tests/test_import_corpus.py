"""The broken CSV corpus (``tests/bad_imports/``): every file, through ``sim import``, gives its
expected first problem as ``FILE:LINE:COL: field: message``, exits 2, prints no traceback and
writes nothing (no log, no temporary sibling). ``expected.yaml`` beside the corpus lists each
file's problem in the format of the YAML corpus (tests/bad_inputs/expected.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.cli_runner import sim_inline, sim_process
from tests.test_bad_input_corpus import PROBLEM, Expected, assert_problems

CORPUS = Path(__file__).resolve().parent / "bad_imports"


def _expected() -> list[Expected]:
    table = YAML(typ="safe", pure=True).load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
    return [Expected(case, str(e["at"]), e["field"], (e["message"],)) for case, e in table.items()]


EXPECTED = _expected()


def test_every_corpus_file_has_an_expected_problem() -> None:
    assert {p.name for p in CORPUS.iterdir()} - {"expected.yaml"} == {e.case for e in EXPECTED}
    assert len(EXPECTED) >= 30


@pytest.mark.parametrize("expected", EXPECTED, ids=[e.case.removesuffix(".csv") for e in EXPECTED])
def test_import_reports_the_problem_and_writes_nothing(expected: Expected, tmp_path: Path) -> None:
    outcome = sim_inline("import", CORPUS / expected.case, "--out", tmp_path / "log.yaml")
    assert_problems(outcome, expected, where=CORPUS / expected.case)
    assert outcome.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_every_bad_row_is_one_line() -> None:
    """Four bad rows of six (one with two bad cells), reported in one run, one line each; the
    good rows, and the row that answers a good row, say nothing."""
    path = CORPUS / "many-bad-rows.csv"
    outcome = sim_process("import", path, "--out", path.with_name("never-written.yaml"))
    assert outcome.code == 2 and "Traceback" not in outcome.stderr
    lines = outcome.stderr.splitlines()
    places = [f"{m['line']}:{m['column']}" for m in map(PROBLEM.match, lines) if m]
    assert places == ["3:3", "4:7", "5:6", "7:10"]
    assert not path.with_name("never-written.yaml").exists()
