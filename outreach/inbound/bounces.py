"""Recognising delivery failures (bounces) and the addresses that failed.

`detect_bounce(msg)` looks at one parsed message and returns a `Bounce` when the
message is a delivery-failure report (or a delay warning), else None. It reads:

1. RFC 3464 reports: every `message/delivery-status` part (outside returned
   messages), one block per recipient. `Action: failed` (or a 5.x.x status) is a
   failure, `Action: delayed` (or a 4.x.x status) a delay; `delivered`, `relayed` and
   `expanded` blocks are success notices and never make a bounce.
2. The non-standard reports that mail servers still send: Exim, qmail, Postfix and
   Sendmail transcripts, Exchange/Office 365, GroupWise and Lotus Notes notices,
   Gmail, Yahoo, AOL, MDaemon, Smail, InterScan and the like. These are read from the
   notification text only (the part before the returned copy of the message), with
   patterns for the places those servers put the failed address, and only when the
   headers or the wording say the message is a delivery report. Quoted lines ("> ")
   never count as wording, so a person who quotes or forwards a bounce is not one.
3. `X-Failed-Recipients` (Exim, Gmail) when nothing better names the addresses.

Hard or soft (the corpus README's classes): delays, 4.x.x codes, full mailboxes and
quotas (5.2.2 too), and expired or timed-out deliveries are soft. Unknown users and
domains, disabled or closed mailboxes, relaying refused (the domain is not served
there), mail loops, the 5.1.x, 5.2.1 and 5.4.4 codes, and any other permanent failure
(a specific 5.x.x code, "permanent error", "failed permanently") are hard. Spam, policy,
content and size rejections (and 5.3.x, 5.6.x, 5.7.x) leave `bounce_type` None, as do
failures that say nothing about why (5.0.0 alone, "delivery failed"): the address may
well work, and the corpus calls these unknown bounces. Some sources call every
permanent failure hard, full mailboxes included; that is where the figures differ.

Challenge-response systems ("sender not pre-approved", "please confirm you are a
human", whitelists) sometimes dress their challenge as a DSN: those are not bounces
(the address works; the person has to click), and `detect_auto_reply` reports them.

Nothing here raises on odd input: broken MIME, unknown charsets and header values that
do not parse are read as far as they can be, and whatever cannot be read is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr
from functools import cached_property
from typing import Literal

from outreach.inbound.message import header
from outreach.inbound.text import decode_part, html_to_text

BounceType = Literal["hard", "soft"]

__all__ = [
    "Bounce", "BounceType", "detect_bounce", "is_challenge_report", "is_challenge_text",
]


@dataclass(frozen=True)
class Bounce:
    failed_recipients: tuple[str, ...]  # lower-cased addr-specs, in order found, no duplicates
    bounce_type: BounceType | None  # None when the class is not established
    status: str | None  # enhanced status code such as "5.1.1", when known
    diagnostic: str | None  # the remote server's words, shortened, when known
    detector: str  # which rule found it


# --------------------------------------------------------------------------- addresses

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LOCAL = rf"{_ATOM}+(?:\.{_ATOM}+)*\.?"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})+"
ADDRESS = rf"{_LOCAL}@{_DOMAIN}"
_ADDRESS_RE = re.compile(rf"(?<![A-Za-z0-9!#$%&'*+/=?^_`{{|}}~.-])({ADDRESS})(?![A-Za-z0-9-])")
_FULL_ADDRESS_RE = re.compile(rf"{ADDRESS}")

# Local parts of the mail system itself: never the failed recipient.
_SYSTEM_LOCALS = frozenset({
    "mailer-daemon", "postmaster", "mail-daemon", "maildaemon", "mailerdaemon",
    "mail.daemon", "mailer_daemon", "nobody", "root", "daemon", "mdaemon",
})


def _clean_address(value: str, lenient: bool = False) -> str | None:
    """`value` as a lower-cased addr-spec, or None when it is not one.

    `lenient` takes any "local@domain" without spaces as it is written (a report quoting
    the address it was given between angle brackets, however odd that address is)."""
    value = value.strip().strip("<>\"'()[],;: \t").strip()
    if value.lower().startswith(("rfc822;", "rfc822:")):
        value = value[7:].strip().strip("<>\"' ")
    value = re.sub(r"^(?:smtp|rfc-?822)[=:]", "", value, flags=re.I)
    match = _FULL_ADDRESS_RE.fullmatch(value)
    if not match and not (lenient and re.fullmatch(r"[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+", value)):
        found = _ADDRESS_RE.search(value)
        if not found:
            return None
        value = found.group(1)
    value = value.rstrip(".").lower()
    local = value.rsplit("@", 1)[0]
    if local in _SYSTEM_LOCALS:
        return None
    return value


def _unique(addresses: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for address in addresses:
        seen.setdefault(address, None)
    return tuple(seen)


# --------------------------------------------------------------------------- reading the message

_ORIGINAL_MESSAGE_TYPES = frozenset({
    "message/rfc822", "message/rfc822-headers", "text/rfc822-headers", "message/partial",
    "message/global", "message/global-headers", "message/external-body",
})
_DSN_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})


MAX_TEXT = 200_000  # characters of one part that are read at all
MAX_NOTIFICATION = 20_000  # a report's own words are short; a long text is not one
MAX_PARTS = 200  # a report has a handful of parts; do not wander through huge archives


def _parts(msg: Message) -> list[tuple[Message, str]]:
    """Every part with its content type, depth first, without going into returned
    (attached) messages. Content types are parsed once here: that is the slow part."""
    found: list[tuple[Message, str]] = []
    stack = [msg]
    while stack and len(found) < MAX_PARTS:
        part = stack.pop()
        content_type = part.get_content_type()
        found.append((part, content_type))
        if content_type in _ORIGINAL_MESSAGE_TYPES or content_type in _DSN_TYPES:
            continue
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend(c for c in reversed(payload) if isinstance(c, Message))
    return found


def _part_text(part: Message, content_type: str) -> str:
    try:
        text = decode_part(part)[:MAX_TEXT]
    except Exception:  # a part the email package cannot decode: read nothing from it
        return ""
    if content_type == "text/html":
        try:
            text = html_to_text(text)
        except Exception:
            return ""
    return text.replace("\r\n", "\n").replace("\r", "\n")


# A line where the returned copy of the original message (or its headers) starts.
_ORIGINAL_STARTS = re.compile(
    r"""^[\s|>*=_-]*(?:
        (?:-+\s*)?(?:this\s+is\s+a\s+|here\s+is\s+a\s+)?copy\s+of\s+(?:the\s+|your\s+)?
            (?:original\s+|first\s+part\s+of\s+the\s+)?message
      | below\s+this\s+line\s+is\s+a\s+copy
      | -+\s*original\s+message
      | -+\s*forwarded\s+message
      | begin\s+forwarded\s+message
      | on\s.{0,200}\swrote:\s*$
      | original\s+message\s+(?:follows|as\s+received|attached|header)
      | the\s+original\s+message\s+(?:follows|was|is\s+attached|headers?)
      | (?:-+\s*)?(?:start\s+of\s+)?returned\s+(?:message|mail)
      | (?:-+\s*)?message\s+(?:header|headers|text)\s+follows?
      | (?:-+\s*)?undelivered\s+message\s+(?:headers\s+)?follows
      | header\s+of\s+the\s+source\s+mail
      | (?:the\s+)?headers?\s+(?:of|from)\s+(?:the\s+|your\s+)?
            (?:original|returned|rejected)\s+message
      | your\s+message\s+reads
      | -+\s*the\s+header
      | included\s+is\s+a\s+copy
      | original\s+message\s+headers
      | \*+\s*end\s+of\s+message
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_EMBEDDED_HEADER = re.compile(
    r"^From \S+\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s|"  # the next message of an mbox file
    r"^>?\s?(?:Received|Return-Path|X-Original-To|Delivered-To)\s*:|"
    r"^\s*Content-Type:\s*(?:message/rfc822|text/rfc822-headers|message/delivery-status)",
    re.I,
)


def _cut_original(text: str) -> str:
    """The notification part of a report: everything before the returned message."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if index and (_ORIGINAL_STARTS.match(line) or _EMBEDDED_HEADER.match(line)):
            return "\n".join(lines[:index])
    return text


class _Facts:
    """What the detector reads from one message; the text only when it is asked for."""

    def __init__(self, msg: EmailMessage) -> None:
        name, address = parseaddr(header(msg, "From"))
        self.parts = _parts(msg)  # the parts (not inside returned messages), with their types
        self.sender = address.strip().lower()  # the From address ("" when none)
        self.sender_name = name.strip().lower()
        self.subject = " ".join(header(msg, "Subject").split())
        self.own = _own_addresses(msg)  # addresses of the receiving side (us)
        keys = [k.lower() for k in msg]
        self.has_headers = any(k != "content-type" for k in keys)

    @cached_property
    def notification(self) -> str:
        """The report's own words, before any returned message."""
        return _notification_text(self.parts)


def _own_addresses(msg: EmailMessage) -> frozenset[str]:
    values = [header(msg, name) for name in
              ("To", "Cc", "Delivered-To", "Return-Path")]
    found = set()
    for _, address in getaddresses([v for v in values if v]):
        if "@" in address:
            found.add(address.strip().lower())
    return frozenset(found)


def _notification_text(parts: list[tuple[Message, str]]) -> str:
    """The text of the report parts (not the returned message), HTML made text."""
    texts: list[str] = []
    html: list[str] = []
    for part, content_type in parts:
        if part.is_multipart():
            continue
        if content_type in _ORIGINAL_MESSAGE_TYPES or content_type in _DSN_TYPES:
            # A report's notification comes before the returned message; stop there.
            if texts or html:
                break
            continue
        if content_type == "text/plain" or (
            content_type == "text/html" and not texts
        ) or (content_type.startswith("text/") and content_type not in (
            "text/html", "text/plain", "text/rfc822-headers", "text/calendar"
        )):
            text = _part_text(part, content_type)
            if not text.strip():
                continue
            if _looks_like_message(text) and (texts or html):
                break  # an attached original sent as text
            (html if content_type == "text/html" else texts).append(text)
    chosen = texts or html
    return "\n".join(_cut_original(text) for text in chosen)[:MAX_NOTIFICATION]


_HEADER_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:\s")


def _looks_like_message(text: str) -> bool:
    lines = [line for line in text.lstrip().split("\n")[:6] if line.strip()]
    return len(lines) >= 3 and sum(bool(_HEADER_LINE.match(line)) for line in lines) >= 3


# --------------------------------------------------------------------------- classifying

# An enhanced status code (RFC 3463) of a failure or delay: not a version or an address.
_STATUS_RE = re.compile(r"(?<![\d.])([45])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)")
_SMTP_CODE_RE = re.compile(r"(?<![\d.#-])([45][0-5]\d)(?:[ -]|$)")

# Challenge-response systems: the recipient's filter asks the sender to prove themselves.
_CHALLENGE = re.compile(
    r"sender\s+not\s+pre-?approved|(?:server|sender|message|e-?mail)\s+requires\s+"
    r"(?:your\s+)?confirmation|confirm\s+this\s+mail\s+server|"
    r"add\s+yourself\s+to\s+(?:my|the\s+recipient'?s?)\s+(?:guest|approved|allowed|safe|white)|"
    r"(?:my|recipient'?s?)\s+(?:\w+\s+)?(?:guest|approved\s+senders?|allowed\s+senders?|"
    r"safe\s+senders?)\s+list|list\s+of\s+approved\s+senders|message\s.{0,80}\b(?:has\s+been|was)\s+waitlisted|"
    r"challenge[\s-]response|verify\s+(?:that\s+)?you\s+are\s+(?:a\s+)?(?:human|real\s+person|"
    r"not\s+a\s+(?:robot|spammer))|only\s+(?:accept|allow)\s+(?:incoming\s+)?(?:messages|mail|"
    r"e-?mail)\s+(?:only\s+)?from\s+(?:senders\s+)?(?:i|we)\s+have\s+approved|"
    r"allow\s+incoming\s+messages\s+only\s+from\s+senders|"
    r"to\s+have\s+your\s+address\s+added\s+to|click\s+(?:on\s+)?the\s+(?:following\s+)?link\s+"
    r"(?:below\s+)?to\s+(?:be\s+added|deliver\s+your\s+message|have\s+your\s+(?:address|"
    r"message))",
    re.IGNORECASE,
)

_SOFT_WORDS = re.compile(
    r"mail\s*-?box\s+(?:is\s+)?full|mailbox\s+(?:size\s+)?(?:limit\s+)?exceeded|"
    r"(?:over|exceed(?:ed|s)?|exceeding|reached|beyond|overdrawn)\s+(?:the\s+|his\s+|her\s+|"
    r"their\s+|its\s+)?(?:disk\s*(?:space)?\s+|storage\s+|mailbox\s+|mail\s+|allocated\s+|"
    r"account\s+)?(?:quota|storage|limit)|quota\s+(?:exceeded|exceded|full|violation)|"
    r"(?<!no\s)quota|insufficient\s+(?:system\s+)?storage|mailbox\s+exceeds|"
    r"exceeds?\s+(?:the\s+)?allowed\s+size|mail\s*folder\s+is\s+full|box\s+(?:is\s+)?full|"
    r"too\s+(?:much\s+mail|many\s+messages)|zuviele\s+mails|space\s+not\s+enough|"
    r"not\s+enough\s+space|disk\s+(?:space\s+)?(?:full|limit)|(?:is|are)\s+full\b|full\s+mailbox|"
    r"temporar(?:y|ily)|try\s+(?:again\s+)?later|will\s+be\s+retried|"
    r"(?:delivery\s+|message\s+|mail\s+)?delayed|deferr?ed|(?:has\s+)?not\s+yet\s+been\s+delivered|"
    r"still\s+being\s+retried|timed?\s*out|time-?out|expired|too\s+long\s+in\s+(?:the\s+)?queue|"
    r"retry\s+time(?:out)?|maximum\s+delivery\s+attempts|for\s+more\s+than\s+\d+\s+(?:days|hours)|"
    r"cannot\s+send\s+message\s+for\s+\d+\s+days|no\s+answer\s+from\s+host|"
    r"not\s+reachable\s+within|connection\s+(?:timed\s+out|refused)|greylist",
    re.IGNORECASE,
)

_HARD_WORDS = re.compile(
    r"user\s+unknown|unknown\s+(?:user|recipient|local[\s-]?part|address|alias|mailbox|account)|"
    r"no\s+such\s+(?:user|recipient|person|address|mailbox|account|local\s+user|domain|host)|"
    r"(?:user|recipient|address|mail-?box|account|addressee)\s+(?:name\s+)?(?:is\s+)?"
    r"(?:unknown|not\s+(?:found|known|recognized|recognised|listed|valid|exist)|"
    r"does\s+not\s+exist|doesn'?t\s+exist|disabled|deactivated|inactive|suspended|"
    r"unavailable|invalid|closed|no\s+longer|removed|deleted|locked|expired)|"
    r"(?:does\s+not|doesn'?t|did\s+not)\s+(?:exist|have\s+an?\s+\S+\s+account|"
    r"have\s+a\s+final\s+e-?mail\s+delivery\s+point)|"
    r"not\s+a(?:n)?\s+(?:valid|active|known)\s+(?:user|recipient|mailbox|address)|"
    r"invalid\s+(?:user|recipient|mailbox|address|e-?mail|final\s+delivery)|"
    r"bad[\s_](?:destination\s+)?(?:mailbox|address|recipient)|badrcptto|"
    r"unrouteable|unroutable|host\s+(?:or\s+domain\s+name\s+)?not\s+found|host\s+unknown|"
    r"domain\s+(?:name\s+)?(?:not\s+found|does\s+not\s+exist|unknown|is\s+not\s+valid)|"
    r"unknown\s+(?:host|domain)|name\s+service\s+error|name\s+or\s+service\s+not\s+known|"
    r"couldn'?t\s+find\s+any\s+host|no\s+mx\s+|dns\s+(?:error|failure)|"
    r"illegal\s+user|not\s+our\s+customer|no\s+mail\s*-?box|"
    r"mail-?box\s+(?:not\s+found|unavailable|does\s+not\s+exist|disabled|inactive|is\s+disabled)|"
    r"deactivated\s+mailbox|disabled\s+mailbox|"
    r"account\s+(?:has\s+been\s+)?(?:disabled|deactivated|closed|terminated|expired|suspended)|"
    r"recipient\s+(?:address\s+)?rejected|addressee\s+unknown|is\s+not\s+a\s+known\s+user|"
    r"has\s+no\s+account|not\s+listed\s+in\s+(?:the\s+)?(?:domino\s+|public\s+)?(?:directory|"
    r"address\s+book)|no\s+longer\s+(?:valid|active|available|exists|with|employed|works|at)|"
    r"address\s+rejected|rejected\s+recipient|"
    r"the\s+email\s+account\s+that\s+you\s+tried\s+to\s+reach|no\s+valid\s+recipients|"
    r"relay(?:ing)?\s+(?:access\s+)?denied|unable\s+to\s+relay|not\s+permitted\s+to\s+relay|"
    r"as\s+a\s+relay|list\s+of\s+allowed\s+rcpthosts|recipient\s+not\s+found|resolver\.adr|"
    r"mail\s+loops|too\s+many\s+hops|loops?\s+back\s+to\s+myself|routing\s+loop|message\s+looping|"
    r"has\s+not\s+been\s+collected|did\s+not\s+exactly\s+match|recipient\s+name\s+is\s+not\s+"
    r"recognized|n'existe\s+pas|existiert\s+nicht|unbekannt|no\s+existe|non\s+esiste",
    re.IGNORECASE,
)

_POLICY_WORDS = re.compile(
    r"spam|blacklist|black\s+list|blocklist|block\s+list|blocked|policy|\brbl\b|"
    r"virus|content\s+(?:rejected|filter)|message\s+(?:content\s+)?rejected|"
    r"not\s+accepting\s+mail|too\s+large|message\s+size|size\s+limit|exceeds?\s+(?:the\s+)?"
    r"(?:maximum|size)|maximum\s+(?:incoming\s+)?message\s+size|attachment|dmarc|\bspf\b|dkim|"
    r"reputation|authenticat|unsolicited|not\s+accepted\s+here|without\s+to:\s+fields",
    re.IGNORECASE,
)
_PERMANENT_WORDS = re.compile(
    r"permanent|fatal|failed\s+permanently|gave\s+up|giving\s+up|given\s+up|"
    r"will\s+not\s+be\s+retried|not\s+be\s+delivered", re.IGNORECASE,
)


def _first_status(text: str) -> str | None:
    match = _STATUS_RE.search(text)
    return ".".join(match.groups()) if match else None


def _classify(status: str | None, words: str, delayed: bool = False) -> BounceType | None:
    """Hard, soft or unknown, from the enhanced status code and the server's words."""
    if delayed or (status and status.startswith("4.")):
        return "soft"
    hard = bool(_HARD_WORDS.search(words))
    soft = bool(_SOFT_WORDS.search(words))
    if soft and not hard:
        return "soft"
    if status in ("5.2.2",):
        return "soft"
    if hard:
        return "hard"
    if status and (status.startswith("5.1.") or status in ("5.2.1", "5.4.4")):
        return "hard"
    if _POLICY_WORDS.search(words) or (status and status.startswith(("5.7.", "5.3.", "5.6."))):
        return None
    if (status and status.startswith("5.") and status != "5.0.0") or _PERMANENT_WORDS.search(words):
        return "hard"
    return None


def is_challenge_text(text: str) -> bool:
    """True when a report's words are a challenge-response system asking the sender to act."""
    return bool(_CHALLENGE.search(text))


def is_challenge_report(msg: EmailMessage) -> bool:
    """True when `msg` is a delivery report whose diagnostic is a challenge-response
    system's ("Sender not pre-approved"), which `detect_bounce` does not count."""
    try:
        facts = _Facts(msg)
        recipients, _ = _dsn_recipients(facts)
    except Exception:  # pragma: no cover - odd input: not a report we can read
        return False
    return any(is_challenge_text(r.diagnostic) for r in recipients)


def _shorten(text: str, limit: int = 300) -> str | None:
    text = " ".join(text.split())
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- RFC 3464

@dataclass
class _Recipient:
    address: str
    action: str
    status: str | None
    diagnostic: str


def _field_blocks(text: str) -> list[dict[str, str]]:
    """The header-like blocks of a delivery-status body (fields folded, names lower-cased)."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last: str | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            if current:
                blocks.append(current)
            current, last = {}, None
            continue
        if line[0] in " \t" and last is not None:
            current[last] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", name.strip()):
            last = None
            continue
        last = name.strip().lower()
        if (last in current and last in ("final-recipient", "original-recipient")
                and "action" in current):  # a new recipient block without the blank line
            blocks.append(current)
            current = {}
        current[last] = value.strip()
    if current:
        blocks.append(current)
    return blocks


def _dsn_text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):
        pieces = []
        for block in payload:
            if isinstance(block, Message):
                try:
                    pieces.append("\n".join(f"{k}: {v}" for k, v in _raw_items(block)))
                except Exception:
                    continue
        text = "\n\n".join(pieces)
        if text.strip():
            return text
    raw = part.get_payload(decode=True)
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "replace")
    return payload if isinstance(payload, str) else ""


def _raw_items(block: Message) -> list[tuple[str, str]]:
    raw_items = getattr(block, "raw_items", None)
    items = list(raw_items()) if callable(raw_items) else list(block.items())
    return [(str(k), " ".join(str(v).split())) for k, v in items]


def _field_address(block: dict[str, str], name: str) -> str | None:
    value = block.get(name, "")
    if not value:
        return None
    kind, sep, rest = value.partition(";")
    if not sep or "@" in kind:
        rest = value
    return _clean_address(rest, lenient=True)


def _recipient_addresses(blocks: list[dict[str, str]]) -> list[str | None]:
    """Each block's recipient: the Original-Recipient (what was sent) when given, else the
    Final-Recipient; but when one original address expanded to several final ones (an
    alias), the final ones, which say which of them failed."""
    originals = [_field_address(b, "original-recipient") for b in blocks]
    finals = [_field_address(b, "final-recipient") or _field_address(b, "x-actual-recipient")
              for b in blocks]
    chosen: list[str | None] = []
    for original, final in zip(originals, finals, strict=True):
        shared = original is not None and len(
            {f for o, f in zip(originals, finals, strict=True) if o == original}
        ) > 1
        chosen.append(final if (shared and final) or original is None else original)
    return chosen


def _dsn_recipients(facts: _Facts) -> tuple[list[_Recipient], bool]:
    """The per-recipient blocks of every delivery-status part; and whether any part was seen."""
    recipients: list[_Recipient] = []
    seen = False
    for part, content_type in facts.parts:
        if content_type not in _DSN_TYPES:
            continue
        seen = True
        blocks = [b for b in _field_blocks(_dsn_text(part))
                  if "final-recipient" in b or "original-recipient" in b]
        for block, address in zip(blocks, _recipient_addresses(blocks), strict=True):
            if address is None:
                continue
            status_field = block.get("status", "")
            recipients.append(_Recipient(
                address=address,
                action=block.get("action", "").strip().lower(),
                status=_first_status(status_field),
                diagnostic=_diagnostic_words(block.get("diagnostic-code", "")),
            ))
    return recipients, seen


def _diagnostic_words(value: str) -> str:
    kind, sep, rest = value.partition(";")
    if sep and re.fullmatch(r"\s*[A-Za-z][A-Za-z0-9-]*\s*", kind):
        return rest.strip()
    return value.strip()


_SUCCESS_ACTIONS = ("deliver", "relay", "expand")


def _from_dsn(facts: _Facts) -> Bounce | Literal[False] | None:
    """A Bounce from the delivery-status parts; False for a success-only report; None when
    there is no usable delivery-status part."""
    recipients, seen = _dsn_recipients(facts)
    if not seen or not recipients:
        return None
    failed: list[_Recipient] = []
    delayed: list[_Recipient] = []
    for rcpt in recipients:
        action = rcpt.action
        status_class = rcpt.status[0] if rcpt.status else ""
        if action.startswith(_SUCCESS_ACTIONS):
            continue
        if action.startswith("delay") or (not action.startswith(("fail", "error"))
                                          and status_class == "4"):
            delayed.append(rcpt)
        elif action.startswith(("fail", "error", "undeliver", "bounce", "reject")) or (
            status_class == "5"
        ):
            failed.append(rcpt)
    chosen = failed or delayed
    if not chosen:
        return False
    words = " ".join(r.diagnostic for r in chosen)
    if is_challenge_text(words) or is_challenge_text(facts.notification[:2000]):
        return False
    status = next((r.status for r in chosen if r.status and r.status != "5.0.0"),
                  next((r.status for r in chosen if r.status), None))
    if status is None:
        status = _first_status(_report_lines(facts.notification)) if failed else None
    context = words + "\n" + facts.notification
    if failed:
        kinds = [_classify(r.status, r.diagnostic or context) for r in failed]
        if any(k is None for k in kinds) and not words.strip():
            kinds = [_classify(r.status, context) for r in failed]
        kind: BounceType | None = (
            "hard" if "hard" in kinds else "soft" if kinds and all(k == "soft" for k in kinds)
            else None
        )
    else:
        kind = "soft"
    return Bounce(
        failed_recipients=_unique(r.address for r in chosen if r.address not in facts.own
                                  or len(chosen) == 1),
        bounce_type=kind,
        status=status,
        diagnostic=_shorten(words) or _notification_diagnostic(facts.notification),
        detector="rfc3464",
    )


# --------------------------------------------------------------------------- free-text reports

_SENDER_LOCALS = re.compile(
    r"^(?:mailer-daemon|mailer_daemon|maildaemon|mail-daemon|postmaster|mdaemon|"
    r"mail\.?delivery|mail\.?delivery\.?system|bounces?|nobody|daemon|.*smtp.*|.*mail_?service.*|"
    r"smtp|mailadmin|mailadm|imss|inetgw\d*|returned-mail|administrator|sysadmin|"
    r"symantec_antivirus\w*|postoffice|mailsystem|mail_system|mta|mailserver|"
    r".*postmaster.*|.*mailer-daemon.*)$",
    re.IGNORECASE,
)
_SENDER_NAMES = re.compile(
    r"mail\s*delivery|mailer[\s-]?daemon|postmaster|system\s+administrator|"
    r"mail\s+administrator|delivery\s+(?:subsystem|system|service|status)|mail\s+system|"
    r"mail\s+service|smtp|postoffice|internet\s+mail|mailserver|mail\s+server|"
    r"microsoft\s+outlook|microsoft\s+exchange|mail\s+transport",
    re.IGNORECASE,
)
_SUBJECTS = re.compile(
    r"undeliver|undelivered|not\s+delivered|non[\s-]?deliver|delivery\s+(?:status\s+)?"
    r"(?:notification|failure|failed|problem|report|has\s+failed|error|notice|warning)|"
    r"delivery\s+status|failure\s+notice|failed\s+mail|mail\s+(?:delivery\s+)?(?:failed|failure|"
    r"error|problem|not\s+delivered|system\s+error)|returned\s+(?:mail|to\s+sender)|"
    r"return(?:ed|ing)\s+(?:mail|message)|could\s+not\s+be\s+delivered|delivery\s+failure|"
    r"permanent\s+(?:delivery\s+)?(?:failure|error)|delayed\s+mail|message\s+delayed|"
    r"warning:\s+(?:message|could)|delivery\s+delayed|mail\s+delivery|user\s+unknown|"
    r"unzustellbar|nicht\s+zustellbar|non\s+remis|non\s+distribu|onbestelbaar|"
    r"no\s+entregado|nondeliverable|processing\s+error|unable\s+to\s+deliver|"
    r"failure\s+delivering|delivery\s+(?:was\s+)?unsuccessful|bounced?\b|"
    r"failed\s+delivery|delivery\s+notification|mail\s+error|"
    r"не\s+доставлен|无法|失败|退信",
    re.IGNORECASE,
)

# Wording that only delivery reports use (checked on unquoted notification lines).
_REPORT_WORDS = re.compile(
    r"could\s*n[o']t\s+be\s+deliver|can\s*n[o']?t\s+be\s+deliver|was\s+not\s+deliver|"
    r"were\s+not\s+deliver|has\s+not\s+(?:yet\s+)?been\s+deliver|not\s+(?:been\s+)?delivered\s+to|"
    r"unable\s+to\s+deliver|undeliverable|delivery\s+(?:to\s+the\s+following|has\s+failed|"
    r"failed|failure|problem|attempts|of\s+(?:e-?mail|your\s+message)\s+to)|"
    r"permanent\s+(?:fatal\s+)?errors?|fatal\s+errors?|did\s+not\s+reach|failed\s+permanently|"
    r"i'm\s+sorry\s+to\s+have\s+to\s+inform\s+you|qmail-send\s+program|"
    r"mail\s+delivery\s+software|delivery\s+status\s+notification|"
    r"following\s+(?:address|recipient|user)s?(?:\(es\)|\(s\))?\s+(?:had|failed|"
    r"did|could|was|were)|returned\s+(?:mail|to\s+sender)|message\s+(?:was\s+)?returned|"
    r"failed\s+recipients|failed\s+address|undelivered|not\s+able\s+to\s+deliver|"
    r"wasn'?t\s+able\s+to\s+deliver|"
    r"error\s+(?:occurred\s+)?(?:during|while)\s+deliver|delivery\s+(?:was\s+)?aborted|"
    r"intended\s+recipient|encountered\s+delivery\s+problems|message\s+could\s+not\s+be|"
    r"will\s+be\s+retried|still\s+being\s+retried|could\s+not\s+deliver|"
    r"not\s+yet\s+been\s+delivered|mail\s+to\s+the\s+following\s+recipients|"
    r"invalid\s+final\s+delivery|your\s+mail\s+cannot\s+be\s+delivered|"
    r"non[\s-]?delivery|the\s+recipient\s+name\s+is\s+not\s+recognized|"
    r"did\s+not\s+exactly\s+match|address\s+to\s+which\s+your\s+message\s+was\s+addressed|"
    r"rejected\s+your\s+message|(?:message|mail)\s+(?:to\s+\S+\s+)?was\s+rejected|"
    r"delivery\s+to\s+.{1,80}\s+failed|error\s+was\s+detected\s+while\s+processing|"
    r"affected\s+recipients?|delivery\s+failed|has\s+been\s+postponed|"
    r"message\s+not\s+delivered|not\s+delivered\s+to\s+the\s+following|"
    r"n'a\s+pas\s+pu\s+(?:etre|être)\s+(?:d[ée]livr|remis|distribu)|"
    r"konnte\s+nicht\s+zugestellt|nicht\s+zugestellt\s+werden|no\s+(?:pudo|ha\s+podido)\s+ser\s+"
    r"entregad|non\s+(?:è|e)\s+stato\s+(?:consegnat|recapitat)|kon\s+niet\s+worden\s+"
    r"(?:afgeleverd|bezorgd)|не\s+может\s+быть\s+доставлен",
    re.IGNORECASE,
)


def _unquoted(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">"))


def _lead(text: str, lines: int = 4) -> str:
    """The first few lines with words in them: where a report states what went wrong."""
    worded = [line for line in text.split("\n") if re.search(r"[^\W\d_]", line)]
    return "\n".join(worded[:lines])


@dataclass
class _Evidence:
    sender: bool  # the From (or envelope) is the mail system
    subject: bool  # the Subject reads like a delivery report
    reply: bool  # the Subject is a reply or forward ("Re:", "Fwd:")
    list_post: bool  # a mailing-list post (List-Id) from a person
    report: bool  # a multipart/report (or a delivery-status part) says it is a report

    @property
    def any(self) -> bool:
        return self.sender or self.subject or self.report


def _evidence(facts: _Facts, msg: EmailMessage) -> _Evidence:
    """What the headers and the MIME structure say (cheap: no body text is read)."""
    local = facts.sender.split("@", 1)[0] if facts.sender else ""
    from_value = header(msg, "From").strip()
    return_path = header(msg, "Return-Path")
    sender = bool(
        (local and _SENDER_LOCALS.match(local))
        or (facts.sender_name and _SENDER_NAMES.search(facts.sender_name))
        or (msg.get("From") is not None and (from_value in ("", "<>") or not facts.sender))
        or (return_path and return_path.strip() in ("<>", "<MAILER-DAEMON>"))
    )
    reply = bool(re.match(r"\s*(?:re|aw|fwd?|tr|sv|vs|antw|rif|wg)\s*:", facts.subject, re.I))
    list_post = bool(header(msg, "List-Id") or header(msg, "List-Post")) and not sender
    report = (facts.parts[0][1] == "multipart/report" and str(
        msg.get_param("report-type", "") or ""
    ).lower() in ("delivery-status", "")) or any(
        content_type in _DSN_TYPES for _, content_type in facts.parts
    )
    return _Evidence(
        sender=sender,
        subject=bool(_SUBJECTS.search(facts.subject)),
        reply=reply,
        list_post=list_post,
        report=report,
    )


def _notification_diagnostic(text: str) -> str | None:
    """The line of a report that gives the reason: one with an SMTP reply code or a
    status code, else one that says what was wrong (unknown user, mailbox full, ...)."""
    lines = _report_lines(text).split("\n")
    for line in lines:
        if _SMTP_CODE_RE.search(line) or _STATUS_RE.search(line):
            return _shorten(line)
    for line in lines:
        if _HARD_WORDS.search(line) or _SOFT_WORDS.search(line) or _POLICY_WORDS.search(line):
            return _shorten(line)
    return None


def _report_lines(text: str) -> str:
    """The report's own lines: not quoted, not the Subject/To/Date lines it repeats."""
    return "\n".join(line for line in _unquoted(text).split("\n")
                     if not _HEADERISH_LINE.match(line))


_ANGLE = r"<(?P<a>[^<>\s@]+@[^<>\s@]+)>"
_EXPANDED = re.compile(
    rf"(?P<final>{ADDRESS})>?\s*\(expanded\s+from:?\s*<?(?P<orig>{ADDRESS})>?\s*\)", re.I
)
# "<user@host>:" at the start of a line (qmail, Postfix, Yahoo, Sina, ...).
_ANGLE_COLON = re.compile(rf"^\s*{_ANGLE}(?:\s*\(expanded\s+from\b[^)]*\))?\s*:", re.I)
# Exim: the failed address indented on a line of its own after the intro.
_EXIM_INTRO = re.compile(
    r"following\s+address(?:\(es\)|es)?\s+failed|could\s+not\s+be\s+delivered\s+to\s+one\s+or\s+"
    r"more|not\s+yet\s+been\s+delivered|address\s+to\s+which\s+the\s+message\s+has\s+not",
    re.I,
)
_EXIM_LINE = re.compile(rf"^\s+<?(?P<a>{ADDRESS})>?\s*(?::|$)")
# "Label: address" lines that only reports write.
_LABELLED = re.compile(
    rf"^\W*(?:error-for|failed\s+recipient|intended\s+recipient|undeliverable\s+address|"
    rf"unknown\s+(?:user|recipient)|user\s+unknown|invalid\s+recipient|bad\s+address|"
    rf"delivery\s+failed(?:\s+\d+\s+attempts)?|final-recipient|original-recipient|"
    rf"recipient\s+address|failed\s+address|address\s+failed|to\s+address|"
    rf"user(?:'s)?\s+mailbox\s+is\s+full)\s*:\s*(?:rfc822\s*;\s*)?<?(?P<a>{ADDRESS})>?",
    re.I,
)
# A phrase after which the failed addresses follow, on the same line or the next ones.
_LIST_INTRO = re.compile(
    r"following\s+(?:e-?mail\s+)?(?:address|recipient|user|destination)(?:s|\(es\)|\(s\)|es)?"
    r"(?:\s+(?:had|failed|did|could|was|were)\b[^:\n]*)?|"
    r"failed\s+recipients?|failed\s+addresses|addresses\s+(?:had|failed)[^:\n]*|"
    r"not\s+(?:been\s+)?delivered\s+to|did\s+not\s+reach|could\s+not\s+be\s+delivered\s+to|"
    r"unable\s+to\s+deliver\s+(?:your\s+)?(?:message|mail)?\s*to|"
    r"wasn'?t\s+able\s+to\s+deliver\s+the\s+following\s+message|"
    r"delivery\s+to\s+the\s+following\s+recipients?\s+failed(?:\s+permanently)?|"
    r"invalid\s+final\s+delivery\s+userid|not\s+yet\s+been\s+delivered\s+is|"
    r"undeliverable\s+to|your\s+message\s+to|was\s+not\s+delivered\s+to|delivery\s+to\s*:|"
    r"could\s+not\s+deliver\s+(?:the\s+)?(?:message|mail)\s+to|(?:was\s+)?addressed(?:\s+to)?|"
    r"cannot\s+be\s+delivered\s+to|was\s+not\s+able\s+to\s+deliver(?:\s+to)?|"
    r"could\s+not\s+be\s+reached|message\s+for|(?:to\s+)?this\s+address|"
    r"(?:e-?mail|message)\s+to|n'a\s+pas\s+pu\s+(?:etre|être)\s+d[ée]livr[ée]\s+[àa]|"
    r"the\s+following\s+(?:user|recipient)\(?s?\)?|delivery\s+of\s+e-?mail\s+to|sent\s+mail\s+to",
    re.IGNORECASE,
)
_BARE_USER = re.compile(r"^\s*(?P<u>[A-Za-z0-9][A-Za-z0-9._-]{0,63})\s*$")
# Lines whose addresses are never the failed recipient.
_NOT_RECIPIENT_LINE = re.compile(
    r"postmaster|contact|support|help\s*desk|assistance|questions|please\s+(?:send|reply|write)|"
    r"reply\s+to|send\s+mail\s+to|\bfrom\s*:|sender|envelope-from|return-path|reporting-mta|"
    r"message-id|sent\s+by|\bcc\s*:|for\s+more\s+information|webmaster|abuse",
    re.IGNORECASE,
)
_HEADERISH_LINE = re.compile(r"^\s*(?:To|Subject|Sent|Date|Cc|From)\s*:", re.I)


def _addresses_in(text: str) -> list[str]:
    found = []
    for match in re.finditer(rf"{_ANGLE}|(?<![A-Za-z0-9!#$%&'*+/=?^_`{{|}}~.-])(?P<b>{ADDRESS})"
                             r"(?![A-Za-z0-9-])", text):
        angled = match.group("a")
        address = _clean_address(angled, lenient=True) if angled else _clean_address(
            match.group("b"))
        if address:
            found.append(address)
    return found


@dataclass
class _Found:
    addresses: list[str]
    rule: str
    structural: bool  # found by a pattern only delivery reports use


def _text_addresses(facts: _Facts, loose: bool) -> _Found:
    """The failed addresses a free-text report names, and the rule that found them.
    `loose` (the mail system itself sent it) also lets addresses that are merely
    mentioned in the report, or in its Subject, count."""
    text = facts.notification
    lines = text.split("\n")
    expanded = {m.group("final").lower(): m.group("orig").lower()
                for m in _EXPANDED.finditer(text)} if "expanded from" in text.lower() else {}

    def keep(addresses: Iterable[str]) -> list[str]:
        kept = [expanded.get(a, a) for a in addresses]
        return [a for a in _unique(kept) if a not in facts.own and a != facts.sender]

    # 1. "<user@host>:" lines.
    angle = keep(_matched(_ANGLE_COLON, lines, lenient=True))
    if angle:
        return _Found(angle, "angle", True)
    # 2. "Label: address" lines.
    labelled = keep(_matched(_LABELLED, lines))
    if labelled:
        return _Found(labelled, "labelled", True)
    # 3. Exim's indented list.
    intro = _EXIM_INTRO.search(text)
    if intro:
        exim = keep(_matched(_EXIM_LINE, text[intro.end():].split("\n")[1:40]))
        if exim:
            return _Found(exim, "exim", True)
    # 4. A list introduced by a phrase.
    listed = _listed(lines, keep)
    if listed:
        return _Found(listed, "listed", False)
    # 5. Bare user names in such a list (AOL): qualified with the reporting domain.
    domain = facts.sender.rsplit("@", 1)[-1] if "@" in facts.sender else ""
    if domain:
        for index, line in enumerate(lines):
            if _LIST_INTRO.search(line):
                users = []
                start = next((j for j in range(index, min(index + 3, len(lines)))
                              if lines[j].rstrip().endswith(":")), index)
                for follow in lines[start + 1:start + 6]:
                    match = _BARE_USER.match(follow)
                    if match and not follow.strip().endswith(":"):
                        users.append(f"{match.group('u').lower()}@{domain}")
                    elif users or follow.strip():
                        break
                if users:
                    return _Found(keep(users), "user-names", False)
    # 6. The addresses in the Subject, or in the report's own lines.
    if not loose:
        return _Found([], "", False)
    in_subject = keep(_addresses_in(facts.subject))
    candidates = keep(
        address
        for line in _unquoted(text).split("\n")
        if not _NOT_RECIPIENT_LINE.search(line) and not _HEADERISH_LINE.match(line)
        for address in _addresses_in(line)
    )
    if in_subject:
        return _Found(in_subject, "subject", False)
    if 0 < len(candidates) <= 2:
        return _Found(candidates, "mentioned", False)
    headerish = keep(
        address for line in lines if re.match(r"^\s*To\s*:", line, re.I)
        for address in _addresses_in(line)
    )
    return _Found(headerish, "to-line", False) if len(headerish) == 1 else _Found([], "", False)


def _matched(pattern: re.Pattern[str], lines: list[str], lenient: bool = False) -> list[str]:
    """The addresses in group "a" of the lines that `pattern` matches at their start."""
    found = []
    for line in lines:
        match = pattern.match(line)
        address = _clean_address(match.group("a"), lenient=lenient) if match else None
        if address:
            found.append(address)
    return found


def _listed(lines: list[str], keep: Callable[[Iterable[str]], list[str]]) -> list[str]:
    """Addresses after a list intro; later intros of the same wording add to the list."""
    found: list[str] = []
    first_intro: str | None = None
    for index, line in enumerate(lines):
        if _HEADERISH_LINE.match(line) or line.lstrip().startswith(">>>"):
            continue
        intro = _LIST_INTRO.search(line)
        if not intro:
            continue
        wording = " ".join(intro.group(0).lower().split())
        if first_intro is not None and wording != first_intro:
            continue
        rest = line[intro.end():]
        first = re.search(rf"{_ANGLE}|{ADDRESS}", rest)
        gap = rest[: first.start()] if first else ""
        block: list[str] = []
        if first and len(gap.split()) <= 3 and not re.search(
            r"\b(?:from|by|because|sender|reply|contact)\b", gap, re.I
        ):
            block = _addresses_in(rest)
        else:
            blank = 0
            for follow in lines[index + 1:index + 14]:
                if not follow.strip():
                    blank += 1
                    if block or blank > 1:
                        break
                    continue
                if _HEADERISH_LINE.match(follow):
                    if block:
                        break
                    continue
                here = _addresses_in(follow)
                if here and not _NOT_RECIPIENT_LINE.search(follow):
                    block.append(here[0])
                elif block:
                    break
        kept = keep(block)
        if kept:
            found.extend(kept)
            first_intro = wording
    return keep(found)


def _from_text(facts: _Facts, ev: _Evidence, failed_header: list[str]) -> Bounce | None:
    if ev.list_post and (ev.reply or not ev.subject or re.match(r"\s*\[", facts.subject)):
        return None
    unquoted = _unquoted(facts.notification)
    if is_challenge_text(unquoted):
        return None
    lead = _lead(unquoted)
    found = _text_addresses(facts, loose=ev.sender or ev.report)
    if failed_header:
        accepted = True
    elif not facts.has_headers:
        accepted = bool(_REPORT_WORDS.search(lead)) or (
            found.structural and bool(_REPORT_WORDS.search(unquoted)))
    elif (ev.sender and ev.subject) or ev.report:
        accepted = (found.structural or (ev.sender and ev.subject and ev.report)
                    or bool(_REPORT_WORDS.search(unquoted) or _HARD_WORDS.search(unquoted)
                            or _SOFT_WORDS.search(unquoted)))
    elif ev.sender or (ev.subject and not ev.reply):
        accepted = found.structural or bool(_REPORT_WORDS.search(lead) or _HARD_WORDS.search(lead))
    elif ev.subject:  # a reply or forward whose subject reads like a report
        accepted = bool(_REPORT_WORDS.search(lead)) and found.rule in (
            "angle", "labelled", "exim", "listed")
    else:
        accepted = False
    if not accepted:
        return None
    addresses, rule = found.addresses, found.rule
    if failed_header and set(failed_header) != set(addresses):
        addresses, rule = failed_header, "x-failed-recipients"
    if not addresses and not ((ev.sender and ev.subject) or ev.report):
        return None  # a report that names no address must at least come as one
    status = _first_status(_report_lines(unquoted))
    delayed = bool(re.search(
        r"not\s+yet\s+been\s+delivered|will\s+be\s+retried|still\s+being\s+retried|"
        r"warning\s+only|delivery\s+attempts\s+will\s+continue|this\s+is\s+a\s+warning|"
        r"delayed|no\s+action\s+is\s+required|has\s+been\s+postponed|will\s+continue\s+to\s+try",
        unquoted + "\n" + facts.subject, re.I)) and not re.search(
        r"permanent|fatal|failed\s+permanently|giving\s+up|gave\s+up", unquoted, re.I)
    return Bounce(
        failed_recipients=_unique(addresses),
        bounce_type=_classify(status, unquoted + "\n" + facts.subject, delayed),
        status=status,
        diagnostic=_notification_diagnostic(unquoted),
        detector=_detector_name(facts, unquoted, rule),
    )


def _detector_name(facts: _Facts, text: str, rule: str) -> str:
    checks = (
        ("qmail", r"qmail-send\s+program|below\s+this\s+line\s+is\s+a\s+copy"),
        ("postfix", r"postfix\s+program|i'm\s+sorry\s+to\s+have\s+to\s+inform\s+you"),
        ("exim", r"mail\s+delivery\s+software"),
        ("gmail", r"delivery\s+to\s+the\s+following\s+recipient\s+failed|google"),
        ("yahoo", r"yahoo|unable\s+to\s+deliver\s+message\s+to\s+the\s+following\s+address"),
        ("aol", r"\baol\b"),
        ("sendmail", r"permanent\s+fatal\s+errors|transcript\s+of\s+session"),
        ("exchange", r"did\s+not\s+reach\s+the\s+following\s+recipient|msexch|exchange|"
                     r"outlook|office\s*365"),
        ("groupwise", r"groupwise"),
        ("lotus", r"lotus|domino"),
    )
    haystack = text + "\n" + facts.sender + "\n" + facts.sender_name
    for name, pattern in checks:
        if re.search(pattern, haystack, re.I):
            return name
    return "x-failed-recipients" if rule == "x-failed-recipients" else "text"


# --------------------------------------------------------------------------- entry point

def detect_bounce(msg: EmailMessage) -> Bounce | None:
    """The delivery failure `msg` reports, or None when it is not a bounce."""
    try:
        return _detect(msg)
    except Exception:  # pragma: no cover - a last guard: odd input must never stop the reader
        return None


def _detect(msg: EmailMessage, depth: int = 0) -> Bounce | None:
    facts = _Facts(msg)
    dsn = _from_dsn(facts)
    if dsn is False:
        return None
    if dsn is not None and dsn.failed_recipients:
        return dsn
    ev = _evidence(facts, msg)
    failed_header = [a for a in _addresses_in(header(msg, "X-Failed-Recipients"))
                     if a not in facts.own]
    if facts.has_headers and not ev.any and not failed_header:
        return None  # nothing in the headers says "report": a person's mail (the fast path)
    found = _from_text(facts, ev, failed_header)
    if found is not None or depth:
        return found
    # A gateway that wraps the real report in a message of its own: read the report.
    if ev.sender or ev.subject:
        for inner in _attached_messages(msg):
            found = _detect(inner, depth + 1)
            if found is not None:
                return found
    return None


def _attached_messages(msg: EmailMessage) -> Iterator[EmailMessage]:
    for part, content_type in _parts(msg)[1:]:
        if content_type != "message/rfc822":
            continue
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], EmailMessage):
            yield payload[0]
