"""What the bounce detectors share: the result, the verdict that ends the search, the
protocol every detector follows, and the walk over an ordered list of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Final, Literal, Protocol

from outreach.inbound.bounces.facts import Facts

BounceType = Literal["hard", "soft"]


@dataclass(frozen=True)
class Bounce:
    failed_recipients: tuple[str, ...]  # lower-cased addr-specs, in order found, no duplicates
    bounce_type: BounceType | None  # None when the class is not established
    status: str | None  # enhanced status code such as "5.1.1", when known
    diagnostic: str | None  # the remote server's words, shortened, when known
    detector: str  # which rule found it


class NotABounce:
    """The verdict of a detector that knows the message is no bounce (a report of
    successful delivery, a challenge dressed as a report): no later detector is asked."""

    __slots__ = ()


NOT_A_BOUNCE: Final = NotABounce()

Verdict = Bounce | NotABounce | None  # None: no opinion, ask the next detector


class Detector(Protocol):
    """One way of reading a delivery report."""

    def detect(self, facts: Facts) -> Verdict: ...


def run(detectors: Sequence[Detector], msg: EmailMessage) -> Bounce | None:
    """The first verdict of `detectors`, in order, on `msg`."""
    facts = Facts(msg)
    for detector in detectors:
        verdict = detector.detect(facts)
        if isinstance(verdict, NotABounce):
            return None
        if verdict is not None:
            return verdict
    return None
