"""The project's policies against the Axelrod library's strategies (a test-only dependency).

For deterministic pairs without noise, a match of 200 rounds between two of the project's
policies in ``sim.analysis.game`` must give exactly the moves and the scores of the same match between
the corresponding Axelrod strategies: TitForTat, TitFor2Tats, Grudger, WinStayLoseShift,
Cooperator, Defector, and Gradual (Beaufils' strategy as the library plays it). Every ordered
pair is played, self-play included.

Importing ``axelrod`` takes about 11 s (it reads the source of each of its strategies when it
loads), which is most of this module's time.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from sim.analysis.game import play

axl: Any = pytest.importorskip("axelrod")

ROUNDS = 200

#: The project's policy for each Axelrod strategy.
PAIRS: dict[str, str] = {
    "TitForTat": "tit_for_tat",
    "TitFor2Tats": "tit_for_two_tats",
    "Grudger": "grim_trigger",
    "WinStayLoseShift": "win_stay_lose_shift",
    "Cooperator": "never_respond",
    "Defector": "always_hostile",
    "Gradual": "graduated",
}


def axelrod_match(first: str, second: str) -> tuple[str, str, tuple[int, int]]:
    match = axl.Match((getattr(axl, first)(), getattr(axl, second)()), turns=ROUNDS)
    moves = match.play()
    a = "".join(str(x) for x, _ in moves)
    b = "".join(str(y) for _, y in moves)
    score_a, score_b = match.final_score()
    return a, b, (int(score_a), int(score_b))


@pytest.mark.parametrize(("first", "second"), list(itertools.product(PAIRS, repeat=2)))
def test_moves_and_scores_equal_axelrod_over_200_rounds(first: str, second: str) -> None:
    a, b, scores = axelrod_match(first, second)
    game = play(PAIRS[first], PAIRS[second], rounds=ROUNDS)
    assert (game.actions_a, game.actions_b) == (a, b)
    assert (round(game.payoff_a * ROUNDS), round(game.payoff_b * ROUNDS)) == scores
    assert game.payoff_a * ROUNDS == pytest.approx(scores[0], abs=1e-9)


def test_none_plays_as_cooperator_too() -> None:
    """``none`` (which does not even observe) is ALL C in the game, like ``never_respond``."""
    for name, policy in PAIRS.items():
        assert play("none", policy, rounds=ROUNDS) == play("never_respond", policy, rounds=ROUNDS), name
