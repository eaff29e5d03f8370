"""``sim moran`` against the analytic fixation probabilities and the Axelrod library.

Each statistical check is one fixed-seed batch of processes (deterministic, so it cannot
flake) with a tolerance of four binomial standard errors, sqrt(p(1 - p) / n), of the value
it checks; the batch is large enough that the mistakes a Moran process is prone to (a
miscounted start, the wrong winner, selection that ignores fitness, death that spares the
parent's type) move the estimate by more than that.

- Neutral: when every match pays the same (policies that never defect against each other,
  without noise), a policy starting with k of N individuals fixes with probability k/N:
  1/8 for a single mutant, 3/8 for three, 1/4 each for four pairs.
- Selection: two deterministic policies have an exact fixation probability (the absorbing
  birth-death chain); sim.games.moran solves the chain, this file uses the closed product form.
- The library: axelrod's own MoranProcess, same population, fixes at the same rate.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.games.moran import fixation_probability, parse_population, plan_moran, play_moran, wilson
from sim.games.tournament import TournamentError
from sim.sweep.tasks import make_task_executor
from tests.cli_runner import sim_inline

REPETITIONS = 4000


def assert_within_four_standard_errors(measured: float, expected: float, trials: int) -> None:
    error = math.sqrt(expected * (1 - expected) / trials)
    assert abs(measured - expected) <= 4 * error, f"{measured:.4f} vs {expected:.4f} (4 SE = {4 * error:.4f})"


@pytest.mark.parametrize(
    ("population", "policy", "expected"),
    [
        (["tit_for_tat", "7*never_respond"], "tit_for_tat", 1 / 8),
        (["3*grim_trigger", "5*tit_for_two_tats"], "grim_trigger", 3 / 8),
        (
            ["2*tit_for_tat", "2*never_respond", "2*grim_trigger", "2*tit_for_two_tats"],
            "never_respond",
            1 / 4,
        ),
    ],
)
def test_neutral_fixation_is_the_initial_share(population: list[str], policy: str, expected: float) -> None:
    result = play_moran(plan_moran(population, repetitions=REPETITIONS, seed=11))
    row = result.fixation.set_index("policy").loc[policy]
    assert row["neutral"] == pytest.approx(expected)
    assert result.runs["winner"].notna().all()
    assert_within_four_standard_errors(row["probability"], expected, REPETITIONS)
    assert result.fixation["fixations"].sum() == REPETITIONS


def closed_form(aa: float, ab: float, ba: float, bb: float, size: int, start: int) -> float:
    """rho_k = (1 + sum_{m<k} prod_{i<=m} g_i/f_i) / (1 + sum_{m<N} prod_{i<=m} g_i/f_i)."""
    ratios = []
    for i in range(1, size):
        f = (i - 1) * aa + (size - i) * ab
        g = i * ba + (size - i - 1) * bb
        ratios.append(g / f)
    products = np.cumprod(ratios)
    return float((1 + products[: start - 1].sum()) / (1 + products.sum()))


def test_the_exact_value_is_the_closed_form_of_the_chain() -> None:
    tft_alld = np.array([[3.0, 0.995], [1.02, 1.0]])  # 200 rounds: 600, 199, 204, 200 points
    for size, start in ((8, 1), (8, 3), (10, 5), (20, 2)):
        assert fixation_probability(tft_alld, size, start) == pytest.approx(
            closed_form(3.0, 0.995, 1.02, 1.0, size, start)
        )
    flat = np.full((2, 2), 3.0)
    assert fixation_probability(flat, 8, 3) == pytest.approx(3 / 8)


@pytest.mark.parametrize(
    ("population", "start"),
    [(["3*tit_for_tat", "5*always_hostile"], 3), (["tit_for_tat", "7*always_hostile"], 1)],
)
def test_selection_matches_the_exact_value(population: list[str], start: int) -> None:
    result = play_moran(plan_moran(population, repetitions=REPETITIONS, seed=12))
    row = result.fixation.set_index("policy").loc["tit_for_tat"]
    expected = closed_form(3.0, 0.995, 1.02, 1.0, 8, start)
    assert row["analytic"] == pytest.approx(expected)
    assert abs(expected - start / 8) > 0.1 or start == 1  # selection, not drift
    assert_within_four_standard_errors(row["probability"], expected, REPETITIONS)


def test_the_library_fixes_at_the_same_rate() -> None:
    """axelrod.MoranProcess (slow: 400 processes of 6 take about 10 s) for 3 TitForTat and 3
    Defectors: the exact value is 0.802, far from the neutral 0.5 (four errors are 0.13)."""
    axl: Any = pytest.importorskip("axelrod")
    runs, wins = 150, 0
    cache = axl.DeterministicCache()
    for seed in range(runs):
        players = [axl.TitForTat() for _ in range(3)] + [axl.Defector() for _ in range(3)]
        process = axl.MoranProcess(players, turns=200, seed=seed, deterministic_cache=cache)
        process.play()
        wins += process.winning_strategy_name == "Tit For Tat"
    expected = closed_form(3.0, 0.995, 1.02, 1.0, 6, 3)
    assert expected == pytest.approx(0.802, abs=1e-3)
    assert_within_four_standard_errors(wins / runs, expected, runs)
    ours = play_moran(plan_moran(["3*tit_for_tat", "3*always_hostile"], repetitions=runs, seed=1))
    assert_within_four_standard_errors(
        ours.fixation.set_index("policy").loc["tit_for_tat", "probability"], expected, runs
    )


def test_results_do_not_depend_on_the_executor() -> None:
    plan = plan_moran(
        ["generous_tit_for_tat", "2*always_hostile", "win_stay_lose_shift"],
        repetitions=60,
        noise=0.05,
        seed=3,
        samples=5,
    )
    one = play_moran(plan)
    two = play_moran(plan, make_task_executor(2))
    pd.testing.assert_frame_equal(one.runs, two.runs)
    pd.testing.assert_frame_equal(one.history, two.history)
    assert one.history.sum(axis=1).eq(4).all() and len(one.history) == one.runs.loc[0, "steps"] + 1


def test_stochastic_pairs_draw_from_several_matches_and_deterministic_ones_from_one() -> None:
    result = play_moran(
        plan_moran(["generous_tit_for_tat", "always_hostile", "tit_for_tat"], repetitions=2, samples=6)
    )
    pool = result.pool
    index = {name: i for i, name in enumerate(result.plan.players)}
    gtft, alld, tft = index["generous_tit_for_tat"], index["always_hostile"], index["tit_for_tat"]
    assert len(set(pool[gtft, alld])) > 1
    assert len(set(pool[tft, alld])) == 1 and pool[tft, alld, 0] == pytest.approx(0.995)


def test_parse_population() -> None:
    assert parse_population(["9*tit_for_tat", "always_hostile", "tit_for_tat"]) == (
        ["tit_for_tat", "always_hostile"],
        [10, 1],
    )
    with pytest.raises(TournamentError, match="a count between"):
        parse_population(["0*tit_for_tat"])
    with pytest.raises(TournamentError, match="at least two policies"):
        plan_moran(["5*tit_for_tat"])


def test_wilson_interval() -> None:
    low, high = wilson(50, 100)
    assert low == pytest.approx(0.4038, abs=1e-4) and high == pytest.approx(0.5962, abs=1e-4)
    assert wilson(0, 10)[0] == 0.0


def test_the_command_prints_the_table_and_writes_its_files(tmp_path: Path) -> None:
    out = tmp_path / "moran"
    outcome = sim_inline(
        "moran", "3*tit_for_tat", "5*always_hostile", "--repetitions", 200, "--workers", 1, "--out", out
    )
    assert outcome.code == 0, outcome.stderr
    outcome.assert_no_traceback()
    assert "a population of 8, 200 processes" in outcome.stdout and "0.738" in outcome.stdout
    for name in ("fixation.csv", "runs.csv", "fixation.png", "population.png", "manifest.json"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "fixation.csv")
    assert table["fixations"].sum() == 200 and set(table["policy"]) == {"tit_for_tat", "always_hostile"}
    data = json.loads(
        sim_inline(
            "moran", "3*tit_for_tat", "5*always_hostile", "--repetitions", 200, "--json", "--out", out
        ).stdout
    )
    assert data["fixation"][0]["fixations"] == int(table["fixations"].iloc[0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tit_for_tat"], "at least two policies"),
        (["0*tit_for_tat", "always_hostile"], "a count between 1 and 1,000"),
        (
            ["tit_for_tat", "always_hostile", "--repetitions", "0"],
            "--repetitions: 0 is not between 1 and 1,000,000",
        ),
        (["tit_for_tat", "always_hostile", "--samples", "x"], "--samples: 'x' is not a whole number"),
        (["tit_for_tat", "always_hostile", "--noise", "-1"], "--noise: -1 is not between 0 and 1"),
        (["tit_for_tat", "nope"], "unknown policy 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    outcome = sim_inline("moran", *args, "--out", tmp_path / "m")
    outcome.assert_no_traceback()
    assert outcome.code == 2
    assert len(outcome.stderr.strip().splitlines()) == 1 and message in outcome.stderr, outcome.stderr
    assert not (tmp_path / "m").exists()
