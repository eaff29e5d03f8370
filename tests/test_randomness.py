"""Keyed draws: a ``Stream`` is the module's functions with its prefix, byte for byte, and its
one-part fast path (``integer_of``, what the engine's hot path draws with) is ``integer``."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sim.core import randomness
from sim.core.randomness import Stream

keys = st.one_of(st.integers(min_value=-(10**12), max_value=10**12), st.text(max_size=8))
bounds = st.tuples(st.integers(-1000, 10_000), st.integers(0, 10_000)).map(lambda t: (t[0], t[0] + t[1]))


@given(st.integers(0, 2**32), st.text(max_size=6), st.text(max_size=6), bounds, keys)
def test_a_stream_draws_what_the_functions_draw(
    seed: int, stream: str, side: str, low_high: tuple[int, int], key: object
) -> None:
    low, high = low_high
    draws = Stream(seed, stream, side)
    expected = randomness.integer(low, high, seed, stream, side, key)
    assert draws.integer(low, high, key) == expected
    assert draws.integer_of(low, high, key) == expected
    assert draws.uniform(key, 3) == randomness.uniform(seed, stream, side, key, 3)


def test_equal_bounds_draw_nothing() -> None:
    assert Stream(1, "tour", "A").integer_of(5, 5, 0) == 5
    assert Stream(1, "tour", "A").integer_of(7, 3, 0) == 7


@given(st.integers(0, 2**32), st.text(max_size=6), bounds, st.integers(0, 10_000), st.integers(0, 30))
def test_fractions_are_the_draws_behind_integer_of(
    seed: int, side: str, low_high: tuple[int, int], first: int, count: int
) -> None:
    """The day-0 staff draw their tours and tenures in one call a stream (``fractions_of``):
    each fraction gives what ``integer_of`` gives for its key, byte for byte."""
    low, high = low_high
    draws = Stream(seed, "tour", side)
    keys = range(first, first + count)
    drawn = [low + int(f * (high - low + 1)) if low < high else low for f in draws.fractions_of(keys)]
    assert drawn == [draws.integer_of(low, high, key) for key in keys]
    assert all(0.0 <= f < 1.0 for f in draws.fractions_of(keys))
