"""``sim tournament --model SCENARIO``: the tournament played in the embassy model itself."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.metrics import run_metrics
from sim.engine.loop import simulate
from sim.games.tournament import TournamentError
from sim.games.tournament_model import plan_model_tournament, play_model_tournament, symmetry_problem
from sim.sweep.tasks import make_task_executor
from tests.cli_runner import sim_inline

ROOT = Path(__file__).resolve().parent.parent
SPIRAL = ROOT / "scenarios" / "tit-for-tat-spiral.yaml"
PLAYERS = ["tit_for_tat", "never_respond", "always_hostile"]


@pytest.fixture(scope="module")
def result():
    return play_model_tournament(plan_model_tournament(SPIRAL, PLAYERS, seeds=2, seed=4))


def test_every_ordered_pair_plays_every_seed_with_self_play(result) -> None:
    plan = result.plan
    assert len(plan.variants) == 9 and len(set(plan.pairs)) == 9
    games = result.games
    assert len(games) == 9 * 2 * 2
    assert games.groupby(["policy", "opponent"]).size().eq(4).all()  # both orders, two seeds
    for (i, j), variant in zip(plan.pairs, plan.variants, strict=True):
        assert variant.sides[0].policy.kind == PLAYERS[i] and variant.sides[1].policy.kind == PLAYERS[j]
        assert variant.acts == plan.scenario.acts  # the opening shock stays


def test_a_game_row_is_the_run_of_its_pair_and_seed(result) -> None:
    plan = result.plan
    index = plan.pairs.index((0, 2))  # tit_for_tat as A against always_hostile as B
    seed = plan.seeds[1]
    scenario = plan.variants[index].model_copy(update={"seed": seed})
    engine = simulate(scenario)
    metrics = run_metrics(engine.log, ["A", "B"], scenario.horizon)
    games = result.games
    row = games[
        (games["policy"] == "tit_for_tat") & (games["opponent"] == "always_hostile") & (games["side"] == "A")
    ]
    row = row[row["seed"] == seed].iloc[0]
    assert row["final_staffing"] == metrics["final_A"] and row["hostile_acts"] == metrics["hostile_acts_A"]
    assert row["opponent_final_staffing"] == metrics["final_B"]


def test_the_ranking_averages_the_metric_against_the_others(result) -> None:
    games = result.games
    others = games[games["policy"] != games["opponent"]]
    table = result.ranking.set_index("policy")
    for policy in PLAYERS:
        mine = others[others["policy"] == policy]
        assert table.loc[policy, "mean"] == pytest.approx(mine["final_staffing"].mean())
        assert table.loc[policy, "wins"] == (mine["final_staffing"] > mine["opponent_final_staffing"]).sum()
    assert list(result.ranking["mean"]) == sorted(result.ranking["mean"], reverse=True)
    assert result.ranking["policy"].iloc[0] == "never_respond"  # nobody expels a side that never answers


def test_hostile_acts_rank_fewer_first() -> None:
    plan = plan_model_tournament(SPIRAL, PLAYERS, seeds=1, metric="hostile_acts")
    ranking = play_model_tournament(plan).ranking
    assert list(ranking["mean"]) == sorted(ranking["mean"])
    assert ranking["policy"].iloc[0] == "never_respond"


def test_one_process_and_two_agree(result) -> None:
    plan = plan_model_tournament(SPIRAL, PLAYERS, seeds=2, seed=4)
    pd.testing.assert_frame_equal(play_model_tournament(plan, make_task_executor(2)).games, result.games)


def test_an_asymmetric_scenario_is_refused(tmp_path: Path) -> None:
    text = SPIRAL.read_text().replace("embassy: {diplomat: 60", "embassy: {diplomat: 61", 1)
    path = tmp_path / "lopsided.yaml"
    path.write_text(text)
    with pytest.raises(
        TournamentError, match="the two sides' mission differ: a model tournament needs a symmetric"
    ):
        plan_model_tournament(path, PLAYERS, seeds=1)
    from sim.scenario.loading import load_scenario

    assert symmetry_problem(load_scenario(SPIRAL)) is None


def test_the_command_writes_its_files_and_prints_json(tmp_path: Path) -> None:
    out = tmp_path / "mt"
    args = ("tournament", *PLAYERS, "--model", SPIRAL, "--seeds", 1, "--workers", 1, "--out", out)
    outcome = sim_inline(*args)
    assert outcome.code == 0, outcome.stderr
    assert "ranked by final_staffing" in outcome.stdout
    assert "final_staffing: own mission's headcount on the last day" in outcome.stdout
    for name in ("games.parquet", "games.csv", "ranking.csv", "matrix.png", "scores.png", "manifest.json"):
        assert (out / name).is_file(), name
    data = json.loads(sim_inline(*args, "--json").stdout)
    assert [row["policy"] for row in data["ranking"]] == list(pd.read_csv(out / "ranking.csv")["policy"])
    assert data["tournament"]["metric"] == "final_staffing" and data["tournament"]["runs"] == 9


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rounds", "10"], "--rounds: only for the repeated game"),
        (["--noise", "0.1"], "--noise: only for the repeated game"),
        (
            ["--metric", "happiness"],
            "--metric: 'happiness' is not one of final_staffing, min_staffing, hostile_acts",
        ),
        (["--seeds", "0"], "--seeds: 0 is not between 1 and 10,000"),
        (["--seeds", "two"], "--seeds: 'two' is not a whole number"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    outcome = sim_inline("tournament", *PLAYERS, "--model", SPIRAL, *args, "--out", tmp_path / "mt")
    outcome.assert_no_traceback()
    assert outcome.code == 2
    assert outcome.stderr.strip().splitlines() == [message] or message in outcome.stderr, outcome.stderr
    assert len(outcome.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "mt").exists()


def test_a_missing_scenario_is_one_line(tmp_path: Path) -> None:
    outcome = sim_inline("tournament", "--model", tmp_path / "nope.yaml", "--out", tmp_path / "mt")
    outcome.assert_no_traceback()
    assert outcome.code == 2 and len(outcome.stderr.strip().splitlines()) == 1, outcome.stderr
