"""Reading a report's MIME structure: its parts, and the text of the report itself (the
notification), without the returned copy of the original message. A part declared
multipart that cannot be split (no boundary parameter, as when a mailer forgets to fold
the Content-Type header) is read as the text it is."""

from __future__ import annotations

import re
from email.message import Message

from outreach.inbound.text import decode_part, html_to_text

_ORIGINAL_MESSAGE_TYPES = frozenset({
    "message/rfc822", "message/rfc822-headers", "text/rfc822-headers", "message/partial",
    "message/global", "message/global-headers", "message/external-body",
})
DSN_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})


MAX_TEXT = 200_000  # characters of one part that are read at all
MAX_HTML = 64 * 1024  # of an HTML part's source: a report's own words come early
MAX_NOTIFICATION = 20_000  # a report's own words are short; a long text is not one
MAX_PARTS = 200  # a report has a handful of parts; do not wander through huge archives

def parts_of(msg: Message) -> list[tuple[Message, str]]:
    """Every part with its content type, depth first, without going into returned
    (attached) messages. Content types are parsed once here: that is the slow part."""
    found: list[tuple[Message, str]] = []
    stack = [msg]
    while stack and len(found) < MAX_PARTS:
        part = stack.pop()
        content_type = part.get_content_type()
        found.append((part, content_type))
        if content_type in _ORIGINAL_MESSAGE_TYPES or content_type in DSN_TYPES:
            continue
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend(c for c in reversed(payload) if isinstance(c, Message))
    return found


def part_text(part: Message, content_type: str) -> str:
    try:
        text = decode_part(part)[:MAX_TEXT]
    except Exception:  # a part the email package cannot decode: read nothing from it
        return ""
    if content_type == "text/html":
        try:
            text = html_to_text(text[:MAX_HTML])
        except Exception:
            return ""
    return text.replace("\r\n", "\n").replace("\r", "\n")


# A line where the returned copy of the original message (or its headers) starts: its
# words, after the quote marks, rules and spaces in front of them (`_LEAD`); some only
# after a rule of dashes ("-----Original Message-----") or stars ("*** End of message").
# (One pattern that let a run of dashes be either lead or rule took cubic time.)
_LEAD = re.compile(r"[\s|>*=_-]*+")
_ORIGINAL_STARTS = re.compile(
    r"""(?:this\s+is\s+a\s+|here\s+is\s+a\s+)?copy\s+of\s+(?:the\s+|your\s+)?
            (?:original\s+|first\s+part\s+of\s+the\s+)?message
      | below\s+this\s+line\s+is\s+a\s+copy
      | begin\s+forwarded\s+message
      | on\s.{0,200}\swrote:\s*$
      | original\s+message\s+(?:follows|as\s+received|attached|header)
      | the\s+original\s+message\s+(?:follows|was|is\s+attached|headers?)
      | (?:start\s+of\s+)?returned\s+(?:message|mail)
      | message\s+(?:header|headers|text)\s+follows?
      | undelivered\s+message\s+(?:headers\s+)?follows
      | header\s+of\s+the\s+source\s+mail
      | (?:the\s+)?headers?\s+(?:of|from)\s+(?:the\s+|your\s+)?
            (?:original|returned|rejected)\s+message
      | your\s+message\s+reads
      | included\s+is\s+a\s+copy
      | original\s+message\s+headers""",
    re.IGNORECASE | re.VERBOSE,
)
_AFTER_DASHES = re.compile(r"original\s+message|forwarded\s+message|the\s+header", re.I)
_AFTER_STARS = re.compile(r"end\s+of\s+message", re.I)
_EMBEDDED_HEADER = re.compile(
    r"^From \S+\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s|"  # the next message of an mbox file
    r"^>?\s?(?:Received|Return-Path|X-Original-To|Delivered-To)\s*:|"
    r"^\s*Content-Type:\s*(?:message/rfc822|text/rfc822-headers|message/delivery-status)",
    re.I,
)


def _starts_original(line: str) -> bool:
    lead = _LEAD.match(line)
    assert lead is not None  # it matches the empty string
    words = lead.end()
    if _ORIGINAL_STARTS.match(line, words):
        return True
    rule = line[:words].rstrip()[-1:]
    return (rule == "-" and bool(_AFTER_DASHES.match(line, words))) or (
        rule == "*" and bool(_AFTER_STARS.match(line, words)))


def cut_original(text: str) -> str:
    """The notification part of a report: everything before the returned message."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if index and (_starts_original(line) or _EMBEDDED_HEADER.match(line)):
            return "\n".join(lines[:index])
    return text


def notification_text(parts: list[tuple[Message, str]]) -> str:
    """The text of the report parts (not the returned message), HTML made text."""
    texts: list[str] = []
    html: list[str] = []
    for part, content_type in parts:
        if part.is_multipart():
            continue
        if content_type.startswith("multipart/"):
            # Declared multipart, but its parts cannot be split (no boundary parameter, or
            # a boundary that never occurs): its body is all there is to read.
            text = unsplit_text(part)
            if text.strip():
                texts.append(text)
            continue
        if content_type in _ORIGINAL_MESSAGE_TYPES or content_type in DSN_TYPES:
            # A report's notification comes before the returned message; stop there.
            if texts or html:
                break
            continue
        if content_type == "text/plain" or (
            content_type == "text/html" and not texts
        ) or (content_type.startswith("text/") and content_type not in (
            "text/html", "text/plain", "text/rfc822-headers", "text/calendar"
        )):
            text = part_text(part, content_type)
            if not text.strip():
                continue
            if looks_like_message(text) and (texts or html):
                break  # an attached original sent as text
            (html if content_type == "text/html" else texts).append(text)
    chosen = texts or html
    return "\n".join(cut_original(text) for text in chosen)[:MAX_NOTIFICATION]


_HEADER_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:\s")
# What a multipart body that was not split still carries of its MIME structure: boundary
# lines and the header lines of its parts.
_MIME_LINE = re.compile(r"^(?:--[^\s]{6,}|content-[a-z-]+:.*|\s+[a-z-]+=.*)$", re.I)


def unsplit_text(part: Message) -> str:
    """The text of a multipart body that the parser could not split into parts, without
    its boundary lines and part headers."""
    text = part_text(part, "text/plain")
    return "\n".join(line for line in text.split("\n") if not _MIME_LINE.match(line))


def looks_like_message(text: str) -> bool:
    lines = [line for line in text.lstrip().split("\n")[:6] if line.strip()]
    return len(lines) >= 3 and sum(bool(_HEADER_LINE.match(line)) for line in lines) >= 3
