"""The review queue: what a person decides, and the log of decisions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db.base import Base, enum_column


class ReviewStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    RECLASSIFIED = "reclassified"
    # A change request answered by a new letter version (`resolved_by_letter_version_id`).
    RESOLVED = "resolved"


class ReviewItem(Base):
    """A message the machine could not act on with certainty: a person decides."""

    __tablename__ = "review_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("target.id"), index=True)
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_message.id"))
    reason: Mapped[str] = mapped_column(String(50))
    summary: Mapped[str] = mapped_column(Text, default="")
    quoted_text: Mapped[str | None] = mapped_column(Text)
    proposed_name: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[ReviewStatus] = mapped_column(
            enum_column(ReviewStatus), default=ReviewStatus.OPEN)
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    resolved_by_letter_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("letter_version.id"))


class ReviewDecision(Base):
    """The log of every decision taken on a review item, and by whom."""

    __tablename__ = "review_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_item_id: Mapped[int] = mapped_column(ForeignKey("review_item.id", ondelete="CASCADE"),
                                                index=True)
    decision: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime]
