"""A stored message in a few header lines, for people to read (history, a person's export).

Headers are hostile input like everything else in mail: each value is decoded and made one
line of bounded length before anyone sees it.
"""

from __future__ import annotations

from outreach.inbound.message import MalformedMessage, header, load_message
from outreach.mail.compose import one_line

SUMMARY_HEADERS = {"from": "From", "to": "To", "subject": "Subject", "date": "Date"}


def summary(raw: bytes | None) -> dict[str, str]:
    """From, To, Subject and Date of a raw message; empty when there is none to read (not
    composed yet, or erased)."""
    if not raw:
        return {}
    try:
        msg = load_message(raw)
    except MalformedMessage:
        return {}
    return {key: one_line(header(msg, name)) for key, name in SUMMARY_HEADERS.items()}
