"""Bounces of our own mail: traced to the message we sent, then handed to its kind's hook.

A bounce counts only when it proves which message of ours failed: it came to the VERP
address of that message (`bounce+m42-…@`, a token only the receiving server saw), or it
carries that message's Message-ID in the returned headers. A bounce-shaped message that
proves neither names no one, so it suppresses no one. A proven bounce is noted on the
message it returns (a sent row's `last_error`), so the outbox shows what came back and a
kind can count how often mail to one address did.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage, Message

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from outreach.inbound.bounces import Bounce
from outreach.inbound.classify import sort_mail
from outreach.inbound.door import recipients
from outreach.mail.handling import Handled
from outreach.mail.models import InboundMessage, OutboxMessage, OutboxStatus
from outreach.mail.outbox import BounceHook
from outreach.mail.tokens import token_number

ROUTE = "mail.bounce"
BOUNCE_LOCAL_PART = "bounce"
_MESSAGE_ID_LINE = re.compile(r"^[ \t]*Message-ID:[ \t]*(<[^<>\s]{1,250}>)", re.I | re.M)
MAX_SCAN = 256 * 1024
MAX_IDS = 20


def _returned_parts(msg: Message, depth: int = 0) -> Iterator[str]:
    """The text of the parts that may hold the returned message's headers."""
    if depth > 5:
        return
    for part in msg.walk() if depth == 0 else [msg]:
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            for inner in payload if isinstance(payload, list) else []:
                if isinstance(inner, Message):
                    value = inner.get("Message-ID")
                    if value is not None:
                        yield f"Message-ID: {value}"
        elif kind.startswith("text/"):
            try:
                payload = part.get_payload(decode=True)
            except Exception:  # an undecodable part holds nothing we can trust
                continue
            if isinstance(payload, bytes):
                yield payload[:MAX_SCAN].decode("utf-8", "replace")


def returned_message_ids(msg: EmailMessage) -> list[str]:
    """The Message-IDs a bounce quotes from the message it returns (its own excluded)."""
    own = str(msg.get("Message-ID") or "").strip()
    found: dict[str, None] = {}
    for text in _returned_parts(msg):
        for match in _MESSAGE_ID_LINE.finditer(text[:MAX_SCAN]):
            if match.group(1) != own:
                found.setdefault(match.group(1), None)
            if len(found) >= MAX_IDS:
                return list(found)
    return list(found)


def bounced_message(session: Session, msg: EmailMessage) -> OutboxMessage | None:
    """The message of ours that `msg`, a bounce, returns, found by its Message-ID."""
    ids = returned_message_ids(msg)
    if not ids:
        return None
    return session.scalars(select(OutboxMessage).where(
        OutboxMessage.message_id.in_(ids), OutboxMessage.status == OutboxStatus.SENT)
        .order_by(OutboxMessage.id.desc())).first()


def returned_mail() -> ColumnElement[bool]:
    """Messages that were sent and came back (see `note_bounce`)."""
    return and_(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.last_error.is_not(None))


def note_bounce(sent: OutboxMessage, bounce: Bounce) -> None:
    """Record on a sent message that it came back, and why."""
    if sent.status != OutboxStatus.SENT:
        return
    why = " ".join(part for part in (bounce.status, bounce.diagnostic) if part)
    sent.last_error = f"bounced ({bounce.bounce_type or 'unclassified'})" + \
        (f": {why}" if why else "")


def hand_to_kind(session: Session, sent: OutboxMessage, bounce: Bounce,
                 hooks: dict[str, BounceHook], now: datetime) -> Handled:
    """Note a proven bounce of `sent` on it, then give it to its kind's hook."""
    if bounce.failed_recipients and sent.recipient.lower() not in bounce.failed_recipients:
        return Handled("bounce:other_address", kind="bounce", about_kind=sent.about_kind,
                       about_id=sent.about_id)
    note_bounce(sent, bounce)
    hook = hooks.get(sent.kind)
    outcome = f"bounce:{sent.kind}" if hook is None else hook(session, sent, bounce, now)
    return Handled(outcome, kind="bounce", about_kind=sent.about_kind, about_id=sent.about_id)


class BounceAddress:
    """The handler of mail to our VERP bounce addresses."""

    def __init__(self, key: bytes, domain: str, hooks: dict[str, BounceHook]) -> None:
        self.key = key
        self.domain = domain.lower()
        self.hooks = hooks

    def _sent(self, session: Session, msg: EmailMessage) -> OutboxMessage | None:
        number = token_number(self.key, recipients(msg), kind="m", domain=self.domain,
                              local_part=BOUNCE_LOCAL_PART)
        return session.get(OutboxMessage, number) if number is not None else None

    def handle(self, session: Session, row: InboundMessage, msg: EmailMessage,
               now: datetime) -> Handled:
        sent = self._sent(session, msg)
        sorted_ = sort_mail(msg, read_text=False)
        if sent is None:
            return Handled("bounce:unknown_token", kind=sorted_.kind)
        if sorted_.bounce is None:
            # Automatic replies and stray mail to a return path change nothing.
            return Handled(f"{sorted_.kind}:to_bounce_address", kind=sorted_.kind,
                           about_kind=sent.about_kind, about_id=sent.about_id)
        return hand_to_kind(session, sent, sorted_.bounce, self.hooks, now)
