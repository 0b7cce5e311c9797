"""Exponential backoff with full jitter, for retrying the relay while offline."""

from __future__ import annotations

import random


class Backoff:
    """Delays of ``base * factor**n`` seconds capped at ``cap``, each drawn uniformly from
    [delay/2, delay] so that many clients coming back online do not retry in step."""

    def __init__(self, base: float = 0.25, factor: float = 2.0, cap: float = 30.0) -> None:
        self.base = base
        self.factor = factor
        self.cap = cap
        self.attempts = 0
        self._random = random.SystemRandom()

    def next_delay(self) -> float:
        try:
            grown = self.base * self.factor**self.attempts
        except OverflowError:  # after ~1000 failures in a row (a day offline): stay at the cap
            grown = self.cap
        delay = min(self.cap, grown)
        self.attempts += 1
        return self._random.uniform(delay / 2, delay)

    def reset(self) -> None:
        self.attempts = 0
