"""Building messages with the standard library's `email` package, never by string pasting.

Names and subjects come from user data: anything that could end a header line is folded
into a space, and the SMTP policy encodes non-ASCII (RFC 2047) where it must.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from datetime import datetime
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

# Lines up to RFC 5322's hard limit: folding a long token-only header (List-Unsubscribe)
# at 78 would make Python encode it as an RFC 2047 word, which readers do not decode.
POLICY = SMTP.clone(max_line_length=998)
WRAP_AT = 72

_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00]+")
_SPACES = re.compile(r"\s+")


# A header line from data stays well inside RFC 5322's 998: a name of 5,000 characters is
# cut with an ellipsis in headers (the page and the letter keep it whole).
HEADER_TEXT_MAX = 200
_ENCODED_WORD = re.compile(r"=\?[^?\s]{1,40}\?[bBqQ]\?[^?\s]{0,2000}\?=")


def _decoded(text: str) -> str:
    """`text` with RFC 2047 encoded words decoded, as a mail reader would show it, so that
    what they hide (a line break, a second header) is cleaned like everything else."""
    for _ in range(5):  # an encoded word may decode to another one
        if not _ENCODED_WORD.search(text):
            break
        try:
            decoded = str(make_header(decode_header(text)))
        except Exception:  # undecodable: the header parser must not get a second try
            return _ENCODED_WORD.sub(lambda m: m.group(0).replace("=?", "= ?"), text)
        if decoded == text:
            break
        text = decoded
    return text.replace("=?", "= ?")


def one_line(text: str, limit: int = HEADER_TEXT_MAX) -> str:
    """`text` fit for a header: encoded words decoded, then line breaks and runs of white
    space made one space, and cut to `limit` characters with an ellipsis."""
    text = _SPACES.sub(" ", _LINE_BREAKS.sub(" ", _decoded(text))).strip()
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def wrap_text(text: str, width: int = WRAP_AT) -> str:
    """Wrap long lines of a plain-text body; URLs and indented lines are never broken."""
    lines = []
    for line in text.splitlines():
        if len(line) <= width or line[:1].isspace():
            lines.append(line)
            continue
        lines.extend(textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)
                     or [""])
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def mailbox(display_name: str, address: str) -> Address:
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain or _LINE_BREAKS.search(address) \
            or _SPACES.search(address.strip()):
        raise ValueError(f"not an email address: {address!r}")
    return Address(display_name=one_line(display_name), username=local, domain=domain)


@dataclass
class Draft:
    """Everything one outgoing message needs; `build` turns it into an EmailMessage."""

    sender: Address
    to: Address
    subject: str
    text: str
    message_id: str
    date: datetime
    html: str | None = None
    reply_to: Address | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    extra_headers: dict[str, str] = field(default_factory=dict)

    def build(self) -> EmailMessage:
        msg = EmailMessage(policy=POLICY)
        msg["From"] = self.sender
        msg["To"] = self.to
        if self.reply_to is not None:
            msg["Reply-To"] = self.reply_to
        msg["Subject"] = one_line(self.subject)
        msg["Date"] = format_datetime(self.date)
        msg["Message-ID"] = self.message_id
        if self.in_reply_to:
            msg["In-Reply-To"] = self.in_reply_to
        if self.references:
            msg["References"] = " ".join(self.references)
        for name, value in self.extra_headers.items():
            msg[name] = one_line(value, limit=990 - len(name))
        msg.set_content(wrap_text(self.text), cte="quoted-printable")
        if self.html is not None:
            msg.add_alternative(self.html, subtype="html", cte="quoted-printable")
        return msg


def to_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=POLICY)
