"""Which mail system wrote a free-text report, for the `detector` name of the bounce.
The name is a label only: every report is read by the same rules."""

from __future__ import annotations

import re

from outreach.inbound.bounces.facts import Facts


def vendor_name(facts: Facts, text: str, rule: str) -> str:
    checks = (
        ("qmail", r"qmail-send\s+program|below\s+this\s+line\s+is\s+a\s+copy"),
        ("postfix", r"postfix\s+program|i'm\s+sorry\s+to\s+have\s+to\s+inform\s+you"),
        ("exim", r"mail\s+delivery\s+software"),
        ("gmail", r"delivery\s+to\s+the\s+following\s+recipient\s+failed|google"),
        ("yahoo", r"yahoo|unable\s+to\s+deliver\s+message\s+to\s+the\s+following\s+address"),
        ("aol", r"\baol\b"),
        ("sendmail", r"permanent\s+fatal\s+errors|transcript\s+of\s+session"),
        ("exchange", r"did\s+not\s+reach\s+the\s+following\s+recipient|msexch|exchange|"
                     r"outlook|office\s*365"),
        ("groupwise", r"groupwise"),
        ("lotus", r"lotus|domino"),
    )
    haystack = text + "\n" + facts.sender + "\n" + facts.sender_name
    for name, pattern in checks:
        if re.search(pattern, haystack, re.I):
            return name
    return "x-failed-recipients" if rule == "x-failed-recipients" else "text"
