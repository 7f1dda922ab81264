"""Turning raw bytes into a message we can safely read, or a reason it cannot be."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

MAX_BYTES = 30 * 1024 * 1024
# A field name as real mailers write them (RFC 5322 allows more, but no mailer sends "<b>From").
_HEADER_LINE = re.compile(rb"^[A-Za-z0-9][A-Za-z0-9_-]*:")


class MalformedMessage(ValueError):
    """The message cannot be read; the reason is kept with it in quarantine."""


def looks_like_headers(raw: bytes) -> bool:
    """True when `raw` starts with a header block (many test samples are bare bodies)."""
    first = raw.lstrip(b" \t\r\n").split(b"\n", 1)[0]
    return bool(_HEADER_LINE.match(first)) or first.startswith(b"From ")


def load_message(raw: bytes) -> EmailMessage:
    """Parse `raw` with the modern policy; a bare body becomes a message with no headers."""
    if not raw.strip():
        raise MalformedMessage("empty message")
    if len(raw) > MAX_BYTES:
        raise MalformedMessage(f"message of {len(raw)} bytes is over the {MAX_BYTES} byte limit")
    if not looks_like_headers(raw):
        raw = b"Content-Type: text/plain; charset=utf-8\n\n" + raw
    stripped = raw.lstrip(b" \t\r\n")
    if stripped.startswith(b"From "):  # an mbox "From " line before the headers
        stripped = stripped.split(b"\n", 1)[1] if b"\n" in stripped else b""
    msg = email.message_from_bytes(stripped, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def header(msg: EmailMessage, name: str) -> str:
    """A header's value as text, or "" when it is missing or cannot be decoded."""
    try:
        value = msg.get(name)
    except (ValueError, TypeError, IndexError, AttributeError):
        raw = msg.get_all(name, failobj=[])
        return str(raw[0]) if raw else ""
    return "" if value is None else str(value)


def sender_address(msg: EmailMessage) -> str | None:
    name = header(msg, "From")
    address = parseaddr(name)[1].strip().lower()
    return address if "@" in address else None


def recipient_addresses(msg: EmailMessage) -> list[str]:
    values = [header(msg, n) for n in ("To", "Cc", "Delivered-To", "X-Original-To")]
    return [a.lower() for _, a in getaddresses([v for v in values if v]) if "@" in a]


def message_ids(value: str) -> list[str]:
    """The `<id@host>` tokens in an In-Reply-To or References header."""
    return re.findall(r"<[^<>\s]+>", value)
