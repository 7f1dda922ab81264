"""The notification text of a free-text report as the address finders see it, and the
protocol they follow: each looks for the failed addresses in one shape of report."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from outreach.inbound.bounces.addresses import ADDRESS, ADDRESS_START, unique
from outreach.inbound.bounces.facts import Facts

# Postfix names the alias a message was sent to: "<final@host> (expanded from <alias@host>)".
_EXPANDED = re.compile(
    rf"{ADDRESS_START}(?P<final>{ADDRESS})>?\s*\(expanded\s+from:?\s*<?(?P<orig>{ADDRESS})>?\s*\)",
    re.I,
)


@dataclass
class Found:
    addresses: list[str]
    rule: str
    structural: bool  # found by a pattern only delivery reports use


@dataclass
class Report:
    """A report's own words. `loose` (the mail system itself sent it) also lets addresses
    that are merely mentioned in the report, or in its Subject, count."""

    facts: Facts
    loose: bool
    text: str = field(init=False)
    lines: list[str] = field(init=False)
    expanded: dict[str, str] = field(init=False)  # final address -> the alias it came from

    def __post_init__(self) -> None:
        self.text = self.facts.notification
        self.lines = self.text.split("\n")
        self.expanded = {
            m.group("final").lower(): m.group("orig").lower()
            for m in _EXPANDED.finditer(self.text)
        } if "expanded from" in self.text.lower() else {}

    def keep(self, addresses: Iterable[str]) -> list[str]:
        """`addresses` as sent (aliases, not their expansion), once each, without ours
        and the report's sender."""
        kept = [self.expanded.get(a, a) for a in addresses]
        return [a for a in unique(kept) if a not in self.facts.own and a != self.facts.sender]


class Finder(Protocol):
    """One shape of report: the addresses it names, or None when the shape is not there
    (and the next finder is asked)."""

    def find(self, report: Report) -> Found | None: ...
