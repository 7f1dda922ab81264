"""The door: every stored message is sorted by the address it was sent to, before any
feature reads it.

An ordered, declarative table of `Route`s maps an address shape to the name of the one
handler that owns such mail. Features contribute their routes (see `outreach.features`);
the table is walked in order and the first route that claims any of the message's
envelope or header recipients wins. The route is decided once, when the message is
stored, and kept on its row, so each handler (and each worker) takes only its own rows.
A message that no route claims goes to `UNROUTED`, whose handler puts it in front of an
organizer with the addresses it was sent to.

Like Mailman 3's LMTP runner (`SUBADDRESS_QUEUES`), this looks only at addresses: what a
message says is for the handler to read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses

from outreach.inbound.message import header

UNROUTED = "unrouted"

# The recipients a message was delivered for, most trustworthy first: the delivery agent's
# own envelope headers, then what the sender wrote.
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc")
# A crafted message may list thousands of recipients; real mail to us names a few.
MAX_ADDRESSES = 50


@dataclass(frozen=True)
class Route:
    """One row of the door's table: mail to an address of this shape goes to `handler`."""

    handler: str
    claims: Callable[[str], bool]
    shape: str  # for people: "reply+<token>@example.org"


@dataclass(frozen=True)
class Routed:
    handler: str
    address: str | None  # the address that decided it; None when unrouted


def split_address(address: str) -> tuple[str, str, str]:
    """`local+tag@domain` as (local, tag, domain), lower-cased; tag "" when there is none."""
    local, _, domain = address.strip().strip("<>").lower().rpartition("@")
    base, _, tag = local.partition("+")
    return base, tag, domain


def tagged(local_part: str, domain: str) -> Callable[[str], bool]:
    """Claims `local_part+anything@domain` (the tag is checked by the handler, not here)."""
    local_part, domain = local_part.lower(), domain.lower()

    def claims(address: str) -> bool:
        base, tag, at = split_address(address)
        return base == local_part and bool(tag) and at == domain

    return claims


def exactly(addresses: Iterable[str]) -> Callable[[str], bool]:
    """Claims these addresses, untagged (case-insensitive)."""
    wanted = frozenset(a.strip().lower() for a in addresses)

    def claims(address: str) -> bool:
        base, tag, domain = split_address(address)
        return not tag and f"{base}@{domain}" in wanted

    return claims


def recipients(msg: EmailMessage) -> list[str]:
    """The addresses `msg` was delivered for, in `RECIPIENT_HEADERS` order, each once."""
    found: dict[str, None] = {}
    for name in RECIPIENT_HEADERS:
        values = [header(msg, name)]
        for _, address in getaddresses([v for v in values if v]):
            if "@" in address:
                found.setdefault(address.strip().lower(), None)
            if len(found) >= MAX_ADDRESSES:
                return list(found)
    return list(found)


class Door:
    """The ordered route table; `route` names the handler of one message."""

    def __init__(self, routes: Sequence[Route]) -> None:
        names = [r.handler for r in routes]
        if UNROUTED in names:
            raise ValueError(f"{UNROUTED!r} is the door's own fallback, not a route")
        self.routes = tuple(routes)

    def route(self, msg: EmailMessage) -> Routed:
        addresses = recipients(msg)
        for route in self.routes:
            for address in addresses:
                if route.claims(address):
                    return Routed(route.handler, address)
        return Routed(UNROUTED, None)

    def describe(self) -> list[tuple[str, str]]:
        """The table as (address shape, handler) rows, in order, ending with the fallback."""
        return [(r.shape, r.handler) for r in self.routes] + [("anything else", UNROUTED)]
