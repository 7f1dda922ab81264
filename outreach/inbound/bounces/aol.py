"""AOL: bare user names (no domain) listed after an intro phrase, qualified with the
domain of the reporting system."""

from __future__ import annotations

import re

from outreach.inbound.bounces.listed import LIST_INTRO
from outreach.inbound.bounces.report import Found, Report

_BARE_USER = re.compile(r"^\s*(?P<u>[A-Za-z0-9][A-Za-z0-9._-]{0,63})\s*$")


class BareUserNames:
    def find(self, report: Report) -> Found | None:
        sender = report.facts.sender
        domain = sender.rsplit("@", 1)[-1] if "@" in sender else ""
        if not domain:
            return None
        for index, line in enumerate(report.lines):
            if LIST_INTRO.search(line):
                users = _users_after(report.lines, index, domain)
                if users:
                    return Found(report.keep(users), "user-names", False)
        return None


def _users_after(lines: list[str], index: int, domain: str) -> list[str]:
    """The user names listed under the intro at `index` (or under a line ending in ":"
    just after it), as addresses at `domain`."""
    users: list[str] = []
    start = next((j for j in range(index, min(index + 3, len(lines)))
                  if lines[j].rstrip().endswith(":")), index)
    for follow in lines[start + 1:start + 6]:
        match = _BARE_USER.match(follow)
        if match and not follow.strip().endswith(":"):
            users.append(f"{match.group('u').lower()}@{domain}")
        elif users or follow.strip():
            break
    return users
