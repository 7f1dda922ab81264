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
Nor does anything take more than linear time: each part is read up to `mime.MAX_TEXT`
characters, the notification up to `mime.MAX_NOTIFICATION`, and every pattern runs in
time linear in what it reads.

How it is organised (after flufl.bounce): `detect_bounce` asks the `DETECTORS` in
order, each a `Detector` reading the `Facts` of the message; the first bounce found is
the answer, and a detector that knows the message is no bounce ends the search.

- `dsn`: RFC 3464 delivery-status parts (1. above).
- `notification`: the free-text reports (2. and 3.), whose failed addresses the
  `FINDERS` look for, each in one shape of report: `qmail` ("<user@host>:" lines, also
  Postfix and Yahoo), `labelled` ("Failed recipient: ..."), `exim` (an indented list),
  `listed` (addresses after an intro phrase), `aol` (bare user names) and `mentioned`
  (the last resort: an address the report merely mentions). `vendors` names the mail
  system for `Bounce.detector`.
- `attached`: a report wrapped in a message of its own, read with the two above.
- Shared: `common` (Bounce, the Detector protocol, the walk), `facts` and `mime` (what
  is read from the message), `evidence` (what its headers say), `addresses`,
  `classify` (hard or soft, and the diagnostic line), `challenge`, `report` (the
  finders' view of a notification).
"""

from __future__ import annotations

import weakref
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
    """The delivery failure `msg` reports, or None when it is not a bounce.

    The answer for the message asked about last is kept (for as long as that message
    lives): the classifier asks twice, as `detect_auto_reply` first makes sure a message
    is no bounce, and reading a long report takes a while. Messages are not changed after
    they are loaded; one that is must be loaded again to be asked again."""
    global _last
    last = _last
    if last is not None and last[0]() is msg:
        return last[1]
    try:
        found = run(DETECTORS, msg)
    except Exception:  # pragma: no cover - a last guard: odd input must never stop the reader
        found = None
    _last = (weakref.ref(msg), found)
    return found


_last: tuple[weakref.ref[EmailMessage], Bounce | None] | None = None
