"""The coalition list's tables: members, pending confirmations, posts and moderators' acts.

A list itself lives in its config file (`lists/<name>.toml`); rows name it by that name.
A post's message stays in `inbound_message` (its raw bytes, as received); `list_post`
says what became of it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db.base import Base, enum_column


class MemberStatus(enum.StrEnum):
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"


class Delivery(enum.StrEnum):
    """How a member receives posts (the digest arrives with the digest issue)."""

    ALL = "all"
    NONE = "none"  # on vacation: still a member, may post, receives nothing


class ListMember(Base):
    """One address on one list, subscribed or once subscribed (kept so a signer who left
    is never subscribed again by the signers' sync)."""

    __tablename__ = "list_member"
    __table_args__ = (UniqueConstraint("list_name", "address"),
                      Index("ix_list_member_delivery", "list_name", "status", "delivery"))

    id: Mapped[int] = mapped_column(primary_key=True)
    list_name: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="SET NULL"), index=True)
    status: Mapped[MemberStatus] = mapped_column(
        enum_column(MemberStatus), default=MemberStatus.SUBSCRIBED)
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery), default=Delivery.ALL)
    # Every post of this member is held for a moderator.
    moderated: Mapped[bool] = mapped_column(Boolean, default=False)
    # How they came: "cli", "import", "email", "signer:<campaign>".
    source: Mapped[str] = mapped_column(String(120))
    subscribed_at: Mapped[datetime]
    unsubscribed_at: Mapped[datetime | None]
    # Who or what ended the membership: "email", "one-click", "cli", "withdrawn".
    unsubscribed_by: Mapped[str | None] = mapped_column(String(200))


class RequestKind(enum.StrEnum):
    JOIN = "join"
    LEAVE = "leave"


class ListRequest(Base):
    """A subscription or unsubscription asked by email, waiting for the address to confirm
    (double opt-in): the confirmation carries a token naming this row."""

    __tablename__ = "list_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_name: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[RequestKind] = mapped_column(enum_column(RequestKind))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    # "confirmed", "expired", or why it could not be done.
    outcome: Mapped[str | None] = mapped_column(String(60))


class PostStatus(enum.StrEnum):
    HELD = "held"
    ACCEPTED = "accepted"  # distributed to the members
    REJECTED = "rejected"  # refused, the poster told (with a note, when there is one)
    DISCARDED = "discarded"  # dropped silently
    DROPPED = "dropped"  # never a post: a loop, a bounce or an automatic reply


class ListPost(Base):
    """What became of one message sent to a list's posting address."""

    __tablename__ = "list_post"
    __table_args__ = (UniqueConstraint("list_name", "inbound_message_id"),
                      Index("ix_list_post_status", "list_name", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    list_name: Mapped[str] = mapped_column(String(60))
    inbound_message_id: Mapped[int] = mapped_column(ForeignKey("inbound_message.id"))
    poster: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[PostStatus] = mapped_column(enum_column(PostStatus))
    # Why it was held, rejected or dropped, in words.
    reason: Mapped[str] = mapped_column(Text, default="")
    # SHA-256 of the moderators' single-use token; the token itself is only in the notice.
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(320))
    decided_at: Mapped[datetime | None]
    # A rejection's private note to the poster.
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    distributed_at: Mapped[datetime | None]
    recipients: Mapped[int] = mapped_column(Integer, default=0)


class ModerationAction(Base):
    """The log of every moderator act, applied or not: who, when, by which way, with what
    effect."""

    __tablename__ = "list_moderation_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("list_post.id"), index=True)
    list_name: Mapped[str] = mapped_column(String(60))
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(20))  # approve, reject, discard
    via: Mapped[str] = mapped_column(String(10))  # email, cli
    # "applied", "already approved by ana@… at …", "not a moderator", "token expired".
    outcome: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
