"""A change to the letter, published: the new version, the requests it answers, and the
notices to everyone who signed an earlier text, all in one transaction.

Who asked for the change hears that it was made: a requester who already signed reads it
in their change notice, anyone else gets a short note with the new link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.campaign import letters
from outreach.campaign.config import CampaignConfig
from outreach.campaign.intent import Intent
from outreach.campaign.models import Campaign, LetterVersion, Target
from outreach.campaign.signer_notices import NoticePass, notify_change
from outreach.campaign.signons import active_sign_on
from outreach.campaign.targets import OPEN, about_target
from outreach.errors import OutreachError
from outreach.mail.outbox import enqueue
from outreach.review.models import ReviewItem, ReviewStatus
from outreach.review.queue import log_decision


@dataclass(frozen=True)
class Published:
    version: LetterVersion
    notices: NoticePass
    requesters_told: int


def publish_change(session: Session, campaign: Campaign, config: CampaignConfig, *,
                   summary: str, now: datetime, by: str, message_id_domain: str,
                   resolves: Sequence[int] = ()) -> Published:
    """Record the letter file as a new version; `resolves` are the review items (change
    requests) it answers."""
    requests = [_change_request(session, campaign, item_id) for item_id in resolves]
    version = letters.publish(session, campaign, config, summary=summary, now=now)
    requesters = [(item, session.get(Target, item.target_id) if item.target_id else None)
                  for item in requests]
    signed = frozenset(t.id for _item, t in requesters
                       if t is not None and active_sign_on(session, t) is not None)
    notices = notify_change(session, campaign, config, now=now,
                            message_id_domain=message_id_domain, requesters=signed)
    told = len(signed)
    for item, target in requesters:
        item.resolved_by_letter_version_id = version.id
        log_decision(session, item, decision="resolved", by=by, now=now,
                     detail=f"answered by letter version {version.number}",
                     status=ReviewStatus.RESOLVED)
        if target is not None and target.id not in signed and target.state in OPEN:
            enqueue(session, kind="change_resolved", recipient=target.contact.email, now=now,
                    message_id_domain=message_id_domain, about=about_target(target.id), priority=90,
                    payload={"quoted": item.quoted_text or ""})
            told += 1
    return Published(version, notices, told)


def _change_request(session: Session, campaign: Campaign, item_id: int) -> ReviewItem:
    item = session.get(ReviewItem, item_id, with_for_update=True)
    if item is None or item.campaign_id != campaign.id:
        requests = [str(i) for i in session.scalars(
            select(ReviewItem.id).where(ReviewItem.campaign_id == campaign.id,
                                        ReviewItem.reason == Intent.CHANGE_REQUEST.value,
                                        ReviewItem.status == ReviewStatus.OPEN)
            .order_by(ReviewItem.id))]
        raise OutreachError(f"review item {item_id} is not in campaign {campaign.slug!r}; "
                            + (f"its open change requests: {', '.join(requests)}" if requests
                               else "it has no open change request"))
    if item.reason != Intent.CHANGE_REQUEST.value:
        raise OutreachError(f"review item {item_id} is a {item.reason}, not a change request")
    if item.status != ReviewStatus.OPEN:
        raise OutreachError(f"review item {item_id} is already {item.status.value}")
    return item
