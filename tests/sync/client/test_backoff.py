"""sync.client.backoff: exponential delays with full jitter, capped, and a reset."""

from __future__ import annotations

import random

import pytest

from sync.client.backoff import Backoff


class _Extremes:
    """A stand-in for SystemRandom that always draws the low or the high end."""

    def __init__(self, high: bool) -> None:
        self.high = high
        self.calls: list[tuple[float, float]] = []

    def uniform(self, low: float, high: float) -> float:
        self.calls.append((low, high))
        return high if self.high else low


def test_delays_grow_by_the_factor_until_the_cap() -> None:
    backoff = Backoff(base=0.5, factor=3.0, cap=10.0)
    backoff._random = _Extremes(high=True)  # type: ignore[assignment]
    delays = [backoff.next_delay() for _ in range(5)]
    assert delays == [0.5, 1.5, 4.5, 10.0, 10.0]
    assert backoff.attempts == 5


def test_each_delay_is_drawn_from_half_to_the_full_delay() -> None:
    backoff = Backoff(base=1.0, factor=2.0, cap=5.0)
    fake = _Extremes(high=False)
    backoff._random = fake  # type: ignore[assignment]
    delays = [backoff.next_delay() for _ in range(4)]
    assert fake.calls == [(0.5, 1.0), (1.0, 2.0), (2.0, 4.0), (2.5, 5.0)]
    assert delays == [0.5, 1.0, 2.0, 2.5]


def test_real_jitter_stays_within_bounds_and_varies() -> None:
    backoff = Backoff(base=2.0, factor=2.0, cap=8.0)
    seen = []
    for attempt in range(40):
        expected = min(8.0, 2.0 * 2.0**attempt)
        delay = backoff.next_delay()
        assert expected / 2 <= delay <= expected
        seen.append(delay)
    # capped draws lie in [4, 8]: forty of them equal would mean no jitter at all
    assert len(set(seen[3:])) > 1


def test_defaults_start_small_and_never_exceed_thirty_seconds() -> None:
    backoff = Backoff()
    assert backoff.next_delay() <= 0.25
    for _ in range(60):  # far past the cap; factor**attempts must not overflow into trouble
        assert 0 < backoff.next_delay() <= 30.0


def test_reset_starts_over_from_the_base_delay() -> None:
    backoff = Backoff(base=1.0, factor=2.0, cap=100.0)
    backoff._random = _Extremes(high=True)  # type: ignore[assignment]
    for _ in range(4):
        backoff.next_delay()
    assert backoff.next_delay() == pytest.approx(16.0)
    backoff.reset()
    assert backoff.attempts == 0
    assert backoff.next_delay() == pytest.approx(1.0)


def test_a_day_offline_stays_at_the_cap_instead_of_overflowing() -> None:
    # The desktop's sync thread retries every ~cap seconds for as long as it is offline; the
    # 1024th failure in a row used to raise OverflowError (2.0**1024) and kill the thread.
    backoff = Backoff(cap=120.0)
    for _ in range(1100):
        delay = backoff.next_delay()
    assert 60.0 <= delay <= 120.0
    assert backoff.attempts == 1100


def test_backoff_grows_with_jitter_and_caps() -> None:
    backoff = Backoff(base=1.0, factor=2.0, cap=8.0)
    backoff._random = random.Random(1)  # type: ignore[assignment]
    delays = [backoff.next_delay() for _ in range(6)]
    for n, delay in enumerate(delays):
        ceiling = min(8.0, 2.0**n)
        assert ceiling / 2 <= delay <= ceiling
    backoff.reset()
    assert backoff.next_delay() <= 1.0
