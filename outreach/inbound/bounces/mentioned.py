"""The last resort, only for a report the mail system itself sent: the addresses in its
Subject, or the one or two its own lines mention, or the one on a "To:" line it repeats."""

from __future__ import annotations

import re

from outreach.inbound.bounces.addresses import NOT_RECIPIENT_LINE, addresses_in
from outreach.inbound.bounces.classify import HEADERISH_LINE, unquoted
from outreach.inbound.bounces.report import Found, Report

_TO_LINE = re.compile(r"^\s*To\s*:", re.I)


class Mentioned:
    def find(self, report: Report) -> Found | None:
        if not report.loose:
            return None
        facts, text, lines, keep = report.facts, report.text, report.lines, report.keep
        in_subject = keep(addresses_in(facts.subject))
        candidates = keep(
            address
            for line in unquoted(text).split("\n")
            if not NOT_RECIPIENT_LINE.search(line) and not HEADERISH_LINE.match(line)
            for address in addresses_in(line)
        )
        if in_subject:
            return Found(in_subject, "subject", False)
        if 0 < len(candidates) <= 2:
            return Found(candidates, "mentioned", False)
        headerish = keep(
            address for line in lines if _TO_LINE.match(line)
            for address in addresses_in(line)
        )
        return Found(headerish, "to-line", False) if len(headerish) == 1 else None
