"""Sorting mail by what made it: a bounce, an automatic reply, or a person's words.

`sort_mail` touches no database and knows no feature: a campaign reads the person's
words further (its own reading module), a list stops here (`read_text=False`) and only
needs to know whether a machine sent it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Literal

from outreach.inbound.autoreply import AutoReply, detect_auto_reply
from outreach.inbound.bounces import Bounce, detect_bounce
from outreach.inbound.message import header, message_ids, recipient_addresses, sender_address
from outreach.inbound.visible import visible_text

Kind = Literal["human", "auto_reply", "bounce"]


@dataclass(frozen=True)
class Sorted:
    kind: Kind
    visible_text: str
    bounce: Bounce | None = None
    auto_reply: AutoReply | None = None

    @property
    def return_date(self) -> date | None:
        return self.auto_reply.return_date if self.auto_reply else None


def sort_mail(msg: EmailMessage, *, read_text: bool = True) -> Sorted:
    """Bounce first, then automatic reply; else a person wrote it. With `read_text=False`
    the visible text is not extracted (list traffic needs only the machine check)."""
    bounce = detect_bounce(msg)
    if bounce is not None:
        return Sorted("bounce", "", bounce=bounce)
    auto = detect_auto_reply(msg)
    text = visible_text(msg) if read_text else ""
    if auto is not None:
        return Sorted("auto_reply", text, auto_reply=auto)
    return Sorted("human", text)


@dataclass(frozen=True)
class Envelope:
    """The addressing facts a handler matches on."""

    message_id: str | None
    sender: str | None
    recipients: list[str]
    in_reply_to: list[str]
    subject: str


def envelope(msg: EmailMessage) -> Envelope:
    message_id = message_ids(header(msg, "Message-ID"))
    return Envelope(
        message_id=message_id[0] if message_id else None,
        sender=sender_address(msg),
        recipients=recipient_addresses(msg),
        in_reply_to=[*message_ids(header(msg, "In-Reply-To")),
                     *message_ids(header(msg, "References"))],
        subject=header(msg, "Subject"),
    )
