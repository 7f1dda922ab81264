"""Every real yes of the blind sets, followed by a sentence that makes it wait or takes it
back, is no sign-on (`bench/doubts.py` prints the same figures over every yes)."""

from __future__ import annotations

from tests.helpers import bench_module


def test_a_yes_followed_by_a_doubt_is_never_a_sign_on() -> None:
    report, failures = bench_module("doubts").probe(every=6)
    assert report["probes"] > 5000
    assert report["still_sign_on"] == 0, failures[:20]
    assert report["denied_stop_probes"] > 1000
    assert report["read_as_stop"] == 0, failures[:20]
