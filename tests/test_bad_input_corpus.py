"""The bad-input corpus (``tests/bad_inputs/``): every broken file, through ``sim validate`` and
``sim run``, must give its expected first problem as ``FILE:LINE:COL: field: message``, exit 2,
print no traceback, and leave nothing behind: no output directory, no temporary sibling, and no
file that a YAML tag would have made had it been constructed.

``expected.yaml`` (beside the corpus) lists each file's expected problem; its header explains
the format. Runs are in-process (``sim_inline``) with the working directory set to an empty
scratch directory, which must still be empty afterwards; a few real processes check the same
through a fresh interpreter and the installed console script.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.cli_runner import Outcome, sim_inline, sim_process, sim_script

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
PROBLEM = re.compile(r"^(?P<file>.+?):(?P<line>[1-9]\d*):(?P<column>[1-9]\d*): (?P<rest>\S.*)$")


@dataclass(frozen=True)
class Expected:
    """One corpus file and the first problem it must produce."""

    case: str  # path relative to CORPUS
    at: str  # "LINE:COL"
    field: str
    message: tuple[str, ...]  # substrings, in order
    inside: str = ""  # the file the problem is in, when not the case itself

    @property
    def path(self) -> Path:
        return CORPUS / self.case

    @property
    def where(self) -> Path:
        return CORPUS / (self.inside or self.case)

    @property
    def is_log(self) -> bool:
        return self.case.startswith("seeds/")


def _load_expected() -> list[Expected]:
    table = YAML(typ="safe", pure=True).load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
    out = []
    for case, entry in table.items():
        message = entry["message"]
        parts = (message,) if isinstance(message, str) else tuple(message)
        out.append(Expected(case, str(entry["at"]), entry["field"], parts, entry.get("in", "")))
    return out


EXPECTED = _load_expected()
SCENARIO_CASES = [e for e in EXPECTED if not e.is_log]
LOG_CASES = [e for e in EXPECTED if e.is_log]


def _ids(cases: list[Expected]) -> list[str]:
    return [e.case.removesuffix(".yaml") for e in cases]


def assert_problems(outcome: Outcome, expected: Expected, where: Path | None = None) -> None:
    """Exit 2, no traceback, every stderr line a placed problem, and the first one as expected."""
    outcome.assert_no_traceback()
    assert outcome.code == 2, (outcome.code, outcome.stdout, outcome.stderr)
    lines = outcome.stderr.splitlines()
    assert lines, "no problem reported"
    for line in lines:
        match = PROBLEM.match(line)
        assert match, f"not FILE:LINE:COL: ...: {line!r}"
        assert Path(match["file"]).exists(), line
    first = PROBLEM.match(lines[0])
    assert first is not None
    assert Path(first["file"]).resolve() == (where or expected.where).resolve(), lines[0]
    assert f"{first['line']}:{first['column']}" == expected.at, lines[0]
    rest = first["rest"]
    if expected.field:
        assert rest.startswith(f"{expected.field}: "), f"expected field {expected.field!r}: {lines[0]}"
        rest = rest[len(expected.field) + 2 :]
    else:
        assert rest.startswith(expected.message[0]), f"expected no field: {lines[0]}"
    start = 0
    for part in expected.message:
        found = rest.find(part, start)
        assert found >= 0, f"{part!r} not in {rest[start:]!r}"
        start = found + len(part)


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory: whatever a command leaves behind shows up here."""
    directory = tmp_path / "scratch"
    directory.mkdir()
    monkeypatch.chdir(directory)
    return directory


def test_every_corpus_file_has_an_expected_problem() -> None:
    files = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file()}
    files -= {"expected.yaml", "valid/base.yaml", "valid/log.yaml"}
    assert files == {e.case for e in EXPECTED}
    assert len(EXPECTED) >= 60


def test_the_valid_files_that_cases_refer_to_are_valid(scratch: Path) -> None:
    """Control: each case fails because of its own fault, not a broken reference."""
    outcome = sim_inline("validate", CORPUS / "valid" / "base.yaml")
    assert outcome.code == 0, outcome.stderr
    outcome = sim_inline("history", CORPUS / "valid" / "log.yaml")
    assert outcome.code == 0, outcome.stderr


@pytest.mark.parametrize("expected", SCENARIO_CASES, ids=_ids(SCENARIO_CASES))
def test_validate_reports_the_problem(expected: Expected, scratch: Path) -> None:
    outcome = sim_inline("validate", expected.path)
    assert_problems(outcome, expected)
    assert "ok" not in outcome.stdout
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize("expected", SCENARIO_CASES, ids=_ids(SCENARIO_CASES))
def test_run_reports_the_problem_and_writes_nothing(expected: Expected, scratch: Path) -> None:
    outcome = sim_inline("run", expected.path, "--out", scratch / "out")
    assert_problems(outcome, expected)
    assert outcome.stdout == ""
    assert list(scratch.iterdir()) == [], "an output, a temporary directory or a tag's side effect"


@pytest.mark.parametrize("expected", LOG_CASES, ids=_ids(LOG_CASES))
def test_documented_log_problem_is_reported_by_every_command(
    expected: Expected, scratch: Path, tmp_path: Path
) -> None:
    """A broken log is placed in the log: read by ``sim history`` and as a scenario's prelude."""
    assert_problems(sim_inline("history", expected.path), expected)
    scenario = tmp_path / "uses-the-log.yaml"
    text = (CORPUS / "valid" / "base.yaml").read_text(encoding="utf-8")
    scenario.write_text(text.replace("prelude: log.yaml", f"prelude: {expected.path}"), encoding="utf-8")
    assert_problems(sim_inline("validate", scenario), expected)
    outcome = sim_inline("run", scenario, "--out", scratch / "out")
    assert_problems(outcome, expected)
    assert list(scratch.iterdir()) == []


def test_file_over_the_size_limit(tmp_path: Path, scratch: Path) -> None:
    """A file over 1 MB is refused before it is parsed, as a scenario and as a prelude."""
    big = tmp_path / "big.yaml"
    text = (CORPUS / "valid" / "base.yaml").read_text(encoding="utf-8")
    big.write_text(text + "#" * (1_000_001 - len(text.encode())), encoding="utf-8")
    assert big.stat().st_size == 1_000_001
    expected = Expected("big.yaml", "1:1", "", ("file is 1,000,001 bytes; the limit is 1,000,000",))
    for args in (("validate", big), ("run", big, "--out", scratch / "out")):
        assert_problems(sim_inline(*args), expected, where=big)
    log = tmp_path / "big-log.yaml"
    log_text = (CORPUS / "valid" / "log.yaml").read_text(encoding="utf-8")
    log.write_text(log_text + "#" * (1_000_001 - len(log_text.encode())), encoding="utf-8")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(text.replace("prelude: log.yaml", f"prelude: {log}"), encoding="utf-8")
    assert_problems(sim_inline("run", scenario, "--out", scratch / "out"), expected, where=log)
    assert list(scratch.iterdir()) == []


TAG_CASES = [e for e in SCENARIO_CASES if e.case.startswith("tag-python-")]


def test_python_tags_would_act_if_constructed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Control for the next test: an unsafe loader does run these tags (it makes the files), so
    their absence after ``sim`` reads them means the tags were never constructed."""
    yaml = pytest.importorskip("yaml")  # PyYAML, if installed, only for this demonstration
    monkeypatch.chdir(tmp_path)
    for case in ("tag-python-open.yaml", "tag-python-makedirs.yaml"):
        with contextlib.suppress(Exception):  # what PyYAML makes of the rest does not matter
            yaml.unsafe_load((CORPUS / case).read_text(encoding="utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pwned-by-makedirs", "pwned-by-open"]


def test_python_tags_are_never_constructed(scratch: Path) -> None:
    assert len(TAG_CASES) >= 4
    for expected in TAG_CASES:
        assert_problems(sim_inline("validate", expected.path), expected)
    assert list(scratch.iterdir()) == []
    assert not [p for p in CORPUS.rglob("pwned*")]


def test_real_processes_report_every_broken_file(tmp_path: Path) -> None:
    """One ``sim validate`` over the whole corpus in a fresh interpreter: every file's first
    problem is printed, nothing is 'ok', exit 2; then ``sim run`` on one of them."""
    outcome = sim_process("validate", *(e.path for e in SCENARIO_CASES))
    assert "Traceback" not in outcome.stderr, outcome.stderr
    assert outcome.code == 2
    assert outcome.stdout == ""
    resolved = [
        (Path(m["file"]).resolve(), f"{m['line']}:{m['column']}")
        for m in map(PROBLEM.match, outcome.stderr.splitlines())
        if m is not None
    ]
    assert len(resolved) == len(outcome.stderr.splitlines()), "a line that is not FILE:LINE:COL"
    for expected in SCENARIO_CASES:
        assert (expected.where.resolve(), expected.at) in resolved, expected.case
    expected = next(e for e in SCENARIO_CASES if e.case == "tag-python-os-system.yaml")
    assert_problems(sim_process("run", expected.path, "--out", tmp_path / "out"), expected)
    assert list(tmp_path.iterdir()) == []


def test_console_script_reports_a_broken_file(tmp_path: Path) -> None:
    expected = next(e for e in SCENARIO_CASES if e.case == "yaml-tab-indentation.yaml")
    assert_problems(sim_script("run", expected.path, "--out", tmp_path / "out"), expected)
    assert list(tmp_path.iterdir()) == []


def test_yaml_own_plain_tags_are_still_read(tmp_path: Path) -> None:
    """Refusing tags must not refuse YAML's own plain ones: ``!!str 2022`` is the text '2022'."""
    from sim.scenario.loading import load_scenario

    text = (CORPUS / "valid" / "base.yaml").read_text(encoding="utf-8")
    text = text.replace("name: broken", "name: !!str 2022").replace("seed: 1", "seed: !!int 7")
    path = tmp_path / "tags.yaml"
    path.write_text(text.replace("prelude: log.yaml\n", ""), encoding="utf-8")
    scenario = load_scenario(path)
    assert (scenario.name, scenario.seed) == ("2022", 7)
