"""Recognising delivery failures (bounces) and the addresses that failed.

`detect_bounce(msg)` looks at one parsed message and returns a `Bounce` when the
message is a delivery-failure report (or a delay warning), else None. It reads:

1. RFC 3464 reports: every `message/delivery-status` part (outside returned
   messages), one block per recipient. `Action: failed` (or a 5.x.x status) is a
   failure, `Action: delayed` (or a 4.x.x status) a delay; `delivered`, `relayed` and
   `expanded` blocks are success notices and never make a bounce.
2. The non-standard reports that mail servers still send: Exim, qmail, Postfix and
   Sendmail transcripts, Exchange/Office 365, GroupWise and Lotus Notes notices,
   Gmail, Yahoo, AOL, MDaemon, Smail, InterScan and the like. These are read from the
   notification text only (the part before the returned copy of the message), with
   patterns for the places those servers put the failed address, and only when the
   headers or the wording say the message is a delivery report. Quoted lines ("> ")
   never count as wording, so a person who quotes or forwards a bounce is not one.
3. `X-Failed-Recipients` (Exim, Gmail) when nothing better names the addresses.

Hard or soft (the corpus README's classes): delays, 4.x.x codes, full mailboxes and
quotas (5.2.2 too), and expired or timed-out deliveries are soft. Unknown users and
domains, disabled or closed mailboxes, relaying refused (the domain is not served
there), mail loops, the 5.1.x, 5.2.1 and 5.4.4 codes, and any other permanent failure
(a specific 5.x.x code, "permanent error", "failed permanently") are hard. Spam, policy,
content and size rejections (and 5.3.x, 5.6.x, 5.7.x) leave `bounce_type` None, as do
failures that say nothing about why (5.0.0 alone, "delivery failed"): the address may
well work, and the corpus calls these unknown bounces. Some sources call every
permanent failure hard, full mailboxes included; that is where the figures differ.

Challenge-response systems ("sender not pre-approved", "please confirm you are a
human", whitelists) sometimes dress their challenge as a DSN: those are not bounces
(the address works; the person has to click), and `detect_auto_reply` reports them.

Nothing here raises on odd input: broken MIME, unknown charsets and header values that
do not parse are read as far as they can be, and whatever cannot be read is ignored.
"""

from __future__ import annotations

from email.message import EmailMessage

from outreach.inbound.bounces.attached import AttachedReport
from outreach.inbound.bounces.challenge import is_challenge_text
from outreach.inbound.bounces.common import Bounce, BounceType, Detector, run
from outreach.inbound.bounces.dsn import DeliveryStatus, is_challenge_report
from outreach.inbound.bounces.notification import Notification

__all__ = [
    "DETECTORS", "Bounce", "BounceType", "Detector", "detect_bounce", "is_challenge_report",
    "is_challenge_text",
]

# What an attached (wrapped) report is read with: no deeper wrapping.
_REPORT_DETECTORS: tuple[Detector, ...] = (DeliveryStatus(), Notification())
# Asked in order; the first bounce found (or the first "not a bounce") is the answer.
DETECTORS: tuple[Detector, ...] = (*_REPORT_DETECTORS, AttachedReport(_REPORT_DETECTORS))


def detect_bounce(msg: EmailMessage) -> Bounce | None:
    """The delivery failure `msg` reports, or None when it is not a bounce."""
    try:
        return run(DETECTORS, msg)
    except Exception:  # pragma: no cover - a last guard: odd input must never stop the reader
        return None
