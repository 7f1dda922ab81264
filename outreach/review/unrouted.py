"""The door's fallback: mail that no route claims is put in front of an organizer.

It was sent to none of our working addresses (say a list address before the list exists,
or an organizer's own address), so nothing acts on what it says. Machine mail (bounces,
automatic replies) is only recorded: nobody needs to read it.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from sqlalchemy.orm import Session

from outreach.inbound.classify import envelope, sort_mail
from outreach.inbound.door import recipients
from outreach.mail.handling import Handled
from outreach.mail.models import InboundMessage
from outreach.review.queue import open_item


class Unrouted:
    def handle(self, session: Session, row: InboundMessage, msg: EmailMessage,
               now: datetime) -> Handled:
        sorted_ = sort_mail(msg)
        if sorted_.kind != "human":
            return Handled(f"{sorted_.kind}:unrouted", kind=sorted_.kind)
        facts = envelope(msg)
        sent_to = ", ".join(recipients(msg)[:5]) or "no address we know"
        open_item(session, reason="unrouted", now=now, inbound_message_id=row.id,
                  summary=f"sent to {sent_to}, which no route of ours claims; from "
                          f"{facts.sender or 'an unknown sender'}: {facts.subject}",
                  quoted_text=sorted_.visible_text[:2000] or None)
        return Handled("review:unrouted", kind="human")
