"""Turning raw bytes into a message we can safely read, or a reason it cannot be.

Reading a message must take time linear in its size, whatever a sender puts in it. The
email package's header parsers do not: the structured ones (addresses, Content-Type)
take quadratic time on hostile values, and every header is parsed again each time it is
read. So the policy `load_message` uses bounds that work: a header value is parsed from
its first `MAX_HEADER_CHARS` only, a structured value longer than `MAX_STRUCTURED_CHARS`
is parsed as plain text (its addresses are still read from that text), recent parses are
remembered, and a header block of more than `MAX_HEADER_FIELDS` fields is cut there.
Real mail stays far inside all three.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import re
from email.header import decode_header, make_header
from email.headerregistry import AddressHeader, BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.utils import formataddr, getaddresses, parseaddr
from functools import lru_cache

MAX_BYTES = 30 * 1024 * 1024
MAX_HEADER_FIELDS = 1_000  # of the message's own header; real mail has well under a hundred
MAX_HEADER_CHARS = 16 * 1024  # of one header value that is parsed at all
MAX_STRUCTURED_CHARS = 512  # a longer address or MIME header value is read as plain text
# A field name as real mailers write them (RFC 5322 allows more, but no mailer sends "<b>From").
_HEADER_LINE = re.compile(rb"^[A-Za-z0-9][A-Za-z0-9_-]*:")
# One header field (a line with a name, then its continuation lines), as the email
# package's parser takes it.
_FIELD = rb"[\041-\071\073-\176]*:[^\n]*(?:\n|\Z)(?:[ \t][^\n]*(?:\n|\Z))*"
_FIRST_FIELDS = re.compile(rb"(?:%s){%d}" % (_FIELD, MAX_HEADER_FIELDS))
_MORE_FIELDS = re.compile(rb"(?:%s|[ \t][^\n]*(?:\n|\Z))*" % _FIELD)
_LINE_BREAKS = re.compile(r"[\r\n]+")


class MalformedMessage(ValueError):
    """The message cannot be read; the reason is kept with it in quarantine."""


class _BoundedHeaders(HeaderRegistry):
    """The default header classes, with the cost of parsing one value bounded."""

    def __call__(self, name: str, value: str) -> BaseHeader:
        return _parse_header(self, name, value[:MAX_HEADER_CHARS])


@lru_cache(maxsize=64)  # the headers of the message being read are asked for again and again
def _parse_header(registry: _BoundedHeaders, name: str, value: str) -> BaseHeader:
    cls = registry.registry.get(name.lower(), registry.default_class)
    if len(value) > MAX_STRUCTURED_CHARS and not issubclass(cls, UnstructuredHeader):
        return registry["X-Unstructured"](name, value)
    try:
        return registry[name](name, value)
    except ValueError:
        if not issubclass(cls, AddressHeader):
            raise
        # An encoded word that decodes to a line break inside an address ("=?utf-8?q?Ana
        # =0D=0ABcc=3A_x?= <ana@…>"): each display name decoded, the break made a space,
        # and quoted again, so the addresses are read as the sender wrote them.
        flattened = _flattened_addresses(value)
        try:
            return registry[name](name, flattened)
        except ValueError:
            return registry["X-Unstructured"](name, flattened.replace("=?", "= ?"))


def _flattened_addresses(value: str) -> str:
    mailboxes = []
    for display_name, address in getaddresses([value]):
        with contextlib.suppress(Exception):  # undecodable: kept as it came
            display_name = str(make_header(decode_header(display_name)))
        mailboxes.append(formataddr((_LINE_BREAKS.sub(" ", display_name).strip(), address)))
    return ", ".join(mailboxes)


POLICY = email.policy.default.clone(header_factory=_BoundedHeaders())


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
    msg = email.message_from_bytes(_cap_fields(stripped), policy=POLICY)
    assert isinstance(msg, EmailMessage)
    return msg


def _cap_fields(raw: bytes) -> bytes:
    """`raw` without the header fields past the first `MAX_HEADER_FIELDS`."""
    first = _FIRST_FIELDS.match(raw)
    if first is None:
        return raw
    more = _MORE_FIELDS.match(raw, first.end())
    if more is None or more.end() == first.end():
        return raw
    return raw[: first.end()] + raw[more.end():]


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
