"""``sim tournament`` (the repeated game): the plan, its seeds, the tables, the files and the CLI.

The reference check against the Axelrod library is tests/test_tournament_axelrod.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.game import play
from sim.games.tournament import (
    TournamentError,
    library,
    match_seed,
    plan_tournament,
    play_tournament,
)
from sim.sweep.tasks import make_task_executor
from tests.cli_runner import sim_inline
from tests.helpers import class_memory_as_it_was  # noqa: F401  (an autouse fixture)

PLUGINS = Path(__file__).parent / "plugin_files"
SMALL = ["tit_for_tat", "always_hostile", "generous_tit_for_tat", "win_stay_lose_shift"]


@pytest.fixture(scope="module")
def noisy():
    return play_tournament(plan_tournament(SMALL, rounds=60, repetitions=4, noise=0.1, seed=5))


def test_the_library_is_every_answering_built_in_policy() -> None:
    names = library()
    assert "none" not in names and "scripted" not in names
    assert {"tit_for_tat", "always_hostile", "never_respond", "graduated", "grit"} <= set(names)
    assert len(names) == 14


def test_every_pair_plays_once_per_repetition_with_self_play() -> None:
    plan = plan_tournament(SMALL, repetitions=3)
    pairs = plan.pairs()
    assert len(pairs) == 4 * 5 // 2
    assert {frozenset(p) for p in pairs} == {frozenset((i, j)) for i in range(4) for j in range(i, 4)}
    assert len(plan.matches()) == 30
    assert all(plan.specs[i] <= plan.specs[j] for i, j in pairs)  # played in name order


def test_a_pairs_matches_do_not_depend_on_the_order_or_the_other_entrants(noisy) -> None:
    bigger = play_tournament(
        plan_tournament([*reversed(SMALL), "grim_trigger"], rounds=60, repetitions=4, noise=0.1, seed=5)
    )
    key = ["player", "opponent", "repetition"]
    columns = [
        "player",
        "opponent",
        "repetition",
        "seed",
        "score",
        "opponent_score",
        "cooperation",
        "longest_echo",
    ]
    mine = noisy.matches[columns].sort_values(key).reset_index(drop=True)
    theirs = bigger.matches[columns]
    theirs = theirs[theirs["player"].isin(SMALL) & theirs["opponent"].isin(SMALL)].sort_values(key)
    pd.testing.assert_frame_equal(mine, theirs.reset_index(drop=True))


def test_a_match_row_is_replayed_by_sim_game_with_its_seed(noisy) -> None:
    row = noisy.matches[
        (noisy.matches["player"] == "tit_for_tat") & (noisy.matches["opponent"] == "always_hostile")
    ]
    row = row.iloc[2]
    first, second = sorted(["tit_for_tat", "always_hostile"])
    game = play(first, second, rounds=60, noise=0.1, seed=int(row["seed"]))
    mine = game.payoff_a if row["side"] == "A" else game.payoff_b
    assert mine == pytest.approx(row["score"])
    assert row["seed"] == match_seed(5, first, second, int(row["repetition"]))
    outcome = sim_inline(
        "game", first, second, "--rounds", 60, "--noise", 0.1, "--seed", int(row["seed"]), "--json"
    )
    assert json.loads(outcome.stdout)["payoff_a"] == pytest.approx(game.payoff_a)


def test_each_match_has_two_rows_that_mirror_each_other(noisy) -> None:
    frame = noisy.matches
    assert len(frame) == 2 * 10 * 4
    a = frame[frame["side"] == "A"].set_index("match")
    b = frame[frame["side"] == "B"].set_index("match")
    assert (a["score"] == b["opponent_score"]).all() and (a["player"] == b["opponent"]).all()
    assert (a["cd"] == b["dc"]).all() and (a["cc"] == b["cc"]).all()
    assert ((frame["cc"] + frame["cd"] + frame["dc"] + frame["dd"]).round(12) == 1).all()
    assert not (a["win"] & b["win"]).any()
    assert (frame["win"] == (frame["score"] > frame["opponent_score"])).all()


def test_the_ranking_counts_only_matches_against_the_others(noisy) -> None:
    frame = noisy.matches
    others = frame[frame["player"] != frame["opponent"]]
    table = noisy.ranking.set_index("policy")
    for policy in SMALL:
        mine = others[others["player"] == policy]
        assert table.loc[policy, "mean_payoff"] == pytest.approx(mine["score"].mean())
        assert table.loc[policy, "wins"] == mine["win"].sum()
        assert table.loc[policy, "matches"] == len(mine) == 3 * 4
        assert table.loc[policy, "cooperation"] == pytest.approx(mine["cooperation"].mean())
        assert table.loc[policy, "longest_echo"] == mine["longest_echo"].max()
    assert list(noisy.ranking["mean_payoff"]) == sorted(noisy.ranking["mean_payoff"], reverse=True)
    assert noisy.payoff_matrix.loc["tit_for_tat", "tit_for_tat"] == pytest.approx(
        frame[(frame["player"] == "tit_for_tat") & (frame["opponent"] == "tit_for_tat")]["score"].mean()
    )


def test_equal_means_share_a_rank_and_the_next_rank_skips() -> None:
    result = play_tournament(
        plan_tournament(["tit_for_tat", "grim_trigger", "always_hostile"], repetitions=1)
    )
    assert list(result.ranking["rank"]) == [1, 1, 3]
    assert list(result.ranking["policy"]) == ["grim_trigger", "tit_for_tat", "always_hostile"]


def test_one_process_and_two_agree(noisy) -> None:
    plan = plan_tournament(SMALL, rounds=60, repetitions=4, noise=0.1, seed=5)
    pd.testing.assert_frame_equal(play_tournament(plan, make_task_executor(2)).matches, noisy.matches)


@pytest.mark.skipif(not os.environ.get("SIM_TEST_SCHEDULER"), reason="SIM_TEST_SCHEDULER is not set")
def test_a_dask_cluster_agrees(noisy) -> None:
    plan = plan_tournament(SMALL, rounds=60, repetitions=4, noise=0.1, seed=5)
    executor = make_task_executor(1, os.environ["SIM_TEST_SCHEDULER"])
    pd.testing.assert_frame_equal(play_tournament(plan, executor).matches, noisy.matches)


def test_progress_counts_every_match() -> None:
    seen: list[tuple[int, int]] = []
    play_tournament(
        plan_tournament(SMALL, repetitions=20), on_done=lambda done, total: seen.append((done, total))
    )
    assert seen[0] == (0, 200) and seen[-1] == (200, 200)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"players": ["tit_for_tat"]}, "at least two policies"),
        ({"players": ["tit_for_tat", "tit_for_tat"]}, "listed twice"),
        ({"players": ["tit_for_tat", "titfortat"]}, "did you mean 'tit_for_tat'"),
        ({"players": ["tit_for_tat", "generous_tit_for_tat:g=7"]}, "g:"),
        ({"rounds": 0}, "--rounds"),
        ({"repetitions": 0}, "--repetitions"),
        ({"noise": 1.5}, "--noise"),
        ({"seed": -1}, "--seed"),
    ],
)
def test_a_bad_plan_is_one_line(kwargs: dict, message: str) -> None:
    with pytest.raises(TournamentError, match=message.replace("(", r"\(")) as caught:
        plan_tournament(**kwargs)
    assert "\n" not in str(caught.value)


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("tournament") / "t"
    outcome = sim_inline(
        "tournament", *SMALL, "--repetitions", 3, "--noise", 0.05, "--workers", 1, "--out", out
    )
    return out, outcome


def test_the_command_prints_the_ranking_and_writes_every_file(written) -> None:
    out, outcome = written
    assert outcome.code == 0, outcome.stderr
    outcome.assert_no_traceback()
    assert (
        "Tournament of the repeated game: 4 policies, 200 rounds, 3 repetitions, noise 0.05" in outcome.stdout
    )
    for name in (
        "matches.parquet",
        "matches.csv",
        "ranking.csv",
        "payoffs.png",
        "scores.png",
        "manifest.json",
    ):
        assert (out / name).is_file(), name
    matches = pd.read_parquet(out / "matches.parquet")
    assert len(matches) == 2 * 10 * 3
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "tournament" and manifest["repetitions"] == 3
    assert [row["policy"] for row in manifest["ranking"]] == list(pd.read_csv(out / "ranking.csv")["policy"])


def test_csv_numbers_are_rounded_for_reading(written) -> None:
    out, _ = written
    for name in ("matches.csv", "ranking.csv"):
        text = (out / name).read_text()
        decimals = [
            len(cell.split(".")[1])
            for line in text.splitlines()[1:]
            for cell in line.split(",")
            if "." in cell and cell.replace(".", "").isdigit()
        ]
        assert decimals and max(decimals) <= 3, name


def test_json_prints_the_ranking_only(tmp_path: Path) -> None:
    outcome = sim_inline(
        "tournament", "tit_for_tat", "always_hostile", "--json", "--workers", 1, "--out", tmp_path / "t"
    )
    data = json.loads(outcome.stdout)
    assert [row["policy"] for row in data["ranking"]] == ["always_hostile", "tit_for_tat"]
    assert data["ranking"][0]["mean_payoff"] == 1.02 and data["tournament"]["rounds"] == 200


def test_the_command_replaces_its_own_folder_and_refuses_others(written, tmp_path: Path) -> None:
    out, _ = written
    again = sim_inline("tournament", "tit_for_tat", "always_hostile", "--workers", 1, "--out", out)
    assert again.code == 0, again.stderr
    assert len(pd.read_parquet(out / "matches.parquet")) == 2 * 3 * 10
    foreign = tmp_path / "thesis"
    foreign.mkdir()
    (foreign / "chapter.tex").write_text("mine")
    refused = sim_inline("tournament", "tit_for_tat", "always_hostile", "--out", foreign)
    assert refused.code == 2 and "did not write (chapter.tex)" in refused.stderr
    assert sorted(p.name for p in foreign.iterdir()) == ["chapter.tex"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rounds", "abc"], "--rounds: 'abc' is not a whole number"),
        (["--rounds", "0"], "--rounds: 0 is not between 1 and 10,000,000"),
        (["--repetitions", "1.5"], "--repetitions: '1.5' is not a whole number"),
        (["--noise", "x"], "--noise: 'x' is not a number"),
        (["--noise", "nan"], "--noise: nan is not between 0 and 1"),
        (["--seed", "-3"], "--seed: -3 is not between 0 and 2**63 - 1"),
        (["--workers", "0"], "--workers: 0 is not between 1 and 1,024"),
        (["--scheduler", "localhost"], "--scheduler: 'localhost' is not tcp://HOST:PORT"),
        (["--seeds", "3"], "--seeds: only with --model SCENARIO"),
        (["--metric", "final_staffing"], "--metric: only with --model SCENARIO"),
        (["tit_for_tat"], "POLICY: a tournament needs at least two policies"),
        (["tit_for_tat", "nope"], "POLICY: unknown policy 'nope'"),
        (["tit_for_tat", f"file:{PLUGINS}/class_memory.py:ClassMemory"], "(it keeps state between games?)"),
        (["tit_for_tat", f"file:{PLUGINS}/misbehaving.py:Raises"], "raised ValueError: no idea what to do"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    outcome = sim_inline("tournament", *args, "--out", tmp_path / "t")
    outcome.assert_no_traceback()
    assert outcome.code == 2, (outcome.stdout, outcome.stderr)
    lines = outcome.stderr.strip().splitlines()
    assert message in lines[-1], lines
    assert len([line for line in lines if "matches on" not in line]) == 1, lines
    assert not (tmp_path / "t").exists()
