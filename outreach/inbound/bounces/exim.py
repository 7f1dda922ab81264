"""Exim: after "the following address(es) failed", each failed address indented on a line
of its own."""

from __future__ import annotations

import re

from outreach.inbound.bounces.addresses import ADDRESS, matched
from outreach.inbound.bounces.report import Found, Report

_EXIM_INTRO = re.compile(
    r"following\s+address(?:\(es\)|es)?\s+failed|could\s+not\s+be\s+delivered\s+to\s+one\s+or\s+"
    r"more|not\s+yet\s+been\s+delivered|address\s+to\s+which\s+the\s+message\s+has\s+not",
    re.I,
)
_EXIM_LINE = re.compile(rf"^\s+<?(?P<a>{ADDRESS})>?\s*(?::|$)")


class Exim:
    def find(self, report: Report) -> Found | None:
        intro = _EXIM_INTRO.search(report.text)
        if not intro:
            return None
        found = report.keep(matched(_EXIM_LINE, report.text[intro.end():].split("\n")[1:40]))
        return Found(found, "exim", True) if found else None
