"""What the list's posting and moderation tests share: members, posts, delivery, replies."""

from __future__ import annotations

import email
import email.policy
import hashlib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import select

from outreach import mailbox
from outreach.app import App
from outreach.db.session import transaction
from outreach.lists.feature import lists_of
from outreach.lists.models import ListMember, ListPost, MemberStatus
from outreach.lists.registry import KnownDmarcPolicies, Lists
from outreach.mail.models import InboundMessage, InboundStatus
from tests.conftest import NOW
from tests.smtpserver import SmtpServer

LIST = "coalition"
POSTING = "coalition@valleywater.org"
LATER = NOW + timedelta(hours=2)
MODERATORS = ["maria@valleywater.org", "james@valleywater.org"]


def the_lists(app: App, policies: dict[str, str] | None = None) -> Lists:
    """The app's lists, with DMARC policies known up front (no DNS in tests)."""
    lists = lists_of(app)
    lists.dmarc = KnownDmarcPolicies(policies or {})
    return lists


def add_members(app: App, *addresses: str, moderated: bool = False) -> None:
    with transaction(app.factory) as session:
        for address in addresses:
            session.add(ListMember(list_name=LIST, address=address, display_name="",
                                   source="test", subscribed_at=NOW, moderated=moderated,
                                   status=MemberStatus.SUBSCRIBED))


def post(sender: str | None, subject: str = "", text: str = "", *, to: str = POSTING,
         headers: dict[str, str] | None = None) -> bytes:
    """A message to one of a list's addresses (the posting address unless `to`)."""
    msg = EmailMessage()
    if sender is not None:
        msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(LATER)
    msg["Message-ID"] = make_msgid(domain="example.net")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text or "\n")
    return msg.as_bytes()


def deliver(app: App, raw: bytes, when: datetime = LATER) -> int:
    """Store a message as the mailbox reader does."""
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    with transaction(app.factory) as session:
        row = InboundMessage(message_id=str(parsed["Message-ID"] or "") or None,
                             folder="INBOX", raw=raw, sha256=hashlib.sha256(raw).hexdigest(),
                             status=InboundStatus.NEW, received_at=when)
        session.add(row)
        session.flush()
        return row.id


def process(app: App, when: datetime = LATER) -> dict[str, int]:
    return mailbox.act_on_mail(app, when).by_outcome


def received_by(server: SmtpServer, address: str) -> list[EmailMessage]:
    return [r.message for r in server.messages if r.rcpt_tos == [address]]


def reply_to_notice(notice: EmailMessage, text: str, *, sender: str) -> bytes:
    """A moderator's answer to a held-post notice, as a mail client writes it."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = str(notice["Reply-To"])
    msg["Subject"] = "Re: " + str(notice["Subject"])
    msg["Date"] = format_datetime(LATER)
    msg["Message-ID"] = make_msgid(domain="valleywater.org")
    msg["In-Reply-To"] = str(notice["Message-ID"])
    body = notice.get_body(("plain",))
    assert body is not None
    quoted = "\n".join("> " + line for line in body.get_content().splitlines())
    msg.set_content(f"{text}\n\nOn Tue, Dec 8, 2026, Valley Water Coalition wrote:\n{quoted}\n")
    return msg.as_bytes()


def posts(app: App) -> list[ListPost]:
    with app.factory() as session:
        return list(session.scalars(select(ListPost).order_by(ListPost.id)))


def held_notices(server: SmtpServer, moderator: str) -> list[EmailMessage]:
    return [m for m in received_by(server, moderator)
            if "Held for moderation" in str(m["Subject"])]
