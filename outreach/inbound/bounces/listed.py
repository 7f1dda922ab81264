"""Addresses listed after a phrase that introduces them ("Delivery to the following
recipients failed:", "could not be delivered to", "Your message to ... was not delivered"):
Exchange, Gmail, Sendmail, GroupWise and most other servers' prose."""

from __future__ import annotations

import re

from outreach.inbound.bounces.addresses import (
    ADDRESS,
    ADDRESS_START,
    ANGLE,
    NOT_RECIPIENT_LINE,
    addresses_in,
)
from outreach.inbound.bounces.classify import HEADERISH_LINE
from outreach.inbound.bounces.report import Found, Report

# A phrase after which the failed addresses follow, on the same line or the next ones.
LIST_INTRO = re.compile(
    r"following\s+(?:e-?mail\s+)?(?:address|recipient|user|destination)(?:s|\(es\)|\(s\)|es)?"
    r"(?:\s+(?:had|failed|did|could|was|were)\b[^:\n]*)?|"
    r"failed\s+recipients?|failed\s+addresses|addresses\s+(?:had|failed)[^:\n]*|"
    r"not\s+(?:been\s+)?delivered\s+to|did\s+not\s+reach|could\s+not\s+be\s+delivered\s+to|"
    r"unable\s+to\s+deliver\s+(?:your\s+)?(?:(?:message|mail)\s*)?to|"
    r"wasn'?t\s+able\s+to\s+deliver\s+the\s+following\s+message|"
    r"delivery\s+to\s+the\s+following\s+recipients?\s+failed(?:\s+permanently)?|"
    r"invalid\s+final\s+delivery\s+userid|not\s+yet\s+been\s+delivered\s+is|"
    r"undeliverable\s+to|your\s+message\s+to|was\s+not\s+delivered\s+to|delivery\s+to\s*:|"
    r"could\s+not\s+deliver\s+(?:the\s+)?(?:message|mail)\s+to|(?:was\s+)?addressed(?:\s+to)?|"
    r"cannot\s+be\s+delivered\s+to|was\s+not\s+able\s+to\s+deliver(?:\s+to)?|"
    r"could\s+not\s+be\s+reached|message\s+for|(?:to\s+)?this\s+address|"
    r"(?:e-?mail|message)\s+to|n'a\s+pas\s+pu\s+(?:etre|être)\s+d[ée]livr[ée]\s+[àa]|"
    r"the\s+following\s+(?:user|recipient)\(?s?\)?|delivery\s+of\s+e-?mail\s+to|sent\s+mail\s+to",
    re.IGNORECASE,
)

_FIRST_ADDRESS = re.compile(rf"{ANGLE}|{ADDRESS_START}{ADDRESS}")
_GAP_WORDS = re.compile(r"\b(?:from|by|because|sender|reply|contact)\b", re.I)


class Listed:
    def find(self, report: Report) -> Found | None:
        found = _listed(report)
        return Found(found, "listed", False) if found else None


def _listed(report: Report) -> list[str]:
    """Addresses after a list intro; later intros of the same wording add to the list."""
    lines, keep = report.lines, report.keep
    found: list[str] = []
    first_intro: str | None = None
    for index, line in enumerate(lines):
        if HEADERISH_LINE.match(line) or line.lstrip().startswith(">>>"):
            continue
        intro = LIST_INTRO.search(line)
        if not intro:
            continue
        wording = " ".join(intro.group(0).lower().split())
        if first_intro is not None and wording != first_intro:
            continue
        rest = line[intro.end():]
        first = _FIRST_ADDRESS.search(rest)
        gap = rest[: first.start()] if first else ""
        block: list[str] = []
        if first and len(gap.split()) <= 3 and not _GAP_WORDS.search(gap):
            block = addresses_in(rest)
        else:
            blank = 0
            for follow in lines[index + 1:index + 14]:
                if not follow.strip():
                    blank += 1
                    if block or blank > 1:
                        break
                    continue
                if HEADERISH_LINE.match(follow):
                    if block:
                        break
                    continue
                here = addresses_in(follow)
                if here and not NOT_RECIPIENT_LINE.search(follow):
                    block.append(here[0])
                elif block:
                    break
        kept = keep(block)
        if kept:
            found.extend(kept)
            first_intro = wording
    return keep(found)

