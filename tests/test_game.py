"""The repeated-game harness against the classic results of docs/policies.md.

Statistical checks play one long game with a fixed seed: they cannot flake, and each tolerance
is at least five standard errors of the estimate (the error of a long-run average over n rounds
of a Markov chain, computed from the chain below), so they would pass for almost any seed too.
Exact reference values come from the same chains solved with numpy, independently of the
harness: memory-one strategies under noise e (a move flipped after it is chosen, as in the
Axelrod library) make a four-state Markov chain over the last round's moves.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from sim.analysis.game import (
    GAME_START,
    PAYOFFS,
    GameResult,
    PolicySpecError,
    generosity,
    make,
    play,
    richardson,
)

Rule = Callable[[int, int], float]  # (my last move, their last move) -> chance I play calm; 1 = hostile

TFT: Rule = lambda me, other: 1.0 - other  # noqa: E731
WSLS: Rule = lambda me, other: 1.0 if me == other else 0.0  # noqa: E731


def gtft(g: float) -> Rule:
    return lambda me, other: 1.0 if other == 0 else g


def chain(first: Rule, second: Rule, e: float) -> np.ndarray:
    """Transition matrix over (A's move, B's move) of the last round, index 2a + b."""
    matrix = np.zeros((4, 4))
    for a in (0, 1):
        for b in (0, 1):
            calm_a = first(a, b) * (1 - e) + (1 - first(a, b)) * e
            calm_b = second(b, a) * (1 - e) + (1 - second(b, a)) * e
            for a2 in (0, 1):
                for b2 in (0, 1):
                    pa = calm_a if a2 == 0 else 1 - calm_a
                    pb = calm_b if b2 == 0 else 1 - calm_b
                    matrix[2 * a + b, 2 * a2 + b2] = pa * pb
    return matrix


def long_run(first: Rule, second: Rule, e: float, rounds: int) -> tuple[float, float]:
    """A's long-run average payoff and the standard error of its mean over ``rounds`` rounds."""
    matrix = chain(first, second, e)
    values, vectors = np.linalg.eig(matrix.T)
    pi = np.real(vectors[:, np.argmin(abs(values - 1))])
    pi /= pi.sum()
    payoff = np.array([PAYOFFS.R, PAYOFFS.S, PAYOFFS.T, PAYOFFS.P])
    centred = payoff - pi @ payoff
    fundamental = np.linalg.inv(np.eye(4) - matrix + np.outer(np.ones(4), pi))
    variance = 2 * pi @ (centred * (fundamental @ centred)) - pi @ (centred * centred)
    return float(pi @ payoff), math.sqrt(variance / rounds)


@pytest.fixture(scope="module")
def tft_games() -> dict[float, GameResult]:
    """TFT vs TFT, 30,000 rounds at e = 0.1 and e = 0.25 (seed 1)."""
    return {e: play("tit_for_tat", "tit_for_tat", rounds=30_000, noise=e, seed=1) for e in (0.1, 0.25)}


# --- TFT vs TFT under noise --------------------------------------------------------------------


@pytest.mark.parametrize("e", [0.1, 0.25])
def test_tft_vs_tft_long_run_payoff_is_a_quarter_of_r_s_t_p_whatever_e(
    e: float, tft_games: dict[float, GameResult]
) -> None:
    """(R+S+T+P)/4 = 2.25; 30,000 rounds: standard error 0.013 (e=0.1), 0.009 (e=0.25);
    tolerance 0.07."""
    expected, error = long_run(TFT, TFT, e, 30_000)
    assert expected == pytest.approx(sum(PAYOFFS) / 4) == pytest.approx(2.25)
    assert error < 0.07 / 5
    game = tft_games[e]
    assert game.payoff_a == pytest.approx(2.25, abs=0.07)
    assert game.payoff_b == pytest.approx(2.25, abs=0.07)


@pytest.mark.parametrize("e", [0.1, 0.25])
def test_tft_retaliation_echo_lasts_one_over_2e_1_minus_e(
    e: float, tft_games: dict[float, GameResult]
) -> None:
    """Echo lengths are geometric with mean 1/(2e(1-e)): 5.56 at e = 0.1 (about 2,700 echoes in
    30,000 rounds, standard error 0.097, tolerance 0.5), 2.67 at e = 0.25 (about 5,600 echoes,
    standard error 0.028, tolerance 0.15)."""
    expected = 1 / (2 * e * (1 - e))
    game = tft_games[e]
    p = 1 / expected
    error = math.sqrt(1 - p) / p / math.sqrt(len(game.echoes))
    tolerance = 0.5 if e == 0.1 else 0.15
    assert error < tolerance / 5
    assert game.mean_echo == pytest.approx(expected, abs=tolerance)
    assert game.longest_echo == max(game.echoes)
    # Geometric, not merely the right mean: the share of one-round echoes is p (5 standard errors).
    ones = sum(1 for length in game.echoes if length == 1) / len(game.echoes)
    assert ones == pytest.approx(p, abs=5 * math.sqrt(p * (1 - p) / len(game.echoes)))


def test_one_flip_between_tft_players_echoes_until_the_next_flip() -> None:
    """Without noise after one shock, the echo never ends (Axelrod 1984): A and B alternate."""
    game = play("tit_for_tat", "tit_for_tat", rounds=12, shock=1)
    assert game.actions_a == "DCDCDCDCDCDC" and game.actions_b == "CDCDCDCDCDCD"
    assert game.echoes == (12,) and game.longest_echo == 12
    assert (game.payoff_a, game.payoff_b) == (2.5, 2.5)


# --- generous TFT -------------------------------------------------------------------------------


def test_gtft_generosity_is_one_third() -> None:
    """min(1 - (T-R)/(R-S), (R-P)/(T-P)) = min(1/3, 1/2)."""
    assert generosity() == pytest.approx(1 / 3)
    assert make("generous_tit_for_tat").params.g == pytest.approx(1 / 3)  # type: ignore[attr-defined]


def test_gtft_vs_gtft_under_noise_beats_tft() -> None:
    """e = 0.1, g = 1/3: the chain gives 2.7398 (TFT: 2.25); 30,000 rounds, standard error
    0.0065, tolerance 0.035."""
    expected, error = long_run(gtft(1 / 3), gtft(1 / 3), 0.1, 30_000)
    assert expected == pytest.approx(2.7398, abs=1e-4)
    assert error < 0.035 / 5
    game = play(
        "generous_tit_for_tat:seed=1", "generous_tit_for_tat:seed=2", rounds=30_000, noise=0.1, seed=2
    )
    assert game.payoff_a == pytest.approx(expected, abs=0.035)
    assert game.payoff_b == pytest.approx(expected, abs=0.035)


def test_always_hostile_does_not_invade_gtft() -> None:
    """Against ALL D, GTFT forgives a share g of rounds: ALL D earns g*T + (1-g)*P = 7/3 < R = 3,
    GTFT (1-g)*P + g*S = 2/3. 20,000 rounds: the forgiven share's sd is 0.0033, so the
    payoffs' sd are 0.013 and 0.0033; tolerances 0.07 and 0.017."""
    g = 1 / 3
    game = play("generous_tit_for_tat:seed=3", "always_hostile", rounds=20_000)
    assert game.payoff_b == pytest.approx(g * PAYOFFS.T + (1 - g) * PAYOFFS.P, abs=0.07)
    assert game.payoff_a == pytest.approx((1 - g) * PAYOFFS.P + g * PAYOFFS.S, abs=0.017)
    assert game.payoff_b < PAYOFFS.R


# --- win-stay lose-shift ----------------------------------------------------------------------------


@pytest.mark.parametrize("e", [0.01, 0.05, 0.1, 0.2, 0.3])
def test_wsls_formula_is_the_chain_s_long_run_payoff(e: float) -> None:
    """The reference itself: 3 - 5e + 11e^2 - 8e^3 solves the chain (noise e > 0 makes it
    ergodic; at e = 0 the long run depends on the first move)."""
    assert long_run(WSLS, WSLS, e, 1)[0] == pytest.approx(3 - 5 * e + 11 * e**2 - 8 * e**3)


@pytest.mark.parametrize("e", [0.1, 0.2])
def test_wsls_vs_wsls_payoff_is_3_minus_5e_plus_11e2_minus_8e3(e: float) -> None:
    """2.602 at e = 0.1, 2.376 at e = 0.2; 25,000 rounds: standard error 0.0082 and 0.010,
    tolerance 0.06."""
    expected = 3 - 5 * e + 11 * e**2 - 8 * e**3
    assert long_run(WSLS, WSLS, e, 25_000)[1] < 0.06 / 5
    game = play("win_stay_lose_shift", "win_stay_lose_shift", rounds=25_000, noise=e, seed=4)
    assert game.payoff_a == pytest.approx(expected, abs=0.06)
    assert game.payoff_b == pytest.approx(expected, abs=0.06)


def test_wsls_corrects_a_single_mistake_in_two_rounds() -> None:
    game = play("win_stay_lose_shift", "win_stay_lose_shift", rounds=8, shock=1)
    assert (game.actions_a, game.actions_b) == ("DDCCCCCC", "CDCCCCCC")


# --- TFT vs ALL D, and exact games -------------------------------------------------------------------


def test_tft_vs_always_hostile_over_200_rounds_scores_199_vs_204() -> None:
    """TFT is exploited once (S = 0 vs T = 5), then 199 rounds of P = 1 each."""
    game = play("tit_for_tat", "always_hostile", rounds=200)
    assert (game.payoff_a * 200, game.payoff_b * 200) == (199, 204)
    assert game.actions_a == "C" + "D" * 199 and game.actions_b == "D" * 200


# --- Richardson ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [(0.5, 0.5), (0.9, 1.1), (0.3, 3.0), (1.0, 0.99), (1.0, 1.0), (1.1, 1.0), (2.0, 0.6), (3.0, 3.0)],
)
def test_richardson_linear_response_converges_iff_a_times_b_below_one(a: float, b: float) -> None:
    """x' = a*y + g, y' = b*x + h: the gap to the fixed point shrinks by a*b every two steps,
    so it converges for a*b < 1 (to within 1e-6 after 4,000 steps even at a*b = 0.99); for
    a*b >= 1 there is no shrinking: the two-step change never gets smaller."""
    g, h = 2.0, 1.0
    if a * b < 1:
        path = richardson(a, b, g, h, 50.0, 10.0, 4000)
        fixed = ((a * h + g) / (1 - a * b), (b * g + h) / (1 - a * b))
        assert path[-1] == pytest.approx(fixed, rel=1e-6)
    else:
        xs = [x for x, _ in richardson(a, b, g, h, 50.0, 10.0, 200)]
        assert abs(xs[-1] - xs[-3]) >= abs(xs[2] - xs[0]) > 0


@pytest.mark.parametrize(("a", "b"), [(0.5, 1.5), (1.5, 0.5), (1.5, 1.5), (0.9, 0.9)])
def test_two_proportional_policies_are_richardson_without_grievance(a: float, b: float) -> None:
    """Proportional policies with factors a and b after a shock of 1,000: their acts shrink
    to the smallest act when a*b < 1 and grow to the size limit (100,000) when a*b > 1."""
    game = play(f"proportional:factor={a}", f"proportional:factor={b}", rounds=200, shock=1000)
    sizes = [game.moves_a[t] if t % 2 == 0 else game.moves_b[t] for t in range(200)]
    if a * b < 1:
        assert all(later <= earlier for earlier, later in zip(sizes, sizes[2:], strict=False))
        assert max(sizes[100:]) <= 10  # rounding half up stops the fall at a few people
    else:
        assert sizes[-1] == 100_000


# --- the harness itself --------------------------------------------------------------------------------


def test_same_seed_same_game_and_another_seed_another() -> None:
    first = play("generous_tit_for_tat", "win_stay_lose_shift", rounds=500, noise=0.1, seed=5)
    assert play("generous_tit_for_tat", "win_stay_lose_shift", rounds=500, noise=0.1, seed=5) == first
    assert play("generous_tit_for_tat", "win_stay_lose_shift", rounds=500, noise=0.1, seed=6) != first


def test_noise_draws_are_common_to_every_pair_under_one_seed() -> None:
    """Flips are keyed by seed, side and round: ALL C is hostile exactly where ALL D is calm."""
    calm = play("never_respond", "never_respond", rounds=2000, noise=0.2, seed=8)
    hostile = play("always_hostile", "always_hostile", rounds=2000, noise=0.2, seed=8)
    assert all(bool(x) != bool(y) for x, y in zip(calm.moves_a, hostile.moves_a, strict=True))
    assert 0.17 < calm.hostile_rate_a < 0.23  # 2,000 draws at 0.2: sd 0.009


def test_noise_zero_and_one() -> None:
    assert play("always_hostile", "never_respond", rounds=50, noise=0.0).hostile_rate_b == 0
    flipped = play("always_hostile", "never_respond", rounds=50, noise=1.0)
    assert (flipped.hostile_rate_a, flipped.hostile_rate_b) == (0.0, 1.0)


def test_an_answer_of_several_acts_takes_as_many_rounds() -> None:
    """Graduated answers ALL D's 4th act with 4 acts and 2 calm statements: 6 rounds."""
    game = play("graduated", "always_hostile", rounds=10)
    assert game.actions_a == "CDCCDDDDCC"


def test_summary_has_the_cli_keys() -> None:
    game = play("tit_for_tat", "always_hostile", rounds=200)
    assert game.summary() == {
        "payoff_a": 0.995,
        "payoff_b": 1.02,
        "hostile_rate_a": 0.995,
        "hostile_rate_b": 1.0,
        "longest_echo": 1,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tit_for_tatt", "unknown policy 'tit_for_tatt'"),
        ("generous_tit_for_tat:g=2", "g: Input should be less than or equal to 1"),
        ("generous_tit_for_tat:g", "'g' is not key=value"),
        ("generous_tit_for_tat:h=1", "h: Extra inputs are not permitted"),
        ("escalate:add=true", "add: Input should be a valid integer"),
    ],
)
def test_policy_specs_that_fail_say_why_in_one_line(text: str, message: str) -> None:
    with pytest.raises(PolicySpecError, match=message) as caught:
        make(text)
    assert "\n" not in str(caught.value)


def test_policy_specs_read_numbers_words_and_lists() -> None:
    policy = make('grit:first_day=5, step_kinds=["lift_cap","visa_issue"], rule=newest')
    assert policy.params.first_day == 5  # type: ignore[attr-defined]
    assert policy.params.step_kinds == ("lift_cap", "visa_issue")  # type: ignore[attr-defined]
    assert policy.params.rule == "newest"  # type: ignore[attr-defined]
    assert GAME_START.isoformat() == "2000-01-01"


def test_the_game_seed_reaches_a_stochastic_policy_s_own_draws() -> None:
    """As in a simulated run, the seed is the policies' run seed: without noise, generous tit
    for tat against always-hostile forgives different rounds under different game seeds, and
    the same rounds under the same seed."""
    runs = {s: play("generous_tit_for_tat", "always_hostile", rounds=300, seed=s).actions_a for s in (1, 2)}
    assert runs[1] != runs[2]
    assert play("generous_tit_for_tat", "always_hostile", rounds=300, seed=1).actions_a == runs[1]
