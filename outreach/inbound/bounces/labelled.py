"""Reports that label the failed address ("Failed recipient: a@b", "Intended recipient:",
"Final-Recipient: rfc822; a@b" in the text, ...): Exchange, Lotus Notes, MDaemon,
InterScan and many small servers."""

from __future__ import annotations

import re

from outreach.inbound.bounces.addresses import ADDRESS, matched
from outreach.inbound.bounces.report import Found, Report

# "Label: address" lines that only reports write.
_LABELLED = re.compile(
    rf"^\W*+(?:error-for|failed\s+recipient|intended\s+recipient|undeliverable\s+address|"
    rf"unknown\s+(?:user|recipient)|user\s+unknown|invalid\s+recipient|bad\s+address|"
    rf"delivery\s+failed(?:\s+\d+\s+attempts)?|final-recipient|original-recipient|"
    rf"recipient\s+address|failed\s+address|address\s+failed|to\s+address|"
    rf"user(?:'s)?\s+mailbox\s+is\s+full)\s*:\s*(?:rfc822\s*;\s*)?<?(?P<a>{ADDRESS})>?",
    re.I,
)


class Labelled:
    def find(self, report: Report) -> Found | None:
        found = report.keep(matched(_LABELLED, report.lines))
        return Found(found, "labelled", True) if found else None
