"""Keyed randomness: every draw is a pure function of (run seed, stream, key).

No generator is consumed in order, so a draw does not depend on how many draws came
before it. That is what makes forks exact (a run restarted from its state at day d draws
what the original drew) and gives common random numbers: two scenarios that differ only in
one side's policy still give the same person the same tour length.
"""

from __future__ import annotations

import hashlib
import math

_SCALE = float(1 << 64)


def uniform(seed: int, stream: str, *key: object) -> float:
    """A float in [0, 1) determined by ``seed``, ``stream`` and ``key`` alone."""
    text = f"{seed}\x1f{stream}\x1f" + "\x1f".join(map(str, key))
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / _SCALE


def integer(low: int, high: int, seed: int, stream: str, *key: object) -> int:
    """An integer in [low, high] inclusive; ``low == high`` costs no hashing."""
    if low >= high:
        return low
    return low + math.floor(uniform(seed, stream, *key) * (high - low + 1))


def chance(p: float, seed: int, stream: str, *key: object) -> bool:
    """True with probability ``p``; ``p`` of 0 or 1 never hashes."""
    if p <= 0.0:
        return False
    if p >= 1.0:
        return True
    return uniform(seed, stream, *key) < p
