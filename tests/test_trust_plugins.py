"""Users' policies that break the contract: one line naming the policy, the side, the day and
the fault, exit 2, and nothing invalid in the log. Before, these gave tracebacks, silent exit
codes (``sys.exit(7)`` ended ``sim run`` with 7), or bad acts recorded with exit 0 (an
expulsion of -5 people, a closure of a post that does not exist)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.policies.guard import MAX_ACTS_PER_ANSWER
from tests import store_rows
from tests.cli_runner import sim_inline, sim_process

FILES = Path(__file__).parent / "plugin_files"
MISBEHAVING = FILES / "misbehaving.py"

SCENARIO = """\
name: misbehaving
start: 2021-01-01
end: 2021-06-30
seed: 3
sides:
  - name: US
    mission:
      posts: {{embassy: {{diplomat: 20, admin_technical: 10, local: 10}}}}
    policy: {{kind: "{kind}"}}
  - name: RU
    mission:
      posts: {{embassy: {{diplomat: 20, admin_technical: 10, local: 10}}}}
    policy: {{kind: none}}
acts:
  - {{date: 2021-02-01, actor: RU, kind: expel, size: 4, deadline_days: 7}}
"""

CASES = [
    ("Raises", "raised ValueError: no idea what to do"),
    ("ReturnsNone", "returned None"),
    ("ReturnsJunk", "returned 1 among its acts; each must be an ActSpec"),
    ("BadVisa", "invalid visa_policy act: visa_policy"),
    ("NegativeExpulsion", "invalid expel act: size"),
    ("NoSuchPost", "names post 'atlantis', which the other mission lacks"),
    ("Exits", "raised SystemExit: 7"),
    ("Recurses", "raised RecursionError"),
    ("Floods", f"more than {MAX_ACTS_PER_ANSWER:,} acts in one answer"),
]


def _scenario(tmp_path: Path, cls: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO.format(kind=f"file:{MISBEHAVING}:{cls}"), encoding="utf-8")
    return path


@pytest.mark.parametrize(("cls", "fault"), CASES, ids=[c for c, _ in CASES])
def test_a_misbehaving_policy_stops_the_run_in_one_line(tmp_path: Path, cls: str, fault: str) -> None:
    out = tmp_path / "run"
    outcome = sim_process("run", _scenario(tmp_path, cls), "--out", out)
    assert outcome.code == 2, outcome.stderr
    outcome.assert_no_traceback()
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("policy '") and "of side US on 2021-02-08" in lines[0], lines[0]
    assert fault in lines[0]
    assert not out.exists()
    store = tmp_path / ".run.partial" / "events.sqlite"
    acts = [e for e in store_rows.stored(store) if e["actor"] == "US" and e["type"].endswith("Ordered")]
    assert acts == []  # nothing the policy said was recorded


@pytest.mark.parametrize(
    ("cls", "value"), [("ReactsAtOnce", "0"), ("ReactsBackwards", "-3"), ("ReactsInHalfDays", "1.5")]
)
def test_a_reaction_delay_that_is_not_a_whole_day_is_refused_before_the_run(
    tmp_path: Path, cls: str, value: str
) -> None:
    outcome = sim_inline("run", _scenario(tmp_path, cls), "--out", tmp_path / "run")
    assert outcome.code == 2, outcome.stderr
    outcome.assert_no_traceback()
    assert f"reaction_days is {value}; it must be a whole number >= 1" in outcome.stderr


def test_game_reports_a_misbehaving_policy_in_one_line() -> None:
    outcome = sim_inline("game", f"file:{MISBEHAVING}:NegativeExpulsion", "tit_for_tat", "--rounds", "20")
    assert outcome.code == 2
    outcome.assert_no_traceback()
    assert "in round" in outcome.stderr and "invalid expel act" in outcome.stderr


def test_a_keyboard_interrupt_raised_at_import_is_a_broken_plugin_not_ctrl_c(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    kind = f"file:{FILES / 'interrupts_on_import.py'}:Anything"
    path.write_text(SCENARIO.format(kind=kind), encoding="utf-8")
    outcome = sim_process("validate", path)
    assert outcome.code == 2, outcome.stderr
    outcome.assert_no_traceback()
    assert "cannot load the policy file: KeyboardInterrupt" in outcome.stderr
    assert "interrupted" not in outcome.stderr


def test_a_sweep_of_a_policy_that_keeps_state_on_its_class_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO.format(kind=f"file:{FILES / 'class_memory.py'}:ClassMemory"), encoding="utf-8")
    path.write_text(path.read_text().replace("kind: none", "kind: tit_for_tat"), encoding="utf-8")
    out = tmp_path / "sweep"
    outcome = sim_inline(
        "sweep", path, "--grid", "sides.1.policy.delay_days=3,5", "--seeds", "2", "--out", out
    )
    assert outcome.code == 2, outcome.stderr
    outcome.assert_no_traceback()
    assert "gave two different logs" in outcome.stderr and "sim check" in outcome.stderr
    assert not (out / "results.parquet").exists()
