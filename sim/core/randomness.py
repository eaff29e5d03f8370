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
_from_bytes = int.from_bytes  # bound once: Stream.integer_of runs for every hire and every request
#: ``str(n).encode()`` for the keys ``integer_of`` is given most (the n-th arrival, the n-th
#: request of a mission): the same bytes hashed, without building a str and a bytes per draw.
_KEY_BYTES = tuple(str(n).encode() for n in range(4096))
_KEYS = len(_KEY_BYTES)

#: Seeds are whole numbers in [0, SEED_LIMIT): what SQLite and Parquet store as a signed 64-bit
#: integer. Every seed (a scenario's, a sweep's, a fork's, a policy's, an option) is checked
#: against this one bound.
SEED_LIMIT = 2**63


def seed_problem(seed: object, label: str = "--seed") -> str | None:
    """Why ``seed`` is not a seed, in one line, or ``None``."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        return f"{label}: {str(seed)[:40]!r} is not a whole number"
    if not 0 <= seed < SEED_LIMIT:
        return f"{label}: {str(seed)[:40]} is not between 0 and 2**63 - 1"
    return None


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


class Stream:
    """Keyed draws that share a key prefix: ``Stream(seed, "tour", "US").integer(lo, hi, n)``
    is ``integer(lo, hi, seed, "tour", "US", n)``, byte for byte.

    The hasher is fed the prefix once and copied per draw (a copy of a blake2b state is
    cheaper than hashing the prefix again), which is what the engine's hot path draws with.
    ``integer_of`` is ``integer`` for a one-part key, the engine's common case (the n-th
    arrival, the n-th request): no argument tuple, and ``int`` for ``math.floor`` (the same
    for the non-negative products it is given).
    """

    __slots__ = ("_copy", "_hasher")

    def __init__(self, seed: int, stream: str, *prefix: object) -> None:
        text = f"{seed}\x1f{stream}\x1f" + "".join(f"{part}\x1f" for part in prefix)
        self._hasher = hashlib.blake2b(text.encode(), digest_size=8)
        self._copy = self._hasher.copy

    def uniform(self, *rest: object) -> float:
        """A float in [0, 1) for the key ``prefix + rest`` (``rest`` must not be empty)."""
        hasher = self._copy()
        hasher.update((str(rest[0]) if len(rest) == 1 else "\x1f".join(map(str, rest))).encode())
        return int.from_bytes(hasher.digest(), "big") / _SCALE

    def integer(self, low: int, high: int, *rest: object) -> int:
        """An integer in [low, high] inclusive; ``low == high`` costs no hashing."""
        if low >= high:
            return low
        hasher = self._copy()
        hasher.update((str(rest[0]) if len(rest) == 1 else "\x1f".join(map(str, rest))).encode())
        return low + math.floor(int.from_bytes(hasher.digest(), "big") / _SCALE * (high - low + 1))

    def integer_of(self, low: int, high: int, key: object) -> int:
        """``integer(low, high, key)`` for a key of one part."""
        if low >= high:
            return low
        hasher = self._copy()
        # ``type(key) is int``: a bool is an int whose str is not its number's.
        hasher.update(_KEY_BYTES[key] if type(key) is int and 0 <= key < _KEYS else str(key).encode())
        return low + int(_from_bytes(hasher.digest(), "big") / _SCALE * (high - low + 1))

    def fractions_of(self, keys: range) -> list[float]:
        """The draw in [0, 1) behind ``integer_of(low, high, key)`` for each of ``keys`` (ints):
        ``integer_of(low, high, key) == low + int(fraction * (high - low + 1))`` whenever
        ``low < high``, byte for byte. A run's opening draws two numbers for each of its
        hundreds of people; one call for all of them saves a Python call a draw."""
        copy, key_bytes, scale = self._copy, _KEY_BYTES, _SCALE
        out = []
        for key in keys:
            hasher = copy()
            hasher.update(key_bytes[key] if 0 <= key < _KEYS else str(key).encode())
            out.append(_from_bytes(hasher.digest(), "big") / scale)
        return out

    def chance(self, p: float, *rest: object) -> bool:
        """True with probability ``p``; ``p`` of 0 or 1 never hashes."""
        if p <= 0.0:
            return False
        if p >= 1.0:
            return True
        return self.uniform(*rest) < p
