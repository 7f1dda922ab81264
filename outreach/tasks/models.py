"""Tasks for people: phone calls, finding contacts, check-ins."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db.base import Base, enum_column


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    NO_ANSWER = "no_answer"
    LEFT_MESSAGE = "left_message"
    CANCELLED = "cancelled"


class Task(Base):
    """Work for a person: a phone call, a review, finding a contact, a check-in."""

    __tablename__ = "task"
    __table_args__ = (Index("ix_task_open", "status", "assignee"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("target.id"))
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[TaskStatus] = mapped_column(enum_column(TaskStatus), default=TaskStatus.OPEN)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    assignee: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    notes: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(200))
