"""Rate limits: the per-domain map holds only the buckets still refilling."""

from __future__ import annotations

import asyncio

from outreach.mail.ratelimit import DomainRates, TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_is_idle_once_full_again() -> None:
    clock = Clock()
    bucket = TokenBucket(1.0, capacity=2.0, monotonic=clock)
    assert bucket.is_idle()
    asyncio.run(bucket.acquire())
    assert not bucket.is_idle()
    clock.now = 0.5
    assert not bucket.is_idle()
    clock.now = 1.0
    assert bucket.is_idle()


def test_the_map_of_domains_stays_bounded_when_every_recipient_has_its_own() -> None:
    clock = Clock()
    rates = DomainRates(per_minute=60, monotonic=clock)

    async def send_to_many_domains() -> None:
        for n in range(20_000):
            clock.now = n * 0.01  # 100 a second, each domain once
            await rates.bucket(f"someone@domain{n}.example").acquire()

    asyncio.run(send_to_many_domains())
    # A bucket of 1 a second and capacity 10 is full again 1 s after its one send,
    # so at most about 100 are refilling at any time; sweeps keep the map near that.
    assert len(rates) <= 2 * 1024


def test_a_busy_domain_keeps_its_bucket_through_a_sweep() -> None:
    clock = Clock()
    rates = DomainRates(per_minute=60, monotonic=clock)
    busy = rates.bucket("a@busy.example")

    async def drain_busy_then_many() -> None:
        for _ in range(10):
            await busy.acquire()
        for n in range(5_000):
            await rates.bucket(f"x@d{n}.example").acquire()

    asyncio.run(drain_busy_then_many())
    assert rates.bucket("b@BUSY.example") is busy
    assert not busy.is_idle()
