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

    def is_idle(self) -> bool:
        """Full and not waited on: no different from a new bucket."""
        if self._lock.locked():
            return False
        self._refill()
        return self._tokens >= self.capacity


class DomainRates:
    """One bucket per recipient domain, created on first use.

    Idle buckets are dropped whenever the map has doubled since the last sweep, so a
    drain to many domains holds only the buckets still refilling, not one per domain
    ever seen; the sweeps cost amortized constant time per new domain.
    """

    _FIRST_SWEEP_AT = 1024

    def __init__(self, per_minute: float,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_minute / 60
        self._monotonic = monotonic
        self._buckets: dict[str, TokenBucket] = {}
        self._sweep_at = self._FIRST_SWEEP_AT

    def bucket(self, recipient: str) -> TokenBucket:
        domain = recipient.rpartition("@")[2].lower()
        found = self._buckets.get(domain)
        if found is None:
            if len(self._buckets) >= self._sweep_at:
                self._drop_idle()
            # A burst of up to ten seconds' worth, then the steady rate.
            found = TokenBucket(self.per_second, capacity=self.per_second * 10,
                                monotonic=self._monotonic)
            self._buckets[domain] = found
        return found

    def __len__(self) -> int:
        return len(self._buckets)

    def _drop_idle(self) -> None:
        self._buckets = {domain: bucket for domain, bucket in self._buckets.items()
                         if not bucket.is_idle()}
        self._sweep_at = max(self._FIRST_SWEEP_AT, 2 * len(self._buckets))
