"""Limits are checked before the work, not after the memory is gone; long runs show progress.

Before: a grid of 10^6 cells took 3 GB before anything was said; 3,000 posts x 300,000 staff
validated as "ok" and then ran out of memory; a run of 100,000 staff per side gave no sign of
life for minutes; a third side got pydantic's "at most 2 items".
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from sim.sweep import grid as sweep_grid
from sim.sweep.grid import Axis
from sim.sweep.plan import plan_sweep
from tests.cli_runner import sim_inline

ROOT = Path(__file__).resolve().parent.parent
SPIRAL = ROOT / "scenarios" / "tit-for-tat-spiral.yaml"

SCENARIO = """\
name: limits
start: 2020-01-01
end: {end}
sides:
  - name: US
    mission:
      posts: {us}
  - name: RU
    mission:
      posts: {{embassy: {{diplomat: 10}}}}
"""


def _write(tmp_path: Path, us: str, end: str = "2020-12-31", extra: str = "") -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(us=us, end=end) + extra, encoding="utf-8")
    return path


def _one_problem(path: Path) -> str:
    outcome = sim_inline("validate", path)
    assert outcome.code == 2, outcome.stdout
    outcome.assert_no_traceback()
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_too_many_posts(tmp_path: Path) -> None:
    posts = "{embassy: {diplomat: 1}, " + ", ".join(f"p{i}: {{diplomat: 100}}" for i in range(3000)) + "}"
    line = _one_problem(_write(tmp_path, posts))
    assert "sides[0].mission.posts" in line and "at most 200" in line


def test_too_many_people_in_one_mission(tmp_path: Path) -> None:
    line = _one_problem(
        _write(tmp_path, "{embassy: {diplomat: 100000, admin_technical: 100000, local: 100000}}")
    )
    assert "300,000 people in one mission; the limit is 100,000" in line


def test_a_run_whose_log_cannot_fit_in_memory_is_refused_with_the_number(tmp_path: Path) -> None:
    us = "{embassy: {diplomat: 90000}}\n      tour_days: {diplomat: 100}"
    line = _one_problem(_write(tmp_path, us, end="2110-12-31"))
    assert "would record about" in line and "GB of memory" in line and "25,000,000" in line


def test_a_third_side_without_a_missions_list_is_told_what_to_write(tmp_path: Path) -> None:
    third = "  - name: CN\n    mission:\n      posts: {embassy: {diplomat: 10}}\n"
    line = _one_problem(_write(tmp_path, "{embassy: {diplomat: 10}}", extra=third))
    assert "sides: with 3 sides, list the missions (sender, host) under missions:" in line
    assert "at most 2 items" not in line


def test_a_huge_grid_is_refused_before_a_cell_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: object) -> None:
        raise AssertionError("the grid's cells were built")

    monkeypatch.setattr(sweep_grid, "check_axes", never)
    monkeypatch.setattr("sim.sweep.plan.check_axes", never)
    axes = [Axis(f"sides.{i % 2}.noise.miss", tuple(range(100))) for i in range(3)]
    with pytest.raises(ValueError, match="1,000,000 grid cells is more than 100,000"):
        plan_sweep(SPIRAL, axes, seeds=1)
    axes = [Axis("sides.0.noise.miss", tuple(range(10_000))), Axis("sides.1.noise.miss", tuple(range(1_000)))]
    with pytest.raises(ValueError, match="10,000,000 grid cells"):
        plan_sweep(SPIRAL, axes, seeds=2)


def test_the_grid_limit_from_the_command_line() -> None:
    values = ",".join(str(v / 1000) for v in range(400))
    grid = [f"--grid=sides.{n}.noise.{k}={values}" for n, k in ((0, "miss"), (1, "miss"), (0, "false_alarm"))]
    outcome = sim_inline("sweep", SPIRAL, *grid, "--seeds", "1")
    assert outcome.code == 2
    outcome.assert_no_traceback()
    assert "64,000,000 grid cells is more than 100,000" in outcome.stderr


def _on_a_terminal(*args: str) -> str:
    """Run ``python -m sim ARGS`` with standard error on a pseudo-terminal; return what it drew."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args], stdout=subprocess.DEVNULL, stderr=slave, cwd=ROOT
    )
    os.close(slave)
    drawn = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        drawn += chunk
    proc.wait(timeout=120)
    os.close(master)
    assert proc.returncode == 0
    return drawn.decode(errors="replace")


def test_a_run_on_a_terminal_shows_its_days_and_none_when_asked_not_to(tmp_path: Path) -> None:
    scenario = str(ROOT / "scenarios" / "history-2016-2022.yaml")
    drawn = _on_a_terminal("run", scenario, "--out", str(tmp_path / "a"))
    assert "days simulated" in drawn
    assert "days simulated" not in _on_a_terminal(
        "run", scenario, "--out", str(tmp_path / "b"), "--no-progress"
    )


def test_no_progress_when_standard_error_is_not_a_terminal(tmp_path: Path) -> None:
    outcome = sim_inline("run", SPIRAL, "--out", tmp_path / "run")
    assert outcome.code == 0 and "days simulated" not in outcome.stderr


def _states(count: int) -> dict[str, object]:
    """``count`` states, each with a mission of 7 in every other's capital, and one coalition
    act of the first against every other."""
    names = [f"S{i:02d}" for i in range(count)]
    missions = [
        {"sender": a, "host": b, "posts": {"embassy": {"diplomat": 3, "admin_technical": 2, "local": 2}}}
        for a in names
        for b in names
        if a != b
    ]
    acts = [
        {"date": "2020-02-01", "actor": names[0], "target": n, "kind": "expel", "size": 1, "coalition": "c"}
        for n in names[1:]
    ]
    sides = [{"name": n, "policy": {"kind": "tit_for_tat"}} for n in names]
    return {"start": "2020-01-01", "end": "2020-12-31", "sides": sides, "missions": missions, "acts": acts}


def test_thirty_states_each_with_a_mission_in_every_other_capital_validate_and_run() -> None:
    """870 missions (30 x 29), every one answered: well within the limits, and run to the end
    (about half a second here)."""
    from sim.engine.loop import simulate
    from sim.scenario.models import Scenario

    scenario = Scenario.model_validate(_states(30))
    engine = simulate(scenario)
    assert len(scenario.mission_pairs()) == 870
    answers = [e for e in engine.log if e.IS_ACT and e.source == "simulated"]
    assert {e.actor for e in answers if e.target == "S00"} == {f"S{i:02d}" for i in range(1, 30)}


def test_more_states_than_the_limit_are_refused_in_one_line(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "many.yaml"
    data = _states(3)
    data["sides"] = [{"name": f"S{i:02d}"} for i in range(65)]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    line = _one_problem(path)
    assert "sides: a scenario has 2 to 64 sides; this one lists 65" in line
