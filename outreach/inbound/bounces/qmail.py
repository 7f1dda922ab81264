"""qmail's shape, which Postfix, Yahoo, Sina and others copy: the failed address in angle
brackets at the start of a line, then a colon ("<user@host>:", Postfix adding
"(expanded from <alias@host>)")."""

from __future__ import annotations

import re

from outreach.inbound.bounces.addresses import ANGLE, matched
from outreach.inbound.bounces.report import Found, Report

_ANGLE_COLON = re.compile(rf"^\s*{ANGLE}(?:\s*\(expanded\s+from\b[^)]*\))?\s*:", re.I)


class AngleColon:
    def find(self, report: Report) -> Found | None:
        found = report.keep(matched(_ANGLE_COLON, report.lines, lenient=True))
        return Found(found, "angle", True) if found else None
