"""Users' small bugs found on the way (issue 11): each failed on the main branch before."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from sim.core import events as ev
from sim.core.state import State, apply
from sim.engine.loop import simulate
from sim.infra.yaml_io import parse, read_text
from sim.scenario.loading import load_scenario
from sim.scenario.schema import log_schema, scenario_schema
from tests.cli_runner import sim_inline, sim_process

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))
VALID = sorted((ROOT / "tests" / "bad_inputs" / "valid").glob("*.yaml"))
EXAMPLES = sorted((ROOT / "examples").rglob("scenarios/*.yaml"))
LOGS = sorted((ROOT / "seeds").glob("*.yaml"))


def _data(path: Path) -> object:
    data, _ = parse(read_text(path), str(path))
    return json.loads(json.dumps(data, default=str))


@pytest.mark.parametrize("path", BUNDLED + VALID + EXAMPLES, ids=lambda p: p.name)
def test_every_valid_scenario_file_validates_against_the_schema(path: Path) -> None:
    data = _data(path)
    if isinstance(data, dict) and "title" in data:  # the corpus's valid documented log
        jsonschema.validate(data, log_schema(), cls=jsonschema.Draft202012Validator)
    else:
        jsonschema.validate(data, scenario_schema(), cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("path", LOGS, ids=lambda p: p.name)
def test_every_documented_log_validates_against_the_log_schema(path: Path) -> None:
    jsonschema.validate(_data(path), log_schema(), cls=jsonschema.Draft202012Validator)


def test_a_tour_as_one_number_is_valid_for_the_schema_too() -> None:
    data = _data(ROOT / "tests" / "bad_inputs" / "valid" / "base.yaml")
    data["sides"][0]["mission"]["tour_days"] = {"diplomat": 1095}  # type: ignore[index]
    jsonschema.validate(data, scenario_schema(), cls=jsonschema.Draft202012Validator)


def test_schema_log_prints_the_documented_logs_schema() -> None:
    outcome = sim_inline("schema", "--log")
    assert outcome.code == 0
    assert {"title", "sides", "acts", "observations"} <= set(json.loads(outcome.stdout)["properties"])


def test_validate_recognises_a_documented_log(tmp_path: Path) -> None:
    outcome = sim_inline("validate", *LOGS)
    assert outcome.code == 0, outcome.stderr
    assert outcome.stdout.splitlines() == [f"{path}: ok (documented log)" for path in LOGS]
    broken = tmp_path / "log.yaml"
    us_russia = ROOT / "seeds" / "us-russia-2016-2022.yaml"
    text = us_russia.read_text(encoding="utf-8").replace("\n  - id: A02", "\n  - id: A01", 1)
    broken.write_text(text, encoding="utf-8")
    outcome = sim_inline("validate", broken)
    assert outcome.code == 2
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and "repeats the id 'A01'" in lines[0]


def test_compare_says_when_runs_share_no_base_and_seed(tmp_path: Path) -> None:
    one, two, three = tmp_path / "one", tmp_path / "two", tmp_path / "three"
    assert sim_inline("run", ROOT / "scenarios" / "tit-for-tat-spiral.yaml", "--out", one).code == 0
    assert sim_inline("run", ROOT / "scenarios" / "escalation-spiral.yaml", "--out", two).code == 0
    shutil.copytree(one, three)
    outcome = sim_inline("compare", one, two, three, "--out", tmp_path / "c.png")
    assert outcome.code == 0, outcome.stderr
    notes = [line for line in outcome.stderr.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and notes[0].startswith("note: two does not share a base and seed with one")


def test_a_fork_and_its_base_compare_without_a_note(tmp_path: Path) -> None:
    base, fork = tmp_path / "base", tmp_path / "fork"
    assert sim_inline("run", ROOT / "scenarios" / "rotation-rule-2021.yaml", "--out", base).code == 0
    assert sim_inline("run", ROOT / "scenarios" / "rotation-rule-2021-answered.yaml", "--out", fork).code == 0
    outcome = sim_inline("compare", base, fork, "--out", tmp_path / "c.png")
    assert outcome.code == 0 and "note:" not in outcome.stderr


@pytest.mark.parametrize("scenario", ["tit-for-tat-spiral", "escalation-spiral"])
def test_an_answer_expels_only_people_who_are_there(scenario: str) -> None:
    """Every simulated expulsion names between 1 and the number of people of its roles that the
    target mission has when it is announced (the spirals used to order 'expel 23' of nobody)."""
    log = simulate(load_scenario(ROOT / "scenarios" / f"{scenario}.yaml")).log
    state = State()
    checked = 0
    for event in log:
        if type(event) is ev.ExpulsionOrdered and event.source == "simulated":
            present = sum(
                n for (_, role), n in state.mission(event.target).counts.items() if role in event.roles
            )
            assert 1 <= event.count <= present, (event, present)
            checked += 1
        state = apply(state, event)
    assert checked > 5


def test_did_you_mean_for_a_policy_field_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    text = (ROOT / "scenarios" / "tit-for-tat-spiral.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("delay_days:", "delay:"), encoding="utf-8")
    outcome = sim_inline("validate", path)
    assert "unknown field 'delay'; did you mean 'delay_days'?" in outcome.stderr


def test_game_says_did_you_mean() -> None:
    outcome = sim_inline("game", "tit_for_tat", "titfortat")
    assert outcome.code == 2
    assert "unknown policy 'titfortat'; did you mean 'tit_for_tat'?" in outcome.stderr


def test_version_and_shell_completion() -> None:
    from sim import __version__

    outcome = sim_process("--version")
    assert outcome.code == 0 and outcome.stdout.strip() == f"sim (reciprocity-sim) {__version__}"
    assert "--install-completion" in sim_process("--help").stdout


def test_an_unanticipated_error_is_one_line_exit_70_and_the_traceback_on_request(tmp_path: Path) -> None:
    """The last resort of the entry point: a bug (here planted: the runner divides by zero)."""
    import subprocess
    import sys

    argv = ["sim", "run", str(ROOT / "scenarios" / "baseline.yaml"), "--out", str(tmp_path / "x")]
    code = (
        "import sys, sim.__main__ as entry, sim.app.runner as runner\n"
        "runner.run_scenario = lambda *a, **k: 1 / 0\n"
        f"sys.argv = {argv!r}\n"
        "entry.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 70
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("internal error (ZeroDivisionError: division by zero")
    assert "SIM_DEBUG=1" in lines[0]
    env = {**__import__("os").environ, "SIM_DEBUG": "1"}
    debug = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert "Traceback" in debug.stderr and debug.returncode == 1
