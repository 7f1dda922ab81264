"""Mail to a list's posting address: a chain of checks decides, once, what becomes of it.

Like Mailman 3's posting chain, each check may end the chain: a message that carries this
list's own List-Id or X-BeenThere is a loop and is dropped; so are bounces and the replies
machines mark as automatic. Then who wrote it and what it holds decide between
distributing it, holding it for a moderator (with the reason), rejecting it with a notice,
or discarding it. Nothing in a post is ever read as a campaign reply: a known contact
writing "Yes, count us in." to the list has written to the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy.orm import Session

from outreach.inbound.authority import Author, author
from outreach.inbound.autoreply import detect_auto_reply, machine_signal
from outreach.inbound.bounces import detect_bounce
from outreach.inbound.door import recipients
from outreach.inbound.message import header
from outreach.lists import moderation
from outreach.lists.cleanse import content_problem
from outreach.lists.config import ListConfig
from outreach.lists.distribution import distribute
from outreach.lists.members import find_member
from outreach.lists.models import ListMember, ListPost, MemberStatus, PostStatus
from outreach.lists.notices import POST, notice
from outreach.lists.registry import Lists
from outreach.mail.compose import one_line
from outreach.mail.handling import Handled
from outreach.mail.models import InboundMessage
from outreach.mail.outbox import About

ROUTE = "list.post"
# What a dropped message was, by the first word of the reason it was dropped for.
_DROPPED_KINDS = {"loop": "loop", "bounce": "bounce", "automatic": "auto_reply"}


@dataclass(frozen=True)
class Verdict:
    """What the chain decided for one post, and why (the evidence a moderator sees)."""

    action: str  # "accept", "hold", "reject", "discard", "drop"
    reason: str


class PostAddress:
    """The handler of mail to every list's posting address."""

    def __init__(self, lists: Lists) -> None:
        self.lists = lists

    def handle(self, session: Session, row: InboundMessage, msg: EmailMessage,
               now: datetime) -> Handled:
        found = self.lists.first_at(recipients(msg))
        if found is None:  # the door routed it here, so a list claimed it: config reloaded
            return Handled("list:no_such_list")
        config, _ = found
        return receive(session, self.lists, config, row, msg, now)


def receive(session: Session, lists: Lists, config: ListConfig, row: InboundMessage,
            msg: EmailMessage, now: datetime) -> Handled:
    """Run the chain on one message to `config`'s posting address and act on its verdict."""
    who = author(msg, lists.settings.mailbox.trusted_authserv_id)
    member = find_member(session, config.slug, who.address) if who.address else None
    verdict = judge(config, row, msg, who, member)
    post = ListPost(list_name=config.slug, inbound_message_id=row.id, poster=who.address,
                    subject=one_line(header(msg, "Subject"), limit=300),
                    status=PostStatus.DROPPED, reason=verdict.reason, created_at=now,
                    recipients=0)
    session.add(post)
    session.flush()
    kind = "list_post"
    if verdict.action == "drop":
        kind = _DROPPED_KINDS.get(verdict.reason.split(" ", 1)[0].rstrip(":"), "auto_reply")
    elif verdict.action == "accept":
        post.status = PostStatus.ACCEPTED
        distribute(session, lists, config, post, now)
    elif verdict.action == "hold":
        moderation.hold(session, lists, config, post, row.raw, now,
                        tell_poster=who.doubt is None)
    elif verdict.action == "reject":
        post.status = PostStatus.REJECTED
        if who.address and who.doubt is None:
            notice(session, config=config, templates_dir=lists.templates_dir,
                   kind=moderation.POSTER_KIND, to=who.address, template="rejected_non_member",
                   context={"post": post}, now=now, about=About(POST, post.id),
                   in_reply_to=header(msg, "Message-ID") or None)
    else:
        post.status = PostStatus.DISCARDED
    return Handled(f"list:{post.status.value}", kind=kind, about_kind=POST,
                   about_id=post.id)


def judge(config: ListConfig, row: InboundMessage, msg: EmailMessage, who: Author,
          member: ListMember | None) -> Verdict:
    """The chain: the first check with something to say decides."""
    for check in (_loop, _machine):
        verdict = check(config, msg)
        if verdict is not None:
            return verdict
    held = _held_for_content(config, row, msg)
    if held is not None:
        return held
    return _by_poster(config, who, member)


def _loop(config: ListConfig, msg: EmailMessage) -> Verdict | None:
    if f"<{config.list_id}>" in header(msg, "List-Id").lower():
        return Verdict("drop", f"loop: it carries this list's List-Id <{config.list_id}>")
    been_there = [str(v).strip().lower() for v in msg.get_all("X-BeenThere", failobj=[])[:20]]
    if config.posting_address in been_there:
        return Verdict("drop", f"loop: X-BeenThere {config.posting_address}")
    return None


def _machine(config: ListConfig, msg: EmailMessage) -> Verdict | None:
    del config
    bounce = detect_bounce(msg)
    if bounce is not None:
        status = bounce.status or "unknown"
        return Verdict("drop", f"bounce ({bounce.detector}, status {status})"[:200])
    signal = machine_signal(msg)
    if signal is not None:
        return Verdict("drop", f"automatic reply: {signal}"[:200])
    return None


def _held_for_content(config: ListConfig, row: InboundMessage,
                      msg: EmailMessage) -> Verdict | None:
    if len(row.raw) > config.max_message_kb * 1024:
        return Verdict("hold", f"the message is {len(row.raw) // 1024} KB, more than the "
                               f"list's limit of {config.max_message_kb} KB")
    problem = content_problem(config, msg)
    if problem is not None:
        return Verdict("hold", problem)
    auto = detect_auto_reply(msg)
    if auto is not None:  # by its words only: a person may write like that, so a person looks
        return Verdict("hold", f"it reads like an automatic reply ({auto.reason})"[:300])
    return None


def _by_poster(config: ListConfig, who: Author, member: ListMember | None) -> Verdict:
    if who.address is None:
        return Verdict("hold", f"who sent it cannot be told: {who.doubt}")
    if who.doubt is not None:
        return Verdict("hold", f"the sender is in doubt: {who.doubt}")
    if config.is_moderator(who.address):
        return Verdict("accept", f"{who.address} moderates the list")
    subscribed = member is not None and member.status == MemberStatus.SUBSCRIBED
    if config.posting == "announce":
        return Verdict("hold", "only moderators post to this announcement list")
    if not subscribed:
        return _non_member(config, who.address)
    assert member is not None
    if member.moderated:
        return Verdict("hold", f"posts of {who.address} are moderated")
    if config.posting == "moderated":
        return Verdict("hold", "every post to this list is moderated")
    return Verdict("accept", f"{who.address} is a member")


def _non_member(config: ListConfig, address: str) -> Verdict:
    reason = f"{address} is not a member of the list"
    if config.non_members == "reject":
        return Verdict("reject", reason)
    if config.non_members == "discard":
        return Verdict("discard", reason)
    return Verdict("hold", reason)
