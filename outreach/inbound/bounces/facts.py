"""What the detectors read from one message, each piece when it is first asked for."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from functools import cached_property

from outreach.inbound.bounces.evidence import Evidence, read_evidence
from outreach.inbound.bounces.mime import notification_text, parts_of
from outreach.inbound.message import header


class Facts:
    """What the detectors read from one message; the text only when it is asked for."""

    def __init__(self, msg: EmailMessage) -> None:
        name, address = parseaddr(header(msg, "From"))
        self.msg = msg
        self.parts = parts_of(msg)  # the parts (not inside returned messages), with their types
        self.sender = address.strip().lower()  # the From address ("" when none)
        self.sender_name = name.strip().lower()
        self.subject = " ".join(header(msg, "Subject").split())
        self.own = own_addresses(msg)  # addresses of the receiving side (us)
        keys = [k.lower() for k in msg]
        self.has_headers = any(k != "content-type" for k in keys)

    @cached_property
    def notification(self) -> str:
        """The report's own words, before any returned message."""
        return notification_text(self.parts)

    @cached_property
    def evidence(self) -> Evidence:
        """What the headers and the MIME structure say."""
        return read_evidence(self.msg, self.sender, self.sender_name, self.subject, self.parts)


def own_addresses(msg: EmailMessage) -> frozenset[str]:
    values = [header(msg, name) for name in
              ("To", "Cc", "Delivered-To", "Return-Path")]
    found = set()
    for _, address in getaddresses([v for v in values if v]):
        if "@" in address:
            found.add(address.strip().lower())
    return frozenset(found)
