"""Broken scenario files: ``sim validate`` and ``sim run`` must answer each with exit code 2 and
``FILE:LINE:COL: field.path: message`` lines on stderr, never a traceback, and ``sim run`` must
write nothing.

Every case edits one or two lines of :data:`BASE` (a valid scenario), so the expected line and
column can be read off the numbered listing below; columns count from 1, and a problem with a
field is placed on that field's key (the convention the tool uses for every field error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import Outcome, sim_inline, sim_process

ROOT = Path(__file__).resolve().parent.parent

#  1 name: broken
#  2 start: 2022-01-01
#  3 end: 2022-12-31
#  4 seed: 1
#  5 sides:
#  6   - name: A
#  7     mission:
#  8       posts:
#  9         embassy: {diplomat: 5, admin_technical: 2, local: 3}
# 10     policy:
# 11       kind: tit_for_tat
# 12       delay_days: 7
# 13   - name: B
# 14     mission:
# 15       posts:
# 16         embassy: {diplomat: 5, admin_technical: 2, local: 3}
# 17     policy: {kind: none}
# 18 acts:
# 19   - date: 2022-03-01
# 20     actor: A
# 21     kind: expel
# 22     size: 2
# 23     deadline: 2022-03-08
BASE = """\
name: broken
start: 2022-01-01
end: 2022-12-31
seed: 1
sides:
  - name: A
    mission:
      posts:
        embassy: {diplomat: 5, admin_technical: 2, local: 3}
    policy:
      kind: tit_for_tat
      delay_days: 7
  - name: B
    mission:
      posts:
        embassy: {diplomat: 5, admin_technical: 2, local: 3}
    policy: {kind: none}
acts:
  - date: 2022-03-01
    actor: A
    kind: expel
    size: 2
    deadline: 2022-03-08
"""


def edited(changes: dict[int, str]) -> str:
    """BASE with line N (1-based) replaced by ``changes[N]`` (which may hold several lines)."""
    lines = BASE.splitlines()
    for number, text in changes.items():
        lines[number - 1] = text
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Case:
    """A broken file and the first problem line it must produce."""

    id: str
    content: bytes
    line: int
    column: int
    field: str  # "" for a problem with the file as a whole
    message: str  # a substring of the message
    crash_bug: str | None = None  # why any command still fails (exit code / traceback)
    place_bug: str | None = None  # why the position, field or message is still wrong


CASES = [
    Case(
        "yaml-syntax-error",
        edited({2: "start: 2022-01-01 x: y"}).encode(),
        2,
        20,  # the second ':' on the line
        "",
        "YAML: mapping values are not allowed here",
    ),
    Case(
        "tab-indentation",
        edited({9: "\tembassy: {diplomat: 5, admin_technical: 2, local: 3}"}).encode(),
        9,
        1,  # the tab itself
        "",
        "YAML: a tab character here; YAML indents with spaces only",
    ),
    Case(
        "duplicate-key",
        edited({4: "seed: 1\nseed: 2"}).encode(),
        5,
        1,  # the second 'seed'
        "",
        'YAML: duplicate key "seed"',
    ),
    Case(
        "string-for-a-number",
        edited({9: "        embassy: {diplomat: five, admin_technical: 2, local: 3}"}).encode(),
        9,
        19,  # 'diplomat' inside the flow mapping: 8 spaces, 'embassy:', ' ', '{'
        "sides[0].mission.posts.embassy.diplomat",
        "Input should be a valid integer",
    ),
    Case(
        "bool-for-a-number",
        edited({4: "seed: true"}).encode(),
        4,
        1,
        "seed",
        "valid integer",
    ),
    Case(
        "unknown-key-with-suggestion",
        edited({4: "sedd: 1"}).encode(),
        4,
        1,
        "sedd",
        "unknown field 'sedd'; did you mean 'seed'?",
    ),
    Case(
        "unknown-policy-kind",
        edited({11: "      kind: tit_for_tatt"}).encode(),
        11,
        7,  # the 'kind' key, one line below 'policy:'
        "sides[0].policy.kind",
        "unknown kind 'tit_for_tatt' (known: 'none', 'scripted', 'tit_for_tat', 'proportional', 'escalate',"
        " 'tit_for_two_tats', 'generous_tit_for_tat', 'grim_trigger', 'win_stay_lose_shift', 'graduated',"
        " 'grit', 'parity', 'threshold', 'reverse_if_reversed', 'always_hostile', 'never_respond'",
        # (then any installed plugins' names, and "; did you mean 'tit_for_tat'?")
    ),
    Case(
        "negative-size",
        edited({22: "    size: -2"}).encode(),
        22,
        5,
        "acts[0].size",
        "Input should be greater than or equal to 0",
    ),
    Case(
        "deadline-before-announcement",
        edited({23: "    deadline: 2022-02-08"}).encode(),
        23,
        5,
        "acts[0].deadline",
        "deadline 2022-02-08 is before the act's date 2022-03-01",
    ),
    Case(
        "end-before-start",
        edited({3: "end: 2021-12-31"}).encode(),
        3,
        1,
        "end",
        "end 2021-12-31 is not after start 2022-01-01",
    ),
    Case(
        "side-named-twice",
        edited({13: "  - name: A"}).encode(),
        13,
        5,  # the second side's 'name'
        "sides[1].name",
        "'A' is listed twice: sides need different names",
    ),
    Case(
        "unknown-actor",
        edited({20: "    actor: Z"}).encode(),
        20,
        5,
        "acts[0].actor",
        "'Z' is not one of ['A', 'B']",
    ),
    Case(
        "only-one-side",
        edited({13: "", 14: "", 15: "", 16: "", 17: ""}).encode(),
        5,
        1,
        "sides",
        "a scenario has 2 to 64 sides; this one lists 1",
    ),
    Case(
        "missing-prelude-file",
        edited({4: "seed: 1\nprelude: no-such-log.yaml"}).encode(),
        5,
        1,
        "prelude",
        "no-such-log.yaml not found",
    ),
    Case("empty-file", b"", 1, 1, "", "file is empty"),
    Case("comments-only", b"# nothing here yet\n", 1, 1, "", "file is empty"),
    Case("top-level-list", b"- start\n- end\n", 1, 1, "", "the top level must be a mapping"),
    Case(
        "python-object-tag",
        edited({4: "seed: !!python/object/apply:os.system [echo pwned]"}).encode(),
        4,
        7,  # the tagged value
        "seed",
        "YAML tag !!python/object/apply:os.system is not allowed (plain data only)",
    ),
    Case(
        "non-utf8-bytes",
        edited({1: "name: broken\ndescription: café"}).encode("latin-1"),
        2,
        17,  # the byte 0xE9 after 'description: caf'
        "",
        "file is not valid UTF-8",
    ),
    Case(
        "impossible-date",
        edited({2: "start: 2022-02-30"}).encode(),
        2,
        1,
        "start",
        "day",
    ),
]


def _params(kind: str) -> list[Any]:
    """The cases as pytest params, each marked xfail where its ``kind`` of bug is known."""
    out = []
    for case in CASES:
        reason = case.crash_bug if kind == "crash" else (case.place_bug or case.crash_bug)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


def write(case: Case, directory: Path) -> Path:
    path = directory / f"{case.id}.yaml"
    path.write_bytes(case.content)
    return path


def assert_input_error(outcome: Outcome, path: Path) -> None:
    """Exit 2, no traceback, and every stderr line is ``FILE:LINE:COL: ...`` for this file."""
    assert outcome.escaped is None, f"uncaught {outcome.escaped!r}"
    assert "Traceback" not in outcome.stderr + outcome.stdout, outcome.stderr
    assert outcome.code == 2, (outcome.code, outcome.stdout, outcome.stderr)
    lines = outcome.stderr.splitlines()
    assert lines, "no problem reported"
    shape = re.compile(rf"^{re.escape(str(path))}:[1-9]\d*:[1-9]\d*: \S.*$")
    for line in lines:
        assert shape.match(line), line


def test_base_scenario_is_valid(tmp_path: Path) -> None:
    """Control: the unedited BASE passes, so each case fails only because of its edit."""
    path = tmp_path / "base.yaml"
    path.write_text(BASE, encoding="utf-8")
    outcome = sim_inline("validate", path)
    assert outcome.code == 0, outcome.stderr
    assert outcome.stdout.strip() == f"{path}: ok"


@pytest.mark.parametrize("case", _params("crash"))
def test_validate_rejects(case: Case, tmp_path: Path) -> None:
    """``sim validate`` answers a broken file with exit 2 and placed one-line problems."""
    path = write(case, tmp_path)
    outcome = sim_inline("validate", path)
    assert_input_error(outcome, path)
    assert "ok" not in outcome.stdout


@pytest.mark.parametrize("case", _params("crash"))
def test_run_rejects_and_writes_nothing(case: Case, tmp_path: Path) -> None:
    """``sim run`` checks before it writes: exit 2 and no output (or temp) directory at all."""
    path = write(case, tmp_path)
    out = tmp_path / "out"
    outcome = sim_inline("run", path, "--out", out)
    assert_input_error(outcome, path)
    assert outcome.stdout == ""
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.parametrize("case", _params("place"))
def test_problem_is_placed_and_explained(case: Case, tmp_path: Path) -> None:
    """The first problem line names the exact line, column and field, and says what is wrong."""
    path = write(case, tmp_path)
    outcome = sim_inline("validate", path)
    assert outcome.escaped is None, f"uncaught {outcome.escaped!r}"
    assert outcome.code == 2, (outcome.code, outcome.stdout, outcome.stderr)
    first = outcome.stderr.splitlines()[0]
    where = f"{path}:{case.line}:{case.column}: "
    prefix = f"{where}{case.field}: " if case.field else where
    assert first.startswith(prefix), f"expected {prefix!r}, got {first!r}"
    assert case.message in first[len(prefix) :], first


def test_real_processes_report_every_broken_file(tmp_path: Path) -> None:
    """Through a real interpreter: one validate call over all files, one run; both exit 2."""
    cases = [case for case in CASES if case.crash_bug is None]
    paths = [write(case, tmp_path) for case in cases]
    outcome = sim_process("validate", *paths)
    assert "Traceback" not in outcome.stderr, outcome.stderr
    assert outcome.code == 2
    assert outcome.stdout == ""
    for case, path in zip(cases, paths, strict=True):
        assert re.search(rf"^{re.escape(str(path))}:\d+:\d+: ", outcome.stderr, re.M), case.id
        if case.place_bug is None:
            assert f"{path}:{case.line}:{case.column}: " in outcome.stderr, case.id
    out = tmp_path / "out"
    outcome = sim_process("run", paths[0], "--out", out)
    assert outcome.code == 2
    assert "Traceback" not in outcome.stderr
    assert outcome.stderr.startswith(f"{paths[0]}:")
    assert not out.exists()


def test_error_inside_the_prelude_names_the_prelude_file(tmp_path: Path) -> None:
    """A problem in a documented log is placed in that log, not in the scenario naming it."""
    log = tmp_path / "log.yaml"
    log.write_text("title: a log\nsides: [A, B]\nactz: []\n", encoding="utf-8")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(edited({4: "seed: 1\nprelude: log.yaml"}), encoding="utf-8")
    outcome = sim_inline("validate", scenario)
    assert_input_error(outcome, log)
    assert outcome.stderr.splitlines() == [f"{log}:3:1: actz: unknown field 'actz'; did you mean 'acts'?"]


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_scenario_path_that_is_not_a_file(tmp_path: Path, kind: str) -> None:
    """A wrong path is bad input (2), placed at 1:1 of that path, and run writes nothing."""
    path = tmp_path / "nothere.yaml"
    if kind == "directory":
        path.mkdir()
    expected = "file not found" if kind == "missing" else "is a directory, not a YAML file"
    for args in (("validate", path), ("run", path, "--out", tmp_path / "out")):
        outcome = sim_inline(*args)
        assert_input_error(outcome, path)
        assert outcome.stderr.splitlines() == [f"{path}:1:1: {expected}"]
    assert not (tmp_path / "out").exists()


def test_merge_key_is_accepted_or_refused_cleanly(tmp_path: Path) -> None:
    """``<<:`` is ordinary YAML 1.1; the loader may accept or refuse it, but never crash."""
    path = tmp_path / "merge.yaml"
    path.write_text(
        edited(
            {
                9: "        embassy: &staff {diplomat: 5, admin_technical: 2, local: 3}",
                16: "        embassy: {<<: *staff}",
            }
        ),
        encoding="utf-8",
    )
    outcome = sim_inline("validate", path)
    assert outcome.escaped is None, f"uncaught {outcome.escaped!r}"
    if outcome.code != 0:
        assert_input_error(outcome, path)
