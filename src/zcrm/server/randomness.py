"""The one source of randomness for tokens, secrets and generated data.

Unseeded it draws from :mod:`secrets`; seeded (tests, reproducible demo data) it is a
:class:`random.Random`, so the same seed gives the same tokens and the same demo org.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class RandomSource:
    def __init__(self, seed: int | None = None) -> None:
        self._rng: random.Random | None = random.Random(seed) if seed is not None else None

    @property
    def seeded(self) -> bool:
        return self._rng is not None

    def token_hex(self, nbytes: int) -> str:
        if self._rng is None:
            return secrets.token_hex(nbytes)
        return self._rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big").hex()

    def randbelow(self, n: int) -> int:
        if self._rng is None:
            return secrets.randbelow(n)
        return self._rng.randrange(n)

    def choice(self, seq: Sequence[T]) -> T:
        return seq[self.randbelow(len(seq))]

    def fork(self, label: str) -> random.Random:
        """A deterministic :class:`random.Random` for bulk generation (demo data)."""
        if self._rng is None:
            return random.Random(secrets.randbits(64))
        return random.Random(f"{self._rng.random()}:{label}")
