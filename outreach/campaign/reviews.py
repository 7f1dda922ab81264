"""The organizer's review queue: what the machine could not decide with certainty."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.campaign.targets import transition
from outreach.db.models import (
    ReviewDecision,
    ReviewItem,
    ReviewStatus,
    Target,
    TargetState,
)

PAUSABLE = frozenset({TargetState.ASKED, TargetState.FOLLOWED_UP, TargetState.ESCALATED})


def open_review(session: Session, *, reason: str, now: datetime, target: Target | None = None,
                campaign_id: int | None = None, inbound_message_id: int | None = None,
                summary: str = "", quoted_text: str | None = None,
                proposed_name: str | None = None) -> ReviewItem:
    """Queue an item for a person, pausing the target's automated follow-ups meanwhile."""
    item = ReviewItem(
        campaign_id=target.campaign_id if target is not None else campaign_id,
        target_id=target.id if target is not None else None,
        inbound_message_id=inbound_message_id, reason=reason, summary=summary,
        quoted_text=quoted_text, proposed_name=proposed_name, status=ReviewStatus.OPEN,
        created_at=now,
    )
    session.add(item)
    if target is not None and target.state in PAUSABLE:
        transition(session, target, TargetState.PAUSED, now=now,
                   reason=f"waiting for an organizer: {reason}")
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
