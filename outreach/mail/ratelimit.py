"""Token buckets: a global sending rate and one per recipient domain."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class TokenBucket:
    """`rate` tokens a second, holding at most `capacity`; `acquire` waits for one."""

    def __init__(self, rate: float, capacity: float | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = max(1.0, capacity if capacity is not None else rate)
        self._tokens = self.capacity
        self._monotonic = monotonic
        self._updated = monotonic()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    async def acquire(self) -> None:
        async with self._lock:
            self._refill()
            while self._tokens < 1:
                await asyncio.sleep((1 - self._tokens) / self.rate)
                self._refill()
            self._tokens -= 1


class DomainRates:
    """One bucket per recipient domain, created on first use."""

    def __init__(self, per_minute: float) -> None:
        self.per_second = per_minute / 60
        self._buckets: dict[str, TokenBucket] = {}

    def bucket(self, recipient: str) -> TokenBucket:
        domain = recipient.rpartition("@")[2].lower()
        if domain not in self._buckets:
            # A burst of up to ten seconds' worth, then the steady rate.
            self._buckets[domain] = TokenBucket(self.per_second, capacity=self.per_second * 10)
        return self._buckets[domain]
