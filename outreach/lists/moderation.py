"""Held posts and the moderators' decisions, by email reply or from the command line.

Holding a post gives it a single-use token of 160 random bits; only its SHA-256 is stored.
Each moderator is sent the post attached, from the list's -owner address, with
`<list>-moderate+<token>@…` as the address to reply to: a reply whose first words are
"approve", "reject" or "discard" (quoted text ignored, no password anywhere) decides.
Only a moderator or owner of that list, whose mail the trusted receiving server did not
see fail DMARC, may decide. `decide` is the one way a held post changes state: a
conditional UPDATE lets exactly one decision win, however many moderators act at once;
the others are told who already acted. Every act, applied or not, is logged.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from outreach.inbound.authority import author
from outreach.inbound.classify import sort_mail
from outreach.inbound.door import recipients
from outreach.inbound.message import header
from outreach.lists.config import ListConfig
from outreach.lists.distribution import distribute
from outreach.lists.models import ListPost, ModerationAction, PostStatus
from outreach.lists.notices import POST, notice
from outreach.lists.registry import Lists
from outreach.mail.handling import Handled
from outreach.mail.models import InboundMessage, OutboxMessage
from outreach.mail.outbox import About
from outreach.mail.tokens import tagged_address

ROUTE = "list.moderate"
HELD_KIND = "list_held"  # to moderators: a post waits for them
POSTER_KIND = "list_poster"  # to a poster: what became of their post
MODERATOR_KIND = "list_moderation"  # to a moderator: someone acted first, or a token is stale

# The words a moderator's reply may start with, in the languages of our users.
WORDS = {
    "approve": "approve", "approved": "approve", "accept": "approve", "accepted": "approve",
    "aprobar": "approve", "aprobado": "approve",
    "approuver": "approve", "aprovar": "approve", "freigeben": "approve",
    "reject": "reject", "rejected": "reject", "deny": "reject", "refuse": "reject",
    "rechazar": "reject", "rejeter": "reject", "rejeitar": "reject", "ablehnen": "reject",
    "discard": "discard", "discarded": "discard", "delete": "discard", "drop": "discard",
    "descartar": "discard", "supprimer": "discard", "verwerfen": "discard",
}
DONE = {"approve": PostStatus.ACCEPTED, "reject": PostStatus.REJECTED,
        "discard": PostStatus.DISCARDED}
# "reject offtopic" sends the poster the template that asks, politely, to stay on topic.
OFF_TOPIC = re.compile(r"^\s*[:\-\u2013\u2014,]?\s*off[\s-]?topic\b[\s:.,-]*", re.I)
_WORD = re.compile(r"^\W*([^\W\d_]+)\b[\s:.,!-]*(.*)$", re.S)
# A moderator's command is in the first lines of the reply; below, they are writing prose.
COMMAND_LINES = 5
_TOKEN = re.compile(r"^[a-z2-7]{32}$")


@dataclass(frozen=True)
class Command:
    action: str  # approve, reject, discard
    note: str  # for a rejection: the private note to the poster
    off_topic: bool


def new_token() -> str:
    """160 random bits in lower-case base32 (addresses are case-insensitive)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().lower()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.strip().lower().encode()).hexdigest()


def moderate_address(config: ListConfig, token: str) -> str:
    return tagged_address(config.derived_local_part("moderate"), token, config.domain)


def hold(session: Session, lists: Lists, config: ListConfig, post: ListPost, raw: bytes,
         now: datetime, *, tell_poster: bool) -> str:
    """Hold `post` (its reason already set), tell each moderator and the poster; returns
    the token (only the notices carry it)."""
    token = new_token()
    post.status = PostStatus.HELD
    post.token_digest = token_digest(token)
    post.token_expires_at = now + timedelta(days=config.hold_days)
    session.flush()
    context = {"post": post, "token": token, "expires_at": post.token_expires_at}
    for moderator in config.moderator_addresses():
        notice(session, config=config, templates_dir=lists.templates_dir, kind=HELD_KIND,
               to=moderator, template="held_moderator", context=context, now=now,
               about=About(POST, post.id), reply_to=moderate_address(config, token),
               attach=raw)
    if tell_poster and post.poster:
        notice(session, config=config, templates_dir=lists.templates_dir, kind=POSTER_KIND,
               to=post.poster, template="held_poster", context={"post": post}, now=now,
               about=About(POST, post.id))
    return token


def read_command(text: str) -> Command | None:
    """The moderator's word in the first lines of `text` (the visible reply), if any."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines[:COMMAND_LINES]):
        match = _WORD.match(line)
        if match is None or match.group(1).lower() not in WORDS:
            continue
        action = WORDS[match.group(1).lower()]
        rest = match.group(2).strip()
        off_topic = action == "reject" and bool(OFF_TOPIC.match(rest))
        if off_topic:
            rest = OFF_TOPIC.sub("", rest, count=1)
        note = "\n".join([rest, *lines[i + 1:]]).strip() if action == "reject" else ""
        return Command(action, note[:4000], off_topic)
    return None


def decide(session: Session, lists: Lists, config: ListConfig, post_id: int, action: str, *,
           actor: str, via: str, now: datetime, note: str = "",
           off_topic: bool = False) -> str:
    """Apply a moderator's `action` to held post `post_id`, if it still waits: the first
    decision wins (checked in the UPDATE itself). Returns what happened, in words."""
    status = DONE[action]
    post = session.get(ListPost, post_id)
    if post is None or post.list_name != config.slug:
        return _log(session, config, None, actor, action, via, now, "no such post")
    won = session.execute(
        update(ListPost)
        .where(ListPost.id == post_id, ListPost.status == PostStatus.HELD)
        .values(status=status, decided_by=actor, decided_at=now, note=note or None)
        .execution_options(synchronize_session=False))
    if getattr(won, "rowcount", 0) != 1:
        session.refresh(post)
        return _log(session, config, post, actor, action, via, now, _already(post))
    session.refresh(post)
    if action == "approve":
        distribute(session, lists, config, post, now)
    _tell_poster(session, lists, config, post, action, now, off_topic=off_topic)
    return _log(session, config, post, actor, action, via, now, "applied")


def _already(post: ListPost) -> str:
    if post.status == PostStatus.HELD:
        return "still held"  # not reached: a held post's UPDATE wins
    when = f" at {post.decided_at:%Y-%m-%d %H:%M} UTC" if post.decided_at else ""
    by = f" by {post.decided_by}" if post.decided_by else ""
    return f"already {post.status.value}{by}{when}"


def _tell_poster(session: Session, lists: Lists, config: ListConfig, post: ListPost,
                 action: str, now: datetime, *, off_topic: bool) -> None:
    """The poster hears what became of a held post; a discarded one is dropped silently
    (discard is for spam, whose "sender" is usually someone else)."""
    poster = _told_poster(session, post)
    if action == "discard" or poster is None:
        return
    template = {"approve": "approved_poster",
                "reject": "off_topic_poster" if off_topic else "rejected_poster"}[action]
    notice(session, config=config, templates_dir=lists.templates_dir, kind=POSTER_KIND,
           to=poster, template=template, context={"post": post, "note": post.note or ""},
           now=now, about=About(POST, post.id))


def _about(outcome: str, post: ListPost) -> Handled:
    return Handled(outcome, kind="human", about_kind=POST, about_id=post.id)


def _told_poster(session: Session, post: ListPost) -> str | None:
    """The poster, if they were told the post was held: only then are they told more (a
    post whose sender is in doubt may carry someone else's address, who must not get
    mail about it)."""
    if post.poster is None:
        return None
    told = session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.about_kind == POST, OutboxMessage.about_id == post.id,
        OutboxMessage.kind == POSTER_KIND).limit(1))
    return post.poster if told is not None else None


def _log(session: Session, config: ListConfig, post: ListPost | None, actor: str,
         action: str, via: str, now: datetime, outcome: str) -> str:
    session.add(ModerationAction(post_id=post.id if post else None, list_name=config.slug,
                                 actor=actor[:320], action=action, via=via, outcome=outcome,
                                 at=now))
    return outcome


def held_by_token(session: Session, config: ListConfig, token: str) -> ListPost | None:
    if not _TOKEN.match(token.strip().lower()):
        return None
    post = session.scalars(select(ListPost).where(
        ListPost.token_digest == token_digest(token))).one_or_none()
    return post if post is not None and post.list_name == config.slug else None


class ModerationReplies:
    """The handler of moderators' replies to `<list>-moderate+<token>@`."""

    def __init__(self, lists: Lists) -> None:
        self.lists = lists

    def handle(self, session: Session, row: InboundMessage, msg: EmailMessage,
               now: datetime) -> Handled:
        found = self.lists.first_at(recipients(msg), "moderate")
        if found is None:
            return Handled("list:no_such_list")
        config, token = found
        sorted_ = sort_mail(msg)
        if sorted_.kind != "human":  # an out-of-office answering a notice decides nothing
            return Handled(f"list:moderation_ignored_{sorted_.kind}", kind=sorted_.kind)
        post = held_by_token(session, config, token)
        who = author(msg, self.lists.settings.mailbox.trusted_authserv_id)
        actor = who.address or "unknown sender"
        command = read_command(sorted_.visible_text)
        if post is None:
            _log(session, config, None, actor, command.action if command else "none",
                 "email", now, "refused: the token matches no post (forged or mistyped)")
            return Handled("list:moderation_forged", kind="human")
        if who.address is None or who.doubt is not None or not config.is_moderator(actor):
            why = who.doubt or f"{actor} is not a moderator of {config.slug}"
            _log(session, config, post, actor, command.action if command else "none", "email",
                 now, f"refused: {why}")
            return _about("list:moderation_refused", post)
        if post.token_expires_at is not None and now > post.token_expires_at \
                and post.status == PostStatus.HELD:
            _log(session, config, post, actor, command.action if command else "none", "email",
                 now, "refused: the token expired")
            return _about("list:moderation_expired", post)
        if command is None:
            self._unclear(session, config, post, actor, msg, now)
            return _about("list:moderation_unclear", post)
        outcome = decide(session, self.lists, config, post.id, command.action, actor=actor,
                         via="email", now=now, note=command.note, off_topic=command.off_topic)
        if outcome != "applied":
            notice(session, config=config, templates_dir=self.lists.templates_dir,
                   kind=MODERATOR_KIND, to=actor, template="already_decided",
                   context={"post": post, "outcome": outcome, "action": command.action},
                   now=now, about=About(POST, post.id),
                   in_reply_to=header(msg, "Message-ID") or None)
            return _about("list:moderation_too_late", post)
        return _about(f"list:moderation_{command.action}", post)

    def _unclear(self, session: Session, config: ListConfig, post: ListPost, actor: str,
                 msg: EmailMessage, now: datetime) -> None:
        _log(session, config, post, actor, "none", "email", now,
             "nothing done: no approve, reject or discard in the first lines")
        notice(session, config=config, templates_dir=self.lists.templates_dir,
               kind=MODERATOR_KIND, to=actor, template="moderation_unclear",
               context={"post": post}, now=now, about=About(POST, post.id),
               in_reply_to=header(msg, "Message-ID") or None)


def held_posts(session: Session, list_name: str | None = None) -> list[ListPost]:
    query = select(ListPost).where(ListPost.status == PostStatus.HELD)
    if list_name is not None:
        query = query.where(ListPost.list_name == list_name)
    return list(session.scalars(query.order_by(ListPost.created_at, ListPost.id)))


def expire_held(session: Session, lists: Lists, now: datetime) -> int:
    """Held posts nobody decided on in time are discarded, the poster told; logged."""
    expired = list(session.scalars(select(ListPost).where(
        ListPost.status == PostStatus.HELD, ListPost.token_expires_at < now)))
    for post in expired:
        config = lists.get(post.list_name)
        if config is None:
            continue
        session.execute(update(ListPost).where(ListPost.id == post.id,
                                               ListPost.status == PostStatus.HELD)
                        .values(status=PostStatus.DISCARDED, decided_by="expired",
                                decided_at=now).execution_options(synchronize_session=False))
        session.refresh(post)
        _log(session, config, post, "expired", "discard", "clock", now,
             f"applied: no moderator decided within {config.hold_days} days")
        poster = _told_poster(session, post)
        if poster is not None:
            notice(session, config=config, templates_dir=lists.templates_dir,
                   kind=POSTER_KIND, to=poster, template="expired_poster",
                   context={"post": post}, now=now, about=About(POST, post.id))
    return len(expired)
