"""A campaign's use of the review queue: an item about a target pauses its follow-ups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from outreach.campaign.models import Target, TargetState
from outreach.campaign.targets import transition
from outreach.review.models import ReviewItem
from outreach.review.queue import open_item

PAUSABLE = frozenset({TargetState.ASKED, TargetState.FOLLOWED_UP, TargetState.ESCALATED})


def open_review(session: Session, *, reason: str, now: datetime, target: Target | None = None,
                campaign_id: int | None = None, inbound_message_id: int | None = None,
                summary: str = "", quoted_text: str | None = None,
                proposed_name: str | None = None) -> ReviewItem:
    """Queue an item for a person, pausing the target's automated follow-ups meanwhile."""
    item = open_item(
        session, reason=reason, now=now,
        campaign_id=target.campaign_id if target is not None else campaign_id,
        target_id=target.id if target is not None else None,
        inbound_message_id=inbound_message_id, summary=summary, quoted_text=quoted_text,
        proposed_name=proposed_name)
    if target is not None and target.state in PAUSABLE:
        transition(session, target, TargetState.PAUSED, now=now,
                   reason=f"waiting for an organizer: {reason}")
    return item
