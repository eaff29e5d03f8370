"""``sim tournament`` against the Axelrod library's own ``Tournament`` (a test-only dependency).

The strategies both have (tests/test_axelrod.py matches them move for move) play one
round robin in each, with the same rounds, noise and repetitions:

- without noise, for the seven deterministic ones, every number is equal: each player's
  mean payoff against the others (the library's normalised scores), wins, cooperation
  rating, the whole payoff matrix, and the ranking (ties aside: the library orders tied
  players by their place in its list, this project by name and a shared rank);
- with noise 0.05 and 100 repetitions, generous tit for tat included, the two use different random numbers, so
  each mean is compared within five standard errors of the difference of two independent
  tournaments (the standard error measured from the repetitions), and the two rankings must
  agree for every pair of players whose means differ by more than that.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest

from sim.games.tournament import TournamentResult, plan_tournament, play_tournament
from sim.sweep.tasks import make_task_executor
from tests.test_axelrod import PAIRS

axl: Any = pytest.importorskip("axelrod")

ROUNDS = 200
DETERMINISTIC = list(
    PAIRS
)  # TitForTat, TitFor2Tats, Grudger, WinStayLoseShift, Cooperator, Defector, Gradual
NOISY = [*PAIRS, "GTFT"]
OURS = {**PAIRS, "GTFT": "generous_tit_for_tat"}


def both(names: list[str], repetitions: int, noise: float, workers: int = 1) -> tuple[Any, TournamentResult]:
    players = [getattr(axl, name)() for name in names]
    theirs = axl.Tournament(players, turns=ROUNDS, repetitions=repetitions, noise=noise, seed=3)
    results = theirs.play(progress_bar=False)
    plan = plan_tournament(
        [OURS[n] for n in names], rounds=ROUNDS, repetitions=repetitions, noise=noise, seed=3
    )
    return results, play_tournament(plan, make_task_executor(workers))


@pytest.fixture(scope="module")
def noiseless() -> tuple[Any, TournamentResult]:
    return both(DETERMINISTIC, 10, 0.0)


def test_without_noise_every_number_equals_the_librarys(noiseless: tuple[Any, TournamentResult]) -> None:
    theirs, ours = noiseless
    table = ours.ranking.set_index("policy")
    for index, name in enumerate(DETERMINISTIC):
        row = table.loc[OURS[name]]
        assert row["mean_payoff"] == pytest.approx(np.mean(theirs.normalised_scores[index]), abs=1e-12), name
        assert row["median_payoff"] == pytest.approx(np.median(theirs.normalised_scores[index]), abs=1e-12)
        assert row["wins"] == sum(theirs.wins[index]), name
        assert row["cooperation"] == pytest.approx(theirs.cooperating_rating[index], abs=1e-12), name
    for (i, a), (j, b) in itertools.product(enumerate(DETERMINISTIC), repeat=2):
        ours_value = ours.payoff_matrix.loc[OURS[a], OURS[b]]
        assert ours_value == pytest.approx(theirs.payoff_matrix[i][j], abs=1e-12), (a, b)


def test_without_noise_the_ranking_is_the_librarys(noiseless: tuple[Any, TournamentResult]) -> None:
    theirs, ours = noiseless
    their_order = [OURS[DETERMINISTIC[i]] for i in theirs.ranking]
    rank = dict(zip(ours.ranking["policy"], ours.ranking["rank"], strict=True))
    # The library's order never puts a worse rank of ours before a better one, and each of our
    # tied groups is a run of the library's order.
    assert [rank[name] for name in their_order] == sorted(rank[name] for name in their_order)
    assert sorted(their_order) == sorted(ours.ranking["policy"])
    assert ours.ranking["policy"].iloc[-1] == "always_hostile" == their_order[-1]


@pytest.fixture(scope="module")
def noisy() -> tuple[Any, TournamentResult]:
    return both(NOISY, 100, 0.05, workers=2)


def _tolerance(ours: TournamentResult, policy: str) -> float:
    """Five standard errors of the difference of two independent tournaments' means."""
    per_repetition = ours.scores[policy]
    return 5 * math.sqrt(2) * per_repetition.std(ddof=1) / math.sqrt(len(per_repetition))


def test_under_noise_the_means_agree_within_five_standard_errors(noisy: tuple[Any, TournamentResult]) -> None:
    theirs, ours = noisy
    table = ours.ranking.set_index("policy")
    for index, name in enumerate(NOISY):
        policy = OURS[name]
        expected = np.mean(theirs.normalised_scores[index])
        tolerance = _tolerance(ours, policy)
        assert 0.005 < tolerance < 0.05, (policy, tolerance)  # noise really spreads them, not too much
        assert table.loc[policy, "mean_payoff"] == pytest.approx(expected, abs=tolerance), policy
        assert table.loc[policy, "cooperation"] == pytest.approx(theirs.cooperating_rating[index], abs=0.02)


def test_under_noise_the_rankings_agree_beyond_the_noise(noisy: tuple[Any, TournamentResult]) -> None:
    theirs, ours = noisy
    mean = dict(zip(ours.ranking["policy"], ours.ranking["mean_payoff"], strict=True))
    their_mean = {OURS[name]: np.mean(theirs.normalised_scores[i]) for i, name in enumerate(NOISY)}
    separated = 0
    for a, b in itertools.combinations(mean, 2):
        gap = abs(their_mean[a] - their_mean[b])
        if gap > max(_tolerance(ours, a), _tolerance(ours, b)):
            separated += 1
            assert (mean[a] > mean[b]) == (their_mean[a] > their_mean[b]), (a, b)
    assert separated >= 18  # of 28 pairs (22 with these seeds): the check is not empty
