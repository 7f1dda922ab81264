"""The review queue: items a person decides, and the log of every decision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.review.models import ReviewDecision, ReviewItem, ReviewStatus


def open_item(session: Session, *, reason: str, now: datetime, campaign_id: int | None = None,
              target_id: int | None = None, inbound_message_id: int | None = None,
              summary: str = "", quoted_text: str | None = None,
              proposed_name: str | None = None) -> ReviewItem:
    """Queue an item for a person."""
    item = ReviewItem(
        campaign_id=campaign_id, target_id=target_id, inbound_message_id=inbound_message_id,
        reason=reason, summary=summary, quoted_text=quoted_text, proposed_name=proposed_name,
        status=ReviewStatus.OPEN, created_at=now,
    )
    session.add(item)
    session.flush()
    return item


def open_items(session: Session, campaign_id: int | None = None) -> list[ReviewItem]:
    query = select(ReviewItem).where(ReviewItem.status == ReviewStatus.OPEN)
    if campaign_id is not None:
        query = query.where(ReviewItem.campaign_id == campaign_id)
    return list(session.scalars(query.order_by(ReviewItem.id)))


def log_decision(session: Session, item: ReviewItem, *, decision: str, by: str, now: datetime,
                 detail: str = "", status: ReviewStatus) -> None:
    session.add(ReviewDecision(review_item_id=item.id, decision=decision, detail=detail,
                               decided_by=by, decided_at=now))
    item.status = status
    item.decided_by = by
    item.decided_at = now
