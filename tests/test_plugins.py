"""Users' own policies: ``file:`` kinds and ``sim.policies`` entry points, everywhere a
built-in policy works (scenarios, ``sim game``, ``sim sweep``, ``sim check``, ``sim policies``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.game import PolicySpecError, make
from sim.engine.loop import simulate
from sim.policies import BUILTIN_KINDS, REGISTRY, PluginError, kind_of, plugins, policy_class
from sim.scenario.loading import load_scenario
from sim.testing.check import check
from tests.cli_runner import ROOT, sim_inline, sim_process

FILES = Path(__file__).parent / "plugin_files"
STEADY = FILES / "steady_hand.py"
BROKEN_EXAMPLE = ROOT / "examples" / "custom-policy" / "broken" / "forgetful_grudge.py"

SCENARIO = """\
name: plugin-duel
start: 2021-01-01
end: 2022-06-30
seed: 3
sides:
  - name: US
    mission:
      posts: {{embassy: {{diplomat: 40, admin_technical: 20, local: 30}}}}
    policy: {{kind: {us}, delay_days: 5, deadline_days: 10}}
  - name: RU
    mission:
      posts: {{embassy: {{diplomat: 40, admin_technical: 20, local: 30}}}}
    policy: {{kind: tit_for_tat, delay_days: 5, deadline_days: 10}}
acts:
  - {{date: 2021-02-01, actor: RU, kind: expel, size: 4, deadline_days: 7}}
"""


def write_scenario(folder: Path, kind: str, name: str = "duel.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(SCENARIO.format(us=json.dumps(kind)), encoding="utf-8")
    return path


def with_policy_file(folder: Path, source: Path = STEADY) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(source, folder / source.name))


# --- file: kinds in scenarios --------------------------------------------------------------


def test_a_file_policy_runs_from_a_scenario_and_is_stored_with_an_absolute_path(tmp_path: Path) -> None:
    with_policy_file(tmp_path / "rules")
    scenario = load_scenario(write_scenario(tmp_path, "file:rules/steady_hand.py:SteadyHand"))
    policy = scenario.sides[0].policy
    assert policy.kind == f"file:{(tmp_path / 'rules' / 'steady_hand.py').resolve()}:SteadyHand"
    built = scenario.sides[0].build_policy()
    assert type(built).name == "steady_hand" and built.params.most == 3
    log = simulate(scenario).log
    answers = [e for e in log if type(e).__name__ == "ExpulsionOrdered" and e.actor == "US"]
    assert 1 <= len(answers) <= 3, "steady_hand answers in kind, at most three times"


def test_the_path_is_relative_to_the_scenario_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_policy_file(tmp_path / "a")
    path = write_scenario(tmp_path / "a", "file:steady_hand.py:SteadyHand")
    monkeypatch.chdir(tmp_path)  # the file is not in the working directory
    assert load_scenario(path).sides[0].build_policy().name == "steady_hand"


def test_the_hash_follows_the_policy_source_not_its_location(tmp_path: Path) -> None:
    """Moving a project keeps its runs' identity; editing the policy changes it."""
    kind = "file:steady_hand.py:SteadyHand"
    with_policy_file(tmp_path / "one"), with_policy_file(tmp_path / "two")
    one = load_scenario(write_scenario(tmp_path / "one", kind))
    two = load_scenario(write_scenario(tmp_path / "two", kind))
    assert one.sha256() == two.sha256()
    edited = tmp_path / "two" / "steady_hand.py"
    edited.write_text(edited.read_text() + "\n# an edit\n")
    assert load_scenario(tmp_path / "two" / "duel.yaml").sha256() != one.sha256()


def test_a_built_in_policy_hashes_as_it_did_before_plugins(tmp_path: Path) -> None:
    scenario = load_scenario(write_scenario(tmp_path, "tit_for_tat"))
    assert "policy_sources" not in json.dumps(scenario.model_dump(mode="json"))
    assert scenario.sha256() == load_scenario(write_scenario(tmp_path / "b", "tit_for_tat")).sha256()


def test_sim_run_writes_the_usual_outputs_for_a_file_policy(tmp_path: Path) -> None:
    with_policy_file(tmp_path)
    path = write_scenario(tmp_path, "file:steady_hand.py:SteadyHand")
    outcome = sim_inline("run", path, "--out", tmp_path / "out")
    assert outcome.code == 0, outcome.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["events"] > 0 and (tmp_path / "out" / "staffing.png").stat().st_size > 0


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("file:nowhere.py:SteadyHand", "policy file {dir}/nowhere.py not found"),
        ("file:steady_hand.py:Steady", "has no class 'Steady' (it defines: SteadyHand)"),
        ("file:steady_hand.py", "'file:steady_hand.py' should read file:PATH.py:ClassName"),
        (
            "file:raises_on_import.py:X",
            "raises_on_import.py:5: cannot load the policy file: ValueError: math domain",
        ),
        ("file:not_policies.py:NotAPolicy", "NotAPolicy in {dir}/not_policies.py is not a subclass of"),
        ("file:not_policies.py:BadName", "`name` must be a lower_snake_case string, not 'Bad Name'"),
        ("file:syntax_error.py:Broken", "syntax_error.py:6: cannot load the policy file: expected ':'"),
    ],
)
def test_a_bad_file_policy_is_one_placed_line_and_exit_2(tmp_path: Path, kind: str, expected: str) -> None:
    for source in FILES.glob("*.py"):
        shutil.copy(source, tmp_path)
    (tmp_path / "syntax_error.py").write_text(
        '"""Does not parse."""\n\nfrom sim.policies import Policy\n\n\n'
        'class Broken(Policy)\n    name = "broken"\n'
    )
    path = write_scenario(tmp_path, kind)
    outcome = sim_inline("validate", path)
    outcome.assert_no_traceback()
    assert outcome.code == 2
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, outcome.stderr
    assert lines[0].startswith(f"{path}:9:14: sides[0].policy.kind: ")
    assert expected.format(dir=tmp_path.resolve()) in lines[0]


def test_a_misspelt_parameter_of_a_file_policy_gets_a_suggestion(tmp_path: Path) -> None:
    with_policy_file(tmp_path)
    path = write_scenario(tmp_path, "file:steady_hand.py:SteadyHand")
    text = path.read_text()
    path.write_text(text.replace("delay_days: 5, deadline_days: 10", "mots: 2", 1))
    outcome = sim_inline("validate", path)
    assert outcome.code == 2
    assert "sides[0].policy.mots: unknown field 'mots'; did you mean 'most'?" in outcome.stderr


def test_a_changed_policy_file_is_imported_again(tmp_path: Path) -> None:
    copy = with_policy_file(tmp_path)
    first = policy_class("file:steady_hand.py:SteadyHand", tmp_path)
    copy.write_text(copy.read_text().replace("most: int = Field(3,", "most: int = Field(4,"))
    second = policy_class("file:steady_hand.py:SteadyHand", tmp_path)
    assert first().params.most == 3 and second().params.most == 4


# --- the command line ----------------------------------------------------------------------


def test_sim_game_takes_a_file_policy_with_parameters() -> None:
    policy = make(f"file:{STEADY}:SteadyHand:most=2,delay_days=3")
    assert type(policy).name == "steady_hand" and policy.params.most == 2
    assert kind_of(type(policy)) == f"file:{STEADY.resolve()}:SteadyHand"
    with pytest.raises(PolicySpecError, match="most: Input should be less than or equal to 100"):
        make(f"file:{STEADY}:SteadyHand:most=1000")
    outcome = sim_inline(
        "game", f"file:{STEADY}:SteadyHand:most=1", "always_hostile", "--rounds", "20", "--json"
    )
    assert outcome.code == 0, outcome.stderr
    assert json.loads(outcome.stdout)["hostile_rate_a"] == pytest.approx(1 / 20)


def test_sim_policies_lists_the_policies_of_a_file() -> None:
    outcome = sim_inline("policies", STEADY, "--json")
    assert outcome.code == 0, outcome.stderr
    rows = {row["name"]: row for row in json.loads(outcome.stdout)}
    mine = rows[f"file:{STEADY}:SteadyHand"]
    assert mine["source"] == f"file {STEADY.resolve()}"
    assert mine["parameters"]["most"] == 3 and mine["classifier"]["forgiving"] is True
    assert rows["tit_for_tat"]["source"] == "built-in"
    missing = sim_inline("policies", FILES / "nothing.py")
    assert missing.code == 2 and "nothing.py not found" in missing.stderr


def test_sim_sweep_over_a_grid_of_file_and_built_in_policies(tmp_path: Path) -> None:
    """Local worker processes load the file themselves (scenarios travel as plain data)."""
    with_policy_file(tmp_path)
    path = write_scenario(tmp_path, "tit_for_tat")
    grid = f"sides.US.policy.kind=tit_for_tat,file:{tmp_path / 'steady_hand.py'}:SteadyHand"
    outcome = sim_process(
        "sweep",
        path,
        "--grid",
        grid,
        "--seeds",
        "2",
        "--workers",
        "2",
        "--out",
        tmp_path / "sweep",
        "--no-progress",
        timeout=300,
    )
    assert outcome.code == 0, outcome.stderr
    results = pd.read_parquet(tmp_path / "sweep" / "results.parquet")
    assert len(results) == 4
    by_kind = results.groupby("sides.US.policy.kind")["hostile_acts_US"].max()
    assert by_kind.filter(like="SteadyHand").iloc[0] <= 3  # steady_hand stops after three answers


# --- sim check on a policy from a file -------------------------------------------------------


def test_check_finds_the_broken_example_and_writes_runnable_counterexamples(tmp_path: Path) -> None:
    """The documented broken policy keeps a grudge on ``self``: a fork rebuilds the policy and
    forgets it, so the forks property fails; both files it writes run from their folder."""
    policy = make(f"file:{BROKEN_EXAMPLE}:ForgetfulGrudge")
    (outcome,) = check(policy, examples=40, seed=0, out_dir=tmp_path, only=("forks",))
    assert not outcome.passed and "diverged" in outcome.message
    assert outcome.counterexample is not None and outcome.fork is not None
    text = outcome.counterexample.read_text()
    relative = Path("..") if False else None  # noqa: F841  (kept simple: the kind must be relative)
    assert f"kind: file:{Path(shutil.os.path.relpath(BROKEN_EXAMPLE, tmp_path)).as_posix()}" in text
    original = simulate(load_scenario(outcome.counterexample)).log
    forked = simulate(load_scenario(outcome.fork)).log
    assert [repr(e) for e in original] != [repr(e) for e in forked]


def test_check_passes_the_correct_file_policy(tmp_path: Path) -> None:
    outcomes = check(make(f"file:{STEADY}:SteadyHand"), examples=10, seed=1, out_dir=tmp_path)
    assert [o.name for o in outcomes if not o.passed] == []
    assert list(tmp_path.iterdir()) == []


# --- entry points --------------------------------------------------------------------------


def make_distribution(site: Path, name: str, entry_points: dict[str, str], modules: dict[str, str]) -> None:
    """A minimal installed distribution (``NAME-1.0.dist-info``) that importlib.metadata finds
    on ``sys.path``: what ``pip install`` of a plugin package leaves behind."""
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[sim.policies]\n{lines}")
    for module, text in modules.items():
        (site / f"{module}.py").write_text(text)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    clash = "from sim.policies.tit_for_tat import TitForTat as Base\n\n\nclass TitForTat(Base):\n    pass\n"
    make_distribution(
        site,
        "sim-steady",
        {"steady_hand": "sim_steady:SteadyHand"},
        {"sim_steady": STEADY.read_text()},
    )
    make_distribution(
        site,
        "sim-broken",
        {
            "ghost": "sim_no_such_module:Ghost",
            "renamed": "sim_steady:SteadyHand",
            "params_only": "sim_steady:SteadyHandParams",
            "tit_for_tat": "sim_clash:TitForTat",
        },
        {"sim_clash": clash},
    )
    return site


def test_entry_points_register_good_plugins_and_explain_broken_ones(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(plugins, "BROKEN", {})
    monkeypatch.setattr(plugins, "ORIGINS", {})
    registry = {name: cls for name, cls in REGISTRY.items() if name in BUILTIN_KINDS}
    plugins.load_entry_points(registry)
    assert registry["steady_hand"].__module__ == "sim_steady"
    assert plugins.origin(registry["steady_hand"]).where == "package sim-steady 1.0"
    assert registry["tit_for_tat"] is REGISTRY["tit_for_tat"]
    broken = plugins.BROKEN
    assert set(broken) == {"ghost", "renamed", "params_only", "tit_for_tat"}  # and nothing else
    assert "failed to load: ModuleNotFoundError: No module named 'sim_no_such_module'" in broken["ghost"]
    assert "the class is named 'steady_hand'" in broken["renamed"]
    assert "is not a subclass of sim.policies.Policy" in broken["params_only"]
    assert "the name is taken by another policy" in broken["tit_for_tat"]


def test_an_installed_plugin_works_everywhere_a_built_in_one_does(site: Path, tmp_path: Path) -> None:
    """In fresh interpreters that find the plugin package on their path, as after pip install."""
    listed = sim_process("policies", "--json", path=site)
    assert listed.code == 0, listed.stderr
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["steady_hand"]["source"] == "package sim-steady 1.0"
    assert "ModuleNotFoundError" in rows["ghost"]["broken"]

    scenario = write_scenario(tmp_path, "steady_hand")
    ran = sim_process("run", scenario, "--out", tmp_path / "out", path=site)
    assert ran.code == 0, ran.stderr

    ghost = sim_process("validate", write_scenario(tmp_path, "ghost", "ghost.yaml"), path=site)
    assert ghost.code == 2 and "policy.kind: policy 'ghost' (package sim-broken 1.0" in ghost.stderr

    game = sim_process("game", "steady_hand:most=1", "always_hostile", "--rounds", "20", "--json", path=site)
    assert game.code == 0 and json.loads(game.stdout)["hostile_rate_a"] == pytest.approx(1 / 20)

    checked = sim_process("check", "steady_hand", "--examples", "5", "--only", "conservation", path=site)
    assert checked.code == 0 and "conservation  passed" in checked.stdout

    grid = "sides.US.policy.most=1,2"
    swept = sim_process(
        "sweep",
        scenario,
        "--grid",
        grid,
        "--seeds",
        "2",
        "--out",
        tmp_path / "sweep",
        "--no-progress",
        path=site,
        timeout=300,
    )
    assert swept.code == 0, swept.stderr


def test_a_broken_plugin_does_not_stop_other_commands(site: Path, tmp_path: Path) -> None:
    outcome = sim_process("run", write_scenario(tmp_path, "tit_for_tat"), "--out", tmp_path / "o", path=site)
    assert outcome.code == 0, outcome.stderr


def test_policy_class_says_why_a_broken_plugin_is_unusable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(plugins.BROKEN, "ghost", "policy 'ghost' failed to load: ImportError: gone")
    with pytest.raises(PluginError, match="ImportError: gone"):
        policy_class("ghost")


def test_a_sweep_file_names_policy_files_relative_to_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.sweep.plan import load_sweep_file

    with_policy_file(tmp_path / "study")
    write_scenario(tmp_path / "study", "tit_for_tat")
    sweep = tmp_path / "study" / "sweep.yaml"
    sweep.write_text(
        "scenario: duel.yaml\n"
        "grid:\n  sides.US.policy.kind: [tit_for_tat, 'file:steady_hand.py:SteadyHand']\n"
    )
    monkeypatch.chdir(tmp_path)
    (axis,) = load_sweep_file(sweep).axes
    assert axis.values == (
        "tit_for_tat",
        f"file:{(tmp_path / 'study' / 'steady_hand.py').resolve()}:SteadyHand",
    )


def test_an_unknown_kind_lists_installed_plugins_and_suggests_the_nearest(site: Path, tmp_path: Path) -> None:
    outcome = sim_process("validate", write_scenario(tmp_path, "steady_hnd"), path=site)
    assert outcome.code == 2
    assert "'steady_hand'); did you mean 'steady_hand'?" in outcome.stderr
