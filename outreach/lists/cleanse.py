"""Making a post fit to be resent to every member, as Mailman's cleanse and cook-headers do.

A post is prepared once and copied per member. `prepare_post` reads it once: it drops the
headers that belong to its trip to the list (Received, Bcc, DKIM signatures, approval
passwords, another list's headers...), strips the parts of types the list does not take,
puts the list's prefix in front of the Subject once, rewrites From to the list's address
when the poster's domain would make the copies fail DMARC, and adds the list's own
headers. What it keeps of the post's content is written back as it came (line endings made
CRLF), so a signed part stays valid. The result holds bytes: a copy for one member is the
post's header block, that member's List-Unsubscribe lines and the content with that
member's footer, joined (`PreparedPost.copy_for`), with no parse and no `email` package
serializing per member.

Every header value taken from the post goes through `one_line` before it is written (a
Subject or display name hiding a line break in an encoded word becomes one line), or, for
message ids, through a pattern that lets through nothing else; header values are read
from at most `MAX_HEADER_CHARS` characters, so that a hostile post costs time linear in
its size. Only the post's own Content-* fields go as they came, field by field as the
parser split them, into the part that carries its content, below the copy's header.
"""

from __future__ import annotations

import binascii
import codecs
import hashlib
import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr
from urllib.parse import quote

from outreach.inbound.message import MAX_HEADER_CHARS, load_message
from outreach.lists.config import ListConfig
from outreach.lists.notices import list_headers
from outreach.mail.compose import POLICY, mailbox, one_line

# As `outreach.mail.compose.to_bytes` writes messages (the SMTP policy): CRLF throughout.
CRLF = b"\r\n"
_LINE_ENDS = re.compile(rb"\r\n|\r|\n")
_TEXT_LINE_ENDS = re.compile(r"\r\n|\r|\n")

# Headers of the post's trip to the list, or that would act again on the way out (a
# second list's loop check, a read receipt to every member, a moderator's password).
DROPPED = frozenset({
    "bcc", "received", "return-path", "delivered-to", "x-original-to", "envelope-to",
    "x-envelope-to", "original-recipient", "dkim-signature", "domainkey-signature",
    "authentication-results", "received-spf", "approved", "approve", "x-approved",
    "x-approve", "urgent", "sender", "errors-to", "return-receipt-to",
    "disposition-notification-to", "x-confirm-reading-to", "x-pmrqc", "precedence",
    "x-beenthere",
})
DROPPED_PREFIXES = ("arc-", "list-", "x-mailman-", "resent-")
# Headers written from what is read of them (or replaced by the list's own).
REWRITTEN = frozenset({
    "from", "reply-to", "to", "cc", "subject", "date", "message-id", "in-reply-to",
    "references", "mime-version",
})
# Other headers kept, at most (real mail has a few dozen in all, most of them Received).
MAX_OTHER_HEADERS = 100
# Addresses kept in To or in Cc: a reply to all must not write to thousands.
MAX_ADDRESSES = 100
# References kept: the thread's first message and the latest ones.
MAX_REFERENCES = 30
# MIME parts nested deeper than this are dropped (real mail nests a few levels).
MAX_DEPTH = 20
_HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,75}$")
_MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>")
_REPLY_MARKS = re.compile(r"(?:\s*(?:re|aw|sv|vs|antw)\s*(?:\[\d{1,9}\])?\s*:)+\s*", re.I)
_SPACES = re.compile(r"\s+")
# Charsets whose decoders take more than linear time on crafted input.
_SLOW_CODECS = frozenset({"punycode", "idna"})
FOOTER_RULE = "_" * 47
NO_SUBJECT = "(no subject)"
REMOVED_NOTE = "[The list removed this post's content: it takes no parts of its types.]\n"
_REGISTRY = HeaderRegistry()
_UNSTRUCTURED = _REGISTRY["X-Unstructured"]
# Printable ASCII and the space: what a URI list header may hold as it is.
_URI_SAFE = "".join(chr(c) for c in range(0x20, 0x7F))


def accepts(config: ListConfig, content_type: str) -> bool:
    """Whether the list takes parts of `content_type` ("image/*" takes every image)."""
    maintype = content_type.partition("/")[0]
    return content_type in config.accepted_types or f"{maintype}/*" in config.accepted_types


def content_problem(config: ListConfig, msg: EmailMessage) -> str | None:
    """Why the post must be held for its content, when the list holds posts with parts of
    types it does not take; None when it does not, or the post has none."""
    if config.other_types != "hold":
        return None
    for part, depth in _parts(msg):
        if depth > MAX_DEPTH:
            return f"its parts are nested more than {MAX_DEPTH} deep"
        content_type = part.get_content_type()
        if not accepts(config, content_type):
            return f"it has a part of type {one_line(content_type, 100)}, which the list " \
                   "does not take"
    return None


def _parts(msg: Message) -> Iterator[tuple[Message, int]]:
    """Every part with its depth, containers first; message/rfc822 and kin are one part."""
    stack = [(msg, 0)]
    while stack:
        part, depth = stack.pop()
        yield part, depth
        if depth <= MAX_DEPTH and _is_container(part):
            stack.extend((child, depth + 1) for child in reversed(_children(part)))


def _is_container(part: Message) -> bool:
    return part.get_content_maintype() == "multipart" and part.is_multipart()


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [child for child in payload if isinstance(child, Message)] \
        if isinstance(payload, list) else []


# ------------------------------------------------------------------------ the prepared post


@dataclass(frozen=True)
class TextContent:
    """A post of one text/plain part: the footer goes at the end of its text."""

    content_type: bytes  # the Content-Type field
    seven_bit: bytes | None  # the text as 7bit, when it can be
    quoted: bytes  # the text as quoted-printable

    def with_footer(self, footer: str) -> bytes:
        footer = "\r\n" + _footer_text(footer)  # a blank line between text and footer
        plain = _seven_bit(footer)
        if self.seven_bit is not None and plain is not None:
            return b"".join((self.content_type, b"Content-Transfer-Encoding: 7bit", CRLF,
                             CRLF, self.seven_bit, plain))
        return b"".join((self.content_type, b"Content-Transfer-Encoding: quoted-printable",
                         CRLF, CRLF, self.quoted, _quoted(footer)))


@dataclass(frozen=True)
class WrappedContent:
    """Any other post: its content becomes the first part of a multipart/mixed whose
    second part is the footer."""

    boundary: bytes
    first_part: bytes  # the post's Content-* fields, a blank line and its body

    def with_footer(self, footer: str) -> bytes:
        footer = _footer_text(footer)
        plain = _seven_bit(footer)
        encoding, body = (b"7bit", plain) if plain is not None \
            else (b"quoted-printable", _quoted(footer))
        delimiter = b"--" + self.boundary
        return b"".join((
            b'Content-Type: multipart/mixed; boundary="', self.boundary, b'"', CRLF, CRLF,
            delimiter, CRLF, self.first_part, CRLF,
            delimiter, CRLF, b'Content-Type: text/plain; charset="utf-8"', CRLF,
            b"Content-Transfer-Encoding: ", encoding, CRLF,
            b"Content-Disposition: inline", CRLF, CRLF, body, CRLF,
            delimiter, b"--", CRLF))


@dataclass(frozen=True)
class PreparedPost:
    """A post ready to be copied to each member."""

    head: bytes  # every header field all copies share, up to MIME-Version, CRLF-ended
    content: TextContent | WrappedContent

    def copy_for(self, footer: str, unsubscribe_headers: Mapping[str, str]) -> bytes:
        """The copy for one member: `footer` (their own unsubscribe link, say) at the end,
        and their `unsubscribe_headers` (List-Unsubscribe...)."""
        return b"".join((self.head,
                         *(ascii_field(name, value) for name, value in
                           unsubscribe_headers.items()),
                         self.content.with_footer(footer)))


def ascii_field(name: str, value: str) -> bytes:
    """A header field of URIs and tokens, written as it is (`email` would fold and
    encode; these must stay one line of ASCII); anything but printable ASCII in the value
    is percent-encoded."""
    if not _HEADER_NAME.match(name):
        raise ValueError(f"not a header name: {name!r}")
    value = quote(one_line(value, limit=990 - len(name)), safe=_URI_SAFE)
    return f"{name}: {value}".encode("ascii") + CRLF


def _footer_text(footer: str) -> str:
    """The footer below a rule, as lines ending in CRLF."""
    body = _TEXT_LINE_ENDS.sub("\r\n", footer.strip("\r\n"))
    return f"{FOOTER_RULE}\r\n{body}\r\n"


def _seven_bit(text: str) -> bytes | None:
    """`text` (CRLF lines) as 7bit, or None when it cannot go as 7bit."""
    if not text.isascii() or "\x00" in text or any(len(line) > 998 for line in
                                                    text.split("\r\n")):
        return None
    return text.encode("ascii")


def _quoted(text: str) -> bytes:
    """`text` (CRLF lines) as UTF-8 in quoted-printable; each line ends in a hard CRLF, so
    two encoded pieces join into one valid body."""
    return binascii.b2a_qp(text.encode("utf-8", "replace"), istext=True)


# ------------------------------------------------------------------------ preparing


def prepare_post(config: ListConfig, raw: bytes, *, poster: str, poster_name: str,
                 strict_dmarc: bool) -> PreparedPost:
    """The post `raw` by `poster` ready to be copied to members; `strict_dmarc` says that
    the poster's domain publishes a DMARC policy of quarantine or reject.

    Raises MalformedMessage (from `load_message`) for a message that cannot be read, and
    ValueError when `poster` is not an address."""
    msg = load_message(raw)
    rewrite = config.dmarc_rewrite == "always" or (config.dmarc_rewrite == "strict"
                                                   and strict_dmarc)
    head = b"".join((
        *_originator_fields(config, msg, poster, poster_name, rewrite),
        *_recipient_fields(msg),
        text_field("Subject", prefixed_subject(config.prefix, _value(msg, "Subject"))),
        *_date_fields(msg),
        *_thread_fields(msg, own_id=_id_of(raw, config.domain)),
        *_other_fields(msg),
        text_field("X-BeenThere", config.posting_address),
        text_field("Precedence", "list"),
        *(text_field(name, value) for name, value in list_headers(config).items()),
        b"MIME-Version: 1.0", CRLF,
    ))
    return PreparedPost(head, _content(config, msg))


def text_field(name: str, value: str) -> bytes:
    """`name: value` on one line as `email` folds and encodes it (RFC 2047 for non-ASCII);
    `value` is made one line first."""
    field = _UNSTRUCTURED(name, one_line(value, limit=990 - len(name)))
    return POLICY.fold_binary(name, field)


def address_field(name: str, addresses: list[Address]) -> bytes:
    return POLICY.fold_binary(name, _REGISTRY[name](name, addresses))


def prefixed_subject(prefix: str, subject: str) -> str:
    """`subject` with `prefix` in front, once: the prefix found anywhere in it is taken out
    and the replies' marks ("Re: AW: Re[2]:") before it made one "Re: ", so that
    "Re: [list] Re: [list] Hi" becomes "[list] Re: Hi"."""
    text = one_line(subject)
    prefix = one_line(prefix)
    if not prefix:
        return text or NO_SUBJECT
    found = re.compile(re.escape(prefix), re.I)
    # Taking one out may join the text around it into another (a prefix with a space in
    # it): again until none is left; each round makes the text shorter.
    while found.search(text):
        text = _SPACES.sub(" ", found.sub(" ", text)).strip()
    marks = _REPLY_MARKS.match(text)
    if marks is not None:
        return f"{prefix} Re: {text[marks.end():] or NO_SUBJECT}"
    return f"{prefix} {text or NO_SUBJECT}"


def _value(msg: Message, name: str) -> str:
    """The first `name` field's value as it came (`one_line` decodes what is encoded),
    bounded like every value read here; "" when there is none."""
    name = name.lower()
    for field, value in msg.raw_items():
        if field.strip().lower() == name:
            return _text(value[:MAX_HEADER_CHARS])
    return ""


def _addresses(msg: Message, name: str) -> str:
    """An address field's value, its display names decoded and quoted where they must be;
    as it came when `email` cannot read it (a name hiding a line break in an encoded
    word), for `getaddresses` to make what it can of it."""
    try:
        return str(msg.get(name, ""))
    except (ValueError, TypeError, IndexError, AttributeError):
        return _value(msg, name)


def poster_name(raw: bytes) -> str:
    """The display name the post's From gives its author ("" when none)."""
    return parseaddr(_addresses(load_message(raw), "From"))[0]


def _mailboxes(value: str) -> list[Address]:
    """The addresses in a header value that are addresses, as `mailbox` cleans them."""
    found = []
    for name, address in getaddresses([value]):
        if not address.isascii():  # cannot be written without SMTPUTF8
            continue
        try:
            found.append(mailbox(name, address))
        except ValueError:
            continue
        if len(found) == MAX_ADDRESSES:
            break
    return found


def _originator_fields(config: ListConfig, msg: Message, poster: str, poster_name: str,
                       rewrite: bool) -> list[bytes]:
    """From, and Reply-To when replies must go elsewhere than From."""
    author = mailbox(poster_name, poster)
    if rewrite:
        name = f"{author.display_name or author.addr_spec} via {config.title}"
        fields = [address_field("From", [mailbox(name, config.posting_address)])]
    else:
        fields = [address_field("From", [author])]
    if config.reply_to == "list":
        reply_to = [mailbox(config.title, config.posting_address)]
    else:
        reply_to = _mailboxes(_addresses(msg, "Reply-To")) or ([author] if rewrite else [])
    if reply_to:
        fields.append(address_field("Reply-To", reply_to))
    return fields


def _recipient_fields(msg: Message) -> list[bytes]:
    fields = []
    for name in ("To", "Cc"):
        addresses = _mailboxes(_addresses(msg, name))
        if addresses:
            fields.append(address_field(name, addresses))
    return fields


def _date_fields(msg: Message) -> list[bytes]:
    date = _value(msg, "Date")
    return [text_field("Date", date)] if one_line(date) else []


def _id_of(raw: bytes, domain: str) -> str:
    """A Message-ID for a post that came without one; the same at every preparation."""
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@{domain}>"


def _thread_fields(msg: Message, *, own_id: str) -> list[bytes]:
    """Message-ID (the post's own, so that every copy is the one message; else `own_id`),
    In-Reply-To and References, each id checked to be one."""
    found = _MESSAGE_ID.findall(_value(msg, "Message-ID"))
    fields = [b"Message-ID: " + (found[0] if found else own_id).encode() + CRLF]
    parent = _MESSAGE_ID.findall(_value(msg, "In-Reply-To"))
    if parent:
        fields.append(b"In-Reply-To: " + parent[0].encode() + CRLF)
    references = _MESSAGE_ID.findall(_value(msg, "References"))
    if len(references) > MAX_REFERENCES:
        references = references[:1] + references[1 - MAX_REFERENCES:]
    if references:
        # Folded between ids: many of them would pass the line length limit.
        fields.append(b"References: " + b"\r\n ".join(r.encode() for r in references) + CRLF)
    return fields


def _other_fields(msg: Message) -> list[bytes]:
    """The post's other headers that may be resent, in their order."""
    fields = []
    for name, value in msg.raw_items():
        lower = name.strip().lower()
        if lower in DROPPED or lower in REWRITTEN or lower.startswith(DROPPED_PREFIXES) \
                or lower.startswith("content-") or not _HEADER_NAME.match(name):
            continue
        fields.append(text_field(name.strip(), _text(value[:MAX_HEADER_CHARS])))
        if len(fields) == MAX_OTHER_HEADERS:
            break
    return fields


def _text(value: str) -> str:
    """A raw header value as text: 8-bit bytes in it read as UTF-8."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# ------------------------------------------------------------------------ the content


def _content(config: ListConfig, msg: EmailMessage) -> TextContent | WrappedContent:
    keep = _keeper(config)
    kept = keep(msg)
    if kept and _is_plain_text(msg):
        return _text_content(_decoded_text(msg), flowed=_flowed_params(msg))
    body = _body(msg, keep, 0) if kept else None
    if body is None:  # nothing the list takes is left
        return _text_content(REMOVED_NOTE, flowed=None)
    return _wrapped(_content_fields(msg) + CRLF + body)


def _keeper(config: ListConfig) -> Callable[[Message], bool]:
    if config.other_types == "strip":
        return lambda part: accepts(config, part.get_content_type())
    # A list that holds such posts distributes one only when a moderator approved it whole.
    return _everything


def _is_plain_text(msg: Message) -> bool:
    return not msg.is_multipart() and msg.get_content_type() == "text/plain" \
        and msg.get_content_disposition() != "attachment"


def _entity(part: Message, keep: Callable[[Message], bool], depth: int) -> bytes | None:
    """`part` (its fields, a blank line, its body) as it came, less the parts `keep`
    refuses; None when nothing of it is kept."""
    if not keep(part):
        return None
    body = _body(part, keep, depth)
    return None if body is None else _raw_fields(part) + CRLF + body


def _body(part: Message, keep: Callable[[Message], bool], depth: int) -> bytes | None:
    if depth > MAX_DEPTH:
        return None
    payload = part.get_payload()
    if _is_container(part):
        children = [c for c in (_entity(child, keep, depth + 1) for child in _children(part))
                    if c is not None]
        return _multipart_body(part, children) if children else None
    if isinstance(payload, list):  # message/rfc822 and kin: the message enclosed, whole
        return b"".join(_raw_fields(inner) + CRLF + (_body(inner, _everything, depth + 1)
                                                     or b"")
                        for inner in _children(part))
    return _raw(payload if isinstance(payload, str) else "")


def _everything(part: Message) -> bool:
    return True


def _multipart_body(part: Message, children: list[bytes]) -> bytes:
    """The parts in `part`'s own boundary, laid out as the `email` generator does."""
    delimiter = b"--" + _raw(part.get_boundary() or "")
    out = [] if part.preamble is None else [_raw(part.preamble), CRLF]
    for child in children:
        out += [delimiter, CRLF, child, CRLF]
    out += [delimiter, b"--"]
    # The parser leaves a nested part's epilogue None when nothing but the line end that
    # belongs to the next delimiter follows: the part then ends here, as it came.
    if part.epilogue is not None:
        out += [CRLF, _raw(part.epilogue)]
    return b"".join(out)


def _raw_fields(part: Message) -> bytes:
    """All of `part`'s header fields as they came (folding kept, line ends made CRLF)."""
    return b"".join(_raw(f"{name}: {value}") + CRLF for name, value in part.raw_items())


def _content_fields(msg: Message) -> bytes:
    """The post's own Content-* fields, as they came, for the part that carries its body."""
    return b"".join(_raw(f"{name}: {value}") + CRLF for name, value in msg.raw_items()
                    if name.strip().lower().startswith("content-"))


def _raw(text: str) -> bytes:
    """Text from the parser back to the bytes it came as, line ends made CRLF."""
    return _LINE_ENDS.sub(CRLF, text.encode("utf-8", "surrogateescape"))


def _wrapped(first_part: bytes) -> WrappedContent:
    boundary = b""
    while not boundary or boundary in first_part:
        boundary = b"=_list_" + secrets.token_hex(16).encode()
    return WrappedContent(boundary, first_part)


def _decoded_text(msg: Message) -> str:
    """The text of a text/plain part, decoded (a charset that cannot be read as UTF-8)."""
    data = msg.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    charset = msg.get_content_charset() or "utf-8"
    try:
        codec = codecs.lookup(charset).name
    except (LookupError, ValueError):  # unknown, or not a name at all
        codec = "utf-8"
    if codec in _SLOW_CODECS or codec == "ascii":
        codec = "utf-8"  # ASCII is part of UTF-8, and 8-bit text marked ASCII is mostly it
    try:
        return data.decode(codec, "replace")
    except (LookupError, UnicodeError):  # not a text codec, or one refusing "replace"
        return data.decode("utf-8", "replace")


def _flowed_params(msg: Message) -> str | None:
    """The format=flowed parameters of the post's Content-Type, to keep them."""
    if str(msg.get_param("format", "")).lower() != "flowed":
        return None
    return "; format=flowed; delsp=yes" if str(msg.get_param("delsp", "")).lower() == "yes" \
        else "; format=flowed"


def _text_content(text: str, *, flowed: str | None) -> TextContent:
    text = _TEXT_LINE_ENDS.sub("\n", text)
    if text and not text.endswith("\n"):
        text += "\n"
    text = text.replace("\n", "\r\n")
    content_type = f'Content-Type: text/plain; charset="utf-8"{flowed or ""}'.encode() + CRLF
    return TextContent(content_type, _seven_bit(text), _quoted(text))
