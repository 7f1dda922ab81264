"""The demo's coalition list: the signers are subscribed, a member posts, someone outside
the list posts and is held, and a moderator approves that post by replying to the notice.

Like `outreach.demo_people`, the people here write real messages into the inbox Maildir;
the moderator reads the held-post notice the demo's SMTP sink filed and answers it.
"""

from __future__ import annotations

import asyncio
import mailbox
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from rich.console import Console
from sqlalchemy import select

from outreach.app import App
from outreach.clock import utc_now
from outreach.daemon import Daemon
from outreach.db.session import transaction
from outreach.inbound.message import load_message
from outreach.lists.models import ListMember, ListPost, MemberStatus
from outreach.resources import bundled

LIST = "coalition"
DOMAIN = "valleywater.example"
POSTING_ADDRESS = f"{LIST}@{DOMAIN}"
MODERATOR = f"maria@{DOMAIN}"
OUTSIDER = "reporter@valleynews.example"


def prepare_list(directory: Path) -> None:
    """The example list, on the demo's domain."""
    (directory / "lists").mkdir(exist_ok=True)
    text = (bundled("config") / "lists" / f"{LIST}.toml").read_text(encoding="utf-8")
    (directory / "lists" / f"{LIST}.toml").write_text(
        text.replace("valleywater.org", DOMAIN), encoding="utf-8")


def _post(sender: str, subject: str, text: str, now: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = POSTING_ADDRESS
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    msg.set_content(text)
    return msg


def member_posts(inbox: Path, member: str, now: datetime) -> None:
    mailbox.Maildir(inbox, create=False).add(_post(
        member, "Hearing on the water bond moved to Thursday",
        "Hello all,\n\nThe county hearing on the water bond moved to Thursday at 6 pm. "
        "Yes, count us in for the joint testimony; we can bring ten people.\n", now))


def outsider_posts(inbox: Path, now: datetime) -> None:
    mailbox.Maildir(inbox, create=False).add(_post(
        OUTSIDER, "Interview request about the clean water letter",
        "Hello,\n\nI am writing a story about drinking water in the valley and would like "
        "to talk with a few of the coalition's members this week.\n\nThank you,\n"
        "Dana Reyes, Valley News\n", now))


def moderator_approves(sent: Path, inbox: Path, now: datetime) -> int:
    """The moderator answers each held-post notice addressed to them with "approve"."""
    answered = 0
    for key in sorted(mailbox.Maildir(sent, create=False).keys()):
        raw = mailbox.Maildir(sent, create=False).get_bytes(key)
        notice = load_message(raw)
        if MODERATOR not in str(notice.get("To", "")) \
                or "Held for moderation" not in str(notice.get("Subject", "")):
            continue
        reply = EmailMessage()
        reply["From"] = MODERATOR
        reply["To"] = str(notice["Reply-To"])
        reply["Subject"] = "Re: " + str(notice["Subject"])
        reply["Date"] = format_datetime(now)
        reply["Message-ID"] = make_msgid(domain=DOMAIN)
        reply["In-Reply-To"] = str(notice["Message-ID"])
        body = notice.get_body(("plain",))
        quoted = body.get_content() if body is not None else ""
        reply.set_content("approve\n\nThanks!\n\n" + "\n".join(
            f"> {line}" for line in str(quoted).splitlines()) + "\n")
        mailbox.Maildir(inbox, create=False).add(reply)
        answered += 1
    return answered


def run_list_demo(app: App, directory: Path, sent: Path, console: Console) -> None:
    """Subscribe the signers, then a member posts, an outsider posts and is held, and the
    moderator approves by email; each step is the daemon doing its work."""
    inbox = directory / "inbox"
    before = len(mailbox.Maildir(sent, create=False))
    asyncio.run(Daemon(app).run(until_sent=True))  # the signers' sync: welcome messages
    with transaction(app.factory) as session:
        members = list(session.scalars(select(ListMember.address).where(
            ListMember.list_name == LIST, ListMember.status == MemberStatus.SUBSCRIBED)
            .order_by(ListMember.id)))
    welcomed = len(mailbox.Maildir(sent, create=False)) - before
    console.print(f"\nThe coalition list {POSTING_ADDRESS}: {len(members)} signers subscribed "
                  f"({welcomed} welcome messages with the list's rules).")
    if not members:
        return
    now = utc_now()
    member_posts(inbox, members[0], now)
    outsider_posts(inbox, now)
    console.print(f"{members[0]} (a member) and {OUTSIDER} (not a member) post to the list.")
    asyncio.run(Daemon(app).run(until_sent=True))
    with transaction(app.factory) as session:
        posts = {p.poster: p for p in session.scalars(select(ListPost))}
        held = posts.get(OUTSIDER)
        console.print(f"The member's post: {posts[members[0]].status.value}, sent to "
                      f"{posts[members[0]].recipients} members. The outsider's: "
                      f"{held.status.value if held else 'missing'}"
                      f"{f' ({held.reason})' if held else ''}; the moderators were sent it "
                      f"to approve by reply, and the poster was told.")
    answered = moderator_approves(sent, inbox, utc_now())
    console.print(f"{MODERATOR} replies \"approve\" to the notice ({answered} reply).")
    asyncio.run(Daemon(app).run(until_sent=True))
    with transaction(app.factory) as session:
        post = session.scalars(select(ListPost).where(ListPost.poster == OUTSIDER)).one()
        console.print(f"The held post is now {post.status.value} by {post.decided_by} and went "
                      f"to {post.recipients} members, each with their own unsubscribe link.")
    console.print("Held posts wait in:  outreach list held;  members:  outreach list members "
                  f"{LIST}\n")
