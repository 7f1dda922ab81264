"""The mail pipes' tables: the outbox, stored inbound messages, mailbox cursors."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db.base import Base, enum_column


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class InboundStatus(enum.StrEnum):
    NEW = "new"
    PROCESSED = "processed"
    QUARANTINED = "quarantined"


class OutboxMessage(Base):
    """One email to send. Written in the transaction of the change that caused it."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_due", "status", "not_before", "priority"),
        # The minimum gap between two emails to one person looks up their last one.
        Index("ix_outbox_recipient", "recipient", "created_at"),
        Index("ix_outbox_about", "about_kind", "about_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    recipient: Mapped[str] = mapped_column(String(320))
    # What the message is about, named by the feature that sent it ("target", 42): bounces
    # and failures find their feature's hook through it.
    about_kind: Mapped[str | None] = mapped_column(String(30))
    about_id: Mapped[int | None]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The message as last composed; for kinds composed up front this is the message itself.
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[OutboxStatus] = mapped_column(
            enum_column(OutboxStatus), default=OutboxStatus.PENDING)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime]
    send_window: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Why it waits, failed or was cancelled; on a sent row, the bounce that returned it.
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # When a sender that took the row again after a crash handed it to SMTP. Found in
    # flight once more after that, it may have gone out twice or not at all: a person
    # decides (Failure.UNCERTAIN), it is never sent a third time.
    resent_at: Mapped[datetime | None]


class InboundMessage(Base):
    """One raw message read from the mailbox, stored once before anything acts on it."""

    __tablename__ = "inbound_message"
    __table_args__ = (
        UniqueConstraint("folder", "uidvalidity", "uid"),
        Index("ix_inbound_status", "status"),
        Index("ix_inbound_route", "route", "status"),
        Index("ix_inbound_about", "about_kind", "about_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str | None] = mapped_column(String(300), unique=True)
    folder: Mapped[str] = mapped_column(String(300))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[InboundStatus] = mapped_column(
            enum_column(InboundStatus), default=InboundStatus.NEW)
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    # The door's decision, made once when the message is stored: which handler owns it.
    route: Mapped[str | None] = mapped_column(String(40))
    # How often acting on it failed: a message that fails three times is quarantined.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # What the handler made of it, once acted on: the kind of mail, the outcome it
    # reached ("signed", "review:question"), and what it was about ("target", 42).
    kind: Mapped[str | None] = mapped_column(String(30))
    outcome: Mapped[str | None] = mapped_column(String(60))
    classifier_version: Mapped[str | None] = mapped_column(String(30))
    about_kind: Mapped[str | None] = mapped_column(String(30))
    about_id: Mapped[int | None]
    processed_at: Mapped[datetime | None]


class MailboxCursor(Base):
    """How far the reader has read one folder: UIDVALIDITY and the last UID seen."""

    __tablename__ = "mailbox_cursor"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(300), unique=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime]
