"""Building messages with the standard library's `email` package, never by string pasting.

Names and subjects come from user data: anything that could end a header line is folded
into a space, and the SMTP policy encodes non-ASCII (RFC 2047) where it must.
"""

from __future__ import annotations

import binascii
import re
import secrets
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from typing import Any

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
        lines.extend(_wrapped(line, width))
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def _wrapped(line: str, width: int) -> list[str]:
    """One long line wrapped as `textwrap.wrap` wraps it (no long word broken, none at its
    hyphens). `textwrap` was a quarter of composing an ask; a line of words each shorter
    than `width`, one space apart, is wrapped here directly, with the same result
    (`tests/mail/test_compose.py` holds the two to it)."""
    words = line.split(" ")
    if words != line.split() or max(map(len, words)) > width:
        return textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False) \
            or [""]
    lines, current = [], words[0]
    for word in words[1:]:
        if len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines


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

    def headers(self) -> list[tuple[str, str | Address]]:
        """The header fields in order, their values cleaned (`build` and `as_bytes` write
        the same ones)."""
        fields: list[tuple[str, str | Address]] = [("From", self.sender), ("To", self.to)]
        if self.reply_to is not None:
            fields.append(("Reply-To", self.reply_to))
        fields += [("Subject", one_line(self.subject)), ("Date", format_datetime(self.date)),
                   ("Message-ID", self.message_id)]
        if self.in_reply_to:
            fields.append(("In-Reply-To", self.in_reply_to))
        if self.references:
            fields.append(("References", " ".join(self.references)))
        fields += [(name, one_line(value, limit=990 - len(name)))
                   for name, value in self.extra_headers.items()]
        return fields

    def build(self) -> EmailMessage:
        msg = EmailMessage(policy=POLICY)
        for name, value in self.headers():
            msg[name] = value
        msg.set_content(wrap_text(self.text), cte="quoted-printable")
        if self.html is not None:
            msg.add_alternative(self.html, subtype="html", cte="quoted-printable")
        return msg

    def as_bytes(self) -> bytes:
        """The same message as `to_bytes(self.build())`, written directly: the `email`
        package spends milliseconds on one message (it parses every header it is given
        and the Content-Type it sets itself), and a drain writes thousands. The values are
        cleaned the same way (`one_line`, `mailbox`); a header that is not ASCII is folded
        by the `email` package itself, the parts are encoded with `binascii.b2a_qp`.
        `tests/mail/test_compose.py` holds it to parsing back the same as `build`."""
        head = [_address(name, value) if isinstance(value, Address) else _header(name, value)
                for name, value in self.headers()]
        head.append(b"MIME-Version: 1.0")
        text = _text_part("plain", wrap_text(self.text))
        if self.html is None:
            return _crlf(b"\n".join([*head, *text]))
        boundary = f"=_{secrets.token_hex(16)}".encode("ascii")  # "=_" never occurs in QP
        head.append(b'Content-Type: multipart/alternative; boundary="' + boundary + b'"')
        lines = [*head, b"", b"--" + boundary, *text, b"--" + boundary,
                 *_text_part("html", self.html), b"--" + boundary + b"--", b""]
        return _crlf(b"\n".join(lines))


def _crlf(message: bytes) -> bytes:
    """Every line ended with CRLF, as SMTP sends it (b2a_qp keeps a CRLF it is given)."""
    return message.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _header(name: str, value: str) -> bytes:
    """One header line; a line break in the value is refused, as the `email` package
    refuses it."""
    if _LINE_BREAKS.search(value):
        raise ValueError(f"the {name} header may not hold a line break: {value!r}")
    if value.isascii():
        return f"{name}: {value}".encode("ascii")
    return _folded(name, value)


def _address(name: str, address: Address) -> bytes:
    """A mailbox header: the display name quoted where RFC 5322 wants it."""
    display, spec = address.display_name, address.addr_spec
    if not display:
        return f"{name}: {spec}".encode("ascii")
    if display.isascii():
        return f"{name}: {formataddr((display, spec))}".encode("ascii")
    return _folded(name, str(address))


def _folded(name: str, value: str) -> bytes:
    """A header that must be encoded (RFC 2047), as the `email` package writes it: the slow
    path, taken only for the values that are not ASCII."""
    folded: str = POLICY.header_factory(name, value).fold(policy=POLICY)
    return folded.rstrip("\r\n").encode("ascii")


def _text_part(subtype: str, text: str) -> list[bytes]:
    """A text part's header lines, the empty line and its quoted-printable body (the body
    ends its lines as the `email` package does: every line ended, one at the end added)."""
    body = b"\n".join(text.encode("utf-8").splitlines()) + b"\n"
    return [f'Content-Type: text/{subtype}; charset="utf-8"'.encode("ascii"),
            b"Content-Transfer-Encoding: quoted-printable", b"",
            binascii.b2a_qp(body, istext=True)]


def to_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=POLICY)


@dataclass(frozen=True)
class Deferred:
    """A message whose bytes are written later, maybe in another process: everything the
    writing needs was read when the row was claimed (the draft link among it), so where and
    when `make` runs changes nothing in what is sent. `function` is a module-level function
    and `argument` plain data, so that both pickle."""

    function: Callable[[Any], bytes]
    argument: Any

    def make(self) -> bytes:
        return self.function(self.argument)


def make_all(deferred: Sequence[Deferred]) -> list[bytes | str]:
    """Each message's bytes, or why it could not be written (as text: an exception of a
    template may not pickle back to the process that asked)."""
    made: list[bytes | str] = []
    for item in deferred:
        try:
            made.append(item.make())
        except Exception as exc:  # a broken template fails its message, not the page
            made.append(repr(exc))
    return made
